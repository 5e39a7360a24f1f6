/* Frame encodings (psd, pianoroll; encoding.h "frame encodings") on hand-made
 * scores, every expected frame worked out by hand from psd.h / pianoroll.h:
 * fields and the model input, frames in seconds, beats, binned and with
 * velocity, same-pitch merges and cuts, the 88-key roll with quantisation,
 * out-of-range keys and augmentation; decode(encode(x)) on them; the
 * incremental frame decoder on random and hostile frames (time order, bad
 * frames counted, no allocation per step, a reset repeats); option errors;
 * frameset; allocation failures. Linked with the allocation wrappers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_fail.h"
#include "encoding.h"
#include "pianoroll.h"
#include "psd.h"

static score *make(const int (*notes)[3], size_t n) {
    /* notes: {onset, duration, pitch} in ticks; no tempo map = 120 BPM */
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
    for (; kv && kv[0]; kv += 2)
        if (enc_opts_set(&o, kv[0], kv[1], err, sizeof err)) fail_msg("%s", err);
    encoding *e;
    if (enc_create(name, &o, &e, err, sizeof err)) fail_msg("%s", err);
    return e;
}

static void encode(encoding *e, const score *s, frameset *f, enc_stats *st) {
    char err[512] = "";
    assert_int_equal(frameset_init(f, enc_frame_dim(e)), LJ_OK);
    if (enc_encode_frames(e, s, f, st, err, sizeof err)) fail_msg("%s", err);
}

static void assert_frames(const frameset *f, size_t piece, const float *expect, size_t n) {
    assert_int_equal(frameset_piece_len(f, piece), n);
    const float *got = frameset_piece(f, piece);
    for (size_t i = 0; i < n * f->dim; i++)
        if (fabsf(got[i] - expect[i]) > 1e-6f)
            fail_msg("frame %zu value %zu: %g, expected %g", i / f->dim, i % f->dim, (double)got[i],
                     (double)expect[i]);
}

/* The decoded notes, as {onset, duration, pitch}, sorted. */
static void assert_notes(const score *s, const int (*expect)[3], size_t n) {
    assert_int_equal(s->n_notes, n);
    for (size_t i = 0; i < n; i++) {
        if (s->notes[i].onset != expect[i][0] || s->notes[i].duration != expect[i][1] ||
            s->notes[i].pitch != expect[i][2])
            fail_msg("note %zu: %lld+%lld pitch %d, expected %d+%d pitch %d", i,
                     (long long)s->notes[i].onset, (long long)s->notes[i].duration, s->notes[i].pitch,
                     expect[i][0], expect[i][1], expect[i][2]);
    }
}

/* c4 quarter + e4 8th together, d4 8th at beat 2, g4 half at beat 3 */
static const int chord_notes[][3] = {{0, 480, 60}, {0, 240, 64}, {480, 240, 62}, {960, 960, 67}};

static void test_psd_fields(void **state) {
    (void)state;
    encoding *e = create("psd", NULL);
    assert_int_equal(enc_kind_of(e), ENC_KIND_FRAMES);
    assert_int_equal(enc_frame_dim(e), 3);
    assert_int_equal(enc_frame_input_dim(e), 3);
    assert_int_equal(enc_frame_num_fields(e), 3);
    const enc_field *p = enc_frame_field(e, 0), *st = enc_frame_field(e, 1), *du = enc_frame_field(e, 2);
    assert_string_equal(p->name, "pitch");
    assert_int_equal(p->kind, ENC_FIELD_CLASS);
    assert_int_equal(p->width, 128);
    assert_true(p->loss_weight == 0.05f && st->loss_weight == 1.0f && du->loss_weight == 1.0f);
    assert_int_equal(st->kind, ENC_FIELD_VALUE);
    assert_string_equal(du->name, "duration");
    assert_true(st->pressure == 10.0f && du->pressure == 10.0f && p->pressure == 0.0f);
    assert_null(enc_frame_field(e, 3));
    /* the model input: pitch / 128 (the tutorial), step and duration as they are */
    float frame[3] = {64, 0.5f, 0.25f}, in[3];
    enc_frame_input(e, frame, in);
    assert_true(in[0] == 0.5f && in[1] == 0.5f && in[2] == 0.25f);
    frame[0] = 200; /* a class outside the field: a zero slice */
    enc_frame_input(e, frame, in);
    assert_true(in[0] == 0.0f);
    enc_destroy(e);

    static const char *const kv[] = {"time_bins", "100", "time", "beats", "time_bin", "1/12",
                                     "with_velocity", "1", NULL};
    e = create("psd", kv);
    assert_int_equal(enc_frame_dim(e), 4);
    assert_int_equal(enc_frame_num_fields(e), 4);
    st = enc_frame_field(e, 1);
    assert_int_equal(st->kind, ENC_FIELD_CLASS);
    assert_int_equal(st->width, 100);
    assert_string_equal(enc_frame_field(e, 3)->name, "velocity");
    assert_int_equal(enc_frame_field(e, 3)->width, 32);
    float f2[4] = {60, 12, 6, 22}, in2[4];
    enc_frame_input(e, f2, in2); /* class k of a time field enters as k * time_bin */
    assert_true(fabsf(in2[1] - 1.0f) < 1e-6f && fabsf(in2[2] - 0.5f) < 1e-6f);
    assert_true(fabsf(in2[3] - 22.0f / 32) < 1e-6f);
    enc_destroy(e);

    e = create("pianoroll", NULL);
    assert_int_equal(enc_frame_dim(e), 88);
    assert_int_equal(enc_frame_input_dim(e), 88);
    assert_int_equal(enc_frame_field(e, 0)->kind, ENC_FIELD_BITS);
    assert_string_equal(enc_frame_field(e, 0)->name, "keys");
    enc_destroy(e);
    /* token encodings have no fields */
    e = create("timestep", NULL);
    assert_int_equal(enc_frame_dim(e), 0);
    assert_int_equal(enc_frame_num_fields(e), 0);
    enc_destroy(e);
}

/* A batch column from a window of frames: inputs of frames 0..T-1, targets of
 * frames 1..T per field, in the model's (T,B,...) layout. */
static void test_fill_column(void **state) {
    (void)state;
    encoding *e = create("psd", NULL);
    /* T = 2, B = 2, column 1; the window's third frame has a bad pitch class */
    const float win[] = {60, 0, 0.5f, 64, 0.25f, 1, 300, 0.5f, 2};
    float x[2 * 2 * 3];
    int32_t pitch[4] = {7, 7, 7, 7};
    float step[4] = {0}, dur[4] = {0};
    int32_t *ids[3] = {pitch, NULL, NULL};
    float *values[3] = {NULL, step, dur};
    memset(x, 0, sizeof x);
    enc_frame_fill_column(e, win, 2, 2, 1, x, ids, values);
    /* row (t*B + b): t = 0 -> row 1, t = 1 -> row 3 */
    assert_true(x[3] == 60.0f / 128 && x[4] == 0 && x[5] == 0.5f);
    assert_true(x[9] == 64.0f / 128 && x[10] == 0.25f && x[11] == 1);
    assert_true(x[0] == 0 && x[6] == 0); /* column 0 untouched */
    assert_int_equal(pitch[1], 64);
    assert_int_equal(pitch[3], -1); /* class 300 of 128: ignored */
    assert_int_equal(pitch[0], 7);
    assert_true(step[1] == 0.25f && dur[1] == 1 && step[3] == 0.5f && dur[3] == 2);
    enc_destroy(e);
}

/* Steps of a piece from a zero state: from its start, step 0 predicts frame
 * 0 from a zero input and step t frame t from frame t-1; from a later frame,
 * the inputs are the frames before the targets. */
static void test_fill_steps(void **state) {
    (void)state;
    encoding *e = create("psd", NULL);
    const float piece[] = {60, 0, 0.5f, 64, 0.25f, 1, 67, 0.5f, 2}; /* 3 frames */
    float x[3 * 3];
    int32_t pitch[3];
    float step[3], dur[3];
    int32_t *ids[3] = {pitch, NULL, NULL};
    float *values[3] = {NULL, step, dur};
    for (size_t i = 0; i < 9; i++) x[i] = 9;
    enc_frame_fill_steps(e, piece, 3, 0, 3, 1, 0, x, ids, values);
    assert_true(x[0] == 0 && x[1] == 0 && x[2] == 0); /* zero input before frame 0 */
    assert_true(x[3] == 60.0f / 128 && x[4] == 0 && x[5] == 0.5f);
    assert_true(x[6] == 64.0f / 128 && x[7] == 0.25f && x[8] == 1);
    assert_int_equal(pitch[0], 60);
    assert_int_equal(pitch[1], 64);
    assert_int_equal(pitch[2], 67);
    assert_true(step[0] == 0 && dur[0] == 0.5f && step[2] == 0.5f && dur[2] == 2);
    /* two steps from frame 1: inputs frames 0, 1; targets frames 1, 2 */
    enc_frame_fill_steps(e, piece, 3, 1, 2, 1, 0, x, ids, values);
    assert_true(x[0] == 60.0f / 128 && x[3] == 64.0f / 128);
    assert_int_equal(pitch[0], 64);
    assert_int_equal(pitch[1], 67);
    enc_destroy(e);
}

/* A training window across two pieces: the step whose target is the second
 * piece's first frame gets a zero input; every other step the frame before. */
static void test_fill_window(void **state) {
    (void)state;
    encoding *e = create("psd", NULL);
    frameset s;
    assert_int_equal(frameset_init(&s, 3), LJ_OK);
    const float a[] = {60, 0, 1, 62, 1, 1}, b[] = {70, 0, 2, 72, 2, 2};
    assert_int_equal(frameset_add(&s, a, 2), LJ_OK); /* frames 0, 1 */
    assert_int_equal(frameset_add(&s, b, 2), LJ_OK); /* frames 2, 3 */
    float x[3 * 3];
    int32_t pitch[3];
    int32_t *ids[3] = {pitch, NULL, NULL};
    enc_frame_fill_window(e, &s, 0, 3, 1, 0, x, ids, NULL); /* targets frames 1, 2, 3 */
    assert_int_equal(pitch[0], 62);
    assert_int_equal(pitch[1], 70);
    assert_int_equal(pitch[2], 72);
    assert_true(x[0] == 60.0f / 128);                 /* frame 1 from frame 0 */
    assert_true(x[3] == 0 && x[4] == 0 && x[5] == 0); /* frame 2 starts piece 2: zero input */
    assert_true(x[6] == 70.0f / 128);                 /* frame 3 from frame 2 */
    enc_frame_fill_window(e, &s, 1, 2, 1, 0, x, ids, NULL); /* targets frames 2, 3 */
    assert_true(x[0] == 0 && x[3] == 70.0f / 128);
    frameset_free(&s);
    enc_destroy(e);
}

static void test_psd_frames(void **state) {
    (void)state;
    score *s = make(chord_notes, 4);
    char err[512];
    /* seconds (quarter = 0.5 s), notes by onset then pitch, chords with step 0 */
    encoding *e = create("psd", NULL);
    frameset f;
    enc_stats st = {0};
    encode(e, s, &f, &st);
    const float sec[] = {60, 0, 0.5f, 64, 0, 0.25f, 62, 0.5f, 0.25f, 67, 0.5f, 1.0f};
    assert_frames(&f, 0, sec, 4);
    assert_int_equal(st.frames, 4);
    score *back;
    assert_int_equal(enc_decode_frames(e, f.values, f.n_frames, &back, err, sizeof err), LJ_OK);
    /* the seconds decoder counts milliseconds */
    static const int ms[][3] = {{0, 500, 60}, {0, 250, 64}, {500, 250, 62}, {1000, 1000, 67}};
    assert_notes(back, ms, 4);
    score_destroy(back);
    frameset_free(&f);
    enc_destroy(e);

    /* beats: exact ticks back */
    static const char *const beats[] = {"time", "beats", NULL};
    e = create("psd", beats);
    encode(e, s, &f, NULL);
    const float bt[] = {60, 0, 1, 64, 0, 0.5f, 62, 1, 0.5f, 67, 1, 2};
    assert_frames(&f, 0, bt, 4);
    assert_int_equal(enc_decode_frames(e, f.values, f.n_frames, &back, err, sizeof err), LJ_OK);
    static const int sorted[][3] = {{0, 480, 60}, {0, 240, 64}, {480, 240, 62}, {960, 960, 67}};
    assert_notes(back, sorted, 4);
    score_destroy(back);
    frameset_free(&f);
    enc_destroy(e);

    /* binned beats at 1/12 with velocity: class = value * 12, the last class
     * takes longer values; velocity 90 in 32 bins: (90-1)*32/127 = 22 */
    static const char *const binned[] = {"time", "beats", "time_bins", "20", "time_bin", "1/12",
                                         "with_velocity", "1", NULL};
    e = create("psd", binned);
    memset(&st, 0, sizeof st);
    encode(e, s, &f, &st);
    const float bn[] = {60, 0, 12, 22, 64, 0, 6, 22, 62, 12, 6, 22, 67, 12, 19, 22};
    assert_frames(&f, 0, bn, 4);
    assert_int_equal(st.notes_quantised, 1); /* the half note clipped to 19/12 */
    assert_int_equal(enc_decode_frames(e, f.values, f.n_frames, &back, err, sizeof err), LJ_OK);
    static const int clipped[][3] = {{0, 480, 60}, {0, 240, 64}, {480, 240, 62}, {960, 760, 67}};
    assert_notes(back, clipped, 4);
    /* bin 22 of 32 decodes to its centre: 1 + floor(22.5 * 127 / 32) = 90 */
    assert_int_equal(back->notes[0].velocity, 90);
    score_destroy(back);
    frameset_free(&f);
    enc_destroy(e);
    score_destroy(s);

    /* same pitch and onset twice: one note, the longer; a note of the same
     * pitch starting while one sounds cuts it (the decoder re-strikes) */
    static const int dup[][3] = {{0, 240, 60}, {0, 480, 60}, {0, 960, 62}, {480, 240, 62}};
    s = make(dup, 4);
    e = create("psd", beats);
    memset(&st, 0, sizeof st);
    encode(e, s, &f, &st);
    const float dd[] = {60, 0, 1, 62, 0, 2, 62, 1, 0.5f};
    assert_frames(&f, 0, dd, 3);
    assert_int_equal(st.notes_merged, 1);
    assert_int_equal(st.notes_cut, 1);
    assert_int_equal(enc_decode_frames(e, f.values, f.n_frames, &back, err, sizeof err), LJ_OK);
    static const int cut[][3] = {{0, 480, 60}, {0, 480, 62}, {480, 240, 62}};
    assert_notes(back, cut, 3);
    score_destroy(back);
    frameset_free(&f);
    enc_destroy(e);
    score_destroy(s);

    /* leading silence is kept: the first step is the first onset */
    static const int late[][3] = {{960, 480, 72}};
    s = make(late, 1);
    e = create("psd", beats);
    encode(e, s, &f, NULL);
    const float lt[] = {72, 2, 1};
    assert_frames(&f, 0, lt, 1);
    frameset_free(&f);
    enc_destroy(e);
    score_destroy(s);
}

static void test_pianoroll_frames(void **state) {
    (void)state;
    /* 16th grid: C4 an 8th, E4 a 16th from the 2nd step, C4 again at step 3,
     * a note off the grid (onset 130 -> step 1, end 250 -> step 2), and two
     * notes outside the 88 keys */
    static const int n[][3] = {{0, 240, 60}, {120, 120, 64}, {240, 120, 60}, {130, 120, 67},
                               {0, 120, 10}, {0, 120, 120}};
    score *s = make(n, 6);
    encoding *e = create("pianoroll", NULL);
    frameset f;
    enc_stats st = {0};
    encode(e, s, &f, &st);
    float expect[3 * 88] = {0};
    expect[0 * 88 + 60 - 21] = 1;
    expect[1 * 88 + 60 - 21] = 1;
    expect[1 * 88 + 64 - 21] = 1;
    expect[1 * 88 + 67 - 21] = 1;
    expect[2 * 88 + 60 - 21] = 1;
    assert_frames(&f, 0, expect, 3);
    assert_int_equal(st.notes_dropped, 2);
    assert_int_equal(st.notes_quantised, 1);
    char err[512];
    score *back;
    assert_int_equal(enc_decode_frames(e, f.values, f.n_frames, &back, err, sizeof err), LJ_OK);
    /* C4 held over three steps is one note (the roll cannot tell) */
    static const int dec[][3] = {{0, 360, 60}, {120, 120, 64}, {120, 120, 67}};
    assert_notes(back, dec, 3);
    score_destroy(back);
    frameset_free(&f);
    enc_destroy(e);

    /* augment -1:1 on that score: its notes outside the keyboard would move
     * but stay off it, so only the untransposed copy is encoded (augmentation
     * never makes a copy that loses notes the original kept) */
    static const char *const aug[] = {"augment", "-1:1", "grid", "8th", NULL};
    e = create("pianoroll", aug);
    memset(&st, 0, sizeof st);
    encode(e, s, &f, &st);
    assert_int_equal(f.n_pieces, 1);
    assert_int_equal(st.skipped_range, 2);
    assert_int_equal(st.notes_dropped, 2);
    frameset_free(&f);
    score_destroy(s);

    /* on the keyboard: three pieces, the untransposed first (shifts 0, -1, +1) */
    static const int in[][3] = {{0, 240, 60}, {240, 240, 64}};
    s = make(in, 2);
    memset(&st, 0, sizeof st);
    encode(e, s, &f, &st);
    assert_int_equal(f.n_pieces, 3);
    assert_int_equal(st.skipped_range, 0);
    assert_int_equal(frameset_piece_len(&f, 0), 2); /* 8th grid: 240 ticks a frame */
    static const int shift_of_piece[3] = {0, -1, 1};
    for (size_t k = 0; k < 3; k++) {
        float want[2 * 88] = {0};
        want[0 * 88 + 60 - 21 + shift_of_piece[k]] = 1;
        want[1 * 88 + 64 - 21 + shift_of_piece[k]] = 1;
        assert_frames(&f, k, want, 2);
    }
    frameset_free(&f);
    enc_destroy(e);
    score_destroy(s);

    /* the keyboard's ends: A0 (21) and C8 (108) held copies -3..+3 only
     * while both stay on it: 0, then -3..-1 refused (A0 would leave), +1..+3
     * refused (C8 would leave); a score spanning 24..105 keeps all seven */
    static const char *const wide[] = {"augment", "-3:3", NULL};
    e = create("pianoroll", wide);
    static const int ends[][3] = {{0, 120, 21}, {120, 120, 108}};
    s = make(ends, 2);
    memset(&st, 0, sizeof st);
    encode(e, s, &f, &st);
    assert_int_equal(f.n_pieces, 1);
    assert_int_equal(st.skipped_range, 6);
    frameset_free(&f);
    score_destroy(s);
    static const int inner[][3] = {{0, 120, 24}, {120, 120, 105}};
    s = make(inner, 2);
    memset(&st, 0, sizeof st);
    encode(e, s, &f, &st);
    assert_int_equal(f.n_pieces, 7);
    assert_int_equal(st.skipped_range, 0);
    assert_int_equal(st.notes_dropped, 0);
    static const int shifts7[7] = {0, -3, -2, -1, 1, 2, 3};
    for (size_t k = 0; k < 7; k++) {
        float want[2 * 88] = {0};
        want[0 * 88 + 24 - 21 + shifts7[k]] = 1;
        want[1 * 88 + 105 - 21 + shifts7[k]] = 1;
        assert_frames(&f, k, want, 2);
    }
    frameset_free(&f);
    enc_destroy(e);
    score_destroy(s);
}

/* Random and hostile frames through the incremental decoder: events in time
 * order, no allocation per frame, bad frames counted, a reset repeats. */
static void test_decoder_steps(void **state) {
    (void)state;
    static const char *const kv_psd[] = {"with_velocity", "1", NULL};
    static const char *const kv_bins[] = {"time_bins", "50", NULL};
    encoding *encs[3] = {create("psd", kv_psd), create("psd", kv_bins), create("pianoroll", NULL)};
    uint64_t seed = 88172645463325252ull;
    for (int k = 0; k < 3; k++) {
        encoding *e = encs[k];
        size_t dim = enc_frame_dim(e);
        enum { N = 400 };
        float *frames = malloc(N * dim * sizeof *frames);
        assert_non_null(frames);
        for (size_t i = 0; i < N * dim; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            float u = (float)(seed % 100000) / 100000.0f;
            if (k == 2) frames[i] = u < 0.08f ? 1.0f : 0.0f; /* a few keys on */
            else if (i % dim == 0) frames[i] = (float)(int)(u * 140) - 5; /* pitch, some out of range */
            else if (k == 1) frames[i] = (float)(int)(u * 55); /* time classes, some too large */
            else if (i % dim == 3) frames[i] = (float)(int)(u * 34); /* velocity bins, some bad */
            else frames[i] = u * 0.6f - 0.1f; /* seconds, some negative */
        }
        frames[7 * dim + 1] = NAN;
        frames[9 * dim] = INFINITY;
        enc_decoder *d;
        char err[256];
        assert_int_equal(enc_decoder_create(e, &d, err, sizeof err), LJ_OK);
        enc_event ev[ENC_MAX_STEP_EVENTS];
        size_t counts[2] = {0, 0}, bad[2] = {0, 0};
        for (int pass = 0; pass < 2; pass++) {
            enc_decoder_reset(d);
            alloc_fail_reset(-1);
            double last = 0;
            int sounding[128] = {0};
            for (int i = 0; i <= N; i++) {
                size_t m = i < N ? enc_decoder_step_frame(d, frames + (size_t)i * dim, ev)
                                 : enc_decoder_flush(d, ev);
                assert_true(m <= ENC_MAX_STEP_EVENTS);
                for (size_t j = 0; j < m; j++) {
                    assert_true(ev[j].time >= last - 1e-12);
                    last = ev[j].time;
                    if (ev[j].type == ENC_NOTE_ON) {
                        assert_int_equal(sounding[ev[j].pitch], 0);
                        assert_true(ev[j].velocity >= 1 && ev[j].velocity <= 127);
                    } else {
                        assert_int_equal(sounding[ev[j].pitch], 1);
                    }
                    sounding[ev[j].pitch] = ev[j].type == ENC_NOTE_ON;
                }
                counts[pass] += m;
            }
            for (int p = 0; p < 128; p++) assert_int_equal(sounding[p], 0);
            assert_int_equal(alloc_fail_count(), 0);
            bad[pass] = enc_decoder_bad_tokens(d);
        }
        assert_true(counts[0] > 100);
        assert_int_equal(counts[0], counts[1]);
        assert_int_equal(bad[0], bad[1]);
        assert_true(bad[0] >= 1); /* NaN, inf, out-of-range classes */
        /* a token into a frame decoder is a bad token, no events */
        assert_int_equal(enc_decoder_step(d, 3, ev), 0);
        enc_decoder_destroy(d);
        free(frames);
        enc_destroy(e);
    }
    /* a frame into a token decoder: counted, nothing */
    encoding *t = create("event", NULL);
    enc_decoder *d;
    char err[256];
    assert_int_equal(enc_decoder_create(t, &d, err, sizeof err), LJ_OK);
    float fr[4] = {60, 0, 1, 0};
    enc_event ev[ENC_MAX_STEP_EVENTS];
    assert_int_equal(enc_decoder_step_frame(d, fr, ev), 0);
    assert_int_equal(enc_decoder_bad_tokens(d), 1);
    enc_decoder_destroy(d);
    enc_destroy(t);
}

static void test_frame_errors(void **state) {
    (void)state;
    enc_opts o;
    char err[512];
    enc_opts_default(&o, "psd");
    assert_int_equal(enc_opts_set(&o, "time", "minutes", err, sizeof err), LJ_ERR_ARG);
    assert_string_equal(err, "time: expected seconds or beats, found 'minutes'");
    assert_int_equal(enc_opts_set(&o, "time_bins", "1", err, sizeof err), LJ_ERR_ARG);
    assert_string_equal(err, "time_bins: expected 0 (values) or 2..4096 classes, found '1'");
    assert_int_equal(enc_opts_set(&o, "time_bin", "0", err, sizeof err), LJ_ERR_ARG);
    assert_string_equal(err, "time_bin: expected a class width 0.0001..60 (seconds or beats, 0.01 or 1/12), found '0'");
    assert_int_equal(enc_opts_set(&o, "time_bin", "1/0", err, sizeof err), LJ_ERR_ARG);
    assert_int_equal(enc_opts_set(&o, "time_bin", "-1", err, sizeof err), LJ_ERR_ARG);
    assert_int_equal(enc_opts_set(&o, "with_velocity", "2", err, sizeof err), LJ_ERR_ARG);
    assert_int_equal(enc_opts_set(&o, "time_bin", "1/12", err, sizeof err), LJ_OK);
    assert_true(fabs(o.time_bin - 1.0 / 12) < 1e-15);
    enc_opts_default(&o, "pianoroll");
    o.grid = 0;
    encoding *e = NULL;
    assert_int_equal(enc_create("pianoroll", &o, &e, err, sizeof err), LJ_ERR_ARG);
    assert_null(e);
    assert_string_equal(err, "grid: expected 1..7680 ticks, found 0");

    /* the wrong kind of call for an encoding, or a frame set of another width */
    static const int n[][3] = {{0, 480, 60}};
    score *s = make(n, 1);
    e = create("psd", NULL);
    tokset t = {0};
    assert_int_equal(enc_encode(e, s, &t, NULL, err, sizeof err), LJ_ERR_ARG);
    assert_string_equal(err, "psd is not a token encoding");
    frameset f;
    assert_int_equal(frameset_init(&f, 88), LJ_OK);
    assert_int_equal(enc_encode_frames(e, s, &f, NULL, err, sizeof err), LJ_ERR_ARG);
    assert_string_equal(err, "psd: frames of 3 values, the frame set holds 88");
    assert_int_equal(f.n_pieces, 0);
    score *back = NULL;
    int32_t ids[1] = {0};
    assert_int_equal(enc_decode(e, ids, 1, &back, err, sizeof err), LJ_OK); /* a bad token */
    assert_int_equal(back->n_notes, 0);
    score_destroy(back);
    /* a frame encoding has no vocabulary: an empty one is accepted, names are not */
    vocab *v = vocab_create();
    assert_int_equal(enc_set_vocab(e, v, err, sizeof err), LJ_OK);
    v = vocab_create();
    vocab_add(v, "60", 2, NULL);
    assert_int_equal(enc_set_vocab(e, v, err, sizeof err), LJ_ERR_PARSE);
    assert_string_equal(err, "vocabulary: psd has no vocabulary, found 1 names");
    enc_destroy(e);
    e = create("timestep", NULL);
    float fr[3] = {0};
    assert_int_equal(enc_encode_frames(e, s, &f, NULL, err, sizeof err), LJ_ERR_ARG);
    assert_string_equal(err, "timestep is not a frame encoding");
    assert_int_equal(enc_decode_frames(e, fr, 1, &back, err, sizeof err), LJ_ERR_ARG);
    enc_destroy(e);
    frameset_free(&f);
    assert_int_equal(f.dim, 88);
    assert_int_equal(frameset_init(&f, 0), LJ_ERR_ARG);
    assert_int_equal(frameset_add(&f, fr, 1), LJ_ERR_ARG);
    score_destroy(s);
    /* an empty score is skipped and counted, no piece */
    score *empty = make(n, 0);
    e = create("pianoroll", NULL);
    enc_stats st = {0};
    frameset_init(&f, 88);
    assert_int_equal(enc_encode_frames(e, empty, &f, &st, err, sizeof err), LJ_OK);
    assert_int_equal(f.n_pieces, 0);
    assert_int_equal(st.skipped_empty, 1);
    frameset_free(&f);
    enc_destroy(e);
    score_destroy(empty);
}

/* Every allocation of create + encode + decode failing in turn: LJ_ERR_NOMEM,
 * the frame set as before, nothing leaked. */
static void test_alloc_failures(void **state) {
    (void)state;
    score *s = make(chord_notes, 4);
    const char *names[2] = {"psd", "pianoroll"};
    for (int k = 0; k < 2; k++) {
        long total = -1;
        for (long fail = -1; fail < total || total < 0; fail++) {
            alloc_fail_reset(fail);
            enc_opts o;
            enc_opts_default(&o, names[k]);
            encoding *e = NULL;
            frameset f;
            frameset_init(&f, k == 0 ? 3 : 88);
            char err[256] = "";
            int rc = enc_create(names[k], &o, &e, err, sizeof err);
            if (!rc) rc = enc_encode_frames(e, s, &f, NULL, err, sizeof err);
            if (rc) assert_int_equal(f.n_pieces, 0);
            score *back = NULL;
            if (!rc) rc = enc_decode_frames(e, f.values, f.n_frames, &back, err, sizeof err);
            score_destroy(back);
            frameset_free(&f);
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
    score_destroy(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psd_fields),
        cmocka_unit_test(test_fill_column),
        cmocka_unit_test(test_fill_steps),
        cmocka_unit_test(test_fill_window),
        cmocka_unit_test(test_psd_frames),
        cmocka_unit_test(test_pianoroll_frames),
        cmocka_unit_test(test_decoder_steps),
        cmocka_unit_test(test_frame_errors),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
