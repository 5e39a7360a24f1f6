#include "trainer.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if LJ_HAVE_BLAS
/* From OpenBLAS's cblas.h, declared here: that header needs cpu_set_t, a
 * GNU extension this C11 + POSIX build does not enable. */
void openblas_set_num_threads(int num_threads);
#endif

#include "files.h"
#include "model.h"
#include "modelfile.h"
#include "modelio.h"
#include "optim.h"
#include "plot.h"
#include "dataset.h"
#include "evaluate.h"
#include "trace.h"

/* ---- signals: the handler only sets a flag; the loop saves and stops ------ */

static volatile sig_atomic_t stop_signal; /* the signal number, 0 while running */

static void on_signal(int sig) { stop_signal = sig; }

/* ---- run state ------------------------------------------------------------ */

typedef struct metric_log {
    double *x, *y; /* steps and losses, growing */
    size_t n, cap;
} metric_log;

typedef struct run {
    const train_config *cfg;
    char path_ckpt[TRAIN_PATH_MAX + 32], path_best[TRAIN_PATH_MAX + 32];
    char path_model[TRAIN_PATH_MAX + 32], path_metrics[TRAIN_PATH_MAX + 32];
    char path_plot[TRAIN_PATH_MAX + 32];
    train_dataset data;      /* corpus, vocabulary, splits (train weighted) */
    const tokset *train, *valid; /* data.split[TRAIN_SPLIT_TRAIN / VALID] */
    const vocab *vocab;      /* train_dataset_vocab(&data) */
    lj_model *model;
    lj_acts *acts;
    lj_optim *optim;
    lj_sched sched;
    lj_rng batch_rng, dropout_rng;
    int32_t *x, *y;          /* (T,B) batch tokens and targets */
    int frames;              /* a frame encoding: dense inputs, a head per field */
    const frameset *ftrain, *fvalid; /* data.frame_split[TRAIN / VALID] */
    float *fx;               /* (T,B,input_dim) frame inputs */
    int32_t *fids[LJ_MAX_HEADS];  /* (T,B) class targets of CLASS fields, else NULL */
    float *fvals[LJ_MAX_HEADS];   /* (T,B,width) targets of VALUE/BITS fields, else NULL */
    int32_t *lengths;        /* (B) train_on pieces: real steps of each sequence, else NULL */
    size_t *piece_ids;       /* train_on pieces: the train pieces of >= 2 frames */
    size_t n_piece_ids;
    size_t batch_steps;      /* real steps (frames predicted) in the last batch */
    float *ema;              /* optimizer.ema: the averaged weights, the parameter arena's
                                layout and length; NULL when off */
    size_t n_params;         /* floats in the parameter arena (and in ema) */
    size_t *offsets;         /* (B) window batches: each column's first token/frame (--trace) */
    train_trace *trace;      /* --trace FILE, else NULL */
    double head_sum[LJ_MAX_HEADS]; /* per-head train losses since the last metrics line */
    long step;               /* optimizer steps done */
    double best_valid;       /* best validation loss (nats/token), INFINITY if none */
    long best_step;          /* step of best_valid */
    long bad_evals;          /* validations since the best one (early stopping) */
    long last_good_ckpt;     /* step of the last checkpoint written, -1 if none */
    double loss_sum;         /* train losses since the last metrics line (a checkpoint
                                between two lines keeps them, so a resumed run logs the
                                same averages) */
    long loss_n;             /* steps in loss_sum */
    FILE *metrics;           /* metrics.jsonl, appended */
    metric_log train_log, valid_log;
    int tty;                 /* progress as a bar (stderr is a terminal) */
    int quiet;
} run;

static int log_push(metric_log *l, double x, double y) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        double *nx = realloc(l->x, cap * sizeof *nx);
        if (!nx) return LJ_ERR_NOMEM;
        l->x = nx;
        double *ny = realloc(l->y, cap * sizeof *ny);
        if (!ny) return LJ_ERR_NOMEM;
        l->y = ny;
        l->cap = cap;
    }
    l->x[l->n] = x;
    l->y[l->n] = y;
    l->n++;
    return LJ_OK;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int mkdir_p(const char *path, char *err, size_t errlen) {
    char buf[TRAIN_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot create folder: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot create folder: %s", buf, strerror(errno));
    return LJ_OK;
}

static lj_optim_kind optim_kind(train_optim_kind k) {
    switch (k) {
    case TRAIN_OPT_SGD: return LJ_OPTIM_SGD;
    case TRAIN_OPT_ADAM: return LJ_OPTIM_ADAM;
    case TRAIN_OPT_ADAMW: return LJ_OPTIM_ADAMW;
    case TRAIN_OPT_ADAMAX: return LJ_OPTIM_ADAMAX;
    case TRAIN_OPT_RMSPROP: return LJ_OPTIM_RMSPROP;
    }
    return LJ_OPTIM_ADAM;
}

/* The heads of a frame encoding: one per field of the frame, in field order
 * (so head h reads field h's targets), with the fields' loss weights and
 * pressures unless loss_weights names the head. */
static int frame_heads(run *r, lj_model_config *mc, char *err, size_t errlen) {
    const train_config *c = r->cfg;
    const encoding *e = r->data.enc;
    mc->input_kind = LJ_INPUT_DENSE;
    mc->input_size = (int)enc_frame_input_dim(e);
    mc->embed_dim = 0;
    mc->num_heads = enc_frame_num_fields(e);
    for (int h = 0; h < mc->num_heads; h++) {
        const enc_field *f = enc_frame_field(e, h);
        lj_head_config *hc = &mc->heads[h];
        memset(hc, 0, sizeof *hc);
        snprintf(hc->name, sizeof hc->name, "%s", f->name);
        hc->size = f->width;
        hc->loss_weight = f->loss_weight;
        if (f->kind == ENC_FIELD_CLASS) {
            hc->kind = LJ_HEAD_SOFTMAX;
        } else if (f->kind == ENC_FIELD_VALUE) {
            hc->kind = LJ_HEAD_MSE;
            hc->pressure = f->pressure;
        } else {
            hc->kind = c->frame_head_nade ? LJ_HEAD_NADE : LJ_HEAD_BERNOULLI;
            hc->nade_hidden = c->frame_head_nade ? c->nade_hidden : 0;
        }
    }
    for (int k = 0; k < c->n_loss_weights; k++) {
        int h = 0;
        while (h < mc->num_heads && strcmp(mc->heads[h].name, c->loss_weight_name[k])) h++;
        if (h == mc->num_heads) {
            char names[256] = "";
            for (int j = 0; j < mc->num_heads; j++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", j ? ", " : "", mc->heads[j].name);
            return lj_fail(err, errlen, LJ_ERR_ARG, "loss_weights (line %d): %s has no head '%s' (its heads: %s)",
                           c->loss_weight_line[k], c->encoding, c->loss_weight_name[k], names);
        }
        mc->heads[h].loss_weight = (float)c->loss_weight[k];
    }
    return LJ_OK;
}

static int build_model(run *r, char *err, size_t errlen) {
    const train_config *c = r->cfg;
    lj_model_config mc;
    memset(&mc, 0, sizeof mc);
    mc.input_kind = c->input_kind;
    mc.input_size = (int)vocab_size(r->vocab);
    mc.embed_dim = c->input_kind == LJ_INPUT_EMBEDDING ? c->embed_dim : 0;
    mc.num_layers = c->num_layers;
    for (int l = 0; l < c->num_layers; l++) mc.hidden[l] = c->hidden[l];
    mc.dropout = (float)c->dropout;
    if (!r->frames && c->input_dropout > 0)
        return lj_fail(err, errlen, LJ_ERR_ARG, "model.input_dropout (line %d): %s reads tokens through a "
                       "table; input dropout is for frame encodings (psd, pianoroll)", c->input_dropout_line,
                       c->encoding);
    if (!r->frames && c->train_on_pieces)
        return lj_fail(err, errlen, LJ_ERR_ARG, "train_on (line %d): pieces is for frame encodings (psd, "
                       "pianoroll); %s trains on windows", c->train_on_line, c->encoding);
    mc.input_dropout = (float)c->input_dropout;
    mc.num_heads = 1;
    mc.heads[0].kind = LJ_HEAD_SOFTMAX;
    snprintf(mc.heads[0].name, sizeof mc.heads[0].name, "next");
    mc.heads[0].size = mc.input_size;
    mc.heads[0].loss_weight = 1.0f;
    if (r->frames) {
        int rc = frame_heads(r, &mc, err, errlen);
        if (rc) return rc;
    } else if (c->n_loss_weights) {
        return lj_fail(err, errlen, LJ_ERR_ARG, "loss_weights (line %d): %s has one head, 'next'; loss weights are "
                       "for frame encodings (psd, pianoroll)", c->loss_weight_line[0], c->encoding);
    }
    int rc = lj_model_create(&r->model, &mc, err, errlen);
    if (rc) return rc;
    lj_model_init(r->model, (uint64_t)c->seed);
    if ((rc = lj_acts_create(&r->acts, r->model, c->batch, c->seq_len, err, errlen))) return rc;
    lj_optim_config oc = lj_optim_defaults(optim_kind(c->optim));
    oc.beta1 = (float)c->beta1;
    oc.beta2 = (float)c->beta2;
    oc.eps = (float)c->eps;
    oc.momentum = (float)c->momentum;
    oc.weight_decay = (float)c->weight_decay;
    if (c->optim == TRAIN_OPT_RMSPROP) oc.alpha = (float)c->beta2;
    size_t n;
    lj_model_params(r->model, &n);
    if ((rc = lj_optim_create(&r->optim, &oc, n, err, errlen))) return rc;
    r->n_params = n;
    if (c->ema > 0 && !(r->ema = malloc(n * sizeof *r->ema)))
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    static const lj_sched_kind sk[] = {LJ_SCHED_CONSTANT, LJ_SCHED_STEP, LJ_SCHED_PLATEAU, LJ_SCHED_COSINE};
    r->sched = lj_sched_init(sk[c->schedule], (float)c->lr);
    r->sched.warmup = (int)c->warmup;
    r->sched.step_size = (int)c->step_size;
    r->sched.gamma = (float)c->gamma;
    r->sched.t_max = (int)c->steps;
    r->sched.min_lr = (float)c->min_lr;
    r->sched.factor = (float)c->plateau_factor;
    r->sched.patience = (int)c->plateau_patience;
    lj_rng_seed(&r->batch_rng, (uint64_t)c->seed + 1);
    lj_rng_seed(&r->dropout_rng, (uint64_t)c->seed + 2);
    size_t tb = (size_t)c->batch * (size_t)c->seq_len;
    r->x = malloc(tb * sizeof *r->x);
    r->y = malloc(tb * sizeof *r->y);
    r->offsets = malloc((size_t)c->batch * sizeof *r->offsets);
    if (!r->x || !r->y || !r->offsets) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    if (r->frames) {
        const encoding *e = r->data.enc;
        if (!(r->fx = malloc(tb * enc_frame_input_dim(e) * sizeof *r->fx)))
            return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        for (int h = 0; h < enc_frame_num_fields(e); h++) {
            const enc_field *f = enc_frame_field(e, h);
            void *p = f->kind == ENC_FIELD_CLASS ? (void *)(r->fids[h] = malloc(tb * sizeof *r->fids[h]))
                                                 : (void *)(r->fvals[h] = malloc(tb * (size_t)f->width * sizeof(float)));
            if (!p) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        }
    }
    if (r->frames && c->train_on_pieces) {
        const frameset *s = r->ftrain;
        r->lengths = malloc((size_t)c->batch * sizeof *r->lengths);
        r->piece_ids = malloc((s->n_pieces ? s->n_pieces : 1) * sizeof *r->piece_ids);
        if (!r->lengths || !r->piece_ids) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        for (size_t p = 0; p < s->n_pieces; p++)
            if (frameset_piece_len(s, p) >= 1) r->piece_ids[r->n_piece_ids++] = p;
        if (!r->n_piece_ids)
            return lj_fail(err, errlen, LJ_ERR_ARG, "train_on (line %d): pieces, but the train split has no "
                           "frames", c->train_on_line);
    }
    return LJ_OK;
}

/* B windows of T+1 consecutive frames at random offsets of the train frames'
 * concatenation (as tokset_random_batch): inputs and per-field targets; a
 * piece's first frame is predicted from a zero input (enc_frame_fill_window). */
static void frame_random_batch(run *r) {
    const train_config *c = r->cfg;
    const frameset *s = r->ftrain;
    size_t span = s->n_frames - (size_t)c->seq_len;
    for (int b = 0; b < c->batch; b++) {
        size_t o = (size_t)(lj_rng_u64(&r->batch_rng) % span);
        r->offsets[b] = o;
        enc_frame_fill_window(r->data.enc, s, o, c->seq_len, c->batch, b, r->fx, r->fids, r->fvals);
    }
}

/* train_on pieces: B pieces drawn uniformly (batch_rng), each predicted from
 * its first frame on, that frame from a zero input, as evaluation scores them
 * (enc_frame_fill_steps; a piece longer than T frames: T steps at a uniform
 * offset), ordered longest first as lj_batch.lengths wants (ties in draw
 * order); the steps after a piece's end are zero inputs and zero targets
 * (class targets -1), which the heads do not read. */
static void frame_piece_batch(run *r) {
    const train_config *c = r->cfg;
    const frameset *s = r->ftrain;
    const encoding *e = r->data.enc;
    const int B = c->batch, T = c->seq_len;
    size_t in = enc_frame_input_dim(e);
    memset(r->fx, 0, (size_t)T * B * in * sizeof *r->fx);
    for (int h = 0; h < enc_frame_num_fields(e); h++) {
        const enc_field *f = enc_frame_field(e, h);
        if (r->fids[h])
            for (size_t i = 0; i < (size_t)T * B; i++) r->fids[h][i] = -1;
        if (r->fvals[h]) memset(r->fvals[h], 0, (size_t)T * B * (size_t)f->width * sizeof(float));
    }
    size_t piece[4096], first[4096]; /* batch <= 4096 (train_config) */
    for (int b = 0; b < B; b++) {
        size_t p = r->piece_ids[lj_rng_u64(&r->batch_rng) % r->n_piece_ids];
        size_t len = frameset_piece_len(s, p), o = 0;
        if (len > (size_t)T) o = (size_t)(lj_rng_u64(&r->batch_rng) % (len - (size_t)T + 1));
        int32_t steps = len > (size_t)T ? T : (int32_t)len;
        int at = b; /* insertion: longest first, a tie after the earlier draws */
        while (at > 0 && r->lengths[at - 1] < steps) {
            r->lengths[at] = r->lengths[at - 1];
            piece[at] = piece[at - 1];
            first[at] = first[at - 1];
            at--;
        }
        r->lengths[at] = steps;
        piece[at] = p;
        first[at] = o;
    }
    r->batch_steps = 0;
    for (int b = 0; b < B; b++) {
        enc_frame_fill_steps(e, frameset_piece(s, piece[b]), frameset_piece_len(s, piece[b]), first[b],
                             r->lengths[b], B, b, r->fx, r->fids, r->fvals);
        r->batch_steps += (size_t)r->lengths[b];
    }
}

/* ---- init from a model file, weight averaging ------------------------------- */

/* `init: PATH`: the weights of a model file replace the random init (the
 * optimizer state stays fresh). The file must hold the model this config
 * builds, tensor by tensor (name and shape), and a token model the same
 * vocabulary, or its weights would land on other tokens. */
static int load_init(run *r, char *err, size_t errlen) {
    const train_config *c = r->cfg;
    lj_model *m = NULL;
    vocab *v = NULL;
    char encoding[64] = "";
    if (access(c->init, R_OK) != 0) /* a path in the config: bad input, not a system error */
        return lj_fail(err, errlen, LJ_ERR_ARG, "init (line %d): %s: cannot read: %s", c->init_line, c->init,
                       strerror(errno));
    int rc = modelio_load(c->init, &m, encoding, &v, err, errlen);
    if (rc) {
        char inner[512];
        snprintf(inner, sizeof inner, "%s", err);
        return lj_fail(err, errlen, rc, "init (line %d): %s", c->init_line, inner);
    }
    int nm = lj_model_tensor_count(m), nr = lj_model_tensor_count(r->model);
    if (strcmp(encoding, c->encoding) != 0) {
        rc = lj_fail(err, errlen, LJ_ERR_ARG, "init (line %d): %s is a model of the %s encoding, the config trains %s",
                     c->init_line, c->init, encoding, c->encoding);
        goto done;
    }
    for (int i = 0; i < nm || i < nr; i++) {
        const lj_param *a = i < nm ? lj_model_tensor(m, i) : NULL, *b = i < nr ? lj_model_tensor(r->model, i) : NULL;
        if (!a || !b) {
            rc = lj_fail(err, errlen, LJ_ERR_ARG, "init (line %d): %s has %d tensors, the config's model %d (first "
                         "unmatched: '%s' in the %s)", c->init_line, c->init, nm, nr, a ? a->name : b->name,
                         a ? "file" : "config's model");
            goto done;
        }
        if (strcmp(a->name, b->name) != 0 || a->ndim != b->ndim || a->shape[0] != b->shape[0] ||
            (a->ndim == 2 && a->shape[1] != b->shape[1])) {
            char sa[32], sb[32];
            snprintf(sa, sizeof sa, a->ndim == 2 ? "(%d,%d)" : "(%d)", a->shape[0], a->shape[1]);
            snprintf(sb, sizeof sb, b->ndim == 2 ? "(%d,%d)" : "(%d)", b->shape[0], b->shape[1]);
            rc = lj_fail(err, errlen, LJ_ERR_ARG, "init (line %d): %s: tensor %d is '%s' %s in the file, '%s' %s in "
                         "the config's model (model.layers, model.frame_head, nade_hidden and the encoding must be "
                         "the file's)", c->init_line, c->init, i, a->name, sa, b->name, sb);
            goto done;
        }
    }
    if (!r->frames && v) {
        size_t n = vocab_size(v);
        for (size_t id = 0; id < n; id++) {
            size_t la, lb;
            const char *na = vocab_name(v, (int32_t)id, &la), *nb = vocab_name(r->vocab, (int32_t)id, &lb);
            if (la != lb || memcmp(na, nb, la) != 0) {
                rc = lj_fail(err, errlen, LJ_ERR_ARG, "init (line %d): %s: token %zu is '%.*s' in the file's "
                             "vocabulary, '%.*s' in this data's", c->init_line, c->init, id, (int)la, na, (int)lb, nb);
                goto done;
            }
        }
    }
    for (int i = 0; i < nr; i++)
        memcpy(lj_model_tensor(r->model, i)->data, lj_model_tensor(m, i)->data,
               lj_model_tensor(m, i)->numel * sizeof(float));
    lj_model_params_changed(r->model);
done:
    vocab_destroy(v);
    lj_model_destroy(m);
    return rc;
}

/* optimizer.ema: after optimizer step `step` (1-based), ema = d ema + (1-d) w
 * with d = min(ema, (1+step)/(10+step)), the warm-up of TensorFlow's
 * ExponentialMovingAverage(num_updates), so the first validations do not
 * average in the random init. */
static void ema_update(run *r, const float *params) {
    double d = (1.0 + (double)r->step) / (10.0 + (double)r->step);
    if (d > r->cfg->ema) d = r->cfg->ema;
    const float fd = (float)d, fw = (float)(1.0 - d);
    for (size_t i = 0; i < r->n_params; i++) r->ema[i] = fd * r->ema[i] + fw * params[i];
}

/* Exchanges the model's weights with the average: validation and saving see
 * the averaged weights between two calls. */
static void ema_swap(run *r, float *params) {
    for (size_t i = 0; i < r->n_params; i++) {
        float t = params[i];
        params[i] = r->ema[i];
        r->ema[i] = t;
    }
    lj_model_params_changed(r->model);
}

/* ---- checkpoints ----------------------------------------------------------- */

static int save_checkpoint(run *r, char *err, size_t errlen) {
    mf_writer *w = mf_writer_create();
    if (!w) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    int rc = modelio_add_model(w, r->model, r->cfg->encoding, r->vocab, 0);
    if (!rc) rc = modelio_add_encoding_options(w, r->data.options);
    char state[1024];
    snprintf(state, sizeof state,
             "step %ld\nbest_valid %.17g\nbest_step %ld\nbad_evals %ld\nbatch_rng %" PRIu64
             "\ndropout_rng %" PRIu64 "\noptim_steps %ld\nsched_lr %.9g\nsched_best %.17g\n"
             "sched_bad %d\nsched_cooldown %d\nloss_sum %.17g\nloss_n %ld\n",
             r->step, r->best_valid, r->best_step, r->bad_evals, r->batch_rng.state,
             r->dropout_rng.state, lj_optim_steps(r->optim), (double)r->sched.lr, r->sched.best,
             r->sched.bad, r->sched.cooldown_left, r->loss_sum, r->loss_n);
    if (!rc) rc = mf_add_meta(w, "train.state", state, strlen(state));
    size_t count;
    float *os = lj_optim_state(r->optim, &count);
    if (!rc && count) {
        uint32_t dims[1] = {(uint32_t)count};
        rc = mf_add_tensor(w, "optim.state", MF_F32, 1, dims, os);
    }
    if (!rc && r->ema) {
        uint32_t dims[1] = {(uint32_t)r->n_params};
        rc = mf_add_tensor(w, "train.ema", MF_F32, 1, dims, r->ema);
    }
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (rc) rc = lj_fail(err, errlen, rc, "%s: cannot serialise the checkpoint", r->path_ckpt);
    else rc = mf_writer_finish(w, &bytes, &len, err, errlen);
    mf_writer_destroy(w);
    if (!rc) rc = lj_file_write_atomic(r->path_ckpt, bytes, len, err, errlen);
    free(bytes);
    if (!rc) r->last_good_ckpt = r->step;
    return rc;
}

static int load_checkpoint(run *r, char *err, size_t errlen) {
    uint8_t *bytes;
    size_t len;
    int rc = lj_file_read(r->path_ckpt, &bytes, &len, err, errlen);
    if (rc) return rc;
    mf_file *f = NULL;
    lj_model *m = NULL;
    if ((rc = mf_read_mem(bytes, len, r->path_ckpt, &f, err, errlen))) goto done;
    if ((rc = modelio_read_model(f, r->path_ckpt, &m, NULL, NULL, err, errlen))) goto done;
    /* The checkpoint must be of the model this config builds. */
    char a[2048], b[2048];
    modelio_config_to_text(lj_model_get_config(m), a, sizeof a);
    modelio_config_to_text(lj_model_get_config(r->model), b, sizeof b);
    if (strcmp(a, b) != 0) {
        rc = lj_fail(err, errlen, LJ_ERR_ARG,
                     "%s: the checkpoint's model differs from the config's (checkpoint:\n%sconfig:\n%s)",
                     r->path_ckpt, a, b);
        goto done;
    }
    for (int i = 0; i < lj_model_tensor_count(m); i++)
        memcpy(lj_model_tensor(r->model, i)->data, lj_model_tensor(m, i)->data,
               lj_model_tensor(m, i)->numel * sizeof(float));
    size_t sl;
    const char *st = mf_meta(f, "train.state", &sl);
    char state[1024];
    if (!st || sl >= sizeof state) {
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: not a checkpoint (no train.state)", r->path_ckpt);
        goto done;
    }
    memcpy(state, st, sl);
    state[sl] = 0;
    long optim_steps;
    double lr;
    int got = sscanf(state,
                     "step %ld best_valid %lf best_step %ld bad_evals %ld batch_rng %" SCNu64
                     " dropout_rng %" SCNu64 " optim_steps %ld sched_lr %lf sched_best %lf"
                     " sched_bad %d sched_cooldown %d loss_sum %lf loss_n %ld",
                     &r->step, &r->best_valid, &r->best_step, &r->bad_evals, &r->batch_rng.state,
                     &r->dropout_rng.state, &optim_steps, &lr, &r->sched.best, &r->sched.bad,
                     &r->sched.cooldown_left, &r->loss_sum, &r->loss_n);
    if (got == 11) { /* a checkpoint from before loss_sum/loss_n: saved at a metrics line */
        r->loss_sum = 0.0;
        r->loss_n = 0;
    } else if (got != 13) {
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: train.state: expected 13 fields, read %d", r->path_ckpt, got);
        goto done;
    }
    r->sched.lr = (float)lr;
    size_t count;
    float *os = lj_optim_state(r->optim, &count);
    if (count && (rc = mf_get_f32(f, "optim.state", os, count, NULL, err, errlen))) goto done;
    if (r->ema && (rc = mf_get_f32(f, "train.ema", r->ema, r->n_params, NULL, err, errlen))) {
        char inner[512];
        snprintf(inner, sizeof inner, "%s", err);
        rc = lj_fail(err, errlen, rc, "%s: optimizer.ema is on but the checkpoint has no weight average of the "
                     "model's size (a run without it?): %s", r->path_ckpt, inner);
        goto done;
    }
    lj_optim_set_steps(r->optim, optim_steps);
    r->last_good_ckpt = r->step;
done:
    lj_model_destroy(m);
    mf_close(f);
    free(bytes);
    return rc;
}

/* Keeps the metrics lines of steps <= step (the checkpoint), so a resumed run's
 * file reads as if it had never stopped. */
static int trim_metrics(const char *path, long step, char *err, size_t errlen) {
    uint8_t *data;
    size_t len;
    if (access(path, F_OK) != 0) return LJ_OK;
    int rc = lj_file_read(path, &data, &len, err, errlen);
    if (rc) return rc;
    size_t keep = 0; /* lines kept are moved to the front */
    for (size_t at = 0; at < len;) {
        const char *line = (const char *)data + at;
        const char *nl = memchr(line, '\n', len - at);
        size_t ll = nl ? (size_t)(nl - line) + 1 : len - at;
        long s = -1;
        if (sscanf(line, "{\"step\": %ld", &s) != 1 || s > step) break;
        /* a frame run's closing test line belongs to the run that ended there */
        const char *test = "\"test_loss\"";
        int is_test = 0;
        for (size_t i = 0; i + strlen(test) <= ll && !is_test; i++) is_test = !memcmp(line + i, test, strlen(test));
        if (!is_test) {
            memmove(data + keep, line, ll);
            keep += ll;
        }
        at += ll;
    }
    rc = lj_file_write_atomic(path, data, keep, err, errlen);
    free(data);
    return rc;
}

/* ---- validation ------------------------------------------------------------- */

/* The loss of the model on frame set s: with eval_transpose_average, eval's
 * ensemble of the model's runs over those shifts (evaluate.h), else its own. */
static int score_frames(run *r, lj_model *m, const frameset *s, long max_pieces, train_eval *ev, char *err,
                        size_t errlen) {
    const train_config *c = r->cfg;
    if (c->eval_shift_lo || c->eval_shift_hi)
        return train_evaluate_frames_ensemble(&m, 1, &c->eval_shift_lo, &c->eval_shift_hi, r->data.enc, s, max_pieces,
                                              ev, err, errlen);
    return train_evaluate_frames(m, r->data.enc, s, max_pieces, ev, err, errlen);
}

/* `, "KEY": [LO, HI]` when the losses are averaged over transpositions, so
 * metrics.jsonl says which loss valid_loss and test_loss are. */
static void write_transpose_average(run *r, const char *key) {
    if (r->cfg->eval_shift_lo || r->cfg->eval_shift_hi)
        fprintf(r->metrics, ", \"%s\": [%d, %d]", key, r->cfg->eval_shift_lo, r->cfg->eval_shift_hi);
}

/* Mean loss per token over the validation windows (all, or eval_batches
 * batches), no dropout: train_evaluate, the code `lstmjam eval` runs too.
 * NAN when there is no validation data. */
static double validate(run *r, train_eval *ev, char *err, size_t errlen, int *rc) {
    if (r->frames)
        *rc = score_frames(r, r->model, r->fvalid, r->cfg->eval_batches, ev, err, errlen);
    else
        *rc = train_evaluate(r->model, r->acts, r->valid, r->cfg->seq_len, r->cfg->batch, r->cfg->eval_batches,
                             r->x, r->y, ev, err, errlen);
    return *rc ? NAN : ev->nll;
}

/* `, "KEY": {"head": loss, ...}` for a model with more than one head, or a
 * frame model (whose head names say which field). */
static void write_head_losses(run *r, const char *key, const double *loss, double scale) {
    const lj_model_config *mc = lj_model_get_config(r->model);
    if (mc->num_heads < 2 && !r->frames) return;
    fprintf(r->metrics, ", \"%s\": {", key);
    for (int h = 0; h < mc->num_heads; h++)
        fprintf(r->metrics, "%s\"%s\": %.6f", h ? ", " : "", mc->heads[h].name, loss[h] * scale);
    fputc('}', r->metrics);
}

/* ---- progress --------------------------------------------------------------- */

static void progress(run *r, double loss, double tok_s, double elapsed, long start_step) {
    if (r->quiet) return;
    const train_config *c = r->cfg;
    long done = r->step - start_step, left = c->steps - r->step;
    double eta = done > 0 ? elapsed / done * left : 0;
    char val[48] = "";
    if (isfinite(r->best_valid)) snprintf(val, sizeof val, " best val %.4f", r->best_valid);
    if (r->tty) {
        int width = 24, fill = (int)((double)r->step / c->steps * width);
        char bar[32];
        for (int i = 0; i < width; i++) bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
        bar[width] = 0;
        fprintf(stderr, "\r[%s] %ld/%ld loss %.4f%s %.0f tok/s ETA %02d:%02d:%02d ", bar, r->step, c->steps,
                loss, val, tok_s, (int)(eta / 3600), (int)(eta / 60) % 60, (int)eta % 60);
    } else {
        fprintf(stderr, "step %ld/%ld loss %.4f%s %.0f tok/s eta %.0fs\n", r->step, c->steps, loss, val, tok_s,
                eta);
    }
    fflush(stderr);
}

static void write_plot(run *r) {
    plot_series s[2] = {
        {r->train_log.x, r->train_log.y, r->train_log.n, "train", 0.1, 0.3, 0.8, 0},
        {r->valid_log.x, r->valid_log.y, r->valid_log.n, "validation", 0.85, 0.3, 0.1, 1},
    };
    char title[256], err[256];
    snprintf(title, sizeof title, "%s: loss (nats per token)", r->cfg->name);
    plot_png(r->path_plot, title, s, 2, 800, 450, err, sizeof err); /* a plot is a convenience */
}

/* ---- the run ---------------------------------------------------------------- */

static void run_free(run *r) {
    train_dataset_free(&r->data);
    lj_acts_destroy(r->acts);
    lj_model_destroy(r->model);
    lj_optim_destroy(r->optim);
    free(r->x);
    free(r->y);
    free(r->fx);
    free(r->lengths);
    free(r->piece_ids);
    free(r->ema);
    free(r->offsets);
    train_trace_destroy(r->trace);
    for (int h = 0; h < LJ_MAX_HEADS; h++) {
        free(r->fids[h]);
        free(r->fvals[h]);
    }
    free(r->train_log.x);
    free(r->train_log.y);
    free(r->valid_log.x);
    free(r->valid_log.y);
    if (r->metrics) fclose(r->metrics);
}

int trainer_run(const train_config *cfg, const trainer_opts *o, char *err, size_t errlen) {
    run r;
    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.best_valid = INFINITY;
    r.best_step = -1;
    r.last_good_ckpt = -1;
    r.quiet = o->quiet;
    r.tty = isatty(fileno(stderr));
    snprintf(r.path_ckpt, sizeof r.path_ckpt, "%s/checkpoint.lstm", cfg->run_dir);
    snprintf(r.path_best, sizeof r.path_best, "%s/best.lstm", cfg->run_dir);
    snprintf(r.path_model, sizeof r.path_model, "%s/model.lstm", cfg->run_dir);
    snprintf(r.path_metrics, sizeof r.path_metrics, "%s/metrics.jsonl", cfg->run_dir);
    snprintf(r.path_plot, sizeof r.path_plot, "%s/loss.png", cfg->run_dir);
#if LJ_HAVE_BLAS
    openblas_set_num_threads(cfg->threads);
#endif
    lj_set_threads(cfg->threads);
    char cache_dir[TRAIN_PATH_MAX + 16];
    train_dataset_cache_dir(cfg->run_dir, cache_dir, sizeof cache_dir);
    train_dataset_opts dopts = {r.quiet, cfg->cache ? cache_dir : NULL};
    int rc = train_dataset_build(cfg, &dopts, &r.data, err, errlen);
    if (rc) goto done;
    r.train = &r.data.split[TRAIN_SPLIT_TRAIN];
    r.valid = &r.data.split[TRAIN_SPLIT_VALID];
    r.vocab = train_dataset_vocab(&r.data);
    r.frames = r.data.kind == TRAIN_DATA_FRAMES;
    r.ftrain = &r.data.frame_split[TRAIN_SPLIT_TRAIN];
    r.fvalid = &r.data.frame_split[TRAIN_SPLIT_VALID];
    if (r.frames && r.ftrain->n_frames <= (size_t)cfg->seq_len) {
        rc = lj_fail(err, errlen, LJ_ERR_ARG, "the training split has %zu frames, fewer than seq_len + 1 = %d",
                     r.ftrain->n_frames, cfg->seq_len + 1);
        goto done;
    }
    if (!r.frames && r.train->n_ids <= (size_t)cfg->seq_len) {
        rc = lj_fail(err, errlen, LJ_ERR_ARG, "the training split has %zu tokens, fewer than seq_len + 1 = %d",
                     r.train->n_ids, cfg->seq_len + 1);
        goto done;
    }
    if (!r.quiet) {
        const train_corpus *c = &r.data.corpus;
        fprintf(stderr,
                "lstmjam train %s: %s, %zu files, %zu tunes -> %zu pieces, %s %zu%s; "
                "train %zu %s (%zu tunes), valid %zu (%zu), test %zu (%zu)\n",
                cfg->name, cfg->encoding, c->n_files, c->n_groups, c->pieces.n_pieces,
                r.frames ? "frame values" : "vocabulary",
                r.frames ? enc_frame_dim(r.data.enc) : vocab_size(r.vocab), r.data.cache_hit ? " (from the cache)" : "",
                r.frames ? r.ftrain->n_frames : r.train->n_ids, r.frames ? "frames" : "tokens", r.data.split_groups[0],
                r.frames ? r.fvalid->n_frames : r.valid->n_ids, r.data.split_groups[1],
                r.frames ? r.data.frame_split[TRAIN_SPLIT_TEST].n_frames : r.data.split[TRAIN_SPLIT_TEST].n_ids,
                r.data.split_groups[2]);
    }
    if ((rc = build_model(&r, err, errlen))) goto done;
    if ((rc = mkdir_p(cfg->run_dir, err, errlen))) goto done;
    if (o->resume) {
        if ((rc = load_checkpoint(&r, err, errlen))) goto done;
        if ((rc = trim_metrics(r.path_metrics, r.step, err, errlen))) goto done;
        if (!r.quiet) fprintf(stderr, "resuming %s at step %ld\n", r.path_ckpt, r.step);
    } else {
        if (access(r.path_ckpt, F_OK) == 0) {
            rc = lj_fail(err, errlen, LJ_ERR_ARG,
                         "%s exists: continue it with --resume, or choose another run_dir/name", r.path_ckpt);
            goto done;
        }
        if (cfg->init[0]) {
            if ((rc = load_init(&r, err, errlen))) goto done;
            if (!r.quiet) fprintf(stderr, "init: the weights of %s\n", cfg->init);
        }
        /* the initial weights (init's, if given), before any step */
        if (o->trace_path && (rc = train_trace_begin(&r.trace, o->trace_path, cfg, r.model, &r.data, err, errlen)))
            goto done;
        if (r.ema) memcpy(r.ema, lj_model_params(r.model, &r.n_params), r.n_params * sizeof *r.ema);
        unlink(r.path_metrics);
        if (o->config_path) {
            uint8_t *text;
            size_t len;
            char path[TRAIN_PATH_MAX + 32];
            snprintf(path, sizeof path, "%s/config.yaml", cfg->run_dir);
            if ((rc = lj_file_read(o->config_path, &text, &len, err, errlen))) goto done;
            rc = lj_file_write_atomic(path, text, len, err, errlen);
            free(text);
            if (rc) goto done;
        }
    }
    r.metrics = fopen(r.path_metrics, "a");
    if (!r.metrics) {
        rc = lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot open: %s", r.path_metrics, strerror(errno));
        goto done;
    }
    if (!r.quiet)
        fprintf(stderr, "model: %zu parameters; run folder %s\n", lj_model_num_params(r.model), cfg->run_dir);

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    stop_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    size_t n_params;
    float *params = lj_model_params(r.model, &n_params);
    float *grads = lj_model_grads(r.model, &n_params);
    const long start_step = r.step;
    const double t_start = now_s();
    double t_log = t_start;
    int stopped_early = 0;
    lj_batch b = {.B = cfg->batch, .T = cfg->seq_len, .tokens = r.x};
    b.target_ids[0] = r.y;
    if (r.frames) {
        b.tokens = NULL;
        b.features = r.fx;
        for (int h = 0; h < LJ_MAX_HEADS; h++) {
            b.target_ids[h] = r.fids[h];
            b.target_values[h] = r.fvals[h];
        }
    }
    b.lengths = r.lengths; /* NULL unless train_on pieces */
    if (r.lengths && !r.quiet) {
        size_t longer = 0, longest = 0;
        for (size_t i = 0; i < r.n_piece_ids; i++) {
            size_t len = frameset_piece_len(r.ftrain, r.piece_ids[i]);
            longer += len > (size_t)cfg->seq_len;
            longest = len > longest ? len : longest;
        }
        fprintf(stderr, "train_on pieces: %zu train pieces, the longest %zu frames; %zu longer than seq_len = %d "
                "(trained in windows of it)\n", r.n_piece_ids, longest, longer, cfg->seq_len);
    }
    const int n_heads = lj_model_get_config(r.model)->num_heads;
    size_t steps_tokens = 0; /* real steps since t_log, for tokens/s */
    while (r.step < cfg->steps) {
        if (stop_signal) {
            if ((rc = save_checkpoint(&r, err, errlen))) break;
            if (!r.quiet)
                fprintf(stderr, "%sinterrupted by signal %d at step %ld: checkpoint saved to %s; continue with --resume\n",
                        r.tty ? "\n" : "", (int)stop_signal, r.step, r.path_ckpt);
            rc = TRAINER_INTERRUPTED;
            break;
        }
        if (r.lengths) frame_piece_batch(&r);
        else if (r.frames) frame_random_batch(&r);
        else tokset_random_batch(r.train, &r.batch_rng, cfg->seq_len, cfg->batch, r.x, r.y, r.offsets);
        steps_tokens += r.lengths ? r.batch_steps : (size_t)cfg->batch * (size_t)cfg->seq_len;
        lj_model_zero_grad(r.model);
        lj_acts_reset_state(r.acts);
        double loss;
        if ((rc = lj_model_forward(r.model, r.acts, &b,
                                   cfg->dropout > 0 || cfg->input_dropout > 0 ? &r.dropout_rng : NULL, &loss,
                                   err, errlen)))
            break;
        if (!isfinite(loss)) {
            rc = lj_fail(err, errlen, LJ_ERR_RANGE,
                         "step %ld: the training loss is %s; stopped. The last good checkpoint is %s (step %ld). "
                         "Hint: lower the learning rate or set optimizer.clip_norm.",
                         r.step + 1, isnan(loss) ? "NaN" : "infinite",
                         r.last_good_ckpt >= 0 ? r.path_ckpt : "(none)", r.last_good_ckpt);
            break;
        }
        if ((rc = lj_model_backward(r.model, r.acts, &b, err, errlen))) break;
        float norm = lj_clip_grad_norm(grads, n_params, cfg->clip_norm > 0 ? (float)cfg->clip_norm : INFINITY);
        if (!isfinite(norm)) {
            rc = lj_fail(err, errlen, LJ_ERR_RANGE,
                         "step %ld: the gradient norm is not finite; stopped. The last good checkpoint is %s (step %ld).",
                         r.step + 1, r.last_good_ckpt >= 0 ? r.path_ckpt : "(none)", r.last_good_ckpt);
            break;
        }
        float lr = lj_sched_lr(&r.sched, r.step);
        lj_optim_step(r.optim, params, grads, lr);
        if (r.trace && (rc = train_trace_step(r.trace, r.offsets, lr, err, errlen))) break;
        r.step++;
        if (r.ema) ema_update(&r, params);
        r.loss_sum += loss;
        r.loss_n++;
        for (int h = 0; h < n_heads; h++) r.head_sum[h] += lj_acts_head_loss(r.acts, h);
        double t = now_s();
        if (r.step % cfg->log_every == 0 || r.step == cfg->steps) {
            double mean = r.loss_sum / r.loss_n;
            double tok_s = (double)steps_tokens / (t - t_log);
            fprintf(r.metrics,
                    "{\"step\": %ld, \"train_loss\": %.6f, \"lr\": %.6g, \"grad_norm\": %.4g, "
                    "\"tokens_per_s\": %.0f, \"elapsed_s\": %.2f",
                    r.step, mean, (double)lr, (double)norm, tok_s, t - t_start);
            write_head_losses(&r, "train_head_loss", r.head_sum, 1.0 / (double)r.loss_n);
            fputs("}\n", r.metrics);
            memset(r.head_sum, 0, sizeof r.head_sum);
            fflush(r.metrics);
            log_push(&r.train_log, (double)r.step, mean);
            progress(&r, mean, tok_s, t - t_start, start_step);
            r.loss_sum = 0.0;
            r.loss_n = 0;
            steps_tokens = 0;
            t_log = t;
        }
        if (r.step % cfg->eval_every == 0 || r.step == cfg->steps) {
            train_eval ev;
            if (r.ema) ema_swap(&r, params); /* validate and keep the averaged weights */
            double v = validate(&r, &ev, err, errlen, &rc);
            int best = !rc && isfinite(v) && v < r.best_valid;
            if (best)
                rc = modelio_save_encoded(r.path_best, r.model, cfg->encoding, r.data.options, r.vocab, 0, err, errlen);
            if (r.ema) ema_swap(&r, params);
            if (rc) break;
            if (isfinite(v)) {
                if (best) {
                    r.best_valid = v;
                    r.best_step = r.step;
                    r.bad_evals = 0;
                } else {
                    r.bad_evals++;
                }
                lj_sched_observe(&r.sched, v);
                fprintf(r.metrics, "{\"step\": %ld, \"valid_loss\": %.6f, \"valid_bits_per_token\": %.6f, \"best\": %s",
                        r.step, v, v / log(2.0), best ? "true" : "false");
                write_transpose_average(&r, "valid_transpose_average");
                write_head_losses(&r, "valid_head_loss", ev.head_nll, 1.0);
                fputs("}\n", r.metrics);
                fflush(r.metrics);
                log_push(&r.valid_log, (double)r.step, v);
                write_plot(&r);
                if (cfg->patience > 0 && r.bad_evals >= cfg->patience) {
                    stopped_early = 1;
                    if (!r.quiet)
                        fprintf(stderr, "%searly stopping at step %ld: no improvement in %ld validations (best %.4f at step %ld)\n",
                                r.tty ? "\n" : "", r.step, r.bad_evals, r.best_valid, r.best_step);
                }
            }
        }
        if (r.step % cfg->checkpoint_every == 0 || r.step == cfg->steps || stopped_early) {
            if ((rc = save_checkpoint(&r, err, errlen))) break;
        }
        if (stopped_early) break;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (r.tty && !r.quiet) fputc('\n', stderr);
    if ((rc == LJ_OK || rc == TRAINER_INTERRUPTED) && r.trace) { /* the steps done, also when interrupted */
        int trc = train_trace_finish(r.trace, err, errlen);
        if (trc) rc = trc;
        else if (!r.quiet) fprintf(stderr, "trace: %ld steps written to %s\n", r.step, o->trace_path);
    }
    if (rc) goto done;
    /* The result: the best validation model, or the last one. */
    if (cfg->restore_best && r.best_step >= 0) {
        uint8_t *bytes;
        size_t len;
        if ((rc = lj_file_read(r.path_best, &bytes, &len, err, errlen))) goto done;
        rc = lj_file_write_atomic(r.path_model, bytes, len, err, errlen);
        free(bytes);
    } else {
        if (r.ema) ema_swap(&r, params); /* the result is the averaged weights */
        rc = modelio_save_encoded(r.path_model, r.model, cfg->encoding, r.data.options, r.vocab, 0, err, errlen);
        if (r.ema) ema_swap(&r, params);
    }
    if (rc) goto done;
    char averaged[64] = ""; /* which loss validation and test are */
    if (cfg->eval_shift_lo || cfg->eval_shift_hi)
        snprintf(averaged, sizeof averaged, "; averaged over transpositions %+d..%+d", cfg->eval_shift_lo,
                 cfg->eval_shift_hi);
    /* Frame models: the result scored on the test split (the JSB benchmark's
     * NLL per frame for a pianoroll model) */
    const frameset *ftest = &r.data.frame_split[TRAIN_SPLIT_TEST];
    if (r.frames && ftest->n_pieces) {
        lj_model *result = NULL;
        train_eval te;
        if ((rc = modelio_load(r.path_model, &result, NULL, NULL, err, errlen))) goto done;
        rc = score_frames(&r, result, ftest, 0, &te, err, errlen);
        lj_model_destroy(result);
        if (rc) goto done;
        fprintf(r.metrics, "{\"step\": %ld, \"test_loss\": %.6f, \"test_frames\": %zu, \"test_pieces\": %zu",
                r.step, te.nll, te.tokens, te.windows);
        write_transpose_average(&r, "test_transpose_average");
        write_head_losses(&r, "test_head_loss", te.head_nll, 1.0);
        fputs("}\n", r.metrics);
        fflush(r.metrics);
        if (!r.quiet)
            fprintf(stderr, "test: %.4f nats per frame (weighted heads%s) over %zu predicted frames of %zu pieces\n",
                    te.nll, averaged, te.tokens, te.windows);
    }
    write_plot(&r);
    if (!r.quiet)
        fprintf(stderr, "done: %ld steps in %.1f s; best validation loss %.4f nats/token (%.4f bits%s) at step %ld; model %s\n",
                r.step, now_s() - t_start, r.best_valid, r.best_valid / log(2.0), averaged, r.best_step, r.path_model);
done:
    run_free(&r);
    return rc;
}
