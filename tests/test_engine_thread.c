/* The engine on its own thread (engine_thread_start) against a fake audio
 * thread that runs dsp/event_sched every 2.7 ms (128 frames at 48 kHz, the
 * clock it publishes is what the engine reads), while the control thread
 * turns the knobs (temperature, tempo, pause, panic) and reads the counters:
 * the threads of lstmjam play without a device. Run under TSan by `make test`
 * (label threads). Checked: music was generated and applied, nothing late
 * beyond a few events, nothing held or sounding after engine_thread_stop and
 * the audio thread's last callbacks, the engine's pushes all landed; the
 * real-time priority it reports is what the kernel shows for its thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine_fixture.h"
#include "event_sched.h"

typedef struct audio_sim {
    sched *s;
    _Atomic int run;
    float buf[256];
} audio_sim;

static void *audio_main(void *arg) {
    audio_sim *a = arg;
    struct timespec nap = {0, 2666667};
    while (atomic_load(&a->run)) {
        sched_process(a->s, a->buf, 128);
        nanosleep(&nap, NULL);
    }
    return NULL;
}

static uint64_t clock_of(void *user) { return sched_clock(user); }

/* Threads of this process whose scheduling policy is SCHED_FIFO (1) at
 * priority `prio`, read from /proc/self/task/TID/stat (fields 40 rt_priority
 * and 41 policy): what the kernel says, not what the engine reports. */
static int fifo_threads(int prio) {
    char cmd[64];
    snprintf(cmd, sizeof cmd, "cat /proc/%d/task/*/stat", (int)getpid());
    FILE *f = popen(cmd, "r");
    if (!f) return -1;
    char line[2048];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = strrchr(line, ')'); /* the command name may hold spaces */
        if (!p) continue;
        int field = 2, rt = -1, policy = -1;
        for (char *t = strtok(p + 1, " "); t; t = strtok(NULL, " ")) {
            field++;
            if (field == 40) rt = atoi(t);
            if (field == 41) policy = atoi(t);
        }
        if (policy == 1 && rt == prio) n++;
    }
    pclose(f);
    return n;
}

static void test_engine_thread(void **state) {
    (void)state;
    char path[256], err[512] = "";
    snprintf(path, sizeof path, "/tmp/lj_test_engine_thread_%d.lstm", (int)getpid());
    assert_int_equal(fixture_write_event_model(path, 64, 11), 0);
    engine_model *m = NULL;
    assert_int_equal(engine_model_load(path, &m, err, sizeof err), LJ_OK);
    unlink(path);
    fixture_synth syn;
    memset(&syn, 0, sizeof syn);
    size_t qb = rtq_bytes(1024, sizeof(lj_event));
    void *qm = aligned_alloc(64, qb), *sm = aligned_alloc(64, (sched_bytes() + 63) / 64 * 64);
    rtq *q = rtq_init(qm, qb, 1024, sizeof(lj_event));
    sched_config sc = {fixture_synth_ops(&syn), q, 1, NULL, 0};
    audio_sim a;
    a.s = sched_init(sm, sched_bytes(), &sc);
    atomic_init(&a.run, 1);
    engine_config c;
    engine_config_default(&c);
    c.out = q;
    c.tempo_bpm = 300; /* many notes in two seconds */
    c.lookahead_frames = 4 * 128;
    c.thread_priority = 7; /* as play asks (5 there); refused without an rtprio limit */
    engine *e = NULL;
    assert_int_equal(engine_create(m, &c, &e, err, sizeof err), LJ_OK);
    pthread_t at;
    assert_int_equal(pthread_create(&at, NULL, audio_main, &a), 0);
    assert_int_equal(engine_thread_start(e, clock_of, a.s, 1000000, err, sizeof err), LJ_OK);
    /* the priority it reports is the one the kernel gives it */
    int why, prio = engine_thread_priority(e, &why);
    fprintf(stderr, "  engine thread: SCHED_FIFO %d (%s)\n", prio, why ? strerror(why) : "granted");
    assert_true((prio == 7 && why == 0) || (prio == 0 && why == EPERM));
    assert_int_equal(fifo_threads(7), prio ? 1 : 0);
    struct timespec tick = {0, 100000000};
    for (int i = 0; i < 20; i++) { /* two seconds of control */
        nanosleep(&tick, NULL);
        engine_set_temperature(e, 0.5 + 0.05 * i);
        if (i == 5) engine_request_panic(e);
        if (i == 8) engine_set_paused(e, 1);
        if (i == 10) engine_set_paused(e, 0);
        if (i == 12) engine_set_tempo(e, 250);
        engine_stats es;
        sched_stats ss;
        engine_get_stats(e, &es);
        sched_get_stats(a.s, &ss);
    }
    assert_int_equal(engine_thread_stop(e, 2000), 1);
    engine_stats es;
    engine_get_stats(e, &es);
    /* Let the audio thread apply the last events (the panic is within a look-ahead). */
    while (sched_clock(a.s) <= es.last_frame + 256) nanosleep(&tick, NULL);
    atomic_store(&a.run, 0);
    pthread_join(at, NULL);
    sched_stats ss;
    sched_get_stats(a.s, &ss);
    fprintf(stderr, "  %llu steps, %llu notes, %llu events, %llu panics; audio: %llu applied, "
            "%llu late, %llu callbacks; step p50 %llu ns, p99 %llu ns\n",
            (unsigned long long)es.steps, (unsigned long long)es.notes, (unsigned long long)es.events,
            (unsigned long long)es.panics, (unsigned long long)ss.events_applied,
            (unsigned long long)ss.late_events, (unsigned long long)ss.callbacks,
            (unsigned long long)engine_hist_quantile(es.step_hist, 0.5),
            (unsigned long long)engine_hist_quantile(es.step_hist, 0.99));
    assert_true(es.notes >= 3); /* some music (how much depends on the machine) */
    assert_int_equal(ss.events_applied, es.events);
    assert_int_equal(es.dropped, 0);
    assert_true(es.panics >= 2); /* the request, the stop (a pause ends the model's notes: no panic) */
    assert_int_equal(ss.held_notes, 0);
    assert_int_equal(fixture_sounding(&syn), 0);
    engine_destroy(e);
    engine_model_destroy(m);
    free(qm);
    free(sm);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_engine_thread)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
