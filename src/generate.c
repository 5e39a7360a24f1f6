/* generate: sampling and beam search over the step API (see generate.h). */
#include "generate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "abc_grammar.h"

struct generator {
    const lj_model *m;     /* not owned */
    const encoding *e;     /* not owned */
    gen_opts o;            /* copy (o.allowed points to the generator's copy) */
    int K;                 /* vocabulary = head size */
    lstm_state *st;        /* batch-1 LSTM state */
    enc_decoder *dec;      /* the encoding's decoder, run along */
    enc_event *ev;         /* ENC_MAX_STEP_EVENTS events of one decoder step */
    lj_rng rng;            /* the sampling RNG */
    uint8_t *allowed;      /* K flags or NULL */
    float *work;           /* K: processed logits */
    float *saved;          /* K: logits before the n-gram bans (to lift them) */
    float *probs;          /* K: lj_sample scratch */
    int *idx;              /* K: lj_sample scratch */
    uint8_t *seen;         /* K: repetition-penalty scratch, kept zero */
    int32_t *hist;         /* primer + generated ids, cap entries */
    size_t n, cap;
    size_t n_primer;
    double t_primer;       /* decoder time after the primer, seconds */
    abc_grammar *grammar;  /* abc tokens models with o.abc_grammar; else NULL */
    abc_grammar_state gstate; /* where the tune stands */
    uint8_t *gallowed;     /* K: the grammar's mask of this step */
    gen_stats stats;
};

void gen_opts_default(gen_opts *o) {
    memset(o, 0, sizeof *o);
    o->sampler.temperature = 1.0f;
    o->sampler.top_k = 0;
    o->sampler.top_p = 1.0f;
    o->seed = 1;
    o->unit = GEN_STEPS;
    o->length = 500;
    o->max_steps = 0;
    o->repetition_penalty = 1.0f;
    o->penalty_window = 64;
    o->ngram_window = 4096;
    o->abc_grammar = 1;
}

/* The abc grammar for e when o asks for it and e is the abc tokens variant;
 * *out = NULL otherwise. */
static int grammar_for(const encoding *e, const gen_opts *o, abc_grammar **out, char *err, size_t errlen) {
    *out = NULL;
    if (!o->abc_grammar || strcmp(enc_name(e), "abc") || enc_options(e)->abc_variant != ENC_ABC_TOKENS)
        return LJ_OK;
    return abc_grammar_create(enc_vocab(e), o->abc_grammar >= 2 ? ABC_GRAMMAR_METER : 0, out, err, errlen);
}

/* Masks the logits the grammar does not allow in state s (allowed: K
 * scratch). Returns 0 when it allowed nothing (logits untouched). When mass
 * is not NULL, adds the model's probability at T=1 of what was masked. */
static int grammar_mask(const abc_grammar *gr, const abc_grammar_state *s, uint8_t *allowed,
                        float *logits, int K, double *mass) {
    if (!abc_grammar_mask(gr, s, allowed)) return 0;
    if (mass) {
        float mx = logits[lj_argmax(logits, K)];
        double z = 0.0, out = 0.0;
        for (int k = 0; k < K; k++) {
            double p = exp((double)logits[k] - mx);
            z += p;
            if (!allowed[k]) out += p;
        }
        *mass = out / z;
    }
    lj_logits_mask(logits, K, allowed);
    return 1;
}

/* The model must read tokens and end in one softmax head of the vocabulary. */
static int check_model(const lj_model *m, const encoding *e, char *err, size_t errlen) {
    const lj_model_config *c = lj_model_get_config(m);
    size_t V = vocab_size(enc_vocab(e));
    if (c->input_kind == LJ_INPUT_DENSE)
        return lj_fail(err, errlen, LJ_ERR_ARG, "the model reads feature vectors; generate reads token models");
    if (c->num_heads < 1 || c->heads[0].kind != LJ_HEAD_SOFTMAX)
        return lj_fail(err, errlen, LJ_ERR_ARG, "the model's first head is not a softmax");
    if ((size_t)c->heads[0].size != V || (size_t)c->input_size != V)
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "the model's vocabulary has %d classes (input %d), the %s encoding's %zu",
                       c->heads[0].size, c->input_size, enc_name(e), V);
    return LJ_OK;
}

int gen_create(generator **out, const lj_model *m, const encoding *e, const gen_opts *o,
               size_t max_primer, char *err, size_t errlen) {
    *out = NULL;
    int rc = check_model(m, e, err, errlen);
    if (rc) return rc;
    if (o->step_mask.on && (strcmp(enc_name(e), "abc") || o->allowed))
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "a mask worked out per step is for abc models (a %s model's tokens carry their pitch: "
                       "gen_pitch_mask)", enc_name(e));
    size_t steps = gen_steps_at_most(o);
    if (!steps) return lj_fail(err, errlen, LJ_ERR_ARG, "nothing to generate: length or max steps is 0");
    generator *g = calloc(1, sizeof *g);
    if (!g) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    g->m = m;
    g->e = e;
    g->o = *o;
    g->o.max_steps = steps;
    g->K = lj_model_get_config(m)->heads[0].size;
    size_t K = (size_t)g->K;
    g->cap = max_primer + steps + ENC_ABC_MARKS_MAX; /* (room for gen_finish's marks) */
    g->work = malloc(K * sizeof *g->work);
    g->saved = malloc(K * sizeof *g->saved);
    g->probs = malloc(K * sizeof *g->probs);
    g->idx = malloc(K * sizeof *g->idx);
    g->seen = calloc(K, 1);
    g->hist = malloc((g->cap ? g->cap : 1) * sizeof *g->hist);
    g->ev = malloc(ENC_MAX_STEP_EVENTS * sizeof *g->ev);
    if ((rc = grammar_for(e, o, &g->grammar, err, errlen))) {
        gen_destroy(g);
        return rc;
    }
    if (g->grammar) {
        abc_grammar_reset(g->grammar, &g->gstate);
        if (!(g->gallowed = malloc(K))) {
            gen_destroy(g);
            return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        }
    }
    if (o->allowed) {
        g->allowed = malloc(K);
        if (g->allowed) memcpy(g->allowed, o->allowed, K);
        g->o.allowed = g->allowed;
    } else if (o->step_mask.on) {
        g->allowed = malloc(K); /* filled each step */
    }
    if (!g->work || !g->saved || !g->probs || !g->idx || !g->seen || !g->hist || !g->ev ||
        ((o->allowed || o->step_mask.on) && !g->allowed)) {
        gen_destroy(g);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    }
    if ((rc = lstm_state_create(&g->st, m, 1, err, errlen)) ||
        (rc = enc_decoder_create(e, &g->dec, err, errlen))) {
        gen_destroy(g);
        return rc;
    }
    lj_rng_seed(&g->rng, o->seed);
    *out = g;
    return LJ_OK;
}

void gen_destroy(generator *g) {
    if (!g) return;
    lstm_state_destroy(g->st);
    enc_decoder_destroy(g->dec);
    abc_grammar_destroy(g->grammar);
    free(g->gallowed);
    free(g->ev);
    free(g->allowed);
    free(g->work);
    free(g->saved);
    free(g->probs);
    free(g->idx);
    free(g->seen);
    free(g->hist);
    free(g);
}

/* Steps the decoder with one id; counts notes when `count`. */
static void decode(generator *g, int32_t id, int count) {
    size_t k = enc_decoder_step(g->dec, id, g->ev);
    if (!count) return;
    if (enc_decoder_piece_ended(g->dec)) g->stats.pieces++;
    gen_count_events(&g->stats, g->dec, g->ev, k, g->t_primer);
}

void gen_count_events(gen_stats *st, const enc_decoder *dec, const enc_event *ev, size_t k, double t_primer) {
    for (size_t i = 0; i < k; i++)
        if (ev[i].type == ENC_NOTE_ON) {
            st->notes++;
            double t = ev[i].time - t_primer;
            if (t > st->seconds) st->seconds = t;
        }
    double t = enc_decoder_time(dec) - t_primer;
    if (t > st->seconds) st->seconds = t;
}

int gen_prime(generator *g, const int32_t *ids, size_t n) {
    if (n > g->cap - g->o.max_steps - ENC_ABC_MARKS_MAX || g->n) return LJ_ERR_ARG;
    int32_t zero = -1;
    if (n == 0) lstm_step(g->m, g->st, &zero, NULL); /* a zero input: logits for token 1 */
    for (size_t i = 0; i < n; i++) {
        g->hist[g->n++] = ids[i];
        lstm_step(g->m, g->st, &ids[i], NULL);
        decode(g, ids[i], 0);
        if (g->grammar) abc_grammar_advance(g->grammar, &g->gstate, ids[i]);
    }
    g->n_primer = n;
    g->stats.primer = n;
    g->t_primer = enc_decoder_time(g->dec);
    return LJ_OK;
}

/* Applies the mask, the penalty and the n-gram bans to `work` for a sequence
 * whose ids are hist[0..n). Returns 1 when the bans had to be lifted. */
static int process_logits(const gen_opts *o, int K, float *work, float *saved, uint8_t *seen,
                          const int32_t *hist, size_t n) {
    if (o->allowed) lj_logits_mask(work, K, o->allowed);
    if (o->repetition_penalty != 1.0f) {
        size_t w = o->penalty_window < n ? o->penalty_window : n;
        lj_repetition_penalty(work, K, hist + n - w, w, o->repetition_penalty, seen);
    }
    if (o->no_repeat_ngram > 0) {
        size_t w = o->ngram_window && o->ngram_window < n ? o->ngram_window : n;
        memcpy(saved, work, (size_t)K * sizeof *work);
        if (lj_no_repeat_ngram(work, K, hist + n - w, w, o->no_repeat_ngram) &&
            !lj_count_finite(work, K)) {
            /* every token would repeat an n-gram: better a repeat than nothing */
            memcpy(work, saved, (size_t)K * sizeof *work);
            return 1;
        }
    }
    return 0;
}

int32_t gen_step(generator *g) {
    int K = g->K;
    const float *logits = lstm_state_head_output(g->st, 0);
    memcpy(g->work, logits, (size_t)K * sizeof *g->work);
    if (g->grammar) {
        double mass = 0.0;
        if (grammar_mask(g->grammar, &g->gstate, g->gallowed, g->work, K, &mass)) {
            g->stats.grammar_mass += mass;
            g->stats.grammar_masked += mass >= 0.01;
        } else {
            g->stats.grammar_dead_ends++;
        }
    }
    if (g->o.step_mask.on) {
        const gen_step_mask *sm = &g->o.step_mask;
        int allowed = enc_abc_pitch_mask(g->dec, sm->lo, sm->hi, sm->scale, g->allowed);
        g->o.allowed = allowed > 0 ? g->allowed : NULL; /* none: better a note off the key than nothing */
        g->stats.unmasked += allowed <= 0;
    }
    g->stats.unbanned += (size_t)process_logits(&g->o, K, g->work, g->saved, g->seen, g->hist, g->n);
    int32_t tok = lj_sample(&g->o.sampler, g->work, K, &g->rng, g->probs, g->idx);
    /* log p of the draw under the processed distribution and under the
     * model's own, both at T = 1 */
    float mx = g->work[lj_argmax(g->work, K)], mr = logits[lj_argmax(logits, K)];
    double z = 0.0, zr = 0.0;
    for (int k = 0; k < K; k++) {
        z += exp((double)g->work[k] - mx);
        zr += exp((double)logits[k] - mr);
    }
    g->stats.logprob += (double)g->work[tok] - mx - log(z);
    g->stats.logprob_model += (double)logits[tok] - mr - log(zr);
    if (g->grammar) abc_grammar_advance(g->grammar, &g->gstate, tok);
    if (g->n < g->cap) g->hist[g->n++] = tok;
    g->stats.steps++;
    lstm_step(g->m, g->st, &tok, NULL);
    decode(g, tok, 1);
    return tok;
}

/* abc with a step mask: appends to ids (room entries free) the octave-mark
 * tokens that bring the note dec's text ends with into the mask's range,
 * stepping dec with each (ev: ENC_MAX_STEP_EVENTS scratch). The mask lets a
 * letter through when some octave of it is in range, the marks coming after
 * it, so a text cut by its length between the two reads a note outside
 * (measured before this: 1 melody note in 14,199 over 40 seeds of
 * tests/test_generate_abc.c's chars model). With the note out of range the
 * mask would allow only the mark that brings it nearer, so writing it is
 * what the masked model would have done. Returns the marks appended. */
static size_t close_typed_note(const encoding *e, enc_decoder *dec, const gen_step_mask *sm, int32_t *ids,
                               size_t room, enc_event *ev) {
    size_t n = 0;
    char mark;
    while (n < room && (mark = enc_abc_typed_note_mark(dec, sm->lo, sm->hi))) {
        int32_t id = vocab_find(enc_vocab(e), &mark, 1);
        if (id < 0) break; /* a vocabulary without the mark (abc tokens: marks are inside note tokens) */
        enc_decoder_step(dec, id, ev);
        ids[n++] = id;
    }
    return n;
}

size_t gen_finish(generator *g) {
    if (!g->o.step_mask.on) return 0;
    size_t before = g->n;
    size_t k = close_typed_note(g->e, g->dec, &g->o.step_mask, g->hist + g->n, g->cap - g->n, g->ev);
    /* (close_typed_note stepped the decoder; the LSTM reads the marks too, so
     * that state and history agree) */
    for (size_t i = 0; i < k; i++) lstm_step(g->m, g->st, &g->hist[g->n++], NULL);
    g->stats.marks_closed += k;
    return g->n - before;
}

size_t gen_steps_at_most(const gen_opts *o) {
    size_t steps = o->max_steps;
    if (o->unit == GEN_STEPS && (!steps || (double)steps > o->length)) steps = (size_t)o->length;
    return steps;
}

int gen_length_reached(const gen_opts *o, const gen_stats *st) {
    if (st->steps >= o->max_steps) return 1;
    switch (o->unit) {
    case GEN_NOTES: return (double)st->notes >= o->length;
    case GEN_SECONDS: return st->seconds >= o->length;
    case GEN_PIECES: return (double)st->pieces >= o->length;
    default: return (double)st->steps >= o->length;
    }
}

int gen_done(const generator *g) { return gen_length_reached(&g->o, &g->stats); }

const int32_t *gen_ids(const generator *g, size_t *n) {
    *n = g->n;
    return g->hist;
}

void gen_get_stats(const generator *g, gen_stats *st) {
    *st = g->stats;
    st->resyncs = enc_decoder_resyncs(g->dec);
    st->dropped = enc_decoder_dropped(g->dec);
    st->bad_tokens = enc_decoder_bad_tokens(g->dec);
    st->grammar_violations = g->grammar ? g->gstate.violations : 0;
}

/* ------------------------------------------------------------------ beam */

typedef struct beam_cand {
    double score; /* total log-probability of the extended prefix */
    int beam;     /* the prefix it extends */
    int32_t tok;  /* the token it adds */
} beam_cand;

/* a before b: higher score, then lower beam, then lower token (deterministic) */
static int cand_before(const beam_cand *a, const beam_cand *b) {
    if (a->score != b->score) return a->score > b->score;
    if (a->beam != b->beam) return a->beam < b->beam;
    return a->tok < b->tok;
}

/* Keeps the best `keep` of c[0..n) at the front, in order (selection). */
static void select_best(beam_cand *c, int n, int keep) {
    for (int i = 0; i < keep && i < n; i++) {
        int best = i;
        for (int j = i + 1; j < n; j++)
            if (cand_before(&c[j], &c[best])) best = j;
        beam_cand t = c[i];
        c[i] = c[best];
        c[best] = t;
    }
}

int gen_beam(const lj_model *m, const encoding *e, const gen_opts *o, int W, size_t steps,
             const int32_t *primer, size_t n_primer, int32_t **ids_out, size_t *n_out,
             double *logprob, char *err, size_t errlen) {
    *ids_out = NULL;
    *n_out = 0;
    int rc = check_model(m, e, err, errlen);
    if (rc) return rc;
    if (o->step_mask.on && (strcmp(enc_name(e), "abc") || o->allowed))
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "a mask worked out per step is for abc models (a %s model's tokens carry their pitch: "
                       "gen_pitch_mask)", enc_name(e));
    if (W < 1 || W > 4096) return lj_fail(err, errlen, LJ_ERR_ARG, "beam width: expected 1..4096, found %d", W);
    int K = lj_model_get_config(m)->heads[0].size;
    size_t len = n_primer + steps, Wz = (size_t)W, Kz = (size_t)K;
    if (len > ((size_t)1 << 26) / Wz)
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "beam %d x %zu tokens: more than 2^26 ids of history", W, len);
    lstm_state *st = NULL, *next = NULL;
    float *work = malloc(Kz * sizeof *work), *saved = malloc(Kz * sizeof *saved);
    uint8_t *seen = calloc(Kz, 1);
    int32_t *hist = malloc(Wz * (len ? len : 1) * sizeof *hist);
    int32_t *hist2 = malloc(Wz * (len ? len : 1) * sizeof *hist2);
    int32_t *toks = malloc(Wz * sizeof *toks);
    double *score = malloc(Wz * sizeof *score), *score2 = malloc(Wz * sizeof *score2);
    beam_cand *cand = malloc(Wz * Wz * sizeof *cand), *row = malloc(Kz * sizeof *row);
    abc_grammar *gr = NULL;
    abc_grammar_state *gst = malloc(Wz * sizeof *gst), *gst2 = malloc(Wz * sizeof *gst2); /* per beam */
    uint8_t *gallowed = malloc(Kz);
    /* a step mask (abc key and range) is worked out from where each beam's
     * ABC stream stands: a decoder per beam, copied with it (two sets, as the
     * LSTM state), stepped with each token */
    int decoding = o->step_mask.on;
    gen_opts ob = *o; /* ob.allowed: this beam's step mask */
    enc_decoder **dec = decoding ? calloc(Wz, sizeof *dec) : NULL, **dec2 = decoding ? calloc(Wz, sizeof *dec2) : NULL;
    enc_event *ev = decoding ? malloc(ENC_MAX_STEP_EVENTS * sizeof *ev) : NULL;
    uint8_t *mallowed = decoding ? malloc(Kz) : NULL;
    if (!work || !saved || !seen || !hist || !hist2 || !toks || !score || !score2 || !cand || !row || !gst ||
        !gst2 || !gallowed || (decoding && (!dec || !dec2 || !ev || !mallowed))) {
        rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((rc = lstm_state_create(&st, m, W, err, errlen)) ||
        (rc = lstm_state_create(&next, m, W, err, errlen)) || (rc = grammar_for(e, o, &gr, err, errlen)))
        goto done;
    for (int b = 0; b < W && decoding; b++)
        if ((rc = enc_decoder_create(e, &dec[b], err, errlen)) || (rc = enc_decoder_create(e, &dec2[b], err, errlen)))
            goto done;
    for (size_t i = 0; i < n_primer && decoding; i++) enc_decoder_step(dec[0], primer[i], ev);
    if (gr) {
        abc_grammar_reset(gr, &gst[0]);
        for (size_t i = 0; i < n_primer; i++) abc_grammar_advance(gr, &gst[0], primer[i]);
        for (int b = 1; b < W; b++) gst[b] = gst[0];
    }
    /* every row reads the primer; only beam 0 is live at first, so the first
     * expansion does not repeat one prefix W times */
    for (size_t i = 0; i < (n_primer ? n_primer : 1); i++) {
        for (int b = 0; b < W; b++) toks[b] = n_primer ? primer[i] : -1;
        lstm_step(m, st, toks, NULL);
    }
    for (int b = 0; b < W; b++) {
        memcpy(hist + (size_t)b * len, primer, n_primer * sizeof *hist);
        score[b] = b == 0 ? 0.0 : -INFINITY;
    }
    for (size_t t = 0; t < steps; t++) {
        size_t n = n_primer + t; /* ids in each beam so far */
        int nc = 0;
        const float *logits = lstm_state_head_output(st, 0);
        for (int b = 0; b < W; b++) {
            if (score[b] == -INFINITY) continue;
            const int32_t *h = hist + (size_t)b * len;
            memcpy(work, logits + (size_t)b * Kz, Kz * sizeof *work);
            if (gr) grammar_mask(gr, &gst[b], gallowed, work, K, NULL);
            if (decoding) { /* none allowed: better a note off the key than nothing (as gen_step) */
                const gen_step_mask *sm = &o->step_mask;
                ob.allowed = enc_abc_pitch_mask(dec[b], sm->lo, sm->hi, sm->scale, mallowed) > 0 ? mallowed : NULL;
            }
            process_logits(&ob, K, work, saved, seen, h, n);
            lj_log_softmax(work, K, work);
            int nr = 0;
            for (int k = 0; k < K; k++)
                if (work[k] != -INFINITY) {
                    row[nr].score = score[b] + work[k];
                    row[nr].beam = b;
                    row[nr].tok = k;
                    nr++;
                }
            select_best(row, nr, W); /* a beam adds at most W of the final W */
            for (int i = 0; i < nr && i < W; i++) cand[nc++] = row[i];
        }
        select_best(cand, nc, W);
        for (int j = 0; j < W; j++) {
            if (j < nc) {
                const beam_cand *c = &cand[j];
                lstm_state_copy_row(next, j, st, c->beam);
                memcpy(hist2 + (size_t)j * len, hist + (size_t)c->beam * len, n * sizeof *hist);
                hist2[(size_t)j * len + n] = c->tok;
                score2[j] = c->score;
                toks[j] = c->tok;
                if (gr) {
                    gst2[j] = gst[c->beam];
                    abc_grammar_advance(gr, &gst2[j], c->tok);
                }
                if (decoding) {
                    if ((rc = enc_decoder_copy(dec2[j], dec[c->beam]))) {
                        rc = lj_fail(err, errlen, rc, "beam search: copying a beam's ABC decoder: %s", lj_strerror(rc));
                        goto done;
                    }
                    enc_decoder_step(dec2[j], c->tok, ev);
                }
            } else {
                score2[j] = -INFINITY;
                toks[j] = -1;
            }
        }
        lstm_state *ts = st;
        st = next;
        next = ts;
        int32_t *th = hist;
        hist = hist2;
        hist2 = th;
        double *tsc = score;
        score = score2;
        score2 = tsc;
        abc_grammar_state *tg = gst;
        gst = gst2;
        gst2 = tg;
        enc_decoder **td = dec;
        dec = dec2;
        dec2 = td;
        lstm_step(m, st, toks, NULL);
    }
    int best = 0;
    for (int b = 1; b < W; b++)
        if (score[b] > score[best]) best = b;
    int32_t *res = malloc((len + ENC_ABC_MARKS_MAX) * sizeof *res);
    if (!res) {
        rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        goto done;
    }
    memcpy(res, hist + (size_t)best * len, len * sizeof *res);
    *ids_out = res;
    *n_out = len;
    if (decoding) /* the best beam's text may end inside a note (gen_finish) */
        *n_out += close_typed_note(e, dec[best], &o->step_mask, res + len, ENC_ABC_MARKS_MAX, ev);
    *logprob = score[best];
done:
    lstm_state_destroy(st);
    lstm_state_destroy(next);
    free(work);
    free(saved);
    free(seen);
    free(hist);
    free(hist2);
    free(toks);
    free(score);
    free(score2);
    free(cand);
    free(row);
    free(gst);
    free(gst2);
    free(gallowed);
    for (int b = 0; b < W && dec; b++) enc_decoder_destroy(dec[b]);
    for (int b = 0; b < W && dec2; b++) enc_decoder_destroy(dec2[b]);
    free(dec);
    free(dec2);
    free(ev);
    free(mallowed);
    abc_grammar_destroy(gr);
    return rc;
}

/* ------------------------------------------------------------------ masks */

unsigned gen_key_scale(int tonic, int minor) {
    static const int major[7] = {0, 2, 4, 5, 7, 9, 11}, natural_minor[7] = {0, 2, 3, 5, 7, 8, 10};
    const int *steps = minor ? natural_minor : major;
    unsigned scale = 0;
    for (int k = 0; k < 7; k++) scale |= 1u << ((tonic % 12 + 12 + steps[k]) % 12);
    return scale;
}

int gen_pitch_mask(const encoding *e, int lo, int hi, unsigned scale, uint8_t *allowed) {
    size_t V = vocab_size(enc_vocab(e));
    int notes = 0;
    for (size_t id = 0; id < V; id++) {
        uint8_t p[128];
        int n = enc_token_pitches(e, (int32_t)id, p, sizeof p);
        if (n < 0) return -1;
        int ok = 1;
        for (int k = 0; k < n && k < 128; k++)
            if (p[k] < lo || p[k] > hi || !(scale >> (p[k] % 12) & 1u)) ok = 0;
        allowed[id] = (uint8_t)ok;
        if (n > 0 && ok) notes++;
    }
    return notes;
}
