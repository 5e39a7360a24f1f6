/* sample: argmax at temperature 0, frequencies match softmax probabilities,
 * top-k and top-p never draw outside their set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "sample.h"

static void test_argmax(void **st) {
    (void)st;
    float l[5] = {0.1f, 3.0f, 3.0f, -1.0f, 2.9f};
    assert_int_equal(lj_argmax(l, 5), 1);
    lj_sampler s = {0.0f, 0, 1.0f};
    lj_rng r;
    lj_rng_seed(&r, 1);
    float p[5];
    int idx[5];
    for (int i = 0; i < 10; i++) assert_int_equal(lj_sample(&s, l, 5, &r, p, idx), 1);
}

static void test_frequencies(void **st) {
    (void)st;
    float l[4] = {0.0f, 1.0f, 2.0f, -1.0f};
    double z = 0, want[4];
    for (int k = 0; k < 4; k++) z += exp(l[k]);
    for (int k = 0; k < 4; k++) want[k] = exp(l[k]) / z;
    lj_sampler s = {1.0f, 0, 1.0f};
    lj_rng r;
    lj_rng_seed(&r, 7);
    float p[4];
    int idx[4], count[4] = {0};
    const int N = 200000;
    for (int i = 0; i < N; i++) count[lj_sample(&s, l, 4, &r, p, idx)]++;
    for (int k = 0; k < 4; k++) {
        double sd = sqrt(want[k] * (1 - want[k]) / N);
        assert_true(fabs((double)count[k] / N - want[k]) < 5 * sd);
    }
    /* temperature 0.5 sharpens: the top class gains */
    s.temperature = 0.5f;
    int top = 0;
    for (int i = 0; i < N; i++) top += lj_sample(&s, l, 4, &r, p, idx) == 2;
    assert_true((double)top / N > want[2] + 0.1);
}

static void test_truncation(void **st) {
    (void)st;
    float l[6] = {1.0f, 5.0f, 0.0f, 4.5f, 4.0f, -2.0f};
    lj_rng r;
    lj_rng_seed(&r, 3);
    float p[6];
    int idx[6];
    lj_sampler k2 = {1.0f, 2, 1.0f};
    int seen[6] = {0};
    for (int i = 0; i < 20000; i++) seen[lj_sample(&k2, l, 6, &r, p, idx)]++;
    assert_true(seen[1] > 0 && seen[3] > 0);
    assert_int_equal(seen[0] + seen[2] + seen[4] + seen[5], 0);
    /* top_p 0.6: class 1 alone has mass 0.50, with class 3 0.80: {1, 3} is the nucleus */
    lj_sampler tp = {1.0f, 0, 0.6f};
    int seen2[6] = {0};
    for (int i = 0; i < 20000; i++) seen2[lj_sample(&tp, l, 6, &r, p, idx)]++;
    assert_true(seen2[1] > 0 && seen2[3] > 0);
    assert_int_equal(seen2[0] + seen2[2] + seen2[4] + seen2[5], 0);
    lj_sampler k1 = {1.0f, 1, 1.0f};
    for (int i = 0; i < 100; i++) assert_int_equal(lj_sample(&k1, l, 6, &r, p, idx), 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_argmax),
        cmocka_unit_test(test_frequencies),
        cmocka_unit_test(test_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
