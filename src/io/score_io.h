/* score_io: read any supported music file into a score_book, chosen by extension:
 * .mid/.midi/.smf (MIDI), .abc (ABC book), .krn (Humdrum kern), .json (JSB
 * chorales piano rolls). */
#ifndef LJ_SCORE_IO_H
#define LJ_SCORE_IO_H

#include "abc.h"
#include "jsb.h"
#include "score.h"

typedef struct score_read_opts {
    abc_opts abc;      /* ABC repeat convention, chord symbols */
    jsb_opts jsb;      /* JSB split and grid; jsb.step_ticks 0 = auto: the grid the
                          file's name states (jsb_grid_of_name), else
                          jsb_fallback_ticks. A grid given (> 0) that the name
                          contradicts is refused (LJ_ERR_ARG): a JSON roll does not
                          say its step, and read on another grid every note
                          stretches (the quarter file read as 16ths scored 92
                          nats/frame instead of 5) */
    int jsb_fallback_ticks; /* auto grid when the name states none; 0 = 120 (16th) */
    lj_warn_fn warn;   /* non-fatal diagnostics from every reader; may be NULL */
    void *warn_user;
} score_read_opts;

/* Defaults: abc2midi repeats, chords on, all JSB splits, the JSB grid from the
 * file's name (else 16th-note steps). */
void score_read_opts_default(score_read_opts *o);

/* Format names for messages and `info`. */
typedef enum score_format {
    SCORE_FORMAT_UNKNOWN = 0, SCORE_FORMAT_MIDI, SCORE_FORMAT_ABC, SCORE_FORMAT_KERN,
    SCORE_FORMAT_JSB
} score_format;
score_format score_format_of_path(const char *path);
const char *score_format_name(score_format f);

/* Appends every score in the file to out. Thread: control. */
int score_read_file(const char *path, const score_read_opts *o, score_book *out, char *err,
                    size_t errlen);

#endif
