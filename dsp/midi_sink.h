/* midi_sink: the MIDI-out counterpart of dsp/event_sched, RT-safe. It
 * consumes timed lj_events from one SPSC queue and writes them as MIDI bytes
 * at their frame offsets in the current period, through a writer the driver
 * gives (JACK: jack_midi_event_write into the port buffer; a polled ALSA or
 * PortMidi sender: the message now).
 *
 * Timing rule: a call for frames [now, now + frames) pops every queued event
 * with frame < now + frames and writes it at offset frame - now (0 for a late
 * event, counted), so on JACK an event leaves at exactly its scheduled frame
 * of the sink's clock; events of one frame leave in queue order. The same
 * held-note table as the audio side (dsp/voice.h) stands between the events
 * and the wire (a key struck again while held goes out as note-off then
 * note-on at the same offset: the receiver's notes of one key never nest), so a panic, an
 * overflow of the queue (an event lost, maybe a note-off) or midi_sink_panic
 * sends a note-off for every note the sink started, pedals up and
 * all-notes-off (CC 123) on all 16 channels: no note is left on in the DAW
 * either. An overflow panics twice: at once, and again right after the last
 * event that was queued when the overflow was seen, since a note-on among
 * those may have lost its note-off (the producer of a mirror queue pushes no
 * panic of its own).
 *
 * MIDI clock (optional, midi_sink_clock_enable): the sink sends Start (0xFA)
 * in its first period, then Timing Clock (0xF8) 24 times per quarter note at
 * the tempo set last (midi_sink_set_clock_tempo, from any thread: the engine's
 * tempo), each at its frame offset among the events (ticks and events leave
 * in frame order; a tempo change applies from the next tick), and Stop (0xFC)
 * when asked (midi_sink_clock_stop_request; stats.clock_running says when it
 * went).
 *
 * Memory: plain data embedded by its owner; nothing allocated. Reporting:
 * atomic counters (midi_sink_get_stats), never printing. */
#ifndef LJ_MIDI_SINK_H
#define LJ_MIDI_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "rtq.h"
#include "voice.h"

/* Writes one MIDI message of len bytes at `offset` frames into the current
 * period. Thread: the sink's (RT-safe). */
typedef void (*midi_sink_write_fn)(void *user, uint32_t offset, const uint8_t *msg, size_t len);

typedef struct midi_sink {
    rtq *events;            /* lj_event queue; the sink is its consumer */
    midi_sink_write_fn write;
    void *user;
    voice_table voices;     /* notes the sink started and did not end */
    lj_synth_ops ops;       /* voice_* calls land here: they write MIDI */
    uint32_t offset;        /* offset of the event being applied */
    uint64_t overflows_seen;
    _Atomic(rtq *) thru;    /* the player's notes (midi_sink_set_thru), or NULL */
    rtq *thru_seen;         /* the thru queue whose overflows thru_overflows_seen counts */
    uint64_t thru_overflows_seen;
    uint64_t repanic_after; /* events to send before the overflow's second panic (0: none due) */
    _Atomic uint64_t messages, late_events, late_frames_max, panics, frame, held;
    /* MIDI clock */
    double clock_rate;              /* frames per second; 0 = no clock */
    double clock_next;              /* frame of the next tick (fractional: exact on average) */
    int clock_state;                /* 0 not started, 1 running, 2 stopped */
    _Atomic uint64_t clock_tempo_milli; /* BPM * 1000 */
    _Atomic int clock_stop_req;
    _Atomic uint64_t clock_ticks;
    _Atomic int clock_running;
} midi_sink;

typedef struct midi_sink_stats {
    uint64_t messages;        /* MIDI messages written */
    uint64_t late_events;     /* events whose frame had passed: written at offset 0 */
    uint64_t late_frames_max; /* the latest of them, frames */
    uint64_t panics;          /* panics sent (events, overflows, midi_sink_panic) */
    uint64_t frame;           /* the end of the last period processed */
    uint64_t held;            /* notes the sink started and did not end (after the last period) */
    uint64_t clock_ticks;     /* MIDI clock ticks (0xF8) sent */
    int clock_running;        /* 1 between the clock's Start and Stop */
} midi_sink_stats;

/* Sets the queue and the writer; no note held. Thread: init. */
void midi_sink_init(midi_sink *s, rtq *events, midi_sink_write_fn write, void *user);

/* A second queue, of the player's notes (MIDI thru: the MIDI input thread
 * is its producer): each period its events go first, at offset 0, whatever
 * their frame (they are due now: the player plays them now), through the same
 * held-note table, so a panic ends them too; an overflow of it panics after
 * the events queued (the lost one may be their note-off). NULL
 * turns it off. Thread: any, once the sink runs (an atomic pointer). */
void midi_sink_set_thru(midi_sink *s, rtq *thru);

/* Writes the events due in [now, now + frames) as above. Never fails.
 * Thread: the sink's (RT-safe). */
void midi_sink_process(midi_sink *s, uint64_t now, uint32_t frames);

/* Turns the MIDI clock on: `rate` frames per second (the clock of `now`); it
 * starts in the first period after a tempo is set. Before the first
 * midi_sink_process. Thread: init. */
void midi_sink_clock_enable(midi_sink *s, double rate);
/* The clock's tempo from the next tick on, BPM > 0. Thread: any. */
void midi_sink_set_clock_tempo(midi_sink *s, double bpm);
/* Stop (0xFC) in the next period; the clock sends nothing more. Thread: any. */
void midi_sink_clock_stop_request(midi_sink *s);

/* Note-off for every held note, pedals up, all-notes-off on every channel,
 * at `offset`. Thread: the sink's, or the owner while it does not run. */
void midi_sink_panic(midi_sink *s, uint32_t offset);

/* Counters (atomic loads). Thread: any. */
void midi_sink_get_stats(const midi_sink *s, midi_sink_stats *out);

#endif
