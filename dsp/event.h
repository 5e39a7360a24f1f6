/* event: the one message type that carries music to the audio callback.
 *
 * A closed set of kinds (note on/off, controller, program, all-notes-off,
 * panic, and the player's expression passed thru: pitch bend, channel
 * pressure, poly key pressure), each with an absolute time in sample frames since the audio clock
 * started (frame 0 = the first frame the callback ever rendered). The struct is
 * POD and fixed size (16 bytes) so it travels through dsp/rtq by copy; the
 * producer (engine thread, MIDI-in thread, offline render loop) fills it, the
 * audio callback (dsp/event_sched) consumes it. Events in one queue must come in
 * non-decreasing frame order: the callback stops at the first event that is
 * not due yet. */
#ifndef LJ_EVENT_H
#define LJ_EVENT_H

#include <stdint.h>

typedef enum lj_event_kind {
    LJ_EV_NOTE_ON = 1,       /* data1 key 0..127, data2 velocity 1..127 (0 = note off) */
    LJ_EV_NOTE_OFF = 2,      /* data1 key 0..127 */
    LJ_EV_CC = 3,            /* data1 controller 0..127, data2 value 0..127; 120/123 panic the channel */
    LJ_EV_PROGRAM = 4,       /* data1 GM program 0..127 */
    LJ_EV_ALL_NOTES_OFF = 5, /* releases every held note of `channel` */
    LJ_EV_PANIC = 6,         /* releases every held note of every channel; channel ignored */
    LJ_EV_PITCH_BEND = 7,    /* 14-bit value 0..16383 (8192 = centre) as on the wire: data1 the
                                low 7 bits, data2 the high 7 (lj_event_bend_value) */
    LJ_EV_CHANNEL_PRESSURE = 8, /* data1 pressure 0..127 (channel aftertouch) */
    LJ_EV_KEY_PRESSURE = 9   /* data1 key 0..127, data2 pressure 0..127 (poly aftertouch) */
} lj_event_kind;
#define LJ_EV_KIND_LAST LJ_EV_KEY_PRESSURE
#define LJ_BEND_CENTER 8192 /* pitch bend at rest */

typedef struct lj_event {
    uint64_t frame;  /* sample frames since the audio clock's frame 0 */
    uint8_t kind;    /* lj_event_kind */
    uint8_t channel; /* MIDI channel 0..15 */
    uint8_t data1;   /* key, controller number, program, pressure or bend's low 7 bits */
    uint8_t data2;   /* velocity, controller value, key pressure or bend's high 7 bits; 0 when unused */
    uint32_t tag;    /* producer's own use (e.g. the note's index), ignored by dsp/ */
} lj_event;

/* Constructors, so producers never fill the fields by hand. Thread: any. */
static inline lj_event lj_event_make(uint64_t frame, lj_event_kind kind, int channel, int data1,
                                     int data2) {
    lj_event e;
    e.frame = frame;
    e.kind = (uint8_t)kind;
    e.channel = (uint8_t)channel;
    e.data1 = (uint8_t)data1;
    e.data2 = (uint8_t)data2;
    e.tag = 0;
    return e;
}
static inline lj_event lj_event_note_on(uint64_t frame, int channel, int key, int velocity) {
    return lj_event_make(frame, LJ_EV_NOTE_ON, channel, key, velocity);
}
static inline lj_event lj_event_note_off(uint64_t frame, int channel, int key) {
    return lj_event_make(frame, LJ_EV_NOTE_OFF, channel, key, 0);
}
static inline lj_event lj_event_cc(uint64_t frame, int channel, int controller, int value) {
    return lj_event_make(frame, LJ_EV_CC, channel, controller, value);
}
static inline lj_event lj_event_program(uint64_t frame, int channel, int program) {
    return lj_event_make(frame, LJ_EV_PROGRAM, channel, program, 0);
}
static inline lj_event lj_event_panic(uint64_t frame) {
    return lj_event_make(frame, LJ_EV_PANIC, 0, 0, 0);
}
/* value 0..16383 (clamped), 8192 centre */
static inline lj_event lj_event_pitch_bend(uint64_t frame, int channel, int value) {
    value = value < 0 ? 0 : value > 16383 ? 16383 : value;
    return lj_event_make(frame, LJ_EV_PITCH_BEND, channel, value & 0x7F, value >> 7);
}
static inline int lj_event_bend_value(const lj_event *e) { return e->data1 | e->data2 << 7; }
static inline lj_event lj_event_channel_pressure(uint64_t frame, int channel, int pressure) {
    return lj_event_make(frame, LJ_EV_CHANNEL_PRESSURE, channel, pressure, 0);
}
static inline lj_event lj_event_key_pressure(uint64_t frame, int channel, int key, int pressure) {
    return lj_event_make(frame, LJ_EV_KEY_PRESSURE, channel, key, pressure);
}

#endif
