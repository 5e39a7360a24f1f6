/* jsb: reader for the JSB chorales JSON piano rolls (Boulanger-Lewandowski split,
 * JSON by C.-Z. A. Huang): {"train": [...], "valid": [...], "test": [...]}, each
 * piece a list of time steps, each step a list of sounding MIDI pitches.
 *
 * Each step lasts `step_ticks`; a pitch sounding in consecutive steps becomes one
 * held note (the data does not distinguish held from repeated notes) unless
 * merge_held is 0, then each step is its own note. A pitch listed twice in one
 * step (two voices in unison, frequent in the data) sounds once. Pitches may be
 * written 62 or 62.0 (the 8th and 16th files use both); 62.5, 128, -1 or a
 * non-number are errors. Every note has velocity 80, channel 0, part 0
 * ("chorale"); the rolls carry no tempo, meter or key.
 *
 * Errors: a syntax error gives "FILE:LINE:COL: expected valid JSON, found X"
 * (cJSON reports where it stopped); a bad value gives line and column plus the
 * JSON path: "FILE:3:1207: expected a MIDI pitch (an integer 0..127), found 130
 * (at test[3][17][2])". More than 16 nested lists is LJ_ERR_LIMIT. On error the
 * book is left as it was. cJSON allocates inside libcjson.so; those allocations
 * cannot be failed by the link-time --wrap allocation test (ours can). */
#ifndef LJ_JSB_H
#define LJ_JSB_H

#include <stddef.h>

#include "score.h"

#define JSB_MAX_STEP_TICKS (16 * SCORE_PPQ) /* 4 whole notes per step is already absurd */

typedef struct jsb_opts {
    const char *split; /* "train", "valid", "test", or NULL for all three in that order */
    int step_ticks;    /* ticks per time step, 1..7680: 120 for the 16th file, 240 8th, 480 quarter */
    int merge_held;    /* 1: join a pitch held over steps into one note (default); 0: a note per step */
} jsb_opts;

/* Parses a whole JSON document; appends one score per piece to out, splits in
 * the order train, valid, test. Titles name the split and the 0-based position
 * in it as in the JSON ("train 0", "valid 12"); index is 1 + the position among
 * the pieces read by this call (so with split "test", index 5 is test[4]), which
 * keeps `--tune N` and output file names unique. Thread: any (cJSON also
 * stores its last error position in a global of its own, which lstmjam never
 * reads: concurrent calls race only on that unused value). */
int jsb_read_mem(const char *json, size_t len, const char *name, const jsb_opts *opts,
                 score_book *out, char *err, size_t errlen);

/* The grid a JSB file's name states, in ticks (the files are published as
 * jsb-chorales-quarter.json, -8th, -16th, or JSB-Chorales-16th...): "16th" ->
 * 120, "8th" -> 240, "quarter" -> 480 anywhere in the last path component,
 * any case; 0 when it states none (or more than one). Thread: any. */
int jsb_grid_of_name(const char *path);

/* Thread: control. */
int jsb_read_file(const char *path, const jsb_opts *opts, score_book *out, char *err,
                  size_t errlen);

/* Renders s back to a piano roll of frames of step_ticks: frames[i] is a
 * bitmask over pitches 0..127 (two uint64_t per frame: bit p&63 of word p>>6),
 * a note marking every frame it overlaps. *n_frames = ceil(end of the last
 * note / step_ticks), so silent steps after the last note are not represented
 * (no JSB piece has any). *frames is malloc'd, owned by the caller (free());
 * NULL with 0 frames on failure (LJ_ERR_NOMEM, LJ_ERR_ARG for step_ticks <= 0).
 * Used by tests to check frames and pitches equal the JSON. Thread: any. */
int jsb_to_roll(const score *s, int step_ticks, uint64_t (**frames)[2], size_t *n_frames);

#endif
