/* midi_in: the player's MIDI keyboard, from PortMidi or JACK.
 *
 *   "jack" or "jack:PORT"  a JACK client "lstmjam" with a MIDI input port
 *                          "lstmjam-midi:midi_in" (connected from PORT when given);
 *                          JACK's process callback routes the events
 *   anything else          a PortMidi input device by index or name substring
 *                          (ALSA sequencer on Linux); PortMidi is polled, so a
 *                          thread reads it every millisecond
 *
 * Every message goes through dsp/midi_route (thru to the audio side, the
 * engine, the session recording), stamped with the audio clock at arrival
 * (JACK: plus the event's offset in the JACK period). Thread: control (all). */
#ifndef LJ_MIDI_IN_H
#define LJ_MIDI_IN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lj_status.h"
#include "midi_route.h"

typedef uint64_t (*midi_in_clock_fn)(void *user);
typedef struct midi_in midi_in;

/* Opens the input named by spec and starts routing into route (which must
 * outlive it). LJ_ERR_ARG when nothing matches spec, LJ_ERR_IO when the device
 * or the JACK server fails. */
int midi_in_open(const char *spec, midi_route *route, midi_in_clock_fn clock, void *clock_user,
                 midi_in **out, char *err, size_t errlen);
/* Stops routing (no call into route after it returns) and closes; NULL no-op. */
void midi_in_close(midi_in *m);
const char *midi_in_name(const midi_in *m); /* what was opened, for messages */

/* Lists PortMidi inputs and outputs to fp; returns the count, -1 on error. */
int midi_in_list_portmidi(FILE *fp, char *err, size_t errlen);

#endif
