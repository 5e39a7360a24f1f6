/* pianoroll: the polyphonic benchmark representation (Boulanger-Lewandowski
 * et al. 2012): one frame per grid step, 88 values, key k (MIDI pitch 21 + k)
 * is 1 when a note of that pitch sounds during the step. One field, "keys"
 * (BITS, 88 wide, input as is), for a Bernoulli or an RNN-NADE head (loss
 * weight 1).
 *
 * Options: grid (default 16th; JSB pieces read at the quarter, 8th or 16th
 * resolution of their file use the same grid, 480/240/120 ticks, and encode
 * exactly), velocity (decoded note velocity), qpm (decoder tempo), and the
 * common transpose/augment (encoding.h): an augmented copy is made only when
 * every note of the score stays on the 88 keys (enc_stats.skipped_range
 * counts the others), so no copy loses a note the original has.
 *
 * Encoding: onsets and ends are rounded to the grid (half up, at least one
 * step; notes_quantised); notes outside 21..108 are left out (notes_dropped);
 * leading silence from tick 0 is kept; the piece has ceil(last end / grid)
 * frames. Quantisation (what a round trip keeps): the piano roll itself. A
 * pitch sounding in consecutive frames decodes as one held note (the roll
 * cannot tell held from repeated notes, as in the JSB data).
 *
 * Decoding: each frame ends the keys that are off (>= 0.5 is on) and starts
 * the keys newly on, at the frame's start, then advances one grid step. */
#ifndef LJ_PIANOROLL_H
#define LJ_PIANOROLL_H

#include "encoding.h"

#define PIANOROLL_KEYS 88
#define PIANOROLL_LOWEST 21 /* MIDI pitch of key 0 (A0) */

#endif
