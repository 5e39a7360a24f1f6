#include "midi_route.h"

#include <stdatomic.h>

void midi_route_init(midi_route *r, rtq *live, rtq *engine, rtq *record, int channel) {
    r->live = live;
    r->engine = engine;
    r->record = record;
    r->out = NULL;
    r->channel = channel >= 0 && channel < 16 ? channel : -1;
    atomic_init(&r->channel_asked, r->channel);
    atomic_init(&r->routed, 0);
    atomic_init(&r->ignored, 0);
    atomic_init(&r->controls[0], 0);
    atomic_init(&r->controls[1], 0);
    r->clock_in = NULL;
}

void midi_route_set_controls(midi_route *r, const int *ccs, int n) {
    uint64_t bits[2] = {0, 0};
    for (int i = 0; i < n; i++)
        if (ccs[i] >= 0 && ccs[i] < 128 && ccs[i] != 120 && ccs[i] != 123)
            bits[ccs[i] >> 6] |= 1ull << (ccs[i] & 63);
    atomic_store_explicit(&r->controls[0], bits[0], memory_order_relaxed);
    atomic_store_explicit(&r->controls[1], bits[1], memory_order_relaxed);
}

static int is_control(const midi_route *r, int cc) {
    return (int)(atomic_load_explicit(&((midi_route *)r)->controls[cc >> 6], memory_order_relaxed) >>
                 (cc & 63) & 1u);
}

void midi_route_set_channel(midi_route *r, int channel) {
    atomic_store_explicit(&r->channel_asked, channel >= 0 && channel < 16 ? channel : -1, memory_order_relaxed);
}

void midi_route_thru_to_out(midi_route *r, rtq *q) { r->out = q; }

void midi_route_follow_clock(midi_route *r, midi_clock_in *c) { r->clock_in = c; }

static void bump(_Atomic uint64_t *c) {
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1, memory_order_relaxed);
}

/* A system real-time message (one byte, 0xF8..0xFF, allowed anywhere in the
 * stream): clock and transport to the follower, the rest ignored. */
static void route_realtime(midi_route *r, uint64_t frame, uint8_t status) {
    if (r->clock_in && midi_clock_in_message(r->clock_in, frame, status)) bump(&r->routed);
    else bump(&r->ignored);
}

/* The thru channel's sounding notes end (all of them when messages keep
 * their own channel): on the live queue, MIDI out's thru queue and the
 * recording; not the engine's, whose held keys time out on their own. */
static void end_thru_notes(midi_route *r, uint64_t frame) {
    lj_event ev = r->channel >= 0 ? lj_event_make(frame, LJ_EV_ALL_NOTES_OFF, r->channel, 0, 0)
                                  : lj_event_panic(frame);
    if (r->live) rtq_push(r->live, &ev); /* full: its overflow makes the audio side panic */
    if (r->out) rtq_push(r->out, &ev);   /* likewise MIDI out */
    if (r->record) rtq_push(r->record, &ev);
}

void midi_route_message(midi_route *r, uint64_t frame, const uint8_t *msg, size_t len) {
    if (len >= 1 && msg[0] >= 0xF8) {
        route_realtime(r, frame, msg[0]);
        return;
    }
    if (len < 2 || !(msg[0] & 0x80) || (msg[1] & 0x80)) {
        bump(&r->ignored);
        return;
    }
    int asked = atomic_load_explicit(&r->channel_asked, memory_order_relaxed);
    if (asked != r->channel) { /* a reload's new thru channel: the old one's notes end first */
        end_thru_notes(r, frame);
        r->channel = asked;
    }
    int status = msg[0] & 0xF0, ch = r->channel >= 0 ? r->channel : msg[0] & 0x0F;
    int d1 = msg[1], d2 = len > 2 ? msg[2] & 0x7F : 0;
    lj_event ev;
    switch (status) {
    case 0x90:
        if (len < 3) goto ignore;
        ev = d2 ? lj_event_note_on(frame, ch, d1, d2) : lj_event_note_off(frame, ch, d1);
        break;
    case 0x80:
        if (len < 3) goto ignore;
        ev = lj_event_note_off(frame, ch, d1);
        break;
    case 0xB0:
        if (len < 3) goto ignore;
        ev = lj_event_cc(frame, ch, d1, d2);
        break;
    case 0xC0: ev = lj_event_program(frame, ch, d1); break;
    case 0xE0: /* pitch bend: LSB, MSB */
        if (len < 3) goto ignore;
        ev = lj_event_pitch_bend(frame, ch, d1 | d2 << 7);
        break;
    case 0xD0: ev = lj_event_channel_pressure(frame, ch, d1); break;
    case 0xA0:
        if (len < 3) goto ignore;
        ev = lj_event_key_pressure(frame, ch, d1, d2);
        break;
    default: goto ignore;
    }
    if (status == 0xB0 && is_control(r, d1)) { /* drives the instrument: the engine's only */
        if (r->engine) rtq_push(r->engine, &ev);
        bump(&r->routed);
        return;
    }
    if (r->live) rtq_push(r->live, &ev);
    /* the engine reads notes and controls; the expression (a pitch wheel
     * sends hundreds of messages a second) would only crowd its queue */
    if (r->engine && ev.kind != LJ_EV_PROGRAM && ev.kind < LJ_EV_PITCH_BEND) rtq_push(r->engine, &ev);
    if (r->record) rtq_push(r->record, &ev);
    if (r->out) rtq_push(r->out, &ev);
    bump(&r->routed);
    return;
ignore:
    bump(&r->ignored);
}

void midi_route_device_lost(midi_route *r, uint64_t frame) { end_thru_notes(r, frame); }
