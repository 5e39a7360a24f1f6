/* The model beyond single kernels: the step API equals the sequence forward
 * (every input kind), state copy/restore and beam-row copies, lstm_step
 * allocates nothing, BLAS and plain-loop kernels agree on a whole training
 * step, dropout (between layers, and on dense inputs) is deterministic and
 * its gradient matches finite differences,
 * and bad configurations, shapes and tokens are refused with a message.
 *
 * Linked with -Wl,--wrap=malloc,calloc,realloc,aligned_alloc so the test can
 * count allocations made by lstmjam's own code during lstm_step. */
#include "kernels.h"
#include "model.h"
#include "test_model_util.h"

#include <string.h>

/* ---- allocation counter ------------------------------------------------------ */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
static long alloc_calls;
void *__wrap_malloc(size_t n) { alloc_calls++; return __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t s) { alloc_calls++; return __real_calloc(n, s); }
void *__wrap_realloc(void *p, size_t n) { alloc_calls++; return __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t a, size_t n) { alloc_calls++; return __real_aligned_alloc(a, n); }

static lj_model_config make_config(lj_input_kind kind, float dropout) {
    lj_model_config c = {.input_kind = kind, .input_size = 11, .embed_dim = 6, .num_layers = 3,
                         .hidden = {9, 7, 8}, .dropout = dropout, .num_heads = 2};
    c.heads[0] = (lj_head_config){.kind = LJ_HEAD_SOFTMAX, .name = "tok", .size = 11,
                                  .loss_weight = 1.0f};
    c.heads[1] = (lj_head_config){.kind = LJ_HEAD_MSE, .name = "dur", .size = 2,
                                  .loss_weight = 0.5f, .pressure = 10.0f};
    return c;
}

typedef struct data {
    int B, T, I;
    int32_t *tokens, *ids;
    float *features, *values;
    lj_batch batch;
} data;

static void make_data(data *d, const lj_model_config *c, int B, int T, lj_rng *rng) {
    d->B = B;
    d->T = T;
    d->I = c->input_size;
    size_t TB = (size_t)B * T;
    d->tokens = tm_calloc(TB, sizeof(int32_t));
    d->ids = tm_calloc(TB, sizeof(int32_t));
    d->features = tm_calloc(TB * c->input_size, sizeof(float));
    d->values = tm_calloc(TB * c->heads[1].size, sizeof(float));
    for (size_t i = 0; i < TB; i++) {
        d->tokens[i] = (int32_t)(lj_rng_u64(rng) % c->input_size);
        d->ids[i] = (int32_t)(lj_rng_u64(rng) % c->heads[0].size);
    }
    d->tokens[1] = -1; /* a zero input */
    tm_fill_f32(d->features, TB * c->input_size, rng, 1.0f);
    tm_fill_f32(d->values, TB * c->heads[1].size, rng, 1.0f);
    d->batch = (lj_batch){.B = B, .T = T};
    if (c->input_kind == LJ_INPUT_DENSE)
        d->batch.features = d->features;
    else
        d->batch.tokens = d->tokens;
    d->batch.target_ids[0] = d->ids;
    d->batch.target_values[1] = d->values;
}

static void free_data(data *d) {
    free(d->tokens);
    free(d->ids);
    free(d->features);
    free(d->values);
}

static lj_model *new_model(const lj_model_config *c, uint64_t seed) {
    char err[256];
    lj_model *m = NULL;
    if (lj_model_create(&m, c, err, sizeof err) != LJ_OK) {
        printf("create: %s\n", err);
        exit(1);
    }
    lj_model_init(m, seed);
    return m;
}

/* ---- step API == sequence forward ------------------------------------------ */

static void test_step_equals_forward(lj_input_kind kind, int naive, lj_rng *rng) {
    char err[256];
    lj_model_config c = make_config(kind, 0.0f);
    lj_model *m = new_model(&c, 11);
    lj_model_set_naive(m, naive);
    data d;
    make_data(&d, &c, 3, 8, rng);
    lj_acts *a = NULL;
    lstm_state *s = NULL;
    TM_CHECK(lj_acts_create(&a, m, d.B, d.T, err, sizeof err) == LJ_OK, "acts: %s", err);
    TM_CHECK(lstm_state_create(&s, m, d.B, err, sizeof err) == LJ_OK, "state: %s", err);
    double loss;
    TM_CHECK(lj_model_forward(m, a, &d.batch, NULL, &loss, err, sizeof err) == LJ_OK,
             "forward: %s", err);
    double worst = 0;
    long allocs_before = alloc_calls;
    for (int t = 0; t < d.T; t++) {
        lstm_step(m, s, d.tokens + (size_t)t * d.B, d.features + (size_t)t * d.B * d.I);
        for (int h = 0; h < c.num_heads; h++) {
            size_t K = (size_t)c.heads[h].size, n = (size_t)d.B * K;
            double e = tm_rel_err_f32(lstm_state_head_output(s, h),
                                      lj_acts_head_output(a, h) + (size_t)t * n, n, 1e-3);
            worst = e > worst ? e : worst;
        }
    }
    long step_allocs = alloc_calls - allocs_before;
    double tol = naive ? 1e-6 : 1e-5;
    TM_CHECK(worst < tol, "input kind %d naive %d: step vs sequence rel err %.3g", (int)kind,
             naive, worst);
    TM_CHECK(step_allocs == 0, "lstm_step allocated %ld times in %d steps", step_allocs, d.T);
    printf("  step == forward, input %d, %s: rel err %.2e, %ld allocations\n", (int)kind,
           naive ? "naive" : "blas ", worst, step_allocs);
    lstm_state_destroy(s);
    lj_acts_destroy(a);
    lj_model_destroy(m);
    free_data(&d);
}

/* ---- state copy / restore / beam rows -------------------------------------- */

static void test_state_copy(lj_rng *rng) {
    char err[256];
    lj_model_config c = make_config(LJ_INPUT_EMBEDDING, 0.0f);
    lj_model *m = new_model(&c, 12);
    lstm_state *s = NULL, *saved = NULL, *other = NULL;
    lstm_state_create(&s, m, 2, err, sizeof err);
    lstm_state_create(&saved, m, 2, err, sizeof err);
    lstm_state_create(&other, m, 1, err, sizeof err);
    int32_t tok[2];
    for (int t = 0; t < 4; t++) {
        tok[0] = (int32_t)(lj_rng_u64(rng) % 11);
        tok[1] = (int32_t)(lj_rng_u64(rng) % 11);
        lstm_step(m, s, tok, NULL);
    }
    TM_CHECK(lstm_state_copy(saved, s) == LJ_OK, "copy refused");
    TM_CHECK(lstm_state_copy(other, s) == LJ_ERR_ARG, "copy between batch sizes accepted");
    float first[3][22], again[3][22];
    int32_t seq[3][2] = {{1, 2}, {3, 4}, {5, 6}};
    for (int t = 0; t < 3; t++) {
        lstm_step(m, s, seq[t], NULL);
        memcpy(first[t], lstm_state_head_output(s, 0), 22 * sizeof(float));
    }
    lstm_state_copy(s, saved); /* rewind */
    for (int t = 0; t < 3; t++) {
        lstm_step(m, s, seq[t], NULL);
        memcpy(again[t], lstm_state_head_output(s, 0), 22 * sizeof(float));
    }
    TM_CHECK(memcmp(first, again, sizeof first) == 0, "restored state does not replay exactly");
    /* beam reorder: row 1 := row 0, then both rows see the same token */
    TM_CHECK(lstm_state_copy_row(s, 1, s, 0) == LJ_OK, "copy_row refused");
    TM_CHECK(lstm_state_copy_row(s, 2, s, 0) == LJ_ERR_ARG, "copy_row out of range accepted");
    int32_t same[2] = {7, 7};
    lstm_step(m, s, same, NULL);
    const float *out = lstm_state_head_output(s, 0);
    TM_CHECK(memcmp(out, out + 11, 11 * sizeof(float)) == 0, "beam rows differ after copy_row");
    /* an out-of-range token in the step API is a zero input, not a crash */
    int32_t bad[2] = {-5, 1000};
    lstm_step(m, s, bad, NULL);
    TM_CHECK(isfinite(lstm_state_head_output(s, 0)[0]), "bad token gave a non-finite output");
    lstm_state_reset(s);
    TM_CHECK(lstm_state_h(s, 2)[0] == 0.0f && lstm_state_c(s, 0)[3] == 0.0f, "reset left state");
    lstm_state_destroy(s);
    lstm_state_destroy(saved);
    lstm_state_destroy(other);
    lstm_state_destroy(NULL);
    lj_model_destroy(m);
}

/* ---- BLAS vs naive ------------------------------------------------------------ */

static void test_gemm_twins(lj_rng *rng, int M) {
    const int N = 17, K = 29;
    float *A = tm_calloc((size_t)M * K, sizeof(float)), *B = tm_calloc((size_t)K * N, sizeof(float));
    float *C1 = tm_calloc((size_t)M * N, sizeof(float)), *C2 = tm_calloc((size_t)M * N, sizeof(float));
    double worst = 0;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (int bi = 0; bi < 3; bi++) {
                float beta = bi == 0 ? 0.0f : (bi == 1 ? 1.0f : 0.5f);
                tm_fill_f32(A, (size_t)M * K, rng, 1.0f);
                tm_fill_f32(B, (size_t)K * N, rng, 1.0f);
                tm_fill_f32(C1, (size_t)M * N, rng, 1.0f);
                memcpy(C2, C1, (size_t)M * N * sizeof(float));
                int lda = ta ? M : K, ldb = tb ? K : N;
                gemm(0, ta, tb, M, N, K, 0.75f, A, lda, B, ldb, beta, C1, N);
                gemm_naive(ta, tb, M, N, K, 0.75f, A, lda, B, ldb, beta, C2, N);
                double e = tm_rel_err_f32(C1, C2, (size_t)M * N, 1e-3);
                TM_CHECK(e < 1e-5, "gemm M %d ta %d tb %d beta %g: blas vs naive %.3g", M, ta,
                         tb, (double)beta, e);
                worst = e > worst ? e : worst;
            }
    printf("  gemm blas vs naive, M = %d (12 variants): worst rel err %.2e\n", M, worst);
    free(A); free(B); free(C1); free(C2);
}

static void test_model_twins(lj_input_kind kind, lj_rng *rng) {
    char err[256];
    lj_model_config c = make_config(kind, 0.25f);
    c.hidden[0] = 40;
    c.hidden[1] = 33;
    c.hidden[2] = 48;
    lj_model *mb = new_model(&c, 21), *mn = new_model(&c, 21);
    lj_model_set_naive(mn, 1);
    data d;
    make_data(&d, &c, 5, 12, rng);
    lj_acts *ab = NULL, *an = NULL;
    lj_acts_create(&ab, mb, d.B, d.T, err, sizeof err);
    lj_acts_create(&an, mn, d.B, d.T, err, sizeof err);
    lj_rng r1, r2;
    lj_rng_seed(&r1, 99);
    lj_rng_seed(&r2, 99);
    double lb, ln;
    lj_model_forward(mb, ab, &d.batch, &r1, &lb, err, sizeof err);
    lj_model_forward(mn, an, &d.batch, &r2, &ln, err, sizeof err);
    lj_model_backward(mb, ab, &d.batch, err, sizeof err);
    lj_model_backward(mn, an, &d.batch, err, sizeof err);
    TM_CHECK(fabs(lb - ln) <= 1e-5 * fabs(ln), "loss blas %.9g naive %.9g", lb, ln);
    double worst = 0;
    for (int i = 0; i < lj_model_tensor_count(mb); i++) {
        const lj_param *pb = lj_model_tensor(mb, i), *pn = lj_model_tensor(mn, i);
        double e = tm_rel_err_f32(pb->grad, pn->grad, pb->numel, 1e-6);
        TM_CHECK(e < 1e-4, "input %d: gradient %s blas vs naive %.3g", (int)kind, pb->name, e);
        worst = e > worst ? e : worst;
    }
    printf("  model blas vs naive, input %d: loss %.7g vs %.7g, worst grad rel err %.2e\n",
           (int)kind, lb, ln, worst);
    lj_acts_destroy(ab);
    lj_acts_destroy(an);
    lj_model_destroy(mb);
    lj_model_destroy(mn);
    free_data(&d);
}

/* ---- dropout ------------------------------------------------------------------- */

static double loss_with_seed(lj_model *m, lj_acts *a, const lj_batch *b, uint64_t seed) {
    lj_rng r;
    lj_rng_seed(&r, seed);
    double loss = 0;
    char err[256];
    lj_model_forward(m, a, b, &r, &loss, err, sizeof err);
    return loss;
}

static void test_dropout(lj_rng *rng) {
    char err[256];
    lj_model_config c = make_config(LJ_INPUT_EMBEDDING, 0.3f);
    lj_model *m = new_model(&c, 31);
    lj_model_set_naive(m, 1);
    data d;
    make_data(&d, &c, 4, 6, rng);
    lj_acts *a = NULL;
    lj_acts_create(&a, m, d.B, d.T, err, sizeof err);
    double l1 = loss_with_seed(m, a, &d.batch, 5), l2 = loss_with_seed(m, a, &d.batch, 5);
    double l3 = loss_with_seed(m, a, &d.batch, 6), le = 0;
    lj_model_forward(m, a, &d.batch, NULL, &le, err, sizeof err);
    TM_CHECK(l1 == l2, "same dropout seed, different losses %.9g %.9g", l1, l2);
    TM_CHECK(l1 != l3 && l1 != le, "dropout has no effect (%.9g %.9g %.9g)", l1, l3, le);

    /* the gradient with dropout on, against float central differences with the
     * same masks (seed), on sampled elements of every tensor */
    lj_model_zero_grad(m);
    loss_with_seed(m, a, &d.batch, 5);
    lj_model_backward(m, a, &d.batch, err, sizeof err);
    const float eps = 1e-2f;
    for (int i = 0; i < lj_model_tensor_count(m); i++) {
        const lj_param *p = lj_model_tensor(m, i);
        double num_err = 0, scale = 1e-3;
        for (int k = 0; k < 12; k++) {
            size_t j = (size_t)(lj_rng_u64(rng) % p->numel);
            float keep = p->data[j];
            p->data[j] = keep + eps;
            double lp = loss_with_seed(m, a, &d.batch, 5);
            p->data[j] = keep - eps;
            double lm = loss_with_seed(m, a, &d.batch, 5);
            p->data[j] = keep;
            double numeric = (lp - lm) / (2.0 * eps);
            double e = fabs(numeric - p->grad[j]);
            num_err = e > num_err ? e : num_err;
            scale = fabs(numeric) > scale ? fabs(numeric) : scale;
        }
        TM_CHECK(num_err / scale < 2e-2, "dropout model: gradient %s vs finite differences "
                 "rel err %.3g", p->name, num_err / scale);
    }
    lj_acts_destroy(a);
    lj_model_destroy(m);
    free_data(&d);
}

/* Input dropout (model.input_dropout, dense inputs): the same seed gives the
 * same loss and another seed another; without an rng (eval) the model is the
 * one without input dropout, bit for bit; with one, the forward is the plain
 * model's on the features times the inverted-dropout mask drawn first from
 * that rng (0 with probability p, else 1/(1-p)); the gradient matches float
 * central differences with the same mask; on a 1-thread BLAS model and a
 * plain-loop one. */
static void test_input_dropout(int naive, lj_rng *rng) {
    char err[256];
    const float p_drop = 0.25f;
    lj_model_config c = make_config(LJ_INPUT_DENSE, 0.0f), c0 = c;
    c.input_dropout = p_drop;
    lj_model *m = new_model(&c, 41), *m0 = new_model(&c0, 41);
    lj_model_set_naive(m, naive);
    lj_model_set_naive(m0, naive);
    size_t n, n0;
    float *w = lj_model_params(m, &n), *w0 = lj_model_params(m0, &n0);
    TM_CHECK(n == n0 && memcmp(w, w0, n * sizeof *w) == 0, "input dropout changed the initial weights");
    data d;
    make_data(&d, &c, 4, 6, rng);
    lj_acts *a = NULL, *a0 = NULL;
    lj_acts_create(&a, m, d.B, d.T, err, sizeof err);
    lj_acts_create(&a0, m0, d.B, d.T, err, sizeof err);
    double l1 = loss_with_seed(m, a, &d.batch, 5), l2 = loss_with_seed(m, a, &d.batch, 5);
    double l3 = loss_with_seed(m, a, &d.batch, 6), le = 0, le0 = 0, lmask = 0;
    TM_CHECK(lj_model_forward(m, a, &d.batch, NULL, &le, err, sizeof err) == LJ_OK, "%s", err);
    lj_model_forward(m0, a0, &d.batch, NULL, &le0, err, sizeof err);
    TM_CHECK(l1 == l2, "input dropout: same seed, different losses %.9g %.9g", l1, l2);
    TM_CHECK(l1 != l3 && l1 != le, "input dropout has no effect (%.9g %.9g %.9g)", l1, l3, le);
    TM_CHECK(le == le0, "eval (no rng) with input dropout %.9g, without %.9g", le, le0);

    /* the mask: the first TB*I uniforms of the rng */
    size_t nx = (size_t)d.B * d.T * d.I, dropped = 0;
    float *xm = tm_calloc(nx, sizeof *xm);
    lj_rng r;
    lj_rng_seed(&r, 5);
    for (size_t i = 0; i < nx; i++) {
        int drop = lj_rng_uniform(&r) < p_drop;
        xm[i] = drop ? 0.0f : d.features[i] * (1.0f / (1.0f - p_drop));
        dropped += drop;
    }
    lj_batch bm = d.batch;
    bm.features = xm;
    lj_model_forward(m0, a0, &bm, NULL, &lmask, err, sizeof err);
    TM_CHECK(fabs(lmask - l1) <= 1e-6 * fabs(l1), "input dropout loss %.9g, plain model on masked input %.9g",
             l1, lmask);
    TM_CHECK(dropped > 0 && dropped < nx, "mask dropped %zu of %zu", dropped, nx);

    lj_model_zero_grad(m);
    loss_with_seed(m, a, &d.batch, 5);
    lj_model_backward(m, a, &d.batch, err, sizeof err);
    const float eps = 1e-2f;
    for (int i = 0; i < lj_model_tensor_count(m); i++) {
        const lj_param *p = lj_model_tensor(m, i);
        double num_err = 0, scale = 1e-3;
        for (int k = 0; k < 12; k++) {
            size_t j = (size_t)(lj_rng_u64(rng) % p->numel);
            float keep = p->data[j];
            p->data[j] = keep + eps;
            double lp = loss_with_seed(m, a, &d.batch, 5);
            p->data[j] = keep - eps;
            double lm = loss_with_seed(m, a, &d.batch, 5);
            p->data[j] = keep;
            double numeric = (lp - lm) / (2.0 * eps);
            double e = fabs(numeric - p->grad[j]);
            num_err = e > num_err ? e : num_err;
            scale = fabs(numeric) > scale ? fabs(numeric) : scale;
        }
        TM_CHECK(num_err / scale < 2e-2, "input dropout (%s): gradient %s vs finite differences rel err %.3g",
                 naive ? "naive" : "blas", p->name, num_err / scale);
    }
    free(xm);
    lj_acts_destroy(a);
    lj_acts_destroy(a0);
    lj_model_destroy(m);
    lj_model_destroy(m0);
    free_data(&d);

    /* refusals: token inputs (a table lookup), p = 1 */
    lj_model *bad = NULL;
    c = make_config(LJ_INPUT_EMBEDDING, 0.0f);
    c.input_dropout = 0.1f;
    TM_CHECK(lj_model_create(&bad, &c, err, sizeof err) == LJ_ERR_ARG && strstr(err, "input_dropout"),
             "input dropout on an embedding input accepted (%s)", err);
    c = make_config(LJ_INPUT_DENSE, 0.0f);
    c.input_dropout = 1.0f;
    TM_CHECK(lj_model_create(&bad, &c, err, sizeof err) == LJ_ERR_ARG && strstr(err, "input_dropout"),
             "input dropout 1 accepted (%s)", err);
}

/* ---- validation ---------------------------------------------------------------- */

static void test_validation(lj_rng *rng) {
    char err[256] = "";
    lj_model *m = NULL;
    lj_model_config c = make_config(LJ_INPUT_EMBEDDING, 0.0f);
    c.num_layers = 5;
    TM_CHECK(lj_model_create(&m, &c, err, sizeof err) == LJ_ERR_ARG && !m &&
                 strstr(err, "num_layers"), "5 layers accepted (%s)", err);
    c = make_config(LJ_INPUT_EMBEDDING, 0.0f);
    strcpy(c.heads[1].name, "tok");
    TM_CHECK(lj_model_create(&m, &c, err, sizeof err) == LJ_ERR_ARG && strstr(err, "tok"),
             "duplicate head name accepted (%s)", err);
    c = make_config(LJ_INPUT_EMBEDDING, 1.0f);
    TM_CHECK(lj_model_create(&m, &c, err, sizeof err) == LJ_ERR_ARG, "dropout 1 accepted");
    c = make_config(LJ_INPUT_EMBEDDING, 0.0f);
    c.heads[0].name[0] = 0;
    TM_CHECK(lj_model_create(&m, &c, err, sizeof err) == LJ_ERR_ARG, "empty head name accepted");

    c = make_config(LJ_INPUT_EMBEDDING, 0.0f);
    m = new_model(&c, 1);
    const lj_param *p = lj_model_find(m, "lstm.weight_ih_l1");
    TM_CHECK(p && p->shape[0] == 4 * 7 && p->shape[1] == 9, "lstm.weight_ih_l1 view wrong");
    p = lj_model_find(m, "heads.dur.bias");
    TM_CHECK(p && p->ndim == 1 && p->shape[0] == 2, "heads.dur.bias view wrong");
    TM_CHECK(lj_model_find(m, "nope") == NULL, "unknown name found");
    size_t total = 0, arena;
    for (int i = 0; i < lj_model_tensor_count(m); i++) {
        p = lj_model_tensor(m, i);
        total += p->numel;
        TM_CHECK(((uintptr_t)p->data % 64) == 0, "tensor %s not 64-byte aligned", p->name);
    }
    lj_model_params(m, &arena);
    TM_CHECK(total == lj_model_num_params(m) && arena >= total, "parameter count mismatch");

    data d;
    make_data(&d, &c, 2, 5, rng);
    lj_acts *a = NULL;
    lj_acts_create(&a, m, 2, 5, err, sizeof err);
    lj_batch other = d.batch;
    other.T = 6;
    TM_CHECK(lj_model_forward(m, a, &other, NULL, NULL, err, sizeof err) == LJ_ERR_ARG &&
                 strstr(err, "allocated"), "changed shape accepted (%s)", err);
    TM_CHECK(lj_model_backward(m, a, &d.batch, err, sizeof err) == LJ_ERR_ARG,
             "backward without forward accepted");
    d.tokens[3] = 11;
    TM_CHECK(lj_model_forward(m, a, &d.batch, NULL, NULL, err, sizeof err) == LJ_ERR_RANGE,
             "token 11 of 11 accepted");
    d.tokens[3] = 0;
    d.ids[2] = 99;
    TM_CHECK(lj_model_forward(m, a, &d.batch, NULL, NULL, err, sizeof err) == LJ_ERR_RANGE,
             "target 99 accepted");
    d.ids[2] = -1; /* ignored target is fine */
    TM_CHECK(lj_model_forward(m, a, &d.batch, NULL, NULL, err, sizeof err) == LJ_OK,
             "ignored target refused: %s", err);
    /* stateful training: carry moves the final state to the initial state */
    lj_acts_carry_state(a);
    double l_carry, l_zero;
    lj_model_forward(m, a, &d.batch, NULL, &l_carry, err, sizeof err);
    lj_acts_reset_state(a);
    lj_model_forward(m, a, &d.batch, NULL, &l_zero, err, sizeof err);
    TM_CHECK(l_carry != l_zero, "carried state had no effect");
    lj_acts_destroy(a);
    lj_acts_destroy(NULL);
    lj_model_destroy(m);
    lj_model_destroy(NULL);
    free_data(&d);
}

int main(void) {
    lj_rng rng;
    lj_rng_seed(&rng, 777);
    for (int kind = 0; kind < 3; kind++) {
        test_step_equals_forward((lj_input_kind)kind, 1, &rng);
        test_step_equals_forward((lj_input_kind)kind, 0, &rng);
    }
    test_state_copy(&rng);
    test_gemm_twins(&rng, 13);
    test_gemm_twins(&rng, 1); /* the sgemv path of a batch-1 step */
    for (int kind = 0; kind < 3; kind++) test_model_twins((lj_input_kind)kind, &rng);
    test_dropout(&rng);
    test_input_dropout(0, &rng);
    test_input_dropout(1, &rng);
    test_validation(&rng);
    TM_CHECK(alloc_calls > 0, "the allocation counter saw nothing: --wrap not active");
#ifndef LJ_HAVE_BLAS
    printf("  (built without OpenBLAS: the blas path is the naive one)\n");
#endif
    return tm_finish();
}
