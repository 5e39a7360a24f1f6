/* sample: drawing a token from a head's logits, with temperature, top-k and
 * top-p (nucleus) truncation, from an explicit RNG. Temperature 0 is argmax, so
 * a fixed seed and temperature 0 give a golden, repeatable output.
 * `scratch` holds 2*K floats/indices prepared once; nothing allocates. */
#ifndef LJ_SAMPLE_H
#define LJ_SAMPLE_H

#include <stdint.h>

#include "rng.h"

typedef struct lj_sampler {
    float temperature; /* 0 = argmax; else logits / temperature */
    int top_k;         /* keep the k most likely (0 = all) */
    float top_p;       /* keep the smallest set with mass >= top_p (1 = all) */
} lj_sampler;

/* Index of the largest logit (the first on ties). Thread: any. */
int lj_argmax(const float *logits, int K);

/* Draws one of K classes. probs_scratch must hold K floats and idx_scratch K
 * ints (caller-owned, reused every call). Thread: any (one rng per thread). */
int lj_sample(const lj_sampler *s, const float *logits, int K, lj_rng *rng,
              float *probs_scratch, int *idx_scratch);

#endif
