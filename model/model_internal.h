/* model_internal.h: the bodies of the model's opaque types, shared by model.c
 * and step.c only. */
#ifndef LJ_MODEL_INTERNAL_H
#define LJ_MODEL_INTERNAL_H

#include <stdio.h>

#include "kernels.h"
#include "model.h"

#define LJ_MAX_TENSORS (1 + 4 * LJ_MAX_LAYERS + 6 * LJ_MAX_HEADS)

/* The packed step weights (lj_model_prepare_step, layouts in simd.h): one
 * 64-byte-aligned allocation `mem`. Gate-blocked order: gate row q*H + u sits
 * at (u/16)*64 + q*16 + u%16, so the 64 gate values of 16 units are adjacent. */
typedef struct lj_step_pack {
    int valid;                           /* a pack exists */
    unsigned long version;               /* lj_model.version it was made from */
    lj_step_precision precision;         /* element type of the panels */
    void *mem;                           /* the allocation */
    size_t bytes;                        /* its size */
    size_t step_bytes;                   /* of which one step reads (one table row) */
    const void *w[LJ_MAX_LAYERS];        /* 4*Hp/16 panels over K[l] columns:
                                            [W_ih | W_hh], or W_hh alone when layer 0
                                            reads tokens through `table` */
    int K[LJ_MAX_LAYERS];                /* columns: in + H, or H */
    float *bias[LJ_MAX_LAYERS];          /* (4Hp) b_ih + b_hh, gate-blocked */
    float *table;                        /* (V,4Hp) layer-0 input rows W_ih x(v),
                                            gate-blocked, token inputs only, else NULL */
    const void *head_w[LJ_MAX_HEADS];    /* ceil(K/16) panels over Htop columns */
} lj_step_pack;

struct lj_model {
    lj_model_config cfg;                   /* validated configuration */
    lj_param tensors[LJ_MAX_TENSORS];      /* named views, arena order */
    size_t offsets[LJ_MAX_TENSORS];        /* floats from the arena start */
    int num_tensors;                       /* used entries of tensors[] */
    size_t num_params;                     /* sum of numel */
    size_t arena_len;                      /* floats per arena, padding included */
    float *params;                         /* parameter arena (arena_len) */
    float *grads;                          /* gradient arena, same layout */
    int embedding;                         /* tensor index of embedding.weight, or -1 */
    int w_ih[LJ_MAX_LAYERS], w_hh[LJ_MAX_LAYERS]; /* tensor indices per layer */
    int b_ih[LJ_MAX_LAYERS], b_hh[LJ_MAX_LAYERS];
    int head_w[LJ_MAX_HEADS], head_b[LJ_MAX_HEADS]; /* tensor indices per head */
    int head_hw[LJ_MAX_HEADS], head_hb[LJ_MAX_HEADS]; /* NADE: hidden_weight/bias, else -1 */
    int head_nw[LJ_MAX_HEADS], head_nv[LJ_MAX_HEADS]; /* NADE: nade_w_in, nade_v, else -1 */
    size_t nade_scratch;                   /* floats: max nade_scratch_len over NADE heads */
    int naive;                             /* 1: plain-loop kernels even with BLAS */
    lj_isa isa;                            /* vector ISA of the float kernels (clamped) */
    unsigned long version;                 /* bumped whenever parameters may change */
    lj_step_pack *pack;                    /* step weights; allocated with the model so a
                                              const model can still be packed at
                                              lstm_state_create (its pointee is mutable) */
};

/* Training activations; every pointer is into `arena`. Shapes with T steps,
 * B sequences, H = hidden[l], in = layer l's input width, K = head size. */
struct lj_acts {
    const lj_model *model;                 /* the model they were sized for */
    int B, T;                              /* fixed batch shape */
    float *arena;                          /* one allocation */
    size_t arena_len;                      /* floats */
    size_t grad_begin;                     /* floats: start of the gradient buffers */
    int dropout_on;                        /* the last forward applied dropout masks */
    int input_dropout_on;                  /* ... and the input mask (dense inputs) */
    int forward_done;                      /* a forward pass ran (backward may follow) */
    int fast;                              /* the last forward took the fast layer path
                                              (token table, vector cells): not naive */
    float *embed_out;                      /* (T,B,E) embedding rows, embedding input */
    float *table;                          /* (V+1,4H) layer-0 input rows incl. biases,
                                              token inputs: gates are row gathers */
    float *in_mask[LJ_MAX_LAYERS];         /* (T,B,in) dropout mask before layer l>0;
                                              l = 0: the input dropout's (dense) */
    float *in_dropped[LJ_MAX_LAYERS];      /* (T,B,in) dropped input of layer l */
    float *gates[LJ_MAX_LAYERS];           /* (T,B,4H) gate activations i,f,g,o */
    float *hs[LJ_MAX_LAYERS];              /* (T+1,B,H) h0 then the outputs */
    float *cs[LJ_MAX_LAYERS];              /* (T+1,B,H) c0 then the cells */
    float *tanh_c[LJ_MAX_LAYERS];          /* (T,B,H) tanh of the cells */
    float *top_mask;                       /* (T,B,Htop) dropout mask before the heads */
    float *top_dropped;                    /* (T,B,Htop) dropped top features */
    float *head_out[LJ_MAX_HEADS];         /* (T,B,K) logits or predictions */
    float *head_probs[LJ_MAX_HEADS];       /* (T,B,K) probabilities, NULL for MSE */
    float *head_dout[LJ_MAX_HEADS];        /* (T,B,K) dLoss/dhead_out */
    float *cond_c[LJ_MAX_HEADS];           /* NADE: (T,B,Hn) hidden biases c_t, else NULL */
    float *d_cond_c[LJ_MAX_HEADS];         /* NADE: (T,B,Hn) dLoss/dc_t (overwritten) */
    float *nade_scratch;                   /* model's nade_scratch floats, or NULL */
    float *dgates[LJ_MAX_LAYERS];          /* (T,B,4H) pre-activation gradients (fully
                                              written by backward: not zeroed) */
    double head_loss[LJ_MAX_HEADS];        /* unweighted loss of the last forward */
    /* gradients of activations (from grad_begin on) */
    float *d_embed;                        /* (T,B,E) */
    float *d_in_dropped[LJ_MAX_LAYERS];    /* (T,B,in) */
    float *dhs[LJ_MAX_LAYERS];             /* (T,B,H) dLoss/d layer output */
    float *dh[LJ_MAX_LAYERS];              /* (B,H) recurrent gradient carry */
    float *dc[LJ_MAX_LAYERS];              /* (B,H) cell gradient carry */
    float *d_top_dropped;                  /* (T,B,Htop) */
    float *dtable;                         /* (V+1,4H) gradient of `table` */
    /* own sgemm (sgemm.h), fast path only; not gradients, so not zeroed */
    float *w_pack;                         /* one layer's W_hh packed: op(B) = W_hh^T
                                              (H,4H) in forward, W_hh (4H,H) in backward */
    float *gemm_work;                      /* lj_sgemm_work_floats(max N of the layers) */
    float *bias_sum;                       /* (4H max) b_ih + b_hh of one layer */
};

/* Input width of layer l: embed_dim, input_size, or the layer below's H. */
int lj_model_layer_input(const lj_model_config *c, int l);
/* Packs the step weights of m into m->pack (see lj_model_prepare_step).
 * Returns LJ_OK or LJ_ERR_NOMEM (the old pack is then dropped). */
int lj_step_pack_build(const lj_model *m, lj_step_precision precision);
void lj_step_pack_free(lj_step_pack *p);

#endif
