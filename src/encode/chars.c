#include "chars.h"

int chars_build_vocab(const char *const *texts, const size_t *lens, size_t n, vocab **out) {
    int seen[256] = {0};
    for (size_t t = 0; t < n; t++)
        for (size_t i = 0; i < lens[t]; i++) seen[(unsigned char)texts[t][i]] = 1;
    vocab *v = vocab_create();
    if (!v) return LJ_ERR_NOMEM;
    for (int b = 0; b < 256; b++) {
        if (!seen[b]) continue;
        char c = (char)b;
        int rc = vocab_add(v, &c, 1, NULL);
        if (rc) {
            vocab_destroy(v);
            return rc;
        }
    }
    *out = v;
    return LJ_OK;
}

int chars_encode(const vocab *v, const char *text, size_t len, int32_t *ids, const char *name,
                 char *err, size_t errlen) {
    int32_t map[256];
    for (int b = 0; b < 256; b++) {
        char c = (char)b;
        map[b] = vocab_find(v, &c, 1);
    }
    for (size_t i = 0; i < len; i++) {
        int32_t id = map[(unsigned char)text[i]];
        if (id < 0)
            return lj_fail(err, errlen, LJ_ERR_RANGE,
                           "%s: byte %zu: character 0x%02x is not in the model's vocabulary", name, i,
                           (unsigned char)text[i]);
        ids[i] = id;
    }
    return LJ_OK;
}

size_t chars_split_tunes(const char *text, size_t len, size_t *starts, size_t *lengths,
                         size_t max) {
    size_t n = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        int line_start = i == 0 || text[i - 1] == '\n';
        if (line_start && text[i] == 'X' && text[i + 1] == ':') {
            if (n > 0 && n - 1 < max) lengths[n - 1] = i - starts[n - 1];
            if (n < max) starts[n] = i;
            n++;
        }
    }
    if (n > 0 && n - 1 < max) lengths[n - 1] = len - starts[n - 1];
    return n;
}
