/* jack_latency: a JACK peer that measures lstmjam's MIDI-thru latency on one
 * clock. It sends a note-on to lstmjam's MIDI input at the start of a JACK
 * cycle (frame F, JACK's own frame time) and listens to lstmjam's audio output
 * in the same process callback: the first sample after F that rises well
 * above what was sounding before (4x the peak of the last 64 frames, and
 * above -60 dBFS) is the onset; the latency is onset - F frames. Notes go
 * once a second, each a different key, 50 ms long (lstmjam runs without
 * reverb, in continue mode with a long phrase gap, so the model stays silent).
 *
 *   jack_latency AUDIO_PORT MIDI_PORT NOTES MAX_FRAMES
 *
 * Every note's latency must be within MAX_FRAMES, except a note during whose
 * measurement (from its note-on to 0.3 s after it: the 200 ms the onset may
 * take, and the notification's delay) the JACK server reported an xrun to its clients (jack_set_xrun_callback:
 * the driver woke late, or a client, lstmjam's included, had not finished
 * its cycle): such a note may be late by whole periods through no fault of
 * lstmjam's, and is only printed, marked "(xrun)". When xruns hit more than
 * half the notes (a machine that cannot keep the period), the check falls
 * back to the median of all notes (what one late cycle does not move).
 *
 * Prints every latency; exits 0 when all NOTES onsets were found and the
 * limits hold, 1 otherwise, 77 when no JACK server runs. */
#include <jack/jack.h>
#include <jack/midiport.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_NOTES 64

typedef struct probe {
    jack_client_t *client;
    jack_port_t *in, *out;
    int notes;                 /* notes to send */
    int sent;                  /* notes sent */
    jack_nframes_t rate;
    uint64_t next_send;        /* frame of the next note-on */
    uint64_t sent_at;          /* frame of the last note-on */
    uint64_t off_at;           /* frame of its note-off, 0 = sent */
    int key;                   /* its key */
    int waiting;               /* onset of the last note not found yet */
    float recent[64];          /* the last 64 input samples */
    int recent_pos;
    float baseline;            /* peak of the 64 samples before the note-on */
    long latency[MAX_NOTES];   /* frames, -1 = not found */
    int xruns_at_send[MAX_NOTES]; /* the xrun count when each note-on was sent */
    int xruns_after[MAX_NOTES];   /* ... and 0.3 s later */
    int checking;                 /* the last note's xruns_after is not taken yet */
    _Atomic int xruns;         /* xruns the server reported (its notification thread) */
    _Atomic int armed;         /* set once the ports are connected */
    _Atomic int done;
} probe;

static float recent_peak(const probe *p) {
    float m = 0;
    for (int i = 0; i < 64; i++) m = fabsf(p->recent[i]) > m ? fabsf(p->recent[i]) : m;
    return m;
}

static int process(jack_nframes_t n, void *arg) {
    probe *p = arg;
    uint64_t start = jack_last_frame_time(p->client);
    void *mbuf = jack_port_get_buffer(p->out, n);
    jack_midi_clear_buffer(mbuf);
    const float *in = jack_port_get_buffer(p->in, n);
    if (p->off_at && p->off_at >= start && p->off_at < start + n) {
        unsigned char off[3] = {0x80, (unsigned char)p->key, 0};
        jack_midi_event_write(mbuf, (jack_nframes_t)(p->off_at - start), off, 3);
        p->off_at = 0;
    }
    if (!p->next_send && atomic_load(&p->armed)) p->next_send = start + p->rate / 2; /* settle */
    if (p->next_send && !p->waiting && p->sent < p->notes && start >= p->next_send) {
        p->key = 60 + (p->sent * 5) % 24;
        unsigned char on[3] = {0x90, (unsigned char)p->key, 100};
        jack_midi_event_write(mbuf, 0, on, 3);
        p->sent_at = start;
        p->off_at = start + p->rate / 20; /* 50 ms */
        p->next_send = start + p->rate; /* a second apart: tails die away */
        p->baseline = recent_peak(p);
        p->waiting = 1;
        p->latency[p->sent] = -1;
        p->xruns_at_send[p->sent] = atomic_load(&p->xruns);
        p->checking = 1;
        p->sent++;
    }
    for (jack_nframes_t i = 0; i < n; i++) {
        float x = in[i];
        if (p->waiting) {
            float thr = 4 * p->baseline > 1e-3f ? 4 * p->baseline : 1e-3f;
            if (fabsf(x) > thr) {
                p->latency[p->sent - 1] = (long)(start + i - p->sent_at);
                p->waiting = 0;
            } else if (start + i - p->sent_at > p->rate / 5) {
                p->waiting = 0; /* not found within 200 ms */
            }
        }
        p->recent[p->recent_pos] = x;
        p->recent_pos = (p->recent_pos + 1) & 63;
    }
    if (p->checking && start >= p->sent_at + p->rate * 3 / 10) {
        p->xruns_after[p->sent - 1] = atomic_load(&p->xruns);
        p->checking = 0;
    }
    if (p->sent == p->notes && !p->waiting && !p->off_at && !p->checking) atomic_store(&p->done, 1);
    return 0;
}

/* The median of v[0..n) (sorted in place), -1 when n is 0. */
static long median_of(long *v, int n) {
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            long t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n ? v[n / 2] : -1;
}

static int on_xrun(void *arg) {
    probe *p = arg;
    atomic_fetch_add(&p->xruns, 1);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: jack_latency AUDIO_PORT MIDI_PORT NOTES MAX_FRAMES\n");
        return 2;
    }
    static probe p;
    p.notes = atoi(argv[3]);
    long max_frames = atol(argv[4]);
    if (p.notes < 1 || p.notes > MAX_NOTES) return 2;
    atomic_init(&p.done, 0);
    atomic_init(&p.armed, 0);
    atomic_init(&p.xruns, 0);
    jack_status_t st;
    p.client = jack_client_open("lj_latency", JackNoStartServer, &st);
    if (!p.client) {
        fprintf(stderr, "jack_latency: no JACK server\n");
        return 77;
    }
    p.rate = jack_get_sample_rate(p.client);
    p.in = jack_port_register(p.client, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    p.out = jack_port_register(p.client, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    jack_set_process_callback(p.client, process, &p);
    jack_set_xrun_callback(p.client, on_xrun, &p);
    if (!p.in || !p.out || jack_activate(p.client)) {
        fprintf(stderr, "jack_latency: cannot set up the client\n");
        return 1;
    }
    if (jack_connect(p.client, argv[1], jack_port_name(p.in)) ||
        jack_connect(p.client, jack_port_name(p.out), argv[2])) {
        fprintf(stderr, "jack_latency: cannot connect %s and %s\n", argv[1], argv[2]);
        return 1;
    }
    atomic_store(&p.armed, 1);
    struct timespec nap = {0, 10000000};
    for (int i = 0; i < 6000 && !atomic_load(&p.done); i++) nanosleep(&nap, NULL);
    jack_deactivate(p.client);
    int bad = !atomic_load(&p.done);
    long worst = 0, clean_worst = 0, sorted[MAX_NOTES];
    int clean = 0, over = 0;
    printf("thru latency (frames at %u Hz, period %u):", (unsigned)p.rate,
           (unsigned)jack_get_buffer_size(p.client));
    for (int i = 0; i < p.sent; i++) {
        int xrun = p.xruns_after[i] > p.xruns_at_send[i];
        printf(" %ld%s", p.latency[i], xrun ? " (xrun)" : "");
        if (p.latency[i] < 0) bad = 1;
        if (p.latency[i] > worst) worst = p.latency[i];
        if (xrun) continue;
        sorted[clean++] = p.latency[i];
        if (p.latency[i] > clean_worst) clean_worst = p.latency[i];
        if (p.latency[i] > max_frames) over++;
    }
    long median = median_of(sorted, clean);
    int fallback = 2 * clean < p.sent;
    if (fallback) { /* the median of all notes */
        memcpy(sorted, p.latency, sizeof sorted);
        median = median_of(sorted, p.sent);
    }
    if (median < 0 || median > max_frames || (!fallback && over)) bad = 1;
    printf("; %d of %d notes without an xrun (%d xruns reported): median %ld, worst %ld (worst of all %ld), "
           "limit %ld for each%s\n", clean, p.sent, atomic_load(&p.xruns), median, clean_worst, worst, max_frames,
           fallback ? "; xruns in more than half the notes' measurements: only the median of all is checked" : "");
    jack_client_close(p.client);
    return bad;
}
