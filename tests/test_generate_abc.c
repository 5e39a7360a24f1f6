/* Key/scale and pitch-range masks for abc models (enc_abc_pitch_mask,
 * abc_stream_note_pitch, gen_opts.step_mask):
 *  - the pitch a note would sound, by hand: the key signature, the bar's
 *    accidentals (also those of text the stream has not read yet), bar lines,
 *    octave marks, and no note inside a chord symbol, a field line or the
 *    header;
 *  - chars: a random model biased towards notes, accidentals, octave marks
 *    and quotes (so it writes many of them), primed in Bb (B and E flat by
 *    the key): with --key A and A3..A5 every melody note of the decoded
 *    output is in A major and the range; without the mask, the same seed
 *    writes notes outside both (so the test fails if the mask is ignored).
 *    Seed 5: before the mask knew where the reader fails and resyncs (a
 *    digit or mark after no note, a ':' bar, endings over 30), 85 of 441
 *    masked notes were outside;
 *  - chars, a text cut by its length after a letter whose octave marks are
 *    still to come: gen_finish and gen_beam write them (150 short sampled
 *    runs and 37 beams in a range below the letters' octaves);
 *  - chars, long: the audit's run (44,660 masked steps, seed 7, A major
 *    C2..B3; `lstmjam generate` with the same model and options writes the
 *    same text), where 5 notes were outside after 292 errors (the reader
 *    resyncs after the bar line of "^|", inside a quote that held the line
 *    uncut; the prediction resumed at that bar line): every melody note
 *    inside, and at every byte of the text the reader, fed a probe note,
 *    plays the pitch abc_stream_note_pitch predicts whenever it plays one
 *    (abc_played_note.h; 7 of 44,681 probes did not before the fix);
 *  - tokens: the shipped folk-rnn tokens model (model/pretrained, trained
 *    in C), primed in K:C and masked to G major C4..G5: every melody note
 *    obeys, and unmasked the same seed plays F naturals and notes out of
 *    range (26 of 228);
 *  - beam search with the mask (a decoder per beam): the same, width 4, Bb
 *    major; its decoders made up front, every allocation failure clean;
 *  - gen_step allocates nothing with the mask. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abc.h"
#include "abc_played_note.h"
#include "alloc_fail.h"
#include "encoding.h"
#include "generate.h"
#include "modelio.h"

static const unsigned a_major = 1u << 9 | 1u << 11 | 1u << 1 | 1u << 2 | 1u << 4 | 1u << 6 | 1u << 8;
static const unsigned g_major = 1u << 7 | 1u << 9 | 1u << 11 | 1u << 0 | 1u << 2 | 1u << 4 | 1u << 6;

static void no_note(void *user, const score_note *n) {
    (void)user;
    (void)n;
}

static void feed(abc_stream *st, const char *s) { assert_int_equal(abc_stream_feed(st, s, strlen(s)), LJ_OK); }

static int pitch_of(const abc_stream *st, const char *more) { return abc_stream_note_pitch(st, more, strlen(more)); }

static void test_note_pitch(void **state) {
    (void)state;
    char err[256];
    abc_stream *st = abc_stream_create(NULL, no_note, NULL, err, sizeof err);
    assert_non_null(st);
    feed(st, "X:1\nM:4/4\nL:1/8\n");
    assert_int_equal(pitch_of(st, "A"), -1); /* header: no note yet */
    feed(st, "K:F\n");
    assert_int_equal(pitch_of(st, "B"), 70);  /* Bb by the key */
    assert_int_equal(pitch_of(st, "b'"), 94); /* two octaves up */
    assert_int_equal(pitch_of(st, "=B,"), 59);
    assert_int_equal(pitch_of(st, "^"), -1); /* an accidental alone */
    feed(st, "^F");                          /* not read yet: no space or bar after it */
    assert_int_equal(pitch_of(st, ""), 66);  /* the note being written */
    assert_int_equal(pitch_of(st, "G f"), 78); /* the bar's sharp holds for f too */
    feed(st, "2 ");
    assert_int_equal(pitch_of(st, "F"), 66);
    assert_int_equal(pitch_of(st, "|F"), 65); /* the bar line ends it */
    feed(st, "|\"Am");
    assert_int_equal(pitch_of(st, "A"), -1); /* inside a chord symbol */
    assert_int_equal(pitch_of(st, "\"A"), 69);
    feed(st, "\" !trill!");
    assert_int_equal(pitch_of(st, "_e"), 75);
    assert_int_equal(pitch_of(st, "[K:D]"), -1);
    feed(st, "A|\n");
    assert_int_equal(pitch_of(st, "T:"), -1); /* a field line */
    assert_int_equal(pitch_of(st, "%"), -1);
    feed(st, "[K:D] ");
    assert_int_equal(pitch_of(st, "F"), 65); /* an inline key change not read yet is not followed */
    feed(st, "A ");                          /* the stream reads up to the space before A */
    assert_int_equal(pitch_of(st, "F"), 66); /* read: F# in D */
    assert_int_equal(pitch_of(st, "[CE"), 64); /* a chord's notes are notes */
    /* where the reader fails it resyncs at the next bar line: no note before it */
    assert_int_equal(pitch_of(st, "=F F"), 65);
    assert_int_equal(pitch_of(st, "=F:F"), 66);   /* a lone ':' is a dotted bar */
    assert_int_equal(pitch_of(st, "2 A"), -1);    /* a length after no note */
    assert_int_equal(pitch_of(st, "2 A|A"), 69);
    assert_int_equal(pitch_of(st, "A2' A"), -1);  /* an octave mark after the length */
    assert_int_equal(pitch_of(st, "|3 A"), 69);   /* an ending */
    assert_int_equal(pitch_of(st, "|31 A"), -1);  /* no ending: 1..30 */
    assert_int_equal(pitch_of(st, "z2 A"), 69);
    assert_int_equal(pitch_of(st, "\"G\"2 A"), -1);
    assert_int_equal(pitch_of(st, "!trill A"), 69); /* a '!' never closed is read past alone */
    assert_int_equal(pitch_of(st, "|\"Am A"), -1);  /* a quote never closed: resync at a bar */
    assert_int_equal(pitch_of(st, "\"Am A|B"), 71);
    abc_stream_destroy(st);
}

/* The melody notes (channel 0) of the decoded ids: how many, and how many
 * outside the scale or range. */
static void melody_check(const encoding *e, const int32_t *ids, size_t n, int lo, int hi, unsigned scale,
                         size_t *notes, size_t *outside) {
    score *s;
    char err[256];
    if (enc_decode(e, ids, n, &s, err, sizeof err) != LJ_OK) fail_msg("%s", err);
    *notes = *outside = 0;
    for (size_t k = 0; k < s->n_notes; k++) {
        const score_note *nt = &s->notes[k];
        if (nt->channel != 0) continue; /* chord symbols: not masked */
        ++*notes;
        *outside += nt->pitch < lo || nt->pitch > hi || !(scale >> (nt->pitch % 12) & 1u);
    }
    score_destroy(s);
}

/* Generates `length` tokens after the primer text, with or without the mask;
 * returns the generator (the caller destroys it). */
static generator *run(const lj_model *m, const encoding *e, const char *primer, size_t length, uint64_t seed,
                      int masked, int lo, int hi, unsigned scale, tokset *pset) {
    char err[256];
    gen_opts o;
    gen_opts_default(&o);
    o.length = (double)length;
    o.seed = seed;
    o.step_mask.on = masked;
    o.step_mask.lo = lo;
    o.step_mask.hi = hi;
    o.step_mask.scale = scale;
    if (!pset->n_pieces &&
        enc_encode_text((encoding *)e, primer, strlen(primer), "primer", 1, pset, NULL, err, sizeof err) != LJ_OK)
        fail_msg("%s", err);
    generator *g;
    if (gen_create(&g, m, e, &o, tokset_piece_len(pset, 0), err, sizeof err) != LJ_OK) fail_msg("%s", err);
    gen_prime(g, pset->ids, tokset_piece_len(pset, 0));
    alloc_fail_reset(-1);
    while (!gen_done(g)) gen_step(g);
    assert_int_equal(alloc_fail_count(), 0);
    return g;
}

/* The chars model of the tests below: random weights (seed 5) and an output
 * bias towards the characters of ABC notes and a little more: quotes (chord
 * symbols and text the reader reads past), and digits, marks and ':' where
 * the reader fails and resyncs at a bar line (inside quotes too, so that a
 * quote after it opens or closes text the other way round). Notes,
 * accidentals and octave marks likely, fields and line breaks rare, so the
 * text is mostly notes in bars. */
static void chars_model(lj_model **mp, encoding **ep) {
    static const char chars[] = "\n /1248:=ABCDEFGKLMX^_abcdefgz|',\"";
    vocab *v = vocab_create();
    for (size_t i = 0; i < sizeof chars - 1; i++) assert_int_equal(vocab_add(v, chars + i, 1, NULL), LJ_OK);
    encoding *e;
    char err[256];
    if (enc_create_for_model("abc", "variant=chars", strlen("variant=chars"), v, &e, err, sizeof err) != LJ_OK)
        fail_msg("%s", err);
    int V = (int)vocab_size(enc_vocab(e));
    lj_model_config c;
    memset(&c, 0, sizeof c);
    c.input_kind = LJ_INPUT_EMBEDDING;
    c.input_size = V;
    c.embed_dim = 8;
    c.num_layers = 1;
    c.hidden[0] = 16;
    c.num_heads = 1;
    c.heads[0].kind = LJ_HEAD_SOFTMAX;
    strcpy(c.heads[0].name, "next");
    c.heads[0].size = V;
    c.heads[0].loss_weight = 1;
    lj_model *m;
    if (lj_model_create(&m, &c, err, sizeof err) != LJ_OK) fail_msg("%s", err);
    lj_model_init(m, 5);
    const lj_param *b = lj_model_find(m, "heads.next.bias");
    assert_non_null(b);
    for (int id = 0; id < V; id++) {
        size_t l;
        char ch = vocab_name(enc_vocab(e), id, &l)[0];
        float bias = 0;
        if ((ch >= 'A' && ch <= 'G') || (ch >= 'a' && ch <= 'g')) bias = 2.5f;
        else if (ch == '^' || ch == '_' || ch == '=' || ch == '\'' || ch == ',') bias = 1.5f;
        else if (ch == ' ' || ch == '|' || ch == '2') bias = 1.0f;
        else if (ch == '"') bias = 1.5f;
        else if (ch == '\n' || ch == 'K' || ch == 'M' || ch == 'L' || ch == 'X' || ch == ':') bias = -3.0f;
        b->data[id] = bias;
    }
    lj_model_params_changed(m);
    *mp = m;
    *ep = e;
}

static void test_chars_mask(void **state) {
    (void)state;
    lj_model *m;
    encoding *e;
    chars_model(&m, &e);
    const char *primer = "X:1\nM:4/4\nL:1/8\nK:Bb\n";
    int lo = 57, hi = 81; /* A3..A5 */
    tokset pset = {0};
    size_t notes[2], outside[2];
    for (int masked = 1; masked >= 0; masked--) {
        generator *g = run(m, e, primer, 3000, 5, masked, lo, hi, a_major, &pset);
        size_t n;
        const int32_t *ids = gen_ids(g, &n);
        melody_check(e, ids, n, lo, hi, a_major, &notes[masked], &outside[masked]);
        gen_stats gs;
        gen_get_stats(g, &gs);
        fprintf(stderr, "  chars %s: %zu melody notes, %zu outside A major A3..A5, %zu resyncs, mask lifted %zu times\n",
                masked ? "masked" : "unmasked", notes[masked], outside[masked], gs.resyncs, gs.unmasked);
        if (masked) assert_int_equal(gs.unmasked, 0);
        gen_destroy(g);
    }
    assert_true(notes[1] >= 300);
    assert_int_equal(outside[1], 0);
    assert_true(outside[0] >= notes[0] / 4); /* unmasked, the same seed writes many */
    tokset_free(&pset);
    lj_model_destroy(m);
    enc_destroy(e);
}

/* A text cut by its length between a letter and its octave marks: the mask
 * let the letter through for some octave of it, so the note reads outside
 * the range until gen_finish (and gen_beam) write the marks. In a range
 * below the letters' own octaves, short runs over many seeds end there often; the test asserts such ends occurred (outside
 * before gen_finish) and that none is left after. */
static void test_chars_mask_cut(void **state) {
    (void)state;
    lj_model *m;
    encoding *e;
    chars_model(&m, &e);
    const char *primer = "X:1\nM:4/4\nL:1/8\nK:Bb\n";
    int lo = 36, hi = 59; /* C2..B3: every letter needs one or two ',' after it */
    tokset pset = {0};
    size_t notes = 0, cut = 0, outside = 0, marks = 0;
    for (uint64_t seed = 1; seed <= 150; seed++) {
        generator *g = run(m, e, primer, 8 + seed % 23, seed, 1, lo, hi, a_major, &pset);
        size_t n, k, out;
        const int32_t *ids = gen_ids(g, &n);
        melody_check(e, ids, n, lo, hi, a_major, &k, &out);
        cut += out;
        size_t added = gen_finish(g);
        ids = gen_ids(g, &n);
        melody_check(e, ids, n, lo, hi, a_major, &k, &out);
        gen_stats gs;
        gen_get_stats(g, &gs);
        assert_int_equal(gs.marks_closed, added);
        notes += k;
        outside += out;
        marks += added;
        gen_destroy(g);
    }
    size_t beam_cut = 0, beam_outside = 0, beam_marks = 0;
    size_t np = tokset_piece_len(&pset, 0);
    for (size_t steps = 4; steps <= 40; steps++) {
        gen_opts o;
        gen_opts_default(&o);
        o.step_mask = (gen_step_mask){1, lo, hi, a_major};
        int32_t *ids;
        size_t n, k, out;
        double lp;
        char err[256];
        if (gen_beam(m, e, &o, 1 + (int)(steps % 3), steps, pset.ids, np, &ids, &n, &lp, err, sizeof err) != LJ_OK) fail_msg("%s", err);
        assert_true(n >= np + steps);
        melody_check(e, ids, np + steps, lo, hi, a_major, &k, &out);
        beam_cut += out;
        melody_check(e, ids, n, lo, hi, a_major, &k, &out);
        beam_outside += out;
        beam_marks += n - np - steps;
        free(ids);
    }
    fprintf(stderr, "  chars cut: sampling %zu melody notes, %zu outside before gen_finish, %zu after (%zu marks); "
            "beam 1-3: %zu outside before the marks, %zu after (%zu marks)\n",
            notes, cut, outside, marks, beam_cut, beam_outside, beam_marks);
    assert_true(cut >= 3);
    assert_int_equal(outside, 0);
    assert_true(marks >= cut);
    assert_true(beam_cut >= 2);
    assert_int_equal(beam_outside, 0);
    assert_true(beam_marks >= beam_cut);
    tokset_free(&pset);
    lj_model_destroy(m);
    enc_destroy(e);
}

/* The chars model's text, long (many errors and resyncs, lines a quote
 * holds uncut): the mask keeps every note in the range, and the prediction
 * agrees with the reader byte by byte. */
static void test_chars_reader_agrees(void **state) {
    (void)state;
    lj_model *m;
    encoding *e;
    chars_model(&m, &e);
    const char *primer = "X:1\nM:4/4\nL:1/8\nK:Bb\n";
    int lo = 36, hi = 59; /* C2..B3 */
    tokset pset = {0};
    generator *g = run(m, e, primer, 44660, 7, 1, lo, hi, a_major, &pset);
    size_t n, notes, outside;
    const int32_t *ids = gen_ids(g, &n);
    gen_finish(g);
    ids = gen_ids(g, &n);
    melody_check(e, ids, n, lo, hi, a_major, &notes, &outside);
    gen_stats gs;
    gen_get_stats(g, &gs);
    char err[256];
    abc_stream *st = abc_stream_create(NULL, no_note, NULL, err, sizeof err);
    assert_non_null(st);
    abc_played_check played;
    assert_int_equal(abc_played_check_init(&played, NULL), 0);
    static const char *const probes[] = {"C", "^c,", "_B,,", "e,", "=F,", "g,,", "^^A,", "b,,"};
    size_t checks = 0, heard_notes = 0, wrong = 0;
    for (size_t k = 0; k < n; k++) {
        size_t len;
        const char *text = vocab_name(enc_vocab(e), ids[k], &len);
        assert_int_equal(abc_stream_feed(st, text, len), LJ_OK);
        const char *probe = probes[k % (sizeof probes / sizeof *probes)];
        int made, heard = abc_played_pitch(&played, st, probe, strlen(probe), &made);
        checks++;
        if (heard < 0) continue;
        heard_notes++;
        if (heard != abc_stream_note_pitch(st, probe, strlen(probe))) {
            if (!wrong) fprintf(stderr, "  byte %zu: probe %s, the reader plays %d, predicted %d\n", k, probe, heard,
                                abc_stream_note_pitch(st, probe, strlen(probe)));
            wrong++;
        }
    }
    fprintf(stderr, "  chars long: %zu melody notes, %zu outside C2..B3 A major, %zu resyncs; reader: %zu probes, %zu "
            "played, %zu not as predicted\n", notes, outside, gs.resyncs, checks, heard_notes, wrong);
    assert_true(gs.resyncs >= 100);
    assert_true(heard_notes >= checks / 10);
    assert_int_equal(wrong, 0);
    assert_int_equal(outside, 0);
    abc_played_check_free(&played);
    abc_stream_destroy(st);
    gen_destroy(g);
    tokset_free(&pset);
    lj_model_destroy(m);
    enc_destroy(e);
}

/* The shipped folk-rnn tokens model (model/pretrained, trained in C). */
static void tokens_model(lj_model **m, encoding **e) {
    const char *src = getenv("LJ_SOURCE_DIR");
    assert_non_null(src);
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/model/pretrained/nottingham-abc.lstm", src);
    vocab *v;
    char name[MODELIO_ENCODING_MAX], options[1024];
    if (modelio_load_encoded(path, m, name, options, sizeof options, &v, err, sizeof err) != LJ_OK ||
        enc_create_for_model(name, options, strlen(options), v, e, err, sizeof err) != LJ_OK)
        fail_msg("%s", err);
}

static void test_tokens_mask(void **state) {
    (void)state;
    lj_model *m;
    encoding *e;
    tokens_model(&m, &e);
    assert_int_equal(enc_options(e)->abc_variant, ENC_ABC_TOKENS);
    int lo = 60, hi = 79; /* C4..G5 */
    tokset pset = {0};
    size_t notes[2], outside[2];
    for (int masked = 1; masked >= 0; masked--) {
        generator *g = run(m, e, "X:1\nM:6/8\nL:1/8\nK:C\n", 400, 3, masked, lo, hi, g_major, &pset);
        size_t n;
        const int32_t *ids = gen_ids(g, &n);
        melody_check(e, ids, n, lo, hi, g_major, &notes[masked], &outside[masked]);
        gen_stats gs;
        gen_get_stats(g, &gs);
        fprintf(stderr, "  tokens %s: %zu melody notes, %zu outside G major C4..G5, %zu resyncs, mask lifted %zu times\n",
                masked ? "masked" : "unmasked", notes[masked], outside[masked], gs.resyncs, gs.unmasked);
        gen_destroy(g);
    }
    assert_true(notes[1] >= 100);
    assert_int_equal(outside[1], 0);
    assert_true(outside[0] >= 10); /* the model plays in C: F natural is off G major (measured 26 of 228) */
    tokset_free(&pset);
    lj_model_destroy(m);
    enc_destroy(e);
}

/* Beam search follows the mask per beam (each beam's own ABC decoder, copied
 * with it): width 4 from the folk-rnn model primed in K:C, masked to Bb major
 * C4..G5, writes no note outside; unmasked, the same search plays B and E
 * naturals (so the test fails if the mask is ignored). */
static void test_tokens_beam_mask(void **state) {
    (void)state;
    char err[512];
    lj_model *m;
    encoding *e;
    tokens_model(&m, &e);
    const unsigned bb_major = 1u << 10 | 1u << 0 | 1u << 2 | 1u << 3 | 1u << 5 | 1u << 7 | 1u << 9;
    int lo = 60, hi = 79; /* C4..G5 */
    const char *primer = "X:1\nM:6/8\nL:1/8\nK:C\n";
    tokset pset = {0};
    if (enc_encode_text(e, primer, strlen(primer), "primer", 1, &pset, NULL, err, sizeof err) != LJ_OK)
        fail_msg("%s", err);
    size_t np = tokset_piece_len(&pset, 0), notes[2], outside[2];
    for (int masked = 1; masked >= 0; masked--) {
        gen_opts o;
        gen_opts_default(&o);
        o.step_mask.on = masked;
        o.step_mask.lo = lo;
        o.step_mask.hi = hi;
        o.step_mask.scale = bb_major;
        int32_t *ids;
        size_t n;
        double lp;
        if (gen_beam(m, e, &o, 4, 120, pset.ids, np, &ids, &n, &lp, err, sizeof err) != LJ_OK) fail_msg("%s", err);
        melody_check(e, ids, n, lo, hi, bb_major, &notes[masked], &outside[masked]);
        fprintf(stderr, "  beam 4 %s: %zu melody notes, %zu outside Bb major C4..G5, log p %.3f\n",
                masked ? "masked" : "unmasked", notes[masked], outside[masked], lp);
        free(ids);
    }
    assert_true(notes[1] >= 40);
    assert_int_equal(outside[1], 0);
    assert_true(outside[0] >= 10); /* measured 17 of 69 */
    /* the decoders are made up front: as many allocations for 8 steps as for
     * 40; and each of them failing gives LJ_ERR_NOMEM with nothing left over */
    gen_opts o;
    gen_opts_default(&o);
    o.step_mask = (gen_step_mask){1, lo, hi, bb_major};
    long allocs[2];
    for (int k = 0; k < 2; k++) {
        int32_t *ids;
        size_t n;
        double lp;
        alloc_fail_reset(-1);
        assert_int_equal(gen_beam(m, e, &o, 4, k ? 40 : 8, pset.ids, np, &ids, &n, &lp, err, sizeof err), LJ_OK);
        allocs[k] = alloc_fail_count();
        free(ids);
    }
    assert_int_equal(allocs[0], allocs[1]);
    for (long k = 0; k < allocs[0]; k++) {
        int32_t *ids = NULL;
        size_t n;
        double lp;
        alloc_fail_reset(k);
        assert_int_equal(gen_beam(m, e, &o, 4, 8, pset.ids, np, &ids, &n, &lp, err, sizeof err), LJ_ERR_NOMEM);
        assert_null(ids);
        assert_int_equal(alloc_fail_live(), 0);
    }
    alloc_fail_reset(-1);
    tokset_free(&pset);
    lj_model_destroy(m);
    enc_destroy(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_note_pitch),
        cmocka_unit_test(test_chars_mask),
        cmocka_unit_test(test_chars_mask_cut),
        cmocka_unit_test(test_chars_reader_agrees),
        cmocka_unit_test(test_tokens_mask),
        cmocka_unit_test(test_tokens_beam_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
