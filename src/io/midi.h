/* midi: Standard MIDI File reader and writer (SMF format 0 and 1).
 *
 * Reading maps every track to a part (format 1) or every channel to a part
 * (format 0), rescales the file's division to SCORE_PPQ, pairs note-on/note-off
 * (velocity-0 note-on is a note-off; overlapping notes of one pitch are paired
 * first-in first-out), and keeps tempo, time and key signatures, track names and
 * program changes. Format 2 and SMPTE division are refused with a clear error.
 * Errors name the byte offset in the file. */
#ifndef LJ_MIDI_H
#define LJ_MIDI_H

#include <stddef.h>
#include <stdint.h>

#include "score.h"

/* Parses len bytes. `name` is used in messages ("name: byte 1234: ...").
 * On success *out is a new score (sorted) the caller destroys. On failure *out
 * is NULL and err says where and what. Thread: any. */
int midi_read_mem(const uint8_t *data, size_t len, const char *name, score **out, char *err,
                  size_t errlen);

/* Reads a whole file. Thread: control. */
int midi_read_file(const char *path, score **out, char *err, size_t errlen);

/* Serialises s as SMF format 1 at SCORE_PPQ: a conductor track (tempo, meter,
 * key, title) then one track per part with its name and program. *out is a new
 * malloc'd buffer the caller frees. Thread: any. */
int midi_write_mem(const score *s, uint8_t **out, size_t *len, char *err, size_t errlen);

/* Writes to path atomically (temp file, fsync, rename): on failure nothing is
 * left at path. Thread: control. */
int midi_write_file(const score *s, const char *path, char *err, size_t errlen);

#endif
