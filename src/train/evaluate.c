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

/* frame f of piece (L,K) moved up by `shift` keys into out (L,K): key k of out
 * is key k - shift of the piece; notes moved off the K keys are dropped and
 * counted in *dropped. */
static void transpose_frames(const float *piece, size_t L, int K, int shift, float *out, size_t *dropped) {
    for (size_t t = 0; t < L; t++) {
        const float *src = piece + t * (size_t)K;
        float *dst = out + t * (size_t)K;
        for (int k = 0; k < K; k++) {
            int from = k - shift;
            dst[k] = from >= 0 && from < K ? src[from] : 0.0f;
        }
        for (int k = 0; k < K; k++)
            if (src[k] > 0.5f && (k + shift < 0 || k + shift >= K)) (*dropped)++;
    }
}

int train_evaluate_frames_ensemble(lj_model *const *ms, int n, const int *shift_lo, const int *shift_hi,
                                   const encoding *e, const frameset *s, long max_pieces, train_eval *out, char *err,
                                   size_t errlen) {
    memset(out, 0, sizeof *out);
    out->n_heads = 1;
    out->nll = NAN;
    if (n < 1 || enc_frame_num_fields(e) != 1 || enc_frame_field(e, 0)->kind != ENC_FIELD_BITS ||
        enc_frame_dim(e) != (size_t)enc_frame_field(e, 0)->width)
        return lj_fail(err, errlen, LJ_ERR_ARG, "an ensemble needs frames of one bits field (pianoroll)");
    int n_runs = 0;
    for (int i = 0; i < n; i++) {
        const lj_model_config *mc = lj_model_get_config(ms[i]);
        if (mc->num_heads != 1 || mc->heads[0].kind != LJ_HEAD_BERNOULLI)
            return lj_fail(err, errlen, LJ_ERR_ARG, "model %d of the ensemble: an ensemble averages independent "
                           "Bernoulli heads (frame_head: bernoulli), one head per model", i + 1);
        int lo = shift_lo ? shift_lo[i] : 0, hi = shift_hi ? shift_hi[i] : 0;
        if (lo > 0 || hi < 0)
            return lj_fail(err, errlen, LJ_ERR_ARG, "model %d of the ensemble: transpositions %d:%d, expected LO <= "
                           "0 <= HI (the piece as it is is always one of the runs)", i + 1, lo, hi);
        n_runs += hi - lo + 1;
    }
    const int K = enc_frame_field(e, 0)->width;
    size_t longest = 0, in = enc_frame_input_dim(e);
    for (size_t p = 0; p < s->n_pieces; p++)
        if (frameset_piece_len(s, p) > longest) longest = frameset_piece_len(s, p);
    if (longest < 1) return LJ_OK;
    const size_t TK = longest * (size_t)K;
    float *x = malloc(longest * in * sizeof *x), *v = malloc(TK * sizeof *v);
    float *moved = malloc(TK * sizeof *moved), *moved_v = malloc(TK * sizeof *moved_v);
    /* per run (model i's runs after model i-1's, shift lo..hi), log p and
     * log(1 - p) of each key of each step in the piece's own keys (the run's
     * key k + shift): (n_runs,T,K); per model, log of its mean over its runs
     * of the probability of what happened: (n,) */
    double *lp = malloc((size_t)n_runs * TK * sizeof *lp);
    double *lq = malloc((size_t)n_runs * TK * sizeof *lq);
    double *model_log = malloc((size_t)n * sizeof *model_log);
    int rc = x && v && moved && moved_v && lp && lq && model_log
                 ? LJ_OK
                 : lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    double total = 0.0;
    size_t frames = 0, pieces = 0;
    const double log_n = log((double)n);
    for (size_t p = 0; p < s->n_pieces && !rc; p++) {
        if (max_pieces > 0 && pieces >= (size_t)max_pieces) break;
        size_t L = frameset_piece_len(s, p);
        if (L < 1) continue;
        int T = (int)L; /* every frame, the first from a zero input (as train_evaluate_frames) */
        int32_t *no_ids[LJ_MAX_HEADS] = {0};
        float *values[LJ_MAX_HEADS] = {v}, *moved_values[LJ_MAX_HEADS] = {moved_v};
        enc_frame_fill_steps(e, frameset_piece(s, p), L, 0, T, 1, 0, x, no_ids, values); /* v: the targets */
        int run = 0;
        for (int i = 0; i < n && !rc; i++) {
            const int lo = shift_lo ? shift_lo[i] : 0, hi = shift_hi ? shift_hi[i] : 0;
            for (int shift = lo; shift <= hi && !rc; shift++, run++) {
                transpose_frames(frameset_piece(s, p), L, K, shift, moved, &out->notes_dropped);
                /* the run's inputs and targets both from the moved piece */
                enc_frame_fill_steps(e, moved, L, 0, T, 1, 0, x, no_ids, moved_values);
                lj_batch b = {.B = 1, .T = T, .features = x};
                b.target_values[0] = moved_v;
                lj_acts *a = NULL;
                double loss;
                if ((rc = lj_acts_create(&a, ms[i], 1, T, err, errlen))) break;
                rc = lj_model_forward(ms[i], a, &b, NULL, &loss, err, errlen);
                const float *logits = lj_acts_head_output(a, 0); /* (T,1,K), in the moved keys */
                double *rp = lp + (size_t)run * TK, *rq = lq + (size_t)run * TK;
                for (size_t t = 0; !rc && t < (size_t)T; t++)
                    for (int k = 0; k < K; k++) { /* the piece's key k is the run's key k + shift */
                        int km = k + shift;
                        if (km < 0 || km >= K) continue; /* off the keyboard in this run: not averaged */
                        double l = logits[t * (size_t)K + (size_t)km];
                        rp[t * (size_t)K + (size_t)k] = log_sigmoid(l);
                        rq[t * (size_t)K + (size_t)k] = log_sigmoid(-l);
                    }
                lj_acts_destroy(a);
            }
        }
        if (rc) break;
        for (size_t t = 0; t < (size_t)T; t++)
            for (int k = 0; k < K; k++) {
                size_t j = t * (size_t)K + (size_t)k;
                const double *src = v[j] > 0.5f ? lp : lq; /* log of the probability of what happened */
                double mx_all = -INFINITY;
                int first = 0;
                for (int i = 0; i < n; i++) { /* model i: log of the mean over its runs that have key k */
                    const int lo = shift_lo ? shift_lo[i] : 0, hi = shift_hi ? shift_hi[i] : 0;
                    double mx = -INFINITY, sum = 0.0;
                    for (int shift = lo; shift <= hi; shift++)
                        if (k + shift >= 0 && k + shift < K) mx = fmax(mx, src[(size_t)(first + shift - lo) * TK + j]);
                    int used = 0;
                    for (int shift = lo; shift <= hi; shift++)
                        if (k + shift >= 0 && k + shift < K) {
                            sum += exp(src[(size_t)(first + shift - lo) * TK + j] - mx);
                            used++;
                        }
                    model_log[i] = mx + log(sum) - log((double)used);
                    mx_all = fmax(mx_all, model_log[i]);
                    first += hi - lo + 1;
                }
                double sum = 0.0;
                for (int i = 0; i < n; i++) sum += exp(model_log[i] - mx_all);
                total -= mx_all + log(sum) - log_n;
            }
        frames += (size_t)T;
        pieces++;
    }
    free(x);
    free(v);
    free(moved);
    free(moved_v);
    free(lp);
    free(lq);
    free(model_log);
    if (rc || !frames) return rc;
    out->nll = out->head_nll[0] = total / (double)frames;
    out->tokens = frames;
    out->windows = pieces;
    return LJ_OK;
}

int train_parse_shift_range(const char *text, int *lo, int *hi) {
    char *end;
    long a = strtol(text, &end, 10), b;
    if (end == text) return -1;
    if (*end == ':') {
        const char *second = end + 1;
        b = strtol(second, &end, 10);
        if (end == second) return -1;
    } else {
        b = a;
        a = -a;
    }
    if (*end || a < -12 || a > 0 || b < 0 || b > 12) return -1;
    *lo = (int)a;
    *hi = (int)b;
    return 0;
}
