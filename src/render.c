#include "render.h"

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "io/midi.h"

void render_opts_default(render_opts *o) {
    memset(o, 0, sizeof *o);
    synth_config_default(&o->synth);
    o->period = 128;
    o->tail_seconds = 2.0;
    o->sample_format = RENDER_PCM16;
    o->queue_capacity = 4096;
}

/* Order of kinds at one frame: releases, then programs, then strikes, then the
 * closing panic. */
static int kind_rank(uint8_t kind) {
    switch (kind) {
    case LJ_EV_NOTE_OFF: return 0;
    case LJ_EV_PROGRAM: return 1;
    case LJ_EV_NOTE_ON: return 2;
    default: return 3;
    }
}

/* Sort key: frame, kind rank, then the order of creation (kept in a side
 * array: qsort is not stable). */
typedef struct keyed_event {
    lj_event ev; /* the event */
    size_t seq;  /* creation order */
} keyed_event;

static int cmp_keyed(const void *pa, const void *pb) {
    const keyed_event *a = pa, *b = pb;
    if (a->ev.frame != b->ev.frame) return a->ev.frame < b->ev.frame ? -1 : 1;
    int ra = kind_rank(a->ev.kind), rb = kind_rank(b->ev.kind);
    if (ra != rb) return ra - rb;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Notes in onset order: sort (onset, index) pairs, so the comparison needs
 * no pointer to the score. */
typedef struct note_ref {
    int64_t onset; /* ticks */
    size_t index;  /* into s->notes */
} note_ref;

static int cmp_note_ref(const void *pa, const void *pb) {
    const note_ref *a = pa, *b = pb;
    if (a->onset != b->onset) return a->onset < b->onset ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static uint64_t tick_to_frame(const score *s, int64_t tick, double rate) {
    double f = score_ticks_to_seconds(s, tick) * rate;
    return f <= 0 ? 0 : (uint64_t)llround(f);
}

int render_build_events(const score *s, double sample_rate, lj_event **out, size_t *n, char *err,
                        size_t errlen) {
    *out = NULL;
    *n = 0;
    double end_s = score_ticks_to_seconds(s, score_end_tick(s));
    if (!(end_s <= RENDER_MAX_SECONDS))
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "%s: %.0f s long, more than the %d s a render allows",
                       s->source[0] ? s->source : "score", end_s, RENDER_MAX_SECONDS);
    size_t cap = 2 * s->n_notes + s->n_parts + s->n_notes; /* worst case: a program per note */
    keyed_event *ev = malloc((cap ? cap : 1) * sizeof *ev);
    note_ref *order = malloc((s->n_notes ? s->n_notes : 1) * sizeof *order);
    if (!ev || !order) {
        free(ev);
        free(order);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory for %zu notes", s->n_notes);
    }
    size_t k = 0;
    int program[16];
    for (int ch = 0; ch < 16; ch++) program[ch] = -1;
    for (size_t p = 0; p < s->n_parts; p++) {
        const score_part *part = &s->parts[p];
        if (part->channel > 15 || part->program > 127) continue;
        if (program[part->channel] == part->program) continue;
        program[part->channel] = part->program;
        ev[k].ev = lj_event_program(0, part->channel, part->program);
        ev[k].ev.tag = UINT32_MAX;
        ev[k].seq = k;
        k++;
    }
    for (size_t i = 0; i < s->n_notes; i++) {
        order[i].onset = s->notes[i].onset;
        order[i].index = i;
    }
    qsort(order, s->n_notes, sizeof *order, cmp_note_ref);
    for (size_t j = 0; j < s->n_notes; j++) {
        size_t i = order[j].index;
        const score_note *nt = &s->notes[i];
        if (nt->channel > 15 || nt->pitch > 127 || nt->velocity > 127 || nt->program > 127) continue;
        uint64_t on = tick_to_frame(s, nt->onset, sample_rate);
        uint64_t off = tick_to_frame(s, nt->onset + nt->duration, sample_rate);
        if (off <= on) off = on + 1; /* a note shorter than a frame still ends after it starts */
        if (program[nt->channel] != nt->program) {
            program[nt->channel] = nt->program;
            ev[k].ev = lj_event_program(on, nt->channel, nt->program);
            ev[k].ev.tag = UINT32_MAX;
            ev[k].seq = k;
            k++;
        }
        int vel = nt->velocity ? nt->velocity : 1; /* velocity 0 would mean note-off */
        ev[k].ev = lj_event_note_on(on, nt->channel, nt->pitch, vel);
        ev[k].ev.tag = (uint32_t)i;
        ev[k].seq = k;
        k++;
        ev[k].ev = lj_event_note_off(off, nt->channel, nt->pitch);
        ev[k].ev.tag = (uint32_t)i;
        ev[k].seq = k;
        k++;
    }
    free(order);
    qsort(ev, k, sizeof *ev, cmp_keyed);
    lj_event *flat = malloc((k ? k : 1) * sizeof *flat);
    if (!flat) {
        free(ev);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory for %zu events", k);
    }
    for (size_t i = 0; i < k; i++) flat[i] = ev[i].ev;
    free(ev);
    *out = flat;
    *n = k;
    return LJ_OK;
}

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *alloc64(size_t bytes) {
    return aligned_alloc(64, (bytes + 63) / 64 * 64);
}

/* The libsndfile format for path's extension and the sample format (render.h). */
int render_file_format(const char *path, int sample_format, int *format, char *err, size_t errlen) {
    char ext[16];
    lj_file_ext(path, ext, sizeof ext);
    if (!strcmp(ext, "wav")) {
        *format = SF_FORMAT_WAV | (sample_format == RENDER_FLOAT ? SF_FORMAT_FLOAT : SF_FORMAT_PCM_16);
        return LJ_OK;
    }
    if (!strcmp(ext, "flac")) {
        if (sample_format == RENDER_FLOAT)
            return lj_fail(err, errlen, LJ_ERR_ARG,
                           "%s: FLAC holds integer samples only; write .wav for float output", path);
        *format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
        return LJ_OK;
    }
    if (!strcmp(ext, "ogg")) { /* Ogg Vorbis: lossy and small, for examples to share */
        *format = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
        return LJ_OK;
    }
    return lj_fail(err, errlen, LJ_ERR_ARG, "%s: expected a .wav, .flac or .ogg output file, found '.%s'",
                   path, ext);
}

int render_score(const score *s, const char *out_path, const render_opts *o, render_result *res,
                 char *err, size_t errlen) {
    render_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    if (o->period < 1 || o->period > RENDER_MAX_PERIOD)
        return lj_fail(err, errlen, LJ_ERR_ARG, "period %u frames: expected 1..%d", o->period,
                       RENDER_MAX_PERIOD);
    if (!(o->tail_seconds >= 0 && o->tail_seconds <= 600))
        return lj_fail(err, errlen, LJ_ERR_ARG, "tail %g s: expected 0..600", o->tail_seconds);
    if (o->queue_capacity < 1 || o->queue_capacity > ((size_t)1 << 24))
        return lj_fail(err, errlen, LJ_ERR_ARG, "queue capacity %zu: expected 1..2^24",
                       o->queue_capacity);
    int format = 0;
    int rc = render_file_format(out_path, o->sample_format, &format, err, errlen);
    if (rc) return rc;
    if (s->n_notes == 0)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: no notes to render",
                       s->source[0] ? s->source : "score");

    synth *syn = NULL;
    lj_event *events = NULL;
    void *qmem = NULL, *smem = NULL;
    float *buf = NULL;
    SNDFILE *sf = NULL;
    lj_atomic_file af = {0};
    int wav_open = 0, midi_written = 0;
    uint8_t *midi = NULL;
    size_t midi_len = 0;

    /* Serialise the MIDI first: a score the writer refuses fails before a long render. */
    if (o->midi_path && (rc = midi_write_mem(s, &midi, &midi_len, err, errlen))) goto done;
    if ((rc = synth_create(&o->synth, &syn, err, errlen))) goto done;
    double rate = synth_sample_rate(syn);
    snprintf(res->soundfont, sizeof res->soundfont, "%s", synth_soundfont(syn));
    res->sample_rate = rate;

    size_t n_events;
    if ((rc = render_build_events(s, rate, &events, &n_events, err, errlen))) goto done;
    uint64_t last = 0;
    for (size_t i = 0; i < n_events; i++)
        if (events[i].frame > last) last = events[i].frame;
    /* The closing panic: after every note-off (kind rank 3 sorts it last). */
    lj_event panic = lj_event_panic(last);
    uint64_t tail = (uint64_t)llround(o->tail_seconds * rate);
    uint64_t total = (last + tail + o->period - 1) / o->period * o->period;
    res->last_note_frame = last;

    size_t qbytes = rtq_bytes(o->queue_capacity, sizeof(lj_event));
    qmem = alloc64(qbytes);
    smem = alloc64(sched_bytes());
    buf = malloc((size_t)o->period * 2 * sizeof *buf);
    if (!qmem || !smem || !buf) {
        rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        goto done;
    }
    rtq *q = rtq_init(qmem, qbytes, o->queue_capacity, sizeof(lj_event));
    sched_config sc = {synth_ops(syn), q, 1, NULL, 0};
    sched *sch = sched_init(smem, sched_bytes(), &sc);
    if (!q || !sch) {
        rc = lj_fail(err, errlen, LJ_ERR_ARG, "cannot set up the event queue");
        goto done;
    }

    if ((rc = lj_atomic_open(&af, out_path, err, errlen))) goto done;
    wav_open = 1;
    SF_INFO info = {0};
    info.samplerate = (int)lround(rate);
    info.channels = 2;
    info.format = format;
    sf = sf_open_fd(fileno((FILE *)af.fp), SFM_WRITE, &info, 0);
    if (!sf) {
        rc = lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot write: %s", out_path, sf_strerror(NULL));
        goto done;
    }
    sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE); /* clip, do not wrap around */

    double t0 = wall_now();
    size_t next = 0;     /* next event to push */
    int panic_sent = 0;
    uint64_t progress_step = (uint64_t)rate, next_progress = progress_step;
    for (uint64_t f = 0; f < total; f += o->period) {
        /* Producer side, as the engine thread will do: queue what is due in
         * this block, as much as fits (the rest goes next block, counted late). */
        uint64_t block_end = f + o->period;
        while (next < n_events && events[next].frame < block_end) {
            void *first, *second;
            size_t first_n, want = 0;
            while (next + want < n_events && events[next + want].frame < block_end) want++;
            size_t got = rtq_reserve(q, want, &first, &first_n, &second);
            if (!got) break;
            memcpy(first, events + next, first_n * sizeof(lj_event));
            if (got > first_n) memcpy(second, events + next + first_n, (got - first_n) * sizeof(lj_event));
            rtq_commit(q, got);
            next += got;
        }
        if (next == n_events && !panic_sent && panic.frame < block_end) panic_sent = rtq_push(q, &panic);

        sched_process(sch, buf, o->period);

        for (size_t i = 0; i < (size_t)o->period * 2; i++) {
            float a = fabsf(buf[i]);
            if (a > res->peak) res->peak = a;
            if (a > 1.0f) res->clipped++;
        }
        if (sf_writef_float(sf, buf, o->period) != (sf_count_t)o->period) {
            rc = lj_fail(err, errlen, LJ_ERR_IO, "%s: write failed: %s", out_path, sf_strerror(sf));
            goto done;
        }
        if (o->progress && block_end >= next_progress) {
            o->progress(o->progress_user, (double)block_end / rate, (double)total / rate);
            next_progress += progress_step;
        }
    }
    res->wall_seconds = wall_now() - t0;
    res->frames = total;
    res->seconds = (double)total / rate;
    res->notes = s->n_notes;
    res->events = n_events + 1;
    res->held_after = sched_voices(sch)->n_held;
    sched_get_stats(sch, &res->stats);
    if (o->progress) o->progress(o->progress_user, res->seconds, res->seconds);

    int sfe = sf_close(sf);
    sf = NULL;
    if (sfe) {
        rc = lj_fail(err, errlen, LJ_ERR_IO, "%s: write failed: %s", out_path, sf_error_number(sfe));
        goto done;
    }
    if (o->midi_path) {
        if ((rc = lj_file_write_atomic(o->midi_path, midi, midi_len, err, errlen))) goto done;
        midi_written = 1;
    }
    wav_open = 0;
    if ((rc = lj_atomic_commit(&af, err, errlen))) goto done;
    midi_written = 0; /* both in place: keep them */
done:
    if (sf) sf_close(sf);
    if (wav_open) lj_atomic_abort(&af);
    if (midi_written) unlink(o->midi_path);
    free(midi);
    free(buf);
    free(smem);
    free(qmem);
    free(events);
    synth_destroy(syn);
    return rc;
}
