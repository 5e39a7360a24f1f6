/* Generation from frame models (src/frame_sampler.c, src/generate_frames.c,
 * lstmjam generate on psd and pianoroll models):
 *  - golden output of two tiny committed models (tests/data/generate/): a psd
 *    model (pitch softmax, step and duration MSE heads), greedy and seed 7,
 *    compared as MIDI (the decoder rounds times to the millisecond), and a
 *    pianoroll model with a NADE head, seed 7, compared as frames text; each
 *    run with the vector kernels capped to scalar, AVX2 and AVX-512 (LJ_ISA),
 *    so the three paths give the same music;
 *  - gen_frame_step allocates nothing; every drawn psd pitch obeys the mask
 *    (pitch range and key); regressed times are never negative; lengths in
 *    frames, notes and seconds stop where they should;
 *  - frame_sampler_check names what differs when the heads are not the
 *    encoding's fields;
 *  - temperature on pianoroll keys (Bernoulli and NADE): at T = 0 every seed
 *    draws the same frames and the first frame is exactly the keys whose
 *    logit is > 0; over 16 seeds the first frame's keys off the T = 0 frame
 *    are fewer at T = 0.3 than at T = 1, and for Bernoulli as many as
 *    sigmoid(-|logit| / T) predicts (T = 1 is the golden output above, bit
 *    for bit);
 *    generate --temperature 0 on the committed NADE model gives one output
 *    for two seeds, --temperature 1 two;
 *  - the command refuses what makes no sense for a frame model (beam search,
 *    n-gram bans, repetition penalty, top-k/top-p and masks for pianoroll,
 *    .abc output, no primer): exit 2 with the reason, nothing written.
 * LJ_WRITE_GOLDEN=1 writes the models and the golden files afresh. */
#include <math.h>
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
#include "cli.h"
#include "encoding.h"
#include "files.h"
#include "frame_sampler.h"
#include "generate.h"
#include "modelio.h"

static char dir[256];

/* A frame model of encoding e with random weights: one layer of H, a head per
 * field (NADE of 8 hidden units for bits when nade), weights scaled. */
static lj_model *frame_model(const encoding *e, int H, int nade, uint64_t seed, float scale) {
    lj_model_config c;
    memset(&c, 0, sizeof c);
    c.input_kind = LJ_INPUT_DENSE;
    c.input_size = (int)enc_frame_input_dim(e);
    c.num_layers = 1;
    c.hidden[0] = H;
    c.num_heads = enc_frame_num_fields(e);
    for (int h = 0; h < c.num_heads; h++) {
        const enc_field *f = enc_frame_field(e, h);
        lj_head_config *hc = &c.heads[h];
        snprintf(hc->name, sizeof hc->name, "%s", f->name);
        hc->size = f->width;
        hc->loss_weight = 1;
        hc->kind = f->kind == ENC_FIELD_CLASS ? LJ_HEAD_SOFTMAX
                   : f->kind == ENC_FIELD_VALUE ? LJ_HEAD_MSE
                   : nade                       ? LJ_HEAD_NADE
                                                : LJ_HEAD_BERNOULLI;
        if (hc->kind == LJ_HEAD_NADE) hc->nade_hidden = 8;
    }
    lj_model *m;
    char err[256];
    if (lj_model_create(&m, &c, err, sizeof err) != LJ_OK) fail_msg("%s", err);
    lj_model_init(m, seed);
    size_t n;
    float *w = lj_model_params(m, &n);
    for (size_t i = 0; i < n; i++) w[i] *= scale;
    /* regressed times shifted up by 1 (seconds or beats): mostly positive, some
     * clamped to 0, so the decoder's time moves */
    for (int h = 0; h < c.num_heads; h++) {
        if (c.heads[h].kind != LJ_HEAD_MSE) continue;
        char name[64];
        snprintf(name, sizeof name, "heads.%s.bias", c.heads[h].name);
        const lj_param *b = lj_model_find(m, name);
        assert_non_null(b);
        for (size_t i = 0; i < b->numel; i++) b->data[i] += 1.0f;
    }
    lj_model_params_changed(m);
    return m;
}

static encoding *make_enc(const char *name, const char *options) {
    encoding *e;
    char err[256];
    if (enc_create_for_model(name, options, options ? strlen(options) : 0, NULL, &e, err, sizeof err) != LJ_OK)
        fail_msg("%s", err);
    return e;
}

static void save_model(const char *path, const lj_model *m, const encoding *e) {
    char opts[1024], err[256];
    assert_int_equal(enc_opts_format(enc_options(e), enc_name(e), opts, sizeof opts), LJ_OK);
    if (modelio_save_encoded(path, m, enc_name(e), opts, NULL, 0, err, sizeof err) != LJ_OK) fail_msg("%s", err);
}

/* Runs lstmjam generate with args; stderr's text into errbuf. */
static int run_cli(char *errbuf, size_t cap, int argc, ...) {
    char *argv[32];
    va_list ap;
    va_start(ap, argc);
    argv[0] = "generate";
    for (int i = 0; i < argc; i++) argv[i + 1] = va_arg(ap, char *);
    va_end(ap);
    char path[512];
    snprintf(path, sizeof path, "%s/stderr", dir);
    fflush(stderr);
    int saved = dup(2);
    FILE *fp = freopen(path, "w", stderr);
    assert_non_null(fp);
    int rc = cmd_generate(argc + 1, argv);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    uint8_t *data;
    size_t len;
    char err[256];
    errbuf[0] = 0;
    if (lj_file_read(path, &data, &len, err, sizeof err) == LJ_OK) {
        snprintf(errbuf, cap, "%.*s", (int)len, (const char *)data);
        free(data);
    }
    return rc;
}

static int exists(const char *path) {
    FILE *fp = fopen(path, "rb");
    if (fp) fclose(fp);
    return fp != NULL;
}

static void cleanup(void) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* ------------------------------------------------------------------ golden */

static void same_file(const char *golden, const char *out, const char *isa) {
    uint8_t *a, *b;
    size_t la, lb;
    char err[256];
    if (lj_file_read(golden, &a, &la, err, sizeof err) != LJ_OK) fail_msg("%s", err);
    assert_int_equal(lj_file_read(out, &b, &lb, err, sizeof err), LJ_OK);
    if (la != lb || memcmp(a, b, la)) fail_msg("LJ_ISA=%s: %s differs from the golden %s", isa, out, golden);
    free(a);
    free(b);
}

static void test_golden(void **st) {
    (void)st;
    const char *data = getenv("LJ_TEST_DATA");
    assert_non_null(data);
    snprintf(dir, sizeof dir, "/tmp/lj_test_genframes_XXXXXX");
    assert_non_null(mkdtemp(dir));
    char psd[512], roll[512], golden[3][512], out[512], msg[4096];
    snprintf(psd, sizeof psd, "%s/generate/tiny_psd.lstm", data);
    snprintf(roll, sizeof roll, "%s/generate/tiny_pianoroll.lstm", data);
    snprintf(golden[0], sizeof golden[0], "%s/generate/tiny_psd_greedy.mid", data);
    snprintf(golden[1], sizeof golden[1], "%s/generate/tiny_psd_seed7.mid", data);
    snprintf(golden[2], sizeof golden[2], "%s/generate/tiny_pianoroll_seed7.txt", data);
    int write = getenv("LJ_WRITE_GOLDEN") != NULL;
    if (write) {
        encoding *e = make_enc("psd", NULL);
        lj_model *m = frame_model(e, 16, 0, 11, 2.0f);
        save_model(psd, m, e);
        lj_model_destroy(m);
        enc_destroy(e);
        e = make_enc("pianoroll", "grid=240");
        m = frame_model(e, 16, 1, 12, 1.5f);
        save_model(roll, m, e);
        lj_model_destroy(m);
        enc_destroy(e);
    }
    static const char *const isas[3] = {"scalar", "avx2", "avx512"};
    for (int i = 0; i < (write ? 1 : 3); i++) {
        setenv("LJ_ISA", isas[i], 1);
        for (int k = 0; k < 3; k++) {
            snprintf(out, sizeof out, "%s/out%d.%s", dir, k, k == 2 ? "txt" : "mid");
            const char *o = write ? golden[k] : out;
            int rc = k == 0   ? run_cli(msg, sizeof msg, 10, "--model", psd, "--primer", "C4 D4 E4:2", "--length", "60",
                                        "--temperature", "0", "-o", o)
                     : k == 1 ? run_cli(msg, sizeof msg, 10, "--model", psd, "--primer", "C4 D4 E4:2", "--length", "60",
                                        "--seed", "7", "-o", o)
                              : run_cli(msg, sizeof msg, 10, "--model", roll, "--primer", "C4+E4+G4:2 D4+F4", "--length",
                                        "32", "--seed", "7", "-o", o);
            if (rc) fail_msg("%s", msg);
            if (!write) same_file(golden[k], out, isas[i]);
        }
    }
    unsetenv("LJ_ISA");
    cleanup();
}

/* ------------------------------------------------------------------ generator */

static void test_generator(void **st) {
    (void)st;
    char err[256];
    /* psd: mask, clamp, no allocation per step, lengths */
    encoding *e = make_enc("psd", NULL);
    lj_model *m = frame_model(e, 16, 0, 21, 2.0f);
    uint8_t allowed[128];
    unsigned cmajor = 0xAB5; /* C D E F G A B: bits 0 2 4 5 7 9 11 */
    for (int p = 0; p < 128; p++) allowed[p] = (uint8_t)(p >= 55 && p <= 79 && (cmajor >> (p % 12) & 1u));
    gen_opts o;
    gen_opts_default(&o);
    o.length = 2000;
    o.seed = 5;
    o.allowed = allowed;
    frame_generator *g;
    if (gen_frame_create(&g, m, e, &o, 0, err, sizeof err) != LJ_OK) fail_msg("%s", err);
    gen_frame_prime(g, NULL, 0);
    alloc_fail_reset(-1);
    while (!gen_frame_done(g)) {
        const float *f = gen_frame_step(g);
        int p = (int)f[0];
        if (!allowed[p]) fail_msg("pitch %d outside the mask", p);
        assert_true(f[1] >= 0 && f[2] >= 0);
    }
    assert_int_equal(alloc_fail_count(), 0);
    gen_stats gs;
    gen_frame_get_stats(g, &gs);
    assert_int_equal(gs.steps, 2000);
    assert_int_equal(gs.notes, 2000); /* one note per psd frame */
    assert_int_equal(gs.bad_tokens, 0);
    gen_frame_destroy(g);
    /* notes: psd draws one note per frame, so 37 notes are 37 frames */
    o.unit = GEN_NOTES;
    o.length = 37;
    o.max_steps = 1000;
    o.allowed = NULL;
    assert_int_equal(gen_frame_create(&g, m, e, &o, 0, err, sizeof err), LJ_OK);
    gen_frame_prime(g, NULL, 0);
    while (!gen_frame_done(g)) gen_frame_step(g);
    gen_frame_get_stats(g, &gs);
    assert_int_equal(gs.steps, 37);
    gen_frame_destroy(g);
    /* frame models end no piece */
    o.unit = GEN_PIECES;
    o.length = 1;
    assert_int_equal(gen_frame_create(&g, m, e, &o, 0, err, sizeof err), LJ_ERR_ARG);
    assert_non_null(strstr(err, "a psd model never ends a piece"));
    o.unit = GEN_NOTES;
    /* token-only options are refused */
    o.no_repeat_ngram = 3;
    assert_int_equal(gen_frame_create(&g, m, e, &o, 0, err, sizeof err), LJ_ERR_ARG);
    assert_non_null(strstr(err, "no-repeat n-grams"));
    o.no_repeat_ngram = 0;
    /* a mask allowing nothing */
    memset(allowed, 0, sizeof allowed);
    o.allowed = allowed;
    assert_int_equal(gen_frame_create(&g, m, e, &o, 0, err, sizeof err), LJ_ERR_ARG);
    assert_non_null(strstr(err, "allows no pitch"));
    lj_model_destroy(m);
    enc_destroy(e);

    /* pianoroll (Bernoulli and NADE): seconds at an 8th grid, 120 qpm: 0.25 s
     * per frame, so 10 s are 40 frames; no allocation per step */
    e = make_enc("pianoroll", "grid=240");
    for (int nade = 0; nade < 2; nade++) {
        m = frame_model(e, 12, nade, 31 + (uint64_t)nade, 1.5f);
        gen_opts_default(&o);
        o.unit = GEN_SECONDS;
        o.length = 10;
        o.max_steps = 1000;
        assert_int_equal(gen_frame_create(&g, m, e, &o, 0, err, sizeof err), LJ_OK);
        gen_frame_prime(g, NULL, 0);
        alloc_fail_reset(-1);
        size_t on = 0;
        while (!gen_frame_done(g)) {
            const float *f = gen_frame_step(g);
            for (int k = 0; k < 88; k++) {
                assert_true(f[k] == 0.0f || f[k] == 1.0f);
                on += f[k] != 0.0f;
            }
        }
        assert_int_equal(alloc_fail_count(), 0);
        gen_frame_get_stats(g, &gs);
        assert_int_equal(gs.steps, 40);
        assert_true(on > 0 && on < 40 * 88); /* keys are drawn, not all on or all off */
        assert_true(gs.logprob < 0);
        gen_frame_destroy(g);
        lj_model_destroy(m);
    }
    /* a pitch mask for an encoding without a pitch field */
    m = frame_model(e, 12, 0, 3, 1.0f);
    uint8_t all[128];
    memset(all, 1, sizeof all);
    gen_opts_default(&o);
    o.allowed = all;
    assert_int_equal(gen_frame_create(&g, m, e, &o, 0, err, sizeof err), LJ_ERR_ARG);
    assert_non_null(strstr(err, "no pitch field"));
    /* the model of one encoding is not a model of another */
    encoding *p = make_enc("psd", NULL);
    assert_int_equal(frame_sampler_check(m, p, err, sizeof err), LJ_ERR_ARG);
    assert_non_null(strstr(err, "expected a model reading 3 dense features"));
    encoding *pv = make_enc("psd", "with_velocity=1");
    lj_model *mp = frame_model(p, 8, 0, 1, 1.0f);
    assert_int_equal(frame_sampler_check(mp, pv, err, sizeof err), LJ_ERR_ARG);
    assert_non_null(strstr(err, "dense features"));
    encoding *pb = make_enc("psd", "time_bins=50");
    assert_int_equal(frame_sampler_check(mp, pb, err, sizeof err), LJ_ERR_ARG);
    assert_non_null(strstr(err, "head 1: expected 'step' of width 50"));
    lj_model_destroy(mp);
    enc_destroy(pb);
    enc_destroy(pv);
    enc_destroy(p);
    lj_model_destroy(m);
    enc_destroy(e);
}

/* ------------------------------------------------------------------ temperature */

/* FNV-1a of n floats. */
static uint64_t hash_floats(const float *f, size_t n) {
    uint64_t h = 1469598103934665603ull;
    const unsigned char *b = (const unsigned char *)f;
    for (size_t i = 0; i < n * sizeof *f; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* Distinct values among n hashes. */
static int distinct(const uint64_t *h, int n) {
    int d = 0;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++) seen = h[j] == h[i];
        d += !seen;
    }
    return d;
}

/* Pianoroll keys at temperatures 0, 0.3 and 1 over 16 seeds, 24 frames each:
 * distinct runs; distinct first frames (every seed draws the first frame from
 * the same state: the zero input's) and their keys that differ from the T = 0
 * frame. The first frame at T = 0 is the keys with logit > 0 (Bernoulli: the
 * head output after the zero input). */
static void test_temperature(void **st) {
    (void)st;
    char err[256];
    encoding *e = make_enc("pianoroll", "grid=240");
    enum { SEEDS = 16, STEPS = 24 };
    static const float temps[3] = {0.0f, 0.3f, 1.0f};
    for (int nade = 0; nade < 2; nade++) {
        lj_model *m = frame_model(e, 12, nade, 51 + (uint64_t)nade, 1.5f);
        int runs[3], firsts[3], flips[3] = {0, 0, 0};
        float greedy_first[88];
        /* Bernoulli: the first frame's logits z; a key is off its likelier
         * value with p sigmoid(-|z| / T), so over the seeds the expected flips
         * are SEEDS * sum_k sigmoid(-|z_k| / T), variance SEEDS * sum p(1-p) */
        double expect[3] = {0, 0, 0}, var[3] = {0, 0, 0};
        if (!nade) {
            lstm_state *ls;
            assert_int_equal(lstm_state_create(&ls, m, 1, err, sizeof err), LJ_OK);
            float zero[88] = {0};
            lstm_step(m, ls, NULL, zero);
            const float *z = lstm_state_head_output(ls, 0);
            for (int t = 1; t < 3; t++)
                for (int k = 0; k < 88; k++) {
                    double q = 1.0 / (1.0 + exp(fabs((double)z[k]) / temps[t]));
                    expect[t] += SEEDS * q;
                    var[t] += SEEDS * q * (1 - q);
                }
            lstm_state_destroy(ls);
        }
        for (int t = 0; t < 3; t++) {
            uint64_t run_hash[SEEDS], first_hash[SEEDS];
            for (int s = 0; s < SEEDS; s++) {
                gen_opts o;
                gen_opts_default(&o);
                o.length = STEPS;
                o.seed = 100 + (uint64_t)s;
                o.sampler.temperature = temps[t];
                frame_generator *g;
                if (gen_frame_create(&g, m, e, &o, 0, err, sizeof err) != LJ_OK) fail_msg("%s", err);
                gen_frame_prime(g, NULL, 0);
                const float *f = gen_frame_step(g);
                if (t == 0 && s == 0) memcpy(greedy_first, f, sizeof greedy_first);
                for (int k = 0; k < 88; k++) flips[t] += f[k] != greedy_first[k];
                first_hash[s] = hash_floats(f, 88);
                if (t == 0 && s == 0 && !nade) { /* T = 0: on exactly where the logit is > 0 */
                    lstm_state *ls;
                    assert_int_equal(lstm_state_create(&ls, m, 1, err, sizeof err), LJ_OK);
                    float zero[88] = {0};
                    lstm_step(m, ls, NULL, zero);
                    const float *z = lstm_state_head_output(ls, 0);
                    int on = 0;
                    for (int k = 0; k < 88; k++) {
                        if (f[k] != (z[k] > 0 ? 1.0f : 0.0f)) fail_msg("T = 0: key %d is %g, its logit %g", k, f[k], z[k]);
                        on += f[k] != 0;
                    }
                    assert_true(on > 0 && on < 88); /* the check means something: some keys on, some off */
                    lstm_state_destroy(ls);
                }
                while (!gen_frame_done(g)) gen_frame_step(g);
                size_t n;
                const float *fr = gen_frame_frames(g, &n);
                assert_int_equal(n, STEPS);
                run_hash[s] = hash_floats(fr, n * 88);
                gen_frame_destroy(g);
            }
            runs[t] = distinct(run_hash, SEEDS);
            firsts[t] = distinct(first_hash, SEEDS);
        }
        fprintf(stderr,
                "  %s over %d seeds at T = 0, 0.3, 1: distinct runs %d, %d, %d; distinct first frames %d, %d, %d; "
                "their keys off the T = 0 frame %d, %d, %d\n",
                nade ? "NADE" : "Bernoulli", SEEDS, runs[0], runs[1], runs[2], firsts[0], firsts[1], firsts[2],
                flips[0], flips[1], flips[2]);
        assert_int_equal(runs[0], 1); /* deterministic: the seed does not matter */
        assert_int_equal(firsts[0], 1);
        assert_int_equal(flips[0], 0);
        assert_int_equal(runs[2], SEEDS);
        assert_true(flips[1] < flips[2]);
        if (!nade) {
            fprintf(stderr, "  Bernoulli: keys off expected at T = 0.3, 1: %.1f +- %.1f, %.1f +- %.1f\n", expect[1],
                    sqrt(var[1]), expect[2], sqrt(var[2]));
            for (int t = 1; t < 3; t++) /* within 4 standard deviations */
                if (fabs(flips[t] - expect[t]) > 4 * sqrt(var[t]))
                    fail_msg("T = %g: %d keys off the likelier value, expected %.1f", temps[t], flips[t], expect[t]);
        }
        lj_model_destroy(m);
    }
    enc_destroy(e);
}

/* ------------------------------------------------------------------ command */

static void test_command(void **st) {
    (void)st;
    snprintf(dir, sizeof dir, "/tmp/lj_test_genframes_XXXXXX");
    assert_non_null(mkdtemp(dir));
    char psd[512], roll[512], binned[512], out[512], msg[4096], err[256];
    snprintf(psd, sizeof psd, "%s/psd.lstm", dir);
    snprintf(roll, sizeof roll, "%s/roll.lstm", dir);
    snprintf(binned, sizeof binned, "%s/binned.lstm", dir);
    encoding *e = make_enc("psd", NULL);
    lj_model *m = frame_model(e, 16, 0, 41, 2.0f);
    save_model(psd, m, e);
    lj_model_destroy(m);
    enc_destroy(e);
    e = make_enc("psd", "time=beats time_bins=25 time_bin=0.0833333333333 with_velocity=1");
    m = frame_model(e, 16, 0, 42, 2.0f);
    save_model(binned, m, e);
    lj_model_destroy(m);
    enc_destroy(e);
    e = make_enc("pianoroll", NULL);
    m = frame_model(e, 16, 1, 43, 1.5f);
    save_model(roll, m, e);
    lj_model_destroy(m);
    enc_destroy(e);

    /* psd: frames text with the header; the primer first, then 30 frames */
    snprintf(out, sizeof out, "%s/a.txt", dir);
    if (run_cli(msg, sizeof msg, 8, "--model", psd, "--primer", "C4 E4:0.5", "--length", "30", "-o", out)) fail_msg("%s", msg);
    assert_non_null(strstr(msg, "psd model (frames), primer 2 frames, generated 30 frames"));
    uint8_t *text;
    size_t len;
    assert_int_equal(lj_file_read(out, &text, &len, err, sizeof err), LJ_OK);
    assert_non_null(strstr((char *)text, "#lstmjam-frames 1 encoding=psd"));
    assert_non_null(strstr((char *)text, "\n60 0 0.5 | 64 0.5 0.25 | "));
    size_t bars = 0;
    for (size_t i = 0; i < len; i++) bars += text[i] == '|';
    assert_int_equal(bars, 31); /* 32 frames */
    free(text);
    /* a key and a range on the pitch head; MIDI out */
    snprintf(out, sizeof out, "%s/a.mid", dir);
    if (run_cli(msg, sizeof msg, 12, "--model", psd, "--primer", "60", "--key", "G", "--pitch-range", "C4:C5", "--length",
                "40notes", "-o", out))
        fail_msg("%s", msg);
    assert_non_null(strstr(msg, "40 notes"));
    /* binned psd with velocity: softmax heads for every field, temperature and top-k */
    snprintf(out, sizeof out, "%s/b.txt", dir);
    if (run_cli(msg, sizeof msg, 12, "--model", binned, "--primer", "C4 D4", "--temperature", "0.8", "--top-k", "5",
                "--length", "3s", "-o", out))
        fail_msg("%s", msg);
    assert_non_null(strstr(msg, "primer 2 frames"));
    /* pianoroll at its default 16th grid and 120 qpm: 0.125 s per frame, so
     * 2 s are 16 frames after the primer's 4 (one quarter) */
    snprintf(out, sizeof out, "%s/r.txt", dir);
    if (run_cli(msg, sizeof msg, 8, "--model", roll, "--primer", "C4+E4", "--length", "2s", "-o", out)) fail_msg("%s", msg);
    assert_non_null(strstr(msg, "primer 4 frames, generated 16 frames"));

    /* pianoroll temperature: 0 gives one output whatever the seed, 1 does not */
    char roll_out[4][512];
    for (int i = 0; i < 4; i++) {
        snprintf(roll_out[i], sizeof roll_out[i], "%s/t%d.txt", dir, i);
        if (run_cli(msg, sizeof msg, 12, "--model", roll, "--primer", "C4+E4", "--length", "24", "--temperature",
                    i < 2 ? "0" : "1", "--seed", i % 2 ? "2" : "1", "-o", roll_out[i]))
            fail_msg("%s", msg);
    }
    uint8_t *ta, *tb;
    size_t la, lb;
    for (int pair = 0; pair < 2; pair++) {
        assert_int_equal(lj_file_read(roll_out[2 * pair], &ta, &la, err, sizeof err), LJ_OK);
        assert_int_equal(lj_file_read(roll_out[2 * pair + 1], &tb, &lb, err, sizeof err), LJ_OK);
        int same = la == lb && !memcmp(ta, tb, la);
        if (same != (pair == 0)) fail_msg("--temperature %s: seeds 1 and 2 gave %s output", pair ? "1" : "0", same ? "the same" : "different");
        free(ta);
        free(tb);
    }

    /* refused: exit 2, the reason, nothing written */
    snprintf(out, sizeof out, "%s/bad.mid", dir);
    struct {
        const char *model, *opt, *val, *want;
    } bad[] = {
        {psd, "--beam", "2", "--beam searches over tokens; a psd model draws frames"},
        {psd, "--no-repeat-ngram", "3", "act on tokens; a psd model draws frames"},
        {psd, "--repetition-penalty", "1.5", "act on tokens; a psd model draws frames"},
        {roll, "--top-k", "3", "--top-k and --top-p act on softmax heads; a pianoroll model draws each key"},
        {roll, "--top-p", "0.9", "act on softmax heads"},
        {roll, "--key", "C", "need a pitch head; a pianoroll model draws its notes key by key"},
        {roll, "--primer", "C4 H4", "column 4 (note 2 'H4'): expected a pitch"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = strcmp(bad[i].opt, "--primer")
                     ? run_cli(msg, sizeof msg, 8, "--model", bad[i].model, "--primer", "C4", bad[i].opt, bad[i].val, "-o", out)
                     : run_cli(msg, sizeof msg, 6, "--model", bad[i].model, bad[i].opt, bad[i].val, "-o", out);
        if (rc != 2 || !strstr(msg, bad[i].want)) fail_msg("%s %s: exit %d, message %s", bad[i].opt, bad[i].val, rc, msg);
        assert_false(exists(out));
    }
    assert_int_equal(run_cli(msg, sizeof msg, 10, "--model", psd, "--primer", "C4", "--key", "C", "--pitch-range", "61:61", "-o", out), 2);
    assert_non_null(strstr(msg, "the key, scale and pitch range leave no pitch"));
    assert_false(exists(out));
    assert_int_equal(run_cli(msg, sizeof msg, 4, "--model", psd, "-o", out), 2);
    assert_non_null(strstr(msg, "a psd model needs --primer"));
    snprintf(out, sizeof out, "%s/bad.abc", dir);
    assert_int_equal(run_cli(msg, sizeof msg, 6, "--model", roll, "--primer", "C4", "-o", out), 2);
    assert_non_null(strstr(msg, ".abc output needs an abc model; this one is pianoroll"));
    assert_false(exists(out));
    cleanup();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generator),
        cmocka_unit_test(test_temperature),
        cmocka_unit_test(test_command),
        cmocka_unit_test(test_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
