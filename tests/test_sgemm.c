/* The own sgemm (model/sgemm.h) against the plain-loop twin gemm_naive (and a
 * double-precision product) on every instruction set this CPU runs:
 *   - all four transpose combinations, shapes that are not multiples of the
 *     8 x 32 tile or the 256-deep K block (M = 1, 3, 8, 13, 64; N = 1, 33, 70;
 *     K = 1, 3, 37, 300, 600), alpha/beta incl. beta = 0 over a C full of NaN
 *     (C is not read) and K = 0 (C = beta C): error vs the double product
 *     < 1e-5 of the element's scale (the sum of its terms' magnitudes: the
 *     bound of a float sum's rounding, which cancellation does not shrink)
 *     and within 4x gemm_naive's own error; and 100 draws of tiny shapes
 *     (M, N <= 2, K <= 5), where one element's terms can cancel;
 *   - lj_sgemm_prepacked on a B packed by lj_sgemm_pack_b equals lj_sgemm bit
 *     for bit;
 *   - 1, 2 and 3 threads give bit-identical C (the split is over column panels,
 *     each element is summed in the same order), also after the pool is
 *     restarted;
 *   - no allocation inside a product (--wrap=malloc...). */
#include "kernels.h"
#include "model.h"
#include "sgemm.h"
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

static float *fmalloc(size_t n) {
    float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64 + 64);
    if (!p) {
        printf("out of memory\n");
        exit(2);
    }
    return p;
}

/* C0 (M,N) in double: out = alpha op(A) op(B) + beta C0 (beta == 0: C0
 * ignored), and scale = |alpha| |op(A)| |op(B)| + |beta C0|, the size of what
 * each element sums: a float sum's rounding error is bounded by a multiple of
 * it, however much the terms cancel. */
static void ref_gemm(int ta, int tb, int M, int N, int K, double alpha, const float *A, int lda,
                     const float *B, int ldb, double beta, const float *C0, double *out,
                     double *scale) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0, s_abs = 0;
            for (int k = 0; k < K; k++) {
                double a = ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
                double b = tb ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
                s += a * b;
                s_abs += fabs(a * b);
            }
            double c = beta == 0 ? 0 : beta * C0[(size_t)i * N + j];
            out[(size_t)i * N + j] = alpha * s + c;
            scale[(size_t)i * N + j] = fabs(alpha) * s_abs + fabs(c);
        }
}

/* The largest error of an element relative to its own scale (see ref_gemm).
 * Relative to the largest |C| instead, one element whose terms cancel (M = N =
 * 1) made the bound depend on the random draw: a float sum rounded in another
 * order than the naive loop's could be 20x its error with both correct. */
static double rel_err_d(const float *a, const double *ref, const double *scale, size_t n) {
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - ref[i]) / (scale[i] > 1e-30 ? scale[i] : 1e-30);
        if (d > worst || d != d)
            worst = d;
    }
    return worst;
}

static double worst_seen;

static void check_shape(lj_isa isa, int ta, int tb, int M, int N, int K, float alpha,
                        float beta, lj_rng *rng) {
    int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 5, ldc = N; /* padded leading dims */
    size_t na = (size_t)(ta ? K : M) * lda + 1, nb = (size_t)(tb ? N : K) * ldb + 1;
    float *A = fmalloc(na), *B = fmalloc(nb), *C0 = fmalloc((size_t)M * N);
    float *C = fmalloc((size_t)M * N), *Cn = fmalloc((size_t)M * N);
    float *Cp = fmalloc((size_t)M * N), *Ct = fmalloc((size_t)M * N);
    double *ref = calloc((size_t)M * N + 1, sizeof(double));
    double *scale = calloc((size_t)M * N + 1, sizeof(double));
    tm_fill_f32(A, na, rng, 1.0f);
    tm_fill_f32(B, nb, rng, 1.0f);
    tm_fill_f32(C0, (size_t)M * N, rng, 1.0f);
    if (beta == 0.0f) /* C must not be read */
        for (size_t i = 0; i < (size_t)M * N; i++) C0[i] = NAN;
    float *work = fmalloc(lj_sgemm_work_floats(N));
    float *Bp = fmalloc(lj_sgemm_packed_b_floats(K, N));
    ref_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C0, ref, scale);

    memcpy(Cn, C0, (size_t)M * N * sizeof(float));
    gemm_naive(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, Cn, ldc);
    double en = rel_err_d(Cn, ref, scale, (size_t)M * N);

    lj_sgemm_set_threads(1);
    memcpy(C, C0, (size_t)M * N * sizeof(float));
    long before = alloc_calls;
    lj_sgemm(isa, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, work);
    TM_CHECK(alloc_calls == before, "%s sgemm allocated", lj_isa_name(isa));
    double e = rel_err_d(C, ref, scale, (size_t)M * N);
    TM_CHECK(e < 1e-5 && e <= 4 * en + 1e-6,
             "%s ta=%d tb=%d M=%d N=%d K=%d alpha=%g beta=%g: rel err %.3g (naive %.3g)",
             lj_isa_name(isa), ta, tb, M, N, K, alpha, beta, e, en);
    if (e > worst_seen)
        worst_seen = e;

    lj_sgemm_pack_b(tb, K, N, B, ldb, Bp);
    memcpy(Cp, C0, (size_t)M * N * sizeof(float));
    lj_sgemm_prepacked(isa, ta, M, N, K, alpha, A, lda, Bp, beta, Cp, ldc, work);
    TM_CHECK(memcmp(Cp, C, (size_t)M * N * sizeof(float)) == 0,
             "%s prepacked != packed per call (ta=%d tb=%d M=%d N=%d K=%d)", lj_isa_name(isa),
             ta, tb, M, N, K);

    for (int nt = 2; nt <= 3; nt++) {
        lj_sgemm_set_threads(nt);
        memcpy(Ct, C0, (size_t)M * N * sizeof(float));
        before = alloc_calls;
        lj_sgemm(isa, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, Ct, ldc, work);
        TM_CHECK(alloc_calls == before, "%s sgemm with %d threads allocated", lj_isa_name(isa),
                 nt);
        TM_CHECK(memcmp(Ct, C, (size_t)M * N * sizeof(float)) == 0,
                 "%s %d threads != 1 thread (ta=%d tb=%d M=%d N=%d K=%d)", lj_isa_name(isa), nt,
                 ta, tb, M, N, K);
        memcpy(Ct, C0, (size_t)M * N * sizeof(float));
        lj_sgemm_prepacked(isa, ta, M, N, K, alpha, A, lda, Bp, beta, Ct, ldc, work);
        TM_CHECK(memcmp(Ct, C, (size_t)M * N * sizeof(float)) == 0,
                 "%s prepacked %d threads != 1 thread (ta=%d tb=%d M=%d N=%d K=%d)",
                 lj_isa_name(isa), nt, ta, tb, M, N, K);
    }
    lj_sgemm_set_threads(1);
    free(A);
    free(B);
    free(C0);
    free(C);
    free(Cn);
    free(Cp);
    free(Ct);
    free(ref);
    free(scale);
    free(work);
    free(Bp);
}

/* K = 0: C = beta C, and beta = 0 writes zeros over NaN. */
static void check_k0(lj_isa isa) {
    float C[6] = {1, 2, 3, 4, 5, NAN}, work[1];
    lj_sgemm(isa, 0, 0, 2, 3, 0, 1.0f, NULL, 1, NULL, 3, 0.0f, C, 3, work);
    int zero = 1;
    for (int i = 0; i < 6; i++) zero &= C[i] == 0.0f;
    TM_CHECK(zero, "%s K=0 beta=0 does not zero C", lj_isa_name(isa));
    float D[2] = {1, 2};
    lj_sgemm(isa, 0, 1, 1, 2, 0, 1.0f, NULL, 1, NULL, 1, 2.0f, D, 2, work);
    TM_CHECK(D[0] == 2.0f && D[1] == 4.0f, "%s K=0 beta=2: %g %g", lj_isa_name(isa), D[0], D[1]);
}

int main(void) {
    lj_rng rng;
    lj_rng_seed(&rng, 77);
    static const int Ms[] = {1, 3, 8, 13, 64}, Ns[] = {1, 33, 70}, Ks[] = {1, 3, 37, 300, 600};
    for (size_t i = 0; i < sizeof ISAS / sizeof *ISAS; i++) {
        lj_isa isa = ISAS[i];
        if (lj_isa_clamp(isa) != isa) {
            printf("  %s: not supported by this CPU, skipped\n", lj_isa_name(isa));
            continue;
        }
#if defined(__SANITIZE_THREAD__)
        /* Under TSan (make test's threads leg) what is checked is the thread
         * pool: the widest ISA's run exercises it as well as the others, at a
         * third of the time (the sweep took 38 s there); the normal and ASan
         * builds check every ISA's arithmetic. */
        if (isa != lj_isa_clamp(LJ_ISA_AUTO)) {
            printf("  %s: left to the builds without TSan\n", lj_isa_name(isa));
            continue;
        }
#endif
        worst_seen = 0;
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (size_t a = 0; a < sizeof Ms / sizeof *Ms; a++)
                    for (size_t b = 0; b < sizeof Ns / sizeof *Ns; b++)
                        for (size_t c = 0; c < sizeof Ks / sizeof *Ks; c++) {
                            int v = (int)(a + b + c) % 3; /* vary alpha/beta cheaply */
                            float alpha = v == 0 ? 1.0f : v == 1 ? 0.75f : -1.5f;
                            float beta = v == 0 ? 0.0f : v == 1 ? 1.0f : 0.5f;
                            check_shape(isa, ta, tb, Ms[a], Ns[b], Ks[c], alpha, beta, &rng);
                        }
        /* many draws of tiny shapes, where one element's terms can cancel:
         * the bound must not depend on the draw */
        for (int draw = 0; draw < 100; draw++)
            for (int ta = 0; ta < 2; ta++)
                for (int tb = 0; tb < 2; tb++)
                    check_shape(isa, ta, tb, 1 + draw % 2, 1 + draw / 2 % 2, 1 + draw % 5,
                                draw % 3 ? 1.0f : -0.5f, draw % 2 ? 1.0f : 0.0f, &rng);
        /* a shape where both threads get several panels and M spans two MC blocks */
        check_shape(isa, 1, 0, 150, 130, 520, 1.0f, 1.0f, &rng);
        check_shape(isa, 0, 1, 150, 200, 70, 1.0f, 0.0f, &rng);
        check_k0(isa);
        printf("  %-6s sgemm vs double: worst rel err %.2e\n", lj_isa_name(isa), worst_seen);
    }
    return tm_finish();
}
