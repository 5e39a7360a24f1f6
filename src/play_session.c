/* lstmjam play's session: what it owns (model, synth, queues, scheduler,
 * engine, devices, recording, files), opened in order and freed in one place;
 * the checks on its devices and their bounded close; the engine's timing
 * for the devices open. See play_session.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "device/close_bounded.h"
#include "play_session.h"
#include "preset.h"

static void *alloc64(size_t n) { return aligned_alloc(64, (n + 63) / 64 * 64); }

static uint64_t clock_of(void *user) { return sched_clock(user); }

static rtq *make_queue(void **mem, size_t cap) {
    size_t b = rtq_bytes(cap, sizeof(lj_event));
    *mem = alloc64(b);
    return *mem ? rtq_init(*mem, b, cap, sizeof(lj_event)) : NULL;
}

void play_route_controls(midi_route *r, const engine_cc_map *map) {
    const int ccs[] = {map->temperature, map->density, map->tempo, map->mode, map->panic};
    midi_route_set_controls(r, ccs, (int)(sizeof ccs / sizeof *ccs));
}

uint64_t play_schedule_lead(const audio_out *out, const midi_out *mout, uint32_t period) {
    uint64_t lead = period;
    if (out) lead += audio_out_clock_step(out);
    if (mout) lead += midi_out_lead_frames(mout);
    return lead;
}

/* The period the clock the engine follows really moves by, frames: the one
 * asked for, or the server's when it is larger (JACK's buffer size, which a
 * client cannot choose: a 1024-frame server under a 128-frame look-ahead
 * default left most notes late); without audio, MIDI out's. */
static uint64_t clock_period(const audio_out *out, const midi_out *mout, uint32_t asked) {
    uint64_t period = asked;
    if (out && audio_out_clock_step(out) > period) period = audio_out_clock_step(out);
    if (!out && mout && midi_out_lead_frames(mout) > period) period = midi_out_lead_frames(mout);
    return period;
}

/* The look-ahead, frames: --lookahead's (or the preset's), else 4 of the
 * clock's periods. Warns when a look-ahead set by hand is within the schedule
 * lead: every event the engine makes then arrives late. */
static uint64_t session_lookahead(const audio_out *out, const midi_out *mout, uint32_t asked, double lookahead_ms,
                                  double rate) {
    uint64_t lead = play_schedule_lead(out, mout, asked);
    if (lookahead_ms <= 0) return 4 * clock_period(out, mout, asked);
    uint64_t frames = (uint64_t)llround(lookahead_ms * rate / 1000);
    if (frames <= lead)
        fprintf(stderr, "warning: look-ahead %.1f ms is within the schedule lead (%.1f ms: the device's "
                        "periods plus a margin); notes will come late\n", lookahead_ms, 1000.0 * (double)lead / rate);
    return frames;
}

int play_engine_start(play_session *p, char *err, size_t errlen) {
    const play_cli *c = &p->cli;
    engine_set_schedule_lead(p->eng, play_schedule_lead(p->out, p->mout, c->period));
    p->ec.lookahead_frames = session_lookahead(p->out, p->mout, c->period, c->lookahead_ms, p->rate);
    engine_set_lookahead(p->eng, p->ec.lookahead_frames);
    return engine_thread_start(p->eng, p->clk, p->clk_user,
                               (uint64_t)(5e8 * (double)clock_period(p->out, p->mout, c->period) / p->rate) /* half a period */,
                               err, errlen);
}

void play_engine_stats_add(engine_stats *sum, const engine_stats *s) {
    sum->steps += s->steps;
    sum->notes += s->notes;
    sum->dropped += s->dropped;
    sum->panics += s->panics;
    sum->phrases += s->phrases;
    sum->steered += s->steered;
    sum->steered_offs += s->steered_offs;
    sum->steer_unencoded += s->steer_unencoded;
    sum->onset_stalls += s->onset_stalls;
    sum->onsets_capped += s->onsets_capped;
    sum->tempo_ccs_ignored += s->tempo_ccs_ignored;
    sum->vary_stopped |= s->vary_stopped; /* said once: turned off in any engine of the session */
    for (int b = 0; b < ENGINE_STEP_BUCKETS; b++) sum->step_hist[b] += s->step_hist[b];
}
void play_session_stats(const play_session *p, engine_stats *out) {
    engine_get_stats(p->eng, out);
    play_engine_stats_add(out, &p->past);
}

/* The model, and (with audio) the SoundFont and the synth, at the rate JACK
 * allows; sets p->rate. */
static int load_model_and_synth(play_session *p, char *err, size_t errlen) {
    play_cli *c = &p->cli;
    int st;
    if (!c->no_audio) {
        if ((st = synth_find_soundfont(c->synth.soundfont, p->sf, sizeof p->sf, err, errlen))) return st;
    }
    if ((st = engine_model_load_with(c->model, c->preset.encoding_options, &p->model, err, errlen))) {
        preset_model_error(&c->preset, c->model, err, errlen); /* the preset's line, when it is its model */
        return st;
    }
    if (c->engine.density != 1 && !engine_model_density_applies(p->model)) /* as render refuses it */
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "density %g: density does not apply to %s (an %s model: its tokens carry no pitch)",
                       c->engine.density, c->model, engine_model_encoding(p->model));
    double fixed_rate; /* JACK runs at its server's rate only: play at that one, and say so */
    if (!c->no_audio && audio_out_fixed_rate(c->device, &fixed_rate) && fixed_rate != c->synth.sample_rate) {
        fprintf(stderr, "lstmjam: the JACK server runs at %g Hz: playing at that rate, not %g Hz\n", fixed_rate,
                c->synth.sample_rate);
        p->rate_refused = c->synth.sample_rate;
        c->synth.sample_rate = fixed_rate;
    }
    synth_config sc = c->synth;
    sc.soundfont = p->sf;
    if (!c->no_audio && (st = synth_create(&sc, &p->syn, err, errlen))) return st;
    p->rate = c->no_audio ? c->synth.sample_rate : synth_sample_rate(p->syn);
    return LJ_OK;
}

static int make_queues(play_session *p, char *err, size_t errlen) {
    const play_cli *c = &p->cli;
    p->player = make_queue(&p->pmem, 1024);
    p->rec_engine = make_queue(&p->rmem, 1 << 16);
    p->rec_player = make_queue(&p->prmem, 1 << 13);
    if (c->midi_out) p->mout_q = make_queue(&p->momem, 4096);
    if (c->midi_out && c->midi_in) p->mout_thru = make_queue(&p->mtmem, 1024);
    if (!c->no_audio) {
        p->events = make_queue(&p->qmem, 4096);
        p->live = make_queue(&p->lmem, 1024);
        p->smem = alloc64(sched_bytes());
    }
    if (!p->player || !p->rec_engine || !p->rec_player || (c->midi_out && !p->mout_q) ||
        (c->midi_out && c->midi_in && !p->mout_thru) ||
        (!c->no_audio && (!p->events || !p->live || !p->smem)))
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    return LJ_OK;
}

/* The clock the engine and MIDI in follow: the scheduler's (the audio
 * callback's frames), or without audio MIDI out's, opened here. */
static int open_clock(play_session *p, char *err, size_t errlen) {
    const play_cli *c = &p->cli;
    int st;
    if (c->no_audio) {
        /* MIDI out is the clock (JACK's frames, or the monotonic clock) */
        if ((st = midi_out_open(c->midi_out, p->mout_q, p->rate, NULL, NULL, c->midi_clock == PRESET_CLOCK_OUT, &p->mout, err, errlen))) return st;
        p->rate = midi_out_rate(p->mout);
        p->clk = midi_out_clock;
        p->clk_user = p->mout;
    } else {
        sched_config sc = {synth_ops(p->syn), p->events, 1, p->live, 1};
        p->sch = sched_init(p->smem, sched_bytes(), &sc);
        p->clk = clock_of;
        p->clk_user = p->sch;
    }
    return LJ_OK;
}

/* The engine (not started), the recording, and the files asked for. */
static int create_engine_and_files(play_session *p, char *err, size_t errlen) {
    const play_cli *c = &p->cli;
    engine_config *ec = &p->ec;
    int st;
    *ec = c->engine;
    ec->sample_rate = p->rate;
    ec->lookahead_frames = c->lookahead_ms > 0 ? (uint64_t)llround(c->lookahead_ms * p->rate / 1000)
                                               : 4ull * c->period;
    ec->out = c->no_audio ? p->mout_q : p->events;
    ec->mirror = c->no_audio ? NULL : p->mout_q;
    ec->record = p->rec_engine;
    ec->player = p->player;
    if ((st = engine_create(p->model, ec, &p->eng, err, errlen))) return st;
    p->start_tempo = engine_get_tempo(p->eng);
    if ((st = session_rec_create(p->rate, &p->rec, err, errlen))) return st;
    if (c->event_log) {
        if ((st = lj_atomic_open(&p->log, c->event_log, err, errlen))) return st;
        p->log_open = 1;
        session_rec_log_to(p->rec, p->log.fp);
    }
    if (c->record) { /* a path that cannot be written is refused now, not after the session */
        if ((st = lj_atomic_open(&p->record, c->record, err, errlen))) return st;
        p->record_open = 1;
    }
    return LJ_OK;
}

int play_session_open(play_session *p, char *err, size_t errlen) {
    int st;
    if ((st = load_model_and_synth(p, err, errlen))) return st;
    if ((st = make_queues(p, err, errlen))) return st;
    if ((st = open_clock(p, err, errlen))) return st;
    return create_engine_and_files(p, err, errlen);
}

int play_session_open_audio(play_session *p, char *err, size_t errlen) {
    const play_cli *c = &p->cli;
    if (c->no_audio) return LJ_OK;
    audio_out_config ac;
    audio_out_config_default(&ac);
    ac.device = c->device;
    ac.sample_rate = p->rate;
    ac.period = c->period;
    return audio_out_open(&ac, p->sch, &p->out, err, errlen);
}

int play_session_start(play_session *p, char *err, size_t errlen) {
    const play_cli *c = &p->cli;
    int st;
    if (!c->no_audio && c->midi_out &&
        (st = midi_out_open(c->midi_out, p->mout_q, p->rate, clock_of, p->sch, c->midi_clock == PRESET_CLOCK_OUT, &p->mout, err, errlen)))
        return st;
    midi_route_init(&p->route, p->live, p->player, p->rec_player, c->thru_channel);
    play_route_controls(&p->route, &p->ec.cc);
    if (p->mout && p->mout_thru) { /* the DAW hears the player too, on the thru channel */
        midi_out_set_thru(p->mout, p->mout_thru);
        midi_route_thru_to_out(&p->route, p->mout_thru);
    }
    midi_clock_in_init(&p->clock_in);
    clock_follow_init(&p->follow, p->rate);
    if (c->midi_clock == PRESET_CLOCK_IN) midi_route_follow_clock(&p->route, &p->clock_in);
    if (c->midi_in &&
        (st = midi_in_open(c->midi_in, &p->route, p->clk, p->clk_user, &p->min, err, errlen)))
        return st;
    if ((st = play_engine_start(p, err, errlen))) return st;
    if (p->mout && c->midi_clock == PRESET_CLOCK_OUT) midi_out_set_clock_tempo(p->mout, engine_tempo_in_force(p->eng)); /* it starts */
    return LJ_OK;
}

void play_session_free(play_session *p) {
    midi_in_close(p->min);
    if (p->eng) engine_thread_stop(p->eng, 0);
    midi_out_close(p->mout);
    audio_out_close(p->out);
    engine_destroy(p->eng);
    session_rec_destroy(p->rec);
    if (p->log_open) lj_atomic_abort(&p->log); /* a failed session leaves no log */
    if (p->record_open) lj_atomic_abort(&p->record);
    free(p->qmem);
    free(p->lmem);
    free(p->mtmem);
    free(p->pmem);
    free(p->rmem);
    free(p->prmem);
    free(p->smem);
    free(p->momem);
    synth_destroy(p->syn);
    synth_destroy(p->retired);
    engine_model_destroy(p->model);
}

static void close_midi_in(void *d) { midi_in_close(d); }
static void close_midi_out(void *d) { midi_out_close(d); }
static void close_audio_out(void *d) { audio_out_close(d); }

int play_close_devices(play_session *p, char *what, size_t len) {
    const device_to_close devs[3] = {{close_midi_in, p->min, "MIDI in"},
                                     {close_midi_out, p->mout, "MIDI out"},
                                     {close_audio_out, p->out, "audio"}};
    p->min = NULL, p->mout = NULL, p->out = NULL;
    int hung[3];
    if (!close_devices_bounded(devs, 3, CLOSE_TIMEOUT_MS, hung)) return 1;
    size_t at = 0;
    what[0] = 0;
    for (int i = 0; i < 3; i++)
        if (hung[i] && at < len) at += (size_t)snprintf(what + at, len - at, "%s%s", at ? ", " : "", devs[i].what);
    return 0;
}

const char *play_lost_device(const play_session *p, char *buf, size_t len) {
    if (p->out && !audio_out_running(p->out))
        snprintf(buf, len, "the audio device (%s)", audio_out_device(p->out));
    else if (p->mout && midi_out_lost(p->mout)) snprintf(buf, len, "MIDI out (%s)", midi_out_name(p->mout));
    else if (p->min && midi_in_lost(p->min)) snprintf(buf, len, "MIDI in (%s)", midi_in_name(p->min));
    else return NULL;
    return buf;
}

const char *play_not_started(const play_session *p, char *buf, size_t len) {
    sched_stats ss;
    if (p->sch && p->out) {
        sched_get_stats(p->sch, &ss);
        if (ss.callbacks == p->audio_callbacks0) {
            snprintf(buf, len, "the audio device (%s): no callback", audio_out_device(p->out));
            return buf;
        }
    }
    if (p->mout && !midi_out_started(p->mout)) {
        snprintf(buf, len, "MIDI out (%s): the JACK server has not run its client", midi_out_name(p->mout));
        return buf;
    }
    return NULL;
}
