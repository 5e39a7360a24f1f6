#include "dataset_cache.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "modelfile.h"

#define MAGIC "LJDSET\0\0"
#define HEADER_BYTES 24 /* magic 8, version 4, crc 4, payload length 8 */
#define N_STATS 14

uint64_t dataset_cache_hash(const void *data, size_t n) {
    const uint8_t *p = data;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The enc_stats fields in file order. */
static size_t *stat_field(enc_stats *s, int i) {
    size_t *f[N_STATS] = {&s->scores,          &s->pieces,          &s->tokens,         &s->skipped_durations,
                          &s->skipped_empty,   &s->skipped_range,   &s->skipped_unknown, &s->keys_estimated,
                          &s->notes_quantised, &s->notes_hidden,    &s->notes_merged,   &s->notes_cut,
                          &s->notes_dropped,   &s->frames};
    return f[i];
}

/* ---- writing: a growing byte buffer ---------------------------------------- */

typedef struct wbuf {
    uint8_t *p;
    size_t n, cap;
    int failed; /* sticky: out of memory */
} wbuf;

static void put(wbuf *b, const void *data, size_t n) {
    if (b->failed) return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n) cap *= 2;
        uint8_t *q = realloc(b->p, cap);
        if (!q) {
            b->failed = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void put_u(wbuf *b, uint64_t v, int bytes) {
    uint8_t t[8];
    for (int i = 0; i < bytes; i++) t[i] = (uint8_t)(v >> (8 * i));
    put(b, t, (size_t)bytes);
}

int dataset_cache_save(const char *path, const char *key, const train_corpus *c, char *err, size_t errlen) {
    wbuf b = {0};
    put(&b, MAGIC, 8);
    put_u(&b, DATASET_CACHE_VERSION, 4);
    put_u(&b, 0, 4); /* crc, filled below */
    put_u(&b, 0, 8); /* payload length, filled below */
    size_t klen = strlen(key);
    put_u(&b, klen, 4);
    put(&b, key, klen);
    put_u(&b, c->n_files, 8);
    put_u(&b, c->n_groups, 8);
    enc_stats st = c->stats;
    for (int i = 0; i < N_STATS; i++) put_u(&b, *stat_field(&st, i), 8);
    uint8_t *blob = NULL;
    size_t blen = 0;
    if (vocab_save(c->vocab, &blob, &blen)) b.failed = 1;
    put_u(&b, blen, 4);
    if (blob) put(&b, blob, blen);
    free(blob);
    size_t dim = c->frames.dim && c->frames.values ? c->frames.dim : 0; /* 0: a token corpus */
    if (c->frames.dim && c->frames.n_pieces != c->pieces.n_pieces) b.failed = 1;
    put_u(&b, dim, 8);
    put_u(&b, c->pieces.n_pieces, 8);
    put_u(&b, c->pieces.n_ids, 8);
    for (size_t p = 0; p < c->pieces.n_pieces; p++) {
        put_u(&b, tokset_piece_len(&c->pieces, p), 8);
        put_u(&b, (uint32_t)c->group[p], 4);
        put_u(&b, (uint32_t)c->source[p], 4);
        put_u(&b, (uint8_t)c->fixed_split[p], 1);
    }
    for (size_t i = 0; i < c->pieces.n_ids; i++) put_u(&b, (uint32_t)c->pieces.ids[i], 4);
    if (dim) {
        put_u(&b, c->frames.n_frames, 8);
        for (size_t p = 0; p < c->frames.n_pieces; p++) put_u(&b, frameset_piece_len(&c->frames, p), 8);
        for (size_t i = 0; i < c->frames.n_frames * dim; i++) {
            uint32_t bits;
            memcpy(&bits, &c->frames.values[i], 4);
            put_u(&b, bits, 4);
        }
    }
    if (b.failed) {
        free(b.p);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", path);
    }
    uint64_t payload = b.n - HEADER_BYTES;
    uint32_t crc = mf_crc32(0, b.p + HEADER_BYTES, payload);
    for (int i = 0; i < 4; i++) b.p[12 + i] = (uint8_t)(crc >> (8 * i));
    for (int i = 0; i < 8; i++) b.p[16 + i] = (uint8_t)(payload >> (8 * i));
    int rc = lj_file_write_replace(path, b.p, b.n, err, errlen);
    free(b.p);
    return rc;
}

/* ---- reading: a cursor with a sticky error ----------------------------------- */

typedef struct rbuf {
    const uint8_t *p;
    size_t n, at;
    const char *bad; /* first problem, or NULL */
    size_t bad_at;   /* byte offset of that problem */
} rbuf;

static uint64_t get_u(rbuf *r, int bytes, const char *what) {
    if (r->bad) return 0;
    if (r->n - r->at < (size_t)bytes) {
        r->bad = what;
        r->bad_at = r->at;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)r->p[r->at + (size_t)i] << (8 * i);
    r->at += (size_t)bytes;
    return v;
}

static void check(rbuf *r, int ok, const char *what) {
    if (!r->bad && !ok) {
        r->bad = what;
        r->bad_at = r->at;
    }
}

/* The frames block of a frame corpus: u64 frames, u64 per piece, f32 values
 * (finite) to the end of the file. Returns LJ_ERR_NOMEM only; other problems
 * go to r->bad. */
static int read_frames(rbuf *r, size_t dim, size_t n_pieces, frameset *fs) {
    uint64_t n_frames = get_u(r, 8, "truncated frames");
    check(r, n_pieces <= (r->n - r->at) / 8, "counts larger than the file");
    if (r->bad) return LJ_OK;
    size_t at_lens = r->at;
    r->at += n_pieces * 8;
    check(r, n_frames <= (r->n - r->at) / 4 / dim && r->at + n_frames * dim * 4 == r->n,
          "frame bytes differ from the file size");
    if (r->bad) return LJ_OK;
    size_t at_values = r->at, sum = 0;
    r->at = at_lens;
    if (frameset_init(fs, dim)) {
        check(r, 0, "frame width out of range");
        return LJ_OK;
    }
    const uint8_t *v = r->p + at_values;
    for (size_t p = 0; p < n_pieces && !r->bad; p++) {
        size_t len = (size_t)get_u(r, 8, "truncated frames");
        check(r, len <= n_frames - sum, "piece frames exceed the frame count");
        if (r->bad) break;
        float *buf = malloc((len ? len : 1) * dim * sizeof *buf);
        if (!buf) return LJ_ERR_NOMEM;
        for (size_t i = 0; i < len * dim; i++) {
            uint32_t bits = (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
            memcpy(&buf[i], &bits, 4);
            v += 4;
            if (!isfinite(buf[i])) check(r, 0, "a frame value is not finite");
        }
        int rc = r->bad ? LJ_OK : frameset_add(fs, buf, len);
        free(buf);
        if (rc == LJ_ERR_NOMEM) return rc;
        check(r, rc == LJ_OK, "too many frames");
        sum += len;
    }
    check(r, sum == n_frames, "piece frames do not add up to the frame count");
    if (!r->bad) r->at = r->n;
    return LJ_OK;
}

int dataset_cache_load(const char *path, const char *key, int n_sources, train_corpus *c, char *err,
                       size_t errlen) {
    memset(c, 0, sizeof *c);
    uint8_t *data;
    size_t len;
    char sub[256];
    if (lj_file_read(path, &data, &len, sub, sizeof sub) != LJ_OK)
        return lj_fail(err, errlen, LJ_ERR_IO, "%s: no cache entry", path);
    int rc = dataset_cache_parse(data, len, path, key, n_sources, c, err, errlen);
    free(data);
    return rc;
}

int dataset_cache_parse(const uint8_t *data, size_t len, const char *path, const char *key, int n_sources,
                        train_corpus *c, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    char sub[256];
    if (len < HEADER_BYTES || memcmp(data, MAGIC, 8))
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte 0: expected the cache magic and header", path);
    rbuf r = {data, len, 0, NULL, 0};
    r.at = 8;
    check(&r, get_u(&r, 4, "truncated header") == DATASET_CACHE_VERSION, "expected format version 2");
    uint32_t crc = (uint32_t)get_u(&r, 4, "truncated header");
    uint64_t payload = get_u(&r, 8, "truncated header");
    check(&r, payload == len - HEADER_BYTES, "payload length differs from the file size (truncated?)");
    check(&r, mf_crc32(0, data + HEADER_BYTES, len - HEADER_BYTES) == crc, "payload checksum mismatch");
    size_t klen = (size_t)get_u(&r, 4, "truncated key");
    check(&r, klen == strlen(key) && klen <= len - r.at && !memcmp(data + r.at, key, klen),
          "the entry was built from other inputs (key differs)");
    if (!r.bad) r.at += klen;
    c->n_files = (size_t)get_u(&r, 8, "truncated counts");
    c->n_groups = (size_t)get_u(&r, 8, "truncated counts");
    for (int i = 0; i < N_STATS; i++) *stat_field(&c->stats, i) = (size_t)get_u(&r, 8, "truncated counts");
    size_t blen = (size_t)get_u(&r, 4, "truncated vocabulary");
    check(&r, blen <= len - r.at, "truncated vocabulary");
    if (!r.bad && vocab_load(data + r.at, blen, path, &c->vocab, sub, sizeof sub) != LJ_OK) check(&r, 0, "bad vocabulary");
    if (!r.bad) r.at += blen;
    uint64_t dim = get_u(&r, 8, "truncated counts");
    check(&r, dim <= 65536, "frame width out of range");
    uint64_t n_pieces = get_u(&r, 8, "truncated counts"), n_ids = get_u(&r, 8, "truncated counts");
    /* Each piece takes 17 bytes and each id 4: refuse counts the file cannot hold
     * before allocating for them. */
    check(&r, n_pieces <= (len - r.at) / 17 && n_ids <= (len - r.at) / 4, "counts larger than the file");
    size_t *plen = NULL;
    if (!r.bad && n_pieces) {
        plen = malloc((size_t)n_pieces * sizeof *plen);
        c->group = malloc((size_t)n_pieces * sizeof *c->group);
        c->source = malloc((size_t)n_pieces * sizeof *c->source);
        c->fixed_split = malloc((size_t)n_pieces);
        c->cap = (size_t)n_pieces;
        if (!plen || !c->group || !c->source || !c->fixed_split) {
            free(plen);
            train_corpus_free(c);
            return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", path);
        }
    }
    uint64_t sum = 0;
    for (size_t p = 0; p < n_pieces && !r.bad; p++) {
        plen[p] = (size_t)get_u(&r, 8, "truncated pieces");
        sum += plen[p];
        c->group[p] = (int32_t)(uint32_t)get_u(&r, 4, "truncated pieces");
        c->source[p] = (int32_t)(uint32_t)get_u(&r, 4, "truncated pieces");
        c->fixed_split[p] = (int8_t)(uint8_t)get_u(&r, 1, "truncated pieces");
        check(&r, c->group[p] >= 0 && (size_t)c->group[p] < c->n_groups && (p == 0 || c->group[p] >= c->group[p - 1]),
              "piece group out of order");
        check(&r, c->source[p] >= 0 && c->source[p] < n_sources, "piece source out of range");
        check(&r, c->fixed_split[p] >= -1 && c->fixed_split[p] <= 2, "piece split out of range");
        check(&r, plen[p] <= n_ids && sum <= n_ids, "piece lengths exceed the token count");
    }
    check(&r, sum == n_ids, "piece lengths do not add up to the token count");
    check(&r, dim ? r.at + n_ids * 4 <= len : r.at + n_ids * 4 == len, "token bytes differ from the file size");
    int32_t vsize = c->vocab ? (int32_t)vocab_size(c->vocab) : 0;
    int32_t *ids = NULL;
    if (!r.bad && n_ids) {
        ids = malloc((size_t)n_ids * sizeof *ids);
        if (!ids) {
            free(plen);
            train_corpus_free(c);
            return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", path);
        }
        for (size_t i = 0; i < n_ids && !r.bad; i++) {
            ids[i] = (int32_t)(uint32_t)get_u(&r, 4, "truncated tokens");
            /* a frame corpus's ids are its pieces' indices, one per piece */
            if (dim) check(&r, ids[i] == (int32_t)i && n_ids == n_pieces, "frame piece index out of order");
            else check(&r, ids[i] >= 0 && ids[i] < vsize, "token id outside the vocabulary");
        }
    }
    int rc = LJ_OK;
    for (size_t p = 0, at = 0; p < n_pieces && !r.bad && !rc; at += plen[p], p++)
        rc = tokset_add(&c->pieces, ids + at, plen[p]);
    free(ids);
    free(plen);
    if (!rc && dim && !r.bad) rc = read_frames(&r, (size_t)dim, (size_t)n_pieces, &c->frames);
    if (rc) {
        train_corpus_free(c);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", path);
    }
    if (r.bad) {
        train_corpus_free(c);
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: %s", path, r.bad_at, r.bad);
    }
    return LJ_OK;
}
