/* generate_frames: offline generation from a frame model (psd, pianoroll; see
 * generate.h, frame models). */
#include <stdlib.h>
#include <string.h>

#include "frame_sampler.h"
#include "generate.h"

struct frame_generator {
    const lj_model *m;     /* not owned */
    const encoding *e;     /* not owned */
    gen_opts o;            /* copy (o.allowed is not kept: the sampler copied it) */
    size_t dim;            /* floats per frame */
    lstm_state *st;        /* batch-1 LSTM state */
    frame_sampler *fs;     /* draws a frame from the heads */
    enc_decoder *dec;      /* the encoding's decoder, run along */
    enc_event *ev;         /* ENC_MAX_STEP_EVENTS events of one decoder step */
    lj_rng rng;            /* the sampling RNG */
    float *frames;         /* primer + generated frames, cap * dim floats */
    size_t n, cap;
    double t_primer;       /* decoder time after the primer, seconds */
    gen_stats stats;
};

int gen_frame_create(frame_generator **out, const lj_model *m, const encoding *e, const gen_opts *o,
                     size_t max_primer, char *err, size_t errlen) {
    *out = NULL;
    if (o->no_repeat_ngram > 0 || o->repetition_penalty != 1.0f)
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "a %s model draws frames, not tokens: no-repeat n-grams and the repetition penalty do not apply",
                       enc_name(e));
    if (o->unit == GEN_PIECES)
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "a %s model never ends a piece: give --length in steps (frames), notes or s", enc_name(e));
    size_t steps = gen_steps_at_most(o);
    if (!steps) return lj_fail(err, errlen, LJ_ERR_ARG, "nothing to generate: length or max steps is 0");
    size_t dim = enc_frame_dim(e);
    if (max_primer > SIZE_MAX / 2 / dim / sizeof(float) || steps > SIZE_MAX / 2 / dim / sizeof(float) - max_primer)
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "%zu frames of %zu values: too many", max_primer + steps, dim);
    frame_generator *g = calloc(1, sizeof *g);
    if (!g) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    g->m = m;
    g->e = e;
    g->o = *o;
    g->o.max_steps = steps;
    g->o.allowed = NULL;
    g->dim = dim;
    g->cap = max_primer + steps;
    g->frames = malloc(g->cap * dim * sizeof *g->frames);
    g->ev = malloc(ENC_MAX_STEP_EVENTS * sizeof *g->ev);
    if (!g->frames || !g->ev) {
        size_t cap = g->cap;
        gen_frame_destroy(g);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory (%zu frames of %zu values)", cap, dim);
    }
    int rc;
    if ((rc = frame_sampler_create(&g->fs, m, e, o->allowed, err, errlen)) ||
        (rc = lstm_state_create(&g->st, m, 1, err, errlen)) || (rc = enc_decoder_create(e, &g->dec, err, errlen))) {
        gen_frame_destroy(g);
        return rc;
    }
    lj_rng_seed(&g->rng, o->seed);
    *out = g;
    return LJ_OK;
}

void gen_frame_destroy(frame_generator *g) {
    if (!g) return;
    frame_sampler_destroy(g->fs);
    lstm_state_destroy(g->st);
    enc_decoder_destroy(g->dec);
    free(g->frames);
    free(g->ev);
    free(g);
}

int gen_frame_prime(frame_generator *g, const float *frames, size_t n) {
    if (n > g->cap - g->o.max_steps || g->n) return LJ_ERR_ARG;
    if (n == 0) frame_sampler_feed(g->fs, g->st, NULL); /* a zero input: the first frame's heads */
    for (size_t i = 0; i < n; i++) {
        const float *f = frames + i * g->dim;
        memcpy(g->frames + g->n++ * g->dim, f, g->dim * sizeof *f);
        frame_sampler_feed(g->fs, g->st, f);
        enc_decoder_step_frame(g->dec, f, g->ev);
    }
    g->stats.primer = n;
    g->t_primer = enc_decoder_time(g->dec);
    return LJ_OK;
}

const float *gen_frame_step(frame_generator *g) {
    /* the last slot is reused once the buffer is full (gen_frame_done stops first) */
    float *f = g->frames + (g->n < g->cap ? g->n : g->cap - 1) * g->dim;
    double lp = 0;
    frame_sampler_draw(g->fs, g->st, &g->o.sampler, &g->rng, f, &lp);
    g->stats.logprob += lp;
    if (g->n < g->cap) g->n++;
    g->stats.steps++;
    size_t k = enc_decoder_step_frame(g->dec, f, g->ev);
    gen_count_events(&g->stats, g->dec, g->ev, k, g->t_primer);
    frame_sampler_feed(g->fs, g->st, f);
    return f;
}

int gen_frame_done(const frame_generator *g) { return gen_length_reached(&g->o, &g->stats); }

const float *gen_frame_frames(const frame_generator *g, size_t *n) {
    *n = g->n;
    return g->frames;
}

void gen_frame_get_stats(const frame_generator *g, gen_stats *st) {
    *st = g->stats;
    st->bad_tokens = enc_decoder_bad_tokens(g->dec);
}
