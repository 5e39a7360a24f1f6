/* timestep: 16th-note grid melody symbols (see timestep.h). */
#include "timestep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enc_internal.h"

static const char *const timestep_keys[] = {"grid", "delimiters", "velocity", "qpm", NULL};

static void ts_defaults(enc_opts *o) {
    static const double seed_durations[] = {0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0};
    o->n_durations = (int)(sizeof seed_durations / sizeof *seed_durations);
    memcpy(o->durations, seed_durations, sizeof seed_durations);
    o->grid = SCORE_PPQ / 4;
    o->delimiters = 1;
}

static int ts_check(const enc_opts *o, char *err, size_t errlen) {
    if (o->grid < 1 || o->grid > 16 * SCORE_PPQ)
        return lj_fail(err, errlen, LJ_ERR_ARG, "grid: expected 1..%d ticks, found %ld", 16 * SCORE_PPQ, (long)o->grid);
    return LJ_OK;
}

static int ts_rank(const char *s, size_t len) {
    long p;
    if (len == 1 && s[0] == '/') return 0;
    if (len == 1 && s[0] == '_') return 1;
    if (len == 1 && s[0] == 'r') return 2;
    if (!enc_parse_int(s, len, 0, 127, &p) && s[0] != '-' && !(len > 1 && s[0] == '0')) return 3 + (int)p;
    return 1000;
}

static int ts_cmp(const char *a, size_t la, const char *b, size_t lb) {
    int ra = ts_rank(a, la), rb = ts_rank(b, lb);
    if (ra != rb) return ra < rb ? -1 : 1;
    size_t m = la < lb ? la : lb;
    int c = memcmp(a, b, m);
    return c ? c : (la < lb ? -1 : la > lb);
}

static int ts_encode(const enc_opts *o, const score *s, int shift, enc_emitter *em, enc_stats *st) {
    size_t *idx, n;
    int rc = enc_sorted_notes(s, o->part, &idx, &n);
    if (rc) return rc;
    const int64_t g = o->grid;
    int64_t steps = 0;
    for (size_t j = 0; j < n; j++) {
        const score_note *nt = &s->notes[idx[j]];
        int64_t on = enc_round_to(nt->onset, g) / g, off = enc_round_to(nt->onset + nt->duration, g) / g;
        if (off <= on) off = on + 1;
        if (off > steps) steps = off;
        if (off > ENC_MAX_STEPS) {
            free(idx);
            return LJ_ERR_LIMIT;
        }
    }
    int32_t *chosen = malloc((size_t)(steps ? steps : 1) * sizeof *chosen);
    uint8_t *used = calloc(n ? n : 1, 1);
    if (!chosen || !used) {
        free(idx);
        free(chosen);
        free(used);
        return LJ_ERR_NOMEM;
    }
    for (int64_t t = 0; t < steps; t++) chosen[t] = -1;
    for (size_t j = 0; j < n; j++) {
        const score_note *nt = &s->notes[idx[j]];
        int64_t on = enc_round_to(nt->onset, g) / g, off = enc_round_to(nt->onset + nt->duration, g) / g;
        if (off <= on) off = on + 1;
        if (on * g != nt->onset || off * g != nt->onset + nt->duration) st->notes_quantised++;
        /* Skyline: the highest pitch wins; at an equal pitch the later onset
         * (notes come sorted by onset), so a re-struck note is heard. */
        for (int64_t t = on; t < off; t++)
            if (chosen[t] < 0 || nt->pitch >= s->notes[idx[chosen[t]]].pitch) chosen[t] = (int32_t)j;
    }
    int32_t prev = -2; /* -2 before the first step, -1 in silence */
    char name[8];
    for (int64_t t = 0; t < steps && !em->status; t++) {
        int32_t c = chosen[t];
        if (c < 0) {
            enc_emit_str(em, prev == -1 ? "_" : "r");
        } else if (c != prev) {
            used[c] = 1;
            snprintf(name, sizeof name, "%d", s->notes[idx[c]].pitch + shift);
            enc_emit_str(em, name);
        } else {
            enc_emit_str(em, "_");
        }
        prev = c;
    }
    for (int k = 0; k < o->delimiters && !em->status; k++) enc_emit_str(em, "/");
    for (size_t j = 0; j < n; j++) st->notes_hidden += !used[j];
    free(idx);
    free(chosen);
    free(used);
    return em->status;
}

static int ts_parse(const enc_opts *o, const char *name, size_t len, enc_tok *t, uint8_t *pool,
                    size_t *used, size_t cap) {
    (void)o;
    (void)pool;
    (void)used;
    (void)cap;
    memset(t, 0, sizeof *t);
    int r = ts_rank(name, len);
    if (r == 0) t->kind = ENC_TK_END;
    else if (r == 1) t->kind = ENC_TK_HOLD;
    else if (r == 2) t->kind = ENC_TK_REST;
    else if (r < 1000) {
        t->kind = ENC_TK_PITCH;
        t->value = r - 3;
    } else return 0;
    return 1;
}

static size_t ts_step(enc_decoder *d, const enc_tok *t, enc_event *out) {
    size_t n = 0;
    switch (t->kind) {
    case ENC_TK_PITCH:
        if (d->cur >= 0) n += enc_dec_off(d, d->cur, out + n);
        n += enc_dec_on(d, t->value, d->velocity, out + n);
        d->cur = t->value;
        d->now += d->e->o.grid;
        break;
    case ENC_TK_HOLD:
        d->now += d->e->o.grid;
        break;
    case ENC_TK_REST:
        if (d->cur >= 0) n += enc_dec_off(d, d->cur, out + n);
        d->cur = -1;
        d->now += d->e->o.grid;
        break;
    case ENC_TK_END:
        if (d->cur >= 0) n += enc_dec_off(d, d->cur, out + n);
        d->cur = -1;
        d->ended = 1;
        break;
    default: break;
    }
    return n;
}

const enc_class enc_timestep_class = {
    .code_version = 2, /* bump when the encoder's output changes (enc_internal.h); 2: augment
                          puts the untransposed copy first */
    .name = "timestep",
    .kind = ENC_KIND_TOKENS,
    .opt_keys = timestep_keys,
    .defaults = ts_defaults,
    .check = ts_check,
    .fixed_vocab = NULL,
    .cmp = ts_cmp,
    .encode = ts_encode,
    .parse = ts_parse,
    .step = ts_step,
    .ms_axis = 0,
};
