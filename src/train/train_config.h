/* train_config: a training run's YAML config (`lstmjam train CONFIG.yaml`),
 * read and validated with src/config.c: every unknown key, wrong type and
 * out-of-range value is an error with file:line:col.
 *
 *   name: nottingham-chars-small       # run folder runs/NAME unless run_dir
 *   encoding: chars                    # or timestep, notechord, event (src/encode)
 *   encoding_options: {transpose: c}   # enc_opts_set keys (music encodings only)
 *   read: {repeats: nottingham, chord_symbols: false, jsb_grid: 16th}  # readers
 *   data:                              # files or folders, merged (see dataset.h)
 *     - path: ../shared/corpora/nottingham/abc
 *       weight: 1                      # how often its pieces appear in the train split
 *       recursive: true                # folders: also their subfolders
 *   split: {valid: 0.1, test: 0.0, seed: 1}
 *   cache: true                        # encoded dataset cache (dataset.h)
 *   model: {input: embedding, embed_dim: 64, layers: [256], dropout: 0.0}
 *   # frame encodings (psd, pianoroll): the input is the dense frame vector and
 *   # each field of the frame is a head (encoding.h); bits fields take
 *   # model.frame_head: bernoulli | nade (model.nade_hidden units, 150),
 *   # model.input_dropout: P drops input values (the frame) while training, and
 *   # loss_weights: {pitch: 0.05, step: 1, duration: 1} overrides the fields' defaults
 *   init: ../runs/pretrained/best.lstm # start from this model file's weights (same
 *                                      # shapes; fresh optimizer): fine-tuning
 *   optimizer: {kind: adam, learning_rate: 5e-3, clip_norm: 5, ema: 0.999}
 *   schedule: {kind: constant}
 *   batch: 32
 *   seq_len: 100
 *   train_on: windows                  # or pieces (frame encodings): see train_on_pieces
 *   steps: 2000                        # optimizer steps
 *   log_every: 10                      # steps between metrics lines
 *   eval_every: 100                    # steps between validations
 *   eval_transpose_average: 5          # pianoroll, Bernoulli head: validate (and score the
 *                                      # test split at the end) with eval's --transpose-average
 *                                      # LO:HI|N, so valid_loss, best, early stopping and
 *                                      # restore_best follow the transposition-averaged loss
 *   early_stopping: {patience: 10, restore_best: true}
 *   checkpoint_every: 500
 *   seed: 42
 *   threads: 1
 */
#ifndef LJ_TRAIN_CONFIG_H
#define LJ_TRAIN_CONFIG_H

#include <stddef.h>

#include "encoding.h"
#include "model.h"
#include "score_io.h"

#define TRAIN_MAX_DATA 16
#define TRAIN_PATH_MAX 1024

typedef enum train_optim_kind {
    TRAIN_OPT_SGD = 0, TRAIN_OPT_ADAM, TRAIN_OPT_ADAMW, TRAIN_OPT_ADAMAX, TRAIN_OPT_RMSPROP
} train_optim_kind;

typedef enum train_schedule_kind {
    TRAIN_SCHED_CONSTANT = 0, TRAIN_SCHED_STEP, TRAIN_SCHED_PLATEAU, TRAIN_SCHED_COSINE
} train_schedule_kind;

typedef struct train_data_source {
    char path[TRAIN_PATH_MAX]; /* file or folder, relative to the config's folder */
    double weight;             /* how often its pieces appear in the train split, 0.01..100:
                                  the integer part is whole copies, the fraction a seeded
                                  subsample (train_dataset_split in dataset.h) */
    int recursive;             /* folders: 1 = subfolders too (default), 0 = its own files only
                                  (nottingham/midi holds melody/ and chords/ copies) */
    int line;                  /* line of the entry in the config (messages), 0 if none */
} train_data_source;

typedef struct train_config {
    char name[128];                 /* run name */
    char run_dir[TRAIN_PATH_MAX];   /* output folder; default runs/NAME */
    char encoding[32];              /* "chars", or a name of enc_names() */
    enc_opts enc_opts;              /* options of a music encoding (defaults + encoding_options) */
    score_read_opts read;           /* reader options: ABC repeats/chords, JSB grid */
    train_data_source data[TRAIN_MAX_DATA];
    int n_data;
    double valid_frac, test_frac;   /* fractions of pieces held out */
    long split_seed;                /* seed of the split by piece */
    int cache;                      /* use the encoded dataset cache (default 1) */
    /* model; input_size and the heads follow from the encoding */
    lj_input_kind input_kind;       /* embedding or onehot for token encodings */
    int embed_dim;                  /* embedding width E */
    int num_layers;
    int hidden[LJ_MAX_LAYERS];      /* LSTM widths */
    double dropout;                 /* probability, [0, 0.9] */
    double input_dropout;           /* on the input frame, [0, 0.9]; frame encodings only */
    int input_dropout_line;         /* line of model.input_dropout (messages), 0 if none */
    int frame_head_nade;            /* frame encodings: bits fields get a NADE head (1) or an
                                       independent Bernoulli head (0, default) */
    int nade_hidden;                /* NADE hidden units (150, the paper's for 88 keys) */
    int n_loss_weights;             /* loss_weights entries: head (field) name -> weight */
    char loss_weight_name[LJ_MAX_HEADS][LJ_HEAD_NAME_MAX];
    double loss_weight[LJ_MAX_HEADS];
    int loss_weight_line[LJ_MAX_HEADS]; /* line of the entry (messages) */
    char init[TRAIN_PATH_MAX];      /* model file whose weights replace the random init
                                       (relative to the config's folder), "" = none; the
                                       shapes must be the config's (trainer.c) */
    int init_line;                  /* line of init (messages), 0 if none */
    /* optimizer */
    train_optim_kind optim;
    double lr;                      /* learning rate */
    double beta1, beta2, eps;       /* Adam family; RMSprop uses beta2 as its alpha */
    double momentum;                /* SGD, RMSprop */
    double weight_decay;            /* AdamW decoupled; others L2 */
    double clip_norm;               /* global gradient-norm clip, 0 = off */
    double ema;                     /* decay d of an exponential moving average of the
                                       weights after each step, 0 = off; validation,
                                       best.lstm and model.lstm use the average */
    /* schedule */
    train_schedule_kind schedule;
    long step_size;                 /* step: decay every step_size steps */
    double gamma;                   /* step: factor */
    long plateau_patience;          /* plateau: validations without improvement */
    double plateau_factor;          /* plateau: factor */
    double min_lr;                  /* floor for step, plateau, cosine */
    long warmup;                    /* linear warm-up steps, all schedules */
    /* loop */
    int batch;                      /* B sequences per step */
    int seq_len;                    /* T steps per sequence */
    int train_on_pieces;            /* train_on: windows (0, default): B windows of T+1
                                       frames at random offsets of the train split's
                                       concatenation (they may cross from one piece into
                                       the next); pieces (1, frame encodings only): each
                                       sequence is one random piece from a zero state,
                                       every frame predicted, the first from a zero input,
                                       as eval scores them, padded to T (lj_batch.lengths);
                                       a piece longer than T frames gives T steps at a
                                       random offset */
    int train_on_line;              /* line of train_on (messages), 0 if none */
    long steps;                     /* optimizer steps in all */
    long log_every;                 /* steps between metrics lines (train loss averaged) */
    long eval_every;                /* steps between validations */
    long eval_batches;              /* validation batches, 0 = the whole split */
    int eval_shift_lo, eval_shift_hi; /* eval_transpose_average: validation (and the test
                                       score at the end) is train_evaluate_frames_ensemble of
                                       the model over these shifts (keys); 0:0 = plain */
    int eval_transpose_line;        /* line of eval_transpose_average (messages), 0 if none */
    long patience;                  /* early stopping: validations without improvement, 0 = off */
    int restore_best;               /* at the end, keep the best validation model */
    long checkpoint_every;          /* steps between checkpoints */
    long seed;                      /* init, dropout and batch sampling */
    int threads;                    /* training threads: own sgemm (at most 8), OpenBLAS */
} train_config;

/* Defaults (the small chars recipe), then the file's values on top. Paths in
 * data are made relative to the config file's folder. Thread: control. */
void train_config_default(train_config *c);
int train_config_load(const char *path, train_config *c, char *err, size_t errlen);
/* The same from text (tests); `dir` is the folder relative paths start from. */
int train_config_parse(const char *text, size_t len, const char *name, const char *dir,
                       train_config *c, char *err, size_t errlen);

const char *train_optim_name(train_optim_kind k);
const char *train_schedule_name(train_schedule_kind k);

#endif
