#include "eval_sets.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "eval_plot.h"
#include "files.h"
#include "music_paths.h"
#include "io/score_io.h"
#include "mgeval.h"

static const char *help =
    "usage: lstmjam eval --generated X... --reference Y... [options]\n"
    "\n"
    "Compares a set of generated pieces with a reference set (say, a model's\n"
    "pieces with its corpus's held-out test pieces: lstmjam eval --export-midi\n"
    "writes those) with the measures of MGEval (Yang and Lerch 2018), defined as\n"
    "tools/mgeval.py defines them. Per piece nine features: used pitches (PC),\n"
    "pitch-class histogram (PCH), pitch-class transition matrix (PCTM), pitch\n"
    "range (PR), mean absolute interval (PI), note count (NC), mean inter-onset\n"
    "interval in quarter notes (IOI), note-length histogram (NLH) and note-length\n"
    "transition matrix (NLTM). Per feature the Euclidean distances within the\n"
    "reference set (intra-set, every ordered pair) and from each reference piece\n"
    "to each generated piece (inter-set), their Gaussian densities (Scott's\n"
    "bandwidth), the overlap area of the two densities (1 = the generated pieces\n"
    "sit among the reference pieces as these sit among themselves) and the KL\n"
    "divergence KL(intra || inter). Per set, the pitch-class and note-length\n"
    "histograms of all notes and their overlap (1 = identical).\n"
    "\n"
    "X and Y are music files (.mid .abc .krn .json: every tune of a book is a\n"
    "piece) and folders (searched recursively); files are taken in sorted path\n"
    "order. Notes on MIDI channel 10 (drums) are left out; a piece with fewer than\n"
    "2 notes is skipped (and counted); each set needs 3 pieces.\n"
    "\n"
    "options:\n"
    "  --generated X...  the generated pieces (every argument up to the next option)\n"
    "  --reference Y...  the reference pieces\n"
    "  --max N           at most the first N pieces of each set\n"
    "  --json            print one JSON object instead of text\n"
    "  -o, --output FILE write that JSON object to FILE (atomically)\n"
    "  --plots DIR       write PNG plots to DIR (created if missing): FEATURE.png\n"
    "                    (the intra-set and inter-set densities) for each feature,\n"
    "                    pianoroll.png (a generated piece) and, with --run,\n"
    "                    loss.png\n"
    "  --roll K          the generated piece of pianoroll.png: the K-th (default 1)\n"
    "  --run DIR         a training run folder (or its metrics.jsonl) for loss.png\n"
    "  -q, --quiet       no reader warnings\n"
    "\n"
    "exit status: 0 done, 1 system error, 2 bad input or usage\n";

int eval_sets_wanted(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--generated") || !strcmp(argv[i], "--reference")) return 1;
    return 0;
}

/* ---- reading the sets ------------------------------------------------------ */

/* Whole paths in byte order: the sets' order, whatever folders they came from. */
static int cmp_path(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct piece_set {
    const char *what;      /* "generated" or "reference" */
    mgeval_piece *pieces;  /* n features */
    char **labels;         /* n owned names: the file, with "#N" for the N-th tune of a book */
    size_t n, cap;
    size_t files, skipped; /* files read; pieces with fewer than 2 notes */
    size_t notes;          /* notes of the kept pieces */
    double pitch_classes[12], length_classes[12]; /* counts over the kept pieces' notes */
    score_note *roll;      /* the notes of the roll_index-th piece (owned), else NULL */
    size_t n_roll, roll_index;
} piece_set;

static void set_free(piece_set *s) {
    for (size_t i = 0; i < s->n; i++) free(s->labels[i]);
    free(s->labels);
    free(s->pieces);
    free(s->roll);
}

static int set_push(piece_set *s, const char *label) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        mgeval_piece *p = realloc(s->pieces, cap * sizeof *p);
        if (!p) return LJ_ERR_NOMEM;
        s->pieces = p;
        char **l = realloc(s->labels, cap * sizeof *l);
        if (!l) return LJ_ERR_NOMEM;
        s->labels = l;
        s->cap = cap;
    }
    if (!(s->labels[s->n] = strdup(label))) return LJ_ERR_NOMEM;
    s->n++;
    return LJ_OK;
}

/* Reads the pieces of args (files and folders) into s, at most max (0: all). */
static int read_set(piece_set *s, const char **args, int n_args, size_t max, score_read_opts *o, char *err,
                    size_t errlen) {
    lj_path_list paths = {0};
    int rc = LJ_OK;
    for (int i = 0; i < n_args && !rc; i++) rc = lj_collect_music_files(&paths, args[i], err, errlen);
    if (!rc && paths.n) qsort(paths.items, paths.n, sizeof *paths.items, cmp_path);
    for (size_t f = 0; f < paths.n && !rc && !(max && s->n >= max); f++) {
        score_book book = {0};
        if ((rc = score_read_file(paths.items[f], o, &book, err, errlen))) {
            if (!strstr(err, paths.items[f])) { /* every reader names the file; make sure */
                char inner[1024];
                snprintf(inner, sizeof inner, "%s", err);
                lj_fail(err, errlen, rc, "%s: %s", paths.items[f], inner);
            }
        }
        s->files++;
        for (size_t b = 0; b < book.n && !rc && !(max && s->n >= max); b++) {
            score_note *notes = NULL;
            size_t n = 0;
            if ((rc = mgeval_notes(book.items[b], &notes, &n))) {
                rc = lj_fail(err, errlen, rc, "out of memory");
                break;
            }
            if (n < 2) {
                s->skipped++;
                free(notes);
                continue;
            }
            char label[4200];
            if (book.n > 1) snprintf(label, sizeof label, "%s#%zu", paths.items[f], b + 1);
            else snprintf(label, sizeof label, "%s", paths.items[f]);
            if ((rc = set_push(s, label))) {
                rc = lj_fail(err, errlen, rc, "out of memory");
                free(notes);
                break;
            }
            mgeval_piece_features(notes, n, &s->pieces[s->n - 1]);
            mgeval_hist_add(notes, n, s->pitch_classes, s->length_classes);
            s->notes += n;
            if (s->n == s->roll_index) {
                s->roll = notes;
                s->n_roll = n;
            } else {
                free(notes);
            }
        }
        score_book_clear(&book);
        free(book.items);
    }
    if (!rc && !paths.n) rc = lj_fail(err, errlen, LJ_ERR_ARG, "--%s: no music files found", s->what);
    if (!rc && s->n < 3)
        rc = lj_fail(err, errlen, LJ_ERR_ARG,
                     "--%s: %zu pieces of 2 notes or more in %zu files (%zu skipped); the comparison needs 3",
                     s->what, s->n, s->files, s->skipped);
    lj_path_list_free(&paths);
    return rc;
}

/* ---- output ------------------------------------------------------------------ */

static const char *const pitch_names[12] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};

static void print_text(const piece_set *ref, const piece_set *gen, const mgeval_result *res) {
    printf("reference: %zu pieces (%zu skipped) from %zu files, %zu notes; generated: %zu pieces (%zu skipped) "
           "from %zu files, %zu notes\n",
           ref->n, ref->skipped, ref->files, ref->notes, gen->n, gen->skipped, gen->files, gen->notes);
    printf("%-5s %10s %10s %10s %10s %8s %8s\n", "feat", "ref mean", "ref sd", "gen mean", "gen sd", "overlap",
           "KLD");
    for (int f = 0; f < MGEVAL_NUM_FEATURES; f++) {
        const mgeval_feature_result *r = &res->feature[f];
        printf("%-5s %10.3f %10.3f %10.3f %10.3f %8.3f %8.3f\n", mgeval_feature_name(f), r->ref_mean, r->ref_sd,
               r->gen_mean, r->gen_sd, r->overlap_area, r->kl_divergence);
    }
    printf("mean overlap area: %.3f\n", res->mean_overlap_area);
    printf("(vector features: mean and sd of each piece's distance to the reference mean)\n");
    printf("pitch classes (%%):  ");
    for (int k = 0; k < 12; k++) printf(" %5s", pitch_names[k]);
    for (int side = 0; side < 2; side++) {
        const piece_set *s = side ? gen : ref;
        printf("\n  %-17s", side ? "generated" : "reference");
        for (int k = 0; k < 12; k++) printf(" %5.1f", 100 * s->pitch_classes[k] / (double)s->notes);
    }
    printf("\n  histogram overlap %.3f\n", mgeval_hist_overlap(ref->pitch_classes, gen->pitch_classes));
    printf("note lengths (%%):   ");
    for (int k = 0; k < 12; k++) printf(" %5s", mgeval_length_class_name(k));
    for (int side = 0; side < 2; side++) {
        const piece_set *s = side ? gen : ref;
        printf("\n  %-17s", side ? "generated" : "reference");
        for (int k = 0; k < 12; k++) printf(" %5.1f", 100 * s->length_classes[k] / (double)s->notes);
    }
    printf("\n  histogram overlap %.3f\n", mgeval_hist_overlap(ref->length_classes, gen->length_classes));
}

static cJSON *json_histogram(const double counts[12], double total) {
    double v[12];
    for (int k = 0; k < 12; k++) v[k] = counts[k] / total;
    return cJSON_CreateDoubleArray(v, 12);
}

static cJSON *json_set(const piece_set *s) {
    cJSON *o = cJSON_CreateObject(), *pieces = cJSON_CreateArray();
    cJSON_AddNumberToObject(o, "files", (double)s->files);
    cJSON_AddNumberToObject(o, "pieces", (double)s->n);
    cJSON_AddNumberToObject(o, "skipped", (double)s->skipped);
    cJSON_AddNumberToObject(o, "notes", (double)s->notes);
    cJSON_AddItemToObject(o, "pitch_class_histogram", json_histogram(s->pitch_classes, (double)s->notes));
    cJSON_AddItemToObject(o, "note_length_histogram", json_histogram(s->length_classes, (double)s->notes));
    for (size_t i = 0; i < s->n; i++) {
        cJSON *p = cJSON_CreateObject(), *feats = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "file", s->labels[i]);
        for (int f = 0; f < MGEVAL_NUM_FEATURES; f++) {
            const double *v = s->pieces[i].v + mgeval_feature_offset(f);
            int dim = mgeval_feature_dim(f);
            cJSON_AddItemToObject(feats, mgeval_feature_name(f),
                                  dim == 1 ? cJSON_CreateNumber(v[0]) : cJSON_CreateDoubleArray(v, dim));
        }
        cJSON_AddItemToObject(p, "features", feats);
        cJSON_AddItemToArray(pieces, p);
    }
    cJSON_AddItemToObject(o, "piece_features", pieces);
    return o;
}

/* The whole comparison as one JSON object (NULL when out of memory). */
static char *json_text(const piece_set *ref, const piece_set *gen, const mgeval_result *res) {
    cJSON *o = cJSON_CreateObject(), *feats = cJSON_CreateArray(), *hist = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "measures", "MGEval (Yang and Lerch 2018), as tools/mgeval.py");
    cJSON_AddNumberToObject(o, "mean_overlap_area", res->mean_overlap_area);
    for (int f = 0; f < MGEVAL_NUM_FEATURES; f++) {
        const mgeval_feature_result *r = &res->feature[f];
        cJSON *fo = cJSON_CreateObject();
        cJSON_AddStringToObject(fo, "name", mgeval_feature_name(f));
        cJSON_AddNumberToObject(fo, "dim", mgeval_feature_dim(f));
        cJSON_AddNumberToObject(fo, "overlap_area", r->overlap_area);
        cJSON_AddNumberToObject(fo, "kl_divergence", r->kl_divergence);
        cJSON_AddNumberToObject(fo, "reference_mean", r->ref_mean);
        cJSON_AddNumberToObject(fo, "reference_sd", r->ref_sd);
        cJSON_AddNumberToObject(fo, "generated_mean", r->gen_mean);
        cJSON_AddNumberToObject(fo, "generated_sd", r->gen_sd);
        cJSON_AddNumberToObject(fo, "intra_bandwidth", mgeval_kde_bandwidth(r->intra, r->n_intra));
        cJSON_AddNumberToObject(fo, "inter_bandwidth", mgeval_kde_bandwidth(r->inter, r->n_inter));
        cJSON_AddItemToObject(fo, "intra_distances", cJSON_CreateDoubleArray(r->intra, (int)r->n_intra));
        cJSON_AddItemToObject(fo, "inter_distances", cJSON_CreateDoubleArray(r->inter, (int)r->n_inter));
        cJSON_AddItemToArray(feats, fo);
    }
    cJSON_AddItemToObject(o, "features", feats);
    cJSON_AddNumberToObject(hist, "pitch_class_overlap", mgeval_hist_overlap(ref->pitch_classes, gen->pitch_classes));
    cJSON_AddNumberToObject(hist, "note_length_overlap",
                            mgeval_hist_overlap(ref->length_classes, gen->length_classes));
    cJSON_AddItemToObject(o, "set_histograms", hist);
    cJSON_AddItemToObject(o, "reference", json_set(ref));
    cJSON_AddItemToObject(o, "generated", json_set(gen));
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

static int write_plots(const char *dir, const piece_set *gen, const mgeval_result *res, const char *run, char *err,
                       size_t errlen) {
    struct stat st;
    if (stat(dir, &st) != 0 && mkdir(dir, 0777) != 0)
        return lj_fail(err, errlen, LJ_ERR_IO, "--plots: cannot create %s: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return lj_fail(err, errlen, LJ_ERR_ARG, "--plots: %s is not a folder", dir);
    char path[4200];
    int rc = LJ_OK;
    if (run) { /* first: the only plot bad input can stop, so nothing is written then */
        char metrics[4200];
        if (stat(run, &st) == 0 && S_ISDIR(st.st_mode)) snprintf(metrics, sizeof metrics, "%s/metrics.jsonl", run);
        else snprintf(metrics, sizeof metrics, "%s", run);
        snprintf(path, sizeof path, "%s/loss.png", dir);
        rc = eval_plot_losses(path, metrics, err, errlen);
    }
    for (int f = 0; f < MGEVAL_NUM_FEATURES && !rc; f++) {
        const mgeval_feature_result *r = &res->feature[f];
        snprintf(path, sizeof path, "%s/%s.png", dir, mgeval_feature_name(f));
        rc = eval_plot_kde(path, mgeval_feature_name(f), r->intra, r->n_intra, r->inter, r->n_inter, r->overlap_area,
                           r->kl_divergence, err, errlen);
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/pianoroll.png", dir);
        char title[600];
        snprintf(title, sizeof title, "generated piece %zu: %s", gen->roll_index,
                 lj_file_base(gen->labels[gen->roll_index - 1]));
        rc = eval_plot_pianoroll(path, title, gen->roll, gen->n_roll, err, errlen);
    }
    return rc;
}

/* ---- the command ------------------------------------------------------------- */

int eval_sets_main(int argc, char **argv) {
    const char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args) {
        cli_error("out of memory");
        return LJ_EXIT_FAIL;
    }
    const char **gen_args = args, **ref_args = NULL;
    int n_gen = 0, n_ref = 0, json = 0, quiet = 0, code = LJ_EXIT_OK;
    const char *out_path = NULL, *plots = NULL, *run = NULL;
    long max = 0, roll = 1;
    /* gen_args and ref_args share args: generated from the front, reference after them */
    const char **next = args;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(help, stdout);
            free(args);
            return LJ_EXIT_OK;
        }
    for (int i = 1; i < argc && !code; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--generated") || !strcmp(a, "--reference")) {
            int gen = a[2] == 'g', *count = gen ? &n_gen : &n_ref;
            if (*count) {
                cli_error("%s given twice", a);
                code = LJ_EXIT_BAD_INPUT;
                break;
            }
            if (gen) gen_args = next;
            else ref_args = next;
            while (i + 1 < argc && argv[i + 1][0] != '-') {
                *next++ = argv[++i];
                (*count)++;
            }
            if (!*count) {
                cli_error("%s needs files or folders", a);
                code = LJ_EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (strcmp(a, "-o") && strcmp(a, "--output") && strcmp(a, "--plots") && strcmp(a, "--max") &&
                   strcmp(a, "--roll") && strcmp(a, "--run")) {
            cli_error(a[0] == '-' ? "unknown option '%s' with --generated/--reference (see lstmjam eval --generated --help)"
                                  : "unexpected argument '%s' (files go after --generated or --reference)",
                      a);
            code = LJ_EXIT_BAD_INPUT;
        } else if (!v) {
            cli_error("%s needs a value (see lstmjam eval --generated --help)", a);
            code = LJ_EXIT_BAD_INPUT;
        } else {
            i++;
            if (!strcmp(a, "--plots")) plots = v;
            else if (!strcmp(a, "--run")) run = v;
            else if (!strcmp(a, "--max")) code = (max = cli_parse_long(a, v, 3, 1000000)) < 0 ? LJ_EXIT_BAD_INPUT : 0;
            else if (!strcmp(a, "--roll")) code = (roll = cli_parse_long(a, v, 1, 1000000)) < 0 ? LJ_EXIT_BAD_INPUT : 0;
            else out_path = v;
        }
    }
    if (!code && (!n_gen || !n_ref)) {
        cli_error("a set comparison needs --generated and --reference (see lstmjam eval --generated --help)");
        code = LJ_EXIT_BAD_INPUT;
    }
    if (!code && run && !plots) {
        cli_error("--run draws loss.png into the --plots folder: give --plots too");
        code = LJ_EXIT_BAD_INPUT;
    }
    if (code) {
        free(args);
        return code;
    }
    char err[2048] = "";
    cli_warnings warnings = {quiet, 0, 0};
    score_read_opts o;
    score_read_opts_default(&o);
    o.warn = cli_warn;
    o.warn_user = &warnings;
    piece_set ref = {.what = "reference"}, gen = {.what = "generated", .roll_index = (size_t)roll};
    mgeval_result res = {0};
    char *text = NULL;
    int rc = read_set(&gen, gen_args, n_gen, (size_t)max, &o, err, sizeof err);
    if (!rc) rc = read_set(&ref, ref_args, n_ref, (size_t)max, &o, err, sizeof err);
    cli_warn_summary(&warnings);
    if (!rc && (size_t)roll > gen.n)
        rc = lj_fail(err, sizeof err, LJ_ERR_ARG, "--roll %ld: the generated set has %zu pieces", roll, gen.n);
    if (!rc && mgeval_compare(ref.pieces, ref.n, gen.pieces, gen.n, &res))
        rc = lj_fail(err, sizeof err, LJ_ERR_NOMEM, "out of memory");
    if (!rc && (json || out_path) && !(text = json_text(&ref, &gen, &res)))
        rc = lj_fail(err, sizeof err, LJ_ERR_NOMEM, "out of memory");
    /* plots before the JSON file: a failed plot leaves no JSON claiming a whole run */
    if (!rc && plots) rc = write_plots(plots, &gen, &res, run, err, sizeof err);
    if (!rc && out_path) rc = lj_file_write_atomic(out_path, text, strlen(text), err, sizeof err);
    if (!rc) {
        if (json) printf("%s\n", text);
        else print_text(&ref, &gen, &res);
    }
    if (rc) {
        cli_error("%s", err);
        code = cli_exit_code(rc);
    }
    free(text);
    mgeval_result_free(&res);
    set_free(&ref);
    set_free(&gen);
    free(args);
    return code;
}
