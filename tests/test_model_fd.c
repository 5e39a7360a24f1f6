/* Finite-difference checks of every layer and head, in double precision.
 *
 * The _f64 kernels are the same source as the float ones (model/lj_real.h), so
 * this checks the code that trains. For each kernel a scalar loss is built
 * (a random projection of the outputs, or the head's own loss), the analytic
 * gradient comes from the backward kernel, and every input and parameter
 * element is perturbed by +-eps (central differences). Verdict: the tensor's
 * max |analytic - numeric| / max |numeric| must stay below 1e-6 (central
 * differences in double at eps 1e-5 are good to ~1e-9 here; a wrong term in a
 * backward pass shows as 1e-1..1e0). */
#include "kernels.h"
#include "test_model_util.h"

#include <string.h>

#define FD_EPS 1e-5
#define FD_TOL 1e-6

typedef double (*loss_fn)(void *ctx);

/* Compares grad (n) with central differences of loss() w.r.t. param (n). */
static void fd_check(const char *what, loss_fn loss, void *ctx, double *param,
                     const double *grad, size_t n) {
    double num = 0, den = 1e-12;
    for (size_t i = 0; i < n; i++) {
        double keep = param[i];
        param[i] = keep + FD_EPS;
        double lp = loss(ctx);
        param[i] = keep - FD_EPS;
        double lm = loss(ctx);
        param[i] = keep;
        double numeric = (lp - lm) / (2 * FD_EPS);
        double d = fabs(numeric - grad[i]);
        if (d > num || d != d)
            num = d;
        if (fabs(numeric) > den)
            den = fabs(numeric);
    }
    double rel = num / den;
    TM_CHECK(rel < FD_TOL, "%s: relative error %.3g (max |grad| %.3g)", what, rel, den);
    printf("  %-28s rel err %.2e\n", what, rel);
}

/* ---- LSTM ---------------------------------------------------------------- */

typedef struct {
    int T, B, I, H;
    int onehot;         /* 1: tokens instead of x */
    double *x;          /* (T,B,I) */
    int32_t *tokens;    /* (T,B) */
    double *w_ih, *w_hh, *b_ih, *b_hh;
    double *h0, *c0;    /* (B,H) initial state */
    double *proj;       /* (T,B,H) loss = sum proj * hs[1..T] */
    double *proj_h, *proj_c; /* (B,H) + sum proj_h * hs[T] + proj_c * cs[T] */
    double *gates, *hs, *cs, *tanh_c;
} lstm_case;

static double lstm_loss(void *p) {
    lstm_case *c = p;
    size_t BH = (size_t)c->B * c->H, TBH = (size_t)c->T * BH;
    memcpy(c->hs, c->h0, BH * sizeof(double));
    memcpy(c->cs, c->c0, BH * sizeof(double));
    lstm_forward_f64(1, c->gates, c->hs, c->cs, c->tanh_c, c->onehot ? NULL : c->x, c->tokens,
                     c->w_ih, c->w_hh, c->b_ih, c->b_hh, c->T, c->B, c->I, c->H);
    double l = 0;
    for (size_t i = 0; i < TBH; i++) l += c->proj[i] * c->hs[BH + i];
    for (size_t i = 0; i < BH; i++)
        l += c->proj_h[i] * c->hs[TBH + i] + c->proj_c[i] * c->cs[TBH + i];
    return l;
}

static void test_lstm(int onehot, lj_rng *rng) {
    lstm_case c = {.T = 4, .B = 3, .I = 5, .H = 6, .onehot = onehot};
    size_t G = 4 * (size_t)c.H, BH = (size_t)c.B * c.H, TB = (size_t)c.T * c.B;
    c.x = tm_calloc(TB * c.I, sizeof(double));
    c.tokens = tm_calloc(TB, sizeof(int32_t));
    c.w_ih = tm_calloc(G * c.I, sizeof(double));
    c.w_hh = tm_calloc(G * c.H, sizeof(double));
    c.b_ih = tm_calloc(G, sizeof(double));
    c.b_hh = tm_calloc(G, sizeof(double));
    c.h0 = tm_calloc(BH, sizeof(double));
    c.c0 = tm_calloc(BH, sizeof(double));
    c.proj = tm_calloc(TB * c.H, sizeof(double));
    c.proj_h = tm_calloc(BH, sizeof(double));
    c.proj_c = tm_calloc(BH, sizeof(double));
    c.gates = tm_calloc(TB * G, sizeof(double));
    c.hs = tm_calloc((TB + c.B) * c.H, sizeof(double));
    c.cs = tm_calloc((TB + c.B) * c.H, sizeof(double));
    c.tanh_c = tm_calloc(TB * c.H, sizeof(double));
    tm_fill_f64(c.x, TB * c.I, rng, 1.0);
    for (size_t i = 0; i < TB; i++) c.tokens[i] = (int32_t)(lj_rng_u64(rng) % (c.I + 1)) - 1;
    tm_fill_f64(c.w_ih, G * c.I, rng, 0.6);
    tm_fill_f64(c.w_hh, G * c.H, rng, 0.6);
    tm_fill_f64(c.b_ih, G, rng, 0.3);
    tm_fill_f64(c.b_hh, G, rng, 0.3);
    tm_fill_f64(c.h0, BH, rng, 0.5);
    tm_fill_f64(c.c0, BH, rng, 0.5);
    tm_fill_f64(c.proj, TB * c.H, rng, 1.0);
    tm_fill_f64(c.proj_h, BH, rng, 1.0);
    tm_fill_f64(c.proj_c, BH, rng, 1.0);

    double *dx = tm_calloc(TB * c.I, sizeof(double));
    double *dw_ih = tm_calloc(G * c.I, sizeof(double)), *dw_hh = tm_calloc(G * c.H, sizeof(double));
    double *db_ih = tm_calloc(G, sizeof(double)), *db_hh = tm_calloc(G, sizeof(double));
    double *dgates = tm_calloc(TB * G, sizeof(double));
    double *dh = tm_calloc(BH, sizeof(double)), *dc = tm_calloc(BH, sizeof(double));
    lstm_loss(&c);
    memcpy(dh, c.proj_h, BH * sizeof(double));
    memcpy(dc, c.proj_c, BH * sizeof(double));
    lstm_backward_f64(1, dx, dw_ih, dw_hh, db_ih, db_hh, dgates, dh, dc, c.proj, c.gates, c.hs,
                      c.cs, c.tanh_c, onehot ? NULL : c.x, c.tokens, c.w_ih, c.w_hh, c.T, c.B,
                      c.I, c.H);
    const char *tag = onehot ? "lstm(one-hot)" : "lstm(dense)";
    char name[64];
    if (!onehot) {
        snprintf(name, sizeof name, "%s dx", tag);
        fd_check(name, lstm_loss, &c, c.x, dx, TB * c.I);
    }
    snprintf(name, sizeof name, "%s dW_ih", tag);
    fd_check(name, lstm_loss, &c, c.w_ih, dw_ih, G * c.I);
    snprintf(name, sizeof name, "%s dW_hh", tag);
    fd_check(name, lstm_loss, &c, c.w_hh, dw_hh, G * c.H);
    snprintf(name, sizeof name, "%s db_ih", tag);
    fd_check(name, lstm_loss, &c, c.b_ih, db_ih, G);
    snprintf(name, sizeof name, "%s db_hh", tag);
    fd_check(name, lstm_loss, &c, c.b_hh, db_hh, G);
    snprintf(name, sizeof name, "%s dh0", tag);
    fd_check(name, lstm_loss, &c, c.h0, dh, BH);
    snprintf(name, sizeof name, "%s dc0", tag);
    fd_check(name, lstm_loss, &c, c.c0, dc, BH);

    free(dx); free(dw_ih); free(dw_hh); free(db_ih); free(db_hh); free(dgates); free(dh);
    free(dc);
    free(c.x); free(c.tokens); free(c.w_ih); free(c.w_hh); free(c.b_ih); free(c.b_hh);
    free(c.h0); free(c.c0); free(c.proj); free(c.proj_h); free(c.proj_c); free(c.gates);
    free(c.hs); free(c.cs); free(c.tanh_c);
}

/* ---- linear, embedding, dropout ------------------------------------------ */

typedef struct {
    int N, C, OC, V;
    double *in, *w, *b, *out, *proj, *mask;
    int32_t *tokens;
} small_case;

static double linear_loss(void *p) {
    small_case *c = p;
    linear_forward_f64(1, c->out, c->in, c->w, c->b, c->N, c->C, c->OC);
    double l = 0;
    for (size_t i = 0; i < (size_t)c->N * c->OC; i++) l += c->proj[i] * c->out[i];
    return l;
}

static double embed_loss(void *p) {
    small_case *c = p; /* table is w (V,C), out (N,C) */
    embed_forward_f64(c->out, c->tokens, c->w, c->N, c->C);
    double l = 0;
    for (size_t i = 0; i < (size_t)c->N * c->C; i++) l += c->proj[i] * c->out[i];
    return l;
}

static double dropout_loss(void *p) {
    small_case *c = p;
    dropout_forward_f64(c->out, c->in, c->mask, (size_t)c->N * c->C);
    double l = 0;
    for (size_t i = 0; i < (size_t)c->N * c->C; i++) l += c->proj[i] * c->out[i];
    return l;
}

static void test_small_layers(lj_rng *rng) {
    small_case c = {.N = 7, .C = 5, .OC = 4, .V = 6};
    size_t big = 64;
    c.in = tm_calloc(big, sizeof(double));
    c.w = tm_calloc(big, sizeof(double));
    c.b = tm_calloc(big, sizeof(double));
    c.out = tm_calloc(big, sizeof(double));
    c.proj = tm_calloc(big, sizeof(double));
    c.mask = tm_calloc(big, sizeof(double));
    c.tokens = tm_calloc(big, sizeof(int32_t));
    double *din = tm_calloc(big, sizeof(double)), *dw = tm_calloc(big, sizeof(double));
    double *db = tm_calloc(big, sizeof(double));
    tm_fill_f64(c.in, big, rng, 1.0);
    tm_fill_f64(c.w, big, rng, 1.0);
    tm_fill_f64(c.b, big, rng, 1.0);
    tm_fill_f64(c.proj, big, rng, 1.0);

    linear_loss(&c);
    linear_backward_f64(1, din, dw, db, c.proj, c.in, c.w, c.N, c.C, c.OC);
    fd_check("linear din", linear_loss, &c, c.in, din, (size_t)c.N * c.C);
    fd_check("linear dW", linear_loss, &c, c.w, dw, (size_t)c.OC * c.C);
    fd_check("linear db", linear_loss, &c, c.b, db, (size_t)c.OC);

    for (int n = 0; n < c.N; n++) c.tokens[n] = (int32_t)(lj_rng_u64(rng) % (c.V + 1)) - 1;
    memset(dw, 0, big * sizeof(double));
    embed_loss(&c);
    embed_backward_f64(dw, c.proj, c.tokens, c.N, c.C);
    fd_check("embedding dtable", embed_loss, &c, c.w, dw, (size_t)c.V * c.C);

    for (size_t i = 0; i < (size_t)c.N * c.C; i++)
        c.mask[i] = lj_rng_uniform(rng) < 0.3 ? 0.0 : 1.0 / 0.7;
    memset(din, 0, big * sizeof(double));
    dropout_loss(&c);
    dropout_backward_f64(din, c.proj, c.mask, (size_t)c.N * c.C);
    fd_check("dropout din", dropout_loss, &c, c.in, din, (size_t)c.N * c.C);

    free(c.in); free(c.w); free(c.b); free(c.out); free(c.proj); free(c.mask); free(c.tokens);
    free(din); free(dw); free(db);
}

/* ---- heads ----------------------------------------------------------------- */

typedef struct {
    int N, K;
    double *logits, *probs, *targets;
    int32_t *ids;
    double pressure;
} head_case;

static double softmax_loss(void *p) {
    head_case *c = p;
    return softmax_ce_forward_f64(c->probs, c->logits, c->ids, c->N, c->K, NULL);
}
static double mse_loss(void *p) {
    head_case *c = p;
    return mse_forward_f64(c->logits, c->targets, (size_t)c->N * c->K, c->pressure);
}
static double bernoulli_loss(void *p) {
    head_case *c = p;
    return bernoulli_forward_f64(c->probs, c->logits, c->targets, c->N, c->K);
}

static void test_heads(lj_rng *rng) {
    head_case c = {.N = 6, .K = 5, .pressure = 10.0};
    size_t n = (size_t)c.N * c.K;
    c.logits = tm_calloc(n, sizeof(double));
    c.probs = tm_calloc(n, sizeof(double));
    c.targets = tm_calloc(n, sizeof(double));
    c.ids = tm_calloc((size_t)c.N, sizeof(int32_t));
    double *d = tm_calloc(n, sizeof(double));
    tm_fill_f64(c.logits, n, rng, 3.0);
    for (int i = 0; i < c.N; i++) c.ids[i] = (int32_t)(lj_rng_u64(rng) % c.K);
    c.ids[2] = -1; /* an ignored row */

    int counted = 0;
    softmax_ce_forward_f64(c.probs, c.logits, c.ids, c.N, c.K, &counted);
    TM_CHECK(counted == c.N - 1, "softmax counted %d rows, expected %d", counted, c.N - 1);
    softmax_ce_backward_f64(d, c.probs, c.ids, c.N, c.K, 0.7);
    for (size_t i = 0; i < n; i++) d[i] /= 0.7; /* the loss weight scales the gradient */
    fd_check("softmax-ce dlogits", softmax_loss, &c, c.logits, d, n);

    /* MSE with positive pressure: keep predictions away from the kink at 0. */
    for (size_t i = 0; i < n; i++) {
        if (fabs(c.logits[i]) < 0.1)
            c.logits[i] = c.logits[i] < 0 ? -0.5 : 0.5;
        c.targets[i] = 2.0 * lj_rng_uniform(rng) - 0.5;
    }
    mse_backward_f64(d, c.logits, c.targets, n, c.pressure, 1.0);
    fd_check("mse+pressure dpred", mse_loss, &c, c.logits, d, n);
    c.pressure = 0;
    mse_backward_f64(d, c.logits, c.targets, n, c.pressure, 1.0);
    fd_check("mse dpred", mse_loss, &c, c.logits, d, n);

    for (size_t i = 0; i < n; i++) c.targets[i] = (i % 3 == 0) ? 1.0 : (i % 3 == 1 ? 0.0 : 0.3);
    bernoulli_backward_f64(d, c.logits, c.targets, c.N, c.K, 1.0);
    fd_check("bernoulli dlogits", bernoulli_loss, &c, c.logits, d, n);

    /* Values against closed forms: one row, known numbers. */
    double z[3] = {1.0, 2.0, 3.0}, pr[3];
    int32_t t1 = 0;
    double l = softmax_ce_forward_f64(pr, z, &t1, 1, 3, NULL);
    double expect = log(exp(1.0) + exp(2.0) + exp(3.0)) - 1.0;
    TM_CHECK(fabs(l - expect) < 1e-12, "softmax loss %.15g, expected %.15g", l, expect);
    double y[2] = {-1.0, 2.0}, tt[2] = {0.0, 1.0};
    l = mse_forward_f64(y, tt, 2, 10.0);
    expect = (1.0 + 1.0 + 10.0 * 1.0) / 2.0;
    TM_CHECK(fabs(l - expect) < 1e-12, "mse+pressure loss %.15g, expected %.15g", l, expect);
    double zb[2] = {0.5, -2.0}, tb[2] = {1.0, 0.0};
    l = bernoulli_forward_f64(NULL, zb, tb, 1, 2);
    expect = -log(1.0 / (1.0 + exp(-0.5))) - log(1.0 - 1.0 / (1.0 + exp(2.0)));
    TM_CHECK(fabs(l - expect) < 1e-12, "bernoulli loss %.15g, expected %.15g", l, expect);

    free(c.logits); free(c.probs); free(c.targets); free(c.ids); free(d);
}

int main(void) {
    lj_rng rng;
    lj_rng_seed(&rng, 4242);
    test_lstm(0, &rng);
    test_lstm(1, &rng);
    test_small_layers(&rng);
    test_heads(&rng);
    return tm_finish();
}
