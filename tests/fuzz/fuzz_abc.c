/* libFuzzer harness for the ABC reader: the whole-book reader on the input, then
 * the streaming reader on the same bytes fed in chunks whose sizes come from the
 * input itself, with chord symbols through the chord callback, asking after
 * every chunk what pitch the next bytes would sound (abc_stream_note_pitch:
 * -1 or a MIDI pitch), and for inputs up to 2 KB whether its naive twin (the
 * whole-line scan: slow on long lines) gives the same answer. Any crash,
 * leak, sanitizer report, pitch outside -1..127 or disagreement is a bug;
 * errors are fine. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abc.h"

static void count_note(void *user, const score_note *n) {
    (void)n;
    (*(size_t *)user)++;
}

static void count_chord(void *user, int64_t tick, const score_note *n, int count) {
    (void)tick;
    (void)n;
    if (count < 0 || count > ABC_CHORD_NOTES) abort();
    (*(size_t *)user)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    abc_opts opts;
    abc_opts_default(&opts);
    char err[256];
    score_book book = {0};
    abc_read_mem((const char *)data, size, "fuzz.abc", &opts, &book, err, sizeof err);
    score_book_clear(&book);

    opts.repeats = ABC_REPEATS_NOTTINGHAM;
    abc_read_mem((const char *)data, size, "fuzz.abc", &opts, &book, err, sizeof err);
    score_book_clear(&book);

    size_t notes = 0, chord_events = 0;
    abc_stream *st = abc_stream_create(&opts, count_note, &notes, err, sizeof err);
    if (!st) return 0;
    abc_stream_set_chord_fn(st, count_chord, &chord_events);
    size_t i = 0, k = 0;
    while (i < size) {
        size_t chunk = 1 + (size ? data[k++ % size] % 13 : 0);
        if (chunk > size - i) chunk = size - i;
        abc_stream_feed(st, (const char *)data + i, chunk);
        i += chunk;
        size_t more = size - i < 4 ? size - i : 4;
        int p = abc_stream_note_pitch(st, (const char *)data + i, more);
        if (p < -1 || p > 127) abort();
        if (size <= 2048 && p != abc_stream_note_pitch_naive(st, (const char *)data + i, more)) abort();
    }
    abc_stream_finish(st);
    abc_stream_destroy(st);
    return 0;
}
