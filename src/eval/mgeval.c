#include "mgeval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const feature_names[MGEVAL_NUM_FEATURES] = {"PC", "PCH", "PCTM", "PR", "PI",
                                                               "NC", "IOI", "NLH", "NLTM"};
static const int feature_dims[MGEVAL_NUM_FEATURES] = {1, 12, 144, 1, 1, 1, 1, 12, 144};

/* MGEval's 12 note-length classes in quarter notes: whole, half, quarter, 8th,
 * 16th, their dotted forms, then the half and quarter triplets. */
static const double length_classes[MGEVAL_LENGTH_CLASSES] = {4, 2, 1, 0.5, 0.25, 6, 3, 1.5, 0.75, 0.375,
                                                             4.0 / 3, 2.0 / 3};
static const char *const length_names[MGEVAL_LENGTH_CLASSES] = {"1",  "1/2",  "1/4",  "1/8",   "1/16", "1.",
                                                                "1/2.", "1/4.", "1/8.", "1/16.", "1/2t", "1/4t"};

/* Kernels farther than this many bandwidths add exp(-800) = 0 in double. */
#define KDE_CUTOFF 40.0

const char *mgeval_feature_name(int f) { return feature_names[f]; }
int mgeval_feature_dim(int f) { return feature_dims[f]; }
int mgeval_feature_offset(int f) {
    int off = 0;
    for (int k = 0; k < f; k++) off += feature_dims[k];
    return off;
}
const char *mgeval_length_class_name(int c) { return length_names[c]; }

int mgeval_length_class(double quarters) {
    double lq = log2(fmax(quarters, 1e-3)), best = INFINITY;
    int cls = 0;
    for (int c = 0; c < MGEVAL_LENGTH_CLASSES; c++) {
        double d = fabs(log2(length_classes[c]) - lq);
        if (d < best) { /* strict: the first of equals, as numpy.argmin */
            best = d;
            cls = c;
        }
    }
    return cls;
}

/* tools/mgeval.py sorts (onset, length, pitch) tuples. */
static int cmp_note(const void *pa, const void *pb) {
    const score_note *a = pa, *b = pb;
    if (a->onset != b->onset) return a->onset < b->onset ? -1 : 1;
    if (a->duration != b->duration) return a->duration < b->duration ? -1 : 1;
    return (int)a->pitch - (int)b->pitch;
}

int mgeval_notes(const score *s, score_note **notes, size_t *n) {
    *notes = NULL;
    *n = 0;
    size_t k = 0;
    for (size_t i = 0; i < s->n_notes; i++) k += s->notes[i].channel != 9;
    if (!k) return LJ_OK;
    score_note *out = malloc(k * sizeof *out);
    if (!out) return LJ_ERR_NOMEM;
    k = 0;
    for (size_t i = 0; i < s->n_notes; i++)
        if (s->notes[i].channel != 9) out[k++] = s->notes[i];
    qsort(out, k, sizeof *out, cmp_note);
    *notes = out;
    *n = k;
    return LJ_OK;
}

static void normalise(double *v, int n) {
    double sum = 0;
    for (int i = 0; i < n; i++) sum += v[i];
    sum = fmax(sum, 1);
    for (int i = 0; i < n; i++) v[i] /= sum;
}

void mgeval_piece_features(const score_note *notes, size_t n, mgeval_piece *p) {
    memset(p, 0, sizeof *p);
    double *pc = p->v + mgeval_feature_offset(MGEVAL_PC), *pch = p->v + mgeval_feature_offset(MGEVAL_PCH),
           *pctm = p->v + mgeval_feature_offset(MGEVAL_PCTM), *nlh = p->v + mgeval_feature_offset(MGEVAL_NLH),
           *nltm = p->v + mgeval_feature_offset(MGEVAL_NLTM);
    int used[128] = {0}, lo = 127, hi = 0, prev_cls = -1;
    double abs_interval = 0, ioi_sum = 0;
    size_t distinct_onsets = 0;
    for (size_t i = 0; i < n; i++) {
        int pitch = notes[i].pitch, cls = mgeval_length_class((double)notes[i].duration / SCORE_PPQ);
        used[pitch] = 1;
        lo = pitch < lo ? pitch : lo;
        hi = pitch > hi ? pitch : hi;
        pch[pitch % 12] += 1;
        nlh[cls] += 1;
        if (i > 0) {
            int prev = notes[i - 1].pitch;
            pctm[(prev % 12) * 12 + pitch % 12] += 1;
            nltm[prev_cls * 12 + cls] += 1;
            abs_interval += abs(pitch - prev);
        }
        if (i == 0 || notes[i].onset != notes[i - 1].onset) {
            /* the notes are sorted by onset: a new onset is a distinct one */
            if (distinct_onsets) {
                size_t j = i - 1;
                ioi_sum += (double)notes[i].onset / SCORE_PPQ - (double)notes[j].onset / SCORE_PPQ;
            }
            distinct_onsets++;
        }
        prev_cls = cls;
    }
    for (int k = 0; k < 128; k++) pc[0] += used[k];
    normalise(pch, 12);
    normalise(pctm, 144);
    normalise(nlh, 12);
    normalise(nltm, 144);
    p->v[mgeval_feature_offset(MGEVAL_PR)] = n ? hi - lo : 0;
    p->v[mgeval_feature_offset(MGEVAL_PI)] = n > 1 ? abs_interval / (double)(n - 1) : 0;
    p->v[mgeval_feature_offset(MGEVAL_NC)] = (double)n;
    p->v[mgeval_feature_offset(MGEVAL_IOI)] = distinct_onsets > 1 ? ioi_sum / (double)(distinct_onsets - 1) : 0;
}

/* ---- densities ------------------------------------------------------------ */

static int cmp_double(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

double mgeval_kde_bandwidth(const double *samples, size_t n) {
    double sd = 0;
    if (n > 1) {
        double mean = 0, ss = 0;
        for (size_t i = 0; i < n; i++) mean += samples[i];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) ss += (samples[i] - mean) * (samples[i] - mean);
        sd = sqrt(ss / (double)(n - 1));
    }
    return fmax(sd * pow((double)n, -0.2), 1e-6);
}

double mgeval_kde_pdf(const double *sorted, size_t n, double bw, double x) {
    /* first sample within the cutoff: binary search */
    double from = x - KDE_CUTOFF * bw, to = x + KDE_CUTOFF * bw, sum = 0;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] < from) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i < n && sorted[i] <= to; i++) {
        double z = (x - sorted[i]) / bw;
        sum += exp(-0.5 * z * z);
    }
    return sum / ((double)n * bw * sqrt(2 * 3.14159265358979323846));
}

double mgeval_linspace(double lo, double hi, int n, int i) {
    if (n > 1 && i == n - 1) return hi;
    double step = n > 1 ? (hi - lo) / (n - 1) : 0;
    return i * step + lo;
}

double mgeval_overlap_area(double *a, size_t na, double *b, size_t nb) {
    qsort(a, na, sizeof *a, cmp_double);
    qsort(b, nb, sizeof *b, cmp_double);
    double lo = fmin(a[0], b[0]), hi = fmax(a[na - 1], b[nb - 1]);
    if (hi <= lo) return 1.0;
    double bwa = mgeval_kde_bandwidth(a, na), bwb = mgeval_kde_bandwidth(b, nb), area = 0, prev_x = 0, prev_y = 0;
    for (int i = 0; i < MGEVAL_OVERLAP_POINTS; i++) {
        double x = mgeval_linspace(lo, hi, MGEVAL_OVERLAP_POINTS, i);
        double y = fmin(mgeval_kde_pdf(a, na, bwa, x), mgeval_kde_pdf(b, nb, bwb, x));
        if (i) area += (y + prev_y) * 0.5 * (x - prev_x);
        prev_x = x;
        prev_y = y;
    }
    return area;
}

double mgeval_kl_divergence(double *a, size_t na, double *b, size_t nb) {
    qsort(a, na, sizeof *a, cmp_double);
    qsort(b, nb, sizeof *b, cmp_double);
    double bwa = mgeval_kde_bandwidth(a, na), bwb = mgeval_kde_bandwidth(b, nb);
    double pa[MGEVAL_KL_POINTS], pb[MGEVAL_KL_POINTS], sa = 0, sb = 0, kl = 0;
    for (int i = 0; i < MGEVAL_KL_POINTS; i++) {
        /* each density on its own range, as MGEval's utils.kl_dist */
        pa[i] = mgeval_kde_pdf(a, na, bwa, mgeval_linspace(a[0], a[na - 1], MGEVAL_KL_POINTS, i));
        pb[i] = mgeval_kde_pdf(b, nb, bwb, mgeval_linspace(b[0], b[nb - 1], MGEVAL_KL_POINTS, i));
        sa += pa[i];
        sb += pb[i];
    }
    for (int i = 0; i < MGEVAL_KL_POINTS; i++) {
        double p = pa[i] / sa, q = pb[i] / sb;
        if (p > 0) kl += p * log(p / fmax(q, 1e-300));
    }
    return kl;
}

/* ---- sets ----------------------------------------------------------------- */

static double distance(const double *x, const double *y, int dim) {
    double ss = 0;
    for (int k = 0; k < dim; k++) ss += (x[k] - y[k]) * (x[k] - y[k]);
    return sqrt(ss);
}

/* Mean and sd (n in the denominator) of n values. */
static void mean_sd(const double *v, size_t n, double *mean, double *sd) {
    double m = 0, ss = 0;
    for (size_t i = 0; i < n; i++) m += v[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++) ss += (v[i] - m) * (v[i] - m);
    *mean = m;
    *sd = sqrt(ss / (double)n);
}

/* How typical each set's pieces are for feature f: the values themselves
 * (scalar features) or their distances to the reference mean vector. */
static int typicality(const mgeval_piece *ref, size_t nr, const mgeval_piece *gen, size_t ng, int f,
                      mgeval_feature_result *r) {
    int off = mgeval_feature_offset(f), dim = mgeval_feature_dim(f);
    double *vals = malloc((nr > ng ? nr : ng) * sizeof *vals), centre[144] = {0};
    if (!vals) return LJ_ERR_NOMEM;
    for (size_t i = 0; i < nr; i++)
        for (int k = 0; k < dim; k++) centre[k] += ref[i].v[off + k] / (double)nr;
    for (int side = 0; side < 2; side++) {
        const mgeval_piece *set = side ? gen : ref;
        size_t n = side ? ng : nr;
        for (size_t i = 0; i < n; i++) vals[i] = dim == 1 ? set[i].v[off] : distance(set[i].v + off, centre, dim);
        mean_sd(vals, n, side ? &r->gen_mean : &r->ref_mean, side ? &r->gen_sd : &r->ref_sd);
    }
    free(vals);
    return LJ_OK;
}

int mgeval_compare(const mgeval_piece *ref, size_t nr, const mgeval_piece *gen, size_t ng, mgeval_result *res) {
    memset(res, 0, sizeof *res);
    size_t n_intra = nr * (nr - 1), n_inter = nr * ng;
    /* one block: feature f's intra then inter distances */
    double *block = malloc((size_t)MGEVAL_NUM_FEATURES * (n_intra + n_inter) * sizeof *block);
    if (!block) return LJ_ERR_NOMEM;
    double sum_oa = 0;
    for (int f = 0; f < MGEVAL_NUM_FEATURES; f++) {
        mgeval_feature_result *r = &res->feature[f];
        int off = mgeval_feature_offset(f), dim = mgeval_feature_dim(f);
        r->intra = block + (size_t)f * (n_intra + n_inter);
        r->inter = r->intra + n_intra;
        r->n_intra = n_intra;
        r->n_inter = n_inter;
        size_t k = 0;
        for (size_t i = 0; i < nr; i++)
            for (size_t j = 0; j < nr; j++)
                if (i != j) r->intra[k++] = distance(ref[i].v + off, ref[j].v + off, dim);
        k = 0;
        for (size_t i = 0; i < nr; i++)
            for (size_t j = 0; j < ng; j++) r->inter[k++] = distance(ref[i].v + off, gen[j].v + off, dim);
        r->overlap_area = mgeval_overlap_area(r->intra, n_intra, r->inter, n_inter);
        r->kl_divergence = mgeval_kl_divergence(r->intra, n_intra, r->inter, n_inter);
        sum_oa += r->overlap_area;
        if (typicality(ref, nr, gen, ng, f, r)) {
            mgeval_result_free(res);
            return LJ_ERR_NOMEM;
        }
    }
    res->mean_overlap_area = sum_oa / MGEVAL_NUM_FEATURES;
    return LJ_OK;
}

void mgeval_result_free(mgeval_result *res) {
    free(res->feature[0].intra);
    memset(res, 0, sizeof *res);
}

void mgeval_hist_add(const score_note *notes, size_t n, double pitch_class_counts[12],
                     double length_class_counts[12]) {
    for (size_t i = 0; i < n; i++) {
        pitch_class_counts[notes[i].pitch % 12] += 1;
        length_class_counts[mgeval_length_class((double)notes[i].duration / SCORE_PPQ)] += 1;
    }
}

double mgeval_hist_overlap(const double p[12], const double q[12]) {
    double sp = 0, sq = 0, sum = 0;
    for (int k = 0; k < 12; k++) {
        sp += p[k];
        sq += q[k];
    }
    for (int k = 0; k < 12; k++) sum += fmin(sp > 0 ? p[k] / sp : 0, sq > 0 ? q[k] / sq : 0);
    return sum;
}
