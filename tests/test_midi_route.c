/* dsp/midi_route's control changes: a CC that drives the instrument (a
 * preset's midi.cc: temperature on the mod wheel by default) goes to the
 * engine only, not thru to the synth, MIDI out or the recording (the mod
 * wheel turning the temperature added the synth's vibrato to the player's
 * notes); other CCs, notes and CC 120/123 go everywhere; a new mapping (a
 * reload) takes effect at the next message, and so does a new thru channel,
 * after an all-notes-off of the old one.
 * The player's expression: pitch bend (`ef 00 7f`), channel pressure
 * (`df 40`) and poly key pressure (`af 3c 40`) go thru on the thru channel
 * to the synth (dsp/event_sched -> lj_synth_ops), MIDI out (dsp/midi_sink's
 * bytes) and the session recording (its MIDI file's bytes), not to the
 * engine; a panic puts a moved bend and pressure back to rest on all three
 * (no stuck bend after a swap or a panic). The old code dropped all three
 * messages ("default: goto ignore").
 * The player's controllers that pass thru (sustain pedal, an unmapped mod
 * wheel, expression) are in the session file on the thru channel at their
 * ticks, a mapped one is not, and a panic with the pedal down writes it up
 * (session_rec dropped every CC but 120/121/123 before). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/session_rec.h"
#include "event_sched.h"
#include "midi.h"
#include "midi_route.h"
#include "midi_sink.h"

typedef struct queues {
    void *mem[4];
    rtq *q[4]; /* live, engine, record, out */
} queues;

/* What every test here starts from: the four queues (64 events each) and a
 * route over them with the player on channel 2 (index 1), thru to MIDI out
 * too. queues_close frees the queues. */
static void route_open(queues *s, midi_route *r) {
    size_t b = rtq_bytes(64, sizeof(lj_event));
    for (int i = 0; i < 4; i++) {
        s->mem[i] = aligned_alloc(64, (b + 63) / 64 * 64);
        s->q[i] = rtq_init(s->mem[i], b, 64, sizeof(lj_event));
        assert_non_null(s->q[i]);
    }
    midi_route_init(r, s->q[0], s->q[1], s->q[2], 1);
    midi_route_thru_to_out(r, s->q[3]);
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
    midi_route r;
    route_open(&s, &r);
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
    midi_route r;
    route_open(&s, &r);
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

/* ---- the player's expression ---- */

/* A synth that logs its calls as text ("bend 1 16256 ..."). */
typedef struct logsynth {
    char text[1024];
    size_t n;
} logsynth;
static void say(logsynth *l, const char *what, int ch, int a, int b) {
    l->n += (size_t)snprintf(l->text + l->n, sizeof l->text - l->n, "%s%s %d %d %d", l->n ? ", " : "", what, ch, a, b);
    assert_true(l->n < sizeof l->text);
}
static void ls_on(void *u, int ch, int key, int vel) { say(u, "on", ch, key, vel); }
static void ls_off(void *u, int ch, int key) { say(u, "off", ch, key, 0); }
static void ls_cc(void *u, int ch, int num, int val) { (void)u, (void)ch, (void)num, (void)val; } /* pedals */
static void ls_program(void *u, int ch, int prog) { (void)u, (void)ch, (void)prog; }
static void ls_all_off(void *u, int ch) { (void)u, (void)ch; }
static void ls_render(void *u, float *out, uint32_t frames) {
    (void)u;
    memset(out, 0, 2 * frames * sizeof *out);
}
static void ls_bend(void *u, int ch, int v) { say(u, "bend", ch, v, 0); }
static void ls_chan_pressure(void *u, int ch, int p) { say(u, "pressure", ch, p, 0); }
static void ls_key_pressure(void *u, int ch, int key, int p) { say(u, "keypressure", ch, key, p); }

/* MIDI bytes as hex text, "e1 00 7f, ..." */
typedef struct wirelog {
    char text[2048];
    size_t n;
} wirelog;
static void hex(wirelog *w, const uint8_t *msg, size_t len) {
    if (w->n) w->n += (size_t)snprintf(w->text + w->n, sizeof w->text - w->n, ", ");
    for (size_t i = 0; i < len; i++)
        w->n += (size_t)snprintf(w->text + w->n, sizeof w->text - w->n, "%s%02x", i ? " " : "", msg[i]);
    assert_true(w->n < sizeof w->text);
}
static void wire_write(void *user, uint32_t offset, const uint8_t *msg, size_t len) {
    (void)offset;
    if ((msg[0] & 0xF0) == 0xB0 && (msg[1] == 64 || msg[1] == 66 || msg[1] == 123)) return; /* a panic's pedals, all-off */
    hex(user, msg, len);
}

/* The channel messages of the recording's player track (2), programs left
 * out, as hex text; with_ticks: each one after its tick ("960 91 3c 64"). */
static void file_messages(const session_rec *rec, wirelog *w, int with_ticks) {
    uint8_t *f = NULL;
    size_t len = 0;
    char err[256];
    assert_int_equal(midi_write_mem(session_rec_score(rec), &f, &len, err, sizeof err), LJ_OK);
    size_t pos = 14;
    for (int t = 0; t < 2; t++) pos += 8 + ((size_t)f[pos + 4] << 24 | (size_t)f[pos + 5] << 16 | (size_t)f[pos + 6] << 8 | f[pos + 7]);
    size_t end = pos + 8 + ((size_t)f[pos + 4] << 24 | (size_t)f[pos + 5] << 16 | (size_t)f[pos + 6] << 8 | f[pos + 7]);
    uint8_t running = 0;
    uint64_t tick = 0;
    for (size_t p = pos + 8; p < end;) {
        uint64_t delta = 0;
        do delta = delta << 7 | (f[p] & 0x7F);
        while (f[p++] & 0x80);
        tick += delta;
        uint8_t st = f[p] & 0x80 ? f[p++] : running;
        if (st == 0xFF) {
            p++;
            p += 1 + f[p]; /* our metas are short: one length byte */
            continue;
        }
        running = st;
        size_t nd = (st & 0xF0) == 0xC0 || (st & 0xF0) == 0xD0 ? 1 : 2;
        uint8_t msg[3] = {st, f[p], nd == 2 ? f[p + 1] : 0};
        if ((st & 0xF0) != 0xC0) {
            if (with_ticks) { /* "TICK " then the bytes, with hex's separator before the tick */
                wirelog one;
                memset(&one, 0, sizeof one);
                hex(&one, msg, 1 + nd);
                w->n += (size_t)snprintf(w->text + w->n, sizeof w->text - w->n, "%s%llu %s", w->n ? ", " : "",
                                         (unsigned long long)tick, one.text);
                assert_true(w->n < sizeof w->text);
            } else {
                hex(w, msg, 1 + nd);
            }
        }
        p += nd;
    }
    free(f);
}

static void test_expression_thru(void **state) {
    (void)state;
    queues s;
    midi_route r;
    route_open(&s, &r); /* thru channel 2 (index 1) */
    /* the audio side, reading the live queue */
    logsynth syn;
    memset(&syn, 0, sizeof syn);
    size_t qb = rtq_bytes(4, sizeof(lj_event));
    void *qm = aligned_alloc(64, (qb + 63) / 64 * 64), *sm = aligned_alloc(64, (sched_bytes() + 63) / 64 * 64);
    rtq *timed = rtq_init(qm, qb, 4, sizeof(lj_event));
    sched_config sc = {{&syn, ls_on, ls_off, ls_cc, ls_program, ls_all_off, ls_render, ls_bend, ls_chan_pressure,
                        ls_key_pressure},
                       timed, 0, s.q[0], 0};
    sched *sd = sched_init(sm, sched_bytes(), &sc);
    assert_non_null(sd);
    float buf[2 * 128];
    /* MIDI out, reading its thru queue */
    size_t ob = rtq_bytes(4, sizeof(lj_event));
    void *om = aligned_alloc(64, (ob + 63) / 64 * 64);
    rtq *out_timed = rtq_init(om, ob, 4, sizeof(lj_event));
    wirelog wire;
    memset(&wire, 0, sizeof wire);
    midi_sink sink;
    midi_sink_init(&sink, out_timed, wire_write, &wire);
    midi_sink_set_thru(&sink, s.q[3]);
    /* the recording */
    char err[256];
    session_rec *rec = NULL;
    assert_int_equal(session_rec_create(48000, &rec, err, sizeof err), LJ_OK);

    static const uint8_t on[] = {0x90, 60, 100}, bend[] = {0xEF, 0x00, 0x7F}, pressure[] = {0xDF, 0x40},
                         key_pressure[] = {0xAF, 0x3C, 0x40}, off[] = {0x80, 60, 0};
    struct {
        const uint8_t *msg;
        size_t len;
    } played[] = {{on, 3}, {bend, 3}, {pressure, 2}, {key_pressure, 3}, {off, 3}};
    for (int i = 0; i < 5; i++) {
        midi_route_message(&r, 48000 + 480 * (uint64_t)i, played[i].msg, played[i].len);
        lj_event ev;
        int to_engine = 0;
        while (rtq_pop(s.q[1], &ev)) to_engine += ev.kind >= LJ_EV_PITCH_BEND;
        assert_int_equal(to_engine, 0);
        assert_int_equal(session_rec_drain(rec, 1, s.q[2]), LJ_OK);
    }
    assert_int_equal(atomic_load(&r.routed), 5);
    assert_int_equal(atomic_load(&r.ignored), 0);
    sched_process(sd, buf, 128);
    midi_sink_process(&sink, 0, 128);
    print_message("  synth: %s\n  MIDI out: %s\n", syn.text, wire.text);
    assert_string_equal(syn.text, "on 1 60 100, bend 1 16256 0, pressure 1 64 0, keypressure 1 60 64, off 1 60 0");
    assert_string_equal(wire.text, "91 3c 64, e1 00 7f, d1 40, a1 3c 40, 81 3c 00");
    wirelog file;
    memset(&file, 0, sizeof file);
    file_messages(rec, &file, 0);
    print_message("  session file: %s\n", file.text);
    assert_string_equal(file.text, "91 3c 64, e1 00 7f, d1 40, a1 3c 40, 81 3c 40");

    /* a panic (a swap, CC 123, a lost queue) puts the bend and pressure back to rest */
    syn.n = 0, syn.text[0] = 0;
    wire.n = 0, wire.text[0] = 0;
    lj_event panic = lj_event_panic(128); /* due in the next callback, [128, 256) */
    assert_true(rtq_push(timed, &panic));
    sched_process(sd, buf, 128);
    midi_sink_panic(&sink, 0);
    lj_event rec_panic = lj_event_panic(48000 + 4800); /* after the notes */
    assert_int_equal(session_rec_add(rec, 1, &rec_panic), LJ_OK);
    print_message("  after a panic: synth %s; MIDI out %s\n", syn.text, wire.text);
    assert_string_equal(syn.text, "bend 1 8192 0, pressure 1 0 0");
    assert_string_equal(wire.text, "e1 00 40, d1 00");
    file.n = 0, file.text[0] = 0;
    file_messages(rec, &file, 0);
    assert_string_equal(file.text, "91 3c 64, e1 00 7f, d1 40, a1 3c 40, 81 3c 40, e1 00 40, d1 00");
    /* a second panic has nothing to put back */
    syn.n = 0, syn.text[0] = 0;
    sched_panic(sd);
    assert_string_equal(syn.text, "");

    session_rec_destroy(rec);
    free(om);
    free(qm);
    free(sm);
    queues_close(&s);
}

/* ---- the player's controllers in the session file ---- */

/* The controllers that pass thru (sustain pedal, mod wheel when it drives
 * nothing, expression) sound live and go into the session file on the thru
 * channel at their ticks (a performance with the pedal played back dry
 * before: session_rec dropped every CC but 120/121/123); a controller that
 * drives the instrument (here CC 71, tempo) goes to the engine only and is
 * not in the file; a panic with the pedal down writes it up, as the synth
 * heard it (dsp/voice), and a second panic adds nothing. Frames at 48 kHz:
 * 4800 frames = 0.1 s = 96 ticks (960 ticks per second). */
static void test_controls_thru_recorded(void **state) {
    (void)state;
    queues s;
    midi_route r;
    route_open(&s, &r); /* thru channel 2 (index 1) */
    static const int mapped[] = {71};
    midi_route_set_controls(&r, mapped, 1);
    char err[256];
    session_rec *rec = NULL;
    assert_int_equal(session_rec_create(48000, &rec, err, sizeof err), LJ_OK);

    static const uint8_t played[][3] = {
        {0x90, 60, 100}, /* tick 960 */
        {0xB0, 64, 127}, /* 1056: sustain down */
        {0xB0, 1, 100},  /* 1152: mod wheel (not mapped) */
        {0xB0, 71, 90},  /* 1248: tempo (mapped): engine only */
        {0xB0, 11, 80},  /* 1344: expression */
        {0x80, 60, 0},   /* 1440 */
        {0xB0, 64, 0},   /* 1536: sustain up */
        {0xB0, 64, 127}, /* 1632: sustain down again, until the panic */
    };
    int n = (int)(sizeof played / sizeof played[0]);
    for (int i = 0; i < n; i++) {
        midi_route_message(&r, 48000 + 4800 * (uint64_t)i, played[i], 3);
        int is_cc = (played[i][0] & 0xF0) == 0xB0, is_mapped = is_cc && played[i][1] == 71;
        int got[4] = {0, 0, 0, 0};
        lj_event ev;
        for (int q = 0; q < 4; q++)
            while (q != 2 && rtq_pop(s.q[q], &ev)) got[q]++;
        assert_int_equal(got[0], !is_mapped); /* live (synth) */
        assert_int_equal(got[3], !is_mapped); /* MIDI out */
        assert_int_equal(got[1], 1);          /* engine: notes and every controller */
        assert_int_equal(session_rec_drain(rec, 1, s.q[2]), LJ_OK);
    }
    lj_event panic = lj_event_panic(48000 + 4800 * 9); /* tick 1824, a swap's */
    assert_int_equal(session_rec_add(rec, 1, &panic), LJ_OK);
    wirelog file;
    memset(&file, 0, sizeof file);
    file_messages(rec, &file, 1);
    print_message("  session file: %s\n", file.text);
    assert_string_equal(file.text, "960 91 3c 64, 1056 b1 40 7f, 1152 b1 01 64, 1344 b1 0b 50, 1440 81 3c 40, "
                                   "1536 b1 40 00, 1632 b1 40 7f, 1824 b1 40 00");
    /* a second panic: the pedal is up already, nothing more in the file */
    lj_event panic2 = lj_event_panic(48000 + 4800 * 10);
    assert_int_equal(session_rec_add(rec, 1, &panic2), LJ_OK);
    wirelog again;
    memset(&again, 0, sizeof again);
    file_messages(rec, &again, 1);
    assert_string_equal(again.text, file.text);

    session_rec_destroy(rec);
    queues_close(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls_to_engine_only),
        cmocka_unit_test(test_set_channel),
        cmocka_unit_test(test_expression_thru),
        cmocka_unit_test(test_controls_thru_recorded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
