#include "evaluate.h"

#include <math.h>
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
