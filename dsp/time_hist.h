/* time_hist: a histogram of durations in nanoseconds that a real-time thread
 * fills with one array increment (no allocation, no lock, no libm) and
 * another thread reads for percentiles. Buckets are log-spaced, 8 per octave:
 * a bucket spans at most 1/8 of its lower edge (12.5%), from 1 ns to past
 * 2^63 ns, so one table serves a 70 us LSTM step and a 3 ms audio callback
 * alike. Used for the engine's step times and the audio callback's times.
 *
 * Writers keep their own uint64_t counts and publish each changed bucket with
 * a relaxed atomic store (only that thread writes it); readers copy the
 * published counts and call time_hist_quantile on the copy. */
#ifndef LJ_TIME_HIST_H
#define LJ_TIME_HIST_H

#include <stdint.h>

#define TIME_HIST_BUCKETS 512 /* 8 per octave of ns; the last one takes everything above */

/* The bucket of a duration of ns nanoseconds: 0..TIME_HIST_BUCKETS-1. */
int time_hist_bucket(uint64_t ns);

/* The lower edge of bucket b, nanoseconds (time_hist_bucket(edge) == b). */
uint64_t time_hist_bucket_ns(int b);

/* The q-quantile (0 < q <= 1) of the durations counted in hist[TIME_HIST_BUCKETS],
 * as the upper edge of its bucket (an upper bound, within 12.5%); 0 when
 * nothing is counted. */
uint64_t time_hist_quantile(const uint64_t *hist, double q);

/* The durations counted in hist that surely reach ns: those of the buckets
 * whose lower edge is ns or more (a lower bound: the bucket that holds ns
 * itself is left out unless ns is its edge). */
uint64_t time_hist_count_from(const uint64_t *hist, uint64_t ns);

#endif
