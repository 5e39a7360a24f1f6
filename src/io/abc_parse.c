/* abc_parse: the ABC character-level state machine. Lines in, items out.
 *
 * Line level: abc_parse_state (FILE -> HEADER at X:, HEADER -> BODY at K:,
 * BODY -> FILE at a blank line, any -> ERROR, sticky). Inside a music line a
 * token loop reads one construct at a time; each construct's reader is one
 * static function below. Pitches are resolved here (key signature plus the
 * accidentals in force in the bar, which abc2midi propagates to every octave of
 * the letter), lengths are exact fractions of a whole note with tuplets and
 * broken rhythm already applied, so the later stages only move items around.
 *
 * Errors are "FILE:LINE:COL: expected X, found Y". What abc2midi reads past
 * with a warning (unknown decorations, stray ')' or '!', unknown fields, a '\'
 * inside a line) is a warning here too (opts->warn). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abc_internal.h"

/* ----------------------------------------------------------------- messages */

void abc_warn(abc_parser *p, long col, const char *fmt, ...) {
    p->n_warnings++;
    if (!p->opts || !p->opts->warn) return;
    char msg[512], full[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s:%ld:%ld: %s", p->name, p->line, col, msg);
    p->opts->warn(p->opts->warn_user, full);
}

/* Reports a fatal error (first one wins) and enters the sticky error state. */
static int fail_at(abc_parser *p, int status, long col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static int fail_at(abc_parser *p, int status, long col, const char *fmt, ...) {
    if (p->status != LJ_OK) return p->status;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lj_fail(p->err, p->errlen, status, "%s:%ld:%ld: %s", p->name, p->line, col, msg);
    p->resync_col = col;
    p->status = status;
    p->state = ABC_PS_ERROR;
    return status;
}

/* A printable description of the character at s[i] for "found ..." messages. */
static const char *found_desc(const char *s, size_t n, size_t i, char *buf, size_t len) {
    if (i >= n) return "end of line";
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x21 && c < 0x7f) snprintf(buf, len, "'%c'", c);
    else if (c == ' ' || c == '\t') snprintf(buf, len, "a space");
    else snprintf(buf, len, "byte 0x%02x", c);
    return buf;
}

/* -------------------------------------------------------------------- items */

static int push_item(abc_parser *p, const abc_item *it) {
    abc_tune *t = &p->tune;
    if (t->n_items >= ABC_MAX_ITEMS)
        return fail_at(p, LJ_ERR_LIMIT, it->col, "tune has more than %d notes and bars",
                       ABC_MAX_ITEMS);
    if (t->n_items == t->cap_items) {
        size_t ncap = t->cap_items ? t->cap_items * 2 : 256;
        abc_item *ni = realloc(t->items, ncap * sizeof *ni);
        if (!ni) return fail_at(p, LJ_ERR_NOMEM, it->col, "out of memory");
        t->items = ni;
        t->cap_items = ncap;
    }
    t->items[t->n_items++] = *it;
    return LJ_OK;
}

static abc_item make_item(abc_parser *p, int type, long col) {
    abc_item it;
    memset(&it, 0, sizeof it);
    it.type = (uint8_t)type;
    it.line = (int32_t)p->line;
    it.col = (int32_t)col;
    it.len = abc_frac_make(0, 1);
    it.adv = abc_frac_make(0, 1);
    it.aux = -1;
    return it;
}

/* ----------------------------------------------------------- key signatures */

/* Semitone offset of each letter C D E F G A B from C. */
static const int letter_semis[7] = {0, 2, 4, 5, 7, 9, 11};

static int letter_index(int c) {
    switch (toupper(c)) {
    case 'C': return 0;
    case 'D': return 1;
    case 'E': return 2;
    case 'F': return 3;
    case 'G': return 4;
    case 'A': return 5;
    case 'B': return 6;
    default: return -1;
    }
}

static void key_signature(int fifths, int8_t acc[7]) {
    /* sharps are added in the order F C G D A E B, flats in the reverse order */
    static const int order[7] = {3, 0, 4, 1, 5, 2, 6};
    memset(acc, 0, 7);
    for (int i = 0; i < fifths && i < 7; i++) acc[order[i]] = 1;
    for (int i = 0; i < -fifths && i < 7; i++) acc[order[6 - i]] = -1;
}

/* The bar's accidentals start again from the key signature (abc2midi copymap). */
static void reset_bar_accidentals(abc_parser *p) {
    memset(p->bar_acc_set, 0, sizeof p->bar_acc_set);
}

/* ------------------------------------------------------------ small readers */

static int is_space(int c) { return c == ' ' || c == '\t'; }

static size_t skip_spaces(const char *s, size_t n, size_t i) {
    while (i < n && is_space((unsigned char)s[i])) i++;
    return i;
}

/* Reads an unsigned decimal number at s[*i] (no sign). Returns 1 if digits were
 * present; *value is clamped to limit+1 so callers can report the limit. */
static int read_number(const char *s, size_t n, size_t *i, long limit, long *value) {
    size_t j = *i;
    long v = 0;
    while (j < n && isdigit((unsigned char)s[j])) {
        if (v <= limit) v = v * 10 + (s[j] - '0');
        j++;
    }
    if (j == *i) return 0;
    if (v > limit) v = limit + 1;
    *value = v;
    *i = j;
    return 1;
}

/* Note length multiplier after a note or rest: "", "2", "/", "//", "/2", "3/2".
 * Result in units of L. Fails with LJ_ERR_LIMIT on huge numbers, LJ_ERR_PARSE
 * on a zero. */
static int read_length(abc_parser *p, const char *s, size_t n, size_t *i, abc_frac *out) {
    long num = 1, den = 1, v;
    size_t start = *i;
    if (read_number(s, n, i, ABC_MAX_LEN_NUMBER, &v)) {
        if (v > ABC_MAX_LEN_NUMBER)
            return fail_at(p, LJ_ERR_LIMIT, (long)start + 1,
                           "note length multiplier larger than %d", ABC_MAX_LEN_NUMBER);
        if (v == 0) {
            return fail_at(p, LJ_ERR_PARSE, (long)start + 1,
                           "expected a note length of at least 1, found '0'");
        }
        num = v;
    }
    while (*i < n && s[*i] == '/') {
        size_t at = *i;
        (*i)++;
        if (read_number(s, n, i, ABC_MAX_LEN_NUMBER, &v)) {
            if (v > ABC_MAX_LEN_NUMBER)
                return fail_at(p, LJ_ERR_LIMIT, (long)at + 2,
                               "note length divisor larger than %d", ABC_MAX_LEN_NUMBER);
            if (v == 0)
                return fail_at(p, LJ_ERR_PARSE, (long)at + 2,
                               "expected a non-zero divisor after '/', found '0'");
            den *= v;
        } else {
            den *= 2;
        }
        if (den > (long)ABC_MAX_LEN_NUMBER * 64)
            return fail_at(p, LJ_ERR_LIMIT, (long)at + 1, "note length divisor larger than %d",
                           ABC_MAX_LEN_NUMBER * 64);
    }
    *out = abc_frac_make(num, den);
    return LJ_OK;
}

/* --------------------------------------------------------------- field values */

/* Parses an M: value. Returns 0 and sets num/den (0/0 for "none"), or -1. */
static int parse_meter(const char *v, int *num, int *den) {
    while (is_space((unsigned char)*v)) v++;
    if (!strncmp(v, "none", 4) || !*v) {
        *num = 0;
        *den = 0;
        return 0;
    }
    if (v[0] == 'C' && v[1] == '|') {
        *num = 2;
        *den = 2;
        return 0;
    }
    if (v[0] == 'C') {
        *num = 4;
        *den = 4;
        return 0;
    }
    /* (2+3+2)/8 or 2+3/8 or 6/8 */
    long total = 0, x;
    const char *q = v;
    if (*q == '(') q++;
    for (;;) {
        if (!isdigit((unsigned char)*q)) return -1;
        x = strtol(q, (char **)&q, 10);
        if (x <= 0 || x > 255) return -1;
        total += x;
        if (total > 255) return -1;
        if (*q == '+') {
            q++;
            continue;
        }
        break;
    }
    if (*q == ')') q++;
    if (*q != '/') return -1;
    q++;
    if (!isdigit((unsigned char)*q)) return -1;
    x = strtol(q, (char **)&q, 10);
    if (x <= 0 || x > 128) return -1;
    *num = (int)total;
    *den = (int)x;
    return 0;
}

/* Parses an L: value "1/8". Returns 0 or -1. */
static int parse_unit(const char *v, abc_frac *unit) {
    while (is_space((unsigned char)*v)) v++;
    if (!isdigit((unsigned char)*v)) return -1;
    char *e;
    long a = strtol(v, &e, 10), b = 1;
    if (*e == '/') {
        if (!isdigit((unsigned char)e[1])) return -1;
        b = strtol(e + 1, &e, 10);
    }
    while (is_space((unsigned char)*e)) e++;
    if (*e && *e != '%') return -1;
    if (a <= 0 || b <= 0 || a > 64 || b > 1024) return -1;
    *unit = abc_frac_make(a, b);
    return 0;
}

/* Parses a Q: value into microseconds per quarter note. Forms: "1/4=120",
 * "120" (beats of L, as abc2midi), "1/8 3/8=40", with "text" read past.
 * Returns 0, 1 when there is no tempo in it (only text), or -1. */
static int parse_tempo(const char *v, abc_frac unit, uint32_t *us_per_qn) {
    abc_frac beat = abc_frac_make(0, 1);
    int have_beat = 0, of = 0;
    long bpm = -1;
    const char *q = v;
    while (*q) {
        if (is_space((unsigned char)*q)) {
            q++;
            continue;
        }
        if (*q == '"') {
            const char *e = strchr(q + 1, '"');
            if (!e) return -1;
            q = e + 1;
            continue;
        }
        if (*q == '%') break;
        if (isdigit((unsigned char)*q)) {
            char *e;
            long a = strtol(q, &e, 10);
            if (*e == '/') {
                if (!isdigit((unsigned char)e[1])) return -1;
                long b = strtol(e + 1, &e, 10);
                if (a <= 0 || b <= 0 || a > 64 || b > 1024) return -1;
                beat = abc_frac_add(beat, abc_frac_make(a, b), &of);
                have_beat = 1;
                q = e;
                continue;
            }
            if (a <= 0 || a > 100000) return -1;
            bpm = a;
            q = e;
            continue;
        }
        if (*q == '=') {
            q++;
            continue;
        }
        if (*q == 'C' || *q == 'c') { /* Q:C=120: C is a quarter note in old ABC */
            beat = abc_frac_add(beat, abc_frac_make(1, 4), &of);
            have_beat = 1;
            q++;
            continue;
        }
        return -1;
    }
    if (bpm < 0) return have_beat ? -1 : 1;
    if (!have_beat) beat = unit;
    if (of) return -1;
    /* quarter notes per minute = bpm * beat * 4 */
    double qpm = (double)bpm * 4.0 * (double)beat.num / (double)beat.den;
    double us = 60e6 / qpm;
    if (us < 1.0 || us > 16777215.0) return -1;
    *us_per_qn = (uint32_t)(us + 0.5);
    return 0;
}

/* Parses a K: value. Sets fifths, mode and per-letter accidentals; *has_key is
 * 0 when the field only sets a clef. Returns 0, or -1 with a reason in why. */
static int parse_key(const char *v, int *fifths, int *mode, int8_t acc[7], int *has_key,
                     char *why, size_t whylen) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    char *pc = strchr(buf, '%');
    if (pc) *pc = 0;
    *has_key = 0;
    *fifths = 0;
    *mode = SCORE_MODE_MAJOR;
    memset(acc, 0, 7);
    int explicit_only = 0, have_tonic = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (strchr(tok, '=') && tok[0] != '=') continue; /* clef=, octave=, transpose= */
        if (!strcmp(tok, "treble") || !strcmp(tok, "bass") || !strcmp(tok, "alto") ||
            !strcmp(tok, "tenor") || !strcmp(tok, "perc") || !strcmp(tok, "none") ||
            !strcmp(tok, "treble8") || !strcmp(tok, "bass3")) {
            if (!strcmp(tok, "none") && !have_tonic) {
                have_tonic = 1;
                *has_key = 1;
            }
            continue;
        }
        if (!have_tonic) {
            if (!strcmp(tok, "HP") || !strcmp(tok, "Hp")) {
                /* Highland pipes: abc2midi plays F# and C# (D mixolydian-like) */
                *fifths = 2;
                *mode = SCORE_MODE_MIXOLYDIAN;
                key_signature(2, acc);
                have_tonic = 1;
                *has_key = 1;
                continue;
            }
            int li = letter_index((unsigned char)tok[0]);
            if (li < 0 || !isupper((unsigned char)tok[0])) {
                if (tok[0] == '^' || tok[0] == '_' || tok[0] == '=') goto accidental;
                snprintf(why, whylen, "expected a key tonic A-G, 'none' or 'HP', found '%s'", tok);
                return -1;
            }
            static const int tonic_fifths[7] = {0, 2, 4, -1, 1, 3, 5}; /* C D E F G A B */
            int f = tonic_fifths[li];
            char *m = tok + 1;
            if (*m == '#') {
                f += 7;
                m++;
            } else if (*m == 'b') {
                f -= 7;
                m++;
            }
            if (!*m) {
                char *peek = save ? save : NULL;
                /* the mode may be the next token: "D mix" */
                while (peek && is_space((unsigned char)*peek)) peek++;
                if (peek && isalpha((unsigned char)*peek) &&
                    strncmp(peek, "clef", 4) && strncmp(peek, "treble", 6) &&
                    strncmp(peek, "bass", 4) && strncmp(peek, "alto", 4) &&
                    strncmp(peek, "tenor", 5) && strncmp(peek, "octave", 6) &&
                    strncmp(peek, "transpose", 9) && strncmp(peek, "middle", 6)) {
                    m = strtok_r(NULL, " \t", &save);
                }
            }
            int shift = 0;
            char lower[8] = {0};
            for (int k = 0; k < 3 && m && m[k]; k++) lower[k] = (char)tolower((unsigned char)m[k]);
            if (!m || !*m || !strcmp(lower, "maj") || !strcmp(lower, "ion")) {
                *mode = SCORE_MODE_MAJOR;
            } else if (!strcmp(lower, "min") || !strcmp(lower, "aeo") ||
                       (lower[0] == 'm' && lower[1] == 0)) {
                *mode = SCORE_MODE_MINOR;
                shift = -3;
            } else if (!strcmp(lower, "mix")) {
                *mode = SCORE_MODE_MIXOLYDIAN;
                shift = -1;
            } else if (!strcmp(lower, "dor")) {
                *mode = SCORE_MODE_DORIAN;
                shift = -2;
            } else if (!strcmp(lower, "phr")) {
                *mode = SCORE_MODE_PHRYGIAN;
                shift = -4;
            } else if (!strcmp(lower, "lyd")) {
                *mode = SCORE_MODE_LYDIAN;
                shift = 1;
            } else if (!strcmp(lower, "loc")) {
                *mode = SCORE_MODE_LOCRIAN;
                shift = -5;
            } else if (!strcmp(lower, "exp")) {
                explicit_only = 1;
            } else {
                snprintf(why, whylen,
                         "expected a mode (maj, min, m, dor, phr, lyd, mix, loc), found '%s'", m);
                return -1;
            }
            f += shift;
            if (f < -7 || f > 7) {
                snprintf(why, whylen, "expected a key with at most 7 sharps or flats, found '%s'",
                         tok);
                return -1;
            }
            *fifths = explicit_only ? 0 : f;
            key_signature(*fifths, acc);
            have_tonic = 1;
            *has_key = 1;
            continue;
        }
    accidental:
        /* explicit accidentals: ^f _b =c ^^g __a */
        {
            const char *a = tok;
            int semis = 0;
            if (a[0] == '^') semis = a[1] == '^' ? 2 : 1;
            else if (a[0] == '_') semis = a[1] == '_' ? -2 : -1;
            else if (a[0] == '=') semis = 0;
            else {
                snprintf(why, whylen, "expected an accidental like ^f or _b, found '%s'", tok);
                return -1;
            }
            const char *l = a + 1 + (abs(semis) == 2);
            int li = letter_index((unsigned char)*l);
            if (li < 0 || l[1]) {
                snprintf(why, whylen, "expected an accidental like ^f or _b, found '%s'", tok);
                return -1;
            }
            acc[li] = (int8_t)semis;
            *has_key = 1;
        }
    }
    return 0;
}

int abc_key_signature(const char *value, int8_t acc[7], char *why, size_t whylen) {
    int fifths, mode, has_key;
    if (parse_key(value, &fifths, &mode, acc, &has_key, why, whylen) < 0) return -1;
    if (!has_key) memset(acc, 0, 7);
    return has_key ? 0 : 1;
}

/* Expands a header P: order: "AABB", "A(AB)3", "AAB3" (last part repeated),
 * dots and spaces read past. Returns 0, or -1 (LJ_ERR_LIMIT in *status) */
static int expand_parts(const char *v, char *out, size_t cap, int depth, const char **end) {
    size_t n = 0;
    const char *q = v;
    while (*q && *q != ')' && *q != '%') {
        char group[ABC_MAX_PARTS + 1];
        size_t glen = 0;
        if (*q == '(') {
            if (depth > 8) return -1;
            const char *e;
            if (expand_parts(q + 1, group, sizeof group, depth + 1, &e) < 0) return -1;
            glen = strlen(group);
            q = (*e == ')') ? e + 1 : e;
        } else if (*q >= 'A' && *q <= 'Z') {
            group[0] = *q++;
            group[1] = 0;
            glen = 1;
        } else {
            q++;
            continue;
        }
        long times = 1;
        if (isdigit((unsigned char)*q)) {
            times = strtol(q, (char **)&q, 10);
            if (times > ABC_MAX_PARTS) return -1;
        }
        for (long k = 0; k < times; k++) {
            if (n + glen >= cap) return -1;
            memcpy(out + n, group, glen);
            n += glen;
        }
    }
    out[n] = 0;
    if (end) *end = q;
    return 0;
}

/* ------------------------------------------------------------ tune boundaries */

static void tune_reset(abc_parser *p, int index) {
    abc_tune *t = &p->tune;
    t->index = index;
    t->title[0] = 0;
    t->parts[0] = 0;
    t->play_order[0] = 0;
    t->n_items = 0;
    t->line = (int)p->line;
    t->meter_num = 4;
    t->meter_den = 4;
    t->key_fifths = 0;
    t->key_mode = SCORE_MODE_MAJOR;
    t->us_per_qn = SCORE_DEFAULT_US_PER_QN;
    t->n_voices = 0;
    p->unit = abc_frac_make(1, 8);
    p->unit_set = 0;
    p->meter_num = 4;
    p->meter_den = 4;
    memset(p->key_acc, 0, sizeof p->key_acc);
    reset_bar_accidentals(p);
    p->in_chord = 0;
    p->tuplet_left = 0;
    p->broken_pending = 0;
    p->broken_explicit = 0;
    p->hornpipe = 0;
    p->horn_have_last = 0;
    p->bar_pos = abc_frac_make(0, 1);
    p->have_last_note = 0;
    p->body_music_seen = 0;
}

/* Ends the tune being read and hands it over. */
static int finish_tune(abc_parser *p) {
    abc_parse_state st = p->state;
    p->state = ABC_PS_FILE;
    p->tune_started = 0;
    if (st == ABC_PS_HEADER)
        return fail_at(p, LJ_ERR_PARSE, 1, "expected a K: field to end the header of tune X:%d "
                       "(line %d), found the end of the tune", p->tune.index, p->tune.line);
    if (st != ABC_PS_BODY) return p->status;
    if (p->in_chord) {
        abc_warn(p, 1, "chord [ not closed with ] before the end of the tune");
        p->in_chord = 0;
    }
    int rc = p->on_tune ? p->on_tune(p->on_tune_user, &p->tune) : LJ_OK;
    if (rc != LJ_OK && p->status == LJ_OK) {
        p->status = rc;
        p->state = ABC_PS_ERROR;
        if (p->err && !p->err[0]) lj_fail(p->err, p->errlen, rc, "%s: %s", p->name, lj_strerror(rc));
    }
    return p->status;
}

/* ------------------------------------------------------------ music tokens */

/* Applies a broken-rhythm factor to items [from, to): notes' len and adv and a
 * chord's closing adv. */
static int scale_group(abc_parser *p, size_t from, size_t to, abc_frac f, long col) {
    int of = 0;
    for (size_t k = from; k < to && k < p->tune.n_items; k++) {
        abc_item *it = &p->tune.items[k];
        if (it->type == ABC_NOTE || it->type == ABC_REST || it->type == ABC_CHORD_OFF) {
            it->len = abc_frac_mul(it->len, f, &of);
            it->adv = abc_frac_mul(it->adv, f, &of);
        }
    }
    if (of) return fail_at(p, LJ_ERR_LIMIT, col, "note length too complex (broken rhythm)");
    return LJ_OK;
}

/* Called when a note, rest or chord [from, to) is complete: applies a pending
 * broken rhythm to it and its predecessor, then remembers it. */
static int group_done(abc_parser *p, size_t from, size_t to, long col) {
    if (p->broken_pending != 0) {
        abc_frac first, second;
        if (p->broken_pending == ABC_BROKEN_HORNPIPE) {
            /* R:hornpipe pairs: abc2midi plays them 2:1 */
            first = abc_frac_make(4, 3);
            second = abc_frac_make(2, 3);
        } else {
            int n = abs(p->broken_pending);
            int64_t pow2 = (int64_t)1 << n;
            abc_frac longer = abc_frac_make(2 * pow2 - 1, pow2); /* 3/2, 7/4, 15/8 */
            abc_frac shorter = abc_frac_make(1, pow2);           /* 1/2, 1/4, 1/8 */
            first = p->broken_pending > 0 ? longer : shorter;
            second = p->broken_pending > 0 ? shorter : longer;
        }
        if (p->have_last_note) {
            int rc = scale_group(p, p->last_note_start, p->last_note_end, first, col);
            if (rc) return rc;
        }
        int rc = scale_group(p, from, to, second, col);
        if (rc) return rc;
        p->broken_pending = 0;
        p->broken_explicit = 0;
    }
    p->last_note_start = from;
    p->last_note_end = to;
    p->have_last_note = 1;
    return LJ_OK;
}

/* abc2midi's R:hornpipe rule (store.c hornp): an eighth note (sixteenth in 2/4)
 * on an off-beat eighth (sixteenth) that follows a note of the same length makes
 * the pair dotted, unless a > or < was written. len is the note's length. */
static void hornpipe_pair(abc_parser *p, abc_frac len) {
    if (!p->hornpipe || p->broken_explicit) return;
    int num = p->meter_num;
    if (p->horn_have_last && abc_frac_cmp(len, p->horn_last) == 0 && len.num == 1 &&
        len.den * num == 32 && ((num == 4 && p->bar_pos.den == 8) ||
                                (num == 2 && p->bar_pos.den == 16)) && p->have_last_note)
        p->broken_pending = ABC_BROKEN_HORNPIPE;
    p->horn_last = len;
    p->horn_have_last = 1;
}

/* Moves the position in the bar on (for the hornpipe rule). */
static void bar_advance(abc_parser *p, abc_frac len) {
    int of = 0;
    abc_frac np = abc_frac_add(p->bar_pos, len, &of);
    if (!of) p->bar_pos = np;
}

/* Note or rest length in whole notes: multiplier * L, then the tuplet factor. */
static int note_length(abc_parser *p, abc_frac mult, long col, abc_frac *out) {
    int of = 0;
    abc_frac len = abc_frac_mul(mult, p->unit, &of);
    if (p->tuplet_left > 0) len = abc_frac_mul(len, p->tuplet_factor, &of);
    if (of) return fail_at(p, LJ_ERR_LIMIT, col, "note length too complex");
    *out = len;
    return LJ_OK;
}

static void tuplet_count(abc_parser *p) {
    if (p->tuplet_left > 0) p->tuplet_left--;
}

/* Reads a note at s[*i]: accidentals, letter, octave marks, length. */
static int read_note(abc_parser *p, const char *s, size_t n, size_t *i) {
    long col = (long)*i + 1;
    int acc = 0, has_acc = 0;
    char b[32];
    while (*i < n && (s[*i] == '^' || s[*i] == '_' || s[*i] == '=')) {
        char c = s[*i];
        has_acc = 1;
        if (c == '=') acc = 0;
        else acc += (c == '^') ? 1 : -1;
        (*i)++;
        if (acc > 2 || acc < -2)
            return fail_at(p, LJ_ERR_PARSE, (long)*i, "expected a note after an accidental, "
                           "found a third accidental");
    }
    if (*i >= n || letter_index((unsigned char)s[*i]) < 0) {
        return fail_at(p, LJ_ERR_PARSE, (long)*i + 1, "expected a note letter A-G or a-g after "
                       "the accidental, found %s", found_desc(s, n, *i, b, sizeof b));
    }
    char letter = s[*i];
    int li = letter_index((unsigned char)letter);
    int octave = islower((unsigned char)letter) ? 1 : 0;
    (*i)++;
    while (*i < n && (s[*i] == '\'' || s[*i] == ',')) {
        octave += (s[*i] == '\'') ? 1 : -1;
        (*i)++;
        if (octave > 10 || octave < -10) break;
    }
    abc_frac mult;
    int rc = read_length(p, s, n, i, &mult);
    if (rc) return rc;
    if (has_acc) {
        /* the Nottingham files apply an accidental to its own note only */
        if (!abc_nottingham(p)) {
            p->bar_acc[li] = (int8_t)acc;
            p->bar_acc_set[li] = 1;
        }
    } else {
        acc = p->bar_acc_set[li] ? p->bar_acc[li] : p->key_acc[li];
    }
    int pitch = 60 + letter_semis[li] + 12 * octave + acc;
    if (pitch < 0 || pitch > 127)
        return fail_at(p, LJ_ERR_RANGE, col, "expected a note within MIDI pitches 0..127, found "
                       "pitch %d", pitch);
    abc_item it = make_item(p, ABC_NOTE, col);
    it.pitch = (int16_t)pitch;
    it.pitchline = (int16_t)(li + 7 * octave);
    rc = note_length(p, mult, col, &it.len);
    if (rc) return rc;
    if (p->in_chord) {
        it.in_chord = 1;
        if (p->chord_first_note) {
            /* abc2midi: the first note's length is the chord's length */
            p->tune.items[p->chord_on].len = it.len;
            p->chord_first_note = 0;
        }
        it.len = p->tune.items[p->chord_on].len;
        return push_item(p, &it);
    }
    it.adv = it.len;
    hornpipe_pair(p, it.len);
    rc = push_item(p, &it);
    if (rc) return rc;
    tuplet_count(p);
    bar_advance(p, it.adv); /* abc2midi counts the bar in written lengths */
    return group_done(p, p->tune.n_items - 1, p->tune.n_items, col);
}

/* Rest z/x with a length, or multi-bar rest Z/X with a bar count. */
static int read_rest(abc_parser *p, const char *s, size_t n, size_t *i) {
    long col = (long)*i + 1;
    char c = s[*i];
    (*i)++;
    abc_item it = make_item(p, ABC_REST, col);
    if (c == 'Z' || c == 'X') {
        long bars = 1;
        if (*i < n && isdigit((unsigned char)s[*i])) {
            read_number(s, n, i, ABC_MAX_MREST_BARS, &bars);
            if (bars > ABC_MAX_MREST_BARS)
                return fail_at(p, LJ_ERR_LIMIT, col, "multi-bar rest longer than %d bars",
                               ABC_MAX_MREST_BARS);
        }
        int num = p->meter_num ? p->meter_num : 4, den = p->meter_den ? p->meter_den : 4;
        it.adv = abc_frac_make((int64_t)bars * num, den);
        it.len = it.adv;
        if (p->in_chord) return fail_at(p, LJ_ERR_PARSE, col, "expected a note in the chord, "
                                        "found a multi-bar rest '%c'", c);
        return push_item(p, &it);
    }
    abc_frac mult;
    int rc = read_length(p, s, n, i, &mult);
    if (rc) return rc;
    rc = note_length(p, mult, col, &it.len);
    if (rc) return rc;
    if (p->in_chord) {
        it.in_chord = 1;
        if (p->chord_first_note) {
            p->tune.items[p->chord_on].len = it.len;
            p->chord_first_note = 0;
        }
        return LJ_OK; /* a rest in a chord only sets its length */
    }
    it.adv = it.len;
    rc = push_item(p, &it);
    if (rc) return rc;
    tuplet_count(p);
    bar_advance(p, it.adv); /* abc2midi counts the bar in written lengths */
    return group_done(p, p->tune.n_items - 1, p->tune.n_items, col);
}

/* Variant list after a bar or [: "1", "1,3", "1-3". Returns the bit mask. */
static int read_variants(abc_parser *p, const char *s, size_t n, size_t *i, int32_t *mask) {
    *mask = 0;
    long col = (long)*i + 1;
    for (;;) {
        long a, b;
        if (!read_number(s, n, i, ABC_MAX_VARIANT, &a)) break;
        b = a;
        if (*i + 1 < n && s[*i] == '-' && isdigit((unsigned char)s[*i + 1])) {
            (*i)++;
            read_number(s, n, i, ABC_MAX_VARIANT, &b);
        }
        if (a < 1 || b > ABC_MAX_VARIANT || b < a)
            return fail_at(p, LJ_ERR_LIMIT, col, "expected ending numbers 1..%d, found %ld",
                           ABC_MAX_VARIANT, a < 1 ? a : b);
        for (long k = a; k <= b; k++) *mask |= (int32_t)1 << k;
        if (*i + 1 < n && s[*i] == ',' && isdigit((unsigned char)s[*i + 1])) {
            (*i)++;
            continue;
        }
        break;
    }
    return LJ_OK;
}

static int push_bar(abc_parser *p, int type, long col) {
    abc_item it = make_item(p, type, col);
    reset_bar_accidentals(p);
    p->bar_pos = abc_frac_make(0, 1);
    p->have_last_note = 0; /* broken rhythm does not cross a bar line */
    return push_item(p, &it);
}

static int push_variant(abc_parser *p, int32_t mask, long col) {
    abc_item it = make_item(p, ABC_PLAY_ON_REP, col);
    it.a = mask;
    return push_item(p, &it);
}

/* Chord symbol text (without quotes). Annotations (^_<>@ first) are read past. */
static int chord_symbol(abc_parser *p, const char *s, size_t n, long col) {
    if (n == 0 || strchr("^_<>@", s[0])) return LJ_OK;
    int li = letter_index((unsigned char)s[0]);
    if (li < 0 || !isupper((unsigned char)s[0])) {
        abc_warn(p, col, "chord symbol \"%.*s\" has no root A-G: read past", (int)n, s);
        return LJ_OK;
    }
    int root = letter_semis[li];
    size_t k = 1;
    if (k < n && (s[k] == '#' || s[k] == 'b')) {
        root += s[k] == '#' ? 1 : -1;
        k++;
    }
    char kind[16];
    size_t kl = 0;
    while (k < n && s[k] != '/' && s[k] != ' ' && s[k] != '(' && kl + 1 < sizeof kind) kind[kl++] = s[k++];
    kind[kl] = 0;
    static const struct { const char *name; int kind; } kinds[] = {
        {"", ABC_CH_MAJ},      {"maj", ABC_CH_MAJ},    {"M", ABC_CH_MAJ},
        {"m", ABC_CH_MIN},     {"min", ABC_CH_MIN},    {"mi", ABC_CH_MIN},
        {"-", ABC_CH_MIN},     {"7", ABC_CH_7},        {"dom7", ABC_CH_7},
        {"m7", ABC_CH_MIN7},   {"min7", ABC_CH_MIN7},  {"mi7", ABC_CH_MIN7},
        {"-7", ABC_CH_MIN7},   {"maj7", ABC_CH_MAJ7},  {"M7", ABC_CH_MAJ7},
        {"ma7", ABC_CH_MAJ7},  {"dim", ABC_CH_DIM},    {"o", ABC_CH_DIM},
        {"aug", ABC_CH_AUG},   {"+", ABC_CH_AUG},      {"sus4", ABC_CH_SUS4},
        {"sus", ABC_CH_SUS4},  {"6", ABC_CH_6},        {"m6", ABC_CH_MIN6},
        {"min6", ABC_CH_MIN6}, {"9", ABC_CH_9},        {"dim7", ABC_CH_DIM7},
        {"o7", ABC_CH_DIM7},   {"sus2", ABC_CH_SUS2},  {"m9", ABC_CH_MIN9},
        {"min9", ABC_CH_MIN9}, {"7sus4", ABC_CH_SUS4}, {"aug7", ABC_CH_AUG},
        {"+7", ABC_CH_AUG},    {"7+", ABC_CH_AUG},     {"m7b5", ABC_CH_DIM},
        {"d", ABC_CH_DIM},     {"a", ABC_CH_AUG}, /* the Nottingham files: "Cd", "Ca" */
    };
    int kind_id = -1;
    for (size_t q = 0; q < sizeof kinds / sizeof *kinds; q++)
        if (!strcmp(kind, kinds[q].name)) kind_id = kinds[q].kind;
    if (kind_id < 0) {
        abc_warn(p, col, "unknown chord type \"%s\" in \"%.*s\": played as a major triad", kind,
                 (int)n, s);
        kind_id = ABC_CH_MAJ;
    }
    int bass = -1;
    if (k < n && s[k] == '/' && k + 1 < n && letter_index((unsigned char)s[k + 1]) >= 0) {
        bass = letter_semis[letter_index((unsigned char)s[k + 1])];
        if (k + 2 < n && (s[k + 2] == '#' || s[k + 2] == 'b')) bass += s[k + 2] == '#' ? 1 : -1;
        bass = (bass + 12) % 12;
    }
    abc_item it = make_item(p, ABC_GCHORD, col);
    it.pitch = (int16_t)((root + 12) % 12);
    it.aux = (int16_t)bass;
    it.a = kind_id;
    return push_item(p, &it);
}

static int apply_key(abc_parser *p, const char *v, long col, int in_header);
static int apply_meter(abc_parser *p, const char *v, long col, int in_header);
static int apply_unit(abc_parser *p, const char *v, long col);
static int apply_tempo(abc_parser *p, const char *v, long col, int in_header);
static int apply_body_part(abc_parser *p, const char *v, long col);
static int apply_voice(abc_parser *p, const char *v, long col);

/* The index of the first `close` in s[from..n), or n after failing with
 * "expected 'close' to close the <what> opened at column col" (the line
 * resynchronises after the opening column). */
static size_t find_closing(abc_parser *p, const char *s, size_t n, size_t from, char close,
                           const char *what, long col) {
    size_t e = from;
    while (e < n && s[e] != close) e++;
    if (e >= n) {
        fail_at(p, LJ_ERR_PARSE, (long)n + 1, "expected '%c' to close the %s opened at column %ld, "
                "found the end of the line", close, what, col);
        p->resync_col = col + 1;
    }
    return e;
}

/* Inline field [X:value] at s[*i] == '['. */
static int read_inline_field(abc_parser *p, const char *s, size_t n, size_t *i) {
    long col = (long)*i + 1;
    size_t j = *i + 1;
    char field = s[j];
    size_t vstart = j + 2;
    char what[] = "inline field [?:";
    what[sizeof what - 3] = field;
    size_t e = find_closing(p, s, n, vstart, ']', what, col);
    if (e >= n) return p->status;
    char v[512];
    size_t vl = e - vstart < sizeof v - 1 ? e - vstart : sizeof v - 1;
    memcpy(v, s + vstart, vl);
    v[vl] = 0;
    *i = e + 1;
    switch (field) {
    case 'K': return apply_key(p, v, col, 0);
    case 'M': return apply_meter(p, v, col, 0);
    case 'L': return apply_unit(p, v, col);
    case 'Q': return apply_tempo(p, v, col, 0);
    case 'P': return apply_body_part(p, v, col);
    case 'V': return apply_voice(p, v, col);
    default: return LJ_OK; /* I: r: N: w: ... read past */
    }
}

/* Closes a chord at s[*i] == ']' with an optional length after it. */
static int close_chord(abc_parser *p, const char *s, size_t n, size_t *i) {
    long col = (long)*i + 1;
    (*i)++;
    abc_frac mult;
    int rc = read_length(p, s, n, i, &mult);
    if (rc) return rc;
    abc_item *on = &p->tune.items[p->chord_on];
    int of = 0;
    abc_frac len = p->chord_first_note ? abc_frac_make(0, 1) : on->len;
    len = abc_frac_mul(len, mult, &of);
    if (of) return fail_at(p, LJ_ERR_LIMIT, col, "note length too complex");
    /* the outside length multiplies every note (abc2midi fix_enclosed_note_lengths) */
    for (size_t k = p->chord_on + 1; k < p->tune.n_items; k++)
        if (p->tune.items[k].type == ABC_NOTE) p->tune.items[k].len = len;
    abc_item off = make_item(p, ABC_CHORD_OFF, col);
    off.adv = len;
    off.len = len;
    rc = push_item(p, &off);
    if (rc) return rc;
    p->in_chord = 0;
    tuplet_count(p);
    bar_advance(p, len);
    return group_done(p, p->chord_on, p->tune.n_items, col);
}

/* Closes a chord that the text left open (a bar line or '[' came first). */
static int implicit_close(abc_parser *p, long col) {
    static const char close[] = "]";
    size_t i = 0;
    int rc = close_chord(p, close, 1, &i);
    if (rc == LJ_OK) p->tune.items[p->tune.n_items - 1].col = (int32_t)col;
    return rc;
}

/* Tuplet "(p", "(p:q", "(p:q:r", "(p::r" at s[*i] == '(' followed by a digit. */
static int read_tuplet(abc_parser *p, const char *s, size_t n, size_t *i) {
    long col = (long)*i + 1;
    (*i)++;
    long tp = 0, tq = 0, tr = 0;
    read_number(s, n, i, ABC_MAX_TUPLET, &tp);
    if (*i < n && s[*i] == ':') {
        (*i)++;
        read_number(s, n, i, ABC_MAX_TUPLET, &tq);
        if (*i < n && s[*i] == ':') {
            (*i)++;
            read_number(s, n, i, ABC_MAX_TUPLET, &tr);
        }
    }
    if (tp > ABC_MAX_TUPLET || tq > ABC_MAX_TUPLET || tr > ABC_MAX_TUPLET)
        return fail_at(p, LJ_ERR_LIMIT, col, "tuplet numbers larger than %d", ABC_MAX_TUPLET);
    if (tp < 2)
        return fail_at(p, LJ_ERR_PARSE, col, "expected a tuplet of 2 or more notes, found (%ld",
                       tp);
    if (tq == 0) {
        /* ABC 2.1: 3 of 2 for (2 (4 (8 ... 2 of 3 for (3 (6, and for 5 7 9: 3 in
         * compound meter, else 2 */
        int compound = p->meter_num % 3 == 0 && p->meter_num > 3;
        switch (tp) {
        case 2: case 4: case 8: tq = 3; break;
        case 3: case 6: tq = 2; break;
        default: tq = compound ? 3 : 2; break;
        }
    }
    if (tr == 0) tr = tp;
    p->tuplet_factor = abc_frac_make(tq, tp);
    p->tuplet_left = (int)tr;
    return LJ_OK;
}

/* Skips "!...!" or "+...+" decorations; a lone one is read past with a warning. */
static void skip_decoration(abc_parser *p, const char *s, size_t n, size_t *i) {
    char end = s[*i];
    size_t e = *i + 1;
    while (e < n && s[e] != end) e++;
    if (e >= n) {
        abc_warn(p, (long)*i + 1, "'%c' without a closing '%c': read past", end, end);
        (*i)++;
        return;
    }
    *i = e + 1;
}

/* Reads one music line, or a piece of one (line_start 0: the line's earlier
 * pieces were read already; columns then count from col0). */
static int parse_music(abc_parser *p, const char *s, size_t n, int line_start) {
    size_t i = 0;
    char b[32];
    if (line_start) {
        abc_item it = make_item(p, ABC_MUSICLINE, 1);
        int rc = push_item(p, &it);
        if (rc) return rc;
        p->body_music_seen = 1;
    }
    while (i < n && p->status == LJ_OK) {
        unsigned char c = (unsigned char)s[i];
        long col = (long)i + 1;
        int rc = LJ_OK;
        if (is_space(c)) {
            i++;
            continue;
        }
        if (p->in_chord && (c == '|' || (c == ':' && i + 1 < n && (s[i + 1] == '|' ||
                                                                    s[i + 1] == ':')))) {
            abc_warn(p, col, "chord opened at column %ld not closed before the bar line: "
                     "closed here", (long)p->tune.items[p->chord_on].col);
            rc = implicit_close(p, col);
            if (rc) return rc;
        }
        if (letter_index(c) >= 0 || c == '^' || c == '_' || c == '=') {
            rc = read_note(p, s, n, &i);
        } else switch (c) {
        case 'z': case 'x': case 'Z': case 'X':
            rc = read_rest(p, s, n, &i);
            break;
        case '|':
            i++;
            if (i < n && s[i] == ':') {
                i++;
                rc = push_bar(p, ABC_BAR_REP, col);
            } else if (i < n && s[i] == '|') {
                i++;
                rc = push_bar(p, ABC_DOUBLE_BAR, col);
            } else if (i < n && s[i] == ']') {
                i++;
                rc = push_bar(p, ABC_DOUBLE_BAR, col);
            } else {
                rc = push_bar(p, ABC_SINGLE_BAR, col);
                size_t j = i;
                if (j < n && s[j] == '[' && j + 1 < n && isdigit((unsigned char)s[j + 1])) j++;
                if (!rc && j < n && isdigit((unsigned char)s[j])) {
                    int32_t mask;
                    i = j;
                    rc = read_variants(p, s, n, &i, &mask);
                    if (!rc) rc = push_variant(p, mask, col);
                }
            }
            break;
        case ':':
            i++;
            if (i < n && s[i] == ':') {
                i++;
                rc = push_bar(p, ABC_DOUBLE_REP, col);
            } else if (i < n && s[i] == '|') {
                i++;
                rc = push_bar(p, ABC_REP_BAR, col);
                size_t j = i;
                if (j < n && s[j] == '[' && j + 1 < n && isdigit((unsigned char)s[j + 1])) j++;
                if (!rc && j < n && isdigit((unsigned char)s[j])) {
                    int32_t mask;
                    i = j;
                    rc = read_variants(p, s, n, &i, &mask);
                    if (!rc) rc = push_variant(p, mask, col);
                }
                if (i < n && s[i] == ']') i++;
            } else {
                rc = push_bar(p, ABC_DOUBLE_BAR, col); /* dotted bar */
            }
            break;
        case '[':
            if (i + 1 < n && s[i + 1] == '|') {
                i += 2;
                rc = push_bar(p, ABC_DOUBLE_BAR, col);
                if (!rc && i < n && s[i] == ':') {
                    i++;
                    rc = push_bar(p, ABC_BAR_REP, col);
                }
            } else if (i + 1 < n && isdigit((unsigned char)s[i + 1])) {
                int32_t mask;
                i++;
                rc = read_variants(p, s, n, &i, &mask);
                if (!rc) rc = push_variant(p, mask, col);
            } else if (i + 2 < n && isalpha((unsigned char)s[i + 1]) && s[i + 2] == ':') {
                rc = read_inline_field(p, s, n, &i);
            } else {
                if (p->in_chord) {
                    abc_warn(p, col, "chord opened at column %ld not closed before '[': closed "
                             "here", (long)p->tune.items[p->chord_on].col);
                    rc = implicit_close(p, col);
                    if (rc) return rc;
                }
                abc_item it = make_item(p, ABC_CHORD_ON, col);
                rc = push_item(p, &it);
                p->in_chord = 1;
                p->chord_on = p->tune.n_items - 1;
                p->chord_first_note = 1;
                i++;
            }
            break;
        case ']':
            if (p->in_chord) {
                rc = close_chord(p, s, n, &i);
            } else if (i + 1 < n && s[i + 1] == '|') {
                i += 2;
                rc = push_bar(p, ABC_DOUBLE_BAR, col);
            } else {
                abc_warn(p, col, "']' without an opening '[': read past");
                i++;
            }
            break;
        case '"': {
            size_t e = find_closing(p, s, n, i + 1, '"', "chord symbol", col);
            if (e >= n) return p->status;
            rc = chord_symbol(p, s + i + 1, e - i - 1, col);
            i = e + 1;
            break;
        }
        case '(':
            if (i + 1 < n && isdigit((unsigned char)s[i + 1])) rc = read_tuplet(p, s, n, &i);
            else i++; /* slur */
            break;
        case ')':
            i++;
            break;
        case '{': {
            /* grace notes: read past (abc2midi steals their time from the next note) */
            size_t e = find_closing(p, s, n, i + 1, '}', "grace notes", col);
            if (e >= n) return p->status;
            i = e + 1;
            break;
        }
        case '}':
            abc_warn(p, col, "'}' without an opening '{': read past");
            i++;
            break;
        case '!': case '+':
            skip_decoration(p, s, n, &i);
            break;
        case '-': {
            /* tie: belongs to the last note (abc2midi: "always the immediately previous note") */
            abc_item it = make_item(p, ABC_TIE, col);
            rc = push_item(p, &it);
            i++;
            break;
        }
        case '>': case '<': {
            int cnt = 0;
            while (i < n && s[i] == (char)c) {
                cnt++;
                i++;
            }
            if (cnt > 3)
                return fail_at(p, LJ_ERR_PARSE, col, "expected at most 3 '%c' in a broken "
                               "rhythm, found %d", c, cnt);
            if (!p->have_last_note) {
                abc_warn(p, col, "broken rhythm '%c' without a note before it: read past", c);
                break;
            }
            p->broken_pending = c == '>' ? cnt : -cnt;
            p->broken_explicit = 1;
            break;
        }
        case '\\':
            if (skip_spaces(s, n, i + 1) < n && s[skip_spaces(s, n, i + 1)] != '%')
                abc_warn(p, col, "'\\' in the middle of a line: read past");
            i++;
            break;
        case '%':
            i = n; /* comment */
            break;
        case '.': case '~': case '`': case '$': case '*':
            i++;
            break;
        case 'y': {
            abc_frac dummy;
            i++;
            rc = read_length(p, s, n, &i, &dummy);
            break;
        }
        case '&':
            return fail_at(p, LJ_ERR_UNSUPPORTED, col, "expected one voice, found a voice "
                           "overlay '&' (not supported)");
        default:
            if (isalpha(c)) {
                /* H..W h..w: decorations (T trill, H fermata, u v bowing...) read past */
                i++;
                break;
            }
            return fail_at(p, LJ_ERR_PARSE, col, "expected a note, rest, bar line or chord, "
                           "found %s", found_desc(s, n, i, b, sizeof b));
        }
        if (rc) return rc;
    }
    return p->status;
}

/* ------------------------------------------------------------------ fields */

static int apply_key(abc_parser *p, const char *v, long col, int in_header) {
    int fifths, mode, has_key;
    int8_t acc[7];
    char why[256];
    if (parse_key(v, &fifths, &mode, acc, &has_key, why, sizeof why) < 0)
        return fail_at(p, LJ_ERR_PARSE, col, "K: %s", why);
    if (!has_key) return LJ_OK;
    memcpy(p->key_acc, acc, 7);
    reset_bar_accidentals(p);
    if (in_header) {
        p->tune.key_fifths = fifths;
        p->tune.key_mode = mode;
        return LJ_OK;
    }
    abc_item it = make_item(p, ABC_KEY, col);
    it.a = fifths;
    it.aux = (int16_t)mode;
    return push_item(p, &it);
}

static int apply_meter(abc_parser *p, const char *v, long col, int in_header) {
    int num, den;
    if (parse_meter(v, &num, &den) < 0)
        return fail_at(p, LJ_ERR_PARSE, col, "expected a meter like 6/8, C or C|, found '%s'", v);
    p->meter_num = num;
    p->meter_den = den;
    if (in_header) {
        p->tune.meter_num = num ? num : 4;
        p->tune.meter_den = den ? den : 4;
        return LJ_OK;
    }
    if (!num) return LJ_OK;
    abc_item it = make_item(p, ABC_METER, col);
    it.a = num;
    it.b = den;
    return push_item(p, &it);
}

static int apply_unit(abc_parser *p, const char *v, long col) {
    if (parse_unit(v, &p->unit) < 0)
        return fail_at(p, LJ_ERR_PARSE, col, "expected a unit note length like 1/8, found '%s'",
                       v);
    p->unit_set = 1;
    return LJ_OK;
}

static int apply_tempo(abc_parser *p, const char *v, long col, int in_header) {
    uint32_t us;
    int r = parse_tempo(v, p->unit, &us);
    if (r < 0)
        return fail_at(p, LJ_ERR_PARSE, col, "expected a tempo like 1/4=120, found '%s'", v);
    if (r > 0) return LJ_OK;
    if (in_header) {
        p->tune.us_per_qn = us;
        return LJ_OK;
    }
    abc_item it = make_item(p, ABC_TEMPO, col);
    it.a = (int32_t)us;
    return push_item(p, &it);
}

static int apply_body_part(abc_parser *p, const char *v, long col) {
    while (is_space((unsigned char)*v)) v++;
    if (!(*v >= 'A' && *v <= 'Z')) {
        abc_warn(p, col, "part label P:%s is not a letter A-Z: read past", v);
        return LJ_OK;
    }
    abc_item it = make_item(p, ABC_PART, col);
    it.pitch = (int16_t)*v;
    p->have_last_note = 0;
    return push_item(p, &it);
}

static int apply_voice(abc_parser *p, const char *v, long col) {
    /* One voice only: the first V: names it; another voice is refused. */
    while (is_space((unsigned char)*v)) v++;
    char id[32];
    size_t k = 0;
    while (v[k] && !is_space((unsigned char)v[k]) && v[k] != ']' && k + 1 < sizeof id) {
        id[k] = v[k];
        k++;
    }
    id[k] = 0;
    if (p->tune.n_voices == 0) {
        p->tune.n_voices = 1;
        snprintf(p->tune.voice_id, sizeof p->tune.voice_id, "%s", id);
        return LJ_OK;
    }
    if (strcmp(p->tune.voice_id, id) != 0)
        return fail_at(p, LJ_ERR_UNSUPPORTED, col, "expected one voice, found a second voice "
                       "V:%s (multi-voice tunes are not supported)", id);
    return LJ_OK;
}

/* Field line "X:value" (letter at s[0]); value starts at s[vstart]. */
static int parse_field(abc_parser *p, char field, const char *val) {
    long col = 1;
    while (is_space((unsigned char)*val)) val++;
    switch (p->state) {
    case ABC_PS_FILE:
        if (field == 'X') {
            long x = strtol(val, NULL, 10);
            tune_reset(p, (int)x);
            p->state = ABC_PS_HEADER;
        }
        return LJ_OK; /* file header fields and free text are read past */
    case ABC_PS_HEADER:
        switch (field) {
        case 'X':
            abc_warn(p, col, "second X: in the header of tune X:%d: read past", p->tune.index);
            return LJ_OK;
        case 'T':
            if (!p->tune.title[0]) {
                size_t tl = strlen(val);
                if (tl >= sizeof p->tune.title) tl = sizeof p->tune.title - 1;
                memcpy(p->tune.title, val, tl);
                p->tune.title[tl] = 0;
                size_t l = strlen(p->tune.title);
                while (l && is_space((unsigned char)p->tune.title[l - 1])) p->tune.title[--l] = 0;
            }
            return LJ_OK;
        case 'M': return apply_meter(p, val, col, 1);
        case 'L': return apply_unit(p, val, col);
        case 'Q': return apply_tempo(p, val, col, 1);
        case 'P':
            if (expand_parts(val, p->tune.parts, sizeof p->tune.parts, 0, NULL) < 0)
                return fail_at(p, LJ_ERR_LIMIT, col, "part order P:%s expands to more than %d "
                               "parts", val, ABC_MAX_PARTS);
            return LJ_OK;
        case 'Y': /* the Nottingham dataset's part sequence (its P: is a part label) */
            if (expand_parts(val, p->tune.play_order, sizeof p->tune.play_order, 0, NULL) < 0)
                return fail_at(p, LJ_ERR_LIMIT, col, "part sequence Y:%s expands to more "
                               "than %d parts", val, ABC_MAX_PARTS);
            return LJ_OK;
        case 'V': return apply_voice(p, val, col);
        case 'K': {
            int rc = apply_key(p, val, col, 1);
            if (rc) return rc;
            if (!p->unit_set) {
                /* abc2midi: L: defaults to 1/16 when the meter is below 3/4, else 1/8 */
                int num = p->tune.meter_num, den = p->tune.meter_den;
                p->unit = (4 * num < 3 * den) ? abc_frac_make(1, 16) : abc_frac_make(1, 8);
            }
            if (p->hornpipe && !((p->tune.meter_num == 2 || p->tune.meter_num == 4) &&
                                 p->tune.meter_den == 4)) {
                abc_warn(p, col, "R:hornpipe needs 2/4 or 4/4 time: played straight");
                p->hornpipe = 0;
            }
            p->state = ABC_PS_BODY;
            p->tune_started = 1;
            return LJ_OK;
        }
        case 'R':
            /* the Nottingham files play hornpipes straight */
            p->hornpipe = !strncasecmp(val, "hornpipe", 8) && !abc_nottingham(p);
            return LJ_OK;
        default: return LJ_OK; /* C: S: N: Z: H: O: B: D: F: G: I: ... */
        }
    case ABC_PS_BODY:
        switch (field) {
        case 'K': return apply_key(p, val, col, 0);
        case 'M': return apply_meter(p, val, col, 0);
        case 'L': return apply_unit(p, val, col);
        case 'Q': return apply_tempo(p, val, col, 0);
        case 'P': return apply_body_part(p, val, col);
        case 'V': return apply_voice(p, val, col);
        default: return LJ_OK; /* T: w: W: N: ... read past */
        }
    default: return p->status;
    }
}

/* ------------------------------------------------------------------ driver */

void abc_parser_init(abc_parser *p, const char *name, const abc_opts *opts, abc_tune_fn fn,
                     void *user, char *err, size_t errlen) {
    memset(p, 0, sizeof *p);
    p->state = ABC_PS_FILE;
    p->name = name ? name : "abc";
    p->opts = opts;
    p->on_tune = fn;
    p->on_tune_user = user;
    p->err = err;
    p->errlen = errlen;
    if (err && errlen) err[0] = 0;
    tune_reset(p, 0);
}

void abc_parser_free(abc_parser *p) {
    free(p->tune.items);
    p->tune.items = NULL;
    p->tune.n_items = p->tune.cap_items = 0;
}

/* Is s a field line "X:" (letter, optional spaces, colon)? Sets *field and *val. */
static int is_field_line(const char *s, size_t n, char *field, size_t *val) {
    if (n < 2 || !isalpha((unsigned char)s[0])) return 0;
    size_t j = skip_spaces(s, n, 1);
    if (j >= n || s[j] != ':') return 0;
    /* "A:|" or "A::" at the start of a music line is a note and a repeat, not a field */
    if (j + 1 < n && (s[j + 1] == '|' || s[j + 1] == ':')) return 0;
    *field = s[0];
    *val = j + 1;
    return 1;
}

int abc_parser_line(abc_parser *p, const char *s, size_t n) {
    if (p->state == ABC_PS_ERROR) return p->status;
    p->line++;
    if (n > ABC_MAX_LINE)
        return fail_at(p, LJ_ERR_LIMIT, 1, "line longer than %d bytes", ABC_MAX_LINE);
    while (n && (s[n - 1] == '\r' || s[n - 1] == '\n')) n--;
    size_t start = skip_spaces(s, n, 0);
    if (start == n) {
        /* blank line: ends a tune */
        if (p->state == ABC_PS_HEADER || p->state == ABC_PS_BODY) return finish_tune(p);
        return LJ_OK;
    }
    if (s[start] == '%') return LJ_OK; /* comment or %% directive */
    char field;
    size_t val;
    if (is_field_line(s + start, n - start, &field, &val)) {
        if (field == 'X' && p->state == ABC_PS_BODY) {
            int rc = finish_tune(p);
            if (rc) return rc;
        }
        char v[1024];
        size_t vl = n - start - val;
        if (vl >= sizeof v) vl = sizeof v - 1;
        memcpy(v, s + start + val, vl);
        v[vl] = 0;
        if ((field == 'w' || field == 'W') && p->state == ABC_PS_BODY) return LJ_OK;
        return parse_field(p, field, v);
    }
    switch (p->state) {
    case ABC_PS_FILE: return LJ_OK; /* free text between tunes */
    case ABC_PS_HEADER:
        abc_warn(p, 1, "text in the header of tune X:%d before K:: read past", p->tune.index);
        return LJ_OK;
    case ABC_PS_BODY: return parse_music(p, s, n, 1);
    default: return p->status;
    }
}

int abc_parser_finish(abc_parser *p) {
    if (p->state == ABC_PS_ERROR) return p->status;
    if (p->state == ABC_PS_HEADER || p->state == ABC_PS_BODY) return finish_tune(p);
    return p->status;
}

int abc_parser_music_piece(abc_parser *p, const char *s, size_t n, int line_start,
                           int line_end) {
    if (p->state == ABC_PS_ERROR) return p->status;
    if (p->state != ABC_PS_BODY) return LJ_OK;
    if (line_start) p->line++;
    int rc = parse_music(p, s, n, line_start);
    (void)line_end;
    return rc;
}

void abc_parser_recover(abc_parser *p) {
    if (p->state != ABC_PS_ERROR) return;
    p->status = LJ_OK;
    p->state = p->tune_started ? ABC_PS_BODY : ABC_PS_FILE;
    p->in_chord = 0;
    p->tuplet_left = 0;
    p->broken_pending = 0;
    p->broken_explicit = 0;
    p->have_last_note = 0;
    reset_bar_accidentals(p);
}

void abc_parser_drop_items(abc_parser *p, size_t count) {
    abc_tune *t = &p->tune;
    if (count > t->n_items) count = t->n_items;
    memmove(t->items, t->items + count, (t->n_items - count) * sizeof *t->items);
    t->n_items -= count;
    p->chord_on = p->chord_on >= count ? p->chord_on - count : 0;
    p->last_note_start = p->last_note_start >= count ? p->last_note_start - count : 0;
    p->last_note_end = p->last_note_end >= count ? p->last_note_end - count : 0;
}

int abc_parser_reserve(abc_parser *p, size_t items) {
    abc_tune *t = &p->tune;
    if (t->cap_items >= items) return LJ_OK;
    abc_item *ni = realloc(t->items, items * sizeof *ni);
    if (!ni) return LJ_ERR_NOMEM;
    t->items = ni;
    t->cap_items = items;
    return LJ_OK;
}
