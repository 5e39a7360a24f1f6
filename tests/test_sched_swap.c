/* The synth hot swap of dsp/sched across two threads (run under TSan by make
 * test): an "audio" thread renders 128-frame callbacks without pause while
 * the owner plays notes into the queue and swaps among four fake synths
 * (sched_request_synth, then waits for sched_synth_swaps); once a swap is
 * done the old synth is marked retired, and any call the audio thread makes
 * on a retired synth is counted as a violation. Checked: every swap is taken,
 * no retired synth is ever called, nothing is held at the end (the slot's
 * refusal of a second request is test_sched's: here the audio thread may take
 * the first between the two). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_sched.h"

typedef struct fake {
    atomic_int retired;         /* 1: the owner may free it; no call may come */
    atomic_long calls;          /* calls made on it */
} fake;

static atomic_long violations;

static void touch(void *u) {
    fake *f = u;
    if (atomic_load(&f->retired)) atomic_fetch_add(&violations, 1);
    atomic_fetch_add_explicit(&f->calls, 1, memory_order_relaxed);
}
static void f_on(void *u, int ch, int key, int vel) { (void)ch, (void)key, (void)vel, touch(u); }
static void f_off(void *u, int ch, int key) { (void)ch, (void)key, touch(u); }
static void f_cc(void *u, int ch, int num, int val) { (void)ch, (void)num, (void)val, touch(u); }
static void f_program(void *u, int ch, int prog) { (void)ch, (void)prog, touch(u); }
static void f_all_off(void *u, int ch) { (void)ch, touch(u); }
static void f_render(void *u, float *out, uint32_t frames) {
    touch(u);
    memset(out, 0, 2 * frames * sizeof *out);
}

typedef struct audio {
    sched *s;
    atomic_int stop;
} audio;

static void *audio_thread(void *arg) {
    audio *a = arg;
    static float buf[2 * 128];
    while (!atomic_load(&a->stop)) {
        sched_process(a->s, buf, 128);
        sched_yield();
    }
    return NULL;
}

static void test_swap_threads(void **state) {
    (void)state;
    enum { SYNTHS = 4, SWAPS = 300 };
    static fake synths[SYNTHS];
    lj_synth_ops ops[SYNTHS];
    for (int i = 0; i < SYNTHS; i++) {
        atomic_init(&synths[i].retired, i != 0);
        atomic_init(&synths[i].calls, 0);
        ops[i] = (lj_synth_ops){&synths[i], f_on, f_off, f_cc, f_program, f_all_off, f_render, NULL, NULL, NULL};
    }
    size_t qb = rtq_bytes(1024, sizeof(lj_event));
    void *qmem = aligned_alloc(64, (qb + 63) / 64 * 64), *smem = aligned_alloc(64, (sched_bytes() + 63) / 64 * 64);
    assert_non_null(qmem);
    assert_non_null(smem);
    rtq *q = rtq_init(qmem, qb, 1024, sizeof(lj_event));
    sched_config c = {ops[0], q, 0, NULL, 0};
    audio a = {sched_init(smem, sched_bytes(), &c), 0};
    assert_non_null(a.s);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, audio_thread, &a), 0);
    int cur = 0;
    lj_synth_ops next_ops;
    for (int k = 0; k < SWAPS; k++) {
        /* a few notes around the clock, some held across the swap */
        uint64_t now = sched_clock(a.s);
        lj_event on = lj_event_note_on(now + 64, 0, 60 + k % 12, 90), off = lj_event_note_off(now + 300, 0, 60 + k % 12);
        rtq_push(q, &on);
        if (k % 3) rtq_push(q, &off);
        int next = (cur + 1 + k % (SYNTHS - 1)) % SYNTHS;
        atomic_store(&synths[next].retired, 0);
        next_ops = ops[next];
        uint64_t before = sched_synth_swaps(a.s);
        assert_int_equal(sched_request_synth(a.s, &next_ops), 0);
        for (long spin = 0; sched_synth_swaps(a.s) == before; spin++) {
            assert_true(spin < 100000000L);
            sched_yield();
        }
        atomic_store(&synths[cur].retired, 1); /* the owner could free it now */
        cur = next;
    }
    lj_event panic = lj_event_panic(sched_clock(a.s) + 1);
    rtq_push(q, &panic);
    while (sched_clock(a.s) < panic.frame + 256) sched_yield();
    atomic_store(&a.stop, 1);
    pthread_join(t, NULL);
    sched_stats st;
    sched_get_stats(a.s, &st);
    fprintf(stderr, "  %d swaps in %llu callbacks; %ld calls on a retired synth\n", SWAPS,
            (unsigned long long)st.callbacks, atomic_load(&violations));
    assert_int_equal(sched_synth_swaps(a.s), SWAPS);
    assert_int_equal(atomic_load(&violations), 0);
    assert_int_equal(st.held_notes, 0);
    for (int i = 0; i < SYNTHS; i++) assert_true(atomic_load(&synths[i].calls) > 0);
    free(qmem);
    free(smem);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_swap_threads)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
