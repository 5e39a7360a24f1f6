/* mgeval: generated music against reference music, set against set, with the
 * measures of MGEval (Yang and Lerch, "On the evaluation of generative models
 * in music", Neural Computing and Applications 2018), defined exactly as
 * tools/mgeval.py (numpy) defines them so the two agree to rounding:
 *
 * - per piece, nine features (mgeval_features): used pitches (PC), pitch-class
 *   histogram (PCH, 12), pitch-class transition matrix (PCTM, 12x12), pitch
 *   range (PR), mean absolute interval between consecutive notes (PI), note
 *   count (NC), mean inter-onset interval between distinct onsets in quarter
 *   notes (IOI), note-length histogram over MGEval's 12 classes (NLH) and the
 *   note-length transition matrix (NLTM, 12x12). The notes of all parts and
 *   channels but 10 (drums) are merged and ordered by (onset, duration, pitch);
 *   "consecutive" means in that order. Histograms and matrices sum to 1.
 * - per feature, the Euclidean distances between the pieces of the reference
 *   set (intra-set: every ordered pair i != j, MGEval's leave-one-out) and
 *   between each reference piece and each generated piece (inter-set); a
 *   Gaussian kernel density estimate of each (Scott's bandwidth, as
 *   scipy.stats.gaussian_kde); the overlap area of the two densities
 *   (trapezoids on 2000 points over both ranges: 1 = the generated pieces sit
 *   among the reference pieces as these sit among themselves) and the KL
 *   divergence KL(intra || inter) as MGEval's utils.kl_dist computes it (each
 *   density on 1000 points over its own range, normalised to sum 1: it
 *   compares shapes, so it does not change when a set of distances is shifted
 *   or scaled).
 * - per set, the pitch-class and note-length histograms of all its notes and
 *   their overlap (sum of minima, 1 = identical).
 *
 * Pure numerics on plain arrays: no files, no threads. Thread: any (all). */
#ifndef LJ_MGEVAL_H
#define LJ_MGEVAL_H

#include <stddef.h>
#include <stdint.h>

#include "io/score.h"

enum {
    MGEVAL_PC = 0, MGEVAL_PCH, MGEVAL_PCTM, MGEVAL_PR, MGEVAL_PI, MGEVAL_NC, MGEVAL_IOI, MGEVAL_NLH, MGEVAL_NLTM,
    MGEVAL_NUM_FEATURES
};
#define MGEVAL_LENGTH_CLASSES 12
#define MGEVAL_DIM_TOTAL (1 + 12 + 144 + 1 + 1 + 1 + 1 + 12 + 144) /* doubles per piece */
#define MGEVAL_OVERLAP_POINTS 2000 /* grid of the overlap area */
#define MGEVAL_KL_POINTS 1000      /* grid of the KL divergence */

/* One piece's features, all features end to end (mgeval_feature_offset). */
typedef struct mgeval_piece {
    double v[MGEVAL_DIM_TOTAL];
} mgeval_piece;

/* Name ("PC", "PCH"...), length and offset in mgeval_piece.v of feature f. */
const char *mgeval_feature_name(int f);
int mgeval_feature_dim(int f);
int mgeval_feature_offset(int f);
/* Name of note-length class c ("1", "1/2", ..., "1/4t"). */
const char *mgeval_length_class_name(int c);

/* MGEval's note-length class (whole, half, quarter, 8th, 16th, their dotted
 * forms, half and quarter triplets) nearest on a log scale to a length of
 * `quarters` quarter notes (lengths under 1/1000 count as 1/1000). */
int mgeval_length_class(double quarters);

/* The notes the features read: s's notes but channel 10's, as (onset,
 * duration, pitch) sorted in that order, into a new malloc'd array *notes
 * (NULL when there are none); the caller frees it. LJ_OK or LJ_ERR_NOMEM. */
int mgeval_notes(const score *s, score_note **notes, size_t *n);

/* The features of n >= 2 sorted notes (mgeval_notes) into *p. */
void mgeval_piece_features(const score_note *notes, size_t n, mgeval_piece *p);

/* Scott's bandwidth of n samples: sd (n-1 in the denominator) * n^(-1/5),
 * at least 1e-6 (a constant sample). */
double mgeval_kde_bandwidth(const double *samples, size_t n);
/* The Gaussian KDE of `sorted` (n samples in ascending order, bandwidth bw)
 * at x. Kernels farther than 40 bandwidths contribute exactly 0 in double
 * and are skipped. */
double mgeval_kde_pdf(const double *sorted, size_t n, double bw, double x);
/* Overlap area of the KDEs of a and b, and KL(KDE a || KDE b) as above.
 * Both sort a and b in place; na, nb >= 1. */
double mgeval_overlap_area(double *a, size_t na, double *b, size_t nb);
double mgeval_kl_divergence(double *a, size_t na, double *b, size_t nb);
/* x[i] of numpy.linspace(lo, hi, n): lo + i * (hi - lo) / (n - 1), and hi
 * exactly at the end. */
double mgeval_linspace(double lo, double hi, int n, int i);

/* One feature compared between the sets. The distance arrays are owned by the
 * mgeval_result that holds this. */
typedef struct mgeval_feature_result {
    double *intra;          /* nr * (nr - 1) reference-reference distances, ordered pairs (i, j != i) */
    double *inter;          /* nr * ng reference-generated distances, reference-major */
    size_t n_intra, n_inter;
    double overlap_area;    /* 0..1 */
    double kl_divergence;   /* nats, KL(intra || inter) */
    /* Scalar features: the values' mean and sd (n in the denominator); vector
     * features: the same of each piece's distance to the reference mean vector. */
    double ref_mean, ref_sd, gen_mean, gen_sd;
} mgeval_feature_result;

typedef struct mgeval_result {
    mgeval_feature_result feature[MGEVAL_NUM_FEATURES];
    double mean_overlap_area; /* over the nine features */
} mgeval_result;

/* Compares nr >= 2 reference pieces with ng >= 1 generated pieces. LJ_OK, or
 * LJ_ERR_NOMEM (res then holds nothing to free). mgeval_result_free frees
 * the distance arrays; on a zeroed result it is a no-op. */
int mgeval_compare(const mgeval_piece *ref, size_t nr, const mgeval_piece *gen, size_t ng, mgeval_result *res);
void mgeval_result_free(mgeval_result *res);

/* Set-level histograms: counts of pitch classes (12) or length classes (12)
 * of notes added one by one; normalise and compare with mgeval_hist_overlap. */
void mgeval_hist_add(const score_note *notes, size_t n, double pitch_class_counts[12],
                     double length_class_counts[12]);
/* Sum of minima of the two count histograms, each first divided by its total. */
double mgeval_hist_overlap(const double p[12], const double q[12]);

#endif
