/* test_model_golden_io.h: reader for the golden files written by
 * tests/ref/make_golden.py (format described there). Used by the model tests. */
#ifndef TEST_MODEL_GOLDEN_IO_H
#define TEST_MODEL_GOLDEN_IO_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct golden_rec {
    char name[96];  /* record name, e.g. "grad.lstm.weight_ih_l0" */
    int dtype;      /* 0 float32, 1 int32 */
    int ndim;       /* dims used */
    int dims[4];    /* shape */
    size_t numel;   /* element count */
    void *data;     /* numel floats or int32s */
} golden_rec;

typedef struct golden {
    int count;          /* records */
    golden_rec *recs;   /* count records */
} golden;

static inline void golden_free(golden *g) {
    for (int i = 0; i < g->count; i++) free(g->recs[i].data);
    free(g->recs);
    g->recs = NULL;
    g->count = 0;
}

static inline int golden_u32(FILE *f, uint32_t *v) {
    unsigned char b[4];
    if (fread(b, 1, 4, f) != 4)
        return -1;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 0;
}

/* Loads path; returns 0, or -1 with a message printed. Assumes a
 * little-endian host for the element data (x86-64, as the project). */
static inline int golden_load(golden *g, const char *path) {
    memset(g, 0, sizeof *g);
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("%s: cannot open\n", path);
        return -1;
    }
    char magic[8];
    uint32_t count;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "LJGOLD1", 8) != 0 || golden_u32(f, &count) ||
        count > 10000) {
        printf("%s: not a golden file\n", path);
        fclose(f);
        return -1;
    }
    g->recs = calloc(count, sizeof(golden_rec));
    for (uint32_t i = 0; g->recs && i < count; i++) {
        golden_rec *r = &g->recs[i];
        uint32_t len, dtype, ndim, d;
        if (golden_u32(f, &len) || len >= sizeof r->name || fread(r->name, 1, len, f) != len ||
            golden_u32(f, &dtype) || golden_u32(f, &ndim) || ndim > 4 || dtype > 1)
            goto bad;
        r->dtype = (int)dtype;
        r->ndim = (int)ndim;
        r->numel = 1;
        for (uint32_t k = 0; k < ndim; k++) {
            if (golden_u32(f, &d) || d > (1u << 24))
                goto bad;
            r->dims[k] = (int)d;
            r->numel *= d;
        }
        r->data = malloc(r->numel * 4 + 4);
        g->count++;
        if (!r->data || fread(r->data, 4, r->numel, f) != r->numel)
            goto bad;
    }
    fclose(f);
    return g->recs ? 0 : -1;
bad:
    printf("%s: truncated or corrupt record %d\n", path, g->count);
    fclose(f);
    golden_free(g);
    return -1;
}

static inline const golden_rec *golden_find(const golden *g, const char *name) {
    for (int i = 0; i < g->count; i++)
        if (strcmp(g->recs[i].name, name) == 0)
            return &g->recs[i];
    return NULL;
}

#endif
