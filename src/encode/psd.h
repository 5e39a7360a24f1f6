/* psd: the note encoding of TensorFlow's "Generate music with an RNN" tutorial:
 * one frame per note, notes in order of onset (then pitch):
 *
 *   field     kind                   input             head, default loss weight
 *   pitch     class 0..127           pitch / 128       softmax, 0.05
 *   step      value (or class)       as is             MSE + pressure 10, 1 (or softmax, 1)
 *   duration  value (or class)       as is             MSE + pressure 10, 1 (or softmax, 1)
 *   velocity  class (with_velocity)  bin / bins        softmax, 1
 *
 * step = onset minus the previous note's onset (the first note's: its onset
 * from time 0, so leading silence is kept; the tutorial drops it), duration =
 * end minus onset; both in seconds through the score's tempo map (`time=
 * seconds`, the tutorial) or in quarter notes (`time=beats`). Chords are notes
 * with step 0.
 *
 * Options: time (seconds | beats), time_bins (0: step and duration are real
 * values for MSE heads; N: classes 0..N-1 of width time_bin, the last one
 * taking everything longer, for softmax heads), time_bin (0.01 s; with beats
 * use 1/12 so 16ths and triplets are exact), with_velocity (0/1; bins =
 * velocity_bins, decoded to the bin centre), velocity (decoded velocity when
 * there is no velocity field), qpm (beats: the decoder's tempo).
 *
 * Quantisation (what a round trip keeps, asserted by the tests): seconds: onsets
 * and ends rounded to the millisecond (steps are differences of rounded times,
 * so they do not drift); beats: exact ticks; binned: each step and duration to
 * its class (steps drift by the rounding). Two notes of the same pitch and
 * onset are one note (the longer; notes_merged); a note still sounding when the
 * same pitch starts again ends there (notes_cut; the decoder re-strikes).
 *
 * Decoding: a frame advances the time by its step, ends the notes due by then
 * (in time order), then starts its pitch for its duration (at least one tick).
 * Time axis: milliseconds (seconds mode) or ticks at `qpm` (beats mode). */
#ifndef LJ_PSD_H
#define LJ_PSD_H

#include "encoding.h"

#endif
