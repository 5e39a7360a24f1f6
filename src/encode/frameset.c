/* frameset: pieces of float frames back to back (see frameset.h). */
#include "frameset.h"

#include <stdlib.h>
#include <string.h>

int frameset_init(frameset *s, size_t dim) {
    memset(s, 0, sizeof *s);
    if (dim < 1 || dim > 65536) return LJ_ERR_ARG;
    s->dim = dim;
    return LJ_OK;
}

int frameset_add(frameset *s, const float *frames, size_t n) {
    if (!s->dim) return LJ_ERR_ARG;
    if (s->n_frames + n > s->cap_frames) {
        size_t cap = s->cap_frames ? s->cap_frames : 1024;
        while (cap < s->n_frames + n) cap *= 2;
        if (cap > SIZE_MAX / sizeof(float) / s->dim) return LJ_ERR_LIMIT;
        float *p = realloc(s->values, cap * s->dim * sizeof *p);
        if (!p) return LJ_ERR_NOMEM;
        s->values = p;
        s->cap_frames = cap;
    }
    if (s->n_pieces == s->cap_pieces) {
        size_t cap = s->cap_pieces ? s->cap_pieces * 2 : 64;
        size_t *p = realloc(s->start, cap * sizeof *p);
        if (!p) return LJ_ERR_NOMEM;
        s->start = p;
        s->cap_pieces = cap;
    }
    s->start[s->n_pieces++] = s->n_frames;
    if (n) memcpy(s->values + s->n_frames * s->dim, frames, n * s->dim * sizeof *frames);
    s->n_frames += n;
    return LJ_OK;
}

void frameset_free(frameset *s) {
    size_t dim = s->dim;
    free(s->values);
    free(s->start);
    memset(s, 0, sizeof *s);
    s->dim = dim;
}

size_t frameset_piece_len(const frameset *s, size_t p) {
    size_t end = p + 1 < s->n_pieces ? s->start[p + 1] : s->n_frames;
    return end - s->start[p];
}

const float *frameset_piece(const frameset *s, size_t p) {
    return s->values + s->start[p] * s->dim;
}
