/* bench_sgemm: lstmjam's own sgemm (model/sgemm.h) against the linked
 * OpenBLAS on the products of one training iteration, interleaved in one run
 * so that the ratio holds on a loaded machine.
 *
 *   bench_sgemm [--threads 1,2] [--seconds 0.3] [--rounds 3]
 * Output, one line per shape and thread count (best of the rounds):
 *   sgemm SHAPE M=.. N=.. K=.. threads=N openblas_gflops=X own_gflops=Y ratio=Y/X
 * "step" shapes are the per-time-step recurrent products: the own side uses a
 * B packed once (as the trainer does per forward/backward), OpenBLAS packs at
 * every call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if LJ_HAVE_BLAS
#include <cblas.h>
#endif

#include "model.h"
#include "sgemm.h"

typedef struct shape {
    const char *name;
    int ta, tb, M, N, K, prepacked;
} shape;

static const shape SHAPES[] = {
    {"step-fwd-512x64", 0, 1, 64, 2048, 512, 1},   /* gates += h W_hh^T, c/d */
    {"step-bwd-512x64", 0, 0, 64, 512, 2048, 1},   /* dh = dgates W_hh, c/d */
    {"step-fwd-256x64", 0, 1, 64, 1024, 256, 1},   /* b */
    {"step-bwd-256x64", 0, 0, 64, 256, 1024, 1},   /* b */
    {"step-fwd-128x64", 0, 1, 64, 512, 128, 1},    /* e */
    {"step-bwd-128x64", 0, 0, 64, 128, 512, 1},    /* e */
    {"step-fwd-1024x32", 0, 1, 32, 4096, 1024, 1}, /* a32 */
    {"inproj-512", 0, 1, 4096, 2048, 512, 0},      /* x W_ih^T, d layers 1-2 */
    {"dW-512", 1, 0, 2048, 512, 4096, 0},          /* dgates^T h, d */
    {"dx-512", 0, 0, 4096, 512, 2048, 0},          /* dgates W_ih, d */
    {"dW-128", 1, 0, 512, 128, 1600, 0},           /* e */
    {"sq-1024", 0, 0, 1024, 1024, 1024, 0},
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float *randv(size_t n, unsigned seed) {
    float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (float)((seed >> 8) & 0xffff) / 65536.0f - 0.5f;
    }
    return p;
}

int main(int argc, char **argv) {
    const char *threads = "1,2";
    double seconds = 0.3;
    int rounds = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads")) threads = argv[i + 1];
        else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--rounds")) rounds = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "bench_sgemm: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    char tb[64];
    snprintf(tb, sizeof tb, "%s", threads);
    for (char *ts = strtok(tb, ","); ts; ts = strtok(NULL, ",")) {
        int nt = atoi(ts);
#if LJ_HAVE_BLAS
        openblas_set_num_threads(nt);
#endif
        lj_sgemm_set_threads(nt);
        for (size_t s = 0; s < sizeof SHAPES / sizeof *SHAPES; s++) {
            const shape *sh = &SHAPES[s];
            int M = sh->M, N = sh->N, K = sh->K;
            int lda = sh->ta ? M : K, ldb = sh->tb ? K : N;
            float *A = randv((size_t)M * K, 1), *B = randv((size_t)K * N, 2);
            float *C = randv((size_t)M * N, 3);
            float *work = aligned_alloc(64, lj_sgemm_work_floats(N) * sizeof(float));
            float *Bp = aligned_alloc(64, lj_sgemm_packed_b_floats(K, N) * sizeof(float) + 64);
            lj_sgemm_pack_b(sh->tb, K, N, B, ldb, Bp);
            double flops = 2.0 * M * N * K, best_blas = 0, best_own = 0;
            for (int r = 0; r < rounds; r++) {
                for (int side = 0; side < 2; side++) {
                    long reps = 0;
                    double t0 = now();
                    while (now() - t0 < seconds || reps < 3) {
                        if (side == 0) {
#if LJ_HAVE_BLAS
                            cblas_sgemm(CblasRowMajor, sh->ta ? CblasTrans : CblasNoTrans,
                                        sh->tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A,
                                        lda, B, ldb, 1.0f, C, N);
#endif
                        } else if (sh->prepacked) {
                            lj_sgemm_prepacked(LJ_ISA_AUTO, sh->ta, M, N, K, 1.0f, A, lda, Bp,
                                               1.0f, C, N, work);
                        } else {
                            lj_sgemm(LJ_ISA_AUTO, sh->ta, sh->tb, M, N, K, 1.0f, A, lda, B, ldb,
                                     1.0f, C, N, work);
                        }
                        reps++;
                    }
                    double g = flops * reps / (now() - t0) / 1e9;
                    if (side == 0 && g > best_blas) best_blas = g;
                    if (side == 1 && g > best_own) best_own = g;
                }
            }
            printf("sgemm %-17s M=%d N=%d K=%d threads=%d openblas_gflops=%.1f own_gflops=%.1f "
                   "ratio=%.2f\n",
                   sh->name, M, N, K, nt, best_blas, best_own, best_own / best_blas);
            fflush(stdout);
            free(A);
            free(B);
            free(C);
            free(work);
            free(Bp);
        }
    }
    lj_sgemm_set_threads(1);
    return 0;
}
