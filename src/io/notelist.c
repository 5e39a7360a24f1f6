/* notelist: a byte-at-a-time state machine over the note list grammar of
 * notelist.h, with a sticky error state (as zlib's inflate_mode and BAD). */
#include "notelist.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lj_status.h"

#define NL_VELOCITY 80
#define NL_MAX_LENGTH_QN 64       /* longest note or rest, quarter notes */
#define NL_MAX_LENGTH_CHARS 15    /* "64.000000000000" is already silly */
#define NL_PITCH_HELP "C4, F#3, Bb2, E-4 or a MIDI number 0..127"

typedef enum nl_state {
    NL_BETWEEN,      /* between items: waits for a separator or an item's first byte (r, letter, digit) */
    NL_CHORD_PITCH,  /* after '+': waits for a pitch's first byte (letter or digit) */
    NL_NUMBER,       /* in a MIDI number: waits for more digits (3 at most) or the pitch's end */
    NL_NAME,         /* after a pitch letter: waits for an accidental (2 at most) or the octave digit */
    NL_PITCH_END,    /* after a whole pitch: waits for '+', ':' or the item's end */
    NL_REST_END,     /* after r: waits for ':' or the item's end */
    NL_LENGTH,       /* after ':': waits for the length's first digit or '.' */
    NL_LENGTH_WHOLE, /* in the length's whole part: waits for digits, '.' or the item's end */
    NL_LENGTH_POINT, /* after the length's '.': waits for a digit */
    NL_LENGTH_FRAC,  /* in the length's fraction: waits for digits or the item's end */
    NL_BAD           /* sticky: err holds the message */
} nl_state;

typedef struct nl_parser {
    nl_state state;
    const char *text, *name;
    size_t len;
    score *out;             /* NULL: only check (notelist_parse_pitch) */
    char *err;
    size_t errlen;
    int status;             /* LJ_OK until the first error */
    size_t item_start;      /* byte offset of the current item */
    size_t items, notes;    /* items begun (1-based note number in messages), notes written */
    int64_t tick;           /* onset of the current item */
    size_t pitch_start;     /* byte offset of the pitch being read */
    int pitch;              /* NL_NUMBER: value so far; NL_NAME: pitch class with accidentals */
    int digits;             /* NL_NUMBER: digits read; NL_NAME: accidentals read */
    int rest;               /* the current item is r */
    int last_pitch;         /* the last pitch completed (notelist_parse_pitch) */
    uint8_t in_chord[128];  /* pitches of the current item's chord */
    char length[NL_MAX_LENGTH_CHARS + 1];
    size_t length_chars;
} nl_parser;

static int is_sep(int c) { return c == ' ' || c == '\t' || c == ','; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* Pitch class of a letter A-G / a-g, -1 for anything else. */
static int letter_pc(int c) {
    static const int pc[7] = {9, 11, 0, 2, 4, 5, 7}; /* A..G */
    if (c >= 'a' && c <= 'g') return pc[c - 'a'];
    if (c >= 'A' && c <= 'G') return pc[c - 'A'];
    return -1;
}

/* The byte at offset i as a message's "found": 'x', byte 0x01, or the end of
 * the note (a separator or the end of the list closes the item). */
static void describe(const nl_parser *p, size_t i, char *buf, size_t buflen) {
    int c = i < p->len ? (unsigned char)p->text[i] : -1;
    if (c < 0 || is_sep(c)) snprintf(buf, buflen, "the end of the note");
    else if (c >= 0x20 && c < 0x7f && c != '\'') snprintf(buf, buflen, "'%c'", c);
    else snprintf(buf, buflen, "byte 0x%02x", (unsigned)c);
}

/* Sets the sticky error: "NAME: column C (note N 'ITEM'): MESSAGE". The item's
 * text runs to the next separator, printable ASCII only, at most 32 bytes. */
static void fail(nl_parser *p, size_t at, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void fail(nl_parser *p, size_t at, int status, const char *fmt, ...) {
    char msg[256], item[40];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t k = 0, i = p->item_start;
    for (; i < p->len && !is_sep((unsigned char)p->text[i]) && k < 32; i++) {
        unsigned char c = (unsigned char)p->text[i];
        item[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (i < p->len && !is_sep((unsigned char)p->text[i])) item[k++] = '.', item[k++] = '.', item[k++] = '.';
    item[k] = 0;
    if (status == LJ_ERR_NOMEM) lj_fail(p->err, p->errlen, status, "%s: %s", p->name, msg);
    else lj_fail(p->err, p->errlen, status, "%s: column %zu (note %zu '%s'): %s", p->name, at + 1, p->items, item, msg);
    p->status = status;
    p->state = NL_BAD;
}

/* A pitch is complete: range check, duplicate check, remember it. */
static void pitch_done(nl_parser *p, int pitch, size_t end) {
    if (pitch < 0 || pitch > 127) {
        fail(p, p->pitch_start, LJ_ERR_PARSE, "expected a pitch in MIDI's range 0..127, found '%.*s' = %d",
             (int)(end - p->pitch_start), p->text + p->pitch_start, pitch);
        return;
    }
    if (p->in_chord[pitch]) {
        fail(p, p->pitch_start, LJ_ERR_PARSE, "expected each pitch once in a chord, found '%.*s' (MIDI %d) again",
             (int)(end - p->pitch_start), p->text + p->pitch_start, pitch);
        return;
    }
    p->in_chord[pitch] = 1;
    p->last_pitch = pitch;
    p->state = NL_PITCH_END;
}

/* The item ends at offset i: its length, its notes into the score, time on. */
static void item_done(nl_parser *p, size_t i) {
    int64_t ticks = SCORE_PPQ;
    if (p->length_chars) {
        p->length[p->length_chars] = 0;
        double v = strtod(p->length, NULL); /* digits and one '.', checked by the states */
        if (!(v > 0 && v <= NL_MAX_LENGTH_QN)) {
            fail(p, i - p->length_chars, LJ_ERR_PARSE, "expected a length in quarter notes 0 < L <= %d, found '%s'",
                 NL_MAX_LENGTH_QN, p->length);
            return;
        }
        ticks = (int64_t)(v * SCORE_PPQ + 0.5);
        if (ticks < 1) {
            fail(p, i - p->length_chars, LJ_ERR_PARSE,
                 "expected a length of at least one tick (1/%d quarter note), found '%s'", SCORE_PPQ, p->length);
            return;
        }
    }
    if (!p->rest) {
        for (int k = 0; k < 128; k++) {
            if (!p->in_chord[k]) continue;
            if (p->out) {
                score_note n = {0};
                n.onset = p->tick;
                n.duration = ticks;
                n.pitch = (uint8_t)k;
                n.velocity = NL_VELOCITY;
                if (score_add_note(p->out, &n)) {
                    fail(p, i, LJ_ERR_NOMEM, "out of memory");
                    return;
                }
            }
            p->notes++;
        }
    }
    p->tick += ticks;
    p->state = NL_BETWEEN;
}

/* A pitch's first byte c at offset i: a digit or a letter; first: the item's
 * first pitch (r was possible too). */
static void pitch_begin(nl_parser *p, int c, size_t i, int first) {
    char found[32];
    p->pitch_start = i;
    if (is_digit(c)) {
        p->pitch = c - '0';
        p->digits = 1;
        p->state = NL_NUMBER;
    } else if (letter_pc(c) >= 0) {
        p->pitch = letter_pc(c);
        p->digits = 0;
        p->state = NL_NAME;
    } else {
        describe(p, i, found, sizeof found);
        if (first) fail(p, i, LJ_ERR_PARSE, "expected a pitch (" NL_PITCH_HELP ") or r, found %s", found);
        else fail(p, i, LJ_ERR_PARSE, "expected a pitch after '+' (" NL_PITCH_HELP "), found %s", found);
    }
}

/* Feeds byte c (-1 = the end of the list) at offset i. */
static void step(nl_parser *p, int c, size_t i) {
    char found[32];
    for (;;) { /* a state that ends at c hands c on to the next state */
        switch (p->state) {
        case NL_BETWEEN:
            if (c < 0 || is_sep(c)) return;
            p->item_start = i;
            p->items++;
            p->rest = 0;
            p->length_chars = 0;
            memset(p->in_chord, 0, sizeof p->in_chord);
            if (c == 'r') {
                p->rest = 1;
                p->state = NL_REST_END;
            } else {
                pitch_begin(p, c, i, 1);
            }
            return;
        case NL_CHORD_PITCH:
            pitch_begin(p, c, i, 0);
            return;
        case NL_NUMBER:
            if (is_digit(c) && p->digits < 3) {
                p->pitch = p->pitch * 10 + (c - '0');
                p->digits++;
                return;
            }
            if (is_digit(c)) {
                fail(p, p->pitch_start, LJ_ERR_PARSE, "expected a MIDI number 0..127 (3 digits at most), found '%.*s'",
                     (int)(i + 1 - p->pitch_start), p->text + p->pitch_start);
                return;
            }
            pitch_done(p, p->pitch, i);
            if (p->state == NL_BAD) return;
            continue;
        case NL_NAME:
            if ((c == '#' || c == 'b' || c == '-') && p->digits < 2) {
                p->pitch += c == '#' ? 1 : -1;
                p->digits++;
                return;
            }
            if (is_digit(c)) {
                pitch_done(p, (c - '0' + 1) * 12 + p->pitch, i + 1);
                return;
            }
            describe(p, i, found, sizeof found);
            fail(p, i, LJ_ERR_PARSE, "expected %s the octave digit 0..9 after '%.*s', found %s",
                 p->digits < 2 ? "an accidental (# b -) or" : "(two accidentals at most)", (int)(i - p->pitch_start),
                 p->text + p->pitch_start, found);
            return;
        case NL_PITCH_END:
        case NL_REST_END:
            if (c < 0 || is_sep(c)) {
                item_done(p, i);
                return;
            }
            if (c == ':') {
                p->state = NL_LENGTH;
                return;
            }
            if (c == '+' && p->state == NL_PITCH_END) {
                p->state = NL_CHORD_PITCH;
                return;
            }
            describe(p, i, found, sizeof found);
            if (p->state == NL_REST_END) fail(p, i, LJ_ERR_PARSE, "expected ':' or the end of the note after r, found %s", found);
            else fail(p, i, LJ_ERR_PARSE, "expected '+', ':' or the end of the note after the pitch '%.*s', found %s",
                      (int)(i - p->pitch_start), p->text + p->pitch_start, found);
            return;
        case NL_LENGTH:
        case NL_LENGTH_WHOLE:
        case NL_LENGTH_POINT:
        case NL_LENGTH_FRAC:
            if (p->state != NL_LENGTH_POINT && p->state != NL_LENGTH && (c < 0 || is_sep(c))) {
                item_done(p, i);
                return;
            }
            if (p->length_chars == NL_MAX_LENGTH_CHARS && (is_digit(c) || c == '.')) {
                fail(p, i - p->length_chars, LJ_ERR_PARSE, "expected a length of %d characters at most, found '%.*s...'",
                     NL_MAX_LENGTH_CHARS, (int)p->length_chars, p->length);
                return;
            }
            if (is_digit(c)) {
                p->length[p->length_chars++] = (char)c;
                p->state = p->state == NL_LENGTH || p->state == NL_LENGTH_WHOLE ? NL_LENGTH_WHOLE : NL_LENGTH_FRAC;
                return;
            }
            if (c == '.' && (p->state == NL_LENGTH || p->state == NL_LENGTH_WHOLE)) {
                p->length[p->length_chars++] = '.';
                p->state = NL_LENGTH_POINT;
                return;
            }
            describe(p, i, found, sizeof found);
            if (p->state == NL_LENGTH)
                fail(p, i, LJ_ERR_PARSE, "expected a length in quarter notes after ':' (2, 0.5, .25), found %s", found);
            else if (p->state == NL_LENGTH_POINT)
                fail(p, i, LJ_ERR_PARSE, "expected a digit after the length's '.', found %s", found);
            else
                fail(p, i, LJ_ERR_PARSE, "expected %sthe end of the note after the length '%.*s', found %s",
                     p->state == NL_LENGTH_WHOLE ? "a digit, '.' or " : "a digit or ", (int)p->length_chars,
                     p->length, found);
            return;
        case NL_BAD:
            return;
        }
    }
}

/* Runs the machine over the whole text; LJ_OK or the sticky status. */
static int run(nl_parser *p) {
    for (size_t i = 0; i < p->len && p->state != NL_BAD; i++) step(p, (unsigned char)p->text[i], i);
    if (p->state != NL_BAD) step(p, -1, p->len);
    return p->status;
}

int notelist_read(const char *text, size_t len, const char *name, score **out, char *err,
                  size_t errlen) {
    *out = NULL;
    nl_parser p;
    memset(&p, 0, sizeof p);
    p.text = text;
    p.len = len;
    p.name = name;
    p.err = err;
    p.errlen = errlen;
    p.state = NL_BETWEEN;
    p.out = score_create();
    if (!p.out || score_add_part(p.out, "primer", 0, 0, NULL) ||
        score_add_tempo(p.out, 0, SCORE_DEFAULT_US_PER_QN)) {
        score_destroy(p.out);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", name);
    }
    if (run(&p) == LJ_OK && p.notes == 0)
        p.status = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: column %zu: expected at least one note (\"C4 E4 G4:2\"), found %s",
                           name, len + 1, p.items ? "only rests" : "an empty list");
    if (p.status) {
        score_destroy(p.out);
        return p.status;
    }
    score_sort(p.out);
    *out = p.out;
    return LJ_OK;
}

int notelist_parse_pitch(const char *s, size_t len) {
    if (len == 0 || s[0] == 'r') return -1;
    for (size_t i = 0; i < len; i++)
        if (is_sep((unsigned char)s[i]) || s[i] == '+' || s[i] == ':') return -1;
    nl_parser p;
    memset(&p, 0, sizeof p);
    p.text = s;
    p.len = len;
    p.name = "";
    p.state = NL_BETWEEN;
    p.last_pitch = -1;
    return run(&p) == LJ_OK && p.notes == 1 ? p.last_pitch : -1;
}
