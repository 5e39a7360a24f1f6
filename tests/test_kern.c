/* Unit tests of the kern reader on small hand-written files. Expected ticks
 * follow from the **kern definition at 480 PPQ (a whole note is 1920 ticks,
 * reciprocal R lasts 1920/R, each dot adds half of the previous value) and
 * pitches from c = middle C = 60 (one more letter = one octave). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "io/kern.h"

typedef struct warnings {
    int n;          /* warnings received */
    char last[512]; /* the last one */
} warnings;

static void collect(void *user, const char *msg) {
    warnings *w = user;
    w->n++;
    snprintf(w->last, sizeof w->last, "%s", msg);
}

/* Reads text; asserts the status; returns the score (NULL on error). */
static score *read_kern(const char *text, int want, kern_stats *st, warnings *w, char *err,
                        size_t errlen) {
    kern_opts o = {collect, w};
    score *s = (score *)1;
    int rc = kern_read_mem(text, strlen(text), "t.krn", &o, &s, st, err, errlen);
    if (rc != want) fprintf(stderr, "status %d, want %d: %s\n", rc, want, err);
    assert_int_equal(rc, want);
    if (rc) assert_null(s);
    return s;
}

/* One note per line, each token t[i] in its own line, in a plain spine. */
static score *read_tokens(const char *body, kern_stats *st, warnings *w) {
    char text[4096], err[512];
    snprintf(text, sizeof text, "**kern\n%s*-\n", body);
    return read_kern(text, LJ_OK, st, w, err, sizeof err);
}

static void test_pitches(void **state) {
    (void)state;
    kern_stats st;
    warnings w = {0};
    score *s = read_tokens("4c\n4cc\n4ccc\n4C\n4CC\n4CCC\n4b\n4B\n4c#\n4c##\n4d-\n4d--\n4en\n4BB-\n", &st, &w);
    const int want[] = {60, 72, 84, 48, 36, 24, 71, 59, 61, 62, 61, 60, 64, 46};
    assert_int_equal(s->n_notes, 14);
    for (size_t i = 0; i < 14; i++) {
        assert_int_equal(s->notes[i].pitch, want[i]);
        assert_int_equal(s->notes[i].onset, (int64_t)i * 480);
    }
    assert_int_equal(st.note_tokens, 14);
    assert_int_equal(w.n, 0);
    score_destroy(s);
}

static void test_durations(void **state) {
    (void)state;
    kern_stats st;
    warnings w = {0};
    /* 4 480, 8. 240+120, 8.. 240+120+60, 0 breve 3840, 00 longa 7680, 3 640,
     * 6 320, 12 160, 24 80, 3%2 1920*2/3, 1.5 (decimal reciprocal) the same,
     * 2. 1440, 16 120, 0. 5760, 1 1920, 32 60 */
    score *s = read_tokens("4c\n8.c\n8..c\n0c\n00c\n3c\n6c\n12c\n24c\n3%2c\n1.5c\n2.c\n16c\n0.c\n1c\n32c\n", &st, &w);
    const int64_t want[] = {480, 360, 420, 3840, 7680, 640, 320, 160, 80, 1280, 1280, 1440, 120, 5760, 1920, 60};
    assert_int_equal(s->n_notes, 16);
    int64_t t = 0;
    for (size_t i = 0; i < 16; i++) {
        assert_int_equal(s->notes[i].duration, want[i]);
        assert_int_equal(s->notes[i].onset, t);
        t += want[i];
    }
    score_destroy(s);
}

static void test_rests_and_signs(void **state) {
    (void)state;
    kern_stats st;
    warnings w = {0};
    /* Phrase marks, articulations, beams and editorial signs are read past;
     * rests take time but make no note. */
    score *s = read_tokens("{4c\n8r\n8dL\n8e'J}\n4.r}\n(4f~)\n8g^/\n8ffx#\n4.rr\n.\n4a;\n", &st, &w);
    assert_int_equal(s->n_notes, 7);
    assert_int_equal(st.rest_tokens, 3);
    assert_int_equal(st.note_tokens, 7);
    assert_int_equal(s->notes[1].onset, 480 + 240);
    assert_int_equal(s->notes[3].onset, 480 + 240 + 240 + 240 + 720);
    assert_int_equal(s->notes[5].pitch, 78); /* ff# */
    assert_int_equal(s->notes[6].onset, 480 + 240 * 3 + 720 + 480 + 240 * 2 + 720);
    score_destroy(s);
}

static void test_ties(void **state) {
    (void)state;
    kern_stats st;
    warnings w = {0};
    /* [4c _4c 4c] is one note of 1440 ticks; [4d 8d] one of 720; [2.A] (start and
     * end in one token) a plain note. */
    score *s = read_tokens("[4c\n_4c\n4c]\n[4d\n=1\n8d]\n[2.A]\n", &st, &w);
    assert_int_equal(s->n_notes, 3);
    assert_int_equal(s->notes[0].duration, 1440);
    assert_int_equal(s->notes[1].onset, 1440);
    assert_int_equal(s->notes[1].duration, 720);
    assert_int_equal(s->notes[2].pitch, 57);
    assert_int_equal(st.note_tokens, 6);
    assert_int_equal(st.ties_merged, 3);
    assert_int_equal(st.notes, 3);
    assert_int_equal(w.n, 0);
    score_destroy(s);
    /* A tie to another pitch, or a continuation with no start: warnings, two notes. */
    memset(&w, 0, sizeof w);
    s = read_tokens("[4c\n4d]\n4e]\n", &st, &w);
    assert_int_equal(s->n_notes, 3);
    assert_int_equal(w.n, 2);
    assert_int_equal(st.ties_merged, 0);
    score_destroy(s);
}

static void test_interpretations(void **state) {
    (void)state;
    kern_stats st;
    warnings w = {0};
    char err[512];
    score *s = read_kern("!!!OTL: Der Titel\n!!!OTL: Second\n!! comment\n**kern\n*ICvox\n*I\"Voice\n*>A\n"
                         "*M6/8\n*k[f#c#]\n*D:\n*MM120\n4.d\n=1\n*M3/4\n*k[]\n*d:\n2.d\n==\n*-\n!!!AGN: x\n",
                         LJ_OK, &st, &w, err, sizeof err);
    assert_string_equal(s->title, "Der Titel");
    assert_string_equal(s->parts[0].name, "Voice");
    assert_int_equal(s->n_meters, 2);
    assert_int_equal(s->meters[0].num, 6);
    assert_int_equal(s->meters[0].den, 8);
    assert_int_equal(s->meters[1].tick, 720);
    assert_int_equal(s->n_keys, 2);
    assert_int_equal(s->keys[0].fifths, 2);
    assert_int_equal(s->keys[0].mode, SCORE_MODE_MAJOR);
    assert_int_equal(s->keys[1].fifths, 0);
    assert_int_equal(s->keys[1].mode, SCORE_MODE_DORIAN); /* d with no signature */
    assert_int_equal(s->n_tempos, 1);
    assert_int_equal(s->tempos[0].us_per_qn, 500000);
    assert_int_equal(w.n, 0);
    score_destroy(s);
}

/* Bars: the first (pickup) and the last bar are not checked; the second bar
 * here is one quarter short, the third is right. */
static void test_bar_check(void **state) {
    (void)state;
    kern_stats st;
    warnings w = {0};
    char err[512];
    score *s = read_kern("**kern\n*M3/4\n4c\n=1\n4c\n4d\n=2\n2.e\n=3\n4f\n4g\n4a\n=4\n4b\n==\n*-\n", LJ_OK, &st, &w,
                         err, sizeof err);
    assert_int_equal(st.bars_interior, 3);
    assert_int_equal(st.bars_incomplete, 1);
    assert_int_equal(w.n, 1);
    assert_string_equal(w.last, "t.krn:7: bar check: the bar ending here lasts 1/2 of a whole, meter 3/4 wants 3/4");
    score_destroy(s);
    /* *MX: bars are counted, not checked. */
    memset(&w, 0, sizeof w);
    s = read_kern("**kern\n*MX\n4c\n=1\n4c\n=2\n2.e\n=3\n4b\n==\n*-\n", LJ_OK, &st, &w, err, sizeof err);
    assert_int_equal(st.bars_interior, 2);
    assert_int_equal(st.bars_unchecked, 2);
    assert_int_equal(st.bars_incomplete, 0);
    assert_int_equal(w.n, 0);
    score_destroy(s);
}

static void test_glued_and_control(void **state) {
    (void)state;
    kern_stats st;
    warnings w = {0};
    /* The Essen file erk/deut1328.krn has "4.B<backspace>8G": two notes. */
    score *s = read_tokens("4.B\b8G\n", &st, &w);
    assert_int_equal(s->n_notes, 2);
    assert_int_equal(s->notes[1].onset, 720);
    assert_int_equal(s->notes[1].pitch, 55);
    assert_int_equal(st.note_tokens, 1);
    assert_int_equal(st.glued_notes, 1);
    assert_int_equal(w.n, 2);
    score_destroy(s);
}

/* Every error: status and the exact "FILE:LINE:COL: expected X, found Y". */
static void expect_error(const char *text, int status, const char *message) {
    char err[512];
    warnings w = {0};
    kern_stats st;
    read_kern(text, status, &st, &w, err, sizeof err);
    if (strcmp(err, message)) fprintf(stderr, "got  %s\nwant %s\n", err, message);
    assert_string_equal(err, message);
}

static void test_errors(void **state) {
    (void)state;
    expect_error("**kern\t**kern\n4c\t4d\n*-\t*-\n", LJ_ERR_UNSUPPORTED,
                 "t.krn:1:7: expected one **kern spine, found 2 spines ('**kern?**kern'); lstmjam reads monophonic kern only");
    expect_error("**kern\n4c\n*^\n", LJ_ERR_UNSUPPORTED,
                 "t.krn:3:1: expected one **kern spine throughout, found a spine split/join '*^' (lstmjam reads monophonic kern only)");
    expect_error("**kern\n4c 4e\n*-\n", LJ_ERR_UNSUPPORTED,
                 "t.krn:2:3: expected one note per line, found a chord '4c 4e' (lstmjam reads monophonic kern only)");
    expect_error("**kern\n4c\n4\n*-\n", LJ_ERR_PARSE,
                 "t.krn:3:1: expected a pitch (a-g, A-G) or a rest (r), found end of token");
    expect_error("**kern\ncc\n*-\n", LJ_ERR_PARSE,
                 "t.krn:2:1: expected a duration (4, 8., 0, 3%2...), found a note without one");
    expect_error("**kern\n4cd\n*-\n", LJ_ERR_PARSE,
                 "t.krn:2:3: expected 'c' again or an accidental, found 'd' (chords are not supported)");
    expect_error("**kern\n4c#-\n*-\n", LJ_ERR_PARSE,
                 "t.krn:2:4: expected one kind of accidental, found both '#' and '-'");
    expect_error("**kern\n4c\xe9\n*-\n", LJ_ERR_PARSE,
                 "t.krn:2:3: expected a kern signifier (duration, pitch, accidental, tie...), found byte 0xE9");
    expect_error("**kern\n7c\n*-\n", LJ_ERR_RANGE,
                 "t.krn:2:1: expected a duration on the 480-PPQ grid, found reciprocal 7/1 with 0 dot(s) (274.286 ticks)");
    expect_error("**kern\n99999999c\n*-\n", LJ_ERR_RANGE,
                 "t.krn:2:1: expected a duration on the 480-PPQ grid, found reciprocal 99999999/1 with 0 dot(s) (0.000 ticks)");
    expect_error("**kern\n9999999999c\n*-\n", LJ_ERR_LIMIT,
                 "t.krn:2:10: expected a duration of at most 9 digits, found more");
    expect_error("**kern\n4cccccccc\n*-\n", LJ_ERR_RANGE, "t.krn:2:1: expected a pitch in MIDI range 0..127, found 144");
    expect_error("**kern\n4c\n=1\n", LJ_ERR_PARSE,
                 "t.krn:3: expected *- (end of the spine), found end of file (truncated?)");
    expect_error("!! nothing\n", LJ_ERR_PARSE, "t.krn:1: expected **kern, found end of file");
    expect_error("4c\n", LJ_ERR_PARSE, "t.krn:1:1: expected **kern (or a comment), found '4c'");
    expect_error("**text\n", LJ_ERR_UNSUPPORTED, "t.krn:1:1: expected **kern, found '**text'");
    expect_error("**kern\n4c\n*-\n4d\n", LJ_ERR_PARSE,
                 "t.krn:4:1: expected only comments after the end of the spine (*-), found '4d'");
    expect_error("**kern\n4c\n\n*-\n", LJ_ERR_PARSE, "t.krn:3:1: expected a kern token, found an empty line");
    expect_error("**kern\n0000c\n*-\n", LJ_ERR_PARSE,
                 "t.krn:2:5: expected a duration (0 breve, 00 longa, 000 maxima), found 4 zeros");
    expect_error("**kern\n3%0c\n*-\n", LJ_ERR_PARSE, "t.krn:2:1: expected a non-zero reciprocal, found 3%0");
}

static void test_nul_and_crlf(void **state) {
    (void)state;
    static const char text[] = "**kern\n4c\0\n*-\n";
    score *s = NULL;
    char err[256];
    assert_int_equal(kern_read_mem(text, sizeof text - 1, "t.krn", NULL, &s, NULL, err, sizeof err), LJ_ERR_PARSE);
    assert_string_equal(err, "t.krn:2:3: expected a kern token character, found a NUL byte");
    const char *crlf = "**kern\r\n*M2/4\r\n4c\r\n4d\r\n=1\r\n2e\r\n==\r\n*-\r\n";
    assert_int_equal(kern_read_mem(crlf, strlen(crlf), NULL, NULL, &s, NULL, err, sizeof err), LJ_OK);
    assert_int_equal(s->n_notes, 3);
    score_destroy(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pitches),          cmocka_unit_test(test_durations),
        cmocka_unit_test(test_rests_and_signs),  cmocka_unit_test(test_ties),
        cmocka_unit_test(test_interpretations),  cmocka_unit_test(test_bar_check),
        cmocka_unit_test(test_glued_and_control), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_nul_and_crlf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
