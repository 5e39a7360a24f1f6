/* evaluate: the loss of a model over a token set, window by window, exactly as
 * the trainer validates (trainer.c calls this) and `lstmjam eval` reports, so
 * the two give the same numbers for the same model, data, T and B.
 *
 * The set's concatenation is cut into consecutive windows of T+1 tokens
 * (tokset_num_windows: window k starts at k*T), B windows per forward pass,
 * each window from a zero LSTM state, no dropout. Thread: control. */
#ifndef LJ_EVALUATE_H
#define LJ_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "encoding.h"
#include "frameset.h"
#include "tokset.h"

typedef struct train_eval {
    double nll;                     /* sum over heads of loss_weight * loss, per target
                                       token, nats (the trainer's validation loss) */
    double head_nll[LJ_MAX_HEADS];  /* each head's own loss per target token, nats */
    int n_heads;                    /* heads of the model */
    double accuracy;                /* share of targets where head 0's most likely class
                                       is the target (softmax head 0; else 0) */
    size_t tokens;                  /* targets scored (windows * T) */
    size_t windows;                 /* windows scored */
    size_t notes_dropped;           /* ensembles over transpositions: (frame, key)
                                       notes a transposition moved off the keyboard
                                       (left out of that run's input) */
} train_eval;

/* Scores s with m through activations a (batch B, length T). max_batches > 0
 * stops after that many batches (the trainer's eval_batches), 0 = every
 * window. x, y are (T,B) scratch arrays. A set with no whole window gives
 * out->windows = 0 and nll = NAN. Errors from the forward pass. */
int train_evaluate(lj_model *m, lj_acts *a, const tokset *s, int T, int B, long max_batches, int32_t *x,
                   int32_t *y, train_eval *out, char *err, size_t errlen);

/* Frame data (psd, pianoroll): every piece of s scored on its own from a zero
 * LSTM state, no dropout: all L frames predicted, frame 0 from a zero input
 * and frame t from frame t-1 (enc_frame_fill_steps; the model's head h is
 * field h of e). out->nll is the weighted loss per predicted frame,
 * head_nll[h] each head's (for a single Bernoulli or NADE head: the NLL per
 * frame summed over the keys, averaged over every frame: the JSB benchmark's
 * measure); tokens = predicted frames, windows = pieces scored. max_pieces > 0 stops after that many pieces.
 * Allocates activations per piece length (not for real time). */
int train_evaluate_frames(lj_model *m, const encoding *e, const frameset *s, long max_pieces,
                          train_eval *out, char *err, size_t errlen);

/* An ensemble of n frame models with one Bernoulli head each (pianoroll),
 * optionally over transpositions: every piece of s is run from a zero state
 * (every frame, the first from a zero input, as train_evaluate_frames)
 * through model i moved by each shift in shift_lo[i]..shift_hi[i] keys (0 in
 * that range; NULL arrays: 0:0 for every model, no transposition): the run's
 * inputs and targets are the piece moved up by `shift` keys, and its
 * probability of key k + shift is its probability of the piece's key k. Each
 * key's probability is the mean over the models of each model's mean over its
 * shifts, p = (1/n) sum_i (1/S_i) sum_s sigmoid(l_is), so the ensemble is
 * still one factorised Bernoulli distribution per frame that depends only on
 * the frames before it. A note that a shift moves off the keyboard is left
 * out of that run's input (counted in out->notes_dropped), and a key whose
 * moved key is off the keyboard is averaged over the model's runs that have
 * it (shift 0 always does), so nothing depends on frames to come. out->nll =
 * head_nll[0] = -sum_k [v_k log p_k + (1 - v_k) log(1 - p_k)] averaged over the
 * predicted frames (computed from the logits in log space, so one model and
 * shifts 0:0 give the model's own loss); tokens and windows as
 * train_evaluate_frames. The models must read the frames of e (the caller
 * checks). Cost: one forward pass per model and shift per piece. */
int train_evaluate_frames_ensemble(lj_model *const *ms, int n, const int *shift_lo, const int *shift_hi,
                                   const encoding *e, const frameset *s, long max_pieces, train_eval *out, char *err,
                                   size_t errlen);

/* A range of shifts for train_evaluate_frames_ensemble, as the encodings'
 * augment option: "LO:HI" (-12 <= LO <= 0 <= HI <= 12) or "N" (= -N:N).
 * Returns 0, or -1 (lo, hi untouched) for anything else; the caller reports
 * where the text came from (eval's --transpose-average, the trainer's
 * eval_transpose_average). */
int train_parse_shift_range(const char *text, int *lo, int *hi);

#endif
