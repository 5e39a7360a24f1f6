/* notelist: the note list a user types on the command line, as in `lstmjam
 * generate --primer "C4 E4:2 r:0.5 C4+E4+G4:2 60"`, read into a one-part score
 * of consecutive notes.
 *
 * Grammar (strict: every byte is accounted for, anything else is an error):
 *   list   := sep* [item (sep+ item)*] sep*      sep: space, tab or comma
 *   item   := body [':' length]
 *   body   := 'r' | pitch ('+' pitch)*           r rests; + joins a chord
 *   pitch  := MIDI number 0..127 (1 to 3 digits)
 *           | letter accidental{0,2} octave      letter A-G or a-g; accidental
 *             '#' sharp, 'b' or '-' flat (music21's E-4); octave one digit 0..9
 *             (C4 = 60; '-' is always a flat, so C-1 is C flat 1 = 23: pitches
 *             below C0 are written as numbers)
 *   length := digits ['.' digits] | '.' digits   quarter notes, 0 < length <= 64,
 *             at least one tick (1/SCORE_PPQ quarter note) after rounding
 * Every item starts where the one before it ends (a rest only moves time on);
 * all notes of a chord have the item's length (default one quarter note). A
 * pitch given twice in one chord is an error; the list needs at least one note.
 * Notes have velocity 80 on channel 0 in part 0 ("primer"), tempo 120 bpm.
 *
 * Errors name the list (name), the column (1-based byte offset), the note (its
 * 1-based position in the list, rests counted, and its text), what was expected
 * and what was found: "--primer: column 4 (note 1 'C4+'): expected a pitch
 * after '+' (C4, F#3, Bb2, E-4 or a MIDI number 0..127), found the end of the
 * note"; a list without a note names the column after its end. LJ_ERR_PARSE for bad text, LJ_ERR_NOMEM; on any error *out is NULL. */
#ifndef LJ_NOTELIST_H
#define LJ_NOTELIST_H

#include <stddef.h>

#include "score.h"

/* Reads text[0..len) (NUL bytes are errors like any other stray byte) into a
 * new score in *out (score_destroy it). name prefixes the messages. Thread: any. */
int notelist_read(const char *text, size_t len, const char *name, score **out, char *err,
                  size_t errlen);

/* One pitch of the grammar above, exactly s[0..len): its MIDI number, or -1 if
 * s[0..len) is not a pitch or is outside 0..127 (--pitch-range C3:C6).
 * Thread: any. */
int notelist_parse_pitch(const char *s, size_t len);

#endif
