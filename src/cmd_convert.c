/* lstmjam convert IN OUT: any readable music file to Standard MIDI. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "files.h"
#include "io/midi.h"

static const char *help =
    "usage: lstmjam convert IN OUT [options]\n"
    "\n"
    "Reads IN (.mid .abc .krn .json) and writes Standard MIDI (format 1, 480 PPQ).\n"
    "One tune: OUT is a .mid file. A book with several tunes (ABC, JSB): OUT is a\n"
    "folder (created if missing) that receives NAME-N.mid per tune, N its number.\n"
    "Everything is read and checked before anything is written; each output file\n"
    "is written atomically, so bad input never leaves a partial file.\n"
    "\n"
    "options:\n"
    "  --tune N            convert only tune N (ABC X: number, JSB piece index)\n"
    "  --repeats STYLE     ABC repeat expansion: abc2midi (default) or nottingham\n"
    "                      (the convention of the Nottingham dataset's MIDI files)\n"
    "  --no-chords         ABC: leave out the accompaniment made from chord symbols\n"
    "  --split S           JSB: train, valid or test (default: all three)\n"
    "  --grid G            JSB: time step 16th, 8th or quarter (default: as the file's\n"
    "                      name says, -quarter.json; else 16th); a name that says\n"
    "                      another step is an error\n"
    "  -q, --quiet         no warnings;  -v, --verbose  every warning (default: the first 5)\n"
    "\n"
    "exit status: 0 done, 1 system error, 2 bad input or usage\n";

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int cmd_convert(int argc, char **argv) {
    score_read_opts o;
    long tune;
    cli_warnings warnings = {0};
    int npos;
    const char *pos[2];
    int rc = cli_read_args(argc, argv, help, &o, &tune, &warnings, pos, 2, &npos, NULL);
    if (rc || npos < 0) return rc;
    if (npos != 2) {
        cli_error("convert needs IN and OUT (see lstmjam convert --help)");
        return LJ_EXIT_BAD_INPUT;
    }
    const char *in = pos[0], *out = pos[1];
    score_book book = {0};
    rc = cli_read_book(in, &o, tune, &book);
    if (rc) goto done;
    if (book.n == 0) {
        cli_error("%s: no tunes found", in);
        rc = LJ_EXIT_BAD_INPUT;
        goto done;
    }
    char err[1024] = "";
    char ext[16];
    lj_file_ext(out, ext, sizeof ext);
    int to_folder = book.n > 1 || is_dir(out);
    if (!to_folder) {
        if (strcmp(ext, "mid") && strcmp(ext, "midi")) {
            cli_error("%s: output must be a .mid file (or a folder for a book)", out);
            rc = LJ_EXIT_BAD_INPUT;
            goto done;
        }
        int st = midi_write_file(book.items[0], out, err, sizeof err);
        if (st) {
            cli_error("%s", err);
            rc = cli_exit_code(st);
            goto done;
        }
        if (!warnings.quiet)
            printf("%s: %zu notes -> %s\n", in, book.items[0]->n_notes, out);
        goto done;
    }
    if (!is_dir(out) && mkdir(out, 0777) != 0) {
        cli_error("%s: cannot create folder: %s", out, strerror(errno));
        rc = LJ_EXIT_FAIL;
        goto done;
    }
    /* NAME-N.mid, NAME = input base name without extension. */
    char stem[256];
    snprintf(stem, sizeof stem, "%s", lj_file_base(in));
    char *dot = strrchr(stem, '.');
    if (dot) *dot = 0;
    size_t notes = 0;
    for (size_t i = 0; i < book.n; i++) {
        char path[4096];
        const score *s = book.items[i];
        int n = s->index > 0 ? s->index : (int)i + 1;
        snprintf(path, sizeof path, "%s/%s-%d.mid", out, stem, n);
        /* A book can be thousands of files: atomic renames, no fsync each. */
        uint8_t *bytes = NULL;
        size_t len = 0;
        int st = midi_write_mem(s, &bytes, &len, err, sizeof err);
        if (!st) st = lj_file_write_replace(path, bytes, len, err, sizeof err);
        free(bytes);
        if (st) {
            cli_error("%s", err);
            rc = cli_exit_code(st);
            goto done;
        }
        notes += s->n_notes;
    }
    if (!warnings.quiet) printf("%s: %zu tunes, %zu notes -> %s/\n", in, book.n, notes, out);
done:
    score_book_clear(&book);
    return rc;
}
