/* midi: Standard MIDI File reader and writer (SMF format 0 and 1).
 *
 * Reading (midi_read.c):
 * - Format 0 and 1. Format 2 and SMPTE division are refused (LJ_ERR_UNSUPPORTED).
 *   Format 0 must hold exactly one track. Unknown chunks are skipped; bytes after
 *   the last declared track are ignored.
 * - Parts: format 1 gives one part per track, in track order, except the first
 *   track when it has no notes (the conductor track). So a track without notes
 *   elsewhere is an empty part: that keeps write-then-read identical also for
 *   scores with empty parts. Format 0 gives one part per channel with notes, in
 *   order of the channel's first note-on. part.channel = channel of the track's
 *   first note-on, else of its first program change, else 0; part.name = the
 *   track's first track-name meta (format 1) or "" (format 0); part.program = the
 *   first program change in the track (format 1) or on the channel (format 0),
 *   else the program in force at the part's first note, else 0.
 * - Title = the first track-name (sequence-name) meta of the first track.
 * - Notes are paired per (track, channel, pitch) first-in first-out: the k-th
 *   note-on of a key ends at the k-th note-off of that key. Velocity-0 note-on is
 *   a note-off. A note-on on a key that is already sounding starts a second,
 *   overlapping note (it does not end the first). A note-off with no sounding note
 *   is ignored (warning). Notes still sounding at end of track end at the
 *   end-of-track event (warning).
 * - note.program = the program in force on the note's channel at its onset.
 *   Channel state is global across tracks, so events of all tracks are taken in
 *   the order (tick, track, position in track); programs start at 0.
 * - Ticks are rescaled from the file's division D to SCORE_PPQ:
 *   t480 = floor((t * 480 + D / 2) / D), i.e. rounded half up; exact whenever
 *   t * 480 is a multiple of D (always when D divides 480). Onset and end are
 *   rounded separately; a duration that comes out 0 (a zero-length note, or a
 *   very short one lost to rounding) becomes 1 tick.
 * - Tempo, time signature and key signature from any track go to the score's maps
 *   (same tick: the later event wins). Values the score cannot hold (tempo 0,
 *   denominator above 128, more than 7 sharps or flats) are ignored with a warning.
 *   A key signature followed at its tick by the sequencer-specific meta
 *   FF 7F 05 7D 'L' 'J' 'K' mode (written by lstmjam) takes that score_mode
 *   (dorian, mixolydian...), which a MIDI key signature cannot say.
 * - Running status is honoured, also across meta and sysex events (lenient; the
 *   standard says they cancel it, but no other reading of a data byte there makes
 *   sense). Sysex (F0, F7), other meta events, pitch bend, aftertouch and
 *   controllers are skipped.
 * - Errors: "NAME: byte N: expected X, found Y", N the 0-based offset in the file.
 *   Chunk lengths past the end of file, a track chunk ending without end-of-track,
 *   variable-length quantities over 4 bytes, unexpected status/data bytes are
 *   LJ_ERR_PARSE. Times past MIDI_MAX_TICK (at SCORE_PPQ) and counts over the
 *   limits below are LJ_ERR_LIMIT.
 *
 * Writing (midi_write.c): SMF format 1 at SCORE_PPQ. Track 0 is the conductor
 * track (title as track name, tempo, time and key signatures); then one track per
 * part: name, a program change to part.program on part.channel at tick 0, then the
 * notes, with further program changes where a note's program differs from the
 * program the reader will find in force. At one tick note-offs come before
 * note-ons. Any score the reader returns is written so that reading it back gives
 * a score_compare-equal score; so does any score from the other readers, except
 * what Standard MIDI cannot say: a note nested inside a longer note of the same
 * pitch, channel and part comes back re-paired first-in first-out, and
 * source/index are not stored. Key modes other than major and minor are written
 * as a major key signature plus lstmjam's FF 7F mode meta. */
#ifndef LJ_MIDI_H
#define LJ_MIDI_H

#include <stddef.h>
#include <stdint.h>

#include "score.h"

#define MIDI_MAX_TRACKS 1024           /* MThd track count the reader accepts */
#define MIDI_MAX_PARTS (MIDI_MAX_TRACKS - 1) /* parts: the writer adds a conductor track */
#define MIDI_MAX_NOTES (1u << 22)      /* notes per file (4,194,304) */
#define MIDI_MAX_OTHER_EVENTS (1u << 22) /* kept program/tempo/meter/key events per file */
#define MIDI_MAX_TICK 0x0FFFFFFF       /* latest time, ticks at SCORE_PPQ (559,240 quarters) */

/* Reader options; a zeroed struct is the default (no warnings). */
typedef struct midi_read_opts {
    lj_warn_fn warn; /* receives non-fatal diagnostics (hanging notes...), may be NULL */
    void *warn_user; /* passed to warn */
} midi_read_opts;

/* Parses len bytes. `name` is used in messages ("name: byte 1234: ...").
 * On success *out is a new score (sorted) the caller destroys. On failure *out
 * is NULL and err says where and what. Thread: any. */
int midi_read_mem(const uint8_t *data, size_t len, const char *name, score **out, char *err,
                  size_t errlen);

/* midi_read_mem with options (opts may be NULL). Thread: any. */
int midi_read_mem_opts(const uint8_t *data, size_t len, const char *name,
                       const midi_read_opts *opts, score **out, char *err, size_t errlen);

/* Reads a whole file. Thread: control. */
int midi_read_file(const char *path, score **out, char *err, size_t errlen);

/* midi_read_file with options (opts may be NULL), e.g. a warning sink. Thread: control. */
int midi_read_file_opts(const char *path, const midi_read_opts *opts, score **out, char *err,
                        size_t errlen);

/* Serialises s as SMF format 1 at SCORE_PPQ: a conductor track (tempo, meter,
 * key, title) then one track per part with its name and program. *out is a new
 * malloc'd buffer the caller frees. Scores the format cannot hold (negative or
 * too late times, a note pointing at no part, values out of MIDI range) give
 * LJ_ERR_RANGE / LJ_ERR_LIMIT / LJ_ERR_ARG with a message. Thread: any. */
int midi_write_mem(const score *s, uint8_t **out, size_t *len, char *err, size_t errlen);

/* Writes to path atomically (temp file, fsync, rename): on failure nothing is
 * left at path. Thread: control. */
int midi_write_file(const score *s, const char *path, char *err, size_t errlen);

#endif
