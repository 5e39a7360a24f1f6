/* jack_send: a JACK MIDI peer that plays the player's part of a test, one
 * message at a time as the test script decides (unlike jack_midiseq's fixed
 * loop, it sends controllers too and lets the script wait for lstmjam between
 * messages). It reads lines from stdin, each one MIDI message in hex bytes
 * ("9f 3c 64", "bf 7b 00"), and writes each at the start of the next JACK
 * cycle on its port `jack_send:out`, which is connected to every PORT given.
 * A line "sleep MS" waits that long before the next message (two messages
 * a few cycles apart without a shell round trip). A line "clock BPM N" sends
 * N MIDI clock ticks (0xF8) at 24 per quarter note of BPM, each at its exact
 * frame (the first at the start of the next cycle; the messages after the
 * line wait for the last tick, and go at its offset); single system
 * real-time bytes ("fa", "fc") are messages too. At the end of stdin it
 * waits until everything is sent and exits.
 *
 *   jack_send PORT... < messages
 *
 * Exit 0 when every message was sent, 1 on a bad line or a JACK failure, 77
 * when no JACK server runs. */
#include <errno.h>
#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/ringbuffer.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct msg {
    unsigned char bytes[3];
    unsigned char len;   /* 0: a clock run of `ticks` ticks, `interval` frames apart */
    unsigned ticks;
    double interval;
} msg;

static jack_port_t *port;
static jack_ringbuffer_t *queue; /* msg records: main thread -> process callback */
static jack_client_t *client;
static _Atomic int clock_left;  /* ticks of the clock run still to send (the callback's) */
static double clock_next;        /* the next tick's frame on JACK's frame time: a cycle
                                    this client missed delays one tick, not all after it */

static int process(jack_nframes_t n, void *arg) {
    (void)arg;
    void *buf = jack_port_get_buffer(port, n);
    jack_midi_clear_buffer(buf);
    static const unsigned char tick = 0xF8;
    static double interval;
    jack_nframes_t at = 0; /* events of one buffer go in time order */
    const double start = (double)jack_last_frame_time(client);
    msg m;
    for (;;) {
        for (; clock_left > 0 && clock_next < start + n; clock_next += interval, clock_left--) {
            jack_nframes_t t = clock_next > start ? (jack_nframes_t)(clock_next - start) : 0;
            at = t > at ? t : at;
            jack_midi_event_write(buf, at, &tick, 1);
        }
        if (clock_left > 0) break;
        if (jack_ringbuffer_read_space(queue) < sizeof m) break;
        jack_ringbuffer_read(queue, (char *)&m, sizeof m);
        if (m.len) {
            jack_midi_event_write(buf, at, m.bytes, m.len);
        } else {
            interval = m.interval;
            clock_next = start + at;
            clock_left = (int)m.ticks;
        }
    }
    return 0;
}

static void nap_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: jack_send PORT... < messages (hex bytes per line, clock BPM N, or sleep MS)\n");
        return 1;
    }
    jack_status_t st;
    client = jack_client_open("jack_send", JackNoStartServer, &st);
    if (!client) {
        fprintf(stderr, "jack_send: no JACK server\n");
        return 77;
    }
    queue = jack_ringbuffer_create(4096);
    port = jack_port_register(client, "out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    jack_set_process_callback(client, process, NULL);
    if (!queue || !port || jack_activate(client)) {
        fprintf(stderr, "jack_send: cannot set up the client\n");
        return 1;
    }
    /* A connection the server refuses is tried again for up to a second:
     * under heavy preemption (tools/rt_noise.c, ~30 xruns a second) jackd
     * refused one now and then although the port was there (play_devices:
     * "cannot connect to lstmjam-midi:midi_in" after play's status line,
     * which comes only once its MIDI input runs). Each retry is said. */
    for (int i = 1; i < argc; i++)
        for (int attempt = 1, rc; (rc = jack_connect(client, jack_port_name(port), argv[i])) && rc != EEXIST;
             attempt++) { /* EEXIST: an earlier try did connect */
            if (attempt == 20) {
                fprintf(stderr, "jack_send: cannot connect to %s (%d tries)\n", argv[i], attempt);
                return 1;
            }
            fprintf(stderr, "jack_send: cannot connect to %s, trying again\n", argv[i]);
            nap_ms(50);
        }
    char line[256];
    int lineno = 0, bad = 0;
    while (!bad && fgets(line, sizeof line, stdin)) {
        lineno++;
        long ms;
        if (sscanf(line, "sleep %ld", &ms) == 1) {
            nap_ms(ms);
            continue;
        }
        msg m;
        memset(&m, 0, sizeof m);
        double bpm;
        unsigned ticks;
        if (sscanf(line, "clock %lf %u", &bpm, &ticks) == 2 && bpm >= 1 && bpm <= 1000) {
            m.ticks = ticks;
            m.interval = jack_get_sample_rate(client) * 60.0 / (24.0 * bpm);
            while (jack_ringbuffer_write_space(queue) < sizeof m) nap_ms(1);
            jack_ringbuffer_write(queue, (const char *)&m, sizeof m);
            continue;
        }
        unsigned b[3];
        int n = sscanf(line, "%x %x %x", &b[0], &b[1], &b[2]);
        if (n == 1 && b[0] >= 0xf8 && b[0] <= 0xff) { /* system real-time: one byte */
        } else if (n < 2 || b[0] < 0x80 || b[0] > 0xef) {
            if (n <= 0 && strspn(line, " \t\r\n") == strlen(line)) continue; /* blank */
            fprintf(stderr, "jack_send: stdin:%d: expected MIDI bytes in hex, 'clock BPM N' or 'sleep MS', found '%s'\n",
                    lineno, line);
            bad = 1;
            break;
        }
        for (int i = 0; i < n; i++) m.bytes[i] = (unsigned char)b[i];
        m.len = (unsigned char)n;
        while (jack_ringbuffer_write_space(queue) < sizeof m) nap_ms(1);
        jack_ringbuffer_write(queue, (const char *)&m, sizeof m);
    }
    /* a clock run's ticks take their time: up to a minute */
    for (int i = 0; i < 60000 && (jack_ringbuffer_read_space(queue) || clock_left); i++) nap_ms(1);
    nap_ms(20); /* the last cycle's buffer reaches the peers */
    int left = jack_ringbuffer_read_space(queue) != 0 || clock_left;
    jack_deactivate(client);
    jack_client_close(client);
    jack_ringbuffer_free(queue);
    return bad || left;
}
