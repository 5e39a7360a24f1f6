/* render: offline rendering of a Score to an audio file, through the same path
 * the real-time engine uses: note times (ticks -> seconds via the tempo map ->
 * sample frames) become lj_events pushed into an rtq, and the audio callback
 * body (dsp/event_sched) runs block by block, `period` frames at a time, driving
 * FluidSynth (src/device/synth). It renders until the last note ends plus a
 * release tail, sends a panic at the last note's end (so nothing can ring on),
 * and writes WAV (16-bit or float) or FLAC (16-bit) with libsndfile, atomically:
 * a temp file beside the target, renamed at the end; nothing is left on failure.
 * Beside it, optionally, the MIDI of everything played (the score's notes, via
 * midi_write_mem, serialised before the render so a refusal costs nothing, and
 * written atomically after it). Faster than real time: no clock, no waiting. */
#ifndef LJ_RENDER_H
#define LJ_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "device/synth.h"
#include "event.h"
#include "io/score.h"
#include "event_sched.h"

#define RENDER_MAX_PERIOD 8192       /* frames per callback */
#define RENDER_MAX_SECONDS (6 * 3600) /* longest render: a 16-bit stereo 48 kHz WAV stays < 4 GiB */

typedef enum render_sample_format {
    RENDER_PCM16 = 0, /* 16-bit integer (WAV, FLAC); samples beyond +-1 are clipped and counted */
    RENDER_FLOAT = 1  /* 32-bit float (WAV only) */
} render_sample_format;

typedef void (*render_progress_fn)(void *user, double done_seconds, double total_seconds);

typedef struct render_opts {
    synth_config synth;         /* rate, polyphony, gain, reverb/chorus, SoundFont, programs */
    uint32_t period;            /* frames per callback, 1..RENDER_MAX_PERIOD; default 128 */
    double tail_seconds;        /* rendered after the last note ends, >= 0; default 2 */
    int sample_format;          /* render_sample_format; default RENDER_PCM16 */
    size_t queue_capacity;      /* events the rtq holds; default 4096 */
    const char *midi_path;      /* MIDI of what was played, written atomically; NULL: none */
    render_progress_fn progress;/* called about once per second of audio; may be NULL */
    void *progress_user;        /* passed to progress */
} render_opts;

typedef struct render_result {
    char soundfont[4096];     /* SoundFont used */
    double sample_rate;       /* Hz */
    uint64_t frames;          /* frames written */
    double seconds;           /* audio length, s */
    double wall_seconds;      /* time the render took, s (synth creation excluded) */
    size_t notes;             /* notes rendered */
    size_t events;            /* events pushed (notes on/off, programs, the final panic) */
    uint64_t last_note_frame; /* frame of the last note-off (the panic's frame) */
    uint32_t held_after;      /* notes still held at the end (0: nothing stuck) */
    float peak;               /* largest |sample| before any clipping, 1.0 = full scale */
    uint64_t clipped;         /* samples beyond +-1 (clipped in PCM16 files) */
    sched_stats stats;        /* the scheduler's counters at the end */
} render_result;

/* Fills o with the defaults above (and synth_config_default). Thread: any. */
void render_opts_default(render_opts *o);

/* The timed events that render a score at sample_rate: at frame 0 a program
 * change per part on its channel, then per note (in onset order) a program
 * change where the note's program differs from the one in force on its channel,
 * a note-on at round(seconds(onset) * rate) and a note-off at the note's end.
 * Sorted by frame; at one frame note-offs come first, then program changes, then
 * note-ons (a repeated key is released before it is struck again). tag = the
 * note's index (events of programs: UINT32_MAX). *out is malloc'd, the caller
 * frees it. LJ_ERR_LIMIT for scores longer than RENDER_MAX_SECONDS. Thread: any. */
int render_build_events(const score *s, double sample_rate, lj_event **out, size_t *n, char *err,
                        size_t errlen);

/* The libsndfile format (SF_FORMAT_*) for out_path's extension (.wav, .flac)
 * and sample_format; LJ_ERR_ARG naming the path otherwise. Thread: any. */
int render_file_format(const char *out_path, int sample_format, int *format, char *err,
                       size_t errlen);

/* Renders s into out_path (.wav or .flac) as described above; res (may be NULL)
 * receives what happened. LJ_ERR_ARG for bad options, an empty score or an
 * unknown extension; LJ_ERR_IO for files; the synth's errors as they come.
 * Thread: control (it runs the audio callback itself, on this thread). */
int render_score(const score *s, const char *out_path, const render_opts *o, render_result *res,
                 char *err, size_t errlen);

#endif
