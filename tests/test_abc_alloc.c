/* Allocation-failure test (zlib infcover idea): the Nth allocation fails, for
 * every N up to the number a successful read makes. Each failing read must
 * return LJ_ERR_NOMEM with a message, leave the book as it was, and leak
 * nothing (alloc_fail_live, and LeakSanitizer in the ASan build). Both repeat
 * conventions (abc2midi's, and the Nottingham dataset's measure-level
 * expansion, which allocates its own bar tables), and the stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abc.h"
#include "alloc_fail.h"

static const char text[] =
    "X:1\nT:One\nM:4/4\nL:1/8\nP:AB\nK:G\nP:A\n|:\"G\"GABc \"D7\"d2e2|[1 [DF]2-[DF]2 z4:|[2 (3ABc d4||\n"
    "P:B\n\"Em\"e>f g<a b2 ^c2|\"C\"c8|]\n\n"
    "X:2\nT:Two\nM:6/8\nK:Dm\nA2A- A>B c:|d2d c2B::A3 A3|]\n";

/* Every allocation of one read fails in turn; `repeats` picks the convention. */
static void read_nomem(abc_repeats repeats, const char *what) {
    abc_opts opts;
    abc_opts_default(&opts);
    opts.repeats = repeats;
    score_book book = {0};
    char err[256];
    alloc_fail_reset(-1);
    assert_int_equal(abc_read_mem(text, sizeof text - 1, "a.abc", &opts, &book, err, sizeof err),
                     LJ_OK);
    long total = alloc_fail_count();
    assert_int_equal(book.n, 2);
    score_book_clear(&book);
    assert_true(total > 10);
    for (long n = 0; n < total; n++) {
        alloc_fail_reset(n);
        err[0] = 0;
        int rc = abc_read_mem(text, sizeof text - 1, "a.abc", &opts, &book, err, sizeof err);
        score_book_clear(&book); /* a failed read may keep the book's empty array */
        long live = alloc_fail_live();
        alloc_fail_reset(-1);
        if (rc != LJ_ERR_NOMEM) fail_msg("%s: allocation %ld failing gave status %d (%s)", what, n, rc, err);
        assert_true(strstr(err, "out of memory") != NULL);
        assert_int_equal(book.n, 0);
        if (live != 0) fail_msg("%s: allocation %ld failing left %ld blocks", what, n, live);
    }
    print_message("abc_read_mem (%s): %ld allocations, each failure clean\n", what, total);
}

static void test_read_nomem(void **state) {
    (void)state;
    read_nomem(ABC_REPEATS_ABC2MIDI, "abc2midi repeats");
}

static void test_read_nomem_nottingham(void **state) {
    (void)state;
    read_nomem(ABC_REPEATS_NOTTINGHAM, "nottingham repeats");
}

static void ignore(void *user, const score_note *n) {
    (void)user;
    (void)n;
}

static void test_stream_nomem(void **state) {
    (void)state;
    char err[256];
    alloc_fail_reset(-1);
    abc_stream *st = abc_stream_create(NULL, ignore, NULL, err, sizeof err);
    long total = alloc_fail_count();
    assert_non_null(st);
    assert_int_equal(abc_stream_feed(st, text, sizeof text - 1), LJ_OK);
    assert_int_equal(abc_stream_finish(st), LJ_OK);
    abc_stream_destroy(st);
    for (long n = 0; n < total; n++) {
        alloc_fail_reset(n);
        st = abc_stream_create(NULL, ignore, NULL, err, sizeof err);
        long live = alloc_fail_live();
        alloc_fail_reset(-1);
        assert_null(st);
        assert_int_equal(live, 0);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_nomem),
        cmocka_unit_test(test_read_nomem_nottingham),
        cmocka_unit_test(test_stream_nomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
