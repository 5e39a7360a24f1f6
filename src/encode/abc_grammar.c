/* abc_grammar: the state machine of valid folk-rnn style ABC token streams
 * (see abc_grammar.h). Every token is classified once (abc_grammar_create);
 * a step looks only at its class and the state. */
#include "abc_grammar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc.h"
#include "lj_status.h"

typedef enum gclass {
    G_INVALID = 0, /* never allowed (no reader takes it) */
    G_BOS,         /* "<s>" */
    G_EOS,         /* "</s>" */
    G_FIELD,       /* header field M: L: R: K: */
    G_NOTE,        /* "^c'" */
    G_REST,        /* "z" "x" ("Z": multi-bar rests, never offered) */
    G_LENGTH,      /* "2" "/2" "3/2" */
    G_BROKEN,      /* ">" "<<" */
    G_TIE,         /* "-" */
    G_TUPLET,      /* "(3" "(3:2:4" */
    G_CHORD_OPEN,  /* "[" */
    G_CHORD_CLOSE, /* "]" */
    G_SYMBOL,      /* "\"Am\"" */
    G_INLINE,      /* "[K:D]" "[M:3/4]" "[L:1/16]" */
    G_BAR,         /* "|" "||" "|:" ":|" "::" "|]" "[|" "|1" ":|2" */
    G_ENDING       /* "[1" "[2" */
} gclass;

enum { BAR_START = 1, BAR_END = 2, BAR_FINAL = 4 }; /* repeat start, repeat end, "|]" */
enum { FIELD_M = 1, FIELD_L = 2, FIELD_R = 4 };     /* abc_grammar_state.fields_seen */

#define OCT_MID 8 /* octave index of the letter's own octave (no marks) */
#define UNIT_TICKS 96 /* meter: ticks of one unit length (2^5 * 3: /32 and triplets exact) */

typedef struct gtok {
    uint8_t cls;     /* gclass */
    uint8_t ok;      /* 0: its text is no valid ABC (never allowed; still advanced over) */
    uint8_t bar;     /* G_BAR: BAR_* flags */
    uint8_t number;  /* G_BAR, G_ENDING: ending number (0 none); G_TUPLET: elements r */
    char field;      /* G_FIELD, G_INLINE: the field letter */
    int8_t letter;   /* G_NOTE: 0..6 = C D E F G A B */
    int8_t octave;   /* G_NOTE: octave index 0..ABC_GRAMMAR_OCTAVES-1 */
    int8_t acc;      /* G_NOTE: explicit accidental -2..2, or ABC_GRAMMAR_NO_ACC */
    int8_t key[7];   /* G_FIELD K:, G_INLINE [K:]: the key signature */
    int16_t num, den; /* G_FIELD, G_INLINE M: and L:: the fraction ("C" is 4/4) */
    int32_t ticks;   /* G_LENGTH: UNIT_TICKS x the length, -1 when not a whole tick */
} gtok;

struct abc_grammar {
    size_t n;
    gtok *tok;
    unsigned flags;    /* ABC_GRAMMAR_METER */
    int32_t min_ticks; /* meter: the shortest note the vocabulary can write (ticks) */
    int32_t gcd_ticks; /* meter: every length it can write is a multiple of this */
    int has_meter;     /* the vocabulary has a valid M: field */
    /* which notes the vocabulary can write, per letter and octave: bit acc+2
     * for an explicit accidental -2..2, bit 5 for the bare letter */
    uint8_t can_write[7][ABC_GRAMMAR_OCTAVES];
};

/* ------------------------------------------------------------------ classify */

static int letter_index(char c) {
    static const char up[] = "CDEFGAB";
    if (c >= 'a' && c <= 'g') c = (char)(c - 'a' + 'A');
    const char *p = c ? strchr(up, c) : NULL;
    return p ? (int)(p - up) : -1;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* A whole number in s[*i..n), at most 9999; -1 when there is none. */
static long read_number(const char *s, size_t n, size_t *i) {
    long v = -1;
    while (*i < n && is_digit(s[*i])) {
        v = (v < 0 ? 0 : v) * 10 + (s[*i] - '0');
        if (v > 9999) v = 9999;
        ++*i;
    }
    return v;
}

/* "2" "/2" "3/2" "/" "//": digits, then slashes and digits after at most one
 * slash; no zero. Returns 1 when valid, with *ticks = UNIT_TICKS x the length
 * (-1 when that is no whole number). */
static int valid_length(const char *s, size_t n, int32_t *ticks) {
    size_t i = 0;
    long num = read_number(s, n, &i);
    if (num == 0) return 0;
    size_t slashes = 0;
    while (i < n && s[i] == '/') {
        slashes++;
        i++;
    }
    long den = read_number(s, n, &i);
    if (i != n || (den >= 0 && slashes != 1) || den == 0) return 0;
    if (num < 0 && slashes == 0) return 0;
    if (num < 0) num = 1;
    if (den < 0) den = slashes >= 16 ? 1L << 16 : 1L << slashes; /* "/" = /2, "//" = /4 */
    *ticks = (UNIT_TICKS * num) % den == 0 ? (int32_t)(UNIT_TICKS * num / den) : -1;
    return 1;
}

/* "6/8", "C" (4/4), "C|" (2/2), or L:'s "1/8": the fraction in *num / *den;
 * 0 when it is none. */
static int valid_fraction(const char *s, size_t n, int meter, int16_t *num, int16_t *den) {
    if (meter && ((n == 1 && s[0] == 'C') || (n == 2 && s[0] == 'C' && s[1] == '|'))) {
        *num = n == 1 ? 4 : 2;
        *den = n == 1 ? 4 : 2;
        return 1;
    }
    size_t i = 0;
    long a = read_number(s, n, &i);
    if (a <= 0 || i >= n || s[i] != '/') return 0;
    i++;
    long b = read_number(s, n, &i);
    if (b <= 0 || i != n) return 0;
    *num = (int16_t)a;
    *den = (int16_t)b;
    return 1;
}

/* The key signature of a K: value as a token holds it ("D^g_B": the renderer
 * puts a space before each explicit accidental, as here). */
static int key_of(const char *v, size_t n, int8_t key[7]) {
    char buf[160], why[128];
    size_t l = 0;
    for (size_t k = 0; k < n && l + 2 < sizeof buf; k++) {
        char c = v[k];
        if ((c == '^' || c == '_' || c == '=') && k > 0 && v[k - 1] != c) buf[l++] = ' ';
        buf[l++] = c;
    }
    buf[l] = 0;
    return abc_key_signature(buf, key, why, sizeof why) == 0;
}

static void classify(const char *s, size_t n, gtok *t) {
    memset(t, 0, sizeof *t);
    t->acc = ABC_GRAMMAR_NO_ACC;
    if (n == 0) return;
    if (n == 3 && !memcmp(s, "<s>", 3)) {
        t->cls = G_BOS;
        t->ok = 1;
        return;
    }
    if (n == 4 && !memcmp(s, "</s>", 4)) {
        t->cls = G_EOS;
        t->ok = 1;
        return;
    }
    if (n > 2 && s[1] == ':' && strchr("MLKR", s[0])) {
        t->cls = G_FIELD;
        t->field = s[0];
        if (s[0] == 'M') t->ok = (uint8_t)valid_fraction(s + 2, n - 2, 1, &t->num, &t->den);
        else if (s[0] == 'L') t->ok = (uint8_t)valid_fraction(s + 2, n - 2, 0, &t->num, &t->den);
        else if (s[0] == 'K') t->ok = (uint8_t)key_of(s + 2, n - 2, t->key);
        else t->ok = 1;
        return;
    }
    char c = s[0];
    if (c == '^' || c == '_' || c == '=' || letter_index(c) >= 0) {
        size_t i = 0;
        int acc = 0;
        while (i < n && (s[i] == '^' || s[i] == '_' || s[i] == '=')) {
            acc += s[i] == '^' ? 1 : s[i] == '_' ? -1 : 0;
            i++;
        }
        size_t acc_len = i;
        if (i >= n || letter_index(s[i]) < 0) return;
        int octave = s[i] >= 'a' ? 1 : 0;
        t->letter = (int8_t)letter_index(s[i++]);
        for (; i < n && (s[i] == '\'' || s[i] == ','); i++) octave += s[i] == '\'' ? 1 : -1;
        if (i != n || octave < -OCT_MID || octave > OCT_MID) return;
        t->cls = G_NOTE;
        t->octave = (int8_t)(octave + OCT_MID);
        t->acc = acc_len ? (int8_t)acc : ABC_GRAMMAR_NO_ACC;
        /* "^" "^^" "_" "__" "=" are accidentals; "^_c", "=^c", "==c" are not. A
         * pitch outside MIDI's 0..127 is no note (the reader refuses it). */
        static const int semis[7] = {0, 2, 4, 5, 7, 9, 11};
        int ok_acc = acc_len <= 1 || (acc_len == 2 && s[0] == s[1] && s[0] != '=');
        int pitch = 60 + 12 * octave + semis[t->letter];
        t->ok = (uint8_t)(ok_acc && pitch - 2 >= 0 && pitch + 2 <= 127);
        return;
    }
    if (n == 1 && (c == 'z' || c == 'x' || c == 'Z')) {
        t->cls = G_REST;
        t->ok = c != 'Z';
        return;
    }
    if (is_digit(c) || c == '/') {
        t->cls = G_LENGTH;
        t->ok = (uint8_t)valid_length(s, n, &t->ticks);
        return;
    }
    if (c == '>' || c == '<') {
        t->cls = G_BROKEN;
        t->ok = n <= 3;
        return;
    }
    if (n == 1 && c == '-') {
        t->cls = G_TIE;
        t->ok = 1;
        return;
    }
    if (c == '(') {
        /* "(p", "(p:q", "(p:q:r", "(p::r": r elements follow (p when not given) */
        size_t i = 1;
        long p = read_number(s, n, &i), r = -1;
        if (i < n && s[i] == ':') {
            i++;
            read_number(s, n, &i);
            if (i < n && s[i] == ':') {
                i++;
                r = read_number(s, n, &i);
            }
        }
        t->cls = G_TUPLET;
        if (r < 0) r = p;
        t->number = (uint8_t)(r > 0 && r < 64 ? r : 0);
        t->ok = i == n && p >= 2 && p <= 9 && r >= 1 && r < 64;
        return;
    }
    if (n == 1 && c == '[') {
        t->cls = G_CHORD_OPEN;
        t->ok = 1;
        return;
    }
    if (n == 1 && c == ']') {
        t->cls = G_CHORD_CLOSE;
        t->ok = 1;
        return;
    }
    if (c == '"') {
        t->cls = G_SYMBOL;
        t->ok = n >= 3 && s[n - 1] == '"' && s[1] >= 'A' && s[1] <= 'G';
        return;
    }
    if (c == '[' && n > 3 && s[2] == ':' && s[n - 1] == ']') {
        t->cls = G_INLINE;
        t->field = s[1];
        if (s[1] == 'K') t->ok = (uint8_t)key_of(s + 3, n - 4, t->key);
        else if (s[1] == 'M') t->ok = (uint8_t)valid_fraction(s + 3, n - 4, 1, &t->num, &t->den);
        else if (s[1] == 'L') t->ok = (uint8_t)valid_fraction(s + 3, n - 4, 0, &t->num, &t->den);
        return;
    }
    if (c == '[' && n > 1 && is_digit(s[1])) {
        size_t i = 1;
        long e = read_number(s, n, &i);
        t->cls = G_ENDING;
        t->number = (uint8_t)(e > 0 && e < 100 ? e : 0);
        t->ok = i == n && e >= 1 && e < 100;
        return;
    }
    if (c == '|' || c == ':' || c == '[') {
        /* the bar's own characters, then an ending number */
        size_t core = 0;
        while (core < n && (s[core] == '|' || s[core] == ':' || s[core] == '[' || s[core] == ']')) core++;
        size_t i = core;
        long e = core < n ? read_number(s, n, &i) : -1;
        t->cls = G_BAR;
        if (s[0] == ':') t->bar |= BAR_END;
        size_t last = core - 1;
        if (s[last] == ']' && core > 1) {
            t->bar |= BAR_FINAL;
            last--;
        }
        if (s[last] == ':' && (last > 0 || core == 1)) t->bar |= BAR_START;
        if (core == 2 && s[0] == ':' && s[1] == ':') t->bar = BAR_START | BAR_END;
        int colons = 0, bars = 0;
        for (size_t k = 0; k < core; k++) {
            colons += s[k] == ':';
            bars += s[k] == '|';
        }
        t->number = (uint8_t)(e > 0 && e < 100 ? e : 0);
        /* an ending number must stand alone ("|1", ":|2"), not "|1,3" or "|1-2" */
        t->ok = i == n && (bars > 0 || core == 2) && core <= 4 && colons <= 2 && e != 0 &&
                !((t->bar & BAR_FINAL) && (t->bar & BAR_START)) && !(t->number && (t->bar & BAR_FINAL)) &&
                (s[0] != '[' || (core == 2 && s[1] == '|'));
        return;
    }
}

static int32_t gcd32(int32_t a, int32_t b) {
    while (b) {
        int32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int abc_grammar_create(const vocab *v, unsigned flags, abc_grammar **out, char *err, size_t errlen) {
    *out = NULL;
    size_t n = vocab_size(v);
    if (vocab_find(v, "<s>", 3) < 0 || vocab_find(v, "</s>", 4) < 0)
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "abc grammar: the vocabulary has no \"<s>\" or \"</s>\" (not the abc tokens variant)");
    abc_grammar *g = calloc(1, sizeof *g);
    if (g) g->tok = calloc(n ? n : 1, sizeof *g->tok);
    if (!g || !g->tok) {
        abc_grammar_destroy(g);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "abc grammar: out of memory");
    }
    g->n = n;
    g->flags = flags & ABC_GRAMMAR_METER;
    g->min_ticks = g->gcd_ticks = UNIT_TICKS; /* a note without a length token */
    for (size_t id = 0; id < n; id++) {
        size_t len;
        const char *name = vocab_name(v, (int32_t)id, &len);
        gtok *t = &g->tok[id];
        classify(name, len, t);
        if (t->cls == G_NOTE && t->ok)
            g->can_write[t->letter][t->octave] |=
                (uint8_t)(t->acc == ABC_GRAMMAR_NO_ACC ? 1u << 5 : 1u << (t->acc + 2));
        if (t->cls == G_FIELD && t->field == 'M' && t->ok) g->has_meter = 1;
        if (t->cls == G_LENGTH && t->ok && t->ticks > 0) {
            if (t->ticks < g->min_ticks) g->min_ticks = t->ticks;
            g->gcd_ticks = gcd32(g->gcd_ticks, t->ticks);
        }
    }
    *out = g;
    return LJ_OK;
}

void abc_grammar_destroy(abc_grammar *g) {
    if (!g) return;
    free(g->tok);
    free(g);
}

size_t abc_grammar_size(const abc_grammar *g) { return g->n; }

/* ------------------------------------------------------------------ state */

static void clear_bar_accidentals(abc_grammar_state *s) {
    memset(s->bar_acc_letter, ABC_GRAMMAR_NO_ACC, sizeof s->bar_acc_letter);
    memset(s->bar_acc_octave, ABC_GRAMMAR_NO_ACC, sizeof s->bar_acc_octave);
}

static void start_tune(abc_grammar_state *s) {
    uint32_t violations = s->violations;
    memset(s, 0, sizeof *s);
    s->violations = violations;
    s->phase = ABC_GPHASE_HEADER;
    clear_bar_accidentals(s);
}

void abc_grammar_reset(const abc_grammar *g, abc_grammar_state *s) {
    (void)g;
    memset(s, 0, sizeof *s);
    clear_bar_accidentals(s);
    s->phase = ABC_GPHASE_OUTSIDE;
}

/* The accidental a note plays under the per-letter rule (lstmjam's reader,
 * abc2midi) and the per-octave rule (ABC 2.1). */
static void note_accidentals(const abc_grammar_state *s, const gtok *t, int8_t *by_letter,
                             int8_t *by_octave) {
    if (t->acc != ABC_GRAMMAR_NO_ACC) {
        *by_letter = *by_octave = t->acc;
        return;
    }
    int8_t l = s->bar_acc_letter[t->letter], o = s->bar_acc_octave[t->letter][t->octave];
    *by_letter = l != ABC_GRAMMAR_NO_ACC ? l : s->key_acc[t->letter];
    *by_octave = o != ABC_GRAMMAR_NO_ACC ? o : s->key_acc[t->letter];
}

/* Can the tied note be written again right after a bar line (accidentals
 * cleared), the same under both rules? */
static int tie_crosses_bar(const abc_grammar *g, const abc_grammar_state *s) {
    if (s->note_acc_letter != s->note_acc_octave) return 0;
    int a = s->note_acc_letter;
    uint8_t w = g->can_write[s->note_letter][s->note_octave];
    return (a >= -2 && a <= 2 && (w >> (a + 2) & 1u)) || (a == s->key_acc[s->note_letter] && (w >> 5 & 1u));
}

static int bar_allowed(const abc_grammar *g, const abc_grammar_state *s, const gtok *t) {
    if (s->in_chord || s->broken || s->symbol || s->tuplet_left) return 0;
    if (s->tie) /* one plain bar line between a note and the note it ties to */
        return t->bar == 0 && t->number == 0 && s->bar_elements > 0 && tie_crosses_bar(g, s);
    int start = t->bar & BAR_START, end = t->bar & BAR_END;
    /* no empty bar, except a repeat start opening the body */
    if (s->bar_elements == 0 && !(start && !end && s->tune_notes == 0 && !s->after_bar)) return 0;
    if (start && !end && s->repeat_open) return 0;
    if ((t->bar & BAR_FINAL) && s->repeat_open && !end) return 0;
    if (t->number == 1 && (!s->repeat_open || end)) return 0;
    if (t->number >= 2 && !end) return 0;
    return 1;
}

/* The rules without the meter. */
static int syntax_allows(const abc_grammar *g, const abc_grammar_state *s, const gtok *t) {
    if (!t->ok) return 0;
    if (s->phase == ABC_GPHASE_OUTSIDE) return t->cls == G_BOS;
    if (s->phase == ABC_GPHASE_CLOSED) return t->cls == G_EOS;
    if (s->phase == ABC_GPHASE_HEADER) {
        if (t->cls != G_FIELD) return 0;
        int bit = t->field == 'M' ? FIELD_M : t->field == 'L' ? FIELD_L : t->field == 'R' ? FIELD_R : 0;
        return !(s->fields_seen & bit);
    }
    /* the body */
    int boundary = !s->in_chord && !s->tie && !s->broken && !s->symbol;
    switch ((gclass)t->cls) {
    case G_EOS:
        return s->after_bar && !s->repeat_open && boundary && !s->tuplet_left && s->tune_notes > 0;
    case G_NOTE:
        if (s->tie) {
            int8_t bl, bo;
            note_accidentals(s, t, &bl, &bo);
            return t->letter == s->note_letter && t->octave == s->note_octave && bl == s->note_acc_letter &&
                   bo == s->note_acc_octave;
        }
        return 1;
    case G_REST: return !s->tie && !s->in_chord;
    case G_LENGTH: return s->open_len;
    case G_TIE: return s->last_note && !s->in_chord && !s->tie;
    case G_BROKEN: return s->element_done && boundary && !s->tuplet_left && s->bar_elements > 0;
    case G_TUPLET: return boundary && !s->tuplet_left;
    case G_CHORD_OPEN: return !s->in_chord && !s->tie;
    case G_CHORD_CLOSE: return s->in_chord && s->chord_notes > 0;
    case G_SYMBOL: return boundary;
    case G_INLINE: return boundary && !s->tuplet_left;
    case G_BAR: return bar_allowed(g, s, t);
    case G_ENDING:
        if (!s->after_bar || !boundary) return 0;
        return t->number == 1 ? s->repeat_open && !s->last_repeat_end : s->last_repeat_end;
    default: return 0; /* "<s>" inside a tune, header fields in the body */
    }
}

/* ---- the meter ---- */

/* The bar's length in ticks from M: and L: (L: by default 1/16 under a meter
 * below 3/4, else 1/8, as ABC says); 0 (free) without a meter. */
static void set_meter(abc_grammar_state *s) {
    s->meter_ticks = 0;
    if (s->meter_num <= 0 || s->meter_den <= 0) return;
    long un = s->unit_num, ud = s->unit_den;
    if (un <= 0 || ud <= 0) {
        un = 1;
        ud = 4L * s->meter_num < 3L * s->meter_den ? 16 : 8;
    }
    long num = (long)UNIT_TICKS * s->meter_num * ud, den = (long)s->meter_den * un;
    if (num % den == 0 && num / den <= (1L << 24)) s->meter_ticks = (int32_t)(num / den);
}

static int meter_counts(const abc_grammar *g, const abc_grammar_state *s) {
    return (g->flags & ABC_GRAMMAR_METER) && s->phase == ABC_GPHASE_BODY && s->meter_ticks > 0 && !s->bar_free;
}

/* Can notes the vocabulary writes fill r ticks exactly (or is r 0)? */
static int fillable(const abc_grammar *g, int32_t r) {
    return r == 0 || (r >= g->min_ticks && r % g->gcd_ticks == 0);
}

/* Does t keep the bar within the meter (syntax aside)? */
static int meter_allows(const abc_grammar *g, const abc_grammar_state *s, const gtok *t) {
    if ((g->flags & ABC_GRAMMAR_METER) && s->phase == ABC_GPHASE_HEADER && t->cls == G_FIELD && t->field == 'K')
        return !g->has_meter || (s->fields_seen & FIELD_M); /* a tune states its meter */
    if (!meter_counts(g, s)) return 1;
    int32_t left = s->meter_ticks - s->bar_ticks;
    int open = s->open_len && !s->in_chord; /* the last note or rest may still get a length */
    if (t->cls == G_LENGTH) {
        if (!open) return 1;
        if (t->ticks <= 0) return 0;
        int32_t r = left + UNIT_TICKS - t->ticks; /* its default length is counted already */
        return r >= 0 && fillable(g, r);
    }
    if (open && (left < 0 || !fillable(g, left))) return 0; /* it needs a length first */
    switch ((gclass)t->cls) {
    case G_NOTE:
    case G_REST:
        return s->in_chord || left >= g->min_ticks;
    case G_CHORD_OPEN:
    case G_TUPLET:
    case G_BROKEN:
        return left >= g->min_ticks;
    case G_TIE: /* its note comes in this bar, or after a bar line the tie may cross */
        return left > 0 || tie_crosses_bar(g, s);
    case G_BAR:
        return left == 0 || (left > 0 && (s->bars == 0 || (t->bar & (BAR_END | BAR_FINAL)) || t->number));
    default:
        return 1;
    }
}

int abc_grammar_allows(const abc_grammar *g, const abc_grammar_state *s, int32_t id) {
    if (id < 0 || (size_t)id >= g->n) return 0;
    const gtok *t = &g->tok[id];
    if (!syntax_allows(g, s, t)) return 0;
    if (meter_allows(g, s, t)) return 1;
    /* it breaks only the meter: allowed when every token would */
    for (size_t k = 0; k < g->n; k++)
        if (syntax_allows(g, s, &g->tok[k]) && meter_allows(g, s, &g->tok[k])) return 0;
    return 1;
}

size_t abc_grammar_mask(const abc_grammar *g, const abc_grammar_state *s, uint8_t *allowed) {
    size_t syntax = 0, both = 0;
    for (size_t k = 0; k < g->n; k++) {
        const gtok *t = &g->tok[k];
        int a = syntax_allows(g, s, t), m = a && meter_allows(g, s, t);
        allowed[k] = (uint8_t)(a | m << 1);
        syntax += (size_t)a;
        both += (size_t)m;
    }
    for (size_t k = 0; k < g->n; k++) allowed[k] = both ? allowed[k] >> 1 : allowed[k] & 1u;
    return both ? both : syntax;
}

/* A note, rest or chord completed outside a chord (`ticks`: its default
 * length; a chord's is not counted: its bar is free). */
static void element(abc_grammar_state *s, int32_t ticks) {
    if (s->bar_ticks < (1 << 30)) s->bar_ticks += ticks;
    if (s->bar_elements < UINT32_MAX) s->bar_elements++;
    if (s->tuplet_left) s->tuplet_left--;
    s->element_done = 1;
    s->open_len = 1;
    s->tie = s->broken = s->symbol = 0;
}

int abc_grammar_advance(const abc_grammar *g, abc_grammar_state *s, int32_t id) {
    int allowed = abc_grammar_allows(g, s, id);
    if (!allowed && s->violations < UINT32_MAX) s->violations++;
    if (id < 0 || (size_t)id >= g->n) return 0;
    const gtok *t = &g->tok[id];
    if (t->cls == G_INVALID) return allowed;
    if (t->cls == G_BOS) {
        start_tune(s);
        return allowed;
    }
    if (t->cls == G_EOS) {
        uint32_t v = s->violations;
        abc_grammar_reset(g, s);
        s->violations = v;
        return allowed;
    }
    if (t->cls == G_FIELD) {
        if (s->phase == ABC_GPHASE_OUTSIDE || s->phase == ABC_GPHASE_CLOSED) start_tune(s);
        if (t->field == 'K') {
            memcpy(s->key_acc, t->key, sizeof s->key_acc);
            clear_bar_accidentals(s);
            if (s->phase == ABC_GPHASE_HEADER) {
                s->phase = ABC_GPHASE_BODY;
                set_meter(s);
            }
        } else if (s->phase == ABC_GPHASE_HEADER) {
            s->fields_seen |= (uint8_t)(t->field == 'M' ? FIELD_M : t->field == 'L' ? FIELD_L : FIELD_R);
            if (t->field == 'M') {
                s->meter_num = t->num;
                s->meter_den = t->den;
            } else if (t->field == 'L') {
                s->unit_num = t->num;
                s->unit_den = t->den;
            }
        }
        return allowed;
    }
    /* music: as the renderer, a tune it is not in starts, and a header ends with K:C */
    if (s->phase == ABC_GPHASE_OUTSIDE) start_tune(s);
    if (s->phase == ABC_GPHASE_HEADER) {
        memset(s->key_acc, 0, sizeof s->key_acc);
        s->phase = ABC_GPHASE_BODY;
        set_meter(s);
    }
    if (t->cls != G_BAR) s->after_bar = 0;
    if (t->cls != G_NOTE && t->cls != G_LENGTH) s->last_note = 0;
    switch ((gclass)t->cls) {
    case G_NOTE: {
        int8_t bl, bo;
        note_accidentals(s, t, &bl, &bo);
        if (t->acc != ABC_GRAMMAR_NO_ACC) {
            s->bar_acc_letter[t->letter] = t->acc;
            s->bar_acc_octave[t->letter][t->octave] = t->acc;
        }
        if (s->tune_notes < UINT32_MAX) s->tune_notes++;
        if (s->in_chord) {
            if (s->chord_notes < UINT8_MAX) s->chord_notes++;
            s->open_len = 1;
            s->last_note = 0;
            break;
        }
        element(s, UNIT_TICKS);
        s->last_note = 1;
        s->note_letter = t->letter;
        s->note_octave = t->octave;
        s->note_acc_letter = bl;
        s->note_acc_octave = bo;
        break;
    }
    case G_REST:
        element(s, UNIT_TICKS);
        break;
    case G_LENGTH:
        if (s->open_len && !s->in_chord) {
            if (t->ticks < 0) s->bar_free = 1;
            else if (s->bar_ticks < (1 << 30)) s->bar_ticks += t->ticks - UNIT_TICKS;
        }
        s->open_len = 0;
        break;
    case G_TIE:
        s->tie = 1;
        s->open_len = s->element_done = 0;
        break;
    case G_BROKEN:
        s->broken = 1;
        s->bar_free = 1;
        s->open_len = s->element_done = 0;
        break;
    case G_TUPLET:
        s->tuplet_left = t->number;
        s->bar_free = 1;
        s->open_len = s->element_done = 0;
        break;
    case G_CHORD_OPEN:
        s->in_chord = 1;
        s->bar_free = 1;
        s->chord_notes = 0;
        s->open_len = s->element_done = 0;
        s->tie = 0;
        break;
    case G_CHORD_CLOSE:
        s->in_chord = 0;
        element(s, 0);
        break;
    case G_SYMBOL:
        s->symbol = 1;
        s->open_len = s->element_done = 0;
        break;
    case G_INLINE:
        if (t->field == 'K') {
            memcpy(s->key_acc, t->key, sizeof s->key_acc);
            clear_bar_accidentals(s);
        } else if (t->field == 'M' || t->field == 'L') { /* a new meter: this bar is free */
            if (t->field == 'M') {
                s->meter_num = t->num;
                s->meter_den = t->den;
            } else {
                s->unit_num = t->num;
                s->unit_den = t->den;
            }
            set_meter(s);
            s->bar_free = 1;
        }
        s->open_len = 0;
        break;
    case G_BAR: {
        int tie = s->tie;
        clear_bar_accidentals(s);
        if (t->bar & BAR_END) s->repeat_open = 0;
        if (t->bar & BAR_START) s->repeat_open = 1;
        s->last_repeat_end = (t->bar & BAR_END) != 0;
        s->after_bar = 1;
        s->bar_elements = 0;
        s->bar_ticks = 0;
        s->bar_free = 0;
        if (s->bars < UINT32_MAX) s->bars++;
        s->open_len = s->element_done = s->broken = s->symbol = s->in_chord = s->tuplet_left = 0;
        s->tie = (uint8_t)(tie && !t->bar);
        if (t->bar & BAR_FINAL) s->phase = ABC_GPHASE_CLOSED;
        break;
    }
    case G_ENDING: s->open_len = 0; break;
    default: break;
    }
    return allowed;
}
