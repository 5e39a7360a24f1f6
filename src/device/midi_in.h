/* midi_in: the player's MIDI keyboard, from PortMidi, JACK or the ALSA sequencer.
 *
 *   "jack" or "jack:PORT"  a JACK client "lstmjam" with a MIDI input port
 *                          "lstmjam-midi:midi_in" (connected from PORT when given);
 *                          JACK's process callback routes the events
 *   "alsa" or "alsa:SRC"   an ALSA sequencer client "lstmjam-midi" with a port "in"
 *                          that other programs connect to (connected from SRC,
 *                          "client:port" or a client name, when given); a
 *                          thread waits on the sequencer and routes each event
 *   anything else          a PortMidi input device by index or name substring
 *                          (ALSA sequencer on Linux); PortMidi is polled, so a
 *                          thread reads it every millisecond
 *
 * Every message goes through dsp/midi_route (thru to the audio side, the
 * engine, the session recording), stamped with the audio clock at arrival
 * (JACK: plus the event's offset in the JACK period; MIDI clock ticks on JACK
 * are stamped on JACK's own frame time instead, exact to the frame: the clock
 * follower needs only their intervals). Thread: control (all). */
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
/* 1 once the input is gone: the JACK server shut down or dropped the client
 * (jack_on_info_shutdown), Pm_Read failed (an unplugged keyboard), the ALSA
 * sequencer failed. The keys it held were released first
 * (midi_route_device_lost: no thru note left sounding); play then ends as on
 * device loss. Thread: any. */
int midi_in_lost(const midi_in *m);
/* ALSA sequencer input: sources that left (a keyboard unplugged, a program
 * that exited or was disconnected from lstmjam-midi:in). Each released the
 * player's held keys first (midi_route_device_lost: no thru note left
 * sounding). Play does not end: the port stays open for a source to connect
 * again; the control thread reports each once. Returns the count so far and
 * the last one's address in *client, *port. The other backends: 0.
 * Thread: any. */
unsigned midi_in_sources_left(const midi_in *m, int *client, int *port);

struct snd_seq_event; /* alsa/asoundlib.h */
/* The sources connected to an ALSA input port, followed through the
 * sequencer's announcements (midi_in_alsa_source_event). */
#define MIDI_IN_ALSA_SOURCES 32
typedef struct {
    uint16_t addr[MIDI_IN_ALSA_SOURCES]; /* client << 8 | port */
    int n;
    int overflow; /* more connected than fit: every departure to our port counts */
} midi_in_alsa_sources;
/* One sequencer event seen by the input port self_client:self_port:
 * PORT_SUBSCRIBED to it adds the sender; PORT_UNSUBSCRIBED from a known
 * sender, PORT_EXIT of a known port and CLIENT_EXIT of a known client remove
 * it (all its ports) and return 1 with its address in *gone (the first one's,
 * for a client); anything else, subscriptions between other ports (the
 * announce port broadcasts them all) and a second word of the same
 * departure (the kernel sends both the unsubscription and the exit) return 0.
 * Pure; for the tests. */
int midi_in_alsa_source_event(midi_in_alsa_sources *s, int self_client, int self_port,
                              const struct snd_seq_event *ev, int *gone_client, int *gone_port);

/* JACK clients replaced at open because the server never ran their process
 * callback (a jackd 1.9.21 race with a second client in one process; see
 * midi_in.c). Thread: control. */
int midi_in_reopened(const midi_in *m);

/* The MIDI bytes of a sequencer event that midi_route takes (note, CC,
 * program, bend, pressure, clock, Start, Continue, Stop), written to out; 0
 * for anything else. decoder is
 * alsa-lib's converter (snd_midi_event_new). Pure; for the tests. */
struct snd_midi_event; /* alsa/asoundlib.h */
struct snd_seq_event;
int midi_in_alsa_to_midi(struct snd_midi_event *decoder, const struct snd_seq_event *ev, uint8_t *out,
                         size_t cap);

/* A PortMidi message (PmMessage: status, data 1, data 2 in its low bytes) as
 * MIDI bytes in out; returns their count: 1 for system real-time (0xF8..0xFF:
 * clock, Start...), 2 for program change and channel pressure, else 3. Pure;
 * for the tests. */
size_t midi_in_pm_to_midi(uint32_t message, uint8_t out[3]);

/* Lists PortMidi inputs and outputs to fp; returns the count, -1 on error. */
int midi_in_list_portmidi(FILE *fp, char *err, size_t errlen);

#endif
