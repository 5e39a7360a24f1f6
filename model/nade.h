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
 * Integration into model.c (LJ_HEAD_NADE, K = D, plus a config field
 * nade_hidden = Hn):
 *   forward, per NADE head h, feat = top LSTM output after dropout (T*B,R):
 *     linear_forward(naive, head_out[h] (TB,D), feat, weight, bias, TB, R, D);   b_t
 *     linear_forward(naive, cond_c[h] (TB,Hn), feat, hidden_weight, hidden_bias, TB, R, Hn);
 *     loss = nade_forward(head_probs[h], head_out[h], cond_c[h], targets, nade_w_in,
 *                         nade_v, TB, D, Hn, scratch);   scratch: nade_scratch_len(D,Hn)
 *     (without targets there is no teacher-forced probability to report: leave the
 *      head's probs as sigmoid(b_t) or sample.)
 *   backward (the gradient buffers of b_t and c_t are overwritten, as every head's
 *   d logits; the weight gradients accumulate):
 *     nade_backward(head_dout[h] (TB,D), d_cond_c[h] (TB,Hn), grad nade_w_in, grad nade_v,
 *                   head_probs[h], head_out[h], cond_c[h], targets, nade_w_in, nade_v,
 *                   TB, D, Hn, loss_weight, scratch);
 *     linear_backward(naive, d_feat, grad weight, grad bias, head_dout[h], feat, weight, TB, R, D);
 *     linear_backward(naive, d_feat, grad hidden_weight, grad hidden_bias, d_cond_c[h], feat,
 *                     hidden_weight, TB, R, Hn);
 *   (d_feat accumulates, so both calls add to the LSTM's top-layer gradient.)
 *   init: weight/bias, hidden_weight/hidden_bias as the other head linears
 *   (U(+-1/sqrt(R))); nade_w_in and nade_v U(+-1/sqrt(Hn)) or N(0, 0.01) (the
 *   paper initialises small); zeros also train (starts as the Bernoulli head).
 *   step API: lstm_step makes b_t (its head output) and c_t (one more
 *   linear_forward into the state) per row; the caller draws a frame with
 *   nade_sample(v (beams,D), probs, b_t, c_t, nade_w_in, nade_v, beams, D, Hn, rng, logp,
 *   scratch) with a scratch of nade_scratch_len(D,Hn) floats held in the state.
 *   The loss is reported per frame like the Bernoulli head (sum over keys, mean over
 *   frames), so the two heads' numbers compare directly. */
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
