/* libFuzzer harness for the JSB JSON reader: any bytes must give a book of
 * scores or a clean error with a message (and an untouched book), never a crash,
 * leak or sanitizer report. The first byte picks the options so the fuzzer also
 * covers one split, each grid and merge_held 0. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/jsb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const splits[4] = {NULL, "train", "valid", "test"};
    jsb_opts opts = {NULL, 120, 1};
    if (size > 0) {
        opts.split = splits[data[0] & 3];
        opts.step_ticks = (data[0] & 4) ? 480 : 120;
        opts.merge_held = !(data[0] & 8);
        /* The option byte is kept in the text only if it is JSON-neutral. */
        if (data[0] != '{' && data[0] != ' ') {
            data++;
            size--;
        }
    }
    score_book book = {0};
    char err[512] = "";
    int rc = jsb_read_mem((const char *)data, size, "fuzz.json", &opts, &book, err, sizeof err);
    if (rc != LJ_OK && (book.n != 0 || err[0] == 0)) abort();
    for (size_t i = 0; i < book.n; i++) {
        uint64_t(*frames)[2] = NULL;
        size_t n = 0;
        if (jsb_to_roll(book.items[i], opts.step_ticks, &frames, &n) == LJ_OK) free(frames);
    }
    score_book_clear(&book);
    return 0;
}
