/* plot: the loss curve of a training run as a PNG (cairo): train loss per
 * logged step and validation loss per evaluation, against optimizer steps.
 * Thread: control. */
#ifndef LJ_PLOT_H
#define LJ_PLOT_H

#include <stddef.h>

typedef struct plot_series {
    const double *x;  /* steps */
    const double *y;  /* losses (nats per token) */
    size_t n;
    const char *label;
    double r, g, b;   /* colour, 0..1 */
    int points;       /* 1: draw markers, 0: a line */
} plot_series;

/* Writes a width x height PNG atomically. Returns LJ_OK or an error. */
int plot_png(const char *path, const char *title, const plot_series *series, int n_series,
             int width, int height, char *err, size_t errlen);

#endif
