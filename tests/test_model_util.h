/* test_model_util.h: small helpers shared by the model tests: a check counter
 * whose verdict is the exit code, and random fills from the model's own RNG. */
#ifndef TEST_MODEL_UTIL_H
#define TEST_MODEL_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rng.h"

static int tm_passed, tm_failed;

/* Records one check; prints failures with their context. */
#define TM_CHECK(cond, ...)                                                     \
    do {                                                                        \
        if (cond) {                                                             \
            tm_passed++;                                                        \
        } else {                                                                \
            tm_failed++;                                                        \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                         \
            printf(__VA_ARGS__);                                                \
            printf("\n");                                                       \
        }                                                                       \
    } while (0)

/* The closing line ctest logs show, and the verdict as exit code. */
static inline int tm_finish(void) {
    printf("%d passed, %d failed\n", tm_passed, tm_failed);
    return tm_failed ? 1 : 0;
}

static inline void tm_fill_f64(double *a, size_t n, lj_rng *rng, double scale) {
    for (size_t i = 0; i < n; i++) a[i] = scale * (2.0 * lj_rng_uniform(rng) - 1.0);
}

static inline void tm_fill_f32(float *a, size_t n, lj_rng *rng, float scale) {
    for (size_t i = 0; i < n; i++) a[i] = scale * (2.0f * lj_rng_uniform(rng) - 1.0f);
}

static inline void *tm_calloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        printf("out of memory\n");
        exit(2);
    }
    return p;
}

/* max |a-b| / max(max |b|, floor): the relative error of a whole tensor. */
static inline double tm_rel_err_f32(const float *a, const float *b, size_t n, double floor_) {
    double num = 0, den = floor_;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d > num || d != d)
            num = d;
        if (fabs((double)b[i]) > den)
            den = fabs((double)b[i]);
    }
    return num / den;
}

#endif
