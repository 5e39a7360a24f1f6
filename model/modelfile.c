#include "modelfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char MF_MAGIC[8] = {'L', 'S', 'T', 'M', 'J', 'A', 'M', 0};
#define MF_FIXED_HEADER 36 /* magic..file_size */
#define MF_ALIGN 64

/* ---- CRC-32 and bf16 ------------------------------------------------------ */

uint32_t mf_crc32(uint32_t crc, const void *data, size_t n) {
    /* Bitwise-reflected CRC-32, 8 bits per step through a nibble table: small,
     * no static mutable state, ~1 GB/s is plenty for model files. */
    static const uint32_t nib[16] = {
        0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
        0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
        0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c};
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ nib[crc & 15];
        crc = (crc >> 4) ^ nib[crc & 15];
    }
    return ~crc;
}

uint16_t mf_f32_to_bf16(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7fffffff) > 0x7f800000) return (uint16_t)((u >> 16) | 0x40); /* quiet NaN */
    u += 0x7fff + ((u >> 16) & 1); /* round to nearest even */
    return (uint16_t)(u >> 16);
}

float mf_bf16_to_f32(uint16_t x) {
    uint32_t u = (uint32_t)x << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static size_t dtype_size(mf_dtype t) {
    switch (t) {
    case MF_F32: case MF_I32: return 4;
    case MF_BF16: return 2;
    case MF_U8: return 1;
    }
    return 0;
}

static const char *dtype_name(mf_dtype t) {
    switch (t) {
    case MF_F32: return "f32";
    case MF_BF16: return "bf16";
    case MF_I32: return "i32";
    case MF_U8: return "u8";
    }
    return "?";
}

/* ---- reading ---------------------------------------------------------------- */

typedef struct mf_meta_entry {
    char key[MF_MAX_NAME + 1];
    const uint8_t *value; /* into the caller's bytes */
    uint32_t len;
} mf_meta_entry;

struct mf_file {
    mf_meta_entry *meta; /* n_meta entries */
    size_t n_meta;
    mf_tensor *tensors;  /* n_tensors entries */
    size_t n_tensors;
};

/* A bounds-checked little-endian cursor with a sticky failure. */
typedef struct cursor {
    const uint8_t *p;
    size_t len, at;
    int bad;          /* set on the first read past the end */
} cursor;

static uint64_t get_le(cursor *c, int n) {
    if (c->bad || c->len - c->at < (size_t)n) {
        c->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v |= (uint64_t)c->p[c->at + i] << (8 * i);
    c->at += (size_t)n;
    return v;
}

static int get_name(cursor *c, char *dst, const char *name, const char *what, char *err,
                    size_t errlen) {
    size_t at = c->at;
    uint64_t n = get_le(c, 2);
    if (c->bad) return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: file ends inside the %s table", name, at, what);
    if (n == 0 || n > MF_MAX_NAME)
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: expected a %s name of 1..%d bytes, found length %llu",
                       name, at, what, MF_MAX_NAME, (unsigned long long)n);
    if (c->len - c->at < n) {
        c->bad = 1;
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: file ends inside a %s name", name, c->at, what);
    }
    memcpy(dst, c->p + c->at, n);
    dst[n] = 0;
    if (strlen(dst) != n)
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: %s name contains a NUL byte", name, c->at, what);
    c->at += n;
    return LJ_OK;
}

int mf_read_mem(const uint8_t *bytes, size_t len, const char *name, mf_file **out, char *err,
                size_t errlen) {
    *out = NULL;
    if (len < MF_FIXED_HEADER)
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: file too short for an .lstm header (%d bytes)",
                       name, len, MF_FIXED_HEADER);
    if (memcmp(bytes, MF_MAGIC, 8) != 0)
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte 0: expected the magic \"LSTMJAM\", found other bytes: not an lstmjam model file",
                       name);
    cursor c = {bytes, len, 8, 0};
    uint64_t version = get_le(&c, 4);
    if (version != MF_VERSION)
        return lj_fail(err, errlen, LJ_ERR_UNSUPPORTED, "%s: byte 8: format version %llu, this lstmjam reads version %d",
                       name, (unsigned long long)version, MF_VERSION);
    uint64_t n_meta = get_le(&c, 4), n_tensors = get_le(&c, 4);
    uint64_t data_offset = get_le(&c, 8), file_size = get_le(&c, 8);
    if (file_size != len)
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte 28: header says the file has %llu bytes, found %zu (%s)",
                       name, (unsigned long long)file_size, len, file_size > len ? "truncated" : "trailing bytes");
    if (n_meta + n_tensors > MF_MAX_ENTRIES)
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "%s: byte 12: %llu entries, more than the limit %d", name,
                       (unsigned long long)(n_meta + n_tensors), MF_MAX_ENTRIES);
    if (data_offset > len || data_offset % MF_ALIGN)
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte 20: data offset %llu is not a 64-aligned position inside the file",
                       name, (unsigned long long)data_offset);
    mf_file *f = calloc(1, sizeof *f);
    if (!f) return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", name);
    f->meta = calloc(n_meta ? n_meta : 1, sizeof *f->meta);
    f->tensors = calloc(n_tensors ? n_tensors : 1, sizeof *f->tensors);
    int rc = LJ_OK;
    size_t first_bad = SIZE_MAX; /* first tensor whose data checksum fails */
    if (!f->meta || !f->tensors) {
        rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", name);
        goto fail;
    }
    for (uint64_t i = 0; i < n_meta; i++) {
        mf_meta_entry *m = &f->meta[i];
        if ((rc = get_name(&c, m->key, name, "metadata", err, errlen))) goto fail;
        size_t at = c.at;
        m->len = (uint32_t)get_le(&c, 4);
        if (c.bad || c.len - c.at < m->len) {
            rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: metadata '%s' runs past the end of the file", name, at, m->key);
            goto fail;
        }
        m->value = bytes + c.at;
        c.at += m->len;
        f->n_meta++;
    }
    for (uint64_t i = 0; i < n_tensors; i++) {
        mf_tensor *t = &f->tensors[i];
        if ((rc = get_name(&c, t->name, name, "tensor", err, errlen))) goto fail;
        for (size_t k = 0; k < f->n_tensors; k++)
            if (!strcmp(f->tensors[k].name, t->name)) {
                rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: tensor '%s' appears twice", name, c.at, t->name);
                goto fail;
            }
        size_t at = c.at;
        t->dtype = (mf_dtype)get_le(&c, 1);
        t->ndim = (int)get_le(&c, 1);
        if (c.bad || dtype_size(t->dtype) == 0 || t->ndim < 1 || t->ndim > MF_MAX_DIMS) {
            rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: tensor '%s': expected dtype 0..3 and 1..%d dims, found dtype %d, %d dims",
                         name, at, t->name, MF_MAX_DIMS, (int)t->dtype, t->ndim);
            goto fail;
        }
        t->n_elems = 1;
        for (int d = 0; d < t->ndim; d++) {
            t->dims[d] = (uint32_t)get_le(&c, 4);
            t->n_elems *= t->dims[d]; /* each dim < 2^32, 4 dims could overflow: checked below */
            if (t->dims[d] == 0 || t->n_elems > ((uint64_t)1 << 40)) {
                rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: tensor '%s': dimension %d is %u (zero or too large)",
                             name, at, t->name, d, t->dims[d]);
                goto fail;
            }
        }
        uint64_t offset = get_le(&c, 8);
        t->nbytes = get_le(&c, 8);
        uint32_t crc = (uint32_t)get_le(&c, 4);
        if (c.bad) {
            rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: file ends inside the tensor table", name, at);
            goto fail;
        }
        if (t->nbytes != t->n_elems * dtype_size(t->dtype)) {
            rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: tensor '%s': %llu bytes do not match %llu %s values",
                         name, at, t->name, (unsigned long long)t->nbytes, (unsigned long long)t->n_elems,
                         dtype_name(t->dtype));
            goto fail;
        }
        if (offset % MF_ALIGN || offset > len - data_offset || t->nbytes > len - data_offset - offset) {
            rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: tensor '%s': data at %llu+%llu lies outside the file",
                         name, at, t->name, (unsigned long long)(data_offset + offset), (unsigned long long)t->nbytes);
            goto fail;
        }
        t->data = bytes + data_offset + offset;
        /* Reported only after the header checksum is known good, so that a
         * corrupt header is reported as such. */
        if (first_bad == SIZE_MAX && mf_crc32(0, t->data, t->nbytes) != crc) first_bad = f->n_tensors;
        f->n_tensors++;
    }
    size_t crc_at = c.at;
    uint32_t header_crc = (uint32_t)get_le(&c, 4);
    if (c.bad) {
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: file ends before the header checksum", name, crc_at);
        goto fail;
    }
    if (mf_crc32(0, bytes, crc_at) != header_crc) {
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte %zu: header checksum mismatch: the file is corrupted", name, crc_at);
        goto fail;
    }
    if (c.at > data_offset) {
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: byte 20: data offset %llu lies inside the header (ends at %zu)",
                     name, (unsigned long long)data_offset, c.at);
        goto fail;
    }
    if (first_bad != SIZE_MAX) {
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: tensor '%s': checksum mismatch: its data is corrupted", name,
                     f->tensors[first_bad].name);
        goto fail;
    }
    *out = f;
    return LJ_OK;
fail:
    mf_close(f);
    return rc;
}

void mf_close(mf_file *f) {
    if (!f) return;
    free(f->meta);
    free(f->tensors);
    free(f);
}

size_t mf_tensor_count(const mf_file *f) { return f->n_tensors; }
const mf_tensor *mf_tensor_at(const mf_file *f, size_t i) { return i < f->n_tensors ? &f->tensors[i] : NULL; }

const mf_tensor *mf_find(const mf_file *f, const char *name) {
    for (size_t i = 0; i < f->n_tensors; i++)
        if (!strcmp(f->tensors[i].name, name)) return &f->tensors[i];
    return NULL;
}

size_t mf_meta_count(const mf_file *f) { return f->n_meta; }

const char *mf_meta_at(const mf_file *f, size_t i, const void **value, size_t *len) {
    if (i >= f->n_meta) return NULL;
    if (value) *value = f->meta[i].value;
    if (len) *len = f->meta[i].len;
    return f->meta[i].key;
}

const void *mf_meta(const mf_file *f, const char *key, size_t *len) {
    for (size_t i = 0; i < f->n_meta; i++)
        if (!strcmp(f->meta[i].key, key)) {
            if (len) *len = f->meta[i].len;
            return f->meta[i].value;
        }
    return NULL;
}

int mf_get_f32(const mf_file *f, const char *name, float *dst, uint64_t n,
               const char *shape_hint, char *err, size_t errlen) {
    const mf_tensor *t = mf_find(f, name);
    if (!t) return lj_fail(err, errlen, LJ_ERR_PARSE, "tensor '%s' is missing from the model file", name);
    if (t->n_elems != n) {
        char shape[64] = "";
        size_t at = 0;
        for (int d = 0; d < t->ndim; d++)
            at += (size_t)snprintf(shape + at, sizeof shape - at, "%s%u", d ? " x " : "", t->dims[d]);
        return lj_fail(err, errlen, LJ_ERR_PARSE, "tensor '%s': expected %s%s%llu values, found %llu (shape %s)", name,
                       shape_hint ? shape_hint : "", shape_hint ? " = " : "", (unsigned long long)n,
                       (unsigned long long)t->n_elems, shape);
    }
    if (t->dtype == MF_F32) {
        memcpy(dst, t->data, n * 4);
    } else if (t->dtype == MF_BF16) {
        const uint8_t *p = t->data;
        for (uint64_t i = 0; i < n; i++) dst[i] = mf_bf16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
    } else {
        return lj_fail(err, errlen, LJ_ERR_PARSE, "tensor '%s': expected f32 or bf16 values, found %s", name,
                       dtype_name(t->dtype));
    }
    return LJ_OK;
}

/* ---- writing ---------------------------------------------------------------- */

typedef struct mf_blob {
    char name[MF_MAX_NAME + 1];
    mf_dtype dtype;           /* tensors only */
    int ndim;                 /* 0 for metadata */
    uint32_t dims[MF_MAX_DIMS];
    uint8_t *data;            /* owned copy */
    size_t len;
} mf_blob;

struct mf_writer {
    mf_blob *blobs; /* metadata and tensors in insertion order */
    size_t n, cap;
};

mf_writer *mf_writer_create(void) { return calloc(1, sizeof(mf_writer)); }

void mf_writer_destroy(mf_writer *w) {
    if (!w) return;
    for (size_t i = 0; i < w->n; i++) free(w->blobs[i].data);
    free(w->blobs);
    free(w);
}

static mf_blob *new_blob(mf_writer *w, const char *name, size_t len) {
    size_t nl = strlen(name);
    if (nl == 0 || nl > MF_MAX_NAME || w->n >= MF_MAX_ENTRIES) return NULL;
    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 16;
        mf_blob *p = realloc(w->blobs, ncap * sizeof *p);
        if (!p) return NULL;
        w->blobs = p;
        w->cap = ncap;
    }
    mf_blob *b = &w->blobs[w->n];
    memset(b, 0, sizeof *b);
    memcpy(b->name, name, nl + 1);
    b->data = malloc(len ? len : 1);
    if (!b->data) return NULL;
    b->len = len;
    w->n++;
    return b;
}

int mf_add_meta(mf_writer *w, const char *key, const void *value, size_t len) {
    if (len > UINT32_MAX) return LJ_ERR_LIMIT;
    mf_blob *b = new_blob(w, key, len);
    if (!b) return LJ_ERR_NOMEM;
    if (len) memcpy(b->data, value, len);
    return LJ_OK;
}

static int add_tensor_shape(mf_writer *w, const char *name, mf_dtype dtype, int ndim,
                            const uint32_t *dims, mf_blob **out) {
    if (ndim < 1 || ndim > MF_MAX_DIMS || dtype_size(dtype) == 0) return LJ_ERR_ARG;
    uint64_t n = 1;
    for (int d = 0; d < ndim; d++) {
        if (dims[d] == 0) return LJ_ERR_ARG;
        n *= dims[d];
        if (n > ((uint64_t)1 << 40)) return LJ_ERR_LIMIT;
    }
    mf_blob *b = new_blob(w, name, (size_t)(n * dtype_size(dtype)));
    if (!b) return LJ_ERR_NOMEM;
    b->dtype = dtype;
    b->ndim = ndim;
    memcpy(b->dims, dims, (size_t)ndim * sizeof *dims);
    *out = b;
    return LJ_OK;
}

int mf_add_tensor(mf_writer *w, const char *name, mf_dtype dtype, int ndim,
                  const uint32_t *dims, const void *data) {
    mf_blob *b;
    int rc = add_tensor_shape(w, name, dtype, ndim, dims, &b);
    if (rc) return rc;
    memcpy(b->data, data, b->len); /* host is little-endian (x86-64, arm64) */
    return LJ_OK;
}

int mf_add_tensor_bf16(mf_writer *w, const char *name, int ndim, const uint32_t *dims,
                       const float *data) {
    mf_blob *b;
    int rc = add_tensor_shape(w, name, MF_BF16, ndim, dims, &b);
    if (rc) return rc;
    for (size_t i = 0; i < b->len / 2; i++) {
        uint16_t h = mf_f32_to_bf16(data[i]);
        b->data[2 * i] = (uint8_t)h;
        b->data[2 * i + 1] = (uint8_t)(h >> 8);
    }
    return LJ_OK;
}

static void put_le(uint8_t **p, uint64_t v, int n) {
    for (int i = 0; i < n; i++) (*p)[i] = (uint8_t)(v >> (8 * i));
    *p += n;
}

int mf_writer_finish(mf_writer *w, uint8_t **out, size_t *len, char *err, size_t errlen) {
    *out = NULL;
    *len = 0;
    size_t n_meta = 0, n_tensors = 0, header = MF_FIXED_HEADER + 4, data = 0;
    for (size_t i = 0; i < w->n; i++) {
        const mf_blob *b = &w->blobs[i];
        header += 2 + strlen(b->name);
        if (b->ndim == 0) {
            n_meta++;
            header += 4 + b->len;
        } else {
            n_tensors++;
            header += 2 + 4 * (size_t)b->ndim + 8 + 8 + 4;
            data += (b->len + MF_ALIGN - 1) / MF_ALIGN * MF_ALIGN;
        }
    }
    size_t data_offset = (header + MF_ALIGN - 1) / MF_ALIGN * MF_ALIGN;
    size_t total = data_offset + data;
    uint8_t *buf = calloc(1, total);
    if (!buf) return lj_fail(err, errlen, LJ_ERR_NOMEM, "model file: out of memory for %zu bytes", total);
    uint8_t *p = buf;
    memcpy(p, MF_MAGIC, 8);
    p += 8;
    put_le(&p, MF_VERSION, 4);
    put_le(&p, n_meta, 4);
    put_le(&p, n_tensors, 4);
    put_le(&p, data_offset, 8);
    put_le(&p, total, 8);
    /* Metadata first, then tensors, each in insertion order. */
    for (size_t i = 0; i < w->n; i++) {
        const mf_blob *b = &w->blobs[i];
        if (b->ndim) continue;
        size_t nl = strlen(b->name);
        put_le(&p, nl, 2);
        memcpy(p, b->name, nl);
        p += nl;
        put_le(&p, b->len, 4);
        memcpy(p, b->data, b->len);
        p += b->len;
    }
    size_t off = 0;
    for (size_t i = 0; i < w->n; i++) {
        const mf_blob *b = &w->blobs[i];
        if (!b->ndim) continue;
        size_t nl = strlen(b->name);
        put_le(&p, nl, 2);
        memcpy(p, b->name, nl);
        p += nl;
        put_le(&p, b->dtype, 1);
        put_le(&p, (uint64_t)b->ndim, 1);
        for (int d = 0; d < b->ndim; d++) put_le(&p, b->dims[d], 4);
        put_le(&p, off, 8);
        put_le(&p, b->len, 8);
        put_le(&p, mf_crc32(0, b->data, b->len), 4);
        memcpy(buf + data_offset + off, b->data, b->len);
        off += (b->len + MF_ALIGN - 1) / MF_ALIGN * MF_ALIGN;
    }
    put_le(&p, mf_crc32(0, buf, (size_t)(p - buf)), 4);
    *out = buf;
    *len = total;
    return LJ_OK;
}
