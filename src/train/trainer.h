/* trainer: `lstmjam train` for token encodings. Loads the data, builds or
 * resumes the model, runs the optimizer loop with validation, early stopping,
 * checkpoints, metrics and a loss plot, and stops cleanly on SIGINT/SIGTERM or
 * a non-finite loss.
 *
 * Run folder (cfg->run_dir): config.yaml (the config as used), metrics.jsonl
 * (one JSON object per logged step and per validation), checkpoint.lstm (model
 * + optimizer + RNG + loop state, written atomically), best.lstm (the best
 * validation model), model.lstm (the result: best or last), loss.png.
 * Thread: control. */
#ifndef LJ_TRAINER_H
#define LJ_TRAINER_H

#include <stdio.h>

#include "train_config.h"

typedef struct trainer_opts {
    int resume;            /* continue from run_dir/checkpoint.lstm */
    int quiet;             /* no progress output */
    const char *config_path; /* copied into the run folder; may be NULL */
} trainer_opts;

/* Outcome codes beyond lj_status. */
enum { TRAINER_INTERRUPTED = 1 };

/* Runs the training. Returns LJ_OK, TRAINER_INTERRUPTED (a signal: checkpoint
 * saved), or an error status with err filled. */
int trainer_run(const train_config *cfg, const trainer_opts *o, char *err, size_t errlen);

#endif
