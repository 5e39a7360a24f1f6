#include "tokset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int tokset_add(tokset *s, const int32_t *ids, size_t n) {
    if (s->n_ids + n > s->cap_ids) {
        size_t cap = s->cap_ids ? s->cap_ids : 4096;
        while (cap < s->n_ids + n) cap *= 2;
        int32_t *p = realloc(s->ids, cap * sizeof *p);
        if (!p) return LJ_ERR_NOMEM;
        s->ids = p;
        s->cap_ids = cap;
    }
    if (s->n_pieces == s->cap_pieces) {
        size_t cap = s->cap_pieces ? s->cap_pieces * 2 : 64;
        size_t *p = realloc(s->start, cap * sizeof *p);
        if (!p) return LJ_ERR_NOMEM;
        s->start = p;
        s->cap_pieces = cap;
    }
    s->start[s->n_pieces++] = s->n_ids;
    if (n) memcpy(s->ids + s->n_ids, ids, n * sizeof *ids);
    s->n_ids += n;
    return LJ_OK;
}

void tokset_free(tokset *s) {
    free(s->ids);
    free(s->start);
    memset(s, 0, sizeof *s);
}

size_t tokset_piece_len(const tokset *s, size_t p) {
    size_t end = p + 1 < s->n_pieces ? s->start[p + 1] : s->n_ids;
    return end - s->start[p];
}

int tokset_split(const tokset *all, double valid_frac, double test_frac, uint64_t seed,
                 tokset *train, tokset *valid, tokset *test) {
    size_t n = all->n_pieces;
    if (valid_frac < 0 || test_frac < 0 || valid_frac + test_frac >= 1) return LJ_ERR_ARG;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    unsigned char *dest = malloc(n ? n : 1); /* 0 train, 1 valid, 2 test */
    if (!order || !dest) {
        free(order);
        free(dest);
        return LJ_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) order[i] = i;
    lj_rng rng;
    lj_rng_seed(&rng, seed);
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = (size_t)(lj_rng_u64(&rng) % i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    size_t nv = (size_t)llround(valid_frac * (double)n), nt = (size_t)llround(test_frac * (double)n);
    if (nv + nt > n) nt = n - nv;
    for (size_t i = 0; i < n; i++) dest[order[i]] = i < nv ? 1 : i < nv + nt ? 2 : 0;
    int rc = LJ_OK;
    for (size_t p = 0; p < n && !rc; p++) {
        tokset *to = dest[p] == 0 ? train : dest[p] == 1 ? valid : test;
        if (to) rc = tokset_add(to, all->ids + all->start[p], tokset_piece_len(all, p));
    }
    free(order);
    free(dest);
    return rc;
}

void tokset_random_batch(const tokset *s, lj_rng *rng, int T, int B, int32_t *x, int32_t *y, size_t *offsets) {
    size_t span = s->n_ids - (size_t)T; /* offsets 0..span-1 leave room for T+1 tokens */
    for (int b = 0; b < B; b++) {
        size_t o = (size_t)(lj_rng_u64(rng) % span);
        if (offsets) offsets[b] = o;
        for (int t = 0; t < T; t++) {
            x[(size_t)t * B + b] = s->ids[o + t];
            y[(size_t)t * B + b] = s->ids[o + t + 1];
        }
    }
}

size_t tokset_num_windows(const tokset *s, int T) {
    return s->n_ids > (size_t)T ? (s->n_ids - 1) / (size_t)T : 0;
}

int tokset_window_batch(const tokset *s, size_t first, int T, int B, int32_t *x, int32_t *y) {
    size_t nw = tokset_num_windows(s, T);
    int filled = 0;
    for (int b = 0; b < B && first + (size_t)b < nw; b++, filled++) {
        size_t o = (first + (size_t)b) * (size_t)T;
        for (int t = 0; t < T; t++) {
            x[(size_t)t * B + b] = s->ids[o + t];
            y[(size_t)t * B + b] = s->ids[o + t + 1];
        }
    }
    return filled;
}
