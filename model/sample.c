#include "sample.h"

#include <math.h>

int lj_argmax(const float *logits, int K) {
    int best = 0;
    for (int k = 1; k < K; k++)
        if (logits[k] > logits[best]) best = k;
    return best;
}

/* Partial selection: moves the k largest probs (by index) to the front of idx,
 * sorted descending. O(K*k) which is fine for the small k used in practice;
 * top_p without top_k sorts everything by insertion (K <= a few thousand). */
static void sort_desc(const float *p, int *idx, int K, int k) {
    for (int i = 0; i < K; i++) idx[i] = i;
    for (int i = 0; i < k; i++) {
        int best = i;
        for (int j = i + 1; j < K; j++)
            if (p[idx[j]] > p[idx[best]]) best = j;
        int t = idx[i];
        idx[i] = idx[best];
        idx[best] = t;
    }
}

int lj_sample(const lj_sampler *s, const float *logits, int K, lj_rng *rng,
              float *probs, int *idx) {
    if (s->temperature <= 0.0f) return lj_argmax(logits, K);
    float inv_t = 1.0f / s->temperature, mx = logits[lj_argmax(logits, K)];
    double sum = 0.0;
    for (int k = 0; k < K; k++) {
        probs[k] = expf((logits[k] - mx) * inv_t);
        sum += probs[k];
    }
    int keep = K;
    if (s->top_k > 0 && s->top_k < K) keep = s->top_k;
    int truncate = keep < K || (s->top_p > 0.0f && s->top_p < 1.0f);
    if (!truncate) {
        double r = lj_rng_uniform(rng) * sum, acc = 0.0;
        for (int k = 0; k < K; k++) {
            acc += probs[k];
            if (r < acc) return k;
        }
        return K - 1;
    }
    sort_desc(probs, idx, K, keep);
    if (s->top_p > 0.0f && s->top_p < 1.0f) {
        double acc = 0.0;
        for (int i = 0; i < keep; i++) {
            acc += probs[idx[i]];
            if (acc >= s->top_p * sum) {
                keep = i + 1;
                break;
            }
        }
    }
    double kept = 0.0;
    for (int i = 0; i < keep; i++) kept += probs[idx[i]];
    double r = lj_rng_uniform(rng) * kept, acc = 0.0;
    for (int i = 0; i < keep; i++) {
        acc += probs[idx[i]];
        if (r < acc) return idx[i];
    }
    return idx[keep - 1];
}
