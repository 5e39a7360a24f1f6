#include "score.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Grows *arr (element size elem) so it can hold one more than *n. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem) {
    if (n < *cap) return LJ_OK;
    size_t ncap = *cap ? *cap * 2 : 16;
    if (ncap > SIZE_MAX / elem) return LJ_ERR_NOMEM;
    void *p = realloc(*arr, ncap * elem);
    if (!p) return LJ_ERR_NOMEM;
    *arr = p;
    *cap = ncap;
    return LJ_OK;
}

score *score_create(void) { return calloc(1, sizeof(score)); }

void score_destroy(score *s) {
    if (!s) return;
    free(s->notes);
    free(s->tempos);
    free(s->meters);
    free(s->keys);
    free(s->parts);
    free(s->ctls);
    free(s);
}

int score_add_note(score *s, const score_note *n) {
    if (grow((void **)&s->notes, &s->cap_notes, s->n_notes, sizeof *n)) return LJ_ERR_NOMEM;
    s->notes[s->n_notes++] = *n;
    return LJ_OK;
}

int score_add_ctl(score *s, const score_ctl *c) {
    if (grow((void **)&s->ctls, &s->cap_ctls, s->n_ctls, sizeof *c)) return LJ_ERR_NOMEM;
    s->ctls[s->n_ctls++] = *c;
    return LJ_OK;
}

/* Map changes share one rule: same tick replaces, earlier tick is refused. */
#define ADD_CHANGE(arr, n, cap, value)                                               \
    do {                                                                             \
        if ((n) > 0 && (arr)[(n)-1].tick == (value).tick) {                          \
            (arr)[(n)-1] = (value);                                                  \
            return LJ_OK;                                                            \
        }                                                                            \
        if ((n) > 0 && (arr)[(n)-1].tick > (value).tick) return LJ_ERR_ARG;          \
        if (grow((void **)&(arr), &(cap), (n), sizeof(value))) return LJ_ERR_NOMEM;  \
        (arr)[(n)++] = (value);                                                      \
        return LJ_OK;                                                                \
    } while (0)

int score_add_tempo(score *s, int64_t tick, uint32_t us_per_qn) {
    if (us_per_qn == 0 || us_per_qn > 0xFFFFFF) return LJ_ERR_RANGE;
    score_tempo t = {tick, us_per_qn};
    ADD_CHANGE(s->tempos, s->n_tempos, s->cap_tempos, t);
}

int score_add_meter(score *s, int64_t tick, int num, int den) {
    if (num < 1 || num > 255 || den < 1 || den > 128 || (den & (den - 1))) return LJ_ERR_RANGE;
    score_meter m = {tick, (uint8_t)num, (uint8_t)den};
    ADD_CHANGE(s->meters, s->n_meters, s->cap_meters, m);
}

int score_add_key(score *s, int64_t tick, int fifths, int mode) {
    if (fifths < -7 || fifths > 7 || mode < 0 || mode > SCORE_MODE_LOCRIAN) return LJ_ERR_RANGE;
    score_key k = {tick, (int8_t)fifths, (uint8_t)mode};
    ADD_CHANGE(s->keys, s->n_keys, s->cap_keys, k);
}

int score_add_part(score *s, const char *name, int channel, int program, size_t *index) {
    if (channel < 0 || channel > 15 || program < 0 || program > 127) return LJ_ERR_RANGE;
    if (s->n_parts >= UINT16_MAX) return LJ_ERR_LIMIT;
    if (grow((void **)&s->parts, &s->cap_parts, s->n_parts, sizeof(score_part))) return LJ_ERR_NOMEM;
    score_part *p = &s->parts[s->n_parts];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name ? name : "");
    p->channel = (uint8_t)channel;
    p->program = (uint8_t)program;
    if (index) *index = s->n_parts;
    s->n_parts++;
    return LJ_OK;
}

static int note_cmp(const void *pa, const void *pb) {
    const score_note *a = pa, *b = pb;
    if (a->onset != b->onset) return a->onset < b->onset ? -1 : 1;
    if (a->part != b->part) return a->part < b->part ? -1 : 1;
    if (a->pitch != b->pitch) return a->pitch < b->pitch ? -1 : 1;
    if (a->duration != b->duration) return a->duration < b->duration ? -1 : 1;
    if (a->channel != b->channel) return a->channel < b->channel ? -1 : 1;
    if (a->velocity != b->velocity) return a->velocity < b->velocity ? -1 : 1;
    return (int)a->program - (int)b->program;
}

void score_sort(score *s) {
    if (s->n_notes > 1) qsort(s->notes, s->n_notes, sizeof *s->notes, note_cmp);
}

int64_t score_end_tick(const score *s) {
    int64_t end = 0;
    for (size_t i = 0; i < s->n_notes; i++) {
        int64_t e = s->notes[i].onset + s->notes[i].duration;
        if (e > end) end = e;
    }
    return end;
}

double score_ticks_to_seconds(const score *s, int64_t tick) {
    double sec = 0.0;
    int64_t at = 0;                 /* tick up to which sec is exact */
    double us = SCORE_DEFAULT_US_PER_QN;
    for (size_t i = 0; i < s->n_tempos && s->tempos[i].tick < tick; i++) {
        if (s->tempos[i].tick > at) {
            sec += (double)(s->tempos[i].tick - at) * us / (1e6 * SCORE_PPQ);
            at = s->tempos[i].tick;
        }
        us = s->tempos[i].us_per_qn;
    }
    return sec + (double)(tick - at) * us / (1e6 * SCORE_PPQ);
}

int64_t score_seconds_to_ticks(const score *s, double seconds) {
    double sec = 0.0;
    int64_t at = 0;
    double us = SCORE_DEFAULT_US_PER_QN;
    for (size_t i = 0; i < s->n_tempos; i++) {
        double seg = (double)(s->tempos[i].tick - at) * us / (1e6 * SCORE_PPQ);
        if (sec + seg > seconds) break;
        sec += seg;
        at = s->tempos[i].tick;
        us = s->tempos[i].us_per_qn;
    }
    double t = (double)at + (seconds - sec) * 1e6 * SCORE_PPQ / us;
    return (int64_t)(t + (t >= 0 ? 0.5 : -0.5));
}

score *score_clone(const score *s) {
    score *c = score_create();
    if (!c) return NULL;
    memcpy(c->title, s->title, sizeof c->title);
    memcpy(c->source, s->source, sizeof c->source);
    c->index = s->index;
#define CLONE_ARRAY(f, nf, capf)                                                     \
    if (s->nf) {                                                                     \
        c->f = malloc(s->nf * sizeof *s->f);                                         \
        if (!c->f) goto fail;                                                        \
        memcpy(c->f, s->f, s->nf * sizeof *s->f);                                    \
        c->nf = c->capf = s->nf;                                                     \
    }
    CLONE_ARRAY(notes, n_notes, cap_notes)
    CLONE_ARRAY(tempos, n_tempos, cap_tempos)
    CLONE_ARRAY(meters, n_meters, cap_meters)
    CLONE_ARRAY(keys, n_keys, cap_keys)
    CLONE_ARRAY(parts, n_parts, cap_parts)
    CLONE_ARRAY(ctls, n_ctls, cap_ctls)
#undef CLONE_ARRAY
    return c;
fail:
    score_destroy(c);
    return NULL;
}

int score_compare(const score *a, const score *b, char *msg, size_t msglen) {
    if (a->n_notes != b->n_notes)
        return lj_fail(msg, msglen, 1, "note count %zu vs %zu", a->n_notes, b->n_notes);
    for (size_t i = 0; i < a->n_notes; i++) {
        const score_note *x = &a->notes[i], *y = &b->notes[i];
        if (note_cmp(x, y) != 0)
            return lj_fail(msg, msglen, 1,
                           "note %zu: onset %lld dur %lld pitch %d vel %d ch %d prog %d part %d"
                           " vs onset %lld dur %lld pitch %d vel %d ch %d prog %d part %d",
                           i, (long long)x->onset, (long long)x->duration, x->pitch, x->velocity,
                           x->channel, x->program, x->part, (long long)y->onset,
                           (long long)y->duration, y->pitch, y->velocity, y->channel, y->program,
                           y->part);
    }
    if (a->n_tempos != b->n_tempos)
        return lj_fail(msg, msglen, 1, "tempo changes %zu vs %zu", a->n_tempos, b->n_tempos);
    for (size_t i = 0; i < a->n_tempos; i++)
        if (a->tempos[i].tick != b->tempos[i].tick || a->tempos[i].us_per_qn != b->tempos[i].us_per_qn)
            return lj_fail(msg, msglen, 1, "tempo %zu: %u us/qn at %lld vs %u at %lld", i,
                           a->tempos[i].us_per_qn, (long long)a->tempos[i].tick,
                           b->tempos[i].us_per_qn, (long long)b->tempos[i].tick);
    if (a->n_meters != b->n_meters)
        return lj_fail(msg, msglen, 1, "meter changes %zu vs %zu", a->n_meters, b->n_meters);
    for (size_t i = 0; i < a->n_meters; i++)
        if (a->meters[i].tick != b->meters[i].tick || a->meters[i].num != b->meters[i].num ||
            a->meters[i].den != b->meters[i].den)
            return lj_fail(msg, msglen, 1, "meter %zu: %d/%d at %lld vs %d/%d at %lld", i,
                           a->meters[i].num, a->meters[i].den, (long long)a->meters[i].tick,
                           b->meters[i].num, b->meters[i].den, (long long)b->meters[i].tick);
    if (a->n_keys != b->n_keys)
        return lj_fail(msg, msglen, 1, "key changes %zu vs %zu", a->n_keys, b->n_keys);
    for (size_t i = 0; i < a->n_keys; i++)
        if (a->keys[i].tick != b->keys[i].tick || a->keys[i].fifths != b->keys[i].fifths ||
            a->keys[i].mode != b->keys[i].mode)
            return lj_fail(msg, msglen, 1, "key %zu: %d/%d at %lld vs %d/%d at %lld", i,
                           a->keys[i].fifths, a->keys[i].mode, (long long)a->keys[i].tick,
                           b->keys[i].fifths, b->keys[i].mode, (long long)b->keys[i].tick);
    if (a->n_parts != b->n_parts)
        return lj_fail(msg, msglen, 1, "parts %zu vs %zu", a->n_parts, b->n_parts);
    for (size_t i = 0; i < a->n_parts; i++)
        if (strcmp(a->parts[i].name, b->parts[i].name) != 0 ||
            a->parts[i].channel != b->parts[i].channel || a->parts[i].program != b->parts[i].program)
            return lj_fail(msg, msglen, 1, "part %zu: \"%s\" ch %d prog %d vs \"%s\" ch %d prog %d",
                           i, a->parts[i].name, a->parts[i].channel, a->parts[i].program,
                           b->parts[i].name, b->parts[i].channel, b->parts[i].program);
    if (strcmp(a->title, b->title) != 0)
        return lj_fail(msg, msglen, 1, "title \"%s\" vs \"%s\"", a->title, b->title);
    return 0;
}

int score_book_push(score_book *b, score *s) {
    if (grow((void **)&b->items, &b->cap, b->n, sizeof *b->items)) {
        score_destroy(s);
        return LJ_ERR_NOMEM;
    }
    b->items[b->n++] = s;
    return LJ_OK;
}

void score_book_clear(score_book *b) {
    for (size_t i = 0; i < b->n; i++) score_destroy(b->items[i]);
    free(b->items);
    b->items = NULL;
    b->n = b->cap = 0;
}

const char *score_mode_name(int mode) {
    static const char *names[] = {"major", "minor", "dorian", "phrygian",
                                  "lydian", "mixolydian", "locrian"};
    return (mode >= 0 && mode <= SCORE_MODE_LOCRIAN) ? names[mode] : "?";
}

const char *score_key_name(int fifths, int mode, char *buf, size_t buflen) {
    /* Tonic of the major key with `fifths` sharps, then shifted by the mode's
     * offset on the circle of fifths (minor = 3 fifths down from its relative major...). */
    static const char *names[] = {"Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C",
                                  "G",  "D",  "A",  "E",  "B",  "F#", "C#", "G#",
                                  "D#", "A#", "E#", "B#"};
    /* fifths offset of the tonic relative to the major tonic, per mode */
    static const int mode_shift[] = {0, 3, 2, 4, -1, 1, 5};
    int m = (mode >= 0 && mode <= SCORE_MODE_LOCRIAN) ? mode : 0;
    int idx = fifths + 7 + mode_shift[m];
    const char *tonic = (idx >= 0 && idx < (int)(sizeof names / sizeof *names)) ? names[idx] : "?";
    snprintf(buf, buflen, "%s %s", tonic, score_mode_name(m));
    return buf;
}
