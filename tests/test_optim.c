/* Optimizers, clipping and schedules against torch.optim (golden file
 * tests/data/golden/optim.bin from tests/ref/make_golden.py): each optimizer
 * takes 6 steps on a 37-element parameter from fixed gradients, and every
 * intermediate parameter vector must match PyTorch within fp32 tolerance
 * (max |ours - torch| / max |torch| < 1e-5; measured values printed). */
#include "optim.h"
#include "test_model_golden_io.h"
#include "test_model_util.h"

#include <string.h>

#define TOL 1e-5

static const golden_rec *need(const golden *g, const char *name) {
    const golden_rec *r = golden_find(g, name);
    if (!r) {
        printf("golden record %s missing\n", name);
        exit(1);
    }
    return r;
}

static void check_optim(const golden *g, const char *name, lj_optim_config cfg, float lr) {
    char key[64], err[256];
    const golden_rec *p0 = need(g, "p0"), *grads = need(g, "grads");
    snprintf(key, sizeof key, "optim.%s", name);
    const golden_rec *traj = need(g, key);
    size_t n = p0->numel;
    int steps = traj->dims[0];
    float *p = tm_calloc(n, sizeof(float));
    memcpy(p, p0->data, n * sizeof(float));
    lj_optim *o = NULL;
    int st = lj_optim_create(&o, &cfg, n, err, sizeof err);
    TM_CHECK(st == LJ_OK, "%s: create: %s", name, err);
    double worst = 0;
    for (int k = 0; o && k < steps; k++) {
        lj_optim_step(o, p, (const float *)grads->data + (size_t)k * n, lr);
        const float *ref = (const float *)traj->data + (size_t)k * n;
        double e = tm_rel_err_f32(p, ref, n, 1e-6);
        TM_CHECK(e < TOL, "%s: step %d rel err %.3g", name, k + 1, e);
        worst = e > worst ? e : worst;
    }
    if (o) {
        /* state round trip: a copy of the state continues identically */
        size_t count;
        float *state = lj_optim_state(o, &count);
        lj_optim *o2 = NULL;
        lj_optim_create(&o2, &cfg, n, err, sizeof err);
        size_t count2;
        float *state2 = lj_optim_state(o2, &count2);
        TM_CHECK(count == count2, "%s: state sizes differ", name);
        if (count)
            memcpy(state2, state, count * sizeof(float));
        lj_optim_set_steps(o2, lj_optim_steps(o));
        float *q = tm_calloc(n, sizeof(float));
        memcpy(q, p, n * sizeof(float));
        const float *g0 = grads->data;
        lj_optim_step(o, p, g0, lr);
        lj_optim_step(o2, q, g0, lr);
        TM_CHECK(memcmp(p, q, n * sizeof(float)) == 0, "%s: restored state diverges", name);
        lj_optim_destroy(o2);
        free(q);
    }
    printf("  %-18s worst rel err %.2e over %d steps\n", name, worst, steps);
    lj_optim_destroy(o);
    free(p);
}

static void check_clip(const golden *g, const char *name) {
    char key[64];
    snprintf(key, sizeof key, "%s.in", name);
    const golden_rec *in = need(g, key);
    snprintf(key, sizeof key, "%s.out", name);
    const golden_rec *out = need(g, key);
    snprintf(key, sizeof key, "%s.norm", name);
    float norm_ref = *(const float *)need(g, key)->data;
    snprintf(key, sizeof key, "%s.max_norm", name);
    float max_norm = *(const float *)need(g, key)->data;
    float *v = tm_calloc(in->numel, sizeof(float));
    memcpy(v, in->data, in->numel * sizeof(float));
    float norm = lj_clip_grad_norm(v, in->numel, max_norm);
    TM_CHECK(fabsf(norm - norm_ref) <= 1e-6f * norm_ref, "%s: norm %.8g vs torch %.8g", name,
             (double)norm, (double)norm_ref);
    double e = tm_rel_err_f32(v, out->data, in->numel, 1e-6);
    TM_CHECK(e < TOL, "%s: clipped gradients rel err %.3g", name, e);
    printf("  %-18s norm %.6g (torch %.6g), rel err %.2e\n", name, (double)norm,
           (double)norm_ref, e);
    free(v);
}

static void check_sched(const golden *g, const char *name, lj_sched s) {
    char key[64];
    snprintf(key, sizeof key, "sched.%s", name);
    const golden_rec *ref = need(g, key);
    const golden_rec *metrics = s.kind == LJ_SCHED_PLATEAU ? need(g, "sched.plateau.metrics") : NULL;
    double worst = 0;
    for (size_t e = 0; e < ref->numel; e++) {
        float lr = lj_sched_lr(&s, (long)e), want = ((const float *)ref->data)[e];
        double d = fabs((double)lr - want) / want;
        TM_CHECK(d < 1e-5, "sched %s: epoch %zu lr %.8g vs torch %.8g", name, e, (double)lr,
                 (double)want);
        worst = d > worst ? d : worst;
        if (metrics)
            lj_sched_observe(&s, ((const float *)metrics->data)[e]);
    }
    printf("  sched %-12s worst rel err %.2e over %zu epochs\n", name, worst, ref->numel);
}

int main(void) {
    const char *dir = getenv("LJ_TEST_DATA");
    char path[1024];
    if (!dir) {
        printf("LJ_TEST_DATA not set\n");
        return 1;
    }
    snprintf(path, sizeof path, "%s/golden/optim.bin", dir);
    golden g;
    if (golden_load(&g, path) != 0)
        return 1;

    lj_optim_config c = lj_optim_defaults(LJ_OPTIM_SGD);
    c.momentum = 0.9f;
    c.weight_decay = 0.01f;
    check_optim(&g, "sgd", c, 0.1f);
    c = lj_optim_defaults(LJ_OPTIM_SGD);
    c.momentum = 0.9f;
    c.nesterov = 1;
    check_optim(&g, "sgd_nesterov", c, 0.1f);
    check_optim(&g, "sgd_plain", lj_optim_defaults(LJ_OPTIM_SGD), 0.1f);
    c = lj_optim_defaults(LJ_OPTIM_ADAM);
    c.weight_decay = 0.01f;
    check_optim(&g, "adam", c, 0.01f);
    c = lj_optim_defaults(LJ_OPTIM_ADAMW);
    c.weight_decay = 0.1f;
    check_optim(&g, "adamw", c, 0.01f);
    check_optim(&g, "adamax", lj_optim_defaults(LJ_OPTIM_ADAMAX), 0.02f);
    check_optim(&g, "rmsprop", lj_optim_defaults(LJ_OPTIM_RMSPROP), 0.01f);
    c = lj_optim_defaults(LJ_OPTIM_RMSPROP);
    c.momentum = 0.5f;
    c.weight_decay = 0.01f;
    check_optim(&g, "rmsprop_momentum", c, 0.01f);

    check_clip(&g, "clip_small");
    check_clip(&g, "clip_large");

    lj_sched s = lj_sched_init(LJ_SCHED_STEP, 0.1f);
    s.step_size = 3;
    s.gamma = 0.5f;
    check_sched(&g, "step", s);
    s = lj_sched_init(LJ_SCHED_COSINE, 0.1f);
    s.t_max = 10;
    s.min_lr = 0.001f;
    check_sched(&g, "cosine", s);
    s = lj_sched_init(LJ_SCHED_PLATEAU, 0.1f);
    s.factor = 0.5f;
    s.patience = 2;
    s.min_lr = 0.01f;
    check_sched(&g, "plateau", s);

    /* warm-up: linear from base/warmup to base, then the schedule */
    s = lj_sched_init(LJ_SCHED_CONSTANT, 0.4f);
    s.warmup = 4;
    TM_CHECK(fabsf(lj_sched_lr(&s, 0) - 0.1f) < 1e-7f && fabsf(lj_sched_lr(&s, 3) - 0.4f) < 1e-7f &&
                 fabsf(lj_sched_lr(&s, 10) - 0.4f) < 1e-7f,
             "warm-up rates %g %g %g", (double)lj_sched_lr(&s, 0), (double)lj_sched_lr(&s, 3),
             (double)lj_sched_lr(&s, 10));
    /* bad configurations are refused */
    char err[256];
    lj_optim *o = NULL;
    c = lj_optim_defaults(LJ_OPTIM_SGD);
    c.nesterov = 1;
    TM_CHECK(lj_optim_create(&o, &c, 4, err, sizeof err) == LJ_ERR_ARG && !o,
             "nesterov without momentum accepted");
    c = lj_optim_defaults(LJ_OPTIM_ADAM);
    c.beta1 = 1.0f;
    TM_CHECK(lj_optim_create(&o, &c, 4, err, sizeof err) == LJ_ERR_ARG && !o, "beta1 = 1 accepted");
    golden_free(&g);
    return tm_finish();
}
