/* MGEval measures (src/eval/mgeval.h): the features of hand-built notes worked
 * out by hand; the KDE, overlap area and KL divergence on known
 * distributions; and, on the MIDI files of tests/data/mgeval, every feature
 * of every piece, the overlap areas, KL divergences and set histogram
 * overlaps against the golden numbers tools/mgeval.py wrote
 * (tests/ref/mgeval_golden.py -> tests/data/mgeval/golden.txt). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eval/mgeval.h"
#include "io/score_io.h"

/* |a - b| <= tol, with both numbers in the message (this cmocka has no
 * assert_double_equal). */
#define assert_near(a, b, tol) check_near((a), (b), (tol), #a, __LINE__)
static void check_near(double a, double b, double tol, const char *what, int line) {
    if (!(fabs(a - b) <= tol)) fail_msg("line %d: %s = %.17g, want %.17g (tolerance %g)", line, what, a, b, tol);
}

static double normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* Phi^-1(p) by bisection: plenty for test data. */
static double normal_quantile(double p) {
    double lo = -10, hi = 10;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (normal_cdf(mid) < p) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* n samples of N(mean, 1): the quantiles at (i + 1/2) / n. */
static double *gaussian_samples(size_t n, double mean) {
    double *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++) v[i] = mean + normal_quantile((i + 0.5) / (double)n);
    return v;
}

static void test_bandwidth(void **state) {
    (void)state;
    double v[5] = {0, 1, 2, 3, 4}, c[3] = {2, 2, 2};
    /* sd with n-1: sqrt(10 / 4); Scott's factor 5^(-1/5) */
    assert_near(mgeval_kde_bandwidth(v, 5), sqrt(2.5) * pow(5, -0.2), 1e-15);
    assert_near(mgeval_kde_bandwidth(c, 3), 1e-6, 0); /* a constant sample */
}

static void test_kde_pdf(void **state) {
    (void)state;
    /* one sample: the normal density with sd = bw */
    double one[1] = {1.5}, bw = 0.5;
    for (double x = -1; x <= 4; x += 0.25) {
        double z = (x - 1.5) / bw;
        assert_near(mgeval_kde_pdf(one, 1, bw, x), exp(-0.5 * z * z) / (bw * sqrt(2 * 3.14159265358979323846)), 1e-15);
    }
    /* a KDE integrates to 1 */
    double *g = gaussian_samples(500, 0);
    double h = mgeval_kde_bandwidth(g, 500), area = 0, dx = 0.001;
    for (double x = -8; x < 8; x += dx) area += mgeval_kde_pdf(g, 500, h, x) * dx;
    assert_near(area, 1.0, 1e-9);
    free(g);
}

static void test_linspace(void **state) {
    (void)state;
    assert_true(mgeval_linspace(0.1, 0.7, 1000, 999) == 0.7); /* the end exactly, as numpy */
    assert_near(mgeval_linspace(0.1, 0.7, 1000, 0), 0.1, 0);
    assert_near(mgeval_linspace(0, 1, 5, 2), 0.5, 0);
    assert_near(mgeval_linspace(3, 3, 10, 4), 3, 0);
}

static void test_overlap_known(void **state) {
    (void)state;
    const size_t n = 2000;
    /* identical samples: the KDE's mass between the smallest and the largest
     * sample (the grid's range; the tails beyond are left out, as in MGEval),
     * up to the trapezoid rule's error on 2000 points */
    double *a = gaussian_samples(n, 0), *b = gaussian_samples(n, 0);
    double bw0 = mgeval_kde_bandwidth(a, n), mass = 0;
    for (size_t i = 0; i < n; i++)
        mass += (normal_cdf((a[n - 1] - a[i]) / bw0) - normal_cdf((a[0] - a[i]) / bw0)) / (double)n;
    assert_true(mass < 0.9999); /* the tails are not nothing */
    assert_near(mgeval_overlap_area(a, n, b, n), mass, 1e-6);
    free(b);
    /* N(0,1) and N(d,1): the KDEs are close to N(0, s^2) and N(d, s^2) with
     * s^2 = var + bw^2, whose overlap is 2 Phi(-d / 2s) */
    for (double d = 0.5; d <= 3; d += 1.25) {
        b = gaussian_samples(n, d);
        double mean = 0, var = 0;
        for (size_t i = 0; i < n; i++) mean += a[i] / (double)n;
        for (size_t i = 0; i < n; i++) var += (a[i] - mean) * (a[i] - mean) / (double)(n - 1);
        double bw = mgeval_kde_bandwidth(a, n), s = sqrt(var + bw * bw);
        assert_near(mgeval_overlap_area(a, n, b, n), 2 * normal_cdf(-d / (2 * s)), 2e-3);
        free(b);
    }
    /* far apart: nothing in common */
    b = gaussian_samples(n, 100);
    assert_true(mgeval_overlap_area(a, n, b, n) < 1e-12);
    free(b);
    /* a constant sample against itself: 1 by definition */
    double c1[3] = {2, 2, 2}, c2[2] = {2, 2};
    assert_near(mgeval_overlap_area(c1, 3, c2, 2), 1.0, 0);
    free(a);
}

static void test_kl_known(void **state) {
    (void)state;
    const size_t n = 1000;
    double *a = gaussian_samples(n, 0), *b = gaussian_samples(n, 0);
    assert_near(mgeval_kl_divergence(a, n, b, n), 0, 1e-15);
    /* each density on its own range: a shifted and scaled copy has the same
     * shape, so MGEval's KL is 0 for it (it compares shapes only) */
    for (size_t i = 0; i < n; i++) b[i] = 5 + 3 * b[i];
    assert_near(mgeval_kl_divergence(a, n, b, n), 0, 1e-12);
    /* a different shape: N(0,1) quantiles against evenly spaced points on the
     * same range; the discrete KL on 1000 points, each term by hand */
    for (size_t i = 0; i < n; i++) b[i] = mgeval_linspace(a[0], a[n - 1], (int)n, (int)i);
    double kl = mgeval_kl_divergence(a, n, b, n);
    double bwa = mgeval_kde_bandwidth(a, n), bwb = mgeval_kde_bandwidth(b, n), pa[1000], pb[1000], sa = 0, sb = 0,
           want = 0;
    for (int i = 0; i < 1000; i++) {
        double x = mgeval_linspace(a[0], a[n - 1], 1000, i);
        double za, zb;
        pa[i] = pb[i] = 0;
        for (size_t k = 0; k < n; k++) {
            za = (x - a[k]) / bwa;
            zb = (x - b[k]) / bwb;
            pa[i] += exp(-0.5 * za * za);
            pb[i] += exp(-0.5 * zb * zb);
        }
        pa[i] /= bwa;
        pb[i] /= bwb;
        sa += pa[i];
        sb += pb[i];
    }
    for (int i = 0; i < 1000; i++) want += pa[i] / sa * log((pa[i] / sa) / (pb[i] / sb));
    assert_true(kl > 0.1); /* a bell against a plateau */
    assert_near(kl, want, 1e-10);
    free(a);
    free(b);
}

static void test_length_class(void **state) {
    (void)state;
    assert_int_equal(mgeval_length_class(1), 2);          /* quarter */
    assert_int_equal(mgeval_length_class(0.5), 3);        /* 8th */
    assert_int_equal(mgeval_length_class(1.5), 7);        /* dotted quarter */
    assert_int_equal(mgeval_length_class(4.0 / 3), 10);   /* half-note triplet */
    assert_int_equal(mgeval_length_class(1.0 / 3), 9);    /* nearest on a log scale: 3/8 */
    assert_int_equal(mgeval_length_class(0), 4);          /* 1/1000 -> 16th */
    assert_int_equal(mgeval_length_class(100), 5);        /* dotted whole */
}

/* C4 E4 G4 quarters, then C5 + E5 halves at beat 3 (a chord), then G4 an
 * 8th at beat 5, and a drum note that does not count. */
static void test_features_by_hand(void **state) {
    (void)state;
    score *s = score_create();
    assert_non_null(s);
    const struct { int64_t on, dur; int pitch, ch; } in[] = {
        {0, 480, 60, 0}, {480, 480, 64, 0}, {960, 480, 67, 0}, {1440, 960, 76, 0}, {1440, 960, 72, 0},
        {2400, 240, 67, 0}, {0, 100, 36, 9}};
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        score_note n = {in[i].on, in[i].dur, (uint8_t)in[i].pitch, 80, (uint8_t)in[i].ch, 0, 0};
        assert_int_equal(score_add_note(s, &n), LJ_OK);
    }
    score_note *notes;
    size_t n;
    assert_int_equal(mgeval_notes(s, &notes, &n), LJ_OK);
    assert_int_equal(n, 6);
    assert_int_equal(notes[3].pitch, 72); /* same onset and length: lower pitch first */
    mgeval_piece p;
    mgeval_piece_features(notes, n, &p);
    const double *v = p.v;
    assert_near(v[mgeval_feature_offset(MGEVAL_PC)], 5, 0);       /* 60 64 67 72 76 */
    assert_near(v[mgeval_feature_offset(MGEVAL_PR)], 16, 0);      /* 76 - 60 */
    assert_near(v[mgeval_feature_offset(MGEVAL_NC)], 6, 0);
    /* |4| + |3| + |5| + |4| + |9| over 5 intervals */
    assert_near(v[mgeval_feature_offset(MGEVAL_PI)], 25.0 / 5, 1e-15);
    /* onsets 0 1 2 3 5: four gaps summing to 5 */
    assert_near(v[mgeval_feature_offset(MGEVAL_IOI)], 5.0 / 4, 1e-15);
    const double *pch = v + mgeval_feature_offset(MGEVAL_PCH);
    assert_near(pch[0], 2.0 / 6, 1e-15); /* C4 C5 */
    assert_near(pch[4], 2.0 / 6, 1e-15);
    assert_near(pch[7], 2.0 / 6, 1e-15);
    const double *pctm = v + mgeval_feature_offset(MGEVAL_PCTM); /* C-E E-G G-C C-E E-G */
    assert_near(pctm[0 * 12 + 4], 2.0 / 5, 1e-15);
    assert_near(pctm[4 * 12 + 7], 2.0 / 5, 1e-15);
    assert_near(pctm[7 * 12 + 0], 1.0 / 5, 1e-15);
    const double *nlh = v + mgeval_feature_offset(MGEVAL_NLH);
    assert_near(nlh[2], 3.0 / 6, 1e-15); /* quarters */
    assert_near(nlh[1], 2.0 / 6, 1e-15); /* halves */
    assert_near(nlh[3], 1.0 / 6, 1e-15); /* the 8th */
    const double *nltm = v + mgeval_feature_offset(MGEVAL_NLTM); /* q-q q-q q-h h-h h-8 */
    assert_near(nltm[2 * 12 + 2], 2.0 / 5, 1e-15);
    assert_near(nltm[2 * 12 + 1], 1.0 / 5, 1e-15);
    assert_near(nltm[1 * 12 + 1], 1.0 / 5, 1e-15);
    assert_near(nltm[1 * 12 + 3], 1.0 / 5, 1e-15);
    free(notes);
    score_destroy(s);
}

/* ---- against tools/mgeval.py ---------------------------------------------- */

typedef struct golden_piece {
    char side[16], file[256];
    double v[MGEVAL_DIM_TOTAL];
} golden_piece;

static int cmp_golden(const void *pa, const void *pb) {
    const golden_piece *a = pa, *b = pb;
    int c = strcmp(a->side, b->side);
    return c ? c : strcmp(a->file, b->file);
}

/* Reads SIDE's pieces (the golden file's order: sorted file names) into p. */
static size_t read_side(const char *dir, const char *side, const golden_piece *golden, size_t n_golden,
                        mgeval_piece *p) {
    size_t n = 0;
    for (size_t g = 0; g < n_golden; g++) {
        if (strcmp(golden[g].side, side)) continue;
        char path[1024], err[512];
        snprintf(path, sizeof path, "%s/%s/%s", dir, side, golden[g].file);
        score_book book = {0};
        if (score_read_file(path, NULL, &book, err, sizeof err)) fail_msg("%s", err);
        assert_int_equal(book.n, 1);
        score_note *notes;
        size_t nn;
        assert_int_equal(mgeval_notes(book.items[0], &notes, &nn), LJ_OK);
        mgeval_piece_features(notes, nn, &p[n]);
        for (int k = 0; k < MGEVAL_DIM_TOTAL; k++)
            if (fabs(p[n].v[k] - golden[g].v[k]) > 1e-12 * fmax(1, fabs(golden[g].v[k])))
                fail_msg("%s/%s: value %d: C %.17g, tools/mgeval.py %.17g", side, golden[g].file, k, p[n].v[k],
                         golden[g].v[k]);
        free(notes);
        score_book_clear(&book);
        free(book.items);
        n++;
    }
    return n;
}

static void test_golden(void **state) {
    (void)state;
    const char *data = getenv("LJ_TEST_DATA");
    if (!data) skip();
    char dir[512], path[600];
    if (snprintf(dir, sizeof dir, "%s/mgeval", data) >= (int)sizeof dir) fail_msg("LJ_TEST_DATA too long");
    snprintf(path, sizeof path, "%s/golden.txt", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static golden_piece golden[64];
    size_t n_golden = 0;
    double oa[MGEVAL_NUM_FEATURES], kl[MGEVAL_NUM_FEATURES], mean_oa = -1, hist_pc = -1, hist_nl = -1;
    int n_feat = 0;
    static char line[65536];
    while (fgets(line, sizeof line, f)) {
        char *save = NULL, *tok = strtok_r(line, " \n", &save);
        if (!tok || tok[0] == '#') continue;
        if (!strcmp(tok, "piece")) {
            assert_true(n_golden < 64);
            golden_piece *g = &golden[n_golden++];
            snprintf(g->side, sizeof g->side, "%s", strtok_r(NULL, " \n", &save));
            snprintf(g->file, sizeof g->file, "%s", strtok_r(NULL, " \n", &save));
            for (int k = 0; k < MGEVAL_DIM_TOTAL; k++) {
                char *t = strtok_r(NULL, " \n", &save);
                assert_non_null(t);
                g->v[k] = strtod(t, NULL);
            }
            assert_null(strtok_r(NULL, " \n", &save));
        } else if (!strcmp(tok, "feature")) {
            assert_string_equal(strtok_r(NULL, " \n", &save), mgeval_feature_name(n_feat));
            oa[n_feat] = strtod(strtok_r(NULL, " \n", &save), NULL);
            kl[n_feat++] = strtod(strtok_r(NULL, " \n", &save), NULL);
        } else if (!strcmp(tok, "mean_overlap")) {
            mean_oa = strtod(strtok_r(NULL, " \n", &save), NULL);
        } else if (!strcmp(tok, "hist")) {
            const char *which = strtok_r(NULL, " \n", &save);
            double x = strtod(strtok_r(NULL, " \n", &save), NULL);
            if (!strcmp(which, "pitch_class")) hist_pc = x;
            else hist_nl = x;
        }
    }
    fclose(f);
    assert_int_equal(n_feat, MGEVAL_NUM_FEATURES);
    assert_true(mean_oa >= 0 && hist_pc >= 0 && hist_nl >= 0);
    qsort(golden, n_golden, sizeof *golden, cmp_golden); /* "generated" before "reference", files sorted */
    static mgeval_piece ref[64], gen[64];
    size_t nr = read_side(dir, "reference", golden, n_golden, ref);
    size_t ng = read_side(dir, "generated", golden, n_golden, gen);
    assert_true(nr >= 3 && ng >= 3 && nr + ng == n_golden);
    mgeval_result res;
    assert_int_equal(mgeval_compare(ref, nr, gen, ng, &res), LJ_OK);
    for (int k = 0; k < MGEVAL_NUM_FEATURES; k++) {
        if (fabs(res.feature[k].overlap_area - oa[k]) > 1e-10)
            fail_msg("%s overlap area: C %.17g, tools/mgeval.py %.17g", mgeval_feature_name(k),
                     res.feature[k].overlap_area, oa[k]);
        if (fabs(res.feature[k].kl_divergence - kl[k]) > 1e-10 * fmax(1, kl[k]))
            fail_msg("%s KL: C %.17g, tools/mgeval.py %.17g", mgeval_feature_name(k), res.feature[k].kl_divergence,
                     kl[k]);
    }
    assert_near(res.mean_overlap_area, mean_oa, 1e-10);
    mgeval_result_free(&res);
    /* set histograms: every note of each set */
    double pc[2][12] = {{0}}, nl[2][12] = {{0}};
    for (int side = 0; side < 2; side++)
        for (size_t g = 0; g < n_golden; g++) {
            if (strcmp(golden[g].side, side ? "generated" : "reference")) continue;
            char p[1400], err[512]; /* dir (512) + side + file (256) */
            if (snprintf(p, sizeof p, "%s/%s/%s", dir, golden[g].side, golden[g].file) >= (int)sizeof p)
                fail_msg("path too long");
            score_book book = {0};
            assert_int_equal(score_read_file(p, NULL, &book, err, sizeof err), LJ_OK);
            score_note *notes;
            size_t nn;
            assert_int_equal(mgeval_notes(book.items[0], &notes, &nn), LJ_OK);
            mgeval_hist_add(notes, nn, pc[side], nl[side]);
            free(notes);
            score_book_clear(&book);
            free(book.items);
        }
    assert_near(mgeval_hist_overlap(pc[0], pc[1]), hist_pc, 1e-12);
    assert_near(mgeval_hist_overlap(nl[0], nl[1]), hist_nl, 1e-12);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bandwidth),    cmocka_unit_test(test_kde_pdf),   cmocka_unit_test(test_linspace),
        cmocka_unit_test(test_overlap_known), cmocka_unit_test(test_kl_known), cmocka_unit_test(test_length_class),
        cmocka_unit_test(test_features_by_hand), cmocka_unit_test(test_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
