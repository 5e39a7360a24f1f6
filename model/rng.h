/* rng: a deterministic random number generator as explicit state.
 *
 * xorshift64* seeded through splitmix64 (so nearby seeds give unrelated
 * streams), as llm.c and llama2.c do instead of rand(): the same seed gives the
 * same initial weights and dropout masks on every machine. The state is a plain
 * struct so a checkpoint can save it and a resumed run continues bit-exactly. */
#ifndef LJ_RNG_H
#define LJ_RNG_H

#include <stdint.h>

typedef struct lj_rng {
    uint64_t state; /* xorshift64* state, never 0 */
} lj_rng;

/* Seeds the generator; any seed (0 too) is fine. Thread: any. */
void lj_rng_seed(lj_rng *rng, uint64_t seed);

/* The next 64 random bits. Thread: any (one rng per thread). */
uint64_t lj_rng_u64(lj_rng *rng);

/* Uniform in [0, 1) with 24 random bits, so it is exact in float. Thread: any. */
float lj_rng_uniform(lj_rng *rng);

/* Uniform in [lo, hi). Thread: any. */
float lj_rng_uniform_range(lj_rng *rng, float lo, float hi);

/* Standard normal (Box-Muller, one value per call). Thread: any. */
float lj_rng_normal(lj_rng *rng);

#endif
