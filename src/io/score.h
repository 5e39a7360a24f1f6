/* score: the in-memory music every reader produces and every writer and encoder
 * consumes. Times are integer ticks at SCORE_PPQ pulses per quarter note, so all
 * formats land on one exact grid (480 is divisible by 2,3,4,5,6,8,10,12,16,32...).
 *
 * The struct is transparent on purpose: it is plain data that readers fill and
 * encoders walk, like a file format in memory. Mutate it only through the
 * score_add_* functions, which keep capacity and counts consistent. A score owns
 * all its arrays; score_destroy frees them. */
#ifndef LJ_SCORE_H
#define LJ_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "lj_status.h"

#define SCORE_PPQ 480                /* ticks per quarter note */
#define SCORE_DEFAULT_US_PER_QN 500000 /* 120 BPM when a file gives no tempo */

typedef struct score_note {
    int64_t onset;    /* ticks from the start of the score */
    int64_t duration; /* ticks, > 0 */
    uint8_t pitch;    /* MIDI note number 0..127 (60 = middle C) */
    uint8_t velocity; /* 1..127 */
    uint8_t channel;  /* MIDI channel 0..15 */
    uint8_t program;  /* GM program 0..127 in force at the onset */
    uint16_t part;    /* index into score.parts */
} score_note;

typedef struct score_tempo {
    int64_t tick;        /* where it takes effect */
    uint32_t us_per_qn;  /* microseconds per quarter note (MIDI set-tempo units) */
} score_tempo;

typedef struct score_meter {
    int64_t tick;
    uint8_t num; /* beats per bar */
    uint8_t den; /* beat unit: 1,2,4,8,16,32,64 */
} score_meter;

typedef enum score_mode {
    SCORE_MODE_MAJOR = 0, SCORE_MODE_MINOR, SCORE_MODE_DORIAN, SCORE_MODE_PHRYGIAN,
    SCORE_MODE_LYDIAN, SCORE_MODE_MIXOLYDIAN, SCORE_MODE_LOCRIAN
} score_mode;

typedef struct score_key {
    int64_t tick;
    int8_t fifths;   /* key signature: -7 (7 flats) .. +7 (7 sharps) */
    uint8_t mode;    /* score_mode; the tonic follows from fifths and mode */
} score_key;

/* A channel message other than a note or program change, as played (the
 * session recording's pitch bends, pressures and controllers): written by midi_write at
 * its tick in its part's track, after the tick's note-offs and before its
 * note-ons (the bend in force when a note starts), in the order added.
 * midi_read does not read them back, and score_compare ignores them. */
typedef struct score_ctl {
    int64_t tick;    /* ticks from the start of the score */
    uint16_t part;   /* index into score.parts */
    uint8_t status;  /* 0xA0 key pressure, 0xB0 controller, 0xD0 channel pressure, 0xE0 pitch bend */
    uint8_t channel; /* 0..15 */
    uint8_t data1;   /* 0..127: key, controller, pressure, or a bend's low 7 bits */
    uint8_t data2;   /* 0..127: pressure, value, or a bend's high 7 bits; 0 for 0xD0 */
} score_ctl;

typedef struct score_part {
    char name[64];   /* track or voice name, "" when none */
    uint8_t channel; /* default channel of its notes */
    uint8_t program; /* GM program at its start */
} score_part;

typedef struct score {
    char title[256]; /* tune title (ABC T:, kern !!!OTL, MIDI first track name) */
    char source[256];/* file it came from, for messages */
    int index;       /* tune number within a book (ABC X:), 0 when none */

    score_note *notes;   size_t n_notes,  cap_notes;
    score_tempo *tempos; size_t n_tempos, cap_tempos;  /* sorted by tick */
    score_meter *meters; size_t n_meters, cap_meters;  /* sorted by tick */
    score_key *keys;     size_t n_keys,   cap_keys;    /* sorted by tick */
    score_part *parts;   size_t n_parts,  cap_parts;
    score_ctl *ctls;     size_t n_ctls,   cap_ctls;    /* in the order played */
} score;

/* A list of scores: an ABC tune book, a JSB split, a folder. Owns its scores. */
typedef struct score_book {
    score **items; /* n owned scores */
    size_t n, cap;
} score_book;

/* Empty score (no parts, no tempo: ticks_to_seconds assumes 120 BPM).
 * NULL when out of memory. Thread: any. */
score *score_create(void);
/* Frees s and everything it owns; NULL is a no-op. Thread: any. */
void score_destroy(score *s);

/* Append; each returns LJ_OK or LJ_ERR_NOMEM (s unchanged then). Thread: any. */
int score_add_note(score *s, const score_note *n);
int score_add_ctl(score *s, const score_ctl *c);
/* Tempo/meter/key changes: a change at the same tick as the last one replaces it;
 * changes must come in non-decreasing tick order (LJ_ERR_ARG otherwise). */
int score_add_tempo(score *s, int64_t tick, uint32_t us_per_qn);
int score_add_meter(score *s, int64_t tick, int num, int den);
int score_add_key(score *s, int64_t tick, int fifths, int mode);
/* Adds a part and stores its index in *index. */
int score_add_part(score *s, const char *name, int channel, int program, size_t *index);

/* Sorts notes by (onset, part, pitch, duration): the canonical order that makes
 * two scores comparable. Thread: any. */
void score_sort(score *s);

/* End of the last note, in ticks (0 for an empty score). Thread: any. */
int64_t score_end_tick(const score *s);

/* Tick <-> seconds through the tempo map. Thread: any. */
double score_ticks_to_seconds(const score *s, int64_t tick);
int64_t score_seconds_to_ticks(const score *s, double seconds);

/* Deep copy; NULL when out of memory. Thread: any. */
score *score_clone(const score *s);

/* Compares notes (after both are sorted), tempo, meter and key maps and parts.
 * Returns 0 if equal, else non-zero and a description of the first difference
 * in msg. Thread: any. */
int score_compare(const score *a, const score *b, char *msg, size_t msglen);

/* Book management. score_book_push takes ownership of s, also on failure
 * (it destroys s and returns LJ_ERR_NOMEM). Thread: any. */
int score_book_push(score_book *b, score *s);
void score_book_clear(score_book *b); /* destroys every score, keeps b usable */

/* Names: "C major", "A dorian"... written into buf. Thread: any. */
const char *score_key_name(int fifths, int mode, char *buf, size_t buflen);
const char *score_mode_name(int mode);

#endif
