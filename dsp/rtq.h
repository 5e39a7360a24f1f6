/* rtq: the one lock-free single-producer single-consumer queue of lstmjam, used
 * for every direction between threads (engine -> audio, MIDI in -> audio/engine,
 * audio -> control). C11 atomics with acquire/release ordering, power-of-two
 * capacity, fixed-size POD messages copied in and out, storage allocated once in
 * rtq_create. A reserve/commit pair publishes a batch at once. Pushes that do
 * not fit are counted in an overflow counter the consumer can read: nothing is
 * lost silently. (PortAudio's PaUtilRingBuffer, JACK's ringbuffer.) */
#ifndef LJ_RTQ_H
#define LJ_RTQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct rtq rtq;

/* dsp/ never allocates, so the owner (in src/) provides the memory:
 * rtq_bytes says how many bytes a queue of at least `capacity` messages
 * (rounded up to a power of two) of msg_size bytes needs (0 for bad arguments:
 * capacity 1..2^24, msg_size 1..4096), and rtq_init builds the queue in `mem`
 * (aligned to 64 bytes, e.g. from aligned_alloc), returning it or NULL when the
 * arguments or memlen are wrong. The queue lives as long as mem; nothing to
 * destroy. Thread: init. */
size_t rtq_bytes(size_t capacity, size_t msg_size);
rtq *rtq_init(void *mem, size_t memlen, size_t capacity, size_t msg_size);

/* Copies one message in. Returns 1, or 0 when full (the overflow counter is
 * bumped). Thread: the producer (RT-safe). */
int rtq_push(rtq *q, const void *msg);

/* Batch write: rtq_reserve returns how many slots (<= want) are free and points
 * *first at them: the slots are contiguous up to the wrap, so at most
 * `*first_count` come from *first and the rest from *second. Fill them, then
 * rtq_commit(q, n) publishes n at once. Thread: the producer (RT-safe). */
size_t rtq_reserve(rtq *q, size_t want, void **first, size_t *first_count, void **second);
void rtq_commit(rtq *q, size_t n);
/* Counts messages a producer could not fit (for rtq_reserve shortfalls). */
void rtq_note_overflow(rtq *q, size_t n);

/* Copies the oldest message out. Returns 1, or 0 when empty.
 * Thread: the consumer (RT-safe). */
int rtq_pop(rtq *q, void *msg);
/* Points at the oldest message without removing it; NULL when empty. The
 * pointer is valid until rtq_pop/rtq_skip. Thread: the consumer (RT-safe). */
const void *rtq_peek(rtq *q);
/* Drops the oldest message (after rtq_peek). Thread: the consumer (RT-safe). */
void rtq_skip(rtq *q);

/* Messages waiting (exact for the consumer, a lower bound for the producer). */
size_t rtq_count(const rtq *q);
size_t rtq_capacity(const rtq *q);
/* Messages refused because the queue was full, since creation. Thread: any. */
uint64_t rtq_overflows(const rtq *q);

#endif
