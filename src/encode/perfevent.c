/* perfevent: the `event` encoding (file not named event.h: dsp/event.h has that name). Performance RNN note-on/off, time-shift and velocity events (see perfevent.h). */
#include "perfevent.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enc_internal.h"

static const char *const event_keys[] = {"velocity_bins", "shift_ms", "max_shift", "velocity", NULL};

static int ev_check(const enc_opts *o, char *err, size_t errlen) {
    if (o->velocity_bins < 1 || o->velocity_bins > 127)
        return lj_fail(err, errlen, LJ_ERR_ARG, "velocity_bins: expected 1..127, found %d", o->velocity_bins);
    if (o->shift_ms < 1 || o->shift_ms > 1000)
        return lj_fail(err, errlen, LJ_ERR_ARG, "shift_ms: expected 1..1000, found %d", o->shift_ms);
    if (o->max_shift_steps < 1 || o->max_shift_steps > 10000)
        return lj_fail(err, errlen, LJ_ERR_ARG, "max_shift: expected 1..10000, found %d", o->max_shift_steps);
    return LJ_OK;
}

static int ev_vocab(const enc_opts *o, vocab *v) {
    char name[32];
    int rc = LJ_OK;
    for (int p = 0; p < 128 && !rc; p++) rc = vocab_add(v, name, (size_t)snprintf(name, sizeof name, "on:%d", p), NULL);
    for (int p = 0; p < 128 && !rc; p++) rc = vocab_add(v, name, (size_t)snprintf(name, sizeof name, "off:%d", p), NULL);
    for (int s = 1; s <= o->max_shift_steps && !rc; s++)
        rc = vocab_add(v, name, (size_t)snprintf(name, sizeof name, "shift:%d", s), NULL);
    for (int b = 1; b <= o->velocity_bins && !rc; b++)
        rc = vocab_add(v, name, (size_t)snprintf(name, sizeof name, "vel:%d", b), NULL);
    return rc;
}

static int ev_cmp(const char *a, size_t la, const char *b, size_t lb) {
    /* Never used: the vocabulary is fixed. */
    size_t m = la < lb ? la : lb;
    int c = memcmp(a, b, m);
    return c ? c : (la < lb ? -1 : la > lb);
}

static int velocity_to_bin(int v, int bins) { return (v - 1) * bins / 127 + 1; }
static int bin_to_velocity(int bin, int bins) {
    int size = (127 + bins - 1) / bins;
    int v = 1 + (bin - 1) * size;
    return v > 127 ? 127 : v;
}

typedef struct ev_note {
    int64_t on, off; /* steps from the start */
    int pitch;       /* shifted */
    int velocity;
} ev_note;

typedef struct ev_item {
    int64_t step;
    int type;  /* 0 off, 1 on: offs first at one step */
    int pitch;
    int velocity;
} ev_item;

static int cmp_note(const void *a, const void *b) {
    const ev_note *x = a, *y = b;
    if (x->pitch != y->pitch) return x->pitch - y->pitch;
    if (x->on != y->on) return x->on < y->on ? -1 : 1;
    return x->off > y->off ? -1 : x->off < y->off; /* longer first */
}

static int cmp_item(const void *a, const void *b) {
    const ev_item *x = a, *y = b;
    if (x->step != y->step) return x->step < y->step ? -1 : 1;
    if (x->type != y->type) return x->type - y->type;
    return x->pitch - y->pitch;
}

static int ev_encode(const enc_opts *o, const score *s, int shift, enc_emitter *em, enc_stats *st) {
    size_t n = 0;
    for (size_t i = 0; i < s->n_notes; i++) n += o->part < 0 || s->notes[i].part == o->part;
    ev_note *notes = malloc((n ? n : 1) * sizeof *notes);
    ev_item *items = malloc((2 * n + 1) * sizeof *items);
    if (!notes || !items) {
        free(notes);
        free(items);
        return LJ_ERR_NOMEM;
    }
    const double steps_per_s = 1000.0 / o->shift_ms;
    size_t k = 0;
    int rc = LJ_OK;
    for (size_t i = 0; i < s->n_notes; i++) {
        const score_note *nt = &s->notes[i];
        if (o->part >= 0 && nt->part != o->part) continue;
        double t0 = score_ticks_to_seconds(s, nt->onset), t1 = score_ticks_to_seconds(s, nt->onset + nt->duration);
        double s0 = floor(t0 * steps_per_s + 0.5), s1 = floor(t1 * steps_per_s + 0.5);
        if (!(s1 < (double)ENC_MAX_STEPS * o->max_shift_steps)) rc = LJ_ERR_LIMIT;
        ev_note *e = &notes[k++];
        e->on = (int64_t)s0;
        e->off = (int64_t)s1;
        if (e->off <= e->on) e->off = e->on + 1;
        if (fabs(s0 - t0 * steps_per_s) > 1e-9 || fabs(s1 - t1 * steps_per_s) > 1e-9) st->notes_quantised++;
        e->pitch = nt->pitch + shift;
        e->velocity = nt->velocity ? nt->velocity : 1;
    }
    /* One note per pitch at a time. */
    qsort(notes, k, sizeof *notes, cmp_note);
    size_t m = 0;
    for (size_t i = 0; i < k && !rc; i++) {
        ev_note *cur = &notes[i];
        if (m > 0 && items[m - 1].pitch == cur->pitch && items[m - 1].type == 0) {
            ev_item *prev_off = &items[m - 1];
            if (cur->on == items[m - 2].step) { /* same start: one note (the longer came first) */
                st->notes_cut++;
                continue;
            }
            if (cur->on < prev_off->step) {
                prev_off->step = cur->on;
                st->notes_cut++;
            }
        }
        items[m++] = (ev_item){cur->on, 1, cur->pitch, cur->velocity};
        items[m++] = (ev_item){cur->off, 0, cur->pitch, 0};
    }
    qsort(items, m, sizeof *items, cmp_item);
    int64_t now = 0;
    int bin = -1;
    char name[32];
    for (size_t i = 0; i < m && !rc && !em->status; i++) {
        const ev_item *it = &items[i];
        while (now < it->step && !em->status) {
            int64_t d = it->step - now;
            if (d > o->max_shift_steps) d = o->max_shift_steps;
            snprintf(name, sizeof name, "shift:%d", (int)d);
            enc_emit_str(em, name);
            now += d;
        }
        if (it->type == 1) {
            int b = velocity_to_bin(it->velocity, o->velocity_bins);
            if (b != bin) {
                snprintf(name, sizeof name, "vel:%d", b);
                enc_emit_str(em, name);
                bin = b;
            }
            snprintf(name, sizeof name, "on:%d", it->pitch);
        } else {
            snprintf(name, sizeof name, "off:%d", it->pitch);
        }
        enc_emit_str(em, name);
    }
    free(notes);
    free(items);
    return rc ? rc : em->status;
}

static int ev_parse(const enc_opts *o, const char *name, size_t len, enc_tok *t, uint8_t *pool,
                    size_t *used, size_t cap) {
    (void)pool;
    (void)used;
    (void)cap;
    memset(t, 0, sizeof *t);
    const char *colon = memchr(name, ':', len);
    if (!colon) return 0;
    size_t pl = (size_t)(colon - name), vl = len - pl - 1;
    const char *v = colon + 1;
    long x;
    if (vl > 1 && v[0] == '0') return 0;
    if (pl == 2 && !memcmp(name, "on", 2) && !enc_parse_int(v, vl, 0, 127, &x)) t->kind = ENC_TK_ON;
    else if (pl == 3 && !memcmp(name, "off", 3) && !enc_parse_int(v, vl, 0, 127, &x)) t->kind = ENC_TK_OFF;
    else if (pl == 5 && !memcmp(name, "shift", 5) && !enc_parse_int(v, vl, 1, o->max_shift_steps, &x)) t->kind = ENC_TK_SHIFT;
    else if (pl == 3 && !memcmp(name, "vel", 3) && !enc_parse_int(v, vl, 1, o->velocity_bins, &x)) t->kind = ENC_TK_VEL;
    else return 0;
    t->value = (int32_t)x;
    return 1;
}

static size_t ev_step(enc_decoder *d, const enc_tok *t, enc_event *out) {
    const enc_opts *o = &d->e->o;
    switch (t->kind) {
    case ENC_TK_ON: return enc_dec_on(d, t->value, d->velocity, out);
    case ENC_TK_OFF: return enc_dec_off(d, t->value, out);
    case ENC_TK_SHIFT: d->now += (int64_t)t->value * o->shift_ms; return 0;
    case ENC_TK_VEL: d->velocity = bin_to_velocity(t->value, o->velocity_bins); return 0;
    default: return 0;
    }
}

const enc_class enc_event_class = {
    .code_version = 2, /* bump when the encoder's output changes (enc_internal.h); 2: augment
                          puts the untransposed copy first */
    .name = "event",
    .kind = ENC_KIND_TOKENS,
    .opt_keys = event_keys,
    .defaults = NULL,
    .check = ev_check,
    .fixed_vocab = ev_vocab,
    .cmp = ev_cmp,
    .encode = ev_encode,
    .parse = ev_parse,
    .step = ev_step,
    .ms_axis = 1,
};
