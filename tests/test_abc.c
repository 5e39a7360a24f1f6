/* Unit tests for the ABC reader: hand-worked expectations (each value derived
 * by hand from the ABC 2.1 rules and checked against abc2midi's behaviour as
 * documented in tests/abc_oracle.py), error messages with file:line:col, limits,
 * warnings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "abc.h"

/* A note (onset, duration, pitch) of part `part` of score s, in sorted order. */
typedef struct want {
    int64_t onset, dur;
    int pitch;
} want;

static int read_book(const char *text, score_book *book, char *err, size_t errlen,
                     abc_repeats rep) {
    abc_opts o;
    abc_opts_default(&o);
    o.repeats = rep;
    return abc_read_mem(text, strlen(text), "t.abc", &o, book, err, errlen);
}

/* Checks the notes of one part against want[], in score order. */
static void check_part(const score *s, int part, const want *w, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < s->n_notes; i++) {
        const score_note *x = &s->notes[i];
        if (x->part != part) continue;
        assert_true(k < n);
        if (x->onset != w[k].onset || x->duration != w[k].dur || x->pitch != w[k].pitch)
            fail_msg("note %zu: got onset %lld dur %lld pitch %d, want %lld %lld %d", k,
                     (long long)x->onset, (long long)x->duration, x->pitch,
                     (long long)w[k].onset, (long long)w[k].dur, w[k].pitch);
        k++;
    }
    assert_int_equal(k, n);
}

static score_book g_book; /* holds the last tune one() read; cleared at exit */

static score *one(const char *text, abc_repeats rep) {
    score_book_clear(&g_book);
    score_book *bookp = &g_book;
#define book (*bookp)
    char err[256] = "";
    int rc = read_book(text, &book, err, sizeof err, rep);
    if (rc != LJ_OK) fail_msg("read failed: %s", err);
    assert_int_equal(book.n, 1);
    return book.items[0];
#undef book
}

/* Key signature (G: F#), explicit accidentals lasting to the bar line in every
 * octave, = cancelling, and the bar line resetting them. L:1/8 = 240 ticks. */
static void test_accidentals(void **state) {
    (void)state;
    score *s = one("X:1\nM:4/4\nL:1/8\nK:G\nF2 =F f ^f F|F f c ^c|c2|\n", ABC_REPEATS_ABC2MIDI);
    want w[] = {{0, 480, 66},   {480, 240, 65},  {720, 240, 77},  {960, 240, 78},
                {1200, 240, 66}, {1440, 240, 66}, {1680, 240, 78}, {1920, 240, 72},
                {2160, 240, 73}, {2400, 480, 72}};
    check_part(s, 0, w, sizeof w / sizeof *w);
    assert_int_equal(s->keys[0].fifths, 1);
}

/* A tie carries the accidental across the bar; the next note in that bar is
 * natural again. */
static void test_tie_across_bar(void **state) {
    (void)state;
    score *s = one("X:1\nM:4/4\nL:1/4\nK:C\nA ^F2 F-|F F A2|\n", ABC_REPEATS_ABC2MIDI);
    want w[] = {{0, 480, 69}, {480, 960, 66}, {1440, 960, 66}, {2400, 480, 65}, {2880, 960, 69}};
    check_part(s, 0, w, sizeof w / sizeof *w);
}

/* Lengths A2 A/2 A/ A3/2 A//, broken rhythm > < >> and a triplet (3. */
static void test_lengths_broken_tuplets(void **state) {
    (void)state;
    score *s = one("X:1\nM:4/4\nL:1/8\nK:C\nA2 A/2 A/ A3/2 A// z|A>B A<B A>>B|(3ABc d|\n",
                   ABC_REPEATS_ABC2MIDI);
    want w[] = {{0, 480, 69},     {480, 120, 69},   {600, 120, 69},   {720, 360, 69},
                {1080, 60, 69},   /* z/1 rest: 1140..1380 */
                {1380, 360, 69},  {1740, 120, 71},  {1860, 120, 69},  {1980, 360, 71},
                {2340, 420, 69},  {2760, 60, 71},   {2820, 160, 69},  {2980, 160, 71},
                {3140, 160, 72},  {3300, 240, 74}};
    check_part(s, 0, w, sizeof w / sizeof *w);
}

/* |: :| with endings, and a :| without |: repeating from the start (anacrusis
 * included), as abc2midi plays them. */
static void test_repeats_endings(void **state) {
    (void)state;
    score *s = one("X:1\nM:2/4\nL:1/4\nK:C\nG|c d:|e f|1 g a:|2 b c'|]\n", ABC_REPEATS_ABC2MIDI);
    /* G c d  G c d  e f g a  e f b c' */
    int pitches[] = {67, 72, 74, 67, 72, 74, 76, 77, 79, 81, 76, 77, 83, 84};
    size_t n = sizeof pitches / sizeof *pitches;
    assert_int_equal(s->n_notes, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(s->notes[i].pitch, pitches[i]);
        assert_int_equal(s->notes[i].onset, (int64_t)i * 480);
    }
    /* as written: every bar once */
    s = one("X:1\nM:2/4\nL:1/4\nK:C\nG|c d:|e f|1 g a:|2 b c'|]\n", ABC_REPEATS_AS_WRITTEN);
    assert_int_equal(s->n_notes, 9);
}

/* Header P: order with body parts. */
static void test_parts(void **state) {
    (void)state;
    score *s = one("X:1\nM:4/4\nL:1/4\nP:ABA\nK:C\nP:A\nC|\nP:B\nD|\n", ABC_REPEATS_ABC2MIDI);
    want w[] = {{0, 480, 60}, {480, 480, 62}, {960, 480, 60}};
    check_part(s, 0, w, sizeof w / sizeof *w);
}

/* Modes: A dorian has G major's signature; K:none has none; tempo from Q:. */
static void test_modes_tempo(void **state) {
    (void)state;
    score *s = one("X:1\nL:1/4\nQ:1/4=180\nK:ADor\nF c|[K:Bb Mix] B E|\n", ABC_REPEATS_ABC2MIDI);
    want w[] = {{0, 480, 66}, {480, 480, 72}, {960, 480, 70}, {1440, 480, 63}};
    check_part(s, 0, w, sizeof w / sizeof *w);
    assert_int_equal(s->keys[0].fifths, 1);
    assert_int_equal(s->keys[0].mode, SCORE_MODE_DORIAN);
    assert_int_equal(s->tempos[0].us_per_qn, 333333);
    s = one("X:1\nK:none\nF B|\n", ABC_REPEATS_ABC2MIDI);
    assert_int_equal(s->notes[0].pitch, 65);
    assert_int_equal(s->tempos[0].us_per_qn, 500000); /* abc2midi default: 120 per minute */
    assert_int_equal(s->notes[0].duration, 240);     /* no L:, 4/4: 1/8 */
}

/* Chord symbols become block chords (root in C2..B2) held to the next symbol,
 * on channel 1; in-line chords [CE] with lengths sound together. */
static void test_chords(void **state) {
    (void)state;
    score *s = one("X:1\nM:2/4\nL:1/4\nK:C\n\"Am\"[CE]2|\"G7\"[C2E2G2]|\n", ABC_REPEATS_ABC2MIDI);
    assert_int_equal(s->n_parts, 2);
    assert_int_equal(s->parts[1].channel, 1);
    want mel[] = {{0, 960, 60}, {0, 960, 64}, {960, 960, 60}, {960, 960, 64}, {960, 960, 67}};
    check_part(s, 0, mel, sizeof mel / sizeof *mel);
    want ch[] = {{0, 960, 45}, {0, 960, 48}, {0, 960, 52},
                 {960, 960, 43}, {960, 960, 47}, {960, 960, 50}, {960, 960, 53}};
    check_part(s, 1, ch, sizeof ch / sizeof *ch);
}

/* Several tunes per file, titles, X: numbers, comments, lyrics and decorations read
 * past. */
static void test_book(void **state) {
    (void)state;
    score_book book = {0};
    char err[256];
    const char *text = "%abc-2.1\n\nX:3\nT:First\nK:D\n!trill!A ~B .c HT d % comment\nw: la la\n\n"
                       "X:7\nT:Second\nT:subtitle\nK:C\n{g}C\\\nD|\n";
    assert_int_equal(read_book(text, &book, err, sizeof err, ABC_REPEATS_ABC2MIDI), LJ_OK);
    assert_int_equal(book.n, 2);
    assert_string_equal(book.items[0]->title, "First");
    assert_int_equal(book.items[0]->index, 3);
    assert_int_equal(book.items[0]->n_notes, 4);
    assert_string_equal(book.items[1]->title, "Second");
    assert_int_equal(book.items[1]->n_notes, 2);
    score_book_clear(&book);
}

/* Errors: message with file:line:col, status, nothing appended. */
static void test_errors(void **state) {
    (void)state;
    static const struct {
        const char *text;
        int status;
        const char *msg;
    } cases[] = {
        {"X:1\nK:C\nAB#c|\n", LJ_ERR_PARSE, "t.abc:3:3: expected a note, rest, bar line or chord, found '#'"},
        {"X:1\nK:C\nA \"Am B|\n", LJ_ERR_PARSE, "t.abc:3:9: expected '\"' to close the chord symbol"},
        {"X:1\nK:C\nA99999999/99999999|\n", LJ_ERR_LIMIT, "t.abc:3:2: note length multiplier larger than 4096"},
        {"X:1\nK:Hmix\nA|\n", LJ_ERR_PARSE, "t.abc:2:1: K: expected a key tonic A-G"},
        {"X:1\nK:Cfoo\nA|\n", LJ_ERR_PARSE, "t.abc:2:1: K: expected a mode"},
        {"X:1\nM:7/x\nK:C\n", LJ_ERR_PARSE, "t.abc:2:1: expected a meter like 6/8"},
        {"X:1\nT:no key\nA|\n\nX:2\nK:C\nA|\n", LJ_ERR_PARSE, "expected a K: field"},
        {"X:1\nK:C\nA0|\n", LJ_ERR_PARSE, "t.abc:3:2: expected a note length of at least 1, found '0'"},
        {"X:1\nK:C\n(99999ABC|\n", LJ_ERR_LIMIT, "t.abc:3:1: tuplet numbers larger than 64"},
        {"X:1\nK:C\nc''''''''|\n", LJ_ERR_RANGE, "t.abc:3:1: expected a note within MIDI pitches"},
        {"X:1\nK:C\nA & B|\n", LJ_ERR_UNSUPPORTED, "t.abc:3:3: expected one voice"},
        {"X:1\nK:C\n[K:C A|\n", LJ_ERR_PARSE, "expected ']' to close the inline field"},
        {"X:1\nK:C\n{gA|\n", LJ_ERR_PARSE, "expected '}' to close the grace notes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        score_book book = {0};
        char err[256] = "";
        int rc = read_book(cases[i].text, &book, err, sizeof err, ABC_REPEATS_ABC2MIDI);
        if (rc != cases[i].status || !strstr(err, cases[i].msg))
            fail_msg("case %zu: status %d (want %d), message \"%s\" (want \"%s\")", i, rc,
                     cases[i].status, err, cases[i].msg);
        assert_int_equal(book.n, 0);
        score_book_clear(&book);
    }
}

static void count_warning(void *user, const char *msg) {
    (void)msg;
    (*(int *)user)++;
}

/* Harmless slips are warnings, not errors (abc2midi reads past them too). */
static void test_warnings(void **state) {
    (void)state;
    int warnings = 0;
    abc_opts o;
    abc_opts_default(&o);
    o.warn = count_warning;
    o.warn_user = &warnings;
    score_book book = {0};
    char err[256];
    const char *text = "X:1\nK:C\nA } B ] c - |d2 :| \"Xyz\"e \"Cfoo\"f !lone g|\n";
    assert_int_equal(abc_read_mem(text, strlen(text), "w.abc", &o, &book, err, sizeof err), LJ_OK);
    assert_int_equal(book.n, 1);
    assert_true(warnings >= 5);
    score_book_clear(&book);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accidentals),       cmocka_unit_test(test_tie_across_bar),
        cmocka_unit_test(test_lengths_broken_tuplets), cmocka_unit_test(test_repeats_endings),
        cmocka_unit_test(test_parts),             cmocka_unit_test(test_modes_tempo),
        cmocka_unit_test(test_chords),            cmocka_unit_test(test_book),
        cmocka_unit_test(test_errors),            cmocka_unit_test(test_warnings),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    score_book_clear(&g_book);
    return rc;
}
