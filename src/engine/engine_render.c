#include "engine_render.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event_sched.h"
#include "files.h"
#include "session_rec.h"

#define ENGINE_RENDER_CAP_SECONDS 3600.0 /* a --notes render that never gets there stops here */

void engine_render_opts_default(engine_render_opts *o) {
    memset(o, 0, sizeof *o);
    render_opts_default(&o->render);
    engine_config_default(&o->engine);
    o->record_capacity = 65536;
}

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *alloc64(size_t bytes) { return aligned_alloc(64, (bytes + 63) / 64 * 64); }

int engine_render(engine_model *m, const char *out_path, const engine_render_opts *o,
                  engine_render_result *res, char *err, size_t errlen) {
    engine_render_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    const render_opts *ro = &o->render;
    if (ro->period < 1 || ro->period > RENDER_MAX_PERIOD)
        return lj_fail(err, errlen, LJ_ERR_ARG, "period %u frames: expected 1..%d", ro->period,
                       RENDER_MAX_PERIOD);
    if (!(ro->tail_seconds >= 0 && ro->tail_seconds <= 600))
        return lj_fail(err, errlen, LJ_ERR_ARG, "tail %g s: expected 0..600", ro->tail_seconds);
    if (!(o->seconds >= 0 && o->seconds <= RENDER_MAX_SECONDS) || (o->seconds == 0 && o->notes == 0))
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "length: expected a music length of 0..%d s or a number of notes",
                       RENDER_MAX_SECONDS);
    if (ro->queue_capacity < 1 || ro->queue_capacity > ((size_t)1 << 24) || o->record_capacity < 1 ||
        o->record_capacity > ((size_t)1 << 24))
        return lj_fail(err, errlen, LJ_ERR_ARG, "queue capacity: expected 1..2^24");
    int format = 0;
    int rc = render_file_format(out_path, ro->sample_format, &format, err, errlen);
    if (rc) return rc;

    synth *syn = NULL;
    engine *eng = NULL;
    session_rec *rec = NULL;
    void *qmem = NULL, *rmem = NULL, *smem = NULL;
    float *buf = NULL;
    SNDFILE *sf = NULL;
    lj_atomic_file af = {0};
    int wav_open = 0, midi_written = 0;

    if ((rc = synth_create(&ro->synth, &syn, err, errlen))) goto done;
    double rate = synth_sample_rate(syn);
    snprintf(res->audio.soundfont, sizeof res->audio.soundfont, "%s", synth_soundfont(syn));
    res->audio.sample_rate = rate;

    size_t qbytes = rtq_bytes(ro->queue_capacity, sizeof(lj_event));
    size_t rbytes = rtq_bytes(o->record_capacity, sizeof(lj_event));
    qmem = alloc64(qbytes);
    rmem = alloc64(rbytes);
    smem = alloc64(sched_bytes());
    buf = malloc((size_t)ro->period * 2 * sizeof *buf);
    if (!qmem || !rmem || !smem || !buf) {
        rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        goto done;
    }
    rtq *q = rtq_init(qmem, qbytes, ro->queue_capacity, sizeof(lj_event));
    rtq *rq = rtq_init(rmem, rbytes, o->record_capacity, sizeof(lj_event));
    sched_config sc = {synth_ops(syn), q, 1, NULL, 0};
    sched *sch = sched_init(smem, sched_bytes(), &sc);
    if (!q || !rq || !sch) {
        rc = lj_fail(err, errlen, LJ_ERR_ARG, "cannot set up the event queues");
        goto done;
    }
    engine_config ec = o->engine;
    ec.sample_rate = rate;
    ec.out = q;
    ec.record = rq;
    ec.player = NULL;
    if ((rc = engine_create(m, &ec, &eng, err, errlen))) goto done;
    engine_set_note_limit(eng, o->notes);
    if ((rc = session_rec_create(rate, &rec, err, errlen))) goto done;

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
    sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE);

    const double music_seconds = o->seconds > 0 ? o->seconds : ENGINE_RENDER_CAP_SECONDS;
    const uint64_t end_frame = (uint64_t)llround(music_seconds * rate);
    const uint64_t tail = (uint64_t)llround(ro->tail_seconds * rate);
    const uint64_t hard_cap = (uint64_t)llround((double)RENDER_MAX_SECONDS * rate);
    double t0 = wall_now();
    uint64_t clock = 0, next_progress = (uint64_t)rate;
    int ended = 0;
    engine_stats es;
    for (;;) {
        if (!ended && clock >= end_frame) {
            engine_end(eng, clock);
            ended = 1;
        }
        engine_fill(eng, clock);
        if (engine_done(eng)) {
            engine_get_stats(eng, &es);
            if (clock >= es.last_frame + tail) break;
        }
        if (clock >= hard_cap) break;
        sched_process(sch, buf, ro->period);
        clock += ro->period;
        for (size_t i = 0; i < (size_t)ro->period * 2; i++) {
            float a = fabsf(buf[i]);
            if (a > res->audio.peak) res->audio.peak = a;
            if (a > 1.0f) res->audio.clipped++;
        }
        if (sf_writef_float(sf, buf, ro->period) != (sf_count_t)ro->period) {
            rc = lj_fail(err, errlen, LJ_ERR_IO, "%s: write failed: %s", out_path, sf_strerror(sf));
            goto done;
        }
        if ((rc = session_rec_drain(rec, 0, rq))) {
            rc = lj_fail(err, errlen, rc, "out of memory for the session recording");
            goto done;
        }
        if (o->progress && clock >= next_progress) {
            engine_get_stats(eng, &es);
            o->progress(o->progress_user, (double)clock / rate, es.notes, o->seconds, o->notes);
            next_progress += (uint64_t)rate;
        }
    }
    if ((rc = session_rec_drain(rec, 0, rq))) {
        rc = lj_fail(err, errlen, rc, "out of memory for the session recording");
        goto done;
    }
    engine_get_stats(eng, &res->engine);
    session_rec_finish(rec, clock);
    res->notes_recorded = session_rec_notes(rec, 0);
    res->music_frames = res->engine.last_frame;
    res->audio.wall_seconds = wall_now() - t0;
    res->audio.frames = clock;
    res->audio.seconds = (double)clock / rate;
    res->audio.notes = res->engine.notes;
    res->audio.events = res->engine.events;
    res->audio.last_note_frame = res->engine.last_frame;
    res->audio.held_after = sched_voices(sch)->n_held;
    sched_get_stats(sch, &res->audio.stats);
    if (o->progress) o->progress(o->progress_user, res->audio.seconds, res->engine.notes, -1, 0);

    int sfe = sf_close(sf);
    sf = NULL;
    if (sfe) {
        rc = lj_fail(err, errlen, LJ_ERR_IO, "%s: write failed: %s", out_path, sf_error_number(sfe));
        goto done;
    }
    if (ro->midi_path) {
        if ((rc = session_rec_write(rec, ro->midi_path, err, errlen))) goto done;
        midi_written = 1;
    }
    wav_open = 0;
    if ((rc = lj_atomic_commit(&af, err, errlen))) goto done;
    midi_written = 0;
done:
    if (sf) sf_close(sf);
    if (wav_open) lj_atomic_abort(&af);
    if (midi_written) unlink(ro->midi_path);
    session_rec_destroy(rec);
    engine_destroy(eng);
    free(buf);
    free(smem);
    free(rmem);
    free(qmem);
    synth_destroy(syn);
    return rc;
}
