/* train_evaluate_frames_ensemble over transpositions (lstmjam eval
 * --transpose-average), on hand-built pianoroll models and pieces:
 *  - a transposition-equivariant model (key k's output reads only input key
 *    k, the same weights for every key) scores the same with shifts -2:2 as
 *    alone: each run's inputs and targets are moved together and its output
 *    read back at the moved key (moving only the inputs, or reading the
 *    output at the piece's key, changes the loss); notes that a shift moves
 *    off the keyboard are counted;
 *  - a model that ignores its input (head bias 0.05 k on key k) gives, with
 *    shifts -1:3, key k the mean of sigmoid(0.05 (k + s)) over the shifts that
 *    stay on the keyboard: the loss equals that formula computed here (an
 *    asymmetric range, so moving the wrong way is caught);
 *  - two models, one with shifts: each key's probability is the mean over the
 *    models of each model's mean over its shifts;
 *  - shift 0:0 equals train_evaluate_frames (to float rounding: the forward
 *    pass sums its loss in float, the ensemble in double); a range without 0 and a
 *    NADE model are refused. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "pianoroll.h"

enum { K = PIANOROLL_KEYS };

static encoding *roll(void) {
    enc_opts o;
    enc_opts_default(&o, "pianoroll");
    encoding *e = NULL;
    char err[256];
    if (enc_create("pianoroll", &o, &e, err, sizeof err)) fail_msg("%s", err);
    return e;
}

/* Two pieces: chords in the middle of the keyboard, and a note on the top key
 * (87) and one on the lowest (0) that shifts move off. */
static void pieces(frameset *s) {
    assert_int_equal(frameset_init(s, K), LJ_OK);
    static const int a[][4] = {{39, 43, 46, -1}, {39, 43, 46, 51}, {41, 44, 48, -1}, {-1, -1, -1, -1}, {38, 43, 47, 50}};
    static const int b[][4] = {{87, 60, -1, -1}, {87, 0, 62, -1}, {1, 63, -1, -1}};
    float f[5 * K];
    memset(f, 0, sizeof f);
    for (int t = 0; t < 5; t++)
        for (int j = 0; j < 4; j++)
            if (a[t][j] >= 0) f[t * K + a[t][j]] = 1.0f;
    assert_int_equal(frameset_add(s, f, 5), LJ_OK);
    memset(f, 0, sizeof f);
    for (int t = 0; t < 3; t++)
        for (int j = 0; j < 4; j++)
            if (b[t][j] >= 0) f[t * K + b[t][j]] = 1.0f;
    assert_int_equal(frameset_add(s, f, 3), LJ_OK);
}

static lj_model *bernoulli_model(int H, int nade) {
    lj_model_config c;
    memset(&c, 0, sizeof c);
    c.input_kind = LJ_INPUT_DENSE;
    c.input_size = K;
    c.num_layers = 1;
    c.hidden[0] = H;
    c.num_heads = 1;
    snprintf(c.heads[0].name, sizeof c.heads[0].name, "keys");
    c.heads[0].size = K;
    c.heads[0].loss_weight = 1;
    c.heads[0].kind = nade ? LJ_HEAD_NADE : LJ_HEAD_BERNOULLI;
    if (nade) c.heads[0].nade_hidden = 4;
    lj_model *m = NULL;
    char err[256];
    if (lj_model_create(&m, &c, err, sizeof err)) fail_msg("%s", err); /* weights zeroed */
    return m;
}

static float *tensor(lj_model *m, const char *name) {
    const lj_param *p = lj_model_find(m, name);
    assert_non_null(p);
    return p->data;
}

/* H = K units, unit k reads input key k only (gates i, f, g, o with weights
 * 2, 1, 3, -1 and biases 0, 0.5, 0, 0.2), the head's key k reads unit k only
 * (weight 4, bias -2): the same function for every key. */
static lj_model *equivariant_model(void) {
    lj_model *m = bernoulli_model(K, 0);
    float *wih = tensor(m, "lstm.weight_ih_l0"), *bih = tensor(m, "lstm.bias_ih_l0");
    float *hw = tensor(m, "heads.keys.weight"), *hb = tensor(m, "heads.keys.bias");
    const float gate_w[4] = {2, 1, 3, -1}, gate_b[4] = {0, 0.5f, 0, 0.2f};
    for (int g = 0; g < 4; g++)
        for (int k = 0; k < K; k++) {
            wih[(size_t)(g * K + k) * K + (size_t)k] = gate_w[g];
            bih[g * K + k] = gate_b[g];
        }
    for (int k = 0; k < K; k++) {
        hw[(size_t)k * K + (size_t)k] = 4;
        hb[k] = -2;
    }
    lj_model_params_changed(m);
    return m;
}

/* Every weight 0, head bias slope * k + offset on key k: p_k = sigmoid(bias_k)
 * whatever the input. */
static lj_model *bias_model(double slope, double offset) {
    lj_model *m = bernoulli_model(4, 0);
    float *hb = tensor(m, "heads.keys.bias");
    for (int k = 0; k < K; k++) hb[k] = (float)(slope * k + offset);
    lj_model_params_changed(m);
    return m;
}

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* The bias models' probability of key k under shifts lo..hi, by hand. */
static double bias_p(double slope, double offset, int k, int lo, int hi) {
    double sum = 0;
    int used = 0;
    for (int s = lo; s <= hi; s++)
        if (k + s >= 0 && k + s < K) {
            sum += sigmoid((double)(float)(slope * (k + s) + offset));
            used++;
        }
    return sum / used;
}

/* -sum_k log P(frame) per frame for the probabilities p(k) of every frame. */
static double nll_by_hand(const frameset *s, double (*p)(int k)) {
    double total = 0;
    for (size_t q = 0; q < s->n_pieces; q++)
        for (size_t t = 0; t < frameset_piece_len(s, q); t++)
            for (int k = 0; k < K; k++) {
                double pk = p(k);
                total -= frameset_piece(s, q)[t * K + (size_t)k] > 0.5f ? log(pk) : log(1 - pk);
            }
    return total / (double)s->n_frames;
}

static double p_shifted(int k) { return bias_p(0.05, -3, k, -1, 3); }
static double p_mixed(int k) { return 0.5 * (bias_p(0.05, -3, k, -1, 3) + bias_p(-0.03, -1, k, 0, 0)); }

static void test_equivariant(void **state) {
    (void)state;
    encoding *e = roll();
    frameset s;
    pieces(&s);
    lj_model *m = equivariant_model();
    char err[256];
    train_eval plain, ens, zero;
    assert_int_equal(train_evaluate_frames(m, e, &s, 0, &plain, err, sizeof err), LJ_OK);
    int lo = -2, hi = 2, z = 0;
    assert_int_equal(train_evaluate_frames_ensemble(&m, 1, &lo, &hi, e, &s, 0, &ens, err, sizeof err), LJ_OK);
    assert_int_equal(train_evaluate_frames_ensemble(&m, 1, &z, &z, e, &s, 0, &zero, err, sizeof err), LJ_OK);
    assert_int_equal(plain.tokens, 8);
    assert_int_equal(ens.tokens, 8);
    assert_int_equal(ens.windows, 2);
    /* the loss depends on the input (a constant model would pass trivially):
     * an untrained all-zero model scores 88 log 2 = 61 */
    assert_true(plain.nll > 5 && plain.nll < 50);
    /* shifts -2:2 = shift 0 in the same (double) arithmetic; 0:0 = the
     * model's own loss, which the forward pass sums in float */
    assert_true(fabs(ens.nll - zero.nll) < 1e-9 * zero.nll);
    assert_true(fabs(zero.nll - plain.nll) < 1e-6 * plain.nll);
    assert_int_equal(zero.notes_dropped, 0);
    /* key 87 sounds in 2 frames (moved off by +1, +2), key 0 in 1 (-1, -2),
     * key 1 in 1 (-2) */
    assert_int_equal(ens.notes_dropped, 2 * 2 + 2 + 1);
    lj_model_destroy(m);
    frameset_free(&s);
    enc_destroy(e);
}

static void test_shift_direction_by_hand(void **state) {
    (void)state;
    encoding *e = roll();
    frameset s;
    pieces(&s);
    lj_model *ms[2] = {bias_model(0.05, -3), bias_model(-0.03, -1)};
    char err[256];
    train_eval ev;
    int lo[2] = {-1, 0}, hi[2] = {3, 0};
    assert_int_equal(train_evaluate_frames_ensemble(ms, 1, lo, hi, e, &s, 0, &ev, err, sizeof err), LJ_OK);
    double want = nll_by_hand(&s, p_shifted);
    assert_true(fabs(ev.nll - want) < 1e-9 * want);
    /* moving the other way would give a visibly different loss */
    double mirrored = 0;
    {
        double total = 0;
        for (size_t q = 0; q < s.n_pieces; q++)
            for (size_t t = 0; t < frameset_piece_len(&s, q); t++)
                for (int k = 0; k < K; k++) {
                    double pk = bias_p(0.05, -3, k, -3, 1);
                    total -= frameset_piece(&s, q)[t * K + (size_t)k] > 0.5f ? log(pk) : log(1 - pk);
                }
        mirrored = total / (double)s.n_frames;
    }
    assert_true(fabs(mirrored - want) > 1e-3);
    /* two models: the mean of (model 1's mean over -1..3) and model 2 */
    assert_int_equal(train_evaluate_frames_ensemble(ms, 2, lo, hi, e, &s, 0, &ev, err, sizeof err), LJ_OK);
    want = nll_by_hand(&s, p_mixed);
    assert_true(fabs(ev.nll - want) < 1e-9 * want);
    for (int i = 0; i < 2; i++) lj_model_destroy(ms[i]);
    frameset_free(&s);
    enc_destroy(e);
}

static void test_refused(void **state) {
    (void)state;
    encoding *e = roll();
    frameset s;
    pieces(&s);
    lj_model *m = bias_model(0, 0), *nade = bernoulli_model(4, 1);
    char err[256];
    train_eval ev;
    int lo = 1, hi = 2;
    assert_int_equal(train_evaluate_frames_ensemble(&m, 1, &lo, &hi, e, &s, 0, &ev, err, sizeof err), LJ_ERR_ARG);
    assert_non_null(strstr(err, "LO <= 0 <= HI"));
    lo = -1;
    assert_int_equal(train_evaluate_frames_ensemble(&nade, 1, &lo, &hi, e, &s, 0, &ev, err, sizeof err), LJ_ERR_ARG);
    assert_non_null(strstr(err, "Bernoulli"));
    lj_model_destroy(m);
    lj_model_destroy(nade);
    frameset_free(&s);
    enc_destroy(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equivariant),
        cmocka_unit_test(test_shift_direction_by_hand),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
