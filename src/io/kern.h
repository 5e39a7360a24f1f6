/* kern: Humdrum **kern reader for monophonic songs (the Essen Folksong Collection).
 *
 * Reads one **kern spine: durations (with dots), pitches in every octave,
 * accidentals, rests, ties, bar lines, *M meter, *k[] key signature, *MM tempo,
 * comments and reference records (!!!OTL is the title). A file with more than one
 * spine is refused with a clear error. Errors name file:line:column. */
#ifndef LJ_KERN_H
#define LJ_KERN_H

#include <stddef.h>

#include "score.h"

typedef struct kern_stats {
    size_t note_tokens;       /* kern note tokens read (tied continuations included) */
    size_t rest_tokens;       /* rest tokens read */
    size_t bars_interior;     /* complete bars, first and last bar of the song excluded */
    size_t bars_incomplete;   /* interior bars whose length differs from the meter */
} kern_stats;

typedef struct kern_opts {
    lj_warn_fn warn;  /* bar-check warnings and skipped constructs; may be NULL */
    void *warn_user;
} kern_opts;

/* Parses text (len bytes, any 8-bit encoding; titles are kept as bytes).
 * On success *out is a new score; stats (may be NULL) receives counts.
 * Thread: any. */
int kern_read_mem(const char *text, size_t len, const char *name, const kern_opts *opts,
                  score **out, kern_stats *stats, char *err, size_t errlen);

/* Thread: control. */
int kern_read_file(const char *path, const kern_opts *opts, score **out, kern_stats *stats,
                   char *err, size_t errlen);

#endif
