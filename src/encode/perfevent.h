/* event: the Performance RNN encoding (Simon & Oore 2017; magenta's
 * PerformanceOneHotEncoding): polyphonic, expressive MIDI as a stream of
 *   "on:P"      note-on of pitch P (0..127)                      128 tokens
 *   "off:P"     note-off of pitch P                              128 tokens
 *   "shift:N"   time advances N steps of `shift_ms` (10 ms), N = 1..max_shift (100)
 *   "vel:B"     later note-ons have velocity bin B = 1..velocity_bins (32)
 * in that id order: 128 + 128 + 100 + 32 = 388 tokens with the defaults, fixed
 * at create time.
 *
 * Times are seconds through the Score's tempo map, rounded to the nearest step
 * from the start (absolute, so errors never accumulate: every onset and end is
 * within shift_ms/2 of the original). A note that would round to zero length
 * keeps one step. At one step, note-offs come before note-ons (by pitch). A
 * velocity token is written only when the bin changes (and before the first
 * note-on). Velocity bins as magenta: bin = (v-1)*bins/127 + 1, decoded as
 * 1 + (bin-1)*ceil(127/bins), so a velocity comes back within ceil(127/bins)-1.
 * The encoding has one note per pitch at a time: a note overlapping a later note
 * of the same pitch ends where that one starts (counted in notes_cut), and two
 * notes of one pitch starting at the same step become one (the longer). Channels
 * and parts are merged.
 *
 * Decoding works on a millisecond axis: enc_decode gives a score at 125 BPM
 * (480000 us per quarter), where one tick is exactly one millisecond. */
#ifndef LJ_PERFEVENT_H
#define LJ_PERFEVENT_H

#include "encoding.h"

#endif
