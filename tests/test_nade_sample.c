/* RNN-NADE sampling (nade_sample, nade_head_sample in model/nade.h).
 *
 * 1. Deterministic: the same seed gives the same frames, probabilities and
 *    log-probabilities bit for bit; another seed gives other frames.
 * 2. Consistent with the teacher-forced forward: the conditional probability
 *    reported for each draw equals nade_forward's on the drawn frame (bitwise,
 *    same arithmetic), and logp equals minus its NLL (relative 1e-12, double).
 * 3. Distribution: for D = 8 keys, exact marginals p(v_d = 1) and the exact
 *    probability of each of the 2^8 frames are computed by enumeration with
 *    nade_forward_f64 (whose normalisation test_nade_fd checks); 200,000 float
 *    draws for each of two conditioning rows must match: every key frequency
 *    within 5 standard errors (sqrt(p(1-p)/M)), and a chi-square over the 256
 *    frames (cells expecting < 5 draws pooled) below dof + 5 sqrt(2 dof). The
 *    weights are large, so keys depend strongly on earlier keys: a sampler
 *    that drew keys independently from their marginals would pass the first
 *    check but fail the chi-square (checked below on a deliberately wrong
 *    sampler). Fixed seeds, so the verdict is reproducible.
 * 4. Saturated biases: b_t = +60 gives all keys on, -60 all off, logp ~ 0.
 * 5. Allocates nothing: malloc/calloc/realloc/aligned_alloc are wrapped and
 *    counted around the sampling calls.
 * 6. Observed keys (nade_sample_observed, a player's held keys): see
 *    test_observed. */
#include "nade.h"
#include "test_model_util.h"

#include <string.h>

/* ---- allocation counter (linked with -Wl,--wrap=...) ----------------------- */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
static long allocations;
void *__wrap_malloc(size_t n) { allocations++; return __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { allocations++; return __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { allocations++; return __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t align, size_t n) {
    allocations++;
    return __real_aligned_alloc(align, n);
}

enum { D = 8, HN = 5, R = 6, ROWS = 2, FRAMES = 1 << D, DRAWS = 200000 };

typedef struct head {
    float w_rb[D * R], b[D], w_rc[HN * R], c[HN], w_in[D * HN], v[D * HN];
    double w_in64[D * HN], v64[D * HN]; /* the same values in double */
} head;

static void head_init(head *h, lj_rng *rng) {
    tm_fill_f32(h->w_rb, D * R, rng, 1.0f);
    tm_fill_f32(h->b, D, rng, 1.0f);
    tm_fill_f32(h->w_rc, HN * R, rng, 1.0f);
    tm_fill_f32(h->c, HN, rng, 1.0f);
    tm_fill_f32(h->w_in, D * HN, rng, 3.0f); /* strong dependencies between keys */
    tm_fill_f32(h->v, D * HN, rng, 3.0f);
    for (int i = 0; i < D * HN; i++) h->w_in64[i] = h->w_in[i], h->v64[i] = h->v[i];
}

static nade_params params(head *h) {
    return (nade_params){h->w_rb, h->b, h->w_rc, h->c, h->w_in, h->v};
}

static void test_determinism(const head *hc, lj_rng *rng) {
    head h = *hc;
    nade_params p = params(&h);
    enum { N = 16 };
    float r[N * R], bt[N * D], ct[N * HN], out1[N * D], out2[N * D], out3[N * D];
    float pr1[N * D], pr2[N * D], lp1[N], lp2[N];
    float *scratch = tm_calloc(nade_scratch_len(D, HN), sizeof(float));
    tm_fill_f32(r, N * R, rng, 1.0f);
    lj_rng a, b, c;
    lj_rng_seed(&a, 77);
    lj_rng_seed(&b, 77);
    lj_rng_seed(&c, 78);
    nade_head_sample(0, out1, pr1, lp1, bt, ct, r, &p, N, R, D, HN, &a, scratch);
    nade_head_sample(0, out2, pr2, lp2, bt, ct, r, &p, N, R, D, HN, &b, scratch);
    TM_CHECK(memcmp(out1, out2, sizeof out1) == 0 && memcmp(pr1, pr2, sizeof pr1) == 0 &&
                 memcmp(lp1, lp2, sizeof lp1) == 0,
             "the same seed gave different samples");
    nade_head_sample(0, out3, NULL, NULL, bt, ct, r, &p, N, R, D, HN, &c, scratch);
    TM_CHECK(memcmp(out1, out3, sizeof out1) != 0, "seeds 77 and 78 gave the same %d frames", N);
    free(scratch);
}

/* the probabilities and logp of a draw against the teacher-forced forward */
static void test_consistency(const head *hc, lj_rng *rng) {
    head h = *hc;
    enum { N = 40 };
    float bt[N * D], ct[N * HN], out[N * D], pr[N * D], lp[N], fpr[N * D];
    double bt64[N * D], ct64[N * HN], out64[N * D], pr64[N * D], lp64[N];
    float *scratch = tm_calloc(nade_scratch_len(D, HN), sizeof(float));
    double *scratch64 = tm_calloc(nade_scratch_len(D, HN), sizeof(double));
    tm_fill_f32(bt, N * D, rng, 2.0f);
    tm_fill_f32(ct, N * HN, rng, 2.0f);
    for (int i = 0; i < N * D; i++) bt64[i] = bt[i];
    for (int i = 0; i < N * HN; i++) ct64[i] = ct[i];
    lj_rng s;
    lj_rng_seed(&s, 5);
    nade_sample(out, pr, lp, bt, ct, h.w_in, h.v, N, D, HN, 1.0f, &s, scratch);
    nade_forward(fpr, bt, ct, out, h.w_in, h.v, N, D, HN, scratch);
    TM_CHECK(memcmp(pr, fpr, sizeof pr) == 0, "sampling probs differ from the forward's");
    lj_rng_seed(&s, 5);
    nade_sample_f64(out64, pr64, lp64, bt64, ct64, h.w_in64, h.v64, N, D, HN, 1.0, &s, scratch64);
    double worst = 0, worst_f32 = 0;
    for (int n = 0; n < N; n++) {
        double nll = nade_forward_f64(NULL, bt64 + n * D, ct64 + n * HN, out64 + n * D,
                                      h.w_in64, h.v64, 1, D, HN, scratch64);
        worst = fmax(worst, fabs(lp64[n] + nll) / fmax(nll, 1e-3));
        double nll32 = nade_forward(NULL, bt + n * D, ct + n * HN, out + n * D, h.w_in, h.v, 1,
                                    D, HN, scratch);
        worst_f32 = fmax(worst_f32, fabs(lp[n] + nll32) / fmax(nll32, 1e-3));
    }
    TM_CHECK(worst < 1e-12, "logp vs -NLL of the drawn frame: rel %.3g (double)", worst);
    TM_CHECK(worst_f32 < 1e-5, "logp vs -NLL of the drawn frame: rel %.3g (float)", worst_f32);
    printf("  logp == -NLL(drawn frame): rel %.2e (double), %.2e (float)\n", worst, worst_f32);
    free(scratch);
    free(scratch64);
}

/* A deliberately wrong sampler: keys drawn independently from the exact
 * marginals. It must fail the chi-square (proof that the test can fail). */
static void sample_independent(float *out, const double *marg, lj_rng *rng) {
    for (int d = 0; d < D; d++) out[d] = (double)lj_rng_uniform(rng) < marg[d];
}

/* chi-square of counts (FRAMES) against probabilities; *dof out */
static double chi_square(const long *count, const double *prob, long M, int *dof) {
    double chi = 0, pooled_e = 0;
    long pooled_o = 0;
    int cells = 0;
    for (int f = 0; f < FRAMES; f++) {
        double e = prob[f] * (double)M;
        if (e < 5) {
            pooled_e += e;
            pooled_o += count[f];
            continue;
        }
        chi += (count[f] - e) * (count[f] - e) / e;
        cells++;
    }
    if (pooled_e > 0) {
        chi += (pooled_o - pooled_e) * (pooled_o - pooled_e) / pooled_e;
        cells++;
    }
    *dof = cells - 1;
    return chi;
}

static void test_distribution(const head *hc, lj_rng *rng) {
    head h = *hc;
    nade_params p = params(&h);
    float r[ROWS * R], bt[ROWS * D], ct[ROWS * HN], out[ROWS * D];
    double bt64[D], ct64[HN], frame[D];
    double *prob = tm_calloc((size_t)ROWS * FRAMES, sizeof(double));
    double marg[ROWS][D];
    long *count = tm_calloc((size_t)ROWS * FRAMES, sizeof(long));
    long *count_bad = tm_calloc((size_t)ROWS * FRAMES, sizeof(long));
    long on[ROWS][D];
    float *scratch = tm_calloc(nade_scratch_len(D, HN), sizeof(float));
    double *scratch64 = tm_calloc(nade_scratch_len(D, HN), sizeof(double));
    tm_fill_f32(r, ROWS * R, rng, 1.0f);
    lj_rng s;
    lj_rng_seed(&s, 2024);
    /* one draw fills bt, ct (float, from r); the exact law uses them in double */
    nade_head_sample(1, out, NULL, NULL, bt, ct, r, &p, ROWS, R, D, HN, &s, scratch);
    for (int row = 0; row < ROWS; row++) {
        for (int d = 0; d < D; d++) bt64[d] = bt[row * D + d], marg[row][d] = 0;
        for (int j = 0; j < HN; j++) ct64[j] = ct[row * HN + j];
        double total = 0;
        for (int f = 0; f < FRAMES; f++) {
            for (int d = 0; d < D; d++) frame[d] = (f >> d) & 1;
            double pf = exp(-nade_forward_f64(NULL, bt64, ct64, frame, h.w_in64, h.v64, 1, D, HN,
                                              scratch64));
            prob[row * FRAMES + f] = pf;
            total += pf;
            for (int d = 0; d < D; d++) marg[row][d] += frame[d] * pf;
        }
        TM_CHECK(fabs(total - 1) < 1e-12, "row %d: enumeration sums to %.15g", row, total);
    }

    memset(on, 0, sizeof on);
    long before = allocations;
    for (long m = 0; m < DRAWS; m++) {
        nade_sample(out, NULL, NULL, bt, ct, h.w_in, h.v, ROWS, D, HN, 1.0f, &s, scratch);
        for (int row = 0; row < ROWS; row++) {
            int f = 0;
            for (int d = 0; d < D; d++) {
                int bit = out[row * D + d] != 0;
                on[row][d] += bit;
                f |= bit << d;
            }
            count[row * FRAMES + f]++;
        }
    }
    TM_CHECK(allocations == before, "nade_sample allocated %ld times", allocations - before);
    before = allocations;
    nade_head_sample(0, out, NULL, NULL, bt, ct, r, &p, ROWS, R, D, HN, &s, scratch);
    TM_CHECK(allocations == before, "nade_head_sample allocated %ld times",
             allocations - before);

    for (int row = 0; row < ROWS; row++) {
        double worst_z = 0, min_p = 1, max_p = 0;
        for (int d = 0; d < D; d++) {
            double pm = marg[row][d], freq = (double)on[row][d] / DRAWS;
            double se = sqrt(pm * (1 - pm) / DRAWS) + 1e-9;
            double zs = fabs(freq - pm) / se;
            TM_CHECK(zs < 5, "row %d key %d: frequency %.5f vs exact marginal %.5f (%.1f se)",
                     row, d, freq, pm, zs);
            worst_z = fmax(worst_z, zs);
            min_p = fmin(min_p, pm);
            max_p = fmax(max_p, pm);
        }
        int dof;
        double chi = chi_square(count + row * FRAMES, prob + row * FRAMES, DRAWS, &dof);
        double limit = dof + 5 * sqrt(2.0 * dof);
        TM_CHECK(chi < limit, "row %d: chi-square %.1f over %d dof (limit %.1f)", row, chi, dof,
                 limit);
        /* the wrong sampler on the same counts' budget */
        lj_rng bad;
        lj_rng_seed(&bad, 99 + row);
        float fb[D];
        for (long m = 0; m < DRAWS; m++) {
            sample_independent(fb, marg[row], &bad);
            int f = 0;
            for (int d = 0; d < D; d++) f |= (fb[d] != 0) << d;
            count_bad[row * FRAMES + f]++;
        }
        int dof_bad;
        double chi_bad =
            chi_square(count_bad + row * FRAMES, prob + row * FRAMES, DRAWS, &dof_bad);
        TM_CHECK(chi_bad > dof_bad + 5 * sqrt(2.0 * dof_bad),
                 "row %d: an independent-keys sampler passes the chi-square (%.1f): the "
                 "weights do not make keys depend on each other enough", row, chi_bad);
        printf("  row %d: marginals in [%.3f, %.3f], worst key %.2f se; chi-square %.1f / %d "
               "dof (limit %.1f); independent-keys sampler %.0f\n",
               row, min_p, max_p, worst_z, chi, dof, limit, chi_bad);
    }
    free(prob); free(count); free(count_bad); free(scratch); free(scratch64);
}

static void test_saturated(const head *hc) {
    head h = *hc;
    enum { N = 2 };
    float bt[N * D], ct[N * HN], out[N * D], lp[N];
    float *scratch = tm_calloc(nade_scratch_len(D, HN), sizeof(float));
    for (int d = 0; d < D; d++) bt[d] = 60.0f, bt[D + d] = -60.0f;
    for (int j = 0; j < N * HN; j++) ct[j] = 0;
    for (int i = 0; i < D * HN; i++) h.v[i] = 0.5f * h.v[i] / 3.0f; /* |V h| < 60 */
    lj_rng s;
    lj_rng_seed(&s, 1);
    nade_sample(out, NULL, lp, bt, ct, h.w_in, h.v, N, D, HN, 1.0f, &s, scratch);
    int all_on = 1, all_off = 1;
    for (int d = 0; d < D; d++) all_on &= out[d] == 1, all_off &= out[D + d] == 0;
    TM_CHECK(all_on && all_off, "b_t = +-60 did not give all keys on / off");
    TM_CHECK(lp[0] <= 0 && lp[0] > -1e-15 && lp[1] <= 0 && lp[1] > -1e-15,
             "saturated logp %.3g %.3g, expected ~0", (double)lp[0], (double)lp[1]);
    free(scratch);
}

/* nade_sample_observed: with nothing observed it is nade_sample, bit for bit;
 * with keys 1 (on) and 4 (off) observed every frame has them so, every other
 * key's reported probability is the teacher-forced conditional of the drawn
 * frame (nade_forward: the keys after an observed key condition on it; the
 * keys before it cannot, NADE's order), and logp is minus its NLL. */
static void test_observed(const head *hc, lj_rng *rng) {
    head h = *hc;
    enum { N = 40 };
    float bt[N * D], ct[N * HN], out1[N * D], out2[N * D], pr1[N * D], pr2[N * D], lp1[N], lp2[N];
    float fpr[N * D];
    float *scratch = tm_calloc(nade_scratch_len(D, HN), sizeof(float));
    tm_fill_f32(bt, N * D, rng, 2.0f);
    tm_fill_f32(ct, N * HN, rng, 2.0f);
    signed char none[D], some[D];
    memset(none, -1, sizeof none);
    memcpy(some, none, sizeof some);
    some[1] = 1;
    some[4] = 0;
    lj_rng s;
    lj_rng_seed(&s, 9);
    nade_sample(out1, pr1, lp1, bt, ct, h.w_in, h.v, N, D, HN, 1.0f, &s, scratch);
    lj_rng_seed(&s, 9);
    long before = allocations;
    nade_sample_observed(out2, pr2, lp2, bt, ct, h.w_in, h.v, none, N, D, HN, 1.0f, &s, scratch);
    TM_CHECK(memcmp(out1, out2, sizeof out1) == 0 && memcmp(pr1, pr2, sizeof pr1) == 0 &&
                 memcmp(lp1, lp2, sizeof lp1) == 0,
             "nothing observed: not nade_sample's frames");
    lj_rng_seed(&s, 9);
    nade_sample_observed(out2, pr2, lp2, bt, ct, h.w_in, h.v, some, N, D, HN, 1.0f, &s, scratch);
    TM_CHECK(allocations == before, "nade_sample_observed allocated %ld times", allocations - before);
    int clamped = 1, changed = 0;
    for (int n = 0; n < N; n++) {
        clamped &= out2[n * D + 1] == 1 && out2[n * D + 4] == 0;
        changed |= memcmp(out1 + n * D, out2 + n * D, D * sizeof *out1) != 0;
    }
    TM_CHECK(clamped, "an observed key was drawn");
    TM_CHECK(changed, "observing keys changed no frame");
    /* one uniform per key either way: key 0, before any observed key, is drawn
     * from the same conditional with the same uniform as without observation */
    int same_first = 1;
    for (int n = 0; n < N; n++) same_first &= out1[n * D] == out2[n * D];
    TM_CHECK(same_first, "observing keys 1 and 4 changed key 0's draw (uniforms shifted)");
    nade_forward(fpr, bt, ct, out2, h.w_in, h.v, N, D, HN, scratch);
    TM_CHECK(memcmp(pr2, fpr, sizeof pr2) == 0, "observed draw: probs differ from the forward's");
    double worst = 0;
    for (int n = 0; n < N; n++) {
        double nll = nade_forward(NULL, bt + n * D, ct + n * HN, out2 + n * D, h.w_in, h.v, 1, D, HN,
                                  scratch);
        worst = fmax(worst, fabs(lp2[n] + nll) / fmax(nll, 1e-3));
    }
    TM_CHECK(worst < 1e-5, "observed draw: logp vs -NLL rel %.3g", worst);
    /* temperature reaches the drawn keys only: at T = 0 the observed keys are
     * still clamped, every free key is its conditional's likelier value and no
     * uniform is used; at T = 0.5 the observed keys are clamped too */
    lj_rng_seed(&s, 9);
    lj_rng s_before = s;
    nade_sample_observed(out2, pr2, lp2, bt, ct, h.w_in, h.v, some, N, D, HN, 0.0f, &s, scratch);
    TM_CHECK(memcmp(&s, &s_before, sizeof s) == 0, "observed draw at T = 0 used the rng");
    int greedy_ok = 1;
    clamped = 1;
    for (int n = 0; n < N; n++) {
        clamped &= out2[n * D + 1] == 1 && out2[n * D + 4] == 0;
        for (int d = 0; d < D; d++)
            if (d != 1 && d != 4)
                greedy_ok &= out2[n * D + d] != 0 ? pr2[n * D + d] >= 0.5f : pr2[n * D + d] <= 0.5f;
    }
    TM_CHECK(clamped, "T = 0: an observed key was drawn");
    TM_CHECK(greedy_ok, "T = 0: a free key is not its conditional's likelier value");
    nade_forward(fpr, bt, ct, out2, h.w_in, h.v, N, D, HN, scratch);
    TM_CHECK(memcmp(pr2, fpr, sizeof pr2) == 0, "T = 0 observed draw: probs differ from the forward's");
    nade_sample_observed(out2, NULL, NULL, bt, ct, h.w_in, h.v, some, N, D, HN, 0.5f, &s, scratch);
    clamped = 1;
    for (int n = 0; n < N; n++) clamped &= out2[n * D + 1] == 1 && out2[n * D + 4] == 0;
    TM_CHECK(clamped, "T = 0.5: an observed key was drawn");
    printf("  observed keys held in %d frames; probs = forward's; logp == -NLL rel %.2e\n", N, worst);
    free(scratch);
}

int main(void) {
    lj_rng rng;
    lj_rng_seed(&rng, 31337);
    head h;
    head_init(&h, &rng);
    test_determinism(&h, &rng);
    test_consistency(&h, &rng);
    test_distribution(&h, &rng);
    test_saturated(&h);
    test_observed(&h, &rng);
    return tm_finish();
}
