/* Shared by the engine tests: a small random-weight model of the `event`
 * encoding (Performance RNN, fixed 388-token vocabulary) written to a .lstm
 * file, and a fake synth that remembers which keys sound. Random weights give a
 * near-uniform token distribution: about as many note-ons as time shifts, a
 * few notes per second, overlapping keys, note-offs for keys not sounding:
 * the rough input the engine and the audio side must survive. */
#ifndef LJ_ENGINE_FIXTURE_H
#define LJ_ENGINE_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "encoding.h"
#include "modelio.h"
#include "synth_ops.h"

/* Writes a random-weight model of encoding `name` ("event", "chars", "abc",
 * ...) with vocabulary v (V tokens) and options text `options` (NULL: none
 * stored) to path, its output bias bias[id] (V floats; NULL: the random
 * init's), so a test can make a random model favour some tokens; 0 on
 * success. */
static inline int fixture_write_biased_model(const char *path, const char *name, const vocab *v,
                                             const char *options, int hidden, uint64_t seed,
                                             const float *bias) {
    char err[512];
    int V = (int)vocab_size(v);
    lj_model_config c;
    memset(&c, 0, sizeof c);
    c.input_kind = LJ_INPUT_EMBEDDING;
    c.input_size = V;
    c.embed_dim = 16;
    c.num_layers = 1;
    c.hidden[0] = hidden;
    c.num_heads = 1;
    c.heads[0].kind = LJ_HEAD_SOFTMAX;
    snprintf(c.heads[0].name, sizeof c.heads[0].name, "token");
    c.heads[0].size = V;
    c.heads[0].loss_weight = 1;
    lj_model *m = NULL;
    int rc = lj_model_create(&m, &c, err, sizeof err);
    if (!rc) {
        lj_model_init(m, seed);
        const lj_param *b = bias ? lj_model_find(m, "heads.token.bias") : NULL;
        if (b) {
            memcpy(b->data, bias, (size_t)V * sizeof *bias);
            lj_model_params_changed(m);
        }
        rc = modelio_save_encoded(path, m, name, options, v, 0, err, sizeof err);
    }
    if (rc) fprintf(stderr, "fixture: %s\n", err);
    lj_model_destroy(m);
    return rc;
}

/* fixture_write_biased_model with the random init's bias. */
static inline int fixture_write_model(const char *path, const char *name, const vocab *v,
                                      const char *options, int hidden, uint64_t seed) {
    return fixture_write_biased_model(path, name, v, options, hidden, seed, NULL);
}

/* Writes the event model (fixed vocabulary of 388 tokens) to path. */
static inline int fixture_write_event_model(const char *path, int hidden, uint64_t seed) {
    char err[512];
    encoding *e = NULL;
    enc_opts o;
    enc_opts_default(&o, "event");
    if (enc_create("event", &o, &e, err, sizeof err)) return -1;
    int rc = fixture_write_model(path, "event", enc_vocab(e), NULL, hidden, seed);
    enc_destroy(e);
    return rc;
}

/* A synth that renders silence and tracks what sounds. */
typedef struct fixture_synth {
    uint8_t sounding[16][128]; /* 1 after note_on until note_off / all_notes_off */
    uint64_t ons, offs, all_offs, frames;
    uint64_t program_changes;  /* program changes applied, any channel */
    uint8_t program_seen[128]; /* 1 for each program a change set */
} fixture_synth;

static inline void fs_on(void *u, int ch, int key, int vel) {
    fixture_synth *f = u;
    (void)vel;
    f->sounding[ch][key] = 1;
    f->ons++;
}
static inline void fs_off(void *u, int ch, int key) {
    fixture_synth *f = u;
    f->sounding[ch][key] = 0;
    f->offs++;
}
static inline void fs_cc(void *u, int ch, int cc, int v) { (void)u, (void)ch, (void)cc, (void)v; }
static inline void fs_program(void *u, int ch, int p) {
    fixture_synth *f = u;
    (void)ch;
    f->program_changes++;
    f->program_seen[p & 127] = 1;
}
static inline void fs_all_off(void *u, int ch) {
    fixture_synth *f = u;
    memset(f->sounding[ch], 0, 128);
    f->all_offs++;
}
static inline void fs_render(void *u, float *out, uint32_t frames) {
    fixture_synth *f = u;
    memset(out, 0, 2 * frames * sizeof *out);
    f->frames += frames;
}
static inline lj_synth_ops fixture_synth_ops(fixture_synth *f) {
    lj_synth_ops o = {f, fs_on, fs_off, fs_cc, fs_program, fs_all_off, fs_render, NULL, NULL, NULL};
    return o;
}
static inline int fixture_sounding(const fixture_synth *f) {
    int n = 0;
    for (int c = 0; c < 16; c++)
        for (int k = 0; k < 128; k++) n += f->sounding[c][k];
    return n;
}

#endif
