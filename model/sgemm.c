/* sgemm: packing, the 8 x 32 micro-kernels (plain C, AVX2+FMA, AVX-512), the
 * blocked product and its thread pool (see sgemm.h). */
#include "sgemm.h"
#include "simd.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LJ_X86_SIMD 1
#include <immintrin.h>
#else
#define LJ_X86_SIMD 0
#endif

#define MR LJ_SGEMM_MR
#define NR LJ_SGEMM_NR
#define KC LJ_SGEMM_KC
#define MC LJ_SGEMM_MC

static size_t round_nr(int n) { return (size_t)(n + NR - 1) / NR * NR; }

size_t lj_sgemm_packed_b_floats(int K, int N) { return (size_t)(K > 0 ? K : 0) * round_nr(N); }

size_t lj_sgemm_work_floats(int max_n) {
    return (size_t)KC * round_nr(max_n) + (size_t)LJ_SGEMM_MAX_THREADS * MC * KC;
}

/* ---- packing ------------------------------------------------------------------ */

/* Panels j0..j1-1 of the K block [k0, k0+kc) of op(B) into dst (the block's
 * start): panel j at dst + j * stride, zero past N. */
static void pack_b_panels(int trans_b, const float *B, int ldb, int k0, int kc, int N, int j0,
                          int j1, size_t stride, float *dst) {
    for (int j = j0; j < j1; j++) {
        float *p = dst + (size_t)j * stride;
        int n0 = j * NR, nn = N - n0 < NR ? N - n0 : NR;
        if (!trans_b) { /* op(B)(k, n) = B[k][n]: row slices */
            for (int k = 0; k < kc; k++) {
                const float *src = B + (size_t)(k0 + k) * ldb + n0;
                float *d = p + (size_t)k * NR;
                memcpy(d, src, (size_t)nn * sizeof(float));
                for (int c = nn; c < NR; c++) d[c] = 0.0f;
            }
        } else { /* op(B)(k, n) = B[n][k]: walk each stored row once */
            for (int c = 0; c < nn; c++) {
                const float *src = B + (size_t)(n0 + c) * ldb + k0;
                for (int k = 0; k < kc; k++) p[(size_t)k * NR + c] = src[k];
            }
            for (int c = nn; c < NR; c++)
                for (int k = 0; k < kc; k++) p[(size_t)k * NR + c] = 0.0f;
        }
    }
}

void lj_sgemm_pack_b(int trans_b, int K, int N, const float *B, int ldb, float *Bp) {
    size_t np = round_nr(N);
    int panels = (int)(np / NR);
    for (int k0 = 0; k0 < K; k0 += KC) {
        int kc = K - k0 < KC ? K - k0 : KC;
        pack_b_panels(trans_b, B, ldb, k0, kc, N, 0, panels, (size_t)kc * NR,
                      Bp + (size_t)k0 * np);
    }
}

/* Rows [i0, i0+mc) x columns [k0, k0+kc) of op(A) = A^T (A stored (K,M)) as
 * ceil(mc/MR) panels of kc x MR (k-major), zero past mc: MR consecutive
 * floats of one stored row per k. (op(A) = A needs no packing: a tile reads
 * its MR rows in place, each contiguous in k.) */
static void pack_a_transposed(const float *A, int lda, int i0, int mc, int k0, int kc,
                              float *dst) {
    int full = mc / MR * MR;
    for (int k = 0; k < kc; k++) { /* row by row: each stored row is read once, in order */
        const float *src = A + (size_t)(k0 + k) * lda + i0;
        float *d = dst + (size_t)k * MR;
        for (int ir = 0; ir < full; ir += MR)
            memcpy(d + (size_t)ir * kc, src + ir, MR * sizeof(float));
        if (full < mc) {
            float *e = d + (size_t)full * kc;
            for (int r = 0; r < MR; r++) e[r] = full + r < mc ? src[full + r] : 0.0f;
        }
    }
}

/* ---- micro-kernels: C tile (m <= MR, n <= NR) = alpha a b + beta C -------------- */

/* The valid part of a full MR x NR product t into C. */
static void store_tile(const float *t, float *C, int ldc, int m, int n, float alpha, float beta) {
    for (int r = 0; r < m; r++) {
        float *c = C + (size_t)r * ldc;
        const float *s = t + (size_t)r * NR;
        if (beta == 0.0f)
            for (int j = 0; j < n; j++) c[j] = alpha * s[j];
        else
            for (int j = 0; j < n; j++) c[j] = alpha * s[j] + beta * c[j];
    }
}

/* A tile's rows: element (r, k) at a[o[r] + k * cs], rows past m repeat row
 * m-1 (computed, never stored), so unpacked A is never read past its end. */
static void row_offsets(size_t *o, int m, size_t rs) {
    for (int r = 0; r < MR; r++) o[r] = (size_t)(r < m ? r : m - 1) * rs;
}

static void tile_scalar(int kc, const float *a, size_t rs, size_t cs, const float *b, float *C,
                        int ldc, int m, int n, float alpha, float beta) {
    float t[MR * NR] = {0};
    size_t o[MR];
    row_offsets(o, m, rs);
    for (int k = 0; k < kc; k++)
        for (int r = 0; r < MR; r++) {
            float ar = a[o[r] + (size_t)k * cs];
            for (int j = 0; j < NR; j++) t[r * NR + j] += ar * b[(size_t)k * NR + j];
        }
    store_tile(t, C, ldc, m, n, alpha, beta);
}

#if LJ_X86_SIMD
/* AVX2: 16 ymm registers hold a 4 x 16 quarter (8 accumulators, 2 B vectors,
 * one broadcast); the four quarters run one after another over the same k.
 * Row r of a quarter: broadcast its A element, two FMAs into cr0/cr1. */
#define AVX2_ROW_FMA(r)                                                                  \
    do {                                                                                 \
        __m256 x_ = _mm256_broadcast_ss(ap + o##r);                                      \
        c##r##0 = _mm256_fmadd_ps(x_, b0, c##r##0);                                      \
        c##r##1 = _mm256_fmadd_ps(x_, b1, c##r##1);                                      \
    } while (0)
#define AVX2_ROW_SPILL(r)                                                                \
    do {                                                                                 \
        _mm256_storeu_ps(tq + (r) * NR, c##r##0);                                        \
        _mm256_storeu_ps(tq + (r) * NR + 8, c##r##1);                                    \
    } while (0)

__attribute__((target("avx2,fma"))) static void tile_avx2(int kc, const float *a, size_t rs,
                                                          size_t cs, const float *b, float *C,
                                                          int ldc, int m, int n, float alpha,
                                                          float beta) {
    float t[MR * NR];
    size_t o[MR];
    row_offsets(o, m, rs);
    for (int rh = 0; rh < MR; rh += 4)
        for (int ch = 0; ch < NR; ch += 16) {
            __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00,
                   c21 = c00, c30 = c00, c31 = c00;
            const float *ap = a, *bp = b + ch;
            size_t o0 = o[rh], o1 = o[rh + 1], o2 = o[rh + 2], o3 = o[rh + 3];
            for (int k = 0; k < kc; k++, ap += cs, bp += NR) {
                __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);
                AVX2_ROW_FMA(0);
                AVX2_ROW_FMA(1);
                AVX2_ROW_FMA(2);
                AVX2_ROW_FMA(3);
            }
            float *tq = t + (size_t)rh * NR + ch; /* this quarter in the tile */
            AVX2_ROW_SPILL(0);
            AVX2_ROW_SPILL(1);
            AVX2_ROW_SPILL(2);
            AVX2_ROW_SPILL(3);
        }
    store_tile(t, C, ldc, m, n, alpha, beta);
}

#define AVX512_TARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))

/* One row of a full tile: C = alpha acc + beta C (C not read when beta == 0). */
#define AVX512_ROW_STORE(r)                                                              \
    do {                                                                                 \
        float *c_ = C + (size_t)(r) * ldc;                                               \
        __m512 s0_ = _mm512_mul_ps(c##r##0, va), s1_ = _mm512_mul_ps(c##r##1, va);       \
        if (beta != 0.0f) {                                                              \
            s0_ = _mm512_fmadd_ps(_mm512_loadu_ps(c_), vb, s0_);                         \
            s1_ = _mm512_fmadd_ps(_mm512_loadu_ps(c_ + 16), vb, s1_);                    \
        }                                                                                \
        _mm512_storeu_ps(c_, s0_);                                                       \
        _mm512_storeu_ps(c_ + 16, s1_);                                                  \
    } while (0)

/* row r of the tile: broadcast its A element, two FMAs into cr0/cr1 */
#define AVX512_ROW_FMA(r)                                                                \
    do {                                                                                 \
        __m512 x_ = _mm512_set1_ps(a[o##r]);                                             \
        c##r##0 = _mm512_fmadd_ps(x_, b0, c##r##0);                                      \
        c##r##1 = _mm512_fmadd_ps(x_, b1, c##r##1);                                      \
    } while (0)
#define AVX512_ROW_SPILL(r)                                                              \
    do {                                                                                 \
        _mm512_storeu_ps(t + (r) * NR, c##r##0);                                         \
        _mm512_storeu_ps(t + (r) * NR + 16, c##r##1);                                    \
    } while (0)

/* AVX-512: the whole 8 x 32 tile in 16 accumulators; per k two B loads and
 * eight broadcasts feed 16 FMAs. */
AVX512_TARGET static void tile_avx512(int kc, const float *a, size_t rs, size_t cs,
                                      const float *b, float *C, int ldc, int m, int n,
                                      float alpha, float beta) {
    size_t o[MR];
    row_offsets(o, m, rs);
    const size_t o0 = o[0], o1 = o[1], o2 = o[2], o3 = o[3], o4 = o[4], o5 = o[5], o6 = o[6],
                 o7 = o[7];
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
           c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00,
           c61 = c00, c70 = c00, c71 = c00;
    for (int k = 0; k < kc; k++, a += cs, b += NR) {
        __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
        AVX512_ROW_FMA(0);
        AVX512_ROW_FMA(1);
        AVX512_ROW_FMA(2);
        AVX512_ROW_FMA(3);
        AVX512_ROW_FMA(4);
        AVX512_ROW_FMA(5);
        AVX512_ROW_FMA(6);
        AVX512_ROW_FMA(7);
    }
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    if (m == MR && n == NR) {
        AVX512_ROW_STORE(0);
        AVX512_ROW_STORE(1);
        AVX512_ROW_STORE(2);
        AVX512_ROW_STORE(3);
        AVX512_ROW_STORE(4);
        AVX512_ROW_STORE(5);
        AVX512_ROW_STORE(6);
        AVX512_ROW_STORE(7);
        return;
    }
    float t[MR * NR];
    AVX512_ROW_SPILL(0);
    AVX512_ROW_SPILL(1);
    AVX512_ROW_SPILL(2);
    AVX512_ROW_SPILL(3);
    AVX512_ROW_SPILL(4);
    AVX512_ROW_SPILL(5);
    AVX512_ROW_SPILL(6);
    AVX512_ROW_SPILL(7);
    store_tile(t, C, ldc, m, n, alpha, beta);
}
#undef AVX512_ROW_STORE
#undef AVX512_ROW_FMA
#undef AVX512_ROW_SPILL
#undef AVX2_ROW_FMA
#undef AVX2_ROW_SPILL
#endif /* LJ_X86_SIMD */

typedef void (*tile_fn)(int kc, const float *a, size_t rs, size_t cs, const float *b, float *C,
                        int ldc, int m, int n, float alpha, float beta);

static tile_fn tile_for(lj_isa isa) {
#if LJ_X86_SIMD
    if (isa >= LJ_ISA_AVX512)
        return tile_avx512;
    if (isa == LJ_ISA_AVX2)
        return tile_avx2;
#endif
    (void)isa;
    return tile_scalar;
}

/* ---- the blocked product over one range of column panels ------------------------ */

typedef struct sgemm_job {
    tile_fn tile;
    int trans_a, trans_b, M, N, K;
    float alpha, beta;
    const float *A, *B, *Bp; /* Bp: prepacked op(B), or NULL (pack B into work) */
    int lda, ldb, ldc;
    float *C, *work;
    int nthreads;
} sgemm_job;

static void run_part(const sgemm_job *jb, int t) {
    int panels = (int)(round_nr(jb->N) / NR);
    int j0 = (int)((long)panels * t / jb->nthreads), j1 = (int)((long)panels * (t + 1) / jb->nthreads);
    if (j0 >= j1)
        return;
    size_t np = round_nr(jb->N);
    float *wa = jb->work + (size_t)KC * (jb->Bp ? 0 : np) + (size_t)t * MC * KC;
    for (int k0 = 0; k0 < jb->K; k0 += KC) {
        int kc = jb->K - k0 < KC ? jb->K - k0 : KC;
        float beta = k0 == 0 ? jb->beta : 1.0f;
        const float *bb;
        size_t stride; /* floats between panels */
        if (jb->Bp) {
            bb = jb->Bp + (size_t)k0 * np;
            stride = (size_t)kc * NR;
        } else {
            /* full-depth panel slots: a thread packing its next block never
             * overlaps a panel another thread still reads */
            stride = (size_t)KC * NR;
            pack_b_panels(jb->trans_b, jb->B, jb->ldb, k0, kc, jb->N, j0, j1, stride, jb->work);
            bb = jb->work;
        }
        for (int i0 = 0; i0 < jb->M; i0 += MC) {
            int mc = jb->M - i0 < MC ? jb->M - i0 : MC;
            /* op(A) = A: the tile reads its rows in place (k contiguous);
             * op(A) = A^T: packed, so a tile's k steps are adjacent */
            if (jb->trans_a)
                pack_a_transposed(jb->A, jb->lda, i0, mc, k0, kc, wa);
            for (int j = j0; j < j1; j++) {
                int n = jb->N - j * NR < NR ? jb->N - j * NR : NR;
                const float *bp = bb + (size_t)j * stride;
                for (int ir = 0; ir < mc; ir += MR) {
                    const float *ap = jb->trans_a ? wa + (size_t)ir * kc
                                                  : jb->A + (size_t)(i0 + ir) * jb->lda + k0;
                    size_t rs = jb->trans_a ? 1 : (size_t)jb->lda;
                    size_t cs = jb->trans_a ? MR : 1;
                    jb->tile(kc, ap, rs, cs, bp,
                             jb->C + (size_t)(i0 + ir) * jb->ldc + (size_t)j * NR, jb->ldc,
                             mc - ir < MR ? mc - ir : MR, n, jb->alpha, beta);
                }
            }
        }
    }
}

/* ---- the pool ----------------------------------------------------------------- */

#define SPIN_ROUNDS 20000 /* pauses a worker spins before it sleeps (~tens of us) */

static struct {
    int n; /* threads including the caller */
    pthread_t th[LJ_SGEMM_MAX_THREADS];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_uint gen;    /* bumped per product (and to quit) */
    atomic_int pending; /* workers still running the current product */
    atomic_int quit;
    unsigned start_gen;   /* gen when the workers were started (set before them) */
    const sgemm_job *job; /* written before gen is bumped, read after */
} pool = {1, {0}, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, NULL};

static inline void cpu_pause(void) {
#if LJ_X86_SIMD
    _mm_pause();
#endif
}

static void *worker_main(void *arg) {
    int t = (int)(size_t)arg;
    unsigned seen = pool.start_gen;
    for (;;) {
        unsigned g;
        int spins = 0;
        while ((g = atomic_load_explicit(&pool.gen, memory_order_acquire)) == seen) {
            if (++spins < SPIN_ROUNDS) {
                cpu_pause();
                continue;
            }
            pthread_mutex_lock(&pool.mu);
            while ((g = atomic_load_explicit(&pool.gen, memory_order_acquire)) == seen)
                pthread_cond_wait(&pool.cv, &pool.mu);
            pthread_mutex_unlock(&pool.mu);
            break;
        }
        seen = g;
        if (atomic_load_explicit(&pool.quit, memory_order_acquire))
            return NULL;
        run_part(pool.job, t);
        atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_release);
    }
}

static void wake_workers(void) {
    pthread_mutex_lock(&pool.mu);
    atomic_fetch_add_explicit(&pool.gen, 1u, memory_order_release);
    pthread_cond_broadcast(&pool.cv);
    pthread_mutex_unlock(&pool.mu);
}

void lj_sgemm_set_threads(int n) {
    if (n < 1)
        n = 1;
    if (n > LJ_SGEMM_MAX_THREADS)
        n = LJ_SGEMM_MAX_THREADS;
    if (n == pool.n)
        return;
    if (pool.n > 1) { /* join the old workers */
        atomic_store_explicit(&pool.quit, 1, memory_order_release);
        wake_workers();
        for (int t = 1; t < pool.n; t++) pthread_join(pool.th[t], NULL);
        atomic_store_explicit(&pool.quit, 0, memory_order_release);
        pool.n = 1;
    }
    int started = 1;
    pool.start_gen = atomic_load_explicit(&pool.gen, memory_order_acquire);
    for (int t = 1; t < n; t++) {
        if (pthread_create(&pool.th[t], NULL, worker_main, (void *)(size_t)t) != 0)
            break; /* fewer threads: same results, less speed */
        started++;
    }
    pool.n = started;
}

int lj_sgemm_threads(void) { return pool.n; }

void lj_set_threads(int n) { lj_sgemm_set_threads(n); }

static void run_job(sgemm_job *jb) {
    int panels = (int)(round_nr(jb->N) / NR);
    /* below ~0.5 M multiply-adds the hand-off costs more than it saves */
    int n = (double)jb->M * jb->N * jb->K < 524288.0 ? 1 : pool.n;
    if (n > panels)
        n = panels;
    if (n <= 1) {
        jb->nthreads = 1;
        run_part(jb, 0);
        return;
    }
    /* every worker of the pool runs run_part; those past n get empty ranges */
    jb->nthreads = pool.n;
    pool.job = jb;
    atomic_store_explicit(&pool.pending, pool.n - 1, memory_order_relaxed);
    wake_workers();
    run_part(jb, 0);
    int spins = 0;
    while (atomic_load_explicit(&pool.pending, memory_order_acquire) > 0)
        if (++spins % 256 == 0)
            sched_yield(); /* a descheduled worker needs the core */
        else
            cpu_pause();
}

static void scale_c(int M, int N, float beta, float *C, int ldc) {
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc;
        for (int j = 0; j < N; j++) c[j] = beta == 0.0f ? 0.0f : beta * c[j];
    }
}

void lj_sgemm(lj_isa isa, int trans_a, int trans_b, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc,
              float *work) {
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0) {
        scale_c(M, N, beta, C, ldc);
        return;
    }
    sgemm_job jb = {tile_for(lj_isa_clamp(isa)), trans_a, trans_b, M, N, K, alpha, beta, A, B,
                    NULL, lda, ldb, ldc, C, work, 1};
    run_job(&jb);
}

void lj_sgemm_prepacked(lj_isa isa, int trans_a, int M, int N, int K, float alpha,
                        const float *A, int lda, const float *Bp, float beta, float *C, int ldc,
                        float *work) {
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0) {
        scale_c(M, N, beta, C, ldc);
        return;
    }
    sgemm_job jb = {tile_for(lj_isa_clamp(isa)), trans_a, 0, M, N, K, alpha, beta, A, NULL,
                    Bp, lda, 0, ldc, C, work, 1};
    run_job(&jb);
}
