/* lstmjam play's command line (play_args.h): the help text and the parser. */
#include "play_args.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "engine_args.h"

static const char *help =
    "usage: lstmjam play --model M.lstm [options]\n"
    "       lstmjam play --preset NAME|FILE [options]   (options override the preset)\n"
    "\n"
    "Plays what the model generates, live, through FluidSynth and PortAudio; a MIDI\n"
    "keyboard (--midi-in) sounds at once and feeds the model. Keys while playing:\n"
    "space pause/resume, t/T temperature -/+0.1, d/D density /1.25 *1.25, m next\n"
    "mode, p panic, r reload the model file and the preset (SIGHUP too: hot swap),\n"
    "q quit (Ctrl-C too, and closing the terminal: its SIGHUP quits, no reload).\n"
    "MIDI controllers from --midi-in: CC 1 temperature (0.1..2), CC 74 density\n"
    "(0.25..4, 64 = 1), CC 71 tempo (40..240 BPM), CC 70 mode (auto, continue,\n"
    "respond, steer, accompany by fifths of the range), CC 120/123 panic; a\n"
    "preset's midi.cc changes that mapping. A preset's mode.vary drifts only what\n"
    "nothing sets: --tempo, --density, --program, MIDI clock in and a tempo or\n"
    "density set live turn its drift of that off.\n"
    "\n";
/* in three strings: C11 compilers need take only 4095 characters in one */
static const char help_options[] =
    "options:\n"
    "  --preset NAME|FILE  a play preset: presets/NAME.yaml or a file (lstmjam presets)\n"
    "  --model FILE        the model (timestep, notechord, event, abc/chars, psd or\n"
    "                      pianoroll; required without a preset)\n"
    "  --mode MODE         auto (endless music, re-seeded; default), continue (the\n"
    "                      model carries on the phrase the player just played),\n"
    "                      respond (it answers each phrase with one about as long),\n"
    "                      steer (it plays on; each note played enters its context\n"
    "                      and its next notes are regenerated at once) or accompany\n"
    "                      (it plays its own part on while the player leads)\n"
    "  --device D          audio output by index or name substring (see lstmjam devices)\n"
    "  --midi-in SPEC      PortMidi input (index or name substring), jack[:PORT] for\n"
    "                      a JACK MIDI input port lstmjam-midi:midi_in, or alsa[:SRC]\n"
    "                      for an ALSA sequencer port lstmjam-midi:in\n"
    "  --thru-channel C    MIDI channel of the player's notes, 1..16 (default 2)\n"
    "  --midi-out SPEC     the model's notes as MIDI too: jack[:PORT] (a JACK MIDI\n"
    "                      port lstmjam-out:midi_out, events at their frames),\n"
    "                      alsa[:DEST] (an ALSA sequencer port lstmjam:out, events\n"
    "                      on a queue at their times), virtual (alsa where\n"
    "                      the sequencer exists, else jack) or a PortMidi output\n"
    "                      (index or name substring)\n"
    "  --no-audio          no synth, no audio device: MIDI out only (a DAW plays it)\n"
    "  --midi-clock [out]  MIDI out sends MIDI clock too: Start, 24 ticks per quarter\n"
    "                      note at the engine's tempo (it follows CC 71), Stop at the end\n"
    "  --midi-clock in     follow the MIDI clock coming in on --midi-in: the tempo of\n"
    "                      its last quarter note (24 ticks; the tempo CC is ignored),\n"
    "                      Stop pauses, Start and Continue play on\n"
    "  --temperature T     0..2 (default 1)\n"
    "  --top-k K           draw among the K most likely tokens (default all)\n"
    "  --top-p P           nucleus sampling mass (default 1)\n"
    "  --density D         notes per unit of music time 0.25..4 (default 1, the\n"
    "                      model's own; d/D and CC 74 change it while playing)\n"
    "  --seed S            random seed (default: from the clock)\n"
    "  --engine-priority P the engine thread's SCHED_FIFO priority, 0 = normal\n"
    "                      (default 1: below the audio thread; needs an rtprio limit)\n"
    "  --tempo BPM         playback tempo (default the encoding's own)\n"
    "  --reseed S          auto: start afresh every S seconds of music as heard, at the\n"
    "                      tempo in force (default 60; 0 never, else at least 1)\n"
    "  --gap S             continue, respond: the silence that ends the player's phrase\n"
    "                      (default 0.6)\n"
    "  --lookahead MS      generate this far ahead of the audio clock (default 4 periods, the\n"
    "                      server's when larger than --period's)\n"
    "  --rate HZ           sample rate (default 48000; on JACK the server's, with a note\n"
    "                      when another was asked for)\n"
    "  --period FRAMES     audio period asked for (default 128)\n"
    "  --soundfont SF2     SoundFont (default: one put in soundfonts/, else the\n"
    "                      system's GM one, else soundfonts/lstmjam-basic.sf2)\n"
    "  --gain G            FluidSynth gain 0..10 (default 0.2)\n"
    "  --no-reverb, --no-chorus   FluidSynth effects off\n"
    "  --program P         GM program of the model's notes (default 0, piano)\n"
    "  --channel C         MIDI channel of the model's notes, 1..16 (default 1)\n"
    "  --record FILE.mid   the session (model and player) as MIDI, written at the end\n"
    "                      (a path that cannot be written is refused at the start)\n"
    "  --event-log FILE    every event of the session with its scheduled sample frame,\n"
    "                      one per line (what bench/play_soak.sh compares MIDI out with)\n"
    "  --seconds S         stop after S seconds (default: until q or Ctrl-C)\n";
static const char help_end[] =
    "  -q, --quiet         errors and warnings only: no banner, status line or summary\n"
    "\n"
    "Without an audio device, render to a file instead:\n"
    "  lstmjam render --model M.lstm --minutes 5 -o out.wav\n"
    "\n"
    "exit status: 0 done; 1 a system or device error (no audio device or server at\n"
    "all, a device that fails to open or is lost while playing); 2 bad input or\n"
    "usage, a --device, --midi-in or --midi-out naming none of the devices or\n"
    "ports there included\n";

/* 0 and c filled, -1 after --help, else an exit code. */
int play_args_parse(int argc, char **argv, play_cli *c) {
    memset(c, 0, sizeof *c);
    engine_config_default(&c->engine);
    synth_config_default(&c->synth);
    c->period = 128;
    c->thru_channel = 1;
    c->argc = argc;
    c->argv = argv;
    char err[PRESET_PATH_MAX + 1024];
    int st = preset_from_args(argc, argv, &c->preset, &c->has_preset, err, sizeof err);
    if (st) {
        cli_error("%s", err);
        return cli_exit_code(st);
    }
    if (c->has_preset) { /* the preset first; the options below override it */
        const preset *p = &c->preset;
        if (!p->audio && !p->midi_out[0]) { /* nothing would be heard */
            cli_error("%s: audio.enabled is false and there is no midi.out; hint: give it "
                      "midi.out (virtual, jack[:PORT], alsa or a device) or enable audio", p->path);
            return LJ_EXIT_BAD_INPUT;
        }
        c->midi_out = p->midi_out[0] ? p->midi_out : NULL;
        c->no_audio = !p->audio;
        c->model = p->model;
        c->engine = p->engine;
        c->seed_given = p->seed_given;
        c->synth = p->synth;
        c->period = p->period;
        c->lookahead_ms = p->lookahead_ms;
        c->device = p->audio_device[0] ? p->audio_device : NULL;
        c->midi_in = p->midi_in[0] ? p->midi_in : NULL;
        c->thru_channel = p->thru_channel;
        c->midi_clock = p->midi_clock;
    }
    /* SCHED_FIFO if allowed (see engine_thread_priority), and below the
     * audio thread: JACK's clients run at jackd's priority - 5 (its default
     * -P 10 gives 5), and at 5 the engine was level with the callback */
    c->engine.thread_priority = 1;
    engine_args_given given = {0}; /* what the options below set explicitly */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            fputs(help_options, stdout);
            fputs(help_end, stdout);
            return -1;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            c->quiet = 1;
            continue;
        }
        if (!strcmp(a, "--no-audio")) {
            c->no_audio = 1;
            continue;
        }
        if (!strcmp(a, "--midi-clock")) { /* alone: out (as before `in` existed) */
            const char *w = i + 1 < argc ? argv[i + 1] : "";
            if (w[0] && w[0] != '-' && strcmp(w, "in") && strcmp(w, "out")) {
                cli_error("--midi-clock: expected in or out, found '%s'", w);
                return LJ_EXIT_BAD_INPUT;
            }
            c->midi_clock = !strcmp(w, "in") ? PRESET_CLOCK_IN : PRESET_CLOCK_OUT;
            if (!strcmp(w, "in") || !strcmp(w, "out")) i++;
            continue;
        }
        if (!strcmp(a, "--no-reverb") || !strcmp(a, "--no-chorus")) {
            if (a[5] == 'r') c->synth.reverb = 0;
            else c->synth.chorus = 0;
            continue;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') {
            cli_error("unexpected argument '%s' (see lstmjam play --help)", a);
            return LJ_EXIT_BAD_INPUT;
        }
        if (!v) { /* the help lists every option that takes a value as "  --NAME VALUE" */
            char listed[64];
            snprintf(listed, sizeof listed, "\n  %s ", a);
            if (strlen(a) < 40 && (strstr(help_options, listed) || strstr(help_end, listed)))
                cli_error("%s needs a value (see lstmjam play --help)", a);
            else
                cli_error("unknown option '%s' (see lstmjam play --help)", a);
            return LJ_EXIT_BAD_INPUT;
        }
        i++;
        long l;
        int taken;
        if (!strcmp(a, "--preset")) continue; /* read above */
        else if (!strcmp(a, "--model")) c->model = v;
        else if (!strcmp(a, "--device")) c->device = v;
        else if (!strcmp(a, "--midi-in")) c->midi_in = v;
        else if (!strcmp(a, "--midi-out")) c->midi_out = v;
        else if (!strcmp(a, "--record")) c->record = v;
        else if (!strcmp(a, "--event-log")) c->event_log = v;
        else if (!strcmp(a, "--soundfont")) c->synth.soundfont = v;
        else if (!strcmp(a, "--mode")) {
            if (!strcmp(v, "auto")) c->engine.mode = ENGINE_MODE_AUTO;
            else if (!strcmp(v, "continue")) c->engine.mode = ENGINE_MODE_CONTINUE;
            else if (!strcmp(v, "respond")) c->engine.mode = ENGINE_MODE_RESPOND;
            else if (!strcmp(v, "steer")) c->engine.mode = ENGINE_MODE_STEER;
            else if (!strcmp(v, "accompany")) c->engine.mode = ENGINE_MODE_ACCOMPANY;
            else {
                cli_error("--mode: expected auto, continue, respond, steer or accompany, found '%s'", v);
                return LJ_EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--thru-channel")) {
            if ((l = cli_parse_long(a, v, 1, 16)) < 0) return LJ_EXIT_BAD_INPUT;
            c->thru_channel = (int)l - 1;
        } else if ((taken = engine_args_parse(a, v, &c->engine, &c->lookahead_ms, &given)) != 0) {
            if (taken < 0) return LJ_EXIT_BAD_INPUT;
        } else if (!strcmp(a, "--gap")) {
            if (cli_parse_double(a, v, 0.05, 60, &c->engine.phrase_gap_seconds)) return LJ_EXIT_BAD_INPUT;
        } else if (!strcmp(a, "--rate")) {
            if ((l = cli_parse_long(a, v, SYNTH_MIN_RATE, SYNTH_MAX_RATE)) < 0) return LJ_EXIT_BAD_INPUT;
            c->synth.sample_rate = (double)l;
        } else if (!strcmp(a, "--period")) {
            if ((l = cli_parse_long(a, v, 16, 8192)) < 0) return LJ_EXIT_BAD_INPUT;
            c->period = (uint32_t)l;
        } else if (!strcmp(a, "--gain")) {
            if (cli_parse_double(a, v, 0, SYNTH_MAX_GAIN, &c->synth.gain)) return LJ_EXIT_BAD_INPUT;
        } else if (!strcmp(a, "--channel")) {
            if ((l = cli_parse_long(a, v, 1, 16)) < 0) return LJ_EXIT_BAD_INPUT;
            c->engine.channel = (int)l - 1;
        } else if (!strcmp(a, "--engine-priority")) {
            if ((l = cli_parse_long(a, v, 0, 99)) < 0) return LJ_EXIT_BAD_INPUT;
            c->engine.thread_priority = (int)l;
        } else if (!strcmp(a, "--seconds")) {
            if (cli_parse_double(a, v, 0.01, 1e7, &c->seconds)) return LJ_EXIT_BAD_INPUT;
        } else {
            cli_error("unknown option '%s' (see lstmjam play --help)", a);
            return LJ_EXIT_BAD_INPUT;
        }
    }
    if (given.seed) c->seed_given = 1;
    if (!c->model) {
        cli_error("play needs --model FILE or --preset NAME (see lstmjam play --help, lstmjam presets)");
        return LJ_EXIT_BAD_INPUT;
    }
    if (c->midi_clock == PRESET_CLOCK_OUT && !c->midi_out) {
        cli_error("--midi-clock out needs --midi-out (jack, alsa or a PortMidi output)");
        return LJ_EXIT_BAD_INPUT;
    }
    if (c->midi_clock == PRESET_CLOCK_IN && !c->midi_in) {
        cli_error("--midi-clock in needs --midi-in (jack, alsa or a PortMidi input) to hear the clock on");
        return LJ_EXIT_BAD_INPUT;
    }
    /* the clock's master owns the tempo: CC 71 (or the preset's tempo
     * controller) is ignored and counted, so it cannot take the music off the
     * master's beat (it did: CC 71 = 0 held 40 BPM against a 150 BPM clock) */
    c->engine.tempo_from_clock = c->midi_clock == PRESET_CLOCK_IN;
    /* What is set explicitly is what plays: the preset's drift of it
     * (mode.vary) goes (it did not: --program 0 was changed 12 times in 8
     * minutes among the preset's pads, --tempo 100 played at 89..111 BPM).
     * The clock's master sets the tempo: auto's drift on top of it would take
     * the music off the master's beat. */
    c->vary_note[0] = 0;
    if (c->midi_clock == PRESET_CLOCK_IN)
        preset_vary_yield(&c->engine.vary, ENGINE_VARY_TEMPO, "MIDI clock in", c->vary_note, sizeof c->vary_note);
    preset_vary_yield_options(&c->engine.vary, given.tempo, given.density, given.program, c->vary_note,
                              sizeof c->vary_note);
    if (c->midi_in && c->thru_channel == c->engine.channel) { /* as the preset reader refuses it */
        cli_error("the player's notes (--thru-channel) and the model's (--channel) are both on channel "
                  "%d: they would cut each other's notes off; hint: give one of them another channel",
                  c->thru_channel + 1);
        return LJ_EXIT_BAD_INPUT;
    }
    if (c->no_audio && !c->midi_out) {
        cli_error("--no-audio needs --midi-out (jack, alsa or a PortMidi output)");
        return LJ_EXIT_BAD_INPUT;
    }
    return 0;
}
