/* plot: line plots as PNG (cairo): the loss curve of a training run (train
 * loss per logged step and validation loss per evaluation, against optimizer
 * steps) and lstmjam eval's plots (src/eval/eval_plot.h). Thread: control. */
#ifndef LJ_PLOT_H
#define LJ_PLOT_H

#include <stddef.h>

#include <cairo.h>

typedef struct plot_series {
    const double *x;  /* steps (or the x axis' unit) */
    const double *y;  /* losses (nats per token), or densities */
    size_t n;
    const char *label;
    double r, g, b;   /* colour, 0..1 */
    int points;       /* 1: draw markers, 0: a line */
} plot_series;

/* Writes a width x height PNG atomically, x axis labelled "step". Returns
 * LJ_OK or an error. */
int plot_png(const char *path, const char *title, const plot_series *series, int n_series,
             int width, int height, char *err, size_t errlen);
/* The same with the x axis labelled xlabel. */
int plot_png_xy(const char *path, const char *title, const char *xlabel, const plot_series *series, int n_series,
                int width, int height, char *err, size_t errlen);
/* Encodes a drawn surface as PNG and writes it to path atomically (temp file
 * and rename: never a half file). The caller keeps the surface. */
int plot_write_surface(cairo_surface_t *surf, const char *path, char *err, size_t errlen);

#endif
