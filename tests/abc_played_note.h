/* The differential check of abc_stream_note_pitch against what the ABC
 * stream reader actually plays, shared by test_abc_pitch and the fuzz
 * harness fuzz_abc (header only: both are single-file programs).
 *
 * For a stream that has read text T and next bytes `note` (accidentals, a
 * letter, octave marks: what the key mask asks about), the predictor says
 * which pitch the note would sound, as if the line ended after it. The
 * reader is then made to read exactly that: a copy of the stream reads
 * note + "\n" and finishes; another copy reads "\n" and finishes. The
 * melody notes the first plays and the second does not (matched by onset
 * and pitch) are the notes `note` made; when there is exactly one, its pitch
 * must be the predicted one. (None: the reader failed there, or a tie joined
 * it to the note before; more than one: `note` changed how earlier text
 * reads. Neither is a claim the predictor makes, so nothing is compared.) */
#ifndef LJ_TEST_ABC_PLAYED_NOTE_H
#define LJ_TEST_ABC_PLAYED_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "abc.h"

#define ABC_PLAYED_MAX 64 /* melody notes kept per copy; more: the check is skipped */

typedef struct abc_played {
    int64_t onset[ABC_PLAYED_MAX];
    int pitch[ABC_PLAYED_MAX];
    int n;        /* melody notes kept */
    int overflow; /* more than ABC_PLAYED_MAX came */
} abc_played;

static inline void abc_played_note(void *user, const score_note *n) {
    abc_played *p = user;
    if (n->part != 0) return; /* chord symbols: not masked */
    if (p->n == ABC_PLAYED_MAX) {
        p->overflow = 1;
        return;
    }
    p->onset[p->n] = n->onset;
    p->pitch[p->n++] = n->pitch;
}

static inline void abc_played_chord(void *user, int64_t tick, const score_note *notes, int n) {
    (void)user;
    (void)tick;
    (void)notes;
    (void)n;
}

/* The copies the check reads with (made once; abc_played_note as their note
 * callback, same options as the stream checked). */
typedef struct abc_played_check {
    abc_stream *with, *without;
    abc_played played_with, played_without;
} abc_played_check;

/* 0, or -1 when out of memory. */
static inline int abc_played_check_init(abc_played_check *c, const abc_opts *opts) {
    c->with = abc_stream_create(opts, abc_played_note, &c->played_with, NULL, 0);
    c->without = abc_stream_create(opts, abc_played_note, &c->played_without, NULL, 0);
    if (!c->with || !c->without) return -1;
    /* chord symbols through a chord callback: a stream that has one may hold
     * symbols waiting for it (abc_stream_set_chord_fn), which a copy plays */
    abc_stream_set_chord_fn(c->with, abc_played_chord, NULL);
    abc_stream_set_chord_fn(c->without, abc_played_chord, NULL);
    return 0;
}

static inline void abc_played_check_free(abc_played_check *c) {
    abc_stream_destroy(c->with);
    abc_stream_destroy(c->without);
}

/* The pitch of the one melody note the reader plays for `note` after what st
 * has read (see the top); -1 when it plays none or more than one (then
 * *notes_made says how many), -2 when out of memory. */
static inline int abc_played_pitch(abc_played_check *c, const abc_stream *st, const char *note, size_t len,
                            int *notes_made) {
    *notes_made = 0;
    c->played_with.n = c->played_with.overflow = 0;
    c->played_without.n = c->played_without.overflow = 0;
    if (abc_stream_copy(c->with, st) != 0 || abc_stream_copy(c->without, st) != 0) return -2;
    abc_stream_feed(c->with, note, len);
    abc_stream_feed(c->with, "\n", 1);
    abc_stream_finish(c->with);
    abc_stream_feed(c->without, "\n", 1);
    abc_stream_finish(c->without);
    if (c->played_with.overflow || c->played_without.overflow) return -1;
    abc_played *w = &c->played_with, *wo = &c->played_without;
    uint8_t matched[ABC_PLAYED_MAX] = {0};
    int made = -1;
    for (int i = 0; i < w->n; i++) {
        int k = 0;
        while (k < wo->n && (matched[k] || wo->onset[k] != w->onset[i] || wo->pitch[k] != w->pitch[i])) k++;
        if (k < wo->n) {
            matched[k] = 1;
            continue;
        }
        ++*notes_made;
        made = w->pitch[i];
    }
    return *notes_made == 1 ? made : -1;
}

#endif
