#include "midi_sink.h"

#include <stdatomic.h>

static void bump(_Atomic uint64_t *c, uint64_t n) {
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n, memory_order_relaxed);
}

static void emit(midi_sink *s, uint8_t status, uint8_t d1, uint8_t d2, size_t len) {
    uint8_t msg[3] = {status, d1, d2};
    s->write(s->user, s->offset, msg, len);
    bump(&s->messages, 1);
}

/* The "synth" the held-note table drives: MIDI bytes. */
static void op_note_off(void *u, int ch, int key) { emit(u, (uint8_t)(0x80 | ch), (uint8_t)key, 0, 3); }
/* A key struck again while the sink holds it (voice_note_on counted it
 * already: held > 1) goes out as note-off then note-on at the same offset,
 * never as a second note-on: the receiver's notes of one key must not nest (a
 * DAW pairing first in first out, or a synth releasing every voice of the key
 * at the first note-off, would cut the later note short). FluidSynth does the
 * same on the audio side: a note-on releases the key's sounding voice. The
 * held count still wants every note-off; the synth hears the last. */
static void op_note_on(void *u, int ch, int key, int vel) {
    midi_sink *s = u;
    if (s->voices.held[ch][key] > 1) op_note_off(u, ch, key);
    emit(u, (uint8_t)(0x90 | ch), (uint8_t)key, (uint8_t)vel, 3);
}
static void op_cc(void *u, int ch, int cc, int v) { emit(u, (uint8_t)(0xB0 | ch), (uint8_t)cc, (uint8_t)v, 3); }
static void op_program(void *u, int ch, int p) { emit(u, (uint8_t)(0xC0 | ch), (uint8_t)p, 0, 2); }
static void op_all_off(void *u, int ch) { emit(u, (uint8_t)(0xB0 | ch), 123, 0, 3); }
static void op_bend(void *u, int ch, int v) { emit(u, (uint8_t)(0xE0 | ch), (uint8_t)(v & 0x7F), (uint8_t)(v >> 7), 3); }
static void op_chan_pressure(void *u, int ch, int p) { emit(u, (uint8_t)(0xD0 | ch), (uint8_t)p, 0, 2); }
static void op_key_pressure(void *u, int ch, int key, int p) {
    emit(u, (uint8_t)(0xA0 | ch), (uint8_t)key, (uint8_t)p, 3);
}
static void op_render(void *u, float *out, uint32_t frames) { (void)u, (void)out, (void)frames; }

void midi_sink_init(midi_sink *s, rtq *events, midi_sink_write_fn write, void *user) {
    s->events = events;
    s->write = write;
    s->user = user;
    voice_reset(&s->voices);
    lj_synth_ops o = {s,          op_note_on, op_note_off, op_cc,           op_program,
                      op_all_off, op_render,  op_bend,     op_chan_pressure, op_key_pressure};
    s->ops = o;
    s->offset = 0;
    s->overflows_seen = rtq_overflows(events);
    atomic_init(&s->thru, NULL);
    s->thru_seen = NULL;
    s->thru_overflows_seen = 0;
    s->repanic_after = 0;
    atomic_init(&s->messages, 0);
    atomic_init(&s->late_events, 0);
    atomic_init(&s->late_frames_max, 0);
    atomic_init(&s->panics, 0);
    atomic_init(&s->frame, 0);
    atomic_init(&s->held, 0);
    s->clock_rate = 0;
    s->clock_next = 0;
    s->clock_state = 0;
    atomic_init(&s->clock_tempo_milli, 0);
    atomic_init(&s->clock_stop_req, 0);
    atomic_init(&s->clock_ticks, 0);
    atomic_init(&s->clock_running, 0);
}

void midi_sink_set_thru(midi_sink *s, rtq *thru) { atomic_store_explicit(&s->thru, thru, memory_order_release); }

void midi_sink_clock_enable(midi_sink *s, double rate) { s->clock_rate = rate > 0 ? rate : 0; }

void midi_sink_set_clock_tempo(midi_sink *s, double bpm) {
    if (bpm > 0) atomic_store_explicit(&s->clock_tempo_milli, (uint64_t)(bpm * 1000 + 0.5), memory_order_relaxed);
}

void midi_sink_clock_stop_request(midi_sink *s) {
    atomic_store_explicit(&s->clock_stop_req, 1, memory_order_relaxed);
}

/* Clock ticks due before frame `limit` of the period [now, ...), each at its
 * offset (a tick already past goes at offset 0). */
static void clock_until(midi_sink *s, uint64_t now, uint64_t limit) {
    if (s->clock_state != 1) return;
    if (s->clock_next + s->clock_rate < (double)now) s->clock_next = (double)now; /* > 1 s lost: resync */
    while (s->clock_next < (double)limit) {
        uint64_t f = (uint64_t)s->clock_next;
        s->offset = f > now ? (uint32_t)(f - now) : 0;
        emit(s, 0xF8, 0, 0, 1);
        bump(&s->clock_ticks, 1);
        double bpm = (double)atomic_load_explicit(&s->clock_tempo_milli, memory_order_relaxed) / 1000;
        s->clock_next += s->clock_rate * 60.0 / (bpm * 24.0);
    }
}

void midi_sink_panic(midi_sink *s, uint32_t offset) {
    s->offset = offset;
    voice_panic(&s->voices, &s->ops);
    bump(&s->panics, 1);
    atomic_store_explicit(&s->held, s->voices.n_held, memory_order_relaxed);
}

/* One event through the held-note table, at s->offset. */
static void apply(midi_sink *s, const lj_event *e) {
    if (e->channel >= 16 || e->data1 >= 128 || e->data2 >= 128) return;
    switch ((lj_event_kind)e->kind) {
    case LJ_EV_NOTE_ON: voice_note_on(&s->voices, &s->ops, e->channel, e->data1, e->data2); break;
    case LJ_EV_NOTE_OFF: voice_note_off(&s->voices, &s->ops, e->channel, e->data1); break;
    case LJ_EV_CC: voice_cc(&s->voices, &s->ops, e->channel, e->data1, e->data2); break;
    case LJ_EV_PROGRAM: op_program(s, e->channel, e->data1); break;
    case LJ_EV_ALL_NOTES_OFF: voice_panic_channel(&s->voices, &s->ops, e->channel); break;
    case LJ_EV_PANIC:
        voice_panic(&s->voices, &s->ops);
        bump(&s->panics, 1);
        break;
    case LJ_EV_PITCH_BEND: voice_pitch_bend(&s->voices, &s->ops, e->channel, lj_event_bend_value(e)); break;
    case LJ_EV_CHANNEL_PRESSURE: voice_channel_pressure(&s->voices, &s->ops, e->channel, e->data1); break;
    case LJ_EV_KEY_PRESSURE: voice_key_pressure(&s->voices, &s->ops, e->channel, e->data1, e->data2); break;
    }
}

/* The player's notes (midi_sink_set_thru): all of them now, at offset 0. */
static void process_thru(midi_sink *s) {
    rtq *t = atomic_load_explicit(&s->thru, memory_order_acquire);
    if (!t) return;
    if (t != s->thru_seen) {
        s->thru_seen = t;
        s->thru_overflows_seen = rtq_overflows(t);
    }
    uint64_t overflows = rtq_overflows(t);
    const lj_event *e;
    while ((e = rtq_peek(t))) {
        s->offset = 0;
        apply(s, e);
        rtq_skip(t);
    }
    if (overflows != s->thru_overflows_seen) {
        /* a player's note-off may be the event lost: the panic comes after
         * what was queued (all of it is due now), so nothing it started stays */
        s->thru_overflows_seen = overflows;
        midi_sink_panic(s, 0);
    }
}

void midi_sink_process(midi_sink *s, uint64_t now, uint32_t frames) {
    const uint64_t end = now + frames;
    if (s->clock_rate > 0 && s->clock_state == 0 &&
        atomic_load_explicit(&s->clock_tempo_milli, memory_order_relaxed) > 0) { /* Start, then the first tick with it */
        s->offset = 0;
        emit(s, 0xFA, 0, 0, 1);
        s->clock_state = 1;
        s->clock_next = (double)now;
        atomic_store_explicit(&s->clock_running, 1, memory_order_relaxed);
    }
    if (s->clock_state == 1 && atomic_load_explicit(&s->clock_stop_req, memory_order_relaxed)) {
        s->offset = 0; /* first in the period: messages leave in frame order */
        emit(s, 0xFC, 0, 0, 1);
        s->clock_state = 2;
        atomic_store_explicit(&s->clock_running, 0, memory_order_relaxed);
    }
    uint64_t overflows = rtq_overflows(s->events);
    if (overflows != s->overflows_seen) { /* an event was lost, maybe a note-off */
        s->overflows_seen = overflows;
        midi_sink_panic(s, 0);
        /* the events queued before the loss still come: a note-on among them
         * whose note-off was the event lost would sound after this panic for
         * good, so panic again once they are all sent */
        s->repanic_after = rtq_count(s->events);
    }
    process_thru(s);
    const lj_event *e;
    while ((e = rtq_peek(s->events)) && e->frame < end) {
        clock_until(s, now, e->frame + 1); /* a tick at the event's frame goes first */
        if (e->frame < now) {
            bump(&s->late_events, 1);
            uint64_t late = now - e->frame;
            if (late > atomic_load_explicit(&s->late_frames_max, memory_order_relaxed))
                atomic_store_explicit(&s->late_frames_max, late, memory_order_relaxed);
            s->offset = 0;
        } else {
            s->offset = (uint32_t)(e->frame - now);
        }
        apply(s, e);
        rtq_skip(s->events);
        if (s->repanic_after && --s->repanic_after == 0) midi_sink_panic(s, s->offset);
    }
    clock_until(s, now, end);
    atomic_store_explicit(&s->held, s->voices.n_held, memory_order_relaxed);
    atomic_store_explicit(&s->frame, end, memory_order_relaxed);
}

void midi_sink_get_stats(const midi_sink *s, midi_sink_stats *o) {
    midi_sink *m = (midi_sink *)s;
    o->messages = atomic_load_explicit(&m->messages, memory_order_relaxed);
    o->late_events = atomic_load_explicit(&m->late_events, memory_order_relaxed);
    o->late_frames_max = atomic_load_explicit(&m->late_frames_max, memory_order_relaxed);
    o->panics = atomic_load_explicit(&m->panics, memory_order_relaxed);
    o->frame = atomic_load_explicit(&m->frame, memory_order_relaxed);
    o->held = atomic_load_explicit(&m->held, memory_order_relaxed);
    o->clock_ticks = atomic_load_explicit(&m->clock_ticks, memory_order_relaxed);
    o->clock_running = atomic_load_explicit(&m->clock_running, memory_order_relaxed);
}
