/* midi_out: the model's notes to a DAW or a hardware synth (dsp/midi_sink on
 * a driver's thread).
 *
 *   "jack" or "jack:PORT"  a JACK client "lstmjam-out" with a MIDI output port
 *                          "lstmjam-out:midi_out" (connected to PORT when
 *                          given); JACK's process callback writes each event at
 *                          its frame offset in the period: sample-exact on the
 *                          clock the events were scheduled on
 *   "alsa" or "alsa:DEST"  an ALSA sequencer client "lstmjam" with a port
 *                          "out" that other programs subscribe to (connected
 *                          to DEST, "client:port" or a client name, when
 *                          given); a 1 ms thread hands each event to a queue
 *                          of ours up to 2 ms before its time, scheduled at
 *                          that time (the sequencer sends it then)
 *   "virtual"              "alsa" where the ALSA sequencer exists, else "jack"
 *                          (the port a DAW connects to; presets' midi.out)
 *   anything else          a PortMidi output device by index or name substring
 *                          (ALSA sequencer on Linux), opened with a latency
 *                          of 2 ms and a clock of ours; the same 1 ms thread
 *                          writes each message up to 2 ms before its time with
 *                          the PortMidi timestamp of that time
 *                          (midi_out_pm_stamp), and PortMidi's queue sends it
 *                          then
 *
 * A subscriber leaving lstmjam:out (the "alsa" and "virtual" port) gets no
 * panic, by decision: one that exited has nothing left sounding; one that was
 * disconnected (aconnect -d, a patchbay) no longer receives anything from the
 * port (the sequencer sends to the subscribers of the moment), so note-offs
 * could only reach it as direct events to a port that was told to stop
 * listening; what it still sounds is its own to release, as when a MIDI cable
 * is pulled. The held-note table does not depend on who listens: the other
 * subscribers, and later ones, get every note-off as before (a new one may
 * get note-offs without their note-ons: harmless).
 *
 * The clock: with `clock` given (the audio clock, sched_clock: play with
 * audio) the events' frames are read against it; without (play --no-audio)
 * midi_out is the clock itself (midi_out_clock: the frames of the JACK cycles processed, or the
 * monotonic time since the open in frames of `sample_rate` for the polled
 * backends), and the engine reads it. Every backend goes through midi_sink's
 * held-note table, so a panic event, a lost event or the close
 * (midi_out_close sends the panic itself when notes are still on) leaves no
 * note on at the other end. Thread: control (all). */
#ifndef LJ_MIDI_OUT_H
#define LJ_MIDI_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "lj_status.h"
#include "midi_sink.h"
#include "rtq.h"

typedef uint64_t (*midi_out_clock_fn)(void *user);
typedef struct midi_out midi_out;

/* Opens the output named by spec and starts sending the events of `events`
 * (an lj_event queue; midi_out is its consumer). LJ_ERR_ARG when nothing
 * matches spec or a JACK port to connect to does not exist, LJ_ERR_IO when the
 * server, the sequencer or the device fails (the message says which and why). */
int midi_out_open(const char *spec, rtq *events, double sample_rate, midi_out_clock_fn clock,
                  void *clock_user, int midi_clock, midi_out **out, char *err, size_t errlen);
/* With midi_clock the output sends MIDI clock (dsp/midi_sink: Start, 24 ticks
 * per quarter note, Stop at the close) from the first tempo set here on, at
 * the tempo set last (play: the engine's). Thread: any. */
void midi_out_set_clock_tempo(midi_out *m, double bpm);
/* Sends note-offs for whatever it left on (JACK: a panic pushed into the
 * events queue, so its producer must have stopped), then stops and closes;
 * NULL no-op. */
void midi_out_close(midi_out *m);
const char *midi_out_name(const midi_out *m);
/* 1 once the output is gone (JACK: the server shut down or dropped the
 * client, jack_on_info_shutdown); play then ends as on device loss. The
 * polled backends never set it. Thread: any. */
int midi_out_lost(const midi_out *m);
/* 1 once the output runs: JACK, once the server has run the client's process
 * callback (jackd can activate a client and never run it: its notes would be
 * lost without a word; play's start-up check ends the session instead); the
 * polled backends at once. Thread: any. */
int midi_out_started(const midi_out *m);
double midi_out_rate(const midi_out *m); /* the clock's rate: JACK's, or the one asked for */
/* JACK: the xruns the server reported to the client since the open (play
 * --no-audio shows them; with audio, the audio side's count); the polled
 * backends: 0. Thread: any. */
uint64_t midi_out_xruns(const midi_out *m);
/* How far ahead of the clock the engine reads an event must be queued to
 * leave in time, frames (engine_config.schedule_lead_frames adds it): JACK,
 * the server's buffer size (the process callback takes a period at once and
 * may run between the engine's reading of the clock and its push); the polled
 * backends, their LEAD_MS hand-over plus the 1 ms pass. Thread: control. */
uint64_t midi_out_lead_frames(const midi_out *m);
/* The player's notes to send too (MIDI thru to the DAW): an lj_event queue
 * whose producer is the MIDI input's thread (midi_route_thru_to_out); see
 * midi_sink_set_thru. Thread: control, before MIDI in opens. */
void midi_out_set_thru(midi_out *m, rtq *thru);
/* The clock of a midi_out opened without one (frames); an engine_clock_fn. */
uint64_t midi_out_clock(void *m);
void midi_out_get_stats(const midi_out *m, midi_sink_stats *out);

/* JACK MIDI out on an external clock (play with audio: the audio callback is
 * another JACK client). Each cycle the sink's clock is jack_time (the frames
 * of the cycles this client ran) plus an offset: the smallest audio -
 * jack_time of the last MIDI_OUT_OFFSET_WINDOW..2*MIDI_OUT_OFFSET_WINDOW
 * cycles (the audio clock reads as this cycle's start or a period later,
 * depending on which client ran first). A lower offset applies at once; a
 * higher one (this client lost a cycle the audio did not) only in a cycle
 * where no queued event falls in the frames the raise skips (next_event: the
 * frame of the first queued event, UINT64_MAX none), so no event is ever
 * written late, off the period grid, by the clock's own catch-up. Returns
 * the sink's `now` for the cycle (audio while the stream has not run).
 * Zero-initialize the struct. Pure; for the tests. */
#define MIDI_OUT_OFFSET_WINDOW 64 /* cycles: 171 ms at 128 frames, 48 kHz */
typedef struct {
    int64_t offset;           /* in use: audio clock - jack_time */
    int64_t min_prev, min_cur; /* the smallest of the last block, of this block */
    unsigned cycles;          /* cycles in this block */
    int have;                 /* 0 until the audio clock first ran */
    uint64_t raises, lowers;  /* offset changes applied: up (lstmjam-out lost a cycle), down (the audio did) */
    uint64_t raises_deferred; /* cycles a raise waited for a gap between events */
} midi_out_jack_follow;
uint64_t midi_out_jack_now(midi_out_jack_follow *f, uint64_t audio, uint64_t jack_time, uint64_t next_event);
/* The counts of a JACK output's follower (raises, lowers, raises_deferred;
 * zeros elsewhere); returns 1 when the output is JACK on an external clock.
 * Thread: any. */
int midi_out_clock_follow(const midi_out *m, midi_out_jack_follow *out);
/* JACK: messages the port buffer refused (out of frame order, or a full
 * buffer), among those midi_sink counted written; 0 elsewhere. Thread: any. */
uint64_t midi_out_refused(const midi_out *m);
int midi_out_is_jack(const midi_out *m);

/* The sequencer event of one whole MIDI message (status byte first) through
 * alsa-lib's encoder (snd_midi_event_new); 0 when it has none. Pure. */
struct snd_midi_event; /* alsa/asoundlib.h */
struct snd_seq_event;
int midi_out_alsa_encode(struct snd_midi_event *encoder, const uint8_t *msg, size_t len,
                         struct snd_seq_event *ev);
/* The time (ns) at which the ALSA queue sends an event of `frame` when the
 * clock read clock_frame at clock_ns (rate frames per second): clock_ns plus
 * the frames still to go (none for a late event), and never before *last_ns,
 * which it then advances: the clock of play with audio moves a period at a
 * time, so two windows could otherwise stamp a later event before an earlier
 * one (a note-off before its note-on). Pure; for the tests. */
uint64_t midi_out_event_ns(uint64_t frame, uint64_t clock_frame, uint64_t clock_ns, double rate,
                           uint64_t *last_ns);

/* PortMidi timestamps. The PortMidi clock of an output (its time_proc) is
 * the monotonic time since the open in whole ms, rounded (midi_out_pm_ms),
 * read once per pass of the sender; midi_out_event_ns maps an event's frame
 * onto it (the same as for ALSA). midi_out_pm_stamp gives the stamp of an
 * event due at event_ns on an output opened with latency_ms: the due ms minus
 * the latency (PortMidi sends at stamp + latency; a late event's stamp is
 * due now, so it leaves at once), modulo 2^32 as PortMidi's int32 (it wraps
 * after 49.7 days: PortMidi only takes differences); never 0 (PortMidi's
 * "now": 1 instead), never before the last stamp (PortMidi wants them
 * non-decreasing), and at least PM_ORDER_MS (2) after the last stamp of an
 * earlier pass. Why that last rule: PortMidi 217 on ALSA schedules each
 * message at its queue's tick (1 ms, updated by the kernel's timer) plus
 * stamp - time_proc() + latency: two 1 ms clocks read at different moments,
 * whose difference can step by up to 2 ticks between passes, so two messages
 * of different passes stamped within 2 ms could leave swapped (a note-off
 * before its note-on). Within a pass time_proc does not move and the queue's
 * tick only grows: the order stays. Pure; for the tests. */
typedef struct {
    uint32_t last; /* the last stamp given */
    unsigned pass; /* the pass it was given in */
    int any;       /* 0 before the first */
} midi_out_pm_order;
uint32_t midi_out_pm_ms(uint64_t ns);
int32_t midi_out_pm_stamp(uint64_t event_ns, uint32_t latency_ms, unsigned pass, midi_out_pm_order *order);

#endif
