/* The engine playing frame models (src/engine/engine.c, engine_step_frame):
 * the two tiny committed models of tests/data/generate (psd with MSE time
 * heads, pianoroll with a NADE head) against dsp/event_sched and a fake synth,
 * as the offline render does. Checked, for each model:
 *  - notes come out, and two runs with one seed push the same events;
 *  - engine_fill allocates nothing over two minutes of music, re-seeding
 *    every 5 s included;
 *  - no stuck notes: after engine_end every note-on the engine pushed has its
 *    own note-off (the decoder's, not only the closing panic), and nothing
 *    sounds;
 *  - continue mode: a player's phrase is encoded as frames and primes the
 *    model, which then plays;
 *  - accompany mode (the presets' bach): the model plays on under the
 *    player's notes; psd does not take them in (counted as not encoded);
 *    pianoroll clamps the player's held keys into the frames it draws and
 *    conditions on (NADE observed units) and changes its music, without
 *    playing the player's keys itself;
 *  - respond mode: the answers keep to the call's key and register (psd's
 *    pitch head masked, pianoroll's keys outside forced off);
 *  - the engine's temperature (CC 1, the t/T keys) reaches the pianoroll
 *    keys: at 0 two seeds play the same music, at 1 they do not;
 *  - a frame model with repetition control is refused with the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "engine/engine.h"
#include "engine_fixture.h"
#include "event_sched.h"

static const char *const models[2] = {"tiny_psd.lstm", "tiny_pianoroll.lstm"};

typedef struct rig {
    engine_model *m;
    engine *e;
    fixture_synth syn;
    void *qmem, *rmem, *lmem, *smem;
    rtq *q, *rq, *live;
    sched *s;
    uint64_t clock;
    uint32_t period;
    float buf[2 * 1024];
    uint64_t ons, offs, panics; /* events pushed (read back from the record queue) */
    uint64_t hash;              /* FNV-1a of every event pushed (frame, kind, key) */
    uint64_t ons_at_panic, offs_at_panic;
    lj_event *log;          /* optional: every event pushed, in order */
    size_t log_n, log_max;
    void *pmem;             /* the player queue's memory (rig_open_player), or NULL */
} rig;

static void *alloc64(size_t n) { return aligned_alloc(64, (n + 63) / 64 * 64); }

static void model_path(char *buf, size_t len, int k) {
    const char *data = getenv("LJ_TEST_DATA");
    assert_non_null(data);
    snprintf(buf, len, "%s/generate/%s", data, models[k]);
}

/* rig_open with the loaded model's weights changed by `edit` (NULL: none). */
static void rig_open_edited(rig *r, int k, engine_config *c, void (*edit)(lj_model *)) {
    memset(r, 0, sizeof *r);
    char path[512], err[512] = "";
    model_path(path, sizeof path, k);
    int rc = engine_model_load(path, &r->m, err, sizeof err);
    if (rc) fail_msg("%s", err);
    if (edit) {
        edit(engine_model_lstm(r->m));
        lj_model_params_changed(engine_model_lstm(r->m));
    }
    size_t qcap = 4096, qb = rtq_bytes(qcap, sizeof(lj_event)), rb = rtq_bytes(1 << 16, sizeof(lj_event)),
           lb = rtq_bytes(64, sizeof(lj_event));
    r->qmem = alloc64(qb);
    r->rmem = alloc64(rb);
    r->lmem = alloc64(lb);
    r->smem = alloc64(sched_bytes());
    r->q = rtq_init(r->qmem, qb, qcap, sizeof(lj_event));
    r->rq = rtq_init(r->rmem, rb, 1 << 16, sizeof(lj_event));
    r->live = rtq_init(r->lmem, lb, 64, sizeof(lj_event));
    sched_config sc = {fixture_synth_ops(&r->syn), r->q, 0, r->live, 0};
    r->s = sched_init(r->smem, sched_bytes(), &sc);
    assert_non_null(r->s);
    c->out = r->q;
    c->record = r->rq;
    rc = engine_create(r->m, c, &r->e, err, sizeof err);
    if (rc) fail_msg("%s", err);
    r->period = 128;
}

static void rig_open(rig *r, int k, engine_config *c) { rig_open_edited(r, k, c, NULL); }

/* rig_open with a player queue of 64 events in c->player (the tests push the
 * player's notes into it); rig_close frees it. */
static rtq *rig_open_player(rig *r, int k, engine_config *c) {
    size_t pb = rtq_bytes(64, sizeof(lj_event));
    void *pmem = alloc64(pb);
    c->player = rtq_init(pmem, pb, 64, sizeof(lj_event));
    assert_non_null(c->player);
    rig_open(r, k, c);
    r->pmem = pmem;
    return c->player;
}

static void rig_close(rig *r) {
    free(r->pmem);
    engine_destroy(r->e);
    engine_model_destroy(r->m);
    free(r->qmem);
    free(r->rmem);
    free(r->lmem);
    free(r->smem);
}

/* One period: fill, render, count what was pushed (no allocation). */
static void rig_period(rig *r) {
    engine_fill(r->e, r->clock);
    sched_process(r->s, r->buf, r->period);
    r->clock += r->period;
    lj_event ev;
    while (rtq_pop(r->rq, &ev)) {
        uint64_t fields[3] = {ev.frame, ev.kind, ev.data1};
        for (int i = 0; i < 3; i++) r->hash = (r->hash ^ fields[i]) * 1099511628211ull;
        if (r->log && r->log_n < r->log_max) r->log[r->log_n++] = ev;
        if (ev.kind == LJ_EV_NOTE_ON && ev.data2 > 0) r->ons++;
        else if (ev.kind == LJ_EV_NOTE_OFF || ev.kind == LJ_EV_NOTE_ON) r->offs++;
        else if (ev.kind == LJ_EV_PANIC) {
            r->panics++;
            r->ons_at_panic = r->ons;
            r->offs_at_panic = r->offs;
        }
    }
}

/* engine_end, then periods until everything is pushed and played. */
static void rig_finish(rig *r) {
    engine_end(r->e, r->clock);
    for (int i = 0; i < 100000 && !engine_done(r->e); i++) rig_period(r);
    assert_true(engine_done(r->e));
    engine_stats st;
    engine_get_stats(r->e, &st);
    while (r->clock <= st.last_frame + r->period) rig_period(r);
}

static void test_auto_mode(void **state) {
    (void)state;
    for (int k = 0; k < 2; k++) {
        uint64_t ons[2] = {0, 0};
        for (int run = 0; run < 2; run++) {
            engine_config c;
            engine_config_default(&c);
            c.seed = 5;
            c.reseed_seconds = 5; /* the fresh start is on the measured path too */
            rig r;
            rig_open(&r, k, &c);
            for (int p = 0; p < 100; p++) rig_period(&r); /* warm up */
            engine_stats before, after;
            engine_get_stats(r.e, &before);
            alloc_fail_reset(-1);
            for (int p = 0; p < 48000 * 120 / 128; p++) rig_period(&r); /* two minutes of music */
            long allocs = alloc_fail_count();
            engine_get_stats(r.e, &after);
            rig_finish(&r);
            fprintf(stderr, "  %s: %llu steps, %llu notes, %llu re-seeds, %ld allocations; %llu note-ons, %llu note-offs before the final panic\n",
                    models[k], (unsigned long long)(after.steps - before.steps),
                    (unsigned long long)(after.notes - before.notes),
                    (unsigned long long)(after.reseeds - before.reseeds), allocs, (unsigned long long)r.ons_at_panic,
                    (unsigned long long)r.offs_at_panic);
            assert_int_equal(allocs, 0);
            assert_true(after.steps - before.steps > 100);
            assert_true(after.notes - before.notes > 50);
            assert_true(after.reseeds - before.reseeds >= 10);
            assert_int_equal(after.dropped, 0);
            /* every note ended by the decoder before the closing panic */
            assert_true(r.panics >= 1);
            assert_int_equal(r.ons_at_panic, r.offs_at_panic);
            assert_int_equal(r.ons, r.ons_at_panic);
            assert_int_equal(fixture_sounding(&r.syn), 0);
            ons[run] = r.ons;
            rig_close(&r);
        }
        assert_int_equal(ons[0], ons[1]); /* one seed, one piece of music */
    }
}

/* The psd model's step head made to say "no time" (weights 0, bias -1: the
 * step is clamped to 0): every note at one instant. Without the guard that is
 * thousands of note-ons on one frame, pushed late; with it, after
 * ENGINE_MAX_ONSETS the next step is one millisecond (enc_frame_move_time). */
static void psd_step_zero(lj_model *m) {
    const lj_param *w = lj_model_find(m, "heads.step.weight"), *b = lj_model_find(m, "heads.step.bias");
    assert_non_null(w);
    assert_non_null(b);
    memset(w->data, 0, w->numel * sizeof *w->data);
    for (size_t i = 0; i < b->numel; i++) b->data[i] = -1;
}

static void test_psd_onset_flood(void **state) {
    (void)state;
    engine_config c;
    engine_config_default(&c);
    c.seed = 5;
    c.reseed_seconds = 0;
    rig r;
    rig_open_edited(&r, 0, &c, psd_step_zero);
    r.log_max = 1 << 16;
    r.log = malloc(r.log_max * sizeof *r.log);
    assert_non_null(r.log);
    for (int p = 0; p < 48000 * 2 / 128; p++) rig_period(&r); /* 2 s */
    engine_stats st;
    engine_get_stats(r.e, &st);
    size_t most = 0, at = 0;
    uint64_t frame = UINT64_MAX; /* of the last note-on */
    for (size_t i = 0; i < r.log_n; i++) {
        if (r.log[i].kind != LJ_EV_NOTE_ON || !r.log[i].data2) continue;
        at = r.log[i].frame == frame ? at + 1 : 1;
        frame = r.log[i].frame;
        if (at > most) most = at;
    }
    fprintf(stderr, "  psd, step 0: %llu note-ons in 2 s, at most %zu on one frame; %llu instants capped; "
            "dropped %llu, late %llu\n", (unsigned long long)r.ons, most,
            (unsigned long long)st.onset_stalls, (unsigned long long)st.dropped,
            (unsigned long long)st.late_pushes);
    assert_true(st.onset_stalls > 0);
    assert_true(most <= ENGINE_MAX_ONSETS);
    assert_true(r.ons > 100); /* the music goes on, a millisecond a step */
    assert_int_equal(st.dropped, 0);
    assert_int_equal(st.late_pushes, 0);
    rig_finish(&r);
    assert_int_equal(fixture_sounding(&r.syn), 0);
    free(r.log);
    rig_close(&r);
}

static void test_continue_mode(void **state) {
    (void)state;
    for (int k = 0; k < 2; k++) {
        engine_config c;
        engine_config_default(&c);
        c.mode = ENGINE_MODE_CONTINUE;
        c.seed = 3;
        rig r;
        rtq *player = rig_open_player(&r, k, &c);
        for (int p = 0; p < 100; p++) rig_period(&r);
        for (int i = 0; i < 4; i++) { /* four notes, a quarter second each */
            lj_event on = lj_event_note_on(r.clock, 1, 60 + 2 * i, 80);
            assert_true(rtq_push(player, &on));
            for (int p = 0; p < 94; p++) rig_period(&r);
            lj_event off = lj_event_note_off(r.clock, 1, 60 + 2 * i);
            assert_true(rtq_push(player, &off));
            rig_period(&r);
        }
        uint64_t end = r.clock;
        while (r.clock < end + 48000 * 10) rig_period(&r);
        engine_stats st;
        engine_get_stats(r.e, &st);
        fprintf(stderr, "  %s continue: %llu phrase frames primed, %llu steps, %llu notes, %llu phrase errors\n",
                models[k], (unsigned long long)st.primed_tokens, (unsigned long long)st.steps,
                (unsigned long long)st.notes, (unsigned long long)st.phrase_errors);
        assert_int_equal(st.phrases, 1);
        assert_int_equal(st.phrase_errors, 0);
        /* psd: a frame per note; pianoroll at its 8th grid (120 qpm, 0.25 s
         * a frame): the phrase's 1 s is 4 frames */
        assert_int_equal(st.primed_tokens, 4);
        assert_true(st.steps > 0 && st.notes > 0);
        rig_finish(&r);
        assert_int_equal(fixture_sounding(&r.syn), 0);
        rig_close(&r);
    }
}

/* One accompany run of model k (seed 3): 100 periods, then (with_player)
 * four player notes of 750 periods (2 s: a pianoroll frame of the tiny model
 * lasts 0.5 s) each; the events pushed go to log. */
static void accompany_run(int k, int with_player, lj_event *log, size_t max, size_t *n, engine_stats *st,
                          uint64_t on_at[4], uint64_t off_at[4]) {
    engine_config c;
    engine_config_default(&c);
    c.mode = ENGINE_MODE_ACCOMPANY;
    c.seed = 3;
    rig r;
    rtq *player = rig_open_player(&r, k, &c);
    r.log = log;
    r.log_max = max;
    for (int p = 0; p < 100; p++) rig_period(&r);
    for (int i = 0; i < 4; i++) {
        lj_event on = lj_event_note_on(r.clock, 1, 60 + 2 * i, 80);
        on_at[i] = r.clock;
        if (with_player) assert_true(rtq_push(player, &on));
        for (int p = 0; p < 750; p++) rig_period(&r);
        lj_event off = lj_event_note_off(r.clock, 1, 60 + 2 * i);
        off_at[i] = r.clock;
        if (with_player) assert_true(rtq_push(player, &off));
        rig_period(&r);
    }
    engine_get_stats(r.e, st);
    rig_finish(&r);
    assert_int_equal(fixture_sounding(&r.syn), 0);
    *n = r.log_n;
    rig_close(&r);
}

/* accompany: psd plays on, the player's notes not fed (counted: a psd frame
 * is one note of the model's, not a held key); pianoroll (NADE) hears the
 * player: each held key is an observed unit of every frame drawn while it is
 * held (the other keys drawn conditioned on it, the frame fed back with it),
 * so the music differs from the same seed without the player from the first
 * player note on, while the model's part never plays the player's held keys
 * (they sound already, thru); nothing is tokens (primed 0). */
static void test_accompany_mode(void **state) {
    (void)state;
    static lj_event a[20000], b[20000];
    size_t na, nb;
    engine_stats st;
    uint64_t on_at[4], off_at[4];
    accompany_run(0, 1, b, 20000, &nb, &st, on_at, off_at);
    assert_true(st.steps > 0 && st.notes > 0);
    assert_int_equal(st.primed_tokens, 0);
    assert_int_equal(st.steer_unencoded, 4); /* psd: the player's four notes, counted */
    assert_int_equal(st.steered, 0);

    accompany_run(1, 0, a, 20000, &na, &st, on_at, off_at);
    accompany_run(1, 1, b, 20000, &nb, &st, on_at, off_at);
    assert_int_equal(st.steered, 4);
    assert_int_equal(st.steer_unencoded, 0);
    assert_int_equal(st.primed_tokens, 0);
    size_t i = 0;
    while (i < na && i < nb && !memcmp(&a[i], &b[i], sizeof a[i])) i++;
    assert_true(i < na || i < nb);                        /* the player changed the music */
    assert_true(i < nb && b[i].frame >= on_at[0]);        /* not before the first player note */
    /* from 1 s after the player's key goes down (the frames decoded before
     * the engine took the note in, up to one frame of 0.5 s past the
     * look-ahead, are the model's as they were) until it comes up */
    int doubled = 0, ons_while_held = 0;
    uint64_t started[128] = {0};
    int held[128] = {0};
    for (size_t k = 0; k < nb; k++) {
        int key = b[k].data1;
        if (b[k].kind == LJ_EV_NOTE_ON && b[k].data2 > 0) {
            if (!held[key]++) started[key] = b[k].frame;
            for (int n = 0; n < 4; n++) ons_while_held += b[k].frame >= on_at[n] + 48000 && b[k].frame < off_at[n];
        } else if ((b[k].kind == LJ_EV_NOTE_OFF || b[k].kind == LJ_EV_NOTE_ON) && held[key] && !--held[key]) {
            /* a model note of `key` sounded over [started, frame): not over a player's hold of it */
            for (int n = 0; n < 4; n++)
                doubled += key == 60 + 2 * n && started[key] < off_at[n] && b[k].frame > on_at[n] + 48000;
        }
    }
    fprintf(stderr, "  pianoroll accompany: first change at +%.1f ms after the first player note; %d model "
            "notes started while the player held a key; %d model notes of the player's key sounding with it\n",
            (double)((int64_t)b[i].frame - (int64_t)on_at[0]) / 48, ons_while_held, doubled);
    assert_int_equal(doubled, 0);
}

/* The engine's temperature reaches the pianoroll keys (the NADE model): at
 * temperature 0, set live as CC 1 and the t key do, seeds 5 and 6 play far
 * fewer notes in 20 s than at 1 (the keys most likely, not drawn). Seeds 5 and
 * 6 no longer play the same 20 s at 0: a piece's first ENGINE_OPENING_NOTES
 * notes are drawn at ENGINE_OPENING_TEMPERATURE so that each fresh start
 * begins somewhere new (test_engine_reseed); at 1 they differ too. */
static void test_temperature(void **state) {
    (void)state;
    uint64_t hash[2][2];
    uint64_t ons[2][2];
    for (int t = 0; t < 2; t++)
        for (int seed = 0; seed < 2; seed++) {
            engine_config c;
            engine_config_default(&c);
            c.seed = 5 + (uint64_t)seed;
            rig r;
            rig_open(&r, 1, &c);
            engine_set_temperature(r.e, t ? 1.0 : 0.0);
            for (int p = 0; p < 48000 * 20 / 128; p++) rig_period(&r);
            rig_finish(&r);
            hash[t][seed] = r.hash;
            ons[t][seed] = r.ons;
            rig_close(&r);
        }
    fprintf(stderr, "  pianoroll, 20 s, seeds 5 and 6: %llu and %llu notes at temperature 0, %llu and %llu at 1\n",
            (unsigned long long)ons[0][0], (unsigned long long)ons[0][1], (unsigned long long)ons[1][0],
            (unsigned long long)ons[1][1]);
    assert_true(ons[0][0] > 0);
    assert_true(ons[0][0] * 3 < ons[1][0] && ons[0][1] * 3 < ons[1][1]);
    assert_true(hash[1][0] != hash[1][1]);
}

/* respond with model k: eight D major calls (D4..D5, eight notes of 0.25 s,
 * 5 s of answer after each) at 400 qpm (more frames per answer); the
 * answers' note-ons go to out. Returns their count; *keyed = answers under
 * the call's key and register mask. */
static size_t respond_answers(int k, int in_key, uint8_t *out, size_t max, uint64_t *keyed) {
    engine_config c;
    engine_config_default(&c);
    c.mode = ENGINE_MODE_RESPOND;
    c.seed = 31;
    c.respond_in_key = in_key;
    c.tempo_bpm = 400;
    rig r;
    rtq *player = rig_open_player(&r, k, &c);
    static lj_event log[1 << 14];
    static const int call[8] = {62, 64, 66, 67, 69, 71, 73, 74};
    size_t n = 0;
    for (int a = 0; a < 8; a++) {
        r.log = NULL; /* the call: the player's notes, not the answer's */
        for (int i = 0; i < 8; i++) {
            lj_event on = lj_event_note_on(r.clock, 1, call[(i + 3 * a) % 8], 80);
            assert_true(rtq_push(player, &on));
            for (int p = 0; p < 90; p++) rig_period(&r);
            lj_event off = lj_event_note_off(r.clock, 1, call[(i + 3 * a) % 8]);
            assert_true(rtq_push(player, &off));
            rig_period(&r);
        }
        r.log = log;
        r.log_n = 0;
        r.log_max = sizeof log / sizeof log[0];
        for (int p = 0; p < 48000 * 5 / 128; p++) rig_period(&r);
        for (size_t i = 0; i < r.log_n; i++)
            if (r.log[i].kind == LJ_EV_NOTE_ON && r.log[i].data2 > 0 && n < max) out[n++] = r.log[i].data1;
    }
    engine_stats st;
    engine_get_stats(r.e, &st);
    assert_int_equal(st.phrases, 8);
    assert_int_equal(st.phrase_errors, 0);
    *keyed = st.keyed_answers;
    r.log = NULL;
    rig_finish(&r);
    assert_int_equal(fixture_sounding(&r.syn), 0);
    rig_close(&r);
    return n;
}

/* respond keeps frame models to the call's key and register too: every
 * answer note of the psd model (its pitch head masked) and of the pianoroll
 * NADE model (keys outside forced off) lies in D major (the calls' key; they
 * play no other pitch class) within D4-2 .. D5+2; the same models answering
 * without the mask play notes outside both (so the check can fail). */
static void test_respond_key(void **state) {
    (void)state;
    const unsigned d_major = (1u << 2) | (1u << 4) | (1u << 6) | (1u << 7) | (1u << 9) | (1u << 11) | (1u << 1);
    for (int k = 0; k < 2; k++) {
        static uint8_t keyed[1 << 15], free_notes[1 << 15];
        uint64_t nk, nf;
        size_t a = respond_answers(k, 1, keyed, sizeof keyed, &nk), b = respond_answers(k, 0, free_notes, sizeof free_notes, &nf);
        size_t outside_free = 0, outside = 0;
        for (size_t i = 0; i < b; i++)
            outside_free += free_notes[i] < 60 || free_notes[i] > 76 || !(d_major >> (free_notes[i] % 12) & 1u);
        for (size_t i = 0; i < a; i++)
            outside += keyed[i] < 60 || keyed[i] > 76 || !(d_major >> (keyed[i] % 12) & 1u);
        fprintf(stderr, "  %s: in key: %zu answer notes (%llu keyed answers), %zu outside D major 60..76; "
                "free: %zu notes, %zu outside\n", models[k], a, (unsigned long long)nk, outside, b, outside_free);
        assert_int_equal(nk, 8);
        assert_int_equal(nf, 0);
        assert_true(a >= 8);
        assert_int_equal(outside, 0);
        assert_true(outside_free > b / 4);
    }
}

static void test_refused(void **state) {
    (void)state;
    char path[512], err[512];
    model_path(path, sizeof path, 0);
    engine_model *m;
    assert_int_equal(engine_model_load(path, &m, err, sizeof err), LJ_OK);
    assert_string_equal(engine_model_encoding(m), "psd");
    size_t qb = rtq_bytes(64, sizeof(lj_event));
    void *qmem = alloc64(qb);
    engine_config c;
    engine_config_default(&c);
    c.out = rtq_init(qmem, qb, 64, sizeof(lj_event));
    c.no_repeat_ngram = 3;
    engine *e = NULL;
    assert_int_equal(engine_create(m, &c, &e, err, sizeof err), LJ_ERR_ARG);
    assert_non_null(strstr(err, "act on tokens; a psd model draws frames"));
    assert_null(e);
    engine_model_destroy(m);
    free(qmem);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_mode),
        cmocka_unit_test(test_continue_mode),
        cmocka_unit_test(test_psd_onset_flood),
        cmocka_unit_test(test_accompany_mode),
        cmocka_unit_test(test_temperature),
        cmocka_unit_test(test_respond_key),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
