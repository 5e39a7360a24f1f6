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

/* The loss curves of a training run. */
typedef struct eval_losses {
    double *train_step, *train_loss; /* n_train points: optimizer step, nats per token (or frame) */
    double *valid_step, *valid_loss; /* n_valid points */
    size_t n_train, n_valid;
    size_t cap_train, cap_valid;     /* allocated points */
} eval_losses;

/* Parses len bytes of lstmjam train's metrics.jsonl (name is the file for
 * messages): one JSON object per line with a "step" number and "train_loss"
 * or "valid_loss" (other lines, as test_loss, carry neither and are kept out);
 * blank lines are skipped. A line that is not such an object is LJ_ERR_PARSE
 * "NAME:LINE: expected ...", no loss at all too. On LJ_OK the caller frees
 * *out with eval_losses_free; on an error nothing is left to free. */
int eval_losses_parse(const char *text, size_t len, const char *name, eval_losses *out, char *err, size_t errlen);
void eval_losses_free(eval_losses *l);

/* The train and validation loss curves of metrics_path (eval_losses_parse)
 * as a PNG at path. */
int eval_plot_losses(const char *path, const char *metrics_path, char *err, size_t errlen);

#endif
