/* dsp/midi_route's control changes: a CC that drives the instrument (a
 * preset's midi.cc: temperature on the mod wheel by default) goes to the
 * engine only, not thru to the synth, MIDI out or the recording (the mod
 * wheel turning the temperature added the synth's vibrato to the player's
 * notes); other CCs, notes and CC 120/123 go everywhere; a new mapping (a
 * reload) takes effect at the next message, and so does a new thru channel,
 * after an all-notes-off of the old one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "midi_route.h"

typedef struct queues {
    void *mem[4];
    rtq *q[4]; /* live, engine, record, out */
} queues;

static void queues_open(queues *s) {
    size_t b = rtq_bytes(64, sizeof(lj_event));
    for (int i = 0; i < 4; i++) {
        s->mem[i] = aligned_alloc(64, (b + 63) / 64 * 64);
        s->q[i] = rtq_init(s->mem[i], b, 64, sizeof(lj_event));
        assert_non_null(s->q[i]);
    }
}

static void queues_close(queues *s) {
    for (int i = 0; i < 4; i++) free(s->mem[i]);
}

/* Sends one message; *got[i] = 1 if queue i received it (and empties them). */
static void send(midi_route *r, queues *s, const uint8_t *msg, int got[4]) {
    midi_route_message(r, 0, msg, 3);
    for (int i = 0; i < 4; i++) {
        lj_event ev;
        got[i] = 0;
        while (rtq_pop(s->q[i], &ev)) got[i]++;
    }
}

static void test_controls_to_engine_only(void **state) {
    (void)state;
    queues s;
    queues_open(&s);
    midi_route r;
    midi_route_init(&r, s.q[0], s.q[1], s.q[2], 1);
    midi_route_thru_to_out(&r, s.q[3]);
    const int map[] = {1, 74, 71, 70, -1, 123}; /* -1 unmapped, 123 always everywhere */
    midi_route_set_controls(&r, map, 6);
    int got[4];
    static const uint8_t mod[] = {0xB0, 1, 64}, tempo[] = {0xB3, 71, 100}, volume[] = {0xB0, 7, 90},
                         all_off[] = {0xB0, 123, 0}, note[] = {0x90, 60, 80};
    send(&r, &s, mod, got);
    assert_true(!got[0] && got[1] == 1 && !got[2] && !got[3]);
    send(&r, &s, tempo, got); /* any channel */
    assert_true(!got[0] && got[1] == 1 && !got[2] && !got[3]);
    const uint8_t *everywhere[] = {volume, all_off, note};
    for (int m = 0; m < 3; m++) {
        send(&r, &s, everywhere[m], got);
        assert_true(got[0] == 1 && got[1] == 1 && got[2] == 1 && got[3] == 1);
    }
    midi_route_set_controls(&r, map, 0); /* a reload's preset maps nothing */
    send(&r, &s, mod, got);
    assert_true(got[0] == 1 && got[1] == 1 && got[2] == 1 && got[3] == 1);
    assert_int_equal(atomic_load(&r.routed), 6);
    queues_close(&s);
}

/* A reload's new thru channel (midi_route_set_channel): the next message
 * ends the old channel's notes on the live queue, MIDI out and the recording
 * (a key held across the change would sound on there for good: its note-off
 * comes on the new channel), then goes out on the new channel. */
static void test_set_channel(void **state) {
    (void)state;
    queues s;
    queues_open(&s);
    midi_route r;
    midi_route_init(&r, s.q[0], s.q[1], s.q[2], 1);
    midi_route_thru_to_out(&r, s.q[3]);
    static const uint8_t on[] = {0x90, 60, 80}, off[] = {0x80, 60, 0};
    midi_route_message(&r, 10, on, 3);
    midi_route_set_channel(&r, 4); /* nothing is routed until a message comes */
    lj_event ev;
    for (int i = 0; i < 4; i++) {
        assert_true(rtq_pop(s.q[i], &ev));
        assert_int_equal(ev.kind, LJ_EV_NOTE_ON);
        assert_int_equal(ev.channel, 1);
        assert_false(rtq_pop(s.q[i], &ev));
    }
    midi_route_message(&r, 20, off, 3);
    for (int i = 0; i < 4; i++) {
        if (i != 1) { /* live, record, out: the old channel's notes end at that message's frame */
            assert_true(rtq_pop(s.q[i], &ev));
            assert_int_equal(ev.kind, LJ_EV_ALL_NOTES_OFF);
            assert_int_equal(ev.channel, 1);
            assert_int_equal(ev.frame, 20);
        }
        assert_true(rtq_pop(s.q[i], &ev));
        assert_int_equal(ev.kind, LJ_EV_NOTE_OFF);
        assert_int_equal(ev.channel, 4);
        assert_false(rtq_pop(s.q[i], &ev));
    }
    midi_route_message(&r, 30, on, 3); /* once only */
    for (int i = 0; i < 4; i++) {
        assert_true(rtq_pop(s.q[i], &ev));
        assert_int_equal(ev.kind, LJ_EV_NOTE_ON);
        assert_int_equal(ev.channel, 4);
        assert_false(rtq_pop(s.q[i], &ev));
    }
    queues_close(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls_to_engine_only),
        cmocka_unit_test(test_set_channel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
