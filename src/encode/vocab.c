#include "vocab.h"

#include <stdlib.h>
#include <string.h>

/* Names live in one growing byte pool; an open-addressing hash table maps names
 * to ids so building a vocabulary over a corpus is linear. */
struct vocab {
    char *pool;          /* all names, back to back */
    size_t pool_len, pool_cap;
    size_t *offset;      /* offset[id] into pool */
    uint16_t *length;    /* length[id] in bytes */
    size_t n, cap;       /* ids in use, allocated */
    int32_t *table;      /* hash slots holding id, or -1; size table_cap (power of 2) */
    size_t table_cap;
};

static uint64_t hash(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

vocab *vocab_create(void) {
    vocab *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    v->table_cap = 64;
    v->table = malloc(v->table_cap * sizeof *v->table);
    if (!v->table) {
        free(v);
        return NULL;
    }
    memset(v->table, 0xff, v->table_cap * sizeof *v->table);
    return v;
}

void vocab_destroy(vocab *v) {
    if (!v) return;
    free(v->pool);
    free(v->offset);
    free(v->length);
    free(v->table);
    free(v);
}

static size_t slot_of(const vocab *v, const char *name, size_t len) {
    size_t mask = v->table_cap - 1, i = (size_t)hash(name, len) & mask;
    for (;;) {
        int32_t id = v->table[i];
        if (id < 0) return i;
        if (v->length[id] == len && !memcmp(v->pool + v->offset[id], name, len)) return i;
        i = (i + 1) & mask;
    }
}

int32_t vocab_find(const vocab *v, const char *name, size_t len) {
    return v->table[slot_of(v, name, len)];
}

static int rehash(vocab *v) {
    size_t ncap = v->table_cap * 2;
    int32_t *t = malloc(ncap * sizeof *t);
    if (!t) return LJ_ERR_NOMEM;
    memset(t, 0xff, ncap * sizeof *t);
    free(v->table);
    v->table = t;
    v->table_cap = ncap;
    for (size_t id = 0; id < v->n; id++) v->table[slot_of(v, v->pool + v->offset[id], v->length[id])] = (int32_t)id;
    return LJ_OK;
}

int vocab_add(vocab *v, const char *name, size_t len, int32_t *id) {
    size_t s = slot_of(v, name, len);
    if (v->table[s] >= 0) {
        if (id) *id = v->table[s];
        return LJ_OK;
    }
    if (len > VOCAB_MAX_NAME || v->n >= VOCAB_MAX_TOKENS) return LJ_ERR_LIMIT;
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 64;
        size_t *o = realloc(v->offset, ncap * sizeof *o);
        if (!o) return LJ_ERR_NOMEM;
        v->offset = o;
        uint16_t *l = realloc(v->length, ncap * sizeof *l);
        if (!l) return LJ_ERR_NOMEM;
        v->length = l;
        v->cap = ncap;
    }
    if (v->pool_len + len > v->pool_cap) {
        size_t ncap = (v->pool_cap + len) * 2;
        char *p = realloc(v->pool, ncap);
        if (!p) return LJ_ERR_NOMEM;
        v->pool = p;
        v->pool_cap = ncap;
    }
    memcpy(v->pool + v->pool_len, name, len);
    v->offset[v->n] = v->pool_len;
    v->length[v->n] = (uint16_t)len;
    v->pool_len += len;
    v->table[s] = (int32_t)v->n;
    if (id) *id = (int32_t)v->n;
    v->n++;
    /* Keep the table at most half full. */
    if (v->n * 2 > v->table_cap && rehash(v)) {
        /* The id is stored; only lookups of later names would slow down. Undo
         * to stay consistent and report the failure. */
        v->n--;
        v->pool_len -= len;
        v->table[slot_of(v, name, len)] = -1;
        return LJ_ERR_NOMEM;
    }
    return LJ_OK;
}

const char *vocab_name(const vocab *v, int32_t id, size_t *len) {
    if (id < 0 || (size_t)id >= v->n) return NULL;
    if (len) *len = v->length[id];
    return v->pool + v->offset[id];
}

size_t vocab_size(const vocab *v) { return v->n; }

int vocab_save(const vocab *v, uint8_t **out, size_t *len) {
    size_t total = 4 + 2 * v->n + v->pool_len;
    uint8_t *b = malloc(total), *p = b;
    if (!b) return LJ_ERR_NOMEM;
    for (int i = 0; i < 4; i++) *p++ = (uint8_t)(v->n >> (8 * i));
    for (size_t id = 0; id < v->n; id++) {
        *p++ = (uint8_t)v->length[id];
        *p++ = (uint8_t)(v->length[id] >> 8);
        memcpy(p, v->pool + v->offset[id], v->length[id]);
        p += v->length[id];
    }
    *out = b;
    *len = total;
    return LJ_OK;
}

int vocab_load(const uint8_t *blob, size_t len, const char *what, vocab **out, char *err,
               size_t errlen) {
    *out = NULL;
    if (len < 4) return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: vocab: byte 0: expected a 4-byte count, found %zu bytes", what, len);
    uint32_t n = (uint32_t)blob[0] | (uint32_t)blob[1] << 8 | (uint32_t)blob[2] << 16 | (uint32_t)blob[3] << 24;
    if (n > VOCAB_MAX_TOKENS)
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "%s: vocab: %u tokens, more than the limit %d", what, n, VOCAB_MAX_TOKENS);
    vocab *v = vocab_create();
    if (!v) return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", what);
    size_t at = 4;
    for (uint32_t i = 0; i < n; i++) {
        if (len - at < 2) {
            vocab_destroy(v);
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: vocab: byte %zu: truncated before token %u of %u", what, at, i, n);
        }
        size_t l = (size_t)blob[at] | (size_t)blob[at + 1] << 8;
        at += 2;
        if (len - at < l || l > VOCAB_MAX_NAME) {
            vocab_destroy(v);
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: vocab: byte %zu: token %u of %zu bytes runs past the end", what, at, i, l);
        }
        int32_t id;
        int rc = vocab_add(v, (const char *)blob + at, l, &id);
        if (rc || id != (int32_t)i) {
            vocab_destroy(v);
            if (rc) return lj_fail(err, errlen, rc, "%s: vocab: out of memory", what);
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: vocab: byte %zu: token %u repeats token %d", what, at, i, id);
        }
        at += l;
    }
    if (at != len) {
        vocab_destroy(v);
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: vocab: byte %zu: %zu trailing bytes after %u tokens", what, at, len - at, n);
    }
    *out = v;
    return LJ_OK;
}
