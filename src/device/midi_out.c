#include "midi_out.h"

#include "audio_out.h"
#include "device_match.h"
#include "rt_thread.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <jack/jack.h>
#include <jack/midiport.h>
#include <portmidi.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How far ahead of its time the ALSA sender hands an event to its queue
 * (ms): two of its 1 ms naps, so an event is queued before it is due. */
#define LEAD_MS 2.0
/* How long the close waits for the queue to send what it holds (ns). */
#define DRAIN_TIMEOUT_NS 1000000000u
/* PortMidi: the output's latency (ms), Pm_OpenOutput's last argument. Each
 * message is stamped LEAD_MS - this before its time, so it leaves at its time
 * (PortMidi sends at stamp + latency); it must be > 0 for PortMidi to look at
 * the stamps at all. */
#define PM_LATENCY_MS 2u
/* PortMidi: the least spacing (ms) between the last stamp of one pass of the
 * sender and the stamps of a later pass (see midi_out_pm_stamp). */
#define PM_ORDER_MS 2u

struct midi_out {
    midi_sink sink;
    midi_out_clock_fn clock;
    void *clock_user;
    double rate;
    char name[256];
    _Atomic uint64_t own_frames; /* JACK without an external clock: frames processed */
    _Atomic unsigned long jack_cycles; /* JACK: process callbacks run (midi_out_started) */
    _Atomic unsigned long jack_xruns;  /* JACK: xruns the server reported (midi_out_xruns) */
    _Atomic uint64_t clock_raises, clock_lowers, raises_deferred; /* JACK: follow's counts, for other threads */
    _Atomic uint64_t jack_refused; /* JACK: messages jack_midi_event_write refused */
    uint64_t t0_ns;              /* polled backends without an external clock: time zero */
    int midi_clock;              /* 1: MIDI clock on */
    /* JACK */
    jack_client_t *jack;
    jack_port_t *port;
    void *jack_buf; /* the port buffer of the period being written */
    uint64_t jack_time;     /* frames of the cycles processed before this one */
    midi_out_jack_follow follow; /* the external clock's offset from jack_time */
    /* ALSA */
    snd_seq_t *seq;
    int seq_port;
    int seq_queue;            /* the queue the events are scheduled on (-1 none) */
    snd_midi_event_t *encoder; /* MIDI bytes -> sequencer events (alsa-lib, no kernel) */
    int64_t queue_offset_ns;  /* the queue's real time minus (mono_ns() - t0_ns), re-read
                                 every second: the two clocks may drift over hours */
    /* PortMidi */
    PortMidiStream *pm;
    int pm_started;
    uint32_t pm_now_ms;       /* pm_time's answer: the time of the pass being written */
    unsigned pm_pass;         /* passes of the sender so far */
    midi_out_pm_order pm_order; /* the stamps written so far */
    /* the 1 ms sender of the polled backends. It hands each event over up to
     * LEAD_MS before its time, scheduled at that time (the window being
     * processed gives it). ALSA: to a queue of ours, at its time in ns;
     * PortMidi: with its timestamp in ms (midi_out_pm_stamp) on a clock of
     * ours (pm_time), the output opened with PM_LATENCY_MS */
    uint64_t win_start, win_clock; /* its first frame; the clock's frame when it began */
    uint64_t win_ns;               /* the queue's time then */
    uint64_t last_ns;              /* the latest queue time scheduled so far (never goes back) */
    pthread_t thread;
    int thread_running;
    _Atomic int stop;
    _Atomic int lost; /* the JACK server shut down or dropped the client */
};

static uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t midi_out_clock(void *user) {
    midi_out *m = user;
    if (m->jack) return atomic_load_explicit(&m->own_frames, memory_order_acquire);
    return (uint64_t)((double)(mono_ns() - m->t0_ns) * m->rate / 1e9);
}

static uint64_t now_frames(midi_out *m) { return m->clock ? m->clock(m->clock_user) : midi_out_clock(m); }

uint64_t midi_out_event_ns(uint64_t frame, uint64_t clock_frame, uint64_t clock_ns, double rate,
                           uint64_t *last_ns) {
    uint64_t t = clock_ns;
    if (frame > clock_frame) t += (uint64_t)((double)(frame - clock_frame) * 1e9 / rate + 0.5);
    if (t < *last_ns) t = *last_ns;
    *last_ns = t;
    return t;
}

/* The queue time at which the message at `offset` of the window leaves. */
static uint64_t window_event_ns(midi_out *m, uint32_t offset) {
    return midi_out_event_ns(m->win_start + offset, m->win_clock, m->win_ns, m->rate, &m->last_ns);
}

/* ---- JACK ---- */

static void jack_write(void *user, uint32_t offset, const uint8_t *msg, size_t len) {
    midi_out *m = user;
    /* JACK refuses a message out of frame order or past a full buffer (1
     * period of messages): counted, for the soak's accounting of every message */
    if (jack_midi_event_write(m->jack_buf, offset, msg, len))
        atomic_store_explicit(&m->jack_refused, atomic_load_explicit(&m->jack_refused, memory_order_relaxed) + 1,
                              memory_order_relaxed);
}

uint64_t midi_out_jack_now(midi_out_jack_follow *f, uint64_t audio, uint64_t jack_time, uint64_t next_event) {
    if (audio == 0 && !f->have) return audio; /* the stream has not run yet */
    /* The audio callback is another JACK client: in this cycle it may have
     * run already, or not yet (or run at once on the other core), so its
     * clock reads as the cycle's start or one period later. Against JACK's
     * own count of frames the smaller difference is the right one; taking
     * the smallest over a window of cycles (this block and the last, 64 to
     * 128 cycles) puts every event at the same offset from the audio cycle
     * after cycle. The window, not the smallest ever: a cycle this client
     * loses (an xrun on a loaded machine) and the audio does not raises the
     * difference for good, and the smallest ever would leave MIDI out a
     * period later than the audio for each such cycle (the 10-minute soak
     * drifted by seconds so); a cycle the audio loses lowers it at once. */
    if (audio > 0) {
        int64_t d = (int64_t)audio - (int64_t)jack_time;
        if (!f->have) {
            f->min_prev = f->min_cur = f->offset = d;
            f->cycles = 0;
            f->have = 1;
        }
        if (d < f->min_cur) f->min_cur = d;
        int64_t want = f->min_cur < f->min_prev ? f->min_cur : f->min_prev;
        /* A raise moves the sink's clock forward by want - offset frames at
         * once: an event due in the frames it skips would be written late,
         * at offset 0 of this cycle, off the period grid by its lateness (the
         * soak's "late at the sink"). Such a raise waits for a cycle with no
         * event in those frames (at 400 BPM the next one, mostly); the
         * events until then leave on the old offset, a whole period late. */
        if (want < f->offset) {
            f->offset = want;
            f->lowers++;
        } else if (want > f->offset) {
            if (next_event >= (uint64_t)((int64_t)jack_time + want)) {
                f->offset = want;
                f->raises++;
            } else {
                f->raises_deferred++;
            }
        }
        if (++f->cycles == MIDI_OUT_OFFSET_WINDOW) {
            f->min_prev = f->min_cur;
            f->min_cur = INT64_MAX;
            f->cycles = 0;
        }
    }
    return (uint64_t)((int64_t)jack_time + f->offset);
}

static int jack_process(jack_nframes_t nframes, void *arg) {
    midi_out *m = arg;
    atomic_store_explicit(&m->jack_cycles, atomic_load_explicit(&m->jack_cycles, memory_order_relaxed) + 1,
                          memory_order_release); /* this thread is the only writer */
    m->jack_buf = jack_port_get_buffer(m->port, nframes);
    jack_midi_clear_buffer(m->jack_buf);
    uint64_t now;
    if (m->clock) {
        const lj_event *next = rtq_peek(m->sink.events); /* this thread is the queue's consumer */
        now = midi_out_jack_now(&m->follow, m->clock(m->clock_user), m->jack_time, next ? next->frame : UINT64_MAX);
        atomic_store_explicit(&m->clock_raises, m->follow.raises, memory_order_relaxed);
        atomic_store_explicit(&m->clock_lowers, m->follow.lowers, memory_order_relaxed);
        atomic_store_explicit(&m->raises_deferred, m->follow.raises_deferred, memory_order_relaxed);
    } else {
        now = m->jack_time;
    }
    midi_sink_process(&m->sink, now, nframes);
    m->jack_time += nframes;
    if (!m->clock) atomic_store_explicit(&m->own_frames, now + nframes, memory_order_release);
    return 0;
}

/* libjack's notification thread, at each xrun of the server (a cycle not
 * finished in time: this client's events of it may come late or not at all). */
static int jack_xrun(void *arg) {
    atomic_fetch_add_explicit(&((midi_out *)arg)->jack_xruns, 1, memory_order_relaxed);
    return 0;
}

/* libjack's thread, when the server stops or drops the client: no process
 * callback runs after it, so the control thread must not wait for one. */
static void jack_shutdown(jack_status_t code, const char *reason, void *arg) {
    (void)code, (void)reason;
    atomic_store_explicit(&((midi_out *)arg)->lost, 1, memory_order_release);
}

static int open_jack(midi_out *m, const char *dest, char *err, size_t errlen) {
    audio_out_quiet_libs();
    jack_status_t status;
    m->jack = jack_client_open("lstmjam-out", JackNoStartServer, &status);
    if (!m->jack)
        return lj_fail(err, errlen, LJ_ERR_IO, "JACK MIDI output: no JACK server running (status 0x%x)",
                       (unsigned)status);
    if (!m->clock && (double)jack_get_sample_rate(m->jack) != m->rate)
        m->rate = (double)jack_get_sample_rate(m->jack);
    if (m->midi_clock) midi_sink_clock_enable(&m->sink, m->clock ? m->rate : (double)jack_get_sample_rate(m->jack));
    m->port = jack_port_register(m->jack, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    if (!m->port) return lj_fail(err, errlen, LJ_ERR_IO, "JACK: cannot register a MIDI output port");
    jack_set_process_callback(m->jack, jack_process, m);
    jack_on_info_shutdown(m->jack, jack_shutdown, m);
    jack_set_xrun_callback(m->jack, jack_xrun, m);
    if (jack_activate(m->jack)) return lj_fail(err, errlen, LJ_ERR_IO, "JACK: cannot activate the client");
    snprintf(m->name, sizeof m->name, "JACK %s", jack_port_name(m->port));
    if (dest && *dest) {
        if (jack_connect(m->jack, jack_port_name(m->port), dest))
            return lj_fail(err, errlen, LJ_ERR_ARG, "--midi-out jack:%s: cannot connect %s to that port",
                           dest, jack_port_name(m->port));
        snprintf(m->name, sizeof m->name, "JACK %s -> %s", jack_port_name(m->port), dest);
    }
    return LJ_OK;
}

/* ---- the polled backends: ALSA sequencer, PortMidi ---- */

int midi_out_alsa_encode(struct snd_midi_event *encoder, const uint8_t *msg, size_t len,
                         struct snd_seq_event *ev) {
    snd_seq_ev_clear(ev);
    snd_midi_event_reset_encode(encoder); /* each message is whole: no running status */
    return snd_midi_event_encode(encoder, msg, (long)len, ev) == (long)len && ev->type != SND_SEQ_EVENT_NONE;
}

static void alsa_write(void *user, uint32_t offset, const uint8_t *msg, size_t len) {
    midi_out *m = user;
    snd_seq_event_t ev;
    if (!midi_out_alsa_encode(m->encoder, msg, len, &ev)) return; /* not a sequencer message (none of ours) */
    uint64_t t = window_event_ns(m, offset);
    snd_seq_real_time_t rt = {(unsigned)(t / 1000000000u), (unsigned)(t % 1000000000u)};
    snd_seq_ev_set_source(&ev, m->seq_port);
    snd_seq_ev_set_subs(&ev);
    snd_seq_ev_schedule_real(&ev, m->seq_queue, 0, &rt); /* absolute: the queue started at t0_ns */
    snd_seq_event_output(m->seq, &ev);
}

uint32_t midi_out_pm_ms(uint64_t ns) { return (uint32_t)((ns + 500000u) / 1000000u); }

int32_t midi_out_pm_stamp(uint64_t event_ns, uint32_t latency_ms, unsigned pass, midi_out_pm_order *o) {
    uint32_t t = midi_out_pm_ms(event_ns) - latency_ms; /* modulo 2^32, as PortMidi's int32 ms */
    if (o->any) {
        uint32_t least = o->last + (pass != o->pass ? PM_ORDER_MS : 0);
        if ((int32_t)(t - least) < 0) t = least;
    }
    if (t == 0) t = 1; /* 0 is "now" to PortMidi: the message would leave latency_ms late */
    o->last = t;
    o->pass = pass;
    o->any = 1;
    return (int32_t)t;
}

/* PortMidi's clock (its time_proc): the time of the pass being written, so
 * every message of a pass is measured from one reading (see midi_out_pm_stamp). */
static PmTimestamp pm_time(void *user) { return (PmTimestamp)((midi_out *)user)->pm_now_ms; }

static void pm_write(void *user, uint32_t offset, const uint8_t *msg, size_t len) {
    midi_out *m = user;
    int32_t stamp = midi_out_pm_stamp(window_event_ns(m, offset), PM_LATENCY_MS, m->pm_pass, &m->pm_order);
    Pm_WriteShort(m->pm, stamp, Pm_Message(msg[0], msg[1], len > 2 ? msg[2] : 0));
}

/* The queue's real time now, as an offset from the monotonic clock since t0_ns
 * (read between two clock readings); the last offset if the status fails. */
static int64_t read_queue_offset(midi_out *m) {
    snd_seq_queue_status_t *st;
    snd_seq_queue_status_alloca(&st);
    uint64_t before = mono_ns();
    if (snd_seq_get_queue_status(m->seq, m->seq_queue, st) < 0) return m->queue_offset_ns;
    uint64_t after = mono_ns();
    const snd_seq_real_time_t *rt = snd_seq_queue_status_get_real_time(st);
    int64_t q = (int64_t)rt->tv_sec * 1000000000 + (int64_t)rt->tv_nsec;
    return q - (int64_t)((before + after) / 2 - m->t0_ns);
}

/* The queue's time now (ns), from the monotonic clock and the last offset. */
static uint64_t queue_now_ns(const midi_out *m) {
    int64_t t = (int64_t)(mono_ns() - m->t0_ns) + m->queue_offset_ns;
    return t > 0 ? (uint64_t)t : 0;
}

static void *poll_thread(void *arg) {
    midi_out *m = arg;
    struct timespec nap = {0, 1000000};
    uint64_t lead = (uint64_t)(m->rate * LEAD_MS / 1000.0), done = now_frames(m);
    for (unsigned tick = 0; !atomic_load_explicit(&m->stop, memory_order_acquire); tick++) {
        if (m->seq && tick % 1000 == 999) m->queue_offset_ns = read_queue_offset(m);
        uint64_t t = queue_now_ns(m), now = now_frames(m);
        if (now + lead > done) {
            m->win_start = done;
            m->win_clock = now;
            m->win_ns = t;
            m->pm_now_ms = midi_out_pm_ms(t);
            m->pm_pass++;
            midi_sink_process(&m->sink, done, (uint32_t)(now + lead - done));
            done = now + lead;
            if (m->seq) snd_seq_drain_output(m->seq);
        }
        nanosleep(&nap, NULL);
    }
    /* what is sent after this (the clock's Stop, the panic) goes after all of it */
    m->win_start = done;
    m->win_clock = now_frames(m);
    m->win_ns = queue_now_ns(m);
    m->pm_now_ms = midi_out_pm_ms(m->win_ns);
    m->pm_pass++;
    return NULL;
}

static int start_poll(midi_out *m, char *err, size_t errlen) {
    m->t0_ns = mono_ns();
    if (m->midi_clock) midi_sink_clock_enable(&m->sink, m->rate);
    if (m->seq) m->queue_offset_ns = read_queue_offset(m);
    int r = pthread_create(&m->thread, NULL, poll_thread, m);
    if (r) return lj_fail(err, errlen, LJ_ERR_IO, "cannot start the MIDI output thread: %s", strerror(r));
    m->thread_running = 1;
    (void)rt_thread_promote(m->thread, RT_THREAD_MIDI_PRIORITY, "lj-midi-out"); /* refused: normal priority */
    return LJ_OK;
}

static int open_alsa(midi_out *m, const char *dest, char *err, size_t errlen) {
    audio_out_quiet_libs();
    m->seq_queue = -1;
    int r = snd_seq_open(&m->seq, "default", SND_SEQ_OPEN_OUTPUT, 0);
    if (r < 0) {
        m->seq = NULL;
        return lj_fail(err, errlen, LJ_ERR_IO, "--midi-out alsa: cannot open the ALSA sequencer: %s%s",
                       snd_strerror(r),
                       r == -ENOENT ? " (no /dev/snd/seq: load the snd-seq module, or use --midi-out jack)" : "");
    }
    snd_seq_set_client_name(m->seq, "lstmjam");
    m->seq_port = snd_seq_create_simple_port(m->seq, "out", SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ,
                                             SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION);
    if (m->seq_port < 0)
        return lj_fail(err, errlen, LJ_ERR_IO, "ALSA sequencer: cannot create the port: %s", snd_strerror(m->seq_port));
    if ((r = snd_midi_event_new(16, &m->encoder)) < 0)
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "ALSA MIDI encoder: %s", snd_strerror(r));
    snprintf(m->name, sizeof m->name, "ALSA sequencer lstmjam:out (client %d)", snd_seq_client_id(m->seq));
    if (dest && *dest) {
        snd_seq_addr_t to;
        if ((r = snd_seq_parse_address(m->seq, &to, dest)) < 0 ||
            (r = snd_seq_connect_to(m->seq, m->seq_port, to.client, to.port)) < 0)
            return lj_fail(err, errlen, LJ_ERR_ARG, "--midi-out alsa:%s: cannot connect to that port: %s "
                           "(see aconnect -o)", dest, snd_strerror(r));
        size_t l = strlen(m->name);
        snprintf(m->name + l, sizeof m->name - l, " -> %s", dest);
    }
    /* a queue of our own: each event is scheduled at its exact time in the
     * queue's real time (the 1 ms sender hands it over up to LEAD_MS early;
     * queue_offset_ns maps the monotonic clock onto the queue's) */
    if ((m->seq_queue = snd_seq_alloc_named_queue(m->seq, "lstmjam")) < 0)
        return lj_fail(err, errlen, LJ_ERR_IO, "ALSA sequencer: cannot make a queue: %s", snd_strerror(m->seq_queue));
    if ((r = snd_seq_start_queue(m->seq, m->seq_queue, NULL)) < 0 || (r = snd_seq_drain_output(m->seq)) < 0 ||
        (r = snd_seq_sync_output_queue(m->seq)) < 0)
        return lj_fail(err, errlen, LJ_ERR_IO, "ALSA sequencer: cannot start the queue: %s", snd_strerror(r));
    snd_seq_queue_status_t *st;
    snd_seq_queue_status_alloca(&st);
    if ((r = snd_seq_get_queue_status(m->seq, m->seq_queue, st)) < 0 || !snd_seq_queue_status_get_status(st))
        return lj_fail(err, errlen, LJ_ERR_IO, "ALSA sequencer: the queue does not run%s%s",
                       r < 0 ? ": " : "", r < 0 ? snd_strerror(r) : "");
    return start_poll(m, err, errlen);
}

static int open_portmidi(midi_out *m, const char *spec, char *err, size_t errlen) {
    audio_out_quiet_libs();
    PmError pe = device_portmidi_acquire();
    if (pe != pmNoError) return lj_fail(err, errlen, LJ_ERR_IO, "PortMidi: %s", Pm_GetErrorText(pe));
    m->pm_started = 1;
    int outputs = 0, found = device_portmidi_find(spec, 1, &outputs);
    if (found < 0) {
        if (!outputs)
            return lj_fail(err, errlen, LJ_ERR_IO,
                           "--midi-out '%s': PortMidi sees no MIDI output (no ALSA sequencer here?); on "
                           "JACK use --midi-out jack", spec);
        return lj_fail(err, errlen, LJ_ERR_ARG, "--midi-out '%s': no MIDI output matches (see lstmjam devices)",
                       spec);
    }
    pe = Pm_OpenOutput(&m->pm, found, NULL, 1024, pm_time, m, (int32_t)PM_LATENCY_MS);
    if (pe != pmNoError) {
        m->pm = NULL;
        return lj_fail(err, errlen, LJ_ERR_IO, "%s: %s", Pm_GetDeviceInfo(found)->name, Pm_GetErrorText(pe));
    }
    snprintf(m->name, sizeof m->name, "PortMidi %s", Pm_GetDeviceInfo(found)->name);
    return start_poll(m, err, errlen);
}

/* "virtual": a port for a DAW to connect to on whichever MIDI system this
 * machine runs: the ALSA sequencer's lstmjam:out where the sequencer exists
 * (the desktop case), else a JACK MIDI port lstmjam-out:midi_out (a JACK
 * setup, or a machine without /dev/snd/seq); the error names both. */
static int open_virtual(midi_out *m, rtq *events, char *err, size_t errlen) {
    audio_out_quiet_libs();
    snd_seq_t *probe = NULL;
    int r = snd_seq_open(&probe, "default", SND_SEQ_OPEN_OUTPUT, 0);
    if (r >= 0) {
        snd_seq_close(probe);
        midi_sink_init(&m->sink, events, alsa_write, m);
        return open_alsa(m, NULL, err, errlen);
    }
    midi_sink_init(&m->sink, events, jack_write, m);
    char jack_err[256];
    if (open_jack(m, NULL, jack_err, sizeof jack_err) == LJ_OK) return LJ_OK;
    return lj_fail(err, errlen, LJ_ERR_IO,
                   "virtual MIDI out: no ALSA sequencer (%s) and %s; hint: load the snd-seq module "
                   "(sudo modprobe snd-seq) or start a JACK server, or render to a file",
                   snd_strerror(r), jack_err);
}

int midi_out_open(const char *spec, rtq *events, double sample_rate, midi_out_clock_fn clock,
                  void *clock_user, int midi_clock, midi_out **out, char *err, size_t errlen) {
    *out = NULL;
    midi_out *m = calloc(1, sizeof *m);
    if (!m) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    m->clock = clock;
    m->clock_user = clock_user;
    m->rate = sample_rate;
    atomic_init(&m->own_frames, 0);
    atomic_init(&m->jack_cycles, 0);
    atomic_init(&m->jack_xruns, 0);
    atomic_init(&m->clock_raises, 0);
    atomic_init(&m->clock_lowers, 0);
    atomic_init(&m->raises_deferred, 0);
    atomic_init(&m->jack_refused, 0);
    atomic_init(&m->stop, 0);
    atomic_init(&m->lost, 0);
    m->midi_clock = midi_clock;
    int jack = !strcmp(spec, "jack") || !strncmp(spec, "jack:", 5), rc;
    int alsa = !strcmp(spec, "alsa") || !strncmp(spec, "alsa:", 5);
    if (!strcmp(spec, "virtual")) {
        rc = open_virtual(m, events, err, errlen);
    } else {
        midi_sink_init(&m->sink, events, jack ? jack_write : alsa ? alsa_write : pm_write, m);
        if (jack) rc = open_jack(m, spec[4] ? spec + 5 : NULL, err, errlen);
        else if (alsa) rc = open_alsa(m, spec[4] ? spec + 5 : NULL, err, errlen);
        else rc = open_portmidi(m, spec, err, errlen);
    }
    if (rc) {
        midi_out_close(m);
        return rc;
    }
    *out = m;
    return LJ_OK;
}

/* Closing the client drops what its queue still holds: wait until the queue's
 * time passes the last event scheduled (DRAIN_TIMEOUT_NS at most); if it does
 * not (a stalled queue), drop it all and send every channel's all-notes-off
 * and all-sound-off directly, so nothing is left on. */
static void alsa_wait_sent(midi_out *m) {
    snd_seq_drain_output(m->seq);
    struct timespec nap = {0, 1000000};
    uint64_t give_up = mono_ns() + DRAIN_TIMEOUT_NS;
    snd_seq_queue_status_t *st;
    snd_seq_queue_status_alloca(&st);
    while (mono_ns() < give_up) {
        if (snd_seq_get_queue_status(m->seq, m->seq_queue, st) < 0) break;
        const snd_seq_real_time_t *rt = snd_seq_queue_status_get_real_time(st);
        uint64_t q = (uint64_t)rt->tv_sec * 1000000000u + rt->tv_nsec;
        if (q > m->last_ns + 1000000u && snd_seq_queue_status_get_events(st) == 0) return;
        nanosleep(&nap, NULL);
    }
    snd_seq_drop_output(m->seq);
    snd_seq_remove_events_t *rm;
    snd_seq_remove_events_alloca(&rm);
    snd_seq_remove_events_set_condition(rm, SND_SEQ_REMOVE_OUTPUT);
    snd_seq_remove_events(m->seq, rm);
    for (int ch = 0; ch < 16; ch++)
        for (int k = 0; k < 2; k++) {
            snd_seq_event_t ev;
            snd_seq_ev_clear(&ev);
            snd_seq_ev_set_controller(&ev, ch, k ? 120 : 123, 0);
            snd_seq_ev_set_source(&ev, m->seq_port);
            snd_seq_ev_set_subs(&ev);
            snd_seq_ev_set_direct(&ev);
            snd_seq_event_output(m->seq, &ev);
        }
    snd_seq_drain_output(m->seq);
}

void midi_out_close(midi_out *m) {
    if (!m) return;
    if (m->jack && atomic_load_explicit(&m->lost, memory_order_acquire)) {
        /* the server is gone: nothing to send, no period to wait for */
        jack_client_close(m->jack);
    } else if (m->jack) {
        struct timespec nap = {0, 2000000};
        if (m->midi_clock) { /* Stop, sent by the process callback (its next period) */
            midi_sink_clock_stop_request(&m->sink);
            midi_sink_stats cs;
            for (int i = 0; i < 100; i++) {
                midi_sink_get_stats(&m->sink, &cs);
                if (!cs.clock_running) break;
                nanosleep(&nap, NULL);
            }
        }
        /* the last periods: whatever is still held gets its note-off */
        midi_sink_stats st;
        midi_sink_get_stats(&m->sink, &st);
        if (st.held) {
            lj_event p = lj_event_panic(0);
            rtq_push(m->sink.events, &p);
            for (int i = 0; i < 500 && rtq_count(m->sink.events); i++) nanosleep(&nap, NULL);
            nanosleep(&nap, NULL);
        }
        jack_deactivate(m->jack);
        jack_client_close(m->jack);
    }
    if (m->thread_running) {
        atomic_store_explicit(&m->stop, 1, memory_order_release);
        pthread_join(m->thread, NULL);
        /* this thread is the sink's now: the clock's Stop first (its pass may
         * send events that were due), the panic last, after all of them */
        if (m->midi_clock) {
            midi_sink_clock_stop_request(&m->sink);
            midi_sink_process(&m->sink, now_frames(m), 0);
        }
        if (m->sink.voices.n_held) midi_sink_panic(&m->sink, 0);
        if (m->seq) alsa_wait_sent(m);
    }
    if (m->pm && m->pm_order.any) {
        /* PortMidi holds what it was given in the sequencer's queue until its
         * time: let the last of it (the panic) leave before the port goes */
        struct timespec nap = {0, 1000000};
        for (int i = 0; i < 100; i++) {
            uint32_t now = midi_out_pm_ms(mono_ns() - m->t0_ns);
            if ((int32_t)(now - (m->pm_order.last + PM_LATENCY_MS)) > 1) break;
            nanosleep(&nap, NULL);
        }
    }
    if (m->pm) Pm_Close(m->pm);
    if (m->pm_started) device_portmidi_release();
    if (m->encoder) snd_midi_event_free(m->encoder);
    if (m->seq) snd_seq_close(m->seq);
    free(m);
}

const char *midi_out_name(const midi_out *m) { return m->name; }
int midi_out_lost(const midi_out *m) {
    return atomic_load_explicit(&((midi_out *)m)->lost, memory_order_acquire);
}
int midi_out_started(const midi_out *m) {
    return !m->jack || atomic_load_explicit(&((midi_out *)m)->jack_cycles, memory_order_acquire) > 0;
}
double midi_out_rate(const midi_out *m) { return m->rate; }
uint64_t midi_out_xruns(const midi_out *m) {
    return atomic_load_explicit(&((midi_out *)m)->jack_xruns, memory_order_relaxed);
}
uint64_t midi_out_lead_frames(const midi_out *m) {
    if (m->jack) return jack_get_buffer_size(m->jack);
    return (uint64_t)(m->rate * (LEAD_MS + 1.0) / 1000.0) + 1; /* the hand-over and one pass */
}
void midi_out_get_stats(const midi_out *m, midi_sink_stats *out) { midi_sink_get_stats(&m->sink, out); }
int midi_out_clock_follow(const midi_out *m, midi_out_jack_follow *out) {
    midi_out *w = (midi_out *)m;
    *out = (midi_out_jack_follow){0};
    out->raises = atomic_load_explicit(&w->clock_raises, memory_order_relaxed);
    out->lowers = atomic_load_explicit(&w->clock_lowers, memory_order_relaxed);
    out->raises_deferred = atomic_load_explicit(&w->raises_deferred, memory_order_relaxed);
    return m->jack && m->clock;
}
uint64_t midi_out_refused(const midi_out *m) {
    return atomic_load_explicit(&((midi_out *)m)->jack_refused, memory_order_relaxed);
}
int midi_out_is_jack(const midi_out *m) { return m->jack != NULL; }
void midi_out_set_clock_tempo(midi_out *m, double bpm) { midi_sink_set_clock_tempo(&m->sink, bpm); }

void midi_out_set_thru(midi_out *m, rtq *thru) { midi_sink_set_thru(&m->sink, thru); }
