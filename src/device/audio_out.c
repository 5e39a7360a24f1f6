#include "audio_out.h"
#include "device_match.h"

#include <alsa/asoundlib.h>
#include <jack/jack.h>
#include <pa_jack.h>
#include <portaudio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How long Pa_StartStream may take (ms). On JACK it returns only once the
 * server has run the client's process callback, and if the server never does
 * (jackd can activate a client and never run it) it waits 10 minutes; on a
 * thread of its own it is given this long, then play says so and ends. A
 * start takes far less: lstmjam's own JACK clients ran 61-183 ms after their
 * open at load 6-9 on this 2-core VM. */
#define START_TIMEOUT_MS 5000

struct audio_out {
    PaStream *stream;
    sched *s;
    double latency;  /* s */
    uint64_t clock_step; /* audio_out_clock_step, frames */
    double rate;     /* Hz */
    char device[256];
    int pa_started;  /* Pa_Initialize succeeded (refcounted by PortAudio) */
    /* the open and start, on a thread of its own (START_TIMEOUT_MS); read
     * after start_done */
    PaStreamParameters params;
    double ask_rate;
    unsigned long ask_period;
    PaError open_error, start_error;
    _Atomic int start_done;
    _Atomic int abandoned; /* the start timed out: the callback touches nothing of ours */
};

/* PortAudio's ALSA host API probes every PCM of the ALSA configuration; ALSA
 * prints each failed probe (dozens on a machine without sound cards) to
 * stderr, and libjack prints its attempts to reach a server that is not
 * running. Our own messages say what failed. */
static void alsa_quiet(const char *file, int line, const char *function, int err, const char *fmt, ...) {
    (void)file, (void)line, (void)function, (void)err, (void)fmt;
}

static void jack_quiet(const char *msg) { (void)msg; }

void audio_out_quiet_libs(void) {
    snd_lib_error_set_handler(alsa_quiet);
    jack_set_error_function(jack_quiet);
    jack_set_info_function(jack_quiet);
}

void audio_out_config_default(audio_out_config *c) {
    memset(c, 0, sizeof *c);
    c->sample_rate = 48000;
    c->period = 128;
}

/* The audio thread. Never prints, locks or allocates. */
static int callback(const void *in, void *out, unsigned long frames,
                    const PaStreamCallbackTimeInfo *time, PaStreamCallbackFlags flags, void *user) {
    (void)in;
    (void)time;
    audio_out *a = user;
    if (atomic_load_explicit(&a->abandoned, memory_order_relaxed)) { /* its open gave up: play has gone on */
        memset(out, 0, frames * 2 * sizeof(float));
        return paAbort;
    }
    sched *s = a->s;
    if (flags & (paOutputUnderflow | paOutputOverflow)) sched_count_xrun(s);
    sched_process(s, out, (uint32_t)frames);
    return paContinue;
}

/* Opens and starts the stream (the thread audio_out_open waits for, at most
 * START_TIMEOUT_MS): PortAudio's JACK host waits in both for the server to
 * run its client. */
static void *start_stream(void *arg) {
    audio_out *a = arg;
    a->open_error = Pa_OpenStream(&a->stream, NULL, &a->params, a->ask_rate, a->ask_period, paClipOff, callback, a);
    if (a->open_error == paNoError) {
        const PaStreamInfo *si = Pa_GetStreamInfo(a->stream);
        a->latency = si ? si->outputLatency : 0;
        a->rate = si ? si->sampleRate : a->ask_rate;
        a->clock_step = a->ask_period;
        const PaDeviceInfo *d = Pa_GetDeviceInfo(a->params.device);
        const PaHostApiInfo *h = d ? Pa_GetHostApiInfo(d->hostApi) : NULL;
        uint64_t jack_frames = (uint64_t)(a->latency * a->rate + 0.5);
        if (h && h->type == paJACK && jack_frames > a->clock_step) a->clock_step = jack_frames;
        a->start_error = Pa_StartStream(a->stream);
    }
    atomic_store_explicit(&a->start_done, 1, memory_order_release);
    return NULL;
}

static void device_label(PaDeviceIndex i, char *buf, size_t len) {
    const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
    const PaHostApiInfo *h = d ? Pa_GetHostApiInfo(d->hostApi) : NULL;
    snprintf(buf, len, "%s: %s", h ? h->name : "?", d ? d->name : "?");
}

/* The device for spec: an index, or the first output device whose label
 * contains spec. paNoDevice with *status: LJ_ERR_IO when there is no device
 * at all (the machine's state: play offers render), LJ_ERR_ARG when spec
 * names none of those there (the user's input: exit 2). */
static PaDeviceIndex find_device(const char *spec, int *status, char *err, size_t errlen) {
    int n = Pa_GetDeviceCount();
    if (n <= 0) {
        *status = lj_fail(err, errlen, LJ_ERR_IO, "no audio device (PortAudio found none%s%s)",
                          n < 0 ? ": " : "", n < 0 ? Pa_GetErrorText(n) : "");
        return paNoDevice;
    }
    if (!spec) {
        PaDeviceIndex d = Pa_GetDefaultOutputDevice();
        if (d == paNoDevice) *status = lj_fail(err, errlen, LJ_ERR_IO, "no default audio output device");
        return d;
    }
    char *end;
    long idx = strtol(spec, &end, 10);
    if (*spec && !*end) {
        if (idx < 0 || idx >= n) {
            *status = lj_fail(err, errlen, LJ_ERR_ARG, "--device %s: expected an index 0..%d (see lstmjam devices)",
                              spec, n - 1);
            return paNoDevice;
        }
        return (PaDeviceIndex)idx;
    }
    for (int i = 0; i < n; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        char label[256];
        device_label(i, label, sizeof label);
        if (d && d->maxOutputChannels >= 2 && device_name_contains(label, spec)) return i;
    }
    *status = lj_fail(err, errlen, LJ_ERR_ARG, "--device '%s': no output device matches (see lstmjam devices)",
                      spec);
    return paNoDevice;
}

int audio_out_fixed_rate(const char *device, double *rate) {
    audio_out_quiet_libs();
    PaJack_SetClientName("lstmjam");
    if (Pa_Initialize() != paNoError) return 0;
    char ferr[512];
    int st, fixed = 0;
    PaDeviceIndex dev = find_device(device, &st, ferr, sizeof ferr);
    const PaDeviceInfo *d = dev != paNoDevice ? Pa_GetDeviceInfo(dev) : NULL;
    const PaHostApiInfo *h = d ? Pa_GetHostApiInfo(d->hostApi) : NULL;
    if (h && h->type == paJACK && d->defaultSampleRate > 0) { /* PortAudio's JACK device: the server's rate */
        *rate = d->defaultSampleRate;
        fixed = 1;
    }
    Pa_Terminate();
    return fixed;
}

int audio_out_open(const audio_out_config *c, sched *s, audio_out **out, char *err, size_t errlen) {
    *out = NULL;
    audio_out *a = calloc(1, sizeof *a);
    if (!a) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    a->s = s;
    atomic_init(&a->start_done, 0);
    atomic_init(&a->abandoned, 0);
    int rc;
    audio_out_quiet_libs();
    PaJack_SetClientName("lstmjam"); /* JACK ports lstmjam:out_0/out_1, not PortAudio:... */
    PaError pe = Pa_Initialize();
    if (pe != paNoError) {
        rc = lj_fail(err, errlen, LJ_ERR_IO, "PortAudio: %s", Pa_GetErrorText(pe));
        goto fail;
    }
    a->pa_started = 1;
    char ferr[512] = "";
    int fst = LJ_ERR_IO;
    PaDeviceIndex dev = find_device(c->device, &fst, ferr, sizeof ferr);
    if (dev == paNoDevice) {
        rc = lj_fail(err, errlen, fst, "%s", ferr);
        goto fail;
    }
    device_label(dev, a->device, sizeof a->device);
    const PaDeviceInfo *info = Pa_GetDeviceInfo(dev);
    if (!info || info->maxOutputChannels < 2) {
        rc = lj_fail(err, errlen, LJ_ERR_IO, "%s: %d output channels, lstmjam needs 2", a->device,
                     info ? info->maxOutputChannels : 0);
        goto fail;
    }
    PaStreamParameters p;
    memset(&p, 0, sizeof p);
    p.device = dev;
    p.channelCount = 2;
    p.sampleFormat = paFloat32; /* interleaved L R, what sched_process writes */
    p.suggestedLatency = c->latency > 0 ? c->latency : info->defaultLowOutputLatency;
    a->params = p;
    a->ask_rate = c->sample_rate;
    a->ask_period = c->period;
    pthread_t starter;
    int r = pthread_create(&starter, NULL, start_stream, a);
    if (r) {
        rc = lj_fail(err, errlen, LJ_ERR_IO, "cannot start a thread: %s", strerror(r));
        goto fail;
    }
    for (int ms = 0; ms < START_TIMEOUT_MS && !atomic_load_explicit(&a->start_done, memory_order_acquire); ms++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    if (!atomic_load_explicit(&a->start_done, memory_order_acquire)) {
        /* PortAudio still waits: the stream and `a` stay with it (a close
         * would wait too); its callback, should it ever run, returns at once
         * without touching s */
        atomic_store_explicit(&a->abandoned, 1, memory_order_relaxed);
        pthread_detach(starter);
        return lj_fail(err, errlen, LJ_ERR_IO, "%s: the stream did not start within %d s (a JACK server that "
                       "does not run the client?)", a->device, START_TIMEOUT_MS / 1000);
    }
    pthread_join(starter, NULL);
    if (a->open_error != paNoError) {
        a->stream = NULL;
        rc = lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot open a %g Hz stereo stream of %u frames: %s",
                     a->device, c->sample_rate, c->period, Pa_GetErrorText(a->open_error));
        goto fail;
    }
    if (a->start_error != paNoError) {
        rc = lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot start the stream: %s", a->device,
                     Pa_GetErrorText(a->start_error));
        goto fail;
    }
    *out = a;
    return LJ_OK;
fail:
    audio_out_close(a);
    return rc;
}

int audio_out_supports(const audio_out_config *c, char *err, size_t errlen) {
    char ferr[512] = "";
    int fst = LJ_ERR_IO;
    PaDeviceIndex dev = find_device(c->device, &fst, ferr, sizeof ferr);
    if (dev == paNoDevice) return lj_fail(err, errlen, fst, "%s", ferr);
    const PaDeviceInfo *info = Pa_GetDeviceInfo(dev);
    char label[256];
    device_label(dev, label, sizeof label);
    if (!info || info->maxOutputChannels < 2)
        return lj_fail(err, errlen, LJ_ERR_IO, "%s: %d output channels, lstmjam needs 2", label,
                       info ? info->maxOutputChannels : 0);
    PaStreamParameters p;
    memset(&p, 0, sizeof p);
    p.device = dev;
    p.channelCount = 2;
    p.sampleFormat = paFloat32;
    p.suggestedLatency = c->latency > 0 ? c->latency : info->defaultLowOutputLatency;
    PaError pe = Pa_IsFormatSupported(NULL, &p, c->sample_rate);
    if (pe != paFormatIsSupported)
        return lj_fail(err, errlen, LJ_ERR_IO, "%s does not run at %g Hz: %s", label, c->sample_rate,
                       Pa_GetErrorText(pe));
    return LJ_OK;
}

void audio_out_close(audio_out *a) {
    if (!a) return;
    if (a->stream) {
        if (Pa_IsStreamStopped(a->stream) == 0) Pa_StopStream(a->stream);
        Pa_CloseStream(a->stream);
    }
    if (a->pa_started) Pa_Terminate();
    free(a);
}

int audio_out_running(const audio_out *a) { return Pa_IsStreamActive(a->stream) == 1; }
double audio_out_latency(const audio_out *a) { return a->latency; }
double audio_out_rate(const audio_out *a) { return a->rate; }
uint64_t audio_out_clock_step(const audio_out *a) { return a->clock_step; }
const char *audio_out_device(const audio_out *a) { return a->device; }

int audio_out_list(FILE *fp, char *err, size_t errlen) {
    audio_out_quiet_libs();
    PaError pe = Pa_Initialize();
    if (pe != paNoError) {
        lj_fail(err, errlen, LJ_ERR_IO, "PortAudio: %s", Pa_GetErrorText(pe));
        return -1;
    }
    int n = Pa_GetDeviceCount(), shown = 0;
    PaDeviceIndex def = Pa_GetDefaultOutputDevice();
    for (int i = 0; i < n; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        if (!d || d->maxOutputChannels < 1) continue;
        char label[256];
        device_label(i, label, sizeof label);
        fprintf(fp, "  %2d  %s  (%d channels, %g Hz, low latency %.1f ms)%s\n", i, label,
                d->maxOutputChannels, d->defaultSampleRate, 1000 * d->defaultLowOutputLatency,
                i == def ? "  [default]" : "");
        shown++;
    }
    Pa_Terminate();
    return shown;
}
