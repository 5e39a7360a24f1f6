/* frame_sampler: drawing the next frame of a frame model (psd, pianoroll) from
 * the heads of its last LSTM step, and feeding a frame back as the next input.
 * `lstmjam generate` and the real-time engine share it.
 *
 * A frame model has one head per field of its encoding's frame, in field order
 * and by name (the trainer builds them so: src/train/trainer.c), and a dense
 * input of enc_frame_input_dim floats. One draw fills every field:
 *   CLASS (softmax head: psd pitch, binned step/duration, velocity)
 *          a class drawn with the sampler (temperature, top-k, top-p;
 *          temperature 0 = argmax); the field named "pitch" may be masked
 *          (pitch range, key, scale: `allowed`, one flag per class);
 *   VALUE (MSE head: psd step and duration in seconds or beats)
 *          the head's prediction, clamped to >= 0 (the TF tutorial's
 *          tf.maximum(0, ...); a time never runs backwards);
 *   BITS  (Bernoulli or NADE head: pianoroll keys)
 *          every key drawn from its probability (lstm_state_sample_frame: one
 *          uniform per key, NADE conditions each key on the keys drawn
 *          before it) at the sampler's temperature T: key k from
 *          sigmoid(z_k / T), z_k its logit (NADE: its conditional's); T = 1
 *          the model's own probability, T = 0 every key at its likelier value
 *          (on when p_k > 1/2: no randomness). Top-k and top-p do not apply
 *          (a key has two values).
 *
 *   frame_sampler *fs;  frame_sampler_create(&fs, m, e, allowed, err, errlen);
 *   frame_sampler_feed(fs, st, NULL);                 (a zero input: the first logits)
 *   for each primer frame: frame_sampler_feed(fs, st, frame);
 *   loop: frame_sampler_draw(fs, st, &smp, &rng, frame, &logp);
 *         enc_decoder_step_frame(dec, frame, ev);  frame_sampler_feed(fs, st, frame);
 *
 * Memory: create allocates the scratch of every head; draw and feed allocate
 * nothing and never fail. Ownership: the model and the encoding must outlive
 * the sampler; the state is the caller's (batch 1). */
#ifndef LJ_FRAME_SAMPLER_H
#define LJ_FRAME_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "encoding.h"
#include "model.h"
#include "sample.h"

typedef struct frame_sampler frame_sampler;

/* LJ_OK when m is a frame model of e: dense input of enc_frame_input_dim
 * floats, one head per field with the field's name and width, a softmax head
 * for a CLASS field, MSE for VALUE, Bernoulli or NADE for BITS. Else
 * LJ_ERR_ARG saying what differs. Thread: any. */
int frame_sampler_check(const lj_model *m, const encoding *e, char *err, size_t errlen);

/* A sampler for m and e (checked as above). allowed: NULL, or one flag per
 * class of the "pitch" field (128 for psd; copied), 0 = never drawn; at least
 * one must be set, and the encoding must have such a field (LJ_ERR_ARG).
 * Thread: control. */
int frame_sampler_create(frame_sampler **out, const lj_model *m, const encoding *e,
                         const uint8_t *allowed, char *err, size_t errlen);
void frame_sampler_destroy(frame_sampler *fs); /* NULL is a no-op */

/* Replaces the pitch mask for the draws that follow (respond mode: each
 * answer's key and register): allowed, one flag per class of the "pitch"
 * field, not copied (the caller keeps it valid and unchanged while it is in
 * force), at least one set; NULL lifts any mask, create's included. Returns 1
 * when the mask is in force, 0 when the encoding has no pitch field (nothing
 * changed: pianoroll keys are masked through frame_sampler_draw_observed).
 * Allocates nothing. Thread: engine. */
int frame_sampler_set_pitch_mask(frame_sampler *fs, const uint8_t *allowed);

/* 1 when the model has a softmax head (the sampler's top-k and top-p mean
 * something), 0 for pianoroll (temperature alone). Thread: any. */
int frame_sampler_has_classes(const frame_sampler *fs);

/* Draws the next frame (enc_frame_dim floats) from st's last step, classes and
 * bits at smp->temperature. *logp (may be NULL) gets log p of the drawn
 * classes and bits under the distributions they came from at temperature 1,
 * after the mask (regressed values add nothing). Allocates nothing.
 * Thread: engine (one rng per thread). */
void frame_sampler_draw(frame_sampler *fs, lstm_state *st, const lj_sampler *smp, lj_rng *rng,
                        float *frame, double *logp);

/* frame_sampler_draw with the keys of the BITS field partly given (a player's
 * held keys, clamped into the frame the model samples and then conditions
 * on): observed (the field's width) -1 = drawn (at smp->temperature), 0/1 =
 * clamped to that value (not drawn: temperature does not touch it); a NADE head
 * draws every later key conditioned on them (lstm_state_sample_frame_observed).
 * NULL, or a model without a BITS field: frame_sampler_draw. Thread: engine. */
void frame_sampler_draw_observed(frame_sampler *fs, lstm_state *st, const lj_sampler *smp, lj_rng *rng,
                                 const signed char *observed, float *frame, double *logp);

/* Steps the LSTM with a frame as input (enc_frame_input), or with a zero input
 * when frame is NULL. Allocates nothing. Thread: engine. */
void frame_sampler_feed(frame_sampler *fs, lstm_state *st, const float *frame);

#endif
