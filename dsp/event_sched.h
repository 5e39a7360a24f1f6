/* sched: the body of the audio callback. It turns timestamped events (dsp/event.h)
 * from one SPSC queue (dsp/rtq) into synth calls at the right sample frames and
 * renders the synth into the output buffer.
 *
 * Timing rule. The callback for frames [F, F+N) pops, in order, every queued
 * event with frame < F+N. The synth renders in fixed 64-frame blocks on a grid
 * that starts at frame 0 (LJ_SYNTH_BLOCK); sched renders up to the block
 * boundary at or before the event's frame, applies the event, and continues, so
 * the event takes effect at the start of its own block: up to 63 frames early,
 * never later, whenever the period is a multiple of 64 (the default 128 is). With
 * other periods the event's block may already have been rendered by the previous
 * callback (the synth renders whole blocks); the event then lands at the next
 * boundary, up to 63 frames late. Either way |error| < 64 frames (1.33 ms at
 * 48 kHz). An event whose frame is before F (late: the producer fell behind) is
 * applied at offset 0 and counted. Events after F+N stay queued.
 *
 * Note, controller and panic events go through the held-note table
 * (dsp/voice.h), so no note is ever stuck. When the queue's overflow counter has
 * grown since the last callback (an event was lost, maybe a note-off), sched
 * counts it and panics. The same holds for the optional live queue, whose
 * events (a player's notes) are applied at the start of the callback whatever
 * their frame: they come from a MIDI input that cannot know the audio clock
 * ahead, and they must sound at once. A live overflow panics twice, at the
 * start and again after the last event that was queued when it was seen: the
 * MIDI input pushes no panic of its own, so a note-on among those events whose
 * note-off was lost must not outlast the callback. (The main queue's producer,
 * the engine, queues a panic after an overflow itself.)
 *
 * Memory: dsp/ allocates nothing. The owner (in src/) gets sched_bytes() bytes
 * aligned to 64 (aligned_alloc) and calls sched_init; the scheduler lives as
 * long as that memory, the queue and the synth. Nothing to destroy.
 *
 * Reporting: sched_process never prints and never fails; it updates atomic
 * counters that any thread can read with sched_get_stats. With measure_time
 * it also measures itself: wall time, and with measure_cpu its thread's CPU
 * time and context switches, so a slow or sleeping callback is told from a
 * machine that took the CPU away. */
#ifndef LJ_SCHED_H
#define LJ_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "rtq.h"
#include "synth_ops.h"
#include "time_hist.h"
#include "voice.h"

typedef struct sched sched;

typedef struct sched_config {
    lj_synth_ops synth; /* copied; synth.user must outlive the scheduler */
    rtq *events;        /* queue of lj_event (msg_size sizeof(lj_event)); the scheduler is its consumer */
    int measure_time;   /* 1: time each sched_process (callback_ns_*, the histogram) */
    rtq *live;          /* optional second lj_event queue (may be NULL): events to apply
                           now, whatever their frame (a player's notes, MIDI thru); drained
                           first, at offset 0 of each callback. The scheduler consumes it. */
    int measure_cpu;    /* 1 (with measure_time): also the thread's CPU time and context
                           switches (callback_cpu_*, callbacks_blocked/_preempted): two
                           system calls at each end, ~2 us a callback here, which live
                           play can spare and an offline render at 100x real time not */
} sched_config;

/* A snapshot of the counters; every count is since sched_init. */
typedef struct sched_stats {
    uint64_t frame;             /* frames rendered: the audio clock, the next callback's F */
    uint64_t callbacks;         /* sched_process calls */
    uint64_t events_applied;    /* events handed to the voice table or the synth */
    uint64_t late_events;       /* events applied after their frame (frame < F): at offset 0 */
    uint64_t late_frames_max;   /* worst lateness of a late event, frames */
    uint64_t invalid_events;    /* unknown kind or field out of range: dropped */
    uint64_t overflows_seen;    /* events the producer could not queue (each batch: a panic) */
    uint64_t panics;            /* panic events, overflow panics, CC 120/123, sched_panic */
    uint64_t ignored_note_offs; /* note-offs of keys not held */
    uint64_t held_notes;        /* notes sounding after the last callback (overlaps counted) */
    uint64_t callback_ns_max;   /* longest sched_process, nanoseconds (0 unless measure_time) */
    uint64_t callback_ns_last;  /* the last one, nanoseconds */
    uint64_t live_events;       /* events applied from the live queue */
    uint64_t xruns;             /* buffer under/overflows the driver reported (sched_count_xrun) */
    /* What the callback's wall time was made of (0 unless measure_time): an
     * xrun with a callback that used little CPU and never slept is the
     * machine's doing (it took the CPU away), not the callback's. */
    uint64_t callback_cpu_ns_max;     /* most CPU time one sched_process used, ns (these
                                         five: 0 unless measure_cpu) */
    uint64_t callback_cpu_max_at;     /* which one: its number, 0 = the first callback */
    uint64_t callback_off_cpu_ns_max; /* longest one was off the CPU (wall - CPU time), ns */
    uint64_t callbacks_blocked;       /* callbacks in which the thread slept (a voluntary
                                         context switch: a lock, a sleep, a page-in) */
    uint64_t callbacks_preempted;     /* callbacks in which something preempted the thread */
    uint64_t first_blocked_at;        /* the first that slept: its number + 1 (0: none) */
    uint64_t callbacks_faulted;       /* callbacks with a page fault (memory touched for the
                                         first time: a fault that waits is a sleep) */
} sched_stats;

/* Bytes sched_init needs. Thread: any. */
size_t sched_bytes(void);

/* Builds a scheduler in mem (aligned to 64, at least sched_bytes()); the audio
 * clock starts at frame 0 and the synth must be fresh (its block grid starts
 * there too). The queue must carry lj_event messages (rtq_init with
 * sizeof(lj_event)). NULL when an argument is missing (a NULL synth function, a
 * NULL queue) or mem is too small or misaligned.
 * Thread: init. */
sched *sched_init(void *mem, size_t memlen, const sched_config *cfg);

/* Renders `frames` stereo frames, interleaved L R, into out (2*frames floats),
 * applying the events due in [F, F+frames) as described above. Never allocates,
 * never fails. Thread: audio (RT-safe). */
void sched_process(sched *s, float *out, uint32_t frames);

/* Hot swap of the synth while the stream runs (another SoundFont, other
 * effects: a synth built on the control thread, since FluidSynth may not be
 * touched from two threads, see src/device/synth.h). The owner hands over
 * `next` (its functions and user, which must stay valid until the swap is
 * done); the next callback takes it at its start: it releases every held note
 * on the old synth (voice_panic) and renders with the new one from that
 * callback's first frame on, adding the old synth's release on top, faded
 * from 1 to 0 (smoothstep) over its first SCHED_FADE_FRAMES frames, however
 * many callbacks that spans (no click, whatever the period:
 * tests/test_swap_glitch.c measures it). After the fade the old synth is never
 * called again, and sched_synth_swaps counts the swap. The new synth's block
 * grid starts at that callback's first frame, so the timing rule above holds
 * when every period is a multiple of 64 frames (the default 128 is).
 * A synth handed over while a fade runs is taken when it ends.
 * 0 when handed over, -1 when a swap is already pending or an ops function is
 * NULL. Lock-free (one atomic pointer). Thread: owner (control). */
#define SCHED_FADE_FRAMES 1024 /* 21 ms at 48 kHz: over one period of a 65 Hz (C2) tone */
#define SCHED_FADE_CHUNK 256   /* frames of the old synth rendered per call during the fade */
int sched_request_synth(sched *s, const lj_synth_ops *next);
/* Withdraws a pending swap: 1 when the audio thread never took it (`next` is
 * free again), 0 when it already did (wait for sched_synth_swaps: the fade
 * still calls the old synth until then). Thread: owner. */
int sched_cancel_synth(sched *s);
/* Swaps done since sched_init, counted when the old synth's fade ends
 * (acquire: after it grows, the old synth is no longer called and may be
 * destroyed; SCHED_FADE_FRAMES of audio after the swap). Thread: any. */
uint64_t sched_synth_swaps(const sched *s);

/* The driver said the last buffer was late or lost (PortAudio's output
 * underflow flag): counted in sched_stats.xruns. Thread: audio (RT-safe). */
void sched_count_xrun(sched *s);

/* The audio clock alone (sched_stats.frame), one atomic load. Thread: any. */
uint64_t sched_clock(const sched *s);

/* Releases every held note now (note-offs, pedals up, all-notes-off on each
 * channel): on stop, device loss, model swap. Takes effect in the next block
 * rendered. Thread: audio, or the owner while no callback runs. */
void sched_panic(sched *s);

/* The held-note table, for checks after a render. Thread: audio, or the owner
 * while no callback runs. */
const voice_table *sched_voices(const sched *s);

/* Counters, read with atomic loads (each one exact, the set not one instant).
 * Thread: any. */
void sched_get_stats(const sched *s, sched_stats *out);

/* The callback times so far (0 unless measure_time): callbacks per
 * time_hist bucket of their duration, for percentiles (time_hist_quantile).
 * Thread: any. */
void sched_get_callback_hist(const sched *s, uint64_t out[TIME_HIST_BUCKETS]);
/* Their CPU times likewise (CLOCK_THREAD_CPUTIME_ID). Thread: any. */
void sched_get_callback_cpu_hist(const sched *s, uint64_t out[TIME_HIST_BUCKETS]);

#endif
