/* close_devices_bounded: see close_bounded.h. */
#include "close_bounded.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

/* One close on its thread. refs: the caller's and the thread's; whoever
 * drops the last frees it, so an abandoned close keeps its slot. */
typedef struct close_slot {
    device_close_fn close;
    void *dev;
    _Atomic int done;
    _Atomic int refs;
} close_slot;

static void slot_release(close_slot *s) {
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1) free(s);
}

static void *close_thread(void *arg) {
    close_slot *s = arg;
    s->close(s->dev);
    atomic_store_explicit(&s->done, 1, memory_order_release);
    slot_release(s);
    return NULL;
}

int close_devices_bounded(const device_to_close *devs, int n, int timeout_ms, int *hung) {
    close_slot *slot[CLOSE_BOUNDED_MAX] = {0};
    pthread_t tid[CLOSE_BOUNDED_MAX];
    int started[CLOSE_BOUNDED_MAX] = {0}, left = 0;
    if (n > CLOSE_BOUNDED_MAX) n = CLOSE_BOUNDED_MAX;
    for (int i = 0; i < n; i++) {
        if (hung) hung[i] = 0;
        if (!devs[i].dev) continue;
        if (!(slot[i] = malloc(sizeof *slot[i]))) {
            if (hung) hung[i] = 1;
            left++;
            continue;
        }
        slot[i]->close = devs[i].close;
        slot[i]->dev = devs[i].dev;
        atomic_init(&slot[i]->done, 0);
        atomic_init(&slot[i]->refs, 2);
        if (pthread_create(&tid[i], NULL, close_thread, slot[i])) {
            free(slot[i]);
            slot[i] = NULL;
            if (hung) hung[i] = 1;
            left++;
            continue;
        }
        started[i] = 1;
    }
    /* wait for all, polling each millisecond (pthread_timedjoin_np is not
     * portable; a condition variable would need the abandoned thread to keep
     * the caller's lock alive) */
    for (int ms = 0;; ms++) {
        int running = 0;
        for (int i = 0; i < n; i++)
            running += started[i] && !atomic_load_explicit(&slot[i]->done, memory_order_acquire);
        if (!running || ms >= timeout_ms) break;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    for (int i = 0; i < n; i++) {
        if (!started[i]) continue;
        if (atomic_load_explicit(&slot[i]->done, memory_order_acquire)) {
            pthread_join(tid[i], NULL);
        } else {
            pthread_detach(tid[i]); /* left to it */
            if (hung) hung[i] = 1;
            left++;
        }
        slot_release(slot[i]);
    }
    return left;
}
