/* The hand-vectorised kernels (model/simd.h) against their plain twins, on
 * every instruction set this CPU runs (the others are reported as skipped and
 * clamp to the best below, which is then what runs), and the packed batch-1
 * step against the sequence forward:
 *   - vector sigmoid/tanh vs double-precision libm: max relative error < 1e-6
 *     (|y| >= 1e-3) and absolute < 1e-7 below; NaN stays NaN;
 *   - cell forward/backward vs the double oracle lstm_cell_forward_f64 and
 *     the plain float loop: relative (tensor measure) < 1e-6;
 *   - panel matvec f32 vs a double dot product < 1e-6, bf16 panels vs the
 *     same product over bf16-rounded weights < 1e-6 (odd and even K);
 *   - lstm_step at batch 1 on the packed f32 weights == lj_model_forward
 *     (non-naive) within 2e-6 relative, for every input kind and ISA, with
 *     zero allocations; bf16 weights within 3e-2 (printed); a parameter change
 *     marks the pack stale and the step falls back to the unpacked path.
 * Linked with --wrap=malloc,... to count allocations in lstm_step. */
#include "kernels.h"
#include "model.h"
#include "simd.h"
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

static const lj_isa ISAS[] = {LJ_ISA_SCALAR, LJ_ISA_AVX2, LJ_ISA_AVX512};

/* ---- sigmoid / tanh ------------------------------------------------------------- */

static void test_nonlinearities(lj_isa isa) {
    const size_t n = 200003; /* odd: exercises the scalar tail */
    float *x = tm_calloc(n, sizeof(float)), *y = tm_calloc(n, sizeof(float));
    for (size_t i = 0; i < n; i++) x[i] = -40.0f + 80.0f * (float)i / (float)(n - 1);
    x[7] = 1e-6f;
    x[8] = -3e-8f;
    x[9] = 0.0f;
    x[10] = 0.62499f;
    x[11] = 0.62501f;
    x[12] = -95.0f;
    x[13] = 95.0f;
    double worst_s = 0, worst_t = 0;
    lj_sigmoid_simd(isa, y, x, n);
    for (size_t i = 0; i < n; i++) {
        double ref = 1.0 / (1.0 + exp(-(double)x[i]));
        /* relative where |y| >= 1e-3; below, absolute < 1e-7 reads as < 1e-6 */
        double e = ref >= 1e-3 ? fabs(y[i] - ref) / ref : fabs(y[i] - ref) / 1e-1;
        worst_s = e > worst_s ? e : worst_s;
    }
    lj_tanh_simd(isa, y, x, n);
    for (size_t i = 0; i < n; i++) {
        double ref = tanh((double)x[i]);
        double e = fabs(ref) >= 1e-3 ? fabs(y[i] - ref) / fabs(ref) : fabs(y[i] - ref) / 1e-1;
        worst_t = e > worst_t ? e : worst_t;
    }
    TM_CHECK(worst_s < 1e-6, "%s sigmoid: worst error %.3g", lj_isa_name(isa), worst_s);
    TM_CHECK(worst_t < 1e-6, "%s tanh: worst error %.3g", lj_isa_name(isa), worst_t);
    float nan_in[32], nan_out[32];
    for (int i = 0; i < 32; i++) nan_in[i] = NAN;
    lj_sigmoid_simd(isa, nan_out, nan_in, 32);
    int nan_ok = 1;
    for (int i = 0; i < 32; i++) nan_ok &= isnan(nan_out[i]);
    lj_tanh_simd(isa, nan_out, nan_in, 32);
    for (int i = 0; i < 32; i++) nan_ok &= isnan(nan_out[i]);
    TM_CHECK(nan_ok, "%s: NaN input did not stay NaN", lj_isa_name(isa));
    printf("  %-6s sigmoid max rel err %.2e, tanh %.2e\n", lj_isa_name(isa), worst_s, worst_t);
    free(x);
    free(y);
}

/* ---- cell forward / backward ------------------------------------------------------ */

static void test_cells(lj_isa isa, lj_rng *rng) {
    const int R = 3, H = 37; /* 37 = 2*16 + 5: vectors and a tail */
    size_t G = (size_t)R * 4 * H, N = (size_t)R * H;
    float *g = tm_calloc(G, 4), *g2 = tm_calloc(G, 4), *cp = tm_calloc(N, 4);
    float *c = tm_calloc(N, 4), *tc = tm_calloc(N, 4), *h = tm_calloc(N, 4);
    double *gd = tm_calloc(G, 8), *cpd = tm_calloc(N, 8), *cd = tm_calloc(N, 8);
    double *tcd = tm_calloc(N, 8), *hd = tm_calloc(N, 8);
    tm_fill_f32(g, G, rng, 6.0f);
    tm_fill_f32(cp, N, rng, 2.0f);
    for (size_t i = 0; i < G; i++) gd[i] = g[i];
    for (size_t i = 0; i < N; i++) cpd[i] = cp[i];
    memcpy(g2, g, G * 4);
    lj_cell_forward_simd(isa, g, cp, c, tc, h, R, H);
    lstm_cell_forward_f64(gd, cpd, cd, tcd, hd, R, H);
    double eg = 0, ec = 0, eh = 0, et = 0;
    float *tmp = tm_calloc(G, 4);
    for (size_t i = 0; i < G; i++) tmp[i] = (float)gd[i];
    eg = tm_rel_err_f32(g, tmp, G, 1e-3);
    for (size_t i = 0; i < N; i++) tmp[i] = (float)cd[i];
    ec = tm_rel_err_f32(c, tmp, N, 1e-3);
    for (size_t i = 0; i < N; i++) tmp[i] = (float)hd[i];
    eh = tm_rel_err_f32(h, tmp, N, 1e-3);
    for (size_t i = 0; i < N; i++) tmp[i] = (float)tcd[i];
    et = tm_rel_err_f32(tc, tmp, N, 1e-3);
    double ef = fmax(fmax(eg, ec), fmax(eh, et));
    TM_CHECK(ef < 1e-6, "%s cell forward vs double: %.3g", lj_isa_name(isa), ef);

    /* backward: the vector path vs the plain loop on the same activations */
    float *dg1 = tm_calloc(G, 4), *dg2 = tm_calloc(G, 4), *dc1 = tm_calloc(N, 4);
    float *dc2 = tm_calloc(N, 4), *dho = tm_calloc(N, 4), *dh = tm_calloc(N, 4);
    tm_fill_f32(dc1, N, rng, 1.0f);
    memcpy(dc2, dc1, N * 4);
    tm_fill_f32(dho, N, rng, 1.0f);
    tm_fill_f32(dh, N, rng, 1.0f);
    lj_cell_backward_simd(isa, dg1, dc1, dho, dh, g, cp, tc, R, H);
    lj_cell_backward_simd(LJ_ISA_SCALAR, dg2, dc2, dho, dh, g, cp, tc, R, H);
    double eb = fmax(tm_rel_err_f32(dg1, dg2, G, 1e-3), tm_rel_err_f32(dc1, dc2, N, 1e-3));
    TM_CHECK(eb < 1e-6, "%s cell backward vs plain loop: %.3g", lj_isa_name(isa), eb);
    printf("  %-6s cell forward vs double %.2e, backward vs plain %.2e\n", lj_isa_name(isa), ef,
           eb);
    free(g); free(g2); free(cp); free(c); free(tc); free(h); free(gd); free(cpd); free(cd);
    free(tcd); free(hd); free(tmp); free(dg1); free(dg2); free(dc1); free(dc2); free(dho);
    free(dh);
}

/* ---- panel matvec ---------------------------------------------------------------------- */

static float bf16_round(float x) {
    uint32_t u = (uint32_t)lj_bf16_from_f32(x) << 16;
    float y;
    memcpy(&y, &u, 4);
    return y;
}

/* np panels: kernels read four at a time, then one by one (np 1..9 covers
 * no quad, one and two quads, and every remainder) */
static void test_matvec(lj_isa isa, int bf16, int K, int np, lj_rng *rng) {
    const int N = np * LJ_PANEL;
    float *w = tm_calloc((size_t)N * K, 4), *x = tm_calloc((size_t)K, 4);
    float *y = tm_calloc((size_t)N, 4), *ref = tm_calloc((size_t)N, 4);
    size_t bytes = lj_panel_bytes(bf16, K, np);
    unsigned char *pan = tm_calloc(bytes, 1);
    tm_fill_f32(w, (size_t)N * K, rng, 1.0f);
    tm_fill_f32(x, (size_t)K, rng, 1.0f);
    for (int n = 0; n < N; n++) {
        double s = 0;
        for (int k = 0; k < K; k++) {
            float wv = w[(size_t)n * K + k];
            size_t o = lj_panel_index(bf16, K, (size_t)(n / LJ_PANEL), n % LJ_PANEL, k);
            if (bf16) {
                ((uint16_t *)(void *)pan)[o] = lj_bf16_from_f32(wv);
                wv = bf16_round(wv);
            } else {
                ((float *)(void *)pan)[o] = wv;
            }
            s += (double)wv * x[k];
        }
        ref[n] = (float)s;
    }
    lj_panel_matvec(isa, bf16, pan, np, K, x, y);
    double e = tm_rel_err_f32(y, ref, (size_t)N, 1e-3);
    TM_CHECK(e < 1e-6, "%s matvec %s K %d, %d panels: rel err %.3g", lj_isa_name(isa),
             bf16 ? "bf16" : "f32", K, np, e);
    if (np == 5)
        printf("  %-6s matvec %s K=%d: rel err %.2e\n", lj_isa_name(isa), bf16 ? "bf16" : "f32 ",
               K, e);
    free(w); free(x); free(y); free(ref); free(pan);
}

/* ---- packed batch-1 step vs the sequence forward ----------------------------------- */

static lj_model_config step_config(lj_input_kind kind) {
    lj_model_config c = {.input_kind = kind, .input_size = 13, .embed_dim = 10, .num_layers = 3,
                         .hidden = {40, 17, 33}, .dropout = 0.0f, .num_heads = 2};
    c.heads[0] = (lj_head_config){.kind = LJ_HEAD_SOFTMAX, .name = "tok", .size = 13,
                                  .loss_weight = 1.0f};
    c.heads[1] = (lj_head_config){.kind = LJ_HEAD_BERNOULLI, .name = "bits", .size = 21,
                                  .loss_weight = 0.5f};
    return c;
}

static void test_step_packed(lj_input_kind kind, lj_isa isa, lj_rng *rng) {
    char err[256];
    lj_model_config c = step_config(kind);
    lj_model *m = NULL;
    TM_CHECK(lj_model_create(&m, &c, err, sizeof err) == LJ_OK, "create: %s", err);
    lj_model_init(m, 5);
    lj_model_set_isa(m, isa);
    const int T = 9, I = c.input_size;
    int32_t tok[9];
    float *feat = tm_calloc((size_t)T * I, 4);
    for (int t = 0; t < T; t++) tok[t] = (int32_t)(lj_rng_u64(rng) % (uint64_t)I);
    tok[3] = -1;
    tm_fill_f32(feat, (size_t)T * I, rng, 1.0f);
    lj_batch b = {.B = 1, .T = T};
    if (kind == LJ_INPUT_DENSE)
        b.features = feat;
    else
        b.tokens = tok;
    lj_acts *a = NULL;
    lstm_state *s = NULL, *s16 = NULL;
    TM_CHECK(lj_acts_create(&a, m, 1, T, err, sizeof err) == LJ_OK, "acts: %s", err);
    TM_CHECK(lj_model_forward(m, a, &b, NULL, NULL, err, sizeof err) == LJ_OK, "fwd: %s", err);
    TM_CHECK(lstm_state_create(&s, m, 1, err, sizeof err) == LJ_OK, "state: %s", err);
    char want[64];
    snprintf(want, sizeof want, "packed-f32-%s", lj_isa_name(lj_model_get_isa(m)));
    TM_CHECK(strcmp(lstm_step_path(m, s), want) == 0, "path %s, expected %s",
             lstm_step_path(m, s), want);
    /* the bytes a step reads: per layer 4*Hp rows of K weights (64-byte
     * rounded) and 4*Hp biases, the heads' 16-row-rounded rows over the top
     * width, and one (4*Hp) table row for token inputs */
    for (int bf = 0; bf < 2; bf++) {
        size_t want_bytes = 0;
        for (int l = 0; l < c.num_layers; l++) {
            size_t Hp = ((size_t)c.hidden[l] + 15) / 16 * 16;
            int in = l == 0 ? (kind == LJ_INPUT_DENSE ? I : 0) : c.hidden[l - 1];
            size_t K = (size_t)(in + c.hidden[l]), row = bf ? (K + 1) / 2 * 4 : K * 4;
            want_bytes += (4 * Hp * row + 63) / 64 * 64 + 4 * Hp * 4;
            if (l == 0 && kind != LJ_INPUT_DENSE)
                want_bytes += 4 * Hp * 4;
        }
        for (int h = 0; h < c.num_heads; h++) {
            size_t K = (size_t)c.hidden[c.num_layers - 1], row = bf ? (K + 1) / 2 * 4 : K * 4;
            want_bytes += (((size_t)c.heads[h].size + 15) / 16 * 16 * row + 63) / 64 * 64;
        }
        if (bf)
            TM_CHECK(lj_model_prepare_step(m, LJ_STEP_BF16, err, sizeof err) == LJ_OK, "bf16: %s",
                     err);
        TM_CHECK(lstm_step_weight_bytes(m) == want_bytes, "%s step reads %zu bytes, expected %zu",
                 bf ? "bf16" : "f32", lstm_step_weight_bytes(m), want_bytes);
    }
    TM_CHECK(lj_model_prepare_step(m, LJ_STEP_F32, err, sizeof err) == LJ_OK, "f32: %s", err);

    double worst = 0;
    long before = alloc_calls;
    for (int t = 0; t < T; t++) {
        lstm_step(m, s, tok + t, feat + (size_t)t * I);
        for (int h = 0; h < c.num_heads; h++) {
            size_t K = (size_t)c.heads[h].size;
            double e = tm_rel_err_f32(lstm_state_head_output(s, h),
                                      lj_acts_head_output(a, h) + t * K, K, 1e-3);
            worst = e > worst ? e : worst;
        }
    }
    TM_CHECK(alloc_calls == before, "packed lstm_step allocated %ld times", alloc_calls - before);
    TM_CHECK(worst < 2e-6, "input %d %s: packed f32 step vs forward %.3g", (int)kind,
             lj_isa_name(isa), worst);

    /* bf16 weights: same sequence, looser (reported) */
    TM_CHECK(lj_model_prepare_step(m, LJ_STEP_BF16, err, sizeof err) == LJ_OK, "bf16: %s", err);
    TM_CHECK(lstm_state_create(&s16, m, 1, err, sizeof err) == LJ_OK, "state: %s", err);
    snprintf(want, sizeof want, "packed-bf16-%s", lj_isa_name(lj_model_get_isa(m)));
    TM_CHECK(strcmp(lstm_step_path(m, s16), want) == 0, "path %s, expected %s",
             lstm_step_path(m, s16), want);
    double worst16 = 0;
    for (int t = 0; t < T; t++) {
        lstm_step(m, s16, tok + t, feat + (size_t)t * I);
        for (int h = 0; h < c.num_heads; h++) {
            size_t K = (size_t)c.heads[h].size;
            double e = tm_rel_err_f32(lstm_state_head_output(s16, h),
                                      lj_acts_head_output(a, h) + t * K, K, 1e-3);
            worst16 = e > worst16 ? e : worst16;
        }
    }
    TM_CHECK(worst16 < 3e-2 && worst16 > 0, "input %d %s: bf16 step vs forward %.3g", (int)kind,
             lj_isa_name(isa), worst16);

    /* a parameter change makes the pack stale: the unpacked path, same numbers */
    lj_model_params_changed(m);
    TM_CHECK(strcmp(lstm_step_path(m, s), "unpacked") == 0, "stale pack still used");
    TM_CHECK(lstm_step_weight_bytes(m) == 0, "a stale pack reports %zu bytes",
             lstm_step_weight_bytes(m));
    lstm_state_reset(s);
    double worst_u = 0;
    for (int t = 0; t < T; t++) {
        lstm_step(m, s, tok + t, feat + (size_t)t * I);
        size_t K = (size_t)c.heads[0].size;
        double e = tm_rel_err_f32(lstm_state_head_output(s, 0),
                                  lj_acts_head_output(a, 0) + t * K, K, 1e-3);
        worst_u = e > worst_u ? e : worst_u;
    }
    TM_CHECK(worst_u < 2e-6, "unpacked step vs forward %.3g", worst_u);
    printf("  %-6s step input %d: packed f32 %.2e, bf16 %.2e, unpacked %.2e\n",
           lj_isa_name(lj_model_get_isa(m)), (int)kind, worst, worst16, worst_u);
    lstm_state_destroy(s);
    lstm_state_destroy(s16);
    lj_acts_destroy(a);
    lj_model_destroy(m);
    free(feat);
}

/* The fast training path (token table, vector cells) on every ISA vs naive. */
static void test_train_paths(lj_input_kind kind, lj_isa isa, lj_rng *rng) {
    char err[256];
    lj_model_config c = step_config(kind);
    c.dropout = 0.2f;
    lj_model *mf = NULL, *mn = NULL;
    lj_model_create(&mf, &c, err, sizeof err);
    lj_model_create(&mn, &c, err, sizeof err);
    lj_model_init(mf, 8);
    lj_model_init(mn, 8);
    lj_model_set_isa(mf, isa);
    lj_model_set_naive(mn, 1);
    const int B = 4, T = 6, I = c.input_size;
    int32_t tok[24], ids[24];
    float feat[24 * 13], bits[24 * 21];
    for (int i = 0; i < B * T; i++) {
        tok[i] = (int32_t)(lj_rng_u64(rng) % (uint64_t)I);
        ids[i] = (int32_t)(lj_rng_u64(rng) % 13);
    }
    tok[5] = -1;
    tm_fill_f32(feat, sizeof feat / 4, rng, 1.0f);
    for (size_t i = 0; i < sizeof bits / 4; i++) bits[i] = (float)(lj_rng_u64(rng) & 1);
    lj_batch b = {.B = B, .T = T};
    if (kind == LJ_INPUT_DENSE)
        b.features = feat;
    else
        b.tokens = tok;
    b.target_ids[0] = ids;
    b.target_values[1] = bits;
    lj_acts *af = NULL, *an = NULL;
    lj_acts_create(&af, mf, B, T, err, sizeof err);
    lj_acts_create(&an, mn, B, T, err, sizeof err);
    lj_rng r1, r2;
    lj_rng_seed(&r1, 3);
    lj_rng_seed(&r2, 3);
    double lf, ln;
    lj_model_forward(mf, af, &b, &r1, &lf, err, sizeof err);
    lj_model_forward(mn, an, &b, &r2, &ln, err, sizeof err);
    lj_model_backward(mf, af, &b, err, sizeof err);
    lj_model_backward(mn, an, &b, err, sizeof err);
    double worst = 0;
    for (int i = 0; i < lj_model_tensor_count(mf); i++) {
        const lj_param *pf = lj_model_tensor(mf, i), *pn = lj_model_tensor(mn, i);
        double e = tm_rel_err_f32(pf->grad, pn->grad, pf->numel, 1e-6);
        TM_CHECK(e < 1e-5, "%s input %d: grad %s fast vs naive %.3g", lj_isa_name(isa),
                 (int)kind, pf->name, e);
        worst = e > worst ? e : worst;
    }
    TM_CHECK(fabs(lf - ln) <= 1e-6 * fabs(ln), "%s input %d: loss %.9g vs %.9g",
             lj_isa_name(isa), (int)kind, lf, ln);
    printf("  %-6s train input %d: loss %.7g vs naive %.7g, worst grad rel err %.2e\n",
           lj_isa_name(lj_model_get_isa(mf)), (int)kind, lf, ln, worst);
    lj_acts_destroy(af);
    lj_acts_destroy(an);
    lj_model_destroy(mf);
    lj_model_destroy(mn);
}

/* Vector softmax + cross-entropy vs the plain loop (K below, at and above one
 * vector, odd; ignored targets): probabilities and loss within 1e-6. */
static void test_softmax(lj_isa isa, lj_rng *rng) {
    static const int Ks[] = {5, 16, 37, 128};
    for (size_t ki = 0; ki < sizeof Ks / sizeof *Ks; ki++) {
        int N = 7, K = Ks[ki];
        float *z = tm_calloc((size_t)N * K, sizeof(float));
        float *p0 = tm_calloc((size_t)N * K, sizeof(float));
        float *p1 = tm_calloc((size_t)N * K, sizeof(float));
        int32_t t[7] = {0, 3, -1, 4, 1, -1, 2};
        tm_fill_f32(z, (size_t)N * K, rng, 8.0f);
        int c0, c1;
        double l0 = softmax_ce_forward(p0, z, t, N, K, &c0);
        double l1 = lj_softmax_ce_simd(isa, p1, z, t, N, K, &c1);
        double e = tm_rel_err_f32(p1, p0, (size_t)N * K, 1e-3);
        TM_CHECK(c0 == c1 && fabs(l1 - l0) <= 1e-6 * fabs(l0) && e < 1e-6,
                 "%s softmax K=%d: loss %.9g vs %.9g, probs rel err %.3g", lj_isa_name(isa), K,
                 l1, l0, e);
        free(z);
        free(p0);
        free(p1);
    }
}

/* Adam and AdamW updates: the same bits as the plain loop (odd n: the tail). */
static void test_adam(lj_isa isa, lj_rng *rng) {
    const size_t n = 1037;
    for (int decoupled = 0; decoupled < 2; decoupled++) {
        float *p[2], *m[2], *v[2], *g = tm_calloc(n, sizeof(float));
        for (int s = 0; s < 2; s++) {
            p[s] = tm_calloc(n, sizeof(float));
            m[s] = tm_calloc(n, sizeof(float));
            v[s] = tm_calloc(n, sizeof(float));
        }
        tm_fill_f32(p[0], n, rng, 1.0f);
        memcpy(p[1], p[0], n * sizeof(float));
        for (int step = 1; step <= 3; step++) {
            tm_fill_f32(g, n, rng, 0.1f);
            g[5] = 0.0f;
            float bc2 = 1.0f - powf(0.999f, (float)step);
            float ss = 1e-3f / (1.0f - powf(0.9f, (float)step));
            lj_adam_update(LJ_ISA_SCALAR, p[0], g, m[0], v[0], n, 0.9f, 0.999f, ss, sqrtf(bc2),
                           1e-8f, 0.01f, 1e-3f, decoupled);
            lj_adam_update(isa, p[1], g, m[1], v[1], n, 0.9f, 0.999f, ss, sqrtf(bc2), 1e-8f,
                           0.01f, 1e-3f, decoupled);
        }
        TM_CHECK(!memcmp(p[0], p[1], n * sizeof(float)) &&
                     !memcmp(m[0], m[1], n * sizeof(float)) &&
                     !memcmp(v[0], v[1], n * sizeof(float)),
                 "%s adam (decoupled %d) differs from the plain loop", lj_isa_name(isa), decoupled);
        for (int s = 0; s < 2; s++) {
            free(p[s]);
            free(m[s]);
            free(v[s]);
        }
        free(g);
    }
}

int main(void) {
    lj_rng rng;
    lj_rng_seed(&rng, 4242);
    for (size_t i = 0; i < sizeof ISAS / sizeof *ISAS; i++) {
        lj_isa isa = ISAS[i];
        if (lj_isa_clamp(isa) != isa) {
            printf("  %s: not supported by this CPU, skipped\n", lj_isa_name(isa));
            continue;
        }
        test_nonlinearities(isa);
        test_cells(isa, &rng);
        test_adam(isa, &rng);
        test_softmax(isa, &rng);
        for (int bf16 = 0; bf16 < 2; bf16++) {
            for (int np = 1; np <= 9; np++) {
                test_matvec(isa, bf16, 37, np, &rng);
                test_matvec(isa, bf16, 64, np, &rng);
                test_matvec(isa, bf16, 1, np, &rng);
            }
        }
        for (int kind = 0; kind < 3; kind++) {
            test_step_packed((lj_input_kind)kind, isa, &rng);
            test_train_paths((lj_input_kind)kind, isa, &rng);
        }
    }
    return tm_finish();
}
