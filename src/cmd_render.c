/* lstmjam render: a score (or, later, the model-driven engine) to an audio file,
 * through the real-time audio path (dsp/sched + FluidSynth), faster than real
 * time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "files.h"
#include "render.h"

static const char *help =
    "usage: lstmjam render --score IN -o OUT.wav [options]\n"
    "\n"
    "Renders IN (.mid .abc .krn .json) through FluidSynth and lstmjam's audio\n"
    "callback to OUT (.wav, or .flac), faster than real time, and writes the MIDI\n"
    "of everything played beside it (OUT with .mid). The output appears only when\n"
    "everything went well (atomic rename).\n"
    "\n"
    "what to render:\n"
    "  --score IN          a music file (one tune; pick one of a book with --tune)\n"
    "  --tune N            tune N of IN (ABC X: number, JSB piece index)\n"
    "output:\n"
    "  -o, --output OUT    .wav (16-bit, or 32-bit float with --float) or .flac (16-bit)\n"
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
typedef enum render_source { SOURCE_NONE = 0, SOURCE_SCORE } render_source;

typedef struct render_cli {
    render_source source; /* what produces the notes */
    const char *score;    /* --score path */
    long tune;            /* --tune, 0 = the file's only tune */
    const char *output;   /* -o path */
    int no_midi;          /* --no-midi */
    int quiet;            /* -q */
    render_opts opts;     /* synth and render settings */
} render_cli;

static int parse_double(const char *opt, const char *v, double lo, double hi, double *out) {
    char *end;
    double d = v ? strtod(v, &end) : 0;
    if (!v || !*v || *end || !(d >= lo && d <= hi)) {
        cli_error("%s: expected a number %g..%g, found '%s'", opt, lo, hi, v ? v : "");
        return -1;
    }
    *out = d;
    return 0;
}

/* Returns 0 and fills c, or an exit code after a message; -1 after --help. */
static int parse_args(int argc, char **argv, render_cli *c) {
    memset(c, 0, sizeof *c);
    render_opts_default(&c->opts);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long l;
        double d;
        int takes_value = 1;
        static const char *const with_value[] = {"--score", "--tune", "-o", "--output", "--soundfont",
                                                 "--rate", "--period", "--polyphony", "--gain", "--tail"};
        for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
            if (!strcmp(a, with_value[k]) && !v) goto missing;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            return -1;
        } else if (!strcmp(a, "--score")) {
            if (c->source != SOURCE_NONE) {
                cli_error("--score given twice");
                return LJ_EXIT_BAD_INPUT;
            }
            c->source = SOURCE_SCORE;
            c->score = v;
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
            if (parse_double(a, v, 0, SYNTH_MAX_GAIN, &d)) return LJ_EXIT_BAD_INPUT;
            c->opts.synth.gain = d;
        } else if (!strcmp(a, "--tail")) {
            if (parse_double(a, v, 0, 600, &d)) return LJ_EXIT_BAD_INPUT;
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
        cli_error("render needs --score IN (see lstmjam render --help)");
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
            cli_error("%s: the output is audio (.wav, .flac); the MIDI goes beside it", c.output);
            return LJ_EXIT_BAD_INPUT;
        }
        c.opts.midi_path = midi_path;
    }
    /* Check the SoundFont before reading (and possibly warning about) the score. */
    char sf[4096];
    int st = synth_find_soundfont(c.opts.synth.soundfont, sf, sizeof sf, err, sizeof err);
    if (st) {
        cli_error("%s", err);
        return cli_exit_code(st);
    }
    c.opts.synth.soundfont = sf;

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
    if (!c.quiet)
        printf("SoundFont: %s\n%s: %zu notes; %g Hz, period %u frames, gain %g, reverb %s, chorus %s\n",
               sf, c.score, s->n_notes, c.opts.synth.sample_rate, c.opts.period, c.opts.synth.gain,
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
