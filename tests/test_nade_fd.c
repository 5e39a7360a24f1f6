/* RNN-NADE head (model/nade.h): finite differences in double, normalisation,
 * and the identities with the independent Bernoulli head.
 *
 * 1. Central finite differences of nade_head_forward_f64 (the same source as
 *    the float kernel, model/nade.inc) w.r.t. every parameter (W_rb, b, W_rc,
 *    c, W_in, V), the LSTM output r, and, for the core kernel, the per-frame
 *    biases b_t and c_t. The backward runs with a loss weight of 0.7 to check
 *    that scale too. Verdict per tensor: max |analytic - numeric| /
 *    max |numeric| < 1e-6 (central differences at eps 1e-5 in double are good
 *    to ~1e-9 here; a wrong term shows as 1e-2..1e0). Targets cover an empty
 *    frame, a full frame, the first and the last key on (segment edges), soft
 *    targets, and random multi-hot frames.
 * 2. NADE is normalised by construction: for each frame, the sum over all 2^D
 *    frames of exp(-NLL) must be 1 (|sum - 1| < 1e-12), and so must the
 *    marginal p(v_0 = 1) agree with probs[0].
 * 3. W_in = 0 and V = 0: loss, probabilities and d/d b_t equal
 *    bernoulli_forward/backward on logits b_t bit for bit (float and double),
 *    d/d c_t and d W_in are 0. W_in = 0 alone: NADE is the Bernoulli head on
 *    logits b_t + V sigmoid(c_t) (relative 1e-12). */
#include "kernels.h"
#include "nade.h"
#include "test_model_util.h"

#include <string.h>

#define FD_EPS 1e-5
#define FD_TOL 1e-6
#define SCALE 0.7

typedef double (*loss_fn)(void *ctx);

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
        double d = fabs(numeric - grad[i] / SCALE);
        if (d > num || d != d)
            num = d;
        if (fabs(numeric) > den)
            den = fabs(numeric);
    }
    double rel = num / den;
    TM_CHECK(rel < FD_TOL, "%s: relative error %.3g (max |grad| %.3g)", what, rel, den);
    printf("  %-22s rel err %.2e  (max |grad| %.2e)\n", what, rel, den);
}

typedef struct nade_case {
    int N, R, D, Hn;
    double *r, *targets;          /* (N,R), (N,D) */
    nade_params_f64 p, g;         /* weights and accumulated gradients */
    double *bt, *ct, *probs;      /* (N,D), (N,Hn), (N,D) */
    double *dbt, *dct, *dr;       /* gradients of b_t, c_t, r */
    double *scratch;              /* nade_scratch_len(D,Hn) */
} nade_case;

static double head_loss(void *ctx) {
    nade_case *c = ctx;
    return nade_head_forward_f64(1, c->bt, c->ct, c->probs, c->r, c->targets, &c->p, c->N, c->R,
                                 c->D, c->Hn, c->scratch);
}

/* the core kernel alone, differentiated w.r.t. bt and ct (kept fixed otherwise) */
static double core_loss(void *ctx) {
    nade_case *c = ctx;
    return nade_forward_f64(c->probs, c->bt, c->ct, c->targets, c->p.w_in, c->p.v, c->N, c->D,
                            c->Hn, c->scratch);
}

static double *alloc_fill(size_t n, lj_rng *rng, double scale) {
    double *a = tm_calloc(n, sizeof(double));
    tm_fill_f64(a, n, rng, scale);
    return a;
}

static void case_init(nade_case *c, int N, int R, int D, int Hn, lj_rng *rng) {
    memset(c, 0, sizeof *c);
    c->N = N, c->R = R, c->D = D, c->Hn = Hn;
    size_t ND = (size_t)N * D, NH = (size_t)N * Hn, DH = (size_t)D * Hn;
    c->r = alloc_fill((size_t)N * R, rng, 1.0);
    c->p.w_rb = alloc_fill((size_t)D * R, rng, 0.8);
    c->p.b = alloc_fill((size_t)D, rng, 0.5);
    c->p.w_rc = alloc_fill((size_t)Hn * R, rng, 0.8);
    c->p.c = alloc_fill((size_t)Hn, rng, 0.5);
    c->p.w_in = alloc_fill(DH, rng, 1.0);
    c->p.v = alloc_fill(DH, rng, 1.0);
    c->g.w_rb = tm_calloc((size_t)D * R, sizeof(double));
    c->g.b = tm_calloc((size_t)D, sizeof(double));
    c->g.w_rc = tm_calloc((size_t)Hn * R, sizeof(double));
    c->g.c = tm_calloc((size_t)Hn, sizeof(double));
    c->g.w_in = tm_calloc(DH, sizeof(double));
    c->g.v = tm_calloc(DH, sizeof(double));
    c->targets = tm_calloc(ND, sizeof(double));
    c->bt = tm_calloc(ND, sizeof(double));
    c->ct = tm_calloc(NH, sizeof(double));
    c->probs = tm_calloc(ND, sizeof(double));
    c->dbt = tm_calloc(ND, sizeof(double));
    c->dct = tm_calloc(NH, sizeof(double));
    c->dr = tm_calloc((size_t)N * R, sizeof(double));
    c->scratch = tm_calloc(nade_scratch_len(D, Hn), sizeof(double));
    /* targets: frame 0 empty, 1 full, 2 first and last key, 3 soft, rest random */
    for (int n = 0; n < N; n++)
        for (int d = 0; d < D; d++) {
            double t;
            if (n == 0)
                t = 0;
            else if (n == 1)
                t = 1;
            else if (n == 2)
                t = (d == 0 || d == D - 1);
            else if (n == 3)
                t = d % 3 == 0 ? 0 : lj_rng_uniform(rng);
            else
                t = lj_rng_uniform(rng) < 0.4;
            c->targets[(size_t)n * D + d] = t;
        }
}

static void case_free(nade_case *c) {
    double *all[] = {c->r, c->targets, c->p.w_rb, c->p.b, c->p.w_rc, c->p.c, c->p.w_in,
                     c->p.v, c->g.w_rb, c->g.b, c->g.w_rc, c->g.c, c->g.w_in, c->g.v,
                     c->bt, c->ct, c->probs, c->dbt, c->dct, c->dr, c->scratch};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]);
}

static void test_finite_differences(lj_rng *rng) {
    nade_case c;
    case_init(&c, 6, 4, 7, 5, rng);
    size_t DH = (size_t)c.D * c.Hn;
    head_loss(&c);
    nade_head_backward_f64(1, c.dr, &c.g, c.dbt, c.dct, c.probs, c.bt, c.ct, c.r, c.targets,
                           &c.p, c.N, c.R, c.D, c.Hn, SCALE, c.scratch);
    fd_check("head dW_rb (weight)", head_loss, &c, c.p.w_rb, c.g.w_rb, (size_t)c.D * c.R);
    fd_check("head db (bias)", head_loss, &c, c.p.b, c.g.b, (size_t)c.D);
    fd_check("head dW_rc", head_loss, &c, c.p.w_rc, c.g.w_rc, (size_t)c.Hn * c.R);
    fd_check("head dc", head_loss, &c, c.p.c, c.g.c, (size_t)c.Hn);
    fd_check("head dW_in", head_loss, &c, c.p.w_in, c.g.w_in, DH);
    fd_check("head dV", head_loss, &c, c.p.v, c.g.v, DH);
    fd_check("head dr", head_loss, &c, c.r, c.dr, (size_t)c.N * c.R);

    /* the core kernel w.r.t. its per-frame biases (bt, ct from the head above) */
    head_loss(&c);
    double *dbt = tm_calloc((size_t)c.N * c.D, sizeof(double));
    double *dct = tm_calloc((size_t)c.N * c.Hn, sizeof(double));
    double *dw = tm_calloc(DH, sizeof(double)), *dv = tm_calloc(DH, sizeof(double));
    nade_backward_f64(dbt, dct, dw, dv, c.probs, c.bt, c.ct, c.targets, c.p.w_in, c.p.v, c.N,
                      c.D, c.Hn, SCALE, c.scratch);
    fd_check("core db_t", core_loss, &c, c.bt, dbt, (size_t)c.N * c.D);
    fd_check("core dc_t", core_loss, &c, c.ct, dct, (size_t)c.N * c.Hn);
    /* backward accumulates: a second call doubles the weight gradients */
    double *dw2 = tm_calloc(DH, sizeof(double));
    memcpy(dw2, dw, DH * sizeof(double));
    core_loss(&c);
    nade_backward_f64(dbt, dct, dw2, dv, c.probs, c.bt, c.ct, c.targets, c.p.w_in, c.p.v, c.N,
                      c.D, c.Hn, SCALE, c.scratch);
    double worst = 0;
    for (size_t i = 0; i < DH; i++) worst = fmax(worst, fabs(dw2[i] - 2 * dw[i]));
    TM_CHECK(worst < 1e-15, "nade_backward does not accumulate into dW_in (%.3g)", worst);
    free(dbt); free(dct); free(dw); free(dv); free(dw2);
    case_free(&c);
}

/* sum over all 2^D frames of p(frame) given b_t, c_t of frame n of c */
static void test_normalisation(lj_rng *rng) {
    nade_case c;
    case_init(&c, 3, 4, 9, 6, rng);
    for (size_t i = 0; i < (size_t)c.D * c.Hn; i++) c.p.w_in[i] *= 2.0, c.p.v[i] *= 2.0;
    head_loss(&c);
    double worst = 0, worst_marg = 0;
    double frame[16], prob[16];
    for (int n = 0; n < c.N; n++) {
        const double *bn = c.bt + (size_t)n * c.D, *cn = c.ct + (size_t)n * c.Hn;
        double total = 0, on0 = 0;
        for (unsigned bits = 0; bits < (1u << c.D); bits++) {
            for (int d = 0; d < c.D; d++) frame[d] = (bits >> d) & 1;
            double nll = nade_forward_f64(prob, bn, cn, frame, c.p.w_in, c.p.v, 1, c.D, c.Hn,
                                          c.scratch);
            total += exp(-nll);
            if (bits & 1)
                on0 += exp(-nll);
        }
        nade_forward_f64(prob, bn, cn, c.targets + (size_t)n * c.D, c.p.w_in, c.p.v, 1, c.D,
                         c.Hn, c.scratch);
        worst = fmax(worst, fabs(total - 1));
        worst_marg = fmax(worst_marg, fabs(on0 - prob[0]));
    }
    TM_CHECK(worst < 1e-12, "sum over all 2^%d frames of p is off 1 by %.3g", c.D, worst);
    TM_CHECK(worst_marg < 1e-12, "p(v_0) by enumeration differs from probs[0] by %.3g",
             worst_marg);
    printf("  normalisation over 2^%d frames: |sum p - 1| %.2e, p(v_0) %.2e\n", c.D, worst,
           worst_marg);
    case_free(&c);
}

static void test_bernoulli_identity_f64(lj_rng *rng) {
    nade_case c;
    case_init(&c, 5, 4, 8, 6, rng);
    size_t ND = (size_t)c.N * c.D, DH = (size_t)c.D * c.Hn;
    memset(c.p.w_in, 0, DH * sizeof(double));
    memset(c.p.v, 0, DH * sizeof(double));
    double nade = head_loss(&c);
    double *pb = tm_calloc(ND, sizeof(double)), *db = tm_calloc(ND, sizeof(double));
    double bern = bernoulli_forward_f64(pb, c.bt, c.targets, c.N, c.D);
    TM_CHECK(nade == bern, "W=V=0: NADE loss %.17g != Bernoulli %.17g", nade, bern);
    TM_CHECK(memcmp(pb, c.probs, ND * sizeof(double)) == 0, "W=V=0: probs differ (double)");
    nade_head_backward_f64(1, c.dr, &c.g, c.dbt, c.dct, c.probs, c.bt, c.ct, c.r, c.targets,
                           &c.p, c.N, c.R, c.D, c.Hn, SCALE, c.scratch);
    bernoulli_backward_f64(db, c.bt, c.targets, c.N, c.D, SCALE);
    /* both compute s * (sigmoid(z) - t); NADE takes sigmoid from probs */
    TM_CHECK(memcmp(db, c.dbt, ND * sizeof(double)) == 0, "W=V=0: d b_t differs (double)");
    double zc = 0, zw = 0;
    for (size_t i = 0; i < (size_t)c.N * c.Hn; i++) zc = fmax(zc, fabs(c.dct[i]));
    for (size_t i = 0; i < DH; i++) zw = fmax(zw, fabs(c.g.w_in[i]));
    TM_CHECK(zc == 0 && zw == 0, "W=V=0: d c_t (%.3g) and d W_in (%.3g) must be 0", zc, zw);

    /* W_in = 0 only: h = sigmoid(c_t) for every key, logits b_t + V h */
    tm_fill_f64(c.p.v, DH, rng, 1.0);
    nade = head_loss(&c);
    double *z = tm_calloc(ND, sizeof(double));
    for (int n = 0; n < c.N; n++)
        for (int d = 0; d < c.D; d++) {
            double s = c.bt[(size_t)n * c.D + d];
            for (int j = 0; j < c.Hn; j++)
                s += c.p.v[(size_t)d * c.Hn + j] / (1 + exp(-c.ct[(size_t)n * c.Hn + j]));
            z[(size_t)n * c.D + d] = s;
        }
    bern = bernoulli_forward_f64(pb, z, c.targets, c.N, c.D);
    TM_CHECK(fabs(nade - bern) < 1e-12 * fabs(bern), "W=0: NADE %.17g vs Bernoulli on "
             "b_t + V sigmoid(c_t) %.17g", nade, bern);
    printf("  identity W=V=0 (double): bitwise; W=0: |diff| %.2e\n", fabs(nade - bern));
    free(pb); free(db); free(z);
    case_free(&c);
}

static void test_bernoulli_identity_f32(lj_rng *rng) {
    enum { N = 7, D = 88, Hn = 16 };
    float *bt = tm_calloc(N * D, sizeof(float)), *ct = tm_calloc(N * Hn, sizeof(float));
    float *t = tm_calloc(N * D, sizeof(float)), *w = tm_calloc(D * Hn, sizeof(float));
    float *v = tm_calloc(D * Hn, sizeof(float)), *dw = tm_calloc(D * Hn, sizeof(float));
    float *dv = tm_calloc(D * Hn, sizeof(float)), *dct = tm_calloc(N * Hn, sizeof(float));
    float *pn = tm_calloc(N * D, sizeof(float)), *pb = tm_calloc(N * D, sizeof(float));
    float *dn = tm_calloc(N * D, sizeof(float)), *db = tm_calloc(N * D, sizeof(float));
    float *scratch = tm_calloc(nade_scratch_len(D, Hn), sizeof(float));
    tm_fill_f32(bt, N * D, rng, 4.0f);
    tm_fill_f32(ct, N * Hn, rng, 2.0f);
    for (int i = 0; i < N * D; i++) t[i] = lj_rng_uniform(rng) < 0.1f;
    double nade = nade_forward(pn, bt, ct, t, w, v, N, D, Hn, scratch);
    double bern = bernoulli_forward(pb, bt, t, N, D);
    TM_CHECK(nade == bern, "W=V=0: NADE loss %.9g != Bernoulli %.9g (float)", nade, bern);
    TM_CHECK(memcmp(pn, pb, N * D * sizeof(float)) == 0, "W=V=0: probs differ (float)");
    nade_backward(dn, dct, dw, dv, pn, bt, ct, t, w, v, N, D, Hn, 0.5f, scratch);
    bernoulli_backward(db, bt, t, N, D, 0.5f);
    TM_CHECK(memcmp(dn, db, N * D * sizeof(float)) == 0, "W=V=0: d b_t differs (float)");
    printf("  identity W=V=0 (float, D=88): loss %.7f both, bitwise\n", nade);
    free(bt); free(ct); free(t); free(w); free(v); free(dw); free(dv); free(dct); free(pn);
    free(pb); free(dn); free(db); free(scratch);
}

int main(void) {
    lj_rng rng;
    lj_rng_seed(&rng, 8888);
    test_finite_differences(&rng);
    test_normalisation(&rng);
    test_bernoulli_identity_f64(&rng);
    test_bernoulli_identity_f32(&rng);
    return tm_finish();
}
