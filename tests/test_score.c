/* Score: map rules, sorting, tick <-> seconds through a tempo map, clone and compare. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "score.h"

static score_note note(int64_t on, int64_t dur, int pitch, int part) {
    score_note n = {on, dur, (uint8_t)pitch, 80, 0, 0, (uint16_t)part};
    return n;
}

static void test_maps_replace_and_order(void **st) {
    (void)st;
    score *s = score_create();
    assert_non_null(s);
    assert_int_equal(score_add_tempo(s, 0, 500000), LJ_OK);
    assert_int_equal(score_add_tempo(s, 0, 400000), LJ_OK); /* same tick replaces */
    assert_int_equal(s->n_tempos, 1);
    assert_int_equal(s->tempos[0].us_per_qn, 400000);
    assert_int_equal(score_add_tempo(s, 960, 600000), LJ_OK);
    assert_int_equal(score_add_tempo(s, 480, 600000), LJ_ERR_ARG); /* earlier: refused */
    assert_int_equal(score_add_tempo(s, 1000, 0), LJ_ERR_RANGE);
    assert_int_equal(score_add_meter(s, 0, 6, 8), LJ_OK);
    assert_int_equal(score_add_meter(s, 0, 3, 5), LJ_ERR_RANGE); /* denominator not 2^n */
    assert_int_equal(score_add_key(s, 0, 8, 0), LJ_ERR_RANGE);
    assert_int_equal(score_add_key(s, 0, -2, SCORE_MODE_DORIAN), LJ_OK);
    size_t idx = 99;
    assert_int_equal(score_add_part(s, "melody", 0, 73, &idx), LJ_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(score_add_part(s, "x", 16, 0, NULL), LJ_ERR_RANGE);
    score_destroy(s);
    score_destroy(NULL); /* no-op */
}

static void test_seconds(void **st) {
    (void)st;
    score *s = score_create();
    /* No tempo: 120 BPM, a quarter is 0.5 s. */
    assert_true(score_ticks_to_seconds(s, 480) == 0.5);
    /* 120 BPM for 2 quarters, then 60 BPM. */
    score_add_tempo(s, 0, 500000);
    score_add_tempo(s, 960, 1000000);
    assert_true(score_ticks_to_seconds(s, 960) == 1.0);
    assert_true(score_ticks_to_seconds(s, 1440) == 2.0);
    assert_int_equal(score_seconds_to_ticks(s, 2.0), 1440);
    assert_int_equal(score_seconds_to_ticks(s, 0.25), 240);
    for (int64_t t = 0; t < 5000; t += 37)
        assert_int_equal(score_seconds_to_ticks(s, score_ticks_to_seconds(s, t)), t);
    score_destroy(s);
}

static void test_sort_clone_compare(void **st) {
    (void)st;
    score *s = score_create();
    score_add_part(s, "a", 0, 0, NULL);
    score_note n1 = note(480, 240, 64, 0), n2 = note(0, 480, 60, 0), n3 = note(0, 480, 55, 0);
    score_add_note(s, &n1);
    score_add_note(s, &n2);
    score_add_note(s, &n3);
    score_sort(s);
    assert_int_equal(s->notes[0].pitch, 55);
    assert_int_equal(s->notes[2].pitch, 64);
    assert_int_equal(score_end_tick(s), 720);
    score *c = score_clone(s);
    assert_non_null(c);
    char msg[256];
    assert_int_equal(score_compare(s, c, msg, sizeof msg), 0);
    c->notes[1].duration = 479;
    assert_int_not_equal(score_compare(s, c, msg, sizeof msg), 0);
    assert_non_null(strstr(msg, "note 1"));
    score_destroy(c);
    score_destroy(s);
}

static void test_key_names(void **st) {
    (void)st;
    char b[32];
    assert_string_equal(score_key_name(0, SCORE_MODE_MAJOR, b, sizeof b), "C major");
    assert_string_equal(score_key_name(1, SCORE_MODE_MINOR, b, sizeof b), "E minor");
    assert_string_equal(score_key_name(0, SCORE_MODE_DORIAN, b, sizeof b), "D dorian");
    assert_string_equal(score_key_name(-3, SCORE_MODE_MAJOR, b, sizeof b), "Eb major");
    assert_string_equal(score_key_name(2, SCORE_MODE_MIXOLYDIAN, b, sizeof b), "A mixolydian");
}

static void test_book(void **st) {
    (void)st;
    score_book b = {0};
    for (int i = 0; i < 40; i++) assert_int_equal(score_book_push(&b, score_create()), LJ_OK);
    assert_int_equal(b.n, 40);
    score_book_clear(&b);
    assert_int_equal(b.n, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_maps_replace_and_order), cmocka_unit_test(test_seconds),
        cmocka_unit_test(test_sort_clone_compare),     cmocka_unit_test(test_key_names),
        cmocka_unit_test(test_book),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
