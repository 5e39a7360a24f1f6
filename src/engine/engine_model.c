/* engine_model: loading a model file for the engine (see engine.h). */
#include "engine_internal.h"

int engine_model_load(const char *path, engine_model **out, char *err, size_t errlen) {
    return engine_model_load_with(path, NULL, out, err, errlen);
}

int engine_model_load_with(const char *path, const char *decoding, engine_model **out, char *err,
                           size_t errlen) {
    *out = NULL;
    engine_model *m = calloc(1, sizeof *m);
    if (!m) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    vocab *v = NULL;
    char options[MODELIO_OPTIONS_MAX];
    int rc = modelio_load_encoded(path, &m->lstm, m->encoding, options, sizeof options, &v, err,
                                  errlen);
    if (rc) goto fail;
    if (decoding && decoding[0]) { /* after the file's options: they win */
        size_t ol = strlen(options), dl = strlen(decoding);
        if (ol + 1 + dl >= sizeof options) {
            rc = lj_fail(err, errlen, LJ_ERR_LIMIT, "%s: decoding options '%s': too long", path, decoding);
            goto fail;
        }
        options[ol] = ' ';
        memcpy(options + ol + 1, decoding, dl + 1);
    }
    snprintf(m->name, sizeof m->name, "%s", lj_file_base(path));
    /* The encoding the file names ("chars" is abc with variant=chars) with the
     * options it was trained with (its grid, step, velocity bins...), then the
     * engine's own: no transposition, no durations filter and no piece
     * delimiters when a player's phrase is encoded, and a phrase with a token
     * outside the vocabulary is skipped (counted) rather than stopping the
     * music. Later keys win (enc_opts_set in order). */
    size_t ol = strlen(options);
    static const char engine_opts[] = " transpose=none durations=any delimiters=0 unknown=skip";
    if (ol + sizeof engine_opts > sizeof options) {
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: encoding.options: longer than %zu bytes", path,
                     sizeof options - sizeof engine_opts);
        goto fail;
    }
    memcpy(options + ol, engine_opts, sizeof engine_opts);
    rc = enc_create_for_model(m->encoding, options, strlen(options), v, &m->enc, err, errlen);
    v = NULL; /* taken, also on failure */
    if (rc) {
        char inner[512];
        snprintf(inner, sizeof inner, "%s", err);
        rc = lj_fail(err, errlen, rc, "%s: encoding '%s': %s", path, m->encoding, inner);
        goto fail;
    }
    const lj_model_config *c = lj_model_get_config(m->lstm);
    if (enc_kind_of(m->enc) == ENC_KIND_FRAMES) { /* psd, pianoroll: engine_step_frame */
        char inner[512];
        if ((rc = frame_sampler_check(m->lstm, m->enc, inner, sizeof inner))) {
            rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: not a %s model: %s", path, m->encoding, inner);
            goto fail;
        }
    } else if (c->input_kind == LJ_INPUT_DENSE || c->heads[0].kind != LJ_HEAD_SOFTMAX ||
        (size_t)c->heads[0].size != vocab_size(enc_vocab(m->enc)) ||
        (size_t)c->input_size != vocab_size(enc_vocab(m->enc))) {
        rc = lj_fail(err, errlen, LJ_ERR_PARSE,
                     "%s: expected token input and a first softmax head of the vocabulary's %zu "
                     "tokens, found input %d and head of %d",
                     path, vocab_size(enc_vocab(m->enc)), c->input_size, c->heads[0].size);
        goto fail;
    }
    *out = m;
    return LJ_OK;
fail:
    vocab_destroy(v);
    engine_model_destroy(m);
    return rc;
}

void engine_model_destroy(engine_model *m) {
    if (!m) return;
    enc_destroy(m->enc);
    lj_model_destroy(m->lstm);
    free(m);
}

const char *engine_model_name(const engine_model *m) { return m->name; }
const char *engine_model_encoding(const engine_model *m) { return m->encoding; }
lj_model *engine_model_lstm(engine_model *m) { return m->lstm; }
const encoding *engine_model_enc(const engine_model *m) { return m->enc; }

int engine_model_density_applies(const engine_model *m) {
    if (enc_kind_of(m->enc) == ENC_KIND_FRAMES) return 1; /* psd steps, pianoroll onsets */
    const vocab *v = enc_vocab(m->enc);
    uint8_t p[8];
    for (size_t id = 0; v && id < vocab_size(v); id++)
        if (enc_token_pitches(m->enc, (int32_t)id, p, sizeof p) > 0) return 1;
    return 0; /* abc: no token's pitch is known alone, so none can be favoured */
}
