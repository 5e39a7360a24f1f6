/* lstmjam eval: a model's loss on data, through the trainer's own pipeline
 * (src/train/dataset.h for the data and split, src/train/evaluate.h for the
 * windows), so `eval --split valid` on a run's config reproduces the trainer's
 * validation loss. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "modelio.h"
#include "dataset.h"
#include "evaluate.h"
#include "export_midi.h"
#include "eval/eval_abc.h"
#include "eval/eval_sets.h"
#include "files.h"
#if LJ_HAVE_BLAS
/* From OpenBLAS's cblas.h (see trainer.c for why it is declared here). */
void openblas_set_num_threads(int num_threads);
#endif

/* A token of the data that the model's vocabulary lacks (train_dataset_remap
 * names only the token): parse the tokens files given again against the
 * model's vocabulary, frozen, so the message gives the file, line and column.
 * err keeps the remap's message when no file holds the token (a music file). */
static void locate_unknown_token(const char *const *data, int n_data, vocab *mv, char *err, size_t errlen) {
    for (int k = 0; k < n_data; k++) {
        char ext[16];
        if (strcmp(lj_file_ext(data[k], ext, sizeof ext), "txt")) continue;
        uint8_t *text = NULL;
        size_t len = 0;
        char msg[1024];
        if (lj_file_read(data[k], &text, &len, msg, sizeof msg)) continue;
        tokset t = {0};
        int rc = enc_tokens_parse((const char *)text, len, data[k], mv, 0 /* grow: no, mv stays */, &t, NULL, msg,
                                  sizeof msg);
        tokset_free(&t);
        free(text);
        if (rc == LJ_ERR_RANGE) {
            snprintf(err, errlen, "%s (the model's vocabulary lacks it: encode the data with the model's options, "
                                  "as lstmjam train read its data)", msg);
            return;
        }
    }
}

static const char *help =
    "usage: lstmjam eval --model MODEL.lstm --data CONFIG.yaml|TOKENS.txt|FRAMES.txt|FILES... [options]\n"
    "\n"
    "Scores a model on data the way `lstmjam train` validates: consecutive windows\n"
    "of --seq-len tokens, each from a zero state, no dropout. With a training\n"
    "config the data, encoding, options, cache and split are the trainer's own, so\n"
    "--split valid gives the trainer's validation loss. With tokens files (frames\n"
    "files for psd and pianoroll: lstmjam encode's output) or music files and\n"
    "folders the model's own encoding and options read them, and every\n"
    "piece is scored (--split all) unless a split is asked for (then the default\n"
    "split: 10% valid, seed 1; JSB chorales keep their published split).\n"
    "\n"
    "options:\n"
    "  --model FILE     the model (required); several --model: an ensemble of\n"
    "                   pianoroll models with Bernoulli heads, each key's\n"
    "                   probability the mean of the models' (still one\n"
    "                   factorised Bernoulli distribution per frame)\n"
    "  --transpose-average LO:HI  for the --model just before it (pianoroll,\n"
    "                   Bernoulli): the mean over the piece transposed by each\n"
    "                   shift LO..HI keys (-12 <= LO <= 0 <= HI <= 12; N = -N:N),\n"
    "                   each run reading and predicting the moved piece; an\n"
    "                   ensemble is then the mean over its models of each\n"
    "                   model's mean over its shifts (default 0:0: none)\n"
    "  --data X...      a training config (.yaml, .yml), or files and folders;\n"
    "                   every argument up to the next option\n"
    "  --split S        train, valid, test or all (default: valid with a config,\n"
    "                   all with files)\n"
    "  --seq-len T      window length (default: the config's seq_len, else 100)\n"
    "  --batch B        windows per forward pass (default: the config's batch, else 32)\n"
    "  --batches N      only the first N batches (default: all)\n"
    "  --threads N      OpenBLAS threads (default: the config's, else 1)\n"
    "  --json           print one JSON object instead of text\n"
    "  --export-midi DIR  write the split's pieces as MIDI files to DIR instead,\n"
    "                   decoded by the model's encoding (what the model sees:\n"
    "                   transposed, on its grid; tools/mgeval.py compares them)\n"
    "  -q, --quiet      no progress output\n"
    "\n"
    "lstmjam eval --generated X... --reference Y... compares two sets of pieces\n"
    "instead, with MGEval's measures (see lstmjam eval --generated --help).\n"
    "lstmjam eval --abc FILES... gives the share of ABC tunes that lstmjam's reader\n"
    "reads and abc2midi accepts (see lstmjam eval --abc --help).\n"
    "\n"
    "Reports the loss per target token in nats and bits, the perplexity, the\n"
    "accuracy (the most likely token is the next one), each head's own loss and\n"
    "the number of tokens scored.\n"
    "\n"
    "Frame models (psd, pianoroll) are scored piece by piece from a zero state\n"
    "(every frame is predicted, the first from a zero input, as the JSB benchmark\n"
    "scores all frames; --seq-len and --batch do not\n"
    "apply, --batches limits the pieces): the weighted loss per frame and each\n"
    "head's. A pianoroll model's loss is the NLL per frame summed over the 88\n"
    "keys, printed next to the published JSB numbers.\n"
    "\n"
    "exit status: 0 done, 1 system error, 2 bad input or usage\n";

/* A frame model on the dataset's split (split < 0: every piece): piece by
 * piece (train_evaluate_frames). The model's heads must be the encoding's
 * fields, in order and by name. */
static int eval_frames(lj_model *const *ms, int n_models, const char *const *model_paths, const int *shift_lo,
                       const int *shift_hi, const char *enc, const char *opts, const char *data_label, train_dataset *d, int split,
                       long batches, int json, char *err, size_t errlen) {
    lj_model *m = ms[0];
    const char *model_path = model_paths[0];
    const lj_model_config *mc = lj_model_get_config(m);
    if (d->kind != TRAIN_DATA_FRAMES)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: a model of float frames, but %s is not a frame encoding", model_path,
                       enc);
    int nf = enc_frame_num_fields(d->enc);
    int same = nf == mc->num_heads && (int)enc_frame_input_dim(d->enc) == mc->input_size;
    for (int h = 0; same && h < nf; h++) same = !strcmp(enc_frame_field(d->enc, h)->name, mc->heads[h].name);
    for (int i = 1; same && i < n_models; i++) { /* same encoding and options: checked by the caller */
        const lj_model_config *mi = lj_model_get_config(ms[i]);
        same = mi->num_heads == mc->num_heads && mi->input_size == mc->input_size &&
               !strcmp(mi->heads[0].name, mc->heads[0].name);
        if (!same) model_path = model_paths[i];
    }
    if (!same)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: the model's inputs and heads are not those of %s (%s)", model_path,
                       enc, opts);
    const frameset *set = split < 0 ? &d->corpus.frames : &d->frame_split[split];
    train_eval ev;
    int n_runs = 0;
    for (int i = 0; i < n_models; i++) n_runs += shift_hi[i] - shift_lo[i] + 1;
    int rc = n_runs > 1 ? train_evaluate_frames_ensemble(ms, n_models, shift_lo, shift_hi, d->enc, set, batches, &ev,
                                                         err, errlen)
                        : train_evaluate_frames(m, d->enc, set, batches, &ev, err, errlen);
    if (rc) return rc;
    if (!ev.tokens)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: no piece of two frames or more to score", data_label);
    const char *sname = split < 0 ? "all" : split == 0 ? "train" : split == 1 ? "valid" : "test";
    int roll = !strcmp(enc, "pianoroll");
    if (json) {
        cJSON *o = cJSON_CreateObject(), *heads = cJSON_CreateArray();
        cJSON_AddStringToObject(o, "model", model_path);
        if (n_models > 1) {
            cJSON *list = cJSON_CreateArray();
            for (int i = 0; i < n_models; i++) cJSON_AddItemToArray(list, cJSON_CreateString(model_paths[i]));
            cJSON_AddItemToObject(o, "ensemble", list);
        }
        if (n_runs > n_models) { /* per model [LO, HI] */
            cJSON *ranges = cJSON_CreateArray();
            for (int i = 0; i < n_models; i++) {
                cJSON *range = cJSON_CreateArray();
                cJSON_AddItemToArray(range, cJSON_CreateNumber(shift_lo[i]));
                cJSON_AddItemToArray(range, cJSON_CreateNumber(shift_hi[i]));
                cJSON_AddItemToArray(ranges, range);
            }
            cJSON_AddItemToObject(o, "transpose_average", ranges);
            cJSON_AddNumberToObject(o, "notes_dropped", (double)ev.notes_dropped);
        }
        cJSON_AddStringToObject(o, "encoding", enc);
        cJSON_AddStringToObject(o, "options", opts);
        cJSON_AddStringToObject(o, "data", data_label);
        cJSON_AddStringToObject(o, "split", sname);
        cJSON_AddNumberToObject(o, "pieces", (double)ev.windows);
        cJSON_AddNumberToObject(o, "frames", (double)ev.tokens);
        cJSON_AddNumberToObject(o, "nll", ev.nll);
        cJSON_AddNumberToObject(o, "bits", ev.nll / log(2.0));
        for (int h = 0; h < ev.n_heads; h++) {
            cJSON *ho = cJSON_CreateObject();
            cJSON_AddStringToObject(ho, "name", mc->heads[h].name);
            cJSON_AddNumberToObject(ho, "nll", ev.head_nll[h]);
            cJSON_AddNumberToObject(ho, "loss_weight", mc->heads[h].loss_weight);
            cJSON_AddItemToArray(heads, ho);
        }
        cJSON_AddItemToObject(o, "heads", heads);
        char *text = cJSON_PrintUnformatted(o);
        if (text) printf("%s\n", text);
        free(text);
        cJSON_Delete(o);
        return LJ_OK;
    }
    for (int i = 0; i < n_models; i++) {
        if (i == 0)
            printf("model %s: %s%s%s%s, %d float inputs per frame", model_paths[i], enc, opts[0] ? " (" : "", opts,
                   opts[0] ? ")" : "", mc->input_size);
        else /* options may differ in augmentation only (same_eval_frames) */
            printf("model %s: the same frames", model_paths[i]);
        if (shift_hi[i] > shift_lo[i])
            printf("; ensemble of %d transpositions (%+d..%+d keys)", shift_hi[i] - shift_lo[i] + 1, shift_lo[i],
                   shift_hi[i]);
        printf("\n");
    }
    if (n_runs > n_models)
        printf("transposition averaging: each run reads and predicts the piece moved by its shift (%zu notes moved "
               "off the keyboard left out); a model's probability of a key is the mean over its shifts\n",
               ev.notes_dropped);
    if (n_models > 1)
        printf("ensemble of %d models: each key's probability the mean of the models'\n", n_models);
    printf("data %s, split %s: %zu pieces, %zu frames predicted (each piece from a zero state, its first frame "
           "from a zero input)\n", data_label, sname,
           ev.windows, ev.tokens);
    printf("loss %.6f nats/frame = %.6f bits/frame (heads weighted)\n", ev.nll, ev.nll / log(2.0));
    for (int h = 0; h < ev.n_heads; h++)
        printf("head %s: %.6f nats/frame (loss weight %g)\n", mc->heads[h].name, ev.head_nll[h],
               (double)mc->heads[h].loss_weight);
    if (roll && mc->num_heads == 1) {
        printf("JSB chorales, NLL per frame (Boulanger-Lewandowski et al. 2012 protocol; lower is better):\n");
        printf("  RNN                     8.71  (published)\n");
        printf("  LSTM (Chung 2014)       8.67  (published)\n");
        printf("  GRU (Chung 2014)        8.54  (published)\n");
        printf("  RNN-NADE                5.19  (published)\n");
        char label[128]; /* the longest, with two 10-digit counts: 81 bytes */
        if (n_runs > n_models)
            snprintf(label, sizeof label, "ensemble of %d model%s, %d runs with transpositions (Bernoulli)", n_models,
                     n_models > 1 ? "s" : "", n_runs);
        else if (n_models > 1) snprintf(label, sizeof label, "ensemble of %d (Bernoulli)", n_models);
        else snprintf(label, sizeof label, "%s", mc->heads[0].kind == LJ_HEAD_NADE ? "this model (NADE)" : "this model (Bernoulli)");
        printf("  %-22s %5.2f  (%s split, every frame)\n", label, ev.head_nll[0], sname);
    }
    return LJ_OK;
}

static int is_config(const char *path) {
    size_t n = strlen(path);
    return (n > 5 && !strcmp(path + n - 5, ".yaml")) || (n > 4 && !strcmp(path + n - 4, ".yml"));
}

/* The options text of a model file ("key=value ...") onto o. */
static int opts_from_text(enc_opts *o, const char *text, const char *what, char *err, size_t errlen) {
    char buf[MODELIO_OPTIONS_MAX], sub[512];
    snprintf(buf, sizeof buf, "%s", text);
    char *save = NULL;
    for (char *kv = strtok_r(buf, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: encoding.options: expected KEY=VALUE, found '%s'", what, kv);
        *eq = 0;
        int rc = enc_opts_set(o, kv, eq + 1, sub, sizeof sub);
        if (rc) return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: encoding.options: %s", what, sub);
    }
    return LJ_OK;
}

/* Whether models of encoding enc with options a and b read the same frames
 * in valid and test: the same options, or options that differ only in
 * training-time augmentation (transpose none or augment, any augment range:
 * valid and test hold the pieces as they are either way). */
static int same_eval_frames(const char *enc, const char *a, const char *b) {
    if (!strcmp(a, b)) return 1;
    enc_opts oa, ob;
    char ea[256], fa[MODELIO_OPTIONS_MAX], fb[MODELIO_OPTIONS_MAX];
    enc_opts_default(&oa, enc);
    enc_opts_default(&ob, enc);
    if (opts_from_text(&oa, a, "", ea, sizeof ea) || opts_from_text(&ob, b, "", ea, sizeof ea)) return 0;
    if (oa.transpose == ENC_TRANSPOSE_C || ob.transpose == ENC_TRANSPOSE_C) return 0;
    oa.transpose = ob.transpose = ENC_TRANSPOSE_NONE;
    oa.augment_lo = ob.augment_lo = oa.augment_hi = ob.augment_hi = 0;
    enc_opts_format(&oa, enc, fa, sizeof fa);
    enc_opts_format(&ob, enc, fb, sizeof fb);
    return !strcmp(fa, fb);
}

/* --export-midi: the split's pieces decoded by the model's encoding, as the
 * model sees them (tools/mgeval.py compares generated music with these). */
static int export_split(train_dataset *d, int frames, const char *enc, const char *opts, const vocab *mv, int split,
                        const char *dir, char *err, size_t errlen) {
    const char *sname = split < 0 ? "all" : split == 0 ? "train" : split == 1 ? "valid" : "test";
    size_t written = 0;
    int rc;
    if (frames) {
        rc = export_midi_split(d->enc, NULL, split < 0 ? &d->corpus.frames : &d->frame_split[split], dir, &written, err,
                               errlen);
    } else {
        if ((rc = train_dataset_remap(d, mv, err, errlen))) return rc == LJ_ERR_RANGE ? LJ_ERR_ARG : rc;
        /* The decoder needs an encoding that owns a copy of the model's vocabulary. */
        uint8_t *blob = NULL;
        size_t len = 0;
        vocab *copy = NULL;
        encoding *e = NULL;
        if (vocab_save(mv, &blob, &len)) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        rc = vocab_load(blob, len, "the model's vocabulary", &copy, err, errlen);
        free(blob);
        if (rc) return rc;
        if ((rc = enc_create_for_model(enc, opts, strlen(opts), copy, &e, err, errlen))) return rc;
        rc = export_midi_split(e, split < 0 ? &d->corpus.pieces : &d->split[split], NULL, dir, &written, err, errlen);
        enc_destroy(e);
    }
    if (!rc) printf("wrote %zu MIDI files of the %s split to %s/\n", written, sname, dir);
    return rc;
}

int cmd_eval(int argc, char **argv) {
    if (eval_sets_wanted(argc, argv)) return eval_sets_main(argc, argv); /* generated vs reference: MGEval */
    if (eval_abc_wanted(argc, argv)) return eval_abc_main(argc, argv);   /* ABC tunes: readers, abc2midi */
    const char *model_path = NULL, *split_name = NULL, *export_dir = NULL;
    const char **data = calloc((size_t)argc + 1, sizeof *data);
    const char **model_paths = calloc((size_t)argc + 1, sizeof *model_paths);
    lj_model **ms = calloc((size_t)argc + 1, sizeof *ms);
    int n_data = 0, n_models = 0, json = 0, quiet = 0;
    long seq_len = 0, batch = 0, batches = 0, threads = 0;
    int *shift_lo = calloc((size_t)argc + 1, sizeof *shift_lo), *shift_hi = calloc((size_t)argc + 1, sizeof *shift_hi);
    int transposed = 0;
    if (!shift_lo || !shift_hi) {
        free(shift_lo);
        free(shift_hi);
        shift_lo = shift_hi = NULL; /* reported below with the other arrays */
        free(data);
        data = NULL;
    }
    if (!data || !model_paths || !ms) {
        free(model_paths);
        free(ms);
        free(shift_lo);
        free(shift_hi);
        cli_error("out of memory");
        return LJ_EXIT_FAIL;
    }
    int code = LJ_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            free(data);
            free(model_paths);
            free(ms);
            free(shift_lo);
            free(shift_hi);
            return LJ_EXIT_OK;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (!strcmp(a, "--data")) {
            while (i + 1 < argc && argv[i + 1][0] != '-') data[n_data++] = argv[++i];
            if (!n_data) {
                cli_error("--data needs a config, tokens file or music files");
                code = LJ_EXIT_BAD_INPUT;
            }
        } else if (a[0] != '-') {
            cli_error("unexpected argument '%s' (files go after --data; see lstmjam eval --help)", a);
            code = LJ_EXIT_BAD_INPUT;
        } else if (strcmp(a, "--model") && strcmp(a, "--split") && strcmp(a, "--seq-len") && strcmp(a, "--batch") &&
                   strcmp(a, "--batches") && strcmp(a, "--threads") && strcmp(a, "--export-midi") &&
                   strcmp(a, "--transpose-average")) {
            cli_error("unknown option '%s' (see lstmjam eval --help)", a);
            code = LJ_EXIT_BAD_INPUT;
        } else if (!v) {
            cli_error("%s needs a value (see lstmjam eval --help)", a);
            code = LJ_EXIT_BAD_INPUT;
        } else {
            i++;
            if (!strcmp(a, "--model")) model_path = model_paths[n_models++] = v;
            else if (!strcmp(a, "--split")) split_name = v;
            else if (!strcmp(a, "--export-midi")) export_dir = v;
            else if (!strcmp(a, "--transpose-average")) {
                if (!n_models || shift_lo[n_models - 1] || shift_hi[n_models - 1]) {
                    cli_error("--transpose-average %s: it applies to the --model just before it, %s", v,
                              n_models ? "which has one already" : "and there is none");
                    code = LJ_EXIT_BAD_INPUT;
                } else if (train_parse_shift_range(v, &shift_lo[n_models - 1], &shift_hi[n_models - 1])) {
                    cli_error("--transpose-average: expected LO:HI with -12 <= LO <= 0 <= HI <= 12, or N (0..12), "
                              "found '%s'", v);
                    code = LJ_EXIT_BAD_INPUT;
                }
                if (!code) transposed |= shift_lo[n_models - 1] || shift_hi[n_models - 1];
            }
            else if (!strcmp(a, "--seq-len")) seq_len = cli_parse_long(a, v, 1, 100000);
            else if (!strcmp(a, "--batch")) batch = cli_parse_long(a, v, 1, 4096);
            else if (!strcmp(a, "--batches")) batches = cli_parse_long(a, v, 1, 1000000000L);
            else threads = cli_parse_long(a, v, 1, 256);
            if (seq_len < 0 || batch < 0 || batches < 0 || threads < 0) code = LJ_EXIT_BAD_INPUT;
        }
        if (code) {
            free(data);
            free(model_paths);
            free(ms);
            free(shift_lo);
            free(shift_hi);
            return code;
        }
    }
    if (!model_path || !n_data) {
        cli_error("eval needs --model and --data (see lstmjam eval --help)");
        free(data);
        free(model_paths);
        free(ms);
        free(shift_lo);
        free(shift_hi);
        return LJ_EXIT_BAD_INPUT;
    }
    int split = -1; /* -1: all pieces */
    if (split_name) {
        static const char *const names[] = {"train", "valid", "test", "all"};
        int k = 0;
        while (k < 4 && strcmp(split_name, names[k])) k++;
        if (k == 4) {
            cli_error("--split: expected train, valid, test or all, found '%s'", split_name);
            free(data);
            free(model_paths);
            free(ms);
            free(shift_lo);
            free(shift_hi);
            return LJ_EXIT_BAD_INPUT;
        }
        split = k == 3 ? -1 : k;
    }

    char err[2048] = "", enc[MODELIO_ENCODING_MAX], opts[MODELIO_OPTIONS_MAX];
    lj_model *m = NULL;
    vocab *mv = NULL;
    lj_acts *acts = NULL;
    int32_t *x = NULL, *y = NULL;
    train_dataset d;
    memset(&d, 0, sizeof d);
    train_config cfg;
    train_config_default(&cfg);
    model_path = model_paths[0];
    int rc = modelio_load_encoded(model_path, &m, enc, opts, sizeof opts, &mv, err, sizeof err);
    if (rc) goto done;
    ms[0] = m;
    const lj_model_config *mc = lj_model_get_config(m);
    int frames = mc->input_kind == LJ_INPUT_DENSE;
    if ((n_models > 1 || transposed) && !frames) {
        rc = lj_fail(err, sizeof err, LJ_ERR_ARG, "%s: an ensemble (several --model, --transpose-average) is for "
                     "pianoroll models with Bernoulli heads; this one reads tokens", model_path);
        goto done;
    }
    for (int i = 1; i < n_models; i++) { /* the ensemble's other models: the same encoding and options */
        char enc_i[MODELIO_ENCODING_MAX], opts_i[MODELIO_OPTIONS_MAX];
        if ((rc = modelio_load_encoded(model_paths[i], &ms[i], enc_i, opts_i, sizeof opts_i, NULL, err, sizeof err)))
            goto done;
        if (strcmp(enc_i, enc) || !same_eval_frames(enc, opts, opts_i)) {
            rc = lj_fail(err, sizeof err, LJ_ERR_ARG, "%s: %s (%s), but %s is %s (%s): an ensemble's models read the "
                         "same frames (options may differ only in transpose none/augment and augment)",
                         model_paths[i], enc_i, opts_i, model_path, enc, opts);
            goto done;
        }
    }
    if (!frames && (!mv || mc->heads[0].kind != LJ_HEAD_SOFTMAX)) {
        rc = lj_fail(err, sizeof err, LJ_ERR_UNSUPPORTED,
                     "%s: eval scores token models (a vocabulary and a softmax head); this one reads %s", model_path,
                     mc->input_kind == LJ_INPUT_DENSE ? "float frames" : "no vocabulary");
        goto done;
    }
    if (!enc[0]) snprintf(enc, sizeof enc, "chars"); /* the only encoding before names were stored */
    const char *data_label = data[0];
    int from_config = n_data == 1 && is_config(data[0]);
    char cache_dir[TRAIN_PATH_MAX + 16];
    train_dataset_opts dopts = {quiet || json, NULL};
    if (from_config) {
        if ((rc = train_config_load(data[0], &cfg, err, sizeof err))) goto done;
        if (!split_name) split = TRAIN_SPLIT_VALID;
        char cfg_opts[MODELIO_OPTIONS_MAX] = "";
        if (strcmp(cfg.encoding, "chars")) enc_opts_format(&cfg.enc_opts, cfg.encoding, cfg_opts, sizeof cfg_opts);
        if (strcmp(cfg.encoding, enc) || strcmp(cfg_opts, opts)) {
            rc = lj_fail(err, sizeof err, LJ_ERR_ARG,
                         "%s: the model reads %s tokens (%s), the config encodes %s (%s): not the model's data",
                         data[0], enc, opts[0] ? opts : "no options", cfg.encoding, cfg_opts[0] ? cfg_opts : "no options");
            goto done;
        }
        if (cfg.cache) {
            train_dataset_cache_dir(cfg.run_dir, cache_dir, sizeof cache_dir);
            dopts.cache_dir = cache_dir;
        }
    } else {
        snprintf(cfg.encoding, sizeof cfg.encoding, "%s", enc);
        if (strcmp(enc, "chars")) {
            enc_opts_default(&cfg.enc_opts, enc);
            if ((rc = opts_from_text(&cfg.enc_opts, opts, model_path, err, sizeof err))) goto done;
        }
        if (n_data > TRAIN_MAX_DATA) {
            rc = lj_fail(err, sizeof err, LJ_ERR_LIMIT, "--data: at most %d files or folders", TRAIN_MAX_DATA);
            goto done;
        }
        for (int k = 0; k < n_data; k++) {
            if (is_config(data[k])) {
                rc = lj_fail(err, sizeof err, LJ_ERR_ARG, "--data: a config (%s) must be the only data argument", data[k]);
                goto done;
            }
            snprintf(cfg.data[k].path, sizeof cfg.data[k].path, "%s", data[k]);
            cfg.data[k].weight = 1.0;
            cfg.data[k].recursive = 1;
        }
        cfg.n_data = n_data;
        cfg.seq_len = 100;
        cfg.batch = 32;
        cfg.threads = 1;
    }
    if (seq_len) cfg.seq_len = (int)seq_len;
    if (batch) cfg.batch = (int)batch;
    if (threads) cfg.threads = (int)threads;
#if LJ_HAVE_BLAS
    openblas_set_num_threads(cfg.threads);
#endif
    lj_set_threads(cfg.threads);
    if ((rc = train_dataset_build(&cfg, &dopts, &d, err, sizeof err))) goto done;
    if (export_dir) {
        rc = export_split(&d, frames, enc, opts, mv, split, export_dir, err, sizeof err);
        goto done;
    }
    if (frames) {
        rc = eval_frames(ms, n_models, model_paths, shift_lo, shift_hi, enc, opts, data_label, &d, split, batches, json,
                         err, sizeof err);
        goto done;
    }
    if ((rc = train_dataset_remap(&d, mv, err, sizeof err))) {
        if (rc == LJ_ERR_RANGE) {
            rc = LJ_ERR_ARG;
            if (!from_config) locate_unknown_token(data, n_data, mv, err, sizeof err);
        }
        goto done;
    }
    const tokset *set = split < 0 ? &d.corpus.pieces : &d.split[split];
    size_t pieces = split < 0 ? d.corpus.pieces.n_pieces : set->n_pieces;
    if (tokset_num_windows(set, cfg.seq_len) == 0) {
        rc = lj_fail(err, sizeof err, LJ_ERR_ARG, "%s: the %s split has %zu tokens, not one window of seq_len + 1 = %d",
                     data_label, split < 0 ? "all" : split == 0 ? "train" : split == 1 ? "valid" : "test", set->n_ids,
                     cfg.seq_len + 1);
        goto done;
    }
    if ((rc = lj_acts_create(&acts, m, cfg.batch, cfg.seq_len, err, sizeof err))) goto done;
    size_t tb = (size_t)cfg.batch * (size_t)cfg.seq_len;
    x = malloc(tb * sizeof *x);
    y = malloc(tb * sizeof *y);
    if (!x || !y) {
        rc = lj_fail(err, sizeof err, LJ_ERR_NOMEM, "out of memory");
        goto done;
    }
    train_eval ev;
    if ((rc = train_evaluate(m, acts, set, cfg.seq_len, cfg.batch, batches, x, y, &ev, err, sizeof err))) goto done;
    const char *sname = split < 0 ? "all" : split == 0 ? "train" : split == 1 ? "valid" : "test";
    double bits = ev.nll / log(2.0), ppl = exp(ev.nll);
    if (json) {
        cJSON *o = cJSON_CreateObject(), *heads = cJSON_CreateArray();
        cJSON_AddStringToObject(o, "model", model_path);
        cJSON_AddStringToObject(o, "encoding", enc);
        cJSON_AddStringToObject(o, "options", opts);
        cJSON_AddStringToObject(o, "data", data_label);
        cJSON_AddStringToObject(o, "split", sname);
        cJSON_AddNumberToObject(o, "pieces", (double)pieces);
        cJSON_AddNumberToObject(o, "tokens", (double)ev.tokens);
        cJSON_AddNumberToObject(o, "windows", (double)ev.windows);
        cJSON_AddNumberToObject(o, "seq_len", cfg.seq_len);
        cJSON_AddNumberToObject(o, "batch", cfg.batch);
        cJSON_AddNumberToObject(o, "nll", ev.nll);
        cJSON_AddNumberToObject(o, "bits", bits);
        cJSON_AddNumberToObject(o, "perplexity", ppl);
        cJSON_AddNumberToObject(o, "accuracy", ev.accuracy);
        for (int h = 0; h < ev.n_heads; h++) {
            cJSON *ho = cJSON_CreateObject();
            cJSON_AddStringToObject(ho, "name", mc->heads[h].name);
            cJSON_AddNumberToObject(ho, "nll", ev.head_nll[h]);
            cJSON_AddNumberToObject(ho, "loss_weight", mc->heads[h].loss_weight);
            cJSON_AddItemToArray(heads, ho);
        }
        cJSON_AddItemToObject(o, "heads", heads);
        char *text = cJSON_PrintUnformatted(o);
        if (text) printf("%s\n", text);
        free(text);
        cJSON_Delete(o);
    } else {
        printf("model %s: %s%s%s%s, vocabulary %zu\n", model_path, enc, opts[0] ? " (" : "", opts, opts[0] ? ")" : "",
               vocab_size(mv));
        printf("data %s, split %s: %zu pieces, %zu tokens scored in %zu windows of %d (batch %d)\n", data_label, sname,
               pieces, ev.tokens, ev.windows, cfg.seq_len, cfg.batch);
        printf("nll %.6f nats/token = %.6f bits/token, perplexity %.4f, accuracy %.4f\n", ev.nll, bits, ppl,
               ev.accuracy);
        for (int h = 0; h < ev.n_heads; h++)
            printf("head %s: %.6f nats/token (loss weight %g)\n", mc->heads[h].name, ev.head_nll[h],
                   (double)mc->heads[h].loss_weight);
    }
done:
    if (rc) {
        cli_error("%s", err);
        code = cli_exit_code(rc);
    }
    train_dataset_free(&d);
    lj_acts_destroy(acts);
    for (int i = 0; i < n_models; i++) lj_model_destroy(ms[i]);
    vocab_destroy(mv);
    free(x);
    free(y);
    free(data);
    free(model_paths);
    free(ms);
    free(shift_lo);
    free(shift_hi);
    return code;
}
