/* lstmjam play's parts (internal to the command): the session they share and
 * the helpers more than one of them calls.
 *
 *   cmd_play.c      the command: opens the session, runs the control loop,
 *                   ends it and writes its files
 *   play_session.c  what the session owns: its opening, its devices' checks
 *                   and bounded close, its engine's timing, its freeing
 *   play_reload.c   the hot swap (SIGHUP or key r)
 *   play_keys.c     the terminal in single-key mode, and what the keys do
 *   play_report.c   what play prints: the banner, the status line, the summary
 *
 * Thread: control, all of them. */
#ifndef LJ_PLAY_SESSION_H
#define LJ_PLAY_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "device/audio_out.h"
#include "device/midi_in.h"
#include "device/midi_out.h"
#include "device/synth.h"
#include "engine/clock_follow.h"
#include "engine/engine.h"
#include "engine/session_rec.h"
#include "event_sched.h"
#include "files.h"
#include "midi_clock_in.h"
#include "midi_route.h"
#include "play_args.h"

/* The terminal in single-key mode while playing (restored at the end). */
typedef struct term_keys {
    int on;
    struct termios saved;
} term_keys;

/* A play session: the command line in force, everything the session owns
 * (freed in one place: play_session_free) and the control loop's state. */
typedef struct play_session {
    play_cli cli;       /* the command line (and preset) in force: a reload replaces the preset's part */
    engine_config ec;   /* the engine's configuration in force (a reload's new one) */
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
    midi_clock_in clock_in; /* --midi-clock in: the ticks' frames (the MIDI thread writes them) */
    clock_follow follow;    /* --midi-clock in: the tempo fitted to clock_in's ticks */
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
    engine_stats past;     /* the counts of the engines a reload replaced (play_session_stats adds them) */
    double start_tempo;    /* BPM the engine started with: another one now was set live */

    /* the control loop's */
    term_keys keys;
    int tty;                    /* stderr is a terminal: the status line rewrites itself */
    double next_status;         /* s (wall_now): when the status line is shown next */
    uint64_t prev_hist[ENGINE_STEP_BUCKETS]; /* the step times' histogram at the last status line */
    unsigned sources_left_told; /* MIDI in's count of ALSA sources that left, as last told */
    double start_check_at;      /* s (wall_now): when the start-up check runs (0: done) */
    uint64_t audio_callbacks0;  /* the audio callbacks counted when the stream started */
    int device_lost, not_started_yet;
    char lost_what[600];        /* the device lost (or not started), for the message */
} play_session;

/* What the session's end counted, for the summary. */
typedef struct play_summary {
    int clean;                 /* the engine stopped in time (else it was panicked) */
    engine_stats es;           /* the session's engines, added up */
    sched_stats ss;            /* the audio side's at the end (no audio: only frame, MIDI out's clock) */
    midi_sink_stats ms;        /* MIDI out's */
    uint64_t mout_xruns;       /* MIDI out's */
    midi_out_jack_follow follow_counts; /* JACK MIDI out's clock moved onto the audio's */
    int followed;              /* follow_counts is filled */
    int mout_jack;             /* MIDI out is JACK's */
    uint64_t mout_refused;     /* messages JACK MIDI out's port buffer refused */
    uint64_t held_at_end;      /* notes the audio side still held after the last callback */
    uint64_t callback_p99_ns;  /* the audio callback's time, 99th percentile */
    uint64_t callback_cpu_p99_ns; /* its CPU time, 99th percentile */
    uint64_t callbacks_over_half; /* callbacks that used half their period of CPU or more
                                     (at least this many: time_hist_count_from) */
} play_summary;

/* play_session.c */

/* Opens what plays, in order: the model and synth, the queues, the clock (the
 * scheduler, or MIDI out without audio), the engine, the recording and the
 * files asked for (a path that cannot be written is refused now). LJ_OK, else
 * an error with its message in err; play_session_free frees what was opened. */
int play_session_open(play_session *p, char *err, size_t errlen);
/* Opens the audio stream (nothing without audio). Its error is the caller's
 * to tell: it offers render. */
int play_session_open_audio(play_session *p, char *err, size_t errlen);
/* Opens MIDI out (with audio) and MIDI in, routes the player, and starts the
 * engine thread. */
int play_session_start(play_session *p, char *err, size_t errlen);
/* Sets the look-ahead and schedule lead for the devices open and p->rate,
 * and starts p->eng's thread. */
int play_engine_start(play_session *p, char *err, size_t errlen);
void play_session_free(play_session *p);

/* The counts of the session's engines added up (a reload replaces the engine;
 * the summary speaks of the session); last_frame and gen_frame are the
 * current engine's. */
void play_engine_stats_add(engine_stats *sum, const engine_stats *s);
void play_session_stats(const play_session *p, engine_stats *out);

/* The CCs of map drive the instrument: the route gives them to the engine
 * only (not thru to the synth, MIDI out or the recording). */
void play_route_controls(midi_route *r, const engine_cc_map *map);

/* engine_config.schedule_lead_frames for the outputs open: what the engine
 * makes "now" (a steer cut, a mode switch) must not reach a consumer after
 * that consumer's period began. The audio clock's step (the period, JACK's
 * buffer on its host API) plus MIDI out's (JACK's buffer; the polled senders'
 * hand-over), plus one period of the engine's own margin (its fill's work
 * between reading the clock and pushing). */
uint64_t play_schedule_lead(const audio_out *out, const midi_out *mout, uint32_t period);

/* Device loss: the devices are closed each on a thread of its own, and play
 * waits for them CLOSE_TIMEOUT_MS at most. PortAudio's JACK host, when the
 * server died under the stream, waits ~10 minutes in Pa_CloseStream and then
 * aborts (pa_jack.c: assertion 'err != ETIMEDOUT'); libjack's calls on a dead
 * server may block too. A device that is still there (MIDI out on ALSA when
 * the audio went) closes within the bound and sends its panic. */
#define CLOSE_TIMEOUT_MS 1500

/* Closes p's devices, each on its own thread, within CLOSE_TIMEOUT_MS
 * (close_bounded.h: a hung close holds up neither the others, so MIDI out
 * still sends its panic when the JACK audio hangs, nor the exit). Returns 1
 * when all closed; 0 when some still hang (their threads are left to them:
 * the process must _exit, since the hung driver may block exit's handlers
 * too), with their names in `what`. Either way p owns them no more. */
int play_close_devices(play_session *p, char *what, size_t len);

/* The device that went away, for the message; NULL while all run. */
const char *play_lost_device(const play_session *p, char *buf, size_t len);

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

/* The device that has not started since p->audio_callbacks0 (the audio
 * callbacks counted at its start), for the message; NULL when all run. */
const char *play_not_started(const play_session *p, char *buf, size_t len);

/* play_reload.c */

/* Hot swap (SIGHUP or key r): the preset, model, engine and synth loaded
 * again while the old ones play on. Returns 1 when the audio cannot go on
 * (the session ends as on device loss), else 0. */
int play_reload(play_session *p);

/* play_keys.c */

/* Sets the terminal to single keys (in the foreground only), k->on when it
 * did; restores it. */
void play_keys_begin(term_keys *k);
void play_keys_end(term_keys *k);
/* 1 when the keys' terminal hung up. */
int play_keys_hung_up(const term_keys *k);

typedef enum play_key_action {
    PLAY_KEY_NONE,   /* nothing, or a key that acted on the engine */
    PLAY_KEY_QUIT,   /* q, or the terminal hung up */
    PLAY_KEY_RELOAD, /* r */
} play_key_action;
/* Waits 50 ms for a key and does what it says to the engine. */
play_key_action play_keys_wait(const term_keys *k, engine *eng);

/* play_report.c */

/* The banner: the SoundFont and synth, model, audio or MIDI clock, MIDI out
 * and in, the engine thread's priority (stdout; nothing when quiet). */
void play_print_banner(const play_session *p);
/* The status line, once a second (stderr: on a terminal it rewrites itself). */
void play_print_status(play_session *p);
/* The device lost or not started (stderr), then the session's counts
 * (stdout, nothing when quiet). */
void play_print_summary(const play_session *p, const play_summary *s);

#endif
