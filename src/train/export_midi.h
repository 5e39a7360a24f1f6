/* export_midi: the pieces of a dataset split as MIDI files, decoded by the
 * model's own encoding, i.e. the music exactly as the model sees it in training
 * (transposed, quantised to its grid, filtered). `lstmjam eval --export-midi`
 * writes them, so generated music is compared (tools/mgeval.py) with held-out
 * pieces in the same representation, not with the raw files. */
#ifndef LJ_EXPORT_MIDI_H
#define LJ_EXPORT_MIDI_H

#include <stddef.h>

#include "encoding.h"
#include "frameset.h"
#include "tokset.h"

/* Writes piece p of `tokens` (token encodings) or of `frames` (frame encodings;
 * tokens NULL) to DIR/piece-NNNNN.mid, p from 0, creating dir if missing.
 * Each file is written atomically; a piece that decodes to no note is skipped.
 * *written counts the files. Thread: control. */
int export_midi_split(const encoding *e, const tokset *tokens, const frameset *frames, const char *dir,
                      size_t *written, char *err, size_t errlen);

#endif
