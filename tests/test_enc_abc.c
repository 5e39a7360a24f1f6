/* The abc encoding (src/encode/abctext.c): folk-rnn tokens from hand-derived
 * text; every tune of the hand-picked ABC files (and, when present, all 1034
 * Nottingham tunes) decodes to the same notes through the tokens variant as
 * through its characters, and the characters to the notes the ABC reader
 * reads; rendered tokens re-encode to the same ids; malformed text is read
 * past and counted; chord symbols sound from the onset of their note in the
 * step decoder (and as the whole-text decoder plays them on every Nottingham
 * tune but 2, also a note tied over several symbols); primer errors name line:column; after a primer
 * enc_decoder_release keeps the tune open (the model's notes play, the primer's
 * do not again); model files' "chars"
 * loads as abc; decoding allocates nothing per step; decoder creation survives
 * every allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abc.h"
#include "abctext.h"
#include "alloc_fail.h"
#include "encoding.h"
#include "files.h"

static encoding *make(enc_abc_variant variant) {
    enc_opts o;
    enc_opts_default(&o, "abc");
    o.abc_variant = variant;
    encoding *e;
    char err[256];
    if (enc_create("abc", &o, &e, err, sizeof err) != LJ_OK) fail_msg("%s", err);
    return e;
}

/* The names of set's piece p joined by spaces. */
static void names(const encoding *e, const tokset *set, size_t p, char *buf, size_t cap) {
    size_t at = 0;
    buf[0] = 0;
    for (size_t i = set->start[p]; i < set->start[p] + tokset_piece_len(set, p); i++) {
        size_t len;
        const char *n = vocab_name(enc_vocab(e), set->ids[i], &len);
        at += (size_t)snprintf(buf + at, cap - at, "%s%.*s", at ? " " : "", (int)len, n);
    }
}

/* enc_decoder_release after a primer (the engine's continue and respond
 * modes; its cuts): the primer's notes are read and end there, also the last
 * ones the reader still held (a primer ends mid-line), and the tune stays
 * open, so the notes the model writes on in it play, and only those; a
 * chars model's line break right after does not end the tune. With
 * enc_decoder_flush the tune is closed: the same notes play nothing. */
static size_t continue_after(encoding *e, int release, const char *const *more, size_t n_more, uint8_t *pitches) {
    static const char primer[] = "X:1\nM:4/4\nL:1/8\nK:C\nC2 D2 E2 F2|G2 A2 B2 c2|";
    tokset p = {0};
    char err[256];
    assert_int_equal(enc_encode_text(e, primer, sizeof primer - 1, "primer", 1, &p, NULL, err, sizeof err), LJ_OK);
    enc_decoder *d;
    assert_int_equal(enc_decoder_create(e, &d, err, sizeof err), LJ_OK);
    static enc_event ev[ENC_MAX_STEP_EVENTS];
    int sounding = 0; /* the primer's notes: all read and ended by the release (or flush) */
    for (size_t i = 0; i < p.n_ids; i++) {
        size_t m = enc_decoder_step(d, p.ids[i], ev);
        for (size_t k = 0; k < m; k++) sounding += ev[k].type == ENC_NOTE_ON ? 1 : -1;
    }
    size_t n = release ? enc_decoder_release(d, ev) : enc_decoder_flush(d, ev), ons = 0;
    for (size_t k = 0; k < n; k++) sounding += ev[k].type == ENC_NOTE_ON ? 1 : -1;
    assert_int_equal(sounding, 0);
    for (size_t i = 0; i <= n_more; i++) {
        size_t m;
        if (i < n_more) {
            int32_t id = vocab_find(enc_vocab(e), more[i], strlen(more[i]));
            assert_true(id >= 0);
            m = enc_decoder_step(d, id, ev);
        } else {
            m = enc_decoder_flush(d, ev);
        }
        for (size_t k = 0; k < m; k++)
            if (ev[k].type == ENC_NOTE_ON) pitches[ons++] = (uint8_t)ev[k].pitch;
    }
    enc_decoder_destroy(d);
    tokset_free(&p);
    return ons;
}

static void test_release_keeps_tune(void **state) {
    (void)state;
    static const char book[] = "X:1\nM:4/4\nL:1/8\nK:C\nC2 D2 E2 F2|G2 A2 B2 c2|c2 f d cdec|]\n";
    static const uint8_t want[] = {72, 77, 74, 72, 74, 76, 72};
    for (int variant = 0; variant < 2; variant++) {
        encoding *e = make(variant ? ENC_ABC_TOKENS : ENC_ABC_CHARS);
        tokset b = {0};
        char err[256];
        assert_int_equal(enc_encode_text(e, book, sizeof book - 1, "book", 0, &b, NULL, err, sizeof err), LJ_OK);
        tokset *sets[1] = {&b};
        assert_int_equal(enc_finish_vocab(e, sets, 1), LJ_OK);
        static const char *const toks[] = {"c", "2", "f", "d", "c", "d", "e", "c", "|"};
        static const char *const chars[] = {"\n", "c", "2", " ", "f", " ", "d", " ", "c", "d", "e", "c", "|"};
        const char *const *more = variant ? toks : chars;
        size_t n_more = variant ? sizeof toks / sizeof *toks : sizeof chars / sizeof *chars;
        uint8_t got[64];
        size_t n = continue_after(e, 1, more, n_more, got);
        fprintf(stderr, "  %s: %zu notes after the primer with release:", variant ? "tokens" : "chars", n);
        for (size_t i = 0; i < n; i++) fprintf(stderr, " %d", got[i]);
        fprintf(stderr, "\n");
        assert_int_equal(n, sizeof want);
        assert_memory_equal(got, want, sizeof want);
        assert_int_equal(continue_after(e, 0, more, n_more, got), 0); /* flushed: the tune is closed */
        tokset_free(&b);
        enc_destroy(e);
    }
}

static void test_tokens_by_hand(void **state) {
    (void)state;
    const char *text =
        "% a comment\nX:1\nT:Title\nM:6/8\nL:1/8\nQ:1/4=120\nK:G maj\n"
        "|:\"G\"GAB c2d|e>f g/2a/ (3bag [CEG]2 z|1 ~A3 !trill!B{c}d:|2 (Bc)^f' =C,,|]\n"
        "[K:D] __e [1 d-d ::\n\nX:2\nK:Am\nA4|\n";
    encoding *e = make(ENC_ABC_TOKENS);
    tokset set = {0};
    char err[256];
    assert_int_equal(enc_encode_text(e, text, strlen(text), "hand", 0, &set, NULL, err, sizeof err), LJ_OK);
    assert_int_equal(set.n_pieces, 2);
    char buf[2048];
    names(e, &set, 0, buf, sizeof buf);
    assert_string_equal(buf,
        "<s> M:6/8 L:1/8 K:Gmaj |: \"G\" G A B c 2 d | e > f g /2 a / (3 b a g [ C E G ] 2 z |1 "
        "A 3 B d :|2 B c ^f' =C,, |] [K:D] __e [1 d - d :: </s>");
    names(e, &set, 1, buf, sizeof buf);
    assert_string_equal(buf, "<s> K:Am A 4 | </s>");
    /* Rendered back as text: a tie sits on the note's length ("c2-", which
     * abc2midi needs), but stays apart from an ending ("[1 -" is no range). */
    tokset ties = {0};
    const char *tied = "X:3\nL:1/8\nK:C\nc2-c2 d/-d/ [1 d-d|\n";
    assert_int_equal(enc_encode_text(e, tied, strlen(tied), "ties", 0, &ties, NULL, err, sizeof err), LJ_OK);
    char *rendered = NULL;
    size_t rlen = 0;
    assert_int_equal(enc_abc_text(e, ties.ids, ties.n_ids, &rendered, &rlen), LJ_OK);
    assert_non_null(strstr(rendered, "c2-c2d/-d/[1d-d|"));
    free(rendered);
    tokset_free(&ties);
    /* every name is one token of the variant (what enc_set_vocab checks) */
    assert_int_equal(enc_finish_vocab(e, (tokset *[]){&set}, 1), LJ_OK);
    enc_decoder *d;
    assert_int_equal(enc_decoder_create(e, &d, err, sizeof err), LJ_OK);
    enc_decoder_destroy(d);
    tokset_free(&set);
    enc_destroy(e);
}

typedef struct tune_list {
    char *text;          /* all books, one after the other */
    size_t len;
    size_t starts[1200]; /* each tune's X: line */
    size_t lens[1200];
    size_t n;
} tune_list;

static void add_book(tune_list *tl, const char *path) {
    uint8_t *data;
    size_t len;
    char err[256];
    if (lj_file_read(path, &data, &len, err, sizeof err) != LJ_OK) fail_msg("%s", err);
    tl->text = realloc(tl->text, tl->len + len + 2);
    assert_non_null(tl->text);
    memcpy(tl->text + tl->len, data, len);
    free(data);
    size_t base = tl->len;
    tl->len += len;
    tl->text[tl->len++] = '\n';
    const char *t = tl->text + base;
    size_t start = SIZE_MAX;
    for (size_t i = 0; i <= len; i++) {
        int at_x = i + 1 < len && (i == 0 || t[i - 1] == '\n') && t[i] == 'X' && t[i + 1] == ':';
        if ((at_x || i == len) && start != SIZE_MAX && tl->n < 1200) {
            tl->starts[tl->n] = base + start;
            tl->lens[tl->n++] = i - start;
        }
        if (at_x) start = i;
    }
}

/* Notes of a decoded piece, for comparison. */
static score *decode_piece(const encoding *e, const tokset *set, size_t p) {
    score *s;
    char err[256];
    if (enc_decode(e, set->ids + set->start[p], tokset_piece_len(set, p), &s, err, sizeof err) != LJ_OK)
        fail_msg("%s", err);
    return s;
}

/* The step decoder's events paired into notes (what the engine plays). */
static score *step_decode(const encoding *e, const tokset *set, size_t p) {
    enc_decoder *d;
    char err[256];
    if (enc_decoder_create(e, &d, err, sizeof err) != LJ_OK) fail_msg("%s", err);
    static enc_event ev[ENC_MAX_STEP_EVENTS];
    int64_t on[128];
    score *s = score_create();
    size_t n = tokset_piece_len(set, p);
    for (size_t i = 0; i <= n; i++) {
        size_t k = i < n ? enc_decoder_step(d, set->ids[set->start[p] + i], ev) : enc_decoder_flush(d, ev);
        for (size_t j = 0; j < k; j++) {
            if (j > 0 && ev[j].tick < ev[j - 1].tick) fail_msg("events out of order");
            if (ev[j].type == ENC_NOTE_ON) {
                on[ev[j].pitch] = ev[j].tick;
            } else {
                score_note nt = {0};
                nt.onset = on[ev[j].pitch];
                nt.duration = ev[j].tick - nt.onset;
                nt.pitch = ev[j].pitch;
                assert_int_equal(score_add_note(s, &nt), LJ_OK);
            }
        }
    }
    enc_decoder_destroy(d);
    score_sort(s);
    return s;
}

/* s's notes as one part (onset, duration, pitch), sorted: what the step
 * decoder's one channel can be compared with. */
static score *one_part(const score *s) {
    score *o = score_create();
    assert_non_null(o);
    for (size_t k = 0; k < s->n_notes; k++) {
        score_note nt = {0};
        nt.onset = s->notes[k].onset;
        nt.duration = s->notes[k].duration;
        nt.pitch = s->notes[k].pitch;
        assert_int_equal(score_add_note(o, &nt), LJ_OK);
    }
    score_sort(o);
    return o;
}

/* 1 when a and b hold the same (onset, duration, pitch) in the same order. */
static int notes_equal(const score *a, const score *b) {
    if (a->n_notes != b->n_notes) return 0;
    for (size_t k = 0; k < a->n_notes; k++)
        if (a->notes[k].onset != b->notes[k].onset || a->notes[k].duration != b->notes[k].duration ||
            a->notes[k].pitch != b->notes[k].pitch)
            return 0;
    return 1;
}

static void same_notes(const score *a, const score *b, const char *what, size_t tune) {
    if (a->n_notes != b->n_notes) fail_msg("%s tune %zu: %zu notes vs %zu", what, tune, a->n_notes, b->n_notes);
    for (size_t k = 0; k < a->n_notes; k++) {
        const score_note *x = &a->notes[k], *y = &b->notes[k];
        if (x->onset != y->onset || x->duration != y->duration || x->pitch != y->pitch)
            fail_msg("%s tune %zu note %zu: %lld+%lld p%d vs %lld+%lld p%d", what, tune, k,
                     (long long)x->onset, (long long)x->duration, x->pitch, (long long)y->onset,
                     (long long)y->duration, y->pitch);
    }
}

static void test_tokens_decode_as_chars(void **state) {
    (void)state;
    const char *data = getenv("LJ_TEST_DATA"), *corp = getenv("LJ_CORPORA");
    assert_non_null(data);
    static tune_list tl;
    memset(&tl, 0, sizeof tl);
    char path[4096];
    static const char *hard[] = {"hard_rhythm.abc", "hard_keys.abc", "hard_accidentals.abc", "hard_repeats.abc"};
    for (size_t i = 0; i < sizeof hard / sizeof *hard; i++) {
        snprintf(path, sizeof path, "%s/abc/%s", data, hard[i]);
        add_book(&tl, path);
    }
    size_t hard_tunes = tl.n;
    static const char *books[] = {"ashover", "hpps", "jigs", "morris", "playford", "reelsa-c",
                                  "reelsd-g", "reelsh-l", "reelsm-q", "reelsr-t", "reelsu-z",
                                  "slip", "waltzes", "xmas"};
    for (size_t i = 0; corp && i < sizeof books / sizeof *books; i++) {
        snprintf(path, sizeof path, "%s/nottingham/abc/%s.abc", corp, books[i]);
        FILE *fp = fopen(path, "rb");
        if (!fp) continue;
        fclose(fp);
        add_book(&tl, path);
    }
    encoding *ec = make(ENC_ABC_CHARS), *et = make(ENC_ABC_TOKENS);
    tokset sc = {0}, st = {0};
    char err[256];
    for (size_t t = 0; t < tl.n; t++) {
        /* each tune on its own: one piece per tune in both */
        assert_int_equal(enc_encode_text(ec, tl.text + tl.starts[t], tl.lens[t], "c", 0, &sc, NULL, err, sizeof err), LJ_OK);
        assert_int_equal(enc_encode_text(et, tl.text + tl.starts[t], tl.lens[t], "t", 0, &st, NULL, err, sizeof err), LJ_OK);
        assert_int_equal(sc.n_pieces, t + 1);
        assert_int_equal(st.n_pieces, t + 1);
    }
    assert_int_equal(enc_finish_vocab(ec, (tokset *[]){&sc}, 1), LJ_OK);
    assert_int_equal(enc_finish_vocab(et, (tokset *[]){&st}, 1), LJ_OK);
    size_t notes = 0, reader_checked = 0, chord_tunes = 0, chord_same = 0;
    for (size_t t = 0; t < tl.n; t++) {
        score *a = decode_piece(ec, &sc, t), *b = decode_piece(et, &st, t);
        same_notes(a, b, "chars vs tokens", t);
        notes += a->n_notes;
        /* tunes without chord symbols: the notes the ABC reader reads, as written */
        if (!memchr(tl.text + tl.starts[t], '"', tl.lens[t])) {
            abc_opts o;
            abc_opts_default(&o);
            o.repeats = ABC_REPEATS_AS_WRITTEN;
            score_book book = {0};
            assert_int_equal(abc_read_mem(tl.text + tl.starts[t], tl.lens[t], "r", &o, &book, err, sizeof err), LJ_OK);
            assert_int_equal(book.n, 1);
            same_notes(a, book.items[0], "chars vs reader", t);
            /* and the step decoder plays the same notes (no chord part to lag) */
            score *c = step_decode(et, &st, t);
            same_notes(c, book.items[0], "step decoder vs reader", t);
            score_destroy(c);
            score_book_clear(&book);
            reader_checked++;
        }
        /* tunes with chord symbols: the step decoder (one channel) plays the
         * notes of the whole-text decoder, chords included, at their onsets */
        if (memchr(tl.text + tl.starts[t], '"', tl.lens[t])) {
            score *c = step_decode(et, &st, t), *whole = one_part(a);
            chord_tunes++;
            chord_same += notes_equal(c, whole);
            score_destroy(c);
            score_destroy(whole);
        }
        /* rendered tokens read back as the same ids */
        char *text;
        size_t len;
        assert_int_equal(enc_abc_text(et, st.ids + st.start[t], tokset_piece_len(&st, t), &text, &len), LJ_OK);
        tokset again = {0};
        assert_int_equal(enc_encode_text(et, text, len, "rendered", 0, &again, NULL, err, sizeof err), LJ_OK);
        if (again.n_ids != tokset_piece_len(&st, t))
            fail_msg("tune %zu: rendered text reads as %zu tokens, not %zu:\n%s", t, again.n_ids,
                     tokset_piece_len(&st, t), text);
        assert_memory_equal(again.ids, st.ids + st.start[t], again.n_ids * sizeof *again.ids);
        tokset_free(&again);
        free(text);
        score_destroy(a);
        score_destroy(b);
    }
    printf("abc: %zu tunes (%zu hand-picked), %zu notes: tokens decode as chars; %zu tunes as the reader; "
           "vocabularies chars %zu, tokens %zu\n",
           tl.n, hard_tunes, notes, reader_checked, vocab_size(enc_vocab(ec)), vocab_size(enc_vocab(et)));
    printf("abc: %zu tunes with chord symbols, %zu step-decoded to the whole decoder's notes\n", chord_tunes,
           chord_same);
    /* Measured on the 1021 Nottingham tunes with chord symbols: 1019 (0 before
     * chord symbols were handed on at their onset, 1016 before symbols waited
     * in a queue for a note tied over several of them). The 2 others sound
     * one pitch twice at one onset (Joy of the Dance: the unclosed chord
     * "[e2c2(3A/2B/2c/2" holds c twice; East Tennessee Blues: e twice): one
     * channel cannot, so the first is cut to no length. */
    assert_true(chord_same + 2 >= chord_tunes);
    assert_true(hard_tunes >= 20);
    assert_true(reader_checked >= 10);
    tokset_free(&sc);
    tokset_free(&st);
    enc_destroy(ec);
    enc_destroy(et);
    free(tl.text);
}

/* A note tied over two and three chord symbols starts at its own onset in
 * the step decoder, before the symbols (which wait for it, then sound from
 * their onsets): the same notes as the whole-text decoder. */
static void test_tie_over_chord_symbols(void **state) {
    (void)state;
    const char *text = "X:1\nM:4/4\nL:1/4\nK:C\n\"C\"c G2 -\"F\"G-|\"G\"G2 \"C\"E -\"Am\"E-|\"F\"E \"G7\"E- \"C\"E2|]\n\n";
    encoding *e = make(ENC_ABC_TOKENS);
    tokset set = {0};
    char err[256];
    assert_int_equal(enc_encode_text(e, text, strlen(text), "t", 0, &set, NULL, err, sizeof err), LJ_OK);
    assert_int_equal(enc_finish_vocab(e, (tokset *[]){&set}, 1), LJ_OK);
    score *whole = decode_piece(e, &set, 0), *w1 = one_part(whole), *step = step_decode(e, &set, 0);
    same_notes(step, w1, "step vs whole", 0);
    /* the melody (chord notes sit below C4): c, G tied over "F" and "G" (5
     * quarters from 480), E over "Am" and "F" (3 quarters from 2880), E over
     * "C" */
    static const int64_t want[4][3] = {{0, 480, 72}, {480, 2400, 67}, {2880, 1440, 64}, {4320, 1440, 64}};
    size_t m = 0;
    for (size_t k = 0; k < step->n_notes; k++) {
        const score_note *nt = &step->notes[k];
        if (nt->pitch < 60) continue;
        assert_true(m < 4);
        assert_int_equal(nt->onset, want[m][0]);
        assert_int_equal(nt->duration, want[m][1]);
        assert_int_equal(nt->pitch, want[m][2]);
        m++;
    }
    assert_int_equal(m, 4);
    score_destroy(whole);
    score_destroy(w1);
    score_destroy(step);
    tokset_free(&set);
    enc_destroy(e);
}

/* Decodes text's characters one by one: the note-on pitches, the resyncs and
 * the allocations made while stepping. */
static size_t decode_chars(const char *text, int *pitches, size_t max, size_t *resyncs,
                           long *allocs) {
    encoding *e = make(ENC_ABC_CHARS);
    tokset set = {0};
    char err[256];
    assert_int_equal(enc_encode_text(e, text, strlen(text), "x", 1, &set, NULL, err, sizeof err), LJ_OK);
    assert_int_equal(enc_finish_vocab(e, (tokset *[]){&set}, 1), LJ_OK);
    enc_decoder *d;
    assert_int_equal(enc_decoder_create(e, &d, err, sizeof err), LJ_OK);
    static enc_event ev[ENC_MAX_STEP_EVENTS];
    size_t n = 0;
    alloc_fail_reset(-1);
    for (size_t i = 0; i <= set.n_ids; i++) {
        size_t k = i < set.n_ids ? enc_decoder_step(d, set.ids[i], ev) : enc_decoder_flush(d, ev);
        for (size_t j = 0; j < k; j++)
            if (ev[j].type == ENC_NOTE_ON && n < max) pitches[n++] = ev[j].pitch;
    }
    *allocs = alloc_fail_count();
    *resyncs = enc_decoder_resyncs(d);
    enc_decoder_destroy(d);
    tokset_free(&set);
    enc_destroy(e);
    return n;
}

/* enc_abc_note_typed and enc_abc_move_typed_note (what the engine does at the
 * end of a respond answer whose last note the model did not bring into range):
 * the note a chars text ends with, moved by octave marks written after it
 * into [lo, hi], and played there at the flush. */
static void test_move_typed_note(void **state) {
    (void)state;
    static const struct {
        const char *text;
        int lo, hi, typed, marks, played;
    } cases[] = {
        {"X:1\nK:D\nA2 g", 60, 76, 79, 1, 67},    /* G5 over D5+2: one ',' */
        {"X:1\nK:D\nA2 c''", 40, 55, 97, 4, 49},  /* C#7 (the key's) down to C#3 */
        {"X:1\nK:D\nA2 C,,", 60, 76, 37, 2, 61},  /* C#2 up to C#4 */
        {"X:1\nK:D\nA2 f", 60, 76, 78, 1, 66},    /* F#5 (the key's) down to F#4 */
        {"X:1\nK:D\nA2 e", 60, 76, 76, 0, 76},    /* inside: nothing written */
        {"X:1\nK:D\nA2 \"g", 60, 76, -1, 0, -1}, /* in a chord symbol: no note */
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const char *text = cases[c].text;
        encoding *e = make(ENC_ABC_CHARS);
        tokset set = {0};
        char err[256];
        assert_int_equal(enc_encode_text(e, text, strlen(text), "x", 1, &set, NULL, err, sizeof err), LJ_OK);
        assert_int_equal(enc_finish_vocab(e, (tokset *[]){&set}, 1), LJ_OK);
        enc_decoder *d;
        assert_int_equal(enc_decoder_create(e, &d, err, sizeof err), LJ_OK);
        static enc_event ev[ENC_MAX_STEP_EVENTS];
        for (size_t i = 0; i < set.n_ids; i++) enc_decoder_step(d, set.ids[i], ev);
        assert_int_equal(enc_abc_note_typed(d), cases[c].typed);
        assert_int_equal(enc_abc_move_typed_note(d, cases[c].lo, cases[c].hi), cases[c].marks);
        int last = -1;
        size_t k = enc_decoder_flush(d, ev);
        for (size_t j = 0; j < k; j++)
            if (ev[j].type == ENC_NOTE_ON && ev[j].pitch != 69) last = ev[j].pitch; /* (not the A2 before it) */
        assert_int_equal(last, cases[c].played);
        enc_decoder_destroy(d);
        tokset_free(&set);
        enc_destroy(e);
    }
}

/* Chord symbols in real time: each symbol's notes start at the onset of the
 * note it stands on, in the step where the decoder reaches that note (never
 * after the note itself), and end where the next symbol starts; two symbols on
 * one note ("E7""Am") play the second only; chars and tokens alike, and the
 * same notes as the whole-text decoder. */
static void test_chord_symbols_on_time(void **state) {
    (void)state;
    const char *text = "X:1\nM:4/4\nL:1/4\nK:C\n\"C\"c e \"Am\"A c|\"F\"f2 \"G7\"g2|\"E7\"\"Am\"a4|]\n\n";
    /* (onset, end) of each chord in ticks at 480 per quarter, its pitches
     * (roots in C2..B2 as the reader plays them) */
    static const struct {
        int64_t on, off;
        int pitches[4];
    } want[] = {{0, 960, {36, 40, 43, -1}},          {960, 1920, {45, 48, 52, -1}},
                {1920, 2880, {41, 45, 48, -1}},      {2880, 3840, {43, 47, 50, 53}},
                {3840, 5760, {45, 48, 52, -1}}};
    for (int variant = 0; variant < 2; variant++) {
        encoding *e = make(variant ? ENC_ABC_TOKENS : ENC_ABC_CHARS);
        tokset set = {0};
        char err[256];
        assert_int_equal(enc_encode_text(e, text, strlen(text), "x", 0, &set, NULL, err, sizeof err), LJ_OK);
        assert_int_equal(enc_finish_vocab(e, (tokset *[]){&set}, 1), LJ_OK);
        enc_decoder *d;
        assert_int_equal(enc_decoder_create(e, &d, err, sizeof err), LJ_OK);
        static enc_event ev[ENC_MAX_STEP_EVENTS];
        size_t on_step[128][8], off_step[128][8]; /* step of each pitch's note-on/off events */
        int64_t on_tick[128][8], off_tick[128][8];
        int n_on[128] = {0}, n_off[128] = {0};
        size_t melody_on_step[6] = {0}; /* the step of each melody note-on: c e A c f g a */
        static const int melody[] = {72, 76, 69, 72, 77, 79, 81};
        size_t n = tokset_piece_len(&set, 0);
        for (size_t i = 0; i <= n; i++) {
            size_t k = i < n ? enc_decoder_step(d, set.ids[i], ev) : enc_decoder_flush(d, ev);
            for (size_t j = 0; j < k; j++) {
                int p = ev[j].pitch;
                if (ev[j].type == ENC_NOTE_ON) {
                    for (int m = 0; m < 6; m++)
                        if (p == melody[m] && !melody_on_step[m]) melody_on_step[m] = i + 1;
                    if (p < 60 && n_on[p] < 8) {
                        on_step[p][n_on[p]] = i;
                        on_tick[p][n_on[p]++] = ev[j].tick;
                    }
                } else if (p < 60 && n_off[p] < 8) {
                    off_step[p][n_off[p]] = i;
                    off_tick[p][n_off[p]++] = ev[j].tick;
                }
            }
        }
        (void)off_step;
        int seen[128] = {0};
        for (size_t c = 0; c < sizeof want / sizeof *want; c++)
            for (int q = 0; q < 4 && want[c].pitches[q] >= 0; q++) {
                int p = want[c].pitches[q], k = seen[p]++;
                if (k >= n_on[p] || on_tick[p][k] != want[c].on || off_tick[p][k] != want[c].off)
                    fail_msg("%s: chord %zu pitch %d: expected %lld..%lld, found %s %lld..%lld", variant ? "tokens" : "chars", c,
                             p, (long long)want[c].on, (long long)want[c].off, k < n_on[p] ? "" : "none",
                             k < n_on[p] ? (long long)on_tick[p][k] : -1LL, k < n_off[p] ? (long long)off_tick[p][k] : -1LL);
            }
        for (int p = 0; p < 60; p++)
            if (n_on[p] != seen[p]) fail_msg("pitch %d: %d note-ons, expected %d (E7 must not sound)", p, n_on[p], seen[p]);
        /* the Am chord (A2 = 45, first at 960) comes no later than its note A (69) */
        assert_true(melody_on_step[2] > 0);
        assert_true(on_step[45][0] + 1 <= melody_on_step[2]);
        assert_true(on_step[41][0] + 1 <= melody_on_step[4]); /* F with f */
        enc_decoder_destroy(d);
        /* and the whole-text decoder agrees */
        score *whole, *flat;
        assert_int_equal(enc_decode(e, set.ids, n, &whole, err, sizeof err), LJ_OK);
        score *step = step_decode(e, &set, 0);
        flat = one_part(whole);
        same_notes(step, flat, variant ? "tokens: step vs whole" : "chars: step vs whole", 0);
        score_destroy(flat);
        score_destroy(whole);
        score_destroy(step);
        tokset_free(&set);
        enc_destroy(e);
    }
}

static void test_resync_and_no_allocation(void **state) {
    (void)state;
    /* the ABC stream test's broken text: four constructs read past, the good
     * bars play (A B c f g B2 d e), one character per step, no allocation */
    const char *text = "X:1\nL:1/4\nK:C\nA B|c #d e|f g|\"Am A|B2|[K:Xyz] c|d z99999999|e|\n";
    int got[32], want[] = {69, 71, 72, 77, 79, 71, 74, 76};
    size_t resyncs = 0;
    long allocs = -1;
    size_t n = decode_chars(text, got, 32, &resyncs, &allocs);
    assert_int_equal(resyncs, 4);
    assert_int_equal(allocs, 0);
    assert_int_equal(n, sizeof want / sizeof *want);
    for (size_t i = 0; i < n; i++) assert_int_equal(got[i], want[i]);
}

static void test_primer_errors(void **state) {
    (void)state;
    encoding *e = make(ENC_ABC_CHARS);
    tokset set = {0};
    char err[256];
    const char *train = "X:1\nK:C\nABC|\n";
    assert_int_equal(enc_encode_text(e, train, strlen(train), "train", 0, &set, NULL, err, sizeof err), LJ_OK);
    assert_int_equal(enc_finish_vocab(e, (tokset *[]){&set}, 1), LJ_OK);
    size_t n0 = set.n_ids;
    const char *primer = "X:1\nK:C\nAB#C";
    assert_int_equal(enc_encode_text(e, primer, strlen(primer), "--primer", 1, &set, NULL, err, sizeof err), LJ_ERR_RANGE);
    assert_string_equal(err, "--primer:3:3: expected a token of the model's abc vocabulary, found '#'");
    assert_int_equal(set.n_ids, n0);
    /* a score encoding cannot read text; abc cannot read scores */
    enc_opts o;
    enc_opts_default(&o, "timestep");
    encoding *ts;
    assert_int_equal(enc_create("timestep", &o, &ts, err, sizeof err), LJ_OK);
    assert_int_equal(enc_encode_text(ts, primer, 3, "p", 1, &set, NULL, err, sizeof err), LJ_ERR_ARG);
    enc_destroy(ts);
    tokset_free(&set);
    enc_destroy(e);
}

static void test_model_names(void **state) {
    (void)state;
    char err[256];
    vocab *v = vocab_create();
    assert_int_equal(vocab_add(v, "A", 1, NULL), LJ_OK);
    assert_int_equal(vocab_add(v, "|", 1, NULL), LJ_OK);
    encoding *e;
    /* the trainer's character models: "chars", no options */
    assert_int_equal(enc_create_for_model("chars", NULL, 0, v, &e, err, sizeof err), LJ_OK);
    assert_string_equal(enc_name(e), "abc");
    assert_int_equal(enc_options(e)->abc_variant, ENC_ABC_CHARS);
    assert_int_equal(enc_token_pitches(e, 0, NULL, 0), -1);
    enc_destroy(e);
    /* options as enc_opts_format writes them */
    v = vocab_create();
    assert_int_equal(vocab_add(v, "<s>", 3, NULL), LJ_OK);
    assert_int_equal(vocab_add(v, "^c'", 3, NULL), LJ_OK);
    const char *opts = "transpose=none variant=tokens qpm=100";
    assert_int_equal(enc_create_for_model("abc", opts, strlen(opts), v, &e, err, sizeof err), LJ_OK);
    assert_int_equal(enc_options(e)->abc_variant, ENC_ABC_TOKENS);
    char buf[512];
    assert_int_equal(enc_opts_format(enc_options(e), "abc", buf, sizeof buf), LJ_OK);
    assert_non_null(strstr(buf, "variant=tokens"));
    enc_destroy(e);
    /* a bad option names its byte; a name the variant cannot make is refused */
    v = vocab_create();
    opts = "variant=tokens qpm=abc";
    assert_int_equal(enc_create_for_model("abc", opts, strlen(opts), v, &e, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "encoding.options: byte 15: qpm"));
    v = vocab_create();
    assert_int_equal(vocab_add(v, "A B", 3, NULL), LJ_OK);
    opts = "variant=tokens";
    assert_int_equal(enc_create_for_model("abc", opts, strlen(opts), v, &e, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "token 0"));
}

static void test_decoder_alloc_failures(void **state) {
    (void)state;
    encoding *e = make(ENC_ABC_TOKENS);
    tokset set = {0};
    char err[256];
    const char *text = "X:1\nK:C\nABc|\n";
    assert_int_equal(enc_encode_text(e, text, strlen(text), "t", 0, &set, NULL, err, sizeof err), LJ_OK);
    assert_int_equal(enc_finish_vocab(e, (tokset *[]){&set}, 1), LJ_OK);
    long total = -1;
    for (long fail = -1; total < 0 || fail < total; fail++) {
        alloc_fail_reset(fail);
        enc_decoder *d = NULL;
        int rc = enc_decoder_create(e, &d, err, sizeof err);
        if (fail < 0) {
            assert_int_equal(rc, LJ_OK);
            total = alloc_fail_count();
        } else {
            assert_int_equal(rc, LJ_ERR_NOMEM);
            assert_null(d);
        }
        enc_decoder_destroy(d);
        assert_int_equal(alloc_fail_live(), 0);
    }
    alloc_fail_reset(-1);
    assert_true(total >= 4);
    tokset_free(&set);
    enc_destroy(e);
}

/* A score's melody as ABC, worked out by hand: the bar accidental rule (=F
 * after ^F), a rest, a note tied across the bar, the top note of a chord,
 * octave marks; read back by the ABC reader; and through enc_encode (tokens)
 * and the decoder to the same notes. */
static void test_score_to_abc(void **state) {
    (void)state;
    score *s = score_create();
    assert_int_equal(score_add_part(s, "m", 0, 0, NULL), LJ_OK);
    assert_int_equal(score_add_meter(s, 0, 3, 4), LJ_OK);
    const int notes[][3] = {{0, 480, 60}, {480, 240, 66}, {720, 240, 65}, {1200, 720, 67},
                            {1920, 480, 72}, {1920, 480, 76}, {2400, 240, 84}, {2640, 120, 48}};
    for (size_t i = 0; i < sizeof notes / sizeof *notes; i++) {
        score_note n = {0};
        n.onset = notes[i][0];
        n.duration = notes[i][1];
        n.pitch = (uint8_t)notes[i][2];
        n.velocity = 80;
        assert_int_equal(score_add_note(s, &n), LJ_OK);
    }
    encoding *e = make(ENC_ABC_TOKENS);
    char *text;
    size_t len;
    assert_int_equal(enc_score_abc(e, s, 0, &text, &len), LJ_OK);
    assert_string_equal(text, "X:1\nM:3/4\nL:1/8\nK:C\nC2^F=FzG-|G2e2c'C,/2|]\n");
    free(text);
    assert_int_equal(enc_score_abc(e, s, 1, &text, &len), LJ_OK);
    assert_string_equal(text, "X:1\nM:3/4\nL:1/8\nK:C\nC2^F=FzG-|G2e2c'C,/2|");
    abc_opts o;
    abc_opts_default(&o);
    o.repeats = ABC_REPEATS_AS_WRITTEN;
    score_book book = {0};
    char err[256];
    assert_int_equal(abc_read_mem(text, len, "w", &o, &book, err, sizeof err), LJ_OK);
    free(text);
    const int want[][3] = {{0, 480, 60}, {480, 240, 66}, {720, 240, 65}, {1200, 720, 67},
                           {1920, 480, 76}, {2400, 240, 84}, {2640, 120, 48}};
    const score *r = book.items[0];
    assert_int_equal(r->n_notes, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(r->notes[i].onset, want[i][0]);
        assert_int_equal(r->notes[i].duration, want[i][1]);
        assert_int_equal(r->notes[i].pitch, want[i][2]);
    }
    /* enc_encode: the same tune as tokens, decoded to the same notes */
    tokset set = {0};
    enc_stats st = {0};
    assert_int_equal(enc_encode(e, s, &set, &st, err, sizeof err), LJ_OK);
    assert_int_equal(set.n_pieces, 1);
    assert_int_equal(st.notes_hidden, 1);
    assert_int_equal(enc_finish_vocab(e, (tokset *[]){&set}, 1), LJ_OK);
    score *d = decode_piece(e, &set, 0);
    same_notes(d, r, "score -> tokens -> notes", 0);
    score_destroy(d);
    score_book_clear(&book);
    tokset_free(&set);
    enc_destroy(e);
    score_destroy(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens_by_hand),
        cmocka_unit_test(test_tokens_decode_as_chars),
        cmocka_unit_test(test_chord_symbols_on_time),
        cmocka_unit_test(test_tie_over_chord_symbols),
        cmocka_unit_test(test_resync_and_no_allocation),
        cmocka_unit_test(test_primer_errors),
        cmocka_unit_test(test_model_names),
        cmocka_unit_test(test_decoder_alloc_failures),
        cmocka_unit_test(test_score_to_abc),
        cmocka_unit_test(test_release_keeps_tune),
        cmocka_unit_test(test_move_typed_note),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
