/* libFuzzer harness for the ABC reader: the whole-book reader on the input, then
 * the streaming reader on the same bytes fed in chunks whose sizes come from the
 * input itself. Any crash, leak or sanitizer report is a bug; errors are fine. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "abc.h"

static void count_note(void *user, const score_note *n) {
    (void)n;
    (*(size_t *)user)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    abc_opts opts;
    abc_opts_default(&opts);
    char err[256];
    score_book book = {0};
    abc_read_mem((const char *)data, size, "fuzz.abc", &opts, &book, err, sizeof err);
    score_book_clear(&book);

    opts.repeats = ABC_REPEATS_NOTTINGHAM;
    abc_read_mem((const char *)data, size, "fuzz.abc", &opts, &book, err, sizeof err);
    score_book_clear(&book);

    size_t notes = 0;
    abc_stream *st = abc_stream_create(&opts, count_note, &notes, err, sizeof err);
    if (!st) return 0;
    size_t i = 0, k = 0;
    while (i < size) {
        size_t chunk = 1 + (size ? data[k++ % size] % 13 : 0);
        if (chunk > size - i) chunk = size - i;
        abc_stream_feed(st, (const char *)data + i, chunk);
        i += chunk;
    }
    abc_stream_finish(st);
    abc_stream_destroy(st);
    return 0;
}
