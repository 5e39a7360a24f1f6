/* libFuzzer harness for the ABC reader: the whole-book reader on the input, then
 * the streaming reader on the same bytes fed in chunks whose sizes come from the
 * input itself, with chord symbols through the chord callback, asking after
 * every chunk what pitch the next bytes would sound (abc_stream_note_pitch:
 * -1 or a MIDI pitch), and for inputs up to 2 KB whether its naive twin (the
 * whole-line scan: slow on long lines) gives the same answer. For inputs up
 * to 2 KB it also asks the reader itself (abc_played_note.h), after some 32
 * chunks spread over the input (each check reads the unread line twice to
 * its end: after every chunk, 2 KB of '[' took 12 s under the sanitizers):
 * the stream copied, fed a probe note and a line break, must play the predicted pitch
 * whenever it plays a melody note for that probe (the key mask's promise;
 * not for inputs with what the prediction does not follow: an inline key
 * field "[K:" not read yet, a '+' decoration closed across a bar line or
 * space where the stream does not cut: abc.h).
 * Any crash, leak, sanitizer report, pitch outside -1..127 or disagreement
 * is a bug; errors are fine. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../abc_played_note.h"
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
    /* probe notes for the reader check: letters, accidentals, octave marks */
    static const char *const probes[] = {"C", "^c", "_B,", "e'", "=F", "g,,", "^^A", "b"};
    abc_played_check played;
    int unfollowed = 0;
    for (size_t j = 0; j < size && !unfollowed; j++)
        unfollowed = data[j] == '+' || (j + 2 < size && data[j] == '[' && data[j + 1] == 'K' && data[j + 2] == ':');
    int check_reader = size <= 2048 && abc_played_check_init(&played, &opts) == 0 && !unfollowed;
    size_t i = 0, k = 0, reader_every = 1 + size / 256;
    while (i < size) {
        size_t chunk = 1 + (size ? data[k++ % size] % 13 : 0);
        if (chunk > size - i) chunk = size - i;
        abc_stream_feed(st, (const char *)data + i, chunk);
        i += chunk;
        size_t more = size - i < 4 ? size - i : 4;
        int p = abc_stream_note_pitch(st, (const char *)data + i, more);
        if (p < -1 || p > 127) abort();
        if (size <= 2048 && p != abc_stream_note_pitch_naive(st, (const char *)data + i, more)) abort();
        if (check_reader && k % reader_every == 0) {
            const char *probe = probes[(i + k) % (sizeof probes / sizeof *probes)];
            size_t len = strlen(probe);
            int made, heard = abc_played_pitch(&played, st, probe, len, &made);
            if (heard >= 0 && heard != abc_stream_note_pitch(st, probe, len)) abort();
        }
    }
    if (size <= 2048) abc_played_check_free(&played);
    abc_stream_finish(st);
    abc_stream_destroy(st);
    return 0;
}
