/* eval_plot: lstmjam eval's PNG plots (cairo, through src/train/plot.h), each
 * written atomically (temp file and rename): the intra-set and inter-set
 * distance densities of one MGEval feature, a piano roll of a piece, and the
 * loss curves of a training run's metrics.jsonl. Thread: control (all). */
#ifndef LJ_EVAL_PLOT_H
#define LJ_EVAL_PLOT_H

#include <stddef.h>

#include "io/score.h"

#define EVAL_PLOT_KDE_POINTS 200 /* points of a plotted density */

/* The KDEs of the sorted intra-set and inter-set distances of `feature` on
 * EVAL_PLOT_KDE_POINTS points over both ranges, with the overlap area and KL
 * divergence in the title. LJ_OK or an error in err. */
int eval_plot_kde(const char *path, const char *feature, const double *intra, size_t n_intra, const double *inter,
                  size_t n_inter, double overlap_area, double kl_divergence, char *err, size_t errlen);

/* A piano roll of n notes (score ticks, SCORE_PPQ per quarter): time in
 * quarter notes across, pitch up, one bar per note; title names the piece. */
int eval_plot_pianoroll(const char *path, const char *title, const score_note *notes, size_t n, char *err,
                        size_t errlen);

/* The train and validation loss curves of metrics_path (lstmjam train's
 * metrics.jsonl: lines with "step" and "train_loss" or "valid_loss"); a line
 * that is not a JSON object is an error naming its line number. */
int eval_plot_losses(const char *path, const char *metrics_path, char *err, size_t errlen);

#endif
