/* nade: the RNN-NADE head (Boulanger-Lewandowski, Bengio, Vincent 2012,
 * "Modeling temporal dependencies in high-dimensional sequences"), issue 4.
 *
 * A frame v (D keys, multi-hot, e.g. D = 88) is modelled autoregressively over
 * its keys by a NADE whose biases are set by the LSTM output r (R wide) of the
 * same step:
 *
 *     b_t = b + W_rb r_t            (D)    key biases       nn.Linear(R, D)
 *     c_t = c + W_rc r_t            (Hn)   hidden biases    nn.Linear(R, Hn)
 *     a_0 = c_t,  a_{d+1} = a_d + v_d * W_in[d,:]           (Hn)
 *     h_d = sigmoid(a_d)                                    (Hn)
 *     logit_d = b_t[d] + V[d,:] . h_d,  p_d = sigmoid(logit_d) = p(v_d = 1 | v_<d)
 *     loss = (1/N) sum over frames and d of BCE(p_d, v_d)   (NLL per frame)
 *
 * In the paper's notation W (Hn,D) is W_in^T: row d of W_in (D,Hn) holds the
 * weights from key d to the hidden units, so both NADE matrices are read a
 * contiguous row per key. Targets may be soft (in [0,1]); a_d then grows by
 * v_d * W_in[d,:] (teacher forcing with the given values).
 *
 * Parameters, PyTorch style (a head named NAME inside lj_model, R = H_top):
 *     heads.NAME.weight         (D,R)   W_rb  } the head linear every head has:
 *     heads.NAME.bias           (D)     b     } its output IS b_t
 *     heads.NAME.hidden_weight  (Hn,R)  W_rc  } a second linear for c_t
 *     heads.NAME.hidden_bias    (Hn)    c     }
 *     heads.NAME.nade_w_in      (D,Hn)  W_in  (= W^T of the paper)
 *     heads.NAME.nade_v         (D,Hn)  V
 * With W_in = 0 and V = 0 the head is exactly the independent Bernoulli head
 * on logits b_t (tested bitwise), so a Bernoulli model is its starting point.
 *
 * Two levels of kernels, each float and double (_f64) from nade.inc:
 *  - the core, on per-frame biases: nade_forward / nade_backward / nade_sample
 *    take b_t (N,D) and c_t (N,Hn) and give d loss / d b_t, d loss / d c_t.
 *    model.c uses these: its head linear already makes b_t, a second
 *    linear_forward makes c_t, and linear_backward takes the two gradients
 *    back to the weights and to the LSTM output (see "Integration" below).
 *  - the whole head, conditioning included: nade_head_forward / _backward /
 *    _sample take r (N,R) and the six tensors (nade_params), for standalone
 *    use and the tests.
 *
 * Cost per frame: a sigmoid of Hn values only where a key is on (h is
 * unchanged across a key that is off, so it is not recomputed), plus one
 * Hn-dot per key (forward), two Hn-axpys per key (backward). Frames are
 * independent (N = T*B of them, any order). Plain loops; no kernel allocates,
 * locks or prints.
 *
 * Integration into model.c (done: LJ_HEAD_NADE in model.h, model.c, step.c's
 * lstm_state_sample_frame; tests/test_model_nade.c; the recipe as followed). A head kind LJ_HEAD_NADE with size K = D and one more config
 * field, the NADE width Hn (e.g. `int nade_hidden`, paper: 150 for 88 keys).
 *   parameters: the four tensors above besides heads.NAME.weight/bias, in the
 *     arena after them; init weight/bias and hidden_weight/hidden_bias as the
 *     other head linears (U(+-1/sqrt(R))), nade_w_in and nade_v small, e.g.
 *     U(+-1/sqrt(Hn)) or N(0, 0.01^2) (zeros also train: that is the Bernoulli
 *     head plus a gradient that moves V first).
 *   activations (per NADE head): cond_c and d_cond_c (T*B,Hn) and one scratch
 *     of nade_scratch_len(D,Hn) floats; head_out, head_probs, head_dout (T*B,D)
 *     as every head. Targets: batch->target_values[h] (T,B,D), like Bernoulli.
 *   forward, feat = top LSTM output after dropout (TB = T*B rows of R = H_top):
 *     linear_forward(naive, head_out[h], feat, weight, bias, TB, R, D);          b_t
 *     linear_forward(naive, cond_c[h], feat, hidden_weight, hidden_bias, TB, R, Hn); c_t
 *     if targets: head_loss[h] = nade_forward(head_probs[h], head_out[h], cond_c[h],
 *                                targets, nade_w_in, nade_v, TB, D, Hn, scratch);
 *     head_probs are then the teacher-forced p(v_d = 1 | targets_<d); without
 *     targets there is no such thing (the joint has no closed-form marginals):
 *     report no probs, or draw frames with nade_sample.
 *   backward (skip heads without targets):
 *     nade_backward(head_dout[h], d_cond_c[h], grad nade_w_in, grad nade_v,
 *                   head_probs[h], head_out[h], cond_c[h], targets, nade_w_in, nade_v,
 *                   TB, D, Hn, loss_weight, scratch);
 *     linear_backward(naive, d_feat, grad weight, grad bias, head_dout[h], feat,
 *                     weight, TB, R, D);
 *     linear_backward(naive, d_feat, grad hidden_weight, grad hidden_bias,
 *                     d_cond_c[h], feat, hidden_weight, TB, R, Hn);
 *     d_feat accumulates in both (as with several heads), then dropout and BPTT
 *     run unchanged. head_dout / d_cond_c are overwritten, as every head's
 *     d logits; the weight gradients accumulate.
 *   loss: per frame, sum over the D keys, mean over frames, as the Bernoulli
 *     head, so the two heads' numbers compare directly (lower is better; the
 *     paper reports the same NLL per frame on JSB, Nottingham, Piano-midi).
 *   step API: lstm_step already makes b_t (the head output, (beams,D)); add one
 *     linear_forward for c_t (beams,Hn) into the state, and a scratch of
 *     nade_scratch_len(D,Hn) floats and a (beams,D) frame buffer created with
 *     the state. Drawing a frame (allocates nothing, one uniform per key):
 *       nade_sample(frame, probs_or_NULL, logp_or_NULL, b_t, c_t, nade_w_in,
 *                   nade_v, beams, D, Hn, temperature, rng, scratch);
 *     logp (beams) is log p(frame), for beam search scores; the frame is the
 *     next step's dense input (piano-roll models feed v_t back in).
 *   model file: the tensors are ordinary named tensors; nothing else to save.
 *     The longest name, heads.NAME.hidden_weight, is 43 bytes with a 23-byte
 *     NAME: within LJ_PARAM_NAME_MAX (48). */
#ifndef LJ_NADE_H
#define LJ_NADE_H

#include <stddef.h>

#include "rng.h"

/* Scratch length (in reals of the kernel's precision) that every nade_* kernel
 * needs: (D + 3) * Hn. Allocate it once (per thread) and reuse. Thread: any. */
size_t nade_scratch_len(int D, int Hn);

#define LJ_REAL_DOUBLE 0
#include "lj_real.h"
#include "nade_decl.inc"
#include "lj_real_end.h"

#define LJ_REAL_DOUBLE 1
#include "lj_real.h"
#include "nade_decl.inc"
#include "lj_real_end.h"

#endif
