/* libFuzzer harness for the abc encoding's reading and decoding paths, as a
 * model's generated text reaches them:
 *  1. the bytes as ABC text, characters: encoded, then decoded one character
 *     per step (events in time order, within ENC_MAX_STEP_EVENTS) and whole;
 *  2. the same text as folk-rnn tokens: the lexer; the rendered text read back
 *     renders to the same text; decoded per step and whole;
 *  3. the bytes as a token sequence over a fixed tokens vocabulary (any order:
 *     what a badly trained model writes): decoded without a crash, malformed
 *     text counted as resyncs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Steps a decoder through ids and flushes; aborts on a broken invariant. */
static void step_all(const encoding *e, const int32_t *ids, size_t n) {
    enc_decoder *d;
    char err[256];
    if (enc_decoder_create(e, &d, err, sizeof err) != LJ_OK) abort();
    static enc_event ev[ENC_MAX_STEP_EVENTS];
    for (size_t i = 0; i <= n; i++) {
        size_t k = i < n ? enc_decoder_step(d, ids[i], ev) : enc_decoder_flush(d, ev);
        if (k > ENC_MAX_STEP_EVENTS) abort();
        for (size_t j = 1; j < k; j++)
            if (ev[j].tick < ev[j - 1].tick) abort();
    }
    enc_decoder_destroy(d);
    score *s;
    if (enc_decode(e, ids, n, &s, err, sizeof err) == LJ_OK) score_destroy(s);
}

static void text_path(const char *text, size_t size, enc_abc_variant variant) {
    enc_opts o;
    enc_opts_default(&o, "abc");
    o.abc_variant = variant;
    encoding *e;
    char err[256];
    if (enc_create("abc", &o, &e, err, sizeof err) != LJ_OK) abort();
    tokset set = {0};
    if (enc_encode_text(e, text, size, "fuzz", 1, &set, NULL, err, sizeof err) == LJ_OK &&
        enc_finish_vocab(e, (tokset *[]){&set}, 1) == LJ_OK) {
        if (variant == ENC_ABC_TOKENS) {
            char *r;
            size_t len;
            if (enc_abc_text(e, set.ids, set.n_ids, &r, &len) != LJ_OK) abort();
            /* rendering adds what the reader needs (X:, K:) once: the rendered
             * text, read as tokens again, renders to the same text */
            encoding *e2;
            if (enc_create("abc", &o, &e2, err, sizeof err) != LJ_OK) abort();
            tokset again = {0};
            char *r2;
            size_t len2;
            if (enc_encode_text(e2, r, len, "rendered", 1, &again, NULL, err, sizeof err) != LJ_OK ||
                enc_finish_vocab(e2, (tokset *[]){&again}, 1) != LJ_OK ||
                enc_abc_text(e2, again.ids, again.n_ids, &r2, &len2) != LJ_OK)
                abort();
            if (len2 != len || memcmp(r, r2, len)) abort();
            tokset_free(&again);
            enc_destroy(e2);
            free(r);
            free(r2);
        }
        step_all(e, set.ids, set.n_ids);
    }
    tokset_free(&set);
    enc_destroy(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    const char *text = (const char *)data;
    text_path(text, size, ENC_ABC_CHARS);
    text_path(text, size, ENC_ABC_TOKENS);
    /* 3. ids in any order over a vocabulary of many constructs */
    static const char vocab_text[] =
        "X:1\nM:6/8\nL:1/8\nR:hornpipe\nK:Gmaj\n|:\"Am\"GAB c2d|e>f g/2a/ (3bag [CEG]2 z|1 A3-A:|2 "
        "^f'=C,,__e|] [K:D] [1 d :: z4 \"G7\"B,,>C< x [M:3/4] [L:1/16] A//\n\nX:2\nK:Em\nE\n";
    enc_opts o;
    enc_opts_default(&o, "abc");
    o.abc_variant = ENC_ABC_TOKENS;
    encoding *e;
    char err[256];
    if (enc_create("abc", &o, &e, err, sizeof err) != LJ_OK) abort();
    tokset set = {0};
    if (enc_encode_text(e, vocab_text, sizeof vocab_text - 1, "v", 0, &set, NULL, err, sizeof err) ||
        enc_finish_vocab(e, (tokset *[]){&set}, 1))
        abort();
    size_t V = vocab_size(enc_vocab(e));
    int32_t *ids = malloc((size ? size : 1) * sizeof *ids);
    if (!ids) abort();
    for (size_t i = 0; i < size; i++) ids[i] = (int32_t)(data[i] % (V + 1)); /* V: out of range */
    step_all(e, ids, size);
    free(ids);
    tokset_free(&set);
    enc_destroy(e);
    return 0;
}
