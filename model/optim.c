/* optim: torch.optim update rules over flat arrays, clipping, schedules. */
#include "optim.h"
#include "simd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct lj_optim {
    lj_optim_config cfg; /* validated configuration */
    size_t n;            /* parameters */
    long steps;          /* updates done */
    int slots;           /* state vectors of n floats: SGD/RMSprop-with-momentum 1-2, Adam* 2 */
    float *state;        /* slots x n */
    float *s0, *s1;      /* slot views (NULL when unused) */
};

lj_optim_config lj_optim_defaults(lj_optim_kind kind) {
    lj_optim_config c = {.kind = kind, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f,
                         .alpha = 0.99f};
    if (kind == LJ_OPTIM_ADAMW)
        c.weight_decay = 0.01f;
    return c;
}

int lj_optim_create(lj_optim **out, const lj_optim_config *cfg, size_t n, char *err,
                    size_t errlen) {
    *out = NULL;
    if (cfg->kind < LJ_OPTIM_SGD || cfg->kind > LJ_OPTIM_RMSPROP)
        return lj_fail(err, errlen, LJ_ERR_ARG, "optimizer: unknown kind %d", (int)cfg->kind);
    if (!(cfg->momentum >= 0 && cfg->momentum < 1) || !(cfg->weight_decay >= 0) ||
        !(cfg->beta1 >= 0 && cfg->beta1 < 1) || !(cfg->beta2 >= 0 && cfg->beta2 < 1) ||
        !(cfg->eps >= 0) || !(cfg->alpha >= 0 && cfg->alpha < 1))
        return lj_fail(err, errlen, LJ_ERR_ARG, "optimizer: momentum, betas and alpha must be "
                       "in [0,1), eps and weight_decay >= 0");
    if (cfg->nesterov && cfg->momentum <= 0)
        return lj_fail(err, errlen, LJ_ERR_ARG, "optimizer: Nesterov needs momentum > 0");
    lj_optim *o = calloc(1, sizeof *o);
    if (!o)
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "optimizer: out of memory");
    o->cfg = *cfg;
    o->n = n;
    switch (cfg->kind) {
    case LJ_OPTIM_SGD: o->slots = cfg->momentum > 0; break;
    case LJ_OPTIM_RMSPROP: o->slots = 1 + (cfg->momentum > 0); break;
    default: o->slots = 2; break;
    }
    if (o->slots) {
        o->state = calloc((size_t)o->slots * (n ? n : 1), sizeof(float));
        if (!o->state) {
            free(o);
            return lj_fail(err, errlen, LJ_ERR_NOMEM, "optimizer: out of memory for %zu "
                           "parameters", n);
        }
        o->s0 = o->state;
        o->s1 = o->slots > 1 ? o->state + n : NULL;
    }
    *out = o;
    return LJ_OK;
}

void lj_optim_destroy(lj_optim *o) {
    if (!o)
        return;
    free(o->state);
    free(o);
}

long lj_optim_steps(const lj_optim *o) { return o->steps; }
void lj_optim_set_steps(lj_optim *o, long steps) { o->steps = steps; }
float *lj_optim_state(lj_optim *o, size_t *count) {
    *count = (size_t)o->slots * o->n;
    return o->state;
}
void lj_optim_reset(lj_optim *o) {
    if (o->state)
        memset(o->state, 0, (size_t)o->slots * o->n * sizeof(float));
    o->steps = 0;
}

void lj_optim_step(lj_optim *o, float *p, const float *g, float lr) {
    const lj_optim_config *c = &o->cfg;
    const size_t n = o->n;
    const float wd = c->weight_decay;
    o->steps++;
    switch (c->kind) {
    case LJ_OPTIM_SGD: {
        float mu = c->momentum, *buf = o->s0;
        for (size_t i = 0; i < n; i++) {
            float d = g[i] + wd * p[i];
            if (buf) {
                /* PyTorch starts the buffer at the first gradient, undamped */
                buf[i] = o->steps == 1 ? d : mu * buf[i] + d;
                d = c->nesterov ? d + mu * buf[i] : buf[i];
            }
            p[i] -= lr * d;
        }
        break;
    }
    case LJ_OPTIM_ADAM:
    case LJ_OPTIM_ADAMW: {
        float b1 = c->beta1, b2 = c->beta2, *m = o->s0, *v = o->s1;
        double bc1 = 1.0 - pow(b1, (double)o->steps), bc2 = 1.0 - pow(b2, (double)o->steps);
        float step_size = (float)(lr / bc1), bc2_sqrt = (float)sqrt(bc2);
        /* vectorised where the CPU allows; every ISA gives the same bits */
        lj_adam_update(lj_isa_clamp(LJ_ISA_AUTO), p, g, m, v, n, b1, b2, step_size, bc2_sqrt,
                       c->eps, wd, lr, c->kind == LJ_OPTIM_ADAMW);
        break;
    }
    case LJ_OPTIM_ADAMAX: {
        float b1 = c->beta1, b2 = c->beta2, *m = o->s0, *u = o->s1;
        float clr = (float)(lr / (1.0 - pow(b1, (double)o->steps)));
        for (size_t i = 0; i < n; i++) {
            float gi = g[i] + wd * p[i];
            m[i] = b1 * m[i] + (1.0f - b1) * gi;
            float a = b2 * u[i], b = fabsf(gi) + c->eps;
            u[i] = a > b ? a : b;
            p[i] -= clr * m[i] / u[i];
        }
        break;
    }
    case LJ_OPTIM_RMSPROP: {
        float al = c->alpha, *sq = o->s0, *buf = o->s1;
        for (size_t i = 0; i < n; i++) {
            float gi = g[i] + wd * p[i];
            sq[i] = al * sq[i] + (1.0f - al) * gi * gi;
            float avg = sqrtf(sq[i]) + c->eps;
            if (buf) {
                buf[i] = c->momentum * buf[i] + gi / avg;
                p[i] -= lr * buf[i];
            } else {
                p[i] -= lr * gi / avg;
            }
        }
        break;
    }
    }
}

float lj_clip_grad_norm(float *g, size_t n, float max_norm) {
    double ss = 0;
    for (size_t i = 0; i < n; i++) ss += (double)g[i] * g[i];
    float norm = (float)sqrt(ss);
    float coef = max_norm / (norm + 1e-6f);
    if (coef < 1.0f)
        for (size_t i = 0; i < n; i++) g[i] *= coef;
    return norm;
}

lj_sched lj_sched_init(lj_sched_kind kind, float base_lr) {
    lj_sched s = {.kind = kind, .base_lr = base_lr, .step_size = 1, .gamma = 0.1f,
                  .t_max = 1, .factor = 0.1f, .patience = 10, .threshold = 1e-4f};
    s.lr = base_lr;
    s.best = INFINITY;
    return s;
}

float lj_sched_lr(const lj_sched *s, long t) {
    float lr;
    switch (s->kind) {
    case LJ_SCHED_STEP:
        lr = (float)(s->base_lr * pow(s->gamma, (double)(t / (s->step_size > 0 ? s->step_size : 1))));
        break;
    case LJ_SCHED_COSINE: {
        double tm = s->t_max > 0 ? s->t_max : 1;
        lr = (float)(s->min_lr + (s->base_lr - s->min_lr) * (1.0 + cos(3.14159265358979323846 * (double)t / tm)) / 2.0);
        break;
    }
    case LJ_SCHED_PLATEAU: lr = s->lr; break;
    default: lr = s->base_lr; break;
    }
    if (s->warmup > 0 && t < s->warmup)
        lr *= (float)(t + 1) / (float)s->warmup;
    return lr;
}

void lj_sched_observe(lj_sched *s, double metric) {
    if (s->kind != LJ_SCHED_PLATEAU)
        return;
    if (metric < s->best * (1.0 - s->threshold)) {
        s->best = metric;
        s->bad = 0;
    } else {
        s->bad++;
    }
    if (s->cooldown_left > 0) {
        s->cooldown_left--;
        s->bad = 0;
    }
    if (s->bad > s->patience) {
        float lr = s->lr * s->factor;
        if (lr < s->min_lr)
            lr = s->min_lr;
        if (s->lr - lr > 1e-8f) /* as PyTorch: no change below its eps */
            s->lr = lr;
        s->cooldown_left = s->cooldown;
        s->bad = 0;
    }
}
