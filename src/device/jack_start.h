/* jack_start: the start-up check of lstmjam's own JACK clients (MIDI in, MIDI
 * out). jackd 1.9.21 sometimes activates a process's second or third client
 * and never runs it: the server logs "client = NAME was not finished, state =
 * Triggered" every cycle and every message to or from it is lost (found with
 * play_midi_clock: about 1 run in 2 while `jack_lsp | grep -q` polled for the
 * port as lstmjam started). Each client counts its process callbacks; one that
 * has not run within a timeout is closed and opened again under the same name.
 * Thread: control. */
#ifndef LJ_JACK_START_H
#define LJ_JACK_START_H

#include <stdatomic.h>
#include <time.h>

#define JACK_START_WAIT_MS 500 /* about 190 periods of 128 frames at 48 kHz */
#define JACK_START_TRIES 3     /* reopens before giving up */

/* Waits up to ms milliseconds for *cycles (the client's process callback
 * count) to leave 0; 1 when it did. */
static inline int jack_client_ran(_Atomic unsigned long *cycles, int ms) {
    for (int i = 0; i < ms && !atomic_load_explicit(cycles, memory_order_acquire); i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    return atomic_load_explicit(cycles, memory_order_acquire) > 0;
}

#endif
