/* libFuzzer harness for the MIDI reader and writer. Every input is read; when
 * it reads, the score is written, the bytes read back, and the two scores must
 * be score_compare-equal, and writing the second gives the same bytes. A reader
 * crash, a writer refusing a score the reader made, or a round-trip mismatch
 * aborts (a finding). Errors on bad input are the expected outcome, but the
 * message must name the byte offset. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midi.h"

static void fail(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_midi: %s: %s\n", what, detail);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[1024], msg[1024];
    score *a = NULL, *b = NULL;
    int rc = midi_read_mem(data, size, "fuzz.mid", &a, err, sizeof err);
    if (rc) {
        if (a) fail("reader failed but returned a score", err);
        if (rc != LJ_ERR_NOMEM && strncmp(err, "fuzz.mid: byte ", 15) != 0)
            fail("error message without byte offset", err);
        return 0;
    }
    uint8_t *bytes = NULL, *bytes2 = NULL;
    size_t len = 0, len2 = 0;
    if (midi_write_mem(a, &bytes, &len, err, sizeof err)) fail("writer refused a read score", err);
    if (midi_read_mem(bytes, len, "rewritten.mid", &b, err, sizeof err))
        fail("written file does not read back", err);
    if (score_compare(a, b, msg, sizeof msg)) fail("round trip differs", msg);
    if (midi_write_mem(b, &bytes2, &len2, err, sizeof err)) fail("second write failed", err);
    if (len != len2 || memcmp(bytes, bytes2, len) != 0) fail("second write differs", "bytes");
    free(bytes);
    free(bytes2);
    score_destroy(a);
    score_destroy(b);
    return 0;
}
