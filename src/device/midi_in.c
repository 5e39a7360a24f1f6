#include "midi_in.h"

#include "audio_out.h"
#include "device_match.h"
#include "rt_thread.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <jack/jack.h>
#include <jack/midiport.h>
#include <portmidi.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct midi_in {
    midi_route *route;
    midi_in_clock_fn clock;
    void *clock_user;
    char name[256];
    /* JACK */
    jack_client_t *jack;
    jack_port_t *port;
    _Atomic unsigned long jack_cycles; /* process callbacks run (start-up check) */
    int reopened;                      /* clients replaced because the server never ran them */
    /* ALSA sequencer */
    snd_seq_t *seq;
    snd_midi_event_t *decoder; /* sequencer events -> MIDI bytes (alsa-lib, no kernel) */
    int seq_client, seq_port;  /* our port lstmjam-midi:in */
    midi_in_alsa_sources sources; /* who is connected to it (the input thread's) */
    _Atomic unsigned sources_left; /* departures so far */
    _Atomic unsigned last_left;    /* the last one: client << 8 | port */
    /* PortMidi */
    PortMidiStream *pm;
    int pm_started;
    pthread_t thread;
    int thread_running;
    _Atomic int stop;
    _Atomic int lost; /* the device went away: JACK server shut down, a read error */
};

/* The device went away (any backend's thread): its held keys are released
 * (midi_route_device_lost) and play sees midi_in_lost. */
static void device_gone(midi_in *m, uint64_t frame) {
    midi_route_device_lost(m->route, frame);
    atomic_store_explicit(&m->lost, 1, memory_order_release);
}

/* ---- JACK ---- */

/* JACK's real-time thread: route every event of this period. */
static int jack_process(jack_nframes_t nframes, void *arg) {
    midi_in *m = arg;
    atomic_store_explicit(&m->jack_cycles, atomic_load_explicit(&m->jack_cycles, memory_order_relaxed) + 1,
                          memory_order_release);
    void *buf = jack_port_get_buffer(m->port, nframes);
    uint32_t n = jack_midi_get_event_count(buf);
    uint64_t now = m->clock(m->clock_user);
    jack_nframes_t cycle = jack_last_frame_time(m->jack);
    for (uint32_t i = 0; i < n; i++) {
        jack_midi_event_t ev;
        if (jack_midi_event_get(&ev, buf, i)) continue;
        /* MIDI clock is stamped on JACK's own frame time: the follower needs
         * only the intervals, and the audio clock read here may be before or
         * after this cycle's update (a period of jitter: +-1 BPM at 150) */
        uint64_t at = ev.size && ev.buffer[0] >= 0xF8 ? (uint64_t)cycle : now;
        midi_route_message(m->route, at + ev.time, ev.buffer, ev.size);
    }
    return 0;
}

/* libjack's thread, when the server stops or drops the client: no process
 * callback runs after it. The keys' note-offs will never come: release them
 * (this thread is the route's producer now, as the process thread is gone). */
static void jack_shutdown(jack_status_t code, const char *reason, void *arg) {
    (void)code, (void)reason;
    midi_in *m = arg;
    device_gone(m, m->clock(m->clock_user));
}

/* One activated client "lstmjam-midi" with its input port in m->jack, m->port. */
static int open_jack_client(midi_in *m, char *err, size_t errlen) {
    jack_status_t status;
    m->jack = jack_client_open("lstmjam-midi", JackNoStartServer, &status);
    if (!m->jack)
        return lj_fail(err, errlen, LJ_ERR_IO, "JACK MIDI input: no JACK server running (status 0x%x)",
                       (unsigned)status);
    m->port = jack_port_register(m->jack, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    if (!m->port) return lj_fail(err, errlen, LJ_ERR_IO, "JACK: cannot register a MIDI input port");
    atomic_store(&m->jack_cycles, 0);
    jack_set_process_callback(m->jack, jack_process, m);
    jack_on_info_shutdown(m->jack, jack_shutdown, m);
    if (jack_activate(m->jack)) return lj_fail(err, errlen, LJ_ERR_IO, "JACK: cannot activate the client");
    return LJ_OK;
}

/* Waits up to `ms` for the client's first process callback. */
static int jack_runs(midi_in *m, int ms) {
    for (int i = 0; i < ms && !atomic_load_explicit(&m->jack_cycles, memory_order_acquire); i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    return atomic_load_explicit(&m->jack_cycles, memory_order_acquire) > 0;
}

static int open_jack(midi_in *m, const char *source, char *err, size_t errlen) {
    audio_out_quiet_libs();
    int rc = open_jack_client(m, err, errlen);
    /* jackd 1.9.21 sometimes activates this second client of the process
     * (MIDI out's is the first) and never runs it: the server reports it
     * "not finished, state = Triggered" every cycle, and every message sent
     * to it is lost (play_midi_clock: the CC 71 that never arrived, in about
     * half the runs where `jack_lsp | grep -q` polled for the port while
     * lstmjam started). A client that has not run within 500 ms (about 190
     * periods of 128 frames) is closed and opened again (same name: the
     * port others connect to stays lstmjam-midi:midi_in). */
    for (int attempt = 0; !rc && attempt < 3 && !jack_runs(m, 500); attempt++) {
        jack_deactivate(m->jack);
        jack_client_close(m->jack);
        m->jack = NULL;
        m->port = NULL;
        rc = open_jack_client(m, err, errlen);
        m->reopened++;
    }
    if (!rc && !jack_runs(m, 0))
        rc = lj_fail(err, errlen, LJ_ERR_IO, "JACK MIDI input: the JACK server does not run the client "
                                             "%s (tried %d times)", jack_get_client_name(m->jack), m->reopened + 1);
    if (rc) return rc;
    snprintf(m->name, sizeof m->name, "JACK %s", jack_port_name(m->port));
    if (source && *source) {
        if (jack_connect(m->jack, source, jack_port_name(m->port)))
            return lj_fail(err, errlen, LJ_ERR_ARG, "--midi-in jack:%s: cannot connect that port to %s",
                           source, jack_port_name(m->port));
        snprintf(m->name, sizeof m->name, "JACK %s <- %s", jack_port_name(m->port), source);
    }
    return LJ_OK;
}

/* ---- ALSA sequencer ---- */

int midi_in_alsa_to_midi(struct snd_midi_event *decoder, const struct snd_seq_event *ev, uint8_t *out,
                         size_t cap) {
    switch (ev->type) { /* the messages midi_route takes; the rest (sysex, subscriptions) is not music */
    case SND_SEQ_EVENT_NOTEON: case SND_SEQ_EVENT_NOTEOFF: case SND_SEQ_EVENT_CONTROLLER:
    case SND_SEQ_EVENT_PGMCHANGE: case SND_SEQ_EVENT_PITCHBEND: case SND_SEQ_EVENT_CHANPRESS:
    case SND_SEQ_EVENT_KEYPRESS: break;
    case SND_SEQ_EVENT_CLOCK: case SND_SEQ_EVENT_START: case SND_SEQ_EVENT_CONTINUE:
    case SND_SEQ_EVENT_STOP: break; /* for --midi-clock in (midi_route_follow_clock) */
    default: return 0;
    }
    snd_midi_event_reset_decode(decoder);
    long n = snd_midi_event_decode(decoder, out, (long)cap, ev);
    return n > 0 ? (int)n : 0;
}

static int find_source(const midi_in_alsa_sources *s, int client, int port) {
    for (int i = 0; i < s->n; i++)
        if (s->addr[i] >> 8 == client && (port < 0 || (s->addr[i] & 0xFF) == port)) return i;
    return -1;
}

int midi_in_alsa_source_event(midi_in_alsa_sources *s, int self_client, int self_port,
                              const struct snd_seq_event *ev, int *gone_client, int *gone_port) {
    int client, port, i;
    switch (ev->type) {
    case SND_SEQ_EVENT_PORT_SUBSCRIBED:
    case SND_SEQ_EVENT_PORT_UNSUBSCRIBED:
        if (ev->data.connect.dest.client != self_client || ev->data.connect.dest.port != self_port) return 0;
        client = ev->data.connect.sender.client;
        port = ev->data.connect.sender.port;
        if (client == SND_SEQ_CLIENT_SYSTEM) return 0; /* the announce port itself: not a player */
        i = find_source(s, client, port);
        if (ev->type == SND_SEQ_EVENT_PORT_SUBSCRIBED) {
            if (i >= 0) return 0;
            if (s->n < MIDI_IN_ALSA_SOURCES) s->addr[s->n++] = (uint16_t)(client << 8 | port);
            else s->overflow = 1;
            return 0;
        }
        if (i < 0 && !s->overflow) return 0; /* told already (an exit came first), or never ours */
        break;
    case SND_SEQ_EVENT_PORT_EXIT:
    case SND_SEQ_EVENT_CLIENT_EXIT:
        client = ev->data.addr.client;
        port = ev->type == SND_SEQ_EVENT_PORT_EXIT ? ev->data.addr.port : -1;
        if ((i = find_source(s, client, port)) < 0) return 0;
        port = s->addr[i] & 0xFF;
        break;
    default:
        return 0;
    }
    /* remove it (every port of an exiting client) */
    for (int k = 0; k < s->n;)
        if (s->addr[k] >> 8 == client && (ev->type == SND_SEQ_EVENT_CLIENT_EXIT || (s->addr[k] & 0xFF) == port))
            s->addr[k] = s->addr[--s->n];
        else
            k++;
    *gone_client = client;
    *gone_port = port;
    return 1;
}

/* A source left: its held keys are released, play is told. */
static void source_left(midi_in *m, int client, int port) {
    midi_route_device_lost(m->route, m->clock(m->clock_user));
    atomic_store_explicit(&m->last_left, (unsigned)(client << 8 | port), memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sources_left, 1, memory_order_release);
}

/* Waits on the sequencer (50 ms at most, to see the stop flag) and routes
 * each event stamped with the audio clock at its arrival; follows who is
 * connected (source_left when one goes). */
static void *alsa_thread(void *arg) {
    midi_in *m = arg;
    struct pollfd fds[8];
    int nfds = snd_seq_poll_descriptors(m->seq, fds, 8, POLLIN);
    struct timespec back_off = {0, 10000000};
    while (!atomic_load_explicit(&m->stop, memory_order_acquire)) {
        if (poll(fds, (nfds_t)nfds, 50) <= 0) continue;
        for (int i = 0; i < nfds; i++)
            if (fds[i].revents & (POLLERR | POLLNVAL | POLLHUP)) nanosleep(&back_off, NULL); /* no spinning */
        snd_seq_event_t *ev = NULL;
        int r;
        while ((r = snd_seq_event_input(m->seq, &ev)) >= 0 && ev) { /* non-blocking: -EAGAIN when empty */
            uint8_t bytes[8];
            int n = midi_in_alsa_to_midi(m->decoder, ev, bytes, sizeof bytes), gc, gp;
            if (n > 0) midi_route_message(m->route, m->clock(m->clock_user), bytes, (size_t)n);
            else if (midi_in_alsa_source_event(&m->sources, m->seq_client, m->seq_port, ev, &gc, &gp))
                source_left(m, gc, gp);
            ev = NULL;
        }
        if (r == -ENOSPC) { /* the kernel's input buffer overran: a note-off may be lost */
            static const uint8_t all_off[3] = {0xB0, 123, 0}; /* a panic, as CC 123 from the player */
            midi_route_message(m->route, m->clock(m->clock_user), all_off, 3);
        } else if (r < 0 && r != -EAGAIN && r != -EINTR) { /* the sequencer failed: no more input */
            device_gone(m, m->clock(m->clock_user));
            break;
        }
    }
    return NULL;
}

static int open_alsa(midi_in *m, const char *source, char *err, size_t errlen) {
    audio_out_quiet_libs();
    int r = snd_seq_open(&m->seq, "default", SND_SEQ_OPEN_INPUT, SND_SEQ_NONBLOCK);
    if (r < 0) {
        m->seq = NULL;
        return lj_fail(err, errlen, LJ_ERR_IO, "--midi-in alsa: cannot open the ALSA sequencer: %s%s",
                       snd_strerror(r),
                       r == -ENOENT ? " (no /dev/snd/seq: load the snd-seq module, or use --midi-in jack)" : "");
    }
    snd_seq_set_client_name(m->seq, "lstmjam-midi"); /* as on JACK; MIDI out is the client "lstmjam" */
    int port = snd_seq_create_simple_port(m->seq, "in", SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE,
                                          SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION);
    if (port < 0)
        return lj_fail(err, errlen, LJ_ERR_IO, "ALSA sequencer: cannot create the port: %s", snd_strerror(port));
    if ((r = snd_midi_event_new(16, &m->decoder)) < 0)
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "ALSA MIDI decoder: %s", snd_strerror(r));
    snd_midi_event_no_status(m->decoder, 1); /* every message with its status byte */
    m->seq_client = snd_seq_client_id(m->seq);
    m->seq_port = port;
    snprintf(m->name, sizeof m->name, "ALSA sequencer lstmjam-midi:in (client %d)", m->seq_client);
    /* the announcements (a client or port exiting), besides the
     * (un)subscription notices our port gets anyway; without them those
     * notices alone still tell a departure */
    (void)snd_seq_connect_from(m->seq, port, SND_SEQ_CLIENT_SYSTEM, SND_SEQ_PORT_SYSTEM_ANNOUNCE);
    if (source && *source) {
        snd_seq_addr_t from;
        if ((r = snd_seq_parse_address(m->seq, &from, source)) < 0 ||
            (r = snd_seq_connect_from(m->seq, port, from.client, from.port)) < 0)
            return lj_fail(err, errlen, LJ_ERR_ARG, "--midi-in alsa:%s: cannot connect from that port: %s "
                           "(see aconnect -i)", source, snd_strerror(r));
        m->sources.addr[m->sources.n++] = (uint16_t)(from.client << 8 | from.port); /* its notice may come too */
        size_t l = strlen(m->name);
        snprintf(m->name + l, sizeof m->name - l, " <- %s", source);
    }
    r = pthread_create(&m->thread, NULL, alsa_thread, m);
    if (r) return lj_fail(err, errlen, LJ_ERR_IO, "cannot start the MIDI input thread: %s", strerror(r));
    m->thread_running = 1;
    (void)rt_thread_promote(m->thread, RT_THREAD_MIDI_PRIORITY, "lj-midi-in"); /* refused: normal priority */
    return LJ_OK;
}

/* ---- PortMidi ---- */

size_t midi_in_pm_to_midi(uint32_t message, uint8_t out[3]) {
    PmMessage msg = (PmMessage)message;
    out[0] = (uint8_t)Pm_MessageStatus(msg);
    out[1] = (uint8_t)Pm_MessageData1(msg);
    out[2] = (uint8_t)Pm_MessageData2(msg);
    if (out[0] >= 0xF8) return 1; /* system real-time: clock, Start, Continue, Stop... */
    int st = out[0] & 0xF0;
    return st == 0xC0 || st == 0xD0 ? 2 : 3;
}

static void *pm_thread(void *arg) {
    midi_in *m = arg;
    struct timespec nap = {0, 1000000}; /* PortMidi has no callback: poll every ms */
    PmEvent buf[64];
    while (!atomic_load_explicit(&m->stop, memory_order_acquire)) {
        int n;
        while ((n = Pm_Read(m->pm, buf, 64)) > 0) {
            uint64_t now = m->clock(m->clock_user);
            for (int i = 0; i < n; i++) {
                uint8_t bytes[3];
                size_t len = midi_in_pm_to_midi((uint32_t)buf[i].message, bytes);
                midi_route_message(m->route, now, bytes, len);
            }
        }
        if (n < 0 && n != pmBufferOverflow) { /* the device failed (unplugged): no more input */
            device_gone(m, m->clock(m->clock_user));
            break;
        }
        if (n == pmBufferOverflow) { /* PortMidi's buffer overran: a note-off may be lost */
            static const uint8_t all_off[3] = {0xB0, 123, 0};
            midi_route_message(m->route, m->clock(m->clock_user), all_off, 3);
        }
        nanosleep(&nap, NULL);
    }
    return NULL;
}

static int open_portmidi(midi_in *m, const char *spec, char *err, size_t errlen) {
    audio_out_quiet_libs();
    PmError pe = device_portmidi_acquire();
    if (pe != pmNoError) return lj_fail(err, errlen, LJ_ERR_IO, "PortMidi: %s", Pm_GetErrorText(pe));
    m->pm_started = 1;
    int inputs = 0, found = device_portmidi_find(spec, 0, &inputs);
    if (found < 0) {
        if (!inputs)
            return lj_fail(err, errlen, LJ_ERR_IO,
                           "--midi-in '%s': PortMidi sees no MIDI input (no ALSA sequencer here?); "
                           "on JACK use --midi-in jack", spec);
        return lj_fail(err, errlen, LJ_ERR_ARG, "--midi-in '%s': no MIDI input matches (see lstmjam devices)",
                       spec);
    }
    pe = Pm_OpenInput(&m->pm, found, NULL, 1024, NULL, NULL);
    if (pe != pmNoError) {
        m->pm = NULL;
        return lj_fail(err, errlen, LJ_ERR_IO, "%s: %s", Pm_GetDeviceInfo(found)->name, Pm_GetErrorText(pe));
    }
    Pm_SetFilter(m->pm, PM_FILT_ACTIVE | PM_FILT_SYSEX); /* clock passes: --midi-clock in follows it */
    snprintf(m->name, sizeof m->name, "PortMidi %s", Pm_GetDeviceInfo(found)->name);
    int r = pthread_create(&m->thread, NULL, pm_thread, m);
    if (r) return lj_fail(err, errlen, LJ_ERR_IO, "cannot start the MIDI input thread: %s", strerror(r));
    m->thread_running = 1;
    (void)rt_thread_promote(m->thread, RT_THREAD_MIDI_PRIORITY, "lj-midi-in"); /* refused: normal priority */
    return LJ_OK;
}

int midi_in_open(const char *spec, midi_route *route, midi_in_clock_fn clock, void *clock_user,
                 midi_in **out, char *err, size_t errlen) {
    *out = NULL;
    midi_in *m = calloc(1, sizeof *m);
    if (!m) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    m->route = route;
    m->clock = clock;
    m->clock_user = clock_user;
    atomic_init(&m->stop, 0);
    atomic_init(&m->lost, 0);
    atomic_init(&m->sources_left, 0);
    atomic_init(&m->last_left, 0);
    int rc;
    if (!strcmp(spec, "jack")) rc = open_jack(m, NULL, err, errlen);
    else if (!strncmp(spec, "jack:", 5)) rc = open_jack(m, spec + 5, err, errlen);
    else if (!strcmp(spec, "alsa")) rc = open_alsa(m, NULL, err, errlen);
    else if (!strncmp(spec, "alsa:", 5)) rc = open_alsa(m, spec + 5, err, errlen);
    else rc = open_portmidi(m, spec, err, errlen);
    if (rc) {
        midi_in_close(m);
        return rc;
    }
    *out = m;
    return LJ_OK;
}

void midi_in_close(midi_in *m) {
    if (!m) return;
    if (m->jack) {
        if (!atomic_load_explicit(&m->lost, memory_order_acquire)) jack_deactivate(m->jack); /* else no server */
        jack_client_close(m->jack);
    }
    if (m->thread_running) {
        atomic_store_explicit(&m->stop, 1, memory_order_release);
        pthread_join(m->thread, NULL);
    }
    if (m->pm) Pm_Close(m->pm);
    if (m->pm_started) device_portmidi_release();
    if (m->decoder) snd_midi_event_free(m->decoder);
    if (m->seq) snd_seq_close(m->seq);
    free(m);
}

const char *midi_in_name(const midi_in *m) { return m->name; }
int midi_in_lost(const midi_in *m) {
    return atomic_load_explicit(&((midi_in *)m)->lost, memory_order_acquire);
}
int midi_in_reopened(const midi_in *m) { return m->reopened; }
unsigned midi_in_sources_left(const midi_in *m, int *client, int *port) {
    midi_in *mm = (midi_in *)m;
    unsigned n = atomic_load_explicit(&mm->sources_left, memory_order_acquire);
    unsigned a = atomic_load_explicit(&mm->last_left, memory_order_relaxed);
    *client = (int)(a >> 8);
    *port = (int)(a & 0xFF);
    return n;
}

int midi_in_list_portmidi(FILE *fp, char *err, size_t errlen) {
    audio_out_quiet_libs();
    PmError pe = device_portmidi_acquire();
    if (pe != pmNoError) {
        lj_fail(err, errlen, LJ_ERR_IO, "PortMidi: %s", Pm_GetErrorText(pe));
        return -1;
    }
    int n = Pm_CountDevices();
    for (int i = 0; i < n; i++) {
        const PmDeviceInfo *d = Pm_GetDeviceInfo(i);
        if (d) fprintf(fp, "  %2d  %s: %s (%s)\n", i, d->interf, d->name, d->input ? "input" : "output");
    }
    device_portmidi_release();
    return n;
}
