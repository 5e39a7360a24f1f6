/* trace: `lstmjam train --trace FILE`, everything another framework needs to
 * train the very same run: the initial weights, the data as the model reads
 * it, the batch order and the learning rate of every step. tests/ref/
 * parity_train.py reads it, trains the same model in PyTorch from the same
 * weights on the same batches and compares the validation curves.
 *
 * FILE is a .lstm container (model/modelfile.h; written atomically when the
 * run ends, also after early stopping or an interrupt):
 *   the model as modelio_add_model writes it (model.config, encoding, vocab,
 *   every parameter under its PyTorch name) with the weights of step 0;
 *   meta "trace.config": "key value" lines: kind tokens|frames, seq_len,
 *     batch, eval_every, eval_batches, optimizer, beta1, beta2, eps,
 *     weight_decay, momentum, clip_norm (0 = off), dropout, input_dropout;
 *   token encodings: tensors data.train.ids, data.valid.ids (int32, the
 *     splits' concatenations: tokset);
 *   frame encodings: data.train.inputs (n, input_dim) and data.valid.inputs:
 *     enc_frame_input of every frame; data.train.frames (n, dim) and
 *     data.valid.frames: the frames themselves (targets); data.train.starts
 *     and data.valid.starts (int32, each piece's first frame: it is predicted
 *     from a zero input, enc_frame_fill_window / enc_frame_fill_steps);
 *     data.field_offsets (int32, first float of field h, the target of head h);
 *   batch.offsets (int32, steps x B): the first token / frame of each batch
 *     column in the train concatenation (column b of step s reads T+1 tokens
 *     or frames from there); batch.lr (float32, steps): the learning rate each
 *     step used (any schedule, plateau included).
 * Only window batches are traced (train_on: pieces is refused), only
 * without dropout (the masks are lstmjam's own random draws) and without
 * optimizer.ema. With init, the traced initial weights are init's.
 * Thread: control. */
#ifndef LJ_TRAIN_TRACE_H
#define LJ_TRAIN_TRACE_H

#include <stddef.h>

#include "dataset.h"
#include "model.h"
#include "train_config.h"

typedef struct train_trace train_trace;

/* Checks the config can be traced (no dropout, no ema, window batches: LJ_ERR_ARG
 * naming the setting) and records the model's current (initial) weights, the
 * settings and the data. */
int train_trace_begin(train_trace **out, const char *path, const train_config *cfg, const lj_model *m,
                      const train_dataset *d, char *err, size_t errlen);
/* One optimizer step: the B batch column offsets and the learning rate. */
int train_trace_step(train_trace *t, const size_t *offsets, float lr, char *err, size_t errlen);
/* Writes the file (atomically). */
int train_trace_finish(train_trace *t, char *err, size_t errlen);
void train_trace_destroy(train_trace *t); /* NULL is a no-op */

#endif
