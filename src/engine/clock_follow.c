#include "engine/clock_follow.h"

#include <math.h>

double clock_follow_estimate(const uint64_t *frames, int n, double rate) {
    double d[CLOCK_FOLLOW_TICKS], sorted[CLOCK_FOLLOW_TICKS];
    int first = n - 1 - CLOCK_FOLLOW_TICKS > 0 ? n - 1 - CLOCK_FOLLOW_TICKS : 0, m = 0;
    if (!(rate > 0) || n - first < 2) return 0;
    for (int i = first; i + 1 < n; i++)
        d[m++] = frames[i + 1] > frames[i] ? (double)(frames[i + 1] - frames[i]) : 0;
    for (int i = 0; i < m; i++) { /* insertion sort: 24 values */
        double v = d[i];
        int j = i;
        for (; j > 0 && sorted[j - 1] > v; j--) sorted[j] = sorted[j - 1];
        sorted[j] = v;
    }
    double median = sorted[m / 2];
    if (!(median > 0)) return 0;
    /* The ticks since the last interval that is not a whole number of median
     * intervals (1, or 2: one tick lost) within the jitter allowed; each
     * numbered by the medians since the run's first. */
    double x[CLOCK_FOLLOW_TICKS + 1], y[CLOCK_FOLLOW_TICKS + 1];
    int run = 1;
    x[0] = 0;
    y[0] = 0;
    for (int i = 0; i < m; i++) {
        double k = floor(d[i] / median + 0.5);
        if (k < 1 || k > 2 || fabs(d[i] - k * median) > CLOCK_FOLLOW_JITTER * median) {
            run = 1; /* a break: start again from the tick after it */
            x[0] = 0;
            y[0] = 0;
            continue;
        }
        x[run] = x[run - 1] + k;
        y[run] = y[run - 1] + d[i];
        run++;
    }
    if (x[run - 1] < CLOCK_FOLLOW_TICKS / 2) return 0; /* less than half a beat agrees */
    /* least squares frames = a + slope * tick number: the stamping jitter of
     * each tick counts once, not twice as in an interval */
    double mx = 0, my = 0, sxy = 0, sxx = 0;
    for (int i = 0; i < run; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= run;
    my /= run;
    for (int i = 0; i < run; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
    }
    double slope = sxy / sxx; /* frames per tick */
    return slope > 0 ? 60.0 * rate / (24.0 * slope) : 0;
}

void clock_follow_init(clock_follow *f, double rate) {
    f->rate = rate;
    f->transport_seen = 0;
    f->bpm = 0;
    f->set_at_tick = 0;
    f->changes = 0;
}

int clock_follow_update(clock_follow *f, midi_clock_in *in, engine *e) {
    uint64_t transport = atomic_load_explicit(&in->transport, memory_order_acquire);
    if (transport != f->transport_seen) {
        f->transport_seen = transport;
        uint32_t last = atomic_load_explicit(&in->last_transport, memory_order_relaxed);
        int stop = last == 0xFC;
        if (engine_get_paused(e) != stop) engine_set_paused(e, stop);
    }
    uint64_t frames[CLOCK_FOLLOW_TICKS + 1], total;
    int n = midi_clock_in_ticks(in, frames, CLOCK_FOLLOW_TICKS + 1, &total);
    double bpm = clock_follow_estimate(frames, n, f->rate);
    if (bpm <= 0) return 0;
    bpm = bpm < ENGINE_MIN_TEMPO ? ENGINE_MIN_TEMPO : bpm > ENGINE_MAX_TEMPO ? ENGINE_MAX_TEMPO : bpm;
    /* Within the hysteresis of the tempo set from the clock, and that tempo
     * still the engine's: nothing to do. Something else may have set the
     * engine's (a reload's new engine starts at its own; a tempo control
     * where engine_config.tempo_from_clock is off): the clock's is set again
     * at once, or the engine would play off the master's beat until the
     * master changed tempo. engine_get_tempo is in 0.001 BPM. */
    if (f->bpm > 0 && fabs(bpm - f->bpm) <= CLOCK_FOLLOW_HYSTERESIS &&
        fabs(engine_get_tempo(e) - f->bpm) < 0.01)
        return 0;
    engine_set_tempo(e, bpm);
    f->bpm = bpm;
    f->set_at_tick = total;
    f->changes++;
    return 1;
}
