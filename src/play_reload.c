/* lstmjam play's hot swap (SIGHUP or key r): the preset, model, engine and
 * synth loaded again while the old ones play on, then swapped in. See
 * play_reload's comment. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "play_session.h"
#include "preset.h"

/* Points p at the same field of `to` when it pointed into `from` (a preset's
 * strings, copied from one play_cli to another), else leaves it (argv, NULL). */
static const char *repoint(const char *p, const preset *from, preset *to) {
    const char *lo = (const char *)from, *hi = lo + sizeof *from;
    return p >= lo && p < hi ? (const char *)to + (p - lo) : p;
}

static int same_str(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

static const char *clock_name(int clock) {
    return clock == PRESET_CLOCK_IN ? "in" : clock == PRESET_CLOCK_OUT ? "out" : "off";
}

/* A reload's MIDI settings. midi.in, midi.out and midi.clock are devices,
 * ports and threads opened at the start: they stay as they are until play
 * restarts, and `stays` says so for each that the fresh preset changed (""
 * when none did). midi.thru_channel is the route's channel: it applies (see
 * play_reload). The strings the fresh preset holds for in and out are set
 * to those in force, so the preset kept is what plays, and the next reload
 * compares with that. */
static void midi_stays(const play_session *p, play_cli *fresh, char *stays, size_t len) {
    const play_cli *c = &p->cli;
    size_t at = 0;
    stays[0] = 0;
    if (!same_str(fresh->midi_in ? fresh->midi_in : "", c->midi_in ? c->midi_in : ""))
        at += (size_t)snprintf(stays + at, len - at, "reload: midi.in changed ('%s'): stays %s%s until play restarts\n",
                               fresh->midi_in ? fresh->midi_in : "", p->min ? "MIDI in " : "no MIDI in",
                               p->min ? midi_in_name(p->min) : "");
    if (at < len && !same_str(fresh->midi_out ? fresh->midi_out : "", c->midi_out ? c->midi_out : ""))
        at += (size_t)snprintf(stays + at, len - at, "reload: midi.out changed ('%s'): stays %s%s until play restarts\n",
                               fresh->midi_out ? fresh->midi_out : "", p->mout ? "MIDI out " : "no MIDI out",
                               p->mout ? midi_out_name(p->mout) : "");
    if (at < len && fresh->midi_clock != c->midi_clock)
        snprintf(stays + at, len - at, "reload: midi.clock changed (%s): stays %s until play restarts\n",
                 clock_name(fresh->midi_clock), clock_name(c->midi_clock));
    preset *fp = &fresh->preset;
    snprintf(fp->midi_in, sizeof fp->midi_in, "%s", c->midi_in ? c->midi_in : "");
    snprintf(fp->midi_out, sizeof fp->midi_out, "%s", c->midi_out ? c->midi_out : "");
    fp->midi_clock = c->midi_clock;
}

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
int play_reload(play_session *p) {
    play_cli *c = &p->cli;
    engine_config *ec = &p->ec;
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
    char midi_note[1024] = ""; /* what stays of the MIDI settings (midi_stays) */
    int thru_was = c->thru_channel;
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
        if (p->min && fresh->thru_channel == fresh->engine.channel) {
            /* the preset reader checks this only with a midi.in of its own;
             * the MIDI in that stays open needs it too */
            fprintf(stderr, "reload: %s: the player's notes (midi.thru_channel; MIDI in %s stays open) and the "
                            "model's ('channel') would both be on channel %d; the old one plays on\n",
                    fresh->preset.path, midi_in_name(p->min), fresh->thru_channel + 1);
            free(fresh);
            return 0;
        }
        midi_stays(p, fresh, midi_note, sizeof midi_note);
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
        if (fresh) preset_model_error(&fresh->preset, fresh->model, err, sizeof err);
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
        /* The player's notes move at their next message, after an
         * all-notes-off of the old channel (no thru note left sounding). */
        c->thru_channel = fresh->thru_channel;
        midi_route_set_channel(&p->route, c->thru_channel);
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
    play_engine_stats_add(&p->past, &old);
    engine_destroy(p->eng);
    engine_model_destroy(p->model);
    p->eng = e;
    play_route_controls(&p->route, &nec.cc); /* the new preset's midi.cc */
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
    if (play_engine_start(p, err, sizeof err)) /* p->eng is e, p->rate nrate */
        fprintf(stderr, "reload: %s\n", err);
    else if (!c->quiet) {
        fprintf(stderr, "reloaded %s: panic, new engine from frame %llu\n", c->model,
                (unsigned long long)(old.last_frame > now ? old.last_frame : now));
        if (c->thru_channel != thru_was && p->min)
            fprintf(stderr, "reload: midi.thru_channel: the player's notes now on channel %d (were on %d)\n",
                    c->thru_channel + 1, thru_was + 1);
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
    fputs(midi_note, stderr); /* a warning: also with -q, as "the rate stays" */
    return 0;
}

