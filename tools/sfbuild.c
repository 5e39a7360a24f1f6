/* sfbuild: builds lstmjam's own small General MIDI SoundFont from synthesised
 * waveforms (issue 7), so the instrument always has a sound, with a licence we
 * can state (CC0: every sample is computed here, nothing is recorded).
 *
 *   lstmjam_sfbuild OUT.sf2
 *
 * Seven instruments: piano, plucked (guitar/harp), bass, organ, strings, pad,
 * flute, and a noise hit for GM channel 10. Each is a set of mono 16-bit samples, one per octave, made by additive
 * synthesis: a time-varying attack, then a stationary tail whose every partial
 * completes a whole number of cycles in the loop, so the loop seam is exact
 * (continuous value and slope) and no pitch correction is needed. Decay, the
 * release and vibrato come from SoundFont generators, not from the samples.
 * The 128 GM programs of bank 0 map onto the seven instruments by family.
 *
 * Deterministic: the same binary writes the same bytes (own PRNG, no time).
 * Format: SoundFont 2.01 (RIFF sfbk: INFO, sdta/smpl, pdta with phdr pbag pmod
 * pgen inst ibag imod igen shdr), the records as the spec's section 7 lays them
 * out, little-endian. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/gm.h"

#define SAMPLE_RATE 32000 /* Hz; enough for a fallback font, 2/3 of the size of 48 kHz */
#define GUARD_ZEROS 46    /* zero samples the spec requires after each sample */
#define PI 3.14159265358979323846

/* ---- growable byte buffer (the tool exits on out of memory) ---- */

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void buf_put(buf *b, const void *data, size_t n) {
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n) cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            fprintf(stderr, "sfbuild: out of memory\n");
            exit(1);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}
static void put_u8(buf *b, unsigned v) {
    uint8_t x = (uint8_t)v;
    buf_put(b, &x, 1);
}
static void put_u16(buf *b, unsigned v) {
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    buf_put(b, x, 2);
}
static void put_u32(buf *b, uint32_t v) {
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    buf_put(b, x, 4);
}
static void put_name20(buf *b, const char *s) {
    char name[20] = {0};
    size_t n = strlen(s);
    memcpy(name, s, n < 19 ? n : 19);
    buf_put(b, name, 20);
}
/* A RIFF chunk: id, size, data, pad byte to even size. */
static void put_chunk(buf *b, const char *id, const buf *data) {
    buf_put(b, id, 4);
    put_u32(b, (uint32_t)data->n);
    buf_put(b, data->p, data->n);
    if (data->n & 1) put_u8(b, 0);
}
static void put_zstr_chunk(buf *b, const char *id, const char *s) {
    buf d = {0};
    buf_put(&d, s, strlen(s) + 1);
    if (d.n & 1) put_u8(&d, 0);
    put_chunk(b, id, &d);
    free(d.p);
}

/* ---- deterministic noise (splitmix64) ---- */

static uint64_t rng_state = 0x6c73746d6a616dULL; /* "lstmjam" */
static double noise(void) {                    /* uniform in [-1, 1) */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 4503599627370496.0 - 1.0;
}

/* ---- instruments ---- */

typedef enum timbre { PIANO, PLUCK, BASS, ORGAN, STRINGS, PAD, FLUTE, KIT, N_TIMBRES } timbre;

/* How each instrument is synthesised and enveloped. Times in seconds, levels
 * in dB of attenuation (SoundFont sustain is attenuation below peak). */
typedef struct timbre_spec {
    const char *name;
    int lowest_root, highest_root; /* sample roots (MIDI keys), one per octave */
    double attack_s;               /* non-stationary part of the sample before the loop */
    double loop_s;                 /* loop length (sets the detune/partial grid: 1/loop_s Hz) */
    /* SoundFont volume envelope */
    double env_attack_s, env_hold_s, env_decay_s, env_sustain_db, env_release_s;
    int key_to_decay;  /* keynumToVolEnvDecay, timecents per key (higher keys decay faster) */
    int vibrato_cents; /* vibLfoToPitch, 0 = none */
    int reverb_permille, chorus_permille;
    int attenuation_cb; /* initialAttenuation, centibels (balances the instruments) */
} timbre_spec;

static const timbre_spec specs[N_TIMBRES] = {
    [PIANO] = {"lstmjam piano", 24, 108, 0.45, 0.25, 0.002, 0.0, 9.0, 96.0, 0.35, 40, 0, 150, 0, 0},
    [PLUCK] = {"lstmjam pluck", 36, 96, 0.30, 0.20, 0.001, 0.0, 4.0, 96.0, 0.25, 35, 0, 150, 50, 10},
    [BASS] = {"lstmjam bass", 24, 72, 0.30, 0.25, 0.004, 0.0, 5.0, 96.0, 0.15, 20, 0, 50, 0, 40},
    [ORGAN] = {"lstmjam organ", 24, 96, 0.02, 0.25, 0.008, 0.0, 0.5, 1.5, 0.12, 0, 0, 250, 100, 80},
    [STRINGS] = {"lstmjam strings", 24, 96, 0.02, 0.50, 0.25, 0.0, 1.0, 2.0, 0.6, 0, 12, 300, 150, 0},
    [PAD] = {"lstmjam pad", 24, 96, 0.02, 0.50, 0.8, 0.0, 2.0, 3.0, 1.8, 0, 0, 450, 300, 0},
    [FLUTE] = {"lstmjam flute", 48, 108, 0.12, 0.20, 0.06, 0.0, 1.0, 1.0, 0.15, 0, 15, 250, 50, 70},
    /* GM channel 10: one noise hit pitched by key (kick low, hats high), so
     * drum parts are heard and FluidSynth finds a bank 128 preset */
    [KIT] = {"lstmjam kit", 60, 60, 0.0, 0.0, 0.001, 0.0, 0.3, 96.0, 0.1, 0, 0, 100, 0, 0},
};

static double key_hz(double key) { return 440.0 * pow(2.0, (key - 69.0) / 12.0); }

/* A partial: frequency as a whole number of cycles per loop (so every partial
 * is periodic in the loop), amplitude at the loop start, decay rate and phase. */
typedef struct partial {
    double cycles;   /* cycles per loop (integer) */
    double amp;      /* amplitude at the start of the sample */
    double decay;    /* 1/s: amplitude is amp * exp(-decay * min(t, loop_start)) */
    double phase;    /* radians */
} partial;

#define MAX_PARTIALS 96

/* Partials of one sample whose loop holds `cycles` periods of the root in
 * `loop_len` samples. Every partial gets a whole number of cycles per loop, so
 * harmonic h of the root has exactly h*cycles. Partials above max_hz are left
 * out: the sample is played up to the top of its key range and must stay below
 * Nyquist there. `amp` is the partial's amplitude at the start of the sample. */
static int make_partials(timbre t, int root, size_t loop_len, double cycles, double max_hz,
                         partial *p) {
    double grid = (double)SAMPLE_RATE / (double)loop_len; /* Hz per cycle-per-loop */
    int n = 0;
    if (t == STRINGS || t == PAD) {
        /* band-limited sawtooth, three voices: the outer two detuned by about
         * 8 (strings) or 12 (pad) cents, as a whole number of cycles per loop */
        double ratio = t == PAD ? 0.0070 : 0.0046;
        double delta = fmax(1.0, round(cycles * ratio));
        for (int h = 1; h <= 64; h++) {
            double rolloff = t == PAD ? pow(h, 1.6) : pow(h, 1.05);
            for (int v = -1; v <= 1; v++) {
                double cyc = h * (cycles + v * delta);
                if (cyc * grid > max_hz) return n;
                if (n == MAX_PARTIALS) return n;
                p[n++] = (partial){cyc, (v ? 0.4 : 0.5) / rolloff, 0,
                                   fmod(2.7 * h + 1.3 * (v + 1), 2 * PI)};
            }
        }
        return n;
    }
    for (int h = 1; h <= 64 && n < MAX_PARTIALS; h++) {
        double cyc = h * cycles, a = 0, d = 0; /* d: amplitude decay rate before the loop, 1/s */
        double f = cyc * grid;
        switch (t) {
        case PIANO: { /* stiff string: partials stretched sharp, struck at 1/7 */
            double inharm = 0.0004 * (root < 60 ? 0.5 : 1.0);
            cyc = round(cyc * sqrt(1.0 + inharm * h * h));
            f = cyc * grid;
            a = fabs(sin(PI * h / 7.3)) / pow(h, 1.1);
            d = 1.2 + 0.9 * (h - 1) + f / 900.0; /* upper partials die first */
            break;
        }
        case PLUCK: /* string plucked near the bridge */
            a = fabs(sin(PI * h * 0.18)) / ((double)h * h) * 3.0;
            d = 2.0 + 1.5 * (h - 1) + f / 500.0;
            break;
        case BASS:
            if (h > 12) return n;
            a = fabs(sin(PI * h * 0.12)) / ((double)h * h) * 4.0;
            d = 1.0 + 1.2 * (h - 1);
            break;
        case ORGAN: { /* drawbars 8' 4' 2 2/3' 2' 1 3/5' 1': harmonics 1 2 3 4 5 8 */
            static const double bars[9] = {0, 1.0, 0.7, 0.5, 0.45, 0.2, 0, 0, 0.3};
            if (h > 8) return n;
            if (bars[h] == 0) continue;
            a = bars[h];
            break;
        }
        case FLUTE:
            if (h > 4) return n;
            a = h == 1 ? 1.0 : h == 2 ? 0.22 : h == 3 ? 0.09 : 0.03;
            break;
        default:
            return n;
        }
        if (f > max_hz) return n;
        p[n++] = (partial){cyc, a, d, fmod(1.1 * h * h, 2 * PI)};
    }
    return n;
}

/* Synthesises one sample: `attack` samples of attack, then `loop_len` samples
 * of the stationary tail, then 8 more of it (interpolation past the loop end
 * reads them), peak-normalised to -1 dBFS. out has attack + loop_len + 8.
 * The phase advances by cycles/loop_len per sample, so the tail repeats
 * exactly every loop_len samples. */
static void synth_sample(timbre t, int root, size_t attack, size_t loop_len, double cycles,
                         double max_hz, int16_t *out) {
    partial p[MAX_PARTIALS];
    int np = t == KIT ? 0 : make_partials(t, root, loop_len, cycles, max_hz, p);
    size_t total = attack + loop_len + 8;
    double *x = calloc(total, sizeof *x);
    if (!x) {
        fprintf(stderr, "sfbuild: out of memory\n");
        exit(1);
    }
    double t0 = (double)attack / SAMPLE_RATE; /* loop start, seconds */
    for (size_t i = 0; i < total; i++) {
        double ts = (double)i / SAMPLE_RATE, s = 0;
        for (int k = 0; k < np; k++) {
            double env = exp(-p[k].decay * fmin(ts, t0));
            s += p[k].amp * env * sin(2 * PI * p[k].cycles * (double)i / (double)loop_len + p[k].phase);
        }
        x[i] = s;
    }
    /* Attack transients that do not reach the loop: hammer thump, pick click,
     * breath. Shaped to be zero well before the loop starts. */
    double burst_s = t == PIANO ? 0.03 : t == PLUCK ? 0.008 : t == FLUTE ? 0.09 : 0.0;
    if (burst_s > 0) {
        double lp = 0, peak = 0;
        for (size_t i = 0; i < total; i++) peak = fmax(peak, fabs(x[i]));
        for (size_t i = 0; i < attack && (double)i / SAMPLE_RATE < 4 * burst_s; i++) {
            double ts = (double)i / SAMPLE_RATE;
            double shape = exp(-ts / burst_s) * (1 - exp(-ts / 0.001));
            lp += (noise() - lp) * (t == FLUTE ? 0.25 : 0.5); /* one-pole low-pass */
            x[i] += lp * shape * peak * (t == FLUTE ? 0.25 : 0.4);
        }
    }
    if (t == KIT) { /* 0.35 s of band-passed noise with a fast decay, then silence */
        double lp = 0, lp2 = 0;
        for (size_t i = 0; i < total; i++) {
            double ts = (double)i / SAMPLE_RATE;
            lp += (noise() - lp) * 0.3;
            lp2 += (lp - lp2) * 0.05;
            x[i] = (lp - lp2) * exp(-ts / 0.06) * (ts < 0.35 ? 1.0 : 0.0);
        }
    }
    double peak = 0;
    for (size_t i = 0; i < total; i++) peak = fmax(peak, fabs(x[i]));
    double gain = peak > 0 ? 0.891 * 32767.0 / peak : 0; /* -1 dBFS */
    for (size_t i = 0; i < total; i++) out[i] = (int16_t)lrint(x[i] * gain);
    free(x);
}

/* ---- SoundFont structure ---- */

enum { /* generator operators (SoundFont 2.01, section 8.1.2) */
    GEN_CHORUS_SEND = 15, GEN_REVERB_SEND = 16, GEN_VIB_LFO_TO_PITCH = 6,
    GEN_DELAY_VIB_LFO = 23, GEN_FREQ_VIB_LFO = 24, GEN_ATTACK_VOL = 34, GEN_HOLD_VOL = 35,
    GEN_DECAY_VOL = 36, GEN_SUSTAIN_VOL = 37, GEN_RELEASE_VOL = 38, GEN_KEY_TO_VOL_DECAY = 40,
    GEN_INSTRUMENT = 41, GEN_KEY_RANGE = 43, GEN_ATTENUATION = 48, GEN_SAMPLE_ID = 53,
    GEN_SAMPLE_MODES = 54
};

static int timecents(double seconds) {
    if (seconds <= 0.001) return -12000; /* the spec's "instant" */
    return (int)lrint(1200.0 * log2(seconds));
}

typedef struct gen_list {
    buf gens; /* 4-byte records */
    size_t n;
} gen_list;
static void gen_add(gen_list *g, int oper, int amount) {
    put_u16(&g->gens, (unsigned)oper);
    put_u16(&g->gens, (unsigned)(uint16_t)(int16_t)amount);
    g->n++;
}
static void gen_range(gen_list *g, int oper, int lo, int hi) {
    put_u16(&g->gens, (unsigned)oper);
    put_u8(&g->gens, (unsigned)lo);
    put_u8(&g->gens, (unsigned)hi);
    g->n++;
}

/* GM program (0-127) -> instrument, by family. */
static timbre gm_timbre(int program) {
    int family = program / 8;
    switch (family) {
    case 0: return PIANO;                       /* pianos */
    case 1: return PLUCK;                       /* chromatic percussion */
    case 2: return ORGAN;                       /* organs */
    case 3: return PLUCK;                       /* guitars */
    case 4: return BASS;                        /* basses */
    case 5: case 6: return STRINGS;             /* strings, ensembles */
    case 7: return STRINGS;                     /* brass */
    case 8: case 9: return FLUTE;               /* reeds, pipes */
    case 10: return ORGAN;                      /* synth leads */
    case 11: return PAD;                        /* synth pads */
    case 12: return PAD;                        /* synth effects */
    case 13: return PLUCK;                      /* ethnic: sitar, banjo, ... */
    case 14: return PLUCK;                      /* percussive */
    default: return PAD;                        /* sound effects */
    }
}

/* Pizzicato, harp and fiddle sound better as what they are than as their family. */
static timbre gm_program_timbre(int program) {
    if (program == 45 || program == 46) return PLUCK; /* pizzicato, harp */
    if (program == 110) return STRINGS;               /* fiddle */
    if (program == 109 || program == 111) return FLUTE; /* bagpipe, shanai */
    return gm_timbre(program);
}

int main(int argc, char **argv) {
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: lstmjam_sfbuild OUT.sf2\n");
        return 2;
    }
    const char *out_path = argv[1];

    buf smpl = {0}, shdr = {0}, inst = {0}, ibag = {0};
    gen_list igen = {0};
    size_t n_samples = 0, n_ibags = 0;

    for (int t = 0; t < N_TIMBRES; t++) {
        const timbre_spec *sp = &specs[t];
        put_name20(&inst, sp->name);
        put_u16(&inst, (unsigned)n_ibags);
        /* Global zone: the envelope and effects shared by every key range. */
        put_u16(&ibag, (unsigned)igen.n);
        put_u16(&ibag, 0);
        n_ibags++;
        gen_add(&igen, GEN_ATTACK_VOL, timecents(sp->env_attack_s));
        if (sp->env_hold_s > 0) gen_add(&igen, GEN_HOLD_VOL, timecents(sp->env_hold_s));
        gen_add(&igen, GEN_DECAY_VOL, timecents(sp->env_decay_s));
        gen_add(&igen, GEN_SUSTAIN_VOL, (int)lrint(sp->env_sustain_db * 10.0));
        gen_add(&igen, GEN_RELEASE_VOL, timecents(sp->env_release_s));
        if (sp->key_to_decay) gen_add(&igen, GEN_KEY_TO_VOL_DECAY, sp->key_to_decay);
        if (sp->vibrato_cents) {
            gen_add(&igen, GEN_VIB_LFO_TO_PITCH, sp->vibrato_cents);
            gen_add(&igen, GEN_FREQ_VIB_LFO, (int)lrint(1200.0 * log2(5.5 / 8.176))); /* 5.5 Hz */
            gen_add(&igen, GEN_DELAY_VIB_LFO, timecents(0.35));
        }
        gen_add(&igen, GEN_REVERB_SEND, sp->reverb_permille);
        gen_add(&igen, GEN_CHORUS_SEND, sp->chorus_permille);
        if (sp->attenuation_cb) gen_add(&igen, GEN_ATTENUATION, sp->attenuation_cb);
        gen_add(&igen, GEN_SAMPLE_MODES, t == KIT ? 0 : 1); /* every pitched sample loops */

        for (int root = sp->lowest_root; root <= sp->highest_root; root += 12) {
            size_t attack = (size_t)lrint(sp->attack_s * SAMPLE_RATE);
            /* loop: a whole number of root periods near loop_s (for the
             * detuned voices long enough that one cycle per loop is a small
             * detune), so the root itself needs no rounding worth hearing */
            double f0 = key_hz(root);
            double loop_s = sp->loop_s;
            if (t == STRINGS || t == PAD) loop_s = fmin(1.2, fmax(loop_s, (t == PAD ? 145 : 217) / f0));
            double cycles = fmax(1.0, round(f0 * loop_s));
            size_t loop_len = (size_t)lrint(cycles * SAMPLE_RATE / f0);
            if (t == KIT) { /* one unlooped hit; the loop points (which the spec
                               requires anyway) sit in the silence after it */
                cycles = 0;
                attack = (size_t)(0.4 * SAMPLE_RATE);
                loop_len = 32;
            }
            size_t len = attack + loop_len + 8;
            /* key range: within half an octave of the root (the ends to 0/127) */
            int lo = root == sp->lowest_root ? 0 : root - 6;
            int hi = root + 12 > sp->highest_root ? 127 : root + 5;
            double max_hz = 0.45 * SAMPLE_RATE / pow(2.0, (hi - root) / 12.0);
            int16_t *pcm = malloc(len * sizeof *pcm);
            if (!pcm) {
                fprintf(stderr, "sfbuild: out of memory\n");
                return 1;
            }
            synth_sample((timbre)t, root, attack, loop_len, cycles, max_hz, pcm);
            size_t start = smpl.n / 2;
            for (size_t i = 0; i < len; i++) put_u16(&smpl, (unsigned)(uint16_t)pcm[i]);
            for (int i = 0; i < GUARD_ZEROS; i++) put_u16(&smpl, 0);
            free(pcm);

            char name[20];
            snprintf(name, sizeof name, "%.9s %d", sp->name + 8, root);
            put_name20(&shdr, name);
            put_u32(&shdr, (uint32_t)start);
            put_u32(&shdr, (uint32_t)(start + len));
            put_u32(&shdr, (uint32_t)(start + attack));
            put_u32(&shdr, (uint32_t)(start + attack + loop_len));
            put_u32(&shdr, SAMPLE_RATE);
            /* the loop's fundamental is cycles*rate/loop_len: correct the
             * rounding of loop_len (a fraction of a cent) in whole cents */
            double actual = cycles * SAMPLE_RATE / (double)loop_len;
            int correction = t == KIT ? 0 : (int)lrint(1200.0 * log2(f0 / actual));
            put_u8(&shdr, (unsigned)root);
            put_u8(&shdr, (unsigned)(uint8_t)(int8_t)correction);
            put_u16(&shdr, 0);
            put_u16(&shdr, 1); /* mono */

            put_u16(&ibag, (unsigned)igen.n);
            put_u16(&ibag, 0);
            n_ibags++;
            gen_range(&igen, GEN_KEY_RANGE, lo, hi);
            gen_add(&igen, GEN_SAMPLE_ID, (int)n_samples);
            n_samples++;
        }
    }
    /* terminal records */
    put_name20(&inst, "EOI");
    put_u16(&inst, (unsigned)n_ibags);
    put_u16(&ibag, (unsigned)igen.n);
    put_u16(&ibag, 0);
    gen_add(&igen, 0, 0);
    put_name20(&shdr, "EOS");
    for (int i = 0; i < 5; i++) put_u32(&shdr, 0);
    put_u8(&shdr, 0);
    put_u8(&shdr, 0);
    put_u16(&shdr, 0);
    put_u16(&shdr, 0);

    /* Presets: bank 0, the 128 GM programs, one zone each naming an instrument;
     * bank 128 program 0, the drum kit. */
    buf phdr = {0}, pbag = {0};
    gen_list pgen = {0};
    for (int prog = 0; prog < 128; prog++) {
        put_name20(&phdr, gm_program_name(prog));
        put_u16(&phdr, (unsigned)prog);
        put_u16(&phdr, 0);
        put_u16(&phdr, (unsigned)prog); /* bag index */
        put_u32(&phdr, 0);
        put_u32(&phdr, 0);
        put_u32(&phdr, 0);
        put_u16(&pbag, (unsigned)pgen.n);
        put_u16(&pbag, 0);
        gen_add(&pgen, GEN_INSTRUMENT, gm_program_timbre(prog));
    }
    put_name20(&phdr, "Standard Kit");
    put_u16(&phdr, 0);
    put_u16(&phdr, 128); /* the GM percussion bank */
    put_u16(&phdr, 128);
    put_u32(&phdr, 0);
    put_u32(&phdr, 0);
    put_u32(&phdr, 0);
    put_u16(&pbag, (unsigned)pgen.n);
    put_u16(&pbag, 0);
    gen_add(&pgen, GEN_INSTRUMENT, KIT);
    put_name20(&phdr, "EOP");
    put_u16(&phdr, 0);
    put_u16(&phdr, 0);
    put_u16(&phdr, 129);
    put_u32(&phdr, 0);
    put_u32(&phdr, 0);
    put_u32(&phdr, 0);
    put_u16(&pbag, (unsigned)pgen.n);
    put_u16(&pbag, 0);
    gen_add(&pgen, 0, 0);

    buf mod_terminal = {0};
    for (int i = 0; i < 10; i++) put_u8(&mod_terminal, 0);

    /* INFO */
    buf info = {0}, ifil = {0};
    buf_put(&info, "INFO", 4);
    put_u16(&ifil, 2);
    put_u16(&ifil, 1);
    put_chunk(&info, "ifil", &ifil);
    put_zstr_chunk(&info, "isng", "EMU8000");
    put_zstr_chunk(&info, "INAM", "lstmjam basic GM");
    put_zstr_chunk(&info, "ICOP", "CC0 1.0: synthesised by lstmjam's tools/sfbuild.c");
    put_zstr_chunk(&info, "ICMT",
                   "Seven additive-synthesis instruments (piano, pluck, bass, organ, strings, "
                   "pad, flute) under the 128 GM programs of bank 0, and a noise kit in bank 128.");
    put_zstr_chunk(&info, "ISFT", "lstmjam sfbuild");

    buf sdta = {0};
    buf_put(&sdta, "sdta", 4);
    put_chunk(&sdta, "smpl", &smpl);

    buf pdta = {0};
    buf_put(&pdta, "pdta", 4);
    put_chunk(&pdta, "phdr", &phdr);
    put_chunk(&pdta, "pbag", &pbag);
    put_chunk(&pdta, "pmod", &mod_terminal);
    put_chunk(&pdta, "pgen", &pgen.gens);
    put_chunk(&pdta, "inst", &inst);
    put_chunk(&pdta, "ibag", &ibag);
    put_chunk(&pdta, "imod", &mod_terminal);
    put_chunk(&pdta, "igen", &igen.gens);
    put_chunk(&pdta, "shdr", &shdr);

    buf body = {0};
    buf_put(&body, "sfbk", 4);
    put_chunk(&body, "LIST", &info);
    put_chunk(&body, "LIST", &sdta);
    put_chunk(&body, "LIST", &pdta);
    buf file = {0};
    put_chunk(&file, "RIFF", &body);

    /* Written beside the target and renamed: never a half-written font. */
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", out_path) >= (int)sizeof tmp) {
        fprintf(stderr, "sfbuild: %s: path too long\n", out_path);
        return 2;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(file.p, 1, file.n, f) != file.n || fclose(f) != 0) {
        fprintf(stderr, "sfbuild: %s: %s\n", tmp, strerror(errno));
        remove(tmp);
        return 1;
    }
    if (rename(tmp, out_path) != 0) {
        fprintf(stderr, "sfbuild: %s: %s\n", out_path, strerror(errno));
        remove(tmp);
        return 1;
    }
    printf("%s: %zu samples, %d instruments, 129 presets, %.0f KB\n", out_path, n_samples,
           N_TIMBRES, (double)file.n / 1024.0);
    free(smpl.p); free(shdr.p); free(inst.p); free(ibag.p); free(igen.gens.p);
    free(phdr.p); free(pbag.p); free(pgen.gens.p); free(mod_terminal.p); free(info.p);
    free(ifil.p); free(sdta.p); free(pdta.p); free(body.p); free(file.p);
    return 0;
}
