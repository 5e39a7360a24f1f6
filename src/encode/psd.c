/* psd: one frame (pitch, step, duration[, velocity]) per note (see psd.h). */
#include "psd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enc_internal.h"

enum { PSD_PITCH = 0, PSD_STEP = 1, PSD_DURATION = 2, PSD_VELOCITY = 3 };

/* A time value never exceeds an hour (seconds) or 7200 beats: model output
 * beyond that is clamped, so ticks cannot overflow. */
#define PSD_MAX_SECONDS 3600.0
#define PSD_MAX_BEATS 7200.0

static const char *const psd_keys[] = {"time", "time_bins", "time_bin", "with_velocity",
                                       "velocity_bins", "velocity", "qpm", NULL};

static void psd_defaults(enc_opts *o) {
    o->time_beats = 0;
    o->time_bins = 0;
    o->time_bin = 0.01;
    o->with_velocity = 0;
}

static int psd_check(const enc_opts *o, char *err, size_t errlen) {
    if (o->time_bins != 0 && (o->time_bins < 2 || o->time_bins > 4096))
        return lj_fail(err, errlen, LJ_ERR_ARG, "time_bins: expected 0 or 2..4096, found %d", o->time_bins);
    if (!(o->time_bin >= 1e-4 && o->time_bin <= 60))
        return lj_fail(err, errlen, LJ_ERR_ARG, "time_bin: expected 0.0001..60, found %g", o->time_bin);
    return LJ_OK;
}

static void set_field(enc_field *f, const char *name, enc_field_kind kind, int width, int offset,
                      enc_field_input input, float scale, float weight, float pressure) {
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", name);
    f->kind = kind;
    f->width = width;
    f->offset = offset;
    f->input = input;
    f->scale = scale;
    f->loss_weight = weight;
    f->pressure = pressure;
}

static int psd_fields(const enc_opts *o, enc_field *f) {
    set_field(&f[0], "pitch", ENC_FIELD_CLASS, 128, PSD_PITCH, ENC_INPUT_SCALED, 1.0f / 128, 0.05f, 0);
    if (o->time_bins) {
        /* class k stands for k * time_bin: the input is that time value */
        float w = (float)o->time_bin;
        set_field(&f[1], "step", ENC_FIELD_CLASS, o->time_bins, PSD_STEP, ENC_INPUT_SCALED, w, 1, 0);
        set_field(&f[2], "duration", ENC_FIELD_CLASS, o->time_bins, PSD_DURATION, ENC_INPUT_SCALED, w, 1, 0);
    } else {
        set_field(&f[1], "step", ENC_FIELD_VALUE, 1, PSD_STEP, ENC_INPUT_AS_IS, 1, 1, 10);
        set_field(&f[2], "duration", ENC_FIELD_VALUE, 1, PSD_DURATION, ENC_INPUT_AS_IS, 1, 1, 10);
    }
    if (!o->with_velocity) return 3;
    set_field(&f[3], "velocity", ENC_FIELD_CLASS, o->velocity_bins, PSD_VELOCITY, ENC_INPUT_SCALED,
              1.0f / (float)o->velocity_bins, 1, 0);
    return 4;
}

static int psd_ms_axis(const enc_opts *o) { return !o->time_beats; }

/* Velocity 1..127 -> bin 0..bins-1 and back (the bin centre; exact for 127 bins). */
static int velocity_bin(int velocity, int bins) { return (velocity - 1) * bins / 127; }
static int bin_velocity(int bin, int bins) { return 1 + (int)floor((bin + 0.5) * 127.0 / bins); }

/* A time (seconds or beats) as the field's value: itself, or its class. */
static float time_value(const enc_opts *o, double t, int *quantised) {
    if (!o->time_bins) return (float)t;
    long k = lround(t / o->time_bin);
    if (k > o->time_bins - 1) k = o->time_bins - 1;
    if (fabs((double)k * o->time_bin - t) > 1e-9) *quantised = 1;
    return (float)k;
}

static int psd_encode(const enc_opts *o, const score *s, int shift, enc_frame_emitter *em,
                      enc_stats *st) {
    size_t *idx, n;
    int rc = enc_sorted_notes(s, o->part, &idx, &n);
    if (rc) return rc;
    /* duplicates (same onset and pitch) first: keep the longer */
    size_t kept = 0;
    for (size_t j = 0; j < n; j++) {
        if (kept) {
            const score_note *a = &s->notes[idx[kept - 1]], *b = &s->notes[idx[j]];
            if (a->onset == b->onset && a->pitch == b->pitch) {
                if (b->duration > a->duration) idx[kept - 1] = idx[j];
                st->notes_merged++;
                continue;
            }
        }
        idx[kept++] = idx[j];
    }
    float *f = enc_emit_frames(em, kept);
    if (!f) {
        free(idx);
        return em->status;
    }
    int64_t sounding_until[128]; /* end of the last note of each pitch so far */
    for (int p = 0; p < 128; p++) sounding_until[p] = INT64_MIN;
    double prev = 0; /* onset of the previous note, in the time unit */
    for (size_t j = 0; j < kept; j++, f += em->dim) {
        const score_note *nt = &s->notes[idx[j]];
        int64_t end = nt->onset + nt->duration;
        double on_t, end_t;
        if (o->time_beats) {
            on_t = (double)nt->onset / SCORE_PPQ;
            end_t = (double)end / SCORE_PPQ;
        } else { /* milliseconds first, so steps are differences of rounded times */
            on_t = floor(score_ticks_to_seconds(s, nt->onset) * 1000 + 0.5) / 1000;
            end_t = floor(score_ticks_to_seconds(s, end) * 1000 + 0.5) / 1000;
        }
        int quantised = 0;
        f[PSD_PITCH] = (float)(nt->pitch + shift);
        f[PSD_STEP] = time_value(o, on_t - prev, &quantised);
        f[PSD_DURATION] = time_value(o, end_t - on_t, &quantised);
        if (o->with_velocity) f[PSD_VELOCITY] = (float)velocity_bin(nt->velocity, o->velocity_bins);
        st->notes_quantised += quantised;
        prev = on_t;
        if (sounding_until[nt->pitch] > nt->onset) st->notes_cut++;
        if (end > sounding_until[nt->pitch]) sounding_until[nt->pitch] = end;
    }
    free(idx);
    return LJ_OK;
}

/* A time field of a generated frame in decoder ticks; -1 when not usable. */
static int64_t frame_ticks(const enc_decoder *d, const enc_field *fd, float x) {
    const enc_opts *o = &d->e->o;
    double t;
    if (!isfinite(x)) return -1;
    if (fd->kind == ENC_FIELD_CLASS) {
        if (x < 0 || x >= (float)fd->width) return -1;
        t = floor(x) * o->time_bin;
    } else {
        t = x < 0 ? 0 : x;
    }
    double max = o->time_beats ? PSD_MAX_BEATS : PSD_MAX_SECONDS;
    if (t > max) t = max;
    return (int64_t)llround(o->time_beats ? t * SCORE_PPQ : t * 1000);
}

static size_t psd_step_frame(enc_decoder *d, const float *frame, enc_event *out) {
    const encoding *e = d->e;
    float xp = frame[PSD_PITCH];
    int64_t step = frame_ticks(d, &e->fields[1], frame[PSD_STEP]);
    int64_t dur = frame_ticks(d, &e->fields[2], frame[PSD_DURATION]);
    int velocity = d->velocity;
    if (e->o.with_velocity) {
        float xv = frame[PSD_VELOCITY];
        if (!(xv >= 0 && xv < (float)e->o.velocity_bins)) {
            d->bad++;
            return 0;
        }
        velocity = bin_velocity((int)xv, e->o.velocity_bins);
    }
    if (!(xp >= 0 && xp < 128) || step < 0 || dur < 0) {
        d->bad++;
        return 0;
    }
    int pitch = (int)floorf(xp + 0.5f);
    if (pitch > 127) pitch = 127;
    int64_t onset = d->now + step;
    size_t n = enc_dec_end_due(d, onset, out);
    d->now = onset;
    n += enc_dec_on(d, pitch, velocity, out + n);
    d->off_at[pitch] = onset + (dur > 0 ? dur : 1);
    return n;
}

int enc_frame_move_time(const enc_decoder *d, float *frame, double seconds) {
    const encoding *e = d->e;
    if (e->cls != &enc_psd_class) return 0;
    const enc_field *fd = &e->fields[1]; /* step */
    double ticks = ceil(seconds / d->sec_per_tick - 1e-9);
    if (ticks < 1) ticks = 1;
    double step = ticks / (e->o.time_beats ? SCORE_PPQ : 1000); /* frame_ticks' unit */
    float least;
    if (fd->kind == ENC_FIELD_CLASS) {
        double k = ceil(step / e->o.time_bin - 1e-9);
        least = (float)(k < fd->width - 1 ? k : fd->width - 1);
        if (frame[PSD_STEP] >= least && frame[PSD_STEP] < (float)fd->width) return 0;
    } else {
        least = (float)step;
        if (frame[PSD_STEP] >= least) return 0; /* NaN fails the test: replaced too */
    }
    frame[PSD_STEP] = least;
    return 1;
}

int enc_frame_scale_step(const encoding *e, float *frame, double factor, double *carry) {
    if (e->cls != &enc_psd_class) return 0;
    const enc_field *fd = &e->fields[1]; /* step */
    float x = frame[PSD_STEP];
    if (!isfinite(x) || x < 0) return 1; /* the decoder reads these as 0 or refuses them: left as drawn */
    if (fd->kind == ENC_FIELD_CLASS) {
        double want = floor(x) * factor + *carry; /* the decoder floors a class */
        double k = floor(want + 0.5);
        if (x >= 1 && k < 1) k = 1; /* a step stays a step (not a chord) */
        if (k > fd->width - 1) k = fd->width - 1;
        double left = want - k;
        *carry = left < -1 ? -1 : left > 1 ? 1 : left; /* bounded: at most a class owed either way */
        frame[PSD_STEP] = (float)k;
    } else {
        frame[PSD_STEP] = (float)(x * factor);
    }
    return 1;
}

static size_t psd_flush(enc_decoder *d, enc_event *out) { return enc_dec_end_due(d, INT64_MAX, out); }

const enc_class enc_psd_class = {
    .code_version = 2, /* bump when the encoder's output changes (enc_internal.h); 2: augment
                          puts the untransposed copy first */
    .name = "psd",
    .kind = ENC_KIND_FRAMES,
    .opt_keys = psd_keys,
    .defaults = psd_defaults,
    .check = psd_check,
    .flush = psd_flush,
    .fields = psd_fields,
    .encode_frames = psd_encode,
    .step_frame = psd_step_frame,
    .ms_axis_of = psd_ms_axis,
};
