/* engine_render: lstmjam render --model, the engine against the file sink.
 *
 * The same code as lstmjam play, with the offline loop standing in for the
 * audio device: per period, engine_fill(clock) pushes the look-ahead's events
 * into the queue, dsp/event_sched renders the period through FluidSynth, and
 * libsndfile writes it; the clock advances by the period, without waiting, so
 * it runs as fast as the model and the synth allow. The music ends at
 * `seconds` of audio clock or after `notes` note-ons (engine_end: the sounding
 * notes end, a panic follows), then a release tail is rendered. The MIDI of
 * everything played goes beside the audio (session_rec). Both files are
 * written atomically; on failure nothing is left. */
#ifndef LJ_ENGINE_RENDER_H
#define LJ_ENGINE_RENDER_H

#include <stdint.h>

#include "engine.h"
#include "render.h"

/* Called about once per second of audio: music rendered so far, note-ons. */
typedef void (*engine_render_progress_fn)(void *user, double seconds, uint64_t notes,
                                          double total_seconds, uint64_t total_notes);

typedef struct engine_render_opts {
    render_opts render;     /* synth, period, tail, sample format, midi_path (progress unused) */
    engine_config engine;   /* sampler, seed, tempo, look-ahead, channel, program, mode
                               (queues and sample rate are set here) */
    double seconds;         /* music length, s (0: none, then notes must be set; cap 1 h) */
    uint64_t notes;         /* stop after this many note-ons (0: none) */
    size_t record_capacity; /* record queue, events; default 65536 */
    engine_render_progress_fn progress; /* may be NULL */
    void *progress_user;
} engine_render_opts;

typedef struct engine_render_result {
    render_result audio;   /* frames, seconds, wall time, peak, clipping, sched counters */
    engine_stats engine;   /* the engine's counters at the end */
    size_t notes_recorded; /* notes in the MIDI file */
    uint64_t music_frames; /* frame of the last event (the closing panic) */
} engine_render_result;

/* Fills o with the defaults (render_opts_default, engine_config_default). */
void engine_render_opts_default(engine_render_opts *o);

/* Renders model m as above. LJ_ERR_ARG for bad options; LJ_ERR_IO for files.
 * Thread: control (the engine and the callback both run on this thread). */
int engine_render(engine_model *m, const char *out_path, const engine_render_opts *o,
                  engine_render_result *res, char *err, size_t errlen);

#endif
