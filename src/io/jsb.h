/* jsb: reader for the JSB chorales JSON piano rolls (Boulanger-Lewandowski split,
 * JSON by C.-Z. A. Huang): {"train": [...], "valid": [...], "test": [...]}, each
 * piece a list of time steps, each step a list of sounding MIDI pitches.
 *
 * Each step lasts `step_ticks`; a pitch sounding in consecutive steps becomes one
 * held note (the data does not distinguish held from repeated notes) unless
 * merge_held is 0, then each step is its own note. */
#ifndef LJ_JSB_H
#define LJ_JSB_H

#include <stddef.h>

#include "score.h"

typedef struct jsb_opts {
    const char *split; /* "train", "valid", "test", or NULL for all three in that order */
    int step_ticks;    /* ticks per time step: 120 for the 16th file, 240 8th, 480 quarter */
    int merge_held;    /* 1: join a pitch held over steps into one note (default) */
} jsb_opts;

/* Parses a whole JSON document; appends one score per piece to out (titles
 * "train 0", "valid 12"... ; index = position in its split). Thread: any. */
int jsb_read_mem(const char *json, size_t len, const char *name, const jsb_opts *opts,
                 score_book *out, char *err, size_t errlen);

/* Thread: control. */
int jsb_read_file(const char *path, const jsb_opts *opts, score_book *out, char *err,
                  size_t errlen);

/* Renders s back to a piano roll of frames of step_ticks: frames[i] is a
 * bitmask over pitches 0..127 (two uint64_t per frame). *frames is malloc'd.
 * Used by tests to check frames and pitches equal the JSON. Thread: any. */
int jsb_to_roll(const score *s, int step_ticks, uint64_t (**frames)[2], size_t *n_frames);

#endif
