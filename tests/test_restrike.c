/* A key struck again while it sounds, in the session MIDI file
 * (src/engine/session_rec) and on MIDI out (dsp/midi_sink): never two
 * note-ons of one key without a note-off between them ("nested" notes, which
 * a MIDI file cannot pair: a reader pairing first in first out, or a synth
 * releasing every voice of the key at the first note-off, as FluidSynth does,
 * plays the later note ~1 ms long). Checked on the written bytes, parsed
 * here (not by src/io/midi_read.c, which pairs first in first out and would
 * hide the nesting):
 *   - "on:77 on:77" from a model: the decoder ends the first note and strikes
 *     the key again in the same frame (on, off, on): one note, not a 1-tick
 *     note nested in the real one (the old code: on, on, off +1 tick, off);
 *   - a note re-struck later: off then on at the same tick, in that order;
 *   - a note shorter than a tick (~1 ms) before its key is struck again:
 *     dropped, not stretched over the next;
 *   - overlapping note-ons of one key (two keyboards merged on the thru
 *     channel: on, on, off, off): as the audio side's held count hears it,
 *     the first note ends at the second note-on, the second at the last
 *     note-off;
 *   - MIDI out gets the same overlap as off, on at the second note-on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/session_rec.h"
#include "midi.h"
#include "midi_sink.h"

#define RATE 48000
#define TICK 50 /* frames per tick at 48 kHz (960 ticks per second) */

/* One channel message of a track: tick, status, data. */
typedef struct wire {
    int64_t tick;
    uint8_t status, d1, d2;
} wire;

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static uint32_t vlq(const uint8_t *p, size_t *pos, size_t end) {
    uint32_t v = 0;
    while (*pos < end) {
        uint8_t b = p[(*pos)++];
        v = v << 7 | (b & 0x7F);
        if (!(b & 0x80)) break;
    }
    return v;
}

/* The channel messages of track `track` (0 = conductor) of a format-1 file,
 * in file order; returns how many (at most cap). */
static size_t track_messages(const uint8_t *f, size_t len, int track, wire *out, size_t cap) {
    assert_true(len >= 14 && memcmp(f, "MThd", 4) == 0);
    size_t pos = 8 + be32(f + 4), n = 0;
    for (int t = 0; pos + 8 <= len; t++) {
        assert_memory_equal(f + pos, "MTrk", 4);
        size_t end = pos + 8 + be32(f + pos + 4), p = pos + 8;
        assert_true(end <= len);
        if (t == track) {
            int64_t tick = 0;
            uint8_t running = 0;
            while (p < end) {
                tick += vlq(f, &p, end);
                uint8_t st = f[p];
                if (st & 0x80) p++;
                else st = running;
                if (st == 0xFF) {
                    p++; /* type */
                    p += vlq(f, &p, end);
                    continue;
                }
                if (st == 0xF0 || st == 0xF7) {
                    p += vlq(f, &p, end);
                    continue;
                }
                running = st;
                int nd = (st & 0xF0) == 0xC0 || (st & 0xF0) == 0xD0 ? 1 : 2;
                if (n < cap) {
                    out[n].tick = tick;
                    out[n].status = st;
                    out[n].d1 = f[p];
                    out[n].d2 = nd == 2 ? f[p + 1] : 0;
                }
                n++;
                p += (size_t)nd;
            }
            return n;
        }
        pos = end;
    }
    fail_msg("no track %d", track);
    return 0;
}

static int is_on(const wire *w) { return (w->status & 0xF0) == 0x90 && w->d2 > 0; }
static int is_off(const wire *w) { return (w->status & 0xF0) == 0x80 || ((w->status & 0xF0) == 0x90 && w->d2 == 0); }

/* Note-ons of a key already sounding, per channel and key. */
static int nested(const wire *w, size_t n) {
    int on[16][128], bad = 0;
    memset(on, 0, sizeof on);
    for (size_t i = 0; i < n; i++) {
        int c = w[i].status & 0x0F, k = w[i].d1;
        if (is_on(&w[i])) {
            if (on[c][k]) bad++;
            on[c][k]++;
        } else if (is_off(&w[i]) && on[c][k]) {
            on[c][k]--;
        }
    }
    return bad;
}

/* The note messages of part 0 (track 1) as "on:K@T off:K@T ...". */
static void notes_text(const session_rec *r, char *buf, size_t cap, int *n_nested) {
    uint8_t *f = NULL;
    size_t len = 0;
    char err[256];
    assert_int_equal(midi_write_mem(session_rec_score(r), &f, &len, err, sizeof err), LJ_OK);
    wire w[64];
    memset(w, 0, sizeof w);
    size_t n = track_messages(f, len, 1, w, 64);
    assert_true(n <= 64);
    *n_nested = nested(w, n);
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_on(&w[i]) && !is_off(&w[i])) continue;
        used += (size_t)snprintf(buf + used, cap - used, "%s%s:%d@%lld", used ? " " : "", is_on(&w[i]) ? "on" : "off",
                                 w[i].d1, (long long)w[i].tick);
        assert_true(used < cap);
    }
    free(f);
}

static void add_all(session_rec *r, int part, const lj_event *ev, size_t n) {
    for (size_t i = 0; i < n; i++) assert_int_equal(session_rec_add(r, part, &ev[i]), LJ_OK);
}

/* Events into a fresh recording, finished at `end`; its part-0 notes as text. */
static void record(const lj_event *ev, size_t n, uint64_t end, char *buf, size_t cap, int *n_nested) {
    char err[256];
    session_rec *r = NULL;
    assert_int_equal(session_rec_create(RATE, &r, err, sizeof err), LJ_OK);
    add_all(r, 0, ev, n);
    session_rec_finish(r, end);
    assert_int_equal(session_rec_open(r), 0);
    notes_text(r, buf, cap, n_nested);
    session_rec_destroy(r);
}

static void test_same_frame_restrike(void **state) {
    (void)state;
    char text[512];
    int bad;
    /* "on:77 on:77": on, then off and on again in the same frame (1 s), ended 0.5 s later */
    const lj_event ev[] = {lj_event_note_on(RATE, 0, 77, 80), lj_event_note_off(RATE, 0, 77),
                           lj_event_note_on(RATE, 0, 77, 90), lj_event_note_off(RATE + RATE / 2, 0, 77)};
    record(ev, 4, 2 * RATE, text, sizeof text, &bad);
    print_message("  on:77 on:77 -> %s\n", text);
    assert_int_equal(bad, 0);
    assert_string_equal(text, "on:77@960 off:77@1440");
}

static void test_later_restrike(void **state) {
    (void)state;
    char text[512];
    int bad;
    /* 60 struck at 1 s and again at 1.25 s (its decoder ends it there), 64 through */
    const lj_event ev[] = {lj_event_note_on(RATE, 0, 60, 80),          lj_event_note_on(RATE, 0, 64, 80),
                           lj_event_note_off(RATE + RATE / 4, 0, 60), lj_event_note_on(RATE + RATE / 4, 0, 60, 80),
                           lj_event_note_off(RATE + RATE / 2, 0, 60), lj_event_note_off(RATE + RATE / 2, 0, 64)};
    record(ev, 6, 2 * RATE, text, sizeof text, &bad);
    print_message("  later restrike -> %s\n", text);
    assert_int_equal(bad, 0);
    assert_string_equal(text, "on:60@960 on:64@960 off:60@1200 on:60@1200 off:60@1440 off:64@1440");
}

static void test_subtick_note(void **state) {
    (void)state;
    char text[512];
    int bad;
    /* 62 on for 20 frames (< 1 tick) and struck again on the same tick; a
     * chord note (65) added after it, so the dropped note is not the last */
    const lj_event ev[] = {lj_event_note_on(RATE, 0, 62, 80), lj_event_note_on(RATE + 5, 0, 65, 80),
                           lj_event_note_off(RATE + 20, 0, 62), lj_event_note_on(RATE + 20, 0, 62, 80),
                           lj_event_note_off(RATE + 10 * TICK, 0, 65), lj_event_note_off(RATE + 20 * TICK, 0, 62)};
    record(ev, 6, 2 * RATE, text, sizeof text, &bad);
    print_message("  sub-tick note -> %s\n", text);
    assert_int_equal(bad, 0);
    assert_string_equal(text, "on:62@960 on:65@960 off:65@970 off:62@980");
}

static void test_overlap_held_count(void **state) {
    (void)state;
    char text[512];
    int bad;
    /* on, on, off, off of one key (two keyboards on one thru channel): the
     * synth's held count releases the key at the second note-off */
    const lj_event ev[] = {lj_event_note_on(RATE, 0, 67, 80), lj_event_note_on(RATE + RATE / 4, 0, 67, 80),
                           lj_event_note_off(RATE + RATE / 2, 0, 67), lj_event_note_off(RATE + RATE * 3 / 4, 0, 67)};
    record(ev, 4, 2 * RATE, text, sizeof text, &bad);
    print_message("  overlap -> %s\n", text);
    assert_int_equal(bad, 0);
    assert_string_equal(text, "on:67@960 off:67@1200 on:67@1200 off:67@1680");
    /* and a note starting on the finish's tick is not stretched past it */
    const lj_event last[] = {lj_event_note_on(RATE, 0, 50, 80), lj_event_note_on(2 * RATE, 0, 51, 80)};
    record(last, 2, 2 * RATE, text, sizeof text, &bad);
    assert_string_equal(text, "on:50@960 off:50@1920");
}

/* ---- MIDI out ---- */

typedef struct capture {
    wire w[32];
    size_t n;
} capture;

static void cap_write(void *user, uint32_t offset, const uint8_t *msg, size_t len) {
    capture *c = user;
    assert_true(c->n < 32);
    wire *w = &c->w[c->n++];
    w->tick = offset;
    w->status = msg[0];
    w->d1 = len > 1 ? msg[1] : 0;
    w->d2 = len > 2 ? msg[2] : 0;
}

static void test_sink_overlap(void **state) {
    (void)state;
    size_t b = rtq_bytes(16, sizeof(lj_event));
    void *mem = aligned_alloc(64, (b + 63) / 64 * 64);
    rtq *q = rtq_init(mem, b, 16, sizeof(lj_event));
    assert_non_null(q);
    capture c;
    memset(&c, 0, sizeof c);
    midi_sink s;
    midi_sink_init(&s, q, cap_write, &c);
    /* on, on, off, off; then the decoder's on, off, on in one frame */
    const lj_event ev[] = {lj_event_note_on(10, 0, 67, 80),  lj_event_note_on(20, 0, 67, 80),
                           lj_event_note_off(30, 0, 67),     lj_event_note_off(40, 0, 67),
                           lj_event_note_on(50, 0, 70, 80),  lj_event_note_off(50, 0, 70),
                           lj_event_note_on(50, 0, 70, 90),  lj_event_note_off(60, 0, 70)};
    for (size_t i = 0; i < 8; i++) assert_true(rtq_push(q, &ev[i]));
    midi_sink_process(&s, 0, 128);
    char text[512];
    size_t used = 0;
    for (size_t i = 0; i < c.n; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%s:%d@%lld", used ? " " : "",
                                 is_on(&c.w[i]) ? "on" : is_off(&c.w[i]) ? "off" : "?", c.w[i].d1,
                                 (long long)c.w[i].tick);
    print_message("  MIDI out -> %s\n", text);
    assert_int_equal(nested(c.w, c.n), 0);
    assert_string_equal(text, "on:67@10 off:67@20 on:67@20 off:67@40 on:70@50 off:70@50 on:70@50 off:70@60");
    free(mem);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_frame_restrike), cmocka_unit_test(test_later_restrike),
        cmocka_unit_test(test_subtick_note),        cmocka_unit_test(test_overlap_held_count),
        cmocka_unit_test(test_sink_overlap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
