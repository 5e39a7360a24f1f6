/* MIDI in and out on the ALSA sequencer and PortMidi, the parts that need no
 * kernel (this machine and CI have no /dev/snd/seq; tests/midi_alsa.sh runs
 * the ports end to end where it exists):
 *   - midi_out_event_ns: the times the scheduled backends stamp events with:
 *     exact from the clock's reading, late events at once, never going back
 *     when the audio clock jumps a period (a note-off never before its
 *     note-on);
 *   - every message lstmjam sends or routes goes through alsa-lib's encoder
 *     (midi_out_alsa_encode, what alsa_write sends) and decoder
 *     (midi_in_alsa_to_midi, what the input port routes) unchanged, MIDI
 *     clock and Start/Continue/Stop included (for --midi-clock in); SysEx
 *     and active sensing are not routed;
 *   - midi_in_pm_to_midi: PortMidi's packed messages as MIDI bytes, clock
 *     one byte long. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <alsa/asoundlib.h>

#include "device/midi_in.h"
#include "device/midi_out.h"

static void test_event_times(void **state) {
    (void)state;
    uint64_t last = 0;
    /* 480 frames ahead at 48 kHz: 10 ms after the reading */
    assert_int_equal(midi_out_event_ns(1480, 1000, 5000000, 48000, &last), 15000000);
    assert_int_equal(last, 15000000);
    /* a frame already passed: at once, but not before what was stamped last */
    assert_int_equal(midi_out_event_ns(900, 1000, 6000000, 48000, &last), 15000000);
    last = 0;
    assert_int_equal(midi_out_event_ns(900, 1000, 6000000, 48000, &last), 6000000);
    /* the audio clock moves a period at a time: a window read at frame 1000
     * (0 ns) stamps frame 1100 at 2.083 ms; the next, read 0.5 ms later when a
     * callback has just rendered 256 frames, would stamp frame 1260 at
     * 0.583 ms, before it: it is held to 2.083 ms so the order stays */
    last = 0;
    uint64_t a = midi_out_event_ns(1100, 1000, 0, 48000, &last);
    uint64_t b = midi_out_event_ns(1260, 1256, 500000, 48000, &last);
    assert_int_equal(a, 2083333);
    assert_int_equal(b, a);
    /* a long run of windows with a jumping clock: times never go back, and
     * none is earlier than its own exact time */
    last = 0;
    uint64_t prev = 0, frame = 0, clock = 0, ns = 0, seed = 12345;
    for (int w = 0; w < 2000; w++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        ns += 1000000;                                  /* a poll every ms */
        if ((seed >> 33) % 3 == 0) clock += 128;        /* a period rendered */
        uint64_t until = clock + 96;                    /* LEAD_MS ahead */
        for (; frame < until; frame += 37) {
            uint64_t t = midi_out_event_ns(frame, clock, ns, 48000, &last);
            uint64_t exact = ns + (frame > clock ? (uint64_t)((double)(frame - clock) * 1e9 / 48000 + 0.5) : 0);
            assert_true(t >= prev);
            assert_true(t >= exact);
            prev = t;
        }
    }
}

/* encode (what alsa_write sends) then decode (what the input port routes) */
static int round_trip(snd_midi_event_t *enc, snd_midi_event_t *dec, const uint8_t *msg, size_t len,
                      uint8_t *out) {
    snd_seq_event_t ev;
    if (!midi_out_alsa_encode(enc, msg, len, &ev)) return -1;
    return midi_in_alsa_to_midi(dec, &ev, out, 8);
}

static void test_alsa_messages(void **state) {
    (void)state;
    snd_midi_event_t *enc = NULL, *dec = NULL;
    assert_int_equal(snd_midi_event_new(16, &enc), 0);
    assert_int_equal(snd_midi_event_new(16, &dec), 0);
    snd_midi_event_no_status(dec, 1);
    static const uint8_t msgs[][3] = {
        {0x90, 60, 100}, {0x80, 60, 0},  {0x9F, 127, 1},  {0x8F, 0, 64},  /* notes, every range end */
        {0xB0, 64, 127}, {0xB3, 123, 0}, {0xB0, 74, 33},                 /* sustain, panic, density */
        {0xE5, 0, 64},   {0xE0, 127, 127}, {0xA2, 61, 40},               /* bend, poly pressure */
    };
    uint8_t out[8];
    for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++) {
        int n = round_trip(enc, dec, msgs[i], 3, out);
        assert_int_equal(n, 3);
        assert_memory_equal(out, msgs[i], 3);
    }
    static const uint8_t two[][2] = {{0xC2, 5}, {0xD0, 40}}; /* program, channel pressure */
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(round_trip(enc, dec, two[i], 2, out), 2);
        assert_memory_equal(out, two[i], 2);
    }
    /* a note-on of velocity 0 is a note-off to midi_route: it must stay one */
    static const uint8_t on0[3] = {0x93, 62, 0};
    int n = round_trip(enc, dec, on0, 3, out);
    assert_int_equal(n, 3);
    assert_true((out[0] == 0x93 && out[2] == 0) || out[0] == 0x83);
    assert_int_equal(out[1], 62);
    /* MIDI clock and the transport go out (the sink's ticks) and come in, one
     * byte each, for --midi-clock in (midi_route hands them to the follower) */
    static const uint8_t rt[] = {0xF8, 0xFA, 0xFB, 0xFC};
    for (size_t i = 0; i < sizeof rt; i++) {
        snd_seq_event_t ev;
        assert_true(midi_out_alsa_encode(enc, &rt[i], 1, &ev));
        assert_int_equal(midi_in_alsa_to_midi(dec, &ev, out, 8), 1);
        assert_int_equal(out[0], rt[i]);
    }
    /* the rest of system real-time (active sensing, reset) is not routed */
    static const uint8_t other[] = {0xFE, 0xFF};
    for (size_t i = 0; i < sizeof other; i++) {
        snd_seq_event_t ev;
        if (midi_out_alsa_encode(enc, &other[i], 1, &ev))
            assert_int_equal(midi_in_alsa_to_midi(dec, &ev, out, 8), 0);
    }
    /* half a message is nothing (the encoder waits for the rest) */
    static const uint8_t half[2] = {0x90, 60};
    snd_seq_event_t ev;
    assert_false(midi_out_alsa_encode(enc, half, 2, &ev));
    snd_midi_event_free(enc);
    snd_midi_event_free(dec);
}

/* PortMidi's packed messages (status in the low byte, then data 1, data 2)
 * as the bytes midi_route reads: real-time messages are one byte (the clock
 * the input no longer filters out), program and pressure two, the rest three. */
static void test_portmidi_messages(void **state) {
    (void)state;
    uint8_t out[3];
    assert_int_equal(midi_in_pm_to_midi(0x00643C90u, out), 3); /* note on C4 100 */
    assert_int_equal(out[0], 0x90);
    assert_int_equal(out[1], 0x3C);
    assert_int_equal(out[2], 0x64);
    assert_int_equal(midi_in_pm_to_midi(0x000005C2u, out), 2);
    assert_int_equal(out[0], 0xC2);
    assert_int_equal(out[1], 5);
    assert_int_equal(midi_in_pm_to_midi(0x000028D0u, out), 2);
    assert_int_equal(midi_in_pm_to_midi(0x007F4AB0u, out), 3);
    static const uint8_t rt[] = {0xF8, 0xFA, 0xFB, 0xFC};
    for (size_t i = 0; i < sizeof rt; i++) {
        assert_int_equal(midi_in_pm_to_midi(rt[i], out), 1);
        assert_int_equal(out[0], rt[i]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_times),
        cmocka_unit_test(test_alsa_messages),
        cmocka_unit_test(test_portmidi_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
