/* frame_sampler: the next frame of a frame model from its heads (see frame_sampler.h). */
#include "frame_sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct frame_sampler {
    const lj_model *m;  /* not owned */
    const encoding *e;  /* not owned */
    int n_fields;
    int pitch_field;    /* index of the CLASS field "pitch", or -1 */
    int max_classes;    /* widest CLASS field */
    int max_bits;       /* widest BITS field */
    int has_classes;    /* some field is a CLASS */
    uint8_t *own_allowed; /* (width of the pitch field) create's mask, copied, or NULL */
    const uint8_t *allowed; /* the mask in force: own_allowed, frame_sampler_set_pitch_mask's, or NULL */
    float *work;        /* (max_classes) processed logits */
    float *probs;       /* (max_classes) lj_sample scratch */
    int *idx;           /* (max_classes) lj_sample scratch */
    float *bits;        /* (max_bits) one drawn BITS field */
    float *input;       /* (enc_frame_input_dim) the model input of a frame */
};

static const char *head_kind_name(lj_head_kind k) {
    switch (k) {
    case LJ_HEAD_SOFTMAX: return "softmax";
    case LJ_HEAD_MSE: return "MSE";
    case LJ_HEAD_BERNOULLI: return "Bernoulli";
    case LJ_HEAD_NADE: return "NADE";
    }
    return "?";
}

int frame_sampler_check(const lj_model *m, const encoding *e, char *err, size_t errlen) {
    const lj_model_config *c = lj_model_get_config(m);
    if (enc_kind_of(e) != ENC_KIND_FRAMES)
        return lj_fail(err, errlen, LJ_ERR_ARG, "the %s encoding is not a frame encoding", enc_name(e));
    if (c->input_kind != LJ_INPUT_DENSE || (size_t)c->input_size != enc_frame_input_dim(e))
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "expected a model reading %zu dense features (a %s frame), found %s input of size %d",
                       enc_frame_input_dim(e), enc_name(e), c->input_kind == LJ_INPUT_DENSE ? "dense" : "token",
                       c->input_size);
    int nf = enc_frame_num_fields(e);
    if (c->num_heads != nf)
        return lj_fail(err, errlen, LJ_ERR_ARG, "expected %d heads (one per %s field), found %d", nf, enc_name(e),
                       c->num_heads);
    for (int h = 0; h < nf; h++) {
        const enc_field *f = enc_frame_field(e, h);
        const lj_head_config *hc = &c->heads[h];
        int kind_ok = f->kind == ENC_FIELD_CLASS   ? hc->kind == LJ_HEAD_SOFTMAX
                      : f->kind == ENC_FIELD_VALUE ? hc->kind == LJ_HEAD_MSE
                                                   : hc->kind == LJ_HEAD_BERNOULLI || hc->kind == LJ_HEAD_NADE;
        if (strcmp(f->name, hc->name) || f->width != hc->size || !kind_ok)
            return lj_fail(err, errlen, LJ_ERR_ARG,
                           "head %d: expected '%s' of width %d for the %s field, found '%s', a %s head of %d", h,
                           f->name, f->width, enc_name(e), hc->name, head_kind_name(hc->kind), hc->size);
    }
    return LJ_OK;
}

void frame_sampler_destroy(frame_sampler *fs) {
    if (!fs) return;
    free(fs->own_allowed);
    free(fs->work);
    free(fs->probs);
    free(fs->idx);
    free(fs->bits);
    free(fs->input);
    free(fs);
}

int frame_sampler_create(frame_sampler **out, const lj_model *m, const encoding *e, const uint8_t *allowed,
                         char *err, size_t errlen) {
    *out = NULL;
    int rc = frame_sampler_check(m, e, err, errlen);
    if (rc) return rc;
    frame_sampler *fs = calloc(1, sizeof *fs);
    if (!fs) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    fs->m = m;
    fs->e = e;
    fs->n_fields = enc_frame_num_fields(e);
    fs->pitch_field = -1;
    for (int h = 0; h < fs->n_fields; h++) {
        const enc_field *f = enc_frame_field(e, h);
        if (f->kind == ENC_FIELD_CLASS) {
            fs->has_classes = 1;
            if (f->width > fs->max_classes) fs->max_classes = f->width;
            if (!strcmp(f->name, "pitch")) fs->pitch_field = h;
        } else if (f->kind == ENC_FIELD_BITS && f->width > fs->max_bits) {
            fs->max_bits = f->width;
        }
    }
    if (allowed) {
        if (fs->pitch_field < 0) {
            frame_sampler_destroy(fs);
            return lj_fail(err, errlen, LJ_ERR_ARG,
                           "the %s encoding has no pitch field to mask (its notes are drawn key by key)",
                           enc_name(e));
        }
        size_t w = (size_t)enc_frame_field(e, fs->pitch_field)->width;
        int any = 0;
        for (size_t k = 0; k < w; k++) any |= allowed[k] != 0;
        if (!any) {
            frame_sampler_destroy(fs);
            return lj_fail(err, errlen, LJ_ERR_ARG, "the pitch mask allows no pitch");
        }
        if ((fs->own_allowed = malloc(w))) memcpy(fs->own_allowed, allowed, w);
        fs->allowed = fs->own_allowed;
    }
    size_t K = (size_t)(fs->max_classes ? fs->max_classes : 1);
    fs->work = malloc(K * sizeof *fs->work);
    fs->probs = malloc(K * sizeof *fs->probs);
    fs->idx = malloc(K * sizeof *fs->idx);
    fs->bits = malloc((size_t)(fs->max_bits ? fs->max_bits : 1) * sizeof *fs->bits);
    fs->input = malloc(enc_frame_input_dim(e) * sizeof *fs->input);
    if (!fs->work || !fs->probs || !fs->idx || !fs->bits || !fs->input || (allowed && !fs->allowed)) {
        frame_sampler_destroy(fs);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    }
    *out = fs;
    return LJ_OK;
}

int frame_sampler_has_classes(const frame_sampler *fs) { return fs->has_classes; }

int frame_sampler_set_pitch_mask(frame_sampler *fs, const uint8_t *allowed) {
    if (fs->pitch_field < 0) return 0;
    fs->allowed = allowed;
    return allowed != NULL;
}

/* log softmax(work)[k] at temperature 1 (-INFINITY stays out of the sum). */
static double log_prob(const float *work, int K, int k) {
    float mx = work[lj_argmax(work, K)];
    double z = 0.0;
    for (int i = 0; i < K; i++) z += exp((double)work[i] - mx);
    return (double)work[k] - mx - log(z);
}

void frame_sampler_draw(frame_sampler *fs, lstm_state *st, const lj_sampler *smp, lj_rng *rng, float *frame,
                        double *logp) {
    frame_sampler_draw_observed(fs, st, smp, rng, NULL, frame, logp);
}

void frame_sampler_draw_observed(frame_sampler *fs, lstm_state *st, const lj_sampler *smp, lj_rng *rng,
                                 const signed char *observed, float *frame, double *logp) {
    double lp = 0.0;
    for (int h = 0; h < fs->n_fields; h++) {
        const enc_field *f = enc_frame_field(fs->e, h);
        const float *out = lstm_state_head_output(st, h);
        if (f->kind == ENC_FIELD_CLASS) {
            memcpy(fs->work, out, (size_t)f->width * sizeof *fs->work);
            if (h == fs->pitch_field && fs->allowed) lj_logits_mask(fs->work, f->width, fs->allowed);
            int k = lj_sample(smp, fs->work, f->width, rng, fs->probs, fs->idx);
            frame[f->offset] = (float)k;
            lp += log_prob(fs->work, f->width, k);
        } else if (f->kind == ENC_FIELD_VALUE) {
            for (int k = 0; k < f->width; k++) {
                float v = out[k];
                frame[f->offset + k] = v > 0.0f ? v : 0.0f; /* NaN and negatives: 0 */
            }
        } else {
            float bl = 0.0f;
            lstm_state_sample_frame_observed(fs->m, st, h, smp->temperature, rng, observed, fs->bits,
                                             &bl); /* head h is checked */
            memcpy(frame + f->offset, fs->bits, (size_t)f->width * sizeof *frame);
            lp += (double)bl;
        }
    }
    if (logp) *logp = lp;
}

void frame_sampler_feed(frame_sampler *fs, lstm_state *st, const float *frame) {
    size_t n = enc_frame_input_dim(fs->e);
    if (frame) enc_frame_input(fs->e, frame, fs->input);
    else memset(fs->input, 0, n * sizeof *fs->input);
    lstm_step(fs->m, st, NULL, fs->input);
}
