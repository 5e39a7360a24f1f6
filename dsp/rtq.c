#include "rtq.h"

#include <stdatomic.h>
#include <string.h>

/* head: next slot to write (producer-owned); tail: next slot to read
 * (consumer-owned). Both count messages without wrapping (size_t), the slot is
 * index & mask; head - tail is the fill level. Separate cache lines keep the two
 * threads from false sharing. */
struct rtq {
    _Alignas(64) _Atomic size_t head;
    _Alignas(64) _Atomic size_t tail;
    _Alignas(64) _Atomic uint64_t overflows;
    size_t mask;     /* capacity - 1, capacity a power of two */
    size_t msg_size; /* bytes per message */
    unsigned char *slots; /* capacity * msg_size bytes, right after this struct */
};

static size_t round_capacity(size_t capacity, size_t msg_size) {
    if (capacity == 0 || msg_size == 0 || capacity > ((size_t)1 << 24) || msg_size > 4096) return 0;
    size_t cap = 1;
    while (cap < capacity) cap <<= 1;
    return cap;
}

size_t rtq_bytes(size_t capacity, size_t msg_size) {
    size_t cap = round_capacity(capacity, msg_size);
    return cap ? sizeof(rtq) + cap * msg_size : 0;
}

rtq *rtq_init(void *mem, size_t memlen, size_t capacity, size_t msg_size) {
    size_t cap = round_capacity(capacity, msg_size);
    if (!cap || !mem || ((uintptr_t)mem & 63) || memlen < rtq_bytes(capacity, msg_size))
        return NULL;
    rtq *q = mem;
    q->mask = cap - 1;
    q->msg_size = msg_size;
    q->slots = (unsigned char *)mem + sizeof(rtq);
    atomic_init(&q->head, 0);
    atomic_init(&q->tail, 0);
    atomic_init(&q->overflows, 0);
    return q;
}

int rtq_push(rtq *q, const void *msg) {
    size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
    if (head - tail > q->mask) {
        /* the fence, with the one in rtq_overflows: a consumer that sees
         * this overflow sees every message pushed before it (rtq_count), the
         * ones whose note-off may be the message lost (fence to fence: no
         * instruction on x86, and the add itself stays relaxed) */
        atomic_thread_fence(memory_order_release);
        atomic_fetch_add_explicit(&q->overflows, 1, memory_order_relaxed);
        return 0;
    }
    memcpy(q->slots + (head & q->mask) * q->msg_size, msg, q->msg_size);
    atomic_store_explicit(&q->head, head + 1, memory_order_release);
    return 1;
}

size_t rtq_reserve(rtq *q, size_t want, void **first, size_t *first_count, void **second) {
    size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
    size_t free_slots = q->mask + 1 - (head - tail);
    size_t n = want < free_slots ? want : free_slots;
    size_t at = head & q->mask;
    size_t to_wrap = q->mask + 1 - at;
    *first = q->slots + at * q->msg_size;
    *first_count = n < to_wrap ? n : to_wrap;
    *second = q->slots;
    return n;
}

void rtq_commit(rtq *q, size_t n) {
    size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
    atomic_store_explicit(&q->head, head + n, memory_order_release);
}

void rtq_note_overflow(rtq *q, size_t n) {
    atomic_thread_fence(memory_order_release); /* as in rtq_push */
    atomic_fetch_add_explicit(&q->overflows, n, memory_order_relaxed);
}

const void *rtq_peek(rtq *q) {
    size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&q->head, memory_order_acquire);
    if (head == tail) return NULL;
    return q->slots + (tail & q->mask) * q->msg_size;
}

void rtq_skip(rtq *q) {
    size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
}

int rtq_pop(rtq *q, void *msg) {
    const void *p = rtq_peek(q);
    if (!p) return 0;
    memcpy(msg, p, q->msg_size);
    rtq_skip(q);
    return 1;
}

size_t rtq_count(const rtq *q) {
    size_t head = atomic_load_explicit(&((rtq *)q)->head, memory_order_acquire);
    size_t tail = atomic_load_explicit(&((rtq *)q)->tail, memory_order_acquire);
    return head - tail;
}

size_t rtq_capacity(const rtq *q) { return q->mask + 1; }

uint64_t rtq_overflows(const rtq *q) {
    uint64_t n = atomic_load_explicit(&((rtq *)q)->overflows, memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire); /* see rtq_push */
    return n;
}
