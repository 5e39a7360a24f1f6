/* lstmjam encode --encoding E [options] IN... -o tokens.txt: music files to the
 * tokens text format, or for the frame encodings (psd, pianoroll) the frames
 * as numbers (src/encode/encoding.h), so another tool can train or evaluate
 * on exactly the data lstmjam trains on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "encoding.h"
#include "files.h"
#include "music_paths.h"
#include "io/score_io.h"

static const char *help =
    "usage: lstmjam encode --encoding E [options] IN... -o TOKENS.txt\n"
    "\n"
    "Reads every IN (files, or folders searched recursively in name order for\n"
    ".mid .midi .smf .abc .krn .json), encodes each tune and writes one piece per\n"
    "line, tokens by their vocabulary names separated by spaces, after a header line\n"
    "'#lstmjam-tokens 1 encoding=E OPTIONS' that `train` reads back. The frame\n"
    "encodings write numbers instead: one piece per line, frames separated by ' | ',\n"
    "after '#lstmjam-frames 1 ...' and '#fields NAME:KIND:WIDTH...', which `train`\n"
    "and `eval` read back too. Every input is\n"
    "read before anything is written; the output is written atomically.\n"
    "\n"
    "encodings:\n"
    "  timestep    16th-note grid melody: pitch, _ hold, r rest, / end (Essen songs)\n"
    "  notechord   a note or chord per onset (Classical-Piano-Composer)\n"
    "  event       note-on/off, 10 ms time shifts, 32 velocity bins (Performance RNN)\n"
    "  psd         a frame (pitch, step, duration) per note (TF RNN music tutorial)\n"
    "  pianoroll   a frame of 88 keys per grid step (JSB polyphonic benchmark)\n"
    "  abc         --variant tokens: folk-rnn ABC tokens of each tune's melody written\n"
    "              as ABC (K:C, L:1/8, bars by the meter), as lstmjam train reads it;\n"
    "              --source text: of an ABC book's own text (keys, repeats as written;\n"
    "              no transposition)\n"
    "              (the chars variant's tokens are the text itself: train on the .abc)\n"
    "\n"
    "encoding options (also as --opt KEY=VALUE):\n"
    "  --transpose none|c|augment   c: to C major / A minor (key map, else estimated)\n"
    "  --augment N|LO:HI            augment: one piece per shift LO..HI semitones\n"
    "  --durations LIST|any         acceptable note lengths in quarters (timestep:\n"
    "                               0.25,0.5,0.75,1,1.5,2,3,4); other pieces are skipped\n"
    "  --part N                     only part N (default: all parts)\n"
    "  --grid G                     timestep grid: 16th, 8th, quarter, triplet8th, ticks\n"
    "  --delimiters N               timestep: '/' tokens after each piece (default 1)\n"
    "  --chords pitches|pcs         notechord chord names (pcs: the seed's normal order)\n"
    "  --timing sequence|grid       notechord: one token per onset, or per grid step\n"
    "  --step G                     notechord: time per token (default 8th)\n"
    "  --token-durations            notechord: tokens carry the duration (\"E4:1.5\")\n"
    "  --velocity-bins N            event: velocity bins (default 32)\n"
    "  --opt time=seconds|beats     psd: unit of step and duration (default seconds)\n"
    "  --opt time_bins=N            psd: N classes of time_bin instead of values (0)\n"
    "  --opt time_bin=W             psd: class width (0.01 s; beats: 1/12)\n"
    "  --opt with_velocity=1        psd: a velocity field (velocity_bins classes)\n"
    "  --unknown error|skip         unknown tokens (with a frozen vocabulary)\n"
    "\n"
    "reading options:\n"
    "  --repeats abc2midi|nottingham   ABC repeat expansion\n"
    "  --no-chord-symbols           ABC: leave out the accompaniment from chord symbols\n"
    "  --jsb-split S, --jsb-grid G  JSB JSON: split (train/valid/test) and file grid\n"
    "                               (default: as the name says, -quarter.json; else\n"
    "                               the encoding's grid)\n"
    "  -o FILE                      output (required)\n"
    "  -q, --quiet                  no summary, no warnings;  -v, --verbose  every warning\n"
    "\n"
    "exit status: 0 done, 1 system error, 2 bad input or usage\n";

/* Options of the form --name VALUE that map to an encoding option key. */
static const struct {
    const char *flag, *key;
} value_flags[] = {
    {"--transpose", "transpose"}, {"--augment", "augment"},   {"--durations", "durations"},
    {"--part", "part"},           {"--grid", "grid"},         {"--delimiters", "delimiters"},
    {"--chords", "chords"},       {"--timing", "timing"},     {"--step", "step"},
    {"--length", "length"},       {"--velocity-bins", "velocity_bins"},
    {"--shift-ms", "shift_ms"},   {"--max-shift", "max_shift"}, {"--unknown", "unknown"},
    {"--qpm", "qpm"},             {"--variant", "variant"},   {"--source", "source"},
};

typedef struct kv {
    const char *key;
    char value[512];
} kv;

int cmd_encode(int argc, char **argv) {
    const char *ename = NULL, *out_path = NULL;
    score_read_opts ro;
    score_read_opts_default(&ro);
    cli_warnings warnings = {0};
    kv *sets = calloc((size_t)argc + 1, sizeof *sets);
    const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    int n_sets = 0, n_inputs = 0, rc = 0;
    char err[1024] = "";
    encoding *e = NULL;
    tokset all = {0};
    frameset frames = {0}; /* frame encodings (psd, pianoroll) */
    lj_path_list files = {0};
    score_book book = {0};
    if (!sets || !inputs) {
        cli_error("out of memory");
        rc = LJ_EXIT_FAIL;
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int matched = 0;
        for (size_t k = 0; k < sizeof value_flags / sizeof *value_flags && !matched; k++)
            if (!strcmp(a, value_flags[k].flag)) {
                matched = 1;
                if (!v) {
                    cli_error("%s needs a value (see --help)", a);
                    rc = LJ_EXIT_BAD_INPUT;
                    goto done;
                }
                sets[n_sets].key = value_flags[k].key;
                snprintf(sets[n_sets++].value, sizeof sets[0].value, "%s", v);
                i++;
            }
        if (matched) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            goto done;
        } else if (!strcmp(a, "--encoding") || !strcmp(a, "-o") || !strcmp(a, "--opt") ||
                   !strcmp(a, "--repeats") || !strcmp(a, "--jsb-split") || !strcmp(a, "--jsb-grid")) {
            if (!v) {
                cli_error("%s needs a value (see --help)", a);
                rc = LJ_EXIT_BAD_INPUT;
                goto done;
            }
            i++;
            if (!strcmp(a, "--encoding")) ename = v;
            else if (!strcmp(a, "-o")) out_path = v;
            else if (!strcmp(a, "--opt")) {
                const char *eq = strchr(v, '=');
                if (!eq || eq == v) {
                    cli_error("--opt: expected KEY=VALUE, found '%s'", v);
                    rc = LJ_EXIT_BAD_INPUT;
                    goto done;
                }
                /* key points into argv: cut a copy at '=' */
                static const char *const keys[] = {"transpose", "augment", "part", "durations", "unknown", "grid",
                                                   "delimiters", "chords", "timing", "step", "token_durations",
                                                   "length", "velocity_bins", "shift_ms", "max_shift", "velocity", "qpm",
                                                   "time", "time_bins", "time_bin", "with_velocity", "variant", "source"};
                const char *key = NULL;
                for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
                    if (strlen(keys[k]) == (size_t)(eq - v) && !strncmp(keys[k], v, (size_t)(eq - v))) key = keys[k];
                if (!key) {
                    cli_error("--opt: unknown encoding option '%.*s'", (int)(eq - v), v);
                    rc = LJ_EXIT_BAD_INPUT;
                    goto done;
                }
                sets[n_sets].key = key;
                snprintf(sets[n_sets++].value, sizeof sets[0].value, "%s", eq + 1);
            } else if (!strcmp(a, "--repeats")) {
                if (!strcmp(v, "abc2midi")) ro.abc.repeats = ABC_REPEATS_ABC2MIDI;
                else if (!strcmp(v, "nottingham")) ro.abc.repeats = ABC_REPEATS_NOTTINGHAM;
                else {
                    cli_error("--repeats: expected 'abc2midi' or 'nottingham', found '%s'", v);
                    rc = LJ_EXIT_BAD_INPUT;
                    goto done;
                }
            } else if (!strcmp(a, "--jsb-split")) {
                if (strcmp(v, "train") && strcmp(v, "valid") && strcmp(v, "test")) {
                    cli_error("--jsb-split: expected train, valid or test, found '%s'", v);
                    rc = LJ_EXIT_BAD_INPUT;
                    goto done;
                }
                ro.jsb.split = v;
            } else {
                if (!strcmp(v, "16th")) ro.jsb.step_ticks = SCORE_PPQ / 4;
                else if (!strcmp(v, "8th")) ro.jsb.step_ticks = SCORE_PPQ / 2;
                else if (!strcmp(v, "quarter")) ro.jsb.step_ticks = SCORE_PPQ;
                else {
                    cli_error("--jsb-grid: expected 16th, 8th or quarter, found '%s'", v);
                    rc = LJ_EXIT_BAD_INPUT;
                    goto done;
                }
            }
        } else if (!strcmp(a, "--token-durations")) {
            sets[n_sets].key = "token_durations";
            snprintf(sets[n_sets++].value, sizeof sets[0].value, "1");
        } else if (!strcmp(a, "--no-chord-symbols")) {
            ro.abc.chords = 0;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            warnings.quiet = 1;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            warnings.verbose = 1;
        } else if (a[0] == '-' && a[1]) {
            cli_error("unknown option '%s' (see lstmjam encode --help)", a);
            rc = LJ_EXIT_BAD_INPUT;
            goto done;
        } else {
            inputs[n_inputs++] = a;
        }
    }
    if (!ename) {
        cli_error("encode needs --encoding (timestep, notechord, event, psd or pianoroll; see --help)");
        rc = LJ_EXIT_BAD_INPUT;
        goto done;
    }
    if (!n_inputs || !out_path) {
        cli_error("encode needs input files or folders and -o FILE (see lstmjam encode --help)");
        rc = LJ_EXIT_BAD_INPUT;
        goto done;
    }
    enc_opts o;
    enc_opts_default(&o, ename);
    int st = LJ_OK;
    for (int k = 0; k < n_sets && !st; k++) st = enc_opts_set(&o, sets[k].key, sets[k].value, err, sizeof err);
    if (!st) st = enc_create(ename, &o, &e, err, sizeof err);
    if (st) {
        cli_error("%s", err);
        rc = cli_exit_code(st);
        goto done;
    }
    int abc = !strcmp(enc_name(e), "abc");
    if (abc && o.abc_variant != ENC_ABC_TOKENS) {
        cli_error("encode --encoding abc writes the tokens variant (--variant tokens); chars tokens are the ABC text itself");
        rc = LJ_EXIT_BAD_INPUT;
        goto done;
    }
    for (int k = 0; k < n_inputs && !st; k++) st = lj_collect_music_files(&files, inputs[k], err, sizeof err);
    if (!st && files.n == 0) st = lj_fail(err, sizeof err, LJ_ERR_ARG, "no music files (.mid .abc .krn .json) in the inputs");
    if (st) {
        cli_error("%s", err);
        rc = st == LJ_ERR_ARG || st == LJ_ERR_LIMIT ? LJ_EXIT_BAD_INPUT : cli_exit_code(st);
        goto done;
    }
    ro.warn = cli_warn;
    ro.warn_user = &warnings;
    /* a JSB roll whose name states no grid: the encoding's grid, as train reads it (dataset.c) */
    if (o.grid > 0 && o.grid <= JSB_MAX_STEP_TICKS) ro.jsb_fallback_ticks = (int)o.grid;
    enc_stats stats = {0};
    int is_frames = enc_kind_of(e) == ENC_KIND_FRAMES;
    frameset_init(&frames, is_frames ? enc_frame_dim(e) : 1);
    /* files are read as lstmjam train reads them (dataset.c), so both make the
     * same sequences for the same options: scores, except ABC books under abc
     * source=text, which are tokenised as written */
    for (size_t f = 0; f < files.n && !st; f++) {
        if (abc && o.abc_text && score_format_of_path(files.items[f]) == SCORE_FORMAT_ABC) {
            uint8_t *text;
            size_t len;
            st = lj_file_read(files.items[f], &text, &len, err, sizeof err);
            if (!st) {
                st = enc_encode_text(e, (const char *)text, len, files.items[f], 0, &all, &stats, err, sizeof err);
                free(text);
            }
            continue;
        }
        st = score_read_file(files.items[f], &ro, &book, err, sizeof err);
        for (size_t k = 0; k < book.n && !st; k++) {
            score *s = book.items[k];
            if (!s->source[0]) snprintf(s->source, sizeof s->source, "%s", files.items[f]);
            st = is_frames ? enc_encode_frames(e, s, &frames, &stats, err, sizeof err)
                           : enc_encode(e, s, &all, &stats, err, sizeof err);
        }
        score_book_clear(&book);
    }
    cli_warn_summary(&warnings);
    if (!st) {
        tokset *one[1] = {&all};
        st = enc_finish_vocab(e, one, 1);
        if (st) lj_fail(err, sizeof err, st, "building the vocabulary: %s", lj_strerror(st));
    }
    lj_atomic_file af;
    if (!st) st = lj_atomic_open(&af, out_path, err, sizeof err);
    if (!st) {
        st = is_frames ? enc_frames_write_header(af.fp, e) : enc_tokens_write_header(af.fp, e);
        if (!st) st = is_frames ? enc_frames_write(af.fp, e, &frames) : enc_tokens_write(af.fp, e, &all);
        if (st) {
            lj_atomic_abort(&af);
            lj_fail(err, sizeof err, st, "%s: cannot write the tokens: %s", out_path, lj_strerror(st));
        } else {
            st = lj_atomic_commit(&af, err, sizeof err);
        }
    }
    if (st) {
        cli_error("%s", err);
        rc = cli_exit_code(st);
        goto done;
    }
    if (!warnings.quiet && is_frames)
        printf("%s: %zu files, %zu tunes -> %zu pieces, %zu frames of %zu values -> %s\n", ename, files.n,
               stats.scores, stats.pieces, stats.frames, enc_frame_dim(e), out_path);
    else if (!warnings.quiet)
        printf("%s: %zu files, %zu tunes -> %zu pieces, %zu tokens, vocabulary %zu -> %s\n", ename, files.n,
               stats.scores, stats.pieces, stats.tokens, vocab_size(enc_vocab(e)), out_path);
    if (!warnings.quiet) {
        size_t skipped = stats.skipped_durations + stats.skipped_empty + stats.skipped_range + stats.skipped_unknown;
        /* pianoroll refuses augment copies that leave its keys (encoding.h) */
        const char *range = strcmp(ename, "pianoroll") ? "out of 0..127" : "off the 88 keys";
        printf("skipped: %zu (durations filter %zu, no notes %zu, transposed %s %zu, unknown tokens %zu)\n", skipped,
               stats.skipped_durations, stats.skipped_empty, range, stats.skipped_range, stats.skipped_unknown);
        if (o.transpose == ENC_TRANSPOSE_C)
            printf("keys: %zu tunes without a key map, key estimated (Krumhansl-Schmuckler)\n", stats.keys_estimated);
        printf("notes: %zu moved to the grid, %zu hidden (not the highest), %zu merged (same pitch and onset), %zu cut (same pitch overlap)%s",
               stats.notes_quantised, stats.notes_hidden, stats.notes_merged, stats.notes_cut, is_frames ? "" : "\n");
        if (is_frames) printf(", %zu outside the 88 keys\n", stats.notes_dropped);
    }
done:
    score_book_clear(&book);
    lj_path_list_free(&files);
    tokset_free(&all);
    frameset_free(&frames);
    enc_destroy(e);
    free(sets);
    free(inputs);
    return rc;
}
