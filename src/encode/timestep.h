/* timestep: the melody encoding of "melody generation with LSTM" (Valerio
 * Velardo's tutorial on the Essen folk songs): one symbol per grid step (a 16th
 * note by default):
 *   "60"  a note of MIDI pitch 60 starts at this step
 *   "_"   the note or rest of the previous step goes on
 *   "r"   silence starts at this step
 *   "/"   the song ends (option `delimiters`: how many after each piece; the seed
 *         puts 64 = its sequence length between songs; the default here is 1)
 *
 * Monophony rule (the Score may be polyphonic): at each step the highest note
 * sounding at that step is the one encoded (the "skyline"); when it changes, its
 * pitch is written even if that note began earlier (a lower note that goes on
 * after a higher one ends is re-struck). Notes that are never the highest are
 * counted in enc_stats.notes_hidden. Option `part=N` encodes one part only.
 * Notes are quantised to the grid (onset and end rounded half up, at least one
 * step), counted in notes_quantised. Leading silence from tick 0 is kept.
 *
 * Vocabulary: data-dependent, canonical order "/", "_", "r", then pitches
 * ascending. Defaults: grid 16th, durations filter 0.25,0.5,0.75,1,1.5,2,3,4
 * quarter notes (the seed's ACCEPTABLE_DURATIONS), transpose none (the seed
 * transposes to C major / A minor: transpose=c).
 *
 * Decoding: a pitch ends the sounding note and starts its own, "r" and "/" end
 * it, "_" extends; every symbol but "/" advances one grid step. Notes come back
 * exactly for a monophonic score on the grid. */
#ifndef LJ_TIMESTEP_H
#define LJ_TIMESTEP_H

#include "encoding.h"

#endif
