/* midi_read: Standard MIDI File (format 0 and 1) to score. The rules (parts,
 * pairing, rounding, limits) are documented in midi.h.
 *
 * Two phases:
 *  1. Each track chunk is run through an explicit byte-level state machine
 *     (track_state) that appends the events lstmjam keeps (note-ons with their
 *     paired note-off tick, program changes, tempo, time and key signatures) to
 *     one array, track after track, and records per-track facts (name, first
 *     channel, first program).
 *  2. The array is sorted by (tick, position read), which is the order a player
 *     meets the events of all tracks, and walked once: program state per channel
 *     is global across tracks, so note programs need this merged order.
 * Errors are sticky: the first one is kept in r->status and every step returns
 * it, so nothing runs on after a failure. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "midi.h"

enum {
    MIDI_KEYS = 16 * 128,        /* note queues: one per (channel, pitch) */
    MAX_VLQ_BYTES = 4            /* a variable-length quantity holds at most 28 bits */
};
#define NO_EVENT UINT32_MAX /* end of a note queue; push_event's failure value */

typedef enum event_kind { EV_NOTE, EV_PROGRAM, EV_TEMPO, EV_METER, EV_KEY, EV_KEY_MODE } event_kind;

/* Sequencer-specific meta (FF 7F) lstmjam writes after a key signature whose
 * mode MIDI cannot say (dorian...): 7D (the non-commercial manufacturer ID),
 * "LJK", then the score_mode. */
static const uint8_t key_mode_tag[4] = {0x7D, 'L', 'J', 'K'};

/* One kept event. Notes are stored once, at their note-on, with the note-off tick. */
typedef struct midi_event {
    int64_t tick;   /* file ticks (the file's division) from the start of its track */
    int64_t end;    /* EV_NOTE: file tick of the matching note-off; -1 while sounding */
    size_t offset;  /* byte offset of the event's status byte in the file, for messages */
    uint32_t seq;   /* position in reading order (track by track): the tie-break of the merge */
    uint32_t next;  /* EV_NOTE while sounding: next sounding note of the same key, NO_EVENT */
    uint32_t value; /* note: pitch; program: program; tempo: us per quarter; meter: numerator;
                       key: fifths + 7; key mode: score_mode */
    uint16_t track; /* track index, 0-based */
    uint8_t kind;    /* event_kind */
    uint8_t channel; /* note, program: MIDI channel 0..15 */
    uint8_t extra;   /* note: velocity 1..127; meter: denominator; key: score_mode */
} midi_event;

/* What phase 1 learns about one track. */
typedef struct track_info {
    char name[256];    /* first track-name meta (truncated at NUL or 255 bytes), "" when none */
    int has_name;      /* 1 once a track-name meta was seen */
    int first_program; /* value of the first program change in the track, -1 when none */
    int first_channel; /* channel of the first note-on, -1 when none */
    int program_channel; /* channel of the first program change, -1 when none */
    size_t notes;      /* note-ons read */
    int part;          /* part index in the score (format 1), -1 when the track gives none */
} track_info;

/* States of the track-chunk state machine; each waits for one thing. */
typedef enum track_state {
    TS_DELTA,     /* a byte of the delta time before the next event (VLQ) */
    TS_STATUS,    /* a status byte, or under running status the first data byte */
    TS_DATA1,     /* the first data byte of a channel message */
    TS_DATA2,     /* the second data byte of a two-byte channel message */
    TS_META_TYPE, /* the meta type byte after FF */
    TS_LENGTH,    /* a byte of the length (VLQ) of a meta or sysex event */
    TS_END        /* nothing: end-of-track was read, the chunk should end here */
} track_state;

typedef struct reader {
    const uint8_t *data; /* the whole file, len bytes */
    size_t len;          /* bytes */
    const char *name;    /* for messages */
    const midi_read_opts *opts; /* never NULL */
    char *err;           /* caller's error buffer, may be NULL */
    size_t errlen;       /* bytes in err */
    int status;          /* sticky: LJ_OK until the first failure */

    unsigned format;     /* 0 or 1 */
    unsigned division;   /* file ticks per quarter note, 1..0x7FFF */
    unsigned n_tracks;   /* from MThd */

    midi_event *events;  /* kept events, n_events in reading order until phase 2 sorts them */
    size_t n_events, cap_events;
    size_t n_notes;      /* EV_NOTE events, <= MIDI_MAX_NOTES */
    size_t n_other;      /* other kept events, <= MIDI_MAX_OTHER_EVENTS */
    track_info *tracks;  /* n_tracks entries */

    /* Format 0 groups parts by channel. */
    int chan_first_program[16]; /* first program change on the channel, -1 when none */
    int chan_part[16];          /* part index of the channel, -1 until its first note-on */
    int n_chan_parts;           /* channels with notes so far */

    /* Sounding notes of the current track per key (channel * 128 + pitch): a FIFO
     * linked through midi_event.next. Indices into events. */
    uint32_t head[MIDI_KEYS], tail[MIDI_KEYS];
} reader;

static int fail_at(reader *r, int status, size_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int fail_at(reader *r, int status, size_t offset, const char *fmt, ...) {
    if (r->status) return r->status; /* keep the first error */
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->status = status;
    return lj_fail(r->err, r->errlen, status, "%s: byte %zu: %s", r->name, offset, msg);
}

static void warn_at(reader *r, size_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void warn_at(reader *r, size_t offset, const char *fmt, ...) {
    if (!r->opts->warn) return;
    char msg[512], line[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "%s: byte %zu: %s", r->name, offset, msg);
    r->opts->warn(r->opts->warn_user, line);
}

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

/* "\"MTrk\"" for a printable chunk type, else its bytes in hex. */
static const char *describe_type(const uint8_t *p, char *buf, size_t buflen) {
    int printable = 1;
    for (int i = 0; i < 4; i++) printable &= p[i] >= 0x20 && p[i] <= 0x7E;
    if (printable)
        snprintf(buf, buflen, "\"%c%c%c%c\"", p[0], p[1], p[2], p[3]);
    else
        snprintf(buf, buflen, "bytes %02X %02X %02X %02X", p[0], p[1], p[2], p[3]);
    return buf;
}

static int chunk_type_ok(const uint8_t *p) {
    for (int i = 0; i < 4; i++)
        if (p[i] < 0x20 || p[i] > 0x7E) return 0;
    return 1;
}

/* File ticks to SCORE_PPQ ticks, rounded half up (see midi.h). t >= 0. */
static int64_t to_score_ticks(int64_t t, unsigned division) {
    return (t * SCORE_PPQ + division / 2) / division;
}

/* Appends a kept event; returns its index or NO_EVENT on failure (r->status set). */
static uint32_t push_event(reader *r, const midi_event *e) {
    if (e->kind == EV_NOTE ? r->n_notes >= MIDI_MAX_NOTES : r->n_other >= MIDI_MAX_OTHER_EVENTS) {
        fail_at(r, LJ_ERR_LIMIT, e->offset, "expected at most %u %s per file, found more",
                e->kind == EV_NOTE ? MIDI_MAX_NOTES : MIDI_MAX_OTHER_EVENTS,
                e->kind == EV_NOTE ? "notes" : "program, tempo, meter and key events");
        return NO_EVENT;
    }
    if (r->n_events == r->cap_events) {
        size_t ncap = r->cap_events ? r->cap_events * 2 : 256;
        midi_event *p = realloc(r->events, ncap * sizeof *p);
        if (!p) {
            r->status = LJ_ERR_NOMEM;
            lj_fail(r->err, r->errlen, LJ_ERR_NOMEM, "%s: out of memory reading events", r->name);
            return NO_EVENT;
        }
        r->events = p;
        r->cap_events = ncap;
    }
    uint32_t idx = (uint32_t)r->n_events;
    r->events[idx] = *e;
    r->events[idx].seq = idx;
    r->n_events++;
    if (e->kind == EV_NOTE)
        r->n_notes++;
    else
        r->n_other++;
    return idx;
}

/* Counters of one track's oddities, reported once per track as warnings. */
typedef struct track_oddities {
    size_t stray_offs;  /* note-offs with no sounding note */
    size_t first_stray; /* byte offset of the first one */
} track_oddities;

static int channel_message(reader *r, unsigned track, int64_t tick, uint8_t status, uint8_t d1,
                           uint8_t d2, size_t at, track_oddities *odd) {
    unsigned type = status & 0xF0u, ch = status & 0x0Fu;
    track_info *ti = &r->tracks[track];
    if (type == 0x90 && d2 > 0) { /* note-on */
        midi_event e = {.tick = tick, .end = -1, .offset = at, .next = NO_EVENT, .value = d1,
                        .track = (uint16_t)track, .kind = EV_NOTE, .channel = (uint8_t)ch,
                        .extra = d2};
        uint32_t idx = push_event(r, &e);
        if (idx == NO_EVENT) return r->status;
        unsigned key = ch * 128u + d1;
        if (r->tail[key] == NO_EVENT)
            r->head[key] = idx;
        else
            r->events[r->tail[key]].next = idx;
        r->tail[key] = idx;
        if (ti->first_channel < 0) ti->first_channel = (int)ch;
        ti->notes++;
        if (r->format == 0 && r->chan_part[ch] < 0) r->chan_part[ch] = r->n_chan_parts++;
    } else if (type == 0x80 || type == 0x90) { /* note-off, or note-on with velocity 0 */
        unsigned key = ch * 128u + d1;
        uint32_t idx = r->head[key];
        if (idx == NO_EVENT) {
            if (odd->stray_offs++ == 0) odd->first_stray = at;
            return LJ_OK;
        }
        r->events[idx].end = tick;
        r->head[key] = r->events[idx].next;
        if (r->head[key] == NO_EVENT) r->tail[key] = NO_EVENT;
        r->events[idx].next = NO_EVENT;
    } else if (type == 0xC0) { /* program change */
        midi_event e = {.tick = tick, .end = -1, .offset = at, .next = NO_EVENT, .value = d1,
                        .track = (uint16_t)track, .kind = EV_PROGRAM, .channel = (uint8_t)ch};
        if (push_event(r, &e) == NO_EVENT) return r->status;
        if (ti->first_program < 0) {
            ti->first_program = d1;
            ti->program_channel = (int)ch;
        }
        if (r->chan_first_program[ch] < 0) r->chan_first_program[ch] = d1;
    }
    /* Aftertouch, controllers, channel pressure, pitch bend: not in a score. */
    return LJ_OK;
}

/* A meta event of `len` bytes at body (offset `at` of its FF byte). */
static int meta_event(reader *r, unsigned track, int64_t tick, uint8_t type, const uint8_t *body,
                      uint32_t len, size_t at) {
    track_info *ti = &r->tracks[track];
    midi_event e = {.tick = tick, .end = -1, .offset = at, .next = NO_EVENT,
                    .track = (uint16_t)track};
    switch (type) {
    case 0x03: /* sequence or track name */
        if (!ti->has_name) {
            size_t n = len < sizeof ti->name - 1 ? len : sizeof ti->name - 1;
            memcpy(ti->name, body, n);
            ti->name[n] = 0; /* an embedded NUL ends the name early */
            ti->has_name = 1;
        }
        return LJ_OK;
    case 0x51: /* set tempo: 3 bytes, microseconds per quarter note */
        if (len < 3) {
            warn_at(r, at, "tempo event of %u bytes ignored (expected 3)", len);
            return LJ_OK;
        }
        e.value = (uint32_t)body[0] << 16 | (uint32_t)body[1] << 8 | body[2];
        if (e.value == 0) {
            warn_at(r, at, "tempo of 0 microseconds per quarter note ignored");
            return LJ_OK;
        }
        e.kind = EV_TEMPO;
        break;
    case 0x58: /* time signature: nn dd cc bb, denominator = 2^dd */
        if (len < 2 || body[0] == 0 || body[1] > 7) {
            warn_at(r, at, "time signature ignored (expected numerator >= 1 and denominator "
                           "1..128 in 2 or more bytes)");
            return LJ_OK;
        }
        e.kind = EV_METER;
        e.value = body[0];
        e.extra = (uint8_t)(1u << body[1]);
        break;
    case 0x59: { /* key signature: sf (signed sharps), mi (0 major, 1 minor) */
        int sf = len >= 1 ? (int)(int8_t)body[0] : 0;
        if (len < 2 || sf < -7 || sf > 7 || body[1] > 1) {
            warn_at(r, at, "key signature ignored (expected -7..7 sharps and mode 0 or 1 in 2 "
                           "bytes)");
            return LJ_OK;
        }
        e.kind = EV_KEY;
        e.value = (uint32_t)(sf + 7);
        e.extra = body[1] ? SCORE_MODE_MINOR : SCORE_MODE_MAJOR;
        break;
    }
    case 0x7F: /* sequencer-specific: only lstmjam's key mode is read */
        if (len != 5 || memcmp(body, key_mode_tag, 4) != 0 || body[4] > SCORE_MODE_LOCRIAN)
            return LJ_OK;
        e.kind = EV_KEY_MODE;
        e.value = body[4];
        break;
    default: return LJ_OK; /* text, markers, end of track (handled by the caller)... */
    }
    return push_event(r, &e) == NO_EVENT ? r->status : LJ_OK;
}

static const char *expected_in(track_state st) {
    switch (st) {
    case TS_DELTA: return "an end-of-track event (FF 2F 00) or a delta time";
    case TS_STATUS: return "an event after its delta time";
    case TS_DATA1:
    case TS_DATA2: return "a data byte of a channel message";
    case TS_META_TYPE: return "a meta event type";
    case TS_LENGTH: return "the length of a meta or sysex event";
    default: return "nothing";
    }
}

/* Phase 1 for the track chunk body data[start, end). */
static int read_track(reader *r, unsigned track, size_t start, size_t end) {
    track_state st = TS_DELTA;
    int64_t tick = 0;         /* file ticks */
    uint32_t vlq = 0;         /* value being read (delta or length) */
    int vlq_bytes = 0;        /* bytes of it read */
    uint8_t running = 0;      /* running status, 0 = none yet */
    uint8_t d1 = 0;           /* first data byte of the current channel message */
    uint8_t meta_type = 0;    /* TS_LENGTH: meta type, valid when !sysex */
    int sysex = 0;            /* TS_LENGTH: 1 for F0/F7, 0 for a meta event */
    size_t event_at = start;  /* offset of the current event's first byte */
    track_oddities odd = {0, 0};

    for (unsigned k = 0; k < MIDI_KEYS; k++) r->head[k] = r->tail[k] = NO_EVENT;
    size_t pos = start;
    while (pos < end && st != TS_END) {
        uint8_t b = r->data[pos];
        switch (st) {
        case TS_DELTA:
        case TS_LENGTH:
            vlq = vlq << 7 | (b & 0x7Fu);
            if (b & 0x80) {
                if (++vlq_bytes == MAX_VLQ_BYTES)
                    return fail_at(r, LJ_ERR_PARSE, pos,
                                   "expected the last byte of a %s (at most 4 bytes), found "
                                   "0x%02X, a 5th",
                                   st == TS_DELTA ? "delta time" : "length", b);
                pos++;
                break;
            }
            pos++;
            if (st == TS_DELTA) {
                tick += vlq;
                if (to_score_ticks(tick, r->division) > MIDI_MAX_TICK)
                    return fail_at(r, LJ_ERR_LIMIT, pos - 1,
                                   "expected times up to %d ticks at %d PPQ, found %lld",
                                   MIDI_MAX_TICK, SCORE_PPQ,
                                   (long long)to_score_ticks(tick, r->division));
                st = TS_STATUS;
            } else {
                if (vlq > end - pos)
                    return fail_at(r, LJ_ERR_PARSE, event_at,
                                   "expected a %s length within the track chunk (%zu bytes "
                                   "left), found %u",
                                   sysex ? "sysex" : "meta event", end - pos, vlq);
                if (!sysex) {
                    if (meta_type == 0x2F) st = TS_END;
                    if (meta_event(r, track, tick, meta_type, r->data + pos, vlq, event_at))
                        return r->status;
                }
                pos += vlq;
                if (st != TS_END) st = TS_DELTA;
            }
            vlq = 0;
            vlq_bytes = 0;
            break;
        case TS_STATUS:
            event_at = pos;
            if (b < 0x80) { /* running status: this is already the first data byte */
                if (!running)
                    return fail_at(r, LJ_ERR_PARSE, pos,
                                   "expected a status byte, found data byte 0x%02X with no "
                                   "running status",
                                   b);
                st = TS_DATA1;
                break;
            }
            pos++;
            if (b == 0xFF) {
                st = TS_META_TYPE;
            } else if (b == 0xF0 || b == 0xF7) {
                sysex = 1;
                st = TS_LENGTH;
            } else if (b > 0xF0) {
                return fail_at(r, LJ_ERR_PARSE, pos - 1,
                               "expected a channel message, sysex (F0, F7) or meta event (FF), "
                               "found 0x%02X",
                               b);
            } else {
                running = b;
                st = TS_DATA1;
            }
            break;
        case TS_DATA1:
        case TS_DATA2:
            if (b >= 0x80)
                return fail_at(r, LJ_ERR_PARSE, pos,
                               "expected a data byte (00-7F) of message %02X, found 0x%02X",
                               running, b);
            pos++;
            if (st == TS_DATA1 && (running & 0xF0) != 0xC0 && (running & 0xF0) != 0xD0) {
                d1 = b;
                st = TS_DATA2;
                break;
            }
            if (channel_message(r, track, tick, running, st == TS_DATA1 ? b : d1,
                                st == TS_DATA1 ? 0 : b, event_at, &odd))
                return r->status;
            st = TS_DELTA;
            break;
        case TS_META_TYPE:
            meta_type = b;
            sysex = 0;
            pos++;
            st = TS_LENGTH;
            break;
        case TS_END: break; /* not reached: the loop stops */
        }
    }
    if (st != TS_END)
        return fail_at(r, LJ_ERR_PARSE, end, "expected %s, found the end of track chunk %u",
                       expected_in(st), track + 1);
    if (pos < end) warn_at(r, pos, "%zu bytes after end-of-track ignored", end - pos);
    if (odd.stray_offs)
        warn_at(r, odd.first_stray, "track %u: %zu note-offs without a sounding note ignored",
                track + 1, odd.stray_offs);
    size_t hanging = 0;
    for (unsigned k = 0; k < MIDI_KEYS; k++) {
        for (uint32_t i = r->head[k]; i != NO_EVENT;) {
            uint32_t next = r->events[i].next;
            r->events[i].end = tick;
            r->events[i].next = NO_EVENT;
            hanging++;
            i = next;
        }
        r->head[k] = r->tail[k] = NO_EVENT;
    }
    if (hanging)
        warn_at(r, event_at, "track %u: %zu notes without note-off end at end of track", track + 1,
                hanging);
    return LJ_OK;
}

static int merged_order(const void *pa, const void *pb) {
    const midi_event *a = pa, *b = pb;
    if (a->tick != b->tick) return a->tick < b->tick ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Phase 2: parts, then every event in merged order. */
static int build_score(reader *r, score *s) {
    int program_known[MIDI_MAX_PARTS]; /* part.program settled (a program change named it) */
    if (r->format == 1) {
        for (unsigned t = 0; t < r->n_tracks; t++) {
            track_info *ti = &r->tracks[t];
            if (t == 0 && !ti->notes) continue; /* the conductor track */
            if (s->n_parts >= MIDI_MAX_PARTS)
                return fail_at(r, LJ_ERR_LIMIT, 10, "expected at most %d parts, found more",
                               MIDI_MAX_PARTS);
            int channel = ti->first_channel >= 0     ? ti->first_channel
                          : ti->program_channel >= 0 ? ti->program_channel
                                                     : 0;
            size_t idx;
            int rc = score_add_part(s, ti->name, channel,
                                    ti->first_program >= 0 ? ti->first_program : 0, &idx);
            if (rc) return fail_at(r, rc, 0, "cannot add part %u: %s", t + 1, lj_strerror(rc));
            ti->part = (int)idx;
            program_known[idx] = ti->first_program >= 0;
        }
    } else {
        for (int p = 0; p < r->n_chan_parts; p++) {
            int ch = 0;
            while (r->chan_part[ch] != p) ch++;
            int rc = score_add_part(s, "", ch,
                                    r->chan_first_program[ch] >= 0 ? r->chan_first_program[ch] : 0,
                                    NULL);
            if (rc) return fail_at(r, rc, 0, "cannot add a part: %s", lj_strerror(rc));
            program_known[p] = r->chan_first_program[ch] >= 0;
        }
    }

    if (r->n_events > 1) qsort(r->events, r->n_events, sizeof *r->events, merged_order);
    uint8_t program[16] = {0}; /* program in force per channel; GM starts at 0 */
    for (size_t i = 0; i < r->n_events; i++) {
        const midi_event *e = &r->events[i];
        int64_t tick = to_score_ticks(e->tick, r->division);
        int rc = LJ_OK;
        switch (e->kind) {
        case EV_PROGRAM: program[e->channel] = (uint8_t)e->value; break;
        case EV_NOTE: {
            int part = r->format == 1 ? r->tracks[e->track].part : r->chan_part[e->channel];
            if (!program_known[part]) {
                s->parts[part].program = program[e->channel];
                program_known[part] = 1;
            }
            int64_t duration = to_score_ticks(e->end, r->division) - tick;
            if (duration < 1) duration = 1;
            if (tick + duration > MIDI_MAX_TICK)
                return fail_at(r, LJ_ERR_LIMIT, e->offset,
                               "expected notes to end by tick %d at %d PPQ, found %lld",
                               MIDI_MAX_TICK, SCORE_PPQ, (long long)(tick + duration));
            score_note n = {.onset = tick, .duration = duration, .pitch = (uint8_t)e->value,
                            .velocity = e->extra, .channel = e->channel,
                            .program = program[e->channel], .part = (uint16_t)part};
            rc = score_add_note(s, &n);
            break;
        }
        case EV_TEMPO: rc = score_add_tempo(s, tick, e->value); break;
        case EV_METER: rc = score_add_meter(s, tick, (int)e->value, e->extra); break;
        case EV_KEY: rc = score_add_key(s, tick, (int)e->value - 7, e->extra); break;
        case EV_KEY_MODE: /* refines the key signature just read at this tick */
            if (s->n_keys && s->keys[s->n_keys - 1].tick == tick)
                rc = score_add_key(s, tick, s->keys[s->n_keys - 1].fifths, (int)e->value);
            break;
        }
        if (rc) return fail_at(r, rc, e->offset, "cannot store event: %s", lj_strerror(rc));
    }
    snprintf(s->title, sizeof s->title, "%s", r->tracks[0].name);
    snprintf(s->source, sizeof s->source, "%s", r->name);
    score_sort(s);
    return LJ_OK;
}

/* The header chunk and the chunk walk; fills r. */
static int read_chunks(reader *r) {
    const uint8_t *d = r->data;
    char what[64];
    if (r->len < 4 || memcmp(d, "MThd", 4) != 0) {
        if (r->len < 4)
            return fail_at(r, LJ_ERR_PARSE, 0, "expected \"MThd\" (a Standard MIDI File), found %s",
                           r->len ? "end of file" : "an empty file");
        return fail_at(r, LJ_ERR_PARSE, 0, "expected \"MThd\" (a Standard MIDI File), found %s",
                       describe_type(d, what, sizeof what));
    }
    if (r->len < 8) /* "MThd" is there; the file ends inside its 4-byte length */
        return fail_at(r, LJ_ERR_PARSE, 4, "expected the header's 4-byte length, found end of file (%zu bytes)",
                       r->len - 4);
    uint32_t hlen = be32(d + 4);
    if (hlen < 6)
        return fail_at(r, LJ_ERR_PARSE, 4, "expected a header length of at least 6, found %u", hlen);
    if (hlen > r->len - 8)
        return fail_at(r, LJ_ERR_PARSE, 4,
                       "expected a header length within the file (%zu bytes left), found %u",
                       r->len - 8, hlen);
    r->format = be16(d + 8);
    r->n_tracks = be16(d + 10);
    unsigned division = be16(d + 12);
    if (r->format == 2)
        return fail_at(r, LJ_ERR_UNSUPPORTED, 8,
                       "expected format 0 or 1, found format 2 (independent sequences), which "
                       "lstmjam does not support");
    if (r->format > 2)
        return fail_at(r, LJ_ERR_PARSE, 8, "expected format 0, 1 or 2, found %u", r->format);
    if (division & 0x8000u)
        return fail_at(r, LJ_ERR_UNSUPPORTED, 12,
                       "expected ticks per quarter note, found SMPTE time division (%d frames/s, "
                       "%u ticks per frame), which lstmjam does not support",
                       -(int)(int8_t)(division >> 8), division & 0xFFu);
    if (division == 0)
        return fail_at(r, LJ_ERR_PARSE, 12, "expected ticks per quarter note > 0, found 0");
    r->division = division;
    if (r->n_tracks == 0)
        return fail_at(r, LJ_ERR_PARSE, 10, "expected at least 1 track, found 0");
    if (r->format == 0 && r->n_tracks != 1)
        return fail_at(r, LJ_ERR_PARSE, 10, "expected 1 track in format 0, found %u", r->n_tracks);
    if (r->n_tracks > MIDI_MAX_TRACKS)
        return fail_at(r, LJ_ERR_LIMIT, 10, "expected at most %d tracks, found %u", MIDI_MAX_TRACKS,
                       r->n_tracks);
    r->tracks = calloc(r->n_tracks, sizeof *r->tracks);
    if (!r->tracks) {
        r->status = LJ_ERR_NOMEM;
        return lj_fail(r->err, r->errlen, LJ_ERR_NOMEM, "%s: out of memory", r->name);
    }
    for (unsigned t = 0; t < r->n_tracks; t++) {
        track_info *ti = &r->tracks[t];
        ti->first_program = ti->first_channel = ti->program_channel = ti->part = -1;
    }

    size_t pos = 8 + (size_t)hlen;
    unsigned track = 0;
    while (track < r->n_tracks) {
        size_t left = r->len - pos;
        if (left < 8)
            return fail_at(r, LJ_ERR_PARSE, pos,
                           "expected track %u of %u (an \"MTrk\" chunk), found %s", track + 1,
                           r->n_tracks, left ? "a truncated chunk header" : "end of file");
        if (!chunk_type_ok(d + pos))
            return fail_at(r, LJ_ERR_PARSE, pos, "expected a chunk type (\"MTrk\"), found %s",
                           describe_type(d + pos, what, sizeof what));
        uint32_t clen = be32(d + pos + 4);
        if (clen > left - 8)
            return fail_at(r, LJ_ERR_PARSE, pos + 4,
                           "expected a chunk length within the file (%zu bytes left), found %u",
                           left - 8, clen);
        if (memcmp(d + pos, "MTrk", 4) == 0) {
            if (read_track(r, track, pos + 8, pos + 8 + clen)) return r->status;
            track++;
        } else {
            warn_at(r, pos, "skipped unknown chunk %s of %u bytes",
                    describe_type(d + pos, what, sizeof what), clen);
        }
        pos += 8 + (size_t)clen;
    }
    return LJ_OK;
}

int midi_read_mem_opts(const uint8_t *data, size_t len, const char *name,
                       const midi_read_opts *opts, score **out, char *err, size_t errlen) {
    static const midi_read_opts no_opts = {NULL, NULL};
    *out = NULL;
    if (!name) name = "(memory)";
    if (!data && len) return lj_fail(err, errlen, LJ_ERR_ARG, "%s: no data", name);
    reader *r = calloc(1, sizeof *r);
    if (!r) return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", name);
    r->data = data;
    r->len = len;
    r->name = name;
    r->opts = opts ? opts : &no_opts;
    r->err = err;
    r->errlen = errlen;
    for (int c = 0; c < 16; c++) r->chan_first_program[c] = r->chan_part[c] = -1;

    score *s = NULL;
    int rc = read_chunks(r);
    if (!rc) {
        s = score_create();
        if (!s)
            rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", name);
        else
            rc = build_score(r, s);
    }
    free(r->events);
    free(r->tracks);
    free(r);
    if (rc) {
        score_destroy(s);
        return rc;
    }
    *out = s;
    return LJ_OK;
}

int midi_read_mem(const uint8_t *data, size_t len, const char *name, score **out, char *err,
                  size_t errlen) {
    return midi_read_mem_opts(data, len, name, NULL, out, err, errlen);
}

int midi_read_file_opts(const char *path, const midi_read_opts *opts, score **out, char *err,
                        size_t errlen) {
    uint8_t *data = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = lj_file_read(path, &data, &len, err, errlen);
    if (rc) return rc;
    rc = midi_read_mem_opts(data, len, path, opts, out, err, errlen);
    free(data);
    return rc;
}

int midi_read_file(const char *path, score **out, char *err, size_t errlen) {
    return midi_read_file_opts(path, NULL, out, err, errlen);
}
