/* model: an LSTM model as one parameter arena with named views, its gradients,
 * the training activations for a fixed (B,T), and the real-time step API.
 *
 * Shape of a model: input (embedding, one-hot or dense features; dense inputs
 * may take inverted dropout) -> 1..4 stacked LSTM layers (PyTorch nn.LSTM gate layout and biases) -> inverted
 * dropout -> several heads, each a linear layer plus a loss (softmax
 * cross-entropy, MSE with positive pressure, independent Bernoulli, RNN-NADE
 * over a multi-hot frame), combined with per-head loss weights.
 *
 * Memory (llm.c style): lj_model_create allocates the parameters as one arena
 * and the gradients as a second arena with the same layout; every tensor is a
 * named view (PyTorch names, see lj_param) into both. lj_acts_create allocates
 * everything a training step at batch B and sequence length T needs, once; a
 * batch of another shape is refused. lstm_state_create allocates the step
 * state; lstm_step allocates nothing.
 *
 * Layout: time-major. A batch's tokens are (T,B), dense inputs (T,B,I), head
 * outputs and float targets (T,B,K): element [t][b][k] at (t*B + b)*K + k.
 *
 * Ownership: the caller owns the model, the activations and the states and
 * destroys them; activations and states keep a pointer to their model, which
 * must outlive them. Views returned by accessors live as long as their owner. */
#ifndef LJ_MODEL_H
#define LJ_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "lj_status.h"
#include "rng.h"

#define LJ_MAX_LAYERS 4
#define LJ_MAX_HEADS 8
#define LJ_HEAD_NAME_MAX 24
#define LJ_PARAM_NAME_MAX 48

typedef enum lj_input_kind {
    LJ_INPUT_EMBEDDING = 0, /* token ids -> embedding table (V,E) -> LSTM */
    LJ_INPUT_ONEHOT = 1,    /* token ids read as one-hot vectors of width V: a column
                               lookup into W_ih of layer 0, never a matmul over zeros */
    LJ_INPUT_DENSE = 2      /* float feature vectors of width I */
} lj_input_kind;

typedef enum lj_head_kind {
    LJ_HEAD_SOFTMAX = 0,  /* K classes, cross-entropy, targets are ids (T,B), -1 ignored */
    LJ_HEAD_MSE = 1,      /* K values, mean squared error (+ positive pressure) */
    LJ_HEAD_BERNOULLI = 2, /* K independent bits (multi-hot frame), sigmoid BCE summed
                              over K and averaged over frames */
    LJ_HEAD_NADE = 3       /* K bits modelled autoregressively by a NADE of nade_hidden
                              units conditioned on the LSTM output (RNN-NADE, nade.h);
                              NLL summed over K and averaged over frames, as Bernoulli */
} lj_head_kind;

typedef struct lj_head_config {
    lj_head_kind kind;           /* loss type */
    char name[LJ_HEAD_NAME_MAX]; /* [A-Za-z0-9_]+, unique; parameters are heads.NAME.* */
    int size;                    /* K: classes, values or bits */
    float loss_weight;           /* multiplies this head's loss in the total (>= 0) */
    float pressure;              /* MSE only: positive-pressure weight, mean(max(-y,0)) is
                                    added this many times (TF tutorial: 10; 0 = plain) */
    int nade_hidden;             /* NADE only: Hn, the NADE's hidden units (paper: 150 for
                                    88 keys); must be 0 for the other kinds */
} lj_head_config;

typedef struct lj_model_config {
    lj_input_kind input_kind;   /* what a step's input is */
    int input_size;             /* vocabulary size V (embedding, one-hot) or features I */
    int embed_dim;              /* embedding only: E, the width fed to layer 0 */
    int num_layers;             /* stacked LSTM layers, 1..LJ_MAX_LAYERS */
    int hidden[LJ_MAX_LAYERS];  /* hidden width H of each layer, any positive width */
    float dropout;              /* inverted-dropout probability in [0,1) between layers
                                   and before the heads (training only) */
    float input_dropout;        /* inverted-dropout probability in [0,1) on the input
                                   features (training only); dense inputs only (0 for
                                   token inputs, which are a table lookup) */
    int num_heads;              /* 1..LJ_MAX_HEADS */
    lj_head_config heads[LJ_MAX_HEADS]; /* the heads, all reading the top layer */
} lj_model_config;

/* A named tensor: a view into the parameter arena and, at the same offset, the
 * gradient arena. Names follow PyTorch so weights compare and import as they
 * are: "embedding.weight" (V,E); "lstm.weight_ih_l0" (4H,in), "lstm.weight_hh_l0"
 * (4H,H), "lstm.bias_ih_l0", "lstm.bias_hh_l0" (4H) with gates in the order
 * i, f, g, o; "heads.NAME.weight" (K,H), "heads.NAME.bias" (K); NADE heads
 * also "heads.NAME.hidden_weight" (Hn,H), "heads.NAME.hidden_bias" (Hn),
 * "heads.NAME.nade_w_in" (K,Hn), "heads.NAME.nade_v" (K,Hn) (nade.h). */
typedef struct lj_param {
    char name[LJ_PARAM_NAME_MAX]; /* PyTorch-style name, see above */
    float *data;                  /* numel floats, row-major, in the parameter arena */
    float *grad;                  /* numel floats, same layout, in the gradient arena */
    size_t numel;                 /* element count = product of shape */
    int ndim;                     /* 1 or 2 */
    int shape[2];                 /* rows, cols (ndim 1: shape[0] only) */
} lj_param;

/* The inputs and targets of one batch, all time-major. Unused fields NULL. */
typedef struct lj_batch {
    int B;                                   /* sequences, must equal the activations' B */
    int T;                                   /* steps, must equal the activations' T */
    const int32_t *tokens;                   /* (T,B) ids in [0,V) or -1 (zero input);
                                                embedding and one-hot inputs */
    const float *features;                   /* (T,B,I) dense inputs */
    const int32_t *target_ids[LJ_MAX_HEADS]; /* softmax heads: (T,B) class ids, -1 ignored */
    const float *target_values[LJ_MAX_HEADS]; /* MSE, Bernoulli, NADE heads: (T,B,K);
                                                 Bernoulli/NADE targets in [0,1] */
    const int32_t *lengths;                  /* (B) or NULL (every step counts): sequence
                                                b's steps t >= lengths[b] are padding, no
                                                loss and no gradient in any head (their
                                                inputs and targets are not read by the
                                                heads; padding follows the real steps, so
                                                it cannot change them). Non-increasing in b,
                                                each in 0..T (PyTorch's sorted packed
                                                sequences): step t's real rows are then
                                                b < n_t, one run per step. */
} lj_batch;

/* Vector instruction sets of the hand-written float kernels (gate
 * nonlinearities, cell updates, the packed step matrix-vector product), in
 * increasing order. The model uses the best one the CPU runs unless capped
 * (lj_model_set_isa, or the environment variable LJ_ISA=scalar|avx2|avx512
 * read by lj_model_create), so one binary runs on any x86-64. */
typedef enum lj_isa {
    LJ_ISA_AUTO = -1,  /* no cap: the best this CPU runs */
    LJ_ISA_SCALAR = 0, /* plain C (libm expf/tanhf), the fallback */
    LJ_ISA_AVX2 = 1,   /* AVX2 + FMA, 8 floats per vector */
    LJ_ISA_AVX512 = 2  /* AVX-512 F/DQ/BW/VL, 16 floats per vector */
} lj_isa;

/* Weight precision of the packed step weights (lj_model_prepare_step). */
typedef enum lj_step_precision {
    LJ_STEP_F32 = 0, /* float32: lstm_step equals the sequence forward to ~1e-6 */
    LJ_STEP_BF16 = 1 /* bfloat16 weights (products and sums in float32): half the bytes
                        to stream per step, logits change by ~1e-3 relative (test_model_simd) */
} lj_step_precision;

typedef struct lj_model lj_model;
typedef struct lj_acts lj_acts;
typedef struct lstm_state lstm_state;

/* ---- model ----------------------------------------------------------------- */

/* Validates cfg and allocates the parameter and gradient arenas (zeroed; call
 * lj_model_init for random weights). Errors: LJ_ERR_ARG (bad config, message
 * names the field), LJ_ERR_LIMIT (too large), LJ_ERR_NOMEM. Thread: any. */
int lj_model_create(lj_model **out, const lj_model_config *cfg, char *err, size_t errlen);
/* Frees the model; NULL is a no-op. Thread: any. */
void lj_model_destroy(lj_model *m);
/* PyTorch's default initialisation from an explicit seed: LSTM and linear
 * weights and biases U(-1/sqrt(fan), 1/sqrt(fan)) (fan = H for the LSTM, the
 * input width for heads), embedding N(0,1). Gradients are zeroed. Thread: any. */
void lj_model_init(lj_model *m, uint64_t seed);
/* The configuration as validated (names NUL-terminated). Thread: any. */
const lj_model_config *lj_model_get_config(const lj_model *m);
/* Number of named tensors, and tensor i (0 <= i < count), in arena order. Thread: any. */
int lj_model_tensor_count(const lj_model *m);
const lj_param *lj_model_tensor(const lj_model *m, int i);
/* The tensor with this name, or NULL. Thread: any. */
const lj_param *lj_model_find(const lj_model *m, const char *name);
/* Parameter count, the sum of numel over the tensors. Thread: any. */
size_t lj_model_num_params(const lj_model *m);
/* The whole arenas, for optimizers and clipping: *n gets the arena length in
 * floats (the tensors plus alignment padding, which stays zero). Thread: any. */
float *lj_model_params(lj_model *m, size_t *n);
float *lj_model_grads(lj_model *m, size_t *n);
/* Sets all gradients to zero; backward passes accumulate. Thread: any. */
void lj_model_zero_grad(lj_model *m);
/* naive != 0: use the plain-loop kernels even where OpenBLAS is linked (an
 * oracle for tests). Default 0. Thread: any (not during a forward/backward). */
void lj_model_set_naive(lj_model *m, int naive);

/* Threads of the training products (lj_model_forward/backward on the fast path:
 * lstmjam's own sgemm, model/sgemm.h): the calling thread plus n-1 workers,
 * clamped to 1..8; default 1. Results do not depend on n (each output element
 * is summed in the same order). Process-wide; not during a forward/backward.
 * Thread: the one thread that trains. */
void lj_set_threads(int n);

/* Caps the vector instruction set the model's float kernels use (LJ_ISA_AUTO:
 * the best the CPU runs; a set the CPU lacks falls back to the best below it).
 * Tests use it to run every path. Thread: any (not during a forward/backward
 * or a step). */
void lj_model_set_isa(lj_model *m, lj_isa cap);
/* The instruction set in use, and its name ("scalar", "avx2", "avx512"). Thread: any. */
lj_isa lj_model_get_isa(const lj_model *m);
const char *lj_isa_name(lj_isa isa);
/* Records that parameters were written other than through lj_model_params,
 * lj_model_init or a backward pass (e.g. copied into lj_model_tensor views
 * after step weights were packed), so lstm_step stops using the old packed
 * copy until lj_model_prepare_step or lstm_state_create packs again.
 * Thread: any. */
void lj_model_params_changed(lj_model *m);

/* ---- training activations ------------------------------------------------- */

/* Allocates the activations for batches of B sequences of T steps (one arena).
 * The initial LSTM state is zero until lj_acts_carry_state. Errors: LJ_ERR_ARG,
 * LJ_ERR_LIMIT, LJ_ERR_NOMEM. Thread: any. */
int lj_acts_create(lj_acts **out, const lj_model *m, int B, int T, char *err, size_t errlen);
/* Frees; NULL is a no-op. Thread: any. */
void lj_acts_destroy(lj_acts *a);

/* Runs the model over a batch: inputs, LSTM layers, dropout (only when
 * dropout_rng is non-NULL, which marks training: masks come from it, the input
 * mask first, then layer by layer, then the heads'), heads, and the loss of
 * every head whose targets are given: its mean over the steps that count
 * (batch->lengths). *loss (may be NULL) gets sum over those heads of
 * loss_weight * loss. Errors: LJ_ERR_ARG (shape differs from the activations',
 * a needed input missing, lengths out of 0..T or increasing), LJ_ERR_RANGE (a
 * token or a target id out of range; nothing is read out of bounds).
 * Thread: any. */
int lj_model_forward(lj_model *m, lj_acts *a, const lj_batch *batch, lj_rng *dropout_rng,
                     double *loss, char *err, size_t errlen);
/* Backpropagates the last forward pass (same batch) and accumulates the
 * gradients of every parameter into the gradient arena. Heads without targets
 * contribute nothing. Errors: LJ_ERR_ARG (no forward pass before it). Thread: any. */
int lj_model_backward(lj_model *m, lj_acts *a, const lj_batch *batch, char *err,
                      size_t errlen);

/* Head h's outputs of the last forward: (T,B,K) logits (softmax, Bernoulli) or
 * predictions (MSE); for NADE heads the key biases b_t (the logits of a frame
 * whose keys are all off). Thread: any. */
const float *lj_acts_head_output(const lj_acts *a, int h);
/* Softmax probabilities, Bernoulli sigmoids or NADE teacher-forced conditionals
 * p(v_k = 1 | targets_<k) (T,B,K) of the last forward, or NULL for MSE heads;
 * for softmax and NADE heads only computed where targets were given, and with
 * targets not at padded steps (lj_batch.lengths). Thread: any. */
const float *lj_acts_head_probs(const lj_acts *a, int h);
/* Head h's unweighted loss in the last forward (0 if it had no targets). Thread: any. */
double lj_acts_head_loss(const lj_acts *a, int h);
/* Layer l's output sequence (T,B,H) of the last forward (before dropout). Thread: any. */
const float *lj_acts_layer_output(const lj_acts *a, int l);
/* Zeroes the initial LSTM state (h0 = c0 = 0 in every layer). Thread: any. */
void lj_acts_reset_state(lj_acts *a);
/* Makes the last forward's final state the next forward's initial state
 * (stateful training, truncated BPTT: gradients stop at the boundary). Thread: any. */
void lj_acts_carry_state(lj_acts *a);

/* ---- real-time step API --------------------------------------------------- */

/* Allocates the state for stepping `batch` sequences at once (1, or a small
 * beam), zeroed. If the model's step weights are not packed, or were packed
 * before the parameters last changed, packs them as float32 first
 * (lj_model_prepare_step), so a model loaded from a file steps on the fast
 * path without another call. Errors: LJ_ERR_ARG, LJ_ERR_NOMEM. Thread: init. */
int lstm_state_create(lstm_state **out, const lj_model *m, int batch, char *err,
                      size_t errlen);
/* Frees; NULL is a no-op. Thread: init. */
void lstm_state_destroy(lstm_state *s);
/* Zeroes h and c of every layer. Thread: engine. */
void lstm_state_reset(lstm_state *s);
/* Copies the whole recurrent state (h, c of every layer; not the head outputs)
 * from src to dst; both must come from the same model with the same batch
 * (else LJ_ERR_ARG and dst unchanged). For rewinding. Thread: engine. */
int lstm_state_copy(lstm_state *dst, const lstm_state *src);
/* Copies one row's recurrent state: dst row dst_row = src row src_row (beam
 * search reorders its beams with this; dst may be src). Rows out of range:
 * LJ_ERR_ARG and nothing copied. Thread: engine. */
int lstm_state_copy_row(lstm_state *dst, int dst_row, const lstm_state *src, int src_row);
/* Layer l's hidden h and cell c (batch,H), readable and writable (a model file
 * may save or seed them). Thread: engine. */
float *lstm_state_h(lstm_state *s, int l);
float *lstm_state_c(lstm_state *s, int l);
/* One time step for every row: tokens (batch) ids (embedding, one-hot; an id
 * outside [0,V) is a zero input) or features (batch,I) (dense). Updates h and
 * c and computes every head's outputs. No dropout. Allocates nothing, takes
 * the same time every call, never fails. Thread: engine. */
void lstm_step(const lj_model *m, lstm_state *s, const int32_t *tokens,
               const float *features);
/* Head h's outputs of the last step: (batch,K) logits or predictions (NADE: the
 * key biases b_t). Thread: engine. */
const float *lstm_state_head_output(const lstm_state *s, int h);
/* The same outputs, writable: a caller may bias them before a draw from them
 * (the engine's density adds log d to keys' logits before
 * lstm_state_sample_frame); the next lstm_step overwrites them. Thread: engine. */
float *lstm_state_head_logits(lstm_state *s, int h);
/* Draws one frame per row from head h (Bernoulli or NADE) after lstm_step:
 * key k is 1 when a uniform from rng is below p_k, in key order, one uniform
 * per key (Bernoulli: p_k = sigmoid(z_k), z_k the key's logit; NADE: p_k =
 * p(v_k = 1 | drawn v_<k) = sigmoid(z_k) of the conditional's logit).
 * temperature T scales every such logit as a softmax's: p_k = sigmoid(z_k / T)
 * (T = 1 the model, bit for bit; T < 1 sharper, T > 1 flatter); T <= 0 uses no
 * uniform: key k is on when z_k > 0 (the likelier value, per key in order).
 * frame (batch,K) gets 0 or 1 (it may be the next step's features), logp
 * (batch) or NULL log p(drawn frame) under the model at T = 1 (beam scores).
 * Allocates nothing. Errors: LJ_ERR_ARG (h out of range or not a
 * Bernoulli/NADE head; nothing drawn). Thread: engine (one rng per thread). */
int lstm_state_sample_frame(const lj_model *m, lstm_state *s, int h, float temperature,
                            lj_rng *rng, float *frame, float *logp);
/* The same with some keys observed (nade_sample_observed): observed (K) -1 =
 * drawn (at temperature T), 0/1 = clamped to that value (not drawn, so T does
 * not touch it); NADE conditions the later keys on them, a Bernoulli head just
 * sets them. One uniform per key at T > 0 either way. logp counts the observed
 * keys too (log p of the whole frame at T = 1). NULL: lstm_state_sample_frame.
 * Thread: engine. */
int lstm_state_sample_frame_observed(const lj_model *m, lstm_state *s, int h, float temperature,
                                     lj_rng *rng, const signed char *observed, float *frame,
                                     float *logp);


/* Packs the LSTM and head weights for batch-1 stepping (the fast path of
 * lstm_step): per layer [W_ih | W_hh] in 16-row panels with the four gates of
 * 16 units side by side (token inputs: a (V,4H) table of input rows, so a
 * step reads one row instead of W_ih), in float32 or bfloat16, plus the
 * biases. Replaces an earlier pack. The pack is used while the parameters do
 * not change: lj_model_params, lj_model_init, lj_model_backward and
 * lj_model_params_changed mark it stale and lstm_step then takes the unpacked
 * path (same results up to rounding, slower) until the next pack. Memory: the
 * LSTM and head weights once more (half with bf16) plus V*4H floats for token
 * inputs. Errors: LJ_ERR_ARG (unknown precision), LJ_ERR_NOMEM. Thread: init. */
int lj_model_prepare_step(lj_model *m, lj_step_precision precision, char *err,
                          size_t errlen);
/* Which path the next lstm_step on s takes: "packed-f32-avx512",
 * "packed-bf16-avx2", ..., or "unpacked" (batch > 1, no pack, or a stale
 * pack). A static string. Thread: any. */
const char *lstm_step_path(const lj_model *m, const lstm_state *s);
/* Bytes of weights one packed batch-1 step reads: every layer's panels and
 * biases and the heads' panels, plus one table row for token inputs (the
 * memory traffic that bounds its time); 0 when no pack is valid. Thread: any. */
size_t lstm_step_weight_bytes(const lj_model *m);

#endif
