#include "trace.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "modelfile.h"
#include "modelio.h"

struct train_trace {
    char path[TRAIN_PATH_MAX + 32];
    mf_writer *w;      /* holds the initial model, the settings and the data */
    int B;
    int32_t *offsets;  /* (steps, B) */
    float *lr;         /* (steps) */
    size_t steps, cap; /* steps recorded, room for cap */
};

static const char *optim_name(train_optim_kind k) {
    static const char *names[] = {"sgd", "adam", "adamw", "adamax", "rmsprop"};
    return (int)k >= 0 && (int)k < 5 ? names[k] : "?";
}

static int add_i32(mf_writer *w, const char *name, const int32_t *v, size_t n) {
    uint32_t dims[1] = {(uint32_t)n};
    int32_t zero = 0; /* an empty split: dims 0, and memcpy still wants a valid pointer */
    return mf_add_tensor(w, name, MF_I32, 1, dims, n ? (const void *)v : &zero);
}

static int add_frames(mf_writer *w, const char *split, const frameset *s, const encoding *e) {
    char name[64];
    size_t in = enc_frame_input_dim(e), n = s->n_frames;
    float *inputs = malloc((n ? n : 1) * in * sizeof *inputs);
    if (!inputs) return LJ_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) enc_frame_input(e, s->values + i * s->dim, inputs + i * in);
    uint32_t dims[2] = {(uint32_t)n, (uint32_t)in};
    snprintf(name, sizeof name, "data.%s.inputs", split);
    int rc = mf_add_tensor(w, name, MF_F32, 2, dims, inputs);
    free(inputs);
    dims[1] = (uint32_t)s->dim;
    snprintf(name, sizeof name, "data.%s.frames", split);
    if (!rc) rc = mf_add_tensor(w, name, MF_F32, 2, dims, n ? s->values : (const float[1]){0});
    if (!rc) { /* where pieces start: a piece's first frame is predicted from a zero input */
        int32_t *start = malloc((s->n_pieces ? s->n_pieces : 1) * sizeof *start);
        if (!start) return LJ_ERR_NOMEM;
        for (size_t p = 0; p < s->n_pieces; p++) start[p] = (int32_t)s->start[p];
        snprintf(name, sizeof name, "data.%s.starts", split);
        rc = add_i32(w, name, start, s->n_pieces);
        free(start);
    }
    return rc;
}

int train_trace_begin(train_trace **out, const char *path, const train_config *cfg, const lj_model *m,
                      const train_dataset *d, char *err, size_t errlen) {
    *out = NULL;
    if (cfg->dropout > 0 || cfg->input_dropout > 0)
        return lj_fail(err, errlen, LJ_ERR_ARG, "--trace: the config has dropout %g, input dropout %g: a trace is "
                       "for runs without dropout (its masks are lstmjam's own draws); set model.dropout to 0",
                       cfg->dropout, cfg->input_dropout);
    if (cfg->ema > 0)
        return lj_fail(err, errlen, LJ_ERR_ARG, "--trace: optimizer.ema %g: validation then scores averaged "
                       "weights, which the PyTorch side does not model; trace without ema", cfg->ema);
    if (cfg->train_on_pieces)
        return lj_fail(err, errlen, LJ_ERR_ARG, "--trace: train_on (line %d): pieces is not traced; a trace "
                       "records window batches (train_on: windows)", cfg->train_on_line);
    const int frames = d->kind == TRAIN_DATA_FRAMES;
    const size_t n_train = frames ? d->frame_split[TRAIN_SPLIT_TRAIN].n_frames : d->split[TRAIN_SPLIT_TRAIN].n_ids;
    if (n_train > INT32_MAX)
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "--trace: %zu train %s, more than the int32 offsets hold", n_train,
                       frames ? "frames" : "tokens");
    train_trace *t = calloc(1, sizeof *t);
    if (!t) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    snprintf(t->path, sizeof t->path, "%s", path);
    t->B = cfg->batch;
    int rc = (t->w = mf_writer_create()) ? LJ_OK : LJ_ERR_NOMEM;
    if (!rc) rc = modelio_add_model(t->w, m, cfg->encoding, train_dataset_vocab(d), 0);
    if (!rc) rc = modelio_add_encoding_options(t->w, d->options);
    char text[1024];
    snprintf(text, sizeof text,
             "kind %s\nseq_len %d\nbatch %d\neval_every %ld\neval_batches %ld\noptimizer %s\nbeta1 %.9g\n"
             "beta2 %.9g\neps %.9g\nweight_decay %.9g\nmomentum %.9g\nclip_norm %.9g\ndropout %.9g\n"
             "input_dropout %.9g\n",
             frames ? "frames" : "tokens", cfg->seq_len, cfg->batch, cfg->eval_every, cfg->eval_batches,
             optim_name(cfg->optim), cfg->beta1, cfg->beta2, cfg->eps, cfg->weight_decay, cfg->momentum,
             cfg->clip_norm, cfg->dropout, cfg->input_dropout);
    if (!rc) rc = mf_add_meta(t->w, "trace.config", text, strlen(text));
    if (frames) {
        const encoding *e = d->enc;
        if (!rc) rc = add_frames(t->w, "train", &d->frame_split[TRAIN_SPLIT_TRAIN], e);
        if (!rc) rc = add_frames(t->w, "valid", &d->frame_split[TRAIN_SPLIT_VALID], e);
        int32_t off[LJ_MAX_HEADS];
        for (int h = 0; h < enc_frame_num_fields(e); h++) off[h] = enc_frame_field(e, h)->offset;
        if (!rc) rc = add_i32(t->w, "data.field_offsets", off, (size_t)enc_frame_num_fields(e));
    } else {
        const tokset *tr = &d->split[TRAIN_SPLIT_TRAIN], *va = &d->split[TRAIN_SPLIT_VALID];
        if (!rc) rc = add_i32(t->w, "data.train.ids", tr->ids, tr->n_ids);
        if (!rc) rc = add_i32(t->w, "data.valid.ids", va->ids, va->n_ids);
    }
    if (rc) {
        train_trace_destroy(t);
        return lj_fail(err, errlen, rc, "%s: cannot build the trace: %s", path, lj_strerror(rc));
    }
    *out = t;
    return LJ_OK;
}

int train_trace_step(train_trace *t, const size_t *offsets, float lr, char *err, size_t errlen) {
    if (t->steps == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        int32_t *o = realloc(t->offsets, cap * (size_t)t->B * sizeof *o);
        if (!o) return lj_fail(err, errlen, LJ_ERR_NOMEM, "--trace: out of memory");
        t->offsets = o;
        float *l = realloc(t->lr, cap * sizeof *l);
        if (!l) return lj_fail(err, errlen, LJ_ERR_NOMEM, "--trace: out of memory");
        t->lr = l;
        t->cap = cap;
    }
    for (int b = 0; b < t->B; b++) t->offsets[t->steps * (size_t)t->B + (size_t)b] = (int32_t)offsets[b];
    t->lr[t->steps++] = lr;
    return LJ_OK;
}

int train_trace_finish(train_trace *t, char *err, size_t errlen) {
    uint32_t dims[2] = {(uint32_t)t->steps, (uint32_t)t->B};
    int32_t zero = 0;
    int rc = mf_add_tensor(t->w, "batch.offsets", MF_I32, 2, dims, t->steps ? (const void *)t->offsets : &zero);
    if (!rc) rc = mf_add_tensor(t->w, "batch.lr", MF_F32, 1, dims, t->steps ? (const void *)t->lr : &zero);
    if (rc) return lj_fail(err, errlen, rc, "%s: cannot build the trace: %s", t->path, lj_strerror(rc));
    uint8_t *bytes = NULL;
    size_t len = 0;
    if ((rc = mf_writer_finish(t->w, &bytes, &len, err, errlen))) return rc;
    rc = lj_file_write_atomic(t->path, bytes, len, err, errlen);
    free(bytes);
    return rc;
}

void train_trace_destroy(train_trace *t) {
    if (!t) return;
    mf_writer_destroy(t->w);
    free(t->offsets);
    free(t->lr);
    free(t);
}
