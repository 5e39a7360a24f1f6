#include "train_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "evaluate.h"
#include "files.h"

static const char *const optim_names[] = {"sgd", "adam", "adamw", "adamax", "rmsprop", NULL};
static const char *const schedule_names[] = {"constant", "step", "plateau", "cosine", NULL};
static const char *const input_names[] = {"embedding", "onehot", NULL};

const char *train_optim_name(train_optim_kind k) { return optim_names[k]; }
const char *train_schedule_name(train_schedule_kind k) { return schedule_names[k]; }

void train_config_default(train_config *c) {
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "run");
    snprintf(c->encoding, sizeof c->encoding, "chars");
    c->valid_frac = 0.1;
    c->test_frac = 0.0;
    c->split_seed = 1;
    c->cache = 1;
    enc_opts_default(&c->enc_opts, "chars");
    score_read_opts_default(&c->read);
    c->input_kind = LJ_INPUT_EMBEDDING;
    c->embed_dim = 64;
    c->nade_hidden = 150;
    c->num_layers = 1;
    c->hidden[0] = 256;
    c->optim = TRAIN_OPT_ADAM;
    c->lr = 5e-3;
    c->beta1 = 0.9;
    c->beta2 = 0.999;
    c->eps = 1e-8;
    c->momentum = 0.0;
    c->clip_norm = 5.0;
    c->schedule = TRAIN_SCHED_CONSTANT;
    c->step_size = 1000;
    c->gamma = 0.5;
    c->plateau_patience = 3;
    c->plateau_factor = 0.5;
    c->batch = 32;
    c->seq_len = 100;
    c->steps = 2000;
    c->log_every = 10;
    c->eval_every = 100;
    c->eval_batches = 0;
    c->restore_best = 1;
    c->checkpoint_every = 500;
    c->seed = 42;
    c->threads = 1;
}

/* `encoding: NAME` (chars or a music encoding) and `encoding_options: {key:
 * value}`, each option set through enc_opts_set so the YAML takes exactly the
 * names and values of `lstmjam encode --opt` and the tokens file header. */
static int parse_encoding(cfg_doc *d, cfg_node *root, const char *name, train_config *c, char *err,
                          size_t errlen) {
    const char *names[16];
    const char *const *music = enc_names();
    size_t n = 0;
    names[n++] = "chars";
    for (size_t i = 0; music[i] && n + 1 < sizeof names / sizeof *names; i++) names[n++] = music[i];
    names[n] = NULL;
    int e = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], c->encoding)) e = (int)i;
    int rc = cfg_enum(d, root, "encoding", 0, names, &e, err, errlen);
    if (rc) return rc;
    snprintf(c->encoding, sizeof c->encoding, "%s", names[e]);
    enc_opts_default(&c->enc_opts, c->encoding);
    cfg_node *opts = NULL;
    if ((rc = cfg_map(d, root, "encoding_options", 0, &opts, err, errlen))) return rc;
    if (!opts) return LJ_OK;
    if (e == 0 && opts->n_items)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s:%d:%d: 'encoding_options': the chars encoding has no options",
                       name, opts->key_line, opts->key_col);
    for (size_t i = 0; i < opts->n_items; i++) {
        cfg_node *item = &opts->items[i];
        item->used = 1;
        char value[512], sub[512];
        if (item->kind != CFG_SCALAR)
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: encoding option '%s': expected a value, found a %s",
                           name, item->line, item->col, item->key, item->kind == CFG_MAP ? "map" : "list");
        if ((rc = cfg_node_string(d, item, value, sizeof value, err, errlen))) return rc;
        if ((rc = enc_opts_set(&c->enc_opts, item->key, value, sub, sizeof sub)))
            return lj_fail(err, errlen, rc, "%s:%d:%d: encoding option %s", name, item->line, item->col, sub);
    }
    return LJ_OK;
}

/* `read: {repeats: abc2midi|nottingham, chord_symbols: BOOL, jsb_grid: 16th|8th|quarter}`:
 * how the readers turn files into scores (the same switches as lstmjam encode).
 * Without jsb_grid a JSB file is read on the grid its name states, else on the
 * encoding's grid (dataset.c); with it, a name that says another grid is an error. */
static int parse_read_options(cfg_doc *d, cfg_node *root, train_config *c, char *err, size_t errlen) {
    static const char *const repeats[] = {"abc2midi", "nottingham", NULL};
    static const char *const grids[] = {"16th", "8th", "quarter", NULL};
    cfg_node *n = NULL;
    int rc = cfg_map(d, root, "read", 0, &n, err, errlen);
    if (rc || !n) return rc;
    int e = c->read.abc.repeats == ABC_REPEATS_NOTTINGHAM;
    if ((rc = cfg_enum(d, n, "repeats", 0, repeats, &e, err, errlen))) return rc;
    c->read.abc.repeats = e ? ABC_REPEATS_NOTTINGHAM : ABC_REPEATS_ABC2MIDI;
    if ((rc = cfg_bool(d, n, "chord_symbols", 0, &c->read.abc.chords, err, errlen))) return rc;
    e = -1; /* absent: the grid the file's name states (score_io.h) */
    if ((rc = cfg_enum(d, n, "jsb_grid", 0, grids, &e, err, errlen))) return rc;
    if (e >= 0) c->read.jsb.step_ticks = e == 2 ? SCORE_PPQ : e == 1 ? SCORE_PPQ / 2 : SCORE_PPQ / 4;
    return LJ_OK;
}

/* A chain of getters: stop at the first error. */
#define TRY(x)                 \
    do {                       \
        if ((rc = (x))) goto done; \
    } while (0)

int train_config_parse(const char *text, size_t len, const char *name, const char *dir,
                       train_config *c, char *err, size_t errlen) {
    cfg_doc *d;
    int rc = cfg_load_mem(text, len, name, &d, err, errlen);
    if (rc) return rc;
    cfg_node *root = cfg_root(d), *n = NULL;
    if (!root) {
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: empty config: expected at least 'data'", name);
        goto done;
    }
    long v;
    int e;
    TRY(cfg_string(d, root, "name", 0, c->name, sizeof c->name, err, errlen));
    if (!c->name[0]) { /* found by fuzz_trainconfig: the run went to runs/ itself, among the other runs */
        cfg_node *nm = cfg_get(root, "name");
        rc = lj_fail(err, errlen, LJ_ERR_RANGE, "%s:%d:%d: 'name': expected a run name (the run folder is "
                     "runs/NAME), found an empty value", name, nm ? nm->line : 0, nm ? nm->col : 0);
        goto done;
    }
    TRY(cfg_string(d, root, "run_dir", 0, c->run_dir, sizeof c->run_dir, err, errlen));
    TRY(parse_encoding(d, root, name, c, err, errlen));
    TRY(parse_read_options(d, root, c, err, errlen));
    TRY(cfg_seq(d, root, "data", 1, &n, err, errlen));
    if (n->n_items == 0 || n->n_items > TRAIN_MAX_DATA) {
        rc = lj_fail(err, errlen, LJ_ERR_RANGE, "%s:%d:%d: 'data': expected 1..%d sources, found %zu", name, n->line,
                     n->col, TRAIN_MAX_DATA, n->n_items);
        goto done;
    }
    for (size_t i = 0; i < n->n_items; i++) {
        cfg_node *item = &n->items[i];
        train_data_source *src = &c->data[c->n_data++];
        src->weight = 1.0;
        src->recursive = 1;
        src->line = item->line;
        if (item->kind == CFG_SCALAR) { /* "- path" shorthand */
            TRY(cfg_node_path(d, item, dir, src->path, sizeof src->path, err, errlen));
        } else if (item->kind == CFG_MAP) {
            TRY(cfg_path(d, item, "path", 1, dir, src->path, sizeof src->path, err, errlen));
            TRY(cfg_float(d, item, "weight", 0, 0.01, 100.0, &src->weight, err, errlen));
            TRY(cfg_bool(d, item, "recursive", 0, &src->recursive, err, errlen));
        } else {
            rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: 'data' item: expected a path or {path, weight}, found a list",
                         name, item->line, item->col);
            goto done;
        }
    }

    n = NULL;
    TRY(cfg_map(d, root, "split", 0, &n, err, errlen));
    if (n) {
        TRY(cfg_float(d, n, "valid", 0, 0.0, 0.5, &c->valid_frac, err, errlen));
        TRY(cfg_float(d, n, "test", 0, 0.0, 0.5, &c->test_frac, err, errlen));
        TRY(cfg_int(d, n, "seed", 0, 0, 0x7fffffffL, &c->split_seed, err, errlen));
    }
    TRY(cfg_bool(d, root, "cache", 0, &c->cache, err, errlen));

    n = NULL;
    TRY(cfg_map(d, root, "model", 0, &n, err, errlen));
    if (n) {
        e = (int)c->input_kind;
        TRY(cfg_enum(d, n, "input", 0, input_names, &e, err, errlen));
        c->input_kind = (lj_input_kind)e;
        v = c->embed_dim;
        TRY(cfg_int(d, n, "embed_dim", 0, 1, 65536, &v, err, errlen));
        c->embed_dim = (int)v;
        cfg_node *layers = NULL;
        TRY(cfg_seq(d, n, "layers", 0, &layers, err, errlen));
        if (layers) {
            if (layers->n_items < 1 || layers->n_items > LJ_MAX_LAYERS) {
                rc = lj_fail(err, errlen, LJ_ERR_RANGE, "%s:%d:%d: 'layers': expected 1..%d widths, found %zu", name,
                             layers->line, layers->col, LJ_MAX_LAYERS, layers->n_items);
                goto done;
            }
            c->num_layers = (int)layers->n_items;
            for (size_t i = 0; i < layers->n_items; i++) {
                TRY(cfg_node_int(d, &layers->items[i], 1, 16384, &v, err, errlen));
                c->hidden[i] = (int)v;
            }
        }
        TRY(cfg_float(d, n, "dropout", 0, 0.0, 0.9, &c->dropout, err, errlen));
        TRY(cfg_float(d, n, "input_dropout", 0, 0.0, 0.9, &c->input_dropout, err, errlen));
        cfg_node *in_drop = cfg_get(n, "input_dropout");
        if (in_drop) c->input_dropout_line = in_drop->key_line;
        static const char *const frame_heads[] = {"bernoulli", "nade", NULL};
        e = c->frame_head_nade;
        TRY(cfg_enum(d, n, "frame_head", 0, frame_heads, &e, err, errlen));
        c->frame_head_nade = e;
        v = c->nade_hidden;
        TRY(cfg_int(d, n, "nade_hidden", 0, 1, 4096, &v, err, errlen));
        c->nade_hidden = (int)v;
    }
    n = NULL;
    TRY(cfg_map(d, root, "loss_weights", 0, &n, err, errlen));
    for (size_t i = 0; n && i < n->n_items; i++) {
        cfg_node *item = &n->items[i];
        if (c->n_loss_weights >= LJ_MAX_HEADS || strlen(item->key) >= LJ_HEAD_NAME_MAX) {
            rc = lj_fail(err, errlen, LJ_ERR_RANGE, "%s:%d:%d: 'loss_weights': expected at most %d heads with names "
                         "of at most %d characters", name, item->key_line, item->key_col, LJ_MAX_HEADS,
                         LJ_HEAD_NAME_MAX - 1);
            goto done;
        }
        int k = c->n_loss_weights++;
        snprintf(c->loss_weight_name[k], sizeof c->loss_weight_name[k], "%s", item->key);
        c->loss_weight_line[k] = item->key_line;
        TRY(cfg_float(d, n, item->key, 1, 0.0, 1000.0, &c->loss_weight[k], err, errlen));
    }

    TRY(cfg_path(d, root, "init", 0, dir, c->init, sizeof c->init, err, errlen));
    cfg_node *init = cfg_get(root, "init");
    if (init) c->init_line = init->key_line;

    n = NULL;
    TRY(cfg_map(d, root, "optimizer", 0, &n, err, errlen));
    if (n) {
        e = (int)c->optim;
        TRY(cfg_enum(d, n, "kind", 0, optim_names, &e, err, errlen));
        c->optim = (train_optim_kind)e;
        TRY(cfg_float(d, n, "learning_rate", 0, 1e-9, 10.0, &c->lr, err, errlen));
        TRY(cfg_float(d, n, "beta1", 0, 0.0, 0.9999999, &c->beta1, err, errlen));
        TRY(cfg_float(d, n, "beta2", 0, 0.0, 0.9999999, &c->beta2, err, errlen));
        TRY(cfg_float(d, n, "eps", 0, 1e-30, 1.0, &c->eps, err, errlen));
        TRY(cfg_float(d, n, "momentum", 0, 0.0, 0.9999, &c->momentum, err, errlen));
        TRY(cfg_float(d, n, "weight_decay", 0, 0.0, 1.0, &c->weight_decay, err, errlen));
        TRY(cfg_float(d, n, "clip_norm", 0, 0.0, 1e6, &c->clip_norm, err, errlen));
        TRY(cfg_float(d, n, "ema", 0, 0.0, 0.999999, &c->ema, err, errlen));
    }

    n = NULL;
    TRY(cfg_map(d, root, "schedule", 0, &n, err, errlen));
    if (n) {
        e = (int)c->schedule;
        TRY(cfg_enum(d, n, "kind", 0, schedule_names, &e, err, errlen));
        c->schedule = (train_schedule_kind)e;
        TRY(cfg_int(d, n, "step_size", 0, 1, 100000000L, &c->step_size, err, errlen));
        TRY(cfg_float(d, n, "gamma", 0, 1e-6, 1.0, &c->gamma, err, errlen));
        TRY(cfg_int(d, n, "patience", 0, 1, 1000, &c->plateau_patience, err, errlen));
        TRY(cfg_float(d, n, "factor", 0, 1e-6, 1.0, &c->plateau_factor, err, errlen));
        TRY(cfg_float(d, n, "min_lr", 0, 0.0, 10.0, &c->min_lr, err, errlen));
        TRY(cfg_int(d, n, "warmup", 0, 0, 100000000L, &c->warmup, err, errlen));
    }

    v = c->batch;
    TRY(cfg_int(d, root, "batch", 0, 1, 4096, &v, err, errlen));
    c->batch = (int)v;
    v = c->seq_len;
    TRY(cfg_int(d, root, "seq_len", 0, 1, 100000, &v, err, errlen));
    c->seq_len = (int)v;
    static const char *const train_on_names[] = {"windows", "pieces", NULL};
    e = c->train_on_pieces;
    TRY(cfg_enum(d, root, "train_on", 0, train_on_names, &e, err, errlen));
    c->train_on_pieces = e;
    cfg_node *train_on = cfg_get(root, "train_on");
    if (train_on) c->train_on_line = train_on->key_line;
    TRY(cfg_int(d, root, "steps", 0, 1, 1000000000L, &c->steps, err, errlen));
    TRY(cfg_int(d, root, "log_every", 0, 1, 1000000000L, &c->log_every, err, errlen));
    TRY(cfg_int(d, root, "eval_every", 0, 1, 1000000000L, &c->eval_every, err, errlen));
    TRY(cfg_int(d, root, "eval_batches", 0, 0, 1000000000L, &c->eval_batches, err, errlen));
    cfg_node *shifts = cfg_get(root, "eval_transpose_average");
    if (shifts) {
        char text[32];
        TRY(cfg_string(d, root, "eval_transpose_average", 1, text, sizeof text, err, errlen));
        c->eval_transpose_line = shifts->key_line;
        if (train_parse_shift_range(text, &c->eval_shift_lo, &c->eval_shift_hi)) {
            rc = lj_fail(err, errlen, LJ_ERR_RANGE, "%s:%d:%d: 'eval_transpose_average': expected LO:HI with -12 <= "
                         "LO <= 0 <= HI <= 12, or N (0..12), found '%s'", name, shifts->line, shifts->col, text);
            goto done;
        }
        /* the ensemble averages Bernoulli key probabilities (evaluate.h) */
        if (strcmp(c->encoding, "pianoroll") || c->frame_head_nade) {
            rc = lj_fail(err, errlen, LJ_ERR_ARG, "%s:%d:%d: 'eval_transpose_average': expected a pianoroll model "
                         "with a Bernoulli head (model.frame_head: bernoulli), found %s%s", name, shifts->key_line,
                         shifts->key_col, c->encoding, strcmp(c->encoding, "pianoroll") ? "" : " with a NADE head");
            goto done;
        }
    }
    n = NULL;
    TRY(cfg_map(d, root, "early_stopping", 0, &n, err, errlen));
    if (n) {
        TRY(cfg_int(d, n, "patience", 0, 0, 100000, &c->patience, err, errlen));
        TRY(cfg_bool(d, n, "restore_best", 0, &c->restore_best, err, errlen));
    }
    TRY(cfg_int(d, root, "checkpoint_every", 0, 1, 1000000000L, &c->checkpoint_every, err, errlen));
    TRY(cfg_int(d, root, "seed", 0, 0, 0x7fffffffL, &c->seed, err, errlen));
    v = c->threads;
    TRY(cfg_int(d, root, "threads", 0, 1, 256, &v, err, errlen));
    c->threads = (int)v;
    TRY(cfg_check_unknown(d, root, err, errlen));
    if (!c->run_dir[0]) snprintf(c->run_dir, sizeof c->run_dir, "runs/%s", c->name);
done:
    cfg_destroy(d);
    return rc;
}

int train_config_load(const char *path, train_config *c, char *err, size_t errlen) {
    uint8_t *data;
    size_t len;
    int rc = lj_file_read(path, &data, &len, err, errlen);
    if (rc) return rc;
    char dir[TRAIN_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    else snprintf(dir, sizeof dir, ".");
    rc = train_config_parse((const char *)data, len, path, dir, c, err, errlen);
    free(data);
    return rc;
}
