#include "session_rec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "midi.h"

#define NO_NOTE SIZE_MAX

struct session_rec {
    score *s;            /* the recording */
    double ticks_per_frame; /* 960 ticks per second / rate */
    uint64_t rate_frame;    /* frame where the rate last changed (0 at the start) */
    double rate_tick;       /* its tick: frames after it count at ticks_per_frame */
    size_t part_index[SESSION_REC_PARTS]; /* score part of each source */
    size_t open[SESSION_REC_PARTS][16][128]; /* note index sounding per source, channel, key */
    uint8_t held[SESSION_REC_PARTS][16][128]; /* note-ons not yet matched by a note-off, as dsp/voice
                                                 counts them (saturates at 255) */
    uint8_t program[SESSION_REC_PARTS][16];  /* program in force per source and channel */
    uint8_t bent[SESSION_REC_PARTS][16];     /* 1: pitch bend off centre (as dsp/voice tracks it) */
    uint8_t pressed[SESSION_REC_PARTS][16];  /* 1: channel pressure above 0 */
    uint8_t pedals[SESSION_REC_PARTS][16];   /* bit 0: sustain (CC 64) down, bit 1: sostenuto (CC 66) down
                                                (value >= 64, as FluidSynth reads them) */
    size_t notes[SESSION_REC_PARTS];         /* notes recorded per source */
    size_t n_open;                           /* notes not yet ended */
    FILE *log;                               /* session_rec_log_to's file, or NULL */
};

int session_rec_create(double sample_rate, session_rec **out, char *err, size_t errlen) {
    *out = NULL;
    if (!(sample_rate > 0)) return lj_fail(err, errlen, LJ_ERR_ARG, "sample rate %g: expected > 0", sample_rate);
    session_rec *r = calloc(1, sizeof *r);
    if (!r || !(r->s = score_create())) goto nomem;
    r->ticks_per_frame = 2.0 * SCORE_PPQ / sample_rate;
    if (score_add_tempo(r->s, 0, SCORE_DEFAULT_US_PER_QN) ||
        score_add_part(r->s, "lstmjam", 0, 0, &r->part_index[0]) ||
        score_add_part(r->s, "player", 1, 0, &r->part_index[1]))
        goto nomem;
    for (int p = 0; p < SESSION_REC_PARTS; p++)
        for (int c = 0; c < 16; c++)
            for (int k = 0; k < 128; k++) r->open[p][c][k] = NO_NOTE;
    snprintf(r->s->title, sizeof r->s->title, "lstmjam session");
    *out = r;
    return LJ_OK;
nomem:
    session_rec_destroy(r);
    return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory for the session recording");
}

void session_rec_destroy(session_rec *r) {
    if (!r) return;
    score_destroy(r->s);
    free(r);
}

static int64_t tick_of(const session_rec *r, uint64_t frame) {
    double t = r->rate_tick + ((double)frame - (double)r->rate_frame) * r->ticks_per_frame;
    return t > 0 ? (int64_t)llround(t) : 0;
}

int session_rec_set_rate(session_rec *r, uint64_t frame, double sample_rate) {
    if (!(sample_rate > 0)) return LJ_ERR_ARG;
    r->rate_tick += ((double)frame - (double)r->rate_frame) * r->ticks_per_frame;
    r->rate_frame = frame;
    r->ticks_per_frame = 2.0 * SCORE_PPQ / sample_rate;
    return LJ_OK;
}

/* Takes note i out of the recording: the last note moves into its place (the
 * MIDI writer sorts by time, the order of the array is free), and its open[]
 * entry follows it. */
static void drop_note(session_rec *r, size_t i) {
    size_t last = r->s->n_notes - 1;
    int part = r->s->notes[i].part == r->part_index[0] ? 0 : 1;
    r->notes[part]--;
    if (i != last) {
        score_note *m = &r->s->notes[last];
        int mpart = m->part == r->part_index[0] ? 0 : 1;
        r->s->notes[i] = *m;
        if (r->open[mpart][m->channel][m->pitch] == last) r->open[mpart][m->channel][m->pitch] = i;
    }
    r->s->n_notes--;
}

/* Ends the open note of (part, ch, key) at `frame`. A note that would end on
 * its onset tick (started and ended within one tick, ~1 ms: a model writing
 * the same note twice in a row, "on:77 on:77", makes the decoder end the first
 * and strike the key again in the same frame) is dropped: stretched to 1 tick
 * it would overlap the next note of the key, which starts on that same tick,
 * and nested notes of one key are what a MIDI file cannot say (a reader
 * pairing first in first out, or a synth releasing every voice of the key at
 * the first note-off, would play the real note ~1 ms long). */
static void end_note(session_rec *r, int part, int ch, int key, uint64_t frame) {
    size_t i = r->open[part][ch][key];
    r->held[part][ch][key] = 0;
    if (i == NO_NOTE) return;
    score_note *n = &r->s->notes[i];
    int64_t end = tick_of(r, frame);
    r->open[part][ch][key] = NO_NOTE;
    r->n_open--;
    if (end > n->onset) n->duration = end - n->onset;
    else drop_note(r, i);
}

/* A note-off: as on the audio side (dsp/voice), overlapping note-ons of a key
 * count up and the note sounds until the last of their note-offs; a note-off
 * of a key not held is ignored. */
static void note_off(session_rec *r, int part, int ch, int key, uint64_t frame) {
    uint8_t *held = &r->held[part][ch][key];
    if (*held == 0) return;
    if (--*held == 0) end_note(r, part, ch, key, frame);
}

static void end_channel(session_rec *r, int part, int ch, uint64_t frame) {
    for (int k = 0; k < 128; k++) end_note(r, part, ch, k, frame);
}

/* A pitch bend, pressure or controller as played, at its frame's tick. */
static int add_ctl(session_rec *r, int part, int status, int ch, int d1, int d2, uint64_t frame) {
    score_ctl c = {tick_of(r, frame), (uint16_t)r->part_index[part], (uint8_t)status, (uint8_t)ch,
                   (uint8_t)d1, (uint8_t)d2};
    return score_add_ctl(r->s, &c) ? LJ_ERR_NOMEM : LJ_OK;
}

/* A channel's release as the audio side does it (dsp/voice's release_channel):
 * its notes end, the sustain and sostenuto pedals go up and a bend or
 * pressure left in force goes back to rest, so the file plays on dry and in
 * tune after a panic, as the synth did (only where held or moved: the synth
 * gets the pedals up on every channel, which changes nothing where they were
 * up, so the file stays small). */
static int release_channel(session_rec *r, int part, int ch, uint64_t frame) {
    end_channel(r, part, ch, frame);
    int rc = LJ_OK;
    if (r->pedals[part][ch] & 1) rc |= add_ctl(r, part, 0xB0, ch, 64, 0, frame);
    if (r->pedals[part][ch] & 2) rc |= add_ctl(r, part, 0xB0, ch, 66, 0, frame);
    r->pedals[part][ch] = 0;
    if (r->bent[part][ch]) rc |= add_ctl(r, part, 0xE0, ch, LJ_BEND_CENTER & 0x7F, LJ_BEND_CENTER >> 7, frame);
    if (r->pressed[part][ch]) rc |= add_ctl(r, part, 0xD0, ch, 0, 0, frame);
    r->bent[part][ch] = r->pressed[part][ch] = 0;
    return rc ? LJ_ERR_NOMEM : LJ_OK;
}

void session_rec_log_to(session_rec *r, void *f) { r->log = (FILE *)f; }

static void log_event(session_rec *r, int part, const lj_event *ev) {
    static const char *const kinds[] = {"?",     "note_on",    "note_off",         "cc",          "program",
                                        "all_notes_off", "panic", "pitch_bend", "channel_pressure", "key_pressure"};
    fprintf(r->log, "%llu %s %s %d %d %d\n", (unsigned long long)ev->frame, part ? "player" : "model",
            ev->kind <= LJ_EV_KIND_LAST ? kinds[ev->kind] : "?", ev->channel, ev->data1, ev->data2);
}

int session_rec_add(session_rec *r, int part, const lj_event *ev) {
    if (r->log && part >= 0 && part < SESSION_REC_PARTS) log_event(r, part, ev);
    if (part < 0 || part >= SESSION_REC_PARTS || ev->channel > 15 || ev->data1 > 127) return LJ_OK;
    int ch = ev->channel, key = ev->data1;
    switch ((lj_event_kind)ev->kind) {
    case LJ_EV_NOTE_ON: {
        if (ev->data2 == 0) {
            note_off(r, part, ch, key, ev->frame);
            break;
        }
        /* The key struck again while held: the synth releases the old note
         * and sounds the new one (FluidSynth ends a key's voices at its next
         * note-on), so the file ends the old note here and starts the new one
         * on the same tick (the writer puts note-offs first within a tick). */
        uint8_t held = r->held[part][ch][key];
        end_note(r, part, ch, key, ev->frame);
        r->held[part][ch][key] = held < UINT8_MAX ? (uint8_t)(held + 1) : held;
        score_note n;
        memset(&n, 0, sizeof n);
        n.onset = tick_of(r, ev->frame);
        n.duration = 1; /* until its note-off */
        n.pitch = (uint8_t)key;
        n.velocity = ev->data2 > 127 ? 127 : ev->data2;
        n.channel = (uint8_t)ch;
        n.program = r->program[part][ch];
        n.part = (uint16_t)r->part_index[part];
        if (score_add_note(r->s, &n)) return LJ_ERR_NOMEM;
        r->open[part][ch][key] = r->s->n_notes - 1;
        r->n_open++;
        r->notes[part]++;
        break;
    }
    case LJ_EV_NOTE_OFF: note_off(r, part, ch, key, ev->frame); break;
    case LJ_EV_CC:
        /* Written as played (the synth and MIDI out got it: a sustain pedal,
         * the mod wheel, expression...), so the file plays back as heard;
         * 120/123 after the release they make (dsp/voice: notes off, pedals
         * up, bend and pressure to rest, then the synth hears CC 120). A
         * controller that drives the instrument never gets here (midi_route
         * sends it to the engine only). */
        if (ev->data2 > 127) break;
        if (key == 120 || key == 123) {
            if (release_channel(r, part, ch, ev->frame)) return LJ_ERR_NOMEM;
        } else if (key == 121) { /* reset all controllers: pedals up, bend and pressure to rest in the synth */
            /* the bend and pressure written back to rest too, as before: a
             * player of the file that skips CC 121 still plays in tune */
            uint8_t bent = r->bent[part][ch], pressed = r->pressed[part][ch];
            r->bent[part][ch] = r->pressed[part][ch] = r->pedals[part][ch] = 0;
            if (bent && add_ctl(r, part, 0xE0, ch, LJ_BEND_CENTER & 0x7F, LJ_BEND_CENTER >> 7, ev->frame))
                return LJ_ERR_NOMEM;
            if (pressed && add_ctl(r, part, 0xD0, ch, 0, 0, ev->frame)) return LJ_ERR_NOMEM;
        } else if (key == 64 || key == 66) {
            uint8_t bit = key == 64 ? 1 : 2;
            r->pedals[part][ch] = (uint8_t)(ev->data2 >= 64 ? r->pedals[part][ch] | bit : r->pedals[part][ch] & ~bit);
        }
        return add_ctl(r, part, 0xB0, ch, key, ev->data2, ev->frame);
    case LJ_EV_PROGRAM:
        r->program[part][ch] = (uint8_t)key;
        if (r->notes[part] == 0) {
            r->s->parts[r->part_index[part]].program = (uint8_t)key;
            r->s->parts[r->part_index[part]].channel = (uint8_t)ch;
        }
        break;
    case LJ_EV_ALL_NOTES_OFF: return release_channel(r, part, ch, ev->frame);
    case LJ_EV_PANIC:
        /* The audio side's panic releases every source's notes. */
        for (int p = 0; p < SESSION_REC_PARTS; p++)
            for (int c = 0; c < 16; c++)
                if (release_channel(r, p, c, ev->frame)) return LJ_ERR_NOMEM;
        break;
    case LJ_EV_PITCH_BEND:
        if (ev->data2 > 127) break;
        r->bent[part][ch] = lj_event_bend_value(ev) != LJ_BEND_CENTER;
        return add_ctl(r, part, 0xE0, ch, ev->data1, ev->data2, ev->frame);
    case LJ_EV_CHANNEL_PRESSURE:
        r->pressed[part][ch] = ev->data1 != 0;
        return add_ctl(r, part, 0xD0, ch, ev->data1, 0, ev->frame);
    case LJ_EV_KEY_PRESSURE:
        if (ev->data2 > 127) break;
        return add_ctl(r, part, 0xA0, ch, key, ev->data2, ev->frame);
    }
    return LJ_OK;
}

int session_rec_drain(session_rec *r, int part, rtq *q) {
    lj_event ev;
    while (rtq_pop(q, &ev))
        if (session_rec_add(r, part, &ev)) return LJ_ERR_NOMEM;
    return LJ_OK;
}

void session_rec_finish(session_rec *r, uint64_t end) {
    for (int p = 0; p < SESSION_REC_PARTS; p++)
        for (int c = 0; c < 16; c++) end_channel(r, p, c, end);
}

size_t session_rec_notes(const session_rec *r, int part) {
    return part >= 0 && part < SESSION_REC_PARTS ? r->notes[part] : 0;
}
size_t session_rec_open(const session_rec *r) { return r->n_open; }
const score *session_rec_score(const session_rec *r) { return r->s; }

int session_rec_write(const session_rec *r, const char *path, char *err, size_t errlen) {
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = midi_write_mem(r->s, &buf, &len, err, errlen);
    if (!rc) rc = lj_file_write_atomic(path, buf, len, err, errlen);
    free(buf);
    return rc;
}

int session_rec_commit(const session_rec *r, lj_atomic_file *f, char *err, size_t errlen) {
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = midi_write_mem(r->s, &buf, &len, err, errlen);
    if (!rc && fwrite(buf, 1, len, f->fp) != len)
        rc = lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot write: %s", f->path, strerror(errno));
    free(buf);
    if (rc) {
        lj_atomic_abort(f);
        return rc;
    }
    return lj_atomic_commit(f, err, errlen);
}
