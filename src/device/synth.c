#include "synth.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fluidsynth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"

struct synth {
    fluid_settings_t *settings; /* owned */
    fluid_synth_t *fs;          /* owned, created with threadsafe-api 0 */
    double sample_rate;         /* Hz */
    char soundfont[4096];       /* path of the loaded SoundFont */
    synth_config config;        /* as created (soundfont: NULL; see above) */
    double reverb_room, reverb_level; /* in force: the config's, or FluidSynth's defaults */
};

static const char *const system_soundfonts[] = {
    "/usr/share/sounds/sf2/default-GM.sf2", "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",   "/usr/share/soundfonts/default.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
};

void synth_config_default(synth_config *c) {
    memset(c, 0, sizeof *c);
    c->sample_rate = 48000;
    c->polyphony = 256;
    c->gain = 0.2;
    c->reverb = 1;
    c->chorus = 1;
    c->soundfont = NULL;
    for (int i = 0; i < 16; i++) c->programs[i] = c->banks[i] = -1;
    c->reverb_room = c->reverb_level = -1;
}

static int has_sf_ext(const char *name) {
    size_t n = strlen(name);
    if (n < 5) return 0;
    const char *e = name + n - 4;
    return !strcmp(e, ".sf2") || !strcmp(e, ".SF2") || !strcmp(e, ".sf3") || !strcmp(e, ".SF3");
}

/* lstmjam's own font (tools/sfbuild.c, in soundfonts/): the last resort, after
 * any font the user put in soundfonts/ and the system's GM fonts, which sound
 * better. */
#define FALLBACK_SOUNDFONT "lstmjam-basic.sf2"

/* The alphabetically first SoundFont in dir other than the fallback, into out;
 * 0 if none. */
static int first_soundfont_in(const char *dir, char *out, size_t outlen) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    char best[256] = "";
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!has_sf_ext(de->d_name) || strlen(de->d_name) >= sizeof best) continue;
        if (!strcmp(de->d_name, FALLBACK_SOUNDFONT)) continue;
        if (!best[0] || strcmp(de->d_name, best) < 0) snprintf(best, sizeof best, "%s", de->d_name);
    }
    closedir(d);
    if (!best[0]) return 0;
    int n = snprintf(out, outlen, "%s/%s", dir, best);
    return n > 0 && (size_t)n < outlen && access(out, R_OK) == 0;
}

const char *synth_soundfont_label(const char *path, char *buf, size_t len) {
    char target[PATH_MAX];
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode) || !realpath(path, target)) return path;
    snprintf(buf, len, "%s (-> %s)", path, target);
    return buf;
}

int synth_find_soundfont(const char *explicit_path, char *out, size_t outlen, char *err,
                         size_t errlen) {
    if (explicit_path) {
        if (access(explicit_path, R_OK) != 0)
            return lj_fail(err, errlen, LJ_ERR_ARG, "SoundFont %s: cannot read: %s", explicit_path,
                           strerror(errno));
        if ((size_t)snprintf(out, outlen, "%s", explicit_path) >= outlen)
            return lj_fail(err, errlen, LJ_ERR_ARG, "SoundFont %s: path too long", explicit_path);
        return LJ_OK;
    }
    /* Search order: a font the user put in soundfonts/, the system's GM fonts,
     * then lstmjam's own fallback font. */
    char dirs[2][LJ_PROJECT_PATH_MAX];
    lj_project_dirs("soundfonts", dirs);
    for (int i = 0; i < 2; i++)
        if (dirs[i][0] && first_soundfont_in(dirs[i], out, outlen)) return LJ_OK;
    for (size_t i = 0; i < sizeof system_soundfonts / sizeof *system_soundfonts; i++) {
        if (access(system_soundfonts[i], R_OK) == 0) {
            snprintf(out, outlen, "%s", system_soundfonts[i]);
            return LJ_OK;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (!dirs[i][0]) continue;
        int n = snprintf(out, outlen, "%s/%s", dirs[i], FALLBACK_SOUNDFONT);
        if (n > 0 && (size_t)n < outlen && access(out, R_OK) == 0) return LJ_OK;
    }
    return lj_fail(err, errlen, LJ_ERR_IO,
                   "no SoundFont found (looked in %s/, %s/, /usr/share/sounds/sf2/ and "
                   "/usr/share/soundfonts/); give one with --soundfont FILE.sf2, install "
                   "a General MIDI SoundFont (Debian: timgm6mb-soundfont or fluid-soundfont-gm), "
                   "or build lstmjam's own with tools/sfbuild",
                   dirs[0], dirs[1][0] ? dirs[1] : "PROJECT/soundfonts");
}

/* FluidSynth reports errors through a global log hook; while synth_create runs,
 * the hook keeps the first error here so it can go into err with context. */
typedef struct log_capture {
    char first[512]; /* first FLUID_ERR/FLUID_PANIC message, "" if none */
} log_capture;

static void capture_log(int level, const char *message, void *data) {
    log_capture *c = data;
    if ((level == FLUID_ERR || level == FLUID_PANIC) && !c->first[0])
        snprintf(c->first, sizeof c->first, "%s", message);
}

static void capture_begin(log_capture *c) {
    c->first[0] = 0;
    fluid_set_log_function(FLUID_PANIC, capture_log, c);
    fluid_set_log_function(FLUID_ERR, capture_log, c);
    fluid_set_log_function(FLUID_WARN, capture_log, c);
}

static void capture_end(void) {
    fluid_set_log_function(FLUID_PANIC, fluid_default_log_function, NULL);
    fluid_set_log_function(FLUID_ERR, fluid_default_log_function, NULL);
    fluid_set_log_function(FLUID_WARN, fluid_default_log_function, NULL);
}

static int set_int(synth *s, const char *name, int v, char *err, size_t errlen) {
    if (fluid_settings_setint(s->settings, name, v) == FLUID_OK) return LJ_OK;
    return lj_fail(err, errlen, LJ_ERR_ARG, "FluidSynth setting %s = %d refused", name, v);
}

static int set_num(synth *s, const char *name, double v, char *err, size_t errlen) {
    if (fluid_settings_setnum(s->settings, name, v) == FLUID_OK) return LJ_OK;
    return lj_fail(err, errlen, LJ_ERR_ARG, "FluidSynth setting %s = %g refused", name, v);
}

/* A SoundFont 2 (or SF3) file is a RIFF file of form "sfbk". Checked before
 * FluidSynth sees it: for anything else FluidSynth hands the file to
 * libinstpatch, which prints GLib criticals instead of failing quietly. */
static int check_soundfont_header(const char *path, char *err, size_t errlen) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return lj_fail(err, errlen, LJ_ERR_ARG, "SoundFont %s: cannot read: %s", path, strerror(errno));
    unsigned char h[12];
    size_t got = fread(h, 1, sizeof h, fp);
    fclose(fp);
    if (got < sizeof h || memcmp(h, "RIFF", 4) || memcmp(h + 8, "sfbk", 4))
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "SoundFont %s: cannot load: expected a SoundFont 2/3 file (RIFF form 'sfbk'), "
                       "found %s", path, got < sizeof h ? "a file under 12 bytes" : "another format");
    return LJ_OK;
}

int synth_create(const synth_config *c, synth **out, char *err, size_t errlen) {
    *out = NULL;
    if (!(c->sample_rate >= SYNTH_MIN_RATE && c->sample_rate <= SYNTH_MAX_RATE))
        return lj_fail(err, errlen, LJ_ERR_ARG, "sample rate %g Hz: expected %d..%d", c->sample_rate,
                       SYNTH_MIN_RATE, SYNTH_MAX_RATE);
    if (c->polyphony < 1 || c->polyphony > 65535)
        return lj_fail(err, errlen, LJ_ERR_ARG, "polyphony %d: expected 1..65535", c->polyphony);
    if (!(c->gain >= 0 && c->gain <= SYNTH_MAX_GAIN))
        return lj_fail(err, errlen, LJ_ERR_ARG, "gain %g: expected 0..%g", c->gain, SYNTH_MAX_GAIN);
    for (int ch = 0; ch < 16; ch++)
        if (c->programs[ch] < -1 || c->programs[ch] > 127)
            return lj_fail(err, errlen, LJ_ERR_ARG, "program %d on channel %d: expected 0..127",
                           c->programs[ch], ch + 1);
    for (int ch = 0; ch < 16; ch++)
        if (c->banks[ch] < -1 || c->banks[ch] > 16383)
            return lj_fail(err, errlen, LJ_ERR_ARG, "bank %d on channel %d: expected 0..16383",
                           c->banks[ch], ch + 1);
    if (!(c->reverb_room == -1 || (c->reverb_room >= 0 && c->reverb_room <= 1)) ||
        !(c->reverb_level == -1 || (c->reverb_level >= 0 && c->reverb_level <= 1)))
        return lj_fail(err, errlen, LJ_ERR_ARG, "reverb room %g / level %g: expected 0..1",
                       c->reverb_room, c->reverb_level);

    synth *s = calloc(1, sizeof *s);
    if (!s) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    int rc = synth_find_soundfont(c->soundfont, s->soundfont, sizeof s->soundfont, err, errlen);
    if (rc || (rc = check_soundfont_header(s->soundfont, err, errlen))) goto fail;

    log_capture cap;
    capture_begin(&cap);
    s->settings = new_fluid_settings();
    if (!s->settings) {
        capture_end();
        rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "FluidSynth: cannot create settings");
        goto fail;
    }
    /* No API mutex: only the audio thread calls the synth once it runs. */
    if ((rc = set_int(s, "synth.threadsafe-api", 0, err, errlen)) ||
        (rc = set_int(s, "synth.cpu-cores", 1, err, errlen)) ||
        (rc = set_num(s, "synth.sample-rate", c->sample_rate, err, errlen)) ||
        (rc = set_int(s, "synth.polyphony", c->polyphony, err, errlen)) ||
        (rc = set_num(s, "synth.gain", c->gain, err, errlen)) ||
        (rc = set_int(s, "synth.reverb.active", c->reverb != 0, err, errlen)) ||
        (rc = set_int(s, "synth.chorus.active", c->chorus != 0, err, errlen)) ||
        (c->reverb_room >= 0 && (rc = set_num(s, "synth.reverb.room-size", c->reverb_room, err, errlen))) ||
        (c->reverb_level >= 0 && (rc = set_num(s, "synth.reverb.level", c->reverb_level, err, errlen)))) {
        capture_end();
        goto fail;
    }
    s->fs = new_fluid_synth(s->settings);
    if (!s->fs) {
        capture_end();
        rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "FluidSynth: cannot create the synth%s%s",
                     cap.first[0] ? ": " : "", cap.first);
        goto fail;
    }
    if (fluid_synth_sfload(s->fs, s->soundfont, 1) == FLUID_FAILED) {
        capture_end();
        rc = lj_fail(err, errlen, LJ_ERR_ARG, "SoundFont %s: cannot load (not a SoundFont 2/3 file?)%s%s",
                     s->soundfont, cap.first[0] ? ": " : "", cap.first);
        goto fail;
    }
    capture_end();
    fluid_settings_getnum(s->settings, "synth.sample-rate", &s->sample_rate);
    s->config = *c;
    s->config.soundfont = NULL;
    fluid_settings_getnum(s->settings, "synth.reverb.room-size", &s->reverb_room);
    fluid_settings_getnum(s->settings, "synth.reverb.level", &s->reverb_level);
    /* A bank select stays in force on its channel, so the engine's later
     * program changes pick from the same bank. */
    for (int ch = 0; ch < 16; ch++) {
        if (c->banks[ch] >= 0) fluid_synth_bank_select(s->fs, ch, (unsigned)c->banks[ch]);
        if (c->programs[ch] >= 0) fluid_synth_program_change(s->fs, ch, c->programs[ch]);
        else if (c->banks[ch] >= 0) fluid_synth_program_change(s->fs, ch, 0);
    }
    *out = s;
    return LJ_OK;
fail:
    synth_destroy(s);
    return rc;
}

void synth_destroy(synth *s) {
    if (!s) return;
    if (s->fs) delete_fluid_synth(s->fs);
    if (s->settings) delete_fluid_settings(s->settings);
    free(s);
}

const char *synth_soundfont(const synth *s) { return s->soundfont; }

int synth_same_settings(const synth *s, const synth_config *c, const char *soundfont) {
    const synth_config *o = &s->config;
    if (strcmp(s->soundfont, soundfont) || o->sample_rate != c->sample_rate || o->polyphony != c->polyphony ||
        o->gain != c->gain || o->reverb != c->reverb || o->reverb_room != c->reverb_room ||
        o->reverb_level != c->reverb_level || o->chorus != c->chorus)
        return 0;
    for (int ch = 0; ch < 16; ch++)
        if (o->programs[ch] != c->programs[ch] || o->banks[ch] != c->banks[ch]) return 0;
    return 1;
}

void synth_describe(const synth *s, char *out, size_t outlen) {
    const synth_config *c = &s->config;
    char reverb[64] = "reverb off";
    if (c->reverb) snprintf(reverb, sizeof reverb, "reverb room %.2f level %.2f", s->reverb_room, s->reverb_level);
    snprintf(out, outlen, "gain %.2f, %s, chorus %s, polyphony %d", c->gain, reverb, c->chorus ? "on" : "off",
             c->polyphony);
}
double synth_sample_rate(const synth *s) { return s->sample_rate; }

/* The audio-thread calls. Return values are ignored on purpose: FluidSynth
 * fails a note-off for a key with no voice (already released by a retrigger),
 * which is not an error here, and the audio thread never reports failures. */
static void op_note_on(void *u, int ch, int key, int vel) {
    fluid_synth_noteon(((synth *)u)->fs, ch, key, vel);
}
static void op_note_off(void *u, int ch, int key) { fluid_synth_noteoff(((synth *)u)->fs, ch, key); }
static void op_cc(void *u, int ch, int num, int val) { fluid_synth_cc(((synth *)u)->fs, ch, num, val); }
static void op_program(void *u, int ch, int prog) {
    fluid_synth_program_change(((synth *)u)->fs, ch, prog);
}
static void op_all_notes_off(void *u, int ch) { fluid_synth_all_notes_off(((synth *)u)->fs, ch); }
static void op_pitch_bend(void *u, int ch, int value) { fluid_synth_pitch_bend(((synth *)u)->fs, ch, value); }
static void op_channel_pressure(void *u, int ch, int p) { fluid_synth_channel_pressure(((synth *)u)->fs, ch, p); }
static void op_key_pressure(void *u, int ch, int key, int p) {
    fluid_synth_key_pressure(((synth *)u)->fs, ch, key, p);
}
static void op_render(void *u, float *out, uint32_t frames) {
    /* Interleaved stereo: left at 0, 2, 4...; right at 1, 3, 5...
     * Known: Debian 12's FluidSynth 2.3.1 mixes its effects in an OpenMP
     * parallel region, and libgomp allocates and frees a one-thread team
     * for it at every call while reverb or chorus is on (2000 of 2000
     * calls; 0 with both off: measured by interposing malloc). glibc's
     * per-thread cache serves it without a lock or a new page (6-8 page
     * faults in a 12-s live run, ~1000 under ASan; in the normal build's
     * live runs the callback slept only in its first, once in about five
     * runs), so it stays; under ASan it does not (tests/jack_lib.sh). */
    fluid_synth_write_float(((synth *)u)->fs, (int)frames, out, 0, 2, out, 1, 2);
}

lj_synth_ops synth_ops(synth *s) {
    lj_synth_ops o = {s,         op_note_on, op_note_off,   op_cc,         op_program,          op_all_notes_off,
                      op_render, op_pitch_bend, op_channel_pressure, op_key_pressure};
    return o;
}
