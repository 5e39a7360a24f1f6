/* alloc_fail: allocation-failure injection for tests (zlib's infcover idea).
 * A test linked with alloc_fail.c and
 *   -Wl,--wrap=malloc,--wrap=realloc,--wrap=calloc,--wrap=free
 * sends every allocation of lstmjam's static libraries and of the test through
 * the wrappers in alloc_fail.c, which fail the Nth allocation on request and
 * count the blocks still allocated. The usual loop: run the call once with
 * alloc_fail_reset(-1) to count its allocations, then for every k below that
 * count run it with alloc_fail_reset(k) and require LJ_ERR_NOMEM, no output
 * and alloc_fail_live() == 0. (cJSON and other shared libraries allocate
 * outside the wrap.) The state is global because malloc has no context. */
#ifndef LJ_ALLOC_FAIL_H
#define LJ_ALLOC_FAIL_H

/* Starts counting from zero; allocation number fail_at (0-based) will fail,
 * -1 = none. */
void alloc_fail_reset(long fail_at);
/* Allocations attempted since the reset. */
long alloc_fail_count(void);
/* Blocks allocated since the reset and not yet freed. */
long alloc_fail_live(void);

#endif
