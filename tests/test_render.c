/* src/render and src/device/synth with the real FluidSynth and a General MIDI
 * SoundFont (skipped, exit 77, when none is installed):
 * - onsets: isolated notes at times off the block grid, rendered with periods
 *   128, 256, 100 and 37; the first frame at -60 dBFS of each note, found in the
 *   audio, sits exactly the sample's attack (measured by a note-on at frame 0
 *   straight into the synth, no scheduler) after the frame the 64-frame rule
 *   gives, max(floor64(frame), ceil64(callback start)), with the note's frame
 *   computed from the score's tempo map; so within 64 frames of the score's time.
 * - the period does not change the sound: a score whose events all sit on the
 *   64-frame grid renders bit-identically with periods 128, 64, 37 and 1000.
 * - no stuck notes: sustaining organ notes with no note-off go silent after a
 *   panic event and after CC 123 (and, the control, keep sounding without);
 * - pitch bend: a held organ A4 bent full up sounds 2 semitones higher, and
 *   a new A4 after a panic is back at 440 Hz (no stuck bend);
 *   after render_score nothing is held and the tail is silent.
 * - files: float WAV, 16-bit WAV (equal to the float one within 16-bit
 *   rounding), FLAC by extension; the MIDI beside the WAV reads back equal to the
 *   score; a bad extension or an unwritable folder leaves nothing behind.
 * - render_build_events: frames from the tempo map, order at one frame,
 *   program changes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/midi.h"
#include "render.h"
#include "test_render_util.h"

static int failures;
static char sf[4096];
static char dir[4096];

static void opts_for_test(render_opts *o) {
    render_opts_default(o);
    o->synth.soundfont = sf;
    o->synth.reverb = 0;
    o->synth.chorus = 0;
    o->synth.gain = 0.5;
    o->sample_format = RENDER_FLOAT;
}

static int render_to(const score *s, const render_opts *o, const char *name, wav *w,
                     render_result *r) {
    char path[4200], err[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    render_result local;
    if (!r) r = &local;
    int rc = render_score(s, path, o, r, err, sizeof err);
    if (rc) {
        printf("FAIL render %s: %s\n", name, err);
        failures++;
        return rc;
    }
    if (w && wav_read(path, w)) {
        printf("FAIL cannot read back %s\n", path);
        failures++;
        return -1;
    }
    return 0;
}

/* ---- onsets ---- */

static uint64_t floor64(uint64_t x) { return x / 64 * 64; }
static uint64_t ceil64(uint64_t x) { return (x + 63) / 64 * 64; }

/* The attack of the test note measured without sched: the synth's own calls,
 * note-on before the first frame, so the sound starts at frame 0 exactly. The
 * frames from there to the first frame at -60 dBFS belong to the SoundFont's
 * sample, not to the timing. */
static int64_t direct_attack(void) {
    synth_config c;
    synth_config_default(&c);
    c.soundfont = sf;
    c.reverb = 0;
    c.chorus = 0;
    c.gain = 0.5;
    synth *syn;
    char err[1024];
    if (synth_create(&c, &syn, err, sizeof err)) return -1;
    lj_synth_ops ops = synth_ops(syn);
    ops.program(ops.user, 0, 0);
    ops.note_on(ops.user, 0, 60, 127);
    static float buf[2 * 4096];
    ops.render(ops.user, buf, 4096);
    synth_destroy(syn);
    for (int64_t i = 0; i < 4096; i++)
        if (fabsf(buf[2 * i]) >= 1e-3f || fabsf(buf[2 * i + 1]) >= 1e-3f) return i;
    return -1;
}

static void test_onsets(void) {
    int64_t attack0 = direct_attack();
    printf("attack of the test note, rendered directly: %lld frames to -60 dBFS\n", (long long)attack0);
    CHECK(attack0 >= 0, "no sound from a direct note-on");
    /* 120 BPM: one tick = 1041.67 us = exactly 50 frames at 48 kHz, so note
     * frames fall on every even phase of the 64-frame grid. */
    score *s = score_create();
    size_t p;
    score_add_tempo(s, 0, 500000);
    score_add_part(s, "piano", 0, 0, &p);
    uint64_t seed = 77;
    int64_t t = 100 + rng_below(&seed, 400);
    enum { N = 12 };
    for (int i = 0; i < N; i++) {
        score_note n = {t, 192, 60, 127, 0, 0, (uint16_t)p}; /* 0.2 s */
        score_add_note(s, &n);
        t += 2 * SCORE_PPQ * 2 + rng_below(&seed, 480); /* 2 s and a bit */
    }
    score_sort(s);
    const uint32_t periods[] = {128, 256, 100, 37};
    for (size_t pi = 0; pi < sizeof periods / sizeof *periods; pi++) {
        render_opts o;
        opts_for_test(&o);
        o.period = periods[pi];
        wav w;
        char name[64];
        snprintf(name, sizeof name, "onsets-%u.wav", periods[pi]);
        if (render_to(s, &o, name, &w, NULL)) continue;
        int64_t found[N + 4];
        /* Onset: the first frame at -60 dBFS or more after 0.25 s under -100 dBFS. */
        size_t n = onsets(&w, 1e-3f, 1e-5f, 12000, found, N + 4);
        CHECK(n == N, "period %u: %zu onsets detected, %d notes", periods[pi], n, N);
        int64_t attack = -1, worst = 0;
        for (size_t i = 0; i < n && i < N; i++) {
            double sec = score_ticks_to_seconds(s, s->notes[i].onset);
            uint64_t e = (uint64_t)llround(sec * 48000);
            uint64_t F = e / periods[pi] * periods[pi]; /* start of the callback holding e */
            uint64_t effect = floor64(e) > ceil64(F) ? floor64(e) : ceil64(F);
            int64_t d = found[i] - (int64_t)effect;
            if (attack < 0) attack = d;
            CHECK(d == attack0, "period %u note %zu (frame %llu): sound starts %lld frames after "
                  "its block, the direct render's %lld", periods[pi], i, (unsigned long long)e,
                  (long long)d, (long long)attack0);
            int64_t err = found[i] - (int64_t)e - attack; /* timing error of the event itself */
            if (llabs(err) > worst) worst = llabs(err);
            CHECK(err > -64 && err < 64, "period %u note %zu: %lld frames off", periods[pi], i,
                  (long long)err);
        }
        printf("onsets, period %3u: %zu notes, attack %lld frames after the block start, "
               "worst event timing error %lld frames (%.2f ms)\n",
               periods[pi], n, (long long)attack, (long long)worst, (double)worst / 48.0);
        free(w.x);
    }
    score_destroy(s);
}

/* ---- period independence ---- */

static void test_period_independence(void) {
    score *s = score_create();
    size_t p0, p1;
    score_add_tempo(s, 0, 480000); /* 1 tick = 48 frames; 4 ticks = 192 = 3 blocks */
    score_add_part(s, "a", 0, 0, &p0);
    score_add_part(s, "b", 1, 40, &p1);
    uint64_t seed = 5;
    int64_t t = 0;
    for (int i = 0; i < 60; i++) {
        score_note n = {t, 4 * (5 + rng_below(&seed, 60)), (uint8_t)(50 + rng_below(&seed, 30)),
                        (uint8_t)(40 + rng_below(&seed, 80)), (uint8_t)(i % 2), (uint8_t)(i % 2 ? 40 : 0),
                        (uint16_t)(i % 2 ? p1 : p0)};
        score_add_note(s, &n);
        t += 4 * rng_below(&seed, 40);
    }
    score_sort(s);
    const uint32_t periods[] = {128, 64, 37, 1000};
    wav ref = {0};
    for (size_t i = 0; i < sizeof periods / sizeof *periods; i++) {
        render_opts o;
        opts_for_test(&o);
        o.period = periods[i];
        o.tail_seconds = 0.5;
        wav w;
        char name[64];
        snprintf(name, sizeof name, "period-%u.wav", periods[i]);
        if (render_to(s, &o, name, &w, NULL)) continue;
        if (i == 0) {
            ref = w;
            continue;
        }
        /* Files are rounded up to whole periods: compare the common length. */
        int64_t m = ref.frames < w.frames ? ref.frames : w.frames, diff = -1;
        for (int64_t k = 0; k < 2 * m; k++)
            if (ref.x[k] != w.x[k]) {
                diff = k / 2;
                break;
            }
        CHECK(diff < 0, "period %u differs from period 128 at frame %lld", periods[i], (long long)diff);
        if (diff < 0) printf("period %u: identical to period 128 over %lld frames\n", periods[i], (long long)m);
        free(w.x);
    }
    free(ref.x);
    score_destroy(s);
}

/* ---- stuck notes, with the real synth driven through sched ---- */

typedef struct live {
    synth *syn;
    void *qmem, *smem;
    rtq *q;
    sched *s;
} live;

static int live_open(live *l) {
    memset(l, 0, sizeof *l);
    synth_config c;
    synth_config_default(&c);
    c.soundfont = sf;
    c.reverb = 0;
    c.chorus = 0;
    char err[1024];
    if (synth_create(&c, &l->syn, err, sizeof err)) {
        printf("FAIL synth_create: %s\n", err);
        failures++;
        return -1;
    }
    size_t qb = rtq_bytes(256, sizeof(lj_event));
    l->qmem = aligned_alloc(64, (qb + 63) / 64 * 64);
    l->smem = aligned_alloc(64, (sched_bytes() + 63) / 64 * 64);
    l->q = rtq_init(l->qmem, qb, 256, sizeof(lj_event));
    sched_config sc = {synth_ops(l->syn), l->q, 0, NULL, 0};
    l->s = sched_init(l->smem, sched_bytes(), &sc);
    return l->s ? 0 : -1;
}

static void live_close(live *l) {
    synth_destroy(l->syn);
    free(l->qmem);
    free(l->smem);
}

/* Renders `seconds` and returns the RMS of the last `last` seconds. */
static double live_run(live *l, double seconds, double last) {
    static float buf[2 * 128];
    int64_t blocks = (int64_t)(seconds * 48000 / 128), from = blocks - (int64_t)(last * 48000 / 128);
    double sum = 0;
    int64_t k = 0;
    for (int64_t b = 0; b < blocks; b++) {
        sched_process(l->s, buf, 128);
        if (b >= from)
            for (int i = 0; i < 256; i++, k++) sum += (double)buf[i] * buf[i];
    }
    return k ? sqrt(sum / (double)k) : 0;
}

static void push(live *l, lj_event e) {
    if (!rtq_push(l->q, &e)) {
        printf("FAIL queue full\n");
        failures++;
    }
}

#define SILENT_RMS 1e-4 /* -80 dBFS */

/* Church organ (GM 19) sustains for ever while a key is held. */
static void test_stuck_notes_live(void) {
    for (int how = 0; how < 3; how++) { /* 0: no panic (control), 1: panic event, 2: CC 123 */
        live l;
        if (live_open(&l)) return;
        push(&l, lj_event_program(0, 2, 19));
        push(&l, lj_event_cc(0, 2, 64, 127)); /* sustain pedal down too */
        for (int k = 0; k < 3; k++) push(&l, lj_event_note_on(100, 2, 60 + 4 * k, 100));
        double loud = live_run(&l, 1.0, 0.5);
        uint64_t now = (uint64_t)(1.0 * 48000) / 128 * 128;
        if (how == 1) push(&l, lj_event_panic(now));
        if (how == 2) push(&l, lj_event_cc(now, 2, 123, 0));
        double after = live_run(&l, 3.0, 1.0); /* 3 s later: the last second */
        const char *name = how == 0 ? "no panic" : how == 1 ? "panic event" : "CC 123";
        printf("organ, %s: RMS %.2e while held, %.2e two seconds later; %u held\n", name, loud,
               after, sched_voices(l.s)->n_held);
        CHECK(loud > 1e-3, "%s: the organ is not sounding (RMS %.2e)", name, loud);
        if (how == 0) {
            CHECK(after > 1e-3, "control: held organ notes went silent without a panic (%.2e)", after);
            CHECK(sched_voices(l.s)->n_held == 3, "control: %u held", sched_voices(l.s)->n_held);
        } else {
            CHECK(after < SILENT_RMS, "%s: still sounding, RMS %.2e", name, after);
            CHECK(sched_voices(l.s)->n_held == 0, "%s: %u notes held", name, sched_voices(l.s)->n_held);
        }
        live_close(&l);
    }
}

/* Renders `seconds` and returns the pitch (Hz) of the last 4096 frames of the
 * left channel: the lag of the autocorrelation's highest peak in 60..400
 * frames (120..800 Hz at 48 kHz), refined by a parabola through its
 * neighbours. */
static double live_pitch(live *l, double seconds) {
    static float buf[2 * 128], tail[4096];
    int64_t blocks = (int64_t)(seconds * 48000 / 128);
    for (int64_t b = 0; b < blocks; b++) {
        sched_process(l->s, buf, 128);
        memmove(tail, tail + 128, (4096 - 128) * sizeof *tail);
        for (int i = 0; i < 128; i++) tail[4096 - 128 + i] = buf[2 * i];
    }
    double r[402] = {0}, best = -1;
    int lag = 0;
    for (int k = 59; k <= 401; k++) {
        for (int i = 0; i + k < 4096; i++) r[k] += (double)tail[i] * tail[i + k];
        r[k] /= 4096 - k;
    }
    for (int k = 60; k <= 400; k++)
        if (r[k] > best && r[k] >= r[k - 1] && r[k] >= r[k + 1]) best = r[k], lag = k;
    if (!lag) return 0;
    double den = r[lag - 1] - 2 * r[lag] + r[lag + 1], shift = den != 0 ? 0.5 * (r[lag - 1] - r[lag + 1]) / den : 0;
    return 48000 / (lag + shift);
}

/* The player's pitch wheel reaches FluidSynth (synth_ops' pitch_bend): a
 * held organ A4 (440 Hz) bent full up sounds 2 semitones higher (FluidSynth's
 * default bend range), and after a panic (a swap, CC 123) a new A4 is back at
 * 440 Hz: the panic re-centres the bend (no stuck bend). Pitches are
 * compared as ratios. */
static void test_pitch_bend_live(void) {
    live l;
    if (live_open(&l)) return;
    push(&l, lj_event_program(0, 2, 19));
    push(&l, lj_event_note_on(0, 2, 69, 100));
    double plain = live_pitch(&l, 0.5);
    uint64_t now = (uint64_t)(0.5 * 48000) / 128 * 128;
    push(&l, lj_event_pitch_bend(now, 2, 16383));
    double bent = live_pitch(&l, 0.5);
    now += (uint64_t)(0.5 * 48000) / 128 * 128;
    push(&l, lj_event_panic(now));
    push(&l, lj_event_note_on(now + 4800, 2, 69, 100));
    double after = live_pitch(&l, 0.6);
    printf("organ A4: %.1f Hz, bent full up %.1f Hz (x%.4f, 2 semitones x1.1225), after a panic %.1f Hz\n", plain,
           bent, plain > 0 ? bent / plain : 0, after);
    /* (the organ's lowest partial may be a sub-octave stop: 220 Hz) */
    CHECK(fabs(plain - 440) < 440 * 0.01 || fabs(plain - 220) < 220 * 0.01, "A4 at %.1f Hz", plain);
    CHECK(fabs(bent / plain - 1.12246) < 0.01, "bent full up: x%.4f, expected x1.1225", bent / plain);
    CHECK(fabs(after / plain - 1) < 0.01, "after a panic: %.1f Hz against %.1f (a stuck bend)", after, plain);
    live_close(&l);
}

/* After render_score: nothing held, and the tail silent once the release is over. */
static void test_render_tail(void) {
    score *s = score_create();
    size_t p;
    score_add_part(s, "organ", 0, 19, &p);
    for (int i = 0; i < 8; i++) {
        score_note n = {i * 240, 480, (uint8_t)(60 + i), 100, 0, 19, (uint16_t)p};
        score_add_note(s, &n);
    }
    render_opts o;
    opts_for_test(&o);
    o.tail_seconds = 2.0;
    wav w;
    render_result r;
    if (render_to(s, &o, "tail.wav", &w, &r)) {
        score_destroy(s);
        return;
    }
    double tail = rms(&w, (int64_t)r.last_note_frame + 72000, w.frames); /* 1.5 s after the end */
    double body = rms(&w, 0, (int64_t)r.last_note_frame);
    printf("render tail: RMS %.2e while playing, %.2e from 1.5 s after the last note; held %u\n", body,
           tail, r.held_after);
    CHECK(r.held_after == 0, "%u notes held after render", r.held_after);
    CHECK(body > 1e-3, "nothing audible (RMS %.2e)", body);
    CHECK(tail < SILENT_RMS, "tail RMS %.2e", tail);
    CHECK(r.stats.late_events == 0 && r.stats.invalid_events == 0 && r.stats.overflows_seen == 0,
          "late %llu, invalid %llu, overflows %llu", (unsigned long long)r.stats.late_events,
          (unsigned long long)r.stats.invalid_events, (unsigned long long)r.stats.overflows_seen);
    CHECK(w.frames == (int64_t)r.frames, "file %lld frames, result %llu", (long long)w.frames,
          (unsigned long long)r.frames);
    free(w.x);
    score_destroy(s);
}

/* ---- files ---- */

static int exists(const char *name) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0;
}

static size_t entries(const char *sub) {
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "ls -A '%s/%s' | wc -l", dir, sub);
    FILE *p = popen(cmd, "r");
    size_t n = 0;
    if (p) {
        if (fscanf(p, "%zu", &n) != 1) n = 99;
        pclose(p);
    }
    return n;
}

static void test_files(void) {
    score *s = score_create();
    size_t p;
    score_add_tempo(s, 0, 600000);
    score_add_part(s, "tune", 0, 24, &p);
    for (int i = 0; i < 16; i++) {
        score_note n = {i * 240, 200, (uint8_t)(62 + (i * 5) % 12), 90, 0, 24, (uint16_t)p};
        score_add_note(s, &n);
    }
    snprintf(s->title, sizeof s->title, "File test");
    render_opts o;
    opts_for_test(&o);
    o.tail_seconds = 0.5;
    wav wf, wi, wl;
    char midi[4200];
    snprintf(midi, sizeof midi, "%s/float.mid", dir);
    o.midi_path = midi;
    int ok = !render_to(s, &o, "float.wav", &wf, NULL);
    o.midi_path = NULL;
    o.sample_format = RENDER_PCM16;
    ok &= !render_to(s, &o, "pcm16.wav", &wi, NULL);
    ok &= !render_to(s, &o, "pcm16.flac", &wl, NULL);
    if (ok) {
        double q = snr_db(&wf, &wi, 0, 0, wf.frames);
        printf("16-bit WAV vs float WAV: SNR %.1f dB\n", q);
        CHECK(q > 60, "16-bit WAV differs from the float render: SNR %.1f dB", q);
        CHECK(wi.frames == wf.frames && wl.frames == wf.frames, "lengths %lld %lld %lld",
              (long long)wf.frames, (long long)wi.frames, (long long)wl.frames);
        /* libsndfile rounds float to 16 bits slightly differently for FLAC and
         * WAV: allow one step. */
        double maxdiff = 0;
        for (int64_t k = 0; wl.frames == wi.frames && k < 2 * wi.frames; k++)
            if (fabs((double)wl.x[k] - wi.x[k]) > maxdiff) maxdiff = fabs((double)wl.x[k] - wi.x[k]);
        CHECK(wl.frames == wi.frames && maxdiff <= 1.0 / 32768,
              "FLAC and 16-bit WAV differ by %g (more than one 16-bit step)", maxdiff);
        SF_INFO info = {0};
        char path[4200];
        snprintf(path, sizeof path, "%s/pcm16.flac", dir);
        SNDFILE *f = sf_open(path, SFM_READ, &info);
        CHECK(f && (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC, "pcm16.flac is not FLAC");
        if (f) sf_close(f);
        snprintf(path, sizeof path, "%s/float.wav", dir);
        f = sf_open(path, SFM_READ, &info);
        CHECK(f && (info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT, "float.wav is not float");
        if (f) sf_close(f);
        free(wf.x);
        free(wi.x);
        free(wl.x);
    }
    /* The MIDI beside it holds the score. */
    score *back = NULL;
    char err[1024], msg[512];
    if (midi_read_file(midi, &back, err, sizeof err)) {
        CHECK(0, "MIDI beside the WAV: %s", err);
    } else {
        score *c = score_clone(s);
        score_sort(c);
        CHECK(score_compare(c, back, msg, sizeof msg) == 0, "MIDI beside the WAV differs: %s", msg);
        score_destroy(c);
        score_destroy(back);
    }
    /* Bad output: nothing left behind. */
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/bad", dir);
    mkdir(sub, 0777);
    o.midi_path = NULL;
    int rc = render_score(s, strcat(strcpy(sub, dir), "/bad/out.mp3"), &o, NULL, err, sizeof err);
    CHECK(rc == LJ_ERR_ARG && strstr(err, "out.mp3"), "mp3: %d %s", rc, err);
    o.sample_format = RENDER_FLOAT;
    snprintf(sub, sizeof sub, "%s/bad/out.flac", dir);
    rc = render_score(s, sub, &o, NULL, err, sizeof err);
    CHECK(rc == LJ_ERR_ARG, "float FLAC: %d %s", rc, err);
    snprintf(sub, sizeof sub, "%s/bad/no-such-folder/out.wav", dir);
    rc = render_score(s, sub, &o, NULL, err, sizeof err);
    /* a folder that does not exist is the user's mistake: exit 2 */
    CHECK(rc == LJ_ERR_ARG &&
              strstr(err, "no-such-folder/out.wav: cannot create (its folder does not exist)"),
          "missing folder: %d %s", rc, err);
    /* MIDI that cannot be written: the WAV goes too. */
    snprintf(sub, sizeof sub, "%s/bad/out.wav", dir);
    snprintf(midi, sizeof midi, "%s/bad/no-such-folder/out.mid", dir);
    o.midi_path = midi;
    rc = render_score(s, sub, &o, NULL, err, sizeof err);
    CHECK(rc == LJ_ERR_ARG, "unwritable MIDI: %d %s", rc, err);
    CHECK(entries("bad") == 0, "%zu files left in bad/", entries("bad"));
    CHECK(!exists("bad/out.wav"), "out.wav left behind");
    /* Bad options and an empty score. */
    o.midi_path = NULL;
    o.period = 0;
    CHECK(render_score(s, sub, &o, NULL, err, sizeof err) == LJ_ERR_ARG, "period 0 accepted");
    o.period = 128;
    o.synth.gain = 11;
    CHECK(render_score(s, sub, &o, NULL, err, sizeof err) == LJ_ERR_ARG, "gain 11 accepted");
    o.synth.gain = 0.5;
    o.synth.soundfont = "/nonexistent.sf2";
    rc = render_score(s, sub, &o, NULL, err, sizeof err);
    CHECK(rc == LJ_ERR_ARG && strstr(err, "/nonexistent.sf2"), "missing SoundFont: %d %s", rc, err);
    char notsf[4200];
    snprintf(notsf, sizeof notsf, "%s/float.mid", dir); /* a file, but not a SoundFont */
    o.synth.soundfont = notsf;
    rc = render_score(s, sub, &o, NULL, err, sizeof err);
    CHECK(rc == LJ_ERR_ARG && strstr(err, "cannot load"), "not a SoundFont: %d %s", rc, err);
    o.synth.soundfont = sf;
    score *empty = score_create();
    CHECK(render_score(empty, sub, &o, NULL, err, sizeof err) == LJ_ERR_ARG, "empty score accepted");
    score_destroy(empty);
    CHECK(entries("bad") == 0, "%zu files left in bad/", entries("bad"));
    score_destroy(s);
}

/* ---- events from a score ---- */

static void test_build_events(void) {
    score *s = score_create();
    size_t p0, p1;
    score_add_tempo(s, 0, 500000);
    score_add_tempo(s, 960, 250000); /* twice as fast from beat 3 */
    score_add_part(s, "a", 0, 5, &p0);
    score_add_part(s, "b", 3, 33, &p1);
    score_note n1 = {0, 480, 60, 100, 0, 5, (uint16_t)p0};
    score_note n2 = {480, 480, 60, 90, 0, 5, (uint16_t)p0};   /* same key right after n1 */
    score_note n3 = {960, 480, 64, 80, 0, 7, (uint16_t)p0};   /* program 7 from here */
    score_note n4 = {1200, 240, 40, 70, 3, 33, (uint16_t)p1};
    score_add_note(s, &n1);
    score_add_note(s, &n2);
    score_add_note(s, &n3);
    score_add_note(s, &n4);
    lj_event *ev;
    size_t n;
    char err[256];
    if (render_build_events(s, 48000, &ev, &n, err, sizeof err)) {
        CHECK(0, "%s", err);
        score_destroy(s);
        return;
    }
    /* Expected, by hand from the tempo map: beat = 24000 frames before tick 960,
     * 12000 after. */
    const struct { uint64_t frame; int kind, ch, d1; } want[] = {
        {0, LJ_EV_PROGRAM, 0, 5},      {0, LJ_EV_PROGRAM, 3, 33},     {0, LJ_EV_NOTE_ON, 0, 60},
        {24000, LJ_EV_NOTE_OFF, 0, 60}, {24000, LJ_EV_NOTE_ON, 0, 60}, {48000, LJ_EV_NOTE_OFF, 0, 60},
        {48000, LJ_EV_PROGRAM, 0, 7},   {48000, LJ_EV_NOTE_ON, 0, 64}, {54000, LJ_EV_NOTE_ON, 3, 40},
        {60000, LJ_EV_NOTE_OFF, 0, 64}, {60000, LJ_EV_NOTE_OFF, 3, 40},
    };
    size_t nw = sizeof want / sizeof *want;
    CHECK(n == nw, "%zu events, expected %zu", n, nw);
    for (size_t i = 0; i < n && i < nw; i++)
        CHECK(ev[i].frame == want[i].frame && ev[i].kind == want[i].kind &&
                  ev[i].channel == want[i].ch && ev[i].data1 == want[i].d1,
              "event %zu: frame %llu kind %d ch %d d1 %d; expected %llu %d %d %d", i,
              (unsigned long long)ev[i].frame, ev[i].kind, ev[i].channel, ev[i].data1,
              (unsigned long long)want[i].frame, want[i].kind, want[i].ch, want[i].d1);
    free(ev);
    score_destroy(s);
}

int main(void) {
    char err[1024];
    if (synth_find_soundfont(NULL, sf, sizeof sf, err, sizeof err)) {
        printf("SKIP: %s\n", err);
        return 77;
    }
    printf("SoundFont %s\n", sf);
    if (tmpdir_make(dir, sizeof dir)) return 1;
    test_build_events();
    test_onsets();
    test_period_independence();
    test_stuck_notes_live();
    test_pitch_bend_live();
    test_render_tail();
    test_files();
    if (!getenv("LJ_KEEP")) tmpdir_remove(dir);
    else printf("kept %s\n", dir);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
