/* Helpers shared by the render tests: a CHECK that counts failures, WAV
 * reading, alignment by cross-correlation, SNR, onset detection, a
 * deterministic RNG and fixture scores. Header-only (static functions) so
 * each test stays one file. */
#ifndef LJ_TEST_RENDER_UTIL_H
#define LJ_TEST_RENDER_UTIL_H

#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/score.h"

/* CHECK(cond, "fmt", ...): when cond is false, "FAIL FILE:LINE: message" on
 * stdout, counted in the including test's own `static int failures` (its
 * exit status at the end), and the test goes on to the next check. */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

typedef struct wav {
    float *x;        /* interleaved samples, frames * channels */
    int64_t frames;  /* frames */
    int channels;    /* 2 for every render here */
    int rate;        /* Hz */
} wav;

static inline int wav_read(const char *path, wav *w) {
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    memset(w, 0, sizeof *w);
    if (!sf) {
        fprintf(stderr, "%s: %s\n", path, sf_strerror(NULL));
        return -1;
    }
    w->frames = info.frames;
    w->channels = info.channels;
    w->rate = info.samplerate;
    w->x = malloc((size_t)(info.frames ? info.frames : 1) * (size_t)info.channels * sizeof *w->x);
    if (!w->x || sf_readf_float(sf, w->x, info.frames) != info.frames) {
        sf_close(sf);
        free(w->x);
        w->x = NULL;
        return -1;
    }
    sf_close(sf);
    return 0;
}

/* Mono energy envelope: sum of squares over hops of `hop` frames. */
static inline double *envelope(const wav *w, int hop, int64_t *n) {
    *n = w->frames / hop;
    double *e = calloc((size_t)(*n ? *n : 1), sizeof *e);
    for (int64_t i = 0; i < *n * hop; i++)
        for (int c = 0; c < w->channels; c++) {
            double v = w->x[i * w->channels + c];
            e[i / hop] += v * v;
        }
    return e;
}

/* The lag L (frames, |L| <= max_lag) that best aligns b to a, i.e. a[t] ~ b[t+L]:
 * first on 64-frame energy envelopes (normalised cross-correlation), then
 * sample by sample within +-96 frames of the coarse lag, over the loudest
 * seconds. */
static inline int64_t best_lag(const wav *a, const wav *b, int64_t max_lag) {
    const int hop = 64;
    int64_t na, nb;
    double *ea = envelope(a, hop, &na), *eb = envelope(b, hop, &nb);
    int64_t coarse = 0;
    double best = -1;
    for (int64_t l = -max_lag / hop; l <= max_lag / hop; l++) {
        double s = 0, sa = 0, sb = 0;
        for (int64_t i = 0; i < na; i++) {
            int64_t j = i + l;
            if (j < 0 || j >= nb) continue;
            s += ea[i] * eb[j];
            sa += ea[i] * ea[i];
            sb += eb[j] * eb[j];
        }
        double c = sa > 0 && sb > 0 ? s / sqrt(sa * sb) : 0;
        if (c > best) {
            best = c;
            coarse = l * hop;
        }
    }
    free(ea);
    free(eb);
    /* Fine: raw samples, over up to 4 s from the first sound. */
    int64_t start = 0;
    while (start < a->frames && fabsf(a->x[start * a->channels]) < 1e-4f) start++;
    int64_t len = a->frames - start < 4 * (int64_t)a->rate ? a->frames - start : 4 * (int64_t)a->rate;
    int64_t fine = coarse;
    best = -INFINITY;
    for (int64_t l = coarse - 96; l <= coarse + 96; l++) {
        double s = 0;
        for (int64_t i = start; i < start + len; i++) {
            int64_t j = i + l;
            if (j < 0 || j >= b->frames) continue;
            for (int c = 0; c < a->channels; c++)
                s += (double)a->x[i * a->channels + c] * b->x[j * b->channels + c];
        }
        if (s > best) {
            best = s;
            fine = l;
        }
    }
    return fine;
}

/* SNR in dB of `test` against `ref` (ref[t] ~ test[t+lag]) over ref's frames
 * [from, to) that both cover: signal = ref, noise = test - ref. */
static inline double snr_db(const wav *ref, const wav *test, int64_t lag, int64_t from, int64_t to) {
    double sig = 0, noise = 0;
    for (int64_t i = from; i < to && i < ref->frames; i++) {
        int64_t j = i + lag;
        if (j < 0 || j >= test->frames) continue;
        for (int c = 0; c < ref->channels; c++) {
            double r = ref->x[i * ref->channels + c], t = test->x[j * test->channels + c];
            sig += r * r;
            noise += (t - r) * (t - r);
        }
    }
    if (noise == 0) return INFINITY;
    return 10 * log10(sig / noise);
}

/* Amplitude (1-frame energy) onsets: the first frame whose largest channel
 * magnitude reaches `on` after a stretch of at least `quiet` frames below `off`
 * (the attack between `off` and `on` may come in between).
 * Returns how many were found (at most max). */
static inline size_t onsets(const wav *w, float on, float off, int64_t quiet, int64_t *out, size_t max) {
    size_t n = 0;
    int64_t silent = quiet; /* the file starts in silence */
    int armed = 1;          /* a quiet stretch passed since the last onset */
    for (int64_t i = 0; i < w->frames && n < max; i++) {
        float m = 0;
        for (int c = 0; c < w->channels; c++) {
            float v = fabsf(w->x[i * w->channels + c]);
            if (v > m) m = v;
        }
        if (m >= on && armed) {
            out[n++] = i;
            armed = 0;
        }
        silent = m < off ? silent + 1 : 0;
        if (silent >= quiet) armed = 1;
    }
    return n;
}

static inline double rms(const wav *w, int64_t from, int64_t to) {
    double s = 0;
    int64_t k = 0;
    for (int64_t i = from < 0 ? 0 : from; i < to && i < w->frames; i++)
        for (int c = 0; c < w->channels; c++, k++) s += (double)w->x[i * w->channels + c] * w->x[i * w->channels + c];
    return k ? sqrt(s / (double)k) : 0;
}

/* xorshift64*: explicit state, deterministic. */
static inline uint64_t rng_next(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}
static inline int rng_below(uint64_t *s, int n) { return (int)(rng_next(s) % (uint64_t)n); }

/* A temp folder, removed with everything in it by tmpdir_remove. */
static inline int tmpdir_make(char *buf, size_t len) {
    const char *base = getenv("TMPDIR");
    snprintf(buf, len, "%s/lj-audio-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(buf) ? 0 : -1;
}
static inline void tmpdir_remove(const char *dir) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* 1 if `prog` runs from PATH. */
static inline int have_program(const char *prog) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

#endif
