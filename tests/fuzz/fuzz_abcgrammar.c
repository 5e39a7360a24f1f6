/* libFuzzer harness for the abc grammar (src/encode/abc_grammar.c), which
 * classifies a model file's vocabulary names and then steps over any token
 * stream. The input: vocabulary names one per line up to the first empty line
 * ("<s>" and "</s>" are added), then bytes that drive walks:
 *  1. a walk that draws only allowed tokens (byte % allowed): mask and allows
 *     agree, every drawn token advances as allowed, and when the names are
 *     all tokens of the abc encoding's tokens variant, the rendered text of
 *     its whole tunes is read by the stream reader with no resync (the
 *     grammar's promise);
 *     (With the meter rule for inputs of odd size.)
 *  2. a walk over arbitrary ids (byte % size, negative and out of range
 *     included): the state stays usable and refusals are counted. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc.h"
#include "abc_grammar.h"
#include "encoding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WALK_MAX 1024

/* A broken invariant: say which, then crash (the fuzzer keeps the input). */
#define REQUIRE(c)                                                                  \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "fuzz_abcgrammar:%d: %s\n", __LINE__, #c);              \
            abort();                                                                \
        }                                                                           \
    } while (0)

static void on_note(void *user, const score_note *n) {
    (void)user;
    (void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    vocab *v = vocab_create();
    REQUIRE(v);
    int32_t id;
    size_t i = 0;
    while (i < size) { /* names, one a line, to an empty line */
        size_t e = i;
        while (e < size && data[e] != '\n') e++;
        if (e == i) {
            i = e + 1;
            break;
        }
        if (e - i <= VOCAB_MAX_NAME && vocab_size(v) < 1024)
            REQUIRE(vocab_add(v, (const char *)data + i, e - i, &id) == LJ_OK);
        i = e + 1;
    }
    REQUIRE(!vocab_add(v, "<s>", 3, &id) && !vocab_add(v, "</s>", 4, &id));
    const uint8_t *walk = data + (i < size ? i : size);
    size_t n_walk = size - (size_t)(walk - data);
    if (n_walk > WALK_MAX) n_walk = WALK_MAX;
    char err[256];
    abc_grammar *g;
    /* the meter rule on for inputs of odd size */
    REQUIRE(abc_grammar_create(v, size & 1 ? ABC_GRAMMAR_METER : 0, &g, err, sizeof err) == LJ_OK);
    size_t K = vocab_size(v);
    uint8_t *mask = malloc(K);
    int32_t *ids = malloc((n_walk + 1) * sizeof *ids);
    REQUIRE(mask && ids && abc_grammar_size(g) == K);

    /* 1. only allowed tokens */
    abc_grammar_state s;
    abc_grammar_reset(g, &s);
    size_t n = 0, complete = 0; /* tokens drawn; of them in whole tunes */
    for (size_t k = 0; k < n_walk; k++) {
        size_t allowed = abc_grammar_mask(g, &s, mask), count = 0;
        for (size_t t = 0; t < K; t++) {
            REQUIRE(mask[t] == abc_grammar_allows(g, &s, (int32_t)t));
            count += mask[t];
        }
        REQUIRE(count == allowed);
        if (!allowed) break; /* a vocabulary that cannot go on */
        size_t pick = walk[k] % allowed;
        int32_t tok = -1;
        for (size_t t = 0; t < K && tok < 0; t++)
            if (mask[t] && pick-- == 0) tok = (int32_t)t;
        REQUIRE(abc_grammar_advance(g, &s, tok) == 1 && s.violations == 0);
        ids[n++] = tok;
        if (s.phase == ABC_GPHASE_OUTSIDE) complete = n; /* after "</s>" */
    }
    /* the names as the abc tokens variant: its text reads with no resync */
    enc_opts o;
    enc_opts_default(&o, "abc");
    o.abc_variant = ENC_ABC_TOKENS;
    encoding *e;
    REQUIRE(enc_create("abc", &o, &e, err, sizeof err) == LJ_OK);
    vocab *copy = NULL;
    uint8_t *blob;
    size_t len;
    REQUIRE(vocab_save(v, &blob, &len) == LJ_OK);
    REQUIRE(vocab_load(blob, len, "fuzz", &copy, err, sizeof err) == LJ_OK);
    free(blob);
    if (enc_set_vocab(e, copy, err, sizeof err) == LJ_OK) {
        char *text;
        size_t tl;
        REQUIRE(enc_abc_text(e, ids, complete, &text, &tl) == LJ_OK);
        abc_stream *st = abc_stream_create(NULL, on_note, NULL, err, sizeof err);
        REQUIRE(st && abc_stream_feed(st, text, tl) == LJ_OK && abc_stream_finish(st) == LJ_OK);
        if (abc_stream_errors(st)) fprintf(stderr, "%s in\n%s", err, text);
        REQUIRE(abc_stream_errors(st) == 0); /* a grammar-valid stream the reader refused */
        abc_stream_destroy(st);
        free(text);
    }
    enc_destroy(e);

    /* 2. arbitrary ids */
    abc_grammar_reset(g, &s);
    uint32_t refused = 0;
    for (size_t k = 0; k < n_walk; k++) {
        int32_t tok = (int32_t)(walk[k] % (K + 2)) - 1; /* -1 .. K */
        refused += abc_grammar_advance(g, &s, tok) == 0;
        abc_grammar_mask(g, &s, mask);
    }
    REQUIRE(refused == s.violations);

    free(mask);
    free(ids);
    abc_grammar_destroy(g);
    vocab_destroy(v);
    return 0;
}
