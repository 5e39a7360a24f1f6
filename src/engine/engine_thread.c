/* engine_thread: the engine on its own thread (engine_thread_start, see
 * engine.h): fill, sleep a fraction of a period, repeat. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "engine_internal.h"

/* ---- the engine thread ---- */

static void *thread_main(void *arg) {
    engine *e = arg;
    struct timespec nap = {(time_t)(e->poll_ns / 1000000000u), (long)(e->poll_ns % 1000000000u)};
    int ending = 0;
    for (;;) {
        uint64_t clock = e->clock(e->clock_user);
        if (!ending && atomic_load_explicit(&e->stop_req, memory_order_acquire)) {
            engine_end_now(e, clock);
            ending = 1;
        }
        engine_fill(e, clock);
        if (ending && engine_done(e)) {
            atomic_store_explicit(&e->thread_done, 1, memory_order_release);
            break;
        }
        if (atomic_load_explicit(&e->stop_req, memory_order_acquire) == 2) break; /* timed out */
        nanosleep(&nap, NULL);
    }
    return NULL;
}

int engine_thread_start(engine *e, engine_clock_fn clock, void *clock_user, uint64_t poll_ns,
                        char *err, size_t errlen) {
    if (e->thread_running) return lj_fail(err, errlen, LJ_ERR_ARG, "engine thread already running");
    e->clock = clock;
    e->clock_user = clock_user;
    e->poll_ns = poll_ns ? poll_ns : 1000000;
    atomic_store(&e->stop_req, 0);
    atomic_store(&e->thread_done, 0);
    int r = pthread_create(&e->thread, NULL, thread_main, e);
    if (r) return lj_fail(err, errlen, LJ_ERR_IO, "cannot start the engine thread: %s", strerror(r));
    e->thread_running = 1;
    (void)pthread_setname_np(e->thread, "lj-engine"); /* ps -L, top; the tests find it by name */
    e->rt_priority = 0;
    e->rt_refused = 0;
    if (e->cfg.thread_priority > 0) { /* advice: a refusal leaves it at normal priority */
        struct sched_param sp = {.sched_priority = e->cfg.thread_priority};
        r = pthread_setschedparam(e->thread, SCHED_FIFO, &sp);
        if (r) e->rt_refused = r;
        else e->rt_priority = e->cfg.thread_priority;
    }
    return LJ_OK;
}

int engine_thread_priority(const engine *e, int *why) {
    if (why) *why = e->rt_refused;
    return e->rt_priority;
}

int engine_thread_stop(engine *e, int timeout_ms) {
    if (!e->thread_running) return engine_done(e);
    atomic_store_explicit(&e->stop_req, 1, memory_order_release);
    struct timespec nap = {0, 1000000};
    for (int waited = 0; waited < timeout_ms; waited++) {
        if (atomic_load_explicit(&e->thread_done, memory_order_acquire)) break;
        nanosleep(&nap, NULL);
    }
    atomic_store_explicit(&e->stop_req, 2, memory_order_release);
    pthread_join(e->thread, NULL);
    e->thread_running = 0;
    return atomic_load_explicit(&e->thread_done, memory_order_acquire);
}
