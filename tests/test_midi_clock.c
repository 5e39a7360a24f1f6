/* Following an incoming MIDI clock (--midi-clock in), without a device:
 *   - dsp/midi_clock_in keeps the newest tick frames in order across the
 *     ring's wrap, and counts the transport;
 *   - dsp/midi_route hands 0xF8 and Start/Continue/Stop to the follower when
 *     one is set (and counts them routed), ignores them without one, and still
 *     routes notes;
 *   - clock_follow_estimate: the tempo of a beat of ticks, exact for exact
 *     ticks, unmoved by a lost tick or a clock's restart gap, within 1 BPM
 *     under 1 ms stamping jitter (PortMidi's poll), either tempo and never one
 *     in between while a change crosses the window, nothing from too few;
 *   - the clock owns the tempo it sets: a tempo CC (CC 71 = 0, 40 BPM) while
 *     following a 150 BPM clock is ignored and counted, and a tempo set on
 *     the engine by anything else (a reload's new engine) is the clock's
 *     again at the next update. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include <stdlib.h>
#include <unistd.h>

#include "engine/clock_follow.h"
#include "engine_fixture.h"
#include "midi_clock_in.h"
#include "midi_route.h"

static void test_ring(void **state) {
    (void)state;
    static midi_clock_in c;
    midi_clock_in_init(&c);
    uint64_t f[64], total = 99;
    assert_int_equal(midi_clock_in_ticks(&c, f, 25, &total), 0);
    assert_int_equal(total, 0);
    for (uint64_t i = 0; i < 100; i++) assert_int_equal(midi_clock_in_message(&c, 1000 * i, 0xF8), 1);
    assert_int_equal(midi_clock_in_ticks(&c, f, 25, &total), 25);
    assert_int_equal(total, 100);
    for (int i = 0; i < 25; i++) assert_int_equal(f[i], 1000 * (75 + (uint64_t)i));
    /* more than the ring holds (less its margin): capped */
    assert_int_equal(midi_clock_in_ticks(&c, f, 64, &total), MIDI_CLOCK_RING - 8);
    assert_int_equal(f[MIDI_CLOCK_RING - 9], 99000);
    assert_int_equal(midi_clock_in_message(&c, 5, 0xFC), 1);
    assert_int_equal(atomic_load(&c.transport), 1);
    assert_int_equal(atomic_load(&c.last_transport), 0xFC);
    assert_int_equal(midi_clock_in_message(&c, 5, 0xFA), 1);
    assert_int_equal(atomic_load(&c.last_transport), 0xFA);
    assert_int_equal(midi_clock_in_message(&c, 5, 0xFE), 0); /* active sensing: not the clock's */
    assert_int_equal(atomic_load(&c.transport), 2);
}

static void test_route(void **state) {
    (void)state;
    static midi_clock_in c;
    static midi_route r;
    midi_clock_in_init(&c);
    midi_route_init(&r, NULL, NULL, NULL, 1);
    const uint8_t tick = 0xF8, stop = 0xFC, sense = 0xFE, note[3] = {0x90, 60, 100};
    midi_route_message(&r, 10, &tick, 1);
    assert_int_equal(atomic_load(&r.ignored), 1); /* no follower: ignored */
    midi_route_follow_clock(&r, &c);
    midi_route_message(&r, 800, &tick, 1);
    midi_route_message(&r, 1600, &tick, 3); /* PortMidi's 3 bytes before midi_in_pm_to_midi: still one tick */
    midi_route_message(&r, 1700, &stop, 1);
    midi_route_message(&r, 1700, &sense, 1);
    midi_route_message(&r, 1800, note, 3);
    assert_int_equal(atomic_load(&c.ticks), 2);
    assert_int_equal(atomic_load(&c.tick_frame[1]), 1600);
    assert_int_equal(atomic_load(&c.transport), 1);
    assert_int_equal(atomic_load(&r.routed), 4); /* 2 ticks, Stop, the note */
    assert_int_equal(atomic_load(&r.ignored), 2);
}

/* n tick frames from 0 with the given intervals, cycling through them */
static int ticks(uint64_t *f, int n, const double *intervals, int n_int, int switch_at, double after) {
    double t = 1000;
    for (int i = 0; i < n; i++) {
        f[i] = (uint64_t)llround(t);
        t += i >= switch_at ? after : intervals[i % n_int];
    }
    return n;
}

static void test_estimate(void **state) {
    (void)state;
    uint64_t f[25];
    const double i800 = 800, i500 = 500;
    ticks(f, 25, &i800, 1, 99, 0);
    assert_float_equal(clock_follow_estimate(f, 25, 48000), 150.0, 1e-9);
    ticks(f, 25, &i500, 1, 99, 0);
    assert_float_equal(clock_follow_estimate(f, 25, 48000), 240.0, 1e-9);
    /* a lost tick: one interval of 1600 left out */
    ticks(f, 25, &i800, 1, 99, 0);
    for (int i = 10; i < 25; i++) f[i] += 800;
    assert_float_equal(clock_follow_estimate(f, 25, 48000), 150.0, 1e-9);
    /* a clock stopped for a second, then on at another tempo: the old
     * tempo while it has the majority, the new one after, nothing between */
    for (int s = 1; s < 24; s++) {
        ticks(f, 25, &i800, 1, s, 500);
        for (int i = s + 1; i < 25; i++) f[i] += 48000;
        double bpm = clock_follow_estimate(f, 25, 48000);
        /* s old intervals, the gap, 23 - s new ones: the new ones are the
         * median for s <= 10 (13 of 24 or more) and the run after the gap;
         * from s = 11 the median is an old one and the last interval breaks
         * the run: no estimate (the tempo set stays) */
        if (s <= 10) assert_float_equal(bpm, 240.0, 1e-9);
        else assert_true(bpm == 0);
    }
    /* a change of tempo crossing the window: the new tempo once its
     * intervals are the median (13 of 24), no estimate before (the old tempo
     * stays set), never one between */
    for (int s = 0; s <= 24; s++) {
        ticks(f, 25, &i800, 1, s, 500);
        double bpm = clock_follow_estimate(f, 25, 48000);
        if (s <= 11) assert_float_equal(bpm, 240.0, 1e-9);
        else if (s < 24) assert_true(bpm == 0);
        else assert_float_equal(bpm, 150.0, 1e-9);
    }
    /* 1 ms stamping jitter (a polled driver) at 240 BPM: the line through
     * 25 ticks is off by far less than one interval's 48 frames (worst of
     * 200 draws measured 0.5 BPM) */
    uint64_t seed = 7;
    for (int trial = 0; trial < 200; trial++) {
        for (int i = 0; i < 25; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            f[i] = 1000 + 500 * (uint64_t)i + (seed >> 33) % 48; /* + 0..1 ms */
        }
        assert_float_equal(clock_follow_estimate(f, 25, 48000), 240.0, 1.0);
    }
    /* too few ticks: no estimate */
    ticks(f, 13, &i800, 1, 99, 0); /* 11 intervals, then 12 */
    assert_true(clock_follow_estimate(f, 12, 48000) == 0);
    assert_float_equal(clock_follow_estimate(f, 13, 48000), 150.0, 1e-9);
}

/* The clock owns the tempo (play --midi-clock in): the audit's case, a
 * master at 150 BPM, CC 71 = 0 from the same keyboard, 192 more ticks at
 * 150: the engine must stay at 150 (it stayed at 40 for over 4 s, and the
 * follower never set the clock's tempo again: it was the one it had set). */
static void test_clock_owns_tempo(void **state) {
    (void)state;
    char path[256], err[512] = "";
    snprintf(path, sizeof path, "/tmp/lj_test_midi_clock_%d.lstm", (int)getpid());
    assert_int_equal(fixture_write_event_model(path, 16, 3), 0);
    engine_model *m = NULL;
    assert_int_equal(engine_model_load(path, &m, err, sizeof err), LJ_OK);
    unlink(path);
    size_t qb = rtq_bytes(4096, sizeof(lj_event)), pb = rtq_bytes(64, sizeof(lj_event));
    void *qm = aligned_alloc(64, qb), *pm = aligned_alloc(64, pb);
    rtq *out = rtq_init(qm, qb, 4096, sizeof(lj_event)), *player = rtq_init(pm, pb, 64, sizeof(lj_event));
    engine_config c;
    engine_config_default(&c);
    c.out = out;
    c.player = player;
    c.tempo_bpm = 100;        /* --tempo: until the clock is heard */
    c.tempo_from_clock = 1;   /* what play_args sets for --midi-clock in */
    engine *e = NULL;
    assert_int_equal(engine_create(m, &c, &e, err, sizeof err), LJ_OK);
    static midi_clock_in in;
    midi_clock_in_init(&in);
    clock_follow f;
    clock_follow_init(&f, 48000);
    uint64_t frame = 1000, tick = 0;
    lj_event ev;
    /* a beat of ticks at 150 BPM (800 frames), the engine filling each period */
    for (; tick < 25; tick++, frame += 800) midi_clock_in_message(&in, frame, 0xF8);
    assert_int_equal(clock_follow_update(&f, &in, e), 1);
    assert_true(fabs(engine_get_tempo(e) - 150) < 0.01);
    lj_event cc = lj_event_cc(frame, 0, c.cc.tempo, 0); /* CC 71 = 0: 40 BPM when not following */
    assert_true(rtq_push(player, &cc));
    double lowest = 1e9;
    for (int k = 0; k < 192; k++, tick++, frame += 800) {
        midi_clock_in_message(&in, frame, 0xF8);
        engine_fill(e, frame);
        while (rtq_pop(out, &ev)) {}
        clock_follow_update(&f, &in, e);
        double t = engine_tempo_in_force(e);
        if (t < lowest) lowest = t;
    }
    engine_stats st;
    engine_get_stats(e, &st);
    fprintf(stderr, "  CC 71 = 0 under a 150 BPM clock, then 192 ticks: tempo in force %.1f BPM (lowest %.1f), "
            "%llu tempo CCs ignored, tempo set %llu times from the clock\n", engine_tempo_in_force(e), lowest,
            (unsigned long long)st.tempo_ccs_ignored, (unsigned long long)f.changes);
    assert_true(fabs(lowest - 150) < 0.01);
    assert_int_equal(st.tempo_ccs_ignored, 1);
    /* something else sets the engine's tempo (a reload's new engine starts at
     * its own): the clock's is set again at the next update, not when the
     * master next changes tempo */
    engine_set_tempo(e, 90);
    midi_clock_in_message(&in, frame, 0xF8);
    assert_int_equal(clock_follow_update(&f, &in, e), 1);
    assert_true(fabs(engine_get_tempo(e) - 150) < 0.01);
    engine_destroy(e);
    engine_model_destroy(m);
    free(qm);
    free(pm);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring),
        cmocka_unit_test(test_route),
        cmocka_unit_test(test_estimate),
        cmocka_unit_test(test_clock_owns_tempo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
