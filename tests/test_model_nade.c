/* The RNN-NADE head inside the whole model (model.c, step.c; kernels in nade.h).
 *
 * 1. Finite differences through the whole model: a double twin of the model
 *    (the same layers composed from the _f64 kernels: 2-layer LSTM on dense
 *    frames, a NADE head with loss weight 0.7 and an MSE head with positive
 *    pressure and loss weight 0.3 on the same top layer) is differentiated by
 *    central differences (eps 1e-5) for every element of every tensor; its
 *    analytic gradient must agree to 1e-6 relative per tensor. Then
 *    lj_model_forward/backward in float on the same weights must give the
 *    twin's loss (relative 1e-5) and gradients (per tensor, max abs error /
 *    max |twin| < 1e-4), for the BLAS and the plain-loop kernels; measured
 *    values are printed. A head wired wrongly into d_feat, a missing loss
 *    weight or a swapped tensor shows as > 1e-2.
 * 2. Step API: frames drawn one step at a time (lstm_step then
 *    lstm_state_sample_frame, fed back as the next input) have log p equal to
 *    minus the teacher-forced NLL that lj_model_forward gives for the same
 *    drawn sequence (relative 1e-5), so the step's b_t and c_t equal the
 *    sequence forward's; on the packed batch-1 path and unpacked with 2 rows.
 *    No allocation in lstm_step or lstm_state_sample_frame (counted).
 * 3. With nade_w_in = nade_v = 0 a NADE head draws exactly what a Bernoulli
 *    head with the same linear draws (same seed: same frames, same logp), and
 *    its loss equals the Bernoulli loss bit for bit.
 * 4. Refusals: nade_hidden missing or set on another kind; sampling a frame
 *    from a softmax head or a head out of range; shapes of the NADE tensors.
 *
 * Linked with -Wl,--wrap=malloc,calloc,realloc,aligned_alloc (allocation counter). */
#include "kernels.h"
#include "model.h"
#include "nade.h"
#include "test_model_util.h"

#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
static long alloc_calls;
void *__wrap_malloc(size_t n) { alloc_calls++; return __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t s) { alloc_calls++; return __real_calloc(n, s); }
void *__wrap_realloc(void *p, size_t n) { alloc_calls++; return __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t a, size_t n) { alloc_calls++; return __real_aligned_alloc(a, n); }

#define FD_EPS 1e-5
#define FD_TOL 1e-6
#define TWIN_LOSS_TOL 1e-5
#define TWIN_GRAD_TOL 1e-4

enum { I = 6, L = 2, H0 = 5, H1 = 4, D = 6, HN = 3, KM = 2, T = 4, B = 3 };

static lj_model_config nade_config(void) {
    lj_model_config c = {.input_kind = LJ_INPUT_DENSE, .input_size = I, .num_layers = L,
                         .hidden = {H0, H1}, .num_heads = 2};
    c.heads[0] = (lj_head_config){.kind = LJ_HEAD_NADE, .name = "keys", .size = D,
                                  .loss_weight = 0.7f, .nade_hidden = HN};
    c.heads[1] = (lj_head_config){.kind = LJ_HEAD_MSE, .name = "dur", .size = KM,
                                  .loss_weight = 0.3f, .pressure = 10.0f};
    return c;
}

static lj_model *new_model(const lj_model_config *c, uint64_t seed) {
    char err[256];
    lj_model *m = NULL;
    if (lj_model_create(&m, c, err, sizeof err) != LJ_OK) {
        printf("create: %s\n", err);
        exit(1);
    }
    lj_model_init(m, seed);
    return m;
}

/* ---- 1. the double twin and finite differences ----------------------------- */

/* Tensor indices in arena order: lstm l0 (4), lstm l1 (4), keys weight, bias,
 * hidden_weight, hidden_bias, nade_w_in, nade_v, dur weight, bias. */
enum { NT = 4 * L + 6 + 2 };

typedef struct twin {
    double *p[NT], *g[NT]; /* parameters and gradients, shapes as the model's */
    size_t n[NT];
    double *x;                  /* (T,B,I) */
    double *frames, *dur;       /* targets (T,B,D), (T,B,KM) */
    double *gates[L], *hs[L], *cs[L], *tanh_c[L];
    double *bt, *ct, *probs, *pred; /* head activations */
    double *dbt, *dct, *dpred, *dhs[L], *dgates[L], *dh[L], *dc[L];
    double *scratch;
    double loss_keys, loss_dur;
} twin;

static const int H_OF[L] = {H0, H1};

static double twin_forward(twin *w) {
    const int TB = T * B;
    const double *x = w->x;
    for (int l = 0; l < L; l++) {
        int H = H_OF[l], in = l ? H_OF[l - 1] : I;
        memset(w->hs[l], 0, (size_t)B * H * sizeof(double));
        memset(w->cs[l], 0, (size_t)B * H * sizeof(double));
        lstm_forward_f64(1, w->gates[l], w->hs[l], w->cs[l], w->tanh_c[l], x, NULL, w->p[4 * l],
                         w->p[4 * l + 1], w->p[4 * l + 2], w->p[4 * l + 3], T, B, in, H);
        x = w->hs[l] + (size_t)B * H;
    }
    double **k = w->p + 4 * L;
    linear_forward_f64(1, w->bt, x, k[0], k[1], TB, H1, D);
    linear_forward_f64(1, w->ct, x, k[2], k[3], TB, H1, HN);
    w->loss_keys = nade_forward_f64(w->probs, w->bt, w->ct, w->frames, k[4], k[5], TB, D, HN,
                                    w->scratch);
    linear_forward_f64(1, w->pred, x, k[6], k[7], TB, H1, KM);
    w->loss_dur = mse_forward_f64(w->pred, w->dur, (size_t)TB * KM, 10.0);
    return 0.7 * w->loss_keys + 0.3 * w->loss_dur;
}

static void twin_backward(twin *w) {
    const int TB = T * B;
    for (int i = 0; i < NT; i++) memset(w->g[i], 0, w->n[i] * sizeof(double));
    for (int l = 0; l < L; l++) {
        memset(w->dhs[l], 0, (size_t)TB * H_OF[l] * sizeof(double));
        memset(w->dh[l], 0, (size_t)B * H_OF[l] * sizeof(double));
        memset(w->dc[l], 0, (size_t)B * H_OF[l] * sizeof(double));
    }
    const double *top = w->hs[L - 1] + (size_t)B * H1;
    double **k = w->p + 4 * L, **gk = w->g + 4 * L;
    nade_backward_f64(w->dbt, w->dct, gk[4], gk[5], w->probs, w->bt, w->ct, w->frames, k[4],
                      k[5], TB, D, HN, 0.7, w->scratch);
    linear_backward_f64(1, w->dhs[L - 1], gk[0], gk[1], w->dbt, top, k[0], TB, H1, D);
    linear_backward_f64(1, w->dhs[L - 1], gk[2], gk[3], w->dct, top, k[2], TB, H1, HN);
    mse_backward_f64(w->dpred, w->pred, w->dur, (size_t)TB * KM, 10.0, 0.3);
    linear_backward_f64(1, w->dhs[L - 1], gk[6], gk[7], w->dpred, top, k[6], TB, H1, KM);
    for (int l = L - 1; l >= 0; l--) {
        int H = H_OF[l], in = l ? H_OF[l - 1] : I;
        const double *x = l ? w->hs[l - 1] + (size_t)B * H_OF[l - 1] : w->x;
        lstm_backward_f64(1, l ? w->dhs[l - 1] : NULL, w->g[4 * l], w->g[4 * l + 1],
                          w->g[4 * l + 2], w->g[4 * l + 3], w->dgates[l], w->dh[l], w->dc[l],
                          w->dhs[l], w->gates[l], w->hs[l], w->cs[l], w->tanh_c[l], x, NULL,
                          w->p[4 * l], w->p[4 * l + 1], T, B, in, H);
    }
}

static double *dalloc(size_t n) { return tm_calloc(n, sizeof(double)); }

static void test_fd_whole_model(lj_rng *rng) {
    char err[256];
    lj_model_config c = nade_config();
    lj_model *m = new_model(&c, 5);
    TM_CHECK(lj_model_tensor_count(m) == NT, "tensor count %d, expected %d",
             lj_model_tensor_count(m), NT);
    /* sharper NADE weights than the init, so its terms carry real gradient */
    tm_fill_f32(lj_model_tensor(m, 4 * L + 4)->data, (size_t)D * HN, rng, 1.5f);
    tm_fill_f32(lj_model_tensor(m, 4 * L + 5)->data, (size_t)D * HN, rng, 1.5f);
    lj_model_params_changed(m);
    twin w;
    memset(&w, 0, sizeof w);
    for (int i = 0; i < NT; i++) {
        const lj_param *p = lj_model_tensor(m, i);
        w.n[i] = p->numel;
        w.p[i] = dalloc(p->numel);
        w.g[i] = dalloc(p->numel);
        for (size_t j = 0; j < p->numel; j++) w.p[i][j] = p->data[j];
    }
    const size_t TB = (size_t)T * B;
    float *xf = tm_calloc(TB * I, sizeof(float)), *framesf = tm_calloc(TB * D, sizeof(float));
    float *durf = tm_calloc(TB * KM, sizeof(float));
    for (size_t i = 0; i < TB * I; i++) xf[i] = lj_rng_uniform(rng) < 0.4f ? 1.0f : 0.0f;
    for (size_t i = 0; i < TB * D; i++) framesf[i] = lj_rng_uniform(rng) < 0.4f ? 1.0f : 0.0f;
    framesf[5] = 0.25f; /* a soft target */
    tm_fill_f32(durf, TB * KM, rng, 1.0f);
    w.x = dalloc(TB * I);
    w.frames = dalloc(TB * D);
    w.dur = dalloc(TB * KM);
    for (size_t i = 0; i < TB * I; i++) w.x[i] = xf[i];
    for (size_t i = 0; i < TB * D; i++) w.frames[i] = framesf[i];
    for (size_t i = 0; i < TB * KM; i++) w.dur[i] = durf[i];
    for (int l = 0; l < L; l++) {
        size_t H = (size_t)H_OF[l];
        w.gates[l] = dalloc(TB * 4 * H);
        w.dgates[l] = dalloc(TB * 4 * H);
        w.hs[l] = dalloc((TB + B) * H);
        w.cs[l] = dalloc((TB + B) * H);
        w.tanh_c[l] = dalloc(TB * H);
        w.dhs[l] = dalloc(TB * H);
        w.dh[l] = dalloc(B * H);
        w.dc[l] = dalloc(B * H);
    }
    w.bt = dalloc(TB * D);
    w.dbt = dalloc(TB * D);
    w.probs = dalloc(TB * D);
    w.ct = dalloc(TB * HN);
    w.dct = dalloc(TB * HN);
    w.pred = dalloc(TB * KM);
    w.dpred = dalloc(TB * KM);
    w.scratch = dalloc(nade_scratch_len(D, HN));

    double twin_loss = twin_forward(&w);
    twin_backward(&w);
    double worst_fd = 0;
    for (int i = 0; i < NT; i++) {
        double num = 0, den = 1e-12;
        for (size_t j = 0; j < w.n[i]; j++) {
            double keep = w.p[i][j];
            w.p[i][j] = keep + FD_EPS;
            double lp = twin_forward(&w);
            w.p[i][j] = keep - FD_EPS;
            double lm = twin_forward(&w);
            w.p[i][j] = keep;
            double numeric = (lp - lm) / (2 * FD_EPS), d = fabs(numeric - w.g[i][j]);
            num = d > num || d != d ? d : num;
            den = fabs(numeric) > den ? fabs(numeric) : den;
        }
        double rel = num / den;
        TM_CHECK(rel < FD_TOL, "twin %s: finite differences rel err %.3g",
                 lj_model_tensor(m, i)->name, rel);
        worst_fd = rel > worst_fd ? rel : worst_fd;
    }
    twin_forward(&w); /* activations of the unperturbed weights again */

    lj_batch batch = {.B = B, .T = T, .features = xf};
    batch.target_values[0] = framesf;
    batch.target_values[1] = durf;
    lj_acts *a = NULL;
    TM_CHECK(lj_acts_create(&a, m, B, T, err, sizeof err) == LJ_OK, "acts: %s", err);
    for (int naive = 0; a && naive < 2; naive++) {
        lj_model_set_naive(m, naive);
        lj_model_zero_grad(m);
        double loss = 0;
        TM_CHECK(lj_model_forward(m, a, &batch, NULL, &loss, err, sizeof err) == LJ_OK,
                 "forward: %s", err);
        TM_CHECK(lj_model_backward(m, a, &batch, err, sizeof err) == LJ_OK, "backward: %s", err);
        double le = fabs(loss - twin_loss) / fabs(twin_loss);
        TM_CHECK(le < TWIN_LOSS_TOL, "model loss %.9g vs twin %.9g", loss, twin_loss);
        double lk = fabs(lj_acts_head_loss(a, 0) - w.loss_keys) / w.loss_keys;
        TM_CHECK(lk < TWIN_LOSS_TOL, "NADE head loss %.9g vs twin %.9g", lj_acts_head_loss(a, 0),
                 w.loss_keys);
        double worst = 0;
        for (int i = 0; i < NT; i++) {
            const lj_param *p = lj_model_tensor(m, i);
            double num = 0, den = 1e-6;
            for (size_t j = 0; j < p->numel; j++) {
                double d = fabs((double)p->grad[j] - w.g[i][j]);
                num = d > num || d != d ? d : num;
                den = fabs(w.g[i][j]) > den ? fabs(w.g[i][j]) : den;
            }
            TM_CHECK(num / den < TWIN_GRAD_TOL, "%s: gradient %s vs double twin rel err %.3g",
                     naive ? "naive" : "blas", p->name, num / den);
            worst = num / den > worst ? num / den : worst;
        }
        printf("  whole model, NADE + MSE heads, %s: twin finite differences %.2e, loss "
               "%.2e, gradients %.2e (rel err)\n", naive ? "naive" : "blas ", worst_fd, le,
               worst);
    }
    lj_acts_destroy(a);
    lj_model_destroy(m);
    for (int i = 0; i < NT; i++) {
        free(w.p[i]);
        free(w.g[i]);
    }
    for (int l = 0; l < L; l++) {
        free(w.gates[l]); free(w.dgates[l]); free(w.hs[l]); free(w.cs[l]); free(w.tanh_c[l]);
        free(w.dhs[l]); free(w.dh[l]); free(w.dc[l]);
    }
    free(w.x); free(w.frames); free(w.dur); free(w.bt); free(w.dbt); free(w.probs);
    free(w.ct); free(w.dct); free(w.pred); free(w.dpred); free(w.scratch);
    free(xf); free(framesf); free(durf);
}

/* ---- 2. step API: drawn frames vs the teacher-forced forward ---------------- */

/* A piano-roll model: the frame drawn at step t is the input of step t+1. */
static void test_step_sampling(int rows, lj_rng *rng) {
    enum { K = 10, STEPS = 12 };
    char err[256];
    lj_model_config c = {.input_kind = LJ_INPUT_DENSE, .input_size = K, .num_layers = 2,
                         .hidden = {12, 9}, .num_heads = 1};
    c.heads[0] = (lj_head_config){.kind = LJ_HEAD_NADE, .name = "keys", .size = K,
                                  .loss_weight = 1.0f, .nade_hidden = 7};
    lj_model *m = new_model(&c, 8);
    tm_fill_f32(lj_model_tensor(m, 4 * 2 + 4)->data, (size_t)K * 7, rng, 1.5f);
    tm_fill_f32(lj_model_tensor(m, 4 * 2 + 5)->data, (size_t)K * 7, rng, 1.5f);
    lj_model_params_changed(m);
    lstm_state *s = NULL;
    TM_CHECK(lstm_state_create(&s, m, rows, err, sizeof err) == LJ_OK, "state: %s", err);
    const size_t S = (size_t)rows;
    /* inputs (STEPS,S,K): step 0 an empty frame, then the draws */
    float *in = tm_calloc((STEPS + 1) * S * K, sizeof(float));
    float *logp = tm_calloc(STEPS * S, sizeof(float));
    lj_rng draw;
    lj_rng_seed(&draw, 1234);
    long before = alloc_calls;
    for (int t = 0; t < STEPS; t++) {
        lstm_step(m, s, NULL, in + (size_t)t * S * K);
        int st = lstm_state_sample_frame(m, s, 0, 1.0f, &draw, in + (size_t)(t + 1) * S * K,
                                         logp + (size_t)t * S);
        TM_CHECK(st == LJ_OK, "sample_frame refused a NADE head");
    }
    long allocs = alloc_calls - before;
    TM_CHECK(allocs == 0, "stepping and sampling allocated %ld times", allocs);
    const char *path = lstm_step_path(m, s);
    int on = 0;
    for (size_t i = 0; i < STEPS * S * K; i++) on += in[S * K + i] != 0.0f;
    TM_CHECK(on > 0 && on < STEPS * (int)S * K, "degenerate draws: %d keys on", on);

    lj_acts *a = NULL;
    TM_CHECK(lj_acts_create(&a, m, rows, STEPS, err, sizeof err) == LJ_OK, "acts: %s", err);
    lj_batch b = {.B = rows, .T = STEPS, .features = in};
    b.target_values[0] = in + S * K;
    double loss = 0;
    TM_CHECK(lj_model_forward(m, a, &b, NULL, &loss, err, sizeof err) == LJ_OK, "forward: %s",
             err);
    double sum_logp = 0;
    for (size_t i = 0; i < STEPS * S; i++) sum_logp += logp[i];
    double nll = -sum_logp / (double)(STEPS * S), e = fabs(nll - loss) / loss;
    TM_CHECK(e < 1e-5, "rows %d: -mean log p of the draws %.9g, forward NLL %.9g", rows, nll,
             loss);
    printf("  step + sample, %d row(s), %s path: %d keys on, -log p %.6f vs forward NLL %.6f "
           "(rel %.1e), %ld allocations\n", rows, path, on, nll, loss, e, allocs);
    lj_acts_destroy(a);
    lstm_state_destroy(s);
    lj_model_destroy(m);
    free(in);
    free(logp);
}

/* ---- 3. NADE with zero NADE weights == Bernoulli ---------------------------- */

static void test_nade_zero_is_bernoulli(lj_rng *rng) {
    enum { K = 9 };
    char err[256];
    lj_model_config cn = {.input_kind = LJ_INPUT_DENSE, .input_size = K, .num_layers = 1,
                          .hidden = {8}, .num_heads = 1};
    cn.heads[0] = (lj_head_config){.kind = LJ_HEAD_NADE, .name = "keys", .size = K,
                                   .loss_weight = 1.0f, .nade_hidden = 4};
    lj_model_config cb = cn;
    cb.heads[0].kind = LJ_HEAD_BERNOULLI;
    cb.heads[0].nade_hidden = 0;
    lj_model *mn = new_model(&cn, 3), *mb = new_model(&cb, 3);
    /* same LSTM and head linear; the NADE's own tensors zero */
    for (int i = 0; i < lj_model_tensor_count(mb); i++) {
        const lj_param *pb = lj_model_tensor(mb, i), *pn = lj_model_find(mn, pb->name);
        memcpy(pn->data, pb->data, pb->numel * sizeof(float));
    }
    memset(lj_model_find(mn, "heads.keys.nade_w_in")->data, 0, (size_t)K * 4 * sizeof(float));
    memset(lj_model_find(mn, "heads.keys.nade_v")->data, 0, (size_t)K * 4 * sizeof(float));
    lj_model_params_changed(mn);
    lstm_state *sn = NULL, *sb = NULL;
    lstm_state_create(&sn, mn, 2, err, sizeof err);
    lstm_state_create(&sb, mb, 2, err, sizeof err);
    float x[2 * K], fn[2 * K], fb[2 * K], ln[2], lb[2];
    lj_rng rn, rb;
    lj_rng_seed(&rn, 77);
    lj_rng_seed(&rb, 77);
    int same = 1;
    for (int t = 0; t < 6; t++) {
        tm_fill_f32(x, 2 * K, rng, 1.0f);
        lstm_step(mn, sn, NULL, x);
        lstm_step(mb, sb, NULL, x);
        lstm_state_sample_frame(mn, sn, 0, 1.0f, &rn, fn, ln);
        lstm_state_sample_frame(mb, sb, 0, 1.0f, &rb, fb, lb);
        same &= memcmp(fn, fb, sizeof fn) == 0 && fabsf(ln[0] - lb[0]) <= 1e-6f * fabsf(lb[0]) &&
                fabsf(ln[1] - lb[1]) <= 1e-6f * fabsf(lb[1]);
    }
    TM_CHECK(same, "NADE with zero W_in, V draws other frames than the Bernoulli head");
    /* the losses on a batch, bit for bit (nade_forward uses bernoulli's expression) */
    lj_acts *an = NULL, *ab = NULL;
    lj_acts_create(&an, mn, 2, 3, err, sizeof err);
    lj_acts_create(&ab, mb, 2, 3, err, sizeof err);
    float feats[3 * 2 * K], tg[3 * 2 * K];
    tm_fill_f32(feats, sizeof feats / sizeof *feats, rng, 1.0f);
    for (size_t i = 0; i < sizeof tg / sizeof *tg; i++) tg[i] = lj_rng_uniform(rng) < 0.3f;
    lj_batch bt = {.B = 2, .T = 3, .features = feats};
    bt.target_values[0] = tg;
    double l_n = 0, l_b = 0;
    lj_model_set_naive(mn, 1);
    lj_model_set_naive(mb, 1);
    lj_model_forward(mn, an, &bt, NULL, &l_n, err, sizeof err);
    lj_model_forward(mb, ab, &bt, NULL, &l_b, err, sizeof err);
    TM_CHECK(l_n == l_b, "zero-weight NADE loss %.17g, Bernoulli %.17g", l_n, l_b);
    printf("  NADE with zero W_in, V == Bernoulli head: draws %s, loss %.9g vs %.9g\n",
           same ? "equal" : "DIFFER", l_n, l_b);
    lj_acts_destroy(an);
    lj_acts_destroy(ab);
    lstm_state_destroy(sn);
    lstm_state_destroy(sb);
    lj_model_destroy(mn);
    lj_model_destroy(mb);
}

/* ---- 4. refusals and shapes --------------------------------------------------- */

static void test_refusals(void) {
    char err[256] = "";
    lj_model *m = NULL;
    lj_model_config c = nade_config();
    c.heads[0].nade_hidden = 0;
    TM_CHECK(lj_model_create(&m, &c, err, sizeof err) == LJ_ERR_ARG && !m &&
                 strstr(err, "nade_hidden"), "NADE head without nade_hidden accepted (%s)", err);
    c = nade_config();
    c.heads[1].nade_hidden = 4;
    TM_CHECK(lj_model_create(&m, &c, err, sizeof err) == LJ_ERR_ARG && !m &&
                 strstr(err, "not nade"), "nade_hidden on an MSE head accepted (%s)", err);
    c = nade_config();
    m = new_model(&c, 1);
    const lj_param *p = lj_model_find(m, "heads.keys.hidden_weight");
    TM_CHECK(p && p->shape[0] == HN && p->shape[1] == H1, "hidden_weight shape");
    p = lj_model_find(m, "heads.keys.hidden_bias");
    TM_CHECK(p && p->ndim == 1 && p->shape[0] == HN, "hidden_bias shape");
    p = lj_model_find(m, "heads.keys.nade_w_in");
    TM_CHECK(p && p->shape[0] == D && p->shape[1] == HN, "nade_w_in shape");
    p = lj_model_find(m, "heads.keys.nade_v");
    TM_CHECK(p && p->shape[0] == D && p->shape[1] == HN, "nade_v shape");
    TM_CHECK(!lj_model_find(m, "heads.dur.nade_v"), "an MSE head has NADE tensors");
    size_t total = 0;
    for (int i = 0; i < lj_model_tensor_count(m); i++) total += lj_model_tensor(m, i)->numel;
    TM_CHECK(total == lj_model_num_params(m), "parameter count");
    lstm_state *s = NULL;
    lstm_state_create(&s, m, 1, err, sizeof err);
    float x[I] = {0}, frame[D];
    lj_rng r;
    lj_rng_seed(&r, 1);
    lstm_step(m, s, NULL, x);
    TM_CHECK(lstm_state_sample_frame(m, s, 1, 1.0f, &r, frame, NULL) == LJ_ERR_ARG,
             "a frame drawn from an MSE head");
    TM_CHECK(lstm_state_sample_frame(m, s, 2, 1.0f, &r, frame, NULL) == LJ_ERR_ARG,
             "a frame drawn from head 2 of 2");
    TM_CHECK(lstm_state_sample_frame(m, s, -1, 1.0f, &r, frame, NULL) == LJ_ERR_ARG,
             "a frame drawn from head -1");
    TM_CHECK(lstm_state_sample_frame(m, s, 0, 1.0f, &r, frame, NULL) == LJ_OK, "NADE draw refused");
    lstm_state_destroy(s);
    lj_model_destroy(m);
}

int main(void) {
    lj_rng rng;
    lj_rng_seed(&rng, 4711);
    test_fd_whole_model(&rng);
    test_step_sampling(1, &rng);
    test_step_sampling(2, &rng);
    test_nade_zero_is_bernoulli(&rng);
    test_refusals();
    TM_CHECK(alloc_calls > 0, "the allocation counter saw nothing: --wrap not active");
    return tm_finish();
}
