/* libFuzzer harness for the dataset cache reader (dataset_cache_parse): any
 * bytes give a corpus whose every count and index is consistent, or a clean
 * error with a message and an empty corpus. The seeds are entries written by
 * lstmjam train (a timestep corpus: valid.ljds; a psd frame corpus:
 * valid_frames.ljds) with their key replaced by "fuzz" (CRC recomputed), and
 * broken copies (a flipped byte, a truncation, another key, an id out of
 * range, a NaN frame value, a short frame block). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    train_corpus c;
    char err[512] = "";
    int rc = dataset_cache_parse(data, size, "fuzz.ljds", "fuzz", 2, &c, err, sizeof err);
    if (rc != LJ_OK) {
        if (!err[0] || c.vocab || c.pieces.n_ids || c.pieces.n_pieces || c.frames.values || c.frames.n_frames) abort();
        return 0;
    }
    size_t v = vocab_size(c.vocab);
    for (size_t i = 0; i < c.pieces.n_ids; i++)
        if (c.pieces.ids[i] < 0 || (c.frames.dim ? c.pieces.ids[i] != (int32_t)i : (size_t)c.pieces.ids[i] >= v)) abort();
    if (c.frames.dim) { /* a frame corpus: one piece of frames per id, every value finite */
        if (c.frames.n_pieces != c.pieces.n_pieces || c.pieces.n_ids != c.pieces.n_pieces) abort();
        size_t sum = 0;
        for (size_t p = 0; p < c.frames.n_pieces; p++) sum += frameset_piece_len(&c.frames, p);
        if (sum != c.frames.n_frames) abort();
        for (size_t i = 0; i < c.frames.n_frames * c.frames.dim; i++)
            if (!isfinite(c.frames.values[i])) abort();
    }
    for (size_t p = 0; p < c.pieces.n_pieces; p++) {
        if (c.source[p] < 0 || c.source[p] >= 2 || c.fixed_split[p] < -1 || c.fixed_split[p] > 2) abort();
        if (c.group[p] < 0 || (size_t)c.group[p] >= c.n_groups || (p && c.group[p] < c.group[p - 1])) abort();
        if (c.pieces.start[p] + tokset_piece_len(&c.pieces, p) > c.pieces.n_ids) abort();
    }
    train_corpus_free(&c);
    return 0;
}
