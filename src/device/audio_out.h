/* audio_out: the PortAudio output sink of lstmjam play.
 *
 * Opens a stereo float32 output stream on a device chosen by index or by a
 * case-insensitive substring of "host API: device name" (e.g. "JACK", "pulse",
 * "hw:0"), at the requested rate and period (defaults 48 kHz and 128 frames,
 * the period a hint where the host API decides: JACK uses the server's). The
 * stream's callback is the audio thread: it calls dsp/event_sched's
 * sched_process on the whole buffer and counts PortAudio's output-underflow
 * flag as an xrun (sched_count_xrun); nothing else. The latency PortAudio
 * reports for the open stream is kept for the status line.
 *
 * Errors (no device, a device without two output channels, a stream that
 * will not open or start, or does not start within 5 s: PortAudio's JACK
 * host waits 10 minutes for a client the server never runs) come back as LJ_ERR_IO with PortAudio's text and the
 * device; `lstmjam play` then suggests `lstmjam render`. */
#ifndef LJ_AUDIO_OUT_H
#define LJ_AUDIO_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event_sched.h"
#include "lj_status.h"

typedef struct audio_out audio_out;

typedef struct audio_out_config {
    const char *device;   /* index ("3"), name substring, or NULL for the default output */
    double sample_rate;   /* Hz; default 48000 */
    uint32_t period;      /* frames per callback asked for; default 128 */
    double latency;       /* suggested output latency, s; 0 = the device's low latency */
} audio_out_config;

void audio_out_config_default(audio_out_config *c);

/* Opens and starts the stream; the callback runs sched_process(s). s must
 * outlive the stream. Thread: control. */
int audio_out_open(const audio_out_config *c, sched *s, audio_out **out, char *err, size_t errlen);
/* LJ_OK when the device of c takes a stereo float stream at c->sample_rate
 * (Pa_IsFormatSupported: JACK, only at its server's rate); else LJ_ERR_IO
 * saying why. PortAudio must be running (an open audio_out). Thread: control. */
int audio_out_supports(const audio_out_config *c, char *err, size_t errlen);
/* 1 with *rate when the output `device` (as audio_out_config.device) runs at
 * one rate only that PortAudio knows before an open: PortAudio's JACK device,
 * at the server's rate; else 0 (PortAudio cannot start, no such device, or a
 * device that may take the rate asked for). Thread: control. */
int audio_out_fixed_rate(const char *device, double *rate);
/* Stops (waits for the last callback) and closes; NULL is a no-op. Thread: control. */
void audio_out_close(audio_out *a);

/* 1 while the stream runs; 0 after the device stopped it (device loss). Thread: control. */
int audio_out_running(const audio_out *a);
double audio_out_latency(const audio_out *a);     /* output latency PortAudio reports, s */
/* The most frames the audio clock (sched_clock) may advance at once, so the
 * least an event must be queued ahead of the clock the engine read to be in
 * time (engine_config.schedule_lead_frames adds it): the period; on JACK's
 * host API PortAudio runs the callback as many times as the server's buffer
 * holds in each cycle, and the output latency it reports (that buffer, plus
 * the port's own latency) bounds it. Thread: control. */
uint64_t audio_out_clock_step(const audio_out *a);
double audio_out_rate(const audio_out *a);        /* sample rate of the stream, Hz */
const char *audio_out_device(const audio_out *a); /* "host API: device name" */

/* Silences ALSA's and libjack's messages on stderr (probe failures of every
 * PCM and of the sequencer, attempts to reach a JACK server, printed while
 * PortAudio and PortMidi enumerate). Thread: control. */
void audio_out_quiet_libs(void);

/* Lists the output devices ("index  host API: name  (channels, default rate)")
 * to fp; returns how many, or -1 when PortAudio cannot start. Thread: control. */
int audio_out_list(FILE *fp, char *err, size_t errlen);

#endif
