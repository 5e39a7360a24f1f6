/* preset: a play preset (presets/NAME.yaml), what `lstmjam play --preset` and
 * `lstmjam render --preset` start from. Read with src/config.c (libyaml, a
 * tree with line:col on every node) and validated: an unknown key, a wrong
 * type, a value out of range, a missing model or SoundFont file is an error
 * "FILE:LINE:COL: what, expected, found" with a hint; the CLI exits 2.
 * Relative paths resolve against the preset's own folder. Every key but
 * `model` is optional; what is absent keeps the command's default, and options
 * on the command line override what the preset says.
 *
 *   description: one line for `lstmjam presets`
 *   model: ../model/pretrained/essen-timestep.lstm
 *   encoding: {velocity: 70}          # decoding options (velocity, length) over the model's
 *   sampler:
 *     temperature: 0.9                # 0..2 (0 = always the most likely; a piece's first 8 notes at >= 0.8)
 *     top_k: 0                        # 0 = all
 *     top_p: 0.95                     # nucleus mass, (0, 1]
 *     repetition_penalty: 1.2         # 1..100, 1 = off (window: penalty_window tokens)
 *     no_repeat_ngram: 8              # 0 = off (window: ngram_window tokens)
 *     density: 1.5                    # note density 0.25..4 (1 = the model's own)
 *     seed: 7                         # default: the clock (play), 1 (render)
 *   mode: auto                        # continue, respond, steer, accompany; or a map:
 *                                     #   {name: respond, phrase_gap: 0.6,
 *                                     #   reseed: 60, lookahead: 40}  (s, s, ms;
 *                                     #   reseed 0 = only at piece ends, else >= 1)
 *                                     # auto: {name: auto, vary: {tempo: 0.1, density: 0.3,
 *                                     #   programs: [Warm Pad, Halo Pad]}} (engine_vary)
 *   tempo: 90                         # BPM; default the model's own
 *   channel: 1                        # MIDI channel of the model's notes, 1..16
 *   instruments:                      # per channel: GM program, or SoundFont bank + preset
 *     - {channel: 1, program: 89}
 *     - {channel: 2, bank: 0, preset: 73}
 *   soundfont: default                # or a .sf2/.sf3 path; default: the search order
 *   audio: {enabled: true, device: "", rate: 48000, period: 128, gain: 0.3,
 *           reverb: {room: 0.8, level: 0.9}, chorus: false, polyphony: 256}
 *   midi:
 *     in: "Keystation"                # PortMidi name substring or index, or jack[:PORT]
 *     out: virtual                    # MIDI output (see midi_out below)
 *     thru_channel: 2                 # the player's notes, 1..16
 *     clock: out                      # MIDI clock: out (send it on midi.out), in (follow
 *                                     # the one on midi.in for tempo and Start/Stop), off
 *     cc: {temperature: 21, density: 23, tempo: 22, mode: 24, panic: 25}
 *                                     # over the engine's defaults (engine_cc_map); -1 unmaps
 *   render: {minutes: 1,              # length of `render --preset` without --minutes/--notes
 *            max_silence: 8}          # longest silence (s) its music may have: the bar
 *                                     # tools/longform_check.py --preset checks a render against
 *
 * Thread: control (all functions). */
#ifndef LJ_PRESET_H
#define LJ_PRESET_H

#include <stddef.h>

#include "device/synth.h"
#include "engine/engine.h"
#include "lj_status.h"

#define PRESET_PATH_MAX 4096
#define PRESET_DIR "presets" /* where NAME is looked up (beside the working directory or the binary) */

enum { PRESET_CLOCK_OFF, PRESET_CLOCK_OUT, PRESET_CLOCK_IN }; /* midi.clock, --midi-clock */

typedef struct preset {
    char path[PRESET_PATH_MAX];        /* the file read */
    char name[256];                    /* its base name without .yaml */
    char description[512];             /* "" when absent */
    char model[PRESET_PATH_MAX];       /* model file, resolved against the preset's folder */
    int model_line, model_col;         /* where `model:`'s value is (messages about the file) */
    char encoding_options[512];        /* "key=value ..." decoding options over the model's, or "" */
    engine_config engine;              /* sampler, repetition control, density, seed, mode and
                                          its timings, tempo, channel, program, CC mapping
                                          (midi.cc over engine_cc_map_default; queues unset) */
    int seed_given;                    /* sampler.seed was set */
    char mode_name[32];                /* the mode as written (auto, continue, ...) */
    double lookahead_ms;               /* mode.lookahead, ms; 0 = the command's default */
    synth_config synth;                /* rate, polyphony, gain, reverb, chorus, programs, banks;
                                          soundfont points at `soundfont` or is NULL (search) */
    char soundfont[PRESET_PATH_MAX];   /* SoundFont path, resolved; "" = the search order */
    int soundfont_line;                /* line of `soundfont:` (0: absent) */
    int audio;                         /* audio.enabled: 0 = MIDI out only (no synth) */
    char audio_device[256];            /* audio.device: index or name substring, "" = default */
    unsigned period;                   /* audio.period, frames; default 128 */
    char midi_in[256];                 /* midi.in, "" = none */
    char midi_out[256];                /* midi.out, "" = none */
    int thru_channel;                  /* midi.thru_channel, 0..15; default 1 (channel 2) */
    int midi_clock;                    /* midi.clock: PRESET_CLOCK_OFF (default), _OUT, _IN */
    double render_minutes;             /* render.minutes; 0 = not set */
    double render_max_silence;         /* render.max_silence, s (0.1..600); 0 = not set */
} preset;

/* Fills p with the commands' defaults (engine_config_default, synth_config_default,
 * period 128, thru channel 2, no CC mapped). */
void preset_default(preset *p);

/* Parses preset text. `name` names it in messages, `dir` is the folder that
 * relative paths resolve against ("" or NULL: as written). check_files: 1 also
 * requires the model and an explicit SoundFont to be readable files (an error
 * at their line with a hint). LJ_ERR_PARSE/LJ_ERR_RANGE/LJ_ERR_ARG/
 * LJ_ERR_UNSUPPORTED with "name:line:col: ..." in err. */
int preset_parse(const char *text, size_t len, const char *name, const char *dir, int check_files,
                 preset *p, char *err, size_t errlen);

/* Resolves NAME|FILE: an argument with a '/' or ending in .yaml is a file,
 * taken as it is (LJ_ERR_ARG when it cannot be read); a bare NAME is
 * presets/NAME.yaml in the presets folder (preset_dir). LJ_ERR_ARG naming the
 * file looked for and listing the presets there when it does not exist. */
int preset_find(const char *name_or_file, char *path, size_t pathlen, char *err, size_t errlen);

/* preset_find, then reads and parses the file with check_files = 1. */
int preset_load(const char *name_or_file, preset *p, char *err, size_t errlen);

/* The presets folder in use (see preset_find), or LJ_ERR_IO when there is none. */
int preset_dir(char *out, size_t outlen, char *err, size_t errlen);

/* After loading `model` failed with the message in err: when `model` is the
 * preset's own (the pointer p->model, as play and render keep it when no
 * --model overrides it), rewrites err as "PRESET:LINE:COL: model 'MODEL':
 * why", so the message names the preset line to fix (as a missing model
 * does); else leaves err as it is. */
void preset_model_error(const preset *p, const char *model, char *err, size_t errlen);

/* If argv holds "--preset X", loads X into p (preset_load) and returns its
 * status (err filled); returns LJ_OK with *found = 0 when there is none.
 * For the commands, which load the preset first and then let the other
 * options override it. */
int preset_from_args(int argc, char **argv, preset *p, int *found, char *err, size_t errlen);

/* What a command sets explicitly wins over a preset's drift of it
 * (mode.vary): `what` (ENGINE_VARY_TEMPO, ENGINE_VARY_DENSITY or
 * PRESET_VARY_PROGRAMS) of v is turned off when it was on, and a line
 * "WHO sets the tempo: the preset's mode.vary.tempo is off" appended to
 * note (NUL-terminated, notelen bytes) for the command to print. `who` says
 * what set it ("--tempo 100", "MIDI clock in"). Returns 1 when it turned
 * something off. */
#define PRESET_VARY_PROGRAMS 4u
int preset_vary_yield(engine_vary *v, unsigned what, const char *who, char *note, size_t notelen);

/* preset_vary_yield for what a command line set: tempo, density and program
 * each name the option as given ("--tempo 100"), or are "" when not given
 * (render and play). */
void preset_vary_yield_options(engine_vary *v, const char *tempo, const char *density, const char *program,
                               char *note, size_t notelen);

#endif
