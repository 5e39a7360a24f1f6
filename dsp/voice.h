/* voice: the audio side's table of held notes, so that no note is ever stuck.
 *
 * held[channel][key] counts note-ons not yet matched by a note-off (128 keys:
 * 0..127, all of them). Overlapping notes of one pitch on one channel (an engine
 * may start a key again before the first ends) count up; the synth hears a
 * note-off only when the count returns to 0, so the later note is not cut short
 * by the earlier note's end ("last release wins"). A note-off for a key that is
 * not held is ignored and counted. Panic sends a note-off for every held note,
 * sustain and sostenuto pedals up, pitch bend back to the centre and channel
 * pressure to 0 where they were moved (no "stuck bend" after a panic or a
 * swap, as no stuck note), and all-notes-off on every channel, and empties
 * the table; CC 120 (all sound off) and 123 (all notes off) do the same for
 * their channel.
 *
 * The table is transparent plain data (2 KiB) so that its owner can embed it by
 * value (dsp/ allocates nothing); change it only through voice_* calls. */
#ifndef LJ_VOICE_H
#define LJ_VOICE_H

#include <stdint.h>

#include "synth_ops.h"

#define VOICE_CHANNELS 16
#define VOICE_KEYS 128

typedef struct voice_table {
    uint8_t held[VOICE_CHANNELS][VOICE_KEYS]; /* note-ons without note-off, per channel and key (saturates at 255) */
    uint32_t n_held;        /* sum of held[][]: notes sounding, counting overlaps */
    uint64_t ignored_offs;  /* note-offs for keys that were not held */
    uint64_t saturated_ons; /* note-ons past 255 overlaps of one key (not counted, still played) */
    uint64_t panics;        /* voice_panic calls plus CC 120/123 channel panics */
    uint8_t bent[VOICE_CHANNELS];    /* 1: pitch bend away from the centre (a release re-centres it) */
    uint8_t pressed[VOICE_CHANNELS]; /* 1: channel pressure above 0 (a release zeroes it) */
} voice_table;

/* Empties the table and zeroes its counters (the synth is not touched).
 * Thread: any (audio when live). */
void voice_reset(voice_table *v);

/* Note on (velocity 0 is a note-off, as in MIDI) and note off, forwarded to
 * the synth by the rules above. Out-of-range arguments are ignored.
 * Thread: audio (RT-safe). */
void voice_note_on(voice_table *v, const lj_synth_ops *synth, int channel, int key, int velocity);
void voice_note_off(voice_table *v, const lj_synth_ops *synth, int channel, int key);

/* A controller change: 120 and 123 panic the channel (then are forwarded: 120
 * as CC 120 so the synth cuts the sound, 123 as all_notes_off); others go to
 * the synth as they are. Thread: audio (RT-safe). */
void voice_cc(voice_table *v, const lj_synth_ops *synth, int channel, int controller, int value);

/* The player's expression, forwarded to the synth when it has the call (a
 * NULL op drops it); out-of-range arguments are ignored. Pitch bend 0..16383
 * (8192 centre), pressures 0..127. Thread: audio (RT-safe). */
void voice_pitch_bend(voice_table *v, const lj_synth_ops *synth, int channel, int value);
void voice_channel_pressure(voice_table *v, const lj_synth_ops *synth, int channel, int pressure);
void voice_key_pressure(voice_table *v, const lj_synth_ops *synth, int channel, int key, int pressure);

/* Releases every held note of one channel / of all channels. Thread: audio (RT-safe). */
void voice_panic_channel(voice_table *v, const lj_synth_ops *synth, int channel);
void voice_panic(voice_table *v, const lj_synth_ops *synth);

/* Held count of one key (0 for out-of-range arguments). Thread: the owner. */
int voice_held(const voice_table *v, int channel, int key);

#endif
