/* enc_core: the common layer of the encodings: lookup by name, options, the
 * vocabulary life cycle, transposition and the durations filter around each
 * encoding's encode(), and the decoder shell around its step(). */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enc_internal.h"

static const enc_class *const classes[] = {&enc_timestep_class, &enc_notechord_class,
                                           &enc_event_class, &enc_psd_class,
                                           &enc_pianoroll_class, &enc_abc_class};
static const char *const class_names[] = {"timestep", "notechord", "event", "psd", "pianoroll",
                                          "abc", NULL};

const char *const *enc_names(void) { return class_names; }

static const enc_class *find_class(const char *name) {
    for (size_t i = 0; i < sizeof classes / sizeof *classes; i++)
        if (name && !strcmp(classes[i]->name, name)) return classes[i];
    return NULL;
}

/* ---------------------------------------------------------------- options */

void enc_opts_default(enc_opts *o, const char *name) {
    memset(o, 0, sizeof *o);
    o->transpose = ENC_TRANSPOSE_NONE;
    o->augment_lo = 0;
    o->augment_hi = 0;
    o->part = -1;
    o->n_durations = 0;
    o->unknown = ENC_UNKNOWN_ERROR;
    o->grid = SCORE_PPQ / 4;
    o->delimiters = 1;
    o->chords = ENC_CHORDS_PITCHES;
    o->timing = ENC_TIMING_SEQUENCE;
    o->step = SCORE_PPQ / 2;
    o->with_durations = 0;
    o->note_length = SCORE_PPQ;
    o->velocity_bins = 32;
    o->shift_ms = 10;
    o->max_shift_steps = 100;
    o->velocity = 80;
    o->us_per_qn = SCORE_DEFAULT_US_PER_QN;
    o->time_beats = 0;
    o->time_bins = 0;
    o->time_bin = 0.01;
    o->with_velocity = 0;
    o->abc_variant = ENC_ABC_CHARS;
    const enc_class *c = find_class(name);
    if (c && c->defaults) c->defaults(o);
}

static int parse_long_value(const char *key, const char *v, long min, long max, long *out,
                            char *err, size_t errlen) {
    if (!v || enc_parse_int(v, strlen(v), min, max, out))
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: expected an integer %ld..%ld, found '%s'", key,
                       min, max, v ? v : "");
    return LJ_OK;
}

/* A length in quarter notes: "1.5", "3/2", "2". Returns ticks or -1. */
static int64_t parse_quarters(const char *s, size_t len) {
    char buf[64];
    if (len == 0 || len >= sizeof buf) return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    const char *slash = strchr(buf, '/');
    if (slash) {
        long num, den;
        if (enc_parse_int(buf, (size_t)(slash - buf), 0, 1000000, &num) ||
            enc_parse_int(slash + 1, strlen(slash + 1), 1, 1000000, &den))
            return -1;
        if ((num * SCORE_PPQ) % den) return -1;
        return (int64_t)(num * SCORE_PPQ / den);
    }
    for (size_t i = 0; i < len; i++)
        if (!((buf[i] >= '0' && buf[i] <= '9') || buf[i] == '.')) return -1;
    char *end;
    double q = strtod(buf, &end);
    if (*end || !(q >= 0 && q <= 1e6)) return -1;
    double t = q * SCORE_PPQ;
    if (fabs(t - floor(t + 0.5)) > 1e-6) return -1;
    return (int64_t)floor(t + 0.5);
}

int enc_opts_set(enc_opts *o, const char *key, const char *value, char *err, size_t errlen) {
    const char *v = value ? value : "";
    long n;
    int rc;
    if (!strcmp(key, "transpose")) {
        if (!strcmp(v, "none")) o->transpose = ENC_TRANSPOSE_NONE;
        else if (!strcmp(v, "c")) o->transpose = ENC_TRANSPOSE_C;
        else if (!strcmp(v, "augment")) o->transpose = ENC_TRANSPOSE_AUGMENT;
        else
            return lj_fail(err, errlen, LJ_ERR_ARG, "transpose: expected none, c or augment, found '%s'", v);
    } else if (!strcmp(key, "augment")) {
        /* "LO:HI" or "N" (= -N:N) */
        const char *colon = strchr(v, ':');
        long lo, hi;
        if (colon) {
            if (enc_parse_int(v, (size_t)(colon - v), -12, 0, &lo) ||
                enc_parse_int(colon + 1, strlen(colon + 1), 0, 12, &hi))
                return lj_fail(err, errlen, LJ_ERR_ARG, "augment: expected LO:HI with -12 <= LO <= 0 <= HI <= 12, found '%s'", v);
        } else {
            if (enc_parse_int(v, strlen(v), 0, 12, &hi))
                return lj_fail(err, errlen, LJ_ERR_ARG, "augment: expected N (0..12) or LO:HI, found '%s'", v);
            lo = -hi;
        }
        o->augment_lo = (int)lo;
        o->augment_hi = (int)hi;
        o->transpose = ENC_TRANSPOSE_AUGMENT;
    } else if (!strcmp(key, "part")) {
        if ((rc = parse_long_value(key, v, -1, 65535, &n, err, errlen))) return rc;
        o->part = (int)n;
    } else if (!strcmp(key, "durations")) {
        if (!strcmp(v, "any")) {
            o->n_durations = 0;
            return LJ_OK;
        }
        /* comma-separated quarter lengths: "0.25,0.5,0.75,1,1.5,2,3,4" */
        int count = 0;
        double d[ENC_MAX_DURATIONS] = {0};
        const char *p = v;
        for (;;) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            int64_t t = parse_quarters(p, len);
            if (t <= 0 || count == ENC_MAX_DURATIONS)
                return lj_fail(err, errlen, LJ_ERR_ARG,
                               "durations: expected 'any' or up to %d comma-separated lengths in quarter notes (0.25,0.5,1.5 or 1/3), found '%s'",
                               ENC_MAX_DURATIONS, v);
            d[count++] = (double)t / SCORE_PPQ;
            if (!comma) break;
            p = comma + 1;
        }
        memcpy(o->durations, d, sizeof d);
        o->n_durations = count;
    } else if (!strcmp(key, "unknown")) {
        if (!strcmp(v, "error")) o->unknown = ENC_UNKNOWN_ERROR;
        else if (!strcmp(v, "skip")) o->unknown = ENC_UNKNOWN_SKIP;
        else return lj_fail(err, errlen, LJ_ERR_ARG, "unknown: expected error or skip, found '%s'", v);
    } else if (!strcmp(key, "grid") || !strcmp(key, "step") || !strcmp(key, "length")) {
        int64_t t;
        if (!strcmp(v, "16th")) t = SCORE_PPQ / 4;
        else if (!strcmp(v, "8th")) t = SCORE_PPQ / 2;
        else if (!strcmp(v, "quarter")) t = SCORE_PPQ;
        else if (!strcmp(v, "triplet8th")) t = SCORE_PPQ / 3;
        else if (!strcmp(v, "32nd")) t = SCORE_PPQ / 8;
        else if (!enc_parse_int(v, strlen(v), 1, 16 * SCORE_PPQ, &n)) t = n;
        else if (v[0] == 'q' && (t = parse_quarters(v + 1, strlen(v + 1))) > 0 && t <= 16 * SCORE_PPQ) {
        } else
            return lj_fail(err, errlen, LJ_ERR_ARG,
                           "%s: expected 16th, 8th, quarter, triplet8th, 32nd, ticks at %d PPQ (1..%d) or qN (quarter notes, q0.5), found '%s'",
                           key, SCORE_PPQ, 16 * SCORE_PPQ, v);
        if (!strcmp(key, "grid")) o->grid = t;
        else if (!strcmp(key, "step")) o->step = t;
        else o->note_length = t;
    } else if (!strcmp(key, "delimiters")) {
        if ((rc = parse_long_value(key, v, 0, 1024, &n, err, errlen))) return rc;
        o->delimiters = (int)n;
    } else if (!strcmp(key, "chords")) {
        if (!strcmp(v, "pitches")) o->chords = ENC_CHORDS_PITCHES;
        else if (!strcmp(v, "pcs")) o->chords = ENC_CHORDS_PCS;
        else return lj_fail(err, errlen, LJ_ERR_ARG, "chords: expected pitches or pcs, found '%s'", v);
    } else if (!strcmp(key, "timing")) {
        if (!strcmp(v, "sequence")) o->timing = ENC_TIMING_SEQUENCE;
        else if (!strcmp(v, "grid")) o->timing = ENC_TIMING_GRID;
        else return lj_fail(err, errlen, LJ_ERR_ARG, "timing: expected sequence or grid, found '%s'", v);
    } else if (!strcmp(key, "token_durations")) {
        if ((rc = parse_long_value(key, v, 0, 1, &n, err, errlen))) return rc;
        o->with_durations = (int)n;
    } else if (!strcmp(key, "velocity_bins")) {
        if ((rc = parse_long_value(key, v, 1, 127, &n, err, errlen))) return rc;
        o->velocity_bins = (int)n;
    } else if (!strcmp(key, "shift_ms")) {
        if ((rc = parse_long_value(key, v, 1, 1000, &n, err, errlen))) return rc;
        o->shift_ms = (int)n;
    } else if (!strcmp(key, "max_shift")) {
        if ((rc = parse_long_value(key, v, 1, 10000, &n, err, errlen))) return rc;
        o->max_shift_steps = (int)n;
    } else if (!strcmp(key, "velocity")) {
        if ((rc = parse_long_value(key, v, 1, 127, &n, err, errlen))) return rc;
        o->velocity = (int)n;
    } else if (!strcmp(key, "variant")) {
        if (!strcmp(v, "chars")) o->abc_variant = ENC_ABC_CHARS;
        else if (!strcmp(v, "tokens")) o->abc_variant = ENC_ABC_TOKENS;
        else return lj_fail(err, errlen, LJ_ERR_ARG, "variant: expected chars or tokens, found '%s'", v);
    } else if (!strcmp(key, "source")) {
        if (!strcmp(v, "score")) o->abc_text = 0;
        else if (!strcmp(v, "text")) o->abc_text = 1;
        else return lj_fail(err, errlen, LJ_ERR_ARG, "source: expected score or text, found '%s'", v);
    } else if (!strcmp(key, "qpm")) {
        if ((rc = parse_long_value(key, v, 1, 1000, &n, err, errlen))) return rc;
        o->us_per_qn = (uint32_t)(60000000 / n);
    } else if (!strcmp(key, "time")) {
        if (!strcmp(v, "seconds")) o->time_beats = 0;
        else if (!strcmp(v, "beats")) o->time_beats = 1;
        else return lj_fail(err, errlen, LJ_ERR_ARG, "time: expected seconds or beats, found '%s'", v);
    } else if (!strcmp(key, "time_bins")) {
        if (!strcmp(v, "0")) o->time_bins = 0;
        else if ((rc = parse_long_value(key, v, 2, 4096, &n, err, errlen)))
            return lj_fail(err, errlen, LJ_ERR_ARG, "time_bins: expected 0 (values) or 2..4096 classes, found '%s'", v);
        else o->time_bins = (int)n;
    } else if (!strcmp(key, "time_bin")) {
        /* a width in the time unit: "0.01" or "1/12" */
        char *end = NULL;
        double w = -1;
        const char *slash = strchr(v, '/');
        long num, den;
        if (slash) {
            if (!enc_parse_int(v, (size_t)(slash - v), 1, 1000000, &num) &&
                !enc_parse_int(slash + 1, strlen(slash + 1), 1, 1000000, &den))
                w = (double)num / (double)den;
        } else if (v[0] >= '0' && v[0] <= '9') {
            w = strtod(v, &end);
            if (*end) w = -1;
        }
        if (!(w >= 1e-4 && w <= 60))
            return lj_fail(err, errlen, LJ_ERR_ARG, "time_bin: expected a class width 0.0001..60 (seconds or beats, 0.01 or 1/12), found '%s'", v);
        o->time_bin = w;
    } else if (!strcmp(key, "with_velocity")) {
        if ((rc = parse_long_value(key, v, 0, 1, &n, err, errlen))) return rc;
        o->with_velocity = (int)n;
    } else {
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "unknown encoding option '%s' (transpose, augment, part, durations, unknown, grid, delimiters, chords, timing, step, token_durations, length, velocity_bins, shift_ms, max_shift, velocity, qpm, time, time_bins, time_bin, with_velocity, variant, source)",
                       key);
    }
    return LJ_OK;
}

/* Appends "key=value" to buf at *at; returns -1 when it does not fit. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int put(char *buf, size_t buflen, size_t *at, const char *key, const char *fmt, ...) {
    int k = snprintf(buf + *at, buflen - *at, "%s%s=", *at ? " " : "", key);
    if (k < 0 || (size_t)k >= buflen - *at) return -1;
    *at += (size_t)k;
    va_list ap;
    va_start(ap, fmt);
    k = vsnprintf(buf + *at, buflen - *at, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= buflen - *at) return -1;
    *at += (size_t)k;
    return 0;
}

/* Quarter lengths as "1.5" when exact in 3 decimals, else "p/q". */
static void quarters_text(int64_t ticks, char *buf, size_t len) {
    if ((ticks * 1000) % SCORE_PPQ == 0) {
        long milli = (long)(ticks * 1000 / SCORE_PPQ);
        if (milli % 1000 == 0) snprintf(buf, len, "%ld", milli / 1000);
        else {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "%ld.%03ld", milli / 1000, milli % 1000);
            size_t l = strlen(tmp);
            while (tmp[l - 1] == '0') tmp[--l] = 0;
            snprintf(buf, len, "%s", tmp);
        }
    } else {
        int64_t a = ticks, b = SCORE_PPQ;
        while (b) {
            int64_t t = a % b;
            a = b;
            b = t;
        }
        snprintf(buf, len, "%ld/%ld", (long)(ticks / a), (long)(SCORE_PPQ / a));
    }
}

int enc_quarters_text(int64_t ticks, char *buf, size_t len) {
    quarters_text(ticks, buf, len);
    return 0;
}
int64_t enc_parse_quarters(const char *s, size_t len) { return parse_quarters(s, len); }

int enc_opts_format(const enc_opts *o, const char *name, char *buf, size_t buflen) {
    const enc_class *c = find_class(name);
    size_t at = 0;
    if (!buflen) return LJ_ERR_LIMIT;
    buf[0] = 0;
    if (!c) return LJ_ERR_ARG;
    int bad = 0;
    static const char *const tnames[] = {"none", "c", "augment"};
    bad |= put(buf, buflen, &at, "transpose", "%s", tnames[o->transpose]);
    if (o->transpose == ENC_TRANSPOSE_AUGMENT)
        bad |= put(buf, buflen, &at, "augment", "%d:%d", o->augment_lo, o->augment_hi);
    bad |= put(buf, buflen, &at, "part", "%d", o->part);
    if (o->n_durations == 0) bad |= put(buf, buflen, &at, "durations", "any");
    else {
        char list[ENC_MAX_DURATIONS * 16] = "";
        size_t l = 0;
        for (int i = 0; i < o->n_durations; i++) {
            char q[32];
            quarters_text((int64_t)floor(o->durations[i] * SCORE_PPQ + 0.5), q, sizeof q);
            l += (size_t)snprintf(list + l, sizeof list - l, "%s%s", i ? "," : "", q);
        }
        bad |= put(buf, buflen, &at, "durations", "%s", list);
    }
    bad |= put(buf, buflen, &at, "unknown", "%s", o->unknown == ENC_UNKNOWN_SKIP ? "skip" : "error");
    for (const char *const *k = c->opt_keys; k && *k; k++) {
        const char *key = *k;
        if (!strcmp(key, "grid")) bad |= put(buf, buflen, &at, key, "%ld", (long)o->grid);
        else if (!strcmp(key, "step")) bad |= put(buf, buflen, &at, key, "%ld", (long)o->step);
        else if (!strcmp(key, "length")) bad |= put(buf, buflen, &at, key, "%ld", (long)o->note_length);
        else if (!strcmp(key, "delimiters")) bad |= put(buf, buflen, &at, key, "%d", o->delimiters);
        else if (!strcmp(key, "chords")) bad |= put(buf, buflen, &at, key, "%s", o->chords == ENC_CHORDS_PCS ? "pcs" : "pitches");
        else if (!strcmp(key, "timing")) bad |= put(buf, buflen, &at, key, "%s", o->timing == ENC_TIMING_GRID ? "grid" : "sequence");
        else if (!strcmp(key, "token_durations")) bad |= put(buf, buflen, &at, key, "%d", o->with_durations);
        else if (!strcmp(key, "velocity_bins")) bad |= put(buf, buflen, &at, key, "%d", o->velocity_bins);
        else if (!strcmp(key, "shift_ms")) bad |= put(buf, buflen, &at, key, "%d", o->shift_ms);
        else if (!strcmp(key, "max_shift")) bad |= put(buf, buflen, &at, key, "%d", o->max_shift_steps);
        else if (!strcmp(key, "velocity")) bad |= put(buf, buflen, &at, key, "%d", o->velocity);
        else if (!strcmp(key, "variant")) bad |= put(buf, buflen, &at, key, "%s", o->abc_variant == ENC_ABC_TOKENS ? "tokens" : "chars");
        else if (!strcmp(key, "source")) bad |= o->abc_text ? put(buf, buflen, &at, key, "text") : 0;
        else if (!strcmp(key, "qpm")) bad |= put(buf, buflen, &at, key, "%u", (unsigned)((60000000u + o->us_per_qn / 2) / o->us_per_qn));
        else if (!strcmp(key, "time")) bad |= put(buf, buflen, &at, key, "%s", o->time_beats ? "beats" : "seconds");
        else if (!strcmp(key, "time_bins")) bad |= put(buf, buflen, &at, key, "%d", o->time_bins);
        else if (!strcmp(key, "time_bin")) bad |= put(buf, buflen, &at, key, "%.17g", o->time_bin);
        else if (!strcmp(key, "with_velocity")) bad |= put(buf, buflen, &at, key, "%d", o->with_velocity);
    }
    return bad ? LJ_ERR_LIMIT : LJ_OK;
}

/* ---------------------------------------------------------------- life cycle */

int enc_create(const char *name, const enc_opts *o, encoding **out, char *err, size_t errlen) {
    *out = NULL;
    const enc_class *c = find_class(name);
    if (!c)
        return lj_fail(err, errlen, LJ_ERR_ARG, "unknown encoding '%s' (expected timestep, notechord, event, psd, pianoroll or abc)",
                       name ? name : "");
    if (o->abc_text && (strcmp(name, "abc") || o->abc_variant != ENC_ABC_TOKENS))
        return lj_fail(err, errlen, LJ_ERR_ARG, "source=text is an option of the abc tokens variant (variant=tokens)");
    if (o->abc_text && o->transpose != ENC_TRANSPOSE_NONE)
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "transpose=%s: abc source=text tokenises the ABC as written and cannot transpose it "
                       "(use source=score, which transposes the tunes' melodies, or transpose=none)",
                       o->transpose == ENC_TRANSPOSE_C ? "c" : "augment");
    if (o->transpose == ENC_TRANSPOSE_AUGMENT && !(o->augment_lo <= 0 && o->augment_hi >= 0))
        return lj_fail(err, errlen, LJ_ERR_ARG, "augment: expected LO <= 0 <= HI, found %d:%d", o->augment_lo, o->augment_hi);
    if (c->check) {
        int rc = c->check(o, err, errlen);
        if (rc) return rc;
    }
    encoding *e = calloc(1, sizeof *e);
    if (!e) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    e->cls = c;
    e->o = *o;
    e->v = vocab_create();
    if (!e->v) goto nomem;
    if (c->fixed_vocab) {
        int rc = c->fixed_vocab(o, e->v);
        if (rc == LJ_ERR_NOMEM) goto nomem;
        if (rc) {
            enc_destroy(e);
            return lj_fail(err, errlen, rc, "%s: cannot build the vocabulary: %s", name, lj_strerror(rc));
        }
        e->frozen = 1;
    }
    if (c->kind == ENC_KIND_FRAMES) {
        /* no vocabulary: the frame's fields say what a step holds */
        e->frozen = 1;
        e->n_fields = c->fields(o, e->fields);
        size_t in = 0;
        for (int i = 0; i < e->n_fields; i++) {
            enc_field *f = &e->fields[i];
            f->input_offset = (int)in;
            in += f->input == ENC_INPUT_ONEHOT ? (size_t)f->width : f->kind == ENC_FIELD_CLASS ? 1 : (size_t)f->width;
            size_t end = (size_t)f->offset + (f->kind == ENC_FIELD_CLASS ? 1 : (size_t)f->width);
            if (end > e->dim) e->dim = end;
        }
        e->input_dim = in;
    }
    *out = e;
    return LJ_OK;
nomem:
    enc_destroy(e);
    return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
}

void enc_destroy(encoding *e) {
    if (!e) return;
    vocab_destroy(e->v);
    free(e);
}

const char *enc_name(const encoding *e) { return e->cls->name; }
enc_kind enc_kind_of(const encoding *e) { return e->cls->kind; }
const enc_opts *enc_options(const encoding *e) { return &e->o; }
const vocab *enc_vocab(const encoding *e) { return e->v; }
int enc_vocab_frozen(const encoding *e) { return e->frozen; }
size_t enc_frame_dim(const encoding *e) { return e->dim; }
int enc_code_version(const encoding *e) { return e->cls->code_version; }
int enc_frame_num_fields(const encoding *e) { return e->n_fields; }
const enc_field *enc_frame_field(const encoding *e, int i) {
    return i >= 0 && i < e->n_fields ? &e->fields[i] : NULL;
}
size_t enc_frame_input_dim(const encoding *e) { return e->input_dim; }

void enc_frame_input(const encoding *e, const float *frame, float *input) {
    for (int i = 0; i < e->n_fields; i++) {
        const enc_field *f = &e->fields[i];
        float *in = input + f->input_offset;
        const float *x = frame + f->offset;
        if (f->input == ENC_INPUT_ONEHOT) {
            memset(in, 0, (size_t)f->width * sizeof *in);
            if (x[0] >= 0 && x[0] < (float)f->width) in[(int)x[0]] = 1.0f;
        } else if (f->input == ENC_INPUT_SCALED) {
            in[0] = x[0] >= 0 && x[0] < (float)f->width ? x[0] * f->scale : 0.0f;
        } else {
            memcpy(in, x, (size_t)f->width * sizeof *in);
        }
    }
}

/* Targets of frame `next` into row `row` of the field arrays. */
static void fill_targets(const encoding *e, const float *next, size_t row, int32_t *const *ids,
                         float *const *values) {
    for (int i = 0; i < e->n_fields; i++) {
        const enc_field *f = &e->fields[i];
        const float *v = next + f->offset;
        if (f->kind == ENC_FIELD_CLASS) {
            if (ids && ids[i]) ids[i][row] = v[0] >= 0 && v[0] < (float)f->width ? (int32_t)v[0] : -1;
        } else if (values && values[i]) {
            memcpy(values[i] + row * (size_t)f->width, v, (size_t)f->width * sizeof *v);
        }
    }
}

void enc_frame_fill_column(const encoding *e, const float *window, int T, int B, int b, float *x,
                           int32_t *const *ids, float *const *values) {
    const size_t dim = e->dim, in = e->input_dim;
    for (int t = 0; t < T; t++) {
        const float *cur = window + (size_t)t * dim, *next = cur + dim;
        size_t row = (size_t)t * (size_t)B + (size_t)b;
        enc_frame_input(e, cur, x + row * in);
        fill_targets(e, next, row, ids, values);
    }
}

void enc_frame_fill_steps(const encoding *e, const float *piece, size_t n, size_t first, int T, int B, int b,
                          float *x, int32_t *const *ids, float *const *values) {
    const size_t dim = e->dim, in = e->input_dim;
    assert(first + (size_t)T <= n);
    (void)n;
    for (int t = 0; t < T; t++) {
        size_t k = first + (size_t)t; /* the frame this step predicts */
        size_t row = (size_t)t * (size_t)B + (size_t)b;
        if (k == 0) memset(x + row * in, 0, in * sizeof *x);
        else enc_frame_input(e, piece + (k - 1) * dim, x + row * in);
        fill_targets(e, piece + k * dim, row, ids, values);
    }
}

/* The first piece of s that starts at frame f or later (s->n_pieces if none). */
static size_t first_piece_from(const frameset *s, size_t f) {
    size_t lo = 0, hi = s->n_pieces;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->start[mid] < f) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

void enc_frame_fill_window(const encoding *e, const frameset *s, size_t o, int T, int B, int b, float *x,
                           int32_t *const *ids, float *const *values) {
    const size_t in = e->input_dim;
    enc_frame_fill_column(e, s->values + o * s->dim, T, B, b, x, ids, values);
    for (size_t p = first_piece_from(s, o + 1); p < s->n_pieces && s->start[p] <= o + (size_t)T; p++) {
        size_t t = s->start[p] - o - 1; /* the step whose target is the piece's first frame */
        memset(x + (t * (size_t)B + (size_t)b) * in, 0, in * sizeof *x);
    }
}

int enc_set_vocab(encoding *e, vocab *v, char *err, size_t errlen) {
    if (e->cls->kind == ENC_KIND_FRAMES) { /* frames have no vocabulary */
        size_t n = vocab_size(v);
        vocab_destroy(v);
        if (n)
            return lj_fail(err, errlen, LJ_ERR_PARSE, "vocabulary: %s has no vocabulary, found %zu names", e->cls->name, n);
        return LJ_OK;
    }
    /* Check every name parses before taking it. */
    size_t total = 0;
    for (size_t id = 0; id < vocab_size(v); id++) {
        size_t len;
        vocab_name(v, (int32_t)id, &len);
        total += len;
    }
    uint8_t *pool = malloc(total + 1);
    if (!pool) {
        vocab_destroy(v);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    }
    size_t used = 0;
    for (size_t id = 0; id < vocab_size(v); id++) {
        size_t len;
        const char *name = vocab_name(v, (int32_t)id, &len);
        enc_tok t;
        if (!e->cls->parse(&e->o, name, len, &t, pool, &used, total + 1)) {
            int show = len > 40 ? 40 : (int)len;
            lj_fail(err, errlen, LJ_ERR_PARSE, "vocabulary: token %zu: expected a %s token, found '%.*s'",
                    id, e->cls->name, show, name);
            free(pool);
            vocab_destroy(v);
            return LJ_ERR_PARSE;
        }
    }
    free(pool);
    vocab_destroy(e->v);
    e->v = v;
    e->frozen = 1;
    return LJ_OK;
}

/* ---------------------------------------------------------------- encoding */

int enc_emit(enc_emitter *em, const char *name, size_t len) {
    if (em->status) return em->status;
    int32_t id;
    if (em->e->frozen) {
        id = vocab_find(em->e->v, name, len);
        if (id < 0) {
            size_t show = len < sizeof em->unknown - 1 ? len : sizeof em->unknown - 1;
            memcpy(em->unknown, name, show);
            em->unknown[show] = 0;
            em->unknown_at = em->n;
            return em->status = LJ_ERR_RANGE;
        }
    } else {
        int rc = vocab_add(em->e->v, name, len, &id);
        if (rc) return em->status = rc;
    }
    if (em->n == em->cap) {
        size_t cap = em->cap ? em->cap * 2 : 1024;
        if (cap > ENC_MAX_STEPS) cap = ENC_MAX_STEPS;
        if (em->n >= cap) return em->status = LJ_ERR_LIMIT;
        int32_t *p = realloc(em->ids, cap * sizeof *p);
        if (!p) return em->status = LJ_ERR_NOMEM;
        em->ids = p;
        em->cap = cap;
    }
    em->ids[em->n++] = id;
    return LJ_OK;
}

int enc_emit_str(enc_emitter *em, const char *name) { return enc_emit(em, name, strlen(name)); }

/* Notes sorted by (onset, pitch, index) through keys copied next to the index. */
typedef struct note_key {
    int64_t onset;
    int pitch;
    size_t index;
} note_key;
static int cmp_note_key(const void *a, const void *b) {
    const note_key *x = a, *y = b;
    if (x->onset != y->onset) return x->onset < y->onset ? -1 : 1;
    if (x->pitch != y->pitch) return x->pitch - y->pitch;
    return x->index < y->index ? -1 : x->index > y->index;
}

int enc_sorted_notes(const score *s, int part, size_t **idx, size_t *n) {
    *idx = NULL;
    *n = 0;
    size_t count = 0;
    for (size_t i = 0; i < s->n_notes; i++)
        if (part < 0 || s->notes[i].part == part) count++;
    if (!count) return LJ_OK;
    note_key *k = malloc(count * sizeof *k);
    size_t *out = malloc(count * sizeof *out);
    if (!k || !out) {
        free(k);
        free(out);
        return LJ_ERR_NOMEM;
    }
    size_t j = 0;
    for (size_t i = 0; i < s->n_notes; i++)
        if (part < 0 || s->notes[i].part == part) {
            k[j].onset = s->notes[i].onset;
            k[j].pitch = s->notes[i].pitch;
            k[j].index = i;
            j++;
        }
    qsort(k, count, sizeof *k, cmp_note_key);
    for (size_t i = 0; i < count; i++) out[i] = k[i].index;
    free(k);
    *idx = out;
    *n = count;
    return LJ_OK;
}

int64_t enc_round_to(int64_t ticks, int64_t step) {
    if (ticks >= 0) return (ticks + step / 2) / step * step;
    return -((-ticks + (step - 1) / 2) / step * step);
}

/* 1 if every note (of the selected part) has an acceptable duration. */
static int durations_ok(const enc_opts *o, const score *s) {
    if (o->n_durations == 0) return 1;
    for (size_t i = 0; i < s->n_notes; i++) {
        const score_note *n = &s->notes[i];
        if (o->part >= 0 && n->part != o->part) continue;
        int ok = 0;
        for (int k = 0; k < o->n_durations && !ok; k++)
            ok = n->duration == (int64_t)floor(o->durations[k] * SCORE_PPQ + 0.5);
        if (!ok) return 0;
    }
    return 1;
}

static const char *score_label(const score *s, char *buf, size_t len) {
    if (s->index > 0) snprintf(buf, len, "%s (tune %d)", s->source[0] ? s->source : "<score>", s->index);
    else snprintf(buf, len, "%s", s->source[0] ? s->source : "<score>");
    return buf;
}

/* The pitch shifts (copies) s is encoded with: 0 when the score is skipped
 * (counted in st). *lo, *hi: its pitch range. */
static int score_shifts(const enc_opts *o, const score *s, enc_stats *st, int shifts[25], int *lo_out,
                        int *hi_out) {
    int lo = 127, hi = 0;
    for (size_t i = 0; i < s->n_notes; i++) {
        const score_note *n = &s->notes[i];
        if (o->part >= 0 && n->part != o->part) continue;
        if (n->pitch < lo) lo = n->pitch;
        if (n->pitch > hi) hi = n->pitch;
    }
    *lo_out = lo;
    *hi_out = hi;
    if (lo > hi) {
        st->skipped_empty++;
        return 0;
    }
    if (!durations_ok(o, s)) {
        st->skipped_durations++;
        return 0;
    }
    int n_shifts = 0;
    if (o->transpose == ENC_TRANSPOSE_C) {
        int fifths, mode, estimated;
        enc_key_of(s, &fifths, &mode, &estimated);
        if (estimated) st->keys_estimated++;
        shifts[n_shifts++] = enc_key_shift(fifths, mode);
    } else if (o->transpose == ENC_TRANSPOSE_AUGMENT) {
        /* The score as it is first, so a group's first piece is the
         * untransposed one (the trainer scores valid and test on it alone). */
        shifts[n_shifts++] = 0;
        for (int k = o->augment_lo; k <= o->augment_hi; k++)
            if (k) shifts[n_shifts++] = k;
    } else {
        shifts[n_shifts++] = 0;
    }
    return n_shifts;
}

/* Whether the copy of a score spanning pitches lo..hi shifted by `shift` is
 * encoded: every shifted pitch must stay in 0..127 and, for a shifted copy,
 * in the encoding's own range (pianoroll: the 88 keys), so augmentation never
 * makes a copy that loses notes. The score as it is (shift 0) is always
 * encoded: notes the encoding cannot hold are dropped and counted by it. */
static int shift_in_range(const enc_class *c, int shift, int lo, int hi) {
    if (lo + shift < 0 || hi + shift > 127) return 0;
    if (shift == 0 || c->pitch_hi == 0) return 1;
    return lo + shift >= c->pitch_lo && hi + shift <= c->pitch_hi;
}

int enc_encode(encoding *e, const score *s, tokset *out, enc_stats *st, char *err, size_t errlen) {
    enc_stats dummy;
    if (!st) {
        memset(&dummy, 0, sizeof dummy);
        st = &dummy;
    }
    st->scores++;
    const enc_opts *o = &e->o;
    if (e->cls->kind != ENC_KIND_TOKENS)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s is not a token encoding", e->cls->name);
    int lo, hi, shifts[25];
    int n_shifts = score_shifts(o, s, st, shifts, &lo, &hi);
    /* Token ids added to an open vocabulary by a piece that then fails stay in
     * the vocabulary: harmless (an unused id) and it keeps the vocabulary
     * append-only. */
    size_t pieces0 = out->n_pieces, ids0 = out->n_ids;
    enc_emitter em = {0};
    em.e = e;
    int rc = LJ_OK;
    for (int k = 0; k < n_shifts && !rc; k++) {
        int shift = shifts[k];
        if (!shift_in_range(e->cls, shift, lo, hi)) {
            st->skipped_range++;
            continue;
        }
        em.n = 0;
        em.status = LJ_OK;
        rc = e->cls->encode(o, s, shift, &em, st);
        if (!rc) rc = em.status;
        if (rc == LJ_ERR_RANGE && o->unknown == ENC_UNKNOWN_SKIP) {
            st->skipped_unknown++;
            rc = LJ_OK;
            /* augment: without its untransposed copy the score gives no piece */
            if (o->transpose == ENC_TRANSPOSE_AUGMENT && k == 0) break;
            continue;
        }
        if (rc) break;
        rc = tokset_add(out, em.ids, em.n);
        if (!rc) {
            st->pieces++;
            st->tokens += em.n;
        }
    }
    free(em.ids);
    if (rc) {
        /* Leave out as it was: drop the pieces this score added. */
        out->n_pieces = pieces0;
        out->n_ids = ids0;
        char label[600];
        score_label(s, label, sizeof label);
        if (rc == LJ_ERR_RANGE)
            return lj_fail(err, errlen, rc, "%s: token %zu: '%s' is not in the %s vocabulary", label,
                           em.unknown_at, em.unknown, e->cls->name);
        if (rc == LJ_ERR_LIMIT)
            return lj_fail(err, errlen, rc, "%s: more than %d steps or tokens in one piece", label, ENC_MAX_STEPS);
        return lj_fail(err, errlen, rc, "%s: %s", label, lj_strerror(rc));
    }
    return LJ_OK;
}

float *enc_emit_frames(enc_frame_emitter *em, size_t n) {
    if (em->status) return NULL;
    if (n > ENC_MAX_STEPS || em->n + n > ENC_MAX_STEPS) {
        em->status = LJ_ERR_LIMIT;
        return NULL;
    }
    if (em->n + n > em->cap) {
        size_t cap = em->cap ? em->cap : 256;
        while (cap < em->n + n) cap *= 2;
        float *p = realloc(em->v, cap * em->dim * sizeof *p);
        if (!p) {
            em->status = LJ_ERR_NOMEM;
            return NULL;
        }
        em->v = p;
        em->cap = cap;
    }
    float *f = em->v + em->n * em->dim;
    memset(f, 0, n * em->dim * sizeof *f);
    em->n += n;
    return f;
}

int enc_encode_frames(encoding *e, const score *s, frameset *out, enc_stats *st, char *err,
                      size_t errlen) {
    enc_stats dummy;
    if (!st) {
        memset(&dummy, 0, sizeof dummy);
        st = &dummy;
    }
    st->scores++;
    if (e->cls->kind != ENC_KIND_FRAMES)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s is not a frame encoding", e->cls->name);
    if (out->dim != e->dim)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: frames of %zu values, the frame set holds %zu",
                       e->cls->name, e->dim, out->dim);
    int lo, hi, shifts[25];
    int n_shifts = score_shifts(&e->o, s, st, shifts, &lo, &hi);
    size_t pieces0 = out->n_pieces, frames0 = out->n_frames;
    enc_frame_emitter em = {0};
    em.dim = e->dim;
    int rc = LJ_OK;
    for (int k = 0; k < n_shifts && !rc; k++) {
        if (!shift_in_range(e->cls, shifts[k], lo, hi)) {
            st->skipped_range++;
            continue;
        }
        em.n = 0;
        em.status = LJ_OK;
        rc = e->cls->encode_frames(&e->o, s, shifts[k], &em, st);
        if (!rc) rc = em.status;
        if (!rc) rc = frameset_add(out, em.v, em.n);
        if (!rc) {
            st->pieces++;
            st->frames += em.n;
        }
    }
    free(em.v);
    if (rc) {
        out->n_pieces = pieces0;
        out->n_frames = frames0;
        char label[600];
        score_label(s, label, sizeof label);
        if (rc == LJ_ERR_LIMIT)
            return lj_fail(err, errlen, rc, "%s: more than %d frames in one piece", label, ENC_MAX_STEPS);
        return lj_fail(err, errlen, rc, "%s: %s", label, lj_strerror(rc));
    }
    return LJ_OK;
}

/* ---------------------------------------------------------------- vocabulary order */

typedef struct name_ref {
    const char *name;
    size_t len;
    int32_t id;
} name_ref;

/* qsort has no context pointer, and a global comparator would be mutable global
 * state: a small merge sort takes the encoding's comparator (stable, n log n). */
static void merge_sort(name_ref *a, name_ref *tmp, size_t n,
                       int (*cmp)(const char *, size_t, const char *, size_t)) {
    if (n < 2) return;
    size_t h = n / 2;
    merge_sort(a, tmp, h, cmp);
    merge_sort(a + h, tmp, n - h, cmp);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        if (cmp(a[j].name, a[j].len, a[i].name, a[i].len) < 0) tmp[k++] = a[j++];
        else tmp[k++] = a[i++];
    }
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

int enc_finish_vocab(encoding *e, tokset *const *sets, size_t n) {
    if (e->frozen) return LJ_OK;
    size_t count = vocab_size(e->v);
    name_ref *r = malloc((count + 1) * sizeof *r), *tmp = malloc((count + 1) * sizeof *tmp);
    int32_t *map = malloc((count + 1) * sizeof *map);
    vocab *nv = vocab_create();
    int rc = (!r || !tmp || !map || !nv) ? LJ_ERR_NOMEM : LJ_OK;
    if (!rc) {
        for (size_t id = 0; id < count; id++) {
            r[id].name = vocab_name(e->v, (int32_t)id, &r[id].len);
            r[id].id = (int32_t)id;
        }
        merge_sort(r, tmp, count, e->cls->cmp);
        for (size_t k = 0; k < count && !rc; k++) {
            int32_t nid;
            rc = vocab_add(nv, r[k].name, r[k].len, &nid);
            map[r[k].id] = nid;
        }
    }
    if (!rc) {
        for (size_t s = 0; s < n; s++)
            for (size_t i = 0; i < sets[s]->n_ids; i++) sets[s]->ids[i] = map[sets[s]->ids[i]];
        vocab_destroy(e->v);
        e->v = nv;
        nv = NULL;
        e->frozen = 1;
    }
    vocab_destroy(nv);
    free(r);
    free(tmp);
    free(map);
    return rc;
}

/* ---------------------------------------------------------------- decoder */

int enc_decoder_create(const encoding *e, enc_decoder **out, char *err, size_t errlen) {
    *out = NULL;
    if (!e->frozen)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: the vocabulary is still open (enc_finish_vocab first)", e->cls->name);
    enc_decoder *d = calloc(1, sizeof *d);
    if (!d) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    d->e = e;
    d->n_toks = vocab_size(e->v);
    size_t total = 1;
    for (size_t id = 0; id < d->n_toks; id++) {
        size_t len;
        vocab_name(e->v, (int32_t)id, &len);
        total += len;
    }
    d->toks = calloc(d->n_toks + 1, sizeof *d->toks);
    d->pool = malloc(total);
    if (!d->toks || !d->pool) {
        enc_decoder_destroy(d);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    }
    size_t used = 0;
    for (size_t id = 0; id < d->n_toks; id++) {
        size_t len;
        const char *name = vocab_name(e->v, (int32_t)id, &len);
        if (!e->cls->parse(&e->o, name, len, &d->toks[id], d->pool, &used, total)) {
            int show = len > 40 ? 40 : (int)len;
            enc_decoder_destroy(d);
            return lj_fail(err, errlen, LJ_ERR_PARSE, "vocabulary: token %zu: expected a %s token, found '%.*s'",
                           id, e->cls->name, show, name);
        }
    }
    if (e->cls->ms_axis_of ? e->cls->ms_axis_of(&e->o) : e->cls->ms_axis) {
        d->us_per_qn = 480000; /* 125 BPM: one tick is one millisecond */
        d->sec_per_tick = 0.001;
    } else {
        d->us_per_qn = e->o.us_per_qn;
        d->sec_per_tick = (double)e->o.us_per_qn / SCORE_PPQ / 1e6;
    }
    if (e->cls->dec_init && e->cls->dec_init(d) != LJ_OK) {
        enc_decoder_destroy(d);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    }
    enc_decoder_reset(d);
    *out = d;
    return LJ_OK;
}

void enc_decoder_destroy(enc_decoder *d) {
    if (!d) return;
    if (d->e->cls->dec_free) d->e->cls->dec_free(d);
    free(d->toks);
    free(d->pool);
    free(d);
}

void enc_decoder_reset(enc_decoder *d) {
    d->now = 0;
    memset(d->sounding, 0, sizeof d->sounding);
    for (int p = 0; p < 128; p++) d->off_at[p] = 0;
    d->cur = -1;
    d->velocity = d->e->o.velocity;
    d->ended = 0;
    d->bad = 0;
    if (d->e->cls->dec_reset) d->e->cls->dec_reset(d);
}

int enc_decoder_copy(enc_decoder *dst, const enc_decoder *src) {
    if (dst == src) return LJ_OK;
    if (dst->e != src->e || (src->e->cls->dec_init && !src->e->cls->dec_copy)) return LJ_ERR_ARG;
    if (src->e->cls->dec_copy) {
        int rc = src->e->cls->dec_copy(dst, src);
        if (rc) return rc;
    }
    dst->now = src->now;
    memcpy(dst->sounding, src->sounding, sizeof dst->sounding);
    memcpy(dst->off_at, src->off_at, sizeof dst->off_at);
    dst->cur = src->cur;
    dst->velocity = src->velocity;
    dst->ended = src->ended;
    dst->bad = src->bad;
    return LJ_OK;
}

static void put_event(const enc_decoder *d, enc_event *ev, int type, int pitch, int velocity) {
    ev->time = (double)d->now * d->sec_per_tick;
    ev->tick = d->now;
    ev->type = (uint8_t)type;
    ev->pitch = (uint8_t)pitch;
    ev->velocity = (uint8_t)velocity;
    ev->channel = 0;
}

void enc_show_byte(unsigned char c, char *buf, size_t len) {
    if (c >= 0x21 && c < 0x7f) snprintf(buf, len, "'%c'", c);
    else snprintf(buf, len, "byte 0x%02x", c);
}

size_t enc_dec_on(enc_decoder *d, int pitch, int velocity, enc_event *out) {
    size_t n = 0;
    if (d->sounding[pitch]) n += enc_dec_off(d, pitch, out);
    put_event(d, &out[n++], ENC_NOTE_ON, pitch, velocity);
    d->sounding[pitch] = 1;
    return n;
}

size_t enc_dec_off(enc_decoder *d, int pitch, enc_event *out) {
    if (!d->sounding[pitch]) return 0;
    put_event(d, out, ENC_NOTE_OFF, pitch, 0);
    d->sounding[pitch] = 0;
    return 1;
}

size_t enc_decoder_step(enc_decoder *d, int32_t token, enc_event *out) {
    d->ended = 0;
    if (token < 0 || (size_t)token >= d->n_toks || !d->e->cls->step) {
        d->bad++;
        return 0;
    }
    return d->e->cls->step(d, &d->toks[token], out);
}

size_t enc_decoder_step_frame(enc_decoder *d, const float *frame, enc_event *out) {
    d->ended = 0;
    if (!d->e->cls->step_frame) {
        d->bad++;
        return 0;
    }
    return d->e->cls->step_frame(d, frame, out);
}

size_t enc_dec_end_due(enc_decoder *d, int64_t until, enc_event *out) {
    size_t n = 0;
    int64_t now = d->now;
    for (;;) {
        int64_t t = INT64_MAX;
        for (int p = 0; p < 128; p++)
            if (d->sounding[p] && d->off_at[p] <= until && d->off_at[p] < t) t = d->off_at[p];
        if (t == INT64_MAX) break;
        d->now = t;
        for (int p = 0; p < 128; p++)
            if (d->sounding[p] && d->off_at[p] == t) n += enc_dec_off(d, p, out + n);
    }
    d->now = now > d->now ? now : d->now;
    return n;
}

size_t enc_decoder_flush(enc_decoder *d, enc_event *out) {
    size_t n = d->e->cls->flush ? d->e->cls->flush(d, out) : 0;
    for (int p = 0; p < 128; p++) n += enc_dec_off(d, p, out + n);
    d->cur = -1;
    return n;
}

size_t enc_decoder_release(enc_decoder *d, enc_event *out) {
    return d->e->cls->release ? d->e->cls->release(d, out) : enc_decoder_flush(d, out);
}

double enc_decoder_time(const enc_decoder *d) { return (double)d->now * d->sec_per_tick; }
int64_t enc_decoder_tick(const enc_decoder *d) { return d->now; }
uint32_t enc_decoder_us_per_qn(const enc_decoder *d) { return d->us_per_qn; }
size_t enc_decoder_bad_tokens(const enc_decoder *d) { return d->bad; }
int enc_decoder_piece_ended(const enc_decoder *d) { return d->ended; }
int enc_decoder_sounding(const enc_decoder *d) {
    int n = 0;
    for (int p = 0; p < 128; p++) n += d->sounding[p] != 0;
    return n;
}

/* Pairs events into notes: the open note of each pitch. */
typedef struct open_note {
    int64_t onset;
    int velocity;
    int open;
} open_note;

static int close_note(score *s, open_note *o, int pitch, int64_t tick) {
    if (!o->open) return LJ_OK;
    o->open = 0;
    if (tick <= o->onset) return LJ_OK; /* zero length: dropped */
    score_note n = {0};
    n.onset = o->onset;
    n.duration = tick - o->onset;
    n.pitch = (uint8_t)pitch;
    n.velocity = (uint8_t)o->velocity;
    return score_add_note(s, &n);
}

static int decode_any(const encoding *e, const int32_t *ids, const float *frames, size_t n,
                      score **out, char *err, size_t errlen) {
    *out = NULL;
    if (e->cls->decode_whole) {
        if (!e->frozen)
            return lj_fail(err, errlen, LJ_ERR_ARG, "%s: the vocabulary is still open (enc_finish_vocab first)", e->cls->name);
        int rc = e->cls->decode_whole(e, ids, n, out);
        if (rc) return lj_fail(err, errlen, rc, "decoding: %s", lj_strerror(rc));
        return LJ_OK;
    }
    enc_decoder *d;
    int rc = enc_decoder_create(e, &d, err, errlen);
    if (rc) return rc;
    enc_event *ev = malloc(ENC_MAX_STEP_EVENTS * sizeof *ev);
    score *s = score_create();
    open_note open[128];
    memset(open, 0, sizeof open);
    if (!ev || !s) rc = LJ_ERR_NOMEM;
    if (!rc) rc = score_add_tempo(s, 0, d->us_per_qn);
    if (!rc) rc = score_add_part(s, e->cls->name, 0, 0, NULL);
    for (size_t i = 0; i <= n && !rc; i++) {
        size_t k = i == n ? enc_decoder_flush(d, ev)
                   : ids ? enc_decoder_step(d, ids[i], ev)
                         : enc_decoder_step_frame(d, frames + i * e->dim, ev);
        for (size_t j = 0; j < k && !rc; j++) {
            int p = ev[j].pitch;
            rc = close_note(s, &open[p], p, ev[j].tick);
            if (!rc && ev[j].type == ENC_NOTE_ON) {
                open[p].onset = ev[j].tick;
                open[p].velocity = ev[j].velocity;
                open[p].open = 1;
            }
        }
    }
    free(ev);
    enc_decoder_destroy(d);
    if (rc) {
        score_destroy(s);
        return lj_fail(err, errlen, rc, "decoding: %s", lj_strerror(rc));
    }
    score_sort(s);
    *out = s;
    return LJ_OK;
}

int enc_decode(const encoding *e, const int32_t *ids, size_t n, score **out, char *err,
               size_t errlen) {
    static const int32_t none = -1;
    return decode_any(e, ids ? ids : &none, NULL, ids ? n : 0, out, err, errlen);
}

int enc_decode_frames(const encoding *e, const float *frames, size_t n, score **out, char *err,
                      size_t errlen) {
    if (e->cls->kind != ENC_KIND_FRAMES)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s is not a frame encoding", e->cls->name);
    return decode_any(e, NULL, frames, n, out, err, errlen);
}

size_t enc_decoder_resyncs(const enc_decoder *d) {
    return d->e->cls == &enc_abc_class ? enc_abc_resyncs(d) : 0;
}

size_t enc_decoder_dropped(const enc_decoder *d) {
    return d->e->cls == &enc_abc_class ? enc_abc_dropped(d) : 0;
}

/* ---------------------------------------------------------------- abc text */

int enc_encode_text(encoding *e, const char *text, size_t len, const char *name, int primer,
                    tokset *out, enc_stats *st, char *err, size_t errlen) {
    if (!e->cls->encode_text)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: the %s encoding reads scores, not ABC text",
                       name, e->cls->name);
    size_t pieces0 = out->n_pieces, ids0 = out->n_ids;
    enc_emitter em = {0};
    em.e = e;
    if (err && errlen) err[0] = 0;
    int rc = e->cls->encode_text(&e->o, text, len, name, primer, &em, out, st, err, errlen);
    free(em.ids);
    if (rc) {
        out->n_pieces = pieces0;
        out->n_ids = ids0;
        if (err && errlen && !err[0]) {
            if (rc == LJ_ERR_LIMIT)
                return lj_fail(err, errlen, rc, "%s: more than %d tokens in one tune", name, ENC_MAX_STEPS);
            return lj_fail(err, errlen, rc, "%s: %s", name, lj_strerror(rc));
        }
    }
    return rc;
}

/* ---------------------------------------------------------------- models */

int enc_create_for_model(const char *name, const char *options, size_t options_len, vocab *v,
                         encoding **out, char *err, size_t errlen) {
    *out = NULL;
    const char *cls = !strcmp(name, "chars") ? "abc" : name;
    enc_opts o;
    enc_opts_default(&o, cls);
    if (!strcmp(name, "chars")) o.abc_variant = ENC_ABC_CHARS;
    /* "key=value key=value ..." (enc_opts_format) */
    size_t i = 0;
    while (options && i < options_len) {
        while (i < options_len && (options[i] == ' ' || options[i] == '\t')) i++;
        size_t s = i;
        while (i < options_len && options[i] != ' ' && options[i] != '\t') i++;
        if (i == s) break;
        char kv[256];
        size_t l = i - s < sizeof kv - 1 ? i - s : sizeof kv - 1;
        memcpy(kv, options + s, l);
        kv[l] = 0;
        char *eq = strchr(kv, '=');
        char msg[256];
        if (!eq) {
            vocab_destroy(v);
            return lj_fail(err, errlen, LJ_ERR_PARSE, "encoding.options: byte %zu: expected key=value, found '%s'", s, kv);
        }
        *eq = 0;
        if (enc_opts_set(&o, kv, eq + 1, msg, sizeof msg) != LJ_OK) {
            vocab_destroy(v);
            return lj_fail(err, errlen, LJ_ERR_PARSE, "encoding.options: byte %zu: %s", s, msg);
        }
    }
    encoding *e;
    int rc = enc_create(cls, &o, &e, err, errlen);
    if (rc) {
        vocab_destroy(v);
        return rc;
    }
    if (v) {
        rc = enc_set_vocab(e, v, err, errlen);
        if (rc) {
            enc_destroy(e);
            return rc;
        }
    } else if (!e->frozen) {
        enc_destroy(e);
        return lj_fail(err, errlen, LJ_ERR_PARSE, "the model file has no vocabulary for its %s encoding", cls);
    }
    *out = e;
    return LJ_OK;
}

int enc_token_pitches(const encoding *e, int32_t id, uint8_t *pitches, size_t max) {
    if (e->cls->no_token_pitch || e->cls->kind != ENC_KIND_TOKENS || !e->cls->parse) return -1;
    size_t len;
    if (id < 0 || (size_t)id >= vocab_size(e->v)) return 0;
    const char *name = vocab_name(e->v, id, &len);
    uint8_t pool[256];
    size_t used = 0;
    enc_tok t;
    if (!e->cls->parse(&e->o, name, len, &t, pool, &used, sizeof pool)) return 0;
    size_t n = 0;
    if (t.kind == ENC_TK_PITCH || t.kind == ENC_TK_ON) {
        if (max > 0) pitches[n] = (uint8_t)t.value;
        n = 1;
    } else if (t.kind == ENC_TK_CHORD) {
        for (uint32_t k = 0; k < t.count; k++) {
            if (n < max) pitches[n] = pool[t.first + k];
            n++;
        }
    }
    return (int)n;
}

/* ---------------------------------------------------------------- names */

int enc_pitch_name(int pitch, char *buf, size_t buflen) {
    static const char *const names[12] = {"C", "C#", "D", "E-", "E", "F", "F#", "G", "G#", "A", "B-", "B"};
    return snprintf(buf, buflen, "%s%d", names[pitch % 12], pitch / 12 - 1);
}

int enc_parse_pitch_name(const char *s, size_t len) {
    static const int letter_pc[7] = {9, 11, 0, 2, 4, 5, 7}; /* A..G */
    if (len < 2 || s[0] < 'A' || s[0] > 'G') return -1;
    int pc = letter_pc[s[0] - 'A'];
    size_t i = 1;
    while (i < len && (s[i] == '#' || s[i] == '-') && i < 4) pc += s[i++] == '#' ? 1 : -1;
    long octave;
    if (i >= len || enc_parse_int(s + i, len - i, -1, 9, &octave)) return -1;
    int p = (int)(octave + 1) * 12 + pc;
    return p >= 0 && p <= 127 ? p : -1;
}

int enc_parse_int(const char *s, size_t len, long min, long max, long *out) {
    size_t i = 0;
    int neg = 0;
    if (i < len && s[i] == '-') {
        neg = 1;
        i++;
    }
    if (i >= len || len - i > 9) return -1;
    long v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (neg) v = -v;
    if (v < min || v > max) return -1;
    *out = v;
    return 0;
}
