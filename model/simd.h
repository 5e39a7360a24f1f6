/* simd: the hand-vectorised float kernels of the model and their run-time CPU
 * dispatch. Internal to model/ (model.c, step.c, the tests).
 *
 * Every kernel here has a plain-C path (LJ_ISA_SCALAR, libm's expf/tanhf: the
 * same arithmetic as the float instantiation of lstm.inc) and AVX2+FMA and
 * AVX-512 paths compiled with __attribute__((target)) in simd.c, so one binary
 * runs on any x86-64: the caller passes the ISA it wants and simd.c clamps it
 * to what __builtin_cpu_supports reports. Vector sigmoid/tanh are Cephes-style
 * polynomials (max relative error ~2e-7 measured by test_model_simd); NaN
 * inputs stay NaN.
 *
 * Packed step weights ("panels"): a matrix W (N,K) with N a multiple of 16 is
 * stored as N/16 panels, panel p holding W[16p..16p+15][k] for k = 0..K-1 as
 * K consecutive groups of 16 values (k-major), so a matrix-vector product is
 * one broadcast of x[k] and one 16-wide FMA per group, streaming the weights
 * once in order. Values are float32 or bfloat16 (the upper half of a float32,
 * rounded to nearest even); products and sums are always float32. */
#ifndef LJ_SIMD_H
#define LJ_SIMD_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define LJ_PANEL 16 /* rows per panel: one AVX-512 vector, two AVX2 vectors */

/* The best ISA this CPU runs, capped by `cap` (LJ_ISA_AUTO: no cap). Thread: any. */
lj_isa lj_isa_clamp(lj_isa cap);

/* The gate nonlinearities and cell update of lstm_cell_forward (same contract,
 * kernels.h) with vector sigmoid/tanh. Thread: any. */
void lj_cell_forward_simd(lj_isa isa, float *gates, const float *c_prev, float *c,
                          float *tanh_c, float *h, int R, int H);
/* The pointwise part of one step of lstm_backward for R rows: from gate
 * activations g (R,4H), c_prev, tanh_c (R,H), the output gradient dh_out (R,H)
 * plus the recurrent carry dh (R,H), and the cell carry dc (R,H, updated in
 * place to the gradient flowing to c_{t-1}), writes the pre-activation
 * gradients dg (R,4H). Thread: any. */
void lj_cell_backward_simd(lj_isa isa, float *dg, float *dc, const float *dh_out,
                           const float *dh, const float *g, const float *c_prev,
                           const float *tanh_c, int R, int H);

/* Elementwise sigmoid and tanh over n floats (x and y may alias), for tests
 * of the vector approximations. Thread: any. */
void lj_sigmoid_simd(lj_isa isa, float *y, const float *x, size_t n);
void lj_tanh_simd(lj_isa isa, float *y, const float *x, size_t n);

/* Element (row r of panel p, column k) of a panel matrix over K columns:
 * float32 panels are K groups of 16 rows; bfloat16 panels hold column pairs,
 * ceil(K/2) groups of 16 rows x (k even, k odd) (a missing last partner is 0). */
static inline size_t lj_panel_index(int bf16, int K, size_t p, int r, int k) {
    if (!bf16)
        return (p * (size_t)K + (size_t)k) * LJ_PANEL + (size_t)r;
    return p * (size_t)((K + 1) / 2) * 2 * LJ_PANEL + (size_t)(k / 2) * 2 * LJ_PANEL +
           (size_t)r * 2 + (size_t)(k & 1);
}
/* Bytes of npanels panels over K columns, rounded up to 64. */
static inline size_t lj_panel_bytes(int bf16, int K, int npanels) {
    size_t n = (size_t)npanels * LJ_PANEL * (bf16 ? (size_t)((K + 1) / 2) * 2 * 2 : (size_t)K * 4);
    return (n + 63) / 64 * 64;
}

/* y (16*npanels) = W x for W packed as npanels panels of K groups (see above),
 * float32 (bf16 == 0) or bfloat16 (bf16 != 0) values; x (K) float32. The
 * plain-C path reads the same layout. Thread: any. */
void lj_panel_matvec(lj_isa isa, int bf16, const void *panels, int npanels, int K,
                     const float *x, float *y);

/* One fused LSTM cell update for a single row whose gates come from
 * lj_panel_matvec on gate-blocked panels: gates (Hp/16 blocks of 64 floats:
 * 16 i, 16 f, 16 g, 16 o pre-activations, biases not yet added), bias in the
 * same layout; c (H) updated in place, h (H) written. Hp = H rounded up to 16;
 * units >= H are padding and not stored. Thread: any. */
void lj_step_cell(lj_isa isa, const float *gates, const float *bias, float *c, float *h,
                  int H);

/* One Adam (decoupled == 0; weight decay wd added to the gradient) or AdamW
 * (decoupled: p scaled by 1 - lr wd first) update of n parameters p with
 * gradients g and moments m, v, in lj_optim_step's order of operations:
 * the same bits on every ISA (test_model_simd). Thread: any. */
void lj_adam_update(lj_isa isa, float *p, const float *g, float *m, float *v, size_t n, float b1,
                    float b2, float step_size, float bc2_sqrt, float eps, float wd, float lr,
                    int decoupled);

/* softmax_ce_forward (kernels.h, same contract) with vector max/exp/sum per
 * row; LJ_ISA_SCALAR is softmax_ce_forward itself. Thread: any. */
double lj_softmax_ce_simd(lj_isa isa, float *probs, const float *logits, const int32_t *targets,
                          int N, int K, int *counted);

/* float32 -> bfloat16, round to nearest even (NaN stays NaN). Thread: any. */
uint16_t lj_bf16_from_f32(float x);

#endif
