/* Lost events on the queues whose producers push no panic of their own, and a
 * lost MIDI input device:
 *   - the live queue (MIDI thru, dsp/event_sched): a note-on queued, its
 *     note-off refused by the full queue; the overflow panic comes at the
 *     start of the callback, before the note-on is applied, so the callback
 *     must panic again after it: nothing held when the queue has drained;
 *   - the MIDI-out queue (dsp/midi_sink, the engine's mirror): the same with
 *     events in the future: the note-on at its frame after the panic, the
 *     second panic after the last event queued when the overflow was seen;
 *     a note played after that is not cut;
 *   - midi_route_device_lost: a key held on the thru channel when the
 *     keyboard goes away is released on the audio side and in the recording
 *     (all-notes-off of the thru channel; a panic without one), and a full
 *     live queue still ends with nothing held (the overflow path above). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "event_sched.h"
#include "midi_route.h"
#include "midi_sink.h"

/* ---- a synth that knows what sounds ---- */

typedef struct fake {
    uint8_t sounding[16][128];
    int note_ons;
} fake;

static void f_on(void *u, int ch, int key, int vel) {
    (void)vel;
    fake *f = u;
    f->sounding[ch][key] = 1;
    f->note_ons++;
}
static void f_off(void *u, int ch, int key) { ((fake *)u)->sounding[ch][key] = 0; }
static void f_cc(void *u, int ch, int num, int val) {
    (void)val;
    if (num == 120 || num == 123) memset(((fake *)u)->sounding[ch], 0, 128);
}
static void f_program(void *u, int ch, int prog) { (void)u, (void)ch, (void)prog; }
static void f_all_off(void *u, int ch) { memset(((fake *)u)->sounding[ch], 0, 128); }
static void f_render(void *u, float *out, uint32_t frames) {
    (void)u;
    memset(out, 0, 2 * frames * sizeof *out);
}

static int sounding(const fake *f) {
    int n = 0;
    for (int c = 0; c < 16; c++)
        for (int k = 0; k < 128; k++) n += f->sounding[c][k];
    return n;
}

static rtq *make_queue(void **mem, size_t cap) {
    size_t b = rtq_bytes(cap, sizeof(lj_event));
    *mem = aligned_alloc(64, (b + 63) / 64 * 64);
    assert_non_null(*mem);
    rtq *q = rtq_init(*mem, b, cap, sizeof(lj_event));
    assert_non_null(q);
    return q;
}

typedef struct rig {
    fake f;
    void *qmem, *lmem, *smem;
    rtq *events, *live;
    sched *s;
    float buf[2 * 128];
} rig;

static void rig_init(rig *r, size_t live_cap) {
    memset(r, 0, sizeof *r);
    r->events = make_queue(&r->qmem, 64);
    r->live = make_queue(&r->lmem, live_cap);
    r->smem = aligned_alloc(64, (sched_bytes() + 63) / 64 * 64);
    assert_non_null(r->smem);
    sched_config c = {{&r->f, f_on, f_off, f_cc, f_program, f_all_off, f_render, NULL, NULL, NULL}, r->events, 0, r->live, 0};
    r->s = sched_init(r->smem, sched_bytes(), &c);
    assert_non_null(r->s);
}
static void rig_free(rig *r) {
    free(r->qmem);
    free(r->lmem);
    free(r->smem);
}
static void push(rtq *q, lj_event e) { assert_true(rtq_push(q, &e)); }

/* The live queue: note-ons queued, a note-off lost, then later thru notes. */
static void test_live_overflow(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 4);
    push(r.live, lj_event_note_on(0, 1, 60, 100));
    push(r.live, lj_event_note_on(0, 1, 64, 100));
    push(r.live, lj_event_note_off(0, 1, 64));
    push(r.live, lj_event_note_on(0, 1, 67, 100)); /* full */
    lj_event lost = lj_event_note_off(0, 1, 60);
    assert_int_equal(rtq_push(r.live, &lost), 0);
    lost = lj_event_note_off(0, 1, 67);
    assert_int_equal(rtq_push(r.live, &lost), 0);
    sched_process(r.s, r.buf, 128);
    assert_int_equal(r.f.note_ons, 3);             /* the player's notes were played, */
    assert_int_equal(sched_voices(r.s)->n_held, 0); /* and none is left held */
    assert_int_equal(sounding(&r.f), 0);
    sched_stats ss;
    sched_get_stats(r.s, &ss);
    assert_int_equal(ss.overflows_seen, 2);
    assert_int_equal(ss.panics, 2); /* at the start, and after the last event queued then */
    /* a note after the drained queue is not cut: the second panic is spent */
    push(r.live, lj_event_note_on(128, 1, 72, 100));
    sched_process(r.s, r.buf, 128);
    sched_process(r.s, r.buf, 128);
    assert_int_equal(sched_voices(r.s)->n_held, 1);
    assert_int_equal(r.f.sounding[1][72], 1);
    sched_get_stats(r.s, &ss);
    assert_int_equal(ss.panics, 2);
    rig_free(&r);
}

/* ---- the MIDI-out sink ---- */

typedef struct wire {
    int on[16][128]; /* note-ons minus note-offs (and CC 123) at the far end */
    int messages;
} wire;
static void wire_write(void *u, uint32_t offset, const uint8_t *msg, size_t len) {
    (void)offset;
    wire *w = u;
    w->messages++;
    int st = msg[0] & 0xF0, ch = msg[0] & 0x0F;
    if (st == 0x90 && len == 3 && msg[2]) w->on[ch][msg[1]] = 1;
    else if (st == 0x80 || (st == 0x90 && len == 3)) w->on[ch][msg[1]] = 0;
    else if (st == 0xB0 && (msg[1] == 123 || msg[1] == 120)) memset(w->on[ch], 0, sizeof w->on[ch]);
}
static int wire_on(const wire *w) {
    int n = 0;
    for (int c = 0; c < 16; c++)
        for (int k = 0; k < 128; k++) n += w->on[c][k];
    return n;
}

static void test_sink_overflow(void **st) {
    (void)st;
    void *qm;
    rtq *q = make_queue(&qm, 4);
    wire w;
    memset(&w, 0, sizeof w);
    midi_sink s;
    midi_sink_init(&s, q, wire_write, &w);
    /* the look-ahead: events up to 500 frames ahead of the sink's clock */
    push(q, lj_event_note_on(100, 0, 60, 90));
    push(q, lj_event_note_on(300, 0, 62, 90));
    push(q, lj_event_note_off(400, 0, 62));
    push(q, lj_event_cc(450, 0, 7, 100)); /* full */
    lj_event lost = lj_event_note_off(200, 0, 60);
    assert_int_equal(rtq_push(q, &lost), 0);
    midi_sink_process(&s, 0, 128); /* the overflow panic, then 60 at offset 100 */
    assert_int_equal(w.on[0][60], 1);
    midi_sink_process(&s, 128, 128);
    midi_sink_process(&s, 256, 128); /* 62 on and off */
    push(q, lj_event_note_on(470, 0, 72, 90)); /* after the loss: must not be cut */
    midi_sink_process(&s, 384, 128); /* the CC, the last event queued at the overflow: panic */
    assert_int_equal(w.on[0][60], 0);
    midi_sink_stats ms;
    midi_sink_get_stats(&s, &ms);
    assert_int_equal(ms.panics, 2);
    assert_int_equal(w.on[0][72], 1);
    assert_int_equal(ms.held, 1);
    push(q, lj_event_note_off(600, 0, 72));
    midi_sink_process(&s, 512, 128);
    midi_sink_get_stats(&s, &ms);
    assert_int_equal(ms.held, 0);
    assert_int_equal(wire_on(&w), 0);
    assert_int_equal(ms.panics, 2);
    free(qm);
}

/* ---- a MIDI input that goes away ---- */

static void test_route_device_lost(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 16);
    void *pm, *rm;
    rtq *player = make_queue(&pm, 16), *rec = make_queue(&rm, 16);
    midi_route route;
    midi_route_init(&route, r.live, player, rec, 1);
    static const uint8_t down[3] = {0x90, 60, 100}, other[3] = {0x93, 64, 100};
    midi_route_message(&route, 0, down, 3);
    midi_route_message(&route, 0, other, 3); /* on the thru channel too */
    sched_process(r.s, r.buf, 128);
    assert_int_equal(sched_voices(r.s)->n_held, 2);
    midi_route_device_lost(&route, 128); /* unplugged with both keys down */
    sched_process(r.s, r.buf, 128);
    assert_int_equal(sched_voices(r.s)->n_held, 0);
    assert_int_equal(sounding(&r.f), 0);
    lj_event e, last;
    int n = 0;
    while (rtq_pop(rec, &e)) last = e, n++;
    assert_int_equal(n, 3); /* the recording ends them too */
    assert_int_equal(last.kind, LJ_EV_ALL_NOTES_OFF);
    assert_int_equal(last.channel, 1);
    assert_int_equal(last.frame, 128);
    assert_int_equal(rtq_count(player), 2); /* not the engine's: its keys time out */

    /* without a thru channel: every channel's notes */
    midi_route_init(&route, r.live, NULL, NULL, -1);
    midi_route_message(&route, 256, other, 3);
    sched_process(r.s, r.buf, 128);
    assert_int_equal(r.f.sounding[3][64], 1);
    midi_route_device_lost(&route, 384);
    sched_process(r.s, r.buf, 128);
    assert_int_equal(sched_voices(r.s)->n_held, 0);
    rig_free(&r);
    free(pm);
    free(rm);
}

/* The device goes away while the live queue is full: the all-notes-off is the
 * event lost, and the overflow's two panics end the keys all the same. */
static void test_route_device_lost_full(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 2);
    midi_route route;
    midi_route_init(&route, r.live, NULL, NULL, 1);
    static const uint8_t a[3] = {0x90, 60, 100}, b[3] = {0x90, 62, 100};
    midi_route_message(&route, 0, a, 3);
    midi_route_message(&route, 0, b, 3);
    midi_route_device_lost(&route, 0);
    assert_int_equal(rtq_overflows(r.live), 1);
    sched_process(r.s, r.buf, 128);
    assert_int_equal(sched_voices(r.s)->n_held, 0);
    assert_int_equal(sounding(&r.f), 0);
    rig_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_overflow),
        cmocka_unit_test(test_sink_overflow),
        cmocka_unit_test(test_route_device_lost),
        cmocka_unit_test(test_route_device_lost_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
