/* lstmjam sample: text from a chars model, one character per LSTM step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "chars.h"
#include "files.h"
#include "modelio.h"
#include "sample.h"

static const char *help =
    "usage: lstmjam sample --model MODEL.lstm [options]\n"
    "\n"
    "Generates text with a chars model (e.g. ABC tunes): the primer is fed one\n"
    "character per step, then each next character is drawn from the model.\n"
    "\n"
    "options:\n"
    "  --model FILE        the model (required)\n"
    "  --primer TEXT       text to start from (default \"X:\")\n"
    "  --length N          characters to generate (default 500)\n"
    "  --temperature T     0 = always the most likely (default 1.0)\n"
    "  --top-k K           draw among the K most likely only (default 0 = all)\n"
    "  --top-p P           draw from the smallest set with mass >= P (default 1)\n"
    "  --seed S            random seed (default 1)\n"
    "  -o FILE             write to FILE (atomically) instead of standard output\n";

int cmd_sample(int argc, char **argv) {
    const char *model_path = NULL, *primer = "X:", *out_path = NULL;
    long length = 500, seed = 1;
    lj_sampler s = {1.0f, 0, 1.0f};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            return LJ_EXIT_OK;
        }
        if (!v) {
            cli_error("%s needs a value (see lstmjam sample --help)", a);
            return LJ_EXIT_BAD_INPUT;
        }
        i++;
        char *end;
        if (!strcmp(a, "--model")) model_path = v;
        else if (!strcmp(a, "--primer")) primer = v;
        else if (!strcmp(a, "-o")) out_path = v;
        else if (!strcmp(a, "--length")) {
            if ((length = cli_parse_long(a, v, 1, 100000000L)) < 0) return LJ_EXIT_BAD_INPUT;
        } else if (!strcmp(a, "--seed")) {
            if ((seed = cli_parse_long(a, v, 0, 0x7fffffffL)) < 0) return LJ_EXIT_BAD_INPUT;
        } else if (!strcmp(a, "--top-k")) {
            long k = cli_parse_long(a, v, 0, 1000000);
            if (k < 0) return LJ_EXIT_BAD_INPUT;
            s.top_k = (int)k;
        } else if (!strcmp(a, "--temperature") || !strcmp(a, "--top-p")) {
            double d = strtod(v, &end);
            int temp = !strcmp(a, "--temperature");
            if (*end || end == v || d < 0 || d > (temp ? 100 : 1) || (!temp && d <= 0)) {
                cli_error("%s: expected a number in %s, found '%s'", a, temp ? "0..100" : "(0, 1]", v);
                return LJ_EXIT_BAD_INPUT;
            }
            if (temp) s.temperature = (float)d;
            else s.top_p = (float)d;
        } else {
            cli_error("unknown option '%s' (see lstmjam sample --help)", a);
            return LJ_EXIT_BAD_INPUT;
        }
    }
    if (!model_path) {
        cli_error("sample needs --model FILE (see lstmjam sample --help)");
        return LJ_EXIT_BAD_INPUT;
    }
    char err[1024] = "", enc[MODELIO_ENCODING_MAX];
    lj_model *m = NULL;
    vocab *v = NULL;
    lstm_state *st = NULL;
    char *text = NULL;
    float *probs = NULL;
    int *idx = NULL;
    int32_t *ids = NULL;
    int rc = modelio_load(model_path, &m, enc, &v, err, sizeof err);
    if (rc) goto fail;
    if (strcmp(enc, "chars") != 0 || !v) {
        rc = lj_fail(err, sizeof err, LJ_ERR_UNSUPPORTED, "%s: a '%s' model; sample reads chars models", model_path, enc);
        goto fail;
    }
    const lj_model_config *c = lj_model_get_config(m);
    int K = c->heads[0].size;
    size_t plen = strlen(primer);
    ids = malloc((plen ? plen : 1) * sizeof *ids);
    text = malloc((size_t)length + plen + 1);
    probs = malloc((size_t)K * sizeof *probs);
    idx = malloc((size_t)K * sizeof *idx);
    if (!ids || !text || !probs || !idx) {
        rc = lj_fail(err, sizeof err, LJ_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if ((rc = chars_encode(v, primer, plen, ids, "--primer", err, sizeof err))) goto fail;
    if ((rc = lstm_state_create(&st, m, 1, err, sizeof err))) goto fail;
    lj_rng rng;
    lj_rng_seed(&rng, (uint64_t)seed);
    memcpy(text, primer, plen);
    size_t n = plen;
    int32_t tok = plen ? ids[0] : 0;
    for (size_t i = 0; i < plen; i++) { /* feed the primer */
        tok = ids[i];
        lstm_step(m, st, &tok, NULL);
    }
    for (long i = 0; i < length; i++) {
        const float *logits = lstm_state_head_output(st, 0);
        tok = lj_sample(&s, logits, K, &rng, probs, idx);
        size_t nl;
        text[n++] = vocab_name(v, tok, &nl)[0];
        lstm_step(m, st, &tok, NULL);
    }
    text[n] = 0;
    if (out_path) rc = lj_file_write_atomic(out_path, text, n, err, sizeof err);
    else fwrite(text, 1, n, stdout);
    if (!out_path && n && text[n - 1] != '\n') fputc('\n', stdout);
    if (rc) goto fail;
    goto done;
fail:
    cli_error("%s", err[0] ? err : lj_strerror(rc));
done:
    lstm_state_destroy(st);
    lj_model_destroy(m);
    vocab_destroy(v);
    free(text);
    free(probs);
    free(idx);
    free(ids);
    return cli_exit_code(rc);
}
