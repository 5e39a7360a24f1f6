/* notechord: one token per onset step, note or chord (see notechord.h). */
#include "notechord.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enc_internal.h"

static const char *const notechord_keys[] = {"chords", "timing", "step", "token_durations",
                                             "length", "velocity", "qpm", NULL};

static int nc_check(const enc_opts *o, char *err, size_t errlen) {
    if (o->step < 1 || o->step > 16 * SCORE_PPQ)
        return lj_fail(err, errlen, LJ_ERR_ARG, "step: expected 1..%d ticks, found %ld", 16 * SCORE_PPQ, (long)o->step);
    if (o->note_length < 1 || o->note_length > 16 * SCORE_PPQ)
        return lj_fail(err, errlen, LJ_ERR_ARG, "length: expected 1..%d ticks, found %ld", 16 * SCORE_PPQ, (long)o->note_length);
    return LJ_OK;
}

static int nc_cmp(const char *a, size_t la, const char *b, size_t lb) {
    size_t m = la < lb ? la : lb;
    int c = memcmp(a, b, m);
    return c ? c : (la < lb ? -1 : la > lb);
}

void notechord_normal_order(int *pcs, int n) {
    if (n < 2) return;
    /* sort ascending */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && pcs[j - 1] > pcs[j]; j--) {
            int t = pcs[j];
            pcs[j] = pcs[j - 1];
            pcs[j - 1] = t;
        }
    int best = 0;
    for (int r = 1; r < n; r++) {
        /* rotation r: pcs[r], pcs[r+1], ..., pcs[r-1] (+12 past the wrap) */
        int sr = (pcs[(r + n - 1) % n] - pcs[r] + 12) % 12, sb = (pcs[(best + n - 1) % n] - pcs[best] + 12) % 12;
        int better = 0, decided = sr != sb;
        if (decided) better = sr < sb;
        for (int k = 1; k < n - 1 && !decided; k++) {
            int ir = (pcs[(r + k) % n] - pcs[r] + 12) % 12, ib = (pcs[(best + k) % n] - pcs[best] + 12) % 12;
            if (ir != ib) {
                decided = 1;
                better = ir < ib;
            }
        }
        if (!decided) better = pcs[r] < pcs[best];
        if (better) best = r;
    }
    int tmp[12];
    for (int k = 0; k < n; k++) tmp[k] = pcs[(best + k) % n];
    memcpy(pcs, tmp, (size_t)n * sizeof *pcs);
}

/* Writes the token of pitches p[0..n) (ascending, distinct) with duration dur
 * ticks (0 = none) into buf; returns its length. */
static size_t chord_name(const enc_opts *o, const int *p, int n, int64_t dur, char *buf, size_t cap) {
    size_t at = 0;
    if (n == 1) {
        at += (size_t)enc_pitch_name(p[0], buf, cap);
    } else if (o->chords == ENC_CHORDS_PITCHES) {
        for (int i = 0; i < n; i++) {
            if (i) buf[at++] = '.';
            at += (size_t)enc_pitch_name(p[i], buf + at, cap - at);
        }
    } else {
        int pcs[12], m = 0;
        uint16_t seen = 0;
        for (int i = 0; i < n; i++)
            if (!(seen & (1u << (p[i] % 12)))) {
                seen |= (uint16_t)(1u << (p[i] % 12));
                pcs[m++] = p[i] % 12;
            }
        notechord_normal_order(pcs, m);
        for (int i = 0; i < m; i++) at += (size_t)snprintf(buf + at, cap - at, "%s%d", i ? "." : "", pcs[i]);
    }
    if (dur > 0) {
        buf[at++] = ':';
        enc_quarters_text(dur, buf + at, cap - at);
        at += strlen(buf + at);
    }
    return at;
}

static int nc_encode(const enc_opts *o, const score *s, int shift, enc_emitter *em, enc_stats *st) {
    size_t *idx, n;
    int rc = enc_sorted_notes(s, o->part, &idx, &n);
    if (rc) return rc;
    const int grid = o->timing == ENC_TIMING_GRID;
    const int64_t step = o->step;
    char name[128 * 6 + 64];
    int pitches[128];
    int64_t next_step = 0; /* grid: the next step without a token yet */
    size_t j = 0;
    while (j < n && !em->status) {
        /* The group of notes starting at this onset (grid: this step). */
        const score_note *first = &s->notes[idx[j]];
        int64_t key = grid ? enc_round_to(first->onset, step) / step : first->onset;
        int np = 0;
        int64_t dur = 0;
        size_t k = j;
        for (; k < n; k++) {
            const score_note *nt = &s->notes[idx[k]];
            int64_t kk = grid ? enc_round_to(nt->onset, step) / step : nt->onset;
            if (kk != key) break;
            if (grid && kk * step != nt->onset) st->notes_quantised++;
            int p = nt->pitch + shift, dup = 0;
            for (int q = 0; q < np; q++) dup |= pitches[q] == p;
            if (dup) st->notes_merged++;
            else {
                /* insertion keeps pitches ascending (notes come sorted by pitch
                 * within one onset, not within one grid step) */
                int q = np++;
                while (q > 0 && pitches[q - 1] > p) {
                    pitches[q] = pitches[q - 1];
                    q--;
                }
                pitches[q] = p;
            }
            if (nt->duration > dur) dur = nt->duration;
        }
        j = k;
        if (grid) {
            if (key > ENC_MAX_STEPS) {
                free(idx);
                return LJ_ERR_LIMIT;
            }
            for (; next_step < key && !em->status; next_step++) enc_emit_str(em, "r");
            next_step = key + 1;
        }
        int64_t d = 0;
        if (o->with_durations) {
            d = dur;
            if (grid) {
                d = enc_round_to(dur, step);
                if (d < step) d = step;
            }
        }
        enc_emit(em, name, chord_name(o, pitches, np, d, name, sizeof name));
    }
    free(idx);
    return em->status;
}

static int nc_parse(const enc_opts *o, const char *name, size_t len, enc_tok *t, uint8_t *pool,
                    size_t *used, size_t cap) {
    (void)o;
    memset(t, 0, sizeof *t);
    if (len == 1 && name[0] == 'r') {
        t->kind = ENC_TK_REST;
        return 1;
    }
    const char *colon = memchr(name, ':', len);
    size_t body = colon ? (size_t)(colon - name) : len;
    if (colon) {
        int64_t d = enc_parse_quarters(colon + 1, len - body - 1);
        if (d <= 0 || d > 64 * SCORE_PPQ) return 0;
        t->dur = d;
    }
    if (body == 0) return 0;
    t->kind = ENC_TK_CHORD;
    t->first = (uint32_t)*used;
    /* Members: all pitch-class numbers (0..11) or all pitch names. */
    int numeric = name[0] >= '0' && name[0] <= '9';
    uint8_t seen[128] = {0};
    size_t at = 0;
    while (at <= body) {
        const char *dot = memchr(name + at, '.', body - at);
        size_t end = dot ? (size_t)(dot - name) : body;
        int p;
        long pc;
        if (numeric) {
            if (end - at > 1 && name[at] == '0') return 0;
            if (enc_parse_int(name + at, end - at, 0, 11, &pc)) return 0;
            p = 60 + (int)pc;
        } else if ((p = enc_parse_pitch_name(name + at, end - at)) < 0) {
            return 0;
        }
        if (seen[p] || *used >= cap) return 0;
        seen[p] = 1;
        pool[(*used)++] = (uint8_t)p;
        t->count++;
        at = end + 1;
    }
    return 1;
}

static size_t nc_step(enc_decoder *d, const enc_tok *t, enc_event *out) {
    size_t n = enc_dec_end_due(d, d->now, out);
    if (t->kind == ENC_TK_CHORD) {
        int64_t len = t->dur ? t->dur : d->e->o.note_length;
        for (uint32_t i = 0; i < t->count; i++) {
            int p = d->pool[t->first + i];
            n += enc_dec_on(d, p, d->velocity, out + n);
            d->off_at[p] = d->now + len;
        }
    }
    if (t->kind == ENC_TK_CHORD || t->kind == ENC_TK_REST) d->now += d->e->o.step;
    return n;
}

/* End of stream: every note ends at its scheduled time. */
static size_t nc_flush(enc_decoder *d, enc_event *out) { return enc_dec_end_due(d, INT64_MAX, out); }

const enc_class enc_notechord_class = {
    .code_version = 2, /* bump when the encoder's output changes (enc_internal.h); 2: augment
                          puts the untransposed copy first */
    .name = "notechord",
    .kind = ENC_KIND_TOKENS,
    .opt_keys = notechord_keys,
    .defaults = NULL,
    .check = nc_check,
    .fixed_vocab = NULL,
    .cmp = nc_cmp,
    .encode = nc_encode,
    .parse = nc_parse,
    .step = nc_step,
    .ms_axis = 0,
    .flush = nc_flush,
};
