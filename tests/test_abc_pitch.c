/* abc_stream_note_pitch (the incremental scanner of abc_pitch.c) against its
 * naive twin abc_stream_note_pitch_naive (the first implementation, which
 * reads the whole unread line on every call):
 *  - the 14 Nottingham books fed in small chunks, asked after every chunk
 *    with the probes the abc key mask uses and with the text's own next bytes
 *    (skipped without the corpus; `test_abc_pitch corpus`, its own ctest);
 *  - random lines over an alphabet of ABC's syntax bytes (unclosed "...",
 *    {...}, !...!, +...+ and [K:...], endings, broken rhythm, tuplets,
 *    comments, fields, bytes the reader does not read), fed in random chunks,
 *    asked with random text and the probes, through a copied stream too;
 *  - hand-made hostile lines (constructs nested and left open);
 *  - against the reader (abc_played_note.h): lines where the reader fails
 *    and resyncs inside text the stream has not cut (the audit's
 *    reproduction, an accidental before a bar line, unclosed quotes, notes
 *    outside 0..127, wrong lengths, "|,8"), each answered by both scanners
 *    with the pitch the reader plays; and in the random lines above, a probe
 *    note after each chunk (lines without "[K:" or '+', which the
 *    prediction does not follow: abc.h);
 *  - time: lines of 60 KB with no cut point (notes without a space, an
 *    unclosed quote, "{A|" repeated, blanks), fed a byte at a time with the
 *    19 probes after each byte as the engine's mask does (the fuzz harness
 *    asks once per chunk), must take under 2 s of CPU (0.04-0.12 s each
 *    measured) and grow linearly (60 KB against 15 KB: 4x when linear, 16x
 *    when quadratic; the test allows 8x). The naive twin, with one probe a
 *    byte (LJ_PITCH_BENCH_NAIVE=BYTES times it): notes 18.1 s and the quote
 *    1.5 s at 60 KB; "{A|" 0.97 s at 3 KB and 10.3 s at 6 KB (cubic);
 *    blanks 0.16 s at 6 KB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "abc.h"
#include "abc_played_note.h"

static void no_note(void *user, const score_note *n) {
    (void)user;
    (void)n;
}

/* What the key mask asks (enc_abc_pitch_mask) and a few more. */
static const char *const probes[] = {"",   "C",  "c",  "^C", "_B", "=F", "A'", "g,", "'", ",",
                                     "^^", "|A", "]c", "\"", "z",  "A2", "!",  "[K:", "%"};
#define N_PROBES (sizeof probes / sizeof *probes)

static long calls, pitched; /* comparisons made, and those that found a note */

static void check(const abc_stream *st, const char *more, size_t len, const char *what, size_t at) {
    int fast = abc_stream_note_pitch(st, more, len);
    int naive = abc_stream_note_pitch_naive(st, more, len);
    calls++;
    pitched += fast >= 0;
    if (fast != naive) {
        fprintf(stderr, "%s, byte %zu: more \"%.*s\": scanner %d, naive %d\n", what, at, (int)len, more, fast,
                naive);
        fail();
    }
}

static void check_all(const abc_stream *st, const char *next, size_t n_next, const char *what, size_t at) {
    for (size_t k = 0; k < N_PROBES; k++) check(st, probes[k], strlen(probes[k]), what, at);
    for (size_t l = 1; l <= 4 && l <= n_next; l++) check(st, next, l, what, at);
}

static abc_played_check reader; /* (test_random) */
static long reader_checks, reader_notes;

/* The reader, fed a probe note now, plays the pitch predicted whenever it
 * plays a note for it (abc_played_note.h). */
static void check_reader(const abc_stream *st, const char *what, size_t at) {
    static const char *const notes[] = {"C", "^c", "_B,", "e'", "=F", "g,,", "^^A", "b"};
    const char *note = notes[reader_checks % (sizeof notes / sizeof *notes)];
    int made, heard = abc_played_pitch(&reader, st, note, strlen(note), &made);
    int fast = abc_stream_note_pitch(st, note, strlen(note));
    reader_checks++;
    reader_notes += heard >= 0;
    if (heard >= 0 && heard != fast) {
        fprintf(stderr, "%s, byte %zu: note \"%s\": the reader plays %d, predicted %d\n", what, at, note, heard, fast);
        fail();
    }
}

/* 1 when the line holds what the prediction does not follow (abc.h): an
 * inline key change "[K:" not read yet, or a '+' (a +decoration+ closes
 * across a space or bar line where the stream does not cut the line, inside
 * [...] or "..." or after a '%': the prediction takes every space and bar
 * that may be a cut as one). */
static int unfollowed(const char *text, size_t len) {
    for (size_t j = 0; j < len; j++)
        if (text[j] == '+' || (j + 2 < len && text[j] == '[' && text[j + 1] == 'K' && text[j + 2] == ':')) return 1;
    return 0;
}

static uint64_t rng_state;
static uint32_t rnd(void) {
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/* Feeds text in chunks of 1..max_chunk bytes, comparing after each. */
static void feed_compare(abc_stream *st, const char *text, size_t len, size_t max_chunk, const char *what) {
    size_t i = 0;
    while (i < len) {
        size_t chunk = 1 + rnd() % max_chunk;
        if (chunk > len - i) chunk = len - i;
        assert_int_equal(abc_stream_feed(st, text + i, chunk), LJ_OK);
        i += chunk;
        check_all(st, text + i, len - i, what, i);
    }
}

static void test_corpus(void **state) {
    (void)state;
    static const char *books[] = {"ashover", "hpps", "jigs", "morris", "playford", "reelsa-c", "reelsd-g",
                                  "reelsh-l", "reelsm-q", "reelsr-t", "reelsu-z", "slip", "waltzes", "xmas"};
    const char *corp = getenv("LJ_CORPORA");
    if (!corp) corp = "../shared/corpora";
    char path[4096], err[256];
    rng_state = 1;
    calls = pitched = 0;
    for (size_t b = 0; b < sizeof books / sizeof *books; b++) {
        snprintf(path, sizeof path, "%s/nottingham/abc/%s.abc", corp, books[b]);
        FILE *fp = fopen(path, "rb");
        if (!fp) {
            printf("skip: no Nottingham corpus at %s\n", path);
            skip();
        }
        static char text[1 << 20];
        size_t len = fread(text, 1, sizeof text, fp);
        fclose(fp);
        abc_stream *st = abc_stream_create(NULL, no_note, NULL, err, sizeof err);
        assert_non_null(st);
        feed_compare(st, text, len, 7, path);
        abc_stream_destroy(st);
    }
    printf("corpus: %ld comparisons, %ld found a note\n", calls, pitched);
    assert_true(pitched > calls / 10); /* the probes do land on notes */
}

/* A random music line: ABC's syntax bytes, weighted towards the ones that
 * open and close constructs. */
static size_t random_line(char *out, size_t cap) {
    static const char *const pieces[] = {
        "A", "B", "c", "d'", "E,", "f", "g", "^", "_", "=", "^^", "__", "'", ",", "2", "/", "3/2",
        " ", " ", "\t", "|", "|", "||", "|:", ":|", "::", "|]", ":", "[", "]", "[1", "|1", ":|2", "|[2", "[2,3",
        "1-2", "31", "[K:D]", "[K:", "[L:1/4]", "[ceg]", "\"", "\"Am\"", "{", "}", "{g}", "!", "!trill!", "+",
        "+fermata+", "(", "(3", "(3:2:3", ")", ">", ">>", ">>>>", "<", "-", "z", "x", "Z", "y", "%", "#", "&",
        "\\", ".", "~", "H", "T", "w", "\x01", "\xe9",
    };
    size_t n = 0, want = 1 + rnd() % 60;
    for (size_t k = 0; k < want; k++) {
        const char *p = pieces[rnd() % (sizeof pieces / sizeof *pieces)];
        size_t l = strlen(p);
        if (n + l + 1 >= cap) break;
        memcpy(out + n, p, l);
        n += l;
    }
    out[n++] = '\n';
    return n;
}

static void test_random(void **state) {
    (void)state;
    char err[256];
    rng_state = 7;
    calls = pitched = 0;
    abc_stream *st = abc_stream_create(NULL, no_note, NULL, err, sizeof err);
    abc_stream *copy = abc_stream_create(NULL, no_note, NULL, err, sizeof err);
    assert_non_null(st);
    assert_non_null(copy);
    assert_int_equal(abc_played_check_init(&reader, NULL), 0);
    reader_checks = reader_notes = 0;
    static const char *const heads[] = {"X:1\nL:1/8\nK:D\n", "X:2\nK:Bb\n", "X:3\nM:6/8\nK:Ephr\n",
                                        "X:4\nK:C ^f _b\n"};
    for (int tune = 0; tune < 100; tune++) {
        const char *h = heads[tune % 4];
        feed_compare(st, h, strlen(h), 3, "header");
        for (int line = 0; line < 12; line++) {
            char text[2048], what[64];
            size_t len = random_line(text, sizeof text);
            if (rnd() % 10 == 0) len = (size_t)snprintf(text, sizeof text, "%s", rnd() % 2 ? "K:A\n" : "% c\n");
            snprintf(what, sizeof what, "random tune %d line %d", tune, line);
            size_t i = 0;
            while (i < len) {
                size_t chunk = 1 + rnd() % 5;
                if (chunk > len - i) chunk = len - i;
                assert_int_equal(abc_stream_feed(st, text + i, chunk), LJ_OK);
                i += chunk;
                check_all(st, text + i, len - i, what, i);
                if (!unfollowed(text, len)) check_reader(st, what, i);
                char more[8];
                size_t ml = random_line(more, sizeof more) - 1; /* a piece or two, no line break */
                check(st, more, ml, what, i);
                if (rnd() % 16 == 0) { /* a copy reads on exactly where the stream stands */
                    assert_int_equal(abc_stream_copy(copy, st), LJ_OK);
                    check_all(copy, text + i, len - i, what, i);
                    check(copy, more, ml, what, i);
                }
            }
        }
        assert_int_equal(abc_stream_feed(st, "\n", 1), LJ_OK); /* a blank line ends the tune */
        if (tune % 40 == 39) abc_stream_reset(st); /* (afresh, memory kept) */
    }
    printf("random: %ld comparisons, %ld found a note; reader: %ld checks, %ld played the probe\n", calls, pitched,
           reader_checks, reader_notes);
    assert_true(pitched > calls / 20);
    assert_true(reader_notes > reader_checks / 20);
    abc_played_check_free(&reader);
    abc_stream_destroy(copy);
    abc_stream_destroy(st);
}

/* Constructs nested and left open, closed late, or ended by a bar line. */
static void test_hostile(void **state) {
    (void)state;
    static const char *const lines[] = {
        "\"x|{x|[K:x|{x|[K:x|{x|\"A|B", "{a|{a|{a|{a|}c d", "[K:x|[K:y|[K:z|]e", "!a|\"b|{c|+d e|f!g",
        "+a\"b|c+ d", "+ab|c{d|e}f +g+ A", "!x%y!B", "\"a%b\"C", "|[2,3-5 A|:: B:|[31 c|1,2 d",
        ">>>> A|>>> B <<<< c", "(3:2:3ABC (3abc (A) (", "^^^A|__=B|=^c|^_=^d", "A%B", "[K:|[K:]A",
        "!!!!!A", "++++ B", "{{{{}c", "]]]]d", "\"\"\"e", "|||:::||::|]A",
    };
    char err[256];
    calls = pitched = 0;
    for (size_t k = 0; k < sizeof lines / sizeof *lines; k++) {
        abc_stream *st = abc_stream_create(NULL, no_note, NULL, err, sizeof err);
        assert_non_null(st);
        const char *h = "X:1\nK:F\n";
        assert_int_equal(abc_stream_feed(st, h, strlen(h)), LJ_OK);
        for (size_t chunk = 1; chunk <= 3; chunk++) {
            rng_state = chunk;
            feed_compare(st, lines[k], strlen(lines[k]), chunk, lines[k]);
            assert_int_equal(abc_stream_feed(st, "\n", 1), LJ_OK);
        }
        abc_stream_destroy(st);
    }
    printf("hostile: %ld comparisons, %ld found a note\n", calls, pitched);
    assert_true(pitched > 0);
}

/* --------------------------------------------------- against the reader */

/* Where the reader fails and resyncs inside text the stream has not cut (no
 * space; a quote holds the line open): each line ends just before the probe
 * note; pitch is what the reader plays for the probe (-1: nothing), in K:C.
 * The resync after an error starts after the byte the error names. Before
 * the fix the predictor answered -1 for the lines marked "was -1". */
static const struct {
    const char *line, *note;
    int pitch;
} resync_lines[] = {
    /* the audit's reproduction (generate, the chars model of
     * test_generate_abc, seed 7, --key A --pitch-range C2:B3: a C#4 through
     * the mask after 292 errors), from the stream's last cut: "^|" names the
     * bar line, so the reader resumes at the next one, inside the quote,
     * and plays the C after the empty chord symbol; was -1 */
    {"D,d,,a,,A,A,^|2d,,\"EccGee/ADFAdBBbaBE_g,FAgFFFabAD=eccgD\"a,,2A,D,D,d,,\"eCaagaafg|,cC_gabbCDCdeBFdEbDgcf2=cD|"
     "4_c,|D,D,A,^c,,\"\"",
     "C", 61},
    {"A^|2B\"x|,c|D^c\"\"", "C", 61},   /* the same, short; was -1 */
    {"A\"|D", "C", -1},                   /* an unclosed quote names the byte after it: no resync there; was 60 */
    {"A\"|D|", "E", 64},
    {"C,,,,,,\"|D\"\"", "E", 64},         /* a note below pitch 0 is an error; was -1 */
    {"c'''''\"|D\"\"", "E", 64},          /* above 127 */
    {"C5000\"|D\"\"", "E", 64},           /* a length over 4096; was -1 */
    {"C0\"|D\"\"", "E", 64},              /* a length of 0; was -1 */
    {"C/0\"|D\"\"", "E", 64},             /* a divisor of 0; was -1 */
    {"z///////////////////\"|D\"\"", "E", 64}, /* a divisor over 4096 * 64; was -1 */
    {"X20000\"|D\"\"", "E", 64},          /* a multi-bar rest over 10000 bars; was -1 */
    {"X/\"|D\"\"", "E", 64},              /* a bar count takes no '/'; was -1 */
    {"A^|2\"x|,8\"|D\"\"", "E", 64},       /* "|,8" is no ending: ',' is the error */
    {"A2/4/8\"|D\"", "E", 64},             /* lengths the reader takes */
    {"X12C", "E", 64},
    {"(99ABC\"|D\"\"", "E", 64},          /* a tuplet number over 64; was -1 */
    {"(1ABC\"|D\"\"", "E", 64},           /* a tuplet of 1; was -1 */
    {"(3:2:3:D", "E", 64},                 /* a fourth ':' is a dotted bar */
};

static void test_reader_resyncs(void **state) {
    (void)state;
    const char *head = "X:1\nL:1/8\nK:C\n";
    abc_played_check played;
    assert_int_equal(abc_played_check_init(&played, NULL), 0);
    for (size_t k = 0; k < sizeof resync_lines / sizeof *resync_lines; k++) {
        const char *line = resync_lines[k].line, *note = resync_lines[k].note;
        int want = resync_lines[k].pitch;
        char more[512];
        snprintf(more, sizeof more, "%s%s", line, note);
        abc_stream *st = abc_stream_create(NULL, no_note, NULL, NULL, 0);
        assert_non_null(st);
        assert_int_equal(abc_stream_feed(st, head, strlen(head)), LJ_OK);
        /* all unread: the scanners read it whole */
        if (abc_stream_note_pitch(st, more, strlen(more)) != want ||
            abc_stream_note_pitch_naive(st, more, strlen(more)) != want) {
            fprintf(stderr, "%s + %s unread: scanner %d, naive %d, reader plays %d\n", line, note,
                    abc_stream_note_pitch(st, more, strlen(more)), abc_stream_note_pitch_naive(st, more, strlen(more)),
                    want);
            fail();
        }
        /* fed: the stream reads what it can cut, the scanners the rest */
        assert_int_equal(abc_stream_feed(st, line, strlen(line)), LJ_OK);
        int made, heard = abc_played_pitch(&played, st, note, strlen(note), &made);
        int fast = abc_stream_note_pitch(st, note, strlen(note)), naive = abc_stream_note_pitch_naive(st, note, strlen(note));
        if (heard != want || fast != want || naive != want || made != (want >= 0)) {
            fprintf(stderr, "%s + %s fed: reader plays %d (%d notes), scanner %d, naive %d, expected %d\n", line, note,
                    heard, made, fast, naive, want);
            fail();
        }
        abc_stream_destroy(st);
    }
    abc_played_check_free(&played);
}

/* ---------------------------------------------------------------- timing */

typedef enum { LONG_NOTES, LONG_QUOTE, LONG_BRACES, LONG_BLANKS, LONG_KINDS } long_kind;
static const char *const long_names[LONG_KINDS] = {"notes, no space", "unclosed quote", "\"{A|\" repeated",
                                                   "blanks then a note"};

static void make_long(char *out, size_t n, long_kind kind) {
    for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case LONG_NOTES: out[i] = "CDEFGABcdefgab"[i % 14]; break;
        case LONG_QUOTE: out[i] = i == 0 ? '"' : "abcdefg"[i % 7]; break;
        case LONG_BRACES: out[i] = "{A|"[i % 3]; break;
        default: out[i] = i + 1 == n ? 'A' : ' '; break;
        }
    }
}

/* Seconds to feed the line a byte at a time, asking the pitch after each
 * byte with every probe (as the key mask does), or with one (naive: the old
 * scan, too slow for more). */
static double time_line(const char *text, size_t n, int naive) {
    char err[256];
    abc_stream *st = abc_stream_create(NULL, no_note, NULL, err, sizeof err);
    assert_non_null(st);
    const char *h = "X:1\nK:D\n";
    assert_int_equal(abc_stream_feed(st, h, strlen(h)), LJ_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0); /* CPU time: the machine is shared */
    long sum = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(abc_stream_feed(st, text + i, 1), LJ_OK);
        if (naive) {
            sum += abc_stream_note_pitch_naive(st, "^c", 2);
            continue;
        }
        for (size_t k = 0; k < N_PROBES; k++) sum += abc_stream_note_pitch(st, probes[k], strlen(probes[k]));
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    assert_true(sum >= -(long)(n * N_PROBES)); /* (uses the answers) */
    abc_stream_destroy(st);
    return (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
}

static double best_of_2(const char *text, size_t n) {
    double best = 1e9;
    for (int r = 0; r < 2; r++) {
        double t = time_line(text, n, 0);
        if (t < best) best = t;
    }
    return best;
}

static void test_long_lines_linear(void **state) {
    (void)state;
    enum { LONG = 60000, SHORT = 15000 };
    static char text[LONG];
    /* LJ_PITCH_BENCH_NAIVE=BYTES: also time the naive twin on lines of BYTES */
    size_t bench_naive = getenv("LJ_PITCH_BENCH_NAIVE") ? (size_t)atol(getenv("LJ_PITCH_BENCH_NAIVE")) : 0;
    if (bench_naive > LONG) bench_naive = LONG;
    for (int k = 0; k < LONG_KINDS; k++) {
        make_long(text, LONG, (long_kind)k);
        double t_long = best_of_2(text, LONG);
        make_long(text, SHORT, (long_kind)k);
        double t_short = best_of_2(text, SHORT);
        printf("%-20s 60 KB %.4f s CPU, 15 KB %.4f s (x%.1f)", long_names[k], t_long, t_short,
               t_long / (t_short > 0 ? t_short : 1e-9));
        if (bench_naive) {
            make_long(text, bench_naive, (long_kind)k);
            printf("; naive, one probe a byte: %zu bytes %.2f s", bench_naive, time_line(text, bench_naive, 1));
        }
        printf("\n");
        assert_true(t_long < 2.0);
        /* linear: about 4x; quadratic: 16x (a floor of 20 ms keeps timer noise out) */
        assert_true(t_long < 8.0 * t_short || t_long < 0.02);
    }
}

/* "corpus": the Nottingham comparison alone (its own ctest, labelled slow:
 * 2.6 M comparisons, left out of the sanitizer pass); else the rest. */
int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "corpus")) {
        const struct CMUnitTest corpus[] = {cmocka_unit_test(test_corpus)};
        return cmocka_run_group_tests(corpus, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_reader_resyncs),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_long_lines_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
