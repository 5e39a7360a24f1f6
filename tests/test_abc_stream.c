/* Streaming ABC: fed in random-sized chunks (1..17 bytes, xorshift seeded), a
 * tune gives the same notes as the whole-book read with repeats played as
 * written; notes come out while text still arrives (not all at the end); and
 * malformed text resynchronises at the next bar line with a counted error; a
 * copied stream (abc_stream_copy) goes on exactly as the original.
 * Data: the hand-picked tests/data/abc/hard_*.abc and, when present, all 14
 * Nottingham books (each tune streamed on its own). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abc.h"
#include "files.h"

typedef struct collected {
    score_note notes[20000];
    size_t n;
    size_t fed_when_first; /* bytes fed before the first note came out */
    size_t fed;            /* bytes fed so far */
} collected;

static void collect(void *user, const score_note *n) {
    collected *c = user;
    if (c->n == 0) c->fed_when_first = c->fed;
    if (c->n < sizeof c->notes / sizeof *c->notes) c->notes[c->n++] = *n;
}

static int note_cmp(const void *pa, const void *pb) {
    const score_note *a = pa, *b = pb;
    if (a->onset != b->onset) return a->onset < b->onset ? -1 : 1;
    if (a->part != b->part) return a->part - b->part;
    if (a->pitch != b->pitch) return a->pitch - b->pitch;
    return a->duration < b->duration ? -1 : a->duration > b->duration;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t xorshift(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static collected got;

/* Streams one tune's text in random chunks and compares with abc_read_mem. */
static void check_tune(const char *name, const char *text, size_t len, long *tunes) {
    abc_opts o;
    abc_opts_default(&o);
    o.repeats = ABC_REPEATS_AS_WRITTEN;
    score_book book = {0};
    char err[256] = "";
    int rc = abc_read_mem(text, len, name, &o, &book, err, sizeof err);
    if (rc != LJ_OK) fail_msg("%s: %s", name, err);
    if (book.n != 1) {
        score_book_clear(&book);
        return;
    }
    memset(&got, 0, sizeof got);
    char serr[256] = "";
    abc_stream *st = abc_stream_create(&o, collect, &got, serr, sizeof serr);
    assert_non_null(st);
    size_t i = 0;
    while (i < len) {
        size_t chunk = 1 + xorshift() % 17;
        if (chunk > len - i) chunk = len - i;
        got.fed = i + chunk;
        assert_int_equal(abc_stream_feed(st, text + i, chunk), LJ_OK);
        i += chunk;
    }
    assert_int_equal(abc_stream_finish(st), LJ_OK);
    if (abc_stream_errors(st) != 0) fail_msg("%s: stream errors: %s", name, serr);
    abc_stream_destroy(st);
    const score *s = book.items[0];
    qsort(got.notes, got.n, sizeof *got.notes, note_cmp);
    if (got.n != s->n_notes)
        fail_msg("%s X:%d: stream gave %zu notes, book read %zu", name, s->index, got.n,
                 s->n_notes);
    for (size_t k = 0; k < got.n; k++) {
        const score_note *a = &got.notes[k], *b = &s->notes[k];
        if (a->onset != b->onset || a->duration != b->duration || a->pitch != b->pitch ||
            a->part != b->part)
            fail_msg("%s X:%d note %zu: stream %lld+%lld p%d part %d, book %lld+%lld p%d part %d",
                     name, s->index, k, (long long)a->onset, (long long)a->duration, a->pitch,
                     a->part, (long long)b->onset, (long long)b->duration, b->pitch, b->part);
    }
    /* notes come out as the text arrives, not only at the end */
    if (got.n > 8 && got.fed_when_first >= len)
        fail_msg("%s X:%d: no note before the whole text was fed", name, s->index);
    (*tunes)++;
    score_book_clear(&book);
}

/* Splits a book at X: lines and checks each tune. */
static void check_book(const char *path, long *tunes) {
    uint8_t *data;
    size_t len;
    char err[256];
    if (lj_file_read(path, &data, &len, err, sizeof err) != LJ_OK) fail_msg("%s", err);
    const char *t = (const char *)data;
    size_t start = SIZE_MAX;
    for (size_t i = 0; i <= len; i++) {
        int at_x = i < len && (i == 0 || t[i - 1] == '\n') && t[i] == 'X' && i + 1 < len &&
                   t[i + 1] == ':';
        if ((at_x || i == len) && start != SIZE_MAX) check_tune(path, t + start, i - start, tunes);
        if (at_x) start = i;
    }
    free(data);
}

static void test_stream_matches_book(void **state) {
    (void)state;
    const char *data = getenv("LJ_TEST_DATA");
    const char *corp = getenv("LJ_CORPORA");
    long tunes = 0;
    char path[4096];
    static const char *hard[] = {"hard_rhythm.abc", "hard_keys.abc", "hard_accidentals.abc",
                                 "hard_repeats.abc"};
    assert_non_null(data);
    for (size_t i = 0; i < sizeof hard / sizeof *hard; i++) {
        snprintf(path, sizeof path, "%s/abc/%s", data, hard[i]);
        check_book(path, &tunes);
    }
    static const char *books[] = {"ashover", "hpps", "jigs", "morris", "playford", "reelsa-c",
                                  "reelsd-g", "reelsh-l", "reelsm-q", "reelsr-t", "reelsu-z",
                                  "slip", "waltzes", "xmas"};
    long hard_tunes = tunes;
    if (corp) {
        for (size_t i = 0; i < sizeof books / sizeof *books; i++) {
            snprintf(path, sizeof path, "%s/nottingham/abc/%s.abc", corp, books[i]);
            FILE *fp = fopen(path, "rb");
            if (!fp) continue;
            fclose(fp);
            check_book(path, &tunes);
        }
    }
    printf("stream = book read for %ld tunes (%ld hand-picked)\n", tunes, hard_tunes);
    assert_true(hard_tunes >= 20);
}

/* Broken text: each bad construct costs one counted error and the stream goes
 * on from the next bar line; good bars still play. */
static void test_stream_resync(void **state) {
    (void)state;
    const char *text = "X:1\nL:1/4\nK:C\nA B|c #d e|f g|\"Am A|B2|[K:Xyz] c|d z99999999|e|\n";
    memset(&got, 0, sizeof got);
    char err[256] = "";
    abc_stream *st = abc_stream_create(NULL, collect, &got, err, sizeof err);
    assert_non_null(st);
    for (size_t i = 0; text[i]; i++) assert_int_equal(abc_stream_feed(st, text + i, 1), LJ_OK);
    assert_int_equal(abc_stream_finish(st), LJ_OK);
    assert_int_equal(abc_stream_errors(st), 4);
    abc_stream_destroy(st);
    /* A B c ('#': skip to the bar line) f g (open quote: skip to the bar line) B2
     * ([K:Xyz]: skip) d (z99999999: skip) e */
    int want[] = {69, 71, 72, 77, 79, 71, 74, 76};
    assert_int_equal(got.n, sizeof want / sizeof *want);
    for (size_t i = 0; i < got.n; i++) assert_int_equal(got.notes[i].pitch, want[i]);
}

/* Random bytes never crash the stream and never stop it. */
static void test_stream_garbage(void **state) {
    (void)state;
    char buf[4096];
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            uint64_t r = xorshift();
            static const char alphabet[] = "ABCDEFGabcdefgz|:[]()\"!{}-><^_=/0123456789 \nXKLMQP";
            buf[i] = (r & 0x100) ? (char)(r & 0xff) : alphabet[r % (sizeof alphabet - 1)];
        }
        memset(&got, 0, sizeof got);
        abc_stream *st = abc_stream_create(NULL, collect, &got, NULL, 0);
        assert_non_null(st);
        const char *head = "X:1\nK:C\n";
        assert_int_equal(abc_stream_feed(st, head, strlen(head)), LJ_OK);
        assert_int_equal(abc_stream_feed(st, buf, sizeof buf), LJ_OK);
        assert_int_equal(abc_stream_finish(st), LJ_OK);
        abc_stream_destroy(st);
    }
}

/* A copy goes on exactly as the original: cut a tune (ties across bars,
 * chord symbols, accidentals, a broken rhythm, a resync) at every byte, copy
 * the stream into one that read other text, feed the rest to both: the same
 * notes and errors after the cut. */
static collected got_copy;
static void test_stream_copy(void **state) {
    (void)state;
    const char *text = "X:1\nM:4/4\nL:1/8\nK:D\n\"D\"A2 F>A d2-|\"G\"d2 ^c=c B2 \"A7\"A2-|A4 #x z2|"
                       "[K:F] B>c \"C\"[CEG]2- [CEG]4|\"F\"F8|]\n";
    size_t len = strlen(text);
    char err[256] = "", err2[256] = "";
    abc_stream *a = abc_stream_create(NULL, collect, &got, err, sizeof err);
    abc_stream *b = abc_stream_create(NULL, collect, &got_copy, err2, sizeof err2);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t cut = 0; cut <= len; cut++) {
        abc_stream_reset(a);
        abc_stream_reset(b);
        const char *other = "X:7\nK:Bb\nB2-B c\"Am\"d|e";
        assert_int_equal(abc_stream_feed(b, other, strlen(other)), LJ_OK);
        assert_int_equal(abc_stream_feed(a, text, cut), LJ_OK);
        assert_int_equal(abc_stream_copy(b, a), LJ_OK);
        memset(&got, 0, sizeof got);
        memset(&got_copy, 0, sizeof got_copy);
        assert_int_equal(abc_stream_feed(a, text + cut, len - cut), LJ_OK);
        assert_int_equal(abc_stream_feed(b, text + cut, len - cut), LJ_OK);
        assert_int_equal(abc_stream_finish(a), LJ_OK);
        assert_int_equal(abc_stream_finish(b), LJ_OK);
        assert_int_equal(abc_stream_errors(a), abc_stream_errors(b));
        if (got.n != got_copy.n || memcmp(got.notes, got_copy.notes, got.n * sizeof *got.notes))
            fail_msg("cut at byte %zu: %zu notes after it, the copy %zu", cut, got.n, got_copy.n);
    }
    assert_int_equal(abc_stream_errors(a), 1); /* #x */
    abc_stream_destroy(a);
    abc_stream_destroy(b);
}

/* Is every note of sub (sorted) in sup (sorted), as a multiset? */
static int notes_within(const collected *sub, const collected *sup) {
    size_t j = 0;
    for (size_t i = 0; i < sub->n; i++) {
        while (j < sup->n && note_cmp(&sup->notes[j], &sub->notes[i]) < 0) j++;
        if (j == sup->n || note_cmp(&sup->notes[j], &sub->notes[i]) != 0) return 0;
        j++;
    }
    return 1;
}

static void ignore_chord(void *user, int64_t tick, const score_note *notes, int n) {
    (void)user, (void)tick, (void)notes, (void)n;
}

/* A copy of a stream with a chord callback into one without: the symbols the
 * original held back for it (waiting for a tied note) become chord notes in
 * the copy, as in a stream that never had the callback (this crashed: the
 * copy called the callback it does not have). Cut at every byte: the copy
 * plays every note a callback-less reader plays after the cut, and no note
 * that reader does not play at all. */
static collected got_plain, got_plain_after;
static void test_stream_copy_without_chord_callback(void **state) {
    (void)state;
    const char *text = "X:1\nM:4/4\nL:1/8\nK:G\n\"G\"G2-\"C\"G2-\"D7\"G4|\"Em\"E3- E\"Am\"A- A2 \"D\"D2-|"
                       "D\"G\"G\"C\"c\"D\"d \"G\"g4|]\n";
    size_t len = strlen(text);
    abc_stream *a = abc_stream_create(NULL, collect, &got, NULL, 0);
    abc_stream *b = abc_stream_create(NULL, collect, &got_copy, NULL, 0);
    abc_stream *plain = abc_stream_create(NULL, collect, &got_plain, NULL, 0);
    abc_stream *plain_cut = abc_stream_create(NULL, collect, &got_plain_after, NULL, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(plain);
    assert_non_null(plain_cut);
    abc_stream_set_chord_fn(a, ignore_chord, NULL);
    memset(&got_plain, 0, sizeof got_plain);
    assert_int_equal(abc_stream_feed(plain, text, len), LJ_OK);
    assert_int_equal(abc_stream_finish(plain), LJ_OK);
    qsort(got_plain.notes, got_plain.n, sizeof *got_plain.notes, note_cmp);
    int chord_notes = 0;
    for (size_t i = 0; i < got_plain.n; i++) chord_notes += got_plain.notes[i].part == 1;
    assert_true(chord_notes >= 9 * 3); /* the symbols do become notes without the callback */
    for (size_t cut = 0; cut <= len; cut++) {
        abc_stream_reset(a);
        abc_stream_reset(b);
        abc_stream_reset(plain_cut);
        assert_int_equal(abc_stream_feed(a, text, cut), LJ_OK);
        assert_int_equal(abc_stream_feed(plain_cut, text, cut), LJ_OK);
        assert_int_equal(abc_stream_copy(b, a), LJ_OK);
        memset(&got_copy, 0, sizeof got_copy);
        memset(&got_plain_after, 0, sizeof got_plain_after);
        assert_int_equal(abc_stream_feed(b, text + cut, len - cut), LJ_OK);
        assert_int_equal(abc_stream_finish(b), LJ_OK);
        assert_int_equal(abc_stream_feed(plain_cut, text + cut, len - cut), LJ_OK);
        assert_int_equal(abc_stream_finish(plain_cut), LJ_OK);
        qsort(got_copy.notes, got_copy.n, sizeof *got_copy.notes, note_cmp);
        qsort(got_plain_after.notes, got_plain_after.n, sizeof *got_plain_after.notes, note_cmp);
        if (!notes_within(&got_copy, &got_plain))
            fail_msg("cut at byte %zu: the copy played a note a reader without a chord callback does not", cut);
        if (!notes_within(&got_plain_after, &got_copy))
            fail_msg("cut at byte %zu: the copy missed a note a reader without a chord callback plays after it", cut);
    }
    abc_stream_destroy(a);
    abc_stream_destroy(b);
    abc_stream_destroy(plain);
    abc_stream_destroy(plain_cut);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_matches_book),
        cmocka_unit_test(test_stream_resync),
        cmocka_unit_test(test_stream_garbage),
        cmocka_unit_test(test_stream_copy),
        cmocka_unit_test(test_stream_copy_without_chord_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
