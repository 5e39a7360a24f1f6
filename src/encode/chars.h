/* chars: the character-level encoding (MIT 6.S191 lab, music_lstm): every byte of
 * ABC text is a token. The vocabulary is the set of bytes seen in the training
 * text, ordered by byte value so the same corpus always gives the same ids. */
#ifndef LJ_CHARS_H
#define LJ_CHARS_H

#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

/* Vocabulary of every byte in n texts. Thread: any. */
int chars_build_vocab(const char *const *texts, const size_t *lens, size_t n, vocab **out);

/* ids[i] = id of text[i]. A byte outside the vocabulary is an error naming
 * `name` and the byte offset. Thread: any. */
int chars_encode(const vocab *v, const char *text, size_t len, int32_t *ids, const char *name,
                 char *err, size_t errlen);

/* Splits an ABC book into tunes: each tune starts at a line beginning "X:" and
 * runs to the next one (text before the first X: is dropped). Writes up to max
 * (start, length) pairs and returns the number of tunes found. Thread: any. */
size_t chars_split_tunes(const char *text, size_t len, size_t *starts, size_t *lengths,
                         size_t max);

#endif
