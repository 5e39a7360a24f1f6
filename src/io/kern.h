/* kern: Humdrum **kern reader for monophonic songs (the Essen Folksong Collection).
 *
 * Reads one **kern spine: durations (with dots, 0 = breve, 00 = longa, tuplet
 * reciprocals such as 3, 6, 12, rational reciprocals 3%2 and the decimal
 * reciprocals 1.5 found in Essen), pitches in every octave (c = 60, cc = 72,
 * C = 48, CC = 36), accidentals (# ## - -- n), rests, ties ([ _ ]: a tied chain
 * becomes one note), bar lines, *M meter, *k[] key signature with *X: key and
 * mode, *MM tempo, comments and reference records (!!!OTL is the title). Other
 * interpretations and articulation/ornament signs are read past. A file with
 * more than one spine, a chord or a spine split is refused (LJ_ERR_UNSUPPORTED).
 * Durations that do not land on the 480 PPQ grid (a 7-tuplet) are refused
 * (LJ_ERR_RANGE): the reader never rounds. Errors read
 * "FILE:LINE:COL: expected X, found Y".
 *
 * Bar check: every bar line closes a bar (the bar before the first bar line is
 * the first bar, even when empty; the bar closed by the last bar line is the
 * last). Interior bars, all but the first and the last, are compared with the
 * meter in force at their first data token; a bar whose length differs is
 * reported through opts->warn and counted, never an error. */
#ifndef LJ_KERN_H
#define LJ_KERN_H

#include <stddef.h>

#include "score.h"

typedef struct kern_stats {
    size_t note_tokens;       /* data tokens holding a pitch (tied continuations included) */
    size_t rest_tokens;       /* data tokens holding a rest */
    size_t notes;             /* notes in the score: note tokens - ties_merged + glued_notes */
    size_t ties_merged;       /* note tokens that extended a tied note instead of starting one */
    size_t glued_notes;       /* extra notes found glued into one token ("4.B8G"), each warned */
    size_t bars_interior;     /* bars closed by a bar line, first and last bar excluded */
    size_t bars_incomplete;   /* interior bars whose length differs from the meter */
    size_t bars_unchecked;    /* interior bars without a usable meter (*MX, *MFREI...) */
} kern_stats;

typedef struct kern_opts {
    lj_warn_fn warn;  /* bar-check warnings and skipped constructs; may be NULL */
    void *warn_user;  /* passed to warn */
} kern_opts;

/* Parses text (len bytes, any 8-bit encoding; titles are kept as bytes; a NUL
 * byte inside the data is an error). name is used in messages (NULL: "<memory>").
 * On success *out is a new score owned by the caller; on failure *out is NULL and
 * nothing is left allocated. stats (may be NULL) receives counts for this file
 * (also filled, partially, on failure). Thread: any. */
int kern_read_mem(const char *text, size_t len, const char *name, const kern_opts *opts,
                  score **out, kern_stats *stats, char *err, size_t errlen);

/* Reads the file at path and calls kern_read_mem. Thread: control. */
int kern_read_file(const char *path, const kern_opts *opts, score **out, kern_stats *stats,
                   char *err, size_t errlen);

#endif
