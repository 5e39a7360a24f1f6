/* Generation (src/generate.c, model/sample.c logit processors, lstmjam
 * generate on a timestep model):
 *  - the sampler's draws follow hand-computed distributions (temperature,
 *    top-k, top-p, a mask) by a chi-square over 200000 draws, and the same
 *    statistic rejects the untruncated distribution (it can fail);
 *    temperature 0 and top-k 1 are argmax;
 *  - repetition penalty and no-repeat n-gram change exactly the logits worked
 *    out by hand, and on a model whose greedy output loops they remove the
 *    repeats;
 *  - beam search equals exhaustive enumeration on a 3-token model (4 steps,
 *    81 sequences), also where greedy misses the best sequence; width 1 is
 *    greedy;
 *  - a seed gives the same tokens, another seed others; a key/range mask is
 *    never broken; gen_step allocates nothing;
 *  - the command: primer notes, outputs (.mid, .txt), bad options and primers
 *    exit 2 with positions and write nothing, same seed same file. */
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
#include "generate.h"
#include "modelio.h"
#include "sample.h"

/* ------------------------------------------------------------------ sampler */

/* Chi-square of counts against probabilities (classes with p == 0 must have
 * no count: returns INFINITY otherwise). */
static double chi_square(const long *count, const double *p, int K, long N) {
    double x2 = 0;
    for (int k = 0; k < K; k++) {
        if (p[k] == 0) {
            if (count[k]) return INFINITY;
            continue;
        }
        double e = p[k] * (double)N, d = (double)count[k] - e;
        x2 += d * d / e;
    }
    return x2;
}

/* 99.9% quantiles of chi-square with df degrees of freedom (df 1..5). */
static const double chi999[6] = {0, 10.83, 13.82, 16.27, 18.47, 20.52};

static void draws(const lj_sampler *s, const float *logits, int K, uint64_t seed, long N, long *count) {
    lj_rng r;
    lj_rng_seed(&r, seed);
    float probs[16];
    int idx[16];
    memset(count, 0, (size_t)K * sizeof *count);
    for (long i = 0; i < N; i++) count[lj_sample(s, logits, K, &r, probs, idx)]++;
}

static void test_sampler_distributions(void **st) {
    (void)st;
    const float l[6] = {1.0f, 2.5f, 0.0f, 2.0f, -1.0f, 1.5f};
    const long N = 200000;
    long c[6];
    double p[6], z;
    /* temperature 0.7: p ~ exp(l / 0.7) */
    lj_sampler s = {0.7f, 0, 1.0f};
    z = 0;
    for (int k = 0; k < 6; k++) z += exp(l[k] / 0.7);
    for (int k = 0; k < 6; k++) p[k] = exp(l[k] / 0.7) / z;
    draws(&s, l, 6, 11, N, c);
    assert_true(chi_square(c, p, 6, N) < chi999[5]);
    /* top-k 3 at T=1: classes 1, 3, 5 renormalised */
    lj_sampler k3 = {1.0f, 3, 1.0f};
    z = exp(2.5) + exp(2.0) + exp(1.5);
    double pk[6] = {0, exp(2.5) / z, 0, exp(2.0) / z, 0, exp(1.5) / z};
    draws(&k3, l, 6, 12, N, c);
    assert_true(chi_square(c, pk, 6, N) < chi999[2]);
    /* the statistic can fail: the same draws against the full softmax */
    double full[6];
    z = 0;
    for (int k = 0; k < 6; k++) z += exp(l[k]);
    for (int k = 0; k < 6; k++) full[k] = exp(l[k]) / z;
    assert_true(chi_square(c, full, 6, N) > 1000);
    /* top-p 0.6 at T=1: masses sorted 0.398, 0.241, 0.146, ...: 0.398 < 0.6 <=
     * 0.639, so the nucleus is {1, 3} */
    lj_sampler tp = {1.0f, 0, 0.6f};
    assert_true(full[1] < 0.6 && full[1] + full[3] >= 0.6);
    double pp[6] = {0, full[1] / (full[1] + full[3]), 0, full[3] / (full[1] + full[3]), 0, 0};
    draws(&tp, l, 6, 13, N, c);
    assert_true(chi_square(c, pp, 6, N) < chi999[1]);
    /* a mask: classes 1 and 3 forbidden, the rest renormalised */
    float masked[6];
    memcpy(masked, l, sizeof masked);
    const uint8_t allowed[6] = {1, 0, 1, 0, 1, 1};
    lj_logits_mask(masked, 6, allowed);
    assert_int_equal(lj_count_finite(masked, 6), 4);
    z = exp(1.0) + exp(0.0) + exp(-1.0) + exp(1.5);
    double pm[6] = {exp(1.0) / z, 0, 1 / z, 0, exp(-1.0) / z, exp(1.5) / z};
    s.temperature = 1.0f;
    draws(&s, masked, 6, 14, N, c);
    assert_true(chi_square(c, pm, 6, N) < chi999[3]);
    /* argmax: temperature 0, and top-k 1 at any temperature */
    lj_sampler t0 = {0.0f, 0, 1.0f}, k1 = {2.0f, 1, 1.0f};
    draws(&t0, l, 6, 15, 1000, c);
    assert_int_equal(c[1], 1000);
    draws(&k1, l, 6, 16, 1000, c);
    assert_int_equal(c[1], 1000);
    draws(&t0, masked, 6, 17, 100, c);
    assert_int_equal(c[5], 100);
    /* log-softmax */
    float ls[6];
    lj_log_softmax(masked, 6, ls);
    assert_true(ls[1] == -INFINITY && fabs(ls[5] - (1.5 - log(z))) < 1e-6);
}

static void test_repetition_processors(void **st) {
    (void)st;
    float l[5] = {2.0f, -1.0f, 0.5f, 3.0f, 1.0f};
    uint8_t seen[5] = {0};
    const int32_t recent[] = {0, 1, 0, 7, -1};
    lj_repetition_penalty(l, 5, recent, 5, 2.0f, seen);
    /* 0 and 1 once each (ids out of range ignored): 2/2 = 1, -1*2 = -2 */
    const float want[5] = {1.0f, -2.0f, 0.5f, 3.0f, 1.0f};
    assert_memory_equal(l, want, sizeof want);
    for (int k = 0; k < 5; k++) assert_int_equal(seen[k], 0);
    /* n-grams over 1 2 3 1 2: n=3 continues (1,2) -> bans 3; n=2 after (2) -> 3;
     * n=1 bans every id seen; n=4 (3,1,2) never came before -> nothing */
    const int32_t h[5] = {1, 2, 3, 1, 2};
    float a[5] = {0, 0, 0, 0, 0};
    assert_int_equal(lj_no_repeat_ngram(a, 5, h, 5, 3), 1);
    assert_true(a[3] == -INFINITY && lj_count_finite(a, 5) == 4);
    float b[5] = {0, 0, 0, 0, 0};
    assert_int_equal(lj_no_repeat_ngram(b, 5, h, 5, 2), 1);
    assert_true(b[3] == -INFINITY);
    float c[5] = {0, 0, 0, 0, 0};
    assert_int_equal(lj_no_repeat_ngram(c, 5, h, 5, 1), 3);
    assert_true(c[1] == -INFINITY && c[2] == -INFINITY && c[3] == -INFINITY && c[0] == 0 && c[4] == 0);
    float d[5] = {0, 0, 0, 0, 0};
    assert_int_equal(lj_no_repeat_ngram(d, 5, h, 5, 4), 0);
}

/* ------------------------------------------------------------------ tiny models */

/* One LSTM layer of H over a vocabulary of V, weights from seed scaled by
 * `scale` (peaky distributions, so greedy output loops and beams differ). */
static lj_model *tiny_model(int V, int H, uint64_t seed, float scale) {
    lj_model_config c;
    memset(&c, 0, sizeof c);
    c.input_kind = LJ_INPUT_EMBEDDING;
    c.input_size = V;
    c.embed_dim = 4;
    c.num_layers = 1;
    c.hidden[0] = H;
    c.num_heads = 1;
    c.heads[0].kind = LJ_HEAD_SOFTMAX;
    strcpy(c.heads[0].name, "next");
    c.heads[0].size = V;
    c.heads[0].loss_weight = 1.0f;
    lj_model *m;
    char err[256];
    if (lj_model_create(&m, &c, err, sizeof err) != LJ_OK) fail_msg("%s", err);
    lj_model_init(m, seed);
    size_t n;
    float *w = lj_model_params(m, &n);
    for (size_t i = 0; i < n; i++) w[i] *= scale;
    return m;
}

/* A timestep encoding over the given names (frozen). */
static encoding *timestep_with(const char *const *names, int n) {
    vocab *v = vocab_create();
    for (int i = 0; i < n; i++) assert_int_equal(vocab_add(v, names[i], strlen(names[i]), NULL), LJ_OK);
    encoding *e;
    char err[256];
    if (enc_create_for_model("timestep", NULL, 0, v, &e, err, sizeof err) != LJ_OK) fail_msg("%s", err);
    return e;
}

static const char *const ts_names[] = {"/", "_", "r", "55", "57", "59", "60", "61", "62", "64", "66", "67"};
#define TS_V 12

static void run_gen(const lj_model *m, const encoding *e, const gen_opts *o, const int32_t *primer,
                    size_t np, int32_t *out, size_t *n) {
    generator *g;
    char err[256];
    if (gen_create(&g, m, e, o, np, err, sizeof err) != LJ_OK) fail_msg("%s", err);
    assert_int_equal(gen_prime(g, primer, np), LJ_OK);
    while (!gen_done(g)) gen_step(g);
    const int32_t *ids = gen_ids(g, n);
    memcpy(out, ids, *n * sizeof *ids);
    gen_destroy(g);
}

/* Positions whose n-gram occurred earlier in ids[from..n). */
static int repeated_ngrams(const int32_t *ids, size_t from, size_t n, int N) {
    int rep = 0;
    for (size_t i = from + 1; i + (size_t)N <= n; i++)
        for (size_t j = from; j < i; j++)
            if (!memcmp(ids + i, ids + j, (size_t)N * sizeof *ids)) {
                rep++;
                break;
            }
    return rep;
}

static void test_generator(void **st) {
    (void)st;
    lj_model *m = tiny_model(TS_V, 16, 5, 3.0f);
    encoding *e = timestep_with(ts_names, TS_V);
    const int32_t primer[] = {6, 1, 8, 1};
    static int32_t a[600], b[600], c[600];
    size_t na, nb, nc;
    gen_opts o;
    gen_opts_default(&o);
    o.length = 300;
    /* the same seed, the same tokens; another seed, others */
    o.seed = 7;
    run_gen(m, e, &o, primer, 4, a, &na);
    run_gen(m, e, &o, primer, 4, b, &nb);
    assert_int_equal(na, 304);
    assert_memory_equal(a, b, na * sizeof *a);
    o.seed = 8;
    run_gen(m, e, &o, primer, 4, c, &nc);
    assert_true(memcmp(a, c, na * sizeof *a) != 0);
    /* temperature 0 = top-k 1 = beam width 1 (greedy) */
    o.sampler.temperature = 0;
    run_gen(m, e, &o, primer, 4, a, &na);
    o.sampler.temperature = 1.5f;
    o.sampler.top_k = 1;
    run_gen(m, e, &o, primer, 4, b, &nb);
    assert_memory_equal(a, b, na * sizeof *a);
    int32_t *beam;
    size_t n;
    double lp;
    char err[256];
    gen_opts g0;
    gen_opts_default(&g0);
    assert_int_equal(gen_beam(m, e, &g0, 1, 300, primer, 4, &beam, &n, &lp, err, sizeof err), LJ_OK);
    assert_int_equal(n, na);
    assert_memory_equal(beam, a, n * sizeof *a);
    free(beam);
    /* greedy loops; the controls break the loop */
    int rep_greedy = repeated_ngrams(a, 4, na, 4);
    o.sampler.top_k = 0;
    o.sampler.temperature = 0;
    o.no_repeat_ngram = 4;
    generator *gg;
    assert_int_equal(gen_create(&gg, m, e, &o, 4, err, sizeof err), LJ_OK);
    gen_prime(gg, primer, 4);
    while (!gen_done(gg)) gen_step(gg);
    gen_stats gs;
    gen_get_stats(gg, &gs);
    const int32_t *ids = gen_ids(gg, &n);
    int rep_ngram = repeated_ngrams(ids, 0, n, 4);
    gen_destroy(gg);
    /* the penalty, sampling at T=1: tokens that repeat one of the last 8 */
    gen_opts po;
    gen_opts_default(&po);
    po.length = 2000;
    po.seed = 9;
    static int32_t long_ids[2100];
    size_t nl;
    int recent[2];
    for (int pass = 0; pass < 2; pass++) {
        po.repetition_penalty = pass ? 3.0f : 1.0f;
        po.penalty_window = 8;
        run_gen(m, e, &po, primer, 4, long_ids, &nl);
        recent[pass] = 0;
        for (size_t i = 12; i < nl; i++)
            for (size_t j = i - 8; j < i; j++)
                if (long_ids[j] == long_ids[i]) {
                    recent[pass]++;
                    break;
                }
    }
    printf("repeated 4-grams in 300 greedy tokens: %d plain, %d with no-repeat-ngram 4 (bans lifted %zu times); "
           "tokens repeating one of the last 8 in 2000 drawn: %d plain, %d with penalty 3\n",
           rep_greedy, rep_ngram, gs.unbanned, recent[0], recent[1]);
    assert_true(rep_greedy > 250);
    assert_true((size_t)rep_ngram <= gs.unbanned);
    assert_true(recent[1] < recent[0] * 9 / 10);
    /* a mask: pitches 57..62 of C major: 57 59 60 62 (55, 61, 64, 66, 67 never) */
    uint8_t allowed[TS_V];
    assert_int_equal(gen_pitch_mask(e, 57, 62, 0xAB5 /* C major */, allowed), 4);
    gen_opts mo;
    gen_opts_default(&mo);
    mo.length = 500;
    mo.sampler.temperature = 2.0f;
    mo.seed = 3;
    run_gen(m, e, &mo, primer, 4, a, &na);
    int outside = 0;
    for (size_t i = 4; i < na; i++) outside += !allowed[a[i]];
    assert_true(outside > 0); /* the mask has something to do */
    mo.allowed = allowed;
    run_gen(m, e, &mo, primer, 4, a, &na);
    for (size_t i = 4; i < na; i++) assert_true(allowed[a[i]]);
    /* zero allocations per step */
    mo.length = 1000;
    mo.no_repeat_ngram = 3;
    mo.repetition_penalty = 1.5f;
    assert_int_equal(gen_create(&gg, m, e, &mo, 4, err, sizeof err), LJ_OK);
    gen_prime(gg, primer, 4);
    alloc_fail_reset(-1);
    while (!gen_done(gg)) gen_step(gg);
    assert_int_equal(alloc_fail_count(), 0);
    gen_destroy(gg);
    /* an empty primer starts from a zero input */
    gen_opts_default(&o);
    o.length = 20;
    run_gen(m, e, &o, NULL, 0, a, &na);
    assert_int_equal(na, 20);
    /* notes and seconds: the decoder counts */
    o.unit = GEN_NOTES;
    o.length = 10;
    o.max_steps = 5000;
    assert_int_equal(gen_create(&gg, m, e, &o, 4, err, sizeof err), LJ_OK);
    gen_prime(gg, primer, 4);
    while (!gen_done(gg)) gen_step(gg);
    gen_get_stats(gg, &gs);
    assert_int_equal(gs.notes, 10);
    gen_destroy(gg);
    o.unit = GEN_SECONDS;
    o.length = 3.0; /* 120 bpm 16ths: 0.125 s a step */
    assert_int_equal(gen_create(&gg, m, e, &o, 4, err, sizeof err), LJ_OK);
    gen_prime(gg, primer, 4);
    while (!gen_done(gg)) gen_step(gg);
    gen_get_stats(gg, &gs);
    assert_true(gs.seconds >= 3.0 && gs.seconds < 3.0 + 0.126);
    gen_destroy(gg);
    enc_destroy(e);
    lj_model_destroy(m);
}

/* ------------------------------------------------------------------ beam */

/* log p of ids[np..np+L) after primer ids[0..np) by stepping batch 1 (double). */
static double seq_logprob(const lj_model *m, const int32_t *ids, size_t np, size_t L) {
    lstm_state *s;
    char err[256];
    assert_int_equal(lstm_state_create(&s, m, 1, err, sizeof err), LJ_OK);
    int K = lj_model_get_config(m)->heads[0].size;
    double lp = 0;
    for (size_t i = 0; i < np + L; i++) {
        if (i >= np) {
            const float *lg = lstm_state_head_output(s, 0);
            double mx = lg[0], z = 0;
            for (int k = 1; k < K; k++) mx = lg[k] > mx ? lg[k] : mx;
            for (int k = 0; k < K; k++) z += exp((double)lg[k] - mx);
            lp += (double)lg[ids[i]] - mx - log(z);
        }
        lstm_step(m, s, &ids[i], NULL);
    }
    lstm_state_destroy(s);
    return lp;
}

static void test_beam_exact(void **st) {
    (void)st;
    static const char *const names3[] = {"60", "62", "64"};
    encoding *e = timestep_with(names3, 3);
    enum { L = 4, W = 27 }; /* W = 3^(L-1): every prefix stays, so the search is exhaustive */
    int greedy_missed = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        lj_model *m = tiny_model(3, 6, seed, 2.5f);
        int32_t seq[1 + L] = {0}, best[1 + L];
        double best_lp = -INFINITY;
        for (int code = 0; code < 81; code++) {
            for (int t = 0, c = code; t < L; t++, c /= 3) seq[1 + t] = c % 3;
            double lp = seq_logprob(m, seq, 1, L);
            if (lp > best_lp) {
                best_lp = lp;
                memcpy(best, seq, sizeof seq);
            }
        }
        gen_opts o;
        gen_opts_default(&o);
        int32_t *ids, *g1;
        size_t n;
        double lp, lp1;
        char err[256];
        assert_int_equal(gen_beam(m, e, &o, W, L, seq, 1, &ids, &n, &lp, err, sizeof err), LJ_OK);
        assert_int_equal(n, 1 + L);
        if (memcmp(ids, best, sizeof best)) fail_msg("seed %d: beam %d%d%d%d, best %d%d%d%d", (int)seed, ids[1], ids[2], ids[3], ids[4], best[1], best[2], best[3], best[4]);
        assert_true(fabs(lp - best_lp) < 1e-4);
        assert_int_equal(gen_beam(m, e, &o, 1, L, seq, 1, &g1, &n, &lp1, err, sizeof err), LJ_OK);
        greedy_missed += memcmp(g1, best, sizeof best) != 0;
        assert_true(lp1 <= lp + 1e-4); /* batch 1 steps on the packed path: rounding */
        free(ids);
        free(g1);
        lj_model_destroy(m);
    }
    printf("beam 27 = exhaustive search on 40 models; greedy missed the best sequence on %d\n", greedy_missed);
    assert_true(greedy_missed > 0);
    enc_destroy(e);
}

/* ------------------------------------------------------------------ command */

static char dir[256];

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

static void test_command(void **st) {
    (void)st;
    snprintf(dir, sizeof dir, "/tmp/lj_test_generate_XXXXXX");
    assert_non_null(mkdtemp(dir));
    lj_model *m = tiny_model(TS_V, 16, 5, 3.0f);
    encoding *e = timestep_with(ts_names, TS_V);
    vocab *v = vocab_create();
    for (int i = 0; i < TS_V; i++) vocab_add(v, ts_names[i], strlen(ts_names[i]), NULL);
    char model[512], out[512], out2[512], msg[4096], err[256];
    snprintf(model, sizeof model, "%s/ts.lstm", dir);
    assert_int_equal(modelio_save(model, m, "timestep", v, 0, err, sizeof err), LJ_OK);
    vocab_destroy(v);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(out2, sizeof out2, "%s/out2.txt", dir);
    /* primer notes, tokens out; the same seed, the same file */
    assert_int_equal(run_cli(msg, sizeof msg, 8, "--model", model, "--primer", "C4 D4:0.5 C4+E4", "--seed", "4", "-o", out), 0);
    assert_int_equal(run_cli(msg, sizeof msg, 8, "--model", model, "--primer", "C4 D4:0.5 C4+E4", "--seed", "4", "-o", out2), 0);
    uint8_t *a, *b;
    size_t la, lb;
    assert_int_equal(lj_file_read(out, &a, &la, err, sizeof err), LJ_OK);
    assert_int_equal(lj_file_read(out2, &b, &lb, err, sizeof err), LJ_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    /* header, then the primer's tokens (C4 _ _ _ D4 _ E4 _ _ _: the skyline of
     * the chord is its top note) and 500 more */
    assert_non_null(strstr((char *)a, "#lstmjam-tokens 1 encoding=timestep"));
    assert_non_null(strstr((char *)a, "\n60 _ _ _ 62 _ 64 _ _ _ "));
    free(a);
    free(b);
    /* a MIDI file, a key and a range */
    snprintf(out, sizeof out, "%s/out.mid", dir);
    assert_int_equal(run_cli(msg, sizeof msg, 12, "--model", model, "--primer", "60 62", "--key", "C", "--pitch-range", "57:62", "--length", "8notes", "-o", out), 0);
    assert_true(exists(out));
    /* bad usage and bad primers: exit 2, a message with the position, nothing written */
    snprintf(out, sizeof out, "%s/bad.mid", dir);
    struct {
        const char *opt, *val, *want;
    } bad[] = {
        {"--primer", "C4 E4 H4", "column 7 (note 3 'H4'): expected a pitch"},
        {"--primer", "C4:0 E4", "column 4 (note 1 'C4:0'): expected a length"},
        {"--length", "10bars", "expected a unit steps, notes, s or pieces"},
        {"--temperature", "-1", "--temperature: expected a number in 0..100"},
        {"--top-p", "0", "--top-p: expected a number in (0, 1]"},
        {"--key", "H", "--key: expected a key"},
        {"--pitch-range", "70:60", "--pitch-range: expected LO:HI"},
        {"--scale", "1010", "--scale: expected 12 digits"},
        {"--pitch-range", "63:63", "leave no note"},
        {"--bogus", "1", "unknown option '--bogus'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *primer = strcmp(bad[i].opt, "--primer") ? "60" : bad[i].val;
        int rc = strcmp(bad[i].opt, "--primer")
                     ? run_cli(msg, sizeof msg, 8, "--model", model, "--primer", primer, bad[i].opt, bad[i].val, "-o", out)
                     : run_cli(msg, sizeof msg, 6, "--model", model, "--primer", primer, "-o", out);
        if (rc != 2 || !strstr(msg, bad[i].want)) fail_msg("%s %s: exit %d, message %s", bad[i].opt, bad[i].val, rc, msg);
        assert_false(exists(out));
    }
    /* the model's kind of output and primer */
    snprintf(out, sizeof out, "%s/out.abc", dir);
    assert_int_equal(run_cli(msg, sizeof msg, 6, "--model", model, "--primer", "60", "-o", out), 2);
    assert_non_null(strstr(msg, ".abc output needs an abc model"));
    assert_false(exists(out));
    assert_int_equal(run_cli(msg, sizeof msg, 4, "--model", model, "-o", out2), 2);
    assert_non_null(strstr(msg, "needs --primer"));
    assert_int_equal(run_cli(msg, sizeof msg, 8, "--model", model, "--primer", "60", "--beam", "3", "--top-k", "2"), 2);
    assert_non_null(strstr(msg, "--beam searches deterministically"));
    enc_destroy(e);
    lj_model_destroy(m);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* A tiny timestep model committed under tests/data/generate/ and what lstmjam
 * generate makes of it: greedy, and sampled with seed 7, token for token.
 * LJ_WRITE_GOLDEN=1 writes the model and the golden files afresh. */
static void test_golden(void **st) {
    (void)st;
    const char *data = getenv("LJ_TEST_DATA");
    assert_non_null(data);
    char model[512], golden[2][512], out[512], msg[4096], err[256];
    snprintf(model, sizeof model, "%s/generate/tiny_timestep.lstm", data);
    snprintf(golden[0], sizeof golden[0], "%s/generate/tiny_timestep_greedy.txt", data);
    snprintf(golden[1], sizeof golden[1], "%s/generate/tiny_timestep_seed7.txt", data);
    snprintf(dir, sizeof dir, "/tmp/lj_test_golden_XXXXXX");
    assert_non_null(mkdtemp(dir));
    int write = getenv("LJ_WRITE_GOLDEN") != NULL;
    if (write) {
        lj_model *m = tiny_model(TS_V, 16, 5, 3.0f);
        vocab *v = vocab_create();
        for (int i = 0; i < TS_V; i++) vocab_add(v, ts_names[i], strlen(ts_names[i]), NULL);
        assert_int_equal(modelio_save(model, m, "timestep", v, 0, err, sizeof err), LJ_OK);
        vocab_destroy(v);
        lj_model_destroy(m);
    }
    for (int k = 0; k < 2; k++) {
        snprintf(out, sizeof out, "%s/out%d.txt", dir, k);
        int rc = k == 0 ? run_cli(msg, sizeof msg, 10, "--model", model, "--primer", "C4 D4 E4:2", "--length", "200", "--temperature", "0", "-o", write ? golden[k] : out)
                        : run_cli(msg, sizeof msg, 10, "--model", model, "--primer", "C4 D4 E4:2", "--length", "200", "--seed", "7", "-o", write ? golden[k] : out);
        if (rc) fail_msg("%s", msg);
        if (write) continue;
        uint8_t *a, *b;
        size_t la, lb;
        assert_int_equal(lj_file_read(golden[k], &a, &la, err, sizeof err), LJ_OK);
        assert_int_equal(lj_file_read(out, &b, &lb, err, sizeof err), LJ_OK);
        if (la != lb || memcmp(a, b, la)) fail_msg("%s differs from the golden %s", out, golden[k]);
        free(a);
        free(b);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sampler_distributions),
        cmocka_unit_test(test_repetition_processors),
        cmocka_unit_test(test_generator),
        cmocka_unit_test(test_beam_exact),
        cmocka_unit_test(test_command),
        cmocka_unit_test(test_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
