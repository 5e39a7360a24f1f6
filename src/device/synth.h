/* synth: FluidSynth as a library, with no audio driver of its own. The audio
 * callback (dsp/sched) drives it through the lj_synth_ops that synth_ops()
 * returns; FluidSynth is created with "synth.threadsafe-api" = 0, so none of
 * those calls takes a mutex, and all of them must come from one thread (the
 * audio thread, or the offline render loop).
 *
 * Changing the SoundFont or the effects while playing is therefore not done on
 * the running synth: with threadsafe-api 0 FluidSynth's API (fluid_synth_sfload,
 * the reverb/chorus setters, which queue into the same rvoice event ring the
 * audio thread's noteon fills) has no guard against a second thread, and with
 * threadsafe-api 1 every noteon of the audio thread would take the API mutex,
 * which fluid_synth_sfload holds while it reads the whole file. Instead the
 * control thread builds a second synth with the new settings and hands it to
 * the audio thread (sched_request_synth), which swaps at a callback boundary;
 * the old one is destroyed once the swap is done.
 *
 * The SoundFont is found in this order: the explicit path (an error if it cannot
 * be read; no fallback), then the first .sf2/.sf3 file (by name) a user put in
 * the project's soundfonts/ folder (beside the working directory, or beside the
 * executable's build folder), then the system's General MIDI SoundFonts:
 * /usr/share/sounds/sf2/default-GM.sf2, FluidR3_GM.sf2, TimGM6mb.sf2 (Debian),
 * /usr/share/soundfonts/default.sf2, FluidR3_GM.sf2 (other distributions), and
 * last lstmjam's own soundfonts/lstmjam-basic.sf2 (tools/sfbuild.c: always
 * there, but the sampled GM fonts sound better). */
#ifndef LJ_SYNTH_H
#define LJ_SYNTH_H

#include <stddef.h>

#include "lj_status.h"
#include "synth_ops.h"

#define SYNTH_MIN_RATE 8000    /* Hz: FluidSynth's limits for synth.sample-rate */
#define SYNTH_MAX_RATE 96000
#define SYNTH_MAX_GAIN 10.0    /* FluidSynth's limit for synth.gain */

typedef struct synth synth;

typedef struct synth_config {
    double sample_rate;    /* Hz, SYNTH_MIN_RATE..SYNTH_MAX_RATE; default 48000 */
    int polyphony;         /* simultaneous voices, 1..65535; default 256 */
    double gain;           /* output gain 0..SYNTH_MAX_GAIN; default 0.2 (FluidSynth's) */
    int reverb;            /* 1 reverb on (default), 0 off */
    double reverb_room;    /* reverb room size 0..1, or -1 (default) for FluidSynth's 0.2 */
    double reverb_level;   /* reverb output level 0..1, or -1 (default) for FluidSynth's 0.9 */
    int chorus;            /* 1 chorus on (default), 0 off */
    const char *soundfont; /* explicit SoundFont path, or NULL to search (see above) */
    int programs[16];      /* GM program per channel at start, -1 leaves FluidSynth's default */
    int banks[16];         /* SoundFont bank per channel at start (0..16383; 128 = GM drums),
                              -1 (default) leaves FluidSynth's (0; 128 on channel 10) */
} synth_config;

/* Fills c with the defaults above. Thread: any. */
void synth_config_default(synth_config *c);

/* Resolves the SoundFont by the search order above into out. LJ_ERR_ARG when
 * the explicit path cannot be read, LJ_ERR_IO when none is found (the message
 * lists where it looked). Thread: control. */
int synth_find_soundfont(const char *explicit_path, char *out, size_t outlen, char *err,
                         size_t errlen);

/* The SoundFont path for the banner: `path`, and when it is a symbolic link
 * (Debian's default-GM.sf2 -> the installed GM font) the file it names, so
 * the user sees which font plays: "PATH (-> TARGET)". Thread: control. */
const char *synth_soundfont_label(const char *path, char *buf, size_t len);

/* Creates the synth and loads the SoundFont. On failure *out is NULL and err
 * says what and where (bad setting, unreadable or invalid SoundFont).
 * Thread: control. */
int synth_create(const synth_config *c, synth **out, char *err, size_t errlen);

/* Frees the synth; NULL is a no-op. No callback may be running. Thread: control. */
void synth_destroy(synth *s);

/* The SoundFont file in use (valid while s lives). Thread: any. */
const char *synth_soundfont(const synth *s);
/* The sample rate FluidSynth runs at, Hz. Thread: any. */
double synth_sample_rate(const synth *s);
/* 1 when s was created with the settings of c and loaded `soundfont` (a
 * resolved path): a reload that changes none of them keeps the synth.
 * Thread: any (reads what synth_create stored, never FluidSynth). */
int synth_same_settings(const synth *s, const synth_config *c, const char *soundfont);
/* "gain 0.20, reverb room 0.20 level 0.90, chorus on, polyphony 256": the
 * settings in force (FluidSynth's defaults where the config left them).
 * Thread: any (stored at create). */
void synth_describe(const synth *s, char *out, size_t outlen);

/* The calls dsp/sched makes; user points at s. Thread: any (the calls
 * themselves: audio). */
lj_synth_ops synth_ops(synth *s);

#endif
