#include "dataset.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dataset_cache.h"
#include "files.h"
#include "score_io.h"
#include "textdata.h"

/* ---- corpus ------------------------------------------------------------------ */

void train_corpus_free(train_corpus *c) {
    tokset_free(&c->pieces);
    frameset_free(&c->frames);
    free(c->group);
    free(c->source);
    free(c->fixed_split);
    vocab_destroy(c->vocab);
    memset(c, 0, sizeof *c);
}

/* Labels the pieces from `first` to the end with group g, source s, split fixed. */
static int corpus_tag(train_corpus *c, size_t first, int32_t g, int32_t s, int8_t fixed) {
    size_t n = c->pieces.n_pieces;
    if (n > c->cap) {
        size_t cap = c->cap ? c->cap : 1024;
        while (cap < n) cap *= 2;
        int32_t *gr = realloc(c->group, cap * sizeof *gr);
        if (!gr) return LJ_ERR_NOMEM;
        c->group = gr;
        int32_t *so = realloc(c->source, cap * sizeof *so);
        if (!so) return LJ_ERR_NOMEM;
        c->source = so;
        int8_t *fs = realloc(c->fixed_split, cap);
        if (!fs) return LJ_ERR_NOMEM;
        c->fixed_split = fs;
        c->cap = cap;
    }
    for (size_t p = first; p < n; p++) {
        c->group[p] = g;
        c->source[p] = s;
        c->fixed_split[p] = fixed;
    }
    return LJ_OK;
}

int train_corpus_add(train_corpus *c, const int32_t *ids, size_t n, int32_t g, int32_t s, int8_t fixed) {
    size_t first = c->pieces.n_pieces;
    int rc = tokset_add(&c->pieces, ids, n);
    return rc ? rc : corpus_tag(c, first, g, s, fixed);
}

static vocab *vocab_copy(const vocab *v) {
    uint8_t *blob;
    size_t len;
    vocab *out = NULL;
    char err[64];
    if (vocab_save(v, &blob, &len)) return NULL;
    if (vocab_load(blob, len, "vocabulary", &out, err, sizeof err)) out = NULL;
    free(blob);
    return out;
}

/* ---- input files ------------------------------------------------------------- */

typedef enum file_kind { FILE_TEXT = 0, FILE_MUSIC, FILE_TOKENS } file_kind;

typedef struct input_file {
    char *path;        /* owned */
    int source;        /* index into cfg->data */
    file_kind kind;
    long long size;    /* bytes, for the cache key */
    long long mtime_ns;/* modification time, nanoseconds since the epoch */
} input_file;

typedef struct file_list {
    input_file *items;
    size_t n, cap;
} file_list;

static void free_files(file_list *l) {
    for (size_t i = 0; i < l->n; i++) free(l->items[i].path);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* What a file is for this encoding, or -1 when a folder walk skips it. */
static int kind_of(const char *path, int chars) {
    char ext[16];
    lj_file_ext(path, ext, sizeof ext);
    if (chars) return !strcmp(ext, "abc") || !strcmp(ext, "txt") ? FILE_TEXT : -1;
    if (!strcmp(ext, "txt")) return FILE_TOKENS;
    return score_format_of_path(path) != SCORE_FORMAT_UNKNOWN ? FILE_MUSIC : -1;
}

static int push_file(file_list *l, const char *path, int source, file_kind kind, const struct stat *st) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        input_file *p = realloc(l->items, cap * sizeof *p);
        if (!p) return LJ_ERR_NOMEM;
        l->items = p;
        l->cap = cap;
    }
    input_file *f = &l->items[l->n];
    if (!(f->path = strdup(path))) return LJ_ERR_NOMEM;
    f->source = source;
    f->kind = kind;
    f->size = (long long)st->st_size;
    f->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
    l->n++;
    return LJ_OK;
}

/* Adds path, or the files of folder path a walk keeps (sorted by name,
 * recursive, dot files skipped), so runs are repeatable. */
static int collect(file_list *l, const char *path, int source, int chars, int depth, int given, int recursive,
                   char *err, size_t errlen) {
    struct stat st;
    if (stat(path, &st) != 0) return lj_fail(err, errlen, LJ_ERR_ARG, "%s: no such file or folder", path);
    if (!S_ISDIR(st.st_mode)) {
        int kind = kind_of(path, chars);
        if (kind < 0 && !given) return LJ_OK;
        if (kind < 0)
            return lj_fail(err, errlen, LJ_ERR_UNSUPPORTED,
                           "%s: expected a music file (.mid .midi .smf .abc .krn .json) or a tokens file (.txt)", path);
        return push_file(l, path, source, (file_kind)kind, &st) ? lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory")
                                                                 : LJ_OK;
    }
    if (depth > 0 && !recursive) return LJ_OK;
    if (depth > 32) return lj_fail(err, errlen, LJ_ERR_LIMIT, "%s: folders nested deeper than 32", path);
    DIR *d = opendir(path);
    if (!d) return lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot open the folder: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = LJ_OK;
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **p = realloc(names, cap * sizeof *p);
            if (!p) rc = LJ_ERR_NOMEM;
            else names = p;
        }
        if (!rc && !(names[n++] = strdup(e->d_name))) rc = LJ_ERR_NOMEM;
    }
    closedir(d);
    if (rc) rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    else qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && !rc; i++) {
        char sub[4096];
        if ((size_t)snprintf(sub, sizeof sub, "%s/%s", path, names[i]) >= sizeof sub)
            rc = lj_fail(err, errlen, LJ_ERR_LIMIT, "%s/%s: path too long", path, names[i]);
        else rc = collect(l, sub, source, chars, depth + 1, 0, recursive, err, errlen);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

/* ---- the cache key ------------------------------------------------------------- */

static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) return LJ_ERR_ARG;
        if (*buf && *len + (size_t)n < *cap) {
            *len += (size_t)n;
            return LJ_OK;
        }
        size_t ncap = *cap ? *cap * 2 : 4096;
        while (ncap <= *len + (size_t)n) ncap *= 2;
        char *p = realloc(*buf, ncap);
        if (!p) return LJ_ERR_NOMEM;
        *buf = p;
        *cap = ncap;
    }
}

/* Everything the corpus depends on, as text (see dataset_cache.h). */
static int cache_key(const train_config *cfg, const encoding *e, const char *options, const file_list *files,
                     char **out) {
    char *k = NULL;
    size_t len = 0, cap = 0;
    int rc = append(&k, &len, &cap, "lstmjam-dataset %d\nencoding %s %d\noptions %s\n", DATASET_CACHE_VERSION,
                    cfg->encoding, e ? enc_code_version(e) : 0, options);
    if (!rc)
        rc = append(&k, &len, &cap, "read repeats=%d chords=%d jsb_step=%d\n", (int)cfg->read.abc.repeats,
                    cfg->read.abc.chords, cfg->read.jsb.step_ticks);
    for (size_t i = 0; i < files->n && !rc; i++)
        rc = append(&k, &len, &cap, "file %d %lld %lld %s\n", files->items[i].source, files->items[i].size,
                    files->items[i].mtime_ns, files->items[i].path);
    if (rc) {
        free(k);
        return rc;
    }
    *out = k;
    return LJ_OK;
}

void train_dataset_cache_dir(const char *run_dir, char *buf, size_t buflen) {
    const char *slash = strrchr(run_dir, '/');
    while (slash && slash > run_dir && slash[1] == 0) { /* "runs/x/": ignore the trailing slash */
        const char *p = slash - 1;
        while (p > run_dir && *p != '/') p--;
        slash = *p == '/' ? p : NULL;
    }
    if (!slash) snprintf(buf, buflen, ".cache");
    else snprintf(buf, buflen, "%.*s/.cache", (int)(slash - run_dir), run_dir);
}

static int mkdir_p(const char *path) {
    char buf[TRAIN_PATH_MAX + 64];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return LJ_ERR_IO;
        *p = '/';
    }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? LJ_ERR_IO : LJ_OK;
}

/* ---- progress -------------------------------------------------------------------- */

typedef struct progress {
    int quiet, tty;
    double t0, last; /* seconds (monotonic) */
} progress;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A line every 2 s (a terminal: rewritten in place every 0.2 s), so a corpus
 * of thousands of files shows it is moving. */
static void progress_show(progress *p, size_t done, size_t total, const train_corpus *c, int last) {
    if (p->quiet) return;
    double t = now_s();
    if (!last && t - p->last < (p->tty ? 0.2 : 2.0)) return;
    if (last && t - p->t0 < 2.0 && !p->tty) return; /* fast: only the summary line */
    p->last = t;
    fprintf(stderr, "%sencoding: %zu/%zu files, %zu pieces, %zu %s, %.1f s%s", p->tty ? "\r" : "", done,
            total, c->pieces.n_pieces, c->frames.dim ? c->frames.n_frames : c->pieces.n_ids,
            c->frames.dim ? "frames" : "tokens", t - p->t0, p->tty && !last ? "" : "\n");
    fflush(stderr);
}

/* ---- building the corpus ----------------------------------------------------------- */

/* The split a JSB chorale's title names ("train 12", "valid 3", "test 0"). */
static int8_t jsb_split_of(const score *s) {
    static const char *const names[3] = {"train ", "valid ", "test "};
    for (int8_t k = 0; k < 3; k++)
        if (!strncmp(s->title, names[k], strlen(names[k]))) return k;
    return -1;
}

/* A bad file must say which: messages from the readers and encoders name the
 * file; a score-level message names the tune. Range errors of the data are
 * bad input (exit 2), not the trainer's non-finite loss. */
static int data_error(int rc) { return rc == LJ_ERR_RANGE ? LJ_ERR_PARSE : rc; }

/* A frames file (lstmjam encode of a frame encoding): every line a piece and a
 * group of its own, like a line of a tokens file. */
static int read_frames_file(train_dataset *d, const input_file *f, char *err, size_t errlen) {
    uint8_t *text;
    size_t len;
    int rc = lj_file_read(f->path, &text, &len, err, errlen);
    if (rc) return rc;
    size_t p0 = d->corpus.frames.n_pieces, n0 = d->corpus.frames.n_frames;
    rc = enc_frames_parse(d->enc, (const char *)text, len, f->path, &d->corpus.frames, err, errlen);
    free(text);
    for (size_t p = p0; p < d->corpus.frames.n_pieces && !rc; p++) {
        int32_t id = (int32_t)p;
        rc = train_corpus_add(&d->corpus, &id, 1, (int32_t)d->corpus.n_groups++, f->source, -1);
        if (rc) rc = lj_fail(err, errlen, rc, "out of memory");
    }
    if (!rc) {
        d->corpus.stats.pieces += d->corpus.frames.n_pieces - p0;
        d->corpus.stats.frames += d->corpus.frames.n_frames - n0;
    }
    return rc;
}

static int read_tokens_file(train_dataset *d, const input_file *f, char *err, size_t errlen) {
    if (d->kind == TRAIN_DATA_FRAMES) return read_frames_file(d, f, err, errlen);
    uint8_t *text;
    size_t len;
    int rc = lj_file_read(f->path, &text, &len, err, errlen);
    if (rc) return rc;
    tokset part = {0};
    enc_tokens_header h;
    /* The first line alone first: a header of another encoding or other
     * options is named as such, rather than the first token this encoding
     * cannot read. (A file without a header: its first line's tokens, read
     * again below.) */
    const char *nl = memchr(text, '\n', len);
    rc = enc_tokens_parse_into(d->enc, (const char *)text, nl ? (size_t)(nl - (const char *)text) + 1 : len, f->path,
                               &part, &h, err, errlen);
    tokset_free(&part);
    if (!rc && h.present) {
        char opts[sizeof d->options];
        enc_opts_format(&h.opts, h.encoding[0] ? h.encoding : d->encoding, opts, sizeof opts);
        if (h.encoding[0] && strcmp(h.encoding, d->encoding))
            rc = lj_fail(err, errlen, LJ_ERR_ARG, "%s:1:1: the file holds %s tokens; the model or config reads %s tokens",
                         f->path, h.encoding, d->encoding);
        else if (strcmp(opts, d->options))
            rc = lj_fail(err, errlen, LJ_ERR_ARG,
                         "%s:1:1: the tokens were encoded with options '%s'; the model or config reads '%s' "
                         "(encode them with those options, or set a config's encoding_options to match)",
                         f->path, opts, d->options);
    }
    if (!rc) rc = enc_tokens_parse_into(d->enc, (const char *)text, len, f->path, &part, &h, err, errlen);
    free(text);
    for (size_t p = 0; p < part.n_pieces && !rc; p++) {
        rc = train_corpus_add(&d->corpus, part.ids + part.start[p], tokset_piece_len(&part, p),
                              (int32_t)d->corpus.n_groups++, f->source, -1);
        if (rc) rc = lj_fail(err, errlen, rc, "out of memory");
    }
    d->corpus.stats.pieces += part.n_pieces;
    d->corpus.stats.tokens += part.n_ids;
    tokset_free(&part);
    return rc;
}

/* An ABC book under abc source=text: its own text tokenised (every tune a
 * piece and a group), as lstmjam encode --source text writes it. */
static int read_abc_text(train_dataset *d, const input_file *f, char *err, size_t errlen) {
    uint8_t *text;
    size_t len;
    int rc = lj_file_read(f->path, &text, &len, err, errlen);
    if (rc) return rc;
    tokset part = {0};
    rc = enc_encode_text(d->enc, (const char *)text, len, f->path, 0, &part, &d->corpus.stats, err, errlen);
    free(text);
    for (size_t p = 0; p < part.n_pieces && !rc; p++) {
        rc = train_corpus_add(&d->corpus, part.ids + part.start[p], tokset_piece_len(&part, p),
                              (int32_t)d->corpus.n_groups++, f->source, -1);
        if (rc) rc = lj_fail(err, errlen, rc, "out of memory");
    }
    tokset_free(&part);
    return rc;
}

static int read_music_file(train_dataset *d, const train_config *cfg, const input_file *f, char *err,
                           size_t errlen) {
    if (cfg->enc_opts.abc_text && d->kind != TRAIN_DATA_FRAMES && score_format_of_path(f->path) == SCORE_FORMAT_ABC)
        return read_abc_text(d, f, err, errlen);
    score_book book = {0};
    score_read_opts ro = cfg->read;
    /* a JSB roll whose name states no grid is read on the encoding's grid, so
     * that `eval --data FILE.json` reads it as the model's training did */
    if (!ro.jsb_fallback_ticks && cfg->enc_opts.grid > 0 && cfg->enc_opts.grid <= JSB_MAX_STEP_TICKS)
        ro.jsb_fallback_ticks = (int)cfg->enc_opts.grid;
    int rc = score_read_file(f->path, &ro, &book, err, errlen);
    int is_jsb = score_format_of_path(f->path) == SCORE_FORMAT_JSB;
    for (size_t k = 0; k < book.n && !rc; k++) {
        score *s = book.items[k];
        if (!s->source[0]) snprintf(s->source, sizeof s->source, "%s", f->path);
        size_t first = d->corpus.pieces.n_pieces;
        if (d->kind == TRAIN_DATA_FRAMES) { /* the frames, then one id per new piece */
            size_t p0 = d->corpus.frames.n_pieces;
            rc = enc_encode_frames(d->enc, s, &d->corpus.frames, &d->corpus.stats, err, errlen);
            for (size_t p = p0; p < d->corpus.frames.n_pieces && !rc; p++) {
                int32_t id = (int32_t)p;
                rc = tokset_add(&d->corpus.pieces, &id, 1);
            }
        } else {
            rc = enc_encode(d->enc, s, &d->corpus.pieces, &d->corpus.stats, err, errlen);
        }
        if (!rc) rc = corpus_tag(&d->corpus, first, (int32_t)d->corpus.n_groups++, f->source,
                                 is_jsb ? jsb_split_of(s) : -1);
        if (rc == LJ_ERR_NOMEM) lj_fail(err, errlen, rc, "out of memory");
    }
    score_book_clear(&book);
    return rc;
}

/* The chars corpus: textdata reads the text files (every tune is a group). */
static int build_chars(train_dataset *d, const train_config *cfg, char *err, size_t errlen) {
    textdata td;
    int rc = textdata_load(cfg, &td, &d->corpus.vocab, err, errlen);
    if (rc) return rc;
    d->corpus.n_files = td.n_files;
    for (size_t p = 0; p < td.pieces.n_pieces && !rc; p++)
        rc = train_corpus_add(&d->corpus, td.pieces.ids + td.pieces.start[p], tokset_piece_len(&td.pieces, p),
                              (int32_t)p, td.source_of[p], -1);
    d->corpus.n_groups = td.pieces.n_pieces;
    textdata_free(&td);
    if (rc) rc = lj_fail(err, errlen, rc, "out of memory");
    return rc;
}

static int build_music(train_dataset *d, const train_config *cfg, const file_list *files, int quiet, char *err,
                       size_t errlen) {
    progress pr = {quiet, isatty(fileno(stderr)), now_s(), now_s()};
    int rc = LJ_OK;
    for (size_t i = 0; i < files->n && !rc; i++) {
        const input_file *f = &files->items[i];
        rc = f->kind == FILE_TOKENS ? read_tokens_file(d, f, err, errlen) : read_music_file(d, cfg, f, err, errlen);
        d->corpus.n_files++;
        progress_show(&pr, i + 1, files->n, &d->corpus, 0);
    }
    if (rc) return data_error(rc);
    progress_show(&pr, files->n, files->n, &d->corpus, 1);
    tokset *sets[1] = {&d->corpus.pieces};
    if ((rc = enc_finish_vocab(d->enc, sets, 1))) return lj_fail(err, errlen, rc, "building the vocabulary: %s", lj_strerror(rc));
    if (!(d->corpus.vocab = vocab_copy(enc_vocab(d->enc)))) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    return LJ_OK;
}

/* ---- split and weights --------------------------------------------------------------- */

/* First piece of every group that has pieces: starts[g_idx] (n_groups + 1
 * entries, the last = n_pieces). */
static size_t group_starts(const train_corpus *c, size_t *starts) {
    size_t n = 0;
    for (size_t p = 0; p < c->pieces.n_pieces; p++)
        if (p == 0 || c->group[p] != c->group[p - 1]) starts[n++] = p;
    starts[n] = c->pieces.n_pieces;
    return n;
}

static int add_group(tokset *to, const train_corpus *c, const size_t *starts, size_t g) {
    int rc = LJ_OK;
    for (size_t p = starts[g]; p < starts[g + 1] && !rc; p++)
        rc = tokset_add(to, c->pieces.ids + c->pieces.start[p], tokset_piece_len(&c->pieces, p));
    return rc;
}

int train_dataset_split(const train_corpus *c, const train_config *cfg, tokset split[3], size_t split_groups[3]) {
    size_t np = c->pieces.n_pieces;
    size_t *starts = malloc((np + 1) * sizeof *starts);
    unsigned char *side = malloc(np ? np : 1);
    int *extra = calloc(np ? np : 1, sizeof *extra);
    tokset idx = {0}, part[3] = {{0}};
    int rc = !starts || !side || !extra ? LJ_ERR_NOMEM : LJ_OK;
    size_t ng = rc ? 0 : group_starts(c, starts);
    /* Groups without a split of their own, shuffled by tokset_split (one id each). */
    for (size_t g = 0; g < ng && !rc; g++) {
        int8_t fixed = c->fixed_split[starts[g]];
        side[g] = fixed >= 0 ? (unsigned char)fixed : 0;
        int32_t id = (int32_t)g;
        if (fixed < 0) rc = tokset_add(&idx, &id, 1);
    }
    if (!rc) rc = tokset_split(&idx, cfg->valid_frac, cfg->test_frac, (uint64_t)cfg->split_seed, &part[0], &part[1], &part[2]);
    for (int k = 0; k < 3 && !rc; k++)
        for (size_t i = 0; i < part[k].n_ids; i++) side[part[k].ids[i]] = (unsigned char)k;
    /* The fraction of a weight: a seeded choice of round(frac * n) of the
     * source's n train groups, each drawn once more. */
    for (int s = 0; s < cfg->n_data && !rc; s++) {
        double w = cfg->data[s].weight, frac = w - floor(w);
        if (frac <= 0) continue;
        size_t n = 0;
        for (size_t g = 0; g < ng; g++)
            if (side[g] == 0 && c->source[starts[g]] == s) n++;
        size_t *mine = malloc((n ? n : 1) * sizeof *mine);
        if (!mine) {
            rc = LJ_ERR_NOMEM;
            break;
        }
        n = 0;
        for (size_t g = 0; g < ng; g++)
            if (side[g] == 0 && c->source[starts[g]] == s) mine[n++] = g;
        lj_rng rng;
        lj_rng_seed(&rng, (uint64_t)cfg->split_seed * 1000003u + (uint64_t)s + 17);
        size_t k = (size_t)llround(frac * (double)n);
        for (size_t i = 0; i < k; i++) { /* partial Fisher-Yates: mine[0..k) is the choice */
            size_t j = i + (size_t)(lj_rng_u64(&rng) % (n - i));
            size_t t = mine[i];
            mine[i] = mine[j];
            mine[j] = t;
            extra[mine[i]] = 1;
        }
        free(mine);
    }
    /* augment: valid and test score the untransposed piece, the group's first */
    int first_only = cfg->enc_opts.transpose == ENC_TRANSPOSE_AUGMENT;
    for (int k = 0; k < 3; k++) split_groups[k] = 0;
    for (size_t g = 0; g < ng && !rc; g++) {
        int k = side[g];
        split_groups[k]++;
        if (k != TRAIN_SPLIT_TRAIN && first_only) {
            rc = tokset_add(&split[k], c->pieces.ids + c->pieces.start[starts[g]],
                            tokset_piece_len(&c->pieces, starts[g]));
            continue;
        }
        int copies = k == 0 ? (int)floor(cfg->data[c->source[starts[g]]].weight) + extra[g] : 1;
        for (int r = 0; r < copies && !rc; r++) rc = add_group(&split[k], c, starts, g);
    }
    tokset_free(&idx);
    for (int k = 0; k < 3; k++) tokset_free(&part[k]);
    free(starts);
    free(side);
    free(extra);
    if (rc) for (int k = 0; k < 3; k++) tokset_free(&split[k]);
    return rc;
}

/* ---- the dataset ------------------------------------------------------------------------ */

void train_dataset_free(train_dataset *d) {
    enc_destroy(d->enc);
    train_corpus_free(&d->corpus);
    for (int k = 0; k < 3; k++) {
        tokset_free(&d->split[k]);
        frameset_free(&d->frame_split[k]);
    }
    memset(d, 0, sizeof *d);
}

const vocab *train_dataset_vocab(const train_dataset *d) { return d->corpus.vocab; }

int train_dataset_build(const train_config *cfg, const train_dataset_opts *o, train_dataset *d, char *err,
                        size_t errlen) {
    memset(d, 0, sizeof *d);
    d->kind = TRAIN_DATA_TOKENS;
    snprintf(d->encoding, sizeof d->encoding, "%s", cfg->encoding);
    int chars = !strcmp(cfg->encoding, "chars");
    int rc = LJ_OK;
    if (!chars) {
        if ((rc = enc_create(cfg->encoding, &cfg->enc_opts, &d->enc, err, errlen))) goto fail;
        if (enc_kind_of(d->enc) == ENC_KIND_FRAMES) {
            d->kind = TRAIN_DATA_FRAMES;
            frameset_init(&d->corpus.frames, enc_frame_dim(d->enc));
            for (int k = 0; k < 3; k++) frameset_init(&d->frame_split[k], enc_frame_dim(d->enc));
        }
        if ((rc = enc_opts_format(&cfg->enc_opts, cfg->encoding, d->options, sizeof d->options))) {
            rc = lj_fail(err, errlen, rc, "encoding options too long");
            goto fail;
        }
    }
    file_list files = {0};
    for (int s = 0; s < cfg->n_data && !rc; s++) rc = collect(&files, cfg->data[s].path, s, chars, 0, 1, cfg->data[s].recursive, err, errlen);
    if (!rc && files.n == 0)
        rc = lj_fail(err, errlen, LJ_ERR_ARG, "%s: no %s files found", cfg->n_data ? cfg->data[0].path : "data",
                     chars ? ".abc or .txt" : "music (.mid .abc .krn .json) or tokens/frames (.txt)");
    char *key = NULL;
    if (!rc && o->cache_dir) {
        if ((rc = cache_key(cfg, d->enc, d->options, &files, &key))) rc = lj_fail(err, errlen, rc, "out of memory");
        else
            snprintf(d->cache_path, sizeof d->cache_path, "%s/%016llx.ljds", o->cache_dir,
                     (unsigned long long)dataset_cache_hash(key, strlen(key)));
    }
    if (!rc && key) {
        char why[512];
        int lr = dataset_cache_load(d->cache_path, key, cfg->n_data, &d->corpus, why, sizeof why);
        size_t want_dim = d->kind == TRAIN_DATA_FRAMES ? enc_frame_dim(d->enc) : 0;
        if (lr == LJ_OK && d->corpus.frames.dim != want_dim) {
            snprintf(why, sizeof why, "%.400s: frames of %zu values, the encoding's are %zu", d->cache_path,
                     d->corpus.frames.dim, want_dim);
            train_corpus_free(&d->corpus);
            lr = LJ_ERR_PARSE;
        }
        if (lr == LJ_OK && d->enc) {
            vocab *v = vocab_copy(d->corpus.vocab);
            lr = v ? enc_set_vocab(d->enc, v, why, sizeof why) : LJ_ERR_NOMEM;
            if (lr) train_corpus_free(&d->corpus);
        }
        if (lr == LJ_OK) d->cache_hit = 1;
        else if (lr != LJ_ERR_IO && !o->quiet)
            fprintf(stderr, "lstmjam: warning: dataset cache entry not used, rebuilding it: %s\n", why);
        if (lr && d->enc) { /* a failed enc_set_vocab leaves an encoding to rebuild */
            enc_destroy(d->enc);
            d->enc = NULL;
            rc = enc_create(cfg->encoding, &cfg->enc_opts, &d->enc, err, errlen);
            if (!rc && d->kind == TRAIN_DATA_FRAMES) frameset_init(&d->corpus.frames, want_dim); /* emptied by the load */
        }
    }
    if (!rc && !d->cache_hit) {
        rc = chars ? build_chars(d, cfg, err, errlen) : build_music(d, cfg, &files, o->quiet, err, errlen);
        if (!rc && key) {
            char why[512];
            if (mkdir_p(o->cache_dir) != LJ_OK ||
                dataset_cache_save(d->cache_path, key, &d->corpus, why, sizeof why) != LJ_OK) {
                if (!o->quiet) fprintf(stderr, "lstmjam: warning: cannot write the dataset cache in %s\n", o->cache_dir);
                d->cache_path[0] = 0;
            }
        }
    }
    free(key);
    free_files(&files);
    if (rc) goto fail;
    if ((rc = train_dataset_split(&d->corpus, cfg, d->split, d->split_groups))) {
        rc = lj_fail(err, errlen, rc, "splitting the data: %s", lj_strerror(rc));
        goto fail;
    }
    for (int k = 0; k < 3 && d->kind == TRAIN_DATA_FRAMES && !rc; k++)
        for (size_t i = 0; i < d->split[k].n_ids && !rc; i++) {
            size_t p = (size_t)d->split[k].ids[i];
            rc = frameset_add(&d->frame_split[k], frameset_piece(&d->corpus.frames, p),
                              frameset_piece_len(&d->corpus.frames, p));
        }
    if (rc) {
        rc = lj_fail(err, errlen, rc, "splitting the frames: %s", lj_strerror(rc));
        goto fail;
    }
    return LJ_OK;
fail:
    train_dataset_free(d);
    return rc;
}

int train_dataset_remap(train_dataset *d, const vocab *v, char *err, size_t errlen) {
    const vocab *from = d->corpus.vocab;
    size_t n = vocab_size(from);
    int32_t *map = malloc((n ? n : 1) * sizeof *map);
    if (!map) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *name = vocab_name(from, (int32_t)i, &len);
        map[i] = vocab_find(v, name, len);
    }
    tokset *sets[4] = {&d->corpus.pieces, &d->split[0], &d->split[1], &d->split[2]};
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < sets[k]->n_ids; i++) {
            int32_t id = sets[k]->ids[i];
            if (map[id] < 0) {
                size_t len;
                const char *name = vocab_name(from, id, &len);
                int rc = lj_fail(err, errlen, LJ_ERR_RANGE, "the data holds the token '%.*s', which the model's vocabulary lacks",
                                 (int)len, name);
                free(map);
                return rc;
            }
        }
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < sets[k]->n_ids; i++) sets[k]->ids[i] = map[sets[k]->ids[i]];
    free(map);
    vocab *copy = vocab_copy(v); /* the ids now name v's tokens */
    if (!copy) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    vocab_destroy(d->corpus.vocab);
    d->corpus.vocab = copy;
    return LJ_OK;
}
