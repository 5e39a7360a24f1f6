/* lstmjam play: the instrument. The model generates on the engine thread, the
 * PortAudio callback renders FluidSynth through dsp/event_sched, an optional
 * MIDI input (PortMidi or JACK) sounds at once and feeds the engine, and this
 * control thread reads the keys, shows the status line once a second from the
 * other threads' counters, and writes the session MIDI at the end. The parts
 * are listed in play_session.h. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "play_session.h"
#include "preset.h"

static volatile sig_atomic_t quit_signal = 0, reload_signal = 0;
static void on_signal(int sig) {
    if (sig == SIGHUP) reload_signal = 1;
    else quit_signal = sig;
}

static void catch_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* SIGINT, SIGTERM: quit; SIGHUP: reload the model */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* --midi-clock out: MIDI out's clock at the engine's tempo; in: the engine's
 * tempo fitted to the incoming clock, told when it changes. */
static void follow_midi_clock(play_session *p) {
    const play_cli *c = &p->cli;
    if (p->mout && c->midi_clock == PRESET_CLOCK_OUT) midi_out_set_clock_tempo(p->mout, engine_tempo_in_force(p->eng));
    if (c->midi_clock == PRESET_CLOCK_IN && clock_follow_update(&p->follow, &p->clock_in, p->eng) && !c->quiet) {
        fprintf(stderr, "%sMIDI clock in: %.1f BPM (tick %llu)\n", p->tty ? "\r" : "", p->follow.bpm,
                (unsigned long long)p->follow.set_at_tick);
        fflush(stderr);
    }
}

/* A reload asked for (SIGHUP, key r). Returns 1 when the session ends: the
 * keys' terminal hung up (p->device_lost stays 0), or the audio cannot go on
 * (p->device_lost set). */
static int reload_asked(play_session *p) {
    reload_signal = 0;
    /* SIGHUP is also what a closing terminal sends: with the keys'
     * terminal gone it quits as q does; else it is a reload */
    if (play_keys_hung_up(&p->keys)) return 1;
    audio_out *stream = p->out;
    if (play_reload(p)) {
        p->device_lost = 1;
        return 1;
    }
    if (p->out != stream) { /* a new stream (rate, period, device): checked again */
        p->audio_callbacks0 = p->callbacks_at_restart;
        p->start_check_at = wall_now() + START_CHECK_S;
    }
    p->follow.rate = p->rate;
    return 0;
}

/* An ALSA source of MIDI in left: told once each (its keys are released
 * already). */
static void tell_sources_left(play_session *p) {
    int lc, lp;
    unsigned left = midi_in_sources_left(p->min, &lc, &lp);
    if (left != p->sources_left_told) {
        p->sources_left_told = left;
        fprintf(stderr, "%sMIDI in: %d:%d left %s (unplugged, exited or disconnected): its held keys "
                "were released; connect a source again to play on\n", p->tty ? "\r" : "", lc, lp,
                midi_in_name(p->min));
        fflush(stderr);
    }
}

/* The control loop, every 50 ms until q, a signal, --seconds or a lost
 * device: the keys, the MIDI clock, a reload, the recording's queues drained,
 * the devices checked, and the status line once a second. Returns LJ_OK, or
 * the recording's error; p->device_lost (and p->not_started_yet, with
 * p->lost_what) says how it ended. */
static int run_loop(play_session *p) {
    const play_cli *c = &p->cli;
    play_keys_begin(&p->keys);
    p->tty = isatty(2);
    double t0 = wall_now();
    p->next_status = t0 + 1;
    p->start_check_at = t0 + START_CHECK_S;
    snprintf(p->lost_what, sizeof p->lost_what, "the audio device");
    int st = LJ_OK;
    for (;;) {
        play_key_action key = play_keys_wait(&p->keys, p->eng);
        if (key == PLAY_KEY_QUIT) break;
        if (key == PLAY_KEY_RELOAD) reload_signal = 1;
        if (quit_signal) break;
        follow_midi_clock(p);
        if (reload_signal && reload_asked(p)) break;
        if ((st = session_rec_drain(p->rec, 0, p->rec_engine)) || (st = session_rec_drain(p->rec, 1, p->rec_player)))
            break;
        if (play_lost_device(p, p->lost_what, sizeof p->lost_what)) {
            p->device_lost = 1;
            break;
        }
        if (p->min) tell_sources_left(p);
        double now = wall_now();
        if (p->start_check_at > 0 && now >= p->start_check_at) {
            p->start_check_at = 0;
            if (play_not_started(p, p->lost_what, sizeof p->lost_what)) {
                p->device_lost = p->not_started_yet = 1;
                break;
            }
        }
        if (c->seconds > 0 && now - t0 >= c->seconds) break;
        if (now >= p->next_status) {
            p->next_status += 1;
            if (!p->keys.on) play_keys_begin(&p->keys); /* a background job brought to the foreground (fg) */
            if (!c->quiet) play_print_status(p);
        }
    }
    play_keys_end(&p->keys);
    if (!c->quiet && p->tty) fputc('\n', stderr);
    return st;
}

/* The end: no more input; the engine ends its notes and panics; the audio
 * side plays that; the player's channel is released. After a device loss the
 * devices are not touched until the session's files are written: their close
 * may hang (play_close_devices). Returns 1 when the recording's drain ran out
 * of memory. */
static int end_playing(play_session *p, play_summary *s) {
    const play_cli *c = &p->cli;
    if (!p->device_lost) {
        midi_in_close(p->min);
        p->min = NULL;
    }
    /* after a device loss the engine cannot finish (nobody drains its queue): a
     * short wait, then its stop; the recording ends every note itself */
    s->clean = engine_thread_stop(p->eng, p->device_lost ? 100 : 1000);
    play_session_stats(p, &s->es);
    lj_event off = lj_event_make(s->es.last_frame, LJ_EV_ALL_NOTES_OFF, c->thru_channel, 0, 0);
    if (p->live && !p->min) rtq_push(p->live, &off); /* the MIDI thread is gone: this thread may produce now */
    if (p->mout_thru && !p->min) rtq_push(p->mout_thru, &off);
    /* what the player played is recorded before the release: a pedal-up
     * still queued went in after it, and the file had the release's pedal-up
     * and then the player's (seen under ASan in play_modes: sustain up 2) */
    int drain_failed = session_rec_drain(p->rec, 1, p->rec_player) != LJ_OK;
    session_rec_add(p->rec, 1, &off);
    /* the audio side and MIDI out play the engine's last note-offs and panic */
    for (int i = 0; i < 100 && !p->device_lost && p->clk(p->clk_user) <= s->es.last_frame + c->period; i++)
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    memset(&s->ss, 0, sizeof s->ss);
    s->ss.frame = p->clk(p->clk_user);
    memset(&s->ms, 0, sizeof s->ms);
    /* and MIDI out, whose clock may trail the audio's by a period or two */
    for (int i = 0; p->mout && !p->device_lost && i < 100; i++) {
        midi_out_get_stats(p->mout, &s->ms);
        if (s->ms.frame > s->es.last_frame + c->period) break;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    return drain_failed;
}

/* Then the stream stops: MIDI out's counts taken and the outputs closed (not
 * after a device loss), what the audio side still holds released, and the
 * recording drained and ended. Returns 1 when its drain ran out of memory. */
static int close_outputs(play_session *p, play_summary *s) {
    if (p->mout) midi_out_get_stats(p->mout, &s->ms);
    s->mout_xruns = p->mout ? midi_out_xruns(p->mout) : 0;
    memset(&s->follow_counts, 0, sizeof s->follow_counts);
    s->followed = p->mout && midi_out_clock_follow(p->mout, &s->follow_counts);
    s->mout_jack = p->mout && midi_out_is_jack(p->mout);
    s->mout_refused = p->mout ? midi_out_refused(p->mout) : 0;
    if (!p->device_lost) {
        midi_out_close(p->mout); /* after the engine: a panic of its own if a note is still on */
        p->mout = NULL;
        audio_out_close(p->out);
        p->out = NULL;
    }
    s->held_at_end = 0;
    /* callback wall and CPU times (4 KB each: not on the stack) */
    static uint64_t cb_hist[TIME_HIST_BUCKETS], cb_cpu_hist[TIME_HIST_BUCKETS];
    memset(cb_hist, 0, sizeof cb_hist);
    memset(cb_cpu_hist, 0, sizeof cb_cpu_hist);
    if (p->sch) {
        sched_get_callback_hist(p->sch, cb_hist);
        sched_get_callback_cpu_hist(p->sch, cb_cpu_hist);
        sched_get_stats(p->sch, &s->ss);
        s->held_at_end = s->ss.held_notes;
        if (!p->out) sched_panic(p->sch); /* no callback runs now: whatever is left is released */
        sched_get_stats(p->sch, &s->ss);
    }
    s->callback_p99_ns = time_hist_quantile(cb_hist, 0.99);
    s->callback_cpu_p99_ns = time_hist_quantile(cb_cpu_hist, 0.99);
    s->callbacks_over_half = 0;
    if (s->ss.callbacks && p->rate > 0) {
        double half_ns = 0.5e9 * ((double)s->ss.frame / (double)s->ss.callbacks) / p->rate;
        s->callbacks_over_half = time_hist_count_from(cb_cpu_hist, (uint64_t)half_ns);
    }
    int drained = session_rec_drain(p->rec, 0, p->rec_engine) || session_rec_drain(p->rec, 1, p->rec_player);
    session_rec_finish(p->rec, s->ss.frame);
    return drained;
}

/* The session MIDI (--record) and the event log (--event-log) committed,
 * unless st is an error already. */
static int write_files(play_session *p, int st, char *err, size_t errlen) {
    const play_cli *c = &p->cli;
    if (!st && p->record_open) {
        p->record_open = 0;
        st = session_rec_commit(p->rec, &p->record, err, errlen);
        if (!st && !c->quiet) printf("session MIDI: %s\n", c->record);
    }
    if (!st && p->log_open) {
        p->log_open = 0;
        session_rec_log_to(p->rec, NULL);
        st = lj_atomic_commit(&p->log, err, errlen);
        if (!st && !c->quiet) printf("event log: %s\n", c->event_log);
    }
    return st;
}

/* No audio output: render offered instead (not for bad usage). */
static void offer_render(const play_cli *c, int st) {
    if (st != LJ_ERR_ARG && c->has_preset)
        fprintf(stderr, "no audio output to play on; render to a file instead:\n"
                        "  lstmjam render --preset %s --minutes 5 -o out.wav\n", c->preset.name);
    else if (st != LJ_ERR_ARG)
        fprintf(stderr, "no audio output to play on; render to a file instead:\n"
                        "  lstmjam render --model %s --minutes 5 -o out.wav\n", c->model);
}

int cmd_play(int argc, char **argv) {
    play_session p;
    memset(&p, 0, sizeof p);
    int rc = play_args_parse(argc, argv, &p.cli);
    if (rc) return rc < 0 ? LJ_EXIT_OK : rc;
    if (!p.cli.seed_given) p.cli.engine.seed = (uint64_t)time(NULL);

    char err[1024] = "";
    int st;
    if ((st = play_session_open(&p, err, sizeof err))) goto fail;
    if ((st = play_session_open_audio(&p, err, sizeof err))) {
        cli_error("%s", err);
        offer_render(&p.cli, st);
        play_session_free(&p);
        return cli_exit_code(st);
    }
    if ((st = play_session_start(&p, err, sizeof err))) goto fail;
    play_print_banner(&p);

    catch_signals();
    st = run_loop(&p);

    play_summary sum;
    int drained = end_playing(&p, &sum);
    drained |= close_outputs(&p, &sum);
    play_print_summary(&p, &sum);
    if (!st && drained) st = lj_fail(err, sizeof err, LJ_ERR_NOMEM, "out of memory for the session recording");
    st = write_files(&p, st, err, sizeof err);
    char hung_what[64];
    if (p.device_lost && !play_close_devices(&p, hung_what, sizeof hung_what)) { /* a driver hangs: leave it */
        if (st) cli_error("%s", err[0] ? err : lj_strerror(st));
        fprintf(stderr, "lstmjam: %s did not close within %d ms; exiting without waiting\n", hung_what,
                CLOSE_TIMEOUT_MS);
        fflush(NULL);
        _exit(st ? cli_exit_code(st) : LJ_EXIT_FAIL);
    }
    if (st) goto fail;
    play_session_free(&p);
    return p.device_lost ? LJ_EXIT_FAIL : LJ_EXIT_OK;
fail:
    cli_error("%s", err[0] ? err : lj_strerror(st));
    play_session_free(&p);
    return cli_exit_code(st);
}
