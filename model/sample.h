/* sample: drawing a token from a head's logits, with temperature, top-k and
 * top-p (nucleus) truncation, from an explicit RNG. Temperature 0 is argmax, so
 * a fixed seed and temperature 0 give a golden, repeatable output.
 * `scratch` holds 2*K floats/indices prepared once; nothing allocates.
 *
 * Logit processors, applied to a copy of the logits before lj_sample (or a
 * log-softmax for beam search), in this order: a mask (classes the caller
 * forbids), a repetition penalty, no-repeat n-gram bans. A forbidden class
 * gets -INFINITY, which lj_sample and lj_log_softmax give probability 0; at
 * least one class must stay finite (the caller checks: lj_count_finite). The
 * model knows nothing of what the classes mean: the caller builds the mask. */
#ifndef LJ_SAMPLE_H
#define LJ_SAMPLE_H

#include <stddef.h>
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

/* Sets the logit of every class k with allowed[k] == 0 to -INFINITY. Thread: any. */
void lj_logits_mask(float *logits, int K, const uint8_t *allowed);

/* Repetition penalty (CTRL, Keskar et al. 2019): each class that occurs in
 * recent[0..n) (once, however often it occurs) has its logit divided by
 * `penalty` when positive and multiplied by it when negative, so penalty > 1
 * makes a repeat less likely and 1 changes nothing. Ids outside [0,K) are
 * ignored. seen: K bytes of scratch, zero on entry and on return. Thread: any. */
void lj_repetition_penalty(float *logits, int K, const int32_t *recent, size_t n, float penalty,
                           uint8_t *seen);

/* No-repeat n-gram: bans (-INFINITY) every class c such that the last n-1 ids
 * of hist[0..len) followed by c already occur in hist, so no n-gram happens
 * twice (n = 1: no class occurs twice). Returns how many classes it banned.
 * O(len * n). Thread: any. */
int lj_no_repeat_ngram(float *logits, int K, const int32_t *hist, size_t len, int n);

/* Number of finite logits. Thread: any. */
int lj_count_finite(const float *logits, int K);

/* out[k] = log softmax(logits)[k] (out may be logits); -INFINITY stays
 * -INFINITY. At least one logit must be finite. Thread: any. */
void lj_log_softmax(const float *logits, int K, float *out);

#endif
