/* chars encoding and token datasets: vocab from bytes, tune splitting, the
 * seeded split by piece (deterministic, disjoint, complete), batch windows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "chars.h"
#include "tokset.h"

static void test_chars(void **st) {
    (void)st;
    const char *book = "% header\nX:1\nT:a\nK:G\nGAB|\n\nX:2\nT:b\nK:D\nDEF|\n";
    size_t len = strlen(book);
    vocab *v;
    const char *texts[1] = {book};
    assert_int_equal(chars_build_vocab(texts, &len, 1, &v), LJ_OK);
    /* ids follow byte order: '\n' (0x0a) first */
    size_t nl;
    assert_int_equal(vocab_name(v, 0, &nl)[0], '\n');
    int32_t *ids = malloc(len * sizeof *ids);
    char err[256];
    assert_int_equal(chars_encode(v, book, len, ids, "b.abc", err, sizeof err), LJ_OK);
    for (size_t i = 0; i < len; i++) assert_int_equal(vocab_name(v, ids[i], &nl)[0], book[i]);
    assert_int_equal(chars_encode(v, "X:~", 3, ids, "b.abc", err, sizeof err), LJ_ERR_RANGE);
    assert_string_equal(err, "b.abc: byte 2: character 0x7e is not in the model's vocabulary");
    size_t starts[4], lens[4];
    assert_int_equal(chars_split_tunes(book, len, starts, lens, 4), 2);
    assert_memory_equal(book + starts[0], "X:1\n", 4);
    assert_memory_equal(book + starts[1], "X:2\n", 4);
    assert_int_equal(starts[0] + lens[0], starts[1]);
    assert_int_equal(starts[1] + lens[1], len);
    free(ids);
    vocab_destroy(v);
}

static void test_split(void **st) {
    (void)st;
    tokset all = {0};
    int32_t buf[50];
    for (int p = 0; p < 100; p++) { /* piece p holds p+1 tokens of value p */
        for (int i = 0; i <= p % 50; i++) buf[i] = p;
        assert_int_equal(tokset_add(&all, buf, (size_t)(p % 50) + 1), LJ_OK);
    }
    tokset tr = {0}, va = {0}, te = {0}, tr2 = {0}, va2 = {0}, te2 = {0};
    assert_int_equal(tokset_split(&all, 0.1, 0.2, 7, &tr, &va, &te), LJ_OK);
    assert_int_equal(va.n_pieces, 10);
    assert_int_equal(te.n_pieces, 20);
    assert_int_equal(tr.n_pieces, 70);
    assert_int_equal(tr.n_ids + va.n_ids + te.n_ids, all.n_ids);
    int seen[100] = {0};
    tokset *sets[3] = {&tr, &va, &te};
    for (int k = 0; k < 3; k++)
        for (size_t p = 0; p < sets[k]->n_pieces; p++) seen[sets[k]->ids[sets[k]->start[p]]]++;
    for (int p = 0; p < 100; p++) assert_int_equal(seen[p], 1);
    /* Same seed, same split; another seed, another split. */
    assert_int_equal(tokset_split(&all, 0.1, 0.2, 7, &tr2, &va2, &te2), LJ_OK);
    assert_int_equal(va2.n_ids, va.n_ids);
    assert_memory_equal(va2.ids, va.ids, va.n_ids * sizeof *va.ids);
    tokset_free(&tr2);
    tokset_free(&va2);
    tokset_free(&te2);
    assert_int_equal(tokset_split(&all, 0.1, 0.2, 8, &tr2, &va2, &te2), LJ_OK);
    assert_true(va2.n_ids != va.n_ids || memcmp(va2.ids, va.ids, va.n_ids * sizeof *va.ids) != 0);
    assert_int_equal(tokset_split(&all, 0.6, 0.4, 8, &tr2, &va2, &te2), LJ_ERR_ARG);
    tokset *f[] = {&all, &tr, &va, &te, &tr2, &va2, &te2};
    for (int k = 0; k < 7; k++) tokset_free(f[k]);
}

static void test_batches(void **st) {
    (void)st;
    tokset s = {0};
    int32_t seq[1000];
    for (int i = 0; i < 1000; i++) seq[i] = i;
    tokset_add(&s, seq, 1000);
    enum { T = 7, B = 5 };
    int32_t x[T * B], y[T * B];
    lj_rng rng;
    lj_rng_seed(&rng, 1);
    size_t offsets[B];
    for (int rep = 0; rep < 200; rep++) {
        tokset_random_batch(&s, &rng, T, B, x, y, rep % 2 ? offsets : NULL);
        for (int b = 0; b < B; b++)
            if (rep % 2) assert_int_equal(x[b], (int32_t)offsets[b]); /* the offsets --trace records */
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++) {
                assert_int_equal(y[t * B + b], x[t * B + b] + 1); /* next token */
                if (t) assert_int_equal(x[t * B + b], x[(t - 1) * B + b] + 1); /* consecutive */
                assert_true(y[t * B + b] < 1000);
            }
    }
    assert_int_equal(tokset_num_windows(&s, T), 999 / T);
    size_t nw = tokset_num_windows(&s, T), covered = 0;
    for (size_t w = 0; w < nw; w += B) {
        int got = tokset_window_batch(&s, w, T, B, x, y);
        for (int b = 0; b < got; b++) assert_int_equal(x[b], (int32_t)((w + (size_t)b) * T));
        covered += (size_t)got;
    }
    assert_int_equal(covered, nw);
    tokset_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chars),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
