/* optim: optimizers, global-norm gradient clipping and learning-rate schedules,
 * over flat float arrays (the model's parameter and gradient arenas).
 *
 * Each optimizer follows torch.optim (PyTorch 1.13) step for step, so a
 * PyTorch run and an lstmjam run from the same weights agree (tests/ref). The
 * optimizer owns its state slots (one allocation); the caller owns params and
 * grads. lj_optim_step allocates nothing. */
#ifndef LJ_OPTIM_H
#define LJ_OPTIM_H

#include <stddef.h>

#include "lj_status.h"

typedef enum lj_optim_kind {
    LJ_OPTIM_SGD = 0,     /* SGD with momentum (optionally Nesterov) */
    LJ_OPTIM_ADAM = 1,    /* Adam, weight decay as L2 in the gradient */
    LJ_OPTIM_ADAMW = 2,   /* Adam with decoupled weight decay */
    LJ_OPTIM_ADAMAX = 3,  /* Adam with the infinity norm */
    LJ_OPTIM_RMSPROP = 4  /* RMSprop (not centered), optional momentum */
} lj_optim_kind;

typedef struct lj_optim_config {
    lj_optim_kind kind;  /* which update rule */
    float momentum;      /* SGD, RMSprop: momentum factor, 0 = none */
    int nesterov;        /* SGD: 1 = Nesterov momentum (needs momentum > 0) */
    float beta1, beta2;  /* Adam, AdamW, Adamax: moment decay rates */
    float eps;           /* Adam*, RMSprop: denominator guard */
    float alpha;         /* RMSprop: squared-gradient decay rate */
    float weight_decay;  /* L2 (SGD, Adam, Adamax, RMSprop) or decoupled (AdamW) */
} lj_optim_config;

typedef struct lj_optim lj_optim;

/* PyTorch's defaults for `kind` (Adam: betas 0.9/0.999, eps 1e-8; AdamW weight
 * decay 0.01; RMSprop alpha 0.99, eps 1e-8; no momentum). Thread: any. */
lj_optim_config lj_optim_defaults(lj_optim_kind kind);
/* An optimizer for n parameters, state zeroed. Errors: LJ_ERR_ARG (bad
 * config), LJ_ERR_NOMEM. Thread: any. */
int lj_optim_create(lj_optim **out, const lj_optim_config *cfg, size_t n, char *err,
                    size_t errlen);
/* Frees; NULL is a no-op. Thread: any. */
void lj_optim_destroy(lj_optim *o);
/* One update of params (n) from grads (n) at learning rate lr. Thread: any. */
void lj_optim_step(lj_optim *o, float *params, const float *grads, float lr);
/* Steps taken so far (Adam's bias correction uses it). Thread: any. */
long lj_optim_steps(const lj_optim *o);
/* The state for a checkpoint: *count gets the number of floats (k slots x n;
 * k = 0..2 by kind), laid out slot after slot; read it to save, write it and
 * set the step count to restore. Thread: any. */
float *lj_optim_state(lj_optim *o, size_t *count);
void lj_optim_set_steps(lj_optim *o, long steps);
/* Zeroes the state and the step count. Thread: any. */
void lj_optim_reset(lj_optim *o);

/* Scales grads (n) so their global L2 norm is at most max_norm (PyTorch
 * clip_grad_norm_: factor max_norm / (norm + 1e-6) when below 1) and returns
 * the norm before clipping (NaN/Inf pass through so the caller can stop).
 * Thread: any. */
float lj_clip_grad_norm(float *grads, size_t n, float max_norm);

/* ---- learning-rate schedules ---------------------------------------------- */

typedef enum lj_sched_kind {
    LJ_SCHED_CONSTANT = 0, /* base_lr */
    LJ_SCHED_STEP = 1,     /* base_lr * gamma^floor(t / step_size) (StepLR) */
    LJ_SCHED_COSINE = 2,   /* min_lr + (base_lr - min_lr)(1 + cos(pi t / t_max)) / 2 */
    LJ_SCHED_PLATEAU = 3   /* ReduceLROnPlateau(mode min, relative threshold) */
} lj_sched_kind;

typedef struct lj_sched {
    lj_sched_kind kind;   /* which rule */
    float base_lr;        /* learning rate at t = 0 */
    int warmup;           /* steps of linear warm-up from base_lr/warmup (0 = none) */
    int step_size;        /* STEP: steps (or epochs) between decays */
    float gamma;          /* STEP: decay factor */
    int t_max;            /* COSINE: steps of the half period */
    float min_lr;         /* COSINE: floor (eta_min); PLATEAU: lowest rate */
    float factor;         /* PLATEAU: decay factor on a plateau */
    int patience;         /* PLATEAU: bad evaluations tolerated before decaying */
    float threshold;      /* PLATEAU: relative improvement that counts (1e-4) */
    int cooldown;         /* PLATEAU: evaluations to wait after a decay */
    /* PLATEAU state (lj_sched_init sets it; save it in checkpoints) */
    float lr;             /* current rate */
    double best;          /* best metric so far */
    int bad;              /* evaluations since the best one */
    int cooldown_left;    /* evaluations of cooldown still to go */
} lj_sched;

/* A schedule with PyTorch's defaults for kind (gamma 0.1, factor 0.1,
 * patience 10, threshold 1e-4) at base_lr; adjust the fields after. Thread: any. */
lj_sched lj_sched_init(lj_sched_kind kind, float base_lr);
/* The learning rate for step (or epoch) t >= 0; PLATEAU ignores t and returns
 * the current rate. Thread: any. */
float lj_sched_lr(const lj_sched *s, long t);
/* PLATEAU: reports a validation metric (lower is better); may decay the
 * rate. Other kinds ignore it. Thread: any. */
void lj_sched_observe(lj_sched *s, double metric);

#endif
