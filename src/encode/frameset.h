/* frameset: a dataset of float frame sequences (pieces), the frame-encoding
 * counterpart of tokset: T frames of `dim` floats per piece, stored back to
 * back. Frame f of the concatenation is values[f*dim .. f*dim+dim). */
#ifndef LJ_FRAMESET_H
#define LJ_FRAMESET_H

#include <stddef.h>
#include <stdint.h>

#include "lj_status.h"

typedef struct frameset {
    size_t dim;     /* floats per frame, > 0 (set by frameset_init) */
    float *values;  /* every piece's frames, back to back: n_frames * dim floats */
    size_t n_frames, cap_frames;
    size_t *start;  /* start[p] = first frame of piece p; n_pieces entries */
    size_t n_pieces, cap_pieces;
} frameset;

/* An empty set of frames of dim floats (1..65536; LJ_ERR_ARG otherwise). Thread: any. */
int frameset_init(frameset *s, size_t dim);
/* Appends a piece of n frames (n*dim floats, copied). Errors: LJ_ERR_ARG (not
 * initialised), LJ_ERR_LIMIT, LJ_ERR_NOMEM (the set is unchanged). Thread: any. */
int frameset_add(frameset *s, const float *frames, size_t n);
/* Frees the arrays and leaves an empty set of the same dim. Thread: any. */
void frameset_free(frameset *s);
/* Frames in piece p, and its first frame. Thread: any. */
size_t frameset_piece_len(const frameset *s, size_t p);
const float *frameset_piece(const frameset *s, size_t p);

#endif
