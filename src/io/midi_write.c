/* midi_write: score to Standard MIDI File format 1 at SCORE_PPQ (see midi.h).
 *
 * Layout: track 0 is the conductor (title as track name, then tempo, time and
 * key signatures in tick order); track p+1 holds part p: its name, a program
 * change to part.program on part.channel at tick 0, then its notes.
 *
 * The file must read back to the same score through midi_read.c, whose rules
 * fix the order of events within a tick:
 *  - note-offs before note-ons, so a note ending where the next note of the same
 *    key starts does not swallow it;
 *  - same-key note-ons by increasing duration, so first-in first-out pairing
 *    gives each note its own end (and velocity);
 *  - the note-ons on part.channel first, so the part's first note-on names the
 *    part's channel.
 * Note programs: the reader takes the program in force on the channel, with
 * channel state shared by all tracks in the order (tick, track, position). The
 * writer walks its events in exactly that order, keeps the same state, and puts
 * a program change just before every note-on whose program differs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "midi.h"

/* Growing byte buffer for one track body. */
typedef struct track_buf {
    uint8_t *bytes;    /* n bytes used of cap */
    size_t n, cap;
    int64_t last_tick; /* tick of the last event written, for delta times */
    uint8_t running;   /* running status in effect, 0 = none */
    int failed;        /* an allocation failed (sticky) */
} track_buf;

static void put(track_buf *b, const void *src, size_t n) {
    if (b->failed || n == 0) return;
    if (b->n + n > b->cap) {
        size_t ncap = b->cap ? b->cap : 64;
        while (ncap < b->n + n) ncap *= 2;
        uint8_t *p = realloc(b->bytes, ncap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->bytes = p;
        b->cap = ncap;
    }
    memcpy(b->bytes + b->n, src, n);
    b->n += n;
}

/* Variable-length quantity, v <= 0x0FFFFFFF. */
static void put_vlq(track_buf *b, uint32_t v) {
    uint8_t tmp[4];
    int n = 0;
    tmp[n++] = (uint8_t)(v & 0x7F);
    while (v >>= 7) tmp[n++] = (uint8_t)(0x80 | (v & 0x7F));
    uint8_t out[4];
    for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    put(b, out, (size_t)n);
}

static void put_delta(track_buf *b, int64_t tick) {
    put_vlq(b, (uint32_t)(tick - b->last_tick));
    b->last_tick = tick;
}

/* Channel message with running status; nd = 1 or 2 data bytes. */
static void put_channel(track_buf *b, int64_t tick, uint8_t status, uint8_t d1, uint8_t d2,
                        int nd) {
    put_delta(b, tick);
    if (status != b->running) put(b, &status, 1);
    b->running = status;
    uint8_t d[2] = {d1, d2};
    put(b, d, (size_t)nd);
}

static void put_meta(track_buf *b, int64_t tick, uint8_t type, const void *body, uint32_t len) {
    put_delta(b, tick);
    uint8_t head[2] = {0xFF, type};
    put(b, head, 2);
    put_vlq(b, len);
    put(b, body, len);
}

/* Within a tick: the part's first program, note-offs, other channel messages
 * (score_ctl: a bend in force when the tick's notes start), note-ons. */
typedef enum wrank { W_PROGRAM_INIT = 0, W_OFF = 1, W_CTL = 2, W_ON = 3 } wrank;

/* One event of a part track. Sorting by every field in order gives the order
 * the reader merges tracks in: (tick, track, position within the track). */
typedef struct wevent {
    int64_t tick;     /* ticks at SCORE_PPQ */
    uint32_t track;   /* 1 + part index */
    uint8_t rank;     /* wrank: order of kinds within a tick */
    uint32_t seq;     /* W_CTL: index in score.ctls (the order played); 0 otherwise */
    uint8_t status;   /* W_CTL: status nibble (0xA0, 0xB0, 0xD0, 0xE0); data in pitch, velocity */
    uint8_t off_part_channel; /* W_ON: 0 when on part.channel (written first), else 1 */
    uint8_t channel;  /* MIDI channel */
    uint8_t pitch;    /* note number */
    int64_t duration; /* W_ON: ticks; same-key note-ons go shortest first */
    uint8_t velocity; /* W_ON: 1..127 */
    uint8_t program;  /* W_ON: program the note needs; W_PROGRAM_INIT: part.program */
} wevent;

static int wevent_cmp(const void *pa, const void *pb) {
    const wevent *a = pa, *b = pb;
#define BY(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
    BY(tick);
    BY(track);
    BY(rank);
    BY(seq);
    BY(off_part_channel);
    BY(channel);
    BY(pitch);
    BY(duration);
    BY(velocity);
    BY(program);
#undef BY
    return 0;
}

/* Conductor map event. */
typedef struct cevent {
    int64_t tick;  /* ticks */
    int kind;      /* 0 tempo, 1 meter, 2 key: the order within a tick */
    size_t index;  /* into the score's map */
} cevent;

static int cevent_cmp(const void *pa, const void *pb) {
    const cevent *a = pa, *b = pb;
    if (a->tick != b->tick) return a->tick < b->tick ? -1 : 1;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int tick_ok(int64_t t) { return t >= 0 && t <= MIDI_MAX_TICK; }

/* Everything the format cannot hold is refused before anything is built. */
static int validate(const score *s, char *err, size_t errlen) {
    if (s->n_parts > MIDI_MAX_PARTS)
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "MIDI writer: %zu parts, at most %d fit",
                       s->n_parts, MIDI_MAX_PARTS);
    if (s->n_notes > MIDI_MAX_NOTES)
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "MIDI writer: %zu notes, at most %u fit",
                       s->n_notes, MIDI_MAX_NOTES);
    for (size_t i = 0; i < s->n_parts; i++)
        if (s->parts[i].channel > 15 || s->parts[i].program > 127)
            return lj_fail(err, errlen, LJ_ERR_RANGE,
                           "MIDI writer: part %zu: channel %d or program %d out of range", i,
                           s->parts[i].channel, s->parts[i].program);
    for (size_t i = 0; i < s->n_notes; i++) {
        const score_note *n = &s->notes[i];
        if (n->part >= s->n_parts)
            return lj_fail(err, errlen, LJ_ERR_ARG, "MIDI writer: note %zu: part %d of %zu", i,
                           n->part, s->n_parts);
        if (!tick_ok(n->onset) || n->duration < 1 || n->duration > MIDI_MAX_TICK - n->onset)
            return lj_fail(err, errlen, LJ_ERR_RANGE,
                           "MIDI writer: note %zu: onset %lld, duration %lld: expected 0 <= onset "
                           "< onset + duration <= %d",
                           i, (long long)n->onset, (long long)n->duration, MIDI_MAX_TICK);
        if (n->pitch > 127 || n->velocity < 1 || n->velocity > 127 || n->channel > 15 ||
            n->program > 127)
            return lj_fail(err, errlen, LJ_ERR_RANGE,
                           "MIDI writer: note %zu: pitch %d, velocity %d, channel %d, program %d "
                           "out of MIDI range",
                           i, n->pitch, n->velocity, n->channel, n->program);
    }
    for (size_t i = 0; i < s->n_ctls; i++) {
        const score_ctl *c = &s->ctls[i];
        if (c->part >= s->n_parts || !tick_ok(c->tick) || c->channel > 15 || c->data1 > 127 || c->data2 > 127 ||
            (c->status != 0xA0 && c->status != 0xB0 && c->status != 0xD0 && c->status != 0xE0))
            return lj_fail(err, errlen, LJ_ERR_RANGE, "MIDI writer: channel message %zu out of range", i);
    }
    if (s->n_ctls > UINT32_MAX)
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "MIDI writer: %zu channel messages", s->n_ctls);
    for (size_t i = 0; i < s->n_tempos; i++)
        if (!tick_ok(s->tempos[i].tick) || s->tempos[i].us_per_qn < 1 ||
            s->tempos[i].us_per_qn > 0xFFFFFF)
            return lj_fail(err, errlen, LJ_ERR_RANGE, "MIDI writer: tempo %zu out of range", i);
    for (size_t i = 0; i < s->n_meters; i++) {
        unsigned den = s->meters[i].den;
        if (!tick_ok(s->meters[i].tick) || s->meters[i].num < 1 || den < 1 || den > 128 ||
            (den & (den - 1)))
            return lj_fail(err, errlen, LJ_ERR_RANGE, "MIDI writer: meter %zu out of range", i);
    }
    for (size_t i = 0; i < s->n_keys; i++)
        if (!tick_ok(s->keys[i].tick) || s->keys[i].fifths < -7 || s->keys[i].fifths > 7 ||
            s->keys[i].mode > SCORE_MODE_LOCRIAN)
            return lj_fail(err, errlen, LJ_ERR_RANGE, "MIDI writer: key %zu out of range", i);
    return LJ_OK;
}

static void write_conductor(const score *s, cevent *cev, track_buf *b) {
    size_t title_len = strnlen(s->title, sizeof s->title);
    if (title_len) put_meta(b, 0, 0x03, s->title, (uint32_t)title_len);
    size_t n = 0;
    for (size_t i = 0; i < s->n_tempos; i++) cev[n++] = (cevent){s->tempos[i].tick, 0, i};
    for (size_t i = 0; i < s->n_meters; i++) cev[n++] = (cevent){s->meters[i].tick, 1, i};
    for (size_t i = 0; i < s->n_keys; i++) cev[n++] = (cevent){s->keys[i].tick, 2, i};
    if (n > 1) qsort(cev, n, sizeof *cev, cevent_cmp);
    for (size_t i = 0; i < n; i++) {
        uint8_t body[4];
        if (cev[i].kind == 0) {
            uint32_t us = s->tempos[cev[i].index].us_per_qn;
            body[0] = (uint8_t)(us >> 16);
            body[1] = (uint8_t)(us >> 8);
            body[2] = (uint8_t)us;
            put_meta(b, cev[i].tick, 0x51, body, 3);
        } else if (cev[i].kind == 1) {
            const score_meter *m = &s->meters[cev[i].index];
            uint8_t dd = 0;
            while ((1u << dd) < m->den) dd++;
            body[0] = m->num;
            body[1] = dd;
            body[2] = 24; /* MIDI clocks per metronome click: one quarter note */
            body[3] = 8;  /* 32nd notes per quarter note */
            put_meta(b, cev[i].tick, 0x58, body, 4);
        } else {
            const score_key *k = &s->keys[cev[i].index];
            body[0] = (uint8_t)k->fifths;
            body[1] = k->mode == SCORE_MODE_MINOR; /* MIDI knows major and minor only */
            put_meta(b, cev[i].tick, 0x59, body, 2);
            if (k->mode != SCORE_MODE_MAJOR && k->mode != SCORE_MODE_MINOR) {
                /* Other modes: sequencer-specific 7D "LJK" mode (see midi_read.c). */
                uint8_t tag[5] = {0x7D, 'L', 'J', 'K', k->mode};
                put_meta(b, cev[i].tick, 0x7F, tag, 5);
            }
        }
    }
}

int midi_write_mem(const score *s, uint8_t **out, size_t *len, char *err, size_t errlen) {
    *out = NULL;
    *len = 0;
    int rc = validate(s, err, errlen);
    if (rc) return rc;
    size_t n_tracks = s->n_parts + 1;
    size_t n_cev = s->n_tempos + s->n_meters + s->n_keys;
    size_t n_wev = s->n_parts + 2 * s->n_notes + s->n_ctls;
    track_buf *bufs = calloc(n_tracks, sizeof *bufs);
    cevent *cev = malloc((n_cev ? n_cev : 1) * sizeof *cev);
    wevent *wev = malloc((n_wev ? n_wev : 1) * sizeof *wev);
    uint8_t *file = NULL;
    if (!bufs || !cev || !wev) goto nomem;

    write_conductor(s, cev, &bufs[0]);

    size_t n = 0;
    for (size_t p = 0; p < s->n_parts; p++) {
        const score_part *part = &s->parts[p];
        size_t name_len = strnlen(part->name, sizeof part->name);
        if (name_len) put_meta(&bufs[p + 1], 0, 0x03, part->name, (uint32_t)name_len);
        wev[n++] = (wevent){.tick = 0, .track = (uint32_t)p + 1, .rank = W_PROGRAM_INIT,
                            .channel = part->channel, .program = part->program};
    }
    for (size_t i = 0; i < s->n_notes; i++) {
        const score_note *nt = &s->notes[i];
        uint32_t track = (uint32_t)nt->part + 1;
        wev[n++] = (wevent){.tick = nt->onset, .track = track, .rank = W_ON,
                            .off_part_channel = nt->channel != s->parts[nt->part].channel,
                            .channel = nt->channel, .pitch = nt->pitch, .duration = nt->duration,
                            .velocity = nt->velocity, .program = nt->program};
        wev[n++] = (wevent){.tick = nt->onset + nt->duration, .track = track, .rank = W_OFF,
                            .channel = nt->channel, .pitch = nt->pitch};
    }
    for (size_t i = 0; i < s->n_ctls; i++) {
        const score_ctl *c = &s->ctls[i];
        wev[n++] = (wevent){.tick = c->tick, .track = (uint32_t)c->part + 1, .rank = W_CTL, .seq = (uint32_t)i,
                            .status = c->status, .channel = c->channel, .pitch = c->data1, .velocity = c->data2};
    }
    if (n > 1) qsort(wev, n, sizeof *wev, wevent_cmp);
    uint8_t program[16] = {0}; /* what the reader will find in force, per channel */
    for (size_t i = 0; i < n; i++) {
        const wevent *e = &wev[i];
        track_buf *b = &bufs[e->track];
        switch (e->rank) {
        case W_PROGRAM_INIT:
            put_channel(b, 0, (uint8_t)(0xC0 | e->channel), e->program, 0, 1);
            program[e->channel] = e->program;
            break;
        case W_OFF: put_channel(b, e->tick, (uint8_t)(0x80 | e->channel), e->pitch, 64, 2); break;
        case W_CTL:
            put_channel(b, e->tick, (uint8_t)(e->status | e->channel), e->pitch, e->velocity, e->status == 0xD0 ? 1 : 2);
            break;
        case W_ON:
            if (program[e->channel] != e->program) {
                put_channel(b, e->tick, (uint8_t)(0xC0 | e->channel), e->program, 0, 1);
                program[e->channel] = e->program;
            }
            put_channel(b, e->tick, (uint8_t)(0x90 | e->channel), e->pitch, e->velocity, 2);
            break;
        }
    }

    size_t total = 14;
    for (size_t t = 0; t < n_tracks; t++) {
        put_meta(&bufs[t], bufs[t].last_tick, 0x2F, NULL, 0); /* end of track */
        if (bufs[t].failed) goto nomem;
        total += 8 + bufs[t].n;
    }
    file = malloc(total);
    if (!file) goto nomem;
    static const uint8_t header[14] = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 0,
                                       SCORE_PPQ >> 8, SCORE_PPQ & 0xFF};
    memcpy(file, header, sizeof header);
    file[10] = (uint8_t)(n_tracks >> 8);
    file[11] = (uint8_t)n_tracks;
    size_t pos = 14;
    for (size_t t = 0; t < n_tracks; t++) {
        uint32_t l = (uint32_t)bufs[t].n;
        uint8_t head[8] = {'M', 'T', 'r', 'k', (uint8_t)(l >> 24), (uint8_t)(l >> 16),
                           (uint8_t)(l >> 8), (uint8_t)l};
        memcpy(file + pos, head, 8);
        if (l) memcpy(file + pos + 8, bufs[t].bytes, l);
        pos += 8 + l;
    }
    for (size_t t = 0; t < n_tracks; t++) free(bufs[t].bytes);
    free(bufs);
    free(cev);
    free(wev);
    *out = file;
    *len = total;
    return LJ_OK;

nomem:
    if (bufs)
        for (size_t t = 0; t < n_tracks; t++) free(bufs[t].bytes);
    free(bufs);
    free(cev);
    free(wev);
    free(file);
    return lj_fail(err, errlen, LJ_ERR_NOMEM, "MIDI writer: out of memory");
}

int midi_write_file(const score *s, const char *path, char *err, size_t errlen) {
    uint8_t *data = NULL;
    size_t len = 0;
    char msg[512];
    int rc = midi_write_mem(s, &data, &len, msg, sizeof msg);
    if (rc) return lj_fail(err, errlen, rc, "%s: %s", path, msg);
    rc = lj_file_write_atomic(path, data, len, err, errlen);
    free(data);
    return rc;
}
