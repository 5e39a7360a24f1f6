/* jsb: JSB chorales JSON piano rolls -> scores (see jsb.h).
 *
 * cJSON does the tokenising; this file checks the shape (object of splits,
 * pieces, steps, pitches) and turns each piece into notes. cJSON keeps no
 * positions, so a message about a value first names its JSON path
 * ("test[3][17][2]") and then finds that path again in the text with a small
 * scanner (jsb_locate) to give line and column. Deep nesting is refused before
 * cJSON sees the text (LJ_ERR_LIMIT), so cJSON's own recursion stays shallow. */
#include "jsb.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"

#define JSB_MAX_DEPTH 16     /* the format needs 4 levels; anything deeper is hostile */
#define JSB_VELOCITY 80      /* the rolls carry no dynamics: a neutral mf */

static const char *const jsb_splits[3] = {"train", "valid", "test"};

/* ---- positions ---- */

/* Line and column (1-based, bytes) of offset off in text. */
static void line_col(const char *text, size_t off, size_t *line, size_t *col) {
    size_t l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* States of the depth pre-scan: the only JSON knowledge it needs is where
 * strings are, so brackets inside strings do not count. */
typedef enum jsb_scan_state {
    JS_OUTSIDE, /* between tokens: counts [ { ] } */
    JS_STRING,  /* inside "...": waits for the closing quote */
    JS_ESCAPE   /* after a backslash in a string: skips one byte */
} jsb_scan_state;

/* What the pre-scan learns: where nesting first gets too deep, and whether the
 * text ends inside a string or an open list/object (then it is truncated). */
typedef struct jsb_scan {
    size_t too_deep; /* offset of the bracket opening level JSB_MAX_DEPTH + 1, or len */
    int open_at_end; /* 1 if the text ends inside a string or an unclosed [ { */
    int in_string_at_end; /* 1 if the text ends inside a string */
} jsb_scan;

static jsb_scan scan_text(const char *text, size_t len) {
    jsb_scan out = {len, 0, 0};
    jsb_scan_state st = JS_OUTSIDE;
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        switch (st) {
        case JS_OUTSIDE:
            if (c == '"') st = JS_STRING;
            else if (c == '[' || c == '{') {
                if (++depth > JSB_MAX_DEPTH) {
                    out.too_deep = i;
                    return out;
                }
            } else if ((c == ']' || c == '}') && depth > 0) depth--;
            break;
        case JS_STRING:
            if (c == '\\') st = JS_ESCAPE;
            else if (c == '"') st = JS_OUTSIDE;
            break;
        case JS_ESCAPE: st = JS_STRING; break;
        }
    }
    out.in_string_at_end = st != JS_OUTSIDE;
    out.open_at_end = depth > 0 || out.in_string_at_end;
    return out;
}

/* A tiny reader over text that cJSON has already accepted, used only to find
 * where a JSON path starts. Every step checks bounds: it never trusts the text. */
typedef struct jsb_cursor {
    const char *t; /* the document */
    size_t len;    /* its length in bytes */
    size_t pos;    /* current offset */
} jsb_cursor;

static void cur_ws(jsb_cursor *c) {
    while (c->pos < c->len && strchr(" \t\r\n", c->t[c->pos]) && c->t[c->pos]) c->pos++;
}

/* Skips one value (string, number, literal, array or object). 0 on malformed. */
static int cur_skip(jsb_cursor *c, int depth) {
    cur_ws(c);
    if (c->pos >= c->len || depth > JSB_MAX_DEPTH) return 0;
    char ch = c->t[c->pos];
    if (ch == '"') {
        for (c->pos++; c->pos < c->len; c->pos++) {
            if (c->t[c->pos] == '\\') c->pos++;
            else if (c->t[c->pos] == '"') {
                c->pos++;
                return 1;
            }
        }
        return 0;
    }
    if (ch == '[' || ch == '{') {
        char close = ch == '[' ? ']' : '}';
        c->pos++;
        cur_ws(c);
        if (c->pos < c->len && c->t[c->pos] == close) {
            c->pos++;
            return 1;
        }
        for (;;) {
            if (ch == '{') {
                if (!cur_skip(c, depth + 1)) return 0; /* key */
                cur_ws(c);
                if (c->pos >= c->len || c->t[c->pos] != ':') return 0;
                c->pos++;
            }
            if (!cur_skip(c, depth + 1)) return 0;
            cur_ws(c);
            if (c->pos >= c->len) return 0;
            if (c->t[c->pos] == ',') {
                c->pos++;
                continue;
            }
            if (c->t[c->pos] != close) return 0;
            c->pos++;
            return 1;
        }
    }
    while (c->pos < c->len && !strchr(",]} \t\r\n", c->t[c->pos])) c->pos++;
    return 1;
}

/* Moves to element idx of the array at the cursor. 0 if not found. */
static int cur_index(jsb_cursor *c, size_t idx) {
    cur_ws(c);
    if (c->pos >= c->len || c->t[c->pos] != '[') return 0;
    c->pos++;
    for (size_t k = 0; k < idx; k++) {
        if (!cur_skip(c, 1)) return 0;
        cur_ws(c);
        if (c->pos >= c->len || c->t[c->pos] != ',') return 0;
        c->pos++;
    }
    cur_ws(c);
    return c->pos < c->len;
}

/* Offset where split[idx[0]][idx[1]]... starts (n_idx indices), or the offset
 * of the split's value, or 0 if even the split is not found. */
static size_t jsb_locate(const char *text, size_t len, const char *split, const size_t *idx,
                         int n_idx) {
    jsb_cursor c = {text, len, 0};
    cur_ws(&c);
    if (c.pos >= len || text[c.pos] != '{') return 0;
    c.pos++;
    size_t klen = strlen(split);
    for (;;) {
        cur_ws(&c);
        size_t key = c.pos;
        if (!cur_skip(&c, 1)) return 0;
        int match = c.pos - key == klen + 2 && !memcmp(text + key + 1, split, klen);
        cur_ws(&c);
        if (c.pos >= len || text[c.pos] != ':') return 0;
        c.pos++;
        cur_ws(&c);
        if (match) break; /* cJSON also takes the first of duplicate keys */
        if (!cur_skip(&c, 1)) return 0;
        cur_ws(&c);
        if (c.pos >= len || text[c.pos] != ',') return 0;
        c.pos++;
    }
    size_t best = c.pos;
    for (int k = 0; k < n_idx; k++) {
        if (!cur_index(&c, idx[k])) return best;
        best = c.pos;
    }
    return best;
}

/* ---- the reader ---- */

typedef struct jsb_reader {
    const char *text;     /* the document, for positions */
    size_t len;           /* its length in bytes */
    const char *name;     /* file name for messages */
    const jsb_opts *opts; /* split, grid, merge */
    char *err;            /* caller's buffer, may be NULL */
    size_t errlen;
} jsb_reader;

/* "FILE:LINE:COL: expected X, found Y (at PATH)" for split[idx...]. */
static int jr_fail(const jsb_reader *r, int status, const char *split, const size_t *idx,
                   int n_idx, const char *what) {
    char path[96];
    int n = snprintf(path, sizeof path, "%s", split);
    for (int k = 0; k < n_idx && n > 0 && (size_t)n < sizeof path; k++)
        n += snprintf(path + n, sizeof path - (size_t)n, "[%zu]", idx[k]);
    size_t line, col;
    line_col(r->text, jsb_locate(r->text, r->len, split, idx, n_idx), &line, &col);
    return lj_fail(r->err, r->errlen, status, "%s:%zu:%zu: %s (at %s)", r->name, line, col, what, path);
}

static const char *json_kind(const cJSON *v) {
    if (cJSON_IsArray(v)) return "a list";
    if (cJSON_IsObject(v)) return "an object";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsNumber(v)) return "a number";
    return "an unknown value";
}

/* One piece (a list of steps) -> a new score in *out. */
static int read_piece(const jsb_reader *r, const cJSON *piece, const char *split, size_t piece_idx,
                      int book_index, score **out) {
    size_t idx[3] = {piece_idx, 0, 0};
    char what[160];
    *out = NULL;
    if (!cJSON_IsArray(piece)) {
        snprintf(what, sizeof what, "expected a list of time steps, found %s", json_kind(piece));
        return jr_fail(r, LJ_ERR_PARSE, split, idx, 1, what);
    }
    score *s = score_create();
    if (!s) return lj_fail(r->err, r->errlen, LJ_ERR_NOMEM, "%s: out of memory", r->name);
    snprintf(s->title, sizeof s->title, "%s %zu", split, piece_idx);
    snprintf(s->source, sizeof s->source, "%s", r->name);
    s->index = book_index;
    int rc = score_add_part(s, "chorale", 0, 0, NULL);
    /* start[p]: onset step of the note of pitch p being held, or -1. */
    int64_t start[128];
    for (int p = 0; p < 128; p++) start[p] = -1;
    int64_t step_ticks = r->opts->step_ticks;
    int merge = r->opts->merge_held;
    size_t n_steps = 0;
    const cJSON *frame;
    cJSON_ArrayForEach(frame, piece) {
        idx[1] = n_steps;
        if (rc) break;
        if (!cJSON_IsArray(frame)) {
            snprintf(what, sizeof what, "expected a list of MIDI pitches, found %s", json_kind(frame));
            rc = jr_fail(r, LJ_ERR_PARSE, split, idx, 2, what);
            break;
        }
        uint64_t now[2] = {0, 0}; /* pitches sounding in this step (a bitmask over 0..127) */
        size_t k = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, frame) {
            idx[2] = k++;
            double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
            if (!cJSON_IsNumber(v) || !(d >= 0 && d <= 127) || d != floor(d)) {
                if (cJSON_IsNumber(v))
                    snprintf(what, sizeof what, "expected a MIDI pitch (an integer 0..127), found %.17g", d);
                else
                    snprintf(what, sizeof what, "expected a MIDI pitch (an integer 0..127), found %s", json_kind(v));
                rc = jr_fail(r, cJSON_IsNumber(v) ? LJ_ERR_RANGE : LJ_ERR_PARSE, split, idx, 3, what);
                break;
            }
            int p = (int)d;
            now[p >> 6] |= (uint64_t)1 << (p & 63); /* a pitch listed twice sounds once */
        }
        if (rc) break;
        /* End the notes that stop here (all of them without merge_held). */
        for (int p = 0; p < 128 && !rc; p++) {
            int on = (int)((now[p >> 6] >> (p & 63)) & 1);
            if (start[p] >= 0 && (!on || !merge)) {
                score_note n = {start[p] * step_ticks, ((int64_t)n_steps - start[p]) * step_ticks,
                                (uint8_t)p, JSB_VELOCITY, 0, 0, 0};
                if (score_add_note(s, &n)) rc = LJ_ERR_NOMEM;
                start[p] = -1;
            }
            if (on && start[p] < 0) start[p] = (int64_t)n_steps;
        }
        n_steps++;
    }
    for (int p = 0; p < 128 && !rc; p++) {
        if (start[p] < 0) continue;
        score_note n = {start[p] * step_ticks, ((int64_t)n_steps - start[p]) * step_ticks, (uint8_t)p,
                        JSB_VELOCITY, 0, 0, 0};
        if (score_add_note(s, &n)) rc = LJ_ERR_NOMEM;
    }
    if (rc) {
        score_destroy(s);
        if (rc == LJ_ERR_NOMEM) return lj_fail(r->err, r->errlen, rc, "%s: out of memory", r->name);
        return rc;
    }
    score_sort(s);
    *out = s;
    return LJ_OK;
}

int jsb_read_mem(const char *json, size_t len, const char *name, const jsb_opts *opts,
                 score_book *out, char *err, size_t errlen) {
    jsb_opts def = {NULL, SCORE_PPQ / 4, 1};
    if (!opts) opts = &def;
    if (!name) name = "<memory>";
    if (err && errlen) err[0] = 0;
    if (!json && len) return lj_fail(err, errlen, LJ_ERR_ARG, "%s: no text", name);
    if (!json) json = "";
    if (opts->step_ticks <= 0 || opts->step_ticks > JSB_MAX_STEP_TICKS)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: step_ticks must be 1..%d, found %d", name,
                       JSB_MAX_STEP_TICKS, opts->step_ticks);
    int first = 0, last = 2;
    if (opts->split) {
        for (first = 0; first < 3 && strcmp(opts->split, jsb_splits[first]); first++) {}
        if (first == 3)
            return lj_fail(err, errlen, LJ_ERR_ARG, "%s: split must be train, valid or test, found '%s'",
                           name, opts->split);
        last = first;
    }
    jsb_scan scan = scan_text(json, len);
    if (scan.too_deep < len) {
        size_t line, col;
        line_col(json, scan.too_deep, &line, &col);
        return lj_fail(err, errlen, LJ_ERR_LIMIT,
                       "%s:%zu:%zu: expected at most %d nested lists/objects, found more", name, line,
                       col, JSB_MAX_DEPTH);
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        size_t off = end && end >= json && end <= json + len ? (size_t)(end - json) : 0;
        /* cJSON reports running out of text as an error at its last byte. When
         * the text ends inside a string or an open list and that byte could
         * have been continued (a number, a literal, a separator), the text was
         * cut short: say "end of file". A byte that could not start or continue
         * anything ('x') is itself the error. */
        if (scan.open_at_end && len > 0 && off + 1 >= len &&
            (scan.in_string_at_end || strchr(" \t\r\n,:[{0123456789-+.eEtruefalsn", json[len - 1])))
            off = len;
        size_t line, col;
        line_col(json, off, &line, &col);
        char found[16];
        if (off >= len) snprintf(found, sizeof found, "end of file");
        else if ((unsigned char)json[off] > 32 && (unsigned char)json[off] < 127)
            snprintf(found, sizeof found, "'%c'", json[off]);
        else snprintf(found, sizeof found, "byte 0x%02X", (unsigned)(unsigned char)json[off]);
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%zu:%zu: expected valid JSON, found %s", name,
                       line, col, found);
    }
    /* cJSON stops after the first value: anything but spaces after it is an error. */
    size_t tail = end ? (size_t)(end - json) : len;
    while (tail < len && strchr(" \t\r\n", json[tail]) && json[tail]) tail++;
    jsb_reader r = {json, len, name, opts, err, errlen};
    int rc = LJ_OK;
    size_t pushed = 0, n_before = out->n;
    if (tail < len) {
        size_t line, col;
        line_col(json, tail, &line, &col);
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%zu:%zu: expected end of file after the JSON value, found more",
                     name, line, col);
    } else if (!cJSON_IsObject(root)) {
        rc = lj_fail(err, errlen, LJ_ERR_PARSE,
                     "%s:1:1: expected an object {\"train\": [...], \"valid\": [...], \"test\": [...]}, found %s",
                     name, json_kind(root));
    }
    for (int k = first; k <= last && !rc; k++) {
        const char *split = jsb_splits[k];
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, split);
        if (!list) {
            rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s:1:1: expected the key \"%s\" in the top object, found none",
                         name, split);
            break;
        }
        if (!cJSON_IsArray(list)) {
            char what[96];
            snprintf(what, sizeof what, "expected a list of pieces, found %s", json_kind(list));
            rc = jr_fail(&r, LJ_ERR_PARSE, split, NULL, 0, what);
            break;
        }
        size_t i = 0;
        const cJSON *piece;
        cJSON_ArrayForEach(piece, list) {
            score *s = NULL;
            rc = read_piece(&r, piece, split, i, (int)(out->n - n_before) + 1, &s);
            if (rc) break;
            rc = score_book_push(out, s);
            if (rc) {
                lj_fail(err, errlen, rc, "%s: out of memory", name);
                break;
            }
            pushed++;
            i++;
        }
    }
    cJSON_Delete(root);
    if (rc) { /* nothing half-read stays in the book */
        for (size_t k = n_before; k < out->n; k++) score_destroy(out->items[k]);
        out->n = n_before;
    }
    (void)pushed;
    return rc;
}

static int contains_nocase(const char *s, const char *word) {
    size_t n = strlen(word);
    for (; *s; s++) {
        size_t i = 0;
        while (i < n && s[i] && tolower((unsigned char)s[i]) == word[i]) i++; /* word: lower case */
        if (i == n) return 1;
    }
    return 0;
}

int jsb_grid_of_name(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    static const struct { const char *word; int ticks; } grids[] = {
        {"16th", SCORE_PPQ / 4}, {"8th", SCORE_PPQ / 2}, {"quarter", SCORE_PPQ}};
    int found = 0;
    for (size_t k = 0; k < sizeof grids / sizeof grids[0]; k++)
        if (contains_nocase(base, grids[k].word)) {
            if (found) return 0; /* two grids named: no claim */
            found = grids[k].ticks;
        }
    return found;
}

int jsb_read_file(const char *path, const jsb_opts *opts, score_book *out, char *err,
                  size_t errlen) {
    uint8_t *data;
    size_t len;
    int rc = lj_file_read(path, &data, &len, err, errlen);
    if (rc) return rc;
    rc = jsb_read_mem((const char *)data, len, path, opts, out, err, errlen);
    free(data);
    return rc;
}

int jsb_to_roll(const score *s, int step_ticks, uint64_t (**frames)[2], size_t *n_frames) {
    *frames = NULL;
    *n_frames = 0;
    if (step_ticks <= 0) return LJ_ERR_ARG;
    int64_t end = score_end_tick(s);
    if (end < 0) return LJ_ERR_RANGE;
    uint64_t n = ((uint64_t)end + (uint64_t)step_ticks - 1) / (uint64_t)step_ticks;
    if (n > (uint64_t)(SIZE_MAX / sizeof **frames) || n > ((uint64_t)1 << 32)) return LJ_ERR_LIMIT;
    uint64_t (*f)[2] = calloc(n ? (size_t)n : 1, sizeof *f);
    if (!f) return LJ_ERR_NOMEM;
    for (size_t i = 0; i < s->n_notes; i++) {
        const score_note *note = &s->notes[i];
        if (note->onset < 0 || note->duration <= 0 || note->pitch > 127) continue;
        /* Every frame the note overlaps: [onset, onset+duration) in ticks. */
        int64_t a = note->onset / step_ticks;
        int64_t b = (note->onset + note->duration - 1) / step_ticks;
        for (int64_t t = a; t <= b && (uint64_t)t < n; t++)
            f[t][note->pitch >> 6] |= (uint64_t)1 << (note->pitch & 63);
    }
    *frames = f;
    *n_frames = (size_t)n;
    return LJ_OK;
}
