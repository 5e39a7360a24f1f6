/* Allocation-failure test of midi_read_mem and midi_write_mem (zlib's infcover
 * idea). Linked with -Wl,--wrap=malloc,--wrap=realloc,--wrap=calloc,--wrap=free:
 * calls from lstmjam's static libraries and this file go through the wrappers
 * below, which can fail the Nth allocation and count live blocks.
 * For every N below the number of allocations a successful call makes, failing
 * allocation N must give LJ_ERR_NOMEM, no output, and no block left allocated;
 * then the call must succeed again. The ASan build adds LeakSanitizer on top. */
#include "alloc_fail.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "midi.h"


/* A score that exercises every allocation path: several parts, enough notes
 * and events to grow the arrays more than once, all three maps. */
static score *make_score(void) {
    score *s = score_create();
    if (!s) return NULL;
    snprintf(s->title, sizeof s->title, "alloc test");
    for (int p = 0; p < 3; p++)
        if (score_add_part(s, p == 1 ? "" : "part", p, p * 10, NULL)) goto fail;
    for (int i = 0; i < 20; i++) {
        if (score_add_tempo(s, i * 960, 400000 + (uint32_t)i * 1000)) goto fail;
        if (score_add_meter(s, i * 960, 3 + i % 2, 4)) goto fail;
        if (score_add_key(s, i * 960, i % 5 - 2, i % 7)) goto fail;
    }
    for (int i = 0; i < 400; i++) {
        score_note n = {.onset = i * 60, .duration = 90, .pitch = (uint8_t)(40 + i % 30),
                        .velocity = (uint8_t)(1 + i % 127), .channel = (uint8_t)(i % 3),
                        .program = (uint8_t)(i % 3 * 10 + (i % 7 == 0)), .part = (uint16_t)(i % 3)};
        if (score_add_note(s, &n)) goto fail;
    }
    return s;
fail:
    score_destroy(s);
    return NULL;
}

static int check_read(const uint8_t *bytes, size_t len) {
    char err[512];
    score *s = NULL;
    alloc_fail_reset(-1);
    if (midi_read_mem(bytes, len, "alloc.mid", &s, err, sizeof err)) {
        printf("FAIL read without failures: %s\n", err);
        return 1;
    }
    score_destroy(s);
    long total = alloc_fail_count();
    int bad = 0;
    for (long k = 0; k < total; k++) {
        alloc_fail_reset(k);
        s = (score *)1;
        int rc = midi_read_mem(bytes, len, "alloc.mid", &s, err, sizeof err);
        if (rc != LJ_ERR_NOMEM || s != NULL || alloc_fail_live() != 0) {
            printf("FAIL read, allocation %ld of %ld failed: status %d (%s), out %p, %ld blocks "
                   "leaked: %s\n",
                   k, total, rc, lj_strerror(rc), (void *)s, alloc_fail_live(), err);
            if (rc == LJ_OK) score_destroy(s);
            bad = 1;
        }
    }
    printf("midi_read_mem: %ld allocations, each failed in turn: %s\n", total, bad ? "FAIL" : "ok");
    return bad;
}

static int check_write(const score *s) {
    char err[512];
    uint8_t *out = NULL;
    size_t len = 0;
    alloc_fail_reset(-1);
    if (midi_write_mem(s, &out, &len, err, sizeof err)) {
        printf("FAIL write without failures: %s\n", err);
        return 1;
    }
    free(out);
    long total = alloc_fail_count();
    int bad = 0;
    for (long k = 0; k < total; k++) {
        alloc_fail_reset(k);
        out = (uint8_t *)1;
        int rc = midi_write_mem(s, &out, &len, err, sizeof err);
        if (rc != LJ_ERR_NOMEM || out != NULL || alloc_fail_live() != 0) {
            printf("FAIL write, allocation %ld of %ld failed: status %d, out %p, %ld blocks "
                   "leaked\n",
                   k, total, rc, (void *)out, alloc_fail_live());
            if (rc == LJ_OK) free(out);
            bad = 1;
        }
    }
    printf("midi_write_mem: %ld allocations, each failed in turn: %s\n", total, bad ? "FAIL" : "ok");
    return bad;
}

int main(void) {
    score *s = make_score();
    if (!s) return 1;
    uint8_t *bytes = NULL;
    size_t len = 0;
    char err[512];
    if (midi_write_mem(s, &bytes, &len, err, sizeof err)) {
        printf("FAIL %s\n", err);
        return 1;
    }
    int bad = check_write(s);
    bad |= check_read(bytes, len);
    alloc_fail_reset(-1);
    free(bytes);
    score_destroy(s);
    return bad;
}
