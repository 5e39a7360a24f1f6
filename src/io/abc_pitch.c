/* abc_pitch: the pitch a note being written would sound, for the key mask of
 * an abc model (abc_stream_note_pitch). The stream's unread text (the rest of
 * the line it has not cut yet) is looked at as music, as the reader would
 * read it if the line ended now, and the answer is the note the text ends
 * with, if any.
 *
 * Two implementations of one reading:
 *  - abc_pitch_scan_naive: the first one, a loop over the whole text that
 *    looks ahead for the end of each "...", {...}, !...!, +...+ and [K:...]
 *    it meets. Simple, but each call reads the whole unread line (and an
 *    unclosed construct reads on to the end again), so the engine's mask (some
 *    60 calls per step) and the fuzz harness (one call per chunk) were
 *    quadratic in a long line with no cut point. Kept as the oracle the tests
 *    and the fuzz harness compare against.
 *  - abc_pscan: the same reading as an explicit state machine fed one byte at
 *    a time with three bytes of look-ahead, so the stream keeps its state over
 *    the bytes it holds and a call reads only the last few bytes and `more`.
 *
 * Looking ahead for a closing byte becomes a fork: when the reading opens a
 * construct, that level of the machine waits (PENDING) for its closing byte,
 * and a new level above it reads on as if it never closed (the reader fails
 * there and resumes at the next bar line for "..." {...} [K:...]; it reads
 * past the lone mark for ! and +). A closing byte resolves the lowest level
 * waiting for it: that level reads on after it and the levels above are
 * dropped; a +...+ also ends, not closed, at a space, tab or bar line where
 * the stream cuts the line (cut_after: the reader looks no further than its
 * piece). The reader's resync after an error starts after the byte its
 * error names (abc.c stream_line): after a non-letter that follows an
 * accidental, after the byte that follows an unclosed "...", {...} or
 * [K:...]; a note outside 0..127 and a wrong length (read_length) are errors
 * too. At the end of the text every level still waiting
 * was never closed, so the top level holds the answer. One level at most
 * waits for each closing byte (" } ] ! +): the same byte would have closed
 * the lower one, and a { or [K: opened above a level that already waits for
 * } or ] can only be unclosed (its closing byte would close the lower one
 * first), so it is read as unclosed at once. Hence ABC_PSCAN_LEVELS. */
#include <string.h>

#include "abc_internal.h"

static const int letter_semis[7] = {0, 2, 4, 5, 7, 9, 11};

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* C..B (either case) -> 0..6, else -1. */
static int note_letter_index(int c) {
    static const char letters[] = "CDEFGAB";
    const char *q = c > 0 ? strchr(letters, c >= 'a' && c <= 'g' ? c - 'a' + 'A' : c) : NULL;
    return q && c ? (int)(q - letters) : -1;
}

/* Bytes the reader reads past (spaces, ties, slur ends, decorations . ~ ` $ *
 * and letters H..W h..w, '\\', a '}' alone; the other letters are taken
 * before); anything else there (a digit or octave mark after no note, '#',
 * '&'...) is an error: the reader resyncs at the next bar line. */
static int read_past(int c) {
    return c == ' ' || c == '\t' || c == '-' || c == ')' || c == '}' || c == '\\' || c == '.' || c == '~' ||
           c == '`' || c == '$' || c == '*' || is_alpha(c);
}

/* 1 when the stream may cut the line after byte c followed by next (abc.c
 * stream_cut, without its quote and bracket state): a space or tab not
 * before - > <, a bar line not before | : ] [ or a digit. A +decoration+
 * closes only before such a cut (the reader looks for the closing '+' in the
 * piece it is given); past the end (next -1) the line ends there anyway. */
static int cut_after(int c, int next) {
    if (c == ' ' || c == '\t') return next != '-' && next != '>' && next != '<';
    return c == '|' && !(next == '|' || next == ':' || next == ']' || next == '[' || is_digit(next));
}

/* The pitch of a note: letter li, octave (0: C4..B4), accidental acc. */
static int note_pitch(int li, int octave, int acc) {
    long pitch = 60L + letter_semis[li] + 12L * octave + acc;
    return pitch >= 0 && pitch <= 127 ? (int)pitch : -1;
}

/* ============================================================ the machine */

void abc_pscan_init(abc_pscan *s, const int8_t key_acc[7], const uint8_t bar_set[7], const int8_t bar_acc[7],
                    int skipping) {
    memset(s, 0, sizeof *s);
    s->depth = 1;
    memcpy(s->key_acc, key_acc, sizeof s->key_acc);
    abc_pscan_level *lv = &s->lv[0];
    lv->mode = skipping ? ABC_PSCAN_SKIP : ABC_PSCAN_MUSIC;
    memcpy(lv->bar_set, bar_set, sizeof lv->bar_set);
    memcpy(lv->bar_acc, bar_acc, sizeof lv->bar_acc);
}

/* The top level opens a construct at its byte, closed by `close`; type_bar:
 * unclosed, the reader resumes at the next bar line ("..." {...} [K:...]),
 * else after the mark alone (! +). */
static void pscan_open(abc_pscan *s, int close, int type_bar) {
    abc_pscan_level *top = &s->lv[s->depth - 1];
    for (int d = 0; d < s->depth - 1; d++)
        if (s->lv[d].close == close) { /* it can only stay unclosed (see the top of the file) */
            top->mode = ABC_PSCAN_SKIP;
            top->pass = 1; /* (as below) */
            return;
        }
    /* s->depth < ABC_PSCAN_LEVELS: one level waits per closing byte at most */
    abc_pscan_level *up = &s->lv[s->depth++];
    *up = *top; /* the reading as if it never closed */
    up->mode = type_bar ? ABC_PSCAN_SKIP : ABC_PSCAN_MUSIC;
    /* unclosed, the reader names the byte after the opening one and looks for
     * a bar line after that (abc.c stream_line): `"|x|` resumes at the second '|' */
    up->pass = (uint8_t)type_bar;
    top->mode = ABC_PSCAN_PENDING;
    top->close = (uint8_t)close;
}

/* A length begins: after a note or rest (kind 1) or a multi-bar rest (2). */
static void length_begin(abc_pscan_level *lv, int kind) {
    lv->length_next = (uint8_t)kind;
    lv->len_digits = lv->len_slash = 0;
    lv->len_value = 0;
    lv->len_den = 1;
}

/* Byte c after a length begun: 1 when it goes on with it, 0 when the length
 * ended before c and reads well, -1 when the reader fails at it (read_length:
 * a number over 4096 or 0, a divisor over 4096 * 64 in all; read_rest: more
 * than ABC_MAX_MREST_BARS bars, which take digits only). */
static int pscan_length(abc_pscan_level *lv, int c) {
    long limit = lv->length_next == 2 ? ABC_MAX_MREST_BARS : ABC_MAX_LEN_NUMBER;
    if (is_digit(c)) {
        if (lv->len_value <= limit) lv->len_value = lv->len_value * 10 + (c - '0');
        lv->len_digits = 1;
        return 1;
    }
    if (lv->length_next == 2) return lv->len_digits && lv->len_value > limit ? -1 : 0;
    if (lv->len_digits && (lv->len_value > limit || lv->len_value == 0)) return -1;
    if (lv->len_slash) {
        lv->len_den *= lv->len_digits ? lv->len_value : 2;
        if (lv->len_den > limit * 64) return -1;
    }
    if (c != '/') return 0;
    lv->len_slash = 1;
    lv->len_digits = 0;
    lv->len_value = 0;
    return 1;
}

/* The top level in ABC_PSCAN_MUSIC reads byte c. */
static void pscan_music(abc_pscan *s, abc_pscan_level *lv, int c, const int la[3]) {
    int digit = is_digit(c);
    if (lv->length_next) {
        int r = pscan_length(lv, c);
        if (r > 0) return; /* a length goes on */
        lv->length_next = 0;
        if (r < 0) { /* the reader fails at the length and resyncs at the next bar line, maybe c */
            lv->mode = ABC_PSCAN_SKIP;
            if (c != '|') return;
            lv->mode = ABC_PSCAN_MUSIC;
        }
    }
    if (lv->ending_next) {
        /* "1,3" "1-3": only after a number ("|,3" is no ending: the ',' an error) */
        int sep = lv->ending_next == 2 && (c == ',' || c == '-') && is_digit(la[0]);
        if (digit) {
            if (lv->ending <= ABC_MAX_VARIANT) lv->ending = lv->ending * 10 + (c - '0');
            lv->ending_next = 2; /* a number begun */
            return;
        }
        if (lv->ending_next == 2 && (lv->ending < 1 || lv->ending > ABC_MAX_VARIANT)) {
            /* read, not an ending: the reader resyncs at the next bar line,
             * which may be this byte */
            lv->ending_next = 0;
            lv->mode = ABC_PSCAN_SKIP;
            if (c == '|') lv->mode = ABC_PSCAN_MUSIC;
            else return;
        } else if (sep) {
            lv->ending = 0;
            lv->ending_next = 1;
            return;
        }
    }
    lv->length_next = lv->ending_next = 0;
    if (c == '%') { /* a comment to the end of the line */
        lv->mode = ABC_PSCAN_COMMENT;
        return;
    }
    if (c == '"' || c == '{') { /* chord symbol, grace notes */
        pscan_open(s, c == '{' ? '}' : '"', 1);
        return;
    }
    if (c == '!' || c == '+') { /* decoration */
        pscan_open(s, c, 0);
        return;
    }
    if (c == '[') { /* an inline field [K:D] (a chord "[CEG" is read note by note) */
        if (is_alpha(la[0]) && la[1] == ':') {
            pscan_open(s, ']', 1);
            return;
        }
        lv->ending_next = is_digit(la[0]); /* an ending "[1" */
        lv->ending = 0;
        return;
    }
    if (c == '|' || c == ':') { /* a bar line (a lone ':' is a dotted bar): accidentals end */
        memset(lv->bar_set, 0, sizeof lv->bar_set);
        if ((c == '|' && (la[0] == ':' || la[0] == '|' || la[0] == ']')) || (c == ':' && la[0] == ':')) {
            lv->pass = 1; /* "|:" "||" "|]" "::": no ending number after them */
        } else if (c == '|' || la[0] == '|') { /* "|" and ":|" may carry one ("|1", ":|[2") */
            int k = c == ':';
            lv->pass = (uint8_t)k;
            if (la[k] == '[' && is_digit(la[k + 1])) lv->pass++;
            lv->ending_next = 1;
            lv->ending = 0;
        }
        return;
    }
    if (c == 'z' || c == 'x' || c == ']' || c == 'y') { /* rest, chord end, spacer */
        length_begin(lv, 1);
        return;
    }
    if (c == 'Z' || c == 'X') { /* multi-bar rest */
        length_begin(lv, 2);
        return;
    }
    if (c == '(') { /* a tuplet "(3:2:3", or a slur */
        if (is_digit(la[0])) {
            lv->mode = ABC_PSCAN_TUPLET;
            lv->tup_part = lv->tup_bad = 0;
            lv->tup_value = 0;
        }
        return;
    }
    if (c == '>' || c == '<') { /* broken rhythm: more than 3 is an error */
        lv->mode = ABC_PSCAN_BROKEN;
        lv->run_char = (uint8_t)c;
        lv->run = 1;
        return;
    }
    if (c == '^' || c == '_' || c == '=' || note_letter_index(c) >= 0) { /* a note */
        lv->mode = ABC_PSCAN_ACCIDENTAL;
        lv->acc = 0;
        lv->has_acc = lv->bad = 0;
        if (c == '^' || c == '_' || c == '=') {
            lv->acc = (int8_t)(c == '=' ? 0 : c == '^' ? 1 : -1);
            lv->has_acc = 1;
            return;
        }
        lv->letter = (int8_t)note_letter_index(c);
        lv->octave = c >= 'a' ? 1 : 0;
        lv->mode = ABC_PSCAN_OCTAVE;
        return;
    }
    if (!read_past(c)) lv->mode = ABC_PSCAN_SKIP;
}

void abc_pscan_byte(abc_pscan *s, int c, const int la[3]) {
    /* the levels waiting for a closing byte, lowest first */
    for (int d = 0; d < s->depth - 1; d++) {
        abc_pscan_level *lv = &s->lv[d];
        if (c == lv->close) { /* closed: it reads on after c, the levels above go */
            lv->mode = ABC_PSCAN_MUSIC;
            lv->close = 0;
            s->depth = d + 1;
            return;
        }
        if (lv->close == '+' && cut_after(c, la[0])) {
            /* a + not closed: the reader read past the mark alone, as the
             * level above has; it takes this one's place */
            memmove(&s->lv[d], &s->lv[d + 1], (size_t)(s->depth - d - 1) * sizeof s->lv[0]);
            s->depth--;
            d--;
        }
    }
    abc_pscan_level *lv = &s->lv[s->depth - 1];
    if (lv->pass) { /* a byte of a bar line already read */
        lv->pass--;
        return;
    }
    for (;;) { /* a byte that ends a mode is read again in the next one */
        switch ((abc_pscan_mode)lv->mode) {
        case ABC_PSCAN_COMMENT:
        case ABC_PSCAN_PENDING: return; /* (never the top) */
        case ABC_PSCAN_SKIP:
            if (c != '|') return;
            lv->mode = ABC_PSCAN_MUSIC; /* the reader resumes at the bar line and reads it */
            continue;
        case ABC_PSCAN_TUPLET: /* "(p", "(p:q", "(p:q:r" as read_tuplet reads them */
            if (is_digit(c)) {
                if (lv->tup_value <= ABC_MAX_TUPLET) lv->tup_value = (int16_t)(lv->tup_value * 10 + (c - '0'));
                return;
            }
            lv->tup_bad |= lv->tup_value > ABC_MAX_TUPLET || (lv->tup_part == 0 && lv->tup_value < 2);
            if (c == ':' && lv->tup_part < 2) {
                lv->tup_part++;
                lv->tup_value = 0;
                return;
            }
            /* the reader fails at the '(' when a number is wrong: resync */
            lv->mode = lv->tup_bad ? ABC_PSCAN_SKIP : ABC_PSCAN_MUSIC;
            continue;
        case ABC_PSCAN_BROKEN:
            if (c == lv->run_char) {
                if (lv->run < 4) lv->run++;
                return;
            }
            lv->mode = lv->run > 3 ? ABC_PSCAN_SKIP : ABC_PSCAN_MUSIC;
            continue;
        case ABC_PSCAN_ACCIDENTAL: {
            if (c == '^' || c == '_' || c == '=') {
                int acc = c == '=' ? 0 : lv->acc + (c == '^' ? 1 : -1);
                lv->bad |= acc > 2 || acc < -2; /* a third accidental */
                lv->acc = (int8_t)(acc > 3 ? 3 : acc < -3 ? -3 : acc);
                return;
            }
            int li = note_letter_index(c);
            if (li < 0 || lv->bad) { /* no note: the reader resyncs at the next bar line */
                lv->mode = ABC_PSCAN_SKIP;
                /* it names c (not a letter), and looks for the bar line after
                 * it: `^|x|` resumes at the second '|'; a third accidental:
                 * it names that one, so c may be the bar line */
                if (!lv->bad) return;
                continue;
            }
            lv->letter = (int8_t)li;
            lv->octave = c >= 'a' ? 1 : 0;
            lv->mode = ABC_PSCAN_OCTAVE;
            return;
        }
        case ABC_PSCAN_OCTAVE:
            if (c == '\'' || c == ',') {
                lv->octave += c == '\'' ? 1 : -1;
                return;
            }
            int li = lv->letter;
            int acc = lv->has_acc ? lv->acc : lv->bar_set[li] ? lv->bar_acc[li] : s->key_acc[li];
            if (note_pitch(li, lv->octave, acc) < 0) { /* the reader fails at the note: resync */
                lv->mode = ABC_PSCAN_SKIP;
                continue;
            }
            if (lv->has_acc) { /* an accidental holds for its letter to the bar line */
                lv->bar_set[li] = 1;
                lv->bar_acc[li] = lv->acc;
            }
            lv->mode = ABC_PSCAN_MUSIC;
            length_begin(lv, 1);
            continue;
        case ABC_PSCAN_MUSIC: pscan_music(s, lv, c, la); return;
        }
        return;
    }
}

int abc_pscan_end(const abc_pscan *s) {
    const abc_pscan_level *lv = &s->lv[s->depth - 1];
    if (lv->mode != ABC_PSCAN_OCTAVE) return -1;
    int li = lv->letter;
    int acc = lv->has_acc ? lv->acc : lv->bar_set[li] ? lv->bar_acc[li] : s->key_acc[li];
    return note_pitch(li, lv->octave, acc);
}

/* ===================================================== the oracle (naive) */

/* Text a followed by text b, byte by byte; -1 past the end. */
typedef struct tail_text {
    const char *a, *b;
    size_t na, nb;
} tail_text;

static int tail_at(const tail_text *t, size_t i) {
    if (i < t->na) return (unsigned char)t->a[i];
    return i - t->na < t->nb ? (unsigned char)t->b[i - t->na] : -1;
}

/* A construct opened at `from` and not closed in the text: if the line ended
 * now the reader would fail there and resume at the next bar line after the
 * byte that follows `from` (the one its error names), so what follows that
 * bar line may be read as music. Returns the index just before that bar line
 * (the caller goes on from the bar line), or n when none. */
static size_t skip_unclosed(const tail_text *t, size_t from, size_t n) {
    for (size_t k = from + 2; k < n; k++)
        if (tail_at(t, k) == '|') return k - 1;
    return n;
}

/* The length at *i after a note or rest (bars: a multi-bar rest's count):
 * moves *i past it; 1 when the reader fails at it (see pscan_length). */
static int length_fails(const tail_text *t, size_t *i, size_t n, int bars) {
    long limit = bars ? ABC_MAX_MREST_BARS : ABC_MAX_LEN_NUMBER, den = 1;
    for (int divisor = 0;; divisor = 1) {
        long v = 0;
        int digits = 0;
        for (; *i < n && tail_at(t, *i) >= '0' && tail_at(t, *i) <= '9'; ++*i) {
            if (v <= limit) v = v * 10 + (tail_at(t, *i) - '0');
            digits = 1;
        }
        if (bars) return digits && v > limit;
        if (*i >= n) return 0; /* (the text ends in it: no note to answer with) */
        if (digits && (v > limit || v == 0)) return 1;
        if (divisor) {
            den *= digits ? v : 2;
            if (den > limit * 64) return 1;
        }
        if (tail_at(t, *i) != '/') return 0;
        ++*i;
    }
}

int abc_pitch_scan_naive(const char *a, size_t na, const char *b, size_t nb, const uint8_t bar_set_in[7],
                         const int8_t bar_acc_in[7], const int8_t key_acc[7], int skipping) {
    tail_text t = {a, b, na, nb};
    int8_t bar_set[7], bar_acc[7];
    memcpy(bar_set, bar_set_in, sizeof bar_set);
    memcpy(bar_acc, bar_acc_in, sizeof bar_acc);
    /* what may follow the last thing read: a length (1: after a note, rest,
     * chord or 'y'; 2: a multi-bar rest's count), ending numbers (after a bar
     * line) */
    int length_next = 0, ending_next = 0;
    long ending = 0; /* the ending number being read (1..ABC_MAX_VARIANT, else an error) */
    size_t n = t.na + t.nb, i = 0;
    while (i < n) {
        int c = tail_at(&t, i);
        if (skipping && c != '|') {
            i++;
            continue;
        }
        skipping = 0; /* the reader resumes at the bar line and reads it */
        int digit = c >= '0' && c <= '9';
        if (length_next) { /* a wrong length: the reader resyncs at the next bar line */
            skipping = length_fails(&t, &i, n, length_next == 2);
            length_next = 0;
            continue;
        }
        if (ending_next) {
            int sep = ending_next == 2 && (c == ',' || c == '-') && tail_at(&t, i + 1) >= '0' &&
                      tail_at(&t, i + 1) <= '9'; /* after a number only */
            if (digit) {
                if (ending <= ABC_MAX_VARIANT) ending = ending * 10 + (c - '0');
                ending_next = 2; /* a number begun */
                i++;
                continue;
            }
            if (ending_next == 2 && (ending < 1 || ending > ABC_MAX_VARIANT)) { /* read, not an ending */
                skipping = 1;
                ending_next = 0;
                continue;
            }
            if (sep) {
                ending = 0;
                ending_next = 1;
                i++;
                continue;
            }
        }
        length_next = ending_next = 0;
        if (c == '%') return -1; /* a comment to the end of the line */
        if (c == '"' || c == '!' || c == '+' || c == '{') { /* chord symbol, decoration, grace notes */
            int close = c == '{' ? '}' : c;
            size_t k = i + 1;
            /* the stream cuts a line at spaces and bar lines outside quotes,
             * braces and !...!, never inside them; not at a '+', so a
             * +decoration+ closes only before the next cut */
            while (k < n && tail_at(&t, k) != close &&
                   !(c == '+' && cut_after(tail_at(&t, k), tail_at(&t, k + 1))))
                k++;
            if (k < n && tail_at(&t, k) == close) {
                i = k + 1;
                continue;
            }
            if (c == '!' || c == '+') { /* unclosed: the reader reads past the mark alone */
                i++;
                continue;
            }
            k = skip_unclosed(&t, i, n); /* the reader fails at it and resumes at a bar line */
            if (k >= n) return -1;       /* the text ends inside it */
            i = k + 1;
            continue;
        }
        if (c == '[') { /* an inline field [K:D] (a chord "[CEG" is read note by note) */
            int c1 = tail_at(&t, i + 1), c2 = tail_at(&t, i + 2);
            if (((c1 >= 'A' && c1 <= 'Z') || (c1 >= 'a' && c1 <= 'z')) && c2 == ':') {
                size_t k = i + 3;
                while (k < n && tail_at(&t, k) != ']') k++;
                if (k >= n) k = skip_unclosed(&t, i, n);
                if (k >= n) return -1;
                i = k + 1;
                continue;
            }
            ending_next = c1 >= '0' && c1 <= '9'; /* an ending "[1" */
            ending = 0;
            i++;
            continue;
        }
        if (c == '|' || c == ':') { /* a bar line (a lone ':' is a dotted bar): accidentals end */
            int c1 = tail_at(&t, i + 1);
            memset(bar_set, 0, sizeof bar_set);
            i++;
            if ((c == '|' && (c1 == ':' || c1 == '|' || c1 == ']')) || (c == ':' && c1 == ':')) {
                i++; /* "|:" "||" "|]" "::": no ending number after them */
            } else if (c == '|' || c1 == '|') { /* "|" and ":|" may carry one ("|1", ":|[2") */
                i += c == ':';
                if (tail_at(&t, i) == '[' && tail_at(&t, i + 1) >= '0' && tail_at(&t, i + 1) <= '9') i++;
                ending_next = 1;
                ending = 0;
            }
            continue;
        }
        if (c == 'z' || c == 'x' || c == 'Z' || c == 'X' || c == ']' || c == 'y') { /* rest, chord end, spacer */
            length_next = c == 'Z' || c == 'X' ? 2 : 1; /* a multi-bar rest takes a bar count */
            i++;
            continue;
        }
        if (c == '(') { /* a tuplet "(3:2:3", or a slur */
            i++;
            if (tail_at(&t, i) >= '0' && tail_at(&t, i) <= '9') {
                /* p, then :q and :r if written: a number over ABC_MAX_TUPLET or
                 * p under 2 fails at the '(' */
                for (int part = 0; part < 3; part++) {
                    long v = 0;
                    for (; i < n && tail_at(&t, i) >= '0' && tail_at(&t, i) <= '9'; i++)
                        if (v <= ABC_MAX_TUPLET) v = v * 10 + (tail_at(&t, i) - '0');
                    if (i >= n) break; /* (the text ends in it: no note to answer with) */
                    skipping |= v > ABC_MAX_TUPLET || (part == 0 && v < 2);
                    if (part == 2 || tail_at(&t, i) != ':') break;
                    i++;
                }
            }
            continue;
        }
        if (c == '>' || c == '<') { /* broken rhythm: more than 3 is an error */
            size_t k = i;
            while (k < n && tail_at(&t, k) == c) k++;
            skipping = k - i > 3;
            i = k;
            continue;
        }
        if (c == '^' || c == '_' || c == '=' || note_letter_index(c) >= 0) { /* a note */
            int acc = 0, has_acc = 0, bad = 0;
            while (i < n && (c = tail_at(&t, i)) >= 0 && (c == '^' || c == '_' || c == '=')) {
                acc = c == '=' ? 0 : acc + (c == '^' ? 1 : -1);
                bad |= acc > 2 || acc < -2; /* a third accidental */
                has_acc = 1;
                i++;
            }
            if (i >= n && !bad) return -1; /* an accidental waiting for its letter */
            int li = note_letter_index(tail_at(&t, i));
            if (li < 0 || bad) { /* no note: the reader resyncs at the next bar line */
                skipping = 1;
                /* after the byte its error names: this one, or the third accidental */
                if (!bad) i++;
                continue;
            }
            int octave = tail_at(&t, i) >= 'a' ? 1 : 0;
            i++;
            while (i < n && (tail_at(&t, i) == '\'' || tail_at(&t, i) == ',')) {
                octave += tail_at(&t, i) == '\'' ? 1 : -1;
                i++;
            }
            if (has_acc) {
                bar_set[li] = 1;
                bar_acc[li] = (int8_t)acc;
            } else {
                acc = bar_set[li] ? bar_acc[li] : key_acc[li];
            }
            int pitch = 60 + letter_semis[li] + 12 * octave + acc;
            if (i >= n) return pitch >= 0 && pitch <= 127 ? pitch : -1;
            if (pitch < 0 || pitch > 127) { /* the reader fails at the note: resync */
                skipping = 1;
                continue;
            }
            length_next = 1;
            continue;
        }
        /* read past: spaces, ties, slur ends, decorations (. ~ ` $ * and
         * letters H..W h..w), '\\', a '}' alone; anything else (a digit or
         * octave mark after no note, '#', '&'...) is an error: the reader
         * resyncs at the next bar line */
        if (!(c == ' ' || c == '\t' || c == '-' || c == ')' || c == '}' || c == '\\' || c == '.' || c == '~' ||
              c == '`' || c == '$' || c == '*' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            skipping = 1;
        i++;
    }
    return -1;
}
