/* textdata: text corpora for the chars encoding. Reads data sources (files, or
 * folders of .abc/.txt files, sorted by name so runs are repeatable), cuts ABC
 * books into tunes, builds the byte vocabulary and encodes everything into a
 * tokset, one piece per tune. Thread: control. */
#ifndef LJ_TEXTDATA_H
#define LJ_TEXTDATA_H

#include <stddef.h>

#include "tokset.h"
#include "train_config.h"
#include "vocab.h"

typedef struct textdata {
    tokset pieces;        /* every tune of every source, encoded */
    int *source_of;       /* source index of each piece (n = pieces.n_pieces) */
    size_t n_files;       /* files read */
    size_t n_bytes;       /* text bytes read */
} textdata;

/* Reads every source of cfg; on success *v is the vocabulary (caller destroys)
 * and d is filled (textdata_free). A file without any "X:" line is one piece. */
int textdata_load(const train_config *cfg, textdata *d, vocab **v, char *err, size_t errlen);
void textdata_free(textdata *d);

#endif
