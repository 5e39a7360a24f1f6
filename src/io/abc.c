/* abc: the public ABC reader. Splits text into lines for the parser
 * (abc_parse.c), expands each finished tune (abc_expand.c) and assembles the
 * walk into a score: a melody part (channel 0, program 0, as abc2midi's note
 * track) and, when the tune has chord symbols, a chord part (channel 1) of
 * block chords held from one symbol to the next, as the Nottingham MIDI files
 * have them. */
#include "abc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc_internal.h"
#include "files.h"

#define ABC_MELODY_VELOCITY 90 /* the Nottingham MIDI files' velocity */
#define ABC_CHORD_VELOCITY 90
#define ABC_CHORD_ROOT_BASE 36 /* chord roots sit in C2..B2 (MIDI 36..47), as Nottingham */

/* Semitones above the root for each abc_chord_kind; -1 ends a list. */
static const int8_t chord_intervals[ABC_CH_COUNT][6] = {
    [ABC_CH_MAJ] = {0, 4, 7, -1},      [ABC_CH_MIN] = {0, 3, 7, -1},
    [ABC_CH_7] = {0, 4, 7, 10, -1},    [ABC_CH_MIN7] = {0, 3, 7, 10, -1},
    [ABC_CH_MAJ7] = {0, 4, 7, 11, -1}, [ABC_CH_DIM] = {0, 3, 6, -1},
    [ABC_CH_AUG] = {0, 4, 8, -1},      [ABC_CH_SUS4] = {0, 5, 7, -1},
    [ABC_CH_6] = {0, 4, 7, 9, -1},     [ABC_CH_MIN6] = {0, 3, 7, 9, -1},
    [ABC_CH_9] = {0, 4, 7, 10, 14, -1}, [ABC_CH_DIM7] = {0, 3, 6, 9, -1},
    [ABC_CH_SUS2] = {0, 2, 7, -1},     [ABC_CH_MIN9] = {0, 3, 7, 10, 14, -1},
};

void abc_opts_default(abc_opts *o) {
    memset(o, 0, sizeof *o);
    o->repeats = ABC_REPEATS_ABC2MIDI;
    o->chords = 1;
}

/* Receives one chord note (score_add_note for the book, the note callback for
 * the stream). */
typedef int (*chord_note_fn)(void *user, const score_note *n);

/* Makes the notes of one chord symbol sounding over [start, end). */
static int emit_chord(chord_note_fn fn, void *user, size_t part, const abc_item *g, int64_t start,
                      int64_t end) {
    if (end <= start) return LJ_OK;
    int kind = (g->a >= 0 && g->a < ABC_CH_COUNT) ? g->a : ABC_CH_MAJ;
    int root = ABC_CHORD_ROOT_BASE + g->pitch;
    score_note n;
    memset(&n, 0, sizeof n);
    n.onset = start;
    n.duration = end - start;
    n.velocity = ABC_CHORD_VELOCITY;
    n.channel = 1;
    n.part = (uint16_t)part;
    if (g->aux >= 0 && g->aux != g->pitch) {
        /* slash chord: its bass note below the root */
        int bass = ABC_CHORD_ROOT_BASE + g->aux;
        if (bass >= root) bass -= 12;
        n.pitch = (uint8_t)bass;
        int rc = fn(user, &n);
        if (rc) return rc;
    }
    for (int k = 0; k < 6 && chord_intervals[kind][k] >= 0; k++) {
        n.pitch = (uint8_t)(root + chord_intervals[kind][k]);
        int rc = fn(user, &n);
        if (rc) return rc;
    }
    return LJ_OK;
}

static int add_to_score(void *user, const score_note *n) { return score_add_note(user, n); }

/* State of one tune's assembly walk. */
typedef struct assembler {
    score *s;
    abc_frac now;          /* whole notes from the start */
    size_t melody_part;    /* part index of the melody */
    size_t chord_part;     /* part index of the chords, when chords */
    int chords;            /* 1: chord symbols become notes */
    const abc_item *chord; /* chord symbol sounding now, or NULL */
    int64_t chord_start;   /* its onset, ticks */
    int overflow;          /* 1 when time arithmetic overflowed */
} assembler;

static int assemble_item(void *user, const abc_item *it, size_t index) {
    (void)index;
    assembler *a = user;
    int64_t tick = abc_frac_ticks(a->now);
    switch (it->type) {
    case ABC_NOTE: {
        int64_t end = abc_frac_ticks(abc_frac_add(a->now, it->len, &a->overflow));
        if (end > tick) {
            score_note n;
            memset(&n, 0, sizeof n);
            n.onset = tick;
            n.duration = end - tick;
            n.pitch = (uint8_t)it->pitch;
            n.velocity = ABC_MELODY_VELOCITY;
            n.part = (uint16_t)a->melody_part;
            int rc = score_add_note(a->s, &n);
            if (rc) return rc;
        }
        if (!it->in_chord) a->now = abc_frac_add(a->now, it->adv, &a->overflow);
        break;
    }
    case ABC_REST:
        if (!it->in_chord) a->now = abc_frac_add(a->now, it->adv, &a->overflow);
        break;
    case ABC_CHORD_OFF: a->now = abc_frac_add(a->now, it->adv, &a->overflow); break;
    case ABC_KEY: return score_add_key(a->s, tick, it->a, it->aux);
    case ABC_METER:
        if ((it->b & (it->b - 1)) == 0) return score_add_meter(a->s, tick, it->a, it->b);
        break;
    case ABC_TEMPO: return score_add_tempo(a->s, tick, (uint32_t)it->a);
    case ABC_GCHORD:
        if (!a->chords) break;
        if (a->chord) {
            int rc = emit_chord(add_to_score, a->s, a->chord_part, a->chord, a->chord_start, tick);
            if (rc) return rc;
        }
        a->chord = it;
        a->chord_start = tick;
        break;
    default: break;
    }
    return a->overflow ? LJ_ERR_LIMIT : LJ_OK;
}

/* Reader context: the parser hands each finished tune to on_tune. */
typedef struct book_reader {
    abc_parser parser;
    const abc_opts *opts;
    score_book *out;
} book_reader;

static int on_tune(void *user, abc_tune *t) {
    book_reader *r = user;
    abc_parser *p = &r->parser;
    int rc = abc_expand_prepare(p, t);
    if (rc) return rc;
    score *s = score_create();
    if (!s) return lj_fail(p->err, p->errlen, LJ_ERR_NOMEM, "%s: out of memory", p->name);
    snprintf(s->title, sizeof s->title, "%s", t->title);
    snprintf(s->source, sizeof s->source, "%s", p->name);
    s->index = t->index;
    assembler a;
    memset(&a, 0, sizeof a);
    a.s = s;
    a.now = abc_frac_make(0, 1);
    a.chords = r->opts->chords;
    int has_chords = 0;
    for (size_t i = 0; i < t->n_items && !has_chords; i++)
        has_chords = t->items[i].type == ABC_GCHORD;
    rc = score_add_part(s, "melody", 0, 0, &a.melody_part);
    if (!rc && has_chords && a.chords) rc = score_add_part(s, "chords", 1, 0, &a.chord_part);
    if (!rc) rc = score_add_tempo(s, 0, t->us_per_qn);
    if (!rc && (t->meter_den & (t->meter_den - 1)) == 0)
        rc = score_add_meter(s, 0, t->meter_num, t->meter_den);
    if (!rc) rc = score_add_key(s, 0, t->key_fifths, t->key_mode);
    if (!rc) rc = abc_expand_walk(t, r->opts->repeats, assemble_item, &a);
    if (!rc && a.chord) rc = emit_chord(add_to_score, s, a.chord_part, a.chord, a.chord_start,
                                        abc_frac_ticks(a.now));
    if (rc) {
        score_destroy(s);
        if (rc == LJ_ERR_LIMIT)
            return lj_fail(p->err, p->errlen, rc, "%s:%d: tune X:%d expands beyond the limit "
                           "(%d items played or too long)", p->name, t->line, t->index,
                           ABC_MAX_PLAYED);
        if (rc == LJ_ERR_NOMEM) return lj_fail(p->err, p->errlen, rc, "%s: out of memory", p->name);
        return lj_fail(p->err, p->errlen, rc, "%s:%d: tune X:%d: %s", p->name, t->line, t->index,
                       lj_strerror(rc));
    }
    score_sort(s);
    return score_book_push(r->out, s);
}

int abc_read_mem(const char *text, size_t len, const char *name, const abc_opts *opts,
                 score_book *out, char *err, size_t errlen) {
    abc_opts def;
    if (!opts) {
        abc_opts_default(&def);
        opts = &def;
    }
    if (!name) name = "abc";
    if (!out || (!text && len)) return lj_fail(err, errlen, LJ_ERR_ARG, "%s: no text", name);
    book_reader *r = malloc(sizeof *r);
    if (!r) return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", name);
    r->opts = opts;
    r->out = out;
    size_t first_new = out->n;
    abc_parser_init(&r->parser, name, opts, on_tune, r, err, errlen);
    size_t i = 0;
    int rc = LJ_OK;
    while (i < len && rc == LJ_OK) {
        size_t e = i;
        while (e < len && text[e] != '\n' && text[e] != '\r') e++;
        rc = abc_parser_line(&r->parser, text + i, e - i);
        if (e < len && text[e] == '\r' && e + 1 < len && text[e + 1] == '\n') e++;
        i = e + 1;
    }
    if (rc == LJ_OK) rc = abc_parser_finish(&r->parser);
    abc_parser_free(&r->parser);
    free(r);
    if (rc != LJ_OK) {
        /* nothing half-read: drop the tunes this call added */
        while (out->n > first_new) score_destroy(out->items[--out->n]);
        return rc;
    }
    return LJ_OK;
}

int abc_read_file(const char *path, const abc_opts *opts, score_book *out, char *err,
                  size_t errlen) {
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = lj_file_read(path, &data, &len, err, errlen);
    if (rc) return rc;
    rc = abc_read_mem((const char *)data, len, path, opts, out, err, errlen);
    free(data);
    return rc;
}

/* ================================================================ streaming */

#define ABC_STREAM_HELD 16   /* tied notes waiting for their continuation */
#define ABC_STREAM_PENDING 8 /* chord symbols waiting for a tied note that started before them */

typedef struct pending_symbol {
    abc_item chord; /* copy of the symbol */
    int64_t tick;   /* its onset, ticks (absolute) */
} pending_symbol;

typedef struct held_note {
    score_note note;   /* onset fixed, duration grows as ties join */
    int64_t end_tick;  /* where the next tied note must start */
    abc_frac end;      /* the same, exact */
    int16_t pitchline; /* staff line, for a tie across a bar (accidental carried) */
    int crossed_bar;   /* a bar line came since it started */
} held_note;

struct abc_stream {
    abc_opts opts;          /* copy of the caller's options */
    abc_note_fn on_note; void *user;
    abc_chord_fn on_chord; void *chord_user; /* chord symbols as they start, or NULL */
    char *err; size_t errlen;
    abc_parser parser;
    char *line; size_t line_len; /* current line, unparsed part from line_done */
    size_t line_done;       /* bytes of line already read as music pieces */
    int line_kind;          /* 0 undecided, 1 music (read in pieces), 2 whole line */
    int skipping;           /* 1: after an error, skip to the next bar line or line */
    int skip_line;          /* 1: the line was too long: skip to its end */
    long errors;            /* parse errors counted */
    int status;             /* LJ_OK or a fatal (memory) error */
    /* playing state of the current tune */
    int64_t base;           /* ticks where the current tune starts */
    abc_frac now;           /* whole notes from the tune's start */
    abc_frac chord_start;   /* start of the open [chord] */
    held_note held[ABC_STREAM_HELD]; int n_held;
    int gchord_on;          /* 1 while a chord symbol sounds */
    abc_item gchord;        /* copy of it */
    int64_t gchord_start;   /* its onset, ticks (absolute) */
    /* chord callback only: symbols read but not yet handed on, oldest first
     * (see stream_chord_symbol); more than one while a tied note that started
     * before them is held */
    pending_symbol pending[ABC_STREAM_PENDING];
    int n_pending;
    int tie_whole_chord;    /* 1 while the chord being played ends in "]-" */
    /* cut scanner over the line buffer (see stream_cut) */
    size_t scan;            /* next byte to look at */
    size_t cut;             /* last safe cut found, 0 = none */
    int scan_quote, scan_brace, scan_bang, scan_comment, scan_bracket; /* open constructs */
    size_t line_blanks;     /* blanks the line starts with (its kind is decided after them) */
    /* note-pitch scanner (abc_stream_note_pitch) over the unread line: its state
     * after line[pscan_from .. pscan_from + pscan_len), kept up by feed */
    abc_pscan pscan;
    int pscan_valid;        /* 0: to be started (new line, reset) */
    size_t pscan_from;      /* the line_done it started at */
    size_t pscan_len;       /* bytes it has read */
    int pscan_skipping;     /* the skipping state it started with */
    uint8_t pscan_bar_set[7]; int8_t pscan_bar_acc[7]; /* the parser's bar accidentals it started with */
};

static void stream_chord_flush(abc_stream *st);

static void stream_emit(abc_stream *st, const score_note *n) {
    /* a chord symbol waiting is handed on before the first note at or after it */
    while (st->n_pending && n->onset >= st->pending[0].tick) stream_chord_flush(st);
    if (n->duration > 0 && st->on_note) st->on_note(st->user, n);
}

static void stream_emit_held(abc_stream *st, int k) {
    stream_emit(st, &st->held[k].note);
    st->held[k] = st->held[--st->n_held];
}

/* Plays tied notes whose continuation can no longer come (time went past). */
static void stream_flush_held(abc_stream *st, int all) {
    for (int k = 0; k < st->n_held;) {
        if (all || abc_frac_cmp(st->held[k].end, st->now) < 0) stream_emit_held(st, k);
        else k++;
    }
}

static int stream_chord_note(void *user, const score_note *n) {
    stream_emit(user, n);
    return LJ_OK;
}

/* Collects a chord symbol's notes for the chord callback. */
typedef struct chord_notes {
    score_note notes[ABC_CHORD_NOTES];
    int n;
} chord_notes;

static int collect_chord_note(void *user, const score_note *n) {
    chord_notes *c = user;
    if (c->n < ABC_CHORD_NOTES) c->notes[c->n++] = *n;
    return LJ_OK;
}

/* Without a chord callback: the symbol sounding until tick becomes notes, and
 * g (NULL: none) sounds from tick on. */
static void stream_chord_as_notes(abc_stream *st, const abc_item *g, int64_t tick) {
    if (st->gchord_on && tick > st->gchord_start) {
        emit_chord(stream_chord_note, st, 1, &st->gchord, st->gchord_start, tick);
    }
    st->gchord_on = g != NULL;
    if (g) {
        st->gchord = *g;
        st->gchord_start = tick;
    }
}

/* Chord callback: the oldest waiting symbol starts now (the one sounding stops).
 * A stream without the callback holds waiting symbols only when it was made a
 * copy of one with it (abc_stream_copy): they then become notes, as they would
 * have had it never had the callback. */
static void stream_chord_flush(abc_stream *st) {
    if (!st->n_pending) return;
    pending_symbol ps = st->pending[0];
    memmove(st->pending, st->pending + 1, (size_t)(--st->n_pending) * sizeof *st->pending);
    int64_t tick = ps.tick;
    if (!st->on_chord) {
        stream_chord_as_notes(st, &ps.chord, tick);
        return;
    }
    if (st->gchord_on) st->on_chord(st->chord_user, tick, NULL, 0);
    chord_notes c;
    c.n = 0;
    emit_chord(collect_chord_note, &c, 1, &ps.chord, tick, tick + 1); /* the pitches */
    for (int k = 0; k < c.n; k++) c.notes[k].duration = 0;          /* open length */
    st->on_chord(st->chord_user, tick, c.notes, c.n);
    st->gchord_on = 1;
    st->gchord = ps.chord;
    st->gchord_start = tick;
}

/* A chord symbol g (NULL: the tune's end) takes over at tick: the one sounding
 * ends. With the chord callback the symbol waits (pending) until a note at or
 * after it is handed on, or the batch of items played ends with no tied note
 * held: so a tied note that started before it (handed on when its tie
 * resolves) still comes first, in time order, also when the tie goes on over
 * more symbols ("G2-"C"G2-|"G"G3": they wait in a queue, oldest first); a
 * second symbol at the same tick ("E7""G") replaces the first: it would sound
 * for no time (the whole-tune reader drops it too). */
static void stream_chord_symbol(abc_stream *st, const abc_item *g, int64_t tick) {
    if (!st->opts.chords) return;
    if (st->on_chord) {
        if (st->n_pending && st->pending[st->n_pending - 1].tick >= tick) st->n_pending--; /* replaced */
        /* older symbols wait only for a tied note held (and at most
         * ABC_STREAM_PENDING of them: then the oldest sounds, before the note) */
        while (st->n_pending && (!g || st->n_held == 0 || st->n_pending == ABC_STREAM_PENDING))
            stream_chord_flush(st);
        if (g) {
            st->pending[st->n_pending].chord = *g;
            st->pending[st->n_pending++].tick = tick;
        } else if (st->gchord_on) {
            st->on_chord(st->chord_user, tick, NULL, 0);
            st->gchord_on = 0;
        }
        return;
    }
    while (st->n_pending) stream_chord_flush(st); /* a copy's waiting symbols come first */
    stream_chord_as_notes(st, g, tick);
}

/* Plays item i of the parser's list (source order). */
static void stream_play(abc_stream *st, const abc_item *items, size_t n, size_t i) {
    const abc_item *it = &items[i];
    int of = 0;
    switch (it->type) {
    case ABC_NOTE: {
        abc_frac onset = it->in_chord ? st->chord_start : st->now;
        int64_t tick = st->base + abc_frac_ticks(onset);
        abc_frac endf = abc_frac_add(onset, it->len, &of);
        int64_t end = st->base + abc_frac_ticks(endf);
        int tied = (i + 1 < n && items[i + 1].type == ABC_TIE) ||
                   (it->in_chord && st->tie_whole_chord);
        /* does it continue a held tied note? */
        int joined = 0;
        for (int k = 0; k < st->n_held; k++) {
            held_note *h = &st->held[k];
            if (abc_frac_cmp(h->end, onset) == 0 &&
                (h->note.pitch == it->pitch || (h->crossed_bar && h->pitchline == it->pitchline))) {
                h->note.duration = end - h->note.onset;
                h->end = endf;
                h->end_tick = end;
                h->pitchline = it->pitchline;
                h->crossed_bar = 0;
                if (!tied) stream_emit_held(st, k);
                joined = 1;
                break;
            }
        }
        if (!joined && !it->in_chord) {
            /* held notes ending at or before this one can no longer continue
             * (a tie to another pitch): hand them on first, in time order */
            for (int k = 0; k < st->n_held;) {
                if (abc_frac_cmp(st->held[k].end, onset) <= 0) stream_emit_held(st, k);
                else k++;
            }
        }
        if (!joined) {
            score_note n2;
            memset(&n2, 0, sizeof n2);
            n2.onset = tick;
            n2.duration = end - tick;
            n2.pitch = (uint8_t)it->pitch;
            n2.velocity = ABC_MELODY_VELOCITY;
            if (tied && st->n_held < ABC_STREAM_HELD) {
                held_note *h = &st->held[st->n_held++];
                h->note = n2;
                h->end = endf;
                h->end_tick = end;
                h->pitchline = it->pitchline;
                h->crossed_bar = 0;
            } else {
                stream_emit(st, &n2);
            }
        }
        if (!it->in_chord) {
            st->now = abc_frac_add(st->now, it->adv, &of);
            stream_flush_held(st, 0);
        }
        break;
    }
    case ABC_REST:
        if (!it->in_chord) {
            st->now = abc_frac_add(st->now, it->adv, &of);
            stream_flush_held(st, 0);
        }
        break;
    case ABC_CHORD_ON: {
        st->chord_start = st->now;
        /* a tie right after the closing ] ties every note of the chord */
        size_t k = i + 1;
        while (k < n && items[k].type != ABC_CHORD_OFF) k++;
        st->tie_whole_chord = k + 1 < n && items[k + 1].type == ABC_TIE;
        break;
    }
    case ABC_CHORD_OFF:
        st->now = abc_frac_add(st->now, it->adv, &of);
        st->tie_whole_chord = 0;
        stream_flush_held(st, 0);
        break;
    case ABC_SINGLE_BAR: case ABC_DOUBLE_BAR: case ABC_BAR_REP: case ABC_REP_BAR:
    case ABC_DOUBLE_REP:
        for (int k = 0; k < st->n_held; k++) st->held[k].crossed_bar = 1;
        break;
    case ABC_GCHORD: stream_chord_symbol(st, it, st->base + abc_frac_ticks(st->now)); break;
    default: break;
    }
    if (of) {
        /* a tune this long cannot be timed: start it again from zero */
        st->now = abc_frac_make(0, 1);
    }
}

/* Plays every item that nothing later can change, then forgets it. */
static void stream_play_ready(abc_stream *st, int all) {
    abc_parser *p = &st->parser;
    size_t n = p->tune.n_items, ready = n;
    if (!all) {
        if (p->in_chord && p->chord_on < ready) ready = p->chord_on;
        if (p->have_last_note && p->last_note_start < ready) ready = p->last_note_start;
        /* a note or chord directly before the end may still get a '-' */
    }
    for (size_t i = 0; i < ready; i++) stream_play(st, p->tune.items, n, i);
    abc_parser_drop_items(p, ready);
    if (all) {
        stream_flush_held(st, 1);
    } else if (st->n_held == 0) {
        while (st->n_pending) stream_chord_flush(st); /* the symbols' notes are read: they sound from their onsets */
    }
}

/* The parser calls this at the end of each tune. */
static int stream_on_tune(void *user, abc_tune *t) {
    (void)t;
    abc_stream *st = user;
    stream_play_ready(st, 1);
    int64_t end = st->base + abc_frac_ticks(st->now);
    stream_chord_symbol(st, NULL, end);
    st->base = end;
    st->now = abc_frac_make(0, 1);
    return LJ_OK;
}

abc_stream *abc_stream_create(const abc_opts *opts, abc_note_fn on_note, void *user, char *err,
                              size_t errlen) {
    abc_stream *st = calloc(1, sizeof *st);
    if (!st) {
        lj_fail(err, errlen, LJ_ERR_NOMEM, "abc stream: out of memory");
        return NULL;
    }
    if (opts) st->opts = *opts;
    else abc_opts_default(&st->opts);
    st->opts.repeats = ABC_REPEATS_AS_WRITTEN;
    st->on_note = on_note;
    st->user = user;
    st->err = err;
    st->errlen = errlen;
    st->now = abc_frac_make(0, 1);
    st->chord_start = st->now;
    st->line = malloc(ABC_STREAM_LINE);
    abc_parser_init(&st->parser, "stream", &st->opts, stream_on_tune, st, err, errlen);
    if (!st->line || abc_parser_reserve(&st->parser, ABC_STREAM_ITEMS) != LJ_OK) {
        lj_fail(err, errlen, LJ_ERR_NOMEM, "abc stream: out of memory");
        abc_stream_destroy(st);
        return NULL;
    }
    return st;
}

void abc_stream_destroy(abc_stream *st) {
    if (!st) return;
    abc_parser_free(&st->parser);
    free(st->line);
    free(st);
}

long abc_stream_errors(const abc_stream *st) { return st->errors; }

void abc_stream_set_chord_fn(abc_stream *st, abc_chord_fn on_chord, void *user) {
    st->on_chord = on_chord;
    st->chord_user = user;
}

void abc_stream_reset(abc_stream *st) {
    abc_item *items = st->parser.tune.items;
    size_t cap = st->parser.tune.cap_items;
    char *line = st->line;
    abc_opts opts = st->opts;
    abc_note_fn on_note = st->on_note;
    void *user = st->user;
    abc_chord_fn on_chord = st->on_chord;
    void *chord_user = st->chord_user;
    char *err = st->err;
    size_t errlen = st->errlen;
    memset(st, 0, sizeof *st);
    st->opts = opts;
    st->on_note = on_note;
    st->user = user;
    st->on_chord = on_chord;
    st->chord_user = chord_user;
    st->err = err;
    st->errlen = errlen;
    st->line = line;
    st->now = abc_frac_make(0, 1);
    st->chord_start = st->now;
    abc_parser_init(&st->parser, "stream", &st->opts, stream_on_tune, st, err, errlen);
    st->parser.tune.items = items; /* keep the item buffer: no allocation */
    st->parser.tune.cap_items = cap;
}

int abc_stream_copy(abc_stream *dst, const abc_stream *src) {
    if (dst == src) return LJ_OK;
    abc_parser *dp = &dst->parser;
    /* a source that grew past the reserve makes the copy grow too (the only
     * allocation; a beam's copies are alike, so this happens at most once) */
    if (src->parser.tune.n_items > dp->tune.cap_items &&
        abc_parser_reserve(dp, src->parser.tune.n_items) != LJ_OK)
        return LJ_ERR_NOMEM;
    abc_item *items = dp->tune.items;
    size_t cap = dp->tune.cap_items;
    char *line = dst->line;
    abc_note_fn on_note = dst->on_note;
    void *user = dst->user;
    abc_chord_fn on_chord = dst->on_chord;
    void *chord_user = dst->chord_user;
    char *err = dst->err;
    size_t errlen = dst->errlen;
    *dst = *src;
    /* dst keeps its own buffers, callbacks and error buffer; the parser's
     * pointers into the stream (options, tune callback) point at dst */
    dst->line = line;
    memcpy(dst->line, src->line, src->line_len);
    dst->on_note = on_note;
    dst->user = user;
    dst->on_chord = on_chord;
    dst->chord_user = chord_user;
    dst->err = err;
    dst->errlen = errlen;
    dp->opts = &dst->opts;
    dp->on_tune_user = dst;
    dp->err = err;
    dp->errlen = errlen;
    dp->tune.items = items;
    dp->tune.cap_items = cap;
    if (src->parser.tune.n_items)
        memcpy(items, src->parser.tune.items, src->parser.tune.n_items * sizeof *items);
    return LJ_OK;
}

/* After a parse error: count it, leave the error state, skip to a bar line. */
static void stream_error(abc_stream *st) {
    abc_parser *p = &st->parser;
    if (p->status == LJ_ERR_NOMEM) {
        st->status = LJ_ERR_NOMEM;
        return;
    }
    st->errors++;
    if (st->opts.warn && st->err) st->opts.warn(st->opts.warn_user, st->err);
    abc_parser_recover(p);
    st->skipping = 1;
}

/* Where a music line may be cut: after a space, or after a bar line that is
 * not followed by more bar-line characters, outside "..." {...} [...] !...!
 * (a chord or inline field; an ending "[1" and a bar "[|" open no bracket: a
 * line with an ending would otherwise be read only at its end).
 * Scans on from where the last call stopped (each byte is looked at once) and
 * returns the last cut found, or 0. */
static size_t stream_cut(abc_stream *st) {
    const char *s = st->line;
    size_t len = st->line_len;
    for (; st->scan + 1 < len && !st->scan_comment; st->scan++) {
        char c = s[st->scan], next = s[st->scan + 1];
        if (st->scan_quote) { st->scan_quote = c != '"'; continue; }
        if (st->scan_bang) { st->scan_bang = c != '!'; continue; }
        if (st->scan_brace) { st->scan_brace = c != '}'; continue; }
        if (c == '%') { st->scan_comment = 1; break; }
        if (c == '"') st->scan_quote = 1;
        else if (c == '{') st->scan_brace = 1;
        else if (c == '!') st->scan_bang = 1;
        else if (c == '[' && next != '|' && !(next >= '0' && next <= '9'))
            st->scan_bracket++; /* a chord or an inline field; "[1" and "[|" close nothing */
        else if (c == ']' && st->scan_bracket) st->scan_bracket--;
        if (st->scan_quote || st->scan_brace || st->scan_bang || st->scan_bracket) continue;
        if ((c == ' ' || c == '\t') && next != '-' && next != '>' && next != '<')
            st->cut = st->scan + 1;
        else if (c == '|' && !strchr("|:]0123456789[", next))
            st->cut = st->scan + 1;
    }
    return st->cut;
}

double abc_stream_unit_quarters(const abc_stream *st) {
    const abc_parser *p = &st->parser;
    const abc_frac u = p->unit;
    return u.den > 0 ? 4.0 * (double)u.num / (double)u.den : 0.5;
}

int64_t abc_stream_ticks(const abc_stream *st) { return st->base + abc_frac_ticks(st->now); }

/* Byte i of the line followed by more; -1 past the end. */
static int line_more_at(const abc_stream *st, const char *more, size_t len, size_t i) {
    if (i < st->line_len) return (unsigned char)st->line[i];
    return i - st->line_len < len ? (unsigned char)more[i - st->line_len] : -1;
}

/* -1 when no note can be read where the stream stands or in its line
 * (not in a tune's body, a field or comment line, a line skipped); else 0.
 * blanks: leading blanks of the line already counted (the stream keeps the
 * count; the naive twin counts again). */
static int pitch_precheck(const abc_stream *st, const char *more, size_t len, size_t blanks) {
    const abc_parser *p = &st->parser;
    if (st->status || st->skip_line || st->line_kind == 2 || p->state != ABC_PS_BODY) return -1;
    if (st->line_kind == 0) {
        /* undecided: a field ("K:", not "A:|") or a comment line holds no note */
        size_t j = blanks;
        if (j == st->line_len)
            for (size_t m = 0; m < len && (more[m] == ' ' || more[m] == '\t'); m++) j++;
        int c0 = line_more_at(st, more, len, j), c1 = line_more_at(st, more, len, j + 1),
            c2 = line_more_at(st, more, len, j + 2);
        if (c0 == '%') return -1;
        if (((c0 >= 'A' && c0 <= 'Z') || (c0 >= 'a' && c0 <= 'z')) && c1 == ':' && c2 != '|' && c2 != ':') return -1;
    }
    return 0;
}

/* 1 when the stream's pitch scanner reads on from where the stream stands:
 * started at this line_done, skipping state and bar accidentals, this line. */
static int pscan_current(const abc_stream *st) {
    const abc_parser *p = &st->parser;
    return st->pscan_valid && st->pscan_from == st->line_done && st->pscan_skipping == st->skipping &&
           !memcmp(st->pscan.key_acc, p->key_acc, sizeof st->pscan.key_acc) &&
           !memcmp(st->pscan_bar_set, p->bar_acc_set, sizeof st->pscan_bar_set) &&
           !memcmp(st->pscan_bar_acc, p->bar_acc, sizeof st->pscan_bar_acc);
}

static void pscan_start(abc_stream *st, abc_pscan *s) {
    const abc_parser *p = &st->parser;
    abc_pscan_init(s, p->key_acc, p->bar_acc_set, p->bar_acc, st->skipping);
}

/* Feeds the pitch scanner bytes from..n of text a (na bytes) then b, each
 * with its three bytes of look-ahead (-1 past na + nb). */
static void pscan_feed(abc_pscan *s, const char *a, size_t na, const char *b, size_t nb, size_t from, size_t n) {
    for (size_t i = from; i < n; i++) {
        int la[4];
        for (int k = 0; k < 4; k++) {
            size_t at = i + (size_t)k;
            la[k] = at < na ? (unsigned char)a[at] : at - na < nb ? (unsigned char)b[at - na] : -1;
        }
        abc_pscan_byte(s, la[0], la + 1);
    }
}

/* Keeps the pitch scanner up with the line: (re)started when the stream cut
 * the line, resynced or changed the bar's accidentals, then fed every byte
 * that has its three bytes of look-ahead in the line. Each byte of a line is
 * fed about once (a restart happens at a cut, and the line after the last cut
 * is short unless a construct holds it open, which makes no cut). */
static void stream_pscan_sync(abc_stream *st) {
    if (st->status || st->skip_line || st->line_kind == 2) return;
    if (!pscan_current(st)) {
        const abc_parser *p = &st->parser;
        pscan_start(st, &st->pscan);
        st->pscan_valid = 1;
        st->pscan_from = st->line_done;
        st->pscan_len = 0;
        st->pscan_skipping = st->skipping;
        memcpy(st->pscan_bar_set, p->bar_acc_set, sizeof st->pscan_bar_set);
        memcpy(st->pscan_bar_acc, p->bar_acc, sizeof st->pscan_bar_acc);
    }
    size_t unread = st->line_len - st->line_done;
    if (st->pscan_len + 3 < unread) {
        pscan_feed(&st->pscan, st->line + st->line_done, unread, NULL, 0, st->pscan_len, unread - 3);
        st->pscan_len = unread - 3;
    }
}

int abc_stream_note_pitch(const abc_stream *st, const char *more, size_t len) {
    if (pitch_precheck(st, more, len, st->line_blanks) < 0) return -1;
    const char *unread = st->line + st->line_done;
    size_t n_unread = st->line_len - st->line_done;
    abc_pscan s;
    size_t from = 0;
    if (pscan_current(st)) {
        s = st->pscan;
        from = st->pscan_len;
    } else { /* (not after a feed, which keeps it current) read it all */
        const abc_parser *p = &st->parser;
        abc_pscan_init(&s, p->key_acc, p->bar_acc_set, p->bar_acc, st->skipping);
    }
    pscan_feed(&s, unread, n_unread, more, len, from, n_unread + len);
    return abc_pscan_end(&s);
}

int abc_stream_note_pitch_naive(const abc_stream *st, const char *more, size_t len) {
    size_t blanks = 0;
    while (blanks < st->line_len && (st->line[blanks] == ' ' || st->line[blanks] == '\t')) blanks++;
    if (pitch_precheck(st, more, len, blanks) < 0) return -1;
    const abc_parser *p = &st->parser;
    return abc_pitch_scan_naive(st->line + st->line_done, st->line_len - st->line_done, more, len,
                                p->bar_acc_set, p->bar_acc, p->key_acc, st->skipping);
}

/* Starts the cut scanner afresh at pos (a new line, or after a resync). */
static void stream_scan_reset(abc_stream *st, size_t pos) {
    st->scan = pos;
    st->cut = 0;
    st->scan_quote = st->scan_brace = st->scan_bang = st->scan_comment = 0;
    st->scan_bracket = 0;
}

/* Forgets the line buffered (after its end, or when it is skipped). */
static void stream_line_clear(abc_stream *st) {
    st->line_len = st->line_done = 0;
    st->line_kind = 0;
    st->line_blanks = 0;
    st->pscan_valid = 0;
    stream_scan_reset(st, 0);
}

/* Reads what can be read of the buffered line; line_end: the line is complete. */
static void stream_line(abc_stream *st, int line_end) {
    abc_parser *p = &st->parser;
    char *s = st->line;
    size_t len = st->line_len;
    if (st->line_kind == 0) {
        /* a line is a field, comment or blank when its start says so */
        size_t j = st->line_blanks;
        if (!line_end && (len - j < 3)) return;
        int whole = j == len || s[j] == '%' || p->state != ABC_PS_BODY ||
                    (len - j >= 2 && ((s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= 'a' && s[j] <= 'z')) &&
                     s[j + 1] == ':' && !(len - j >= 3 && (s[j + 2] == '|' || s[j + 2] == ':')));
        st->line_kind = whole ? 2 : 1;
    }
    if (st->line_kind == 2) {
        if (!line_end) return;
        if (abc_parser_line(p, s, len) != LJ_OK) stream_error(st);
        st->skipping = 0;
        return;
    }
    /* music: read up to the last safe cut, or everything at the line's end */
    size_t from = st->line_done;
    while (from < len) {
        if (st->skipping) {
            /* resynchronise after the next bar line */
            size_t k = from;
            while (k < len && s[k] != '|') k++;
            if (k >= len) {
                st->line_done = line_end ? len : k;
                return;
            }
            st->skipping = 0;
            from = k;
            st->line_done = from;
            stream_scan_reset(st, from);
        }
        size_t upto = line_end ? len : stream_cut(st);
        if (upto <= from) return;
        int rc = abc_parser_music_piece(p, s + from, upto - from, from == 0, line_end && upto == len);
        st->line_done = upto;
        if (rc != LJ_OK) {
            /* skip from where the error starts to the next bar line */
            long at = p->resync_col > 0 ? p->resync_col : 1;
            size_t err_pos = from + (size_t)at - 1;
            stream_error(st);
            if (st->status) return;
            if (err_pos + 1 < upto) upto = err_pos + 1;
            st->line_done = upto;
            stream_scan_reset(st, upto);
            from = upto;
            continue;
        }
        stream_play_ready(st, 0);
        from = upto;
    }
}

int abc_stream_feed(abc_stream *st, const char *text, size_t len) {
    if (st->status) return st->status;
    for (size_t i = 0; i < len && !st->status; i++) {
        char c = text[i];
        if (c == '\n' || c == '\r') {
            if (st->skip_line) st->skip_line = 0;
            else stream_line(st, 1);
            stream_line_clear(st);
            st->skipping = 0;
            continue;
        }
        if (st->skip_line) continue;
        if (st->line_len >= ABC_STREAM_LINE) {
            st->errors++;
            lj_fail(st->err, st->errlen, LJ_ERR_LIMIT, "stream:%ld: line longer than %d bytes: "
                    "skipped", st->parser.line + 1, ABC_STREAM_LINE);
            st->skip_line = 1;
            stream_line_clear(st);
            continue;
        }
        if (st->line_blanks == st->line_len && (c == ' ' || c == '\t')) st->line_blanks++;
        st->line[st->line_len++] = c;
        /* read at word and bar boundaries as they arrive */
        if (c == ' ' || c == '\t' || c == '|' || st->line_kind == 0 ||
            (st->line_kind == 1 && c != '|' && st->line_len >= 2 && st->line[st->line_len - 2] == '|'))
            stream_line(st, 0);
        stream_pscan_sync(st);
    }
    return st->status;
}

int abc_stream_end_line(abc_stream *st) {
    if (st->status || st->line_len == 0) return 0;
    abc_stream_feed(st, "\n", 1);
    return 1;
}

int abc_stream_finish(abc_stream *st) {
    if (st->status) return st->status;
    if (st->line_len && !st->skip_line) stream_line(st, 1);
    stream_line_clear(st);
    if (abc_parser_finish(&st->parser) != LJ_OK) {
        stream_error(st);
        abc_parser_recover(&st->parser);
    }
    if (st->parser.state == ABC_PS_BODY || st->parser.state == ABC_PS_HEADER) {
        st->parser.state = ABC_PS_FILE;
    }
    return st->status;
}
