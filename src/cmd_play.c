/* lstmjam play: the instrument. The model generates on the engine thread, the
 * PortAudio callback renders FluidSynth through dsp/event_sched, an optional
 * MIDI input (PortMidi or JACK) sounds at once and feeds the engine, and this
 * control thread reads the keys, shows the status line once a second from the
 * other threads' counters, and writes the session MIDI at the end. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "device/audio_out.h"
#include "device/close_bounded.h"
#include "device/midi_in.h"
#include "device/midi_out.h"
#include "device/synth.h"
#include "engine/clock_follow.h"
#include "engine/engine.h"
#include "engine/session_rec.h"
#include "files.h"
#include "event_sched.h"
#include "midi_route.h"
#include "play_args.h"
#include "preset.h"

static volatile sig_atomic_t quit_signal = 0, reload_signal = 0;
static void on_signal(int sig) {
    if (sig == SIGHUP) reload_signal = 1;
    else quit_signal = sig;
}


/* The CCs of map drive the instrument: the route gives them to the engine
 * only (not thru to the synth, MIDI out or the recording). */
static void route_controls(midi_route *r, const engine_cc_map *map) {
    const int ccs[] = {map->temperature, map->density, map->tempo, map->mode, map->panic};
    midi_route_set_controls(r, ccs, (int)(sizeof ccs / sizeof *ccs));
}

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *alloc64(size_t n) { return aligned_alloc(64, (n + 63) / 64 * 64); }

static uint64_t clock_of(void *user) { return sched_clock(user); }

/* engine_config.schedule_lead_frames for the outputs open: what the engine
 * makes "now" (a steer cut, a mode switch) must not reach a consumer after
 * that consumer's period began. The audio clock's step (the period, JACK's
 * buffer on its host API) plus MIDI out's (JACK's buffer; the polled senders'
 * hand-over), plus one period of the engine's own margin (its fill's work
 * between reading the clock and pushing). */
static uint64_t schedule_lead(const audio_out *out, const midi_out *mout, uint32_t period) {
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
    uint64_t lead = schedule_lead(out, mout, asked);
    if (lookahead_ms <= 0) return 4 * clock_period(out, mout, asked);
    uint64_t frames = (uint64_t)llround(lookahead_ms * rate / 1000);
    if (frames <= lead)
        fprintf(stderr, "warning: look-ahead %.1f ms is within the schedule lead (%.1f ms: the device's "
                        "periods plus a margin); notes will come late\n", lookahead_ms, 1000.0 * (double)lead / rate);
    return frames;
}

/* Everything the session owns, freed in one place. */
typedef struct play_session {
    engine_model *model;
    synth *syn;
    void *qmem, *lmem, *pmem, *rmem, *prmem, *smem, *momem, *mtmem;
    rtq *events, *live, *player, *rec_engine, *rec_player, *mout_q;
    rtq *mout_thru; /* the player's notes to MIDI out (the MIDI input thread produces) */
    sched *sch;
    engine *eng;
    audio_out *out;
    midi_in *min;
    midi_out *mout;
    engine_clock_fn clk; /* the clock the engine and MIDI in read: the audio's, or MIDI out's */
    void *clk_user;
    midi_route route;
    session_rec *rec;
    lj_atomic_file log; /* --event-log, written as the session is drained */
    int log_open;
    lj_atomic_file record; /* --record, opened at the start, written at the end */
    int record_open;
    double rate;           /* Hz: the stream's (or MIDI out's clock); a reload may change it */
    double rate_refused;   /* Hz: a rate asked for that play said it cannot take (JACK's server
                            * runs at another): a preset asking it again is not told again */
    char sf[4096];         /* the SoundFont of syn */
    lj_synth_ops next_ops; /* a synth being handed to the audio thread (reload) */
    synth *retired;        /* an old synth the audio thread may still call: freed after the stream */
    uint64_t callbacks_at_restart; /* the audio callbacks counted when a reload closed the stream */
    engine_stats past;     /* the counts of the engines a reload replaced (session_stats adds them) */
    double start_tempo;    /* BPM the engine started with: another one now was set live */
} play_session;

/* The counts of the session's engines added up (a reload replaces the engine;
 * the summary speaks of the session); last_frame and gen_frame are the
 * current engine's. */
static void engine_stats_add(engine_stats *sum, const engine_stats *s) {
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
    for (int b = 0; b < ENGINE_STEP_BUCKETS; b++) sum->step_hist[b] += s->step_hist[b];
}
static void session_stats(const play_session *p, engine_stats *out) {
    engine_get_stats(p->eng, out);
    engine_stats_add(out, &p->past);
}

static void session_free(play_session *p) {
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

/* Device loss: the devices are closed each on a thread of its own, and play
 * waits for them CLOSE_TIMEOUT_MS at most. PortAudio's JACK host, when the
 * server died under the stream, waits ~10 minutes in Pa_CloseStream and then
 * aborts (pa_jack.c: assertion 'err != ETIMEDOUT'); libjack's calls on a dead
 * server may block too. A device that is still there (MIDI out on ALSA when
 * the audio went) closes within the bound and sends its panic. */
#define CLOSE_TIMEOUT_MS 1500

static void close_midi_in(void *d) { midi_in_close(d); }
static void close_midi_out(void *d) { midi_out_close(d); }
static void close_audio_out(void *d) { audio_out_close(d); }

/* Closes p's devices, each on its own thread, within CLOSE_TIMEOUT_MS
 * (close_bounded.h: a hung close holds up neither the others, so MIDI out
 * still sends its panic when the JACK audio hangs, nor the exit). Returns 1
 * when all closed; 0 when some still hang (their threads are left to them:
 * the process must _exit, since the hung driver may block exit's handlers
 * too), with their names in `what`. Either way p owns them no more. */
static int close_session_devices(play_session *p, char *what, size_t len) {
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

/* The device that went away, for the message; NULL while all run. */
static const char *lost_device(const play_session *p, char *buf, size_t len) {
    if (p->out && !audio_out_running(p->out))
        snprintf(buf, len, "the audio device (%s)", audio_out_device(p->out));
    else if (p->mout && midi_out_lost(p->mout)) snprintf(buf, len, "MIDI out (%s)", midi_out_name(p->mout));
    else if (p->min && midi_in_lost(p->min)) snprintf(buf, len, "MIDI in (%s)", midi_in_name(p->min));
    else return NULL;
    return buf;
}

/* The start-up check. A device that has not run START_CHECK_S after its start
 * would play nothing, without a word: jackd can activate a client and never
 * run it (PortAudio's JACK client, lstmjam-out), a stream may never call
 * back. play names it and ends as on device loss. The bound is far above what
 * a start takes: lstmjam-out's first process callback came 61-183 ms after
 * its open in 24 starts at load 6-9 on this 2-core VM (a 500 ms wait in the
 * open, tried before, was too close to that under heavier load). Not checked
 * here: MIDI in on JACK, whose open waits for its client and replaces it
 * (midi_in.c). */
#define START_CHECK_S 3.0

/* The device that has not started since audio_callbacks0 (the audio
 * callbacks counted at its start), for the message; NULL when all run. */
static const char *not_started(const play_session *p, uint64_t audio_callbacks0, char *buf, size_t len) {
    sched_stats ss;
    if (p->sch && p->out) {
        sched_get_stats(p->sch, &ss);
        if (ss.callbacks == audio_callbacks0) {
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

static rtq *make_queue(void **mem, size_t cap) {
    size_t b = rtq_bytes(cap, sizeof(lj_event));
    *mem = alloc64(b);
    return *mem ? rtq_init(*mem, b, cap, sizeof(lj_event)) : NULL;
}

static const char *mode_name(engine_mode m) {
    static const char *const names[ENGINE_MODES] = {"auto", "continue", "respond", "steer", "accompany"};
    return (int)m >= 0 && m < ENGINE_MODES ? names[m] : "?";
}

/* The terminal in single-key mode while playing (restored at the end). */
typedef struct term_keys {
    int on;
    struct termios saved;
} term_keys;

/* Only in the terminal's foreground: a background job (`lstmjam play ... &`)
 * that sets the terminal is stopped by SIGTTOU, and one that reads it by
 * SIGTTIN; it plays on without keys (q: Ctrl-C after fg, or a signal). */
static void keys_begin(term_keys *k) {
    k->on = 0;
    if (!isatty(0) || tcgetpgrp(0) != getpgrp() || tcgetattr(0, &k->saved)) return;
    struct termios t = k->saved;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (!tcsetattr(0, TCSANOW, &t)) k->on = 1;
}
static void keys_end(term_keys *k) {
    if (!k->on) return;
    /* restored from the background too (sent there after keys_begin): with
     * SIGTTOU blocked, tcsetattr does not stop the job */
    sigset_t ttou, old;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    pthread_sigmask(SIG_BLOCK, &ttou, &old);
    tcsetattr(0, TCSANOW, &k->saved);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    k->on = 0;
}
/* The terminal of the keys hung up (closed window, dropped ssh): poll on it
 * reports POLLHUP/POLLERR at once from then on, and read returns 0 or EIO. */
static int keys_hung_up(const term_keys *k) {
    if (!k->on) return 0;
    struct pollfd pfd = {0, POLLIN, 0};
    return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL));
}

/* Points p at the same field of `to` when it pointed into `from` (a preset's
 * strings, copied from one play_cli to another), else leaves it (argv, NULL). */
static const char *repoint(const char *p, const preset *from, preset *to) {
    const char *lo = (const char *)from, *hi = lo + sizeof *from;
    return p >= lo && p < hi ? (const char *)to + (p - lo) : p;
}

static int same_str(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

/* The audio thread takes the synth handed over (sched_request_synth) at its
 * next callback and fades the old one out (SCHED_FADE_FRAMES, 21 ms at
 * 48 kHz); 1 once the swap is done (the old synth is then never called
 * again), 0 after `seconds` without (the stream is not running). */
static int wait_synth_swap(const sched *s, uint64_t before, double seconds) {
    for (double t = 0; t < seconds; t += 0.001) {
        if (sched_synth_swaps(s) > before) return 1;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    return sched_synth_swaps(s) > before;
}

/* Hot swap (SIGHUP or key r). Everything new is loaded and checked on this
 * thread while the old engine plays on: the preset (read again, the command
 * line's options over it as at the start), the model, the engine, and, when
 * the preset's synth settings (SoundFont, gain, reverb, chorus, polyphony,
 * instruments, rate) differ from those in force, a new synth. Any error: the
 * old ones play on, and the message says why (the preset's file:line:col for
 * what is in the preset). Then the old engine is cut (pause: a panic behind
 * what it queued) and stopped. A new rate, period or device restarts the
 * PortAudio stream (the scheduler and its frame count go on; held notes are
 * released on the old synth first, so nothing is stuck); a new synth is
 * handed to the audio thread, which swaps at a callback boundary with the old
 * one fading out (no restart needed for a SoundFont or effects change, see
 * src/device/synth.h). The new engine starts after both the old engine's last
 * frame and the audio clock, its look-ahead in the new rate and period.
 * Returns 1 when the audio cannot go on (the stream would not reopen: the
 * session ends as on device loss), else 0. */
static int reload(play_session *p, play_cli *c, engine_config *ec) {
    char err[1024] = "";
    engine_model *m = NULL;
    engine *e = NULL;
    synth *nsyn = NULL;
    engine_config nec = *ec;
    play_cli *fresh = NULL;
    double rate = p->rate, nrate = rate;
    uint32_t nperiod = c->period;
    const char *ndevice = c->device;
    char nsf[sizeof p->sf] = "";
    int restart = 0, st = LJ_OK;
    /* The status line (no newline of its own on a terminal) ends here, so
     * that what the reload says, play_args_parse's errors too, starts a line. */
    if (!c->quiet && isatty(2)) fputc('\n', stderr);
    const int was_paused = engine_get_paused(p->eng);
    if (c->has_preset) {
        fresh = malloc(sizeof *fresh);
        if (!fresh || play_args_parse(c->argc, c->argv, fresh)) {
            fprintf(stderr, "reload: the preset was not reloaded (see above); the old one plays on\n");
            free(fresh);
            return 0;
        }
        nec = fresh->engine;
        if (!fresh->seed_given) nec.seed = (uint64_t)time(NULL);
        if (p->out) { /* the audio settings: checked, and a synth built, before anything stops */
            nrate = fresh->synth.sample_rate;
            nperiod = fresh->period;
            ndevice = fresh->device;
            if (nrate != rate && nrate == p->rate_refused) { /* said already */
                nrate = fresh->synth.sample_rate = rate;
            }
            if (nrate != rate && p->mout) {
                fprintf(stderr, "reload: the rate stays %g Hz (MIDI out is open at that rate; %g Hz "
                                "needs a restart of play)\n", rate, nrate);
                p->rate_refused = nrate;
                nrate = fresh->synth.sample_rate = rate;
            }
            if (nrate != rate) { /* before anything stops: a device that cannot would end the session */
                audio_out_config probe;
                audio_out_config_default(&probe);
                probe.device = ndevice;
                probe.sample_rate = nrate;
                probe.period = nperiod;
                char why[512];
                if (audio_out_supports(&probe, why, sizeof why)) {
                    fprintf(stderr, "reload: the rate stays %g Hz (%s)\n", rate, why);
                    p->rate_refused = nrate;
                    nrate = fresh->synth.sample_rate = rate;
                }
            }
            restart = nrate != rate || nperiod != c->period || !same_str(ndevice, c->device);
            synth_config sc = fresh->synth;
            st = synth_find_soundfont(sc.soundfont, nsf, sizeof nsf, err, sizeof err);
            sc.soundfont = nsf;
            if (!st && !synth_same_settings(p->syn, &sc, nsf)) st = synth_create(&sc, &nsyn, err, sizeof err);
            if (st) {
                const preset *pr = &fresh->preset;
                if (pr->soundfont_line && fresh->synth.soundfont == pr->soundfont)
                    fprintf(stderr, "reload: %s:%d: soundfont: %s; the old one plays on\n", pr->path,
                            pr->soundfont_line, err);
                else
                    fprintf(stderr, "reload: %s: %s; the old one plays on\n", pr->path, err);
                free(fresh);
                return 0;
            }
        }
        nec.sample_rate = nrate;
        nec.lookahead_frames = fresh->lookahead_ms > 0 ? (uint64_t)llround(fresh->lookahead_ms * nrate / 1000)
                                                       : 4ull * nperiod;
        nec.out = ec->out;
        nec.mirror = ec->mirror;
        nec.record = ec->record;
        nec.player = ec->player;
    }
    st = engine_model_load_with(fresh ? fresh->model : c->model, (fresh ? fresh : c)->preset.encoding_options, &m,
                                err, sizeof err);
    if (!st) st = engine_create(m, &nec, &e, err, sizeof err);
    if (st) {
        fprintf(stderr, "reload: %s (the old model plays on)\n", err);
        engine_destroy(e);
        engine_model_destroy(m);
        synth_destroy(nsyn);
        free(fresh);
        return 0;
    }
    if (fresh) { /* the preset's values win over the live controls */
        int from_preset = fresh->model == fresh->preset.model;
        c->preset = fresh->preset;
        c->model = from_preset ? c->preset.model : fresh->model; /* --model: argv's */
        c->synth = fresh->synth;
        c->synth.soundfont = repoint(fresh->synth.soundfont, &fresh->preset, &c->preset);
        c->device = repoint(fresh->device, &fresh->preset, &c->preset);
        c->period = nperiod;
        c->lookahead_ms = fresh->lookahead_ms;
        *ec = nec;
        free(fresh);
        p->start_tempo = engine_get_tempo(e);
    } else {
        /* The live controls carry over; the tempo only when it was set live
         * (CC 71, MIDI clock in): else the new model's own, or --tempo's */
        double own_tempo = engine_get_tempo(e);
        engine_set_temperature(e, engine_get_temperature(p->eng));
        if (engine_get_tempo(p->eng) != p->start_tempo) engine_set_tempo(e, engine_get_tempo(p->eng));
        p->start_tempo = own_tempo;
        engine_set_density(e, engine_get_density(p->eng));
        engine_set_mode(e, engine_get_mode(p->eng));
    }
    engine_set_paused(e, was_paused); /* a paused session stays paused */
    engine_set_paused(p->eng, 1); /* cut: the next fill drops what it holds and panics */
    engine_thread_stop(p->eng, 1000);
    /* The record queue's last events of the old engine, before the new one
     * becomes its producer. */
    session_rec_drain(p->rec, 0, p->rec_engine);
    engine_stats old;
    engine_get_stats(p->eng, &old);
    engine_stats_add(&p->past, &old);
    engine_destroy(p->eng);
    engine_model_destroy(p->model);
    p->eng = e;
    route_controls(&p->route, &nec.cc); /* the new preset's midi.cc */
    p->model = m;

    if (restart) {
        /* No callback runs after the close: this thread may release the held
         * notes itself (on the old synth), then the swap waits for the new
         * stream's first callback. */
        audio_out_close(p->out);
        p->out = NULL;
        sched_panic(p->sch);
        sched_stats ss;
        sched_get_stats(p->sch, &ss);
        p->callbacks_at_restart = ss.callbacks; /* the new stream's start-up check counts from here */
    }
    uint64_t swaps = p->sch ? sched_synth_swaps(p->sch) : 0;
    if (nsyn) {
        p->next_ops = synth_ops(nsyn);
        sched_request_synth(p->sch, &p->next_ops); /* none pending: the last swap was waited for */
    }
    if (restart) {
        audio_out_config ac;
        audio_out_config_default(&ac);
        ac.device = c->device;
        ac.sample_rate = nrate;
        ac.period = nperiod;
        if (audio_out_open(&ac, p->sch, &p->out, err, sizeof err)) {
            fprintf(stderr, "reload: %s; the session stops\n", err);
            if (nsyn && sched_cancel_synth(p->sch)) synth_destroy(nsyn);
            else if (nsyn) p->retired = nsyn; /* cannot happen: no stream, no callback */
            return 1;
        }
    }
    if (nsyn) {
        int done = wait_synth_swap(p->sch, swaps, 2.0);
        if (!done && sched_cancel_synth(p->sch)) { /* never taken: the old synth plays on */
            fprintf(stderr, "reload: the audio stream did not take the new synth (is it running?)\n");
            synth_destroy(nsyn);
            nsyn = NULL;
        } else {
            /* taken; if its callback has not finished yet, the old synth is
             * freed at the end, after the stream */
            if (done || wait_synth_swap(p->sch, swaps, 2.0)) synth_destroy(p->syn);
            else {
                synth_destroy(p->retired);
                p->retired = p->syn;
            }
            p->syn = nsyn;
            snprintf(p->sf, sizeof p->sf, "%s", nsf);
        }
    }
    uint64_t now = p->clk(p->clk_user);
    if (nrate != rate) {
        session_rec_set_rate(p->rec, now, nrate);
        p->rate = nrate;
    }
    engine_set_min_frame(e, old.last_frame > now ? old.last_frame : now);
    engine_set_schedule_lead(e, schedule_lead(p->out, p->mout, c->period));
    ec->lookahead_frames = session_lookahead(p->out, p->mout, c->period, c->lookahead_ms, nrate);
    engine_set_lookahead(e, ec->lookahead_frames);
    if (engine_thread_start(e, p->clk, p->clk_user,
                            (uint64_t)(5e8 * (double)clock_period(p->out, p->mout, c->period) / nrate) /* half a period */,
                            err, sizeof err))
        fprintf(stderr, "reload: %s\n", err);
    else if (!c->quiet) {
        fprintf(stderr, "reloaded %s: panic, new engine from frame %llu\n", c->model,
                (unsigned long long)(old.last_frame > now ? old.last_frame : now));
        if (nsyn && p->syn == nsyn) {
            char desc[256];
            synth_describe(p->syn, desc, sizeof desc);
            char sfl[2 * PATH_MAX + 8];
            fprintf(stderr, "SoundFont: %s (new synth, swapped in while the audio ran)\nsynth: %s\n",
                    synth_soundfont_label(p->sf, sfl, sizeof sfl), desc);
        }
        if (restart)
            fprintf(stderr, "audio: %s, %g Hz, period %u frames asked, output latency %.1f ms; look-ahead %.1f ms "
                            "(stream restarted)\n",
                    audio_out_device(p->out), audio_out_rate(p->out), c->period, 1000 * audio_out_latency(p->out),
                    1000.0 * (double)ec->lookahead_frames / nrate);
    }
    return 0;
}

int cmd_play(int argc, char **argv) {
    play_cli c;
    int rc = play_args_parse(argc, argv, &c);
    if (rc) return rc < 0 ? LJ_EXIT_OK : rc;
    if (!c.seed_given) c.engine.seed = (uint64_t)time(NULL);

    char err[1024] = "";
    play_session p;
    memset(&p, 0, sizeof p);
    int st;
    if (!c.no_audio) {
        if ((st = synth_find_soundfont(c.synth.soundfont, p.sf, sizeof p.sf, err, sizeof err))) goto fail;
    }
    if ((st = engine_model_load_with(c.model, c.preset.encoding_options, &p.model, err, sizeof err)))
        goto fail;
    double fixed_rate; /* JACK runs at its server's rate only: play at that one, and say so */
    if (!c.no_audio && audio_out_fixed_rate(c.device, &fixed_rate) && fixed_rate != c.synth.sample_rate) {
        fprintf(stderr, "lstmjam: the JACK server runs at %g Hz: playing at that rate, not %g Hz\n", fixed_rate,
                c.synth.sample_rate);
        p.rate_refused = c.synth.sample_rate;
        c.synth.sample_rate = fixed_rate;
    }
    synth_config sc = c.synth;
    sc.soundfont = p.sf;
    if (!c.no_audio && (st = synth_create(&sc, &p.syn, err, sizeof err))) goto fail;
    double rate = c.no_audio ? c.synth.sample_rate : synth_sample_rate(p.syn);
    p.player = make_queue(&p.pmem, 1024);
    p.rec_engine = make_queue(&p.rmem, 1 << 16);
    p.rec_player = make_queue(&p.prmem, 1 << 13);
    if (c.midi_out) p.mout_q = make_queue(&p.momem, 4096);
    if (c.midi_out && c.midi_in) p.mout_thru = make_queue(&p.mtmem, 1024);
    if (!c.no_audio) {
        p.events = make_queue(&p.qmem, 4096);
        p.live = make_queue(&p.lmem, 1024);
        p.smem = alloc64(sched_bytes());
    }
    if (!p.player || !p.rec_engine || !p.rec_player || (c.midi_out && !p.mout_q) ||
        (c.midi_out && c.midi_in && !p.mout_thru) ||
        (!c.no_audio && (!p.events || !p.live || !p.smem))) {
        st = lj_fail(err, sizeof err, LJ_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (c.no_audio) {
        /* MIDI out is the clock (JACK's frames, or the monotonic clock) */
        if ((st = midi_out_open(c.midi_out, p.mout_q, rate, NULL, NULL, c.midi_clock == PRESET_CLOCK_OUT, &p.mout, err, sizeof err))) goto fail;
        rate = midi_out_rate(p.mout);
        p.clk = midi_out_clock;
        p.clk_user = p.mout;
    } else {
        sched_config sc = {synth_ops(p.syn), p.events, 1, p.live};
        p.sch = sched_init(p.smem, sched_bytes(), &sc);
        p.clk = clock_of;
        p.clk_user = p.sch;
    }
    engine_config ec = c.engine;
    ec.sample_rate = rate;
    ec.lookahead_frames = c.lookahead_ms > 0 ? (uint64_t)llround(c.lookahead_ms * rate / 1000)
                                             : 4ull * c.period;
    ec.out = c.no_audio ? p.mout_q : p.events;
    ec.mirror = c.no_audio ? NULL : p.mout_q;
    ec.record = p.rec_engine;
    ec.player = p.player;
    if ((st = engine_create(p.model, &ec, &p.eng, err, sizeof err))) goto fail;
    p.start_tempo = engine_get_tempo(p.eng);
    if ((st = session_rec_create(rate, &p.rec, err, sizeof err))) goto fail;
    if (c.event_log) {
        if ((st = lj_atomic_open(&p.log, c.event_log, err, sizeof err))) goto fail;
        p.log_open = 1;
        session_rec_log_to(p.rec, p.log.fp);
    }
    if (c.record) { /* a path that cannot be written is refused now, not after the session */
        if ((st = lj_atomic_open(&p.record, c.record, err, sizeof err))) goto fail;
        p.record_open = 1;
    }

    audio_out_config ac;
    audio_out_config_default(&ac);
    ac.device = c.device;
    ac.sample_rate = rate;
    ac.period = c.period;
    if (!c.no_audio && (st = audio_out_open(&ac, p.sch, &p.out, err, sizeof err))) {
        cli_error("%s", err);
        if (st != LJ_ERR_ARG && c.has_preset)
            fprintf(stderr, "no audio output to play on; render to a file instead:\n"
                            "  lstmjam render --preset %s --minutes 5 -o out.wav\n", c.preset.name);
        else if (st != LJ_ERR_ARG)
            fprintf(stderr, "no audio output to play on; render to a file instead:\n"
                            "  lstmjam render --model %s --minutes 5 -o out.wav\n", c.model);
        session_free(&p);
        return cli_exit_code(st);
    }
    if (!c.no_audio && c.midi_out &&
        (st = midi_out_open(c.midi_out, p.mout_q, rate, clock_of, p.sch, c.midi_clock == PRESET_CLOCK_OUT, &p.mout, err, sizeof err)))
        goto fail;
    midi_route_init(&p.route, p.live, p.player, p.rec_player, c.thru_channel);
    route_controls(&p.route, &ec.cc);
    if (p.mout && p.mout_thru) { /* the DAW hears the player too, on the thru channel */
        midi_out_set_thru(p.mout, p.mout_thru);
        midi_route_thru_to_out(&p.route, p.mout_thru);
    }
    static midi_clock_in clock_in; /* --midi-clock in: the ticks' frames (the MIDI thread writes them) */
    clock_follow follow;
    midi_clock_in_init(&clock_in);
    clock_follow_init(&follow, rate);
    if (c.midi_clock == PRESET_CLOCK_IN) midi_route_follow_clock(&p.route, &clock_in);
    if (c.midi_in &&
        (st = midi_in_open(c.midi_in, &p.route, p.clk, p.clk_user, &p.min, err, sizeof err)))
        goto fail;
    p.rate = rate;
    engine_set_schedule_lead(p.eng, schedule_lead(p.out, p.mout, c.period));
    ec.lookahead_frames = session_lookahead(p.out, p.mout, c.period, c.lookahead_ms, rate);
    engine_set_lookahead(p.eng, ec.lookahead_frames);
    if ((st = engine_thread_start(p.eng, p.clk, p.clk_user,
                                  (uint64_t)(5e8 * (double)clock_period(p.out, p.mout, c.period) / rate) /* half a period */,
                                  err, sizeof err)))
        goto fail;

    if (p.mout && c.midi_clock == PRESET_CLOCK_OUT) midi_out_set_clock_tempo(p.mout, engine_tempo_in_force(p.eng)); /* it starts */
    if (!c.quiet) {
        if (p.out) {
            char desc[256];
            synth_describe(p.syn, desc, sizeof desc);
            char sfl[2 * PATH_MAX + 8];
            printf("SoundFont: %s\nsynth: %s\n", synth_soundfont_label(p.sf, sfl, sizeof sfl), desc);
        }
        printf("model: %s (%s), mode %s, seed %llu\n", c.model, engine_model_encoding(p.model),
               mode_name(ec.mode), (unsigned long long)ec.seed);
        if (c.vary_tempo_off) printf("MIDI clock in sets the tempo: the preset's mode.vary.tempo is off\n");
        if (p.out)
            printf("audio: %s, %g Hz, period %u frames asked, output latency %.1f ms; look-ahead %.1f ms, "
                   "schedule lead %.1f ms\n",
                   audio_out_device(p.out), audio_out_rate(p.out), c.period,
                   1000 * audio_out_latency(p.out), 1000.0 * (double)ec.lookahead_frames / rate,
                   1000.0 * (double)schedule_lead(p.out, p.mout, c.period) / rate);
        else
            printf("no audio: MIDI out only, %g Hz clock; look-ahead %.1f ms, schedule lead %.1f ms\n", rate,
                   1000.0 * (double)ec.lookahead_frames / rate,
                   1000.0 * (double)schedule_lead(p.out, p.mout, c.period) / rate);
        if (p.mout)
            printf("MIDI out: %s (channel %d)%s\n", midi_out_name(p.mout), ec.channel + 1,
                   c.midi_clock == PRESET_CLOCK_OUT ? ", MIDI clock at the engine's tempo" : "");
        if (p.min) printf("MIDI in: %s (thru on channel %d)%s\n", midi_in_name(p.min), c.thru_channel + 1,
                          c.midi_clock == PRESET_CLOCK_IN ? ", its MIDI clock sets the tempo" : "");
        if (p.min && midi_in_reopened(p.min))
            printf("MIDI in: the JACK server never ran the first client: replaced %d time(s)\n",
                   midi_in_reopened(p.min));
        int why, prio = engine_thread_priority(p.eng, &why);
        if (prio) printf("engine thread: real-time (SCHED_FIFO %d)\n", prio);
        else if (why)
            printf("engine thread: normal priority (real-time refused: %s; see the README's latency tuning)\n",
                   strerror(why));
        fflush(stdout);
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* SIGINT, SIGTERM: quit; SIGHUP: reload the model */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    term_keys keys;
    keys_begin(&keys);
    const int tty = isatty(2);
    double t0 = wall_now(), next_status = t0 + 1;
    uint64_t prev_hist[ENGINE_STEP_BUCKETS] = {0};
    int device_lost = 0, not_started_yet = 0;
    unsigned sources_left_told = 0;
    double start_check_at = t0 + START_CHECK_S; /* 0: done */
    uint64_t audio_callbacks0 = 0;              /* the audio callbacks counted when the stream started */
    char lost_what[600] = "the audio device";
    st = LJ_OK;
    for (;;) {
        struct pollfd pfd = {0, POLLIN, 0};
        /* a job sent to the background (Ctrl-Z, bg) reads no keys: SIGTTIN would stop it */
        int fg = keys.on && tcgetpgrp(0) == getpgrp();
        int ready = fg ? poll(&pfd, 1, 50) : (nanosleep(&(struct timespec){0, 50000000}, NULL), 0);
        /* the terminal hung up (closed): quit as q does, not spin on it */
        if (ready > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))) break;
        if (ready > 0 && (pfd.revents & POLLIN)) {
            char ch;
            ssize_t got = read(0, &ch, 1);
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) break; /* hung up */
            if (got == 1) {
                if (ch == 'q' || ch == 'Q') break;
                if (ch == 'r') reload_signal = 1;
                if (ch == ' ') engine_set_paused(p.eng, !engine_get_paused(p.eng));
                if (ch == 'p') engine_request_panic(p.eng);
                if (ch == 'm') engine_set_mode(p.eng, (engine_mode)((engine_get_mode(p.eng) + 1) % ENGINE_MODES));
                if (ch == 'd') engine_set_density(p.eng, engine_get_density(p.eng) / 1.25);
                if (ch == 'D') engine_set_density(p.eng, engine_get_density(p.eng) * 1.25);
                if (ch == 't') engine_set_temperature(p.eng, engine_get_temperature(p.eng) - 0.1);
                if (ch == 'T') engine_set_temperature(p.eng, engine_get_temperature(p.eng) + 0.1);
            }
        }
        if (quit_signal) break;
        if (p.mout && c.midi_clock == PRESET_CLOCK_OUT) midi_out_set_clock_tempo(p.mout, engine_tempo_in_force(p.eng));
        if (c.midi_clock == PRESET_CLOCK_IN && clock_follow_update(&follow, &clock_in, p.eng) && !c.quiet) {
            fprintf(stderr, "%sMIDI clock in: %.1f BPM (tick %llu)\n", tty ? "\r" : "", follow.bpm,
                    (unsigned long long)follow.set_at_tick);
            fflush(stderr);
        }
        if (reload_signal) {
            reload_signal = 0;
            /* SIGHUP is also what a closing terminal sends: with the keys'
             * terminal gone it quits as q does; else it is a reload */
            if (keys_hung_up(&keys)) break;
            audio_out *stream = p.out;
            if (reload(&p, &c, &ec)) {
                device_lost = 1;
                break;
            }
            if (p.out != stream) { /* a new stream (rate, period, device): checked again */
                audio_callbacks0 = p.callbacks_at_restart;
                start_check_at = wall_now() + START_CHECK_S;
            }
            rate = p.rate;
            follow.rate = rate;
        }
        if ((st = session_rec_drain(p.rec, 0, p.rec_engine)) || (st = session_rec_drain(p.rec, 1, p.rec_player)))
            break;
        if (lost_device(&p, lost_what, sizeof lost_what)) {
            device_lost = 1;
            break;
        }
        if (p.min) { /* an ALSA source left: told once each (its keys are released already) */
            int lc, lp;
            unsigned left = midi_in_sources_left(p.min, &lc, &lp);
            if (left != sources_left_told) {
                sources_left_told = left;
                fprintf(stderr, "%sMIDI in: %d:%d left %s (unplugged, exited or disconnected): its held keys "
                        "were released; connect a source again to play on\n", tty ? "\r" : "", lc, lp,
                        midi_in_name(p.min));
                fflush(stderr);
            }
        }
        double now = wall_now();
        if (start_check_at > 0 && now >= start_check_at) {
            start_check_at = 0;
            if (not_started(&p, audio_callbacks0, lost_what, sizeof lost_what)) {
                device_lost = not_started_yet = 1;
                break;
            }
        }
        if (c.seconds > 0 && now - t0 >= c.seconds) break;
        if (now >= next_status) {
            next_status += 1;
            if (!keys.on) keys_begin(&keys); /* a background job brought to the foreground (fg) */
            if (c.quiet) continue;
            engine_stats es;
            sched_stats ss;
            memset(&ss, 0, sizeof ss);
            session_stats(&p, &es);
            if (p.sch) sched_get_stats(p.sch, &ss);
            else { /* no audio: MIDI out's own counts */
                midi_sink_stats mo;
                midi_out_get_stats(p.mout, &mo);
                ss.frame = p.clk(p.clk_user);
                ss.xruns = midi_out_xruns(p.mout);
                ss.late_events = mo.late_events;
            }
            uint64_t last[ENGINE_STEP_BUCKETS];
            for (int b = 0; b < ENGINE_STEP_BUCKETS; b++) {
                last[b] = es.step_hist[b] - prev_hist[b];
                prev_hist[b] = es.step_hist[b];
            }
            double ahead = es.gen_frame > ss.frame ? (double)(es.gen_frame - ss.frame) / rate : 0;
            char cb_max[48] = ""; /* the audio callback's longest run so far (no callback: MIDI out only) */
            if (p.sch)
                snprintf(cb_max, sizeof cb_max, " | callback max %.0f us", (double)ss.callback_ns_max / 1e3);
            char dens[16] = "-"; /* "-": density does not apply to this model (abc) */
            if (engine_model_density_applies(p.model))
                snprintf(dens, sizeof dens, "%.2f", engine_density_in_force(p.eng));
            fprintf(stderr,
                    "%s%s | %s | T %.2f | D %s | %.0f BPM | step p50 %.0f us p99 %.0f us | ahead %.1f ms | "
                    "notes %llu | xruns %llu dropped %llu late %llu%s%s%s",
                    tty ? "\r" : "", engine_get_paused(p.eng) ? "paused" : mode_name(engine_get_mode(p.eng)),
                    engine_model_name(p.model), engine_get_temperature(p.eng), dens,
                    engine_tempo_in_force(p.eng),
                    (double)engine_hist_quantile(last, 0.5) / 1e3,
                    (double)engine_hist_quantile(last, 0.99) / 1e3, 1000 * ahead,
                    (unsigned long long)es.notes, (unsigned long long)ss.xruns,
                    (unsigned long long)(es.dropped + ss.overflows_seen),
                    (unsigned long long)ss.late_events, cb_max, tty ? "   " : "", tty ? "" : "\n");
            fflush(stderr);
        }
    }
    keys_end(&keys);
    if (!c.quiet && tty) fputc('\n', stderr);

    /* The end: no more input; the engine ends its notes and panics; the audio
     * side plays that; the player's channel is released; the stream stops.
     * After a device loss the devices are not touched until the session's
     * files are written: their close may hang (close_session_devices). */
    if (!device_lost) {
        midi_in_close(p.min);
        p.min = NULL;
    }
    /* after a device loss the engine cannot finish (nobody drains its queue): a
     * short wait, then its stop; the recording ends every note itself */
    int clean = engine_thread_stop(p.eng, device_lost ? 100 : 1000);
    engine_stats es;
    session_stats(&p, &es);
    lj_event off = lj_event_make(es.last_frame, LJ_EV_ALL_NOTES_OFF, c.thru_channel, 0, 0);
    if (p.live && !p.min) rtq_push(p.live, &off); /* the MIDI thread is gone: this thread may produce now */
    if (p.mout_thru && !p.min) rtq_push(p.mout_thru, &off);
    session_rec_add(p.rec, 1, &off);
    /* the audio side and MIDI out play the engine's last note-offs and panic */
    for (int i = 0; i < 100 && !device_lost && p.clk(p.clk_user) <= es.last_frame + c.period; i++)
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    sched_stats ss;
    memset(&ss, 0, sizeof ss);
    ss.frame = p.clk(p.clk_user);
    midi_sink_stats ms = {0};
    /* and MIDI out, whose clock may trail the audio's by a period or two */
    for (int i = 0; p.mout && !device_lost && i < 100; i++) {
        midi_out_get_stats(p.mout, &ms);
        if (ms.frame > es.last_frame + c.period) break;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    if (p.mout) midi_out_get_stats(p.mout, &ms);
    uint64_t mout_xruns = p.mout ? midi_out_xruns(p.mout) : 0;
    midi_out_jack_follow follow_counts = {0};
    int followed = p.mout && midi_out_clock_follow(p.mout, &follow_counts);
    int mout_jack = p.mout && midi_out_is_jack(p.mout);
    uint64_t mout_refused = p.mout ? midi_out_refused(p.mout) : 0;
    if (!device_lost) {
        midi_out_close(p.mout); /* after the engine: a panic of its own if a note is still on */
        p.mout = NULL;
        audio_out_close(p.out);
        p.out = NULL;
    }
    uint64_t held_at_end = 0; /* notes the audio side still held after the last callback */
    static uint64_t cb_hist[TIME_HIST_BUCKETS]; /* callback times (4 KB: not on the stack) */
    memset(cb_hist, 0, sizeof cb_hist);
    if (p.sch) {
        sched_get_callback_hist(p.sch, cb_hist);
        sched_get_stats(p.sch, &ss);
        held_at_end = ss.held_notes;
        if (!p.out) sched_panic(p.sch); /* no callback runs now: whatever is left is released */
        sched_get_stats(p.sch, &ss);
    }
    int drained = session_rec_drain(p.rec, 0, p.rec_engine) || session_rec_drain(p.rec, 1, p.rec_player);
    session_rec_finish(p.rec, ss.frame);
    if (not_started_yet)
        cli_error("%s within %.0f s of its start; the session ends here (is the JACK server overloaded, or "
                  "wedged? restart it, or render to a file: lstmjam render)", lost_what, START_CHECK_S);
    else if (device_lost)
        cli_error("%s stopped (device lost); the session ends here", lost_what);
    if (!c.quiet && !p.sch) /* no audio: MIDI out's counts (no callback of ours) */
        printf("played %.1f s: %llu notes from the model, %zu from the player; %llu steps, step p50 "
               "%.1f us, p99 %.1f us; xruns %llu, dropped %llu, late %llu (MIDI out's), %llu notes left on%s\n",
               (double)ss.frame / rate, (unsigned long long)session_rec_notes(p.rec, 0),
               session_rec_notes(p.rec, 1),
               (unsigned long long)es.steps, (double)engine_hist_quantile(es.step_hist, 0.5) / 1e3,
               (double)engine_hist_quantile(es.step_hist, 0.99) / 1e3, (unsigned long long)mout_xruns,
               (unsigned long long)es.dropped, (unsigned long long)ms.late_events, (unsigned long long)ms.held,
               clean ? "" : " (engine stop timed out: panicked)");
    else if (!c.quiet)
        printf("played %.1f s: %llu notes from the model, %zu from the player; %llu steps, step p50 "
               "%.1f us, p99 %.1f us; xruns %llu, dropped %llu, late %llu, callback max %.1f us, p99 %.1f us, "
               "%llu notes left on%s\n",
               (double)ss.frame / rate, (unsigned long long)session_rec_notes(p.rec, 0),
               session_rec_notes(p.rec, 1),
               (unsigned long long)es.steps, (double)engine_hist_quantile(es.step_hist, 0.5) / 1e3,
               (double)engine_hist_quantile(es.step_hist, 0.99) / 1e3, (unsigned long long)ss.xruns,
               (unsigned long long)(es.dropped + ss.overflows_seen), (unsigned long long)ss.late_events,
               (double)ss.callback_ns_max / 1e3, (double)time_hist_quantile(cb_hist, 0.99) / 1e3,
               (unsigned long long)held_at_end,
               clean ? "" : " (engine stop timed out: panicked)");
    if (!c.quiet)
        printf("engine: %llu player notes fed to the model (%llu not encodable), %llu of their note-offs, "
               "%llu phrases, %llu panics\n",
               (unsigned long long)es.steered, (unsigned long long)es.steer_unencoded,
               (unsigned long long)es.steered_offs, (unsigned long long)es.phrases,
               (unsigned long long)es.panics);
    if (!c.quiet && es.onset_stalls) /* a degenerate model (ENGINE_MAX_ONSETS) */
        printf("engine: %llu times %d note-ons in %.0f ms of music: the model had to move time first\n",
               (unsigned long long)es.onset_stalls, ENGINE_MAX_ONSETS, ENGINE_ONSET_WINDOW * 1e3);
    if (!c.quiet && es.onsets_capped) /* abc: a chord or run of short notes over it */
        printf("engine: %llu note-ons not played, over %d in %.0f ms of music\n",
               (unsigned long long)es.onsets_capped, ENGINE_MAX_ONSETS, ENGINE_ONSET_WINDOW * 1e3);
    if (!c.quiet && c.midi_clock == PRESET_CLOCK_IN)
        printf("MIDI clock in: %llu ticks, %llu Start/Continue/Stop; tempo %.1f BPM, set %llu times\n",
               (unsigned long long)atomic_load(&clock_in.ticks), (unsigned long long)atomic_load(&clock_in.transport),
               follow.bpm, (unsigned long long)follow.changes);
    if (!c.quiet && c.midi_out)
        printf("MIDI out: %llu messages, %llu late (at most %llu frames), %llu panics, %llu notes left on; "
               "%llu MIDI clock ticks\n",
               (unsigned long long)ms.messages, (unsigned long long)ms.late_events,
               (unsigned long long)ms.late_frames_max, (unsigned long long)ms.panics,
               (unsigned long long)ms.held, (unsigned long long)ms.clock_ticks);
    if (!c.quiet && mout_jack) { /* every message accounted for, and what moved MIDI out against the audio (bench/play_soak.sh) */
        printf("MIDI out (JACK): %llu messages refused by the port buffer", (unsigned long long)mout_refused);
        if (followed)
            printf("; clock on the audio's: raised %llu times, lowered %llu times (whole periods: a cycle one of "
                   "the two JACK clients lost, or their order in the cycle); a raise waited %llu cycles for a gap "
                   "between events",
                   (unsigned long long)follow_counts.raises, (unsigned long long)follow_counts.lowers,
                   (unsigned long long)follow_counts.raises_deferred);
        printf("\n");
    }
    if (!st && drained) st = lj_fail(err, sizeof err, LJ_ERR_NOMEM, "out of memory for the session recording");
    if (!st && p.record_open) {
        p.record_open = 0;
        st = session_rec_commit(p.rec, &p.record, err, sizeof err);
        if (!st && !c.quiet) printf("session MIDI: %s\n", c.record);
    }
    if (!st && p.log_open) {
        p.log_open = 0;
        session_rec_log_to(p.rec, NULL);
        st = lj_atomic_commit(&p.log, err, sizeof err);
        if (!st && !c.quiet) printf("event log: %s\n", c.event_log);
    }
    char hung_what[64];
    if (device_lost && !close_session_devices(&p, hung_what, sizeof hung_what)) { /* a driver hangs: leave it */
        if (st) cli_error("%s", err[0] ? err : lj_strerror(st));
        fprintf(stderr, "lstmjam: %s did not close within %d ms; exiting without waiting\n", hung_what,
                CLOSE_TIMEOUT_MS);
        fflush(NULL);
        _exit(st ? cli_exit_code(st) : LJ_EXIT_FAIL);
    }
    if (st) goto fail;
    session_free(&p);
    return device_lost ? LJ_EXIT_FAIL : LJ_EXIT_OK;
fail:
    cli_error("%s", err[0] ? err : lj_strerror(st));
    session_free(&p);
    return cli_exit_code(st);
}
