/* Allocation-failure test (zlib infcover idea): the Nth allocation fails, for
 * every N up to the number a successful read makes. Each failing read must
 * return LJ_ERR_NOMEM with a message, leave the book as it was, and leak
 * nothing (run under the ASan build: LeakSanitizer). Also the stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abc.h"

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t a, size_t b);

static long countdown = -1; /* allocations left before one fails; -1 = never */
static long made;           /* allocations made since the counter was reset */

static int should_fail(void) {
    made++;
    if (countdown < 0) return 0;
    if (countdown == 0) return 1;
    countdown--;
    return 0;
}
void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
void *__wrap_calloc(size_t a, size_t b) { return should_fail() ? NULL : __real_calloc(a, b); }

static const char text[] =
    "X:1\nT:One\nM:4/4\nL:1/8\nP:AB\nK:G\nP:A\n|:\"G\"GABc \"D7\"d2e2|[1 [DF]2-[DF]2 z4:|[2 (3ABc d4||\n"
    "P:B\n\"Em\"e>f g<a b2 ^c2|\"C\"c8|]\n\n"
    "X:2\nT:Two\nM:6/8\nK:Dm\nA2A- A>B c:|d2d c2B::A3 A3|]\n";

static void test_read_nomem(void **state) {
    (void)state;
    score_book book = {0};
    char err[256];
    countdown = -1;
    made = 0;
    assert_int_equal(abc_read_mem(text, sizeof text - 1, "a.abc", NULL, &book, err, sizeof err),
                     LJ_OK);
    long total = made;
    assert_int_equal(book.n, 2);
    score_book_clear(&book);
    for (long n = 0; n < total; n++) {
        countdown = n;
        made = 0;
        err[0] = 0;
        int rc = abc_read_mem(text, sizeof text - 1, "a.abc", NULL, &book, err, sizeof err);
        countdown = -1;
        if (rc != LJ_ERR_NOMEM) fail_msg("allocation %ld failing gave status %d (%s)", n, rc, err);
        assert_true(strstr(err, "out of memory") != NULL);
        assert_int_equal(book.n, 0);
        score_book_clear(&book);
    }
    print_message("abc_read_mem: %ld allocations, each failure clean\n", total);
}

static void ignore(void *user, const score_note *n) {
    (void)user;
    (void)n;
}

static void test_stream_nomem(void **state) {
    (void)state;
    char err[256];
    countdown = -1;
    made = 0;
    abc_stream *st = abc_stream_create(NULL, ignore, NULL, err, sizeof err);
    long total = made;
    assert_non_null(st);
    assert_int_equal(abc_stream_feed(st, text, sizeof text - 1), LJ_OK);
    assert_int_equal(abc_stream_finish(st), LJ_OK);
    abc_stream_destroy(st);
    for (long n = 0; n < total; n++) {
        countdown = n;
        st = abc_stream_create(NULL, ignore, NULL, err, sizeof err);
        countdown = -1;
        assert_null(st);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_nomem),
        cmocka_unit_test(test_stream_nomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
