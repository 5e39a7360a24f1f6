/* kern: Humdrum **kern reader (see kern.h for what it accepts).
 *
 * Two explicit state machines: one over lines (kern_file_state: header, spine,
 * after the spine) and one over the characters of a data token
 * (kern_token_state). An error is sticky: kp_fail records the first message and
 * moves the file machine to KF_BAD, after which nothing else happens. */
#include "kern.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"

#define KERN_TICKS_PER_WHOLE (4 * SCORE_PPQ) /* 1920 ticks in a whole note */
#define KERN_VELOCITY 80                      /* kern has no dynamics in Essen: a neutral mf */
#define KERN_MAX_DOTS 8                       /* more dots than any notation uses */
#define KERN_MAX_RECIP_DIGITS 9               /* reciprocal up to 999999999 */
#define KERN_MAX_FRAC_DIGITS 4                /* decimal reciprocal 1.5: up to 4 decimals */
#define KERN_MAX_PITCH_RUN 11                 /* ccccccccccc is already beyond MIDI */

typedef enum kern_file_state {
    KF_HEADER, /* waits for the **kern exclusive interpretation; only comments before it */
    KF_SPINE,  /* inside the spine: data, bar lines, interpretations, comments, until *- */
    KF_ENDED,  /* after *-: only comments, reference records and empty lines */
    KF_BAD     /* sticky error: a message is recorded, the rest of the input is ignored */
} kern_file_state;

typedef enum kern_token_state {
    KT_START,       /* waits for the duration, a pitch letter, 'r', or signs ({ [ ( ...) */
    KT_RECIP,       /* in the reciprocal's digits: more digits, '.', '%', or what follows */
    KT_RECIP_FRAC,  /* after "1." and a digit: decimal digits of the reciprocal (1.5) */
    KT_RECIP_DEN,   /* after '%': denominator digits of a rational reciprocal (3%2) */
    KT_DOTS,        /* after the number: augmentation dots, then pitch/rest/signs */
    KT_PITCH,       /* in the pitch-letter run (cc, BB): same letter or what follows */
    KT_AFTER        /* after the pitch or rest: accidentals, ties, signs; a digit starts a
                       duration (pitch-first order) or a second note glued to this one */
} kern_token_state;

/* One note or rest being assembled from a data token. */
typedef struct kern_event {
    int has_duration;      /* 1 once the reciprocal is complete */
    int zeros;             /* reciprocal written as 0, 00, 000: breve, longa, maxima */
    uint64_t recip_num;    /* reciprocal = recip_num / recip_den (wholes^-1) */
    uint64_t recip_den;
    int recip_digits;      /* digits read into recip_num */
    int frac_digits;       /* decimal digits (1.5) or denominator digits (3%2) read */
    int dots;              /* augmentation dots */
    int has_pitch;         /* a pitch letter was read */
    int is_rest;           /* 'r' was read */
    char letter;           /* the pitch letter as written (case gives the octave side) */
    int run;               /* letters in the run: c=1, cc=2 */
    int sharps, flats;     /* # and - counts */
    int tie_start, tie_mid, tie_end; /* [ _ ] seen */
    int grace;             /* q or Q: a grace note, read past */
    size_t col;            /* 1-based column where the event starts, for messages */
} kern_event;

typedef struct kern_parser {
    const char *name;      /* file name for messages */
    const kern_opts *opts; /* may be NULL */
    score *s;              /* the score being built */
    kern_stats st;         /* counts for this file */
    kern_file_state state;
    int status;            /* first error, LJ_OK until then */
    char *err;             /* caller's buffer, may be NULL */
    size_t errlen;
    size_t line;           /* 1-based number of the line being read */
    int64_t now;           /* ticks: onset of the next data token */
    int tie_open;          /* 1 while notes[tie_note] waits for a tie continuation */
    size_t tie_note;       /* index into s->notes of the tied note */
    size_t tie_line;       /* line where the open tie started */
    int64_t bar_ticks;     /* length of a bar under the current meter in ticks, 0 unknown */
    char meter_text[48];   /* current meter as written ("3/4"), for warnings */
    int64_t bar_start;     /* tick where the current bar began */
    int bar_has_data;      /* the current bar has had a data token */
    int64_t bar_expected;  /* bar_ticks at the bar's first data token */
    char bar_meter[48];    /* meter_text at the bar's first data token */
    size_t barlines;       /* bar lines seen */
    int pending;           /* 1 when the bar closed by the previous bar line is interior
                              unless it turns out to be the last one */
    int64_t pending_len;   /* its length in ticks */
    int64_t pending_expected; /* its expected length, 0 unknown */
    char pending_meter[48];   /* its meter as written */
    size_t pending_line;   /* line of the bar line that closed it */
    int fifths;            /* key signature in force (-7..7) */
    char part_name[64];    /* '"'Name from *I"Name, or the code from *Ivox; "" when none */
} kern_parser;

/* ---- messages ---- */

static int kp_fail(kern_parser *p, int status, size_t col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int kp_fail(kern_parser *p, int status, size_t col, const char *fmt, ...) {
    if (p->state == KF_BAD) return p->status;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->state = KF_BAD;
    p->status = status;
    if (col) lj_fail(p->err, p->errlen, status, "%s:%zu:%zu: %s", p->name, p->line, col, msg);
    else lj_fail(p->err, p->errlen, status, "%s:%zu: %s", p->name, p->line, msg);
    return status;
}

static void kp_warn(kern_parser *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void kp_warn(kern_parser *p, const char *fmt, ...) {
    if (!p->opts || !p->opts->warn) return;
    char msg[512], full[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s:%zu: %s", p->name, p->line, msg);
    p->opts->warn(p->opts->warn_user, full);
}

/* "'x'" for a printable byte, "byte 0xNN" otherwise, "end of token" for 0. */
static const char *describe_char(int c, char *buf, size_t n) {
    if (c == 0) snprintf(buf, n, "end of token");
    else if (c > 32 && c < 127) snprintf(buf, n, "'%c'", c);
    else if (c == ' ') snprintf(buf, n, "a space");
    else snprintf(buf, n, "byte 0x%02X", (unsigned)(unsigned char)c);
    return buf;
}

/* Copies a line into buf for quoting in a message, control bytes as '?'. */
static const char *quote_text(const char *t, size_t len, char *buf, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < len && k + 4 < n; i++) {
        unsigned char c = (unsigned char)t[i];
        buf[k++] = c >= 32 && c < 127 ? (char)c : '?';
    }
    if (len > k && k + 4 < n) {
        buf[k++] = '.';
        buf[k++] = '.';
        buf[k++] = '.';
    }
    buf[k] = 0;
    return buf;
}

/* A duration in wholes as "3/8" (reduced). */
static const char *wholes_text(int64_t ticks, char *buf, size_t n) {
    int64_t a = ticks < 0 ? -ticks : ticks, b = KERN_TICKS_PER_WHOLE;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    if (a == 0) a = 1;
    snprintf(buf, n, "%lld/%lld", (long long)(ticks / a), (long long)(KERN_TICKS_PER_WHOLE / a));
    return buf;
}

/* ---- bars ---- */

/* Counts the pending bar as interior (it was not the last one). */
static void commit_pending_bar(kern_parser *p) {
    if (!p->pending) return;
    p->pending = 0;
    p->st.bars_interior++;
    if (p->pending_expected == 0) {
        p->st.bars_unchecked++;
        return;
    }
    if (p->pending_len == p->pending_expected) return;
    p->st.bars_incomplete++;
    if (p->opts && p->opts->warn) {
        char a[32], b[32], msg[600];
        snprintf(msg, sizeof msg, "%s:%zu: bar check: the bar ending here lasts %s of a whole, meter %s wants %s",
                 p->name, p->pending_line, wholes_text(p->pending_len, a, sizeof a),
                 p->pending_meter, wholes_text(p->pending_expected, b, sizeof b));
        p->opts->warn(p->opts->warn_user, msg);
    }
}

static void note_bar_data(kern_parser *p) {
    if (p->bar_has_data) return;
    p->bar_has_data = 1;
    p->bar_expected = p->bar_ticks;
    memcpy(p->bar_meter, p->meter_text, sizeof p->bar_meter);
}

static void close_bar(kern_parser *p) {
    note_bar_data(p); /* an empty bar is checked against the meter in force now */
    commit_pending_bar(p);
    p->barlines++;
    if (p->barlines >= 2) { /* the bar closed by the first bar line is the first bar */
        p->pending = 1;
        p->pending_len = p->now - p->bar_start;
        p->pending_expected = p->bar_expected;
        memcpy(p->pending_meter, p->bar_meter, sizeof p->pending_meter);
        p->pending_line = p->line;
    }
    p->bar_start = p->now;
    p->bar_has_data = 0;
}

/* ---- notes ---- */

static void close_tie(kern_parser *p, const char *why) {
    if (!p->tie_open) return;
    p->tie_open = 0;
    kp_warn(p, "tie started at line %zu is not continued (%s); the note ends there", p->tie_line, why);
}

/* Duration of e in ticks, exactly, or an error. */
static int event_ticks(kern_parser *p, const kern_event *e, int64_t *ticks) {
    uint64_t num = e->recip_num, den = e->recip_den; /* reciprocal num/den */
    if (e->zeros) { /* 0 = 1/2, 00 = 1/4, 000 = 1/8 */
        num = 1;
        den = (uint64_t)1 << e->zeros;
    }
    if (num == 0 || den == 0)
        return kp_fail(p, LJ_ERR_PARSE, e->col, "expected a non-zero reciprocal, found %llu%%%llu",
                       (unsigned long long)num, (unsigned long long)den);
    /* wholes = den/num * (2 - 2^-dots) = den (2^(dots+1) - 1) / (num 2^dots) */
    uint64_t top = (uint64_t)KERN_TICKS_PER_WHOLE * den * (((uint64_t)2 << e->dots) - 1);
    uint64_t bottom = num << e->dots;
    if (top % bottom != 0) {
        return kp_fail(p, LJ_ERR_RANGE, e->col,
                       "expected a duration on the %d-PPQ grid, found reciprocal %llu/%llu with %d "
                       "dot(s) (%.3f ticks)",
                       SCORE_PPQ, (unsigned long long)num, (unsigned long long)den, e->dots,
                       (double)top / (double)bottom);
    }
    *ticks = (int64_t)(top / bottom);
    return LJ_OK;
}

static int letter_step(char c) {
    switch (c | 0x20) {
    case 'c': return 0;
    case 'd': return 2;
    case 'e': return 4;
    case 'f': return 5;
    case 'g': return 7;
    case 'a': return 9;
    default: return 11; /* 'b' */
    }
}

/* Adds the finished event e at p->now and advances time. */
static int finish_event(kern_parser *p, kern_event *e) {
    if (!e->has_pitch && !e->is_rest)
        return kp_fail(p, LJ_ERR_PARSE, e->col, "expected a pitch (a-g, A-G) or a rest (r), found end of token");
    if (e->grace) { /* grace notes take no time in kern: read past */
        kp_warn(p, "grace note read past");
        return LJ_OK;
    }
    if (!e->has_duration)
        return kp_fail(p, LJ_ERR_PARSE, e->col, "expected a duration (4, 8., 0, 3%%2...), found a %s without one",
                       e->is_rest ? "rest" : "note");
    int64_t ticks = 0;
    int rc = event_ticks(p, e, &ticks);
    if (rc) return rc;
    note_bar_data(p);
    if (e->is_rest) {
        close_tie(p, "a rest follows");
        p->now += ticks;
        return LJ_OK;
    }
    int pitch = letter_step(e->letter) + e->sharps - e->flats;
    pitch += e->letter >= 'a' ? 60 + 12 * (e->run - 1) : 48 - 12 * (e->run - 1);
    if (pitch < 0 || pitch > 127)
        return kp_fail(p, LJ_ERR_RANGE, e->col, "expected a pitch in MIDI range 0..127, found %d", pitch);
    int continues = (e->tie_mid || e->tie_end) && !e->tie_start;
    if (continues && p->tie_open) {
        score_note *held = &p->s->notes[p->tie_note];
        if (held->pitch == pitch && held->onset + held->duration == p->now) {
            held->duration += ticks;
            p->st.ties_merged++;
            if (e->tie_end) p->tie_open = 0;
            p->now += ticks;
            return LJ_OK;
        }
        close_tie(p, "the next note has another pitch");
    } else if (continues) {
        kp_warn(p, "tie continuation without an open tie; read as a new note");
    } else if (p->tie_open) {
        close_tie(p, "the next note has no tie continuation");
    }
    score_note n = {p->now, ticks, (uint8_t)pitch, KERN_VELOCITY, 0, 0, 0};
    if (score_add_note(p->s, &n))
        return kp_fail(p, LJ_ERR_NOMEM, 0, "out of memory");
    p->st.notes++;
    if ((e->tie_start && !e->tie_end) || (continues && e->tie_mid)) {
        p->tie_open = 1;
        p->tie_note = p->s->n_notes - 1;
        p->tie_line = p->line;
    }
    p->now += ticks;
    return LJ_OK;
}

static void event_reset(kern_event *e, size_t col) {
    memset(e, 0, sizeof *e);
    e->recip_den = 1;
    e->col = col;
}

/* Characters read past inside a data token: articulations, ornaments, beams,
 * stems, slurs, phrases, editorial marks (Humdrum kern reference, section
 * "kern signifiers"). */
static int is_ignored_sign(int c) {
    return c > 32 && c < 127 && strchr("{}()&'\"`~^;:,<>/\\|!?@$*+=LJKkMmOoPpSsTtUuvVWwxXyYZzNHhRIijlo", c) != NULL;
}

/* Parses one data token t[0..len) (no tabs, no spaces) at column col0. */
static int parse_data_token(kern_parser *p, const char *t, size_t len, size_t col0) {
    if (len == 1 && t[0] == '.') return LJ_OK; /* null token: nothing happens here */
    kern_token_state ts = KT_START;
    kern_event e;
    event_reset(&e, col0);
    int note_events = 0; /* events in this token that hold a pitch */
    int events = 0;      /* events in this token (notes and rests) */
    char cb[32];
    for (size_t i = 0; i <= len && p->state != KF_BAD; i++) {
        int c = i < len ? (unsigned char)t[i] : 0;
        size_t col = col0 + i;
        if (c == 0 && i < len)
            return kp_fail(p, LJ_ERR_PARSE, col, "expected a kern token character, found a NUL byte");
        int digit = c >= '0' && c <= '9';
        int pitch_letter = (c >= 'a' && c <= 'g') || (c >= 'A' && c <= 'G');
        switch (ts) {
        case KT_START:
            if (digit) {
                ts = KT_RECIP;
                i--; /* re-read as the first digit */
            } else if (pitch_letter || c == 'r') {
                ts = KT_DOTS; /* no duration yet: pitch-first order, or an error at the end */
                i--;
            } else if (c == 0) {
                if (events) return LJ_OK;
                return kp_fail(p, LJ_ERR_PARSE, col, "expected a duration and a pitch or rest, found an empty token");
            } else goto signs;
            break;
        case KT_RECIP:
            if (digit) {
                if (e.recip_digits >= KERN_MAX_RECIP_DIGITS)
                    return kp_fail(p, LJ_ERR_LIMIT, col, "expected a duration of at most %d digits, found more",
                                   KERN_MAX_RECIP_DIGITS);
                e.recip_num = e.recip_num * 10 + (uint64_t)(c - '0');
                if (e.recip_num == 0) e.zeros++;
                e.recip_digits++;
            } else {
                if (e.recip_num != 0) e.zeros = 0;
                else if (e.zeros > 3)
                    return kp_fail(p, LJ_ERR_PARSE, col, "expected a duration (0 breve, 00 longa, 000 maxima), found %d zeros",
                                   e.zeros);
                if (c == '.' && i + 1 < len && t[i + 1] >= '0' && t[i + 1] <= '9' && !e.zeros) {
                    ts = KT_RECIP_FRAC;
                } else if (c == '%' && !e.zeros) {
                    ts = KT_RECIP_DEN;
                    e.recip_den = 0;
                } else {
                    e.has_duration = 1;
                    ts = KT_DOTS;
                    i--;
                }
            }
            break;
        case KT_RECIP_FRAC:
            if (digit) {
                if (e.frac_digits >= KERN_MAX_FRAC_DIGITS)
                    return kp_fail(p, LJ_ERR_LIMIT, col, "expected at most %d decimals in a duration, found more",
                                   KERN_MAX_FRAC_DIGITS);
                e.recip_num = e.recip_num * 10 + (uint64_t)(c - '0');
                e.recip_den *= 10;
                e.frac_digits++;
            } else {
                e.has_duration = 1;
                ts = KT_DOTS;
                i--;
            }
            break;
        case KT_RECIP_DEN:
            if (digit) {
                if (e.frac_digits >= KERN_MAX_RECIP_DIGITS)
                    return kp_fail(p, LJ_ERR_LIMIT, col, "expected a duration denominator of at most %d digits, found more",
                                   KERN_MAX_RECIP_DIGITS);
                e.recip_den = e.recip_den * 10 + (uint64_t)(c - '0');
                e.frac_digits++;
            } else if (e.frac_digits == 0) {
                return kp_fail(p, LJ_ERR_PARSE, col, "expected digits after '%%', found %s",
                               describe_char(c, cb, sizeof cb));
            } else {
                e.has_duration = 1;
                ts = KT_DOTS;
                i--;
            }
            break;
        case KT_DOTS:
            if (c == '.') {
                if (!e.has_duration)
                    return kp_fail(p, LJ_ERR_PARSE, col, "expected a duration before '.', found '.'");
                if (++e.dots > KERN_MAX_DOTS)
                    return kp_fail(p, LJ_ERR_LIMIT, col, "expected at most %d dots, found more", KERN_MAX_DOTS);
            } else if (pitch_letter || c == 'r') {
                if (e.has_pitch || e.is_rest)
                    return kp_fail(p, LJ_ERR_PARSE, col, "expected one pitch or rest per note, found %s",
                                   describe_char(c, cb, sizeof cb));
                if (c == 'r') {
                    e.is_rest = 1;
                    ts = KT_AFTER;
                } else {
                    e.has_pitch = 1;
                    e.letter = (char)c;
                    e.run = 1;
                    ts = KT_PITCH;
                }
            } else if (c == 0) {
                goto end;
            } else goto signs;
            break;
        case KT_PITCH:
            if (c == e.letter) {
                if (++e.run > KERN_MAX_PITCH_RUN)
                    return kp_fail(p, LJ_ERR_RANGE, col, "expected at most %d repeated pitch letters, found more",
                                   KERN_MAX_PITCH_RUN);
            } else if (pitch_letter) {
                return kp_fail(p, LJ_ERR_PARSE, col, "expected '%c' again or an accidental, found '%c' (chords are not supported)",
                               e.letter, c);
            } else {
                ts = KT_AFTER;
                i--;
            }
            break;
        case KT_AFTER:
            if (c == '#' || c == '-' || c == 'n') {
                if (e.is_rest)
                    return kp_fail(p, LJ_ERR_PARSE, col, "expected no accidental on a rest, found '%c'", c);
                if ((c == '#' && e.flats) || (c == '-' && e.sharps))
                    return kp_fail(p, LJ_ERR_PARSE, col, "expected one kind of accidental, found both '#' and '-'");
                if (c == '#') e.sharps++;
                if (c == '-') e.flats++;
                if (e.sharps + e.flats > 3)
                    return kp_fail(p, LJ_ERR_PARSE, col, "expected at most a double accidental, found more");
            } else if (c == 'r' && e.is_rest) {
                /* rr: a whole-measure rest in some kern files; same as r here */
            } else if (digit) {
                if (e.has_duration) goto glued;
                ts = KT_RECIP; /* pitch-first order: cc4 */
                i--;
            } else if (c == '.' && e.has_duration) {
                if (++e.dots > KERN_MAX_DOTS)
                    return kp_fail(p, LJ_ERR_LIMIT, col, "expected at most %d dots, found more", KERN_MAX_DOTS);
            } else if (pitch_letter) {
                return kp_fail(p, LJ_ERR_PARSE, col, "expected one pitch per token, found %s (chords are not supported)",
                               describe_char(c, cb, sizeof cb));
            } else if (c == 0) {
                goto end;
            } else goto signs;
            break;
        }
        continue;
    signs:
        if (c == '[') e.tie_start = 1;
        else if (c == ']') e.tie_end = 1;
        else if (c == '_') e.tie_mid = 1;
        else if (c == 'q' || c == 'Q') e.grace = 1;
        else if (c > 0 && c < 32) /* a stray control byte (a backspace in erk/deut1328.krn) */
            kp_warn(p, "control byte 0x%02X at column %zu read past", (unsigned)c, col);
        else if (!is_ignored_sign(c))
            return kp_fail(p, LJ_ERR_PARSE, col, "expected a kern signifier (duration, pitch, accidental, tie...), found %s",
                           describe_char(c, cb, sizeof cb));
        continue;
    glued:
        /* The previous event is complete; this digit starts another one. */
        if (!e.has_pitch && !e.is_rest)
            return kp_fail(p, LJ_ERR_PARSE, col, "expected a pitch or rest after the duration, found %s",
                           describe_char(c, cb, sizeof cb));
        if (finish_event(p, &e)) return p->status;
        events++;
        note_events += e.has_pitch;
        kp_warn(p, "two notes glued in one token at column %zu; read as two", col);
        event_reset(&e, col);
        ts = KT_RECIP;
        i--;
        continue;
    end:
        if (finish_event(p, &e)) return p->status;
        events++;
        note_events += e.has_pitch;
        break;
    }
    if (p->state == KF_BAD) return p->status;
    /* A token counts once as a note token (the independent counter's view: a
     * token holding a pitch letter); extra notes glued into it are counted apart. */
    if (note_events > 0) {
        p->st.note_tokens++;
        p->st.glued_notes += (size_t)note_events - 1;
    } else if (events > 0) {
        p->st.rest_tokens++;
    }
    return LJ_OK;
}

/* ---- interpretations ---- */

static int parse_uint(const char **s, const char *end, long max, long *out) {
    const char *q = *s;
    long v = 0;
    if (q >= end || *q < '0' || *q > '9') return 0;
    while (q < end && *q >= '0' && *q <= '9') {
        v = v * 10 + (*q - '0');
        if (v > max) return 0;
        q++;
    }
    *s = q;
    *out = v;
    return 1;
}

/* *M3/4 and friends. t points after "*M". */
static int parse_meter(kern_parser *p, const char *t, const char *end) {
    const char *q = t;
    long num, den;
    int ok = parse_uint(&q, end, 100000, &num) && q < end && *q == '/';
    if (ok) {
        q++;
        ok = parse_uint(&q, end, 100000, &den) && num > 0 && den > 0;
    }
    if (!ok) {
        /* *MX (irregular) and *MFREI... (free): no meter to check bars against */
        char qb[64];
        if (!(end - t == 1 && *t == 'X'))
            kp_warn(p, "meter '*M%s' read past; bars are not checked until the next meter",
                    quote_text(t, (size_t)(end - t), qb, sizeof qb));
        p->bar_ticks = 0;
        snprintf(p->meter_text, sizeof p->meter_text, "none");
        return LJ_OK;
    }
    if (q < end) {
        char qb[64];
        kp_warn(p, "meter: '%s' after %ld/%ld read past", quote_text(q, (size_t)(end - q), qb, sizeof qb), num, den);
    }
    int64_t top = (int64_t)num * KERN_TICKS_PER_WHOLE;
    p->bar_ticks = top % den == 0 ? top / den : 0;
    snprintf(p->meter_text, sizeof p->meter_text, "%ld/%ld", num, den);
    int rc = score_add_meter(p->s, p->now, (int)num, (int)den);
    if (rc == LJ_ERR_NOMEM) return kp_fail(p, LJ_ERR_NOMEM, 0, "out of memory");
    if (rc) kp_warn(p, "meter %ld/%ld cannot be stored in a score (numerator 1..255, denominator a power of 2); bars are still checked",
                    num, den);
    return LJ_OK;
}

static int parse_tempo(kern_parser *p, const char *t, const char *end) {
    const char *q = t;
    long bpm = 0, frac = 0, scale = 1; /* 0 when no number: rejected below */
    if (parse_uint(&q, end, 100000, &bpm) && q < end && *q == '.') {
        q++;
        while (q < end && *q >= '0' && *q <= '9' && scale < 1000) {
            frac = frac * 10 + (*q++ - '0');
            scale *= 10;
        }
    }
    double qpm = (double)bpm + (double)frac / (double)scale;
    if (q != end || !(qpm >= 1.0 && qpm <= 10000.0)) {
        char qb[64];
        kp_warn(p, "tempo '*MM%s' read past (expected quarter notes per minute, 1..10000)",
                quote_text(t, (size_t)(end - t), qb, sizeof qb));
        return LJ_OK;
    }
    if (score_add_tempo(p->s, p->now, (uint32_t)(60e6 / qpm + 0.5)) == LJ_ERR_NOMEM)
        return kp_fail(p, LJ_ERR_NOMEM, 0, "out of memory");
    return LJ_OK;
}

static int add_key(kern_parser *p, int mode) {
    if (score_add_key(p->s, p->now, p->fifths, mode) == LJ_ERR_NOMEM)
        return kp_fail(p, LJ_ERR_NOMEM, 0, "out of memory");
    return LJ_OK;
}

/* *k[f#c#]: t points after "*k[". */
static int parse_key_signature(kern_parser *p, const char *t, const char *end) {
    int sharps = 0, flats = 0, ok = end > t && end[-1] == ']';
    for (const char *q = t; ok && q < end - 1; q++) {
        if (*q >= 'a' && *q <= 'g') continue;
        if (*q == '#') sharps++;
        else if (*q == '-') flats++;
        else ok = 0;
    }
    if (!ok || (sharps && flats) || sharps > 7 || flats > 7) {
        char qb[64];
        kp_warn(p, "key signature '*k[%s' read past", quote_text(t, (size_t)(end - t), qb, sizeof qb));
        return LJ_OK;
    }
    p->fifths = sharps - flats;
    return add_key(p, SCORE_MODE_MAJOR);
}

/* *G:, *e:, *B-: a key. The mode follows from the tonic's place in the signature
 * (d with no accidentals is d dorian); without a fitting signature, the case
 * decides between major and minor. */
static int parse_key(kern_parser *p, const char *t, const char *end) {
    int upper = *t >= 'A' && *t <= 'G';
    int pc = letter_step(*t);
    for (const char *q = t + 1; q < end - 1; q++) pc += *q == '#' ? 1 : -1;
    pc = ((pc % 12) + 12) % 12;
    int major_pc = ((7 * p->fifths) % 12 + 12) % 12;
    int interval = ((pc - major_pc) % 12 + 12) % 12;
    int mode = -1;
    if (upper) {
        if (interval == 0) mode = SCORE_MODE_MAJOR;
        else if (interval == 5) mode = SCORE_MODE_LYDIAN;
        else if (interval == 7) mode = SCORE_MODE_MIXOLYDIAN;
    } else {
        if (interval == 9) mode = SCORE_MODE_MINOR;
        else if (interval == 2) mode = SCORE_MODE_DORIAN;
        else if (interval == 4) mode = SCORE_MODE_PHRYGIAN;
        else if (interval == 11) mode = SCORE_MODE_LOCRIAN;
    }
    if (mode < 0) {
        /* No fitting signature: take the signature of the plain major/minor key. */
        int tonic = upper ? pc : (pc + 3) % 12; /* relative major */
        int f = (tonic * 7) % 12;               /* fifths of that major, 0..11 */
        if (f > 6) f -= 12;
        if (f == 6 && end - t > 2 && t[1] == '-') f = -6; /* G-: 6 flats, not F#'s 6 sharps */
        p->fifths = f;
        mode = upper ? SCORE_MODE_MAJOR : SCORE_MODE_MINOR;
    }
    return add_key(p, mode);
}

static int is_key_token(const char *t, const char *end) {
    if (end - t < 2 || end[-1] != ':') return 0;
    if (!((*t >= 'a' && *t <= 'g') || (*t >= 'A' && *t <= 'G'))) return 0;
    for (const char *q = t + 1; q < end - 1; q++)
        if (*q != '#' && *q != '-') return 0;
    return end - t <= 5;
}

static int parse_interpretation(kern_parser *p, const char *t, size_t len) {
    const char *end = t + len;
    if (len == 2 && t[1] == '-') {
        close_tie(p, "the spine ends");
        p->state = KF_ENDED;
        return LJ_OK;
    }
    if (len == 2 && (t[1] == '^' || t[1] == 'v' || t[1] == 'x' || t[1] == '+'))
        return kp_fail(p, LJ_ERR_UNSUPPORTED, 1,
                       "expected one **kern spine throughout, found a spine split/join '%.2s' (lstmjam reads monophonic kern only)", t);
    if (len >= 3 && t[1] == 'M' && t[2] == 'M') return parse_tempo(p, t + 3, end);
    if (len >= 2 && t[1] == 'M') return parse_meter(p, t + 2, end);
    if (len >= 3 && t[1] == 'k' && t[2] == '[') return parse_key_signature(p, t + 3, end);
    if (is_key_token(t + 1, end)) return parse_key(p, t + 1, end);
    /* *I"Name (instrument name) wins over *Ivox (instrument code); *IC, *IG... are classes and groups. */
    if (len >= 3 && t[1] == 'I' && (t[2] == '"' || (t[2] >= 'a' && t[2] <= 'z' && p->part_name[0] != '"'))) {
        size_t n = len - 2 < sizeof p->part_name - 1 ? len - 2 : sizeof p->part_name - 1;
        memcpy(p->part_name, t + 2, n);
        p->part_name[n] = 0;
    }
    return LJ_OK; /* *ICvox, *Ivox, *>A, *clef... read past */
}

/* ---- lines ---- */

static void parse_reference(kern_parser *p, const char *t, size_t len) {
    /* !!!OTL: title; the first one wins (later ones are translations). */
    if (len >= 7 && !memcmp(t, "!!!OTL", 6) && !p->s->title[0]) {
        const char *q = memchr(t, ':', len);
        if (!q) return;
        q++;
        while (q < t + len && (*q == ' ' || *q == '\t')) q++;
        size_t n = (size_t)(t + len - q);
        while (n && (q[n - 1] == ' ' || q[n - 1] == '\t')) n--;
        if (n >= sizeof p->s->title) n = sizeof p->s->title - 1;
        memcpy(p->s->title, q, n);
        p->s->title[n] = 0;
    }
}

static int count_spines(const char *t, size_t len) {
    int n = 1;
    for (size_t i = 0; i < len; i++) n += t[i] == '\t';
    return n;
}

static int parse_line(kern_parser *p, const char *t, size_t len) {
    char qb[80];
    if (len && t[len - 1] == '\r') len--;
    if (len >= 1 && t[0] == '!') {
        if (len >= 3 && t[1] == '!' && t[2] == '!') parse_reference(p, t, len);
        return LJ_OK; /* comments may hold any bytes (Latin-1 in Essen) */
    }
    if (len == 0) {
        if (p->state == KF_SPINE)
            return kp_fail(p, LJ_ERR_PARSE, 1, "expected a kern token, found an empty line");
        return LJ_OK;
    }
    const char *tab = memchr(t, '\t', len);
    if (tab)
        return kp_fail(p, LJ_ERR_UNSUPPORTED, (size_t)(tab - t) + 1,
                       "expected one **kern spine, found %d spines ('%s'); lstmjam reads monophonic kern only",
                       count_spines(t, len), quote_text(t, len, qb, sizeof qb));
    switch (p->state) {
    case KF_HEADER:
        if (len == 6 && !memcmp(t, "**kern", 6)) {
            p->state = KF_SPINE;
            return LJ_OK;
        }
        if (len >= 2 && t[0] == '*' && t[1] == '*')
            return kp_fail(p, LJ_ERR_UNSUPPORTED, 1, "expected **kern, found '%s'", quote_text(t, len, qb, sizeof qb));
        return kp_fail(p, LJ_ERR_PARSE, 1, "expected **kern (or a comment), found '%s'", quote_text(t, len, qb, sizeof qb));
    case KF_SPINE:
        if (t[0] == '*') {
            if (len >= 2 && t[1] == '*')
                return kp_fail(p, LJ_ERR_UNSUPPORTED, 1, "expected one **kern spine, found a second exclusive interpretation '%s'",
                               quote_text(t, len, qb, sizeof qb));
            return parse_interpretation(p, t, len);
        }
        if (t[0] == '=') {
            close_bar(p);
            return LJ_OK;
        }
        const char *sp = memchr(t, ' ', len);
        if (sp)
            return kp_fail(p, LJ_ERR_UNSUPPORTED, (size_t)(sp - t) + 1,
                           "expected one note per line, found a chord '%s' (lstmjam reads monophonic kern only)",
                           quote_text(t, len, qb, sizeof qb));
        return parse_data_token(p, t, len, 1);
    case KF_ENDED:
        return kp_fail(p, LJ_ERR_PARSE, 1, "expected only comments after the end of the spine (*-), found '%s'",
                       quote_text(t, len, qb, sizeof qb));
    case KF_BAD: break;
    }
    return p->status;
}

int kern_read_mem(const char *text, size_t len, const char *name, const kern_opts *opts,
                  score **out, kern_stats *stats, char *err, size_t errlen) {
    kern_parser p;
    memset(&p, 0, sizeof p);
    *out = NULL;
    if (stats) memset(stats, 0, sizeof *stats);
    p.name = name ? name : "<memory>";
    p.opts = opts;
    p.err = err;
    p.errlen = errlen;
    p.state = KF_HEADER;
    snprintf(p.meter_text, sizeof p.meter_text, "none");
    if (err && errlen) err[0] = 0;
    if (!text && len) return lj_fail(err, errlen, LJ_ERR_ARG, "%s: no text", p.name);
    p.s = score_create();
    if (!p.s) return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", p.name);
    snprintf(p.s->source, sizeof p.s->source, "%s", p.name);
    size_t pos = 0;
    while (pos < len && p.state != KF_BAD) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;
        p.line++;
        parse_line(&p, text + pos, line_len);
        pos += line_len + (nl != NULL);
    }
    if (p.state == KF_HEADER)
        kp_fail(&p, LJ_ERR_PARSE, 0, "expected **kern, found end of file");
    else if (p.state == KF_SPINE)
        kp_fail(&p, LJ_ERR_PARSE, 0, "expected *- (end of the spine), found end of file (truncated?)");
    /* The bar still pending was closed by the last bar line: the last bar. */
    if (p.state != KF_BAD &&
        score_add_part(p.s, p.part_name + (p.part_name[0] == '"'), 0, 0, NULL) != LJ_OK)
        kp_fail(&p, LJ_ERR_NOMEM, 0, "out of memory");
    if (stats) *stats = p.st;
    if (p.state == KF_BAD) {
        score_destroy(p.s);
        return p.status;
    }
    score_sort(p.s);
    *out = p.s;
    return LJ_OK;
}

int kern_read_file(const char *path, const kern_opts *opts, score **out, kern_stats *stats,
                   char *err, size_t errlen) {
    uint8_t *data;
    size_t len;
    *out = NULL;
    if (stats) memset(stats, 0, sizeof *stats);
    int rc = lj_file_read(path, &data, &len, err, errlen);
    if (rc) return rc;
    rc = kern_read_mem((const char *)data, len, path, opts, out, stats, err, errlen);
    free(data);
    return rc;
}
