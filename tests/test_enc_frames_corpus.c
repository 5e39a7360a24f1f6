/* Frame encodings on the corpora (label corpus; exit 77 without them). Each
 * round trip decode(encode(x)) must reproduce x up to the encoding's own
 * quantisation, asserted exactly:
 *  - JSB chorales (all 382, quarter file read at its own grid, 480 ticks):
 *    pianoroll grid=quarter: the frames equal the reader's own roll
 *    (jsb_to_roll) key for key, and the decoded notes equal the read notes
 *    (both merge held pitches); psd time=beats: decoded notes equal the read
 *    notes.
 *  - Nottingham MIDI (the 1034 melody+chords files): pianoroll 16th: the frames
 *    equal a roll built here from the notes (onset and end rounded half up to
 *    the grid, at least one step, keys 21..108), and the roll of the decoded
 *    notes equals the frames; psd time=beats: decoded notes equal the notes
 *    sorted by (onset, pitch) with same-onset duplicates merged (the longer
 *    kept) and a note cut where its pitch starts again, in exact ticks; psd
 *    time=seconds: the same notes with onsets and ends through the tempo map,
 *    rounded to the millisecond. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "encoding.h"
#include "io/jsb.h"
#include "io/midi.h"
#include "pianoroll.h"

static int failures;
#define CHECK(cond, ...)                                                                          \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            if (failures++ < 20) {                                                                \
                fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                              \
                fprintf(stderr, __VA_ARGS__);                                                     \
                fputc('\n', stderr);                                                              \
            }                                                                                     \
        }                                                                                         \
    } while (0)

static encoding *make(const char *name, const char *const *kv) {
    enc_opts o;
    char err[512];
    enc_opts_default(&o, name);
    for (; kv && kv[0]; kv += 2)
        if (enc_opts_set(&o, kv[0], kv[1], err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            exit(1);
        }
    encoding *e;
    if (enc_create(name, &o, &e, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    return e;
}

/* Encodes s (one piece expected) and decodes it; NULL when skipped or failed. */
static score *roundtrip(encoding *e, const score *s, frameset *f) {
    char err[512];
    frameset_init(f, enc_frame_dim(e));
    int rc = enc_encode_frames(e, s, f, NULL, err, sizeof err);
    CHECK(rc == LJ_OK && f->n_pieces == 1, "%s: %s", s->source, rc ? err : "no piece");
    if (rc || f->n_pieces != 1) return NULL;
    score *back = NULL;
    rc = enc_decode_frames(e, f->values, f->n_frames, &back, err, sizeof err);
    CHECK(rc == LJ_OK, "%s: decode: %s", s->source, err);
    return back;
}

/* Notes of a and b equal as (onset, duration, pitch) after sorting. */
static int same_notes(score *a, score *b, const char *what, const char *src) {
    score_sort(a);
    score_sort(b);
    if (a->n_notes != b->n_notes) {
        CHECK(0, "%s %s: %zu notes decoded, %zu expected", what, src, a->n_notes, b->n_notes);
        return 0;
    }
    for (size_t i = 0; i < a->n_notes; i++) {
        const score_note *x = &a->notes[i], *y = &b->notes[i];
        if (x->onset != y->onset || x->duration != y->duration || x->pitch != y->pitch) {
            CHECK(0, "%s %s: note %zu decoded %lld+%lld p%d, expected %lld+%lld p%d", what, src, i,
                  (long long)x->onset, (long long)x->duration, x->pitch, (long long)y->onset,
                  (long long)y->duration, y->pitch);
            return 0;
        }
    }
    return 1;
}

/* frames (n x 88) against a bitmask roll (jsb_to_roll layout) of m frames. */
static int same_roll(const float *frames, size_t n, uint64_t (*roll)[2], size_t m) {
    if (n != m) return 0;
    for (size_t t = 0; t < n; t++)
        for (int p = 0; p < 128; p++) {
            int on = (int)((roll[t][p >> 6] >> (p & 63)) & 1);
            int k = p - PIANOROLL_LOWEST;
            if (k < 0 || k >= PIANOROLL_KEYS) {
                if (on) return 0; /* the corpora used here have no such notes */
                continue;
            }
            if ((frames[t * PIANOROLL_KEYS + (size_t)k] != 0.0f) != on) return 0;
        }
    return 1;
}

static void jsb(const char *corpora) {
    char path[4096], err[512];
    snprintf(path, sizeof path, "%.3000s/jsb-chorales/jsb-chorales-quarter.json", corpora);
    jsb_opts jo = {NULL, 480, 1};
    score_book book = {0};
    if (jsb_read_file(path, &jo, &book, err, sizeof err)) {
        CHECK(0, "%s", err);
        return;
    }
    static const char *const pr_kv[] = {"grid", "quarter", NULL};
    static const char *const psd_kv[] = {"time", "beats", NULL};
    encoding *pr = make("pianoroll", pr_kv), *psd = make("psd", psd_kv);
    size_t ok_pr = 0, ok_psd = 0, frames = 0;
    for (size_t i = 0; i < book.n; i++) {
        score *s = book.items[i];
        frameset f;
        score *back = roundtrip(pr, s, &f);
        uint64_t(*roll)[2] = NULL;
        size_t m = 0;
        jsb_to_roll(s, 480, &roll, &m);
        int good = back && same_roll(f.values, f.n_frames, roll, m);
        CHECK(good || !back, "pianoroll %s: frames differ from the reader's roll", s->title);
        frames += f.n_frames;
        if (back && good && same_notes(back, s, "pianoroll", s->title)) ok_pr++;
        free(roll);
        score_destroy(back);
        frameset_free(&f);
        back = roundtrip(psd, s, &f);
        if (back && same_notes(back, s, "psd", s->title)) ok_psd++;
        score_destroy(back);
        frameset_free(&f);
    }
    printf("jsb: %zu chorales, %zu quarter frames; pianoroll exact %zu, psd beats exact %zu\n",
           book.n, frames, ok_pr, ok_psd);
    CHECK(book.n == 382, "%zu chorales read, expected 382", book.n);
    CHECK(ok_pr == book.n && ok_psd == book.n, "round trips not exact");
    score_book_clear(&book);
    enc_destroy(pr);
    enc_destroy(psd);
}

static int cmp_onset_pitch(const void *a, const void *b) {
    const score_note *x = a, *y = b;
    if (x->onset != y->onset) return x->onset < y->onset ? -1 : 1;
    if (x->pitch != y->pitch) return x->pitch - y->pitch;
    return x->duration < y->duration ? -1 : x->duration > y->duration;
}

/* psd's notes for s: sorted, same (onset, pitch) merged keeping the longer, a
 * note cut where its pitch starts again; in ticks, or (ms) in milliseconds
 * through the tempo map. */
static score *psd_expected(const score *s, int ms) {
    score *x = score_create();
    size_t n = s->n_notes;
    score_note *v = malloc((n ? n : 1) * sizeof *v);
    memcpy(v, s->notes, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_onset_pitch);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && v[k - 1].onset == v[i].onset && v[k - 1].pitch == v[i].pitch) {
            if (v[i].duration > v[k - 1].duration) v[k - 1] = v[i];
            continue;
        }
        v[k++] = v[i];
    }
    int64_t last[128];
    for (int p = 0; p < 128; p++) last[p] = -1;
    for (size_t i = 0; i < k; i++) { /* cut the previous note of the pitch at this onset */
        int p = v[i].pitch;
        if (last[p] >= 0 && v[last[p]].onset + v[last[p]].duration > v[i].onset)
            v[last[p]].duration = v[i].onset - v[last[p]].onset;
        last[p] = (int64_t)i;
    }
    for (size_t i = 0; i < k; i++) {
        score_note nt = v[i];
        if (ms) {
            int64_t on = llround(score_ticks_to_seconds(s, nt.onset) * 1000);
            int64_t end = llround(score_ticks_to_seconds(s, nt.onset + nt.duration) * 1000);
            nt.onset = on;
            nt.duration = end - on;
        }
        nt.part = 0;
        if (nt.duration > 0) score_add_note(x, &nt);
    }
    free(v);
    return x;
}

static void nottingham(const char *corpora) {
    char dir[4096], path[8192], err[512];
    snprintf(dir, sizeof dir, "%.3000s/nottingham/midi", corpora);
    DIR *d = opendir(dir);
    if (!d) {
        CHECK(0, "%s: cannot open", dir);
        return;
    }
    static const char *const pr_kv[] = {"grid", "16th", NULL};
    static const char *const beats_kv[] = {"time", "beats", NULL};
    encoding *pr = make("pianoroll", pr_kv), *beats = make("psd", beats_kv), *secs = make("psd", NULL);
    size_t tunes = 0, ok_pr = 0, ok_beats = 0, ok_secs = 0, notes = 0, frames = 0, psd_frames = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".mid")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        score *s;
        if (midi_read_file(path, &s, err, sizeof err)) {
            CHECK(0, "%s", err);
            continue;
        }
        tunes++;
        notes += s->n_notes;
        /* pianoroll: the roll built here, then the decoded notes' roll */
        frameset f;
        score *back = roundtrip(pr, s, &f);
        if (back) {
            size_t n = f.n_frames;
            float *expect = calloc(n * PIANOROLL_KEYS + 1, sizeof *expect);
            for (size_t i = 0; i < s->n_notes; i++) {
                const score_note *nt = &s->notes[i];
                int64_t on = (nt->onset + 60) / 120, off = (nt->onset + nt->duration + 60) / 120;
                if (off <= on) off = on + 1;
                for (int64_t t = on; t < off && (size_t)t < n; t++)
                    expect[(size_t)t * PIANOROLL_KEYS + (size_t)(nt->pitch - PIANOROLL_LOWEST)] = 1;
            }
            uint64_t(*roll)[2] = NULL;
            size_t m = 0;
            jsb_to_roll(back, 120, &roll, &m);
            int good = !memcmp(expect, f.values, n * PIANOROLL_KEYS * sizeof *expect);
            CHECK(good, "pianoroll %s: frames differ from the grid roll", de->d_name);
            int good2 = same_roll(f.values, n, roll, m);
            CHECK(good2, "pianoroll %s: decoded notes' roll differs from the frames", de->d_name);
            ok_pr += good && good2;
            frames += n;
            free(roll);
            free(expect);
        }
        score_destroy(back);
        frameset_free(&f);
        /* psd, beats and seconds */
        back = roundtrip(beats, s, &f);
        psd_frames += f.n_frames;
        score *x = psd_expected(s, 0);
        if (back && same_notes(back, x, "psd beats", de->d_name)) ok_beats++;
        score_destroy(back);
        score_destroy(x);
        frameset_free(&f);
        back = roundtrip(secs, s, &f);
        x = psd_expected(s, 1);
        if (back && same_notes(back, x, "psd seconds", de->d_name)) ok_secs++;
        score_destroy(back);
        score_destroy(x);
        frameset_free(&f);
        score_destroy(s);
    }
    closedir(d);
    printf("nottingham: %zu tunes, %zu notes; pianoroll 16th: %zu frames, exact %zu; psd: %zu frames, "
           "beats exact %zu, seconds (1 ms) exact %zu\n",
           tunes, notes, frames, ok_pr, psd_frames, ok_beats, ok_secs);
    CHECK(tunes == 1034, "%zu tunes read, expected 1034", tunes);
    CHECK(ok_pr == tunes && ok_beats == tunes && ok_secs == tunes, "round trips not exact");
    enc_destroy(pr);
    enc_destroy(beats);
    enc_destroy(secs);
}

int main(void) {
    const char *corpora = getenv("LJ_CORPORA");
    char p[4096];
    snprintf(p, sizeof p, "%s/jsb-chorales", corpora ? corpora : "");
    struct stat st;
    if (!corpora || stat(p, &st) != 0) {
        fprintf(stderr, "corpora not found (LJ_CORPORA)\n");
        return 77;
    }
    jsb(corpora);
    nottingham(corpora);
    printf("%s (%d failures)\n", failures ? "FAILED" : "ok", failures);
    return failures ? 1 : 0;
}
