/* libFuzzer harness for the dataset cache reader (dataset_cache_parse): any
 * bytes give a corpus whose every count and index is consistent, or a clean
 * error with a message and an empty corpus. The seeds are entries written by
 * dataset_cache_save under the key "fuzz" with 2 sources, and broken copies. */
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
        if (!err[0] || c.vocab || c.pieces.n_ids || c.pieces.n_pieces) abort();
        return 0;
    }
    size_t v = vocab_size(c.vocab);
    for (size_t i = 0; i < c.pieces.n_ids; i++)
        if (c.pieces.ids[i] < 0 || (size_t)c.pieces.ids[i] >= v) abort();
    for (size_t p = 0; p < c.pieces.n_pieces; p++) {
        if (c.source[p] < 0 || c.source[p] >= 2 || c.fixed_split[p] < -1 || c.fixed_split[p] > 2) abort();
        if (c.group[p] < 0 || (size_t)c.group[p] >= c.n_groups || (p && c.group[p] < c.group[p - 1])) abort();
        if (c.pieces.start[p] + tokset_piece_len(&c.pieces, p) > c.pieces.n_ids) abort();
    }
    train_corpus_free(&c);
    return 0;
}
