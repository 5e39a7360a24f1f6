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

/* Writes the notes of one chord symbol [start, end) into the chord part. */
static int emit_chord(score *s, size_t part, const abc_item *g, int64_t start, int64_t end) {
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
        int rc = score_add_note(s, &n);
        if (rc) return rc;
    }
    for (int k = 0; k < 6 && chord_intervals[kind][k] >= 0; k++) {
        n.pitch = (uint8_t)(root + chord_intervals[kind][k]);
        int rc = score_add_note(s, &n);
        if (rc) return rc;
    }
    return LJ_OK;
}

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
            int rc = emit_chord(a->s, a->chord_part, a->chord, a->chord_start, tick);
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
    if (!rc) rc = abc_expand_walk(t, 1, assemble_item, &a);
    if (!rc && a.chord) rc = emit_chord(s, a.chord_part, a.chord, a.chord_start,
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
