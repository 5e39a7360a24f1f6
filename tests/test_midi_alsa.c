/* MIDI in and out on the ALSA sequencer and PortMidi, the parts that need no
 * kernel (this machine and CI have no /dev/snd/seq; tests/midi_alsa.sh runs
 * the ports end to end where it exists):
 *   - midi_out_event_ns: the times the scheduled backends stamp events with:
 *     exact from the clock's reading, late events at once, never going back
 *     when the audio clock jumps a period (a note-off never before its
 *     note-on);
 *   - midi_out_pm_stamp: the PortMidi timestamps of the PortMidi output:
 *     rounding to ms, the frame -> ms mapping, late events at once, the 0
 *     PortMidi reads as "now", the int32 wrap, and (against a model of
 *     PortMidi 217's ALSA scheduling) messages leaving in the order written;
 *   - every message lstmjam sends or routes goes through alsa-lib's encoder
 *     (midi_out_alsa_encode, what alsa_write sends) and decoder
 *     (midi_in_alsa_to_midi, what the input port routes) unchanged, MIDI
 *     clock and Start/Continue/Stop included (for --midi-clock in); SysEx
 *     and active sensing are not routed;
 *   - midi_in_alsa_source_event: the input port follows who is connected to
 *     it and tells each departure once (unsubscribed, port or client exit),
 *     and the events it acts on are not MIDI to the decoder;
 *   - midi_in_pm_to_midi: PortMidi's packed messages as MIDI bytes, clock
 *     one byte long. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
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

/* PortMidi's ALSA backend (217) sends a message stamped `stamp` at the
 * queue's tick then plus stamp - time_proc() + latency, no earlier than now. */
static int64_t pm_alsa_tick(int64_t queue_tick, uint32_t now_ms, int32_t stamp, uint32_t latency) {
    int32_t delay = (int32_t)((uint32_t)stamp - now_ms) + (int32_t)latency;
    return queue_tick + (delay > 0 ? delay : 0);
}

/* The tick of a queue whose timer fires at k + phase + jitter(k) ms (jitter
 * in [0, 0.5), fixed per k): the count of ticks fired by real time t (ms). */
static double tick_jitter(int64_t k) {
    uint64_t h = (uint64_t)k * 0x9E3779B97F4A7C15u;
    return (double)((h >> 40) % 500) / 1000.0;
}
static int64_t queue_tick(double t, double phase) {
    int64_t k = (int64_t)floor(t - phase);
    return k + phase + tick_jitter(k) > t ? k - 1 : k;
}

static void test_portmidi_stamps(void **state) {
    (void)state;
    /* rounding to the nearest ms, halves up */
    assert_int_equal(midi_out_pm_ms(0), 0);
    assert_int_equal(midi_out_pm_ms(1499999), 1);
    assert_int_equal(midi_out_pm_ms(1500000), 2);
    /* a frame 480 ahead of a clock read at 5 ms: due at 15 ms, stamped 15 - 2
     * (PortMidi adds the latency back); 24 frames (0.5 ms) ahead: 5.5 -> 6 */
    midi_out_pm_order o = {0};
    uint64_t last = 0;
    assert_int_equal(midi_out_pm_stamp(midi_out_event_ns(1480, 1000, 5000000, 48000, &last), 2, 1, &o), 13);
    o = (midi_out_pm_order){0}, last = 0;
    assert_int_equal(midi_out_pm_stamp(midi_out_event_ns(1024, 1000, 5000000, 48000, &last), 2, 1, &o), 4);
    /* a chord in one pass: stamps alike; an earlier time after a later one
     * in the same pass is held to the later (PortMidi: non-decreasing) */
    assert_int_equal(midi_out_pm_stamp(6000000, 2, 1, &o), 4);
    assert_int_equal(midi_out_pm_stamp(5000000, 2, 1, &o), 4);
    /* the next pass: at least 2 ms after the last stamp of an earlier one;
     * later times are untouched */
    assert_int_equal(midi_out_pm_stamp(6000000, 2, 2, &o), 6);
    assert_int_equal(midi_out_pm_stamp(30000000, 2, 3, &o), 28);
    /* already late: frame 900 when the clock reads 1000 at 6 ms is stamped
     * due now, so PortMidi's delay (stamp - now + latency) is 0: at once */
    o = (midi_out_pm_order){0}, last = 0;
    int32_t late = midi_out_pm_stamp(midi_out_event_ns(900, 1000, 6000000, 48000, &last), 2, 1, &o);
    assert_int_equal(late, 4);
    assert_int_equal(pm_alsa_tick(100, 6, late, 2), 100);
    /* 0 is PortMidi's "now + latency": 1 instead (due at 2 ms, latency 2) */
    o = (midi_out_pm_order){0};
    assert_int_equal(midi_out_pm_stamp(2000000, 2, 1, &o), 1);
    /* the wrap: 2^32 ms after the open the stamps start again from 0, and
     * the differences PortMidi takes stay right across it */
    o = (midi_out_pm_order){.last = 0xFFFFFFFEu, .pass = 1, .any = 1};
    int32_t w = midi_out_pm_stamp((4294967296ull + 5) * 1000000ull, 2, 2, &o);
    assert_int_equal(w, 3);
    assert_int_equal(pm_alsa_tick(0, 0xFFFFFFFFu, w, 2), 6); /* now is 2^32 - 1: due in 6 ms */
    o = (midi_out_pm_order){.last = 0xFFFFFFFFu, .pass = 1, .any = 1};
    assert_int_equal(midi_out_pm_stamp((4294967296ull - 1) * 1000000ull, 2, 2, &o), 1); /* 2 after, not 0 */
    /* the order of the messages as PortMidi's queue sends them. The model:
     * the kernel's timer adds a tick to the queue once a ms, at
     * k + phase + jitter (jitter in [0, 0.5) ms), time_proc is the pass's
     * reading;
     * passes every ms with up to 0.9 ms of jitter, events 1 to 9 ms apart,
     * chords of up to 3. Written in order, they must leave in order (ticks
     * never going back: the queue keeps the order of equal ticks), none more
     * than 3 ms early (two roundings and the tick's lag), none later than
     * 1.1 ms plus what the stamp was moved by; and a stamp is moved only when
     * the last one is too close to it (within 2 ms from an earlier pass). */
    for (int phase_i = 0; phase_i < 8; phase_i++) {
        double phase = phase_i / 8.0;
        uint64_t seed = 777 + (uint64_t)phase_i, frame = 1000;
        o = (midi_out_pm_order){0}, last = 0;
        int64_t prev_tick = INT64_MIN;
        unsigned moved = 0, events = 0;
        for (unsigned pass = 1; pass < 5000; pass++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            double t_pass = pass + (double)((seed >> 33) % 900) / 1000.0; /* ms */
            uint64_t ns = (uint64_t)(t_pass * 1e6), clock = (uint64_t)(t_pass * 48.0);
            uint32_t now_ms = midi_out_pm_ms(ns);
            for (; frame < clock + 96; frame += 48 + (seed >> 40) % 400) {
                for (int chord = 0; chord < 1 + (int)(frame % 3); chord++) {
                    seed = seed * 6364136223846793005u + 1442695040888963407u;
                    uint64_t due_ns = midi_out_event_ns(frame, clock, ns, 48000, &last);
                    double due = (double)due_ns / 1e6;
                    int32_t natural = (int32_t)(midi_out_pm_ms(due_ns) - 2);
                    int room = !o.any || (int32_t)((uint32_t)natural - o.last) >= (o.pass == pass ? 0 : 2);
                    int32_t stamp = midi_out_pm_stamp(due_ns, 2, pass, &o);
                    if (room) assert_int_equal(stamp, natural);
                    moved += stamp != natural;
                    events++;
                    double t_write = t_pass + 0.01 * chord;
                    int64_t tick = pm_alsa_tick(queue_tick(t_write, phase), now_ms, stamp, 2);
                    double sent = (double)tick + phase; /* the tick's start in real ms */
                    assert_true(tick >= prev_tick);
                    assert_true(sent >= due - 3.0);
                    assert_true(sent <= due + 1.1 + (stamp - natural));
                    prev_tick = tick;
                }
            }
        }
        assert_true(events > 1000);
        assert_true(moved < events / 10); /* chords stay together: few are moved */
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

static snd_seq_event_t connect_ev(int type, int from_client, int from_port, int to_client, int to_port) {
    snd_seq_event_t ev;
    snd_seq_ev_clear(&ev);
    ev.type = (snd_seq_event_type_t)type;
    ev.source.client = SND_SEQ_CLIENT_SYSTEM;
    ev.data.connect.sender.client = (unsigned char)from_client;
    ev.data.connect.sender.port = (unsigned char)from_port;
    ev.data.connect.dest.client = (unsigned char)to_client;
    ev.data.connect.dest.port = (unsigned char)to_port;
    return ev;
}

static snd_seq_event_t exit_ev(int type, int client, int port) {
    snd_seq_event_t ev;
    snd_seq_ev_clear(&ev);
    ev.type = (snd_seq_event_type_t)type;
    ev.source.client = SND_SEQ_CLIENT_SYSTEM;
    ev.data.addr.client = (unsigned char)client;
    ev.data.addr.port = (unsigned char)port;
    return ev;
}

/* Our port is 130:0 (lstmjam-midi:in); a keyboard 24:0, a program 131:0-1. */
static void test_alsa_sources(void **state) {
    (void)state;
    midi_in_alsa_sources s = {0};
    int c = -1, p = -1;
    snd_seq_event_t ev;
    /* the announce port's own subscription is not a player */
    ev = connect_ev(SND_SEQ_EVENT_PORT_SUBSCRIBED, 0, 1, 130, 0);
    assert_false(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p));
    assert_int_equal(s.n, 0);
    /* the keyboard connects: the notice to our port and the broadcast (twice) */
    ev = connect_ev(SND_SEQ_EVENT_PORT_SUBSCRIBED, 24, 0, 130, 0);
    assert_false(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p));
    assert_false(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p));
    assert_int_equal(s.n, 1);
    /* connections between other ports (the announce port tells them all) */
    ev = connect_ev(SND_SEQ_EVENT_PORT_SUBSCRIBED, 24, 0, 128, 0);
    assert_false(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p));
    ev = connect_ev(SND_SEQ_EVENT_PORT_UNSUBSCRIBED, 24, 0, 128, 0);
    assert_false(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p));
    assert_int_equal(s.n, 1);
    /* unplugged: the unsubscription, then the port's and the client's exit:
     * one departure, told by the first */
    ev = connect_ev(SND_SEQ_EVENT_PORT_UNSUBSCRIBED, 24, 0, 130, 0);
    assert_true(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p));
    assert_int_equal(c, 24);
    assert_int_equal(p, 0);
    assert_false(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p)); /* the broadcast of it */
    ev = exit_ev(SND_SEQ_EVENT_PORT_EXIT, 24, 0);
    assert_false(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p));
    ev = exit_ev(SND_SEQ_EVENT_CLIENT_EXIT, 24, 0);
    assert_false(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p));
    assert_int_equal(s.n, 0);
    /* a program with two ports connected exits; the exit comes first (no
     * notice to us): one departure for the client, then nothing */
    ev = connect_ev(SND_SEQ_EVENT_PORT_SUBSCRIBED, 131, 0, 130, 0);
    midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p);
    ev = connect_ev(SND_SEQ_EVENT_PORT_SUBSCRIBED, 131, 1, 130, 0);
    midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p);
    ev = connect_ev(SND_SEQ_EVENT_PORT_SUBSCRIBED, 24, 0, 130, 0);
    midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p);
    assert_int_equal(s.n, 3);
    ev = exit_ev(SND_SEQ_EVENT_CLIENT_EXIT, 131, 0);
    assert_true(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p));
    assert_int_equal(c, 131);
    assert_int_equal(s.n, 1);
    ev = connect_ev(SND_SEQ_EVENT_PORT_UNSUBSCRIBED, 131, 1, 130, 0);
    assert_false(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p));
    /* a port of a client that exits, the client staying: that port only */
    ev = exit_ev(SND_SEQ_EVENT_PORT_EXIT, 24, 0);
    assert_true(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p));
    assert_int_equal(s.n, 0);
    /* more sources than the table holds: every departure to our port counts */
    for (int k = 0; k < MIDI_IN_ALSA_SOURCES + 2; k++) {
        ev = connect_ev(SND_SEQ_EVENT_PORT_SUBSCRIBED, 40 + k, 0, 130, 0);
        midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p);
    }
    assert_true(s.overflow);
    ev = connect_ev(SND_SEQ_EVENT_PORT_UNSUBSCRIBED, 40 + MIDI_IN_ALSA_SOURCES + 1, 0, 130, 0);
    assert_true(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p));
    /* notes are not departures, and the notices are not MIDI to the decoder */
    snd_midi_event_t *dec = NULL;
    assert_int_equal(snd_midi_event_new(16, &dec), 0);
    uint8_t out[8];
    snd_seq_ev_clear(&ev);
    snd_seq_ev_set_noteon(&ev, 0, 60, 100);
    assert_false(midi_in_alsa_source_event(&s, 130, 0, &ev, &c, &p));
    ev = connect_ev(SND_SEQ_EVENT_PORT_UNSUBSCRIBED, 24, 0, 130, 0);
    assert_int_equal(midi_in_alsa_to_midi(dec, &ev, out, 8), 0);
    ev = exit_ev(SND_SEQ_EVENT_CLIENT_EXIT, 24, 0);
    assert_int_equal(midi_in_alsa_to_midi(dec, &ev, out, 8), 0);
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
        cmocka_unit_test(test_portmidi_stamps),
        cmocka_unit_test(test_alsa_messages),
        cmocka_unit_test(test_portmidi_messages),
        cmocka_unit_test(test_alsa_sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
