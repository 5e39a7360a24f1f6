/* bench_bf16: what bfloat16 step weights cost in likelihood and gain in time.
 *
 *   bench_bf16 CONFIG.yaml MODEL.lstm [max_windows]
 *
 * Rebuilds the validation split of a chars training config exactly as the
 * trainer does (train_dataset_build: the same split), then runs a trained model
 * over every validation window (seq_len tokens, state reset per window) with
 * lstm_step at batch 1, once on float32 packed weights and once on bfloat16,
 * and prints the mean negative log-likelihood per token of both (nats and
 * bits), their difference, the largest logit difference, and the p50 step
 * time of each. The unpacked path (plain sgemv) is the float32 reference the
 * packed one is compared with as well. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "modelio.h"
#include "dataset.h"
#include "train_config.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

typedef struct eval_result {
    double nll;       /* mean -log p(target) per token, nats */
    double p50_us;    /* median step time */
    size_t tokens;    /* tokens scored */
} eval_result;

/* Runs windows [0, nw) of valid; logits_out (tokens x V) keeps every step's
 * logits for the comparison between precisions. */
static eval_result evaluate(lj_model *m, const tokset *valid, int T, size_t nw, float *logits_out,
                            const char *want_path) {
    char err[256];
    const lj_model_config *c = lj_model_get_config(m);
    int V = c->heads[0].size;
    lstm_state *s = NULL;
    if (lstm_state_create(&s, m, 1, err, sizeof err)) {
        fprintf(stderr, "bench_bf16: %s\n", err);
        exit(1);
    }
    if (want_path && strcmp(lstm_step_path(m, s), want_path) != 0) {
        fprintf(stderr, "bench_bf16: step path %s, expected %s\n", lstm_step_path(m, s),
                want_path);
        exit(1);
    }
    int32_t *x = malloc((size_t)T * sizeof *x), *y = malloc((size_t)T * sizeof *y);
    double *times = malloc(nw * (size_t)T * sizeof *times), total = 0;
    size_t n = 0;
    for (size_t w = 0; w < nw; w++) {
        if (tokset_window_batch(valid, w, T, 1, x, y) != 1)
            break;
        lstm_state_reset(s);
        for (int t = 0; t < T; t++) {
            double t0 = now();
            lstm_step(m, s, &x[t], NULL);
            times[n] = now() - t0;
            const float *z = lstm_state_head_output(s, 0);
            memcpy(logits_out + n * (size_t)V, z, (size_t)V * sizeof(float));
            double mx = z[0], sum = 0;
            for (int k = 1; k < V; k++) mx = z[k] > mx ? z[k] : mx;
            for (int k = 0; k < V; k++) sum += exp(z[k] - mx);
            total += log(sum) + mx - z[y[t]];
            n++;
        }
    }
    qsort(times, n, sizeof *times, cmp_double);
    eval_result r = {n ? total / n : 0, n ? times[n / 2] * 1e6 : 0, n};
    free(times);
    free(x);
    free(y);
    lstm_state_destroy(s);
    return r;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_bf16 CONFIG.yaml MODEL.lstm [max_windows]\n");
        return 2;
    }
    char err[512];
    train_config cfg;
    if (train_config_load(argv[1], &cfg, err, sizeof err)) {
        fprintf(stderr, "bench_bf16: %s\n", err);
        return 1;
    }
    train_dataset d;
    train_dataset_opts dopts = {1, NULL};
    if (train_dataset_build(&cfg, &dopts, &d, err, sizeof err)) {
        fprintf(stderr, "bench_bf16: %s\n", err);
        return 1;
    }
    const tokset valid = d.split[TRAIN_SPLIT_VALID];
    lj_model *m = NULL;
    char enc[MODELIO_ENCODING_MAX];
    vocab *mv = NULL;
    if (modelio_load(argv[2], &m, enc, &mv, err, sizeof err)) {
        fprintf(stderr, "bench_bf16: %s\n", err);
        return 1;
    }
    const lj_model_config *c = lj_model_get_config(m);
    if (c->heads[0].kind != LJ_HEAD_SOFTMAX || c->input_kind == LJ_INPUT_DENSE) {
        fprintf(stderr, "bench_bf16: needs a token model with a softmax head\n");
        return 1;
    }
    int T = (int)cfg.seq_len;
    size_t nw = tokset_num_windows(&valid, T);
    if (argc > 3 && (size_t)atol(argv[3]) < nw)
        nw = (size_t)atol(argv[3]);
    int V = c->heads[0].size;
    size_t cap = nw * (size_t)T * V;
    float *l_unp = malloc(cap * sizeof(float)), *l_f32 = malloc(cap * sizeof(float)),
          *l_bf16 = malloc(cap * sizeof(float));
    if (!l_unp || !l_f32 || !l_bf16)
        return 1;

    char f32_path[64];
    snprintf(f32_path, sizeof f32_path, "packed-f32-%s", lj_isa_name(lj_model_get_isa(m)));
    eval_result rf = evaluate(m, &valid, T, nw, l_f32, f32_path); /* packs as f32 */
    /* unpacked reference: make the pack stale after the state exists */
    lstm_state *su = NULL;
    lstm_state_create(&su, m, 1, err, sizeof err);
    lj_model_params_changed(m);
    {
        int32_t *x = malloc((size_t)T * sizeof *x), *y = malloc((size_t)T * sizeof *y);
        size_t n = 0;
        for (size_t w = 0; w < nw && tokset_window_batch(&valid, w, T, 1, x, y) == 1; w++) {
            lstm_state_reset(su);
            for (int t = 0; t < T; t++, n++) {
                lstm_step(m, su, &x[t], NULL);
                memcpy(l_unp + n * (size_t)V, lstm_state_head_output(su, 0), (size_t)V * 4);
            }
        }
        free(x);
        free(y);
    }
    lstm_state_destroy(su);
    if (lj_model_prepare_step(m, LJ_STEP_BF16, err, sizeof err)) {
        fprintf(stderr, "bench_bf16: %s\n", err);
        return 1;
    }
    char want[64];
    snprintf(want, sizeof want, "packed-bf16-%s", lj_isa_name(lj_model_get_isa(m)));
    eval_result rb = evaluate(m, &valid, T, nw, l_bf16, want);
    double d_f32 = 0, d_bf16 = 0;
    size_t n = rf.tokens * (size_t)V;
    for (size_t i = 0; i < n; i++) {
        d_f32 = fmax(d_f32, fabs((double)l_f32[i] - l_unp[i]));
        d_bf16 = fmax(d_bf16, fabs((double)l_bf16[i] - l_f32[i]));
    }
    printf("model %s: %zu parameters, %zu validation windows of %d tokens (%zu tokens)\n",
           argv[2], lj_model_num_params(m), nw, T, rf.tokens);
    printf("f32  (%s): NLL %.6f nats/token (%.6f bits), step p50 %.1f us\n", f32_path, rf.nll,
           rf.nll / log(2.0), rf.p50_us);
    printf("bf16 (%s): NLL %.6f nats/token (%.6f bits), step p50 %.1f us\n", want, rb.nll,
           rb.nll / log(2.0), rb.p50_us);
    printf("bf16 - f32: %+.6f nats/token (%+.4f%%); max |logit diff| f32 packed vs unpacked "
           "%.2e, bf16 vs f32 %.2e\n",
           rb.nll - rf.nll, 100.0 * (rb.nll - rf.nll) / rf.nll, d_f32, d_bf16);
    free(l_unp);
    free(l_f32);
    free(l_bf16);
    lj_model_destroy(m);
    vocab_destroy(mv);
    train_dataset_free(&d);
    return 0;
}
