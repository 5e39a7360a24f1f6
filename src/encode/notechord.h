/* notechord: the Classical-Piano-Composer encoding (Skuldur): one token per onset
 * step, a note by its pitch name or a chord by its notes joined with ".".
 *
 * Tokens:
 *   "E4", "C#4", "B-3"   one note (music21's spelling of a MIDI pitch: sharps but
 *                        E- and B-; 60 = C4)
 *   "C4.E4.G4"           a chord, option chords=pitches (the default here): the
 *                        distinct pitches starting together, ascending. Lossless
 *                        for pitches.
 *   "0.4.7"              a chord, option chords=pcs (the seed code): the pitch
 *                        classes in normal order (music21's chord.normalOrder,
 *                        which follows Forte: the rotation of the sorted pitch
 *                        classes with the smallest span, ties broken by the
 *                        smallest interval from the first to the 2nd, 3rd...
 *                        member, then the lowest first pitch class). Octaves are
 *                        lost; decoding puts pitch class c at MIDI 60 + c, as the
 *                        seed's note.Note(int) does. Chords whose notes share one
 *                        pitch class come out as a single-number token ("0").
 *   "r"                  timing=grid only: nothing starts at this step
 *   ":D" suffix          token_durations=1: the group's longest duration in quarter
 *                        notes ("E4:1.5", "C4.E4.G4:1/3"); in timing=grid rounded
 *                        to the step (at least one step).
 *
 * Timing (option `timing`):
 *   sequence (default, the seed): one token per distinct onset tick, in order; rests
 *            and real offsets are dropped. Decoding puts token k at k*step (step
 *            default 0.5 quarter note, the seed's offset += 0.5) and plays each
 *            note for `length` (default one quarter, music21's default duration
 *            the seed leaves in place) unless the token carries a duration.
 *   grid:    onsets rounded to the step grid (notes_quantised counts moves); one
 *            token per grid step, "r" where nothing starts; decoding is then exact
 *            for onsets on the grid.
 * Notes sharing an onset step and a pitch count once (notes_merged).
 *
 * Vocabulary: data-dependent, byte order of the names (the seed's sorted(set())). */
#ifndef LJ_NOTECHORD_H
#define LJ_NOTECHORD_H

#include "encoding.h"

/* Normal order of a pitch-class set: pcs[0..n) distinct 0..11 (any order) are
 * rewritten in normal order. Thread: any. */
void notechord_normal_order(int *pcs, int n);

#endif
