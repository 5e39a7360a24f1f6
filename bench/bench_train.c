/* bench_train: lstmjam's training and inference speed on the configurations of
 * bench/torch_lstm.py (same shapes, float32, Adam, forward + backward + clip +
 * optimizer step per iteration), and the sgemm peak of the linked OpenBLAS
 * measured here, so each config's share of it can be printed.
 *
 *   bench_train [--threads 1,2] [--seconds 5] [--configs a8,a32,b,c,d,e]
 *               [--step-configs a32,c,d] [--step-count 10000]
 * Output lines (bench/run.sh lines them up with PyTorch's):
 *   lstmjam train CONFIG B=.. T=.. threads=N tokens_per_s=X gflops=Y
 *   lstmjam step  CONFIG[-bf16] threads=1 p50_us=X p99_us=Y path=P weight_mb=M
 *                 stream_p50_us=X stream_p99_us=Y  (reading the same bytes, same run)
 *   lstmjam sgemm threads=N gflops=X       (OpenBLAS)
 *   lstmjam sgemm-own threads=N gflops=X   (model/sgemm.h, what training runs on)
 */
#define _GNU_SOURCE /* cblas.h declares openblas_setaffinity(cpu_set_t *), a GNU type */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#if LJ_HAVE_BLAS
#include <cblas.h>
#endif

#include "model.h"
#include "optim.h"
#include "sgemm.h"

typedef struct bench_config {
    const char *name;
    lj_input_kind input;
    int V, E, L, H;
    int psd; /* 1: pitch/step/duration heads, else one softmax of V */
    int T, B;
} bench_config;

static const bench_config CONFIGS[] = {
    {"a8", LJ_INPUT_EMBEDDING, 83, 256, 1, 1024, 0, 100, 8},
    {"a32", LJ_INPUT_EMBEDDING, 83, 256, 1, 1024, 0, 100, 32},
    {"b", LJ_INPUT_ONEHOT, 38, 0, 1, 256, 0, 64, 64},
    {"c", LJ_INPUT_EMBEDDING, 358, 128, 3, 512, 0, 100, 64},
    {"d", LJ_INPUT_ONEHOT, 137, 0, 3, 512, 0, 64, 64},
    {"e", LJ_INPUT_DENSE, 3, 0, 1, 128, 1, 25, 64},
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of the whole process (all threads): on a loaded machine the
 * one-thread rate per CPU second is steadier than per wall second. */
static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const bench_config *find(const char *name) {
    for (size_t i = 0; i < sizeof CONFIGS / sizeof *CONFIGS; i++)
        if (!strcmp(CONFIGS[i].name, name)) return &CONFIGS[i];
    return NULL;
}

static lj_model *make_model(const bench_config *bc) {
    lj_model_config c;
    memset(&c, 0, sizeof c);
    c.input_kind = bc->input;
    c.input_size = bc->V;
    c.embed_dim = bc->E;
    c.num_layers = bc->L;
    for (int l = 0; l < bc->L; l++) c.hidden[l] = bc->H;
    if (bc->psd) {
        c.num_heads = 3;
        c.heads[0] = (lj_head_config){LJ_HEAD_SOFTMAX, "pitch", 128, 0.05f, 0.0f, 0};
        c.heads[1] = (lj_head_config){LJ_HEAD_MSE, "step", 1, 1.0f, 10.0f, 0};
        c.heads[2] = (lj_head_config){LJ_HEAD_MSE, "duration", 1, 1.0f, 10.0f, 0};
    } else {
        c.num_heads = 1;
        c.heads[0] = (lj_head_config){LJ_HEAD_SOFTMAX, "next", bc->V, 1.0f, 0.0f, 0};
    }
    lj_model *m;
    char err[256];
    if (lj_model_create(&m, &c, err, sizeof err)) {
        fprintf(stderr, "bench_train: %s\n", err);
        exit(1);
    }
    lj_model_init(m, 1);
    return m;
}

/* Multiply-adds of one training iteration, counted as 2 flops each: forward
 * (input projection, recurrence, heads) and backward (twice the forward). */
static double train_flops(const bench_config *bc) {
    double tb = (double)bc->T * bc->B, f = 0;
    int in = bc->input == LJ_INPUT_EMBEDDING ? bc->E : bc->input == LJ_INPUT_DENSE ? bc->V : 0;
    for (int l = 0; l < bc->L; l++) {
        int w = l == 0 ? in : bc->H; /* one-hot input: a column lookup, no matmul */
        f += 2.0 * tb * 4 * bc->H * (w + bc->H);
    }
    f += 2.0 * tb * bc->H * (bc->psd ? 130 : bc->V);
    return 3 * f;
}

static void bench_train(const bench_config *bc, int threads, double seconds) {
#if LJ_HAVE_BLAS
    openblas_set_num_threads(threads);
#endif
    lj_set_threads(threads);
    lj_model *m = make_model(bc);
    lj_acts *a;
    char err[256];
    if (lj_acts_create(&a, m, bc->B, bc->T, err, sizeof err)) {
        fprintf(stderr, "bench_train: %s\n", err);
        exit(1);
    }
    size_t n, tb = (size_t)bc->T * bc->B;
    float *params = lj_model_params(m, &n), *grads = lj_model_grads(m, &n);
    lj_optim *o;
    lj_optim_config oc = lj_optim_defaults(LJ_OPTIM_ADAM);
    if (lj_optim_create(&o, &oc, n, err, sizeof err)) exit(1);
    int32_t *tok = malloc(tb * sizeof *tok), *tgt = malloc(tb * sizeof *tgt);
    float *feat = malloc(tb * 3 * sizeof *feat), *step = malloc(tb * sizeof *step),
          *dur = malloc(tb * sizeof *dur);
    lj_rng rng;
    lj_rng_seed(&rng, 1);
    for (size_t i = 0; i < tb; i++) {
        tok[i] = (int32_t)(lj_rng_u64(&rng) % (uint64_t)bc->V);
        tgt[i] = (int32_t)(lj_rng_u64(&rng) % (uint64_t)(bc->psd ? 128 : bc->V));
        step[i] = lj_rng_uniform(&rng);
        dur[i] = lj_rng_uniform(&rng);
        for (int k = 0; k < 3; k++) feat[i * 3 + k] = lj_rng_normal(&rng);
    }
    lj_batch b = {.B = bc->B, .T = bc->T};
    if (bc->input == LJ_INPUT_DENSE) b.features = feat;
    else b.tokens = tok;
    b.target_ids[0] = tgt;
    if (bc->psd) {
        b.target_values[1] = step;
        b.target_values[2] = dur;
    }
    double t0 = 0, c0 = 0;
    long iters = 0;
    for (int it = 0;; it++) {
        if (it == 3) { /* three warm-up iterations */
            t0 = now();
            c0 = cpu_now();
        }
        lj_model_zero_grad(m);
        double loss;
        if (lj_model_forward(m, a, &b, NULL, &loss, err, sizeof err) ||
            lj_model_backward(m, a, &b, err, sizeof err)) {
            fprintf(stderr, "bench_train: %s\n", err);
            exit(1);
        }
        lj_clip_grad_norm(grads, n, 5.0f);
        lj_optim_step(o, params, grads, 1e-3f);
        if (it >= 3) {
            iters++;
            if (now() - t0 > seconds && iters >= 3) break;
        }
    }
    double el = now() - t0, cpu = cpu_now() - c0;
    printf("lstmjam train %s B=%d T=%d threads=%d tokens_per_s=%.0f gflops=%.1f "
           "tokens_per_cpu_s=%.0f\n",
           bc->name, bc->B, bc->T, threads, tb * iters / el, train_flops(bc) * iters / el / 1e9,
           tb * iters / cpu);
    fflush(stdout);
    free(tok);
    free(tgt);
    free(feat);
    free(step);
    free(dur);
    lj_optim_destroy(o);
    lj_acts_destroy(a);
    lj_model_destroy(m);
}

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* The floor a batch-1 step cannot beat on one core: reading its weight bytes
 * once, with nothing else to do, as 8 interleaved streams (AVX-512; 4 with
 * AVX2): the eighths of the buffer side by side, the pattern that read
 * fastest here (one sequential stream took ~30% longer). The same bytes, the
 * same core, the same minute as the step, so the ratio shows how close the
 * step is to the memory traffic it must do, whatever this machine's caches
 * and neighbours allow at the time. Returns a sum so the reads stay. */
#if defined(__x86_64__)
__attribute__((target("avx512f"))) static float stream_read_avx512(const float *a, size_t n) {
    size_t q = n / 8 / 16 * 16; /* floats per stream */
    const float *p0 = a, *p1 = a + q, *p2 = a + 2 * q, *p3 = a + 3 * q, *p4 = a + 4 * q,
                *p5 = a + 5 * q, *p6 = a + 6 * q, *p7 = a + 7 * q;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0,
           s7 = s0;
    for (size_t i = 0; i < q; i += 16) {
        s0 = _mm512_add_ps(s0, _mm512_load_ps(p0 + i));
        s1 = _mm512_add_ps(s1, _mm512_load_ps(p1 + i));
        s2 = _mm512_add_ps(s2, _mm512_load_ps(p2 + i));
        s3 = _mm512_add_ps(s3, _mm512_load_ps(p3 + i));
        s4 = _mm512_add_ps(s4, _mm512_load_ps(p4 + i));
        s5 = _mm512_add_ps(s5, _mm512_load_ps(p5 + i));
        s6 = _mm512_add_ps(s6, _mm512_load_ps(p6 + i));
        s7 = _mm512_add_ps(s7, _mm512_load_ps(p7 + i));
    }
    __m512 t = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)),
                             _mm512_add_ps(_mm512_add_ps(s4, s5), _mm512_add_ps(s6, s7)));
    return _mm512_reduce_add_ps(t);
}
__attribute__((target("avx2"))) static float stream_read_avx2(const float *a, size_t n) {
    size_t q = n / 4 / 8 * 8;
    const float *p0 = a, *p1 = a + q, *p2 = a + 2 * q, *p3 = a + 3 * q;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i < q; i += 8) {
        s0 = _mm256_add_ps(s0, _mm256_load_ps(p0 + i));
        s1 = _mm256_add_ps(s1, _mm256_load_ps(p1 + i));
        s2 = _mm256_add_ps(s2, _mm256_load_ps(p2 + i));
        s3 = _mm256_add_ps(s3, _mm256_load_ps(p3 + i));
    }
    float o[8];
    _mm256_storeu_ps(o, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    return o[0] + o[1] + o[2] + o[3] + o[4] + o[5] + o[6] + o[7];
}
#endif
static float stream_read(const float *a, size_t n) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f"))
        return stream_read_avx512(a, n);
    if (__builtin_cpu_supports("avx2"))
        return stream_read_avx2(a, n);
#endif
    float s[8] = {0};
    for (size_t i = 0; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) s[j] += a[i + j];
    return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
}

/* One step at batch 1, p50/p99 over `count` steps; bf16: on bfloat16 step
 * weights (printed as CONFIG-bf16). The path taken (packed, ISA) is printed,
 * and beside it the stream floor of the same weight bytes: steps and plain
 * reads alternate in 10 blocks (alternating single steps and reads would
 * make each evict the other's bytes), so both see the same machine. */
static void bench_step(const bench_config *bc, int count, int bf16) {
#if LJ_HAVE_BLAS
    openblas_set_num_threads(1);
#endif
    lj_model *m = make_model(bc);
    lstm_state *s;
    char err[256];
    if (bf16 && lj_model_prepare_step(m, LJ_STEP_BF16, err, sizeof err)) exit(1);
    if (lstm_state_create(&s, m, 1, err, sizeof err)) exit(1);
    size_t bytes = lstm_step_weight_bytes(m), nfloat = (bytes + 511) / 512 * 128;
    float *buf = aligned_alloc(64, nfloat * sizeof(float));
    double *t = malloc((size_t)count * sizeof *t), *tr = malloc((size_t)count * sizeof *tr);
    if (!buf || !t || !tr) exit(1);
    for (size_t i = 0; i < nfloat; i++) buf[i] = (float)(i % 13) * 1e-3f;
    int32_t tok = 1;
    float feat[3] = {0.1f, 0.2f, 0.3f}, sink = 0.0f;
    const int blocks = 10, per = (count + blocks - 1) / blocks;
    int done = 0, read = 0;
    for (int b = 0; b < blocks && done < count; b++) {
        for (int i = -10; i < per && done < count; i++) { /* 10 warm-up steps per block */
            double t0 = now();
            lstm_step(m, s, &tok, feat);
            const float *logits = lstm_state_head_output(s, 0);
            int best = 0, K = bc->psd ? 128 : bc->V;
            for (int k = 1; k < K; k++)
                if (logits[k] > logits[best]) best = k;
            tok = bc->input == LJ_INPUT_DENSE ? 0 : best % bc->V;
            if (i >= 0) t[done++] = now() - t0;
        }
        for (int i = -10; i < per && read < count; i++) {
            double t0 = now();
            sink += stream_read(buf, nfloat);
            if (i >= 0) tr[read++] = now() - t0;
        }
    }
    qsort(t, (size_t)done, sizeof *t, cmp_double);
    qsort(tr, (size_t)read, sizeof *tr, cmp_double);
    printf("lstmjam step %s%s threads=1 p50_us=%.1f p99_us=%.1f path=%s weight_mb=%.2f "
           "stream_p50_us=%.1f stream_p99_us=%.1f%s\n",
           bc->name, bf16 ? "-bf16" : "", t[done / 2] * 1e6, t[(int)(done * 0.99)] * 1e6,
           lstm_step_path(m, s), bytes / 1048576.0, tr[read / 2] * 1e6,
           tr[(int)(read * 0.99)] * 1e6, sink == 12345.0f ? " " : "");
    fflush(stdout);
    free(t);
    free(tr);
    free(buf);
    lstm_state_destroy(s);
    lj_model_destroy(m);
}

/* The 1024^3 sgemm rate of OpenBLAS and of lstmjam's own sgemm (the one the
 * training layers run on), so each config's share of the peak of the kernel
 * it actually uses can be printed. */
static void bench_sgemm(int threads) {
    const int N = 1024;
    float *A = malloc(sizeof(float) * N * N), *B = malloc(sizeof(float) * N * N),
          *C = calloc((size_t)N * N, sizeof(float));
    float *work = aligned_alloc(64, lj_sgemm_work_floats(N) * sizeof(float));
    for (int i = 0; i < N * N; i++) A[i] = B[i] = (float)(i % 7) * 0.1f;
    for (int own = 0; own < 2; own++) {
#if LJ_HAVE_BLAS
        openblas_set_num_threads(threads);
#else
        if (!own) {
            printf("lstmjam sgemm threads=%d gflops=0 (built without OpenBLAS)\n", threads);
            continue;
        }
#endif
        lj_set_threads(threads);
        int reps = 0;
        double t0 = 0;
        for (int it = -1; it < 0 || now() - t0 < 1.0 || reps < 3; it++) {
            if (it == 0) /* one warm-up product */
                t0 = now();
            if (own)
                lj_sgemm(LJ_ISA_AUTO, 0, 0, N, N, N, 1, A, N, B, N, 0, C, N, work);
#if LJ_HAVE_BLAS
            else
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1, A, N, B, N, 0,
                            C, N);
#endif
            if (it >= 0)
                reps++;
        }
        double el = now() - t0;
        printf("lstmjam %s threads=%d gflops=%.1f\n", own ? "sgemm-own" : "sgemm", threads,
               2.0 * N * N * N * reps / el / 1e9);
    }
    free(A);
    free(B);
    free(C);
    free(work);
}

int main(int argc, char **argv) {
    const char *threads = "1,2", *configs = "a8,a32,b,c,d,e", *step_configs = "a32,c,d";
    double seconds = 5;
    int step_count = 10000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads")) threads = argv[i + 1];
        else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--configs")) configs = argv[i + 1];
        else if (!strcmp(argv[i], "--step-configs")) step_configs = argv[i + 1];
        else if (!strcmp(argv[i], "--step-count")) step_count = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "bench_train: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", threads);
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) bench_sgemm(atoi(t));
    char cb[256];
    snprintf(cb, sizeof cb, "%s", configs);
    char *save = NULL;
    for (char *c = strtok_r(cb, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        const bench_config *bc = find(c);
        if (!bc) {
            fprintf(stderr, "bench_train: unknown config %s\n", c);
            return 2;
        }
        char tb[64];
        snprintf(tb, sizeof tb, "%s", threads);
        char *s2 = NULL;
        for (char *t = strtok_r(tb, ",", &s2); t; t = strtok_r(NULL, ",", &s2)) bench_train(bc, atoi(t), seconds);
    }
    snprintf(cb, sizeof cb, "%s", step_configs);
    for (char *c = strtok_r(cb, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        const bench_config *bc = find(c);
        if (bc && step_count > 0) {
            bench_step(bc, step_count, 0);
            bench_step(bc, step_count, 1);
        }
    }
    return 0;
}
