/* abc: ABC notation reader (standard 2.1 subset, every Nottingham tune) with a
 * streaming mode for text that arrives a few characters at a time.
 *
 * A book (file) holds tunes starting at X:. Each tune becomes a score with a
 * melody part and, when the tune has chord symbols ("Am7"), an accompaniment part,
 * as the Nottingham MIDI files have. Repeats, endings and P: part orders are
 * expanded. Errors name file:line:column. */
#ifndef LJ_ABC_H
#define LJ_ABC_H

#include <stddef.h>

#include "score.h"

typedef enum abc_repeats {
    ABC_REPEATS_ABC2MIDI = 0, /* expand repeats as abc2midi does by default */
    ABC_REPEATS_NOTTINGHAM    /* as the Nottingham dataset's own MIDI files */
} abc_repeats;

typedef struct abc_opts {
    abc_repeats repeats; /* repeat expansion convention */
    int chords;          /* 1: chord symbols become an accompaniment part (default 1) */
    lj_warn_fn warn;     /* constructs read past, resynchronisations; may be NULL */
    void *warn_user;
} abc_opts;

/* Fills opts with defaults. Thread: any. */
void abc_opts_default(abc_opts *opts);

/* Parses a whole book; appends one score per tune to out. Thread: any. */
int abc_read_mem(const char *text, size_t len, const char *name, const abc_opts *opts,
                 score_book *out, char *err, size_t errlen);

/* Thread: control. */
int abc_read_file(const char *path, const abc_opts *opts, score_book *out, char *err,
                  size_t errlen);

#endif
