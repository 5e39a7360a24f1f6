#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void lj_rng_seed(lj_rng *rng, uint64_t seed) {
    uint64_t x = seed;
    rng->state = splitmix64(&x);
    if (rng->state == 0) /* xorshift's one fixed point */
        rng->state = 0x9E3779B97F4A7C15ull;
}

uint64_t lj_rng_u64(lj_rng *rng) {
    uint64_t x = rng->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng->state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

float lj_rng_uniform(lj_rng *rng) {
    return (float)(lj_rng_u64(rng) >> 40) * (1.0f / 16777216.0f);
}

float lj_rng_uniform_range(lj_rng *rng, float lo, float hi) {
    return lo + (hi - lo) * lj_rng_uniform(rng);
}

float lj_rng_normal(lj_rng *rng) {
    /* 1 - u keeps the log argument in (0, 1]. */
    double u1 = 1.0 - (double)lj_rng_uniform(rng);
    double u2 = (double)lj_rng_uniform(rng);
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}
