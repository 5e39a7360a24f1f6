/* The abc grammar (src/encode/abc_grammar.c): hand-written valid token
 * sequences pass token by token; each invalid one is refused at the token
 * that breaks it (a tie to another pitch, a length after a bar line or after
 * another length, header order, tuplets cut by a bar, unbalanced repeats,
 * unclosed chords, early ends); tokens no reader takes are never offered;
 * random walks through the grammar over a vocabulary of every token class
 * render to ABC that lstmjam's reader reads with no resync and that holds
 * every note it should; the engine samples an abc tokens model under the
 * grammar (its history is a valid stream) and allocates nothing per step;
 * generate's sampling and beam search under the grammar write valid streams
 * where the raw model does not;
 * mask and advance allocate nothing; create survives every allocation
 * failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "abc.h"
#include "abc_grammar.h"
#include "alloc_fail.h"
#include "encoding.h"
#include "engine/engine.h"
#include "engine_fixture.h"
#include "generate.h"

/* Every token class, the way the tokens variant names them. */
static const char *const all_names[] = {
    "<s>", "</s>", "M:4/4", "M:6/8", "M:3/4", "M:2/4", "M:C", "L:1/8", "L:1/16", "L:1/4", "K:C", "K:G", "K:Dmix", "K:Am", "R:reel",
    "C", "D", "E", "F", "G", "A", "B", "c", "d", "e", "f", "g", "a", "b", "c'", "A,", "B,", "C,", "F,", "=B",
    "^F", "^f", "=f", "=F", "_B", "_b", "^c", "^C", "^G", "^g", "=c", "^^f", "__B", "z", "x",
    "2", "3", "4", "6", "7", "8", "/2", "3/2", "/", ">", "<", "-", "(3", "(2", "(3:2:2", "[", "]",
    "\"Am\"", "\"G\"", "\"D7\"", "[K:D]", "[M:3/4]", "|", "||", "|:", ":|", "::", "|]", "[|", "|1",
    ":|2", "[1", "[2",
    /* never valid: no reader takes them */
    "0", "2/0", "^_c", "\"x\"", "M:fast", "K:H", "Z",
};
#define N_NAMES (sizeof all_names / sizeof *all_names)

static vocab *make_vocab(void) {
    vocab *v = vocab_create();
    assert_non_null(v);
    for (size_t k = 0; k < N_NAMES; k++) {
        int32_t id;
        assert_int_equal(vocab_add(v, all_names[k], strlen(all_names[k]), &id), LJ_OK);
    }
    return v;
}

static abc_grammar *make_grammar_with(vocab **vout, unsigned flags) {
    vocab *v = make_vocab();
    abc_grammar *g = NULL;
    char err[256];
    assert_int_equal(abc_grammar_create(v, flags, &g, err, sizeof err), LJ_OK);
    *vout = v;
    return g;
}

static abc_grammar *make_grammar(vocab **vout) { return make_grammar_with(vout, 0); }

static int32_t id_of(const vocab *v, const char *name) {
    int32_t id = vocab_find(v, name, strlen(name));
    if (id < 0) fail_msg("no token '%s' in the test vocabulary", name);
    return id;
}

/* Feeds the space-separated tokens of seq from a reset state. Returns the
 * index (0-based) of the first token the grammar refuses, or -1 when every
 * token is allowed. */
static int first_refused(const abc_grammar *g, const vocab *v, const char *seq, abc_grammar_state *s) {
    abc_grammar_reset(g, s);
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", seq);
    int i = 0;
    for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save), i++) {
        int32_t id = id_of(v, t);
        int allows = abc_grammar_allows(g, s, id);
        uint8_t mask[N_NAMES];
        abc_grammar_mask(g, s, mask);
        assert_int_equal(mask[id], allows); /* mask and allows agree */
        if (!abc_grammar_advance(g, s, id)) return i;
    }
    return -1;
}

static void test_valid_sequences(void **state) {
    (void)state;
    vocab *v;
    abc_grammar *g = make_grammar(&v);
    static const char *const valid[] = {
        "<s> M:4/4 L:1/8 K:C A 2 B c | d 4 c 2 B 2 |] </s>",
        "<s> K:C A B | c d | </s>",                                     /* ends on a plain bar */
        "<s> L:1/8 M:6/8 R:reel K:G A 2 - A B c | d 3 - | d 3 e f g |] </s>", /* ties, over a bar */
        "<s> K:C ^f 2 - ^f 2 - | ^f 4 |] </s>",                         /* tied accidental re-written */
        "<s> K:C ^f 2 f 2 - f 4 |] </s>",                               /* f keeps ^ in the bar */
        "<s> K:G f 2 - | f 4 |] </s>",                                  /* the key's F# */
        "<s> K:C (3 A B c d 2 | [ C E G ] 2 [ C 2 E 2 ] 2 |] </s>",      /* tuplet, chords */
        "<s> K:C (3:2:2 A B c 2 | \"Am\" A > B \"G\" G < A |] </s>",     /* r = 2 elements */
        "<s> K:C |: A B c d :| [2 e f g a |] </s>",                     /* repeat, second ending */
        "<s> K:C |: A B |1 c d :|2 e f |] </s>",
        "<s> K:C A B :: c d :| e f |] </s>",
        "<s> K:C A B | [K:D] c d [M:3/4] e | f 3/2 g / a z |] </s> <s> K:Am e 4 |] </s>",
        "<s> K:Dmix A B C, 2 x 2 || c' 4 [| _B 2 =B 2 |] </s>",
    };
    abc_grammar_state s;
    for (size_t k = 0; k < sizeof valid / sizeof *valid; k++) {
        int at = first_refused(g, v, valid[k], &s);
        if (at >= 0) fail_msg("valid sequence %zu refused at token %d: %s", k, at, valid[k]);
        assert_int_equal(s.phase, ABC_GPHASE_OUTSIDE);
        assert_int_equal(s.violations, 0);
    }
    abc_grammar_destroy(g);
    vocab_destroy(v);
}

static void test_invalid_sequences(void **state) {
    (void)state;
    vocab *v;
    abc_grammar *g = make_grammar(&v);
    static const struct {
        const char *seq;
        int refused_at;
    } invalid[] = {
        {"<s> K:C A 2 - B", 5},           /* tie to another pitch ("Could not find note to be tied") */
        {"<s> K:C A 2 - | B", 6},
        {"<s> K:C ^f 2 - | f", 6},        /* after the bar f is natural */
        {"<s> K:C ^f 2 - | =f", 6},
        {"<s> K:C ^F f 2 - | ", 6},        /* f is ^f or f by the rule in use: no bar */
        {"<s> K:C ^F f 2 - ^f", 6},
        {"<s> K:C A - z", 4},             /* tie to a rest */
        {"<s> K:C A 2 - |]", 5},          /* tie at the end */
        {"<s> K:C A - :|", 4},            /* a tie crosses a plain bar only */
        {"<s> K:C A B | 2", 5},           /* length after a bar ("Unrecognized character: 2") */
        {"<s> K:C A 2 3", 4},             /* length after a length */
        {"<s> K:C A 2 /2", 4},            /* ("stray /") */
        {"<s> K:C 2", 2},                 /* length before any note */
        {"<s> </s>", 1},                  /* empty tune */
        {"<s> M:4/4 M:6/8", 2},           /* a field twice */
        {"<s> M:4/4 A", 2},               /* music before K: */
        {"<s> K:C K:G", 2},               /* header over */
        {"A", 0},                         /* outside a tune: only <s> */
        {"<s> K:C A B </s>", 4},          /* end without a bar line */
        {"<s> K:C A B | <s>", 5},
        {"<s> K:C | A", 2},               /* empty bar */
        {"<s> K:C A | |", 4},
        {"<s> K:C (3 A B |", 5},          /* tuplet cut by a bar */
        {"<s> K:C (3 A B (3", 5},
        {"<s> K:C [ ]", 3},               /* empty chord */
        {"<s> K:C [ C E |", 5},           /* chord not closed */
        {"<s> K:C [ C z", 4},             /* rest in a chord */
        {"<s> K:C ]", 2},
        {"<s> K:C A > |", 4},             /* broken rhythm needs its second note */
        {"<s> K:C > A", 2},
        {"<s> K:C \"Am\" |", 3},          /* chord symbol needs its note */
        {"<s> K:C |: A B |: c", 5},       /* repeat opened twice */
        {"<s> K:C |: A B |]", 5},         /* tune ends inside a repeat */
        {"<s> K:C |: A B | </s>", 6},
        {"<s> K:C A B |1 c", 4},          /* first ending outside a repeat */
        {"<s> K:C A B | [2 c", 5},        /* second ending not after :| */
        {"<s> K:C A B |] A", 5},          /* after |] only </s> */
    };
    abc_grammar_state s;
    for (size_t k = 0; k < sizeof invalid / sizeof *invalid; k++) {
        int at = first_refused(g, v, invalid[k].seq, &s);
        if (at != invalid[k].refused_at)
            fail_msg("invalid sequence %zu refused at token %d, expected %d: %s", k, at, invalid[k].refused_at,
                     invalid[k].seq);
        assert_int_equal(s.violations, 1); /* advanced over, counted */
    }
    /* tokens no reader takes are never offered, anywhere */
    static const char *const never[] = {"0", "2/0", "^_c", "\"x\"", "M:fast", "K:H", "Z"};
    static const char *const contexts[] = {"<s>", "<s> K:C", "<s> K:C A", "<s> K:C A B |", "<s> K:C [ C"};
    for (size_t c = 0; c < sizeof contexts / sizeof *contexts; c++) {
        assert_int_equal(first_refused(g, v, contexts[c], &s), -1);
        for (size_t k = 0; k < sizeof never / sizeof *never; k++)
            assert_false(abc_grammar_allows(g, &s, id_of(v, never[k])));
    }
    assert_false(abc_grammar_allows(g, &s, -1));
    assert_false(abc_grammar_allows(g, &s, (int32_t)N_NAMES));
    abc_grammar_destroy(g);
    vocab_destroy(v);
}

/* The meter rule: bars fill M: in units of L: (a pickup and the bar before
 * a repeat's end or "|]" may be shorter); a note only where it fits; after a
 * default length that overfills, only a length; chords, tuplets and broken
 * rhythm leave their bar free. */
static void test_meter(void **state) {
    (void)state;
    vocab *v;
    abc_grammar *g = make_grammar_with(&v, ABC_GRAMMAR_METER);
    static const char *const valid[] = {
        "<s> M:4/4 L:1/8 K:C A 2 B c d 4 | c 8 |] </s>",
        "<s> M:6/8 L:1/8 K:G d | g 2 f e 2 d | c 6 |] </s>",         /* a pickup */
        "<s> M:2/4 L:1/8 K:C A 3 B /2 c /2 | d 4 | e 2 |] </s>",      /* a short last bar */
        "<s> M:3/4 K:C A 3 B 3 | c 6 :| </s>",                        /* L: 1/8 by default */
        "<s> M:2/4 K:C A 4 B 4 | c 8 |] </s>",                        /* L: 1/16 below 3/4 */
        "<s> M:C L:1/4 K:C A B c d | e 4 |] </s>",                    /* C is 4/4 */
        "<s> M:4/4 L:1/8 K:C A 2 - A 2 B 4 | [ C E ] 2 A 3 (3 A B c |] </s>", /* a free bar */
        "<s> M:4/4 L:1/8 K:C A 6 B 2 - | B 8 |] </s>",                /* a tie over a full bar */
    };
    abc_grammar_state s;
    for (size_t k = 0; k < sizeof valid / sizeof *valid; k++) {
        int at = first_refused(g, v, valid[k], &s);
        if (at >= 0) fail_msg("valid sequence %zu refused at token %d: %s", k, at, valid[k]);
    }
    static const struct {
        const char *seq;
        int refused_at;
    } invalid[] = {
        {"<s> M:4/4 L:1/8 K:C A 8 B", 6},             /* no room */
        {"<s> L:1/8 K:C", 2},                         /* no meter */
        {"<s> M:4/4 L:1/8 K:C A 8 | B 2 |", 9},       /* a short bar that is no pickup */
        {"<s> M:3/4 L:1/8 K:C A 4 B 3", 7},           /* overfilled by a length */
        {"<s> M:2/4 L:1/8 K:C A 3 B /2 c |", 9},      /* c overfills at its default: a length first */
        {"<s> M:4/4 L:1/8 K:C A 7 B 2", 7},
        {"<s> M:6/8 L:1/8 K:C A 2 B 2 | c 6 | d 2 - |", 15}, /* a tie over a bar that is not full */
        {"<s> M:4/4 L:1/8 K:C ^f 2 e 2 d 2 F, 2 -", 12}, /* F, is F or ^F by the rule: it can */
                                                        /* cross no bar, and the bar is full */
    };
    for (size_t k = 0; k < sizeof invalid / sizeof *invalid; k++) {
        int at = first_refused(g, v, invalid[k].seq, &s);
        if (at != invalid[k].refused_at)
            fail_msg("invalid sequence %zu refused at token %d, expected %d: %s", k, at, invalid[k].refused_at,
                     invalid[k].seq);
    }
    abc_grammar_destroy(g);
    vocab_destroy(v);
    /* a vocabulary that cannot fill the bar: the meter gives way, nothing is a dead end */
    vocab *w = vocab_create();
    static const char *const few[] = {"<s>", "</s>", "M:3/8", "L:1/4", "K:C", "A", "2", "|", "|]"};
    for (size_t k = 0; k < sizeof few / sizeof *few; k++) {
        int32_t id;
        assert_int_equal(vocab_add(w, few[k], strlen(few[k]), &id), LJ_OK);
    }
    char err[256];
    assert_int_equal(abc_grammar_create(w, ABC_GRAMMAR_METER, &g, err, sizeof err), LJ_OK);
    /* a bar of 1.5 quarters written in quarters: after the pickup, "A" leaves
     * half a quarter that nothing fills, so the bar line comes anyway */
    assert_int_equal(first_refused(g, w, "<s> M:3/8 L:1/4 K:C A | A", &s), -1);
    uint8_t mask[16];
    assert_true(abc_grammar_mask(g, &s, mask) > 0);
    assert_true(mask[vocab_find(w, "|", 1)]);
    assert_int_equal(first_refused(g, w, "<s> M:3/8 L:1/4 K:C A | A | A |] </s>", &s), -1);
    abc_grammar_destroy(g);
    vocab_destroy(w);
}

/* A vocabulary that is not the tokens variant's is refused. */
static void test_create_errors(void **state) {
    (void)state;
    vocab *v = vocab_create();
    int32_t id;
    assert_int_equal(vocab_add(v, "A", 1, &id), LJ_OK);
    abc_grammar *g = (abc_grammar *)1;
    char err[256] = "";
    assert_int_equal(abc_grammar_create(v, 0, &g, err, sizeof err), LJ_ERR_ARG);
    assert_null(g);
    assert_non_null(strstr(err, "<s>"));
    vocab_destroy(v);
    /* every allocation failure: LJ_ERR_NOMEM, nothing left */
    v = make_vocab();
    alloc_fail_reset(-1);
    assert_int_equal(abc_grammar_create(v, 0, &g, err, sizeof err), LJ_OK);
    long n = alloc_fail_count();
    abc_grammar_destroy(g);
    assert_true(n >= 1);
    for (long k = 0; k < n; k++) {
        alloc_fail_reset(k);
        assert_int_equal(abc_grammar_create(v, 0, &g, err, sizeof err), LJ_ERR_NOMEM);
        assert_null(g);
        assert_int_equal(alloc_fail_live(), 0);
    }
    alloc_fail_reset(-1);
    vocab_destroy(v);
}

static uint64_t rng_next(uint64_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

typedef struct count_notes {
    size_t n;
} count_notes;

static void on_note(void *user, const score_note *n) {
    (void)n;
    ((count_notes *)user)->n++;
}

/* Random walks through the grammar: at each step a uniformly drawn allowed
 * token (after 40 tokens of a tune, "|]", "</s>" or ":|" whenever allowed, so
 * tunes end). The rendered ABC must read with no resync, every note written must
 * sound (chord notes and tied notes included: a tie joins two written notes
 * into one), and mask/advance allocate nothing. */
static void random_walks(unsigned flags) {
    enc_opts o;
    enc_opts_default(&o, "abc");
    o.abc_variant = ENC_ABC_TOKENS;
    encoding *e;
    char err[256];
    assert_int_equal(enc_create("abc", &o, &e, err, sizeof err), LJ_OK);
    vocab *v = make_vocab();
    /* the encoding takes only names it can decode: the never-valid ones too
     * (they are tokens of the variant; the grammar refuses them) */
    assert_int_equal(enc_set_vocab(e, v, err, sizeof err), LJ_OK);
    abc_grammar *g;
    assert_int_equal(abc_grammar_create(enc_vocab(e), flags, &g, err, sizeof err), LJ_OK);
    const vocab *ev = enc_vocab(e);
    int32_t end_bar = id_of(ev, "|]"), eos = id_of(ev, "</s>"), tie = id_of(ev, "-"),
            repeat_end = id_of(ev, ":|");
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    enum { TUNES = 300, MAX_TOKENS = 1000 };
    int32_t ids[MAX_TOKENS];
    uint8_t mask[N_NAMES];
    size_t total_tokens = 0, total_notes = 0;
    for (int tune = 0; tune < TUNES; tune++) {
        abc_grammar_state s;
        abc_grammar_reset(g, &s);
        size_t n = 0, notes_written = 0, ties = 0;
        alloc_fail_reset(-1);
        while (n < MAX_TOKENS) {
            size_t allowed = abc_grammar_mask(g, &s, mask);
            assert_true(allowed > 0); /* never a dead end */
            int32_t tok = -1;
            if (n > 40 && mask[end_bar]) tok = end_bar;
            else if (n > 40 && mask[eos]) tok = eos;
            else if (n > 40 && mask[repeat_end]) tok = repeat_end;
            else {
                size_t pick = (size_t)(rng_next(&rng) % allowed);
                for (size_t k = 0; k < N_NAMES && tok < 0; k++)
                    if (mask[k] && pick-- == 0) tok = (int32_t)k;
            }
            assert_int_equal(abc_grammar_advance(g, &s, tok), 1);
            ids[n++] = tok;
            size_t len;
            const char *name = vocab_name(ev, tok, &len);
            char c = name[0];
            if ((c >= 'A' && c <= 'G') || (c >= 'a' && c <= 'g') || c == '^' || c == '_' || c == '=')
                notes_written++;
            ties += tok == tie;
            if (tok == eos) break;
        }
        assert_int_equal(alloc_fail_count(), 0);
        assert_int_equal(ids[n - 1], eos); /* every walk ends its tune */
        assert_int_equal(s.violations, 0);
        char *text;
        size_t tl;
        assert_int_equal(enc_abc_text(e, ids, n, &text, &tl), LJ_OK);
        count_notes cn = {0};
        abc_stream *st = abc_stream_create(NULL, on_note, &cn, err, sizeof err);
        assert_non_null(st);
        assert_int_equal(abc_stream_feed(st, text, tl), LJ_OK);
        assert_int_equal(abc_stream_finish(st), LJ_OK);
        if (abc_stream_errors(st)) fail_msg("walk %d: %ld resyncs (%s) in\n%s", tune, abc_stream_errors(st), err, text);
        /* chord symbols sound as chords too (part 1): at least the melody */
        if (cn.n < notes_written - ties)
            fail_msg("walk %d: %zu notes heard, %zu written, %zu ties:\n%s", tune, cn.n, notes_written, ties, text);
        abc_stream_destroy(st);
        /* the whole-book reader reads it too, with no error */
        score_book book;
        memset(&book, 0, sizeof book);
        if (abc_read_mem(text, tl, "walk", NULL, &book, err, sizeof err) != LJ_OK)
            fail_msg("walk %d: %s in\n%s", tune, err, text);
        score_book_clear(&book);
        free(text);
        total_tokens += n;
        total_notes += notes_written;
    }
    fprintf(stderr, "  %s: %d walks, %zu tokens, %zu notes, no resync\n", flags ? "meter" : "syntax", TUNES,
            total_tokens, total_notes);
    abc_grammar_destroy(g);
    enc_destroy(e);
}

static void test_random_walks(void **state) {
    (void)state;
    random_walks(0);
    random_walks(ABC_GRAMMAR_METER);
}

/* The engine with an abc tokens model of random weights: without the grammar
 * almost every tune is broken; with it the engine's history since its last
 * fresh start is a valid stream, the decoder reads past nothing, and steps
 * allocate nothing. */
static void test_engine(void **state) {
    (void)state;
    char path[] = "/tmp/lstmjam-abcgrammar-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    vocab *v = make_vocab();
    assert_int_equal(fixture_write_model(path, "abc", v, "variant=tokens", 32, 7), 0);
    vocab_destroy(v);
    engine_model *m;
    char err[512];
    assert_int_equal(engine_model_load(path, &m, err, sizeof err), LJ_OK);
    unlink(path);
    for (int grammar = 0; grammar <= 2; grammar++) { /* off, syntax, with the meter */
        size_t qb = rtq_bytes(1 << 14, sizeof(lj_event));
        void *qmem = aligned_alloc(64, (qb + 63) / 64 * 64);
        rtq *q = rtq_init(qmem, qb, 1 << 14, sizeof(lj_event));
        engine_config c;
        engine_config_default(&c);
        c.out = q;
        c.abc_grammar = grammar;
        c.reseed_seconds = 0; /* fresh starts only at the model's "</s>" */
        c.ngram_window = ENGINE_MAX_HISTORY; /* the history holds a whole tune */
        engine *e;
        assert_int_equal(engine_create(m, &c, &e, err, sizeof err), LJ_OK);
        uint64_t clock = 0;
        for (int p = 0; p < 50; p++, clock += 128) { /* warm up */
            engine_fill(e, clock);
            lj_event ev;
            while (rtq_pop(q, &ev)) {
            }
        }
        abc_grammar *g;
        assert_int_equal(abc_grammar_create(enc_vocab(engine_model_enc(m)), 0, &g, err, sizeof err), LJ_OK);
        /* every 100 periods the history since the last fresh start is
         * replayed through a grammar of its own */
        size_t checked = 0, outside = 0;
        alloc_fail_reset(-1);
        for (int p = 0; p < 48000 * 120 / 128; p++, clock += 128) { /* two minutes of music */
            engine_fill(e, clock);
            lj_event ev;
            while (rtq_pop(q, &ev)) {
            }
            if (p % 100 == 0) {
                const int32_t *hist;
                int complete;
                size_t n = engine_history(e, &hist, &complete);
                assert_true(complete);
                abc_grammar_state s;
                abc_grammar_reset(g, &s);
                for (size_t i = 0; i < n; i++) abc_grammar_advance(g, &s, hist[i]);
                checked += n;
                outside += s.violations;
            }
        }
        long allocs = alloc_fail_count();
        engine_stats st;
        engine_get_stats(e, &st);
        fprintf(stderr, "  grammar %s: %llu steps, %llu notes, %llu resyncs, %llu re-seeds, %zu history tokens "
                "checked, %zu outside the grammar, %ld allocations\n", grammar == 2 ? "meter" : grammar ? "syntax" : "off",
                (unsigned long long)st.steps, (unsigned long long)st.notes, (unsigned long long)st.resyncs,
                (unsigned long long)st.reseeds, checked, outside, allocs);
        assert_true(st.steps > 200);
        assert_int_equal(allocs, 0);
        if (grammar) {
            assert_true(checked > 1000);
            assert_int_equal(outside, 0);
            assert_int_equal(st.resyncs, 0);
            assert_int_equal(st.grammar_dead_ends, 0);
            assert_true(st.notes > 0);
        } else {
            assert_true(outside > 0); /* the raw random model writes invalid ABC */
            assert_true(st.resyncs > 0);
        }
        abc_grammar_destroy(g);
        engine_destroy(e);
        free(qmem);
    }
    engine_model_destroy(m);
}


/* generate with an abc tokens model of random weights: sampling and beam
 * search under the grammar give streams the grammar accepts whole (no
 * violation, no dead end) and the text reads with no resync; --no-grammar
 * (abc_grammar = 0) gives the raw model's invalid ABC. */
static void test_generate(void **state) {
    (void)state;
    char path[] = "/tmp/lstmjam-abcgrammar-gen-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    vocab *v = make_vocab();
    assert_int_equal(fixture_write_model(path, "abc", v, "variant=tokens", 32, 11), 0);
    vocab_destroy(v);
    engine_model *m;
    char err[512];
    assert_int_equal(engine_model_load(path, &m, err, sizeof err), LJ_OK);
    unlink(path);
    const encoding *e = engine_model_enc(m);
    const lj_model *lstm = engine_model_lstm(m);
    abc_grammar *g;
    assert_int_equal(abc_grammar_create(enc_vocab(e), 0, &g, err, sizeof err), LJ_OK);
    int32_t bos = id_of(enc_vocab(e), "<s>");
    for (int grammar = 0; grammar <= 1; grammar++) {
        gen_opts o;
        gen_opts_default(&o);
        o.abc_grammar = grammar;
        o.unit = GEN_PIECES;
        o.length = 3;
        o.max_steps = 3000;
        o.seed = 5;
        generator *gen;
        assert_int_equal(gen_create(&gen, lstm, e, &o, 1, err, sizeof err), LJ_OK);
        assert_int_equal(gen_prime(gen, &bos, 1), LJ_OK);
        alloc_fail_reset(-1);
        while (!gen_done(gen)) gen_step(gen);
        assert_int_equal(alloc_fail_count(), 0);
        gen_stats gs;
        gen_get_stats(gen, &gs);
        size_t n;
        const int32_t *ids = gen_ids(gen, &n);
        abc_grammar_state s;
        abc_grammar_reset(g, &s);
        for (size_t i = 0; i < n; i++) abc_grammar_advance(g, &s, ids[i]);
        fprintf(stderr, "  sampling, grammar %s: %zu tokens, %zu pieces, %zu resyncs, %u outside the grammar, "
                "masked %.3f of p per token, model NLL %.3f nats/token\n", grammar ? "on" : "off", gs.steps,
                gs.pieces, gs.resyncs, s.violations, gs.steps ? gs.grammar_mass / (double)gs.steps : 0.0,
                gs.steps ? -gs.logprob_model / (double)gs.steps : 0.0);
        if (grammar) {
            assert_int_equal(gs.pieces, 3);
            assert_int_equal(s.violations, 0);
            assert_int_equal(gs.grammar_violations, 0);
            assert_int_equal(gs.grammar_dead_ends, 0);
            assert_int_equal(gs.resyncs, 0);
            assert_true(gs.grammar_mass > 0); /* the random model's mass on invalid tokens went */
            assert_true(gs.logprob >= gs.logprob_model); /* renormalised: each draw at least as likely */
        } else {
            assert_true(s.violations > 0);
            assert_true(gs.grammar_mass == 0);
            assert_true(gs.logprob == gs.logprob_model); /* nothing masked: the model's own */
        }
        gen_destroy(gen);
        /* beam search of width 3 */
        int32_t *bids;
        size_t bn;
        double lp;
        assert_int_equal(gen_beam(lstm, e, &o, 3, 300, &bos, 1, &bids, &bn, &lp, err, sizeof err), LJ_OK);
        abc_grammar_reset(g, &s);
        for (size_t i = 0; i < bn; i++) abc_grammar_advance(g, &s, bids[i]);
        if (grammar) assert_int_equal(s.violations, 0);
        else assert_true(s.violations > 0);
        free(bids);
    }
    abc_grammar_destroy(g);
    engine_model_destroy(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_sequences),
        cmocka_unit_test(test_invalid_sequences),
        cmocka_unit_test(test_meter),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_random_walks),
        cmocka_unit_test(test_engine),
        cmocka_unit_test(test_generate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
