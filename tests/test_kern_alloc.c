/* Allocation-failure test of kern_read_mem (zlib's infcover idea). Linked with
 * -Wl,--wrap=malloc,--wrap=realloc,--wrap=calloc,--wrap=free: calls from
 * lstmjam's static libraries and this file go through the wrappers below, which
 * fail the Nth allocation and count live blocks. For every N below the number
 * of allocations a successful read makes, failing allocation N must give
 * LJ_ERR_NOMEM with a message, no score, and no block left allocated; then the
 * read must succeed again. The ASan build adds LeakSanitizer on top. */
#include "alloc_fail.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/kern.h"


int main(void) {
    /* Enough notes to grow the note array several times, plus every map. */
    char text[1 << 16];
    size_t n = (size_t)snprintf(text, sizeof text, "!!!OTL: alloc\n**kern\n*I\"Voice\n*M3/4\n*k[f#]\n*G:\n*MM100\n");
    for (int bar = 0; bar < 200 && n + 200 < sizeof text; bar++) {
        n += (size_t)snprintf(text + n, sizeof text - n, "=%d\n%s4c\n8d]\n8e\n4f#\n", bar + 1,
                              bar % 3 == 0 ? "[4c\n" : "");
        if (bar == 100) n += (size_t)snprintf(text + n, sizeof text - n, "*M2/4\n*k[b-]\n*d:\n*MM80\n");
    }
    n += (size_t)snprintf(text + n, sizeof text - n, "==\n*-\n");

    score *s = NULL;
    kern_stats st;
    char err[512];
    alloc_fail_reset(-1);
    int rc = kern_read_mem(text, n, "alloc.krn", NULL, &s, &st, err, sizeof err);
    long total = alloc_fail_count();
    if (rc != LJ_OK || !s) {
        fprintf(stderr, "FAIL: clean read: %s\n", err);
        return 1;
    }
    size_t want_notes = s->n_notes;
    score_destroy(s);
    if (alloc_fail_live() != 0) {
        fprintf(stderr, "FAIL: clean read leaves %ld blocks\n", alloc_fail_live());
        return 1;
    }
    int bad = 0;
    for (long k = 0; k < total; k++) {
        alloc_fail_reset(k);
        err[0] = 0;
        s = (score *)1;
        rc = kern_read_mem(text, n, "alloc.krn", NULL, &s, &st, err, sizeof err);
        if (rc != LJ_ERR_NOMEM || s != NULL || alloc_fail_live() != 0 || !strstr(err, "out of memory")) {
            fprintf(stderr, "FAIL: allocation %ld of %ld failed: status %d, score %p, %ld blocks live, '%s'\n",
                    k, total, rc, (void *)s, alloc_fail_live(), err);
            bad = 1;
            if (rc == LJ_OK && s) score_destroy(s);
        }
    }
    alloc_fail_reset(-1);
    rc = kern_read_mem(text, n, "alloc.krn", NULL, &s, &st, err, sizeof err);
    if (rc != LJ_OK || s->n_notes != want_notes) bad = 1;
    else score_destroy(s);
    printf("kern alloc: %ld allocations, each failed in turn: %s\n", total, bad ? "FAILED" : "ok");
    return bad;
}
