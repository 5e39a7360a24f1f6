/* Allocation-failure test of jsb_read_mem and jsb_to_roll (zlib's infcover
 * idea), as test_kern_alloc.c: every allocation made by lstmjam's code (the
 * scores, their arrays, the book, the roll) is failed in turn and must give
 * LJ_ERR_NOMEM, a message, an untouched book and no block left. cJSON's own
 * allocations happen inside libcjson.so, which --wrap cannot reach; they are
 * not failed here (see jsb.h). */
#include "alloc_fail.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/jsb.h"


int main(void) {
    /* 20 pieces over three splits, enough steps to grow each note array. */
    static char text[1 << 17];
    size_t n = 0;
    const char *splits[3] = {"train", "valid", "test"};
    n += (size_t)snprintf(text + n, sizeof text - n, "{");
    for (int k = 0; k < 3; k++) {
        n += (size_t)snprintf(text + n, sizeof text - n, "%s\"%s\": [", k ? ", " : "", splits[k]);
        for (int p = 0; p < 7; p++) {
            n += (size_t)snprintf(text + n, sizeof text - n, "%s[", p ? ", " : "");
            for (int t = 0; t < 40; t++)
                n += (size_t)snprintf(text + n, sizeof text - n, "%s[%d, %d, %d]", t ? ", " : "", 60 + t % 5,
                                      48 + (t / 4) % 7, 70);
            n += (size_t)snprintf(text + n, sizeof text - n, "]");
        }
        n += (size_t)snprintf(text + n, sizeof text - n, "]");
    }
    n += (size_t)snprintf(text + n, sizeof text - n, "}");

    int bad = 0;
    long grand_total = 0;
    for (int merge = 0; merge <= 1; merge++) {
        jsb_opts o = {NULL, 120, merge};
        score_book book = {0};
        char err[512];
        alloc_fail_reset(-1);
        int rc = jsb_read_mem(text, n, "alloc.json", &o, &book, err, sizeof err);
        long total = alloc_fail_count();
        size_t want = book.n;
        if (rc != LJ_OK || want != 21) {
            fprintf(stderr, "FAIL: clean read: %d %s\n", rc, err);
            return 1;
        }
        score_book_clear(&book);
        if (alloc_fail_live() != 0) {
            fprintf(stderr, "FAIL: clean read leaves %ld blocks\n", alloc_fail_live());
            return 1;
        }
        for (long k = 0; k < total; k++) {
            alloc_fail_reset(k);
            err[0] = 0;
            rc = jsb_read_mem(text, n, "alloc.json", &o, &book, err, sizeof err);
            if (rc != LJ_ERR_NOMEM || book.n != 0 || !strstr(err, "out of memory")) {
                fprintf(stderr, "FAIL: allocation %ld of %ld failed: status %d, %zu scores, '%s'\n", k, total, rc,
                        book.n, err);
                bad = 1;
            }
            score_book_clear(&book); /* frees the item array the failed call may have grown */
            if (alloc_fail_live() != 0) {
                fprintf(stderr, "FAIL: allocation %ld of %ld failed: %ld blocks live\n", k, total, alloc_fail_live());
                bad = 1;
            }
        }
        grand_total += total;
    }
    /* jsb_to_roll: one allocation; failing it gives LJ_ERR_NOMEM and no frames. */
    {
        jsb_opts o = {"test", 120, 1};
        score_book book = {0};
        char err[256];
        alloc_fail_reset(-1);
        if (jsb_read_mem(text, n, "alloc.json", &o, &book, err, sizeof err) || book.n != 7) return 1;
        uint64_t(*frames)[2] = (void *)1;
        size_t nf = 99;
        alloc_fail_reset(0);
        if (jsb_to_roll(book.items[0], 120, &frames, &nf) != LJ_ERR_NOMEM || frames || nf) bad = 1;
        alloc_fail_reset(-1);
        if (jsb_to_roll(book.items[0], 120, &frames, &nf) != LJ_OK || nf != 40) bad = 1;
        free(frames);
        score_book_clear(&book);
    }
    printf("jsb alloc: %ld allocations (merge_held 0 and 1), each failed in turn: %s\n", grand_total,
           bad ? "FAILED" : "ok");
    return bad;
}
