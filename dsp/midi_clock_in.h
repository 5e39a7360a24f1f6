/* midi_clock_in: incoming MIDI clock, as a MIDI driver's thread sees it
 * (JACK's process callback, the PortMidi poll or ALSA sequencer thread).
 * RT-safe: each message is one relaxed store and one release store; nothing
 * here allocates, locks or prints. The control thread reads it (src/
 * clock_follow.h turns the tick frames into a tempo and applies it).
 *
 *   0xF8 Timing Clock  24 per quarter note: its audio-clock frame goes into a
 *                      ring of the last MIDI_CLOCK_RING ticks
 *   0xFA Start, 0xFB Continue, 0xFC Stop   the transport: counted, the last
 *                      one kept with a sequence number
 *
 * One writer (the driver's thread), any number of readers. A reader copies
 * the newest ticks with midi_clock_in_ticks, which detects a writer that
 * lapped it during the copy. */
#ifndef LJ_MIDI_CLOCK_IN_H
#define LJ_MIDI_CLOCK_IN_H

#include <stdatomic.h>
#include <stdint.h>

#define MIDI_CLOCK_RING 64 /* ticks kept: over two quarter notes */

typedef struct midi_clock_in {
    _Atomic uint64_t tick_frame[MIDI_CLOCK_RING]; /* frame of tick n at [n % MIDI_CLOCK_RING] */
    _Atomic uint64_t ticks;      /* 0xF8 received (the next tick's number) */
    _Atomic uint64_t transport;  /* Start/Continue/Stop received */
    _Atomic uint32_t last_transport; /* the last one's status byte: 0xFA, 0xFB or 0xFC (0: none) */
} midi_clock_in;

/* Zeroes everything. Thread: init (before the driver runs). */
void midi_clock_in_init(midi_clock_in *c);

/* One real-time message (status byte) at audio frame `frame`; returns 1 when
 * it was clock or transport, 0 for any other byte (not taken). Thread: the
 * MIDI driver's (RT-safe; the only writer). */
int midi_clock_in_message(midi_clock_in *c, uint64_t frame, uint8_t status);

/* Copies the frames of the newest ticks, oldest first, into out[0..n) (at
 * most max, at most MIDI_CLOCK_RING - 8: the writer has room to run ahead
 * during the copy) and the total number of ticks received into *total; the
 * count copied. Thread: any. */
int midi_clock_in_ticks(midi_clock_in *c, uint64_t *out, int max, uint64_t *total);

#endif
