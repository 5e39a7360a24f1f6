/* auto mode's fresh starts begin somewhere new at every temperature
 * (src/engine/engine.c: fresh_start, draw_temperature). A fresh start resets
 * the model to the same empty context, so at temperature 0 (always the most
 * likely token) every piece used to be the same piece: nottingham-event
 * rendered for 5 minutes, re-seeded every minute, played 241 notes a minute
 * starting with the same 16 pitches (tools/longform_check.py: distinct pitch
 * 8-grams 0.013). A piece's opening (its first ENGINE_OPENING_NOTES notes) is
 * now drawn at ENGINE_OPENING_TEMPERATURE or more from the session's seeded
 * RNG; after it, T 0 is still the most likely continuation.
 *
 * Each case plays a shipped model (model/pretrained) in auto mode at T 0,
 * re-seeded every 10 s of music, for 80 s of music offline (engine API, one
 * step per fill, so the frame each piece starts at is known: the decoder's
 * frame after the fill in which engine_stats.reseeds grew), and cuts the
 * note-ons into pieces. The pieces' first 8 pitches must differ: at least
 * half of the pieces plus one distinct openings (before: 1, every piece the
 * same). And the same seed plays the same notes again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "rtq.h"

#define MAX_PIECES 64
#define MAX_NOTES 8192
#define OPENING_COMPARED 8 /* notes of each piece's start compared */

typedef struct played {
    uint8_t pitch[MAX_NOTES]; /* note-on pitches in frame order */
    uint64_t frame[MAX_NOTES];
    size_t n;
    uint64_t piece_start[MAX_PIECES]; /* frame each piece starts at ([0]: 0) */
    size_t pieces;
    size_t spins; /* a period took over 4096 one-step fills (time stood still): stopped there */
} played;

static void *alloc64(size_t n) { return aligned_alloc(64, (n + 63) / 64 * 64); }

/* Plays model `name` in auto mode at temperature T for `seconds` of music,
 * re-seeded every `reseed` s, into *out. */
static void play(const char *name, double T, uint64_t seed, double reseed, double seconds, played *out) {
    const char *src = getenv("LJ_SOURCE_DIR");
    char path[4096], err[512] = "";
    snprintf(path, sizeof path, "%s/model/pretrained/%s.lstm", src ? src : ".", name);
    engine_model *m = NULL;
    if (engine_model_load(path, &m, err, sizeof err)) fail_msg("%s", err);
    size_t cap = 1 << 14, qb = rtq_bytes(cap, sizeof(lj_event));
    void *qmem = alloc64(qb);
    rtq *q = rtq_init(qmem, qb, cap, sizeof(lj_event));
    engine_config c;
    engine_config_default(&c);
    c.mode = ENGINE_MODE_AUTO;
    c.seed = seed;
    c.sampler.temperature = (float)T;
    c.reseed_seconds = reseed;
    c.max_steps_per_fill = 1; /* a re-seed is seen in the fill it happens in */
    c.out = q;
    engine *e = NULL;
    if (engine_create(m, &c, &e, err, sizeof err)) fail_msg("%s", err);
    memset(out, 0, sizeof *out);
    out->pieces = 1;
    uint64_t reseeds = 0;
    lj_event ev;
    for (uint64_t clock = 0; clock < (uint64_t)(seconds * c.sample_rate) && !out->spins; clock += 128) {
        int steps, fills = 0;
        do {
            /* a period's worth of music is a few steps; thousands mean steps
             * that move no time (before: essen-timestep at T 0 ended each
             * piece at once, 0 notes, re-seeding without end) */
            if (++fills > 4096) {
                out->spins++;
                break;
            }
            steps = engine_fill(e, clock);
            engine_stats st;
            engine_get_stats(e, &st);
            /* the step re-seeded: the decoder's frame is where the new piece begins */
            if (st.reseeds != reseeds && out->pieces < MAX_PIECES) out->piece_start[out->pieces++] = st.gen_frame;
            reseeds = st.reseeds;
            while (rtq_pop(q, &ev))
                if (ev.kind == LJ_EV_NOTE_ON && out->n < MAX_NOTES) {
                    out->pitch[out->n] = ev.data1;
                    out->frame[out->n++] = ev.frame;
                }
        } while (steps > 0);
    }
    engine_destroy(e);
    engine_model_destroy(m);
    free(qmem);
}

/* The first OPENING_COMPARED pitches of piece i into buf; how many it has. */
static size_t opening(const played *p, size_t i, uint8_t *buf) {
    uint64_t lo = p->piece_start[i], hi = i + 1 < p->pieces ? p->piece_start[i + 1] : UINT64_MAX;
    size_t k = 0;
    for (size_t j = 0; j < p->n && k < OPENING_COMPARED; j++)
        if (p->frame[j] >= lo && p->frame[j] < hi) buf[k++] = p->pitch[j];
    return k;
}

/* Distinct openings among the pieces that have OPENING_COMPARED notes (the
 * last, cut short by the end, may not); *full gets how many have. */
static size_t distinct_openings(const played *p, size_t *full) {
    uint8_t seen[MAX_PIECES][OPENING_COMPARED];
    size_t distinct = 0;
    *full = 0;
    for (size_t i = 0; i < p->pieces; i++) {
        uint8_t buf[OPENING_COMPARED];
        if (opening(p, i, buf) < OPENING_COMPARED) continue;
        ++*full;
        size_t j = 0;
        while (j < distinct && memcmp(seen[j], buf, sizeof buf)) j++;
        if (j == distinct) memcpy(seen[distinct++], buf, sizeof buf);
    }
    return distinct;
}

static void assert_new_starts(const char *name, double T) {
    static played a, b;
    play(name, T, 1, 10, 80, &a);
    size_t full = 0, distinct = distinct_openings(&a, &full);
    fprintf(stderr,
            "  %s at T %.1f: %zu notes, %zu pieces, %zu of %zu full openings (first %d pitches) distinct, "
            "%zu periods where time stood still\n",
            name, T, a.n, a.pieces, distinct, full, OPENING_COMPARED, a.spins);
    assert_int_equal(a.spins, 0);
    assert_true(a.pieces >= 6); /* 80 s re-seeded every 10 s: 8 pieces (or more: pieces that end) */
    assert_true(full >= 5);     /* (a piece the model ends early may have fewer notes) */
    assert_true(distinct >= full / 2 + 1);
    /* seeded: the same session again */
    play(name, T, 1, 10, 80, &b);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.pitch, b.pitch, a.n);
    assert_memory_equal(a.frame, b.frame, a.n * sizeof *a.frame);
}

static void test_event_t0(void **state) {
    (void)state;
    assert_new_starts("nottingham-event", 0);
}

static void test_timestep_t0(void **state) { /* the ambient preset's model */
    (void)state;
    assert_new_starts("essen-timestep", 0);
}

static void test_psd_t0(void **state) { /* a frame model: frame_sampler's draws */
    (void)state;
    assert_new_starts("nottingham-psd", 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_t0),
        cmocka_unit_test(test_timestep_t0),
        cmocka_unit_test(test_psd_t0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
