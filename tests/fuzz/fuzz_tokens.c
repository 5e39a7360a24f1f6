/* libFuzzer harness for the tokens text reader (enc_tokens_parse) and, behind it,
 * the encodings' vocabulary parsers and decoders: any bytes must give pieces or a
 * clean error with a message and the token set untouched; whatever parses must
 * decode without a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_untouched(int rc, const tokset *t, size_t pieces0, size_t ids0, const char *err) {
    if (rc != LJ_OK && (t->n_pieces != pieces0 || t->n_ids != ids0 || err[0] == 0)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    char err[512] = "";
    /* 1. Open vocabulary, header honoured. */
    vocab *v = vocab_create();
    tokset t = {0};
    int32_t one = 0;
    if (!v || tokset_add(&t, &one, 1)) abort(); /* a piece already there must survive */
    enc_tokens_header h;
    int rc = enc_tokens_parse(text, size, "fuzz.txt", v, 1, &t, &h, err, sizeof err);
    check_untouched(rc, &t, 1, 1, err);
    if (rc == LJ_OK) {
        for (size_t i = 0; i < t.n_ids; i++)
            if (t.ids[i] < 0 || (size_t)t.ids[i] >= vocab_size(v) + (i == 0)) abort();
        /* 2. The header's encoding: its decoder over a copy of the vocabulary. */
        if (h.present && h.encoding[0]) {
            encoding *e;
            if (enc_create(h.encoding, &h.opts, &e, err, sizeof err) == LJ_OK) {
                if (!enc_vocab_frozen(e)) {
                    uint8_t *blob;
                    size_t len;
                    vocab *copy = NULL;
                    if (vocab_save(v, &blob, &len) == LJ_OK) {
                        if (vocab_load(blob, len, "fuzz", &copy, err, sizeof err) == LJ_OK &&
                            enc_set_vocab(e, copy, err, sizeof err) == LJ_OK) {
                            score *s = NULL;
                            if (enc_decode(e, t.ids + 1, t.n_ids - 1, &s, err, sizeof err) == LJ_OK) score_destroy(s);
                        }
                        free(blob);
                    }
                }
                enc_destroy(e);
            }
        }
    }
    tokset_free(&t);
    vocab_destroy(v);
    /* 3. A frozen vocabulary (event, 388 names): unknown names are errors; what
     * parses is decoded. */
    enc_opts o;
    enc_opts_default(&o, "event");
    encoding *ev;
    if (enc_create("event", &o, &ev, err, sizeof err) != LJ_OK) abort();
    tokset t2 = {0};
    err[0] = 0;
    rc = enc_tokens_parse(text, size, "fuzz.txt", (vocab *)enc_vocab(ev), 0, &t2, NULL, err, sizeof err);
    check_untouched(rc, &t2, 0, 0, err);
    if (rc == LJ_OK) {
        if (vocab_size(enc_vocab(ev)) != 388) abort();
        score *s = NULL;
        if (enc_decode(ev, t2.ids, t2.n_ids, &s, err, sizeof err) == LJ_OK) score_destroy(s);
    }
    tokset_free(&t2);
    enc_destroy(ev);
    return 0;
}
