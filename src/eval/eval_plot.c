#include "eval_plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cjson/cJSON.h>

#include "files.h"
#include "mgeval.h"
#include "plot.h"

int eval_plot_kde(const char *path, const char *feature, const double *intra, size_t n_intra, const double *inter,
                  size_t n_inter, double overlap_area, double kl_divergence, char *err, size_t errlen) {
    double x[EVAL_PLOT_KDE_POINTS], y_intra[EVAL_PLOT_KDE_POINTS], y_inter[EVAL_PLOT_KDE_POINTS];
    double lo = fmin(intra[0], inter[0]), hi = fmax(intra[n_intra - 1], inter[n_inter - 1]);
    double bw_intra = mgeval_kde_bandwidth(intra, n_intra), bw_inter = mgeval_kde_bandwidth(inter, n_inter);
    /* three bandwidths of margin so both tails show */
    double margin = 3 * fmax(bw_intra, bw_inter);
    lo = fmax(0, lo - margin); /* distances are never negative */
    hi += margin;
    for (int i = 0; i < EVAL_PLOT_KDE_POINTS; i++) {
        x[i] = mgeval_linspace(lo, hi, EVAL_PLOT_KDE_POINTS, i);
        y_intra[i] = mgeval_kde_pdf(intra, n_intra, bw_intra, x[i]);
        y_inter[i] = mgeval_kde_pdf(inter, n_inter, bw_inter, x[i]);
    }
    plot_series s[2] = {
        {x, y_intra, EVAL_PLOT_KDE_POINTS, "intra-set (reference)", 0.1, 0.3, 0.8, 0},
        {x, y_inter, EVAL_PLOT_KDE_POINTS, "inter-set (ref-gen)", 0.85, 0.3, 0.1, 0},
    };
    char title[160];
    snprintf(title, sizeof title, "%s: distance densities, overlap area %.3f, KL %.3f", feature, overlap_area,
             kl_divergence);
    return plot_png_xy(path, title, "Euclidean distance", s, 2, 800, 450, err, errlen);
}

int eval_plot_pianoroll(const char *path, const char *title, const score_note *notes, size_t n, char *err,
                        size_t errlen) {
    const int width = 1000, height = 420;
    const double L = 50, R = 15, T = 40, B = 40; /* margins in pixels */
    double pw = width - L - R, ph = height - T - B;
    int lo = 127, hi = 0;
    double end = 0; /* quarter notes */
    for (size_t i = 0; i < n; i++) {
        lo = notes[i].pitch < lo ? notes[i].pitch : lo;
        hi = notes[i].pitch > hi ? notes[i].pitch : hi;
        end = fmax(end, (double)(notes[i].onset + notes[i].duration) / SCORE_PPQ);
    }
    if (!n) lo = 60, hi = 72;
    lo = lo - 2 < 0 ? 0 : lo - 2;
    hi = hi + 2 > 127 ? 127 : hi + 2;
    if (end <= 0) end = 4;
    double key_h = ph / (hi - lo + 1), q_w = pw / end;
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    cairo_t *cr = cairo_create(surf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    /* black-key rows shaded, as on a keyboard */
    for (int p = lo; p <= hi; p++) {
        int pc = p % 12;
        if (pc == 1 || pc == 3 || pc == 6 || pc == 8 || pc == 10) {
            cairo_set_source_rgb(cr, 0.94, 0.94, 0.94);
            cairo_rectangle(cr, L, T + (hi - p) * key_h, pw, key_h);
            cairo_fill(cr);
        }
    }
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 11);
    /* a line every 4 quarters (the meter is not known here), labelled */
    int every = end > 256 ? 32 : end > 64 ? 16 : 4;
    char lab[32];
    for (int q = 0; q <= (int)end; q += every) {
        double x = L + q * q_w;
        cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
        cairo_set_line_width(cr, 1);
        cairo_move_to(cr, x, T);
        cairo_line_to(cr, x, T + ph);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        snprintf(lab, sizeof lab, "%d", q);
        cairo_move_to(cr, x - 6, T + ph + 15);
        cairo_show_text(cr, lab);
    }
    for (int p = (lo + 11) / 12 * 12; p <= hi; p += 12) { /* C of each octave */
        snprintf(lab, sizeof lab, "C%d", p / 12 - 1);
        cairo_move_to(cr, 8, T + (hi - p + 0.5) * key_h + 4); /* beside the C row */
        cairo_show_text(cr, lab);
    }
    cairo_move_to(cr, L + pw / 2 - 40, height - 8);
    cairo_show_text(cr, "quarter notes");
    for (size_t i = 0; i < n; i++) {
        double x = L + (double)notes[i].onset / SCORE_PPQ * q_w, w = (double)notes[i].duration / SCORE_PPQ * q_w;
        double y = T + (hi - notes[i].pitch) * key_h;
        cairo_rectangle(cr, x, y + 0.5, fmax(w - 1, 1), fmax(key_h - 1, 1));
        cairo_set_source_rgb(cr, 0.15, 0.35, 0.75);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.05, 0.15, 0.4); /* an outline keeps repeated notes apart */
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, L, T, pw, ph);
    cairo_stroke(cr);
    cairo_set_font_size(cr, 14);
    cairo_move_to(cr, L, 24);
    cairo_show_text(cr, title);
    cairo_destroy(cr);
    int rc = plot_write_surface(surf, path, err, errlen);
    cairo_surface_destroy(surf);
    return rc;
}

/* Appends (x, y) to a curve of *n points with room for *cap. */
static int curve_push(double **xs, double **ys, size_t *n, size_t *cap, double x, double y) {
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        double *nx = realloc(*xs, c * sizeof *nx);
        if (!nx) return LJ_ERR_NOMEM;
        *xs = nx;
        double *ny = realloc(*ys, c * sizeof *ny);
        if (!ny) return LJ_ERR_NOMEM;
        *ys = ny;
        *cap = c;
    }
    (*xs)[*n] = x;
    (*ys)[(*n)++] = y;
    return LJ_OK;
}

void eval_losses_free(eval_losses *l) {
    free(l->train_step);
    free(l->train_loss);
    free(l->valid_step);
    free(l->valid_loss);
    memset(l, 0, sizeof *l);
}

int eval_losses_parse(const char *text, size_t len, const char *name, eval_losses *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    int rc = LJ_OK;
    size_t pos = 0;
    for (size_t line_no = 1; !rc && pos < len; line_no++) {
        const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl != NULL);
        size_t blank = 0;
        while (blank < n && (line[blank] == ' ' || line[blank] == '\t' || line[blank] == '\r')) blank++;
        if (blank == n) continue;
        cJSON *o = cJSON_ParseWithLength(line, n);
        const cJSON *step = cJSON_GetObjectItemCaseSensitive(o, "step");
        if (!cJSON_IsObject(o) || !cJSON_IsNumber(step)) {
            rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%zu: expected a JSON object with a \"step\" number", name,
                         line_no);
        } else {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "train_loss"),
                        *v = cJSON_GetObjectItemCaseSensitive(o, "valid_loss");
            if (cJSON_IsNumber(t))
                rc = curve_push(&out->train_step, &out->train_loss, &out->n_train, &out->cap_train, step->valuedouble,
                                t->valuedouble);
            if (!rc && cJSON_IsNumber(v))
                rc = curve_push(&out->valid_step, &out->valid_loss, &out->n_valid, &out->cap_valid, step->valuedouble,
                                v->valuedouble);
            if (rc) rc = lj_fail(err, errlen, rc, "out of memory");
        }
        cJSON_Delete(o);
    }
    if (!rc && !out->n_train && !out->n_valid)
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: no train_loss or valid_loss line", name);
    if (rc) eval_losses_free(out);
    return rc;
}

int eval_plot_losses(const char *path, const char *metrics_path, char *err, size_t errlen) {
    uint8_t *data = NULL;
    size_t len = 0;
    eval_losses l;
    int rc = lj_file_read(metrics_path, &data, &len, err, errlen);
    if (rc) return rc;
    rc = eval_losses_parse((const char *)data, len, metrics_path, &l, err, errlen);
    free(data);
    if (rc) return rc;
    plot_series s[2] = {
        {l.train_step, l.train_loss, l.n_train, "train", 0.1, 0.3, 0.8, 0},
        {l.valid_step, l.valid_loss, l.n_valid, "validation", 0.85, 0.3, 0.1, 1},
    };
    char title[512];
    snprintf(title, sizeof title, "%s: loss (nats per token)", metrics_path);
    rc = plot_png(path, title, s, 2, 800, 450, err, errlen);
    eval_losses_free(&l);
    return rc;
}
