#include "midi_clock_in.h"

void midi_clock_in_init(midi_clock_in *c) {
    for (int i = 0; i < MIDI_CLOCK_RING; i++) atomic_init(&c->tick_frame[i], 0);
    atomic_init(&c->ticks, 0);
    atomic_init(&c->transport, 0);
    atomic_init(&c->last_transport, 0);
}

int midi_clock_in_message(midi_clock_in *c, uint64_t frame, uint8_t status) {
    if (status == 0xF8) {
        uint64_t n = atomic_load_explicit(&c->ticks, memory_order_relaxed);
        /* release: a reader that sees this frame sees the count of the ticks before it */
        atomic_store_explicit(&c->tick_frame[n % MIDI_CLOCK_RING], frame, memory_order_release);
        atomic_store_explicit(&c->ticks, n + 1, memory_order_release); /* the frame before the count */
        return 1;
    }
    if (status == 0xFA || status == 0xFB || status == 0xFC) {
        atomic_store_explicit(&c->last_transport, status, memory_order_relaxed);
        atomic_store_explicit(&c->transport, atomic_load_explicit(&c->transport, memory_order_relaxed) + 1,
                              memory_order_release);
        return 1;
    }
    return 0;
}

int midi_clock_in_ticks(midi_clock_in *c, uint64_t *out, int max, uint64_t *total) {
    if (max > MIDI_CLOCK_RING - 8) max = MIDI_CLOCK_RING - 8;
    for (;;) {
        uint64_t n = atomic_load_explicit(&c->ticks, memory_order_acquire);
        int k = n < (uint64_t)max ? (int)n : max;
        for (int i = 0; i < k; i++)
            out[i] = atomic_load_explicit(&c->tick_frame[(n - (uint64_t)k + (uint64_t)i) % MIDI_CLOCK_RING],
                                          memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        /* The writer overwrites the oldest slot copied when it writes tick
         * n - k + MIDI_CLOCK_RING, after counting ticks up to that number:
         * a count that far on (a reader stalled for 8 ticks or more): copy again */
        if (atomic_load_explicit(&c->ticks, memory_order_relaxed) - n < (uint64_t)(MIDI_CLOCK_RING - k)) {
            *total = n;
            return k;
        }
    }
}
