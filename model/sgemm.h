/* sgemm: lstmjam's own float matrix product for the training layers, with
 * AVX-512 and AVX2+FMA micro-kernels chosen at run time, a plain-C path over
 * the same packed layout, and a fixed split of the columns over a small pool
 * of worker threads. Internal to model/ (model.c and the tests).
 *
 * Why our own: the recurrent product of every time step, gates (B,4H) +=
 * h (B,H) W_hh^T, is small (B = 8..64) and repeats T times with the same
 * W_hh, but OpenBLAS packs W_hh again at every call (4 MB for H = 512); here
 * W_hh is packed once per forward (and once per backward for dh = dgates
 * W_hh) and each step only packs its (B,H) rows. And with OPENBLAS_CORETYPE
 * forced to Haswell OpenBLAS runs 8-wide kernels where the CPU has 16-wide
 * ones.
 *
 * C (M,N) = alpha op(A) (M,K) op(B) (K,N) + beta C, row-major, op = identity
 * or transpose, as cblas_sgemm (beta == 0: C is not read). Blocking (GotoBLAS):
 * K in blocks of LJ_SGEMM_KC; per block, op(B) packed in column panels of
 * LJ_SGEMM_NR (k-major: kc x 32 floats, zero-padded past N); op(A) = A^T packed
 * in row panels of LJ_SGEMM_MR (kc x 8) for LJ_SGEMM_MC rows at a time, op(A) =
 * A read in place (each of a tile's 8 rows is contiguous in k); an 8 x 32
 * micro-kernel (16 AVX-512 accumulators) keeps one B panel in L1 while it walks
 * the rows. Every element of C is summed in the same order (k ascending within
 * a block, blocks added to C in order) whatever the thread count, so results
 * depend on the ISA only, not on the threads.
 *
 * Threads: lj_sgemm_set_threads(n) starts n-1 workers (once, at the caller's
 * choice of thread count: the trainer, eval, benchmarks); each product splits
 * its column panels into n contiguous ranges, one per thread, each thread
 * packing its own panels and its own copy of A. Workers wait on a condition
 * variable between products after a short spin. No kernel here allocates:
 * the caller passes `work` (lj_sgemm_work_floats). */
#ifndef LJ_SGEMM_H
#define LJ_SGEMM_H

#include <stddef.h>

#include "model.h"

#define LJ_SGEMM_MR 8           /* rows of a micro-tile (A panel width) */
#define LJ_SGEMM_NR 32          /* columns of a micro-tile (B panel width) */
#define LJ_SGEMM_KC 256         /* depth of a K block */
#define LJ_SGEMM_MC 128         /* rows of A packed at a time (multiple of MR) */
#define LJ_SGEMM_MAX_THREADS 8  /* pool size limit */

/* Floats of a packed op(B) (K,N): K rows x N rounded up to NR. */
size_t lj_sgemm_packed_b_floats(int K, int N);
/* Packs op(B) (K,N) (trans_b: B is stored (N,K), else (K,N), leading dimension
 * ldb) into Bp (lj_sgemm_packed_b_floats, 64-byte aligned): K blocks of KC rows;
 * block starting at row k0 at Bp + k0 * Npad, its panel j at + j * kc * NR,
 * element (k, n) of the panel at (k - k0) * NR + n % NR. Thread: any. */
void lj_sgemm_pack_b(int trans_b, int K, int N, const float *B, int ldb, float *Bp);

/* Workspace floats for any product with N <= max_n (and a prepacked B of any
 * N): one K block of packed B plus one A block per possible thread. */
size_t lj_sgemm_work_floats(int max_n);

/* C = alpha op(A) op(B) + beta C, packing B into `work` block by block.
 * isa: LJ_ISA_SCALAR runs the plain-C micro-kernel (same blocking and sums).
 * M, N, K >= 0 (M or N == 0: nothing; K == 0: C = beta C). Thread: one caller
 * at a time (the pool is shared). */
void lj_sgemm(lj_isa isa, int trans_a, int trans_b, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc,
              float *work);
/* The same with op(B) already packed by lj_sgemm_pack_b (same K, N). */
void lj_sgemm_prepacked(lj_isa isa, int trans_a, int M, int N, int K, float alpha,
                        const float *A, int lda, const float *Bp, float beta, float *C, int ldc,
                        float *work);

/* Threads the products use from now on, clamped to 1..LJ_SGEMM_MAX_THREADS
 * (1: the caller alone; the workers are joined). Not during a product.
 * Thread: the one thread that runs the products. */
void lj_sgemm_set_threads(int n);
int lj_sgemm_threads(void);

#endif
