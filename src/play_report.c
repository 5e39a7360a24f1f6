/* What lstmjam play tells the player: the banner at the start (stdout), the
 * status line once a second from the other threads' counters (stderr), and
 * the summary at the end (stdout). */
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "play_session.h"
#include "preset.h"

static const char *mode_name(engine_mode m) {
    static const char *const names[ENGINE_MODES] = {"auto", "continue", "respond", "steer", "accompany"};
    return (int)m >= 0 && m < ENGINE_MODES ? names[m] : "?";
}

void play_print_banner(const play_session *p) {
    const play_cli *c = &p->cli;
    const engine_config *ec = &p->ec;
    const double rate = p->rate;
    if (c->quiet) return;
    if (p->out) {
        char desc[256];
        synth_describe(p->syn, desc, sizeof desc);
        char sfl[2 * PATH_MAX + 8];
        printf("SoundFont: %s\nsynth: %s\n", synth_soundfont_label(p->sf, sfl, sizeof sfl), desc);
    }
    printf("model: %s (%s), mode %s, seed %llu\n", c->model, engine_model_encoding(p->model),
           mode_name(ec->mode), (unsigned long long)ec->seed);
    fputs(c->vary_note, stdout); /* the preset's drifts set explicitly: off */
    if (p->out)
        printf("audio: %s, %g Hz, period %u frames asked, output latency %.1f ms; look-ahead %.1f ms, "
               "schedule lead %.1f ms\n",
               audio_out_device(p->out), audio_out_rate(p->out), c->period,
               1000 * audio_out_latency(p->out), 1000.0 * (double)ec->lookahead_frames / rate,
               1000.0 * (double)play_schedule_lead(p->out, p->mout, c->period) / rate);
    else
        printf("no audio: MIDI out only, %g Hz clock; look-ahead %.1f ms, schedule lead %.1f ms\n", rate,
               1000.0 * (double)ec->lookahead_frames / rate,
               1000.0 * (double)play_schedule_lead(p->out, p->mout, c->period) / rate);
    if (p->mout)
        printf("MIDI out: %s (channel %d)%s\n", midi_out_name(p->mout), ec->channel + 1,
               c->midi_clock == PRESET_CLOCK_OUT ? ", MIDI clock at the engine's tempo" : "");
    if (p->min) printf("MIDI in: %s (thru on channel %d)%s\n", midi_in_name(p->min), c->thru_channel + 1,
                       c->midi_clock == PRESET_CLOCK_IN ? ", its MIDI clock sets the tempo" : "");
    if (p->min && midi_in_reopened(p->min))
        printf("MIDI in: the JACK server never ran the first client: replaced %d time(s)\n",
               midi_in_reopened(p->min));
    int why, prio = engine_thread_priority(p->eng, &why);
    if (prio) printf("engine thread: real-time (SCHED_FIFO %d)\n", prio);
    else if (why)
        printf("engine thread: normal priority (real-time refused: %s; see the README's latency tuning)\n",
               strerror(why));
    fflush(stdout);
}

void play_print_status(play_session *p) {
    engine_stats es;
    sched_stats ss;
    memset(&ss, 0, sizeof ss);
    play_session_stats(p, &es);
    if (p->sch) sched_get_stats(p->sch, &ss);
    else { /* no audio: MIDI out's own counts */
        midi_sink_stats mo;
        midi_out_get_stats(p->mout, &mo);
        ss.frame = p->clk(p->clk_user);
        ss.xruns = midi_out_xruns(p->mout);
        ss.late_events = mo.late_events;
    }
    uint64_t last[ENGINE_STEP_BUCKETS];
    for (int b = 0; b < ENGINE_STEP_BUCKETS; b++) {
        last[b] = es.step_hist[b] - p->prev_hist[b];
        p->prev_hist[b] = es.step_hist[b];
    }
    double ahead = es.gen_frame > ss.frame ? (double)(es.gen_frame - ss.frame) / p->rate : 0;
    char cb_max[48] = ""; /* the audio callback's longest run so far (no callback: MIDI out only) */
    if (p->sch)
        snprintf(cb_max, sizeof cb_max, " | callback max %.0f us", (double)ss.callback_ns_max / 1e3);
    char dens[16] = "-"; /* "-": density does not apply to this model (abc) */
    if (engine_model_density_applies(p->model))
        snprintf(dens, sizeof dens, "%.2f", engine_density_in_force(p->eng));
    const int tty = p->tty;
    fprintf(stderr,
            "%s%s | %s | T %.2f | D %s | %.0f BPM | step p50 %.0f us p99 %.0f us | ahead %.1f ms | "
            "notes %llu | xruns %llu dropped %llu late %llu%s%s%s",
            tty ? "\r" : "", engine_get_paused(p->eng) ? "paused" : mode_name(engine_get_mode(p->eng)),
            engine_model_name(p->model), engine_get_temperature(p->eng), dens,
            engine_tempo_in_force(p->eng),
            (double)engine_hist_quantile(last, 0.5) / 1e3,
            (double)engine_hist_quantile(last, 0.99) / 1e3, 1000 * ahead,
            (unsigned long long)es.notes, (unsigned long long)ss.xruns,
            (unsigned long long)(es.dropped + ss.overflows_seen),
            (unsigned long long)ss.late_events, cb_max, tty ? "   " : "", tty ? "" : "\n");
    fflush(stderr);
}

/* The counts of a session without audio: MIDI out's (no callback of ours). */
static void print_played_midi_only(const play_session *p, const play_summary *s) {
    const engine_stats *es = &s->es;
    printf("played %.1f s: %llu notes from the model, %zu from the player; %llu steps, step p50 "
           "%.1f us, p99 %.1f us; xruns %llu, dropped %llu, late %llu (MIDI out's), %llu notes left on%s\n",
           (double)s->ss.frame / p->rate, (unsigned long long)session_rec_notes(p->rec, 0),
           session_rec_notes(p->rec, 1),
           (unsigned long long)es->steps, (double)engine_hist_quantile(es->step_hist, 0.5) / 1e3,
           (double)engine_hist_quantile(es->step_hist, 0.99) / 1e3, (unsigned long long)s->mout_xruns,
           (unsigned long long)es->dropped, (unsigned long long)s->ms.late_events, (unsigned long long)s->ms.held,
           s->clean ? "" : " (engine stop timed out: panicked)");
}

static void print_played(const play_session *p, const play_summary *s) {
    const engine_stats *es = &s->es;
    const sched_stats *ss = &s->ss;
    printf("played %.1f s: %llu notes from the model, %zu from the player; %llu steps, step p50 "
           "%.1f us, p99 %.1f us; xruns %llu, dropped %llu, late %llu, callback max %.1f us, p99 %.1f us, "
           "%llu notes left on%s\n",
           (double)ss->frame / p->rate, (unsigned long long)session_rec_notes(p->rec, 0),
           session_rec_notes(p->rec, 1),
           (unsigned long long)es->steps, (double)engine_hist_quantile(es->step_hist, 0.5) / 1e3,
           (double)engine_hist_quantile(es->step_hist, 0.99) / 1e3, (unsigned long long)ss->xruns,
           (unsigned long long)(es->dropped + ss->overflows_seen), (unsigned long long)ss->late_events,
           (double)ss->callback_ns_max / 1e3, (double)s->callback_p99_ns / 1e3,
           (unsigned long long)s->held_at_end,
           s->clean ? "" : " (engine stop timed out: panicked)");
}

/* What the callback's wall time was made of: its own CPU time against the
 * period (the mean frames per callback), how long the machine kept it off the
 * CPU, and in how many callbacks it slept or was preempted. An xrun with a
 * callback that used a small part of the period and never slept is the
 * machine's (tests/jack_lib.sh's jack_xruns_check reads this line). */
static void print_callback_cpu(const play_session *p, const play_summary *s) {
    const sched_stats *ss = &s->ss;
    if (!ss->callbacks || p->rate <= 0) return;
    double period_us = 1e6 * ((double)ss->frame / (double)ss->callbacks) / p->rate;
    printf("audio callback: CPU time p99 %.1f us, max %.1f us (callback %llu) of a %.1f us period; "
           "half the period or more in %llu of %llu callbacks; slept in %llu (first: callback %llu), "
           "preempted in %llu, page faults in %llu; off the CPU up to %.1f us\n",
           (double)s->callback_cpu_p99_ns / 1e3, (double)ss->callback_cpu_ns_max / 1e3,
           (unsigned long long)ss->callback_cpu_max_at + 1, period_us,
           (unsigned long long)s->callbacks_over_half, (unsigned long long)ss->callbacks,
           (unsigned long long)ss->callbacks_blocked, (unsigned long long)ss->first_blocked_at,
           (unsigned long long)ss->callbacks_preempted, (unsigned long long)ss->callbacks_faulted,
           (double)ss->callback_off_cpu_ns_max / 1e3);
}

static void print_engine(const engine_stats *es) {
    printf("engine: %llu player notes fed to the model (%llu not encodable), %llu of their note-offs, "
           "%llu phrases, %llu panics\n",
           (unsigned long long)es->steered, (unsigned long long)es->steer_unencoded,
           (unsigned long long)es->steered_offs, (unsigned long long)es->phrases,
           (unsigned long long)es->panics);
    if (es->onset_stalls) /* a degenerate model (ENGINE_MAX_ONSETS) */
        printf("engine: %llu times %d note-ons in %.0f ms of music: the model had to move time first\n",
               (unsigned long long)es->onset_stalls, ENGINE_MAX_ONSETS, ENGINE_ONSET_WINDOW * 1e3);
    if (es->onsets_capped) /* abc: a chord or run of short notes over it */
        printf("engine: %llu note-ons not played, over %d in %.0f ms of music\n",
               (unsigned long long)es->onsets_capped, ENGINE_MAX_ONSETS, ENGINE_ONSET_WINDOW * 1e3);
    if (es->vary_stopped & ENGINE_VARY_TEMPO) /* engine_vary: the player's value stands */
        printf("engine: a tempo set live turned the preset's mode.vary.tempo off\n");
    if (es->vary_stopped & ENGINE_VARY_DENSITY)
        printf("engine: a density set live turned the preset's mode.vary.density off\n");
}

static void print_midi(const play_session *p, const play_summary *s) {
    const play_cli *c = &p->cli;
    const midi_sink_stats *ms = &s->ms;
    if (c->midi_clock == PRESET_CLOCK_IN)
        printf("MIDI clock in: %llu ticks, %llu Start/Continue/Stop; tempo %.1f BPM, set %llu times; "
               "%llu tempo CCs ignored (the clock sets the tempo)\n",
               (unsigned long long)atomic_load(&p->clock_in.ticks),
               (unsigned long long)atomic_load(&p->clock_in.transport), p->follow.bpm,
               (unsigned long long)p->follow.changes, (unsigned long long)s->es.tempo_ccs_ignored);
    if (c->midi_out)
        printf("MIDI out: %llu messages, %llu late (at most %llu frames), %llu panics, %llu notes left on; "
               "%llu MIDI clock ticks\n",
               (unsigned long long)ms->messages, (unsigned long long)ms->late_events,
               (unsigned long long)ms->late_frames_max, (unsigned long long)ms->panics,
               (unsigned long long)ms->held, (unsigned long long)ms->clock_ticks);
    if (s->mout_jack) { /* every message accounted for, and what moved MIDI out against the audio (bench/play_soak.sh) */
        printf("MIDI out (JACK): %llu messages refused by the port buffer", (unsigned long long)s->mout_refused);
        if (s->followed)
            printf("; clock on the audio's: raised %llu times, lowered %llu times (whole periods: a cycle one of "
                   "the two JACK clients lost, or their order in the cycle); a raise waited %llu cycles for a gap "
                   "between events",
                   (unsigned long long)s->follow_counts.raises, (unsigned long long)s->follow_counts.lowers,
                   (unsigned long long)s->follow_counts.raises_deferred);
        printf("\n");
    }
}

void play_print_summary(const play_session *p, const play_summary *s) {
    if (p->not_started_yet)
        cli_error("%s within %.0f s of its start; the session ends here (is the JACK server overloaded, or "
                  "wedged? restart it, or render to a file: lstmjam render)", p->lost_what, START_CHECK_S);
    else if (p->device_lost)
        cli_error("%s stopped (device lost); the session ends here", p->lost_what);
    if (p->cli.quiet) return;
    if (!p->sch) print_played_midi_only(p, s);
    else {
        print_played(p, s);
        print_callback_cpu(p, s);
    }
    print_engine(&s->es);
    print_midi(p, s);
}
