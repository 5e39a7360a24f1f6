/* synth_ops: how dsp/ talks to a synthesiser without knowing which one.
 *
 * src/device/synth.c fills this with FluidSynth calls (synth created with
 * "synth.threadsafe-api" = 0, so no call takes a mutex); tests fill it with a
 * recorder. Every function is called from the audio thread only and must be
 * RT-safe: no allocation, lock, print, file I/O or sleep. Arguments are already
 * validated by dsp/ (channel 0..15, key/controller/value/program 0..127). */
#ifndef LJ_SYNTH_OPS_H
#define LJ_SYNTH_OPS_H

#include <stdint.h>

/* The synth renders in fixed blocks of this many frames (FluidSynth's
 * FLUID_BUFSIZE): an event applied between two render calls takes effect at the
 * start of the next block the synth renders. */
#define LJ_SYNTH_BLOCK 64

typedef struct lj_synth_ops {
    void *user; /* the synth; passed as first argument to every call */
    void (*note_on)(void *user, int channel, int key, int velocity); /* velocity 1..127 */
    void (*note_off)(void *user, int channel, int key);
    void (*cc)(void *user, int channel, int controller, int value);
    void (*program)(void *user, int channel, int program);
    void (*all_notes_off)(void *user, int channel); /* release (not cut) every voice of channel */
    /* Renders `frames` stereo frames, interleaved L R, into out (2*frames floats),
     * continuing the synth's own block grid of LJ_SYNTH_BLOCK frames. */
    void (*render)(void *user, float *out, uint32_t frames);
    /* The player's expression (MIDI thru). Optional: NULL drops the event. */
    void (*pitch_bend)(void *user, int channel, int value);         /* 0..16383, 8192 centre */
    void (*channel_pressure)(void *user, int channel, int pressure); /* 0..127 */
    void (*key_pressure)(void *user, int channel, int key, int pressure); /* 0..127 */
} lj_synth_ops;

#endif
