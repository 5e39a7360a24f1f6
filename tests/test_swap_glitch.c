/* The synth hot swap heard (issue 6: "hot swap ... no glitch"): dsp/sched
 * driven with real FluidSynth synths (src/device/synth, lstmjam's own
 * SoundFont, reverb and chorus on, gain 0.5) playing a loud sustained organ
 * chord, swapped while it sounds; the rendered audio is searched for a click.
 *
 * The sound: church organ (GM 19) C2 G2 C3 E3 at velocity 127, about -5 dBFS
 * peak. Low notes on purpose: their partials end near 1.3 kHz (drawbars up to
 * the 8th harmonic of E3), so a click, whose energy spreads over the whole
 * spectrum, stands out above 8 kHz where the music itself is quiet; a bright
 * sound (saw strings) would hide it. Each run plays the chord six times (the
 * onsets 181 frames apart in phase, so the swaps cut the waveform at
 * different points) and 0.6 s after each onset hands a fresh synth over
 * (sched_request_synth, as lstmjam play's reload does); the swap releases the
 * chord on the old synth and fades it out. Runs: callbacks of 16, 32, 64, 128
 * and 1024 frames, each with the first callback as is or 37 frames longer
 * (callbacks, so swaps, on or off the 64-frame block grid).
 *
 * The measure, per swap at frame S: the audio through a 2nd-order Butterworth
 * high-pass at 8 kHz, its energy in 16-frame windows (hop 8); the loudest
 * window in [S - 64, S + 4096) (the swap and its fade) against the loudest in
 * the steady chord before, [S - 0.4 s, S - 256). A swap passes when it adds
 * nothing to the music's own high band (<= CLICK_DB_MAX, 0 dB), and its
 * largest sample-to-sample step |x[n] - x[n-1]| is at most STEP_RATIO_MAX
 * times the chord's own.
 *
 * Measured, worst of the 60 swaps (dB over the music's high band; step ratio):
 *   fade of 1024 frames across callbacks, smoothstep (now):  -2.1 dB, 0.88
 *   the same with SCHED_FADE_FRAMES 1 (a hard cut):          +28.1 dB, 11.9
 *   old fade, min(callback, 256) frames, linear: -3.4 to -2.1 dB at periods
 *   64-1024, -0.3 dB at 32, +4.5 dB (6 swaps over) at 16: a click.
 * Any fade of 64 frames or more measures the same (-2.2 dB with 256 frames,
 * linear or smoothstep); 1024 frames (21 ms at 48 kHz, over one period of
 * C2's 65 Hz) is a margin for low notes that this high band cannot see. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/synth.h"
#include "event_sched.h"
#include "test_render_util.h"

#define RATE 48000
#define SWAPS 6
#define SEGMENT RATE                     /* frames from one chord to the next */
#define TOTAL (SWAPS * SEGMENT)          /* frames rendered per run */
#define CHORD_AT 2400                    /* chord onset within its segment, frames */
#define SWAP_AFTER (RATE * 6 / 10)       /* swap requested this long after the onset */
#define BASE_FRAMES (RATE * 4 / 10)      /* steady chord measured before the swap */
#define WINDOW 16                        /* energy window, frames (0.33 ms: a click is short) */
#define AFTER 4096                       /* frames after the swap searched */
#define HIGHPASS_HZ 8000.0
#define CLICK_DB_MAX 0.0
#define STEP_RATIO_MAX 1.5

static int failures;

static synth *make_synth(const char *sf) {
    synth_config c;
    synth_config_default(&c); /* reverb and chorus on */
    c.soundfont = sf;
    c.gain = 0.5;
    synth *s = NULL;
    char err[1024];
    if (synth_create(&c, &s, err, sizeof err)) {
        printf("FAIL synth_create: %s\n", err);
        failures++;
    }
    return s;
}

/* One run: renders TOTAL stereo frames into out with callbacks of `period`
 * frames (the first `period + shift`), swapping synths SWAPS times; the swap
 * frames (callback starts) into swap_at. 0 on success. */
static int render_run(const char *sf, uint32_t period, uint32_t shift, float *out, uint64_t swap_at[SWAPS]) {
    /* A fresh synth for each swap, as lstmjam play's reload builds one: a
     * synth swapped out keeps its release and reverb where the fade left
     * them, and would resume them if it were swapped in again. */
    synth *syn[SWAPS + 1];
    lj_synth_ops ops[SWAPS + 1];
    int ok = 1;
    for (int i = 0; i <= SWAPS; i++) {
        syn[i] = make_synth(sf);
        if (syn[i]) ops[i] = synth_ops(syn[i]);
        else ok = 0;
    }
    size_t qb = rtq_bytes(256, sizeof(lj_event));
    void *qmem = aligned_alloc(64, (qb + 63) / 64 * 64), *smem = aligned_alloc(64, (sched_bytes() + 63) / 64 * 64);
    rtq *q = qmem ? rtq_init(qmem, qb, 256, sizeof(lj_event)) : NULL;
    sched *s = NULL;
    if (ok && q && smem) {
        sched_config cfg = {ops[0], q, 0, NULL, 0};
        s = sched_init(smem, sched_bytes(), &cfg);
    }
    if (!s) {
        printf("FAIL cannot set up the synths and the scheduler\n");
        failures++;
        for (int i = 0; i <= SWAPS; i++) synth_destroy(syn[i]);
        free(qmem);
        free(smem);
        return -1;
    }
    /* Each chord goes to the synth in use when it starts (the program change
     * too: a fresh synth starts on piano). */
    const int keys[] = {36, 43, 48, 52};
    for (int k = 0; k < SWAPS; k++) {
        uint64_t at = (uint64_t)k * SEGMENT + CHORD_AT - 181u * (unsigned)k;
        lj_event e = lj_event_program(at, 0, 19);
        rtq_push(q, &e);
        for (int i = 0; i < 4; i++) {
            e = lj_event_note_on(at, 0, keys[i], 127);
            rtq_push(q, &e);
        }
    }
    uint64_t pos = 0;
    int swaps = 0;
    uint32_t f = period + shift;
    while (pos < TOTAL) {
        if (swaps < SWAPS && pos >= (uint64_t)swaps * SEGMENT + CHORD_AT + SWAP_AFTER) {
            /* the previous swap's fade is long over (the owner waits for it) */
            CHECK(sched_synth_swaps(s) == (uint64_t)swaps, "swap %d: %llu done before it", swaps,
                  (unsigned long long)sched_synth_swaps(s));
            CHECK(sched_request_synth(s, &ops[swaps + 1]) == 0, "swap %d refused", swaps);
            swap_at[swaps++] = pos;
        }
        if (pos + f > TOTAL) f = (uint32_t)(TOTAL - pos);
        sched_process(s, out + 2 * pos, f);
        pos += f;
        f = period;
    }
    sched_stats st;
    sched_get_stats(s, &st);
    CHECK(sched_synth_swaps(s) == SWAPS, "%llu swaps done of %d", (unsigned long long)sched_synth_swaps(s), SWAPS);
    CHECK(st.held_notes == 0 && st.late_events == 0 && st.invalid_events == 0,
          "held %llu, late %llu, invalid %llu", (unsigned long long)st.held_notes,
          (unsigned long long)st.late_events, (unsigned long long)st.invalid_events);
    for (int i = 0; i <= SWAPS; i++) synth_destroy(syn[i]);
    free(qmem);
    free(smem);
    return 0;
}

/* 2nd-order Butterworth high-pass at fc Hz (bilinear transform), each channel
 * of the interleaved stereo x (n frames) into y. */
static void highpass(const float *x, double *y, int64_t n, double fc) {
    double w = tan(M_PI * fc / RATE), norm = 1 / (1 + sqrt(2) * w + w * w);
    double b0 = norm, b1 = -2 * norm, b2 = norm;
    double a1 = 2 * (w * w - 1) * norm, a2 = (1 - sqrt(2) * w + w * w) * norm;
    for (int c = 0; c < 2; c++) {
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (int64_t i = 0; i < n; i++) {
            double xi = x[2 * i + c], yi = b0 * xi + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1, x1 = xi, y2 = y1, y1 = yi;
            y[2 * i + c] = yi;
        }
    }
}

/* The loudest WINDOW-frame energy (both channels) of y in [from, to), hop WINDOW/2. */
static double max_window_energy(const double *y, int64_t from, int64_t to) {
    double m = 0;
    for (int64_t i = from; i + WINDOW <= to; i += WINDOW / 2) {
        double e = 0;
        for (int64_t j = i; j < i + WINDOW; j++) e += y[2 * j] * y[2 * j] + y[2 * j + 1] * y[2 * j + 1];
        if (e > m) m = e;
    }
    return m;
}

/* The largest |x[n] - x[n-1]| of either channel, n in [from, to). */
static double max_step(const float *x, int64_t from, int64_t to) {
    double m = 0;
    for (int64_t i = from; i < to; i++)
        for (int c = 0; c < 2; c++) {
            double d = fabs((double)x[2 * i + c] - (double)x[2 * (i - 1) + c]);
            if (d > m) m = d;
        }
    return m;
}

static double peak(const float *x, int64_t from, int64_t to) {
    double m = 0;
    for (int64_t i = 2 * from; i < 2 * to; i++)
        if (fabs(x[i]) > m) m = fabs(x[i]);
    return m;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_swap_glitch SOUNDFONT\n");
        return 2;
    }
    static float x[2 * TOTAL];
    static double y[2 * TOTAL];
    const uint32_t periods[] = {16, 32, 64, 128, 1024}, shifts[] = {0, 37};
    double worst_db = -INFINITY, worst_step = 0;
    printf("period shift | swap frame (%%64) | peak | %g Hz high band: swap vs steady, dB | max step: swap / steady\n",
           HIGHPASS_HZ);
    for (size_t pi = 0; pi < sizeof periods / sizeof *periods; pi++)
        for (size_t si = 0; si < sizeof shifts / sizeof *shifts; si++) {
            uint64_t swap_at[SWAPS];
            memset(x, 0, sizeof x);
            if (render_run(argv[1], periods[pi], shifts[si], x, swap_at)) return 1;
            highpass(x, y, TOTAL, HIGHPASS_HZ);
            for (int k = 0; k < SWAPS; k++) {
                int64_t S = (int64_t)swap_at[k];
                double base = max_window_energy(y, S - BASE_FRAMES, S - 256);
                double around = max_window_energy(y, S - 64, S + AFTER);
                double db = 10 * log10(around / base);
                double step_base = max_step(x, S - BASE_FRAMES, S - 256), step = max_step(x, S - 64, S + AFTER);
                double pk = peak(x, S - BASE_FRAMES, S - 256);
                printf("%6u %5u | %7lld (%2lld) | %.2f | %+6.1f | %.4f / %.4f = %.2f\n", periods[pi], shifts[si],
                       (long long)S, (long long)(S % 64), pk, db, step, step_base, step / step_base);
                CHECK(pk > 0.25, "the chord is not loud: peak %.3f", pk);
                CHECK(db <= CLICK_DB_MAX, "period %u shift %u swap at %lld: a click, the high band %+.1f dB over the music's",
                      periods[pi], shifts[si], (long long)S, db);
                CHECK(step <= STEP_RATIO_MAX * step_base,
                      "period %u shift %u swap at %lld: a jump, step %.4f against the chord's %.4f", periods[pi],
                      shifts[si], (long long)S, step, step_base);
                if (db > worst_db) worst_db = db;
                if (step / step_base > worst_step) worst_step = step / step_base;
            }
        }
    printf("worst: high band %+.1f dB (limit %+.1f), step ratio %.2f (limit %.2f)\n", worst_db, CLICK_DB_MAX,
           worst_step, STEP_RATIO_MAX);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
