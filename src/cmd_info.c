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
    "  -q, --quiet         no warnings\n";

static const char *pitch_name(int p, char *buf, size_t n) {
    static const char *names[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
    snprintf(buf, n, "%s%d", names[p % 12], p / 12 - 1);
    return buf;
}

static void print_score(const score *s, int show_notes) {
    char k[32], lo[8], hi[8];
    int minp = 128, maxp = -1;
    for (size_t i = 0; i < s->n_notes; i++) {
        if (s->notes[i].pitch < minp) minp = s->notes[i].pitch;
        if (s->notes[i].pitch > maxp) maxp = s->notes[i].pitch;
    }
    int64_t end = score_end_tick(s);
    printf("tune %d: %s\n", s->index, s->title[0] ? s->title : "(untitled)");
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
    char err[1024] = "", enc[MODELIO_ENCODING_MAX];
    lj_model *m = NULL;
    vocab *v = NULL;
    int rc = modelio_load(path, &m, enc, &v, err, sizeof err);
    if (rc) {
        cli_error("%s", err);
        return cli_exit_code(rc);
    }
    const lj_model_config *c = lj_model_get_config(m);
    static const char *inputs[] = {"embedding", "one-hot", "dense features"};
    static const char *heads[] = {"softmax", "MSE", "Bernoulli"};
    printf("%s: lstmjam model, encoding %s\n", path, enc[0] ? enc : "(none)");
    printf("  input %s, size %d", inputs[c->input_kind], c->input_size);
    if (c->input_kind == LJ_INPUT_EMBEDDING) printf(", embedding %d", c->embed_dim);
    printf("\n  LSTM");
    for (int l = 0; l < c->num_layers; l++) printf(" %d", c->hidden[l]);
    printf(", dropout %.2f\n", (double)c->dropout);
    for (int h = 0; h < c->num_heads; h++)
        printf("  head %s: %s over %d, loss weight %.3g\n", c->heads[h].name, heads[c->heads[h].kind],
               c->heads[h].size, (double)c->heads[h].loss_weight);
    printf("  %zu parameters (%.1f MB as float32)\n", lj_model_num_params(m),
           lj_model_num_params(m) * 4.0 / 1e6);
    if (v) printf("  vocabulary: %zu tokens\n", vocab_size(v));
    lj_model_destroy(m);
    vocab_destroy(v);
    return 0;
}

int cmd_info(int argc, char **argv) {
    score_read_opts o;
    long tune;
    int quiet = 0, npos, show_notes = 0;
    const char *pos[1];
    int rc = cli_read_args(argc, argv, help, &o, &tune, &quiet, pos, 1, &npos, &show_notes);
    if (rc || npos < 0) return rc;
    if (npos != 1) {
        cli_error("info needs FILE (see lstmjam info --help)");
        return LJ_EXIT_BAD_INPUT;
    }
    char ext[16];
    if (!strcmp(lj_file_ext(pos[0], ext, sizeof ext), "lstm")) return model_info(pos[0]);
    score_book book = {0};
    rc = cli_read_book(pos[0], &o, tune, &quiet, &book);
    if (rc) goto done;
    printf("%s: %s, %zu tune%s\n", pos[0], score_format_name(score_format_of_path(pos[0])), book.n,
           book.n == 1 ? "" : "s");
    for (size_t i = 0; i < book.n; i++) print_score(book.items[i], show_notes);
done:
    score_book_clear(&book);
    return rc;
}
