/* lstmjam generate: music from a model of any encoding the model file names:
 * token models (abc/chars, timestep, notechord, event: src/generate.c) and
 * frame models (psd, pianoroll: src/generate_frames.c), primed with a file, a
 * list of notes or ABC text, written as MIDI, ABC, tokens or frames. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "encoding.h"
#include "files.h"
#include "frame_sampler.h"
#include "generate.h"
#include "io/midi.h"
#include "io/score_io.h"
#include "modelio.h"
#include "notelist.h"

static const char *help =
    "usage: lstmjam generate --model MODEL.lstm [options] -o OUT.mid|OUT.abc|OUT.txt\n"
    "\n"
    "Continues a primer with the model, one token per LSTM step, through the\n"
    "model's own encoding (abc/chars, timestep, notechord, event) and its options.\n"
    "Frame models draw one frame per step: psd a note (pitch from the softmax with\n"
    "the sampling options and masks below; step and duration from the regression\n"
    "heads, negative values taken as 0, or drawn from binned heads), pianoroll a\n"
    "grid step of 88 keys (each key drawn from the Bernoulli or NADE head, at\n"
    "the temperature: no truncation or mask). The output holds the primer and\n"
    "what follows it.\n"
    "\n"
    "options:\n"
    "  --model FILE          the model (required)\n"
    "  --primer P            a music file (.mid .abc .krn .json: its first tune; an\n"
    "                        abc model reads .abc files as text, other files as\n"
    "                        their melody written as ABC), ABC text (abc\n"
    "                        models; \\n is a line break), or notes for the others:\n"
    "                        \"C4 E4 G4:2 r:0.5 C4+E4+G4:2 60\" (name or MIDI number,\n"
    "                        :LENGTH in quarter notes, default 1; + joins a chord;\n"
    "                        r rests). Default: \"X:\" for chars, \"<s>\" for abc\n"
    "                        tokens; the other encodings need one.\n"
    "  --length N[steps|notes|s|pieces]   how much to generate (default 500\n"
    "                        steps: tokens, or frames of a psd/pianoroll model);\n"
    "                        pieces: until the model ends N tunes (abc, timestep\n"
    "                        '/'; notechord, event and frame models never end one)\n"
    "  --max-steps N         steps at most when counting notes, seconds or pieces\n"
    "                        (100000)\n"
    "  --temperature T       0 = always the most likely token (default 1);\n"
    "                        pianoroll: each key from sigmoid(logit / T), 0 = every\n"
    "                        key on exactly when its probability is above 1/2\n"
    "  --top-k K             draw among the K most likely only (0 = all)\n"
    "  --top-p P             draw from the smallest set with mass >= P (default 1)\n"
    "  --beam W              beam search of width W (deterministic; steps only;\n"
    "                        token models; 1 = greedy, as --temperature 0)\n"
    "  --seed S              random seed (default 1)\n"
    "  --key KEY             only notes of the key's scale: C, F#, Bb, Am, C#m, Ebm\n"
    "  --scale MASK          only these pitch classes: 12 digits 0/1 from C (101011010101)\n"
    "  --pitch-range LO:HI   only pitches LO..HI (MIDI numbers or names: C3:C6)\n"
    "  --no-repeat-ngram N   never the same N tokens twice (within 4096 tokens;\n"
    "                        token models)\n"
    "  --repetition-penalty X   make tokens of the last 64 less likely (X > 1; token\n"
    "                        models)\n"
    "  --grammar G           abc tokens models: syntax (default) draws each token\n"
    "                        among those that keep the tune valid ABC; meter: also\n"
    "                        bars that fill the meter; off: the raw model\n"
    "                        (src/encode/abc_grammar.h)\n"
    "  --no-grammar          the same as --grammar off\n"
    "  -o FILE               .mid (notes), .abc (abc models: the text), .txt (tokens;\n"
    "                        chars models: the text; frame models: the frames as\n"
    "                        lstmjam encode writes them). Default: .txt to stdout\n"
    "  -q, --quiet           no summary on stderr\n"
    "\n"
    "Key, scale and pitch range mask the tokens that start notes (psd: the pitch\n"
    "head). abc models: a note's pitch depends on the tune's key and the bar's\n"
    "accidentals, so the mask follows the ABC as it is written (chars: at the\n"
    "letter, its accidentals and octave marks; chord symbols are not masked;\n"
    "--beam follows it per beam). pianoroll models cannot take them (keys are\n"
    "drawn one by one).\n"
    "exit status: 0 done, 1 system error, 2 bad input or usage\n";

/* ------------------------------------------------------------------ primer */

/* Drops piece-ending tokens (timestep '/') from the end of a primer, so the
 * model goes on with the piece instead of starting the next. */
static size_t strip_piece_end(const encoding *e, const int32_t *ids, size_t n) {
    enc_decoder *d;
    char err[64];
    if (enc_decoder_create(e, &d, err, sizeof err)) return n;
    enc_event *ev = malloc(ENC_MAX_STEP_EVENTS * sizeof *ev);
    while (ev && n > 0) {
        enc_decoder_reset(d);
        enc_decoder_step(d, ids[n - 1], ev);
        if (!enc_decoder_piece_ended(d)) break;
        n--;
    }
    free(ev);
    enc_decoder_destroy(d);
    return n;
}

static int is_regular_file(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* A score as the primer: its tokens in set, or its frames in fset for a frame
 * encoding (one piece, or none when the encoding skips it). */
static int encode_score(encoding *e, const score *s, tokset *set, frameset *fset, enc_stats *st, char *err,
                        size_t errlen) {
    if (enc_kind_of(e) == ENC_KIND_FRAMES) return enc_encode_frames(e, s, fset, st, err, errlen);
    return enc_encode(e, s, set, st, err, errlen);
}

/* The primer's ids in set (one piece), or its frames in fset (frame encodings). */
static int encode_primer(encoding *e, const char *primer, tokset *set, frameset *fset, char *err, size_t errlen) {
    int abc = !strcmp(enc_name(e), "abc");
    char ext[16];
    int rc;
    if (is_regular_file(primer)) {
        lj_file_ext(primer, ext, sizeof ext);
        if (abc && !strcmp(ext, "abc")) {
            uint8_t *data;
            size_t len;
            if ((rc = lj_file_read(primer, &data, &len, err, errlen))) return rc;
            rc = enc_encode_text(e, (const char *)data, len, primer, 1, set, NULL, err, errlen);
            free(data);
            return rc;
        }
        score_read_opts ro;
        score_read_opts_default(&ro);
        score_book book = {0};
        if ((rc = score_read_file(primer, &ro, &book, err, errlen))) return rc;
        if (book.n == 0) {
            score_book_clear(&book);
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: no tune in the file", primer);
        }
        enc_stats st = {0};
        if (abc) { /* the melody as an open ABC tune */
            char *text;
            size_t len;
            rc = enc_score_abc(e, book.items[0], 1, &text, &len);
            if (rc) rc = lj_fail(err, errlen, rc, "%s: writing its melody as ABC: %s", primer, lj_strerror(rc));
            else {
                char name[600];
                snprintf(name, sizeof name, "%s (its melody as ABC)", primer);
                rc = enc_encode_text(e, text, len, name, 1, set, &st, err, errlen);
            }
            free(text);
            score_book_clear(&book);
            return rc;
        }
        rc = encode_score(e, book.items[0], set, fset, &st, err, errlen);
        score_book_clear(&book);
        if (!rc && set->n_pieces == 0 && (!fset || fset->n_pieces == 0))
            rc = lj_fail(err, errlen, LJ_ERR_PARSE,
                         "%s: the %s encoding skipped the first tune (no notes, or a duration its filter refuses)",
                         primer, enc_name(e));
        return rc;
    }
    if (abc) {
        /* ABC text; the two characters \n are a line break (shells) */
        size_t n = strlen(primer);
        char *text = malloc(n + 1);
        if (!text) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (primer[i] == '\\' && i + 1 < n && primer[i + 1] == 'n') {
                text[k++] = '\n';
                i++;
            } else {
                text[k++] = primer[i];
            }
        }
        rc = enc_encode_text(e, text, k, "--primer", 1, set, NULL, err, errlen);
        free(text);
        return rc;
    }
    score *s;
    if ((rc = notelist_read(primer, strlen(primer), "--primer", &s, err, errlen))) return rc;
    rc = encode_score(e, s, set, fset, NULL, err, errlen);
    score_destroy(s);
    if (!rc && set->n_pieces == 0 && (!fset || fset->n_pieces == 0))
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "--primer: the %s encoding skipped the notes (a length its durations filter refuses?)", enc_name(e));
    return rc;
}

/* ------------------------------------------------------------------ masks */

/* "C", "F#", "Bb", "Am", "C#m", "Ebmin", "D major": the scale's pitch classes. */
static int parse_key(const char *v, unsigned *scale) {
    static const int letter_pc[7] = {9, 11, 0, 2, 4, 5, 7};
    char c = v[0];
    if (c < 'A' || c > 'G') return -1;
    int pc = letter_pc[c - 'A'];
    size_t i = 1;
    if (v[i] == '#') pc++, i++;
    else if (v[i] == 'b') pc--, i++;
    while (v[i] == ' ') i++;
    const char *mode = v + i;
    int minor;
    if (!*mode || !strcmp(mode, "maj") || !strcmp(mode, "major")) minor = 0;
    else if (!strcmp(mode, "m") || !strcmp(mode, "min") || !strcmp(mode, "minor")) minor = 1;
    else return -1;
    *scale = gen_key_scale(pc, minor);
    return 0;
}

/* ------------------------------------------------------------------ output */

/* A decoded score as a MIDI file (temp file + rename); takes s. */
static int write_midi(const char *path, score *s, char *err, size_t errlen) {
    uint8_t *bytes;
    size_t len;
    int rc = midi_write_mem(s, &bytes, &len, err, errlen);
    score_destroy(s);
    if (rc) return rc;
    rc = lj_file_write_atomic(path, bytes, len, err, errlen);
    free(bytes);
    return rc;
}

/* What a text output holds: token ids, or frames for a frame encoding. */
typedef struct text_output {
    const encoding *e;
    const int32_t *ids;  /* token encodings: n ids */
    const float *frames; /* frame encodings: n frames */
    size_t n;
} text_output;

/* The tokens or frames with their header, as lstmjam encode writes them. */
static int write_text(FILE *fp, const text_output *t) {
    int rc;
    if (enc_kind_of(t->e) != ENC_KIND_FRAMES) {
        tokset set = {0};
        rc = tokset_add(&set, t->ids, t->n);
        if (!rc) rc = enc_tokens_write_header(fp, t->e);
        if (!rc) rc = enc_tokens_write(fp, t->e, &set);
        tokset_free(&set);
        return rc;
    }
    frameset fs;
    rc = frameset_init(&fs, enc_frame_dim(t->e));
    if (!rc) rc = frameset_add(&fs, t->frames, t->n);
    if (!rc) rc = enc_frames_write_header(fp, t->e);
    if (!rc) rc = enc_frames_write(fp, t->e, &fs);
    frameset_free(&fs);
    return rc;
}

/* The text to path (temp file + rename), or to stdout when path is NULL. */
static int write_text_output(const char *path, const text_output *t, char *err, size_t errlen) {
    if (!path) return write_text(stdout, t);
    lj_atomic_file f;
    int rc = lj_atomic_open(&f, path, err, errlen);
    if (rc) return rc;
    if ((rc = write_text(f.fp, t))) {
        lj_atomic_abort(&f);
        return lj_fail(err, errlen, rc, "%s: cannot write: %s", path, lj_strerror(rc));
    }
    return lj_atomic_commit(&f, err, errlen);
}

/* .mid (the decoded notes), .abc (abc models: the text; chars also for .txt
 * and stdout) or .txt / stdout (the tokens). */
static int write_output(const char *path, const encoding *e, const int32_t *ids, size_t n,
                        char *err, size_t errlen) {
    char ext[16] = "";
    int abc = !strcmp(enc_name(e), "abc");
    int chars = abc && enc_options(e)->abc_variant == ENC_ABC_CHARS;
    if (path) lj_file_ext(path, ext, sizeof ext);
    int rc;
    if (path && !strcmp(ext, "mid")) {
        score *s;
        if ((rc = enc_decode(e, ids, n, &s, err, errlen))) return rc;
        return write_midi(path, s, err, errlen);
    }
    if ((path && !strcmp(ext, "abc")) || chars) {
        char *text;
        size_t len;
        if ((rc = enc_abc_text(e, ids, n, &text, &len))) return lj_fail(err, errlen, rc, "writing ABC: %s", lj_strerror(rc));
        if (path) rc = lj_file_write_atomic(path, text, len, err, errlen);
        else fwrite(text, 1, len, stdout);
        free(text);
        return rc;
    }
    text_output t = {e, ids, NULL, n};
    return write_text_output(path, &t, err, errlen);
}

/* ------------------------------------------------------------------ frame models */

/* .mid (the decoded notes) or .txt / stdout (the frames in lstmjam encode's text). */
static int write_frames_output(const char *path, const encoding *e, const float *frames, size_t n, char *err,
                               size_t errlen) {
    char ext[16] = "";
    if (path) lj_file_ext(path, ext, sizeof ext);
    if (path && !strcmp(ext, "mid")) {
        score *s;
        int rc = enc_decode_frames(e, frames, n, &s, err, errlen);
        return rc ? rc : write_midi(path, s, err, errlen);
    }
    text_output t = {e, NULL, frames, n};
    return write_text_output(path, &t, err, errlen);
}

/* What the user asked of a frame model beyond sampling. */
typedef struct frame_request {
    const char *primer, *out_path;
    int truncation_set;   /* --top-k or --top-p given */
    int masked;           /* --key, --scale or --pitch-range given */
    int lo, hi;           /* pitch range */
    unsigned scale;       /* allowed pitch classes */
    long beam;            /* --beam given (> 0) */
    int quiet;
} frame_request;

/* Generation from a frame model (psd, pianoroll): the options that mean
 * something for it, the primer's frames, the loop, the output. */
static int generate_frames(const lj_model *m, encoding *e, gen_opts *o, const frame_request *q, char *err,
                           size_t errlen) {
    const char *name = enc_name(e);
    int classes = 0;
    for (int h = 0; h < enc_frame_num_fields(e); h++) classes |= enc_frame_field(e, h)->kind == ENC_FIELD_CLASS;
    if (q->beam > 0)
        return lj_fail(err, errlen, LJ_ERR_ARG, "--beam searches over tokens; a %s model draws frames (leave --beam out)", name);
    if (o->no_repeat_ngram > 0 || o->repetition_penalty != 1.0f)
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "--no-repeat-ngram and --repetition-penalty act on tokens; a %s model draws frames", name);
    if (!classes && q->truncation_set)
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "--top-k and --top-p act on softmax heads; a %s model draws each key on or off from its "
                       "Bernoulli or NADE probability (use --temperature)", name);
    if (!classes && q->masked)
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "--key, --scale and --pitch-range need a pitch head; a %s model draws its notes key by key", name);
    uint8_t allowed[128];
    if (q->masked) {
        int any = 0;
        for (int p = 0; p < 128; p++) {
            allowed[p] = (uint8_t)(p >= q->lo && p <= q->hi && (q->scale >> (p % 12) & 1u));
            any |= allowed[p];
        }
        if (!any) return lj_fail(err, errlen, LJ_ERR_ARG, "the key, scale and pitch range leave no pitch");
        o->allowed = allowed;
    }
    if (!q->primer)
        return lj_fail(err, errlen, LJ_ERR_ARG, "a %s model needs --primer (a file or notes like \"C4 E4 G4\")", name);
    tokset unused = {0};
    frameset pf;
    int rc = frameset_init(&pf, enc_frame_dim(e));
    if (!rc) rc = encode_primer(e, q->primer, &unused, &pf, err, errlen);
    tokset_free(&unused);
    frame_generator *g = NULL;
    size_t np = pf.n_pieces ? frameset_piece_len(&pf, 0) : 0;
    if (!rc) rc = gen_frame_create(&g, m, e, o, np, err, errlen);
    if (rc) {
        frameset_free(&pf);
        return rc;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    gen_frame_prime(g, pf.n_pieces ? frameset_piece(&pf, 0) : NULL, np);
    while (!gen_frame_done(g)) gen_frame_step(g);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    frameset_free(&pf);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    gen_stats gs;
    gen_frame_get_stats(g, &gs);
    size_t n;
    const float *frames = gen_frame_frames(g, &n);
    rc = write_frames_output(q->out_path, e, frames, n, err, errlen);
    if (!rc && !q->quiet) {
        fprintf(stderr, "lstmjam: %s model (frames), primer %zu frames, generated %zu frames in %.3f s (%.1f us/step), "
                        "%zu notes over %.2f s, log p %.3f",
                name, gs.primer, gs.steps, secs, gs.steps ? 1e6 * secs / (double)gs.steps : 0.0, gs.notes, gs.seconds,
                gs.logprob);
        if (gs.bad_tokens) fprintf(stderr, ", %zu frames not decodable", gs.bad_tokens);
        fprintf(stderr, "%s%s\n", q->out_path ? " -> " : "", q->out_path ? q->out_path : "");
    }
    gen_frame_destroy(g);
    return rc;
}

/* ------------------------------------------------------------------ command */

/* Bad usage: the message, exit status 2. */
#define BAD(...)                    \
    do {                            \
        cli_error(__VA_ARGS__);     \
        return LJ_EXIT_BAD_INPUT;   \
    } while (0)

int cmd_generate(int argc, char **argv) {
    const char *model_path = NULL, *primer = NULL, *out_path = NULL;
    gen_opts o;
    gen_opts_default(&o);
    o.max_steps = 100000;
    long beam = 0;
    int quiet = 0, sampling_set = 0, truncation_set = 0, lo = 0, hi = 127;
    unsigned scale = 0xfff;
    int masked = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            return LJ_EXIT_OK;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (!strcmp(a, "--no-grammar")) {
            o.abc_grammar = 0;
            continue;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) BAD("%s needs a value (see lstmjam generate --help)", a);
        i++;
        char *end;
        if (!strcmp(a, "--model")) model_path = v;
        else if (!strcmp(a, "--primer")) primer = v;
        else if (!strcmp(a, "-o")) out_path = v;
        else if (!strcmp(a, "--length")) {
            errno = 0;
            double d = strtod(v, &end);
            if (end == v || errno || !(d > 0) || d > 1e8) BAD("--length: expected N, Nsteps, Nnotes, Ns or Npieces with N > 0, found '%s'", v);
            if (!*end || !strcmp(end, "steps")) o.unit = GEN_STEPS;
            else if (!strcmp(end, "notes")) o.unit = GEN_NOTES;
            else if (!strcmp(end, "s")) o.unit = GEN_SECONDS;
            else if (!strcmp(end, "pieces") || !strcmp(end, "piece")) o.unit = GEN_PIECES;
            else BAD("--length: expected a unit steps, notes, s or pieces after the number, found '%s'", end);
            if (o.unit != GEN_SECONDS && d != floor(d)) BAD("--length: expected a whole number of steps or notes, found '%s'", v);
            o.length = d;
        } else if (!strcmp(a, "--max-steps")) {
            long n = cli_parse_long(a, v, 1, 100000000L);
            if (n < 0) return LJ_EXIT_BAD_INPUT;
            o.max_steps = (size_t)n;
        } else if (!strcmp(a, "--seed")) {
            long n = cli_parse_long(a, v, 0, 0x7fffffffL);
            if (n < 0) return LJ_EXIT_BAD_INPUT;
            o.seed = (uint64_t)n;
        } else if (!strcmp(a, "--top-k")) {
            long n = cli_parse_long(a, v, 0, 1000000);
            if (n < 0) return LJ_EXIT_BAD_INPUT;
            o.sampler.top_k = (int)n;
            sampling_set = truncation_set = 1;
        } else if (!strcmp(a, "--beam")) {
            if ((beam = cli_parse_long(a, v, 1, 256)) < 0) return LJ_EXIT_BAD_INPUT;
        } else if (!strcmp(a, "--no-repeat-ngram")) {
            long n = cli_parse_long(a, v, 1, 64);
            if (n < 0) return LJ_EXIT_BAD_INPUT;
            o.no_repeat_ngram = (int)n;
        } else if (!strcmp(a, "--temperature") || !strcmp(a, "--top-p") || !strcmp(a, "--repetition-penalty")) {
            double d = strtod(v, &end);
            if (!strcmp(a, "--temperature")) {
                if (*end || end == v || !(d >= 0 && d <= 100)) BAD("%s: expected a number in 0..100, found '%s'", a, v);
                o.sampler.temperature = (float)d;
                sampling_set = 1;
            } else if (!strcmp(a, "--top-p")) {
                if (*end || end == v || !(d > 0 && d <= 1)) BAD("%s: expected a number in (0, 1], found '%s'", a, v);
                o.sampler.top_p = (float)d;
                sampling_set = truncation_set = 1;
            } else {
                if (*end || end == v || !(d >= 1 && d <= 100)) BAD("%s: expected a number in 1..100, found '%s'", a, v);
                o.repetition_penalty = (float)d;
            }
        } else if (!strcmp(a, "--grammar")) {
            if (!strcmp(v, "off")) o.abc_grammar = 0;
            else if (!strcmp(v, "syntax")) o.abc_grammar = 1;
            else if (!strcmp(v, "meter")) o.abc_grammar = 2;
            else BAD("--grammar: expected off, syntax or meter, found '%s'", v);
        } else if (!strcmp(a, "--key")) {
            unsigned sc;
            if (parse_key(v, &sc)) BAD("--key: expected a key like C, F#, Bb, Am, C#m, Ebmin, found '%s'", v);
            scale &= sc;
            masked = 1;
        } else if (!strcmp(a, "--scale")) {
            unsigned sc = 0;
            size_t k = 0;
            for (; v[k] && k < 12; k++) {
                if (v[k] != '0' && v[k] != '1') break;
                if (v[k] == '1') sc |= 1u << k;
            }
            if (k != 12 || v[k] || !sc) BAD("--scale: expected 12 digits 0/1 from C to B with at least one 1 (101011010101), found '%s'", v);
            scale &= sc;
            masked = 1;
        } else if (!strcmp(a, "--pitch-range")) {
            const char *colon = strchr(v, ':');
            int l = colon ? notelist_parse_pitch(v, (size_t)(colon - v)) : -1;
            int h = colon ? notelist_parse_pitch(colon + 1, strlen(colon + 1)) : -1;
            if (l < 0 || h < 0 || l > h) BAD("--pitch-range: expected LO:HI (MIDI numbers or names, LO <= HI: 48:84, C3:C6), found '%s'", v);
            lo = l;
            hi = h;
            masked = 1;
        } else {
            BAD("unknown option '%s' (see lstmjam generate --help)", a);
        }
    }
    if (!model_path) BAD("generate needs --model FILE (see lstmjam generate --help)");
    if (beam > 0 && sampling_set) BAD("--beam searches deterministically: it does not combine with --temperature, --top-k or --top-p");
    if (beam > 0 && o.unit != GEN_STEPS) BAD("--beam counts its length in steps, not %s",
                                      o.unit == GEN_NOTES ? "notes" : o.unit == GEN_SECONDS ? "seconds" : "pieces");
    if (out_path) {
        char ext[16];
        lj_file_ext(out_path, ext, sizeof ext);
        if (strcmp(ext, "mid") && strcmp(ext, "abc") && strcmp(ext, "txt"))
            BAD("-o %s: expected a .mid, .abc or .txt file", out_path);
    }

    char err[1024] = "";
    uint8_t *bytes = NULL;
    size_t nbytes = 0;
    mf_file *f = NULL;
    lj_model *m = NULL;
    vocab *v = NULL;
    encoding *e = NULL;
    generator *g = NULL;
    tokset pset = {0};
    uint8_t *allowed = NULL;
    int32_t *beam_ids = NULL;
    char encname[MODELIO_ENCODING_MAX] = "";
    int rc;
    if ((rc = lj_file_read(model_path, &bytes, &nbytes, err, sizeof err))) goto fail;
    if ((rc = mf_read_mem(bytes, nbytes, model_path, &f, err, sizeof err))) goto fail;
    if ((rc = modelio_read_model(f, model_path, &m, encname, &v, err, sizeof err))) goto fail;
    size_t optlen = 0;
    const char *opts = mf_meta(f, "encoding.options", &optlen);
    rc = enc_create_for_model(encname, opts, opts ? optlen : 0, v, &e, err, sizeof err);
    v = NULL; /* owned by e now, or freed */
    if (rc) {
        char msg[sizeof err];
        memcpy(msg, err, sizeof msg);
        lj_fail(err, sizeof err, rc, "%s: %s", model_path, msg);
        goto fail;
    }
    int abc = !strcmp(enc_name(e), "abc");
    int chars = abc && enc_options(e)->abc_variant == ENC_ABC_CHARS;
    if (out_path && !abc) {
        char ext[16];
        lj_file_ext(out_path, ext, sizeof ext);
        if (!strcmp(ext, "abc")) {
            rc = lj_fail(err, sizeof err, LJ_ERR_ARG, "-o %s: .abc output needs an abc model; this one is %s (write .mid or .txt)", out_path, enc_name(e));
            goto fail;
        }
    }
    if (enc_kind_of(e) == ENC_KIND_FRAMES) {
        frame_request q = {primer, out_path, truncation_set, masked, lo, hi, scale, beam, quiet};
        rc = generate_frames(m, e, &o, &q, err, sizeof err);
        if (rc) goto fail;
        goto done;
    }
    if (masked) {
        size_t V = vocab_size(enc_vocab(e));
        allowed = malloc(V ? V : 1);
        if (!allowed) {
            rc = lj_fail(err, sizeof err, LJ_ERR_NOMEM, "out of memory");
            goto fail;
        }
        int notes = gen_pitch_mask(e, lo, hi, scale, allowed);
        if (notes < 0) { /* abc: a note's pitch depends on the key and the bar: masked per step */
            int any = 0;
            for (int p = lo; p <= hi; p++) any |= scale >> (p % 12) & 1u;
            if (!any) {
                rc = lj_fail(err, sizeof err, LJ_ERR_ARG, "the key, scale and pitch range leave no pitch");
                goto fail;
            }
            o.step_mask.on = 1;
            o.step_mask.lo = lo;
            o.step_mask.hi = hi;
            o.step_mask.scale = scale;
            free(allowed);
            allowed = NULL;
        } else if (notes == 0) {
            rc = lj_fail(err, sizeof err, LJ_ERR_ARG, "the key, scale and pitch range leave no note of the model's vocabulary");
            goto fail;
        }
        o.allowed = allowed;
    }
    if (!primer) {
        if (abc) primer = chars ? "X:" : "<s>";
        else {
            rc = lj_fail(err, sizeof err, LJ_ERR_ARG, "a %s model needs --primer (a file or notes like \"C4 E4 G4\")", enc_name(e));
            goto fail;
        }
    }
    if (abc && !chars && !strcmp(primer, "<s>")) {
        int32_t id = vocab_find(enc_vocab(e), "<s>", 3);
        if (id < 0 || (rc = tokset_add(&pset, &id, 1))) {
            rc = rc ? rc : lj_fail(err, sizeof err, LJ_ERR_ARG, "the model's vocabulary has no <s>: give --primer");
            goto fail;
        }
    } else if ((rc = encode_primer(e, primer, &pset, NULL, err, sizeof err))) {
        goto fail;
    }
    size_t np = pset.n_pieces ? tokset_piece_len(&pset, 0) : 0;
    np = strip_piece_end(e, pset.ids, np);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const int32_t *ids;
    size_t n;
    gen_stats gs;
    memset(&gs, 0, sizeof gs);
    if (beam > 0) {
        double lp = 0;
        if ((rc = gen_beam(m, e, &o, (int)beam, (size_t)o.length, pset.ids, np, &beam_ids, &n, &lp, err, sizeof err))) goto fail;
        ids = beam_ids;
        gs.primer = np;
        gs.steps = n - np;
        gs.logprob = lp;
    } else {
        if ((rc = gen_create(&g, m, e, &o, np, err, sizeof err))) goto fail;
        gen_prime(g, pset.ids, np);
        while (!gen_done(g)) gen_step(g);
        gen_finish(g);
        gen_get_stats(g, &gs);
        ids = gen_ids(g, &n);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if ((rc = write_output(out_path, e, ids, n, err, sizeof err))) goto fail;
    if (!quiet) {
        fprintf(stderr, "lstmjam: %s model (%s), primer %zu tokens, generated %zu tokens in %.3f s (%.1f us/step)",
                enc_name(e), abc ? (chars ? "chars" : "tokens") : "tokens", gs.primer, gs.steps, secs,
                gs.steps ? 1e6 * secs / (double)gs.steps : 0.0);
        if (beam > 0) fprintf(stderr, ", beam %ld, log p %.3f", beam, gs.logprob);
        else fprintf(stderr, ", %zu notes over %.2f s, log p %.3f", gs.notes, gs.seconds, gs.logprob);
        if (abc && !beam)
            fprintf(stderr, ", %zu ABC errors read past, %zu notes too late to play", gs.resyncs, gs.dropped);
        if (abc && !chars && !beam) {
            if (o.abc_grammar)
                fprintf(stderr, ", grammar (%s) masked %.2f%% of p per token (%zu steps over 1%%), %zu dead ends, %zu tokens outside it",
                        o.abc_grammar >= 2 ? "meter" : "syntax",
                        gs.steps ? 100.0 * gs.grammar_mass / (double)gs.steps : 0.0, gs.grammar_masked,
                        gs.grammar_dead_ends, gs.grammar_violations);
            else
                fprintf(stderr, ", no grammar");
            fprintf(stderr, ", model NLL %.4f nats/token", gs.steps ? -gs.logprob_model / (double)gs.steps : 0.0);
        }
        if (gs.unbanned) fprintf(stderr, ", n-gram bans lifted %zu times", gs.unbanned);
        if (gs.unmasked) fprintf(stderr, ", key mask lifted %zu times (no token allowed)", gs.unmasked);
        if (gs.marks_closed) fprintf(stderr, ", %zu octave mark%s added to bring the last note into range", gs.marks_closed,
                                     gs.marks_closed == 1 ? "" : "s");
        fprintf(stderr, "%s%s\n", out_path ? " -> " : "", out_path ? out_path : "");
    }
    goto done;
fail:
    cli_error("%s", err[0] ? err : lj_strerror(rc));
done:
    gen_destroy(g);
    free(beam_ids);
    free(allowed);
    tokset_free(&pset);
    enc_destroy(e);
    vocab_destroy(v);
    lj_model_destroy(m);
    mf_close(f);
    free(bytes);
    return cli_exit_code(rc);
}
