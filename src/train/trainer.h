/* trainer: `lstmjam train` for token and frame encodings. Loads the data, builds or
 * resumes the model, runs the optimizer loop with validation, early stopping,
 * checkpoints, metrics and a loss plot, and stops cleanly on SIGINT/SIGTERM or
 * a non-finite loss.
 *
 * Run folder (cfg->run_dir): config.yaml (the config as used), metrics.jsonl
 * (one JSON object per logged step and per validation), checkpoint.lstm (model
 * + optimizer + RNG + loop state, written atomically), best.lstm (the best
 * validation model), model.lstm (the result: best or last), loss.png.
 * cfg->init: the model starts from that file's weights (shapes checked; the
 * optimizer starts fresh). cfg->ema > 0: an average of the weights is kept
 * (in the checkpoint too); validation, best.lstm and model.lstm use it.
 *
 * Frame encodings (psd, pianoroll): the model reads the dense input of each
 * frame (enc_frame_input) and has one head per field of the frame, in field
 * order and named after it (class fields: softmax; value fields: MSE with the
 * field's positive pressure; bits fields: Bernoulli, or NADE with
 * model.frame_head: nade), with the fields' loss weights unless loss_weights
 * names the head. Batches are windows of seq_len + 1 frames at random offsets
 * of the train frames; validation scores each piece whole from a zero state
 * (train_evaluate_frames); metrics lines carry per-head losses
 * ("train_head_loss", "valid_head_loss"), and a last line scores the result
 * on the test split ("test_loss", "test_head_loss"). Per-head train sums are
 * not in the checkpoint: after --resume the first metrics line's per-head
 * averages cover the steps since the resume only.
 * Thread: control. */
#ifndef LJ_TRAINER_H
#define LJ_TRAINER_H

#include <stdio.h>

#include "train_config.h"

typedef struct trainer_opts {
    int resume;            /* continue from run_dir/checkpoint.lstm */
    int quiet;             /* no progress output */
    const char *config_path; /* copied into the run folder; may be NULL */
    const char *trace_path;  /* --trace: initial weights, data and batch order for
                                tests/ref/parity_train.py (train/trace.h); NULL: none */
} trainer_opts;

/* Outcome codes beyond lj_status. */
enum { TRAINER_INTERRUPTED = 1 };

/* Runs the training. Returns LJ_OK, TRAINER_INTERRUPTED (a signal: checkpoint
 * saved), or an error status with err filled. */
int trainer_run(const train_config *cfg, const trainer_opts *o, char *err, size_t errlen);

#endif
