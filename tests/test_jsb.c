/* Unit tests of the JSB reader on small inline documents. Expected notes follow
 * from the format: step i of a piece starts at i * step_ticks; with merge_held
 * a pitch present in consecutive steps is one note. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "io/jsb.h"

static const char *doc =
    "{\"test\": [[[60, 64], [60, 64.0], [64], [], [60, 60]]],\n"
    " \"train\": [[[70]], [[71], [72]]],\n"
    " \"valid\": []}";

static int read_doc(const char *text, const char *split, int step, int merge, score_book *b, char *err,
                    size_t errlen) {
    jsb_opts o = {split, step, merge};
    return jsb_read_mem(text, strlen(text), "t.json", &o, b, err, errlen);
}

static void expect_note(const score_note *n, int64_t onset, int64_t dur, int pitch) {
    assert_int_equal(n->onset, onset);
    assert_int_equal(n->duration, dur);
    assert_int_equal(n->pitch, pitch);
}

static void test_merge_held(void **state) {
    (void)state;
    score_book b = {0};
    char err[256];
    assert_int_equal(read_doc(doc, NULL, 120, 1, &b, err, sizeof err), LJ_OK);
    assert_int_equal(b.n, 3); /* train 0, train 1, test 0 */
    assert_string_equal(b.items[0]->title, "train 0");
    assert_string_equal(b.items[2]->title, "test 0");
    assert_int_equal(b.items[2]->index, 3);
    const score *s = b.items[2];
    /* 60 in steps 0-1 and 4 (listed twice: one note), 64 in steps 0-2. */
    assert_int_equal(s->n_notes, 3);
    expect_note(&s->notes[0], 0, 240, 60);
    expect_note(&s->notes[1], 0, 360, 64);
    expect_note(&s->notes[2], 480, 120, 60);
    uint64_t(*f)[2];
    size_t n;
    assert_int_equal(jsb_to_roll(s, 120, &f, &n), LJ_OK);
    assert_int_equal(n, 5);
    uint64_t c = (uint64_t)1 << 60, e = 1; /* pitch 60: word 0 bit 60; pitch 64: word 1 bit 0 */
    assert_true(f[0][0] == c && f[0][1] == e);
    assert_true(f[1][0] == c && f[1][1] == e);
    assert_true(f[2][0] == 0 && f[2][1] == e);
    assert_true(f[3][0] == 0 && f[3][1] == 0);
    assert_true(f[4][0] == c && f[4][1] == 0);
    free(f);
    score_book_clear(&b);
}

static void test_no_merge_and_split(void **state) {
    (void)state;
    score_book b = {0};
    char err[256];
    assert_int_equal(read_doc(doc, "test", 480, 0, &b, err, sizeof err), LJ_OK);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.items[0]->index, 1);
    const score *s = b.items[0];
    /* One note per step and distinct pitch: 2 + 2 + 1 + 0 + 1. */
    assert_int_equal(s->n_notes, 6);
    expect_note(&s->notes[0], 0, 480, 60);
    expect_note(&s->notes[1], 0, 480, 64);
    expect_note(&s->notes[2], 480, 480, 60);
    expect_note(&s->notes[5], 1920, 480, 60);
    score_book_clear(&b);
    assert_int_equal(read_doc(doc, "valid", 480, 0, &b, err, sizeof err), LJ_OK);
    assert_int_equal(b.n, 0);
}

static void expect_error(const char *text, int status, const char *message) {
    score_book b = {0};
    char err[512] = "";
    int rc = read_doc(text, NULL, 120, 1, &b, err, sizeof err);
    if (rc != status || strcmp(err, message)) fprintf(stderr, "got  %d %s\nwant %d %s\n", rc, err, status, message);
    assert_int_equal(rc, status);
    assert_string_equal(err, message);
    assert_int_equal(b.n, 0);
    score_book_clear(&b);
}

static void test_errors(void **state) {
    (void)state;
    expect_error("{\"train\": [], \"valid\": [],\n \"test\": [[[60], [61, 62]],\n  [[63, 130]]]}", LJ_ERR_RANGE,
                 "t.json:3:9: expected a MIDI pitch (an integer 0..127), found 130 (at test[1][0][1])");
    expect_error("{\"train\": [], \"valid\": [], \"test\": [[[60.5]]]}", LJ_ERR_RANGE,
                 "t.json:1:39: expected a MIDI pitch (an integer 0..127), found 60.5 (at test[0][0][0])");
    expect_error("{\"train\": [], \"valid\": [], \"test\": [[[-1]]]}", LJ_ERR_RANGE,
                 "t.json:1:39: expected a MIDI pitch (an integer 0..127), found -1 (at test[0][0][0])");
    expect_error("{\"train\": [[[\"c\"]]], \"valid\": [], \"test\": []}", LJ_ERR_PARSE,
                 "t.json:1:14: expected a MIDI pitch (an integer 0..127), found a string (at train[0][0][0])");
    expect_error("{\"train\": [[60]], \"valid\": [], \"test\": []}", LJ_ERR_PARSE,
                 "t.json:1:13: expected a list of MIDI pitches, found a number (at train[0][0])");
    expect_error("{\"train\": [{}], \"valid\": [], \"test\": []}", LJ_ERR_PARSE,
                 "t.json:1:12: expected a list of time steps, found an object (at train[0])");
    expect_error("{\"train\": 5, \"valid\": [], \"test\": []}", LJ_ERR_PARSE,
                 "t.json:1:11: expected a list of pieces, found a number (at train)");
    expect_error("{\"train\": [], \"test\": []}", LJ_ERR_PARSE,
                 "t.json:1:1: expected the key \"valid\" in the top object, found none");
    expect_error("[1]", LJ_ERR_PARSE,
                 "t.json:1:1: expected an object {\"train\": [...], \"valid\": [...], \"test\": [...]}, found a list");
    expect_error("{\"train\": [[[60]\n  x", LJ_ERR_PARSE, "t.json:2:3: expected valid JSON, found 'x'");
    expect_error("{\"train\": [", LJ_ERR_PARSE, "t.json:1:12: expected valid JSON, found end of file");
    expect_error("{\"train\": [], \"valid\": [], \"test\": []} []", LJ_ERR_PARSE,
                 "t.json:1:40: expected end of file after the JSON value, found more");
    expect_error("", LJ_ERR_PARSE, "t.json:1:1: expected valid JSON, found end of file");
    /* 100000 '[': refused before cJSON recurses. */
    char *deep = malloc(100001);
    memset(deep, '[', 100000);
    deep[100000] = 0;
    expect_error(deep, LJ_ERR_LIMIT, "t.json:1:17: expected at most 16 nested lists/objects, found more");
    free(deep);
    /* Brackets inside strings do not count as nesting. */
    expect_error("{\"x\": \"[[[[[[[[[[[[[[[[[[[[[[[[\", \"train\": [], \"valid\": [], \"test\": [[[200]]]}",
                 LJ_ERR_RANGE, "t.json:1:72: expected a MIDI pitch (an integer 0..127), found 200 (at test[0][0][0])");
}

static void test_options(void **state) {
    (void)state;
    score_book b = {0};
    char err[256];
    assert_int_equal(read_doc(doc, "dev", 120, 1, &b, err, sizeof err), LJ_ERR_ARG);
    assert_int_equal(read_doc(doc, NULL, 0, 1, &b, err, sizeof err), LJ_ERR_ARG);
    assert_int_equal(b.n, 0);
    uint64_t(*f)[2];
    size_t n;
    score *s = score_create();
    assert_int_equal(jsb_to_roll(s, 0, &f, &n), LJ_ERR_ARG);
    assert_int_equal(jsb_to_roll(s, 120, &f, &n), LJ_OK);
    assert_int_equal(n, 0);
    free(f);
    score_destroy(s);
}

/* The grid a file's name states: the published names, any case, only the last
 * path component, and no claim when the name states none or two. */
static void test_grid_of_name(void **state) {
    (void)state;
    assert_int_equal(jsb_grid_of_name("corpora/jsb-chorales/jsb-chorales-quarter.json"), 480);
    assert_int_equal(jsb_grid_of_name("jsb-chorales-8th.json"), 240);
    assert_int_equal(jsb_grid_of_name("/x/JSB-Chorales-16th.json"), 120);
    assert_int_equal(jsb_grid_of_name("Jsb16thSeparated.json"), 120);
    assert_int_equal(jsb_grid_of_name("chorales.json"), 0);
    assert_int_equal(jsb_grid_of_name("quarter/chorales.json"), 0);
    assert_int_equal(jsb_grid_of_name("quarter-or-16th.json"), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_held),
        cmocka_unit_test(test_no_merge_and_split),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_grid_of_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
