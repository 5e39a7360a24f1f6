#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "event_sched.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Counters the audio thread alone writes (plain load + store, no read-modify-
 * write needed) and any thread reads. Each on its own value; a reader gets
 * every counter exact but not all from the same callback. */
typedef struct sched_counters {
    _Atomic uint64_t frame;
    _Atomic uint64_t callbacks;
    _Atomic uint64_t events_applied;
    _Atomic uint64_t late_events;
    _Atomic uint64_t late_frames_max;
    _Atomic uint64_t invalid_events;
    _Atomic uint64_t overflows_seen;
    _Atomic uint64_t panics;
    _Atomic uint64_t ignored_note_offs;
    _Atomic uint64_t held_notes;
    _Atomic uint64_t callback_ns_max;
    _Atomic uint64_t callback_ns_last;
    _Atomic uint64_t live_events;
    _Atomic uint64_t xruns;
    _Atomic uint64_t synth_swaps;
    _Atomic uint64_t callback_cpu_ns_max;
    _Atomic uint64_t callback_cpu_max_at;
    _Atomic uint64_t callback_off_cpu_ns_max;
    _Atomic uint64_t callbacks_blocked;
    _Atomic uint64_t first_blocked_at;
    _Atomic uint64_t callbacks_faulted;
    _Atomic uint64_t callbacks_preempted;
    _Atomic uint64_t callback_hist[TIME_HIST_BUCKETS];     /* callback times, time_hist buckets */
    _Atomic uint64_t callback_cpu_hist[TIME_HIST_BUCKETS]; /* their CPU times, likewise */
} sched_counters;

struct sched {
    _Alignas(64) sched_counters pub; /* published counters (read by other threads) */
    /* Audio-thread state below; nobody else touches it while callbacks run. */
    _Alignas(64) lj_synth_ops synth; /* the synth's calls */
    rtq *events;                     /* incoming lj_event queue, consumed here */
    rtq *live;                       /* incoming "play now" queue, or NULL */
    voice_table voices;              /* held notes */
    uint64_t frame;                  /* F of the next callback: frames rendered so far */
    uint64_t callbacks;              /* sched_process calls */
    uint64_t applied;                /* events applied */
    uint64_t late;                   /* late events */
    uint64_t late_max;               /* worst lateness, frames */
    uint64_t invalid;                /* dropped events */
    uint64_t overflows_base;         /* the queue's overflow count at sched_init */
    uint64_t overflows_seen;         /* the queue's overflow count at the last check */
    uint64_t live_overflows_base;    /* the live queue's overflow count at sched_init */
    uint64_t live_overflows_seen;    /* the live queue's overflow count at the last check */
    uint64_t live_applied;           /* events applied from the live queue */
    uint64_t xruns;                  /* sched_count_xrun calls */
    uint64_t ns_max;                 /* longest callback, ns */
    uint64_t cb_hist[TIME_HIST_BUCKETS]; /* callbacks per time_hist bucket of their duration */
    uint64_t cpu_ns_max;             /* most CPU time a callback used, ns */
    uint64_t cpu_max_at;             /* that callback's number (0: the first) */
    uint64_t off_cpu_ns_max;         /* longest a callback was off the CPU (wall - CPU), ns */
    uint64_t blocked;                /* callbacks in which the thread slept */
    uint64_t first_blocked_at;       /* the first of them, its number + 1 (0: none) */
    uint64_t faulted;                /* callbacks with a page fault */
    uint64_t preempted;              /* callbacks in which the thread was preempted */
    uint64_t cpu_hist[TIME_HIST_BUCKETS]; /* callbacks per time_hist bucket of their CPU time */
    int measure_time;                /* 1: the wall clock around each callback */
    int measure_cpu;                 /* 1: also the CPU clock and switch counts */
    uint64_t swaps;                  /* synth swaps taken */
    /* The owner's hand-over slot (sched_request_synth). */
    _Alignas(64) _Atomic(const lj_synth_ops *) pending_synth;
    /* A swap in progress: the old synth, released, still rendered and faded
     * out over SCHED_FADE_FRAMES frames, across as many callbacks as that
     * takes; fade_left frames of it remain (0: no fade, old unused). */
    lj_synth_ops old;
    uint32_t fade_left;
    float fade_buf[2 * SCHED_FADE_CHUNK]; /* the old synth's output, one chunk, L R */
};

static void store(_Atomic uint64_t *a, uint64_t v) {
    atomic_store_explicit(a, v, memory_order_relaxed);
}

size_t sched_bytes(void) { return sizeof(sched); }

sched *sched_init(void *mem, size_t memlen, const sched_config *cfg) {
    if (!mem || ((uintptr_t)mem & 63) || memlen < sizeof(sched) || !cfg || !cfg->events) return NULL;
    const lj_synth_ops *o = &cfg->synth;
    if (!o->note_on || !o->note_off || !o->cc || !o->program || !o->all_notes_off || !o->render)
        return NULL;
    sched *s = mem;
    memset(s, 0, sizeof *s);
    s->synth = *o;
    s->events = cfg->events;
    s->measure_time = cfg->measure_time != 0;
    s->measure_cpu = s->measure_time && cfg->measure_cpu;
    s->overflows_base = s->overflows_seen = rtq_overflows(cfg->events);
    s->live = cfg->live;
    if (s->live) s->live_overflows_base = s->live_overflows_seen = rtq_overflows(s->live);
    voice_reset(&s->voices);
    sched_counters *c = &s->pub;
    atomic_init(&c->frame, 0);
    atomic_init(&c->callbacks, 0);
    atomic_init(&c->events_applied, 0);
    atomic_init(&c->late_events, 0);
    atomic_init(&c->late_frames_max, 0);
    atomic_init(&c->invalid_events, 0);
    atomic_init(&c->overflows_seen, 0);
    atomic_init(&c->panics, 0);
    atomic_init(&c->ignored_note_offs, 0);
    atomic_init(&c->held_notes, 0);
    atomic_init(&c->callback_ns_max, 0);
    atomic_init(&c->callback_ns_last, 0);
    atomic_init(&c->live_events, 0);
    atomic_init(&c->xruns, 0);
    atomic_init(&c->synth_swaps, 0);
    atomic_init(&c->callback_cpu_ns_max, 0);
    atomic_init(&c->callback_cpu_max_at, 0);
    atomic_init(&c->callback_off_cpu_ns_max, 0);
    atomic_init(&c->callbacks_blocked, 0);
    atomic_init(&c->first_blocked_at, 0);
    atomic_init(&c->callbacks_faulted, 0);
    atomic_init(&c->callbacks_preempted, 0);
    for (int b = 0; b < TIME_HIST_BUCKETS; b++) {
        atomic_init(&c->callback_hist[b], 0);
        atomic_init(&c->callback_cpu_hist[b], 0);
    }
    atomic_init(&s->pending_synth, NULL);
    return s;
}

static int valid_event(const lj_event *e) {
    if (e->channel >= 16 || e->data1 > 127 || e->data2 > 127) return 0;
    return e->kind >= LJ_EV_NOTE_ON && e->kind <= LJ_EV_KIND_LAST;
}

static void apply(sched *s, const lj_event *e) {
    const lj_synth_ops *o = &s->synth;
    switch ((lj_event_kind)e->kind) {
    case LJ_EV_NOTE_ON: voice_note_on(&s->voices, o, e->channel, e->data1, e->data2); break;
    case LJ_EV_NOTE_OFF: voice_note_off(&s->voices, o, e->channel, e->data1); break;
    case LJ_EV_CC: voice_cc(&s->voices, o, e->channel, e->data1, e->data2); break;
    case LJ_EV_PROGRAM: o->program(o->user, e->channel, e->data1); break;
    case LJ_EV_ALL_NOTES_OFF: voice_panic_channel(&s->voices, o, e->channel); break;
    case LJ_EV_PANIC: voice_panic(&s->voices, o); break;
    case LJ_EV_PITCH_BEND: voice_pitch_bend(&s->voices, o, e->channel, lj_event_bend_value(e)); break;
    case LJ_EV_CHANNEL_PRESSURE: voice_channel_pressure(&s->voices, o, e->channel, e->data1); break;
    case LJ_EV_KEY_PRESSURE: voice_key_pressure(&s->voices, o, e->channel, e->data1, e->data2); break;
    }
}

/* What the audio thread's own clocks say at one instant. The wall clock alone
 * cannot tell a slow callback from a machine that took the CPU away in the
 * middle of one (a VM's vCPU stolen by the host, a higher-priority thread):
 * on a shared 2-core VM the longest callback measured 2-7 ms of wall time
 * against ~0.3 ms here, with the same code. So each callback also reads the
 * thread's CPU time (CLOCK_THREAD_CPUTIME_ID: the time it really ran; with
 * the kernel's steal-time accounting, not what the host took) and its context
 * switch counts (getrusage RUSAGE_THREAD): a voluntary switch inside the
 * callback means it slept (a lock, a sleep, a page-in: our fault, whatever
 * the machine), an involuntary one that something preempted it (the
 * machine's). Both are system calls that read the thread's own counters: no
 * lock, no sleep, ~1 us each here. */
typedef struct thread_clocks {
    uint64_t wall_ns, cpu_ns; /* CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID */
    long voluntary, involuntary; /* context switches so far (ru_nvcsw, ru_nivcsw) */
    long faults;                 /* page faults so far, minor and major (ru_minflt + ru_majflt) */
} thread_clocks;

static uint64_t ns_of(const struct timespec *ts) {
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static void thread_clocks_read(thread_clocks *t, int cpu_too) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    t->wall_ns = ns_of(&ts);
    if (!cpu_too) {
        t->cpu_ns = 0;
        t->voluntary = t->involuntary = t->faults = 0;
        return;
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    t->cpu_ns = ns_of(&ts);
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) == 0) {
        t->voluntary = ru.ru_nvcsw;
        t->involuntary = ru.ru_nivcsw;
        t->faults = ru.ru_minflt + ru.ru_majflt;
    } else {
        t->voluntary = t->involuntary = t->faults = 0;
    }
}

/* Counts one callback's clocks: start at its beginning, end at its end; the
 * CPU clock and switch counts only with measure_cpu (read 0 otherwise). */
static void count_callback(sched *s, const thread_clocks *start, const thread_clocks *end) {
    sched_counters *c = &s->pub;
    uint64_t ns = end->wall_ns - start->wall_ns;
    if (ns > s->ns_max) s->ns_max = ns;
    store(&c->callback_ns_last, ns);
    store(&c->callback_ns_max, s->ns_max);
    int b = time_hist_bucket(ns);
    store(&c->callback_hist[b], ++s->cb_hist[b]);
    if (!s->measure_cpu) return; /* the CPU counters stay 0, as sched_stats says */
    uint64_t cpu = end->cpu_ns >= start->cpu_ns ? end->cpu_ns - start->cpu_ns : 0;
    uint64_t off = ns > cpu ? ns - cpu : 0;
    if (cpu > s->cpu_ns_max) {
        s->cpu_ns_max = cpu;
        s->cpu_max_at = s->callbacks - 1; /* sched_process counted this one already */
        store(&c->callback_cpu_max_at, s->cpu_max_at);
        store(&c->callback_cpu_ns_max, s->cpu_ns_max);
    }
    if (off > s->off_cpu_ns_max) {
        s->off_cpu_ns_max = off;
        store(&c->callback_off_cpu_ns_max, s->off_cpu_ns_max);
    }
    if (end->voluntary != start->voluntary) {
        if (!s->blocked) store(&c->first_blocked_at, s->first_blocked_at = s->callbacks);
        store(&c->callbacks_blocked, ++s->blocked);
    }
    if (end->faults != start->faults) store(&c->callbacks_faulted, ++s->faulted);
    if (end->involuntary != start->involuntary) store(&c->callbacks_preempted, ++s->preempted);
    b = time_hist_bucket(cpu);
    store(&c->callback_cpu_hist[b], ++s->cpu_hist[b]);
}

/* Renders [pos, to) of this callback's buffer (absolute frames; F = first). */
static void render_span(sched *s, float *out, uint64_t first, uint64_t pos, uint64_t to) {
    if (to > pos) s->synth.render(s->synth.user, out + 2 * (pos - first), (uint32_t)(to - pos));
}

/* Adds the old synth's release, faded, onto the first frames of out (the new
 * synth's output). The gain follows a smoothstep from 1 to 0 over the whole
 * fade, g(t) = 1 - t^2 (3 - 2t) with t = frames faded / SCHED_FADE_FRAMES: its
 * slope is 0 at both ends, so the fade adds no corner to the waveform; a
 * linear ramp's corners splatter more, and a fade tied to the callback (the
 * old code: min(period, 256) frames) cut a loud chord in 16 frames at a
 * 16-frame period, an audible click (tests/test_swap_glitch.c). When the fade
 * ends the old synth is done with: the swap is counted (release), and the
 * owner may destroy it. */
static void fade_old(sched *s, float *out, uint32_t frames) {
    uint32_t done = 0;
    while (done < frames && s->fade_left) {
        uint32_t n = frames - done;
        if (n > SCHED_FADE_CHUNK) n = SCHED_FADE_CHUNK;
        if (n > s->fade_left) n = s->fade_left;
        s->old.render(s->old.user, s->fade_buf, n);
        float *o = out + 2 * done;
        for (uint32_t i = 0; i < n; i++) {
            float t = (float)(SCHED_FADE_FRAMES - s->fade_left + i) / (float)SCHED_FADE_FRAMES;
            float g = 1.0f - t * t * (3.0f - 2.0f * t);
            o[2 * i] += g * s->fade_buf[2 * i];
            o[2 * i + 1] += g * s->fade_buf[2 * i + 1];
        }
        done += n;
        s->fade_left -= n;
    }
    if (!s->fade_left) {
        memset(&s->old, 0, sizeof s->old);
        s->swaps++;
        atomic_store_explicit(&s->pub.synth_swaps, s->swaps, memory_order_release);
    }
}

void sched_process(sched *s, float *out, uint32_t frames) {
    thread_clocks start;
    if (s->measure_time) thread_clocks_read(&start, s->measure_cpu);
    const uint64_t first = s->frame, end = first + frames;
    uint64_t pos = first; /* frames of this buffer rendered so far end here */

    /* A synth swap: the old one releases what it holds and fades out below.
     * One at a time: a synth handed over during a fade waits in the slot. */
    if (!s->fade_left) {
        const lj_synth_ops *next =
            atomic_exchange_explicit(&s->pending_synth, (const lj_synth_ops *)NULL, memory_order_acquire);
        if (next) {
            voice_panic(&s->voices, &s->synth);
            s->old = s->synth;
            s->synth = *next;
            s->fade_left = SCHED_FADE_FRAMES;
        }
    }

    /* An event the producer could not queue may be a note-off: release all. */
    uint64_t overflows = rtq_overflows(s->events);
    if (overflows != s->overflows_seen) {
        s->overflows_seen = overflows;
        voice_panic(&s->voices, &s->synth);
    }
    if (s->live) {
        uint64_t live_overflows = rtq_overflows(s->live), repanic_after = 0;
        if (live_overflows != s->live_overflows_seen) {
            s->live_overflows_seen = live_overflows;
            voice_panic(&s->voices, &s->synth);
            /* the events queued before the loss are applied below: a note-on
             * among them whose note-off was lost would sound after that panic
             * for good (the MIDI input pushes no panic of its own), so panic
             * again after the last of them */
            repanic_after = rtq_count(s->live);
        }
        lj_event ev;
        while (rtq_pop(s->live, &ev)) {
            if (valid_event(&ev)) {
                apply(s, &ev);
                s->live_applied++;
            } else {
                s->invalid++;
            }
            if (repanic_after && --repanic_after == 0) voice_panic(&s->voices, &s->synth);
        }
    }

    const lj_event *e;
    while ((e = rtq_peek(s->events)) != NULL && e->frame < end) {
        lj_event ev = *e; /* copy out, then free the slot for the producer */
        rtq_skip(s->events);
        if (!valid_event(&ev)) {
            s->invalid++;
            continue;
        }
        uint64_t at = ev.frame;
        if (at < first) {
            s->late++;
            if (first - at > s->late_max) s->late_max = first - at;
            at = first;
        }
        /* The boundary at or before the event; if the synth already rendered
         * that block (pos past it), the event goes in where we are and lands
         * at the synth's next boundary. */
        uint64_t boundary = at - at % LJ_SYNTH_BLOCK;
        if (boundary > pos) {
            render_span(s, out, first, pos, boundary);
            pos = boundary;
        }
        apply(s, &ev);
        s->applied++;
    }
    render_span(s, out, first, pos, end);
    if (s->fade_left) fade_old(s, out, frames);

    s->frame = end;
    s->callbacks++;
    sched_counters *c = &s->pub;
    store(&c->frame, end);
    store(&c->callbacks, s->callbacks);
    store(&c->events_applied, s->applied);
    store(&c->late_events, s->late);
    store(&c->late_frames_max, s->late_max);
    store(&c->invalid_events, s->invalid);
    store(&c->overflows_seen, s->overflows_seen - s->overflows_base + s->live_overflows_seen -
                                  s->live_overflows_base);
    store(&c->panics, s->voices.panics);
    store(&c->ignored_note_offs, s->voices.ignored_offs);
    store(&c->held_notes, s->voices.n_held);
    store(&c->live_events, s->live_applied);
    if (s->measure_time) {
        thread_clocks end;
        thread_clocks_read(&end, s->measure_cpu);
        count_callback(s, &start, &end);
    }
}

void sched_count_xrun(sched *s) {
    s->xruns++;
    store(&s->pub.xruns, s->xruns);
}

uint64_t sched_clock(const sched *s) {
    return atomic_load_explicit((_Atomic uint64_t *)&s->pub.frame, memory_order_acquire);
}

int sched_request_synth(sched *s, const lj_synth_ops *next) {
    if (!next || !next->note_on || !next->note_off || !next->cc || !next->program ||
        !next->all_notes_off || !next->render)
        return -1;
    const lj_synth_ops *none = NULL;
    return atomic_compare_exchange_strong_explicit(&s->pending_synth, &none, next, memory_order_release,
                                                   memory_order_relaxed)
               ? 0
               : -1;
}

int sched_cancel_synth(sched *s) {
    return atomic_exchange_explicit(&s->pending_synth, (const lj_synth_ops *)NULL, memory_order_acq_rel) != NULL;
}

uint64_t sched_synth_swaps(const sched *s) {
    return atomic_load_explicit((_Atomic uint64_t *)&s->pub.synth_swaps, memory_order_acquire);
}

void sched_panic(sched *s) {
    voice_panic(&s->voices, &s->synth);
    store(&s->pub.panics, s->voices.panics);
    store(&s->pub.held_notes, s->voices.n_held);
}

const voice_table *sched_voices(const sched *s) { return &s->voices; }

static uint64_t load(const _Atomic uint64_t *a) {
    return atomic_load_explicit((_Atomic uint64_t *)a, memory_order_relaxed);
}

void sched_get_stats(const sched *s, sched_stats *out) {
    const sched_counters *c = &s->pub;
    out->frame = load(&c->frame);
    out->callbacks = load(&c->callbacks);
    out->events_applied = load(&c->events_applied);
    out->late_events = load(&c->late_events);
    out->late_frames_max = load(&c->late_frames_max);
    out->invalid_events = load(&c->invalid_events);
    out->overflows_seen = load(&c->overflows_seen);
    out->panics = load(&c->panics);
    out->ignored_note_offs = load(&c->ignored_note_offs);
    out->held_notes = load(&c->held_notes);
    out->callback_ns_max = load(&c->callback_ns_max);
    out->callback_ns_last = load(&c->callback_ns_last);
    out->live_events = load(&c->live_events);
    out->xruns = load(&c->xruns);
    out->callback_cpu_ns_max = load(&c->callback_cpu_ns_max);
    out->callback_cpu_max_at = load(&c->callback_cpu_max_at);
    out->callback_off_cpu_ns_max = load(&c->callback_off_cpu_ns_max);
    out->callbacks_blocked = load(&c->callbacks_blocked);
    out->first_blocked_at = load(&c->first_blocked_at);
    out->callbacks_faulted = load(&c->callbacks_faulted);
    out->callbacks_preempted = load(&c->callbacks_preempted);
}

void sched_get_callback_hist(const sched *s, uint64_t out[TIME_HIST_BUCKETS]) {
    const sched_counters *c = &s->pub;
    for (int b = 0; b < TIME_HIST_BUCKETS; b++) out[b] = load(&c->callback_hist[b]);
}

void sched_get_callback_cpu_hist(const sched *s, uint64_t out[TIME_HIST_BUCKETS]) {
    const sched_counters *c = &s->pub;
    for (int b = 0; b < TIME_HIST_BUCKETS; b++) out[b] = load(&c->callback_cpu_hist[b]);
}
