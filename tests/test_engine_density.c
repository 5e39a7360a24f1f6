/* Density (engine_config.density) means more or fewer notes per unit of music
 * time on every model family it applies to (src/engine/engine.c:
 * processed_logits, density_shift, density_bias_keys, density_scale_step):
 *  - psd (tests/data/generate/tiny_psd.lstm): the drawn step times 1/density;
 *  - pianoroll (tiny_pianoroll.lstm): keys off in the last frame + log d on
 *    their logit, keys on - log d;
 *  - event (random 388-token model): shifts played as N / density steps;
 *  - notechord with chords (random model, timing=sequence: every token starts
 *    notes, one token per 8th): a token's odds times d per note it starts;
 *  - abc: density does not apply (engine_model_density_applies says so).
 * For each, the notes in 20 s of music at density 0.25, 1 and 4 summed over
 * three seeds must grow by a clear factor at each step. Before the change
 * psd, pianoroll and notechord played the same notes at every density.
 * And on every shipped model kind (assert_band) the notes must be about d
 * times the model's own: within 1.5x of d at 0.25 and 4 (grid models: part
 * odds, part time, engine.c's density_time_share). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine_fixture.h"
#include "rtq.h"

static void *alloc64(size_t n) { return aligned_alloc(64, (n + 63) / 64 * 64); }

/* The rig of every test here: the model at path, an event queue, and an
 * engine on them at density, seed, temperature T and tempo bpm (0: the
 * encoding's), re-seeding off. rig_close frees all three. */
typedef struct rig {
    engine_model *m;
    void *qmem;
    rtq *q;
    engine *e;
} rig;

static void rig_open(rig *r, const char *path, double density, uint64_t seed, double T, double bpm) {
    char err[512] = "";
    r->m = NULL;
    if (engine_model_load(path, &r->m, err, sizeof err)) fail_msg("%s", err);
    size_t cap = 1 << 14, qb = rtq_bytes(cap, sizeof(lj_event));
    r->qmem = alloc64(qb);
    r->q = rtq_init(r->qmem, qb, cap, sizeof(lj_event));
    engine_config c;
    engine_config_default(&c);
    c.seed = seed;
    c.density = density;
    c.sampler.temperature = (float)T;
    c.tempo_bpm = bpm;
    c.reseed_seconds = 0;
    c.out = r->q;
    r->e = NULL;
    if (engine_create(r->m, &c, &r->e, err, sizeof err)) fail_msg("%s", err);
}

static void rig_close(rig *r) {
    engine_destroy(r->e);
    engine_model_destroy(r->m);
    free(r->qmem);
}

/* Notes the engine plays in `seconds` of music from the model at path, at
 * temperature T and tempo bpm (0: the encoding's). */
static uint64_t notes_at_with(const char *path, double density, uint64_t seed, double seconds, double T,
                              double bpm) {
    rig r;
    rig_open(&r, path, density, seed, T, bpm);
    lj_event ev;
    for (uint64_t clock = 0; clock < (uint64_t)(seconds * 48000); clock += 128) { /* the default 48 kHz */
        engine_fill(r.e, clock);
        while (rtq_pop(r.q, &ev)) {}
    }
    engine_stats st;
    engine_get_stats(r.e, &st);
    rig_close(&r);
    return st.notes;
}

static uint64_t notes_at(const char *path, double density, uint64_t seed, double seconds) {
    return notes_at_with(path, density, seed, seconds, 1, 0);
}

/* Sums over three seeds at density 0.25, 1, 4; asserts each step gains `factor`. */
static void assert_monotonic(const char *what, const char *path, double factor) {
    uint64_t n[3] = {0, 0, 0};
    const double d[3] = {0.25, 1, 4};
    for (int i = 0; i < 3; i++)
        for (uint64_t seed = 1; seed <= 3; seed++) n[i] += notes_at(path, d[i], seed, 20);
    fprintf(stderr, "  %s: notes in 3 x 20 s at density 0.25 / 1 / 4: %llu / %llu / %llu\n", what,
            (unsigned long long)n[0], (unsigned long long)n[1], (unsigned long long)n[2]);
    assert_true(n[0] > 0);
    assert_true((double)n[0] * factor < (double)n[1]);
    assert_true((double)n[1] * factor < (double)n[2]);
}

static void data_path(char *buf, size_t len, const char *name) {
    const char *data = getenv("LJ_TEST_DATA");
    assert_non_null(data);
    snprintf(buf, len, "%s/generate/%s", data, name);
}

static void test_psd(void **state) {
    (void)state;
    char path[512];
    data_path(path, sizeof path, "tiny_psd.lstm");
    assert_monotonic("psd", path, 2);
}

static void test_pianoroll(void **state) {
    (void)state;
    char path[512];
    data_path(path, sizeof path, "tiny_pianoroll.lstm");
    assert_monotonic("pianoroll", path, 1.3);
}

static void test_event(void **state) {
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/lj_test_density_event_%d.lstm", (int)getpid());
    assert_int_equal(fixture_write_event_model(path, 64, 7), 0);
    assert_monotonic("event", path, 2);
    unlink(path);
}

/* notechord, timing=sequence: single notes and chords of 2 and 3 notes. */
static void test_notechord(void **state) {
    (void)state;
    static const char *const names[] = {"C4", "D4", "E4", "G4", "A4", "C4.E4", "D4.F4", "C4.E4.G4", "D4.F4.A4",
                                        "E4.G4.B4"};
    vocab *v = vocab_create();
    assert_non_null(v);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        assert_int_equal(vocab_add(v, names[i], strlen(names[i]), NULL), 0);
    char path[64];
    snprintf(path, sizeof path, "/tmp/lj_test_density_notechord_%d.lstm", (int)getpid());
    assert_int_equal(fixture_write_model(path, "notechord", v, "chords=pitches timing=sequence", 32, 3), 0);
    vocab_destroy(v);
    assert_monotonic("notechord", path, 1.3);
    unlink(path);
}

/* abc: no token starts a known pitch, so density cannot apply (play shows
 * "D -", render refuses --density); a model with pitches says it applies. */
static void test_applies(void **state) {
    (void)state;
    char path[512], err[512] = "";
    engine_model *m = NULL;
    data_path(path, sizeof path, "tiny_psd.lstm");
    if (engine_model_load(path, &m, err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(engine_model_density_applies(m), 1);
    engine_model_destroy(m);
    /* a folk-rnn abc tokens model of a one-tune book's vocabulary */
    static const char book[] = "X:1\nM:4/4\nL:1/8\nK:D\nDEFG ABcd|d2A2 F2D2|]\n";
    encoding *e = NULL;
    enc_opts o;
    enc_opts_default(&o, "abc");
    assert_int_equal(enc_opts_set(&o, "variant", "tokens", err, sizeof err), LJ_OK);
    if (enc_create("abc", &o, &e, err, sizeof err)) fail_msg("%s", err);
    tokset ts;
    memset(&ts, 0, sizeof ts);
    assert_int_equal(enc_encode_text(e, book, sizeof book - 1, "book", 0, &ts, NULL, err, sizeof err), LJ_OK);
    tokset *sets[1] = {&ts};
    assert_int_equal(enc_finish_vocab(e, sets, 1), LJ_OK);
    char opts[256];
    assert_int_equal(enc_opts_format(enc_options(e), "abc", opts, sizeof opts), LJ_OK);
    tokset_free(&ts);
    snprintf(path, sizeof path, "/tmp/lj_test_density_abc_%d.lstm", (int)getpid());
    assert_int_equal(fixture_write_model(path, "abc", enc_vocab(e), opts, 16, 1), 0);
    enc_destroy(e);
    if (engine_model_load(path, &m, err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(engine_model_density_applies(m), 0);
    engine_model_destroy(m);
    unlink(path);
}

/* A shipped model (model/pretrained/NAME.lstm) at its preset's temperature
 * and tempo: the notes in 3 x 20 s at density 0.25 and 4 must be d times those
 * at density 1 within a factor 1.5 (0.167..0.375 and 2.67..6): what a
 * musician turning the control expects on every model kind. Before the
 * density split and psd's unscaled feedback (tools/density_sweep.sh, render,
 * 3 x 30 s): psd 0.15 / 7.6, jsb-pianoroll (NADE) 0.35 / 1.67, notechord
 * 0.63 / 2.59, essen-timestep 0.45 / 2.72. */
static void assert_band(const char *name, double T, double bpm) {
    const char *src = getenv("LJ_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/model/pretrained/%s.lstm", src ? src : ".", name);
    uint64_t n[3] = {0, 0, 0};
    const double d[3] = {0.25, 1, 4};
    for (int i = 0; i < 3; i++)
        for (uint64_t seed = 1; seed <= 3; seed++) n[i] += notes_at_with(path, d[i], seed, 20, T, bpm);
    double lo = (double)n[0] / (double)n[1], hi = (double)n[2] / (double)n[1];
    fprintf(stderr, "  %s: notes in 3 x 20 s at density 0.25 / 1 / 4: %llu / %llu / %llu (x%.2f, x%.2f)\n", name,
            (unsigned long long)n[0], (unsigned long long)n[1], (unsigned long long)n[2], lo, hi);
    assert_true(n[1] > 0);
    assert_true(lo >= 0.25 / 1.5 && lo <= 0.25 * 1.5);
    assert_true(hi >= 4 / 1.5 && hi <= 4 * 1.5);
}

static void test_band_psd(void **state) {
    (void)state;
    assert_band("nottingham-psd", 0.9, 0);
}
static void test_band_nade(void **state) {
    (void)state;
    assert_band("jsb-pianoroll", 0.8, 72);
}
static void test_band_bernoulli(void **state) {
    (void)state;
    assert_band("jsb-pianoroll-bernoulli", 0.8, 72);
}
static void test_band_notechord(void **state) {
    (void)state;
    assert_band("nottingham-notechord", 0.9, 0);
}
static void test_band_timestep(void **state) {
    (void)state;
    assert_band("essen-timestep", 1, 0);
}
static void test_band_event(void **state) {
    (void)state;
    assert_band("nottingham-event", 0.95, 0);
}

/* Density's time part keeps the music on the set tempo's beats: a grid model
 * plays its steps at a power of two of their speed (double time, half time),
 * never at d^s, so every note-on stays on the grid the tempo sets, through
 * density changes made while it plays (a CC: 1, 1.7, 3, 0.6, 4, 0.3, 2.5 every
 * 2 s). At 120 BPM and 48 kHz every speed's step is a whole multiple of
 * 3000 frames (a 32nd note: timestep's 16ths at double time; pianoroll's
 * quarters at 4x are 6000), so every note-on frame is, counted from the first.
 * With the grid at d^s (before): timestep at d = 1.7 played 16ths of 4602
 * frames, pianoroll at d = 4 quarters of 9524, off every beat, and a DAW
 * following our MIDI clock (the set tempo) drifted from the music. */
static void assert_on_the_beat(const char *name, double T) {
    const char *src = getenv("LJ_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/model/pretrained/%s.lstm", src ? src : ".", name);
    static const double densities[] = {1, 1.7, 3, 0.6, 4, 0.3, 2.5};
    const int n_d = (int)(sizeof densities / sizeof *densities);
    uint64_t ons = 0, off_grid = 0;
    for (uint64_t seed = 1; seed <= 2; seed++) {
        rig r;
        rig_open(&r, path, 1, seed, T, 120); /* engine_config_default's 48 kHz */
        uint64_t first = UINT64_MAX;
        const uint64_t span = 2 * 48000; /* each density for 2 s of the clock */
        for (uint64_t clock = 0; clock < (uint64_t)n_d * span; clock += 128) {
            if (clock % span == 0) engine_set_density(r.e, densities[clock / span]);
            engine_fill(r.e, clock);
            lj_event ev;
            while (rtq_pop(r.q, &ev)) {
                if (ev.kind != LJ_EV_NOTE_ON || ev.data2 == 0) continue;
                if (first == UINT64_MAX) first = ev.frame;
                ons++;
                off_grid += (ev.frame - first) % 3000 != 0;
            }
        }
        rig_close(&r);
    }
    fprintf(stderr, "  %s: %llu of %llu note-ons off the 120 BPM grid of 32nd notes\n", name,
            (unsigned long long)off_grid, (unsigned long long)ons);
    assert_true(ons > 20);
    assert_int_equal(off_grid, 0);
}

static void test_on_the_beat_timestep(void **state) {
    (void)state;
    assert_on_the_beat("essen-timestep", 1);
}
static void test_on_the_beat_pianoroll(void **state) {
    (void)state;
    assert_on_the_beat("jsb-pianoroll-bernoulli", 0.8);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psd),       cmocka_unit_test(test_pianoroll), cmocka_unit_test(test_event),
        cmocka_unit_test(test_notechord), cmocka_unit_test(test_applies),
        cmocka_unit_test(test_band_psd),  cmocka_unit_test(test_band_nade), cmocka_unit_test(test_band_bernoulli),
        cmocka_unit_test(test_band_notechord), cmocka_unit_test(test_band_timestep),
        cmocka_unit_test(test_band_event), cmocka_unit_test(test_on_the_beat_timestep),
        cmocka_unit_test(test_on_the_beat_pianoroll),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
