/* close_devices_bounded (src/device/close_bounded.h): devices closed each on
 * its own thread within a bound, so one that hangs (a driver waiting on a
 * dead server) does not keep the others from closing and sending their
 * panics:
 *  - all quick: every close runs once, 0 left, well within the bound;
 *  - one hangs first in the list: the others still close (before the change
 *    they were closed one after the other, so a hung MIDI in kept MIDI out's
 *    panic from being sent); the call returns after the bound, naming it;
 *    once released, the abandoned thread finishes and frees its slot (ASan's
 *    leak check and TSan see it);
 *  - NULL devices are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>
#include <time.h>

#include <cmocka.h>

#include "device/close_bounded.h"

typedef struct fake_dev {
    _Atomic int closes;  /* times closed */
    _Atomic int release; /* a hanging device waits for this */
    int hangs;
} fake_dev;

static void fake_close(void *d) {
    fake_dev *f = d;
    while (f->hangs && !atomic_load(&f->release)) nanosleep(&(struct timespec){0, 1000000}, NULL);
    atomic_fetch_add(&f->closes, 1);
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void test_all_quick(void **state) {
    (void)state;
    fake_dev a = {0}, b = {0};
    device_to_close devs[3] = {{fake_close, &a, "a"}, {fake_close, NULL, "none"}, {fake_close, &b, "b"}};
    int hung[3] = {7, 7, 7};
    double t0 = now_ms();
    assert_int_equal(close_devices_bounded(devs, 3, 1500, hung), 0);
    assert_true(now_ms() - t0 < 1000);
    assert_int_equal(atomic_load(&a.closes), 1);
    assert_int_equal(atomic_load(&b.closes), 1);
    assert_int_equal(hung[0] + hung[1] + hung[2], 0);
}

static void test_one_hangs(void **state) {
    (void)state;
    fake_dev in = {.hangs = 1}, out = {0}, audio = {0};
    device_to_close devs[3] = {{fake_close, &in, "MIDI in"}, {fake_close, &out, "MIDI out"},
                               {fake_close, &audio, "audio"}};
    int hung[3];
    double t0 = now_ms();
    assert_int_equal(close_devices_bounded(devs, 3, 200, hung), 1);
    double took = now_ms() - t0;
    assert_true(took >= 195 && took < 1500);
    assert_int_equal(hung[0], 1);
    assert_int_equal(hung[1], 0);
    assert_int_equal(hung[2], 0);
    assert_int_equal(atomic_load(&out.closes), 1); /* closed although MIDI in hung before it */
    assert_int_equal(atomic_load(&audio.closes), 1);
    assert_int_equal(atomic_load(&in.closes), 0);
    /* the abandoned close ends once its driver lets go */
    atomic_store(&in.release, 1);
    for (int i = 0; i < 2000 && !atomic_load(&in.closes); i++) nanosleep(&(struct timespec){0, 1000000}, NULL);
    assert_int_equal(atomic_load(&in.closes), 1);
    nanosleep(&(struct timespec){0, 20000000}, NULL); /* its thread frees the slot and ends */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_quick),
        cmocka_unit_test(test_one_hangs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
