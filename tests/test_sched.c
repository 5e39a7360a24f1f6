/* dsp/sched and dsp/voice against a recording fake synth that behaves like
 * FluidSynth where it matters: it renders in 64-frame blocks, so an event applied
 * after `d` frames were delivered takes effect at frame ceil64(d); note_off
 * releases a key, all_notes_off a channel. Checked: every event takes effect at
 * the start of its own 64-frame block (or the next one, when the previous
 * callback already rendered that block) for random periods and times; late
 * events at offset 0 and counted; panic, CC 120/123 and all-notes-off release
 * everything they should; overlapping notes of one key; a property test over
 * random note/panic sequences that ends with nothing held or sounding; queue
 * overflow counted and answered with a panic; invalid events dropped; a synth
 * swap (sched_request_synth) releases the old synth's notes, fades it out over
 * SCHED_FADE_FRAMES frames across callbacks (smoothstep gain) and sends
 * everything after to the new one; each callback's own CPU time and sleeps
 * are measured (a render that burns 2 ms of CPU, one that sleeps 3 ms). */
#define _GNU_SOURCE /* CLOCK_THREAD_CPUTIME_ID */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event_sched.h"

/* ---- the fake synth ---- */

enum { CALL_ON, CALL_OFF, CALL_CC, CALL_PROGRAM, CALL_ALL_OFF };

typedef struct call {
    int what;          /* CALL_* */
    int channel, a, b; /* channel, key/controller/program, velocity/value */
    uint64_t effect;   /* frame where the synth starts honouring it: ceil64(delivered) */
} call;

typedef struct fake {
    uint64_t delivered;          /* frames rendered so far */
    call *calls;                 /* recorded calls */
    size_t n, cap;
    uint8_t sounding[16][128];   /* 1 after note_on until note_off/all_notes_off */
    int bad_render;              /* a render call with 0 frames (a wasted call) */
    long render_cpu_ns;          /* each render burns this much of the thread's CPU time */
    long render_sleep_ns;        /* each render sleeps this long (a fault sched must see) */
} fake;

static uint64_t ceil64(uint64_t x) { return (x + 63) / 64 * 64; }
static uint64_t floor64(uint64_t x) { return x / 64 * 64; }

static void record(fake *f, int what, int ch, int a, int b) {
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 256;
        f->calls = realloc(f->calls, f->cap * sizeof *f->calls);
        assert_non_null(f->calls);
    }
    f->calls[f->n++] = (call){what, ch, a, b, ceil64(f->delivered)};
}
static void f_on(void *u, int ch, int key, int vel) {
    fake *f = u;
    assert_true(ch >= 0 && ch < 16 && key >= 0 && key < 128 && vel >= 1 && vel <= 127);
    record(f, CALL_ON, ch, key, vel);
    f->sounding[ch][key] = 1;
}
static void f_off(void *u, int ch, int key) {
    fake *f = u;
    assert_true(ch >= 0 && ch < 16 && key >= 0 && key < 128);
    record(f, CALL_OFF, ch, key, 0);
    f->sounding[ch][key] = 0;
}
static void f_cc(void *u, int ch, int num, int val) {
    fake *f = u;
    record(f, CALL_CC, ch, num, val);
    if (num == 120 || num == 123) memset(f->sounding[ch], 0, 128);
}
static void f_program(void *u, int ch, int prog) { record(u, CALL_PROGRAM, ch, prog, 0); }
static void f_all_off(void *u, int ch) {
    fake *f = u;
    record(f, CALL_ALL_OFF, ch, 0, 0);
    memset(f->sounding[ch], 0, 128);
}
/* Writes each frame's absolute number into both channels, so the test can see
 * that the callback filled its buffer contiguously, once per frame. */
static long thread_cpu_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}
static void f_render(void *u, float *out, uint32_t frames) {
    fake *f = u;
    if (f->render_cpu_ns) { /* on the thread's CPU clock: preemption does not shorten it */
        long t0 = thread_cpu_ns();
        while (thread_cpu_ns() - t0 < f->render_cpu_ns) {}
    }
    if (f->render_sleep_ns) {
        struct timespec d = {0, f->render_sleep_ns};
        nanosleep(&d, NULL);
    }
    if (frames == 0) f->bad_render = 1;
    for (uint32_t i = 0; i < frames; i++) out[2 * i] = out[2 * i + 1] = (float)(f->delivered + i);
    f->delivered += frames;
}

static int any_sounding(const fake *f) {
    for (int c = 0; c < 16; c++)
        for (int k = 0; k < 128; k++)
            if (f->sounding[c][k]) return 1;
    return 0;
}

/* ---- set-up ---- */

typedef struct rig {
    fake f;
    void *qmem, *smem;
    rtq *q;
    sched *s;
} rig;

static void rig_init(rig *r, size_t queue_cap) {
    memset(r, 0, sizeof *r);
    size_t qb = rtq_bytes(queue_cap, sizeof(lj_event));
    r->qmem = aligned_alloc(64, (qb + 63) / 64 * 64);
    r->smem = aligned_alloc(64, (sched_bytes() + 63) / 64 * 64);
    assert_non_null(r->qmem);
    assert_non_null(r->smem);
    r->q = rtq_init(r->qmem, qb, queue_cap, sizeof(lj_event));
    assert_non_null(r->q);
    sched_config c = {{&r->f, f_on, f_off, f_cc, f_program, f_all_off, f_render, NULL, NULL, NULL}, r->q, 1, NULL, 1};
    r->s = sched_init(r->smem, sched_bytes(), &c);
    assert_non_null(r->s);
}

static void rig_free(rig *r) {
    free(r->f.calls);
    free(r->qmem);
    free(r->smem);
}

/* Runs one callback of n frames and checks the buffer holds frames F..F+n-1. */
static void run(rig *r, uint32_t n) {
    static float buf[2 * 4096];
    assert_true(n <= 4096);
    uint64_t first = r->f.delivered;
    sched_process(r->s, buf, n);
    for (uint32_t i = 0; i < n; i++) {
        if (buf[2 * i] != (float)(first + i) || buf[2 * i + 1] != (float)(first + i))
            fail_msg("frame %u of a %u-frame callback at %llu holds %g", i, n,
                     (unsigned long long)first, (double)buf[2 * i]);
    }
    assert_int_equal(r->f.delivered, first + n);
    assert_false(r->f.bad_render);
}

static void push(rig *r, lj_event e) { assert_int_equal(rtq_push(r->q, &e), 1); }

/* xorshift64*: explicit state, deterministic. */
static uint64_t rng_next(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}
static uint32_t rng_below(uint64_t *s, uint32_t n) { return (uint32_t)(rng_next(s) % n); }

/* ---- tests ---- */

static void test_init_refuses(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 16);
    sched_config c = {{&r.f, f_on, f_off, f_cc, f_program, f_all_off, NULL, NULL, NULL, NULL}, r.q, 0, NULL, 0};
    void *mem = aligned_alloc(64, (sched_bytes() + 63) / 64 * 64);
    assert_null(sched_init(mem, sched_bytes(), &c)); /* no render */
    c.synth.render = f_render;
    assert_null(sched_init(mem, sched_bytes() - 1, &c)); /* too small */
    assert_null(sched_init((char *)mem + 8, sched_bytes(), &c)); /* misaligned */
    c.events = NULL;
    assert_null(sched_init(mem, sched_bytes(), &c));
    free(mem);
    rig_free(&r);
}

/* Every event takes effect at max(floor64(frame), ceil64(F)) where F is the first
 * frame of the callback that applied it: the start of its own block, or the next
 * block when the previous callback already rendered its block. So never more
 * than 63 frames early or late; never late at all when periods are multiples
 * of 64. Random periods 1..700 and random times, several events per frame too. */
static void test_placement_random(void **st) {
    (void)st;
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    for (int round = 0; round < 200; round++) {
        rig r;
        rig_init(&r, 1024);
        int aligned = round % 4 == 0; /* every 4th round: periods multiple of 64 */
        size_t n = 1 + rng_below(&seed, 300);
        lj_event *ev = malloc(n * sizeof *ev);
        uint64_t t = rng_below(&seed, 100);
        for (size_t i = 0; i < n; i++) {
            t += rng_below(&seed, 4) == 0 ? 0 : rng_below(&seed, 400);
            /* Distinct keys per event so each call maps back to its event. */
            ev[i] = lj_event_note_on(t, (int)(i % 16), (int)(i / 16 % 128), 100);
            ev[i].tag = (uint32_t)i;
            push(&r, ev[i]);
        }
        uint64_t *start_of_cb = malloc(n * sizeof *start_of_cb);
        size_t done = 0; /* events whose callback has run */
        while (done < n) {
            uint32_t period = aligned ? 64 * (1 + rng_below(&seed, 8)) : 1 + rng_below(&seed, 700);
            uint64_t first = r.f.delivered;
            run(&r, period);
            while (done < n && ev[done].frame < first + period) start_of_cb[done++] = first;
        }
        assert_int_equal(r.f.n, n);
        for (size_t i = 0; i < n; i++) {
            const call *c = &r.f.calls[i];
            assert_int_equal(c->what, CALL_ON);
            assert_int_equal(c->channel, (int)(i % 16));
            assert_int_equal(c->a, (int)(i / 16 % 128));
            uint64_t e = ev[i].frame, F = start_of_cb[i];
            uint64_t want = floor64(e) > ceil64(F) ? floor64(e) : ceil64(F);
            if (c->effect != want)
                fail_msg("round %d event %zu at frame %llu (callback from %llu): effect at %llu, "
                         "expected %llu", round, i, (unsigned long long)e, (unsigned long long)F,
                         (unsigned long long)c->effect, (unsigned long long)want);
            int64_t error = (int64_t)c->effect - (int64_t)e;
            assert_true(error > -64 && error < 64);
            if (aligned) assert_true(error <= 0);
        }
        sched_stats s;
        sched_get_stats(r.s, &s);
        assert_int_equal(s.events_applied, n);
        assert_int_equal(s.late_events, 0);
        assert_int_equal(s.frame, r.f.delivered);
        free(ev);
        free(start_of_cb);
        rig_free(&r);
    }
}

/* Events not due yet stay queued, however many callbacks pass. */
static void test_future_events_wait(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 16);
    push(&r, lj_event_note_on(1000, 0, 60, 90));
    for (int i = 0; i < 7; i++) run(&r, 128); /* frames 0..895 */
    assert_int_equal(r.f.n, 0);
    assert_int_equal(rtq_count(r.q), 1);
    run(&r, 128); /* 896..1023 holds frame 1000, block 960 */
    assert_int_equal(r.f.n, 1);
    assert_int_equal(r.f.calls[0].effect, 960);
    rig_free(&r);
}

/* An event due before the callback's first frame is applied at offset 0 and
 * counted, with its lateness. */
static void test_late_events(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 16);
    run(&r, 128);
    run(&r, 128); /* F = 256 next */
    push(&r, lj_event_note_on(10, 0, 60, 90));  /* 246 frames late */
    push(&r, lj_event_note_on(255, 0, 61, 90)); /* 1 frame late */
    push(&r, lj_event_note_on(300, 0, 62, 90)); /* on time, block 256 */
    run(&r, 128);
    assert_int_equal(r.f.n, 3);
    for (int i = 0; i < 3; i++) assert_int_equal(r.f.calls[i].effect, 256);
    sched_stats s;
    sched_get_stats(r.s, &s);
    assert_int_equal(s.late_events, 2);
    assert_int_equal(s.late_frames_max, 246);
    assert_int_equal(s.events_applied, 3);
    /* An odd period: late events land at the synth's next block, ceil64(F). */
    run(&r, 100); /* F = 384 .. 484 */
    push(&r, lj_event_note_off(0, 0, 60));
    run(&r, 100); /* F = 484: the synth already rendered up to 512 */
    assert_int_equal(r.f.calls[r.f.n - 1].what, CALL_OFF);
    assert_int_equal(r.f.calls[r.f.n - 1].effect, 512);
    sched_get_stats(r.s, &s);
    assert_int_equal(s.late_events, 3);
    assert_true(s.callback_ns_max > 0); /* measure_time is on */
    rig_free(&r);
}

/* The callback-time histogram: one count per measured callback, and its
 * percentiles an upper bound within one bucket (12.5%) of the real ones. */
static void test_callback_times(void **st) {
    (void)st;
    uint64_t h[TIME_HIST_BUCKETS] = {0};
    assert_int_equal(time_hist_quantile(h, 0.99), 0);
    h[time_hist_bucket(1000)] += 99; /* 99 callbacks of 1 us, one of 1 ms */
    h[time_hist_bucket(1000000)] += 1;
    for (double q = 0.01; q <= 0.99; q += 0.07) {
        uint64_t v = time_hist_quantile(h, q);
        assert_true(v > 1000 && v <= 1125);
    }
    uint64_t top = time_hist_quantile(h, 1.0);
    assert_true(top > 1000000 && top <= 1125000);
    for (uint64_t ns = 1; ns < 100000000; ns = ns * 3 + 1) {
        int b = time_hist_bucket(ns);
        assert_true(time_hist_bucket_ns(b) <= ns);
        assert_true(b + 1 >= TIME_HIST_BUCKETS || time_hist_bucket_ns(b + 1) > ns);
    }
    rig r;
    rig_init(&r, 16);
    for (int i = 0; i < 37; i++) run(&r, 128);
    sched_stats s;
    sched_get_stats(r.s, &s);
    sched_get_callback_hist(r.s, h);
    uint64_t total = 0;
    for (int b = 0; b < TIME_HIST_BUCKETS; b++) total += h[b];
    assert_int_equal(total, 37);
    assert_int_equal(total, s.callbacks);
    uint64_t p100 = time_hist_quantile(h, 1.0);
    assert_true(p100 > s.callback_ns_max && p100 <= s.callback_ns_max + s.callback_ns_max / 8 + 1);
    assert_true(time_hist_quantile(h, 0.5) <= p100);
    rig_free(&r);
}

/* What a callback's time was made of: its own CPU time (a render that burns
 * 2 ms of CPU shows 2 ms or more), a render that sleeps counted as a
 * callback that slept (and its sleep as time off the CPU, not CPU time),
 * nothing counted as slept when nothing sleeps; the CPU-time histogram holds
 * every callback. Preemption cannot be caused here, so callbacks_preempted is
 * only read. */
static void test_callback_cpu(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 16);
    for (int i = 0; i < 20; i++) run(&r, 128);
    sched_stats s;
    sched_get_stats(r.s, &s);
    assert_int_equal(s.callbacks_blocked, 0);
    assert_true(s.callback_cpu_ns_max > 0);
    assert_true(s.callback_cpu_ns_max < s.callback_ns_max + 50000); /* the clocks are read in turn */

    r.f.render_cpu_ns = 2000000;
    run(&r, 128);
    r.f.render_cpu_ns = 0;
    sched_get_stats(r.s, &s);
    assert_true(s.callback_cpu_ns_max >= 2000000);
    assert_int_equal(s.callback_cpu_max_at, 20);
    assert_int_equal(s.callbacks_blocked, 0);

    r.f.render_sleep_ns = 3000000;
    run(&r, 128);
    r.f.render_sleep_ns = 0;
    run(&r, 128);
    sched_get_stats(r.s, &s);
    assert_int_equal(s.callbacks_blocked, 1);
    assert_true(s.callback_off_cpu_ns_max >= 2900000);
    assert_true(s.callback_cpu_ns_max < 3000000); /* the 2 ms burn's, not the sleep */
    printf("callback CPU max %.1f us, off the CPU up to %.1f us, slept in %llu, preempted in %llu of %llu\n",
           (double)s.callback_cpu_ns_max / 1e3, (double)s.callback_off_cpu_ns_max / 1e3,
           (unsigned long long)s.callbacks_blocked, (unsigned long long)s.callbacks_preempted,
           (unsigned long long)s.callbacks);

    /* without measure_cpu (render): wall times only, the CPU counters 0 */
    rig w;
    memset(&w, 0, sizeof w);
    size_t qb = rtq_bytes(16, sizeof(lj_event));
    w.qmem = aligned_alloc(64, (qb + 63) / 64 * 64);
    w.smem = aligned_alloc(64, (sched_bytes() + 63) / 64 * 64);
    w.q = rtq_init(w.qmem, qb, 16, sizeof(lj_event));
    sched_config wc = {{&w.f, f_on, f_off, f_cc, f_program, f_all_off, f_render, NULL, NULL, NULL}, w.q, 1, NULL, 0};
    w.s = sched_init(w.smem, sched_bytes(), &wc);
    assert_non_null(w.s);
    for (int i = 0; i < 5; i++) run(&w, 128);
    sched_stats ws;
    sched_get_stats(w.s, &ws);
    assert_true(ws.callback_ns_max > 0);
    assert_int_equal(ws.callback_cpu_ns_max, 0);
    assert_int_equal(ws.callback_off_cpu_ns_max, 0);
    uint64_t wh[TIME_HIST_BUCKETS], wtotal = 0;
    sched_get_callback_cpu_hist(w.s, wh);
    for (int b = 0; b < TIME_HIST_BUCKETS; b++) wtotal += wh[b];
    assert_int_equal(wtotal, 0);
    rig_free(&w);

    uint64_t h[TIME_HIST_BUCKETS];
    sched_get_callback_cpu_hist(r.s, h);
    uint64_t total = 0;
    for (int b = 0; b < TIME_HIST_BUCKETS; b++) total += h[b];
    assert_int_equal(total, s.callbacks);
    /* the buckets from 1.7 ms up hold the burn alone (a lower bound: 2.0 ms
     * shares a bucket with 1.97-2.10 ms, which count_from(2 ms) leaves out) */
    assert_int_equal(time_hist_count_from(h, 1700000), 1);
    assert_int_equal(time_hist_count_from(h, s.callback_cpu_ns_max + s.callback_cpu_ns_max / 8 + 1), 0);
    rig_free(&r);
}

static void hold_some(rig *r, uint64_t frame) {
    for (int ch = 0; ch < 16; ch++)
        for (int k = ch; k < 128; k += 7) push(r, lj_event_note_on(frame, ch, k, 64));
    push(r, lj_event_note_on(frame, 3, 38, 64)); /* an overlap: held twice */
}

static void test_panic(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 1024);
    hold_some(&r, 0);
    push(&r, lj_event_cc(0, 2, 64, 127)); /* sustain pedal down on channel 2 */
    run(&r, 128);
    const voice_table *v = sched_voices(r.s);
    assert_true(v->n_held > 100);
    assert_int_equal(voice_held(v, 3, 38), 2);
    size_t before = r.f.n;
    push(&r, lj_event_panic(200));
    run(&r, 128);
    assert_int_equal(v->n_held, 0);
    assert_false(any_sounding(&r.f));
    for (int ch = 0; ch < 16; ch++)
        for (int k = 0; k < 128; k++) assert_int_equal(voice_held(v, ch, k), 0);
    /* Every channel got its pedals up and an all-notes-off, at block 192. */
    int pedal_up[16] = {0}, all_off[16] = {0};
    for (size_t i = before; i < r.f.n; i++) {
        const call *c = &r.f.calls[i];
        assert_int_equal(c->effect, 192);
        if (c->what == CALL_CC && c->a == 64 && c->b == 0) pedal_up[c->channel] = 1;
        if (c->what == CALL_ALL_OFF) all_off[c->channel] = 1;
        assert_true(c->what != CALL_ON);
    }
    for (int ch = 0; ch < 16; ch++) assert_true(pedal_up[ch] && all_off[ch]);
    sched_stats s;
    sched_get_stats(r.s, &s);
    assert_int_equal(s.panics, 1);
    assert_int_equal(s.held_notes, 0);
    /* sched_panic from the owner does the same. */
    hold_some(&r, 300);
    run(&r, 128);
    assert_true(v->n_held > 0);
    sched_panic(r.s);
    assert_int_equal(v->n_held, 0);
    assert_false(any_sounding(&r.f));
    rig_free(&r);
}

/* CC 123 and all-notes-off release one channel; CC 120 also cuts the sound. */
static void test_channel_panic(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 1024);
    hold_some(&r, 0);
    run(&r, 64);
    const voice_table *v = sched_voices(r.s);
    uint32_t held = v->n_held;
    int on_ch5 = 0, on_ch3 = 0, on_ch7 = 0;
    for (int k = 0; k < 128; k++) {
        on_ch5 += voice_held(v, 5, k);
        on_ch3 += voice_held(v, 3, k);
        on_ch7 += voice_held(v, 7, k);
    }
    push(&r, lj_event_cc(64, 5, 123, 0));
    push(&r, lj_event_cc(64, 3, 120, 0));
    push(&r, lj_event_make(64, LJ_EV_ALL_NOTES_OFF, 7, 0, 0));
    run(&r, 64);
    assert_int_equal(v->n_held, held - (uint32_t)(on_ch5 + on_ch3 + on_ch7));
    for (int k = 0; k < 128; k++) {
        assert_int_equal(voice_held(v, 5, k), 0);
        assert_int_equal(voice_held(v, 3, k), 0);
        assert_int_equal(voice_held(v, 7, k), 0);
        assert_int_equal(r.f.sounding[5][k] | r.f.sounding[3][k] | r.f.sounding[7][k], 0);
    }
    int cut3 = 0;
    for (size_t i = 0; i < r.f.n; i++)
        if (r.f.calls[i].what == CALL_CC && r.f.calls[i].channel == 3 && r.f.calls[i].a == 120) cut3 = 1;
    assert_true(cut3);
    assert_true(r.f.sounding[0][0]); /* other channels untouched */
    rig_free(&r);
}

/* Two note-ons of one key: the first note-off does not cut the second note;
 * the second releases it; a third is ignored and counted. Velocity 0 is a
 * note-off. */
static void test_overlapping_notes(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 64);
    push(&r, lj_event_note_on(0, 1, 60, 100));
    push(&r, lj_event_note_on(64, 1, 60, 80));
    push(&r, lj_event_note_off(128, 1, 60));
    run(&r, 192);
    const voice_table *v = sched_voices(r.s);
    assert_int_equal(voice_held(v, 1, 60), 1);
    assert_true(r.f.sounding[1][60]);
    assert_int_equal(r.f.n, 2); /* two note-ons, no note-off yet */
    push(&r, lj_event_note_on(192, 1, 60, 0)); /* velocity 0 = note-off */
    push(&r, lj_event_note_off(256, 1, 60));   /* nothing held: ignored */
    run(&r, 128);
    assert_int_equal(voice_held(v, 1, 60), 0);
    assert_false(r.f.sounding[1][60]);
    assert_int_equal(r.f.n, 3);
    assert_int_equal(r.f.calls[2].what, CALL_OFF);
    assert_int_equal(r.f.calls[2].effect, 192);
    sched_stats s;
    sched_get_stats(r.s, &s);
    assert_int_equal(s.ignored_note_offs, 1);
    rig_free(&r);
}

/* Unknown kinds and out-of-range fields are dropped and counted. */
static void test_invalid_events(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 64);
    push(&r, lj_event_make(0, (lj_event_kind)0, 0, 60, 100));
    push(&r, lj_event_make(0, (lj_event_kind)99, 0, 60, 100));
    push(&r, lj_event_note_on(0, 16, 60, 100));
    push(&r, lj_event_note_on(0, 0, 128, 100));
    push(&r, lj_event_note_on(0, 0, 60, 200));
    push(&r, lj_event_program(0, 0, 5));
    run(&r, 64);
    sched_stats s;
    sched_get_stats(r.s, &s);
    assert_int_equal(s.invalid_events, 5);
    assert_int_equal(s.events_applied, 1);
    assert_int_equal(r.f.n, 1);
    assert_int_equal(r.f.calls[0].what, CALL_PROGRAM);
    assert_int_equal(sched_voices(r.s)->n_held, 0);
    rig_free(&r);
}

/* A push the queue refused may have been a note-off: the next callback counts
 * it and panics, so nothing stays stuck. */
static void test_overflow(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 8);
    for (int k = 0; k < 8; k++) push(&r, lj_event_note_on(0, 0, 60 + k, 100));
    run(&r, 64);
    assert_int_equal(sched_voices(r.s)->n_held, 8);
    for (int k = 0; k < 7; k++) push(&r, lj_event_note_off(64, 0, 60 + k));
    push(&r, lj_event_cc(64, 0, 7, 100)); /* the 8th slot */
    lj_event lost = lj_event_note_off(64, 0, 67); /* the queue is full: refused twice */
    assert_int_equal(rtq_push(r.q, &lost), 0);
    assert_int_equal(rtq_push(r.q, &lost), 0);
    sched_stats s;
    sched_get_stats(r.s, &s);
    assert_int_equal(s.overflows_seen, 0);
    run(&r, 64);
    sched_get_stats(r.s, &s);
    assert_int_equal(s.overflows_seen, 2);
    assert_int_equal(s.panics, 1);
    assert_int_equal(sched_voices(r.s)->n_held, 0); /* key 67 released too */
    assert_false(any_sounding(&r.f));
    assert_int_equal(s.ignored_note_offs, 7);       /* the queued note-offs came after the panic */
    push(&r, lj_event_note_on(128, 0, 90, 100));
    run(&r, 64);
    sched_get_stats(r.s, &s);
    assert_int_equal(s.panics, 1); /* no new overflow, no new panic */
    assert_int_equal(sched_voices(r.s)->n_held, 1);
    rig_free(&r);
}

/* Property: any random sequence of note-ons, note-offs (of held and unheld
 * keys), velocity-0 note-ons, CC 120/123, all-notes-off and panics, in random
 * blocks, keeps the table equal to a reference count model (an independent
 * map of counts), keeps "sounding in the synth" equal to "held > 0", and after
 * a final panic leaves nothing held and nothing sounding. */
static void test_property_no_stuck_notes(void **st) {
    (void)st;
    uint64_t seed = 12345;
    for (int round = 0; round < 300; round++) {
        rig r;
        rig_init(&r, 4096);
        static int model[16][128];
        memset(model, 0, sizeof model);
        int nch = 1 + (int)rng_below(&seed, 3), nkeys = 1 + (int)rng_below(&seed, 6);
        size_t n = rng_below(&seed, 400);
        uint64_t t = 0;
        for (size_t i = 0; i < n; i++) {
            t += rng_below(&seed, 200);
            int ch = (int)rng_below(&seed, (uint32_t)nch), key = 60 + (int)rng_below(&seed, (uint32_t)nkeys);
            uint32_t what = rng_below(&seed, 100);
            lj_event e;
            if (what < 45) {
                e = lj_event_note_on(t, ch, key, 1 + (int)rng_below(&seed, 127));
                model[ch][key]++;
            } else if (what < 85 || what == 99) {
                e = what == 99 ? lj_event_note_on(t, ch, key, 0) : lj_event_note_off(t, ch, key);
                if (model[ch][key]) model[ch][key]--;
            } else if (what < 90) {
                e = lj_event_cc(t, ch, rng_below(&seed, 2) ? 120 : 123, 0);
                memset(model[ch], 0, sizeof model[ch]);
            } else if (what < 93) {
                e = lj_event_make(t, LJ_EV_ALL_NOTES_OFF, ch, 0, 0);
                memset(model[ch], 0, sizeof model[ch]);
            } else if (what < 95) {
                e = lj_event_panic(t);
                memset(model, 0, sizeof model);
            } else {
                e = lj_event_cc(t, ch, 7, (int)rng_below(&seed, 128)); /* volume: no effect on notes */
            }
            push(&r, e);
        }
        while (rtq_count(r.q)) run(&r, 1 + rng_below(&seed, 500));
        const voice_table *v = sched_voices(r.s);
        uint32_t total = 0;
        for (int ch = 0; ch < 16; ch++)
            for (int k = 0; k < 128; k++) {
                if (voice_held(v, ch, k) != model[ch][k])
                    fail_msg("round %d: held[%d][%d] = %d, model %d", round, ch, k,
                             voice_held(v, ch, k), model[ch][k]);
                if ((voice_held(v, ch, k) > 0) != r.f.sounding[ch][k])
                    fail_msg("round %d: key %d/%d held %d but sounding %d", round, ch, k,
                             voice_held(v, ch, k), r.f.sounding[ch][k]);
                total += (uint32_t)model[ch][k];
            }
        assert_int_equal(v->n_held, total);
        push(&r, lj_event_panic(r.f.delivered));
        run(&r, 64);
        assert_int_equal(v->n_held, 0);
        assert_false(any_sounding(&r.f));
        rig_free(&r);
    }
}


/* The gain the fade gives the old synth at frame i of the fade. */
static float fade_gain(uint32_t i) {
    float t = (float)i / (float)SCHED_FADE_FRAMES;
    return 1.0f - t * t * (3.0f - 2.0f * t);
}

/* Hot swap of the synth: the next callback releases what the old synth holds,
 * renders with the new one plus the old one fading from 1 to 0 over
 * SCHED_FADE_FRAMES frames (several callbacks), and never calls the old one
 * again once the fade is over, when the swap is counted; one swap pending at
 * a time, and one handed over during a fade waits for its end; a withdrawn
 * swap never happens. */
static void test_synth_swap(void **st) {
    (void)st;
    enum { PERIOD = 128 };
    assert_true(SCHED_FADE_FRAMES % PERIOD == 0 && SCHED_FADE_FRAMES > PERIOD);
    rig r;
    rig_init(&r, 1024);
    fake b, c;
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    lj_synth_ops ops_b = {&b, f_on, f_off, f_cc, f_program, f_all_off, f_render, NULL, NULL, NULL};
    lj_synth_ops ops_c = {&c, f_on, f_off, f_cc, f_program, f_all_off, f_render, NULL, NULL, NULL};
    push(&r, lj_event_note_on(10, 0, 60, 100));
    run(&r, PERIOD);
    assert_true(r.f.sounding[0][60]);
    assert_int_equal(sched_synth_swaps(r.s), 0);
    /* withdrawn before a callback: nothing happens */
    assert_int_equal(sched_request_synth(r.s, &ops_b), 0);
    assert_int_equal(sched_cancel_synth(r.s), 1);
    run(&r, PERIOD);
    assert_int_equal(sched_synth_swaps(r.s), 0);
    assert_true(r.f.sounding[0][60]);
    /* handed over: a second request waits for the first */
    assert_int_equal(sched_request_synth(r.s, &ops_b), 0);
    assert_int_equal(sched_request_synth(r.s, &ops_b), -1);
    push(&r, lj_event_note_on(300, 0, 64, 90));
    static float buf[2 * PERIOD];
    uint64_t a_before = r.f.delivered;
    size_t a_calls = r.f.n;
    for (uint32_t k = 0; k < SCHED_FADE_FRAMES / PERIOD; k++) {
        assert_int_equal(sched_synth_swaps(r.s), 0); /* the old synth is still in use */
        sched_process(r.s, buf, PERIOD);
        if (k == 0) {
            assert_int_equal(sched_cancel_synth(r.s), 0); /* taken: nothing to withdraw */
            assert_false(r.f.sounding[0][60]);            /* released on the old synth */
            assert_true(b.sounding[0][64]); /* the event after the swap went to the new synth */
            /* a third synth handed over during the fade waits in the slot */
            assert_int_equal(sched_request_synth(r.s, &ops_c), 0);
        }
        for (uint32_t i = 0; i < PERIOD; i++) {
            uint32_t at = k * PERIOD + i; /* frame of the fade */
            float want = (float)at + fade_gain(at) * (float)(a_before + at);
            if (buf[2 * i] != want || buf[2 * i + 1] != want)
                fail_msg("frame %u of the fade holds %g, expected %g", at, (double)buf[2 * i], (double)want);
        }
    }
    assert_int_equal(sched_synth_swaps(r.s), 1);
    for (size_t i = a_calls; i < r.f.n; i++) assert_true(r.f.calls[i].what != CALL_ON);
    assert_int_equal(r.f.delivered, a_before + SCHED_FADE_FRAMES); /* the fade, and no more */
    assert_int_equal(b.delivered, SCHED_FADE_FRAMES);
    assert_int_equal(c.delivered, 0);
    /* from now on the old synth is never called; the next callback takes c */
    size_t a_after = r.f.n;
    push(&r, lj_event_note_off(sched_clock(r.s) + 10, 0, 64)); /* to c: not held there, ignored */
    sched_process(r.s, buf, PERIOD);
    assert_int_equal(r.f.n, a_after);
    assert_int_equal(r.f.delivered, a_before + SCHED_FADE_FRAMES);
    assert_false(b.sounding[0][64]); /* the new synth's note, released by the swap to c */
    assert_int_equal(c.delivered, PERIOD);
    assert_int_equal(sched_synth_swaps(r.s), 1);
    for (uint32_t k = 1; k < SCHED_FADE_FRAMES / PERIOD; k++) sched_process(r.s, buf, PERIOD);
    assert_int_equal(sched_synth_swaps(r.s), 2);
    assert_int_equal(b.delivered, 2 * SCHED_FADE_FRAMES);
    push(&r, lj_event_panic(sched_clock(r.s)));
    sched_process(r.s, buf, PERIOD);
    assert_int_equal(b.delivered, 2 * SCHED_FADE_FRAMES);
    assert_int_equal(r.f.delivered, a_before + SCHED_FADE_FRAMES);
    assert_int_equal(sched_voices(r.s)->n_held, 0);
    free(b.calls);
    free(c.calls);
    rig_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_refuses),
        cmocka_unit_test(test_placement_random),
        cmocka_unit_test(test_future_events_wait),
        cmocka_unit_test(test_late_events),
        cmocka_unit_test(test_callback_times),
        cmocka_unit_test(test_callback_cpu),
        cmocka_unit_test(test_panic),
        cmocka_unit_test(test_channel_panic),
        cmocka_unit_test(test_overlapping_notes),
        cmocka_unit_test(test_invalid_events),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_property_no_stuck_notes),
        cmocka_unit_test(test_synth_swap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
