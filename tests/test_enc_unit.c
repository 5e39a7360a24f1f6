/* Encodings on hand-made scores, each expectation worked out by hand from the
 * encoding's definition (timestep.h, notechord.h, perfevent.h): tokens, skyline,
 * durations filter, transposition and augmentation, key estimate, vocabulary
 * sizes and order, the incremental decoder (same events as the whole decode, no
 * allocation per step), the tokens text format and its errors, and allocation
 * failures. Linked with the allocation wrappers (tests/alloc_fail.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_fail.h"
#include "encoding.h"
#include "notechord.h"

static score *make(const int (*notes)[3], size_t n) {
    /* notes: {onset, duration, pitch} in ticks */
    score *s = score_create();
    assert_non_null(s);
    assert_int_equal(score_add_part(s, "p", 0, 0, NULL), LJ_OK);
    for (size_t i = 0; i < n; i++) {
        score_note nt = {0};
        nt.onset = notes[i][0];
        nt.duration = notes[i][1];
        nt.pitch = (uint8_t)notes[i][2];
        nt.velocity = 90;
        assert_int_equal(score_add_note(s, &nt), LJ_OK);
    }
    return s;
}

static encoding *create(const char *name, const char *const *kv) {
    enc_opts o;
    char err[512] = "";
    enc_opts_default(&o, name);
    for (; kv && kv[0]; kv += 2) {
        int rc = enc_opts_set(&o, kv[0], kv[1], err, sizeof err);
        if (rc) fail_msg("%s", err);
    }
    encoding *e;
    if (enc_create(name, &o, &e, err, sizeof err)) fail_msg("%s", err);
    return e;
}

/* The piece's names joined by spaces. */
static void names_of(const encoding *e, const tokset *t, size_t p, char *buf, size_t len) {
    size_t at = 0;
    buf[0] = 0;
    for (size_t i = 0; i < tokset_piece_len(t, p); i++) {
        size_t l;
        const char *nm = vocab_name(enc_vocab(e), t->ids[t->start[p] + i], &l);
        at += (size_t)snprintf(buf + at, len - at, "%s%.*s", i ? " " : "", (int)l, nm);
    }
}

static void encode_one(encoding *e, const score *s, tokset *t, enc_stats *st) {
    char err[512] = "";
    if (enc_encode(e, s, t, st, err, sizeof err)) fail_msg("%s", err);
    tokset *sets[1] = {t};
    assert_int_equal(enc_finish_vocab(e, sets, 1), LJ_OK);
}

static void test_timestep_tokens(void **state) {
    (void)state;
    /* 60 for an 8th, 62 for a 16th, a 16th rest, 64 for a quarter */
    static const int n1[][3] = {{0, 240, 60}, {240, 120, 62}, {480, 480, 64}};
    score *s = make(n1, 3);
    encoding *e = create("timestep", NULL);
    tokset t = {0};
    enc_stats st = {0};
    encode_one(e, s, &t, &st);
    char buf[512];
    names_of(e, &t, 0, buf, sizeof buf);
    assert_string_equal(buf, "60 _ 62 r 64 _ _ _ /");
    /* canonical order: / _ r then pitches ascending */
    size_t l;
    assert_memory_equal(vocab_name(enc_vocab(e), 0, &l), "/", 1);
    assert_memory_equal(vocab_name(enc_vocab(e), 3, &l), "60", 2);
    assert_int_equal(vocab_size(enc_vocab(e)), 6);
    score *back;
    char err[256];
    assert_int_equal(enc_decode(e, t.ids, t.n_ids, &back, err, sizeof err), LJ_OK);
    assert_int_equal(back->n_notes, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(back->notes[i].onset, n1[i][0]);
        assert_int_equal(back->notes[i].duration, n1[i][1]);
        assert_int_equal(back->notes[i].pitch, n1[i][2]);
    }
    score_destroy(back);
    tokset_free(&t);
    enc_destroy(e);
    score_destroy(s);

    /* Skyline: 67 over the first half of 60, then 60 alone is re-struck; a low
     * 48 under everything is never heard. */
    static const int n2[][3] = {{0, 480, 60}, {0, 240, 67}, {0, 480, 48}};
    s = make(n2, 3);
    e = create("timestep", NULL);
    memset(&st, 0, sizeof st);
    encode_one(e, s, &t, &st);
    names_of(e, &t, 0, buf, sizeof buf);
    assert_string_equal(buf, "67 _ 60 _ /");
    assert_int_equal(st.notes_hidden, 1);
    tokset_free(&t);
    enc_destroy(e);
    score_destroy(s);
}

static void test_durations_filter(void **state) {
    (void)state;
    static const int ok[][3] = {{0, 120, 60}, {120, 360, 62}, {480, 1920, 64}};  /* 0.25 0.75 4 */
    static const int bad[][3] = {{0, 600, 60}};                                   /* 1.25 */
    static const int tri[][3] = {{0, 160, 60}};                                   /* 1/3 */
    score *a = make(ok, 3), *b = make(bad, 1), *c = make(tri, 1), *empty = make(NULL, 0);
    encoding *e = create("timestep", NULL);
    tokset t = {0};
    enc_stats st = {0};
    char err[256];
    assert_int_equal(enc_encode(e, a, &t, &st, err, sizeof err), LJ_OK);
    assert_int_equal(enc_encode(e, b, &t, &st, err, sizeof err), LJ_OK);
    assert_int_equal(enc_encode(e, c, &t, &st, err, sizeof err), LJ_OK);
    assert_int_equal(enc_encode(e, empty, &t, &st, err, sizeof err), LJ_OK);
    assert_int_equal(st.scores, 4);
    assert_int_equal(st.pieces, 1);
    assert_int_equal(st.skipped_durations, 2);
    assert_int_equal(st.skipped_empty, 1);
    tokset_free(&t);
    enc_destroy(e);
    /* durations=any lets them through; a custom list "1.25,1/3" takes b and c only */
    static const char *const any[] = {"durations", "any", NULL};
    e = create("timestep", any);
    memset(&st, 0, sizeof st);
    enc_encode(e, a, &t, &st, err, sizeof err);
    enc_encode(e, b, &t, &st, err, sizeof err);
    enc_encode(e, c, &t, &st, err, sizeof err);
    assert_int_equal(st.pieces, 3);
    assert_int_equal(st.notes_quantised, 1); /* the triplet's end, 160, rounds to 120 */
    tokset_free(&t);
    enc_destroy(e);
    static const char *const custom[] = {"durations", "1.25,1/3", NULL};
    e = create("timestep", custom);
    memset(&st, 0, sizeof st);
    enc_encode(e, a, &t, &st, err, sizeof err);
    enc_encode(e, b, &t, &st, err, sizeof err);
    enc_encode(e, c, &t, &st, err, sizeof err);
    assert_int_equal(st.pieces, 2);
    assert_int_equal(st.skipped_durations, 1);
    tokset_free(&t);
    enc_destroy(e);
    score_destroy(a);
    score_destroy(b);
    score_destroy(c);
    score_destroy(empty);
}

static void test_transpose(void **state) {
    (void)state;
    static const char *const to_c[] = {"transpose", "c", "durations", "any", NULL};
    static const int n[][3] = {{0, 480, 64}};
    struct {
        int fifths, mode, first; /* key, and the encoded pitch of E4 (64) */
    } cases[] = {
        {4, SCORE_MODE_MAJOR, 60},  /* E major -> C: down a major third */
        {1, SCORE_MODE_MINOR, 69},  /* E minor -> A minor: up a fourth (music21 E4 -> A4) */
        {-3, SCORE_MODE_MAJOR, 61}, /* E- major -> C: 0 - 3 = -3 */
        {0, SCORE_MODE_DORIAN, 64}, /* D dorian stays (white notes) */
        {2, SCORE_MODE_DORIAN, 62}, /* E dorian -> D dorian: -2 */
        {-6, SCORE_MODE_MAJOR, 58}, /* G- major: tonic 6 -> 0: -6 */
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        score *s = make(n, 1);
        assert_int_equal(score_add_key(s, 0, cases[k].fifths, cases[k].mode), LJ_OK);
        encoding *e = create("timestep", to_c);
        tokset t = {0};
        enc_stats st = {0};
        encode_one(e, s, &t, &st);
        size_t l;
        const char *nm = vocab_name(enc_vocab(e), t.ids[0], &l);
        char want[8];
        snprintf(want, sizeof want, "%d", cases[k].first);
        assert_int_equal(l, strlen(want));
        assert_memory_equal(nm, want, l);
        assert_int_equal(st.keys_estimated, 0);
        tokset_free(&t);
        enc_destroy(e);
        score_destroy(s);
    }
    /* Augment -2..3: six copies, the untransposed first: 64, then 62, 63,
     * 65, 66, 67; near the top some copies fall out */
    static const char *const aug[] = {"augment", "-2:3", "durations", "any", NULL};
    score *s = make(n, 1);
    encoding *e = create("timestep", aug);
    tokset t = {0};
    enc_stats st = {0};
    encode_one(e, s, &t, &st);
    assert_int_equal(t.n_pieces, 6);
    for (size_t p = 0; p < 6; p++) {
        size_t l;
        const char *nm = vocab_name(enc_vocab(e), t.ids[t.start[p]], &l);
        static const int pitch_of_piece[6] = {64, 62, 63, 65, 66, 67};
        char want[8];
        snprintf(want, sizeof want, "%d", pitch_of_piece[p]);
        assert_int_equal(l, strlen(want));
        assert_memory_equal(nm, want, l);
    }
    tokset_free(&t);
    enc_destroy(e);
    score_destroy(s);
    static const int top[][3] = {{0, 480, 126}};
    s = make(top, 1);
    e = create("timestep", aug);
    memset(&st, 0, sizeof st);
    encode_one(e, s, &t, &st);
    assert_int_equal(st.pieces, 4); /* -2..+1: 124..127 */
    assert_int_equal(st.skipped_range, 2);
    tokset_free(&t);
    enc_destroy(e);
    score_destroy(s);
}

static void test_key_estimate(void **state) {
    (void)state;
    /* A C major scale with long C, E, G; then the same a fifth up (G major);
     * an A harmonic-minor line with long A, C, E and G#. */
    static const int cmaj[][3] = {{0, 960, 60}, {960, 240, 62}, {1200, 960, 64}, {2160, 240, 65},
                                  {2400, 960, 67}, {3360, 240, 69}, {3600, 240, 71}, {3840, 960, 72}};
    score *s = make(cmaj, 8);
    int tonic, mode, fifths, est;
    enc_estimate_key(s, 0, &tonic, &mode);
    assert_int_equal(tonic, 0);
    assert_int_equal(mode, SCORE_MODE_MAJOR);
    enc_estimate_key(s, 7, &tonic, &mode);
    assert_int_equal(tonic, 7);
    assert_int_equal(mode, SCORE_MODE_MAJOR);
    enc_key_of(s, &fifths, &mode, &est);
    assert_int_equal(est, 1);
    assert_int_equal(fifths, 0);
    score_destroy(s);
    static const int amin[][3] = {{0, 960, 69}, {960, 240, 71}, {1200, 960, 72}, {2160, 240, 74},
                                  {2400, 960, 76}, {3360, 240, 77}, {3600, 480, 68}, {4080, 960, 69}};
    s = make(amin, 8);
    enc_estimate_key(s, 0, &tonic, &mode);
    assert_int_equal(tonic, 9);
    assert_int_equal(mode, SCORE_MODE_MINOR);
    enc_key_of(s, &fifths, &mode, &est);
    assert_int_equal(fifths, 0);
    assert_int_equal(enc_key_shift(fifths, mode), 0);
    score_destroy(s);
}

static void test_event(void **state) {
    (void)state;
    encoding *e = create("event", NULL);
    const vocab *v = enc_vocab(e);
    assert_int_equal(vocab_size(v), 388);
    assert_true(enc_vocab_frozen(e));
    static const struct {
        int id;
        const char *name;
    } at[] = {{0, "on:0"}, {127, "on:127"}, {128, "off:0"}, {255, "off:127"}, {256, "shift:1"},
              {355, "shift:100"}, {356, "vel:1"}, {387, "vel:32"}};
    for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
        size_t l;
        const char *nm = vocab_name(v, at[k].id, &l);
        assert_int_equal(l, strlen(at[k].name));
        assert_memory_equal(nm, at[k].name, l);
    }
    /* 120 BPM: a quarter is 0.5 s = 50 steps. 60 at 0 for 2.5 s (velocity 100,
     * bin 25), 64 at 0.5 s for 0.004 s (rounds to 0 length: one step, velocity
     * 100), 60 again at 1.5 s while the first still sounds (cut). */
    static const int n[][3] = {{0, 2400, 60}, {480, 4, 64}, {1440, 480, 60}};
    score *s = make(n, 3);
    s->notes[0].velocity = 100;
    s->notes[1].velocity = 100;
    s->notes[2].velocity = 20; /* bin (19*32)/127+1 = 5 */
    tokset t = {0};
    enc_stats st = {0};
    encode_one(e, s, &t, &st);
    char buf[1024];
    names_of(e, &t, 0, buf, sizeof buf);
    assert_string_equal(buf, "vel:25 on:60 shift:50 on:64 shift:1 off:64 shift:99 off:60 vel:5 on:60 shift:50 off:60");
    assert_int_equal(st.notes_cut, 1);
    score *back;
    char err[256];
    assert_int_equal(enc_decode(e, t.ids, t.n_ids, &back, err, sizeof err), LJ_OK);
    /* ms ticks at 125 BPM */
    assert_int_equal(back->tempos[0].us_per_qn, 480000);
    assert_int_equal(back->n_notes, 3);
    assert_int_equal(back->notes[0].onset, 0);
    assert_int_equal(back->notes[0].duration, 1500);
    assert_int_equal(back->notes[0].velocity, 97); /* 100: bin (99*32)/127+1 = 25 -> 1 + 24*4 */
    assert_int_equal(back->notes[1].onset, 500);
    assert_int_equal(back->notes[1].duration, 10);
    assert_int_equal(back->notes[2].onset, 1500);
    assert_int_equal(back->notes[2].duration, 500);
    assert_int_equal(back->notes[2].velocity, 17);
    score_destroy(back);
    tokset_free(&t);
    enc_destroy(e);
    score_destroy(s);
}

static void test_notechord(void **state) {
    (void)state;
    int a[] = {7, 0, 4};
    notechord_normal_order(a, 3);
    assert_int_equal(a[0], 0);
    assert_int_equal(a[1], 4);
    assert_int_equal(a[2], 7);
    int b[] = {4, 7, 11, 2}; /* E minor 7th: B D E G (span 8) */
    notechord_normal_order(b, 4);
    assert_int_equal(b[0], 11);
    assert_int_equal(b[1], 2);
    assert_int_equal(b[2], 4);
    assert_int_equal(b[3], 7);
    int c[] = {9, 0, 4}; /* A minor: A C E (span 7; C E A spans 9) */
    notechord_normal_order(c, 3);
    assert_int_equal(c[0], 9);
    /* C4+E4+G4 at 0, E-4 at 480 (dur 240), a rest, B-3 at 1200 */
    static const int n[][3] = {{0, 480, 60}, {0, 480, 64}, {0, 960, 67}, {480, 240, 63}, {1200, 240, 58}};
    score *s = make(n, 5);
    encoding *e = create("notechord", NULL);
    tokset t = {0};
    enc_stats st = {0};
    encode_one(e, s, &t, &st);
    char buf[512];
    names_of(e, &t, 0, buf, sizeof buf);
    assert_string_equal(buf, "C4.E4.G4 E-4 B-3");
    /* seed decoding: token k at k*240 for a quarter (480) */
    score *back;
    char err[256];
    assert_int_equal(enc_decode(e, t.ids, t.n_ids, &back, err, sizeof err), LJ_OK);
    assert_int_equal(back->n_notes, 5);
    assert_int_equal(back->notes[3].onset, 240); /* E-4 */
    assert_int_equal(back->notes[3].pitch, 63);
    assert_int_equal(back->notes[4].onset, 480);
    assert_int_equal(back->notes[4].duration, 480);
    score_destroy(back);
    tokset_free(&t);
    enc_destroy(e);
    static const char *const pcs[] = {"chords", "pcs", NULL};
    e = create("notechord", pcs);
    encode_one(e, s, &t, &st);
    names_of(e, &t, 0, buf, sizeof buf);
    assert_string_equal(buf, "0.4.7 E-4 B-3");
    tokset_free(&t);
    enc_destroy(e);
    static const char *const grid[] = {"timing", "grid", "step", "8th", "token_durations", "1", NULL};
    e = create("notechord", grid);
    encode_one(e, s, &t, &st);
    names_of(e, &t, 0, buf, sizeof buf);
    assert_string_equal(buf, "C4.E4.G4:2 r E-4:0.5 r r B-3:0.5");
    assert_int_equal(enc_decode(e, t.ids, t.n_ids, &back, err, sizeof err), LJ_OK);
    assert_int_equal(back->n_notes, 5);
    assert_int_equal(back->notes[0].duration, 960); /* the chord's longest */
    assert_int_equal(back->notes[4].onset, 1200);
    score_destroy(back);
    tokset_free(&t);
    enc_destroy(e);
    score_destroy(s);
}

/* Random ids (some out of range) through the decoder step by step and through
 * enc_decode: the same notes; events in time order; no allocation per step. */
static void check_incremental(encoding *e, uint64_t seed) {
    enc_decoder *d;
    char err[256];
    assert_int_equal(enc_decoder_create(e, &d, err, sizeof err), LJ_OK);
    size_t nv = vocab_size(enc_vocab(e));
    int32_t ids[600];
    for (int i = 0; i < 600; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        ids[i] = (int32_t)(seed % (nv + 2)) - 1;
    }
    enc_event ev[ENC_MAX_STEP_EVENTS];
    int64_t on_at[128];
    int open[128] = {0};
    score *mine = score_create();
    double last = 0;
    for (int pass = 0; pass < 2; pass++) { /* the second pass after a reset must repeat the first */
        enc_decoder_reset(d);
        alloc_fail_reset(-1);
        for (int i = 0; i <= 600; i++) {
            size_t k = i < 600 ? enc_decoder_step(d, ids[i], ev) : enc_decoder_flush(d, ev);
            assert_true(k <= ENC_MAX_STEP_EVENTS);
            for (size_t j = 0; j < k; j++) {
                assert_true(ev[j].time >= last - 1e-12);
                last = ev[j].time;
                if (pass) continue;
                int p = ev[j].pitch;
                if (open[p] && ev[j].tick > on_at[p]) {
                    score_note nt = {0};
                    nt.onset = on_at[p];
                    nt.duration = ev[j].tick - on_at[p];
                    nt.pitch = (uint8_t)p;
                    nt.velocity = 1;
                    assert_int_equal(score_add_note(mine, &nt), LJ_OK);
                }
                open[p] = ev[j].type == ENC_NOTE_ON;
                on_at[p] = ev[j].tick;
            }
        }
        /* pass 0 collects notes into `mine` (allocates); pass 1 only decodes */
        if (pass) assert_int_equal(alloc_fail_count(), 0);
        last = 0;
    }
    assert_true(enc_decoder_bad_tokens(d) > 0);
    enc_decoder_destroy(d);
    score *whole;
    assert_int_equal(enc_decode(e, ids, 600, &whole, err, sizeof err), LJ_OK);
    for (size_t i = 0; i < whole->n_notes; i++) whole->notes[i].velocity = 1;
    score_sort(mine);
    assert_int_equal(mine->n_notes, whole->n_notes);
    for (size_t i = 0; i < whole->n_notes; i++) {
        assert_int_equal(mine->notes[i].onset, whole->notes[i].onset);
        assert_int_equal(mine->notes[i].duration, whole->notes[i].duration);
        assert_int_equal(mine->notes[i].pitch, whole->notes[i].pitch);
    }
    assert_true(whole->n_notes > 0);
    score_destroy(whole);
    score_destroy(mine);
}

static void test_incremental(void **state) {
    (void)state;
    encoding *e = create("event", NULL);
    check_incremental(e, 1);
    enc_destroy(e);
    /* data vocabularies from hand-written names */
    const char *ts = "#lstmjam-tokens 1 encoding=timestep\n/ _ r 48 50 52 60 62 64 65 67 72\n";
    const char *nc = "#lstmjam-tokens 1 encoding=notechord\nC4 E4 G4 C4.E4.G4 0.4.7 B-3:1.5 r D4.F#4.A4:1/3 C2.C3.C4.C5.C6\n";
    const char *texts[2] = {ts, nc};
    for (int k = 0; k < 2; k++) {
        char path[] = "/tmp/lj_enc_unit_XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        FILE *f = fdopen(fd, "w");
        fputs(texts[k], f);
        fclose(f);
        tokset t = {0};
        char err[256] = "";
        encoding *x;
        if (enc_tokens_load(path, NULL, NULL, &x, &t, err, sizeof err)) fail_msg("%s", err);
        remove(path);
        check_incremental(x, 7 + (uint64_t)k);
        tokset_free(&t);
        enc_destroy(x);
    }
}

static void test_text_roundtrip(void **state) {
    (void)state;
    static const int n[][3] = {{0, 240, 60}, {240, 120, 62}, {480, 480, 64}, {960, 240, 72}};
    score *s = make(n, 4);
    static const char *const aug[] = {"augment", "2", "durations", "any", NULL};
    encoding *e = create("timestep", aug);
    tokset t = {0};
    enc_stats st = {0};
    encode_one(e, s, &t, &st);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(enc_tokens_write_header(f, e), LJ_OK);
    assert_int_equal(enc_tokens_write(f, e, &t), LJ_OK);
    fclose(f);
    /* back through a fresh open vocabulary: same names, piece by piece */
    vocab *v = vocab_create();
    tokset r = {0};
    enc_tokens_header h;
    char err[256] = "";
    if (enc_tokens_parse(buf, len, "mem.txt", v, 1, &r, &h, err, sizeof err)) fail_msg("%s", err);
    assert_true(h.present);
    assert_string_equal(h.encoding, "timestep");
    assert_int_equal(h.opts.transpose, ENC_TRANSPOSE_AUGMENT);
    assert_int_equal(h.opts.augment_lo, -2);
    assert_int_equal(h.opts.n_durations, 0);
    assert_int_equal(r.n_pieces, 5);
    assert_int_equal(r.n_ids, t.n_ids);
    for (size_t i = 0; i < t.n_ids; i++) {
        size_t la, lb;
        const char *a = vocab_name(enc_vocab(e), t.ids[i], &la), *b = vocab_name(v, r.ids[i], &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
    }
    for (size_t p = 0; p < 5; p++) assert_int_equal(r.start[p], t.start[p]);
    /* and through the frozen vocabulary: the very same ids */
    tokset r2 = {0};
    if (enc_tokens_parse(buf, len, "mem.txt", (vocab *)enc_vocab(e), 0, &r2, NULL, err, sizeof err)) fail_msg("%s", err);
    assert_memory_equal(r2.ids, t.ids, t.n_ids * sizeof *t.ids);
    free(buf);
    tokset_free(&r);
    tokset_free(&r2);
    vocab_destroy(v);
    tokset_free(&t);
    enc_destroy(e);
    score_destroy(s);
}

static void test_text_errors(void **state) {
    (void)state;
    static const struct {
        const char *text;
        int status;
        const char *msg;
    } cases[] = {
        {"60 _\r62\n", LJ_ERR_PARSE, "t.txt:1:6: expected a line feed after a carriage return, found '6'"},
        {"60 \001 62\n", LJ_ERR_PARSE, "t.txt:1:4: expected a token, found byte 0x01"},
        {"60\n6\0012\n", LJ_ERR_PARSE, "t.txt:2:2: expected a token byte, a space or a line end, found byte 0x01"},
        {"a #b\n", LJ_ERR_PARSE, "t.txt:1:3: expected a token, found '#'"},
        {"60 _\r", LJ_ERR_PARSE, "t.txt:1:6: expected a line feed after a carriage return, found the end of the file"},
        {"#lstmjam-tokens 2 encoding=timestep\n", LJ_ERR_UNSUPPORTED, "t.txt:1:17: expected format version 1, found 2"},
        {"#lstmjam-tokens x\n", LJ_ERR_PARSE, "t.txt:1:17: expected the format version after #lstmjam-tokens, found 'x'"},
        {"#lstmjam-tokens 1 encoding=midi\n", LJ_ERR_PARSE, "t.txt:1:28: expected an encoding (timestep, notechord, event, abc, psd, pianoroll), found 'midi'"},
        {"#lstmjam-tokens 1 encoding=event velocity_bins=999\n", LJ_ERR_PARSE, "t.txt:1:34: velocity_bins: expected an integer 1..127, found '999'"},
        {"#lstmjam-tokens 1 encoding=event frob\n", LJ_ERR_PARSE, "t.txt:1:34: expected key=value, found 'frob'"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        vocab *v = vocab_create();
        tokset t = {0};
        char err[256] = "";
        int rc = enc_tokens_parse(cases[k].text, strlen(cases[k].text), "t.txt", v, 1, &t, NULL, err, sizeof err);
        assert_int_equal(rc, cases[k].status);
        assert_string_equal(err, cases[k].msg);
        assert_int_equal(t.n_pieces, 0);
        tokset_free(&t);
        vocab_destroy(v);
    }
    /* too long a name; a name outside a frozen vocabulary */
    char longname[400];
    memset(longname, 'x', 300);
    strcpy(longname + 300, "\n");
    vocab *v = vocab_create();
    tokset t = {0};
    char err[256];
    assert_int_equal(enc_tokens_parse(longname, strlen(longname), "t.txt", v, 1, &t, NULL, err, sizeof err), LJ_ERR_LIMIT);
    assert_string_equal(err, "t.txt:1:1: expected a token of at most 255 bytes, found 300 bytes");
    vocab_destroy(v);
    encoding *e = create("event", NULL);
    const char *bad = "on:60 shift:1\n  off:60 on:128\n";
    assert_int_equal(enc_tokens_parse(bad, strlen(bad), "t.txt", (vocab *)enc_vocab(e), 0, &t, NULL, err, sizeof err), LJ_ERR_RANGE);
    assert_string_equal(err, "t.txt:2:10: expected a token of the vocabulary, found 'on:128'");
    assert_int_equal(t.n_pieces, 0);
    enc_destroy(e);
    /* blank lines, comments, tabs, CRLF, no final newline */
    const char *ok = "#c\n\n60 _\t62\r\n   \n# x y\n64";
    v = vocab_create();
    assert_int_equal(enc_tokens_parse(ok, strlen(ok), "t.txt", v, 1, &t, NULL, err, sizeof err), LJ_OK);
    assert_int_equal(t.n_pieces, 2);
    assert_int_equal(t.n_ids, 4);
    tokset_free(&t);
    vocab_destroy(v);
    /* the loader checks names against the encoding, with their position */
    char path[] = "/tmp/lj_enc_unit_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs("#lstmjam-tokens 1 encoding=timestep\n60 _ 62\n64 x9 /\n", f);
    fclose(f);
    encoding *x;
    assert_int_equal(enc_tokens_load(path, NULL, NULL, &x, &t, err, sizeof err), LJ_ERR_PARSE);
    char want[300];
    snprintf(want, sizeof want, "%s:3:4: expected a timestep token, found 'x9'", path);
    assert_string_equal(err, want);
    assert_null(x);
    assert_int_equal(t.n_pieces, 0);
    remove(path);
    tokset_free(&t);
}

/* Every allocation of an encode + text parse failing in turn: LJ_ERR_NOMEM, the
 * token set as before, nothing leaked. */
static void test_alloc_failures(void **state) {
    (void)state;
    static const int n[][3] = {{0, 240, 60}, {0, 480, 64}, {240, 120, 62}, {480, 480, 64}};
    score *s = make(n, 4);
    const char *names[3] = {"timestep", "notechord", "event"};
    for (int k = 0; k < 3; k++) {
        long total = -1;
        for (long fail = -1; fail < total || total < 0; fail++) {
            alloc_fail_reset(fail);
            enc_opts o;
            enc_opts_default(&o, names[k]);
            o.n_durations = 0;
            encoding *e = NULL;
            tokset t = {0};
            char err[256] = "";
            int rc = enc_create(names[k], &o, &e, err, sizeof err);
            if (!rc) rc = enc_encode(e, s, &t, NULL, err, sizeof err);
            tokset *sets[1] = {&t};
            if (!rc) rc = enc_finish_vocab(e, sets, 1);
            score *back = NULL;
            if (!rc) rc = enc_decode(e, t.ids, t.n_ids, &back, err, sizeof err);
            score_destroy(back);
            tokset_free(&t);
            enc_destroy(e);
            if (fail < 0) {
                assert_int_equal(rc, LJ_OK);
                total = alloc_fail_count();
                assert_true(total > 0);
            } else {
                assert_int_equal(rc, LJ_ERR_NOMEM);
            }
            assert_int_equal(alloc_fail_live(), 0);
        }
    }
    const char *text = "#lstmjam-tokens 1 encoding=timestep grid=8th\n60 _ 62 r /\n64 _ /\n";
    long total = -1;
    for (long fail = -1; fail < total || total < 0; fail++) {
        alloc_fail_reset(fail);
        vocab *v = vocab_create();
        tokset t = {0};
        tokset_add(&t, NULL, 0);
        char err[256] = "";
        int rc = v ? enc_tokens_parse(text, strlen(text), "t.txt", v, 1, &t, NULL, err, sizeof err) : LJ_ERR_NOMEM;
        if (fail < 0) {
            assert_int_equal(rc, LJ_OK);
            total = alloc_fail_count();
        } else if (rc) {
            assert_int_equal(rc, LJ_ERR_NOMEM);
            assert_true(t.n_pieces <= 1 && t.n_ids == 0);
        }
        tokset_free(&t);
        vocab_destroy(v);
        assert_int_equal(alloc_fail_live(), 0);
    }
    score_destroy(s);
}

static void test_options(void **state) {
    (void)state;
    enc_opts o;
    char err[256];
    enc_opts_default(&o, "timestep");
    assert_int_equal(o.n_durations, 8);
    assert_int_equal(enc_opts_set(&o, "grid", "8000", err, sizeof err), LJ_ERR_ARG);
    assert_int_equal(enc_opts_set(&o, "augment", "13", err, sizeof err), LJ_ERR_ARG);
    assert_int_equal(enc_opts_set(&o, "durations", "0.3", err, sizeof err), LJ_OK); /* 144 ticks */
    assert_int_equal(enc_opts_set(&o, "durations", "1/7", err, sizeof err), LJ_ERR_ARG);
    assert_string_equal(err, "durations: expected 'any' or up to 32 comma-separated lengths in quarter notes (0.25,0.5,1.5 or 1/3), found '1/7'");
    assert_int_equal(enc_opts_set(&o, "bogus", "1", err, sizeof err), LJ_ERR_ARG);
    encoding *e;
    assert_int_equal(enc_create("abcd", &o, &e, err, sizeof err), LJ_ERR_ARG);
    assert_string_equal(err, "unknown encoding 'abcd' (expected timestep, notechord, event, psd, pianoroll or abc)");
    /* a format/parse round trip of every encoding's options */
    const char *const *names = enc_names();
    for (int k = 0; names[k]; k++) {
        enc_opts a, b;
        enc_opts_default(&a, names[k]);
        enc_opts_set(&a, "transpose", "augment", err, sizeof err);
        enc_opts_set(&a, "augment", "-3:5", err, sizeof err);
        enc_opts_set(&a, "durations", "0.5,1/3,2", err, sizeof err);
        char buf[1024];
        assert_int_equal(enc_opts_format(&a, names[k], buf, sizeof buf), LJ_OK);
        enc_opts_default(&b, names[k]);
        char *save, *tok = strtok_r(buf, " ", &save);
        for (; tok; tok = strtok_r(NULL, " ", &save)) {
            char *eq = strchr(tok, '=');
            *eq = 0;
            if (enc_opts_set(&b, tok, eq + 1, err, sizeof err)) fail_msg("%s", err);
        }
        assert_int_equal(a.transpose, b.transpose);
        assert_int_equal(a.augment_lo, b.augment_lo);
        assert_int_equal(a.augment_hi, b.augment_hi);
        assert_int_equal(a.part, b.part);
        assert_int_equal(a.n_durations, b.n_durations);
        for (int i = 0; i < a.n_durations; i++) assert_true(a.durations[i] == b.durations[i]);
        assert_int_equal(a.unknown, b.unknown);
        /* the options this encoding reads (enc_opts_format writes only those) */
        if (!strcmp(names[k], "timestep")) {
            assert_int_equal(a.grid, b.grid);
            assert_int_equal(a.delimiters, b.delimiters);
        } else if (!strcmp(names[k], "notechord")) {
            assert_int_equal(a.chords, b.chords);
            assert_int_equal(a.timing, b.timing);
            assert_int_equal(a.step, b.step);
            assert_int_equal(a.note_length, b.note_length);
            assert_int_equal(a.with_durations, b.with_durations);
        } else {
            assert_int_equal(a.velocity_bins, b.velocity_bins);
            assert_int_equal(a.shift_ms, b.shift_ms);
            assert_int_equal(a.max_shift_steps, b.max_shift_steps);
        }
        assert_int_equal(a.velocity, b.velocity);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timestep_tokens), cmocka_unit_test(test_durations_filter),
        cmocka_unit_test(test_transpose),       cmocka_unit_test(test_key_estimate),
        cmocka_unit_test(test_event),           cmocka_unit_test(test_notechord),
        cmocka_unit_test(test_incremental),     cmocka_unit_test(test_text_roundtrip),
        cmocka_unit_test(test_text_errors),     cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
