/* test_soundfont FONT.sf2 [REBUILT.sf2]: lstmjam's own SoundFont (tools/sfbuild.c)
 * played by FluidSynth, the program that will use it.
 *
 * - FluidSynth loads it without a warning or error.
 * - Every instrument (one GM program each) at keys across its range sounds at
 *   the equal-tempered pitch: the autocorrelation peak near the expected period
 *   is within 3 cents (a wrong root key, pitch correction or key range would be
 *   off by semitones or octaves); every note within 10 dB of the median note
 *   (the instruments are balanced) and none below -50 dBFS.
 * - After note-off and the release, nothing sounds (no stuck note, no loop
 *   that keeps playing).
 * - The loops are seamless in the file itself: the 8 samples after each loop
 *   end equal the 8 after its start within 1 LSB (what interpolation reads).
 * - With REBUILT: the tool rebuilt from source gives the committed font (same
 *   structure, samples within 1 LSB: libm may round differently elsewhere). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fluidsynth.h>

#define RATE 48000
static int failures;
static int log_messages;

#define CHECK(cond, ...)                                                                        \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                \
            fprintf(stderr, __VA_ARGS__);                                                       \
            fprintf(stderr, "\n");                                                              \
            failures++;                                                                         \
        }                                                                                       \
    } while (0)

static void count_log(int level, const char *message, void *data) {
    (void)data;
    fprintf(stderr, "fluidsynth (level %d): %s\n", level, message);
    log_messages++;
}

static uint8_t *read_file(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)len);
    if (p && fread(p, 1, (size_t)len, f) != (size_t)len) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return p;
}
static uint32_t u32(const uint8_t *p) {
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The smpl and shdr chunks of a SoundFont (a plain RIFF walk: LIST chunks are
 * entered, others skipped). */
typedef struct sf_view {
    const uint8_t *smpl, *shdr, *pdta;
    size_t smpl_n, shdr_n, pdta_n;
} sf_view;
static void find_chunks(const uint8_t *p, size_t n, sf_view *v) {
    size_t i = 0;
    while (i + 8 <= n) {
        uint32_t len = u32(p + i + 4);
        if (len > n - i - 8) return;
        const uint8_t *d = p + i + 8;
        if (!memcmp(p + i, "RIFF", 4) || !memcmp(p + i, "LIST", 4)) {
            if (!memcmp(d, "pdta", 4)) {
                v->pdta = d;
                v->pdta_n = len;
            }
            find_chunks(d + 4, len - 4, v);
        } else if (!memcmp(p + i, "smpl", 4)) {
            v->smpl = d;
            v->smpl_n = len;
        } else if (!memcmp(p + i, "shdr", 4)) {
            v->shdr = d;
            v->shdr_n = len;
        }
        i += 8 + len + (len & 1);
    }
}

static void check_loops(const char *path) {
    size_t n;
    uint8_t *p = read_file(path, &n);
    CHECK(p != NULL, "cannot read %s", path);
    if (!p) return;
    sf_view v = {0};
    find_chunks(p, n, &v);
    CHECK(v.smpl && v.shdr, "%s: no smpl or shdr chunk", path);
    if (!v.smpl || !v.shdr) {
        free(p);
        return;
    }
    size_t n_headers = v.shdr_n / 46, checked = 0;
    for (size_t h = 0; h + 1 < n_headers; h++) { /* the last record is EOS */
        const uint8_t *r = v.shdr + h * 46;
        uint32_t start = u32(r + 20), end = u32(r + 24), ls = u32(r + 28), le = u32(r + 32);
        CHECK(start < ls && ls < le && le + 8 <= end && (size_t)end * 2 <= v.smpl_n,
              "sample %zu: loop %u..%u outside %u..%u", h, ls, le, start, end);
        if (!(le + 8 <= end && (size_t)end * 2 <= v.smpl_n)) continue;
        for (int k = 0; k < 8; k++) {
            int a = (int16_t)(v.smpl[2 * (ls + k)] | v.smpl[2 * (ls + k) + 1] << 8);
            int b = (int16_t)(v.smpl[2 * (le + k)] | v.smpl[2 * (le + k) + 1] << 8);
            CHECK(abs(a - b) <= 1, "sample %zu (%.20s): loop seam +%d: %d after the end, %d after the start", h,
                  (const char *)r, k, b, a);
        }
        checked++;
    }
    CHECK(checked >= 30, "only %zu samples", checked);
    printf("%s: %zu samples, every loop seamless\n", path, checked);
    free(p);
}

static void compare_rebuilt(const char *committed, const char *rebuilt) {
    size_t na, nb;
    uint8_t *a = read_file(committed, &na), *b = read_file(rebuilt, &nb);
    CHECK(a && b && na == nb, "%s and %s differ in size", committed, rebuilt);
    if (a && b && na == nb) {
        sf_view va = {0}, vb = {0};
        find_chunks(a, na, &va);
        find_chunks(b, nb, &vb);
        CHECK(va.pdta_n == vb.pdta_n && !memcmp(va.pdta, vb.pdta, va.pdta_n),
              "presets/instruments/sample headers differ: rebuild soundfonts/ with tools/sfbuild");
        int worst = 0;
        for (size_t i = 0; i + 1 < va.smpl_n && i + 1 < vb.smpl_n; i += 2) {
            int x = (int16_t)(va.smpl[i] | va.smpl[i + 1] << 8);
            int y = (int16_t)(vb.smpl[i] | vb.smpl[i + 1] << 8);
            if (abs(x - y) > worst) worst = abs(x - y);
        }
        CHECK(worst <= 1, "sample data differs by up to %d LSB from the rebuilt font", worst);
        printf("rebuilt font equals the committed one (samples within %d LSB)\n", worst);
    }
    free(a);
    free(b);
}

/* Renders `frames` stereo frames, returns the left channel in out. */
static void render(fluid_synth_t *s, float *out, int frames) {
    static float left[4096], right[4096];
    while (frames > 0) {
        int n = frames < 4096 ? frames : 4096;
        fluid_synth_write_float(s, n, left, 0, 1, right, 0, 1);
        memcpy(out, left, (size_t)n * sizeof *out);
        out += n;
        frames -= n;
    }
}

static double rms(const float *x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)x[i] * x[i];
    return sqrt(s / n);
}

/* Period in samples: the autocorrelation peak within a semitone of `expected`,
 * refined by a parabola through the peak and its neighbours. */
static double period_near(const float *x, int n, double expected) {
    int lo = (int)floor(expected / 1.06), hi = (int)ceil(expected * 1.06) + 1;
    double best = -1e300;
    int at = lo;
    static double r[8192];
    for (int lag = lo - 1; lag <= hi + 1; lag++) {
        double s = 0;
        for (int i = 0; i + lag < n; i++) s += (double)x[i] * x[i + lag];
        r[lag - lo + 1] = s / (n - lag);
    }
    for (int lag = lo; lag <= hi; lag++)
        if (r[lag - lo + 1] > best) {
            best = r[lag - lo + 1];
            at = lag;
        }
    double a = r[at - lo], b = r[at - lo + 1], c = r[at - lo + 2];
    double denom = a - 2 * b + c;
    return at + (denom != 0 ? 0.5 * (a - c) / denom : 0);
}

typedef struct case_ {
    int program;
    const char *name;
    int keys[6];
} case_;

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_soundfont FONT.sf2 [REBUILT.sf2]\n");
        return 2;
    }
    fluid_set_log_function(FLUID_PANIC, count_log, NULL);
    fluid_set_log_function(FLUID_ERR, count_log, NULL);
    fluid_set_log_function(FLUID_WARN, count_log, NULL);
    fluid_settings_t *settings = new_fluid_settings();
    fluid_settings_setnum(settings, "synth.sample-rate", RATE);
    fluid_settings_setint(settings, "synth.reverb.active", 0);
    fluid_settings_setint(settings, "synth.chorus.active", 0);
    fluid_synth_t *synth = new_fluid_synth(settings);
    int id = fluid_synth_sfload(synth, argv[1], 1);
    CHECK(id != FLUID_FAILED, "FluidSynth cannot load %s", argv[1]);
    CHECK(log_messages == 0, "FluidSynth reported %d problems loading %s", log_messages, argv[1]);
    if (id == FLUID_FAILED) return 1;

    /* One GM program per instrument, keys across its range (key 0 = end). */
    static const case_ cases[] = {
        {0, "piano", {33, 48, 60, 69, 84, 100}}, {24, "pluck (nylon guitar)", {40, 52, 64, 76, 88, 0}},
        {33, "bass (finger)", {28, 36, 43, 55, 0, 0}}, {19, "organ (church)", {36, 48, 60, 72, 84, 0}},
        {48, "strings", {36, 48, 60, 67, 79, 91}},      {89, "pad (warm)", {36, 48, 60, 72, 84, 0}},
        {73, "flute", {60, 67, 72, 79, 84, 96}},
    };
    enum { HOLD = RATE, RELEASE = 4 * RATE };
    static float buf[HOLD + RELEASE];
    double worst_cents = 0, levels[64], sorted[64];
    int notes = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        fluid_synth_program_change(synth, 0, cases[c].program);
        for (int k = 0; k < 6 && cases[c].keys[k]; k++) {
            int key = cases[c].keys[k];
            fluid_synth_noteon(synth, 0, key, 100);
            render(synth, buf, HOLD);
            fluid_synth_noteoff(synth, 0, key);
            render(synth, buf + HOLD, RELEASE);
            double f = 440.0 * pow(2.0, (key - 69) / 12.0);
            /* measure after the attack: 0.4..0.9 s (the loop for every instrument) */
            const float *w = buf + (int)(0.4 * RATE);
            int wn = (int)(0.5 * RATE);
            /* loudness: the louder of 50..300 ms (before decays) and 0.4..0.9 s
             * (after slow attacks) */
            double level = fmax(rms(buf + RATE / 20, RATE / 4), rms(w, wn));
            if (getenv("LJ_VERBOSE")) printf("%-22s key %3d rms %.4f (%.1f dBFS)\n", cases[c].name, key, level, 20 * log10(level));
            levels[notes] = level;
            CHECK(level > 0.00316, "%s key %d: too quiet (rms %.5f)", cases[c].name, key, level);
            /* the autocorrelation peak within a semitone of the expected
             * period: a wrong root, correction or key range lands outside */
            double expected = RATE / f;
            double period = period_near(w, wn, expected);
            double cents = 1200.0 * log2(expected / period);
            if (fabs(cents) > worst_cents) worst_cents = fabs(cents);
            CHECK(fabs(cents) <= 3.0, "%s key %d: %.2f cents from %.2f Hz", cases[c].name, key, cents, f);
            double tail = rms(buf + HOLD + RELEASE - RATE / 2, RATE / 2);
            CHECK(tail < 1e-4, "%s key %d: still sounding %.1f s after note-off (rms %.6f)",
                  cases[c].name, key, (RELEASE - RATE / 2) / (double)RATE, tail);
            notes++;
        }
    }
    memcpy(sorted, levels, (size_t)notes * sizeof *sorted);
    for (int i = 1; i < notes; i++) /* insertion sort for the median */
        for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            double t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    double median = sorted[notes / 2], spread = 0;
    for (int i = 0; i < notes; i++) {
        double db = 20 * log10(levels[i] / median);
        if (fabs(db) > spread) spread = fabs(db);
        CHECK(fabs(db) <= 10.0, "note %d: %.1f dB from the median level", i, db);
    }
    printf("levels: median %.1f dBFS, every note within %.1f dB of it\n", 20 * log10(median), spread);
    printf("%d notes of 7 instruments: pitch within %.2f cents, all silent after release\n", notes,
           worst_cents);
    check_loops(argv[1]);
    if (argc > 2) compare_rebuilt(argv[1], argv[2]);
    CHECK(log_messages == 0, "FluidSynth reported %d problems", log_messages);
    delete_fluid_synth(synth);
    delete_fluid_settings(settings);
    return failures ? 1 : 0;
}
