/* simd: plain-C, AVX2+FMA and AVX-512 instantiations of simd_body.inc and the
 * run-time dispatch between them (see simd.h). The vector paths are compiled
 * with __attribute__((target)) only on x86-64 GCC/Clang; elsewhere every call
 * takes the plain-C path. */
#include "simd.h"
#include "kernels.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LJ_X86_SIMD 1
#include <immintrin.h>
#else
#define LJ_X86_SIMD 0
#endif

uint16_t lj_bf16_from_f32(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) /* NaN: keep it a (quiet) NaN */
        return (uint16_t)((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u); /* round to nearest, ties to even */
    return (uint16_t)(u >> 16);
}

static float bf16_to_f32(uint16_t b) {
    uint32_t u = (uint32_t)b << 16;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

lj_isa lj_isa_clamp(lj_isa cap) {
    lj_isa best = LJ_ISA_SCALAR;
#if LJ_X86_SIMD
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        best = LJ_ISA_AVX2;
    if (best == LJ_ISA_AVX2 && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl"))
        best = LJ_ISA_AVX512;
#endif
    if (cap == LJ_ISA_AUTO || cap > best)
        return best;
    return cap < LJ_ISA_SCALAR ? LJ_ISA_SCALAR : cap;
}

/* ---- plain C: the reference the vector paths are tested against ------------- */

static float sigmoid1(float x) { return 1.0f / (1.0f + expf(-x)); }

static void scalar_panel_matvec(int bf16, const void *panels, int npanels, int K,
                                const float *x, float *y) {
    for (int p = 0; p < npanels; p++) {
        float acc[LJ_PANEL] = {0};
        for (int k = 0; k < K; k++) {
            for (int r = 0; r < LJ_PANEL; r++) {
                float w = bf16 ? bf16_to_f32(((const uint16_t *)panels)[lj_panel_index(1, K, (size_t)p, r, k)])
                               : ((const float *)panels)[lj_panel_index(0, K, (size_t)p, r, k)];
                acc[r] += w * x[k];
            }
        }
        memcpy(y + (size_t)p * LJ_PANEL, acc, sizeof acc);
    }
}

static void scalar_step_cell(const float *gates, const float *bias, float *c, float *h,
                             int H) {
    for (int u = 0; u < H; u++) {
        size_t o = (size_t)(u / LJ_PANEL) * 4 * LJ_PANEL + (size_t)(u % LJ_PANEL);
        float i = sigmoid1(gates[o] + bias[o]);
        float f = sigmoid1(gates[o + LJ_PANEL] + bias[o + LJ_PANEL]);
        float g = tanhf(gates[o + 2 * LJ_PANEL] + bias[o + 2 * LJ_PANEL]);
        float og = sigmoid1(gates[o + 3 * LJ_PANEL] + bias[o + 3 * LJ_PANEL]);
        float cn = f * c[u] + i * g;
        c[u] = cn;
        h[u] = og * tanhf(cn);
    }
}

#if LJ_X86_SIMD
/* ---- AVX2 + FMA ----------------------------------------------------------------- */
#define SFX(name) avx2_##name
#define TARGET __attribute__((target("avx2,fma")))
#define VF __m256
#define VN 8
#define VLD _mm256_loadu_ps
#define VST _mm256_storeu_ps
#define VSET _mm256_set1_ps
#define VADD _mm256_add_ps
#define VSUB _mm256_sub_ps
#define VMUL _mm256_mul_ps
#define VDIV _mm256_div_ps
#define VSQRT _mm256_sqrt_ps
#define VMIN _mm256_min_ps
#define VMAX _mm256_max_ps
#define VFMA _mm256_fmadd_ps
#define VABS(x) _mm256_and_ps((x), _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)))
#define VXORSIGN(m, x) _mm256_or_ps((m), _mm256_and_ps((x), _mm256_set1_ps(-0.0f)))
#define VSEL_LT(a, b, x, y) _mm256_blendv_ps((y), (x), _mm256_cmp_ps((a), (b), _CMP_LT_OQ))
#define VROUND(x) _mm256_round_ps((x), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define VPOW2(n)                                                                         \
    _mm256_castsi256_ps(_mm256_slli_epi32(                                               \
        _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23))
#define VI __m256i
#define VLDI(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define VBF_LO(v) _mm256_castsi256_ps(_mm256_slli_epi32((v), 16))
#define VBF_HI(v) _mm256_castsi256_ps(_mm256_and_si256((v), _mm256_set1_epi32(-65536)))
#include "simd_body.inc"
#undef SFX
#undef TARGET
#undef VF
#undef VN
#undef VLD
#undef VST
#undef VSET
#undef VADD
#undef VSUB
#undef VMUL
#undef VDIV
#undef VSQRT
#undef VMIN
#undef VMAX
#undef VFMA
#undef VABS
#undef VXORSIGN
#undef VSEL_LT
#undef VROUND
#undef VPOW2
#undef VI
#undef VLDI
#undef VBF_LO
#undef VBF_HI

/* ---- AVX-512 (F, DQ, BW, VL) ------------------------------------------------------ */
#define SFX(name) avx512_##name
#define TARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define VF __m512
#define VN 16
#define VLD _mm512_loadu_ps
#define VST _mm512_storeu_ps
#define VSET _mm512_set1_ps
#define VADD _mm512_add_ps
#define VSUB _mm512_sub_ps
#define VMUL _mm512_mul_ps
#define VDIV _mm512_div_ps
#define VSQRT _mm512_sqrt_ps
#define VMIN _mm512_min_ps
#define VMAX _mm512_max_ps
#define VFMA _mm512_fmadd_ps
#define VABS(x) _mm512_abs_ps(x)
#define VXORSIGN(m, x) _mm512_or_ps((m), _mm512_and_ps((x), _mm512_set1_ps(-0.0f)))
#define VSEL_LT(a, b, x, y)                                                              \
    _mm512_mask_blend_ps(_mm512_cmp_ps_mask((a), (b), _CMP_LT_OQ), (y), (x))
#define VROUND(x) _mm512_roundscale_ps((x), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define VPOW2(n)                                                                         \
    _mm512_castsi512_ps(_mm512_slli_epi32(                                               \
        _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23))
#define VI __m512i
#define VLDI(p) _mm512_loadu_si512((const void *)(p))
#define VBF_LO(v) _mm512_castsi512_ps(_mm512_slli_epi32((v), 16))
#define VBF_HI(v) _mm512_castsi512_ps(_mm512_and_si512((v), _mm512_set1_epi32(-65536)))
#include "simd_body.inc"
#endif /* LJ_X86_SIMD */

/* ---- dispatch ------------------------------------------------------------------ */

void lj_cell_forward_simd(lj_isa isa, float *gates, const float *c_prev, float *c,
                          float *tanh_c, float *h, int R, int H) {
#if LJ_X86_SIMD
    if (isa >= LJ_ISA_AVX512) {
        avx512_cell_forward(gates, c_prev, c, tanh_c, h, R, H);
        return;
    }
    if (isa == LJ_ISA_AVX2) {
        avx2_cell_forward(gates, c_prev, c, tanh_c, h, R, H);
        return;
    }
#endif
    (void)isa;
    lstm_cell_forward(gates, c_prev, c, tanh_c, h, R, H);
}

void lj_cell_backward_simd(lj_isa isa, float *dg, float *dc, const float *dh_out,
                           const float *dh, const float *g, const float *c_prev,
                           const float *tanh_c, int R, int H) {
#if LJ_X86_SIMD
    if (isa >= LJ_ISA_AVX512) {
        avx512_cell_backward(dg, dc, dh_out, dh, g, c_prev, tanh_c, R, H);
        return;
    }
    if (isa == LJ_ISA_AVX2) {
        avx2_cell_backward(dg, dc, dh_out, dh, g, c_prev, tanh_c, R, H);
        return;
    }
#endif
    (void)isa;
    /* plain C: the same loop as lstm_backward's */
    for (int r = 0; r < R; r++)
        for (int j = 0; j < H; j++) {
            size_t k = (size_t)r * H + j;
            const float *gb = g + (size_t)r * 4 * H;
            float *dgb = dg + (size_t)r * 4 * H;
            float i = gb[j], f = gb[H + j], gg = gb[2 * H + j], o = gb[3 * H + j];
            float dht = dh_out[k] + dh[k], tcj = tanh_c[k];
            float d_o = dht * tcj;
            float dct = dc[k] + dht * o * (1 - tcj * tcj);
            float d_i = dct * gg, d_g = dct * i, d_f = dct * c_prev[k];
            dc[k] = dct * f;
            dgb[j] = d_i * i * (1 - i);
            dgb[H + j] = d_f * f * (1 - f);
            dgb[2 * H + j] = d_g * (1 - gg * gg);
            dgb[3 * H + j] = d_o * o * (1 - o);
        }
}

void lj_sigmoid_simd(lj_isa isa, float *y, const float *x, size_t n) {
#if LJ_X86_SIMD
    if (isa >= LJ_ISA_AVX512) {
        avx512_sigmoid(y, x, n);
        return;
    }
    if (isa == LJ_ISA_AVX2) {
        avx2_sigmoid(y, x, n);
        return;
    }
#endif
    (void)isa;
    for (size_t i = 0; i < n; i++) y[i] = sigmoid1(x[i]);
}

void lj_tanh_simd(lj_isa isa, float *y, const float *x, size_t n) {
#if LJ_X86_SIMD
    if (isa >= LJ_ISA_AVX512) {
        avx512_tanh(y, x, n);
        return;
    }
    if (isa == LJ_ISA_AVX2) {
        avx2_tanh(y, x, n);
        return;
    }
#endif
    (void)isa;
    for (size_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
}

void lj_panel_matvec(lj_isa isa, int bf16, const void *panels, int npanels, int K,
                     const float *x, float *y) {
#if LJ_X86_SIMD
    if (isa >= LJ_ISA_AVX512) {
        avx512_panel_matvec(bf16, panels, npanels, K, x, y);
        return;
    }
    if (isa == LJ_ISA_AVX2) {
        avx2_panel_matvec(bf16, panels, npanels, K, x, y);
        return;
    }
#endif
    (void)isa;
    scalar_panel_matvec(bf16, panels, npanels, K, x, y);
}

void lj_step_cell(lj_isa isa, const float *gates, const float *bias, float *c, float *h,
                  int H) {
#if LJ_X86_SIMD
    if (isa >= LJ_ISA_AVX512) {
        avx512_step_cell(gates, bias, c, h, H);
        return;
    }
    if (isa == LJ_ISA_AVX2) {
        avx2_step_cell(gates, bias, c, h, H);
        return;
    }
#endif
    (void)isa;
    scalar_step_cell(gates, bias, c, h, H);
}

static void scalar_adam(float *p, const float *g, float *m, float *v, size_t n, float b1,
                        float b2, float step_size, float bc2_sqrt, float eps, float wd, float lr,
                        int decoupled) {
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        if (decoupled)
            p[i] *= 1.0f - lr * wd;
        else
            gi += wd * p[i];
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        float denom = sqrtf(v[i]) / bc2_sqrt + eps;
        p[i] -= step_size * m[i] / denom;
    }
}

void lj_adam_update(lj_isa isa, float *p, const float *g, float *m, float *v, size_t n, float b1,
                    float b2, float step_size, float bc2_sqrt, float eps, float wd, float lr,
                    int decoupled) {
#if LJ_X86_SIMD
    if (isa >= LJ_ISA_AVX512) {
        avx512_adam(p, g, m, v, n, b1, b2, step_size, bc2_sqrt, eps, wd, lr, decoupled);
        return;
    }
    if (isa == LJ_ISA_AVX2) {
        avx2_adam(p, g, m, v, n, b1, b2, step_size, bc2_sqrt, eps, wd, lr, decoupled);
        return;
    }
#endif
    (void)isa;
    scalar_adam(p, g, m, v, n, b1, b2, step_size, bc2_sqrt, eps, wd, lr, decoupled);
}

double lj_softmax_ce_simd(lj_isa isa, float *probs, const float *logits, const int32_t *targets,
                          int N, int K, int *counted) {
#if LJ_X86_SIMD
    if (isa >= LJ_ISA_AVX512)
        return avx512_softmax_ce(probs, logits, targets, N, K, counted);
    if (isa == LJ_ISA_AVX2)
        return avx2_softmax_ce(probs, logits, targets, N, K, counted);
#endif
    (void)isa;
    return softmax_ce_forward(probs, logits, targets, N, K, counted);
}
