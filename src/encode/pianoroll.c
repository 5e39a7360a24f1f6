/* pianoroll: 88-key multi-hot frames on a grid (see pianoroll.h). */
#include "pianoroll.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "enc_internal.h"

static const char *const pianoroll_keys[] = {"grid", "velocity", "qpm", NULL};

static int pr_check(const enc_opts *o, char *err, size_t errlen) {
    if (o->grid < 1 || o->grid > 16 * SCORE_PPQ)
        return lj_fail(err, errlen, LJ_ERR_ARG, "grid: expected 1..%d ticks, found %ld", 16 * SCORE_PPQ,
                       (long)o->grid);
    return LJ_OK;
}

static int pr_fields(const enc_opts *o, enc_field *f) {
    (void)o;
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "keys");
    f->kind = ENC_FIELD_BITS;
    f->width = PIANOROLL_KEYS;
    f->input = ENC_INPUT_AS_IS;
    f->scale = 1;
    f->loss_weight = 1;
    return 1;
}

static int pr_encode(const enc_opts *o, const score *s, int shift, enc_frame_emitter *em,
                     enc_stats *st) {
    const int64_t g = o->grid;
    int64_t steps = 0;
    for (size_t i = 0; i < s->n_notes; i++) {
        const score_note *nt = &s->notes[i];
        if (o->part >= 0 && nt->part != o->part) continue;
        int64_t on = enc_round_to(nt->onset, g) / g, off = enc_round_to(nt->onset + nt->duration, g) / g;
        if (off <= on) off = on + 1;
        if (off > steps) steps = off;
    }
    if (steps > ENC_MAX_STEPS) return LJ_ERR_LIMIT;
    float *f = enc_emit_frames(em, (size_t)steps);
    if (!f) return em->status;
    for (size_t i = 0; i < s->n_notes; i++) {
        const score_note *nt = &s->notes[i];
        if (o->part >= 0 && nt->part != o->part) continue;
        int key = nt->pitch + shift - PIANOROLL_LOWEST;
        if (key < 0 || key >= PIANOROLL_KEYS) {
            st->notes_dropped++;
            continue;
        }
        int64_t on = enc_round_to(nt->onset, g) / g, off = enc_round_to(nt->onset + nt->duration, g) / g;
        if (off <= on) off = on + 1;
        if (on * g != nt->onset || off * g != nt->onset + nt->duration) st->notes_quantised++;
        for (int64_t t = on; t < off; t++) f[(size_t)t * em->dim + (size_t)key] = 1.0f;
    }
    return LJ_OK;
}

static size_t pr_step_frame(enc_decoder *d, const float *frame, enc_event *out) {
    for (int k = 0; k < PIANOROLL_KEYS; k++)
        if (!isfinite(frame[k])) {
            d->bad++;
            return 0;
        }
    size_t n = 0;
    for (int k = 0; k < PIANOROLL_KEYS; k++)
        if (!(frame[k] >= 0.5f)) n += enc_dec_off(d, PIANOROLL_LOWEST + k, out + n);
    for (int k = 0; k < PIANOROLL_KEYS; k++)
        if (frame[k] >= 0.5f && !d->sounding[PIANOROLL_LOWEST + k])
            n += enc_dec_on(d, PIANOROLL_LOWEST + k, d->velocity, out + n);
    d->now += d->e->o.grid;
    return n;
}

const enc_class enc_pianoroll_class = {
    .code_version = 2, /* bump when the encoder's output changes (enc_internal.h); 2: augment
                          copies stay on the keyboard, the untransposed one first */
    .name = "pianoroll",
    .pitch_lo = PIANOROLL_LOWEST,
    .pitch_hi = PIANOROLL_LOWEST + PIANOROLL_KEYS - 1,
    .kind = ENC_KIND_FRAMES,
    .opt_keys = pianoroll_keys,
    .check = pr_check,
    .fields = pr_fields,
    .encode_frames = pr_encode,
    .step_frame = pr_step_frame,
    .ms_axis = 0,
};
