/* lstmjam render: a score (or, later, the model-driven engine) to an audio file,
 * through the real-time audio path (dsp/sched + FluidSynth), faster than real
 * time. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "engine_args.h"
#include "files.h"
#include "engine/engine_render.h"
#include "preset.h"
#include "render.h"

static const char *help =
    "usage: lstmjam render --score IN -o OUT.wav [options]\n"
    "       lstmjam render --model M.lstm --minutes X|--notes N -o OUT.wav [options]\n"
    "       lstmjam render --preset NAME|FILE [--minutes X|--notes N] -o OUT.wav [options]\n"
    "\n"
    "Renders IN (.mid .abc .krn .json), or the music a model generates with the\n"
    "same engine as lstmjam play, through FluidSynth and lstmjam's audio callback\n"
    "to OUT (.wav, .flac or .ogg), faster than real time, and writes the MIDI of\n"
    "everything played beside it (OUT with .mid). The output appears only when\n"
    "everything went well (atomic rename).\n"
    "\n"
    "what to render:\n"
    "  --score IN          a music file (one tune; pick one of a book with --tune)\n"
    "  --tune N            tune N of IN (ABC X: number, JSB piece index)\n"
    "  --model M.lstm      a model (timestep, notechord, event, abc/chars, psd or pianoroll)\n"
    "  --preset NAME|FILE  a play preset (presets/NAME.yaml or a file; lstmjam presets):\n"
    "                      its model, sampler, tempo, instruments and synth settings;\n"
    "                      the options here override it (--tempo, --density and\n"
    "                      --program also turn its mode.vary drift of them off);\n"
    "                      length: its render.minutes\n"
    "  --minutes X         model: this much music (minutes, may be fractional)\n"
    "  --notes N           model: stop after N notes (at most an hour of music; with\n"
    "                      --minutes too, at whichever comes first)\n"
    "  --temperature T     model: 0 (always the most likely) .. 2 (default 1)\n"
    "  --top-k K           model: draw among the K most likely tokens (default all)\n"
    "  --top-p P           model: nucleus sampling mass (default 1)\n"
    "  --seed S            model: random seed (default 1)\n"
    "  --density D         model: notes per unit of music time 0.25..4 (default 1, the model's own)\n"
    "  --tempo BPM         model: playback tempo (default the encoding's own)\n"
    "  --reseed S          model: start afresh every S seconds of music at the tempo in\n"
    "                      force (default 60; 0 never, else at least 1)\n"
    "  --lookahead MS      model: engine look-ahead, ms (default 4 periods)\n"
    "  --program P         model: GM program of its notes (default 0, piano)\n"
    "output:\n"
    "  -o, --output OUT    .wav (16-bit, or 32-bit float with --float), .flac (16-bit)\n"
    "                      or .ogg (Vorbis, small, for examples)\n"
    "  --float             32-bit float WAV samples\n"
    "  --no-midi           do not write OUT.mid\n"
    "  --tail S            seconds rendered after the last note ends (default 2)\n"
    "synth:\n"
    "  --soundfont SF2     SoundFont file; default: the first .sf2 in soundfonts/, then\n"
    "                      the system's (/usr/share/sounds/sf2/default-GM.sf2, ...)\n"
    "  --rate HZ           sample rate (default 48000)\n"
    "  --period FRAMES     audio callback size (default 128)\n"
    "  --gain G            FluidSynth gain 0..10 (default 0.2)\n"
    "  --polyphony N       voices (default 256)\n"
    "  --no-reverb         reverb off\n"
    "  --no-chorus         chorus off\n"
    "  -q, --quiet         no messages but errors\n"
    "\n"
    "exit status: 0 done, 1 system error, 2 bad input or usage\n";

/* Everything the command line says. Sources are exclusive: --score now; the
 * engine's --preset/--minutes join as another source with their own fields. */
typedef enum render_source { SOURCE_NONE = 0, SOURCE_SCORE, SOURCE_MODEL } render_source;

typedef struct render_cli {
    render_source source; /* what produces the notes */
    const char *score;    /* --score path */
    const char *model;    /* --model path */
    double minutes;       /* --minutes, 0 = not given */
    long notes;           /* --notes, 0 = not given */
    double lookahead_ms;  /* --lookahead, 0 = 4 periods */
    engine_config engine; /* the preset's, with the engine's options (engine_args.h) over it */
    long tune;            /* --tune, 0 = the file's only tune */
    const char *output;   /* -o path */
    int no_midi;          /* --no-midi */
    int quiet;            /* -q */
    render_opts opts;     /* synth and render settings */
    preset preset;        /* --preset: what it says, before the options override it */
    char vary_note[256];  /* the preset's drifts (mode.vary) that --tempo, --density or
                             --program turned off, a line each ("" none) */
} render_cli;

/* Returns 0 and fills c, or an exit code after a message; -1 after --help. */
static int parse_args(int argc, char **argv, render_cli *c) {
    memset(c, 0, sizeof *c);
    render_opts_default(&c->opts);
    engine_config_default(&c->engine);
    char err[PRESET_PATH_MAX + 1024];
    int has_preset = 0;
    engine_args_given given = {0}; /* what the options below set explicitly */
    int st = preset_from_args(argc, argv, &c->preset, &has_preset, err, sizeof err);
    if (st) {
        cli_error("%s", err);
        return cli_exit_code(st);
    }
    if (has_preset) { /* the preset first; the options below override it */
        const preset *p = &c->preset;
        c->source = SOURCE_MODEL;
        c->model = p->model;
        c->engine = p->engine;
        c->lookahead_ms = p->lookahead_ms;
        c->opts.synth = p->synth;
        c->opts.period = p->period;
        c->minutes = p->render_minutes;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long l;
        double d;
        int takes_value = 1, taken;
        static const char *const with_value[] = {"--score", "--tune", "-o", "--output", "--soundfont",
                                                 "--rate", "--period", "--polyphony", "--gain", "--tail",
                                                 "--model", "--minutes", "--notes", "--preset"};
        for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
            if (!strcmp(a, with_value[k]) && !v) goto missing;
        if (!v && engine_args_takes(a)) goto missing;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            return -1;
        } else if (!strcmp(a, "--preset")) {
            /* read above */
        } else if (!strcmp(a, "--score")) {
            if (has_preset) {
                cli_error("--score and --preset: give one of them");
                return LJ_EXIT_BAD_INPUT;
            }
            if (c->source != SOURCE_NONE) {
                cli_error("--score given twice");
                return LJ_EXIT_BAD_INPUT;
            }
            c->source = SOURCE_SCORE;
            c->score = v;
        } else if (!strcmp(a, "--model")) {
            if (c->source != SOURCE_NONE && !has_preset) {
                cli_error("give one of --score and --model, once");
                return LJ_EXIT_BAD_INPUT;
            }
            c->source = SOURCE_MODEL;
            c->model = v;
        } else if (!strcmp(a, "--minutes")) {
            if (cli_parse_double(a, v, 0.001, RENDER_MAX_SECONDS / 60.0, &c->minutes)) return LJ_EXIT_BAD_INPUT;
        } else if (!strcmp(a, "--notes")) {
            if ((c->notes = cli_parse_long(a, v, 1, 100000000)) < 0) return LJ_EXIT_BAD_INPUT;
            if (has_preset) c->minutes = 0; /* --notes replaces the preset's length */
        } else if ((taken = engine_args_parse(a, v, &c->engine, &c->lookahead_ms, &given)) != 0) {
            if (taken < 0) return LJ_EXIT_BAD_INPUT;
        } else if (!strcmp(a, "--tune")) {
            if ((c->tune = cli_parse_long(a, v, 1, 1000000000)) < 0) return LJ_EXIT_BAD_INPUT;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            c->output = v;
        } else if (!strcmp(a, "--soundfont")) {
            c->opts.synth.soundfont = v;
        } else if (!strcmp(a, "--rate")) {
            if ((l = cli_parse_long(a, v, SYNTH_MIN_RATE, SYNTH_MAX_RATE)) < 0) return LJ_EXIT_BAD_INPUT;
            c->opts.synth.sample_rate = (double)l;
        } else if (!strcmp(a, "--period")) {
            if ((l = cli_parse_long(a, v, 1, RENDER_MAX_PERIOD)) < 0) return LJ_EXIT_BAD_INPUT;
            c->opts.period = (uint32_t)l;
        } else if (!strcmp(a, "--polyphony")) {
            if ((l = cli_parse_long(a, v, 1, 65535)) < 0) return LJ_EXIT_BAD_INPUT;
            c->opts.synth.polyphony = (int)l;
        } else if (!strcmp(a, "--gain")) {
            if (cli_parse_double(a, v, 0, SYNTH_MAX_GAIN, &d)) return LJ_EXIT_BAD_INPUT;
            c->opts.synth.gain = d;
        } else if (!strcmp(a, "--tail")) {
            if (cli_parse_double(a, v, 0, 600, &d)) return LJ_EXIT_BAD_INPUT;
            c->opts.tail_seconds = d;
        } else {
            takes_value = 0;
            if (!strcmp(a, "--no-reverb")) c->opts.synth.reverb = 0;
            else if (!strcmp(a, "--no-chorus")) c->opts.synth.chorus = 0;
            else if (!strcmp(a, "--float")) c->opts.sample_format = RENDER_FLOAT;
            else if (!strcmp(a, "--no-midi")) c->no_midi = 1;
            else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) c->quiet = 1;
            else if (a[0] == '-') {
                cli_error("unknown option '%s' (see lstmjam render --help)", a);
                return LJ_EXIT_BAD_INPUT;
            } else {
                cli_error("unexpected argument '%s': the input goes after --score (see --help)", a);
                return LJ_EXIT_BAD_INPUT;
            }
        }
        i += takes_value;
        continue;
    missing:
        cli_error("%s needs a value (see lstmjam render --help)", a);
        return LJ_EXIT_BAD_INPUT;
    }
    if (c->source == SOURCE_NONE) {
        cli_error("render needs --score IN or --model M.lstm (see lstmjam render --help)");
        return LJ_EXIT_BAD_INPUT;
    }
    /* What is set explicitly is what plays: the preset's drift of it
     * (mode.vary) goes (render --preset ambient --program 0 changed the
     * program 12 times in 8 minutes among its pads; --tempo 100 played at
     * 89..111 BPM) */
    preset_vary_yield_options(&c->engine.vary, given.tempo, given.density, given.program, c->vary_note,
                              sizeof c->vary_note);
    if (has_preset && (c->engine.mode == ENGINE_MODE_CONTINUE || c->engine.mode == ENGINE_MODE_RESPOND)) {
        /* continue and respond wait for a player; a render has none */
        if (!c->quiet)
            fprintf(stderr, "lstmjam: preset %s: mode %s waits for a player, and render has none: "
                            "rendering in auto mode\n", c->preset.name, c->preset.mode_name);
        c->engine.mode = ENGINE_MODE_AUTO;
    }
    if (c->source == SOURCE_MODEL && c->minutes == 0 && c->notes == 0) {
        cli_error("render --model needs a length: --minutes X or --notes N%s",
                  has_preset ? " (the preset has no render.minutes)" : "");
        return LJ_EXIT_BAD_INPUT;
    }
    if (c->source == SOURCE_SCORE && (c->minutes || c->notes)) {
        cli_error("--minutes and --notes go with --model; a score renders to its end");
        return LJ_EXIT_BAD_INPUT;
    }
    if (!c->output) {
        cli_error("render needs -o OUT.wav (see lstmjam render --help)");
        return LJ_EXIT_BAD_INPUT;
    }
    return 0;
}

/* Progress on stderr for renders that take more than a second of wall time,
 * at most twice a second; on a terminal it rewrites one line. */
typedef struct progress_state {
    double start;   /* wall clock at the start, s */
    double last;    /* wall clock of the last line, s */
    int shown;      /* a line was printed */
    int tty;        /* stderr is a terminal */
} progress_state;

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void show_progress(void *user, double done, double total) {
    progress_state *p = user;
    double now = wall_now();
    int final = done >= total;
    if (now - p->start < 1.0 || (!final && now - p->last < 0.5)) return;
    if (final && !p->shown) return;
    p->last = now;
    p->shown = 1;
    fprintf(stderr, "%srender: %.1f / %.1f s (%.0f%%, %.1fx real time)%s",
            p->tty ? "\r" : "", done, total, total > 0 ? 100 * done / total : 100,
            done / (now - p->start), p->tty && !final ? "" : "\n");
    fflush(stderr);
}

/* OUT with its extension replaced by .mid. */
static int midi_path_for(const char *out, char *buf, size_t buflen) {
    const char *base = lj_file_base(out);
    const char *dot = strrchr(base, '.');
    size_t stem = dot ? (size_t)(dot - out) : strlen(out);
    int n = snprintf(buf, buflen, "%.*s.mid", (int)stem, out);
    return n > 0 && (size_t)n < buflen;
}

static void show_model_progress(void *user, double seconds, uint64_t notes, double total_seconds,
                                uint64_t total_notes) {
    progress_state *p = user;
    double now = wall_now();
    int final = total_seconds < 0;
    if (now - p->start < 1.0 || (!final && now - p->last < 0.5)) return;
    if (final && !p->shown) return;
    p->last = now;
    p->shown = 1;
    char goal[64] = "";
    if (!final && total_seconds > 0) snprintf(goal, sizeof goal, " / %.1f s", total_seconds);
    else if (!final && total_notes) snprintf(goal, sizeof goal, " (%llu of %llu notes)",
                                             (unsigned long long)notes, (unsigned long long)total_notes);
    fprintf(stderr, "%srender: %.1f s%s, %llu notes, %.1fx real time%s", p->tty ? "\r" : "", seconds,
            goal, (unsigned long long)notes, seconds / (now - p->start), p->tty && !final ? "" : "\n");
    fflush(stderr);
}

/* render --model: the engine against the file sink. */
static int render_model(render_cli *c, const char *sf) {
    char err[1024] = "";
    engine_model *m = NULL;
    int st = engine_model_load_with(c->model, c->preset.encoding_options, &m, err, sizeof err);
    if (st) {
        preset_model_error(&c->preset, c->model, err, sizeof err);
        cli_error("%s", err);
        return cli_exit_code(st);
    }
    if (c->engine.density != 1 && !engine_model_density_applies(m)) {
        cli_error("--density %g: density does not apply to %s (an %s model: its tokens carry no pitch)",
                  c->engine.density, c->model, engine_model_encoding(m));
        engine_model_destroy(m);
        return LJ_EXIT_BAD_INPUT;
    }
    engine_render_opts o;
    engine_render_opts_default(&o);
    o.render = c->opts;
    o.engine = c->engine;
    o.engine.lookahead_frames = c->lookahead_ms > 0
        ? (uint64_t)llround(c->lookahead_ms * c->opts.synth.sample_rate / 1000)
        : 4ull * c->opts.period;
    o.seconds = c->minutes * 60;
    o.notes = (uint64_t)c->notes;
    progress_state prog = {wall_now(), 0, 0, isatty(2)};
    if (!c->quiet) {
        char sfl[2 * PATH_MAX + 8];
        printf("SoundFont: %s\nmodel: %s (%s, %zu parameters); temperature %g, top-k %d, seed %llu\n"
               "%g Hz, period %u frames, look-ahead %llu frames, gain %g\n",
               synth_soundfont_label(sf, sfl, sizeof sfl), c->model, engine_model_encoding(m), lj_model_num_params(engine_model_lstm(m)),
               (double)o.engine.sampler.temperature, o.engine.sampler.top_k,
               (unsigned long long)o.engine.seed, c->opts.synth.sample_rate, c->opts.period,
               (unsigned long long)o.engine.lookahead_frames, c->opts.synth.gain);
        fputs(c->vary_note, stdout);
        fflush(stdout);
        o.progress = show_model_progress;
        o.progress_user = &prog;
    }
    engine_render_result res;
    st = engine_render(m, c->output, &o, &res, err, sizeof err);
    const int abc = !strcmp(enc_name(engine_model_enc(m)), "abc");
    engine_model_destroy(m);
    if (st) {
        cli_error("%s", err);
        return cli_exit_code(st);
    }
    int rc = LJ_EXIT_OK;
    if (!c->quiet) {
        const render_result *a = &res.audio;
        double peak_db = a->peak > 0 ? 20 * log10((double)a->peak) : -INFINITY;
        printf("%s: %.1f s of audio in %.2f s (%.0fx real time), peak %.1f dBFS%s%s\n", c->output,
               a->seconds, a->wall_seconds, a->wall_seconds > 0 ? a->seconds / a->wall_seconds : 0.0,
               peak_db, c->no_midi ? "" : "; MIDI: ", c->no_midi ? "" : c->opts.midi_path);
        printf("engine: %llu steps, %llu notes, step time p50 %.1f us, p99 %.1f us; "
               "%llu re-seeds, %llu panics, %llu dropped, %llu late\n",
               (unsigned long long)res.engine.steps, (unsigned long long)res.engine.notes,
               (double)engine_hist_quantile(res.engine.step_hist, 0.5) / 1e3,
               (double)engine_hist_quantile(res.engine.step_hist, 0.99) / 1e3,
               (unsigned long long)res.engine.reseeds, (unsigned long long)res.engine.panics,
               (unsigned long long)res.engine.dropped, (unsigned long long)a->stats.late_events);
        if (res.engine.onset_stalls) /* a degenerate model (ENGINE_MAX_ONSETS) */
            printf("engine: %llu times %d note-ons in %.0f ms of music: the model had to move time first\n",
                   (unsigned long long)res.engine.onset_stalls, ENGINE_MAX_ONSETS, ENGINE_ONSET_WINDOW * 1e3);
        if (res.engine.onsets_capped) /* abc: a chord or run of short notes over it */
            printf("engine: %llu note-ons not played, over %d in %.0f ms of music\n",
                   (unsigned long long)res.engine.onsets_capped, ENGINE_MAX_ONSETS, ENGINE_ONSET_WINDOW * 1e3);
        if (abc)
            printf("abc: %llu malformed passages of the model's text read past\n",
                   (unsigned long long)res.engine.resyncs);
        double period_us = 1e6 * c->opts.period / a->sample_rate;
        printf("audio callback: longest %.1f us for a %u-frame period (%.1f%% of its %.0f us)\n",
               (double)a->stats.callback_ns_max / 1e3, c->opts.period,
               100.0 * (double)a->stats.callback_ns_max / 1e3 / period_us, period_us);
        if (a->clipped)
            printf("warning: %llu samples clipped; lower --gain\n", (unsigned long long)a->clipped);
    }
    if (res.audio.held_after) {
        cli_error("internal error: %u notes still held after the final panic", res.audio.held_after);
        rc = LJ_EXIT_FAIL;
    }
    return rc;
}

int cmd_render(int argc, char **argv) {
    render_cli c;
    int rc = parse_args(argc, argv, &c);
    if (rc) return rc < 0 ? LJ_EXIT_OK : rc;

    char err[1024] = "";
    char midi_path[4096];
    if (!c.no_midi) {
        if (!midi_path_for(c.output, midi_path, sizeof midi_path)) {
            cli_error("%s: path too long", c.output);
            return LJ_EXIT_BAD_INPUT;
        }
        char ext[16];
        if (!strcmp(lj_file_ext(c.output, ext, sizeof ext), "mid")) {
            cli_error("%s: the output is audio (.wav, .flac, .ogg); the MIDI goes beside it", c.output);
            return LJ_EXIT_BAD_INPUT;
        }
        c.opts.midi_path = midi_path;
    }
    /* An output type the writer refuses is a usage error: say so before any
     * SoundFont or model banner. */
    int file_format;
    if (render_file_format(c.output, c.opts.sample_format, &file_format, err, sizeof err)) {
        cli_error("%s", err);
        return LJ_EXIT_BAD_INPUT;
    }
    /* Check the SoundFont before reading (and possibly warning about) the score. */
    char sf[4096];
    int st = synth_find_soundfont(c.opts.synth.soundfont, sf, sizeof sf, err, sizeof err);
    if (st) {
        cli_error("%s", err);
        return cli_exit_code(st);
    }
    c.opts.synth.soundfont = sf;
    if (c.source == SOURCE_MODEL) return render_model(&c, sf);

    score_read_opts ro;
    score_read_opts_default(&ro);
    cli_warnings warns = {c.quiet, 0, 0};
    ro.warn = cli_warn;
    ro.warn_user = &warns;
    score_book book = {0};
    rc = cli_read_book(c.score, &ro, c.tune, &book);
    cli_warn_summary(&warns);
    if (rc) goto done;
    if (book.n == 0) {
        cli_error("%s: no tunes found", c.score);
        rc = LJ_EXIT_BAD_INPUT;
        goto done;
    }
    if (book.n > 1) {
        cli_error("%s holds %zu tunes: pick one with --tune N", c.score, book.n);
        rc = LJ_EXIT_BAD_INPUT;
        goto done;
    }
    const score *s = book.items[0];
    char sfl[2 * PATH_MAX + 8];
    if (!c.quiet)
        printf("SoundFont: %s\n%s: %zu notes; %g Hz, period %u frames, gain %g, reverb %s, chorus %s\n",
               synth_soundfont_label(sf, sfl, sizeof sfl), c.score, s->n_notes, c.opts.synth.sample_rate, c.opts.period, c.opts.synth.gain,
               c.opts.synth.reverb ? "on" : "off", c.opts.synth.chorus ? "on" : "off");
    fflush(stdout);

    progress_state prog = {wall_now(), 0, 0, isatty(2)};
    if (!c.quiet) {
        c.opts.progress = show_progress;
        c.opts.progress_user = &prog;
    }
    render_result res;
    st = render_score(s, c.output, &c.opts, &res, err, sizeof err);
    if (st) {
        cli_error("%s", err);
        rc = cli_exit_code(st);
        goto done;
    }
    if (!c.quiet) {
        double peak_db = res.peak > 0 ? 20 * log10((double)res.peak) : -INFINITY;
        printf("%s: %.1f s of audio in %.2f s (%.0fx real time), peak %.1f dBFS%s%s\n", c.output,
               res.seconds, res.wall_seconds,
               res.wall_seconds > 0 ? res.seconds / res.wall_seconds : 0.0, peak_db,
               c.no_midi ? "" : "; MIDI: ", c.no_midi ? "" : midi_path);
        double period_us = 1e6 * c.opts.period / res.sample_rate;
        printf("audio callback: longest %.1f us for a %u-frame period (%.1f%% of its %.0f us)\n",
               (double)res.stats.callback_ns_max / 1e3, c.opts.period,
               100.0 * (double)res.stats.callback_ns_max / 1e3 / period_us, period_us);
        if (res.clipped)
            printf("warning: %llu samples clipped; lower --gain\n", (unsigned long long)res.clipped);
        if (res.stats.late_events)
            printf("warning: %llu events late (queue full)\n",
                   (unsigned long long)res.stats.late_events);
    }
    if (res.held_after) {
        cli_error("internal error: %u notes still held after the final panic", res.held_after);
        rc = LJ_EXIT_FAIL;
    }
done:
    score_book_clear(&book);
    return rc;
}
