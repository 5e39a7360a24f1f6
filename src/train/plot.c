#include "plot.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "lj_status.h"

typedef struct png_buf {
    unsigned char *data; /* growing PNG bytes */
    size_t len, cap;
    int failed;          /* allocation failed */
} png_buf;

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int length) {
    png_buf *b = closure;
    if (b->len + length > b->cap) {
        size_t cap = (b->cap + length) * 2;
        unsigned char *p = realloc(b->data, cap);
        if (!p) {
            b->failed = 1;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, length);
    b->len += length;
    return CAIRO_STATUS_SUCCESS;
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) for a range. */
static double tick_step(double range, int ticks) {
    double raw = range / ticks, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

int plot_png(const char *path, const char *title, const plot_series *series, int n_series,
             int width, int height, char *err, size_t errlen) {
    return plot_png_xy(path, title, "step", series, n_series, width, height, err, errlen);
}

int plot_write_surface(cairo_surface_t *surf, const char *path, char *err, size_t errlen) {
    png_buf buf = {0};
    cairo_surface_flush(surf);
    cairo_status_t st = cairo_surface_write_to_png_stream(surf, png_write, &buf);
    int rc;
    if (st != CAIRO_STATUS_SUCCESS || buf.failed)
        rc = lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot encode PNG: %s", path, cairo_status_to_string(st));
    else
        rc = lj_file_write_atomic(path, buf.data, buf.len, err, errlen);
    free(buf.data);
    return rc;
}

int plot_png_xy(const char *path, const char *title, const char *xlabel, const plot_series *series, int n_series,
                int width, int height, char *err, size_t errlen) {
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int s = 0; s < n_series; s++)
        for (size_t i = 0; i < series[s].n; i++) {
            double x = series[s].x[i], y = series[s].y[i];
            if (!isfinite(x) || !isfinite(y)) continue;
            x0 = fmin(x0, x);
            x1 = fmax(x1, x);
            y0 = fmin(y0, y);
            y1 = fmax(y1, y);
        }
    if (!(x1 >= x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    if (x1 == x0) x1 = x0 + 1;
    if (y1 == y0) y1 = y0 + 1;
    double pad = (y1 - y0) * 0.05;
    y0 -= pad;
    y1 += pad;
    const double L = 70, R = 20, T = 40, B = 50; /* margins in pixels */
    double pw = width - L - R, ph = height - T - B;
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    cairo_t *cr = cairo_create(surf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    /* grid and tick labels */
    char lab[64];
    double ys = tick_step(y1 - y0, 6), xs = tick_step(x1 - x0, 8);
    cairo_set_line_width(cr, 1);
    for (double y = ceil(y0 / ys) * ys; y <= y1; y += ys) {
        double py = T + ph * (1 - (y - y0) / (y1 - y0));
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        cairo_move_to(cr, L, py);
        cairo_line_to(cr, L + pw, py);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        snprintf(lab, sizeof lab, "%.3g", fabs(y) < ys * 1e-6 ? 0.0 : y); /* no "-0" from rounding */
        cairo_move_to(cr, 8, py + 4);
        cairo_show_text(cr, lab);
    }
    for (double x = ceil(x0 / xs) * xs; x <= x1; x += xs) {
        double px = L + pw * (x - x0) / (x1 - x0);
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        cairo_move_to(cr, px, T);
        cairo_line_to(cr, px, T + ph);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        snprintf(lab, sizeof lab, xs >= 1 ? "%.0f" : "%.3g", fabs(x) < xs * 1e-6 ? 0.0 : x);
        cairo_move_to(cr, px - 10, T + ph + 18);
        cairo_show_text(cr, lab);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_rectangle(cr, L, T, pw, ph);
    cairo_stroke(cr);
    cairo_move_to(cr, L + pw / 2 - 20, height - 12);
    cairo_show_text(cr, xlabel);
    cairo_set_font_size(cr, 14);
    cairo_move_to(cr, L, 24);
    cairo_show_text(cr, title);
    /* series */
    cairo_set_font_size(cr, 12);
    for (int s = 0; s < n_series; s++) {
        const plot_series *se = &series[s];
        cairo_set_source_rgb(cr, se->r, se->g, se->b);
        cairo_set_line_width(cr, 1.5);
        int started = 0;
        for (size_t i = 0; i < se->n; i++) {
            if (!isfinite(se->y[i])) continue;
            double px = L + pw * (se->x[i] - x0) / (x1 - x0);
            double py = T + ph * (1 - (se->y[i] - y0) / (y1 - y0));
            if (se->points) {
                cairo_arc(cr, px, py, 3, 0, 6.283185307179586);
                cairo_fill(cr);
            } else if (!started) {
                cairo_move_to(cr, px, py);
                started = 1;
            } else {
                cairo_line_to(cr, px, py);
            }
        }
        if (!se->points) cairo_stroke(cr);
        double ly = T + 16 + 16 * s;
        cairo_rectangle(cr, L + pw - 150, ly - 8, 12, 8);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_move_to(cr, L + pw - 132, ly);
        cairo_show_text(cr, se->label);
    }
    cairo_destroy(cr);
    int rc = plot_write_surface(surf, path, err, errlen);
    cairo_surface_destroy(surf);
    return rc;
}
