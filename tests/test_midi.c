/* Unit tests of the MIDI reader and writer on hand-built Standard MIDI Files.
 * Files are written as hex strings so each test shows its bytes; smf() adds the
 * MThd chunk and the MTrk headers with their true lengths, raw() takes bytes as
 * they are (for lying lengths). Every error test checks the status and that the
 * message names the file and the exact byte offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "midi.h"

#define NAME "t.mid"

typedef struct bytes {
    uint8_t b[8192]; /* file image */
    size_t n;        /* bytes used */
} bytes;

/* Appends the bytes of a hex string ("4D 54 ..."; spaces and newlines ignored). */
static void hex(bytes *o, const char *s) {
    while (*s) {
        if (*s == ' ' || *s == '\n') {
            s++;
            continue;
        }
        unsigned v;
        assert_int_equal(sscanf(s, "%2x", &v), 1);
        assert_true(o->n < sizeof o->b);
        o->b[o->n++] = (uint8_t)v;
        s += 2;
    }
}

static void put32(bytes *o, uint32_t v) {
    for (int i = 3; i >= 0; i--) o->b[o->n++] = (uint8_t)(v >> (8 * i));
}

/* A file: header (format, division) and n track bodies given as hex strings. */
static bytes smf(int format, int division, int n, ...) {
    bytes o = {.n = 0};
    hex(&o, "4D546864 00000006");
    o.b[o.n++] = 0;
    o.b[o.n++] = (uint8_t)format;
    o.b[o.n++] = 0;
    o.b[o.n++] = (uint8_t)n;
    o.b[o.n++] = (uint8_t)(division >> 8);
    o.b[o.n++] = (uint8_t)division;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        bytes body = {.n = 0};
        hex(&body, va_arg(ap, const char *));
        hex(&o, "4D54726B");
        put32(&o, (uint32_t)body.n);
        memcpy(o.b + o.n, body.b, body.n);
        o.n += body.n;
    }
    va_end(ap);
    return o;
}

static bytes raw(const char *s) {
    bytes o = {.n = 0};
    hex(&o, s);
    return o;
}

typedef struct warnings {
    int count;       /* warnings received */
    char last[512];  /* the last one */
} warnings;

static void on_warn(void *user, const char *msg) {
    warnings *w = user;
    w->count++;
    snprintf(w->last, sizeof w->last, "%s", msg);
}

static score *read_ok(const bytes *f, warnings *w) {
    char err[512] = "";
    score *s = NULL;
    midi_read_opts o = {on_warn, w};
    int rc = midi_read_mem_opts(f->b, f->n, NAME, w ? &o : NULL, &s, err, sizeof err);
    if (rc) fail_msg("unexpected error %d: %s", rc, err);
    assert_non_null(s);
    return s;
}

/* Reads a file that must fail with `status` and a message containing
 * "t.mid: byte OFFSET:" and `text`. */
static void read_fails(const bytes *f, int status, size_t offset, const char *text) {
    char err[512] = "", want[64];
    score *s = (score *)1;
    int rc = midi_read_mem(f->b, f->n, NAME, &s, err, sizeof err);
    assert_int_equal(rc, status);
    assert_null(s);
    snprintf(want, sizeof want, NAME ": byte %zu: ", offset);
    if (strstr(err, want) != err) fail_msg("expected message starting \"%s\", got \"%s\"", want, err);
    if (!strstr(err, text)) fail_msg("expected \"%s\" in \"%s\"", text, err);
}

static void assert_note(const score *s, size_t i, int64_t onset, int64_t dur, int pitch, int vel,
                        int ch) {
    assert_true(i < s->n_notes);
    const score_note *n = &s->notes[i];
    if (n->onset != onset || n->duration != dur || n->pitch != pitch || n->velocity != vel ||
        n->channel != ch)
        fail_msg("note %zu: got onset %lld dur %lld pitch %d vel %d ch %d, want %lld %lld %d %d %d",
                 i, (long long)n->onset, (long long)n->duration, n->pitch, n->velocity, n->channel,
                 (long long)onset, (long long)dur, pitch, vel, ch);
}

/* Write, read back, compare: the writer's contract. */
static void assert_roundtrip(const score *s) {
    uint8_t *buf = NULL;
    size_t len = 0;
    char err[512], msg[512];
    int rc = midi_write_mem(s, &buf, &len, err, sizeof err);
    if (rc) fail_msg("write: %s", err);
    score *back = NULL;
    rc = midi_read_mem(buf, len, "back.mid", &back, err, sizeof err);
    free(buf);
    if (rc) fail_msg("read back: %s", err);
    score *sorted = score_clone(s);
    assert_non_null(sorted);
    score_sort(sorted);
    if (score_compare(sorted, back, msg, sizeof msg)) fail_msg("round trip: %s", msg);
    score_destroy(sorted);
    score_destroy(back);
}

/* ---- reading ---------------------------------------------------------------- */

static void test_running_status_and_velocity0(void **state) {
    (void)state;
    /* Division 96: 96 ticks = one quarter = 480 at SCORE_PPQ. The second and
     * later events use running status; velocity 0 ends a note; 80 too. */
    bytes f = smf(0, 96, 1,
                  "00 90 3C 40"  /* 0: C4 on, vel 64 */
                  "60 3C 00"     /* 96: running status, vel 0 = off */
                  "00 40 50"     /* 96: E4 on, vel 80 (running status) */
                  "30 80 40 00"  /* 144: E4 off (80) */
                  "00 FF 2F 00");
    score *s = read_ok(&f, NULL);
    assert_int_equal(s->n_notes, 2);
    assert_note(s, 0, 0, 480, 60, 64, 0);
    assert_note(s, 1, 480, 240, 64, 80, 0);
    assert_roundtrip(s);
    score_destroy(s);
}

static void test_overlapping_same_pitch_fifo(void **state) {
    (void)state;
    /* on A v10 @0, on A v20 @10, off @20, off @50: FIFO gives (0..20 v10) and
     * (10..50 v20). Division 480 keeps ticks as they are. */
    bytes f = smf(0, 480, 1,
                  "00 91 45 0A  0A 91 45 14  0A 81 45 00  1E 81 45 00  00 FF 2F 00");
    score *s = read_ok(&f, NULL);
    assert_int_equal(s->n_notes, 2);
    assert_note(s, 0, 0, 20, 69, 10, 1);
    assert_note(s, 1, 10, 40, 69, 20, 1);
    assert_roundtrip(s);
    score_destroy(s);
}

static void test_hanging_note_ends_at_end_of_track(void **state) {
    (void)state;
    /* Two note-ons of one key, one note-off: the first ends at the off (FIFO),
     * the second at end of track (tick 100); a stray off on another key is ignored. */
    bytes f = smf(0, 480, 1,
                  "00 90 3C 40  0A 90 3C 41  0A 80 3C 00  00 80 3E 00  50 FF 2F 00");
    warnings w = {0, ""};
    score *s = read_ok(&f, &w);
    assert_int_equal(s->n_notes, 2);
    assert_note(s, 0, 0, 20, 60, 64, 0);
    assert_note(s, 1, 10, 90, 60, 65, 0);
    assert_int_equal(w.count, 2); /* the stray off, the hanging note */
    assert_non_null(strstr(w.last, "end of track"));
    score_destroy(s);
}

static void test_zero_length_note_and_rounding(void **state) {
    (void)state;
    /* Division 7: tick 1 = 480/7 = 68.57 -> 69; tick 3 = 205.7 -> 206; an on and
     * off at the same tick give duration 1. */
    bytes f = smf(0, 7, 1, "01 90 3C 40  02 80 3C 00  00 90 3E 40  00 80 3E 00  00 FF 2F 00");
    score *s = read_ok(&f, NULL);
    assert_int_equal(s->n_notes, 2);
    assert_note(s, 0, 69, 206 - 69, 60, 64, 0);
    assert_note(s, 1, 206, 1, 62, 64, 0);
    assert_roundtrip(s);
    score_destroy(s);
}

static void test_format0_parts_per_channel(void **state) {
    (void)state;
    /* Channel 3 plays first, then channel 0: two parts in that order. The track
     * name is the title. */
    bytes f = smf(0, 480, 1,
                  "00 FF 03 04 54 75 6E 65" /* "Tune" */
                  "00 C3 05  00 93 40 40  00 90 30 40  60 83 40 00  00 80 30 00  00 FF 2F 00");
    score *s = read_ok(&f, NULL);
    assert_string_equal(s->title, "Tune");
    assert_int_equal(s->n_parts, 2);
    assert_int_equal(s->parts[0].channel, 3);
    assert_int_equal(s->parts[0].program, 5);
    assert_int_equal(s->parts[1].channel, 0);
    assert_int_equal(s->parts[1].program, 0);
    assert_string_equal(s->parts[0].name, "");
    /* Sorted by (onset, part): channel 3's note (part 0) first. */
    assert_int_equal(s->notes[0].part, 0);
    assert_int_equal(s->notes[0].pitch, 0x40);
    assert_int_equal(s->notes[0].program, 5);
    assert_int_equal(s->notes[1].part, 1);
    assert_int_equal(s->notes[1].pitch, 0x30);
    assert_int_equal(s->notes[1].program, 0);
    assert_roundtrip(s);
    score_destroy(s);
}

static void test_format1_parts_per_track(void **state) {
    (void)state;
    /* Conductor (name "Song", no notes) + two tracks with names; the second
     * track also has an empty third track after it: it stays an (empty) part. */
    bytes f = smf(1, 480, 4,
                  "00 FF 03 04 53 6F 6E 67  00 FF 2F 00",
                  "00 FF 03 01 41  00 90 3C 40  83 60 80 3C 00  00 FF 2F 00",
                  "00 FF 03 01 42  00 C2 28  00 92 48 40  83 60 82 48 00  00 FF 2F 00",
                  "00 FF 03 01 43  00 FF 2F 00");
    score *s = read_ok(&f, NULL);
    assert_string_equal(s->title, "Song");
    assert_int_equal(s->n_parts, 3);
    assert_string_equal(s->parts[0].name, "A");
    assert_string_equal(s->parts[1].name, "B");
    assert_string_equal(s->parts[2].name, "C");
    assert_int_equal(s->parts[1].channel, 2);
    assert_int_equal(s->parts[1].program, 40);
    assert_int_equal(s->n_notes, 2);
    assert_note(s, 0, 0, 480, 60, 64, 0);
    assert_note(s, 1, 0, 480, 72, 64, 2);
    assert_int_equal(s->notes[1].part, 1);
    assert_int_equal(s->notes[1].program, 40);
    assert_roundtrip(s);
    score_destroy(s);
}

static void test_first_track_with_notes_is_part_and_title(void **state) {
    (void)state;
    bytes f = smf(1, 480, 1, "00 FF 03 02 58 59  00 90 3C 40  10 80 3C 00  00 FF 2F 00");
    score *s = read_ok(&f, NULL);
    assert_string_equal(s->title, "XY");
    assert_int_equal(s->n_parts, 1);
    assert_string_equal(s->parts[0].name, "XY");
    assert_roundtrip(s);
    score_destroy(s);
}

static void test_program_state_is_global_across_tracks(void **state) {
    (void)state;
    /* Track 1 sets channel 0 to 10 at tick 0, to 20 at tick 100. Track 2 plays
     * channel 0 at 0 (merged order: after track 1's change: 10), at 100 (20)
     * and at 50 (10). */
    bytes f = smf(1, 480, 3, "00 FF 2F 00",
                  "00 C0 0A  64 C0 14  00 FF 2F 00",
                  "00 90 3C 40  32 80 3C 00  00 90 3E 40  32 80 3E 00  00 90 40 40  10 80 40 00"
                  "00 FF 2F 00");
    score *s = read_ok(&f, NULL);
    assert_int_equal(s->n_parts, 2); /* track 1 has no notes but is not the first track */
    assert_int_equal(s->parts[1].program, 10); /* none in track 2: in force at its first note */
    assert_int_equal(s->notes[0].program, 10);
    assert_int_equal(s->notes[1].program, 10);
    assert_int_equal(s->notes[2].program, 20);
    assert_roundtrip(s);
    score_destroy(s);
}

static void test_tempo_meter_key(void **state) {
    (void)state;
    bytes f = smf(1, 96, 2,
                  "00 FF 51 03 07 A1 20"   /* 500000 us per quarter */
                  "00 FF 58 04 06 03 18 08" /* 6/8 */
                  "00 FF 59 02 FD 01"       /* 3 flats, minor */
                  "60 FF 51 03 0F 42 40"    /* at 96 (480): 1000000 */
                  "00 FF 58 04 02 02 18 08" /* 2/4 */
                  "00 FF 59 02 02 00"       /* D major */
                  "00 FF 2F 00",
                  "00 90 3C 40 60 80 3C 00 00 FF 2F 00");
    score *s = read_ok(&f, NULL);
    assert_int_equal(s->n_tempos, 2);
    assert_int_equal(s->tempos[0].us_per_qn, 500000);
    assert_int_equal(s->tempos[1].tick, 480);
    assert_int_equal(s->tempos[1].us_per_qn, 1000000);
    assert_int_equal(s->n_meters, 2);
    assert_int_equal(s->meters[0].num, 6);
    assert_int_equal(s->meters[0].den, 8);
    assert_int_equal(s->meters[1].num, 2);
    assert_int_equal(s->meters[1].den, 4);
    assert_int_equal(s->n_keys, 2);
    assert_int_equal(s->keys[0].fifths, -3);
    assert_int_equal(s->keys[0].mode, SCORE_MODE_MINOR);
    assert_int_equal(s->keys[1].fifths, 2);
    assert_int_equal(s->keys[1].mode, SCORE_MODE_MAJOR);
    assert_int_equal(s->n_parts, 1);
    assert_roundtrip(s);
    score_destroy(s);
}

static void test_sysex_and_unknown_chunk_skipped(void **state) {
    (void)state;
    bytes f = raw("4D546864 00000006 0001 0001 01E0"
                  "58464948 00000003 01 02 03"        /* unknown chunk "XFIH" */
                  "4D54726B 00000018"
                  "00 F0 05 7E 7F 09 01 F7"           /* sysex */
                  "00 F7 02 F3 01"                    /* escape */
                  "00 90 3C 40  60 3C 00  00 FF 2F 00");
    warnings w = {0, ""};
    score *s = read_ok(&f, &w);
    assert_int_equal(s->n_notes, 1);
    assert_note(s, 0, 0, 96, 60, 64, 0);
    assert_int_equal(w.count, 1);
    assert_non_null(strstr(w.last, "XFIH"));
    score_destroy(s);
}

static void test_format2_refused(void **state) {
    (void)state;
    bytes f = smf(2, 480, 1, "00 FF 2F 00");
    read_fails(&f, LJ_ERR_UNSUPPORTED, 8, "format 2");
}

static void test_smpte_refused(void **state) {
    (void)state;
    bytes f = raw("4D546864 00000006 0001 0001 E728  4D54726B 00000004 00FF2F00");
    read_fails(&f, LJ_ERR_UNSUPPORTED, 12, "SMPTE");
}

static void test_header_errors(void **state) {
    (void)state;
    bytes f = raw("52494646 00000000");
    read_fails(&f, LJ_ERR_PARSE, 0, "expected \"MThd\" (a Standard MIDI File), found \"RIFF\"");
    f = raw("");
    read_fails(&f, LJ_ERR_PARSE, 0, "found an empty file");
    f = raw("4D546864 0000"); /* cut inside the header's length */
    read_fails(&f, LJ_ERR_PARSE, 4, "expected the header's 4-byte length, found end of file (2 bytes)");
    f = raw("4D54");
    read_fails(&f, LJ_ERR_PARSE, 0, "expected \"MThd\" (a Standard MIDI File), found end of file");
    f = raw("4D546864 00000006 0001");
    read_fails(&f, LJ_ERR_PARSE, 4, "header length within the file");
    f = raw("4D546864 00000006 0003 0001 0060");
    read_fails(&f, LJ_ERR_PARSE, 8, "expected format 0, 1 or 2, found 3");
    f = raw("4D546864 00000006 0001 0001 0000");
    read_fails(&f, LJ_ERR_PARSE, 12, "found 0");
    f = raw("4D546864 00000006 0000 0002 0060");
    read_fails(&f, LJ_ERR_PARSE, 10, "expected 1 track in format 0, found 2");
    f = raw("4D546864 00000006 0001 FFFF 0060");
    read_fails(&f, LJ_ERR_LIMIT, 10, "expected at most 1024 tracks, found 65535");
}

static void test_truncated_and_lying_chunks(void **state) {
    (void)state;
    /* Track chunk says 100 bytes, the file has 4: length past end of file. */
    bytes f = raw("4D546864 00000006 0001 0001 0060  4D54726B 00000064 00FF2F00");
    read_fails(&f, LJ_ERR_PARSE, 18, "expected a chunk length within the file (4 bytes left), found 100");
    /* Track chunk says 3 bytes: the end-of-track event is cut: the chunk ends
     * (at byte 25) inside it. */
    f = raw("4D546864 00000006 0001 0001 0060  4D54726B 00000003 00FF2F00");
    read_fails(&f, LJ_ERR_PARSE, 25, "expected the length of a meta or sysex event, found the end of track chunk 1");
    /* Track data ending without end-of-track. */
    f = smf(0, 96, 1, "00 90 3C 40 60 3C 00");
    read_fails(&f, LJ_ERR_PARSE, 29, "expected an end-of-track event (FF 2F 00) or a delta time, found the end of track chunk 1");
    /* Header declares 2 tracks, the file has 1. */
    f = raw("4D546864 00000006 0001 0002 0060  4D54726B 00000004 00FF2F00");
    read_fails(&f, LJ_ERR_PARSE, 26, "expected track 2 of 2 (an \"MTrk\" chunk), found end of file");
    /* A too-long first length swallows the next header: garbage as chunk type. */
    f = raw("4D546864 00000006 0001 0002 0060  4D54726B 00000005 00FF2F00 00"
            "01020304 00000000");
    read_fails(&f, LJ_ERR_PARSE, 27, "expected a chunk type (\"MTrk\"), found bytes 01 02 03 04");
    /* A meta event longer than its chunk. */
    f = smf(0, 96, 1, "00 FF 01 7F 41 00 FF 2F 00");
    read_fails(&f, LJ_ERR_PARSE, 23, "expected a meta event length within the track chunk (5 bytes left), found 127");
}

static void test_bad_vlq_and_overflow(void **state) {
    (void)state;
    /* A delta time with a 5th byte: the 4th (byte 25) still has its top bit. */
    bytes f = smf(0, 96, 1, "81 81 81 81 00  90 3C 40  00 FF 2F 00");
    read_fails(&f, LJ_ERR_PARSE, 25, "at most 4 bytes");
    /* The largest delta (0FFFFFFF) at division 96 is 5x too late at 480 PPQ. */
    f = smf(0, 96, 1, "FF FF FF 7F 90 3C 40  00 FF 2F 00");
    read_fails(&f, LJ_ERR_LIMIT, 25, "expected times up to 268435455 ticks");
    /* Deltas that add up past the limit at division 480. */
    f = smf(0, 480, 1, "FF FF FF 7F 90 3C 40  01 80 3C 00  00 FF 2F 00");
    read_fails(&f, LJ_ERR_LIMIT, 29, "expected times up to");
    /* A meta length VLQ with 5 bytes. */
    f = smf(0, 96, 1, "00 FF 01 80 80 80 80 00");
    read_fails(&f, LJ_ERR_PARSE, 28, "length (at most 4 bytes)");
}

static void test_status_errors(void **state) {
    (void)state;
    /* A data byte first in a track: no running status yet. */
    bytes f = smf(0, 96, 1, "00 3C 40  00 FF 2F 00");
    read_fails(&f, LJ_ERR_PARSE, 23, "expected a status byte, found data byte 0x3C");
    /* A status byte where a data byte belongs. */
    f = smf(0, 96, 1, "00 90 3C 90  00 FF 2F 00");
    read_fails(&f, LJ_ERR_PARSE, 25, "expected a data byte (00-7F) of message 90, found 0x90");
    /* A system real-time byte in a file. */
    f = smf(0, 96, 1, "00 F8  00 FF 2F 00");
    read_fails(&f, LJ_ERR_PARSE, 23, "found 0xF8");
}

static void test_invalid_meta_values_ignored(void **state) {
    (void)state;
    bytes f = smf(0, 96, 1,
                  "00 FF 51 03 00 00 00"  /* tempo 0 */
                  "00 FF 58 04 04 09 18 08" /* denominator 2^9 */
                  "00 FF 59 02 09 00"     /* 9 sharps */
                  "00 FF 51 02 01 02"     /* short tempo */
                  "00 FF 2F 00");
    warnings w = {0, ""};
    score *s = read_ok(&f, &w);
    assert_int_equal(s->n_tempos + s->n_meters + s->n_keys, 0);
    assert_int_equal(w.count, 4);
    score_destroy(s);
}

static void test_bytes_after_end_of_track_and_trailing_data(void **state) {
    (void)state;
    bytes f = raw("4D546864 00000006 0000 0001 0060"
                  "4D54726B 00000009 00 90 3C 40 00 FF 2F 00 55"
                  "DEADBEEF");
    warnings w = {0, ""};
    score *s = read_ok(&f, &w);
    assert_int_equal(s->n_notes, 1);
    assert_note(s, 0, 0, 1, 60, 64, 0); /* ends at end of track, 0 ticks -> 1 */
    assert_int_equal(w.count, 2);        /* the byte after end of track, the hanging note */
    score_destroy(s);
}

static void test_key_mode_meta(void **state) {
    (void)state;
    score *s = score_create();
    assert_non_null(s);
    size_t p;
    assert_int_equal(score_add_part(s, "melody", 4, 73, &p), LJ_OK);
    assert_int_equal(score_add_key(s, 0, 1, SCORE_MODE_DORIAN), LJ_OK);
    assert_int_equal(score_add_key(s, 960, -1, SCORE_MODE_MINOR), LJ_OK);
    assert_int_equal(score_add_key(s, 1920, 2, SCORE_MODE_MIXOLYDIAN), LJ_OK);
    score_note n = {.onset = 0, .duration = 480, .pitch = 62, .velocity = 90, .channel = 4,
                    .program = 73, .part = 0};
    assert_int_equal(score_add_note(s, &n), LJ_OK);
    assert_roundtrip(s);
    score_destroy(s);
}

/* ---- writing ------------------------------------------------------------------ */

static void test_writer_roundtrip_hard_cases(void **state) {
    (void)state;
    score *s = score_create();
    assert_non_null(s);
    snprintf(s->title, sizeof s->title, "A title, with commas");
    size_t p0, p1, p2;
    assert_int_equal(score_add_part(s, "lead", 2, 10, &p0), LJ_OK);
    assert_int_equal(score_add_part(s, "", 2, 30, &p1), LJ_OK); /* same channel, other program */
    assert_int_equal(score_add_part(s, "empty", 9, 0, &p2), LJ_OK);
    assert_int_equal(score_add_tempo(s, 0, 400000), LJ_OK);
    assert_int_equal(score_add_tempo(s, 1000, 600000), LJ_OK);
    assert_int_equal(score_add_meter(s, 0, 7, 8), LJ_OK);
    score_note notes[] = {
        /* same key, same onset, different durations and velocities */
        {0, 100, 60, 10, 2, 10, 0}, {0, 200, 60, 20, 2, 10, 0},
        /* ends where the next same-key note starts */
        {200, 100, 62, 30, 2, 10, 0}, {300, 50, 62, 40, 2, 11, 0},
        /* another channel inside part 0, starting with the part's first note */
        {0, 480, 40, 50, 5, 0, 0},
        /* part 1 on the same channel with another program at the same time */
        {0, 480, 67, 60, 2, 30, 1}, {480, 480, 67, 61, 2, 31, 1},
        /* overlapping same key (not nested) */
        {1000, 300, 70, 70, 2, 30, 1}, {1100, 300, 70, 71, 2, 30, 1},
    };
    for (size_t i = 0; i < sizeof notes / sizeof *notes; i++)
        assert_int_equal(score_add_note(s, &notes[i]), LJ_OK);
    assert_roundtrip(s);
    score_destroy(s);
}

static void test_writer_refuses_what_midi_cannot_hold(void **state) {
    (void)state;
    score *s = score_create();
    assert_non_null(s);
    size_t p;
    assert_int_equal(score_add_part(s, "", 0, 0, &p), LJ_OK);
    score_note n = {0, 480, 60, 64, 0, 0, 0};
    assert_int_equal(score_add_note(s, &n), LJ_OK);
    uint8_t *buf = NULL;
    size_t len = 0;
    char err[256];
    s->notes[0].velocity = 0;
    assert_int_equal(midi_write_mem(s, &buf, &len, err, sizeof err), LJ_ERR_RANGE);
    assert_null(buf);
    s->notes[0].velocity = 64;
    s->notes[0].onset = -1;
    assert_int_equal(midi_write_mem(s, &buf, &len, err, sizeof err), LJ_ERR_RANGE);
    s->notes[0].onset = MIDI_MAX_TICK;
    assert_int_equal(midi_write_mem(s, &buf, &len, err, sizeof err), LJ_ERR_RANGE);
    s->notes[0].onset = 0;
    s->notes[0].part = 1;
    assert_int_equal(midi_write_mem(s, &buf, &len, err, sizeof err), LJ_ERR_ARG);
    s->notes[0].part = 0;
    s->notes[0].duration = MIDI_MAX_TICK; /* the latest time that fits */
    assert_int_equal(midi_write_mem(s, &buf, &len, err, sizeof err), LJ_OK);
    free(buf);
    assert_roundtrip(s);
    score_destroy(s);
}

static void test_writer_layout(void **state) {
    (void)state;
    /* The bytes of a small file, as the header documents them. */
    score *s = score_create();
    assert_non_null(s);
    snprintf(s->title, sizeof s->title, "T");
    size_t p;
    assert_int_equal(score_add_part(s, "P", 1, 5, &p), LJ_OK);
    assert_int_equal(score_add_tempo(s, 0, 500000), LJ_OK);
    score_note n = {0, 480, 60, 100, 1, 5, 0};
    assert_int_equal(score_add_note(s, &n), LJ_OK);
    uint8_t *buf = NULL;
    size_t len = 0;
    char err[256];
    assert_int_equal(midi_write_mem(s, &buf, &len, err, sizeof err), LJ_OK);
    /* Conductor: name "T", tempo 500000, end; part: name "P", program 5 on
     * channel 1, note-on 60 vel 100 (0x64), 480 ticks (83 60) later note-off
     * (velocity 64), end. */
    bytes want = raw("4D546864 00000006 0001 0002 01E0"
               "4D54726B 00000010 00FF030154 00FF510307A120 00FF2F00"
               "4D54726B 00000015 00FF030150 00C105 00913C64 8360813C40 00FF2F00");
    assert_int_equal(len, want.n);
    assert_memory_equal(buf, want.b, len);
    free(buf);
    score_destroy(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_running_status_and_velocity0),
        cmocka_unit_test(test_overlapping_same_pitch_fifo),
        cmocka_unit_test(test_hanging_note_ends_at_end_of_track),
        cmocka_unit_test(test_zero_length_note_and_rounding),
        cmocka_unit_test(test_format0_parts_per_channel),
        cmocka_unit_test(test_format1_parts_per_track),
        cmocka_unit_test(test_first_track_with_notes_is_part_and_title),
        cmocka_unit_test(test_program_state_is_global_across_tracks),
        cmocka_unit_test(test_tempo_meter_key),
        cmocka_unit_test(test_sysex_and_unknown_chunk_skipped),
        cmocka_unit_test(test_format2_refused),
        cmocka_unit_test(test_smpte_refused),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_truncated_and_lying_chunks),
        cmocka_unit_test(test_bad_vlq_and_overflow),
        cmocka_unit_test(test_status_errors),
        cmocka_unit_test(test_invalid_meta_values_ignored),
        cmocka_unit_test(test_bytes_after_end_of_track_and_trailing_data),
        cmocka_unit_test(test_key_mode_meta),
        cmocka_unit_test(test_writer_roundtrip_hard_cases),
        cmocka_unit_test(test_writer_refuses_what_midi_cannot_hold),
        cmocka_unit_test(test_writer_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
