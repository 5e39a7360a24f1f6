/* enc_key: which key a score is in, for `transpose=c`: the score's key map when it
 * has one, else a Krumhansl-Schmuckler estimate; and the shift that brings it to
 * C major / A minor (church modes to their white-note tonic). */
#include <math.h>
#include <string.h>

#include "enc_internal.h"

/* Tonic of each score_mode relative to the major tonic of the same signature,
 * which is also the white-note tonic of the mode (C major, A minor, D dorian...). */
static const int mode_offset[7] = {0, 9, 2, 4, 5, 7, 11};

static int mod12(int x) { return ((x % 12) + 12) % 12; }

int enc_key_shift(int fifths, int mode) {
    if (mode < 0 || mode > 6) mode = 0;
    int tonic = mod12(7 * fifths + mode_offset[mode]);
    /* music21 Interval(tonic, target), both pitches in octave 4. */
    return mode_offset[mode] - tonic;
}

/* Krumhansl-Kessler key profiles (Krumhansl 1990), tonic first. */
static const double kk_major[12] = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
static const double kk_minor[12] = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

static double correlate(const double *h, const double *profile, int tonic) {
    double mh = 0, mp = 0;
    for (int i = 0; i < 12; i++) {
        mh += h[i];
        mp += profile[i];
    }
    mh /= 12;
    mp /= 12;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < 12; i++) {
        double x = h[mod12(tonic + i)] - mh, y = profile[i] - mp;
        sxy += x * y;
        sxx += x * x;
        syy += y * y;
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0;
}

void enc_estimate_key(const score *s, int shift, int *tonic, int *mode) {
    double h[12] = {0};
    for (size_t i = 0; i < s->n_notes; i++) h[mod12(s->notes[i].pitch + shift)] += (double)s->notes[i].duration;
    double best = -2;
    *tonic = 0;
    *mode = SCORE_MODE_MAJOR;
    /* Ties keep the first: C major before C minor before C# major... */
    for (int t = 0; t < 12; t++)
        for (int m = 0; m < 2; m++) {
            double r = correlate(h, m ? kk_minor : kk_major, t);
            if (r > best + 1e-12) {
                best = r;
                *tonic = t;
                *mode = m ? SCORE_MODE_MINOR : SCORE_MODE_MAJOR;
            }
        }
}

void enc_key_of(const score *s, int *fifths, int *mode, int *estimated) {
    if (s->n_keys > 0) {
        *fifths = s->keys[0].fifths;
        *mode = s->keys[0].mode <= SCORE_MODE_LOCRIAN ? s->keys[0].mode : SCORE_MODE_MAJOR;
        *estimated = 0;
        return;
    }
    int tonic, m;
    enc_estimate_key(s, 0, &tonic, &m);
    /* The signature whose major (or relative major) tonic this is, -5..6. */
    int major_tonic = m == SCORE_MODE_MINOR ? mod12(tonic + 3) : tonic;
    int f = mod12(7 * major_tonic);
    if (f > 6) f -= 12;
    *fifths = f;
    *mode = m;
    *estimated = 1;
}
