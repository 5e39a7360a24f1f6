/* tokset: a dataset of token sequences (pieces: tunes, songs, chorales) stored
 * back to back, the split into train/valid/test by piece, and the batches the
 * trainer reads. Batches are time-major like the kernels: x and y are (T,B),
 * y the next token of x. */
#ifndef LJ_TOKSET_H
#define LJ_TOKSET_H

#include <stddef.h>
#include <stdint.h>

#include "lj_status.h"
#include "rng.h"

typedef struct tokset {
    int32_t *ids;   /* every piece's tokens, back to back: n_ids */
    size_t n_ids, cap_ids;
    size_t *start;  /* start[p] = first token of piece p; n_pieces entries */
    size_t n_pieces, cap_pieces;
} tokset;

/* Appends a piece (copied). Thread: any. */
int tokset_add(tokset *s, const int32_t *ids, size_t n);
void tokset_free(tokset *s); /* frees the arrays, leaves an empty set */
/* Tokens in piece p. Thread: any. */
size_t tokset_piece_len(const tokset *s, size_t p);

/* Deterministic split by piece: a seeded shuffle of piece indices, the first
 * round(valid_frac * n) pieces go to valid, the next round(test_frac * n) to
 * test, the rest to train (each keeping corpus order). Thread: any. */
int tokset_split(const tokset *all, double valid_frac, double test_frac, uint64_t seed,
                 tokset *train, tokset *valid, tokset *test);

/* B windows of T+1 consecutive tokens at random offsets of the concatenation
 * (MIT 6.S191 get_batch): x[t*B+b] = ids[o_b + t], y[t*B+b] = ids[o_b + t + 1].
 * offsets (may be NULL) receives the B offsets o_b (lstmjam train --trace).
 * Needs n_ids > T. Thread: any. */
void tokset_random_batch(const tokset *s, lj_rng *rng, int T, int B, int32_t *x, int32_t *y, size_t *offsets);

/* Validation without sampling noise: the concatenation cut into consecutive
 * windows of T+1 tokens overlapping by one; window k starts at k*T. */
size_t tokset_num_windows(const tokset *s, int T);
/* Fills batch column b with window first+b for b < B while windows remain;
 * returns how many columns were filled (the rest are left as is). */
int tokset_window_batch(const tokset *s, size_t first, int T, int B, int32_t *x, int32_t *y);

#endif
