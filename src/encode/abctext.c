/* abctext: the abc encoding, characters or folk-rnn tokens (see abctext.h). */
#include "abctext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc.h"
#include "enc_internal.h"

#define ABC_TOKEN_MAX 64     /* longest tokens-variant name; longer runs are dropped */
#define ABC_DEC_NOTES 64     /* notes one decoder step plays; more are dropped and counted
                                (64 ons + 192 offs fit ENC_MAX_STEP_EVENTS) */

static const char *const abc_keys[] = {"variant", "source", "qpm", NULL};

static int is_note_letter(char c) { return (c >= 'A' && c <= 'G') || (c >= 'a' && c <= 'g'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
/* Fields kept as tokens: the ones that change what plays (meter, unit length,
 * key, and R: because a hornpipe is played dotted). */
static int is_header_field(char c) { return c == 'M' || c == 'L' || c == 'K' || c == 'R'; }

/* ------------------------------------------------------------------ lexer */

/* Copies s[from..to) into buf without spaces; returns the length or 0 when it is
 * empty, longer than ABC_TOKEN_MAX or holds a byte outside printable ASCII
 * (token names stay writable in the tokens text format). */
static size_t copy_token(const char *s, size_t from, size_t to, char *buf) {
    size_t l = 0;
    for (size_t k = from; k < to; k++) {
        if (s[k] == ' ' || s[k] == '\t') continue;
        if (l == ABC_TOKEN_MAX || (unsigned char)s[k] < 0x21 || (unsigned char)s[k] > 0x7e) return 0;
        buf[l++] = s[k];
    }
    return l;
}

/* A key value ("E phr", "D ^g _B", "G clef=bass") as one word: clef and
 * other key=value settings dropped, the rest joined ("Ephr", "D^g_B"); the
 * renderer puts a space back before each explicit accidental. Writes after
 * `prefix` (plen bytes, "K:" or "[K:") and `suffix`; returns the length or 0. */
static size_t key_token(const char *prefix, size_t plen, const char *v, size_t n,
                        const char *suffix, char *buf) {
    static const char *const clefs[] = {"treble", "bass", "alto", "tenor", "perc", "treble8", "bass3"};
    size_t l = plen, i = 0;
    memcpy(buf, prefix, plen);
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t')) i++;
        size_t w = i;
        while (w < n && v[w] != ' ' && v[w] != '\t') w++;
        int drop = w > i && memchr(v + i, '=', w - i) && v[i] != '=';
        for (size_t c = 0; c < sizeof clefs / sizeof *clefs && !drop; c++)
            drop = strlen(clefs[c]) == w - i && !memcmp(clefs[c], v + i, w - i);
        if (!drop) {
            if (l + (w - i) > ABC_TOKEN_MAX - 1) return 0;
            for (size_t c = i; c < w; c++)
                if ((unsigned char)v[c] < 0x21 || (unsigned char)v[c] > 0x7e) return 0;
            memcpy(buf + l, v + i, w - i);
            l += w - i;
        }
        i = w;
    }
    size_t sl = strlen(suffix);
    if (l == plen || l + sl > ABC_TOKEN_MAX) return 0;
    memcpy(buf + l, suffix, sl);
    return l + sl;
}

/* The lexer is a loop over one line: each branch reads one construct whole
 * (a note with its accidentals and octave marks, a length, a bar line with its
 * ending number...), so no state crosses a call. */
size_t abctext_next_token(const char *s, size_t n, size_t *i, size_t *start, char *buf) {
    size_t k = *i;
    while (k < n) {
        char c = s[k];
        size_t e = k + 1, len = 0;
        if (c == '%') { /* comment to the end of the line */
            k = n;
            break;
        }
        if (c == '!' || c == '+' || c == '{') { /* decoration, grace notes: dropped */
            char close = c == '{' ? '}' : c;
            while (e < n && s[e] != close) e++;
            k = e < n ? e + 1 : k + 1; /* a lone one is read past alone, as the reader does */
            continue;
        }
        if (c == '"') { /* chord symbol; annotations ("^text") dropped */
            while (e < n && s[e] != '"') e++;
            size_t end = e < n ? e + 1 : n;
            int annotation = k + 1 < n && strchr("^_<>@", s[k + 1]) != NULL;
            /* the reader reads a symbol up to a space ("D m" is D): so does the token */
            size_t stop = k + 1;
            while (stop < e && s[stop] != ' ' && s[stop] != '\t') stop++;
            if (!annotation && e < n && stop - k + 1 <= ABC_TOKEN_MAX) {
                len = copy_token(s, k, stop, buf);
                if (len) buf[len++] = '"';
            }
            if (len) {
                *start = k;
                *i = end;
                return len;
            }
            k = end;
            continue;
        }
        if (c == '^' || c == '_' || c == '=' || is_note_letter(c)) { /* note */
            e = k;
            while (e < n && (s[e] == '^' || s[e] == '_' || s[e] == '=') && e - k < 2) e++;
            if (e < n && is_note_letter(s[e])) {
                e++;
                while (e < n && (s[e] == '\'' || s[e] == ',') && e - k < 16) e++;
                len = copy_token(s, k, e, buf);
            } else if (e < n && (s[e] == '^' || s[e] == '_' || s[e] == '=')) {
                e++; /* a third accidental: the run is dropped */
            }
        } else if (c == 'z' || c == 'x' || c == 'Z') { /* rest */
            len = copy_token(s, k, e, buf);
        } else if (is_digit(c) || c == '/') { /* length */
            while (e < n && (is_digit(s[e]) || s[e] == '/')) e++;
            len = copy_token(s, k, e, buf);
        } else if (c == '>' || c == '<') { /* broken rhythm */
            while (e < n && s[e] == c) e++;
            len = copy_token(s, k, e, buf);
        } else if (c == '-') { /* tie */
            len = copy_token(s, k, e, buf);
        } else if (c == '(') { /* tuplet "(3" or "(3:2:3"; a slur is dropped */
            if (e < n && is_digit(s[e])) {
                while (e < n && (is_digit(s[e]) || s[e] == ':')) e++;
                len = copy_token(s, k, e, buf);
            }
        } else if (c == '|' || c == ':' || (c == '[' && e < n && s[e] == '|')) { /* bar line */
            while (e < n && (s[e] == '|' || s[e] == ':')) e++;
            /* a bar has a '|' or is "::"; a lone ':' is no ABC (and after a
             * letter at a line's start it would make a field line "Z:") */
            int bar = memchr(s + k, '|', e - k) != NULL || e - k >= 2;
            if (e < n && s[e] == ']') e++;
            while (e < n && (is_digit(s[e]) || s[e] == ',' || s[e] == '-')) e++;
            if (bar) len = copy_token(s, k, e, buf);
        } else if (c == '[' && e < n && is_digit(s[e])) { /* ending "[1" */
            while (e < n && (is_digit(s[e]) || s[e] == ',' || s[e] == '-')) e++;
            len = copy_token(s, k, e, buf);
        } else if (c == '[' && e + 1 < n && is_alpha(s[e]) && s[e + 1] == ':') { /* [K:D] */
            while (e < n && s[e] != ']') e++;
            if (e < n && s[k + 1] == 'K') len = key_token("[K:", 3, s + k + 3, e - k - 3, "]", buf);
            else if (e < n) len = copy_token(s, k, e + 1, buf);
            e = e < n ? e + 1 : n;
        } else if (c == '[' || c == ']') { /* chord brackets */
            len = copy_token(s, k, e, buf);
        }
        /* anything else (spaces, slurs' ')', decorations . ~ H..W u v, '\', '`',
         * unknown bytes) is dropped */
        if (len) {
            *start = k;
            *i = e;
            return len;
        }
        k = e;
    }
    *i = n;
    return 0;
}

/* A field line "K:..." (letter, colon, not "A:|" music): its letter or 0. */
static char field_letter(const char *s, size_t n) {
    if (n < 2 || !is_alpha(s[0]) || s[1] != ':') return 0;
    if (n >= 3 && (s[2] == '|' || s[2] == ':')) return 0;
    return s[0];
}

/* "M:6/8"-style header token text: letter, ':', the value without spaces or
 * comment. Returns the length or 0 (empty or too long). */
static size_t header_token(const char *s, size_t n, char *buf) {
    size_t end = 2;
    while (end < n && s[end] != '%') end++;
    if (s[0] == 'K') return key_token("K:", 2, s + 2, end - 2, "", buf);
    size_t l = copy_token(s, 0, end, buf);
    return l > 2 ? l : 0;
}

/* Is name one token of the tokens variant? */
static int is_tokens_name(const char *name, size_t len) {
    if ((len == 3 && !memcmp(name, "<s>", 3)) || (len == 4 && !memcmp(name, "</s>", 4))) return 1;
    if (len > 2 && len <= ABC_TOKEN_MAX && is_header_field(name[0]) &&
        name[1] == ':') {
        for (size_t k = 2; k < len; k++)
            if (name[k] == ' ' || name[k] == '\t' || name[k] == '\n' || name[k] == '\r' || name[k] == '%')
                return 0;
        return 1;
    }
    char buf[ABC_TOKEN_MAX];
    size_t i = 0, start;
    size_t l = abctext_next_token(name, len, &i, &start, buf);
    return l == len && start == 0 && i == len && !memcmp(buf, name, len);
}

/* ------------------------------------------------------------------ renderer */

void abctext_render_reset(abctext_render_state *r) {
    memset(r, 0, sizeof *r);
    r->at_line_start = 1;
}

static size_t put_text(char *out, size_t at, const char *s, size_t n) {
    if (at >= ABCTEXT_RENDER_MAX) return at;
    if (n > ABCTEXT_RENDER_MAX - at) n = ABCTEXT_RENDER_MAX - at;
    for (size_t k = 0; k < n; k++) out[at + k] = s[k];
    return at + n;
}

/* A key token with a space before each explicit accidental ("K:D ^g _B"). */
static size_t put_key(char *out, size_t at, const char *name, size_t len) {
    for (size_t k = 0; k < len; k++) {
        char c = name[k];
        int acc = (c == '^' || c == '_' || c == '=') && k > 0 && name[k - 1] != c && name[k - 1] != ':';
        if (acc) at = put_text(out, at, " ", 1);
        at = put_text(out, at, &c, 1);
    }
    return at;
}

/* Would the next token, starting with c, read as part of the last one if
 * written right after it ("||" "|:" as "|||:", "2" "2" as "22")? */
static int would_join(const abctext_render_state *r, char c) {
    char l = r->last, f = r->last_first;
    if ((l == '|' || l == ':' || l == ']') && (f == '|' || f == ':' || f == '[') &&
        (c == '|' || c == ':' || c == ']' || is_digit(c)))
        return 1;                                                  /* bar line, ending */
    if (f == '(' && (is_digit(c) || c == ':')) return 1;           /* tuplet "(3:2" */
    if ((is_digit(l) || l == '/') && (is_digit(c) || c == '/' || c == ','))
        return 1;                                                  /* lengths, endings */
    /* A tie after a note's length is written on it ("A2-": abc2midi ties only
     * that); after an ending ("[1") '-' would read as a range "[1-". */
    if (is_digit(l) && c == '-' && !is_digit(f) && f != '/') return 1;
    if ((l == '>' || l == '<') && c == l) return 1;                /* broken rhythm */
    if (l == '[' && (c == '|' || is_digit(c))) return 1;          /* chord bracket */
    return 0;
}

static size_t start_tune(abctext_render_state *r, char *out, size_t at) {
    char x[32];
    if (!r->at_line_start) at = put_text(out, at, "\n", 1);
    r->tunes++;
    int l = snprintf(x, sizeof x, "X:%d\n", r->tunes);
    at = put_text(out, at, x, (size_t)l);
    r->in_tune = 1;
    r->in_header = 1;
    r->bars_on_line = 0;
    r->at_line_start = 1;
    return at;
}

size_t abctext_render(abctext_render_state *r, const char *name, size_t len, char *out) {
    size_t at = 0;
    if (len > 255) len = 255;
    if (len == 3 && !memcmp(name, "<s>", 3)) {
        if (r->in_tune) { /* a tune not ended: end it first */
            at = put_text(out, at, r->at_line_start ? "\n" : "\n\n", r->at_line_start ? 1 : 2);
            r->at_line_start = 1;
        }
        return start_tune(r, out, at);
    }
    if (len == 4 && !memcmp(name, "</s>", 4)) {
        if (!r->in_tune) return 0;
        at = put_text(out, at, r->at_line_start ? "\n" : "\n\n", r->at_line_start ? 1 : 2);
        r->in_tune = r->in_header = 0;
        r->at_line_start = 1;
        return at;
    }
    if (!r->in_tune) at = start_tune(r, out, at);
    int header = len > 2 && name[1] == ':' && is_header_field(name[0]);
    if (header) {
        if (!r->at_line_start) at = put_text(out, at, "\n", 1);
        at = put_key(out, at, name, len);
        at = put_text(out, at, "\n", 1);
        if (name[0] == 'K') r->in_header = 0;
        r->at_line_start = 1;
        r->bars_on_line = 0;
        return at;
    }
    if (r->in_header) { /* music before any K: the reader needs one */
        at = put_text(out, at, "K:C\n", 4);
        r->in_header = 0;
    }
    if (!r->at_line_start && would_join(r, name[0])) at = put_text(out, at, " ", 1);
    if (len > 3 && !memcmp(name, "[K:", 3)) at = put_key(out, at, name, len);
    else at = put_text(out, at, name, len);
    r->at_line_start = 0;
    r->last = name[len - 1];
    r->last_first = name[0];
    if (name[0] == '|' || name[0] == ':' || (len > 1 && name[0] == '[' && name[1] == '|')) {
        if (++r->bars_on_line == 8) {
            at = put_text(out, at, "\n", 1);
            r->at_line_start = 1;
            r->bars_on_line = 0;
        }
    }
    return at;
}

/* ------------------------------------------------------------------ class */

static void abc_defaults(enc_opts *o) {
    o->abc_variant = ENC_ABC_CHARS;
    o->velocity = 90; /* the ABC reader's melody velocity */
}

/* Canonical order: chars by byte value; tokens "<s>", "</s>", header fields,
 * then the rest, each group by bytes. */
static int abc_rank(const char *s, size_t len) {
    if (len == 3 && !memcmp(s, "<s>", 3)) return 0;
    if (len == 4 && !memcmp(s, "</s>", 4)) return 1;
    if (len > 2 && s[1] == ':' && is_header_field(s[0])) return 2;
    return 3;
}

static int abc_cmp(const char *a, size_t la, const char *b, size_t lb) {
    if (la != 1 || lb != 1) {
        int ra = abc_rank(a, la), rb = abc_rank(b, lb);
        if (ra != rb) return ra < rb ? -1 : 1;
    }
    size_t m = la < lb ? la : lb;
    int c = memcmp(a, b, m);
    return c ? c : (la < lb ? -1 : la > lb);
}

static int abc_parse(const enc_opts *o, const char *name, size_t len, enc_tok *t, uint8_t *pool,
                     size_t *used, size_t cap) {
    memset(t, 0, sizeof *t);
    if (len == 0) return 0;
    if (o->abc_variant == ENC_ABC_CHARS ? len != 1 : !is_tokens_name(name, len)) return 0;
    if (*used + len > cap) return 0;
    t->kind = ENC_TK_TEXT;
    t->first = (uint32_t)*used;
    t->count = (uint32_t)len;
    memcpy(pool + *used, name, len);
    *used += len;
    return 1;
}

/* Line and column (1-based) of byte `at` in text. */
static void line_col(const char *text, size_t at, long *line, long *col) {
    *line = 1;
    *col = 1;
    for (size_t k = 0; k < at; k++) {
        if (text[k] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

/* Emits one name found at byte `at`; on an unknown name (frozen vocabulary)
 * the message names its position. */
static int emit_at(enc_emitter *em, const char *text, size_t at, const char *tok, size_t len,
                   const char *name, char *err, size_t errlen) {
    if (em->status) return em->status;
    int rc = enc_emit(em, tok, len);
    if (rc == LJ_ERR_RANGE) {
        long line, col;
        line_col(text, at, &line, &col);
        char shown[80];
        size_t k = 0;
        for (size_t j = 0; j < len && k + 5 < sizeof shown; j++) {
            unsigned char c = (unsigned char)tok[j];
            if (c >= 0x20 && c < 0x7f) shown[k++] = (char)c;
            else k += (size_t)snprintf(shown + k, sizeof shown - k, "\\x%02x", c);
        }
        shown[k] = 0;
        lj_fail(err, errlen, rc, "%s:%ld:%ld: expected a token of the model's abc vocabulary, found '%s'",
                name, line, col, shown);
    }
    return rc;
}

static int end_piece(enc_emitter *em, tokset *out, enc_stats *st) {
    if (em->status || !out) return em->status; /* no set: the caller adds the piece */
    if (em->n) {
        int rc = tokset_add(out, em->ids, em->n);
        if (rc) return em->status = rc;
        if (st) { /* from text, a piece is a tune */
            st->scores++;
            st->pieces++;
            st->tokens += em->n;
        }
    }
    em->n = 0;
    return LJ_OK;
}

/* 1 if a line starts at text[i] with the field X: (not "X::", music). */
static int x_line(const char *text, size_t len, size_t i) {
    return (i == 0 || text[i - 1] == '\n') && field_letter(text + i, len - i) == 'X';
}

static int abc_encode_text(const enc_opts *o, const char *text, size_t len, const char *name,
                           int primer, enc_emitter *em, tokset *out, enc_stats *st, char *err,
                           size_t errlen) {
    int has_x = 0;
    for (size_t i = 0; i < len && !has_x; i++) has_x = x_line(text, len, i);
    if (o->abc_variant == ENC_ABC_CHARS) {
        /* one piece per tune, from its X: line (text before the first is
         * dropped, as the trainer's chars_split_tunes); a primer is one piece */
        size_t from = primer || !has_x ? 0 : len;
        for (size_t i = 0; i < len && from == len; i++)
            if (x_line(text, len, i)) from = i;
        for (size_t i = from; i < len; i++) {
            if (!primer && i > from && x_line(text, len, i) && end_piece(em, out, st)) break;
            if (emit_at(em, text, i, text + i, 1, name, err, errlen)) break;
        }
        if (!em->status) end_piece(em, out, st);
        return em->status;
    }
    /* tokens: line by line */
    int in_tune = primer && !has_x, in_header = 0;
    char buf[ABC_TOKEN_MAX];
    if (in_tune) emit_at(em, text, 0, "<s>", 3, name, err, errlen);
    size_t i = 0;
    while (i < len && !em->status) {
        size_t eol = i;
        while (eol < len && text[eol] != '\n') eol++;
        size_t n = eol;
        if (n > i && text[n - 1] == '\r') n--;
        size_t j = i;
        while (j < n && (text[j] == ' ' || text[j] == '\t')) j++;
        const char *line = text + j;
        size_t ll = n - j;
        char f = field_letter(line, ll);
        if (f == 'X') {
            if (in_tune) {
                emit_at(em, text, j, "</s>", 4, name, err, errlen);
                if (!primer) end_piece(em, out, st);
            }
            emit_at(em, text, j, "<s>", 3, name, err, errlen);
            in_tune = in_header = 1;
        } else if (!in_tune || (ll > 0 && line[0] == '%')) {
            /* between tunes, or a comment */
        } else if (ll == 0) { /* blank line: the tune ends */
            emit_at(em, text, j, "</s>", 4, name, err, errlen);
            if (!primer) end_piece(em, out, st);
            in_tune = in_header = 0;
        } else if (f) {
            size_t l = is_header_field(f) ? header_token(line, ll, buf) : 0;
            if (l) emit_at(em, text, j, buf, l, name, err, errlen);
            if (f == 'K') in_header = 0;
        } else {
            in_header = 0; /* music before K: is read as music (a primer) */
            size_t k = 0, start;
            size_t l;
            while ((l = abctext_next_token(line, ll, &k, &start, buf)) && !em->status)
                emit_at(em, text, j + start, buf, l, name, err, errlen);
        }
        (void)in_header;
        i = eol + 1;
    }
    if (in_tune && !primer) emit_at(em, text, len, "</s>", 4, name, err, errlen);
    if (!em->status) end_piece(em, out, st);
    return em->status;
}

/* ------------------------------------------------------------------ score -> ABC */

/* ABC text of a growing buffer. */
typedef struct text_buf {
    char *p;
    size_t n, cap;
    int status;
} text_buf;

static void tb_put(text_buf *t, const char *s, size_t n) {
    if (t->status) return;
    if (t->n + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->n + n + 1) cap *= 2;
        if (cap > (size_t)ENC_MAX_STEPS) {
            t->status = LJ_ERR_LIMIT;
            return;
        }
        char *q = realloc(t->p, cap);
        if (!q) {
            t->status = LJ_ERR_NOMEM;
            return;
        }
        t->p = q;
        t->cap = cap;
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = 0;
}

static void tb_str(text_buf *t, const char *s) { tb_put(t, s, strlen(s)); }

/* A length of k 16ths at L:1/8: "" (1/8), "2", "/2", "3/2"... */
static void tb_len(text_buf *t, int64_t k16) {
    char b[32];
    if (k16 == 2) return;
    if (k16 % 2 == 0) snprintf(b, sizeof b, "%lld", (long long)(k16 / 2));
    else if (k16 == 1) snprintf(b, sizeof b, "/2");
    else snprintf(b, sizeof b, "%lld/2", (long long)k16);
    tb_str(t, b);
}

/* A pitch under K:C, sharps only; acc[] holds the accidental each (letter,
 * octave) carries to the end of the bar (ABC's rule), 0 = natural. */
static void tb_pitch(text_buf *t, int pitch, int8_t acc[7][11]) {
    static const char letters[12] = {'C', 'C', 'D', 'D', 'E', 'F', 'F', 'G', 'G', 'A', 'A', 'B'};
    static const int sharp[12] = {0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0};
    static const int index[12] = {0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 5, 6}; /* C D E F G A B */
    int pc = pitch % 12, oct = pitch / 12 - 1; /* 60 = C4 */
    int li = index[pc];
    if (acc[li][oct + 1] != sharp[pc]) {
        tb_str(t, sharp[pc] ? "^" : "=");
        acc[li][oct + 1] = (int8_t)sharp[pc];
    }
    char c = letters[pc];
    if (oct >= 5) c = (char)(c - 'A' + 'a');
    tb_put(t, &c, 1);
    for (int o = 5; o < oct; o++) tb_str(t, "'");
    for (int o = oct; o < 4; o++) tb_str(t, ",");
}

/* The score's melody as one ABC tune: the highest note starting at each onset
 * (notes on a 16th grid, each cut at the next onset, as timestep's skyline),
 * rests as z, bars by the first meter, notes across a bar tied, pitches
 * shifted by `shift`, in K:C with explicit sharps. `open`: the tune is left
 * open after its last bar line (a primer to continue), else it ends "|]". */
static int score_text(const enc_opts *o, const score *s, int shift, int open, text_buf *t,
                      enc_stats *st) {
    size_t *idx, n;
    int rc = enc_sorted_notes(s, o->part, &idx, &n);
    if (rc) return rc;
    const int64_t g = SCORE_PPQ / 4;
    int num = s->n_meters ? s->meters[0].num : 4, den = s->n_meters ? s->meters[0].den : 4;
    int64_t bar = (int64_t)num * 4 * SCORE_PPQ / den;
    if (bar < g || bar % g) {
        num = 4;
        den = 4;
        bar = 4 * SCORE_PPQ;
    }
    char head[64];
    snprintf(head, sizeof head, "X:1\nM:%d/%d\nL:1/8\nK:C\n", num, den);
    tb_str(t, head);
    int8_t acc[7][11];
    memset(acc, 0, sizeof acc);
    int64_t now = 0; /* ticks written */
    int bars = 0;
    for (size_t j = 0; j < n && !t->status; j++) {
        const score_note *nt = &s->notes[idx[j]];
        int64_t on = enc_round_to(nt->onset, g);
        /* the highest of the notes starting here (sorted by onset, pitch) */
        size_t last = j;
        while (last + 1 < n && enc_round_to(s->notes[idx[last + 1]].onset, g) == on) last++;
        nt = &s->notes[idx[last]];
        int64_t end = enc_round_to(nt->onset + nt->duration, g);
        if (last + 1 < n) {
            int64_t next = enc_round_to(s->notes[idx[last + 1]].onset, g);
            if (end > next) end = next;
        }
        if (st && (on != nt->onset || end != nt->onset + nt->duration)) st->notes_quantised++;
        if (st) st->notes_hidden += last - j;
        j = last;
        if (on < now) on = now;
        if (end <= on) end = on + g;
        for (int note = 0; note < 2 && !t->status; note++) {
            int64_t from = note ? on : now, to = note ? end : on; /* the rest, then the note */
            while (from < to && !t->status) {
                int64_t bar_end = (from / bar + 1) * bar, piece = (to < bar_end ? to : bar_end) - from;
                if (note) tb_pitch(t, nt->pitch + shift, acc);
                else tb_str(t, "z");
                tb_len(t, piece / g);
                from += piece;
                if (note && from < to) tb_str(t, "-");
                if (from == bar_end) {
                    memset(acc, 0, sizeof acc);
                    tb_str(t, ++bars % 4 ? "|" : "|\n");
                }
            }
        }
        now = end;
    }
    free(idx);
    if (t->status) return t->status;
    if (t->n && t->p[t->n - 1] == '\n') t->p[--t->n] = 0; /* after the 4th bar of a line */
    if (now % bar) tb_str(t, "|");
    tb_str(t, open ? "" : "]\n");
    return t->status;
}

int enc_score_abc(const encoding *e, const score *s, int open, char **text, size_t *len) {
    *text = NULL;
    *len = 0;
    if (e->cls != &enc_abc_class) return LJ_ERR_ARG;
    text_buf t = {0};
    int rc = score_text(&e->o, s, 0, open, &t, NULL);
    if (rc) {
        free(t.p);
        return rc;
    }
    *text = t.p;
    *len = t.n;
    return LJ_OK;
}

static int abc_encode_score(const enc_opts *o, const score *s, int shift, enc_emitter *em,
                            enc_stats *st) {
    text_buf t = {0};
    int rc = score_text(o, s, shift, 0, &t, st);
    char err[256];
    if (!rc) rc = abc_encode_text(o, t.p, t.n, "score", 0, em, NULL, NULL, err, sizeof err);
    free(t.p);
    return rc;
}

/* ------------------------------------------------------------------ decoder */

/* What the reader gave during a step, in the order it gave it. */
typedef enum abc_dec_kind {
    ABC_DEC_NOTE = 0, /* a melody note, onset and duration known */
    ABC_DEC_CHORD_ON, /* a chord symbol's note: starts at its onset, held until CHORD_OFF */
    ABC_DEC_CHORD_OFF /* the chord symbol sounding stops at note.onset */
} abc_dec_kind;

typedef struct abc_dec_item {
    score_note note;
    uint8_t kind; /* abc_dec_kind */
} abc_dec_item;

#define ABC_CHORD_HELD INT64_MAX /* off_at of a chord note until its chord ends */

typedef struct abc_dec {
    abc_stream *st;                   /* the streaming reader, fed the rendered text */
    abctext_render_state r;           /* tokens variant: where the text stands */
    abc_dec_item items[ABC_DEC_NOTES]; /* what the reader gave during this step */
    int n_items;
    uint8_t chord[ABC_CHORD_NOTES];   /* pitches of the chord symbol sounding */
    int n_chord;
    size_t dropped;                   /* notes over ABC_DEC_NOTES in one step, or ending
                                         before the decoder's time (not played) */
    int newlines;                     /* chars: '\n' in a row (two end a tune) */
    int swallow_newline;              /* chars: abc_release gave the stream a line break:
                                         the model's next '\n' is that one */
    abc_stream *probe;                /* a copy of st read to the end (abc_typed_ticks) */
    int64_t probe_end;                /* the latest end of a note the probe played, ticks */
    size_t probe_notes;               /* notes the probe played (not handed on by st yet) */
    char err[256];                    /* the reader's last message */
} abc_dec;

static void abc_dec_push(abc_dec *x, const score_note *n, abc_dec_kind kind) {
    if (x->n_items < ABC_DEC_NOTES) {
        x->items[x->n_items].note = *n;
        x->items[x->n_items++].kind = (uint8_t)kind;
    } else if (kind != ABC_DEC_CHORD_OFF) {
        x->dropped++;
    } else { /* the chord must stop even when the step is full: in place of its last item */
        x->items[ABC_DEC_NOTES - 1].note = *n;
        x->items[ABC_DEC_NOTES - 1].kind = (uint8_t)kind;
        x->dropped++;
    }
}

static void abc_on_note(void *user, const score_note *n) { abc_dec_push(user, n, ABC_DEC_NOTE); }

/* A chord symbol starts (n notes at tick) or stops (n = 0) as the reader
 * reaches it: played at that tick, not when the next symbol gives its length. */
static void abc_on_chord(void *user, int64_t tick, const score_note *notes, int n) {
    abc_dec *x = user;
    if (n == 0) {
        score_note off;
        memset(&off, 0, sizeof off);
        off.onset = tick;
        abc_dec_push(x, &off, ABC_DEC_CHORD_OFF);
    }
    for (int k = 0; k < n; k++) abc_dec_push(x, &notes[k], ABC_DEC_CHORD_ON);
}

/* The probe's notes: only their ends count. */
static void abc_probe_note(void *user, const score_note *n) {
    abc_dec *x = user;
    if (n->onset + n->duration > x->probe_end) x->probe_end = n->onset + n->duration;
    x->probe_notes++;
}

static int abc_dec_init(enc_decoder *d) {
    abc_dec *x = calloc(1, sizeof *x);
    if (!x) return LJ_ERR_NOMEM;
    abc_opts ao;
    abc_opts_default(&ao);
    x->st = abc_stream_create(&ao, abc_on_note, x, x->err, sizeof x->err);
    x->probe = x->st ? abc_stream_create(&ao, abc_probe_note, x, NULL, 0) : NULL;
    if (!x->probe) {
        abc_stream_destroy(x->st);
        free(x);
        return LJ_ERR_NOMEM;
    }
    abc_stream_set_chord_fn(x->st, abc_on_chord, x);
    abctext_render_reset(&x->r);
    d->ext = x;
    return LJ_OK;
}

static void abc_dec_reset(enc_decoder *d) {
    abc_dec *x = d->ext;
    if (!x) return;
    abc_stream_reset(x->st);
    abctext_render_reset(&x->r);
    x->n_items = 0;
    x->n_chord = 0;
    x->dropped = 0;
    x->newlines = 0;
    x->swallow_newline = 0;
    x->err[0] = 0;
}

static int abc_dec_copy(enc_decoder *dst, const enc_decoder *src) {
    abc_dec *x = dst->ext;
    const abc_dec *y = src->ext;
    int rc = abc_stream_copy(x->st, y->st);
    if (rc) return rc;
    x->r = y->r;
    x->n_items = y->n_items;
    memcpy(x->items, y->items, (size_t)y->n_items * sizeof *x->items);
    memcpy(x->chord, y->chord, sizeof x->chord);
    x->n_chord = y->n_chord;
    x->dropped = y->dropped;
    x->newlines = y->newlines;
    x->swallow_newline = y->swallow_newline;
    memcpy(x->err, y->err, sizeof x->err);
    return LJ_OK;
}

static void abc_dec_free(enc_decoder *d) {
    abc_dec *x = d->ext;
    if (!x) return;
    abc_stream_destroy(x->st);
    abc_stream_destroy(x->probe);
    free(x);
    d->ext = NULL;
}

/* What the reader gave, in order: each melody note starts at its onset (or at
 * the decoder's time when it comes late: a tie resolved after later notes)
 * and ends at its own end, scheduled like notechord's notes; a chord symbol's
 * notes start at the symbol (the onset of the note it stands on: the reader
 * gives them when it reaches that note) and are held (off_at
 * ABC_CHORD_HELD) until the reader says the chord stops, then end at that
 * tick. A melody note on a pitch the chord holds takes it over (one channel:
 * the note's own end then ends it). */
static size_t play_notes(enc_decoder *d, abc_dec *x, enc_event *out) {
    size_t n = 0;
    for (int k = 0; k < x->n_items; k++) {
        const score_note *nt = &x->items[k].note;
        int64_t on = nt->onset, end = nt->onset + nt->duration;
        n += enc_dec_end_due(d, on, out + n);
        if (on > d->now) d->now = on;
        switch ((abc_dec_kind)x->items[k].kind) {
        case ABC_DEC_CHORD_OFF:
            for (int c = 0; c < x->n_chord; c++) {
                int p = x->chord[c];
                if (d->sounding[p] && d->off_at[p] == ABC_CHORD_HELD) d->off_at[p] = d->now;
            }
            x->n_chord = 0;
            n += enc_dec_end_due(d, d->now, out + n);
            break;
        case ABC_DEC_CHORD_ON:
            n += enc_dec_on(d, nt->pitch, nt->velocity ? nt->velocity : d->velocity, out + n);
            d->off_at[nt->pitch] = ABC_CHORD_HELD;
            if (x->n_chord < ABC_CHORD_NOTES) x->chord[x->n_chord++] = nt->pitch;
            break;
        case ABC_DEC_NOTE:
            if (end <= d->now) {
                x->dropped++;
                continue;
            }
            n += enc_dec_on(d, nt->pitch, nt->velocity ? nt->velocity : d->velocity, out + n);
            d->off_at[nt->pitch] = end;
            break;
        }
    }
    x->n_items = 0;
    return n;
}

static size_t abc_step(enc_decoder *d, const enc_tok *t, enc_event *out) {
    abc_dec *x = d->ext;
    const char *name = (const char *)d->pool + t->first;
    size_t len = t->count;
    x->n_items = 0;
    if (d->e->o.abc_variant == ENC_ABC_CHARS) {
        if (!(x->swallow_newline && name[0] == '\n')) abc_stream_feed(x->st, name, len);
        x->swallow_newline = 0;
        if (name[0] == '\n') {
            if (++x->newlines == 2) d->ended = 1;
        } else if (name[0] != '\r') {
            x->newlines = 0;
        }
    } else {
        char text[ABCTEXT_RENDER_MAX];
        size_t tl = abctext_render(&x->r, name, len, text);
        abc_stream_feed(x->st, text, tl);
        if (len == 4 && !memcmp(name, "</s>", 4)) d->ended = 1;
    }
    return play_notes(d, x, out);
}

/* Where the music of the text given so far ends, in decoder ticks: the
 * decoder's time if the text ended here (abc_flush), the end of its last
 * note or rest. The reader hands a note on only when the text after it
 * fixes it (a space or bar line, the note after it: a '-' or '>' may still
 * change it), a bar of notes at once from the tokens model, which writes no
 * spaces; so the decoder's time, the onset of the last note handed on, lags
 * the text by up to a bar (2 s at 120 BPM in 4/4). Read on a copy of the
 * stream, finished: the decoder's own stream is untouched. Allocates nothing
 * (the copy, unless the stream grew past its reserve: then the decoder's
 * time). x->probe_notes: the notes in the text not handed on yet. */
static int64_t abc_typed_ticks(enc_decoder *d) {
    abc_dec *x = d->ext;
    x->probe_notes = 0;
    if (abc_stream_copy(x->probe, x->st) != LJ_OK) return d->now;
    x->probe_end = d->now;
    abc_stream_finish(x->probe);
    int64_t t = abc_stream_ticks(x->probe);
    return t > x->probe_end ? t : x->probe_end;
}

static size_t abc_flush(enc_decoder *d, enc_event *out) {
    abc_dec *x = d->ext;
    x->n_items = 0;
    abc_stream_finish(x->st);
    size_t n = play_notes(d, x, out);
    return n + enc_dec_end_due(d, INT64_MAX, out + n);
}

/* enc_decoder_release: the line written so far is read as complete (a
 * primer's last notes, which the reader holds until a space, bar or line
 * break: they would sound later as the model's), its notes handed on, and
 * every note sounding ends now (chord symbols' too). The stream is not
 * finished, so the tune stays open for what the model writes next; the line
 * break it was given is the model's next one (chars: swallowed, so a
 * model's line break there does not make a blank line, which ends a tune;
 * tokens: the renderer stands at a line start). The decoder's time then
 * moves to the end of the text read (abc_typed_ticks: the last note's end,
 * not its onset), where the model's next note starts: a primer's continuation
 * starts where the engine puts the decoder's time, not a note later. */
static size_t abc_release(enc_decoder *d, enc_event *out) {
    abc_dec *x = d->ext;
    x->n_items = 0;
    if (abc_stream_end_line(x->st)) {
        x->swallow_newline = d->e->o.abc_variant == ENC_ABC_CHARS;
        x->r.at_line_start = 1;
        x->r.bars_on_line = 0;
    }
    size_t n = play_notes(d, x, out);
    x->n_chord = 0;
    for (int p = 0; p < 128; p++) n += enc_dec_off(d, p, out + n);
    d->cur = -1;
    d->now = abc_typed_ticks(d);
    return n;
}

size_t enc_abc_resyncs(const enc_decoder *d) {
    const abc_dec *x = d->ext;
    return x ? (size_t)abc_stream_errors(x->st) : 0;
}

size_t enc_abc_dropped(const enc_decoder *d) {
    const abc_dec *x = d->ext;
    return x ? x->dropped : 0;
}

/* ------------------------------------------------------------------ key mask */

/* Is a pitch p (or some octave of it, when any_octave) allowed? */
static int pitch_ok(int p, int lo, int hi, unsigned scale, int any_octave) {
    if (!(scale >> (p % 12) & 1u)) return 0;
    if (!any_octave) return p >= lo && p <= hi;
    for (int q = p % 12; q <= 127; q += 12)
        if (q >= lo && q <= hi) return 1;
    return 0;
}

/* Distance of p from [lo, hi] in semitones (0 inside). */
static int range_distance(int p, int lo, int hi) { return p < lo ? lo - p : p > hi ? p - hi : 0; }

double enc_abc_typed_time(enc_decoder *d, size_t *notes_held) {
    if (notes_held) *notes_held = 0;
    if (d->e->cls != &enc_abc_class) return enc_decoder_time(d);
    const int64_t t = abc_typed_ticks(d);
    if (notes_held) *notes_held = ((const abc_dec *)d->ext)->probe_notes;
    return (double)t * d->sec_per_tick;
}

double enc_abc_unit_quarters(const enc_decoder *d) {
    if (d->e->cls != &enc_abc_class) return 0;
    const abc_dec *x = d->ext;
    return abc_stream_unit_quarters(x->st);
}

int enc_abc_note_typed(const enc_decoder *d) {
    if (d->e->cls != &enc_abc_class) return -1;
    const abc_dec *x = d->ext;
    return abc_stream_note_pitch(x->st, "", 0);
}

char enc_abc_typed_note_mark(const enc_decoder *d, int lo, int hi) {
    if (d->e->cls != &enc_abc_class) return 0;
    const abc_dec *x = d->ext;
    int p = abc_stream_note_pitch(x->st, "", 0);
    if (p < 0 || !range_distance(p, lo, hi)) return 0;
    const char mark = p < lo ? '\'' : ',';
    int q = abc_stream_note_pitch(x->st, &mark, 1);
    if (q < 0 || range_distance(q, lo, hi) >= range_distance(p, lo, hi)) return 0; /* (not nearer: a range under an octave) */
    return mark;
}

int enc_abc_move_typed_note(enc_decoder *d, int lo, int hi) {
    if (d->e->cls != &enc_abc_class) return 0;
    abc_dec *x = d->ext;
    int marks = 0;
    char mark;
    while (marks < ENC_ABC_MARKS_MAX && (mark = enc_abc_typed_note_mark(d, lo, hi))) {
        abc_stream_feed(x->st, &mark, 1);
        marks++;
    }
    return marks;
}

int enc_abc_pitch_mask(const enc_decoder *d, int lo, int hi, unsigned scale, uint8_t *allowed) {
    if (d->e->cls != &enc_abc_class) return -1;
    const abc_dec *x = d->ext;
    const abc_stream *st = x->st;
    size_t V = d->n_toks;
    int chars = d->e->o.abc_variant == ENC_ABC_CHARS;
    /* chars: the note being typed (ends the unread text), and which characters
     * may come after an accidental */
    int cur = chars ? abc_stream_note_pitch(st, "", 0) : -1;
    int acc_ok[3] = {1, 1, 1}; /* ^ _ = */
    if (chars) {
        static const char accs[3] = {'^', '_', '='};
        static const char letters[] = "CDEFGABcdefgab";
        for (int a = 0; a < 3; a++) {
            char two[2] = {accs[a], 'C'};
            if (abc_stream_note_pitch(st, two, 2) < 0) continue; /* not where a note is read */
            acc_ok[a] = 0;
            for (int l = 0; l < 14 && !acc_ok[a]; l++) {
                two[1] = letters[l];
                int p = abc_stream_note_pitch(st, two, 2);
                acc_ok[a] = p >= 0 && pitch_ok(p, lo, hi, scale, 1);
            }
        }
    }
    int n_allowed = 0;
    for (size_t id = 0; id < V; id++) {
        const char *name = (const char *)d->pool + d->toks[id].first;
        size_t len = d->toks[id].count;
        int ok = 1;
        if (d->toks[id].kind != ENC_TK_TEXT || len == 0) {
            ok = 1;
        } else if (chars) {
            char c = name[0];
            if (c == '\'' || c == ',') {
                int p = cur >= 0 ? abc_stream_note_pitch(st, &c, 1) : -1;
                ok = cur < 0 || (p >= 0 && (range_distance(p, lo, hi) == 0 ||
                                            range_distance(p, lo, hi) < range_distance(cur, lo, hi)));
            } else if (c == '^' || c == '_' || c == '=') {
                ok = cur >= 0 && range_distance(cur, lo, hi) ? 0 : acc_ok[c == '^' ? 0 : c == '_' ? 1 : 2];
            } else if (cur >= 0 && range_distance(cur, lo, hi)) {
                ok = 0; /* the note being typed is out of range: only marks that bring it nearer */
            } else if ((c >= 'A' && c <= 'G') || (c >= 'a' && c <= 'g')) {
                int p = abc_stream_note_pitch(st, &c, 1);
                ok = p < 0 || pitch_ok(p, lo, hi, scale, 1);
            }
        } else if (name[0] == '^' || name[0] == '_' || name[0] == '=' || (name[0] >= 'A' && name[0] <= 'G') ||
                   (name[0] >= 'a' && name[0] <= 'g')) {
            int p = abc_stream_note_pitch(st, name, len);
            ok = p < 0 || pitch_ok(p, lo, hi, scale, 0);
        }
        allowed[id] = (uint8_t)ok;
        n_allowed += ok;
    }
    return n_allowed;
}

int enc_abc_text(const encoding *e, const int32_t *ids, size_t n, char **out, size_t *len) {
    *out = NULL;
    *len = 0;
    if (e->cls != &enc_abc_class) return LJ_ERR_ARG;
    size_t cap = 1 + (e->o.abc_variant == ENC_ABC_CHARS ? n : n * ABCTEXT_RENDER_MAX);
    char *buf = malloc(cap + 1);
    if (!buf) return LJ_ERR_NOMEM;
    abctext_render_state r;
    abctext_render_reset(&r);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l;
        const char *name = ids[i] >= 0 && (size_t)ids[i] < vocab_size(e->v) ? vocab_name(e->v, ids[i], &l) : NULL;
        if (!name) continue;
        if (e->o.abc_variant == ENC_ABC_CHARS) buf[at++] = name[0];
        else at += abctext_render(&r, name, l, buf + at);
    }
    if (at && buf[at - 1] != '\n') buf[at++] = '\n';
    buf[at] = 0;
    *out = buf;
    *len = at;
    return LJ_OK;
}

typedef struct whole_notes {
    score *s;
    int status;
} whole_notes;

static void whole_note(void *user, const score_note *n) {
    whole_notes *w = user;
    if (!w->status) w->status = score_add_note(w->s, n);
}

/* The ABC text through one stream, every note with its own onset: melody part
 * 0 (channel 0), chord symbols part 1 (channel 1). */
static int abc_decode_whole(const encoding *e, const int32_t *ids, size_t n, score **out) {
    char *text;
    size_t len;
    int rc = enc_abc_text(e, ids, n, &text, &len);
    if (rc) return rc;
    whole_notes w = {score_create(), LJ_OK};
    char err[256];
    abc_stream *st = w.s ? abc_stream_create(NULL, whole_note, &w, err, sizeof err) : NULL;
    if (!st || score_add_tempo(w.s, 0, e->o.us_per_qn) || score_add_part(w.s, "melody", 0, 0, NULL) ||
        score_add_part(w.s, "chords", 1, 0, NULL))
        rc = LJ_ERR_NOMEM;
    if (!rc) rc = abc_stream_feed(st, text, len);
    if (!rc) rc = abc_stream_finish(st);
    if (!rc) rc = w.status;
    abc_stream_destroy(st);
    free(text);
    if (rc) {
        score_destroy(w.s);
        return rc;
    }
    for (size_t i = 0; i < w.s->n_notes; i++) w.s->notes[i].channel = w.s->notes[i].part == 1 ? 1 : 0;
    score_sort(w.s);
    *out = w.s;
    return LJ_OK;
}

const enc_class enc_abc_class = {
    .code_version = 2, /* bump when the encoder's output changes (enc_internal.h); 2: augment
                          puts the untransposed copy first */
    .decode_whole = abc_decode_whole,
    .name = "abc",
    .kind = ENC_KIND_TOKENS,
    .opt_keys = abc_keys,
    .defaults = abc_defaults,
    .check = NULL,
    .fixed_vocab = NULL,
    .cmp = abc_cmp,
    .encode = abc_encode_score,
    .parse = abc_parse,
    .step = abc_step,
    .ms_axis = 0,
    .flush = abc_flush,
    .release = abc_release,
    .dec_init = abc_dec_init,
    .dec_reset = abc_dec_reset,
    .dec_free = abc_dec_free,
    .dec_copy = abc_dec_copy,
    .encode_text = abc_encode_text,
    .no_token_pitch = 1,
};
