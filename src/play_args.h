/* lstmjam play's command line: its help, and the options (over a --preset's
 * settings) parsed into play_cli. cmd_play parses it at the start and again
 * at each reload (the preset file re-read). Thread: control. */
#ifndef LJ_PLAY_ARGS_H
#define LJ_PLAY_ARGS_H

#include "device/synth.h"
#include "engine/engine.h"
#include "preset.h"

typedef struct play_cli {
    int argc;           /* the command line, parsed again when the preset is reloaded */
    char **argv;
    int has_preset;     /* --preset given: `preset` holds it */
    preset preset;
    const char *model, *device, *midi_in, *midi_out, *record, *event_log;
    engine_config engine;
    synth_config synth;
    uint32_t period;
    double lookahead_ms, seconds;
    int thru_channel; /* 0..15 */
    int quiet;
    int seed_given;
    int no_audio;
    int midi_clock;   /* --midi-clock, midi.clock: PRESET_CLOCK_OFF, _OUT or _IN */
    char vary_note[256]; /* the preset's drifts (mode.vary) that --tempo, --program or MIDI
                            clock in turned off, a line each ("" none): for the banner */
} play_cli;

/* Fills c from argv (a --preset first, the options over it): 0, -1 after
 * --help (printed), else an exit code after a message (bad usage: 2). */
int play_args_parse(int argc, char **argv, play_cli *c);

#endif
