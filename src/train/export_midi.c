/* export_midi: a dataset split decoded to MIDI files; see export_midi.h. */
#include "export_midi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lj_status.h"
#include "midi.h"
#include "score.h"

int export_midi_split(const encoding *e, const tokset *tokens, const frameset *frames, const char *dir,
                      size_t *written, char *err, size_t errlen) {
    *written = 0;
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (mkdir(dir, 0777) != 0)
            return lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot create the folder: %s", dir, strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: exists and is not a folder", dir);
    }
    size_t n = tokens ? tokens->n_pieces : frames->n_pieces;
    for (size_t p = 0; p < n; p++) {
        score *s = NULL;
        char inner[1024];
        int rc = tokens ? enc_decode(e, tokens->ids + tokens->start[p], tokset_piece_len(tokens, p), &s, inner,
                                     sizeof inner)
                        : enc_decode_frames(e, frameset_piece(frames, p), frameset_piece_len(frames, p), &s, inner,
                                            sizeof inner);
        if (rc) return lj_fail(err, errlen, rc, "piece %zu of the split: %s", p, inner);
        if (s->n_notes == 0) {
            score_destroy(s);
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/piece-%05zu.mid", dir, p);
        rc = midi_write_file(s, path, inner, sizeof inner);
        score_destroy(s);
        if (rc) return lj_fail(err, errlen, rc, "%s", inner);
        (*written)++;
    }
    return LJ_OK;
}
