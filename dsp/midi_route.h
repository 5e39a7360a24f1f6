/* midi_route: a player's MIDI message -> lj_events for the sides that
 * want it, RT-safe (called from a MIDI driver's thread: JACK's process
 * callback, the PortMidi poll thread).
 *
 *   live    the audio side (dsp/event_sched's live queue): MIDI thru, the
 *           player's note sounds at the next callback, on the thru channel
 *   engine  the engine (engine_config.player): the notes enter the model's
 *           context (continue mode)
 *   record  the control thread: the session recording
 *   out     MIDI out's thru queue (dsp/midi_sink's, midi_route_thru_to_out):
 *           the DAW gets the player's notes too, on the thru channel
 *
 * Note on/off (velocity 0 = off), control change and program change are
 * routed, on the thru channel when one is set (a control change that drives
 * the instrument to the engine only: midi_route_set_controls); pitch bend
 * (14 bits), channel pressure and poly key pressure go thru the same way
 * to live, record and out, not to the engine (its model hears notes); MIDI
 * clock and Start/Continue/Stop go to the clock follower when one is set
 * (midi_route_follow_clock); everything else (sysex, song position...) is
 * counted and ignored. Every event carries the
 * audio clock's frame at arrival. A full queue drops the event there (the
 * queue's overflow counter: the audio side panics). */
#ifndef LJ_MIDI_ROUTE_H
#define LJ_MIDI_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "midi_clock_in.h"
#include "rtq.h"

typedef struct midi_route {
    rtq *live;        /* to the audio side, or NULL */
    rtq *engine;      /* to the engine, or NULL */
    rtq *record;      /* to the control thread, or NULL */
    rtq *out;         /* to MIDI out (midi_route_thru_to_out), or NULL */
    int channel;      /* thru channel 0..15, or -1 to keep the message's own (the
                         driver thread's: midi_route_set_channel asks for a change) */
    _Atomic int channel_asked; /* midi_route_set_channel's, taken at the next message */
    midi_clock_in *clock_in; /* MIDI clock follower (midi_route_follow_clock), or NULL */
    _Atomic uint64_t controls[2]; /* bit n: CC n drives a control (midi_route_set_controls) */
    _Atomic uint64_t routed;  /* messages turned into events */
    _Atomic uint64_t ignored; /* messages of other kinds, or malformed */
} midi_route;

/* Sets the queues and channel, zeroes the counters. Thread: init. */
void midi_route_init(midi_route *r, rtq *live, rtq *engine, rtq *record, int channel);

/* The player's messages go to MIDI out too, through q (its thru queue,
 * midi_out_set_thru; NULL: not). Thread: init (before the driver runs). */
void midi_route_thru_to_out(midi_route *r, rtq *q);

/* The controllers that drive the instrument (a preset's midi.cc: temperature,
 * density, tempo, mode, panic): n numbers 0..127 (others are skipped). Their
 * messages go to the engine only, not thru to the synth, MIDI out or the
 * recording: the mod wheel turning the temperature must not also add the
 * synth's vibrato to the player's notes. CC 120 and 123 (all sound/notes off)
 * always go everywhere. Thread: any (a reload's new mapping while the driver
 * runs: each bit is read atomically). */
void midi_route_set_controls(midi_route *r, const int *ccs, int n);

/* Moves the player's notes to thru channel `channel` (0..15, or -1: keep
 * each message's own), as a reload of a preset with a new midi.thru_channel
 * asks. The driver's thread makes the change at the next channel message
 * (before routing it): an all-notes-off of the old thru channel (a panic of
 * every channel when it was -1) goes to the live queue, MIDI out's thru
 * queue and the recording first, so a key held across the change is not
 * left sounding on the old channel when its note-off comes on the new one.
 * Thread: any (an atomic store; the driver may be running). */
void midi_route_set_channel(midi_route *r, int channel);

/* Hands the clock and transport messages (0xF8, 0xFA-0xFC) to c from now on
 * (NULL: ignore them again). Thread: init (before the driver runs). */
void midi_route_follow_clock(midi_route *r, midi_clock_in *c);

/* Routes one message of len bytes (status byte first) at audio frame `frame`.
 * Thread: the MIDI driver's (RT-safe; one producer per queue). */
void midi_route_message(midi_route *r, uint64_t frame, const uint8_t *msg, size_t len);

/* The input device went away (unplugged, its server died): the keys it held
 * will never send their note-offs, so an all-notes-off of the thru channel
 * (a panic of every channel without one) goes to the live queue (no thru note
 * left sounding), MIDI out's thru queue and the recording (the session's notes end here); not to the
 * engine, whose held keys time out on their own. Thread: the MIDI driver's
 * (RT-safe), or the owner once the driver is stopped. */
void midi_route_device_lost(midi_route *r, uint64_t frame);

#endif
