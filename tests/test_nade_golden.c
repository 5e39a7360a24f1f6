/* RNN-NADE head against PyTorch (tests/ref/nade_golden.py, committed files
 * tests/data/golden/nade_*.bin): a small head (D=10, soft targets in two
 * frames) and a piano-sized one (D=88, sparse frames). PyTorch computes the
 * NADE as an exclusive cumulative sum over keys with autograd, in float64;
 * the C kernel walks the keys and differentiates by hand.
 *
 * Checked: b_t, c_t, the probabilities p(v_d | v_<d), the loss, and the
 * gradient of every tensor (weight, bias, hidden_weight, hidden_bias,
 * nade_w_in, nade_v) and of r, for the float kernel with OpenBLAS (if linked)
 * and with the plain loops, and for the double twin.
 *
 * Measure per tensor: max |ours - torch| / max(max |torch|, 1e-3).
 * fp32 tolerances: outputs and loss 1e-5, gradients 2e-5 (the model's golden
 * test uses the same); double twin: 1e-6 (the reference is float64 rounded to
 * float32 once, so ~6e-8 is the floor). Measured values are printed; a wrong
 * term shows as > 1e-2. */
#include "nade.h"
#include "test_model_golden_io.h"
#include "test_model_util.h"

#include <string.h>

#define TOL_OUT 1e-5
#define TOL_GRAD 2e-5
#define TOL_F64 1e-6

static const char *const names[6] = {"weight",      "bias",      "hidden_weight",
                                     "hidden_bias", "nade_w_in", "nade_v"};

static const golden_rec *need(const golden *g, const char *name, size_t numel) {
    const golden_rec *r = golden_find(g, name);
    if (!r || r->dtype != 0 || r->numel != numel) {
        TM_CHECK(0, "record %s missing or not %zu floats", name, numel);
        return NULL;
    }
    return r;
}

/* relative error of a double tensor against the float reference */
static double rel_err_f64(const double *a, const float *b, size_t n) {
    double num = 0, den = 1e-3;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(a[i] - (double)b[i]);
        if (d > num || d != d)
            num = d;
        if (fabs((double)b[i]) > den)
            den = fabs((double)b[i]);
    }
    return num / den;
}

typedef struct sizes {
    int N, R, D, Hn;
    size_t numel[6]; /* of the six tensors, in names[] order */
} sizes;

/* kind: 0 float+BLAS, 1 float naive, 2 double twin */
static void run(const golden *g, const char *file, const sizes *z, int kind) {
    const int N = z->N, R = z->R, D = z->D, Hn = z->Hn;
    const size_t ND = (size_t)N * D, NH = (size_t)N * Hn, NR = (size_t)N * R;
    const char *label = kind == 0 ? "float blas" : kind == 1 ? "float naive" : "double";
    char name[96];
    const golden_rec *rp[6], *rg[6];
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "param.%s", names[i]);
        rp[i] = need(g, name, z->numel[i]);
        snprintf(name, sizeof name, "grad.%s", names[i]);
        rg[i] = need(g, name, z->numel[i]);
        if (!rp[i] || !rg[i])
            return;
    }
    const golden_rec *rr = need(g, "input.r", NR), *rt = need(g, "target", ND);
    const golden_rec *rbt = need(g, "output.bt", ND), *rct = need(g, "output.ct", NH);
    const golden_rec *rpr = need(g, "output.probs", ND), *rl = need(g, "loss", 1);
    const golden_rec *rdr = need(g, "grad.r", NR);
    if (!rr || !rt || !rbt || !rct || !rpr || !rl || !rdr)
        return;

    /* every buffer as double; the float path converts (exact for inputs) */
    size_t scratch_len = nade_scratch_len(D, Hn);
    double worst_out = 0, worst_grad = 0, loss;
    double *out_bt = tm_calloc(ND, sizeof(double)), *out_ct = tm_calloc(NH, sizeof(double));
    double *out_pr = tm_calloc(ND, sizeof(double)), *out_dr = tm_calloc(NR, sizeof(double));
    double *out_g[6];
    for (int i = 0; i < 6; i++) out_g[i] = tm_calloc(z->numel[i], sizeof(double));

    if (kind < 2) {
        float *p[6], *gr[6];
        for (int i = 0; i < 6; i++) {
            p[i] = tm_calloc(z->numel[i], sizeof(float));
            memcpy(p[i], rp[i]->data, z->numel[i] * sizeof(float));
            gr[i] = tm_calloc(z->numel[i], sizeof(float));
        }
        nade_params P = {p[0], p[1], p[2], p[3], p[4], p[5]};
        nade_params G = {gr[0], gr[1], gr[2], gr[3], gr[4], gr[5]};
        float *bt = tm_calloc(ND, sizeof(float)), *ct = tm_calloc(NH, sizeof(float));
        float *pr = tm_calloc(ND, sizeof(float)), *dbt = tm_calloc(ND, sizeof(float));
        float *dct = tm_calloc(NH, sizeof(float)), *dr = tm_calloc(NR, sizeof(float));
        float *scratch = tm_calloc(scratch_len, sizeof(float));
        loss = nade_head_forward(kind, bt, ct, pr, rr->data, rt->data, &P, N, R, D, Hn,
                                 scratch);
        nade_head_backward(kind, dr, &G, dbt, dct, pr, bt, ct, rr->data, rt->data, &P, N, R, D,
                           Hn, 1.0f, scratch);
        for (size_t i = 0; i < ND; i++) out_bt[i] = bt[i], out_pr[i] = pr[i];
        for (size_t i = 0; i < NH; i++) out_ct[i] = ct[i];
        for (size_t i = 0; i < NR; i++) out_dr[i] = dr[i];
        for (int k = 0; k < 6; k++)
            for (size_t i = 0; i < z->numel[k]; i++) out_g[k][i] = gr[k][i];
        for (int i = 0; i < 6; i++) free(p[i]), free(gr[i]);
        free(bt); free(ct); free(pr); free(dbt); free(dct); free(dr); free(scratch);
    } else {
        double *p[6], *gr[6];
        for (int i = 0; i < 6; i++) {
            p[i] = tm_calloc(z->numel[i], sizeof(double));
            for (size_t j = 0; j < z->numel[i]; j++) p[i][j] = ((float *)rp[i]->data)[j];
            gr[i] = out_g[i];
        }
        nade_params_f64 P = {p[0], p[1], p[2], p[3], p[4], p[5]};
        nade_params_f64 G = {gr[0], gr[1], gr[2], gr[3], gr[4], gr[5]};
        double *r = tm_calloc(NR, sizeof(double)), *t = tm_calloc(ND, sizeof(double));
        for (size_t i = 0; i < NR; i++) r[i] = ((float *)rr->data)[i];
        for (size_t i = 0; i < ND; i++) t[i] = ((float *)rt->data)[i];
        double *dbt = tm_calloc(ND, sizeof(double)), *dct = tm_calloc(NH, sizeof(double));
        double *scratch = tm_calloc(scratch_len, sizeof(double));
        loss = nade_head_forward_f64(1, out_bt, out_ct, out_pr, r, t, &P, N, R, D, Hn, scratch);
        nade_head_backward_f64(1, out_dr, &G, dbt, dct, out_pr, out_bt, out_ct, r, t, &P, N, R,
                               D, Hn, 1.0, scratch);
        for (int i = 0; i < 6; i++) free(p[i]);
        free(r); free(t); free(dbt); free(dct); free(scratch);
    }

    double tol_out = kind < 2 ? TOL_OUT : TOL_F64, tol_grad = kind < 2 ? TOL_GRAD : TOL_F64;
    struct { const char *what; const double *ours; const golden_rec *ref; } outs[] = {
        {"b_t", out_bt, rbt}, {"c_t", out_ct, rct}, {"probs", out_pr, rpr}};
    for (int i = 0; i < 3; i++) {
        double e = rel_err_f64(outs[i].ours, outs[i].ref->data, outs[i].ref->numel);
        TM_CHECK(e < tol_out, "%s [%s]: %s rel err %.3g", file, label, outs[i].what, e);
        worst_out = fmax(worst_out, e);
    }
    double e = rel_err_f64(&loss, rl->data, 1);
    TM_CHECK(e < tol_out, "%s [%s]: loss %.9g vs torch %.9g", file, label, loss,
             (double)*(float *)rl->data);
    worst_out = fmax(worst_out, e);
    for (int k = 0; k < 6; k++) {
        e = rel_err_f64(out_g[k], rg[k]->data, z->numel[k]);
        TM_CHECK(e < tol_grad, "%s [%s]: gradient %s rel err %.3g", file, label, names[k], e);
        worst_grad = fmax(worst_grad, e);
    }
    e = rel_err_f64(out_dr, rdr->data, NR);
    TM_CHECK(e < tol_grad, "%s [%s]: gradient r rel err %.3g", file, label, e);
    worst_grad = fmax(worst_grad, e);
    printf("  %-15s %-11s loss %.6f  outputs/loss %.2e  gradients %.2e\n", file, label, loss,
           worst_out, worst_grad);

    free(out_bt); free(out_ct); free(out_pr); free(out_dr);
    for (int i = 0; i < 6; i++) free(out_g[i]);
}

static void run_file(const char *dir, const char *file) {
    char path[1024];
    snprintf(path, sizeof path, "%s/golden/%s", dir, file);
    golden g;
    if (golden_load(&g, path) != 0) {
        TM_CHECK(0, "%s: cannot load", path);
        return;
    }
    const golden_rec *dims = golden_find(&g, "config.dims");
    if (!dims || dims->dtype != 1 || dims->numel != 4) {
        TM_CHECK(0, "%s: no config.dims", file);
        golden_free(&g);
        return;
    }
    const int32_t *d = dims->data;
    sizes z = {.N = d[0], .R = d[1], .D = d[2], .Hn = d[3]};
    z.numel[0] = (size_t)z.D * z.R;
    z.numel[1] = (size_t)z.D;
    z.numel[2] = (size_t)z.Hn * z.R;
    z.numel[3] = (size_t)z.Hn;
    z.numel[4] = z.numel[5] = (size_t)z.D * z.Hn;
    for (int kind = 0; kind < 3; kind++) run(&g, file, &z, kind);
    golden_free(&g);
}

int main(void) {
    const char *dir = getenv("LJ_TEST_DATA");
    if (!dir) {
        printf("LJ_TEST_DATA not set\n");
        return 1;
    }
    run_file(dir, "nade_small.bin");
    run_file(dir, "nade_piano.bin");
    return tm_finish();
}
