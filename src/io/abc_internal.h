/* abc_internal: what abc.c (public API, tune assembly, streaming), abc_parse.c
 * (character-level state machine), abc_expand.c (ties, repeats, endings,
 * parts) and abc_pitch.c (the stream's note-pitch look-ahead) share. Not a
 * public header.
 *
 * The parser turns one tune into a flat list of items, the same "feature list"
 * shape abc2midi uses (store.c), because the repeat, ending and part rules that
 * the oracle test holds us to are defined over that list: abc2midi patches
 * missing |: into it (scan_for_missing_repeats, fixreps), merges ties in it
 * (tiefix) and then walks it with a small state machine (genmidi.c writetrack)
 * that jumps back at :| and skips variant endings. abc_expand.c reproduces those
 * three steps; abc.c turns the walk into timed notes. */
#ifndef LJ_ABC_INTERNAL_H
#define LJ_ABC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "abc.h"

#define ABC_BROKEN_HORNPIPE 100 /* broken_pending value of an R:hornpipe pair */

/* Limits against hostile input (LJ_ERR_LIMIT beyond them). */
#define ABC_MAX_LEN_NUMBER 4096      /* largest number in a note length (A4096/4096) */
#define ABC_MAX_TUPLET 64            /* largest p, q or r in (p:q:r */
#define ABC_MAX_ITEMS 4000000        /* items per tune */
#define ABC_MAX_PLAYED 1000000       /* items played while expanding one tune (a day of music;
                                        bounds the work hostile repeats cause) */
#define ABC_MAX_PARTS 1024           /* length of an expanded P: order */
#define ABC_MAX_MREST_BARS 10000     /* Z999 */
#define ABC_MAX_LINE 1000000         /* bytes in one line */
#define ABC_MAX_VARIANT 30           /* [1..30: variant numbers are a bit mask */

/* A duration or position as an exact fraction of a whole note. */
typedef struct abc_frac {
    int64_t num; /* whole notes numerator */
    int64_t den; /* denominator, > 0, fraction kept reduced */
} abc_frac;

/* Item types. Bar types follow abc2midi: |] [| and .| become ABC_DOUBLE_BAR. */
typedef enum abc_item_type {
    ABC_NOTE = 0,    /* a sounding note: pitch, len (sounding), adv (time step) */
    ABC_REST,        /* silence, or the second half of a merged tie: adv only */
    ABC_CHORD_ON,    /* [ : notes up to ABC_CHORD_OFF start together */
    ABC_CHORD_OFF,   /* ] : adv = the chord's length */
    ABC_TIE,         /* - after a note (resolved and dropped by abc_fix_ties) */
    ABC_SINGLE_BAR,  /* | */
    ABC_DOUBLE_BAR,  /* || |] [| */
    ABC_BAR_REP,     /* |: */
    ABC_REP_BAR,     /* :| */
    ABC_DOUBLE_REP,  /* :: */
    ABC_PLAY_ON_REP, /* [1 |1 :|2 [1,3: variants = bit mask of pass numbers */
    ABC_PART,        /* P:X in the body: label 'A'..'Z', or ' ' for the end marker */
    ABC_KEY,         /* K: change: fifths, mode */
    ABC_METER,       /* M: change: num, den */
    ABC_TEMPO,       /* Q: change: us_per_qn */
    ABC_GCHORD,      /* "Am7/G": root and bass pitch class, chord kind */
    ABC_MUSICLINE    /* start of a music line (where abc2midi puts its first ||) */
} abc_item_type;

/* Chord-symbol kinds: index into the interval table in abc.c. */
typedef enum abc_chord_kind {
    ABC_CH_MAJ = 0, ABC_CH_MIN, ABC_CH_7, ABC_CH_MIN7, ABC_CH_MAJ7, ABC_CH_DIM,
    ABC_CH_AUG, ABC_CH_SUS4, ABC_CH_6, ABC_CH_MIN6, ABC_CH_9, ABC_CH_DIM7,
    ABC_CH_SUS2, ABC_CH_MIN9, ABC_CH_COUNT
} abc_chord_kind;

typedef struct abc_item {
    uint8_t type;      /* abc_item_type */
    uint8_t in_chord;  /* 1: a note between ABC_CHORD_ON and ABC_CHORD_OFF */
    int16_t pitch;     /* NOTE: MIDI pitch; PART: label; GCHORD: root pitch class */
    int16_t pitchline; /* NOTE: diatonic step (letter + 7 * octave) for tie matching */
    int16_t aux;       /* GCHORD: bass pitch class or -1; KEY: mode */
    int32_t a, b;      /* KEY: fifths; METER: num, den; TEMPO: us/qn; PLAY_ON_REP: mask in a;
                          GCHORD: kind in a */
    abc_frac len;      /* NOTE: sounding length (whole notes); grows when ties merge */
    abc_frac adv;      /* NOTE/REST/CHORD_OFF: how far the item moves time on */
    int32_t line, col; /* 1-based source position, for messages */
} abc_item;

/* One tune's header facts and item list. */
typedef struct abc_tune {
    int index;            /* X: number */
    char title[256];      /* first T: */
    char parts[ABC_MAX_PARTS + 1]; /* expanded header P: order, "" when none */
    char play_order[ABC_MAX_PARTS + 1]; /* expanded header Y: order (the Nottingham
                                            dataset's part sequence), "" when none */
    abc_item *items;      /* the body, in source order */
    size_t n_items, cap_items;
    int line;             /* line of X: */
    /* header state at the start of the body */
    int meter_num, meter_den; /* M: (4/4 when none; "none" gives 4/4 too) */
    int key_fifths, key_mode; /* K: */
    uint32_t us_per_qn;       /* Q: (abc2midi default 120 quarter notes per minute) */
    int n_voices;             /* V: fields seen naming a voice (0 or 1) */
    char voice_id[32];        /* the one voice's V: name */
} abc_tune;

/* Parser states (line level). Sticky ABC_PS_ERROR, as zlib's BAD. */
typedef enum abc_parse_state {
    ABC_PS_FILE = 0, /* between tunes: waiting for X: (text and comments read past) */
    ABC_PS_HEADER,   /* inside a header: fields until K: */
    ABC_PS_BODY,     /* music lines and body fields until a blank line or X: */
    ABC_PS_ERROR     /* a fatal error was reported; nothing more is read */
} abc_parse_state;

/* Callback that receives a finished tune (ownership of tune->items stays with
 * the parser, which reuses it). Returns LJ_OK or an error status. */
typedef int (*abc_tune_fn)(void *user, abc_tune *tune);

/* Per-note accidental state, the key map and the note-length context: all the
 * state a music line needs, kept across lines of one tune. */
typedef struct abc_parser {
    abc_parse_state state;
    const char *name;         /* file name for messages */
    const abc_opts *opts;
    char *err; size_t errlen; /* caller's error buffer */
    int status;               /* sticky status (LJ_OK until an error) */
    long line;                /* current 1-based line */
    long n_warnings;          /* warnings reported */
    long resync_col;          /* 1-based column in the text last read where the error
                                 starts (the stream skips from there to a bar line) */

    abc_tune tune;            /* tune being read */
    abc_tune_fn on_tune; void *on_tune_user;

    /* note-length context */
    abc_frac unit;            /* L: (whole notes) */
    int unit_set;             /* 1 after L: (else derived from M: at K:) */
    int meter_num, meter_den; /* current meter (for tuplets, Z and default L:) */
    /* accidentals: key signature per letter (semitones) and the bar's overrides */
    int8_t key_acc[7];        /* letter C..B -> -2..+2 from K: */
    int8_t bar_acc[7];        /* letter -> accidental in force this bar */
    uint8_t bar_acc_set[7];   /* 1 when bar_acc[letter] overrides the key */
    /* pending constructs */
    int in_chord;             /* inside [ ] */
    size_t chord_on;          /* item index of the ABC_CHORD_ON */
    int chord_first_note;     /* 1 until the chord's first note sets its length */
    int tuplet_left;          /* notes still under a tuplet */
    abc_frac tuplet_factor;   /* q/p */
    int broken_pending;       /* > or < count waiting for the next note: +n / -n, or
                                 ABC_BROKEN_HORNPIPE */
    int broken_explicit;      /* 1 when broken_pending came from a written > or < */
    int hornpipe;             /* R:hornpipe in the header (abc2midi dots eighth pairs) */
    abc_frac horn_last;       /* length of the previous note, for the hornpipe rule */
    int horn_have_last;       /* 1 when horn_last is set */
    abc_frac bar_pos;         /* whole notes since the last bar line */
    size_t last_note_start;   /* first item of the last note or chord (for > <) */
    size_t last_note_end;     /* one past its last item */
    int have_last_note;       /* 1 when last_note_* are valid for broken rhythm */
    int body_music_seen;      /* 1 after the first music line of the body */
    int tune_started;         /* 1 between K: and the end of the tune (for recovery) */
} abc_parser;

/* 1 when the tune is read the way the Nottingham dataset's MIDI files play it
 * (ABC_REPEATS_NOTTINGHAM: see abc_expand.c). */
static inline int abc_nottingham(const abc_parser *p) {
    return p->opts && p->opts->repeats == ABC_REPEATS_NOTTINGHAM;
}

/* --- abc_parse.c --- */
void abc_parser_init(abc_parser *p, const char *name, const abc_opts *opts, abc_tune_fn fn,
                     void *user, char *err, size_t errlen);
void abc_parser_free(abc_parser *p);
/* Feeds one complete line (without its end-of-line). Returns the sticky status. */
int abc_parser_line(abc_parser *p, const char *s, size_t n);
/* Streaming: reads a piece of a music line (the stream cuts lines at spaces and
 * after bar lines, so no construct is split). line_start counts a new line. */
int abc_parser_music_piece(abc_parser *p, const char *s, size_t n, int line_start,
                           int line_end);
/* Leaves the sticky error state (streaming resynchronises after an error). */
void abc_parser_recover(abc_parser *p);
/* Forgets the first count items (already played by the stream). */
void abc_parser_drop_items(abc_parser *p, size_t count);
/* Makes room for items so that reading allocates no more below that. */
int abc_parser_reserve(abc_parser *p, size_t items);
/* End of input: finishes the tune being read. */
int abc_parser_finish(abc_parser *p);
/* Reports a warning through opts->warn with file:line:col. */
void abc_warn(abc_parser *p, long col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* --- fractions (abc_parse.c) --- */
abc_frac abc_frac_make(int64_t num, int64_t den);
/* a + b and a * b; *overflow set to 1 when a result leaves the safe range. */
abc_frac abc_frac_add(abc_frac a, abc_frac b, int *overflow);
abc_frac abc_frac_mul(abc_frac a, abc_frac b, int *overflow);
int abc_frac_cmp(abc_frac a, abc_frac b);
/* Whole-note fraction to score ticks (SCORE_PPQ per quarter), rounded. */
int64_t abc_frac_ticks(abc_frac a);

/* --- abc_pitch.c: the pitch a note being written would sound --- */
/* The state machine that reads a stream's unread text for
 * abc_stream_note_pitch, one byte at a time (the file's top comment says how
 * a look-ahead for a closing byte becomes a level that waits for it). */
typedef enum abc_pscan_mode {
    ABC_PSCAN_MUSIC = 0,  /* between things: a note, bar line, rest, mark... may start */
    ABC_PSCAN_SKIP,       /* after an error: nothing is read before the next '|' */
    ABC_PSCAN_TUPLET,     /* the digits and ':' of "(3:2:3" */
    ABC_PSCAN_BROKEN,     /* a run of > or < (more than 3 is an error) */
    ABC_PSCAN_ACCIDENTAL, /* ^ _ = read, waiting for the note's letter */
    ABC_PSCAN_OCTAVE,     /* a note's letter read: octave marks may follow; the
                             text ending here ends with a note */
    ABC_PSCAN_PENDING,    /* (not the top level) a construct opened here waits for
                             its closing byte `close` */
    ABC_PSCAN_COMMENT     /* a '%': nothing more is music (sticky) */
} abc_pscan_mode;

typedef struct abc_pscan_level {
    uint8_t mode;        /* abc_pscan_mode */
    uint8_t close;       /* PENDING: the byte that closes the construct */
    uint8_t pass;        /* bytes of a bar line already read (":|[2": 2 after ':') */
    uint8_t length_next; /* 1: a length may follow (a note, rest, chord end, 'y');
                            2: a bar count (a multi-bar rest Z X) */
    uint8_t len_digits;  /* length: a digit of the number being read came */
    uint8_t len_slash;   /* length: a '/' came (the number is a divisor) */
    int32_t len_value;   /* length: the number being read (past its limit: limit + 1) */
    int32_t len_den;     /* length: the divisor so far (at most 4096 * 64, else an error) */
    uint8_t tup_part;    /* TUPLET: the number being read (0 p, 1 q, 2 r) */
    uint8_t tup_bad;     /* TUPLET: a number over ABC_MAX_TUPLET, or p under 2 */
    int16_t tup_value;   /* TUPLET: the number being read (past the limit: limit + 1) */
    uint8_t ending_next; /* 1: an ending number may follow a bar line; 2: one begun */
    uint8_t has_acc, bad; /* ACCIDENTAL/OCTAVE: an accidental written; a third one */
    uint8_t run_char;    /* BROKEN: '>' or '<' */
    int8_t acc;          /* ACCIDENTAL/OCTAVE: semitones written (kept within -3..3) */
    int8_t letter;       /* OCTAVE: C..B -> 0..6 */
    uint8_t run;         /* BROKEN: its length so far (at most 4: only "> 3" counts) */
    int16_t ending;      /* the ending number being read (at most 309) */
    int octave;          /* OCTAVE: 0 for C..B, 1 for c..b, +1 per ', -1 per , */
    uint8_t bar_set[7];  /* 1 when bar_acc[letter] overrides the key in this bar */
    int8_t bar_acc[7];   /* letter -> accidental in force in this bar */
} abc_pscan_level;

#define ABC_PSCAN_LEVELS 6 /* one waiting level per closing byte " } ] ! + and the top */
typedef struct abc_pscan {
    abc_pscan_level lv[ABC_PSCAN_LEVELS];
    int depth; /* levels in use (>= 1); lv[depth - 1] reads, the ones below wait */
    int8_t key_acc[7]; /* the key signature per letter (a note outside 0..127 is an error) */
} abc_pscan;

/* Starts at the unread text's first byte, with the key and the bar's
 * accidentals the parser has in force and the stream resyncing (skipping) or
 * not. */
void abc_pscan_init(abc_pscan *s, const int8_t key_acc[7], const uint8_t bar_set[7], const int8_t bar_acc[7],
                    int skipping);
/* Reads byte c (0..255); la[0..2] are the three bytes after it, -1 past the
 * end of the text. Never fails, allocates nothing. */
void abc_pscan_byte(abc_pscan *s, int c, const int la[3]);
/* After the text's last byte: the MIDI pitch of the note it ends with, or -1. */
int abc_pscan_end(const abc_pscan *s);
/* The same reading of text a followed by b as one loop over it all (the first
 * implementation; the oracle the machine is tested against). */
int abc_pitch_scan_naive(const char *a, size_t na, const char *b, size_t nb, const uint8_t bar_set[7],
                         const int8_t bar_acc[7], const int8_t key_acc[7], int skipping);

/* --- abc_expand.c --- */
/* abc2midi's preprocessing of a tune's items, in its order: insert the missing
 * |: of each section (scan_for_missing_repeats), merge ties (tiefix), then fix
 * :| and [1 that have no |: (fixreps, only without a header P:). May grow the
 * item array. Warnings go through p. */
int abc_expand_prepare(abc_parser *p, abc_tune *t);

/* Visits items in play order for the convention `mode`: writetrack's
 * repeat/ending/part walk (ABC_REPEATS_ABC2MIDI), the Nottingham dataset's
 * measure-level expansion (ABC_REPEATS_NOTTINGHAM: see abc_expand.c; it may
 * first visit one made-up ABC_REST that pads an anacrusis to a whole bar), or
 * source order (ABC_REPEATS_AS_WRITTEN). Stops early when fn returns non-zero
 * and returns that value. LJ_ERR_LIMIT when the walk passes ABC_MAX_PLAYED,
 * LJ_ERR_NOMEM when the Nottingham expansion runs out of memory. */
typedef int (*abc_visit_fn)(void *user, const abc_item *it, size_t index);
int abc_expand_walk(const abc_tune *t, abc_repeats mode, abc_visit_fn fn, void *user);

#endif
