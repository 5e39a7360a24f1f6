/* Padded batches (lj_batch.lengths): sequences of different lengths in one
 * batch, the steps after each sequence's end scoring nothing.
 *
 * 1. Against unpadded runs: a model with all four head kinds (Bernoulli, NADE,
 *    MSE with positive pressure, softmax with an ignored target) on dense
 *    frames, a batch of 5 sequences with lengths {6, 4, 4, 1, 0} (one empty)
 *    whose padded inputs and targets are garbage (softmax targets out of
 *    range: they must not be read). Each head's loss must equal the mean of
 *    that head over the real steps computed by running every sequence alone
 *    (B = 1, T = its length, no padding), weighted by its count (relative
 *    1e-5); the gradient of every tensor must equal the same combination of
 *    the single runs' gradients, each taken with only that head's targets
 *    (max abs error / max |reference| < 1e-5). Run on the BLAS path and the
 *    plain-loop kernels. A padded row leaking into a loss or a gradient, a
 *    wrong per-step weight (the steps have 4, 3, 3, 3, 1, 1 real rows) or a
 *    head normalised by T*B shows as > 1e-2.
 * 2. Finite differences: the padded loss's gradient against float central
 *    differences (eps 1e-2) on sampled elements of every tensor, relative
 *    error < 2e-2 (as test_model_step's dropout check).
 * 3. lengths all T gives the loss of lengths NULL (relative 1e-6).
 * 4. Refusals: increasing lengths, a length above T or below 0 (LJ_ERR_ARG,
 *    message names lengths). */
#include "model.h"
#include "test_model_util.h"

#include <string.h>

enum { I = 5, H0 = 6, H1 = 5, KB = 4, KN = 5, HN = 3, KM = 2, KS = 6, T = 6, B = 5 };
enum { NH = 4 }; /* heads: 0 Bernoulli, 1 NADE, 2 MSE, 3 softmax */

static const int32_t LENGTHS[B] = {6, 4, 4, 1, 0};

static lj_model_config make_config(void) {
    lj_model_config c = {.input_kind = LJ_INPUT_DENSE, .input_size = I, .num_layers = 2,
                         .hidden = {H0, H1}, .num_heads = NH};
    c.heads[0] = (lj_head_config){.kind = LJ_HEAD_BERNOULLI, .name = "keys", .size = KB,
                                  .loss_weight = 0.6f};
    c.heads[1] = (lj_head_config){.kind = LJ_HEAD_NADE, .name = "nade", .size = KN,
                                  .loss_weight = 0.7f, .nade_hidden = HN};
    c.heads[2] = (lj_head_config){.kind = LJ_HEAD_MSE, .name = "dur", .size = KM,
                                  .loss_weight = 0.3f, .pressure = 10.0f};
    c.heads[3] = (lj_head_config){.kind = LJ_HEAD_SOFTMAX, .name = "pitch", .size = KS,
                                  .loss_weight = 1.0f};
    return c;
}

static const int head_size[NH] = {KB, KN, KM, KS};

/* A batch (T,B) of frames and targets: real steps random, padded steps garbage. */
typedef struct data {
    float x[T * B * I];
    float v[3][T * B * KN]; /* Bernoulli, NADE, MSE targets (K <= KN) */
    int32_t ids[T * B];
    lj_batch batch;
} data;

static void make_data(data *d, lj_rng *rng) {
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            size_t row = (size_t)t * B + b;
            int real = t < LENGTHS[b];
            for (int i = 0; i < I; i++)
                d->x[row * I + i] = real ? 2.0f * lj_rng_uniform(rng) - 1.0f : 1e3f;
            for (int h = 0; h < 3; h++)
                for (int k = 0; k < head_size[h]; k++) {
                    float u = lj_rng_uniform(rng);
                    float bit = u < 0.4f ? 1.0f : 0.0f;
                    d->v[h][row * head_size[h] + k] = !real ? 7.0f : h == 2 ? 2.0f * u - 1.0f : bit;
                }
            d->ids[row] = real ? (int32_t)(lj_rng_u64(rng) % KS) : 999;
        }
    d->ids[1 * B + 1] = -1; /* an ignored target on a real step */
    memset(&d->batch, 0, sizeof d->batch);
    d->batch.B = B;
    d->batch.T = T;
    d->batch.features = d->x;
    for (int h = 0; h < 3; h++) d->batch.target_values[h] = d->v[h];
    d->batch.target_ids[3] = d->ids;
    d->batch.lengths = LENGTHS;
}

static lj_model *new_model(uint64_t seed) {
    char err[256];
    lj_model_config c = make_config();
    lj_model *m = NULL;
    if (lj_model_create(&m, &c, err, sizeof err) != LJ_OK) {
        printf("create: %s\n", err);
        exit(1);
    }
    lj_model_init(m, seed);
    return m;
}

/* Every tensor's gradient, concatenated. */
static size_t grads_copy(const lj_model *m, double *out) {
    size_t at = 0;
    for (int i = 0; i < lj_model_tensor_count(m); i++) {
        const lj_param *p = lj_model_tensor(m, i);
        for (size_t j = 0; j < p->numel; j++) out[at + j] = p->grad[j];
        at += p->numel;
    }
    return at;
}

/* 1: the padded batch against every sequence run alone, head by head. */
static void test_against_single(int naive, lj_rng *rng) {
    char err[256];
    lj_model *m = new_model(11);
    lj_model_set_naive(m, naive);
    static data d;
    make_data(&d, rng);
    size_t np = lj_model_num_params(m);
    double *ref = tm_calloc(np, sizeof(double)), *got = tm_calloc(np, sizeof(double));
    double *one = tm_calloc(np, sizeof(double));

    /* reference: per head, sum over sequences of count * loss and the gradient
     * of the head's weighted mean */
    double ref_loss[NH] = {0}, count[NH] = {0}, ref_total = 0;
    double seq_count[B][NH];
    for (int b = 0; b < B; b++) {
        int L = LENGTHS[b];
        for (int h = 0; h < NH; h++) {
            seq_count[b][h] = 0;
            for (int t = 0; t < L; t++)
                seq_count[b][h] += h == 3 ? d.ids[t * B + b] >= 0 : h == 2 ? KM : 1;
            count[h] += seq_count[b][h];
        }
    }
    for (int b = 0; b < B; b++) {
        int L = LENGTHS[b];
        if (L == 0) continue;
        static float x1[T * I], v1[3][T * KN];
        static int32_t ids1[T];
        for (int t = 0; t < L; t++) {
            memcpy(x1 + t * I, d.x + ((size_t)t * B + b) * I, I * sizeof(float));
            for (int h = 0; h < 3; h++)
                memcpy(v1[h] + t * head_size[h], d.v[h] + ((size_t)t * B + b) * head_size[h],
                       head_size[h] * sizeof(float));
            ids1[t] = d.ids[t * B + b];
        }
        lj_acts *a = NULL;
        TM_CHECK(lj_acts_create(&a, m, 1, L, err, sizeof err) == LJ_OK, "acts: %s", err);
        for (int h = 0; h < NH; h++) {
            lj_batch one_b = {.B = 1, .T = L, .features = x1};
            if (h < 3) one_b.target_values[h] = v1[h];
            else one_b.target_ids[h] = ids1;
            lj_model_zero_grad(m);
            double loss;
            TM_CHECK(lj_model_forward(m, a, &one_b, NULL, &loss, err, sizeof err) == LJ_OK, "%s", err);
            TM_CHECK(lj_model_backward(m, a, &one_b, err, sizeof err) == LJ_OK, "%s", err);
            double lh = lj_acts_head_loss(a, h);
            ref_loss[h] += lh * seq_count[b][h];
            grads_copy(m, one);
            double wgt = seq_count[b][h] / count[h];
            for (size_t j = 0; j < np; j++) ref[j] += wgt * one[j];
        }
        lj_acts_destroy(a);
    }
    const lj_model_config *c = lj_model_get_config(m);
    for (int h = 0; h < NH; h++) {
        ref_loss[h] /= count[h];
        ref_total += c->heads[h].loss_weight * ref_loss[h];
    }

    lj_acts *a = NULL;
    TM_CHECK(lj_acts_create(&a, m, B, T, err, sizeof err) == LJ_OK, "acts: %s", err);
    lj_model_zero_grad(m);
    double loss;
    TM_CHECK(lj_model_forward(m, a, &d.batch, NULL, &loss, err, sizeof err) == LJ_OK, "padded forward: %s", err);
    TM_CHECK(lj_model_backward(m, a, &d.batch, err, sizeof err) == LJ_OK, "padded backward: %s", err);
    for (int h = 0; h < NH; h++) {
        double lh = lj_acts_head_loss(a, h), rel = fabs(lh - ref_loss[h]) / fabs(ref_loss[h]);
        printf("%s: head %s loss %.7f, single runs %.7f (rel %.2g)\n", naive ? "naive" : "blas",
               c->heads[h].name, lh, ref_loss[h], rel);
        TM_CHECK(rel < 1e-5, "head %s: padded loss %.9g, single runs %.9g", c->heads[h].name, lh, ref_loss[h]);
    }
    TM_CHECK(fabs(loss - ref_total) < 1e-5 * fabs(ref_total), "total loss %.9g, single runs %.9g", loss, ref_total);
    grads_copy(m, got);
    size_t at = 0;
    double worst = 0;
    for (int i = 0; i < lj_model_tensor_count(m); i++) {
        const lj_param *p = lj_model_tensor(m, i);
        double num = 0, den = 1e-6;
        for (size_t j = 0; j < p->numel; j++) {
            double e = fabs(got[at + j] - ref[at + j]);
            num = e > num || e != e ? e : num;
            den = fabs(ref[at + j]) > den ? fabs(ref[at + j]) : den;
        }
        worst = num / den > worst ? num / den : worst;
        TM_CHECK(num / den < 1e-5, "%s: gradient of %s vs single runs: rel err %.3g", naive ? "naive" : "blas",
                 p->name, num / den);
        at += p->numel;
    }
    printf("%s: worst gradient rel err vs single runs %.2g over %d tensors\n", naive ? "naive" : "blas", worst,
           lj_model_tensor_count(m));
    lj_acts_destroy(a);
    lj_model_destroy(m);
    free(ref);
    free(got);
    free(one);
}

/* 2: central differences of the padded loss. */
static void test_finite_differences(lj_rng *rng) {
    char err[256];
    lj_model *m = new_model(23);
    lj_model_set_naive(m, 1);
    static data d;
    make_data(&d, rng);
    lj_acts *a = NULL;
    lj_acts_create(&a, m, B, T, err, sizeof err);
    double loss;
    lj_model_zero_grad(m);
    lj_model_forward(m, a, &d.batch, NULL, &loss, err, sizeof err);
    lj_model_backward(m, a, &d.batch, err, sizeof err);
    const float eps = 1e-2f;
    for (int i = 0; i < lj_model_tensor_count(m); i++) {
        const lj_param *p = lj_model_tensor(m, i);
        double num_err = 0, scale = 1e-3;
        for (int k = 0; k < 12; k++) {
            size_t j = (size_t)(lj_rng_u64(rng) % p->numel);
            float keep = p->data[j];
            double lp, lm;
            p->data[j] = keep + eps;
            lj_model_forward(m, a, &d.batch, NULL, &lp, err, sizeof err);
            p->data[j] = keep - eps;
            lj_model_forward(m, a, &d.batch, NULL, &lm, err, sizeof err);
            p->data[j] = keep;
            double numeric = (lp - lm) / (2.0 * eps), e = fabs(numeric - p->grad[j]);
            num_err = e > num_err ? e : num_err;
            scale = fabs(numeric) > scale ? fabs(numeric) : scale;
        }
        TM_CHECK(num_err / scale < 2e-2, "padded batch: gradient %s vs finite differences rel err %.3g", p->name,
                 num_err / scale);
    }
    lj_acts_destroy(a);
    lj_model_destroy(m);
}

/* 3 and 4. */
static void test_full_and_refusals(lj_rng *rng) {
    char err[256] = "";
    lj_model *m = new_model(5);
    static data d;
    make_data(&d, rng);
    for (size_t i = 0; i < sizeof d.ids / sizeof *d.ids; i++)
        if (d.ids[i] == 999) d.ids[i] = 0; /* every step is real below */
    lj_acts *a = NULL;
    lj_acts_create(&a, m, B, T, err, sizeof err);
    const int32_t full[B] = {T, T, T, T, T};
    double l_null, l_full;
    d.batch.lengths = NULL;
    lj_model_forward(m, a, &d.batch, NULL, &l_null, err, sizeof err);
    d.batch.lengths = full;
    lj_model_forward(m, a, &d.batch, NULL, &l_full, err, sizeof err);
    TM_CHECK(fabs(l_null - l_full) <= 1e-6 * fabs(l_null), "lengths all T: %.9g, lengths NULL: %.9g", l_full,
             l_null);
    const int32_t rising[B] = {2, 3, 1, 0, 0}, too_long[B] = {T + 1, 1, 1, 0, 0}, negative[B] = {3, 2, 1, 0, -1};
    const int32_t *bad[] = {rising, too_long, negative};
    for (int i = 0; i < 3; i++) {
        d.batch.lengths = bad[i];
        err[0] = 0;
        TM_CHECK(lj_model_forward(m, a, &d.batch, NULL, NULL, err, sizeof err) == LJ_ERR_ARG &&
                     strstr(err, "lengths"),
                 "bad lengths %d accepted (%s)", i, err);
    }
    lj_acts_destroy(a);
    lj_model_destroy(m);
}

int main(void) {
    lj_rng rng;
    lj_rng_seed(&rng, 4242);
    test_against_single(0, &rng);
    test_against_single(1, &rng);
    test_finite_differences(&rng);
    test_full_and_refusals(&rng);
    return tm_finish();
}
