#include "evaluate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int train_evaluate(lj_model *m, lj_acts *a, const tokset *s, int T, int B, long max_batches, int32_t *x,
                   int32_t *y, train_eval *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    const lj_model_config *mc = lj_model_get_config(m);
    out->n_heads = mc->num_heads;
    out->nll = NAN;
    size_t nw = tokset_num_windows(s, T);
    if (nw == 0) return LJ_OK;
    int softmax0 = mc->heads[0].kind == LJ_HEAD_SOFTMAX;
    int K = mc->heads[0].size;
    double total = 0.0, count = 0.0, head_total[LJ_MAX_HEADS] = {0}, correct = 0.0;
    size_t batches = 0, tb = (size_t)B * (size_t)T;
    for (size_t w = 0; w < nw; w += (size_t)B) {
        if (max_batches > 0 && batches >= (size_t)max_batches) break;
        for (size_t i = 0; i < tb; i++) x[i] = y[i] = -1; /* unfilled columns: ignored */
        int filled = tokset_window_batch(s, w, T, B, x, y);
        lj_batch b = {.B = B, .T = T, .tokens = x};
        for (int h = 0; h < mc->num_heads; h++)
            if (mc->heads[h].kind == LJ_HEAD_SOFTMAX) b.target_ids[h] = y;
        lj_acts_reset_state(a);
        double loss;
        int rc = lj_model_forward(m, a, &b, NULL, &loss, err, errlen);
        if (rc) return rc;
        /* loss is a mean over the filled columns' targets: weight it by their count */
        double n = (double)filled * T;
        total += loss * n;
        count += n;
        for (int h = 0; h < mc->num_heads; h++) head_total[h] += lj_acts_head_loss(a, h) * n;
        if (softmax0) {
            const float *logits = lj_acts_head_output(a, 0); /* (T,B,K) */
            for (int t = 0; t < T; t++)
                for (int c = 0; c < filled; c++) {
                    const float *row = logits + ((size_t)t * B + c) * K;
                    int best = 0;
                    for (int k = 1; k < K; k++)
                        if (row[k] > row[best]) best = k;
                    correct += best == y[(size_t)t * B + c];
                }
        }
        out->windows += (size_t)filled;
        batches++;
    }
    out->nll = total / count;
    for (int h = 0; h < mc->num_heads; h++) out->head_nll[h] = head_total[h] / count;
    out->accuracy = correct / count;
    out->tokens = (size_t)count;
    return LJ_OK;
}

int train_evaluate_frames(lj_model *m, const encoding *e, const frameset *s, long max_pieces,
                          train_eval *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    const lj_model_config *mc = lj_model_get_config(m);
    out->n_heads = mc->num_heads;
    out->nll = NAN;
    size_t longest = 0, in = enc_frame_input_dim(e);
    for (size_t p = 0; p < s->n_pieces; p++)
        if (frameset_piece_len(s, p) > longest) longest = frameset_piece_len(s, p);
    if (longest < 1) return LJ_OK;
    int nf = enc_frame_num_fields(e);
    float *x = malloc(longest * in * sizeof *x);
    int32_t *ids[LJ_MAX_HEADS] = {0};
    float *values[LJ_MAX_HEADS] = {0};
    int rc = x ? LJ_OK : LJ_ERR_NOMEM;
    for (int h = 0; h < nf && !rc; h++) {
        const enc_field *f = enc_frame_field(e, h);
        if (f->kind == ENC_FIELD_CLASS) rc = (ids[h] = malloc(longest * sizeof *ids[h])) ? LJ_OK : LJ_ERR_NOMEM;
        else rc = (values[h] = malloc(longest * (size_t)f->width * sizeof *values[h])) ? LJ_OK : LJ_ERR_NOMEM;
    }
    if (rc) rc = lj_fail(err, errlen, rc, "out of memory");
    double total = 0.0, head_total[LJ_MAX_HEADS] = {0};
    size_t frames = 0, pieces = 0;
    for (size_t p = 0; p < s->n_pieces && !rc; p++) {
        if (max_pieces > 0 && pieces >= (size_t)max_pieces) break;
        size_t L = frameset_piece_len(s, p);
        if (L < 1) continue;
        int T = (int)L; /* every frame, the first from a zero input */
        enc_frame_fill_steps(e, frameset_piece(s, p), L, 0, T, 1, 0, x, ids, values);
        lj_acts *a = NULL;
        if ((rc = lj_acts_create(&a, m, 1, T, err, errlen))) break;
        lj_batch b = {.B = 1, .T = T, .features = x};
        for (int h = 0; h < nf; h++) {
            b.target_ids[h] = ids[h];
            b.target_values[h] = values[h];
        }
        double loss;
        rc = lj_model_forward(m, a, &b, NULL, &loss, err, errlen);
        if (!rc) { /* each loss is a mean over the T targets (softmax: over the counted ones) */
            total += loss * T;
            for (int h = 0; h < mc->num_heads; h++) head_total[h] += lj_acts_head_loss(a, h) * T;
            frames += (size_t)T;
            pieces++;
        }
        lj_acts_destroy(a);
    }
    free(x);
    for (int h = 0; h < LJ_MAX_HEADS; h++) {
        free(ids[h]);
        free(values[h]);
    }
    if (rc || !frames) return rc;
    out->nll = total / (double)frames;
    for (int h = 0; h < mc->num_heads; h++) out->head_nll[h] = head_total[h] / (double)frames;
    out->tokens = frames;
    out->windows = pieces;
    return LJ_OK;
}

/* log sigmoid(x) = -log(1 + exp(-x)), without overflow for either sign. */
static double log_sigmoid(double x) { return x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x)); }

int train_evaluate_frames_ensemble(lj_model *const *ms, int n, const encoding *e, const frameset *s,
                                   long max_pieces, train_eval *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    out->n_heads = 1;
    out->nll = NAN;
    if (n < 1 || enc_frame_num_fields(e) != 1 || enc_frame_field(e, 0)->kind != ENC_FIELD_BITS)
        return lj_fail(err, errlen, LJ_ERR_ARG, "an ensemble needs frames of one bits field (pianoroll)");
    for (int i = 0; i < n; i++) {
        const lj_model_config *mc = lj_model_get_config(ms[i]);
        if (mc->num_heads != 1 || mc->heads[0].kind != LJ_HEAD_BERNOULLI)
            return lj_fail(err, errlen, LJ_ERR_ARG, "model %d of the ensemble: an ensemble averages independent "
                           "Bernoulli heads (frame_head: bernoulli), one head per model", i + 1);
    }
    const int K = enc_frame_field(e, 0)->width;
    size_t longest = 0, in = enc_frame_input_dim(e);
    for (size_t p = 0; p < s->n_pieces; p++)
        if (frameset_piece_len(s, p) > longest) longest = frameset_piece_len(s, p);
    if (longest < 1) return LJ_OK;
    float *x = malloc(longest * in * sizeof *x), *v = malloc(longest * (size_t)K * sizeof *v);
    /* per model, log p and log(1 - p) of each key of each step: (n,T,K) */
    double *lp = malloc((size_t)n * longest * (size_t)K * sizeof *lp);
    double *lq = malloc((size_t)n * longest * (size_t)K * sizeof *lq);
    int rc = x && v && lp && lq ? LJ_OK : lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    double total = 0.0;
    size_t frames = 0, pieces = 0;
    const double log_n = log((double)n);
    for (size_t p = 0; p < s->n_pieces && !rc; p++) {
        if (max_pieces > 0 && pieces >= (size_t)max_pieces) break;
        size_t L = frameset_piece_len(s, p);
        if (L < 1) continue;
        int T = (int)L; /* every frame, the first from a zero input (as train_evaluate_frames) */
        int32_t *no_ids[LJ_MAX_HEADS] = {0};
        float *values[LJ_MAX_HEADS] = {v};
        enc_frame_fill_steps(e, frameset_piece(s, p), L, 0, T, 1, 0, x, no_ids, values);
        lj_batch b = {.B = 1, .T = T, .features = x};
        b.target_values[0] = v;
        for (int i = 0; i < n && !rc; i++) {
            lj_acts *a = NULL;
            double loss;
            if ((rc = lj_acts_create(&a, ms[i], 1, T, err, errlen))) break;
            rc = lj_model_forward(ms[i], a, &b, NULL, &loss, err, errlen);
            const float *logits = lj_acts_head_output(a, 0); /* (T,1,K) */
            for (size_t j = 0; !rc && j < (size_t)T * (size_t)K; j++) {
                lp[(size_t)i * longest * K + j] = log_sigmoid(logits[j]);
                lq[(size_t)i * longest * K + j] = log_sigmoid(-(double)logits[j]);
            }
            lj_acts_destroy(a);
        }
        if (rc) break;
        for (size_t j = 0; j < (size_t)T * (size_t)K; j++) {
            const double *src = v[j] > 0.5f ? lp : lq; /* log of the probability of what happened */
            double mx = -INFINITY, sum = 0.0;
            for (int i = 0; i < n; i++) mx = fmax(mx, src[(size_t)i * longest * K + j]);
            for (int i = 0; i < n; i++) sum += exp(src[(size_t)i * longest * K + j] - mx);
            total -= mx + log(sum) - log_n;
        }
        frames += (size_t)T;
        pieces++;
    }
    free(x);
    free(v);
    free(lp);
    free(lq);
    if (rc || !frames) return rc;
    out->nll = out->head_nll[0] = total / (double)frames;
    out->tokens = frames;
    out->windows = pieces;
    return LJ_OK;
}
