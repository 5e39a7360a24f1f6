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

void lj_logits_mask(float *logits, int K, const uint8_t *allowed) {
    for (int k = 0; k < K; k++)
        if (!allowed[k]) logits[k] = -INFINITY;
}

void lj_repetition_penalty(float *logits, int K, const int32_t *recent, size_t n, float penalty,
                           uint8_t *seen) {
    for (size_t i = 0; i < n; i++) {
        int32_t c = recent[i];
        if (c < 0 || c >= K || seen[c]) continue;
        seen[c] = 1;
        if (logits[c] > 0.0f) logits[c] /= penalty;
        else logits[c] *= penalty;
    }
    for (size_t i = 0; i < n; i++)
        if (recent[i] >= 0 && recent[i] < K) seen[recent[i]] = 0;
}

int lj_no_repeat_ngram(float *logits, int K, const int32_t *hist, size_t len, int n) {
    if (n < 1 || len + 1 < (size_t)n) return 0;
    size_t ctx = (size_t)n - 1; /* the n-gram's first n-1 ids are the last ctx of hist */
    const int32_t *tail = hist + len - ctx;
    int banned = 0;
    /* every earlier window hist[i..i+ctx) equal to the tail bans hist[i+ctx] */
    for (size_t i = 0; i + ctx < len; i++) {
        size_t j = 0;
        while (j < ctx && hist[i + j] == tail[j]) j++;
        if (j < ctx) continue;
        int32_t c = hist[i + ctx];
        if (c >= 0 && c < K && logits[c] != -INFINITY) {
            logits[c] = -INFINITY;
            banned++;
        }
    }
    return banned;
}

int lj_count_finite(const float *logits, int K) {
    int n = 0;
    for (int k = 0; k < K; k++) n += isfinite(logits[k]) != 0;
    return n;
}

void lj_log_softmax(const float *logits, int K, float *out) {
    float mx = logits[lj_argmax(logits, K)];
    double sum = 0.0;
    for (int k = 0; k < K; k++) sum += exp((double)logits[k] - mx);
    float lse = mx + (float)log(sum);
    for (int k = 0; k < K; k++) out[k] = logits[k] == -INFINITY ? -INFINITY : logits[k] - lse;
}
