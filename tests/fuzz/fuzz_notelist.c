/* libFuzzer harness for the note list reader (generate --primer "C4 E4:2 r
 * C4+E4+G4"): notelist_read on the input, and notelist_parse_pitch on every
 * prefix up to 8 bytes. A success must hold at least one note, every note a
 * pitch 0..127, a length of 1 tick to 64 quarter notes, velocity 80, onsets in
 * order; an error must leave no score and a message naming the list. Any
 * crash, leak or sanitizer report is a bug; errors are fine. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notelist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    score *s = (score *)1;
    char err[256] = "";
    int rc = notelist_read(text, size, "fuzz", &s, err, sizeof err);
    if (rc == LJ_OK) {
        if (!s || s->n_notes == 0) abort();
        for (size_t i = 0; i < s->n_notes; i++) {
            const score_note *n = &s->notes[i];
            if (n->pitch > 127 || n->duration < 1 || n->duration > 64 * SCORE_PPQ || n->velocity != 80) abort();
            if (i && n->onset < s->notes[i - 1].onset) abort();
        }
        score_destroy(s);
    } else {
        if (s || strncmp(err, "fuzz: ", 6) || (rc != LJ_ERR_PARSE && rc != LJ_ERR_NOMEM)) abort();
    }
    for (size_t n = 0; n <= size && n <= 8; n++) {
        int p = notelist_parse_pitch(text, n);
        if (p < -1 || p > 127) abort();
    }
    return 0;
}
