/* clock_follow: play follows an incoming MIDI clock (--midi-clock in). The
 * MIDI driver's thread only stamps the ticks (dsp/midi_clock_in); this side,
 * on the control thread, turns the newest beat of tick frames into a tempo and
 * sets it on the engine, and applies the transport (Stop pauses the engine,
 * Start and Continue resume it).
 *
 * The estimate: the last CLOCK_FOLLOW_TICKS + 1 ticks (one quarter note at
 * 24 ppqn) and the median of their intervals; the ticks after the last
 * interval that is not one or two medians (a tick lost) within
 * CLOCK_FOLLOW_JITTER (a clock that stopped and started again, a change of
 * tempo, a burst after a stalled driver) are fitted with a line (frame against
 * tick number, least squares: each tick's stamping jitter counts once), which
 * must span half a beat, else there is no estimate and the tempo stays. A new
 * tempo is set only when it differs from the one set by more than
 * CLOCK_FOLLOW_HYSTERESIS BPM, so the stamping jitter of a polled driver
 * (PortMidi: 1 ms) does not keep moving the engine's tempo; but when the
 * engine's tempo is no longer the one set from the clock (a reload's new
 * engine; anything else that set it), the clock's is set again at the next
 * update: the clock owns the tempo (play also sets
 * engine_config.tempo_from_clock, so the tempo CC is ignored). A change of tempo
 * is followed within about half a beat of ticks at the new tempo (when the
 * median turns) plus the control loop's 50 ms. Thread: control (all). */
#ifndef LJ_CLOCK_FOLLOW_H
#define LJ_CLOCK_FOLLOW_H

#include <stdint.h>

#include "engine/engine.h"
#include "midi_clock_in.h"

#define CLOCK_FOLLOW_TICKS 24        /* intervals per estimate: a quarter note */
#define CLOCK_FOLLOW_JITTER 0.25     /* inliers: within 25% of the median interval */
#define CLOCK_FOLLOW_HYSTERESIS 0.5  /* BPM */

typedef struct clock_follow {
    double rate;             /* Hz: the frames' clock */
    uint64_t transport_seen; /* transport messages handled */
    double bpm;              /* the tempo set from the clock, 0 = none yet */
    uint64_t set_at_tick;    /* the ticks received when it was set */
    uint64_t changes;        /* tempos set */
} clock_follow;

/* The tempo that n tick frames (oldest first) beat, in BPM at 24 ticks per
 * quarter note and `rate` frames per second; 0 when the ticks since the last
 * break span less than CLOCK_FOLLOW_TICKS / 2 ticks. Pure. */
double clock_follow_estimate(const uint64_t *frames, int n, double rate);

void clock_follow_init(clock_follow *f, double rate);

/* Reads `in` and applies to e what changed: the transport (Stop: paused,
 * Start/Continue: playing) and the tempo. Returns 1 when it set a new tempo
 * (f->bpm, f->set_at_tick: for a message), else 0. */
int clock_follow_update(clock_follow *f, midi_clock_in *in, engine *e);

#endif
