/* vocab: the token vocabulary of an encoding, token id <-> name. Names are byte
 * strings (a chars vocabulary holds single bytes, newline and Latin-1 included;
 * other encodings hold names like "60", "r", "C4.E4.G4"). Stored in the model
 * file as the metadata blob "vocab" so a model always decodes its own tokens.
 *
 * Blob layout (little-endian): u32 count, then per token u16 length + bytes. */
#ifndef LJ_VOCAB_H
#define LJ_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "lj_status.h"

#define VOCAB_MAX_TOKENS 1000000
#define VOCAB_MAX_NAME 255

typedef struct vocab vocab;

/* Empty vocabulary; NULL when out of memory. Thread: any. */
vocab *vocab_create(void);
void vocab_destroy(vocab *v); /* NULL is a no-op */

/* Id of `name` (len bytes), adding it when new. LJ_ERR_LIMIT past the limits.
 * Thread: any. */
int vocab_add(vocab *v, const char *name, size_t len, int32_t *id);
/* Id of name, or -1. Thread: any. */
int32_t vocab_find(const vocab *v, const char *name, size_t len);
/* Name bytes of id (not NUL-terminated unless the name is) and their length;
 * NULL for an id out of range. Thread: any. */
const char *vocab_name(const vocab *v, int32_t id, size_t *len);
size_t vocab_size(const vocab *v);

/* Serialise into a new malloc'd blob / parse one (errors name the byte offset
 * inside the blob and `what`, e.g. the model file's name). Thread: any. */
int vocab_save(const vocab *v, uint8_t **out, size_t *len);
int vocab_load(const uint8_t *blob, size_t len, const char *what, vocab **out, char *err,
               size_t errlen);

#endif
