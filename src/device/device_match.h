/* device_match: finding a device by what a user types (--device, --midi-in,
 * --midi-out): an index, or a case-insensitive part of its name. One rule for
 * PortAudio outputs and PortMidi inputs and outputs. */
#ifndef LJ_DEVICE_MATCH_H
#define LJ_DEVICE_MATCH_H

#include <portmidi.h>

/* PortMidi has one library state for every stream (PortMidi 217 counts no
 * Pm_Initialize calls, and its ALSA backend shares one sequencer client): a
 * Pm_Terminate while another stream is open frees what that stream writes to.
 * Every user goes through this pair, which initialises on the first acquire
 * and terminates on the last release. Thread: control. */
PmError device_portmidi_acquire(void);
void device_portmidi_release(void);

/* 1 when `needle` occurs in `hay`, ignoring ASCII case. */
int device_name_contains(const char *hay, const char *needle);

/* The PortMidi device `spec` names among the inputs (want_output 0) or outputs
 * (1): a whole number is the PortMidi index, anything else a part of the name;
 * -1 when none matches. *count receives how many devices of that direction
 * exist. Pm_Initialize must have been called. Thread: control. */
int device_portmidi_find(const char *spec, int want_output, int *count);

#endif
