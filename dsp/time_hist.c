#include "time_hist.h"

int time_hist_bucket(uint64_t ns) {
    if (ns < 8) return (int)ns;
    int msb = 63 - __builtin_clzll(ns);
    int b = msb * 8 + (int)((ns >> (msb - 3)) & 7);
    return b < TIME_HIST_BUCKETS ? b : TIME_HIST_BUCKETS - 1;
}

uint64_t time_hist_bucket_ns(int b) {
    if (b < 8) return (uint64_t)b;
    int msb = b / 8;
    return (uint64_t)(8 + b % 8) << (msb - 3);
}

uint64_t time_hist_count_from(const uint64_t *hist, uint64_t ns) {
    uint64_t n = 0;
    for (int b = time_hist_bucket(ns); b < TIME_HIST_BUCKETS; b++)
        if (time_hist_bucket_ns(b) >= ns) n += hist[b];
    return n;
}

uint64_t time_hist_quantile(const uint64_t *hist, double q) {
    uint64_t total = 0;
    for (int b = 0; b < TIME_HIST_BUCKETS; b++) total += hist[b];
    if (!total) return 0;
    double exact = q * (double)total;
    uint64_t want = (uint64_t)exact; /* ceil without libm: the count that reaches q */
    if ((double)want < exact) want++;
    if (want < 1) want = 1;
    uint64_t seen = 0;
    for (int b = 0; b < TIME_HIST_BUCKETS; b++) {
        seen += hist[b];
        if (seen >= want) return time_hist_bucket_ns(b + 1 < TIME_HIST_BUCKETS ? b + 1 : b);
    }
    return time_hist_bucket_ns(TIME_HIST_BUCKETS - 1);
}
