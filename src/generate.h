/* generate: offline generation from a token model (lstmjam generate): a primer
 * fed through the step API, then tokens drawn one at a time (temperature,
 * top-k, top-p; temperature 0 = argmax) or found by beam search, with an
 * optional logit mask (key/scale, pitch range: built by gen_pitch_mask from
 * what each token of the encoding plays) and repetition control (no-repeat
 * n-gram, repetition penalty). The encoding's decoder runs along, so the length
 * can be counted in tokens, notes or seconds.
 *
 *   generator *g;  gen_create(&g, m, e, &opts, err, errlen);
 *   gen_prime(g, primer_ids, n);                  (feeds the primer)
 *   while (!gen_done(g)) gen_step(g);             (allocates nothing)
 *   gen_ids(g, &n)  ->  primer + generated ids
 *
 * Ownership: the generator keeps pointers to the model and the encoding, which
 * must outlive it; it owns its LSTM state, decoder and buffers. */
#ifndef LJ_GENERATE_H
#define LJ_GENERATE_H

#include <stddef.h>
#include <stdint.h>

#include "encoding.h"
#include "model.h"
#include "sample.h"

typedef enum gen_unit {
    GEN_STEPS = 0, /* tokens generated */
    GEN_NOTES,     /* notes started by the generated tokens (decoder note-ons) */
    GEN_SECONDS,   /* decoder time past the primer's end, seconds */
    GEN_PIECES     /* pieces the generated tokens end (timestep '/', abc end of tune;
                      notechord and event never end one: max_steps stops them) */
} gen_unit;

/* Key/scale and pitch range for encodings whose tokens carry no pitch of
 * their own (abc): worked out each step from where the decoder stands
 * (enc_abc_pitch_mask), since a note's pitch depends on the key and the bar. */
typedef struct gen_step_mask {
    int on;          /* 0: off */
    int lo, hi;      /* pitch range, MIDI numbers */
    unsigned scale;  /* pitch classes, bit 0 = C (0xfff: all) */
} gen_step_mask;

typedef struct gen_opts {
    lj_sampler sampler;       /* temperature (0 = argmax), top_k, top_p */
    uint64_t seed;            /* the sampling RNG's seed */
    gen_unit unit;            /* what `length` counts */
    double length;            /* how much to generate, in `unit` (> 0) */
    size_t max_steps;         /* tokens generated at most (notes and seconds stop here too) */
    const uint8_t *allowed;   /* K flags, 0 = the token is never drawn; NULL = all */
    gen_step_mask step_mask;  /* abc: a key/scale and range mask per step (not with allowed) */
    int no_repeat_ngram;      /* n >= 1: no n-gram of tokens twice (0 = off) */
    size_t ngram_window;      /* tokens back the n-gram search looks (0 = all) */
    float repetition_penalty; /* > 1 penalises tokens of the last penalty_window (1 = off) */
    size_t penalty_window;    /* tokens back the penalty looks */
    int abc_grammar;          /* abc tokens models draw only tokens that keep the tune valid
                                 ABC (abc_grammar.h): 1 (the default) the token grammar, 2
                                 also bars that fill the meter; 0 the raw model. Other
                                 encodings ignore it. */
} gen_opts;

/* Defaults: temperature 1, no truncation, seed 1, 500 steps, no mask, no
 * repetition control, penalty window 64, n-gram window 4096, the abc grammar
 * without the meter (1: the meter rule bends the note lengths, see
 * model/pretrained/README.md). Thread: any. */
void gen_opts_default(gen_opts *o);

typedef struct generator generator;

/* Counts of a run. */
typedef struct gen_stats {
    size_t primer;        /* primer tokens */
    size_t steps;         /* tokens generated */
    size_t notes;         /* note-ons decoded from the generated tokens */
    size_t pieces;        /* pieces ended by the generated tokens */
    double seconds;       /* decoder time from the primer's end to the last event */
    size_t resyncs;       /* abc: malformed generated text read past (whole run) */
    size_t dropped;       /* abc: notes the step decoder could not play (whole run) */
    size_t bad_tokens;    /* ids the decoder could not read */
    size_t unbanned;      /* steps where the n-gram bans left no token: bans lifted */
    size_t unmasked;      /* abc: steps where the step mask allowed no token: mask lifted */
    size_t marks_closed;  /* abc chars with a step mask: octave marks gen_finish appended to
                             bring the last note into range (not in steps) */
    double logprob;       /* sum of log p of the generated tokens under the distribution
                             they were drawn from (after grammar, mask, penalty, bans; at T=1) */
    double logprob_model; /* sum of log p of the generated tokens under the model's own
                             softmax (nothing masked, T=1): its NLL of what it wrote */
    double grammar_mass;  /* abc grammar: sum over steps of the model's probability (T=1)
                             of the tokens the grammar masked */
    size_t grammar_masked;    /* steps where the grammar masked 1% or more of the probability */
    size_t grammar_dead_ends; /* steps where the grammar allowed nothing: drawn unmasked */
    size_t grammar_violations; /* tokens outside the grammar (primer, or after a dead end) */
} gen_stats;

/* Shared by the token and the frame generators (o->max_steps as the
 * generator keeps it). The steps a run may take: max_steps, or the length
 * when it counts steps and is smaller (0: nothing to generate). Thread: any. */
size_t gen_steps_at_most(const gen_opts *o);
/* 1 when st has reached o's length in its unit, or max_steps. Thread: any. */
int gen_length_reached(const gen_opts *o, const gen_stats *st);
/* Adds k decoded events to a run's counts: note-ons to notes, and the later
 * of their times and the decoder's, past t_primer seconds, to seconds (the
 * token and the frame generators count alike). Thread: any. */
void gen_count_events(gen_stats *st, const enc_decoder *dec, const enc_event *ev, size_t k, double t_primer);

/* Allocates everything generation needs, once (state, decoder, history of
 * max_steps + primer tokens, scratch). The model must have one softmax head of
 * the encoding's vocabulary size and token input; a step mask needs an abc
 * encoding and no `allowed`. Errors LJ_ERR_ARG (with the reason),
 * LJ_ERR_NOMEM. Thread: control. */
int gen_create(generator **out, const lj_model *m, const encoding *e, const gen_opts *o,
               size_t max_primer, char *err, size_t errlen);
void gen_destroy(generator *g); /* NULL is a no-op */

/* Feeds n primer ids (n <= max_primer; n = 0 feeds one zero input so the first
 * token has logits). Call once, before gen_step. Thread: control. */
int gen_prime(generator *g, const int32_t *ids, size_t n);
/* Draws one token, steps the LSTM and the decoder. Allocates nothing. Returns
 * the token. Thread: engine. */
int32_t gen_step(generator *g);
/* 1 when the length (or max_steps) is reached. Thread: any. */
int gen_done(const generator *g);
/* Primer and generated ids so far (owned by g). Thread: any. */
/* After the last gen_step: with a step mask (abc chars), appends the octave
 * marks that bring the note the text ends with into the range, when the
 * length cut the text between a letter and its marks (stats.marks_closed).
 * gen_beam does the same to its result. Returns the ids appended (0 without
 * a mask). Allocates nothing. Thread: the generator's. */
size_t gen_finish(generator *g);
const int32_t *gen_ids(const generator *g, size_t *n);
void gen_get_stats(const generator *g, gen_stats *st);

/* Beam search of width W >= 1 for `steps` tokens after the primer: keeps the W
 * prefixes of highest total log-probability (after the mask and repetition
 * control of o and the abc grammar, which apply per beam) and returns the best full sequence,
 * primer included, in *ids (malloc'd; *n ids; with a step mask, also the
 * octave marks that close its last note, as gen_finish: not in *logprob)
 * and its generated tokens' log-probability in *logprob. Deterministic (no RNG); width 1 is greedy.
 * State copies reorder the beams (lstm_state_copy_row); each beam keeps its
 * whole history, copied when beams are reordered (W * (primer + steps) ids,
 * at most 2^26: LJ_ERR_LIMIT). A step mask (abc key and range) follows each
 * beam's own decoder: 2 W decoders made up front (an abc decoder holds about
 * 0.3 MB of stream buffers), one copied with each beam's token and stepped
 * (only the bytes in use are copied; nothing is allocated per step).
 * Thread: control. */
int gen_beam(const lj_model *m, const encoding *e, const gen_opts *o, int W, size_t steps,
             const int32_t *primer, size_t n_primer, int32_t **ids, size_t *n, double *logprob,
             char *err, size_t errlen);

/* ---- frame models (psd, pianoroll): src/generate_frames.c ----
 *
 * The same loop over frames: a primer of frames fed through the step API, then
 * one frame drawn per step by a frame_sampler (frame_sampler.h: softmax fields
 * with o->sampler and, for the "pitch" field, the mask o->allowed of 128 flags;
 * regressed step/duration clamped to >= 0; pianoroll keys from the Bernoulli or
 * NADE head at o->sampler.temperature), decoded along by enc_decoder_step_frame so the length counts
 * frames (GEN_STEPS), notes or seconds. Repetition control and beam search are
 * token ideas: o->no_repeat_ngram and o->repetition_penalty must be off
 * (LJ_ERR_ARG).
 *
 *   frame_generator *g;  gen_frame_create(&g, m, e, &opts, n_primer, err, errlen);
 *   gen_frame_prime(g, primer_frames, n_primer);
 *   while (!gen_frame_done(g)) gen_frame_step(g);     (allocates nothing)
 *   gen_frame_frames(g, &n)  ->  primer + generated frames (n * enc_frame_dim floats) */
typedef struct frame_generator frame_generator;

/* Allocates everything (state, sampler, decoder, room for max_primer +
 * max_steps frames). The model must be a frame model of e (frame_sampler_check).
 * gen_stats.steps counts frames. Thread: control. */
int gen_frame_create(frame_generator **out, const lj_model *m, const encoding *e, const gen_opts *o,
                     size_t max_primer, char *err, size_t errlen);
void gen_frame_destroy(frame_generator *g); /* NULL is a no-op */
/* Feeds n primer frames (n * enc_frame_dim floats, n <= max_primer; n = 0
 * feeds one zero input). Call once, before gen_frame_step. Thread: control. */
int gen_frame_prime(frame_generator *g, const float *frames, size_t n);
/* Draws one frame, decodes it, feeds it back. Allocates nothing. Returns the
 * frame (enc_frame_dim floats, owned by g). Thread: engine. */
const float *gen_frame_step(frame_generator *g);
int gen_frame_done(const frame_generator *g);
const float *gen_frame_frames(const frame_generator *g, size_t *n);
void gen_frame_get_stats(const frame_generator *g, gen_stats *st);

/* A logit mask over e's vocabulary: a token that starts notes is allowed when
 * all its pitches lie in [lo, hi] and their pitch classes in `scale` (bit pc
 * set, bit 0 = C; 0xfff = every class); tokens that start no note are always
 * allowed. allowed has vocab-size bytes. Returns the number of allowed tokens
 * that start notes; -1 when the encoding's tokens carry no pitch of their own
 * (abc). Thread: any. */
int gen_pitch_mask(const encoding *e, int lo, int hi, unsigned scale, uint8_t *allowed);

/* The pitch classes of a key's scale as gen_pitch_mask takes them (bit pc,
 * bit 0 = C): major, or natural minor when `minor`; tonic 0..11. Thread: any. */
unsigned gen_key_scale(int tonic, int minor);

#endif
