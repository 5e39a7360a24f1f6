#include "alloc_fail.h"

#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

static long fail_at = -1; /* allocation index that fails, -1 = none */
static long n_allocs;     /* allocations attempted since reset */
static long live;         /* blocks allocated and not freed since reset */

static int should_fail(void) { return n_allocs++ == fail_at; }

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *old, size_t n);
void __wrap_free(void *p);

void *__wrap_malloc(size_t n) {
    if (should_fail()) return NULL;
    void *p = __real_malloc(n);
    if (p) live++;
    return p;
}

void *__wrap_calloc(size_t n, size_t size) {
    if (should_fail()) return NULL;
    void *p = __real_calloc(n, size);
    if (p) live++;
    return p;
}

void *__wrap_realloc(void *old, size_t n) {
    if (should_fail()) return NULL;
    void *p = __real_realloc(old, n);
    if (p && !old) live++;
    return p;
}

void __wrap_free(void *p) {
    if (p) live--;
    __real_free(p);
}

void alloc_fail_reset(long fail) {
    fail_at = fail;
    n_allocs = 0;
    live = 0;
}

long alloc_fail_count(void) { return n_allocs; }
long alloc_fail_live(void) { return live; }
