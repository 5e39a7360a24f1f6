/* lstmjam info FILE: what is in a music file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "files.h"
#include "modelio.h"

static const char *help =
    "usage: lstmjam info FILE [options]\n"
    "\n"
    "Summarises each tune in FILE (.mid .abc .krn .json): title, parts, notes,\n"
    "duration, key, meter, tempo and pitch range. For a model (.lstm): its\n"
    "encoding, vocabulary, layers, heads and parameter count.\n"
    "\n"
    "options:\n"
    "  --notes             also list every note: onset and duration in ticks (480 PPQ)\n"
    "                      and seconds, pitch, velocity, channel, part\n"
    "  --tune N            only tune N (ABC X: number, JSB piece index)\n"
    "  --repeats STYLE     ABC repeat expansion: abc2midi (default) or nottingham\n"
    "  --no-chords         ABC: leave out chord-symbol accompaniment\n"
    "  --split S, --grid G JSB split and time step (see convert --help)\n"
    "  -q, --quiet         no warnings;  -v, --verbose  every warning (default: the first 5)\n";

static const char *pitch_name(int p, char *buf, size_t n) {
    static const char *names[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
    snprintf(buf, n, "%s%d", names[p % 12], p / 12 - 1);
    return buf;
}

/* Titles come as bytes: UTF-8 from most files, an 8-bit code page from older
 * ones. Valid UTF-8 prints as is. Otherwise bytes 0x80-0x9F (control codes in
 * Latin-1, letters in DOS code page 437, which the Essen files use for their
 * umlauts) select CP437 for 0x80-0xA5, else the bytes are read as Latin-1. */
static const char *const cp437_80_a5[38] = {
    "\u00c7", "\u00fc", "\u00e9", "\u00e2", "\u00e4", "\u00e0", "\u00e5", "\u00e7",
    "\u00ea", "\u00eb", "\u00e8", "\u00ef", "\u00ee", "\u00ec", "\u00c4", "\u00c5",
    "\u00c9", "\u00e6", "\u00c6", "\u00f4", "\u00f6", "\u00f2", "\u00fb", "\u00f9",
    "\u00ff", "\u00d6", "\u00dc", "\u00a2", "\u00a3", "\u00a5", "\u20a7", "\u0192",
    "\u00e1", "\u00ed", "\u00f3", "\u00fa", "\u00f1", "\u00d1"};

static void print_text(const char *t) {
    const unsigned char *p = (const unsigned char *)t;
    int valid = 1, dos = 0;
    for (size_t i = 0; p[i];) {
        int n = p[i] < 0x80 ? 0 : (p[i] & 0xe0) == 0xc0 ? 1 : (p[i] & 0xf0) == 0xe0 ? 2 : (p[i] & 0xf8) == 0xf0 ? 3 : -1;
        for (int k = 1; k <= n && valid; k++) valid = (p[i + k] & 0xc0) == 0x80;
        if (n < 0) valid = 0;
        if (!valid) break;
        i += (size_t)(n + 1);
    }
    if (valid) {
        fputs(t, stdout);
        return;
    }
    for (size_t i = 0; p[i]; i++) dos |= p[i] >= 0x80 && p[i] <= 0x9f;
    for (; *p; p++) {
        if (*p < 0x80) putchar(*p);
        else if (dos && *p <= 0xa5) fputs(cp437_80_a5[*p - 0x80], stdout);
        else {
            putchar(0xc0 | (*p >> 6));
            putchar(0x80 | (*p & 0x3f));
        }
    }
}

static void print_score(const score *s, int number, int show_notes) {
    char k[32], lo[8], hi[8];
    int minp = 128, maxp = -1;
    for (size_t i = 0; i < s->n_notes; i++) {
        if (s->notes[i].pitch < minp) minp = s->notes[i].pitch;
        if (s->notes[i].pitch > maxp) maxp = s->notes[i].pitch;
    }
    int64_t end = score_end_tick(s);
    printf("tune %d: ", number);
    print_text(s->title[0] ? s->title : "(untitled)");
    putchar('\n');
    printf("  notes %zu, duration %.2f s (%lld ticks, %.2f quarters)\n", s->n_notes,
           score_ticks_to_seconds(s, end), (long long)end, (double)end / SCORE_PPQ);
    if (s->n_keys) {
        printf("  key %s", score_key_name(s->keys[0].fifths, s->keys[0].mode, k, sizeof k));
        if (s->n_keys > 1) printf(" (+%zu changes)", s->n_keys - 1);
        printf("\n");
    }
    if (s->n_meters) {
        printf("  meter %d/%d", s->meters[0].num, s->meters[0].den);
        if (s->n_meters > 1) printf(" (+%zu changes)", s->n_meters - 1);
        printf("\n");
    }
    printf("  tempo %.1f bpm", 60e6 / (s->n_tempos ? s->tempos[0].us_per_qn : SCORE_DEFAULT_US_PER_QN));
    if (s->n_tempos > 1) printf(" (+%zu changes)", s->n_tempos - 1);
    printf("\n");
    if (maxp >= 0)
        printf("  range %s..%s (%d..%d)\n", pitch_name(minp, lo, sizeof lo),
               pitch_name(maxp, hi, sizeof hi), minp, maxp);
    for (size_t p = 0; p < s->n_parts; p++) {
        size_t n = 0;
        for (size_t i = 0; i < s->n_notes; i++) n += s->notes[i].part == p;
        printf("  part %zu: %-20s channel %d, program %d, %zu notes\n", p,
               s->parts[p].name[0] ? s->parts[p].name : "(unnamed)", s->parts[p].channel + 1,
               s->parts[p].program, n);
    }
    if (!show_notes) return;
    printf("  %10s %8s %9s %8s %-5s %3s %3s %3s %4s\n", "onset", "dur", "onset_s", "dur_s",
           "pitch", "num", "vel", "ch", "part");
    for (size_t i = 0; i < s->n_notes; i++) {
        const score_note *n = &s->notes[i];
        double t0 = score_ticks_to_seconds(s, n->onset);
        double t1 = score_ticks_to_seconds(s, n->onset + n->duration);
        printf("  %10lld %8lld %9.3f %8.3f %-5s %3d %3d %3d %4d\n", (long long)n->onset,
               (long long)n->duration, t0, t1 - t0, pitch_name(n->pitch, lo, sizeof lo), n->pitch,
               n->velocity, n->channel + 1, n->part);
    }
}

/* A model file: architecture, encoding, vocabulary, size, training state. */
static int model_info(const char *path) {
    char err[1024] = "", enc[MODELIO_ENCODING_MAX], opts[MODELIO_OPTIONS_MAX];
    lj_model *m = NULL;
    vocab *v = NULL;
    int rc = modelio_load_encoded(path, &m, enc, opts, sizeof opts, &v, err, sizeof err);
    if (rc) {
        cli_error("%s", err);
        return cli_exit_code(rc);
    }
    const lj_model_config *c = lj_model_get_config(m);
    static const char *inputs[] = {"embedding", "one-hot", "dense features"};
    static const char *heads[] = {"softmax", "MSE", "Bernoulli", "NADE"};
    printf("%s: lstmjam model, encoding %s\n", path, enc[0] ? enc : "(none)");
    if (opts[0]) printf("  encoding options: %s\n", opts);
    printf("  input %s, size %d", inputs[c->input_kind], c->input_size);
    if (c->input_kind == LJ_INPUT_EMBEDDING) printf(", embedding %d", c->embed_dim);
    printf("\n  LSTM");
    for (int l = 0; l < c->num_layers; l++) printf(" %d", c->hidden[l]);
    printf(", dropout %.2f", (double)c->dropout);
    if (c->input_dropout > 0) printf(", input dropout %.2f", (double)c->input_dropout);
    printf("\n");
    for (int h = 0; h < c->num_heads; h++) {
        printf("  head %s: %s over %d, loss weight %.3g", c->heads[h].name, heads[c->heads[h].kind],
               c->heads[h].size, (double)c->heads[h].loss_weight);
        if (c->heads[h].kind == LJ_HEAD_NADE) printf(", %d NADE hidden units", c->heads[h].nade_hidden);
        if (c->heads[h].kind == LJ_HEAD_MSE && c->heads[h].pressure > 0)
            printf(", positive pressure %.3g", (double)c->heads[h].pressure);
        putchar('\n');
    }
    printf("  %zu parameters (%.1f MB as float32)\n", lj_model_num_params(m),
           lj_model_num_params(m) * 4.0 / 1e6);
    if (v && vocab_size(v)) printf("  vocabulary: %zu tokens\n", vocab_size(v));
    lj_model_destroy(m);
    vocab_destroy(v);
    return 0;
}

int cmd_info(int argc, char **argv) {
    score_read_opts o;
    long tune;
    cli_warnings warnings = {0};
    int npos, show_notes = 0;
    const char *pos[1];
    int rc = cli_read_args(argc, argv, help, &o, &tune, &warnings, pos, 1, &npos, &show_notes);
    if (rc || npos < 0) return rc;
    if (npos != 1) {
        cli_error("info needs FILE (see lstmjam info --help)");
        return LJ_EXIT_BAD_INPUT;
    }
    char ext[16];
    if (!strcmp(lj_file_ext(pos[0], ext, sizeof ext), "lstm")) return model_info(pos[0]);
    score_book book = {0};
    rc = cli_read_book(pos[0], &o, tune, &book);
    if (rc) goto done;
    printf("%s: %s, %zu tune%s\n", pos[0], score_format_name(score_format_of_path(pos[0])), book.n,
           book.n == 1 ? "" : "s");
    for (size_t i = 0; i < book.n; i++) {
        const score *s = book.items[i];
        print_score(s, s->index > 0 ? s->index : (int)i + 1, show_notes);
    }
done:
    score_book_clear(&book);
    return rc;
}
