/* enc_internal: what the encodings (timestep.c, notechord.c, event.c) share with
 * the common layer (enc_core.c): the class table each one fills, the emitter that
 * turns token names into ids, and the decoder state. Not for other modules. */
#ifndef LJ_ENC_INTERNAL_H
#define LJ_ENC_INTERNAL_H

#include "encoding.h"

/* What one vocabulary entry means to a decoder, parsed once at decoder create. */
typedef enum enc_tok_kind {
    ENC_TK_PITCH = 1, /* timestep: start pitch `value` */
    ENC_TK_HOLD,      /* timestep "_": the note or rest goes on one step */
    ENC_TK_REST,      /* timestep "r" / notechord grid "r": silence / nothing starts */
    ENC_TK_END,       /* timestep "/": the piece ends */
    ENC_TK_CHORD,     /* notechord: pitches pool[first..first+count), length dur */
    ENC_TK_ON,        /* event: note-on pitch `value` */
    ENC_TK_OFF,       /* event: note-off pitch `value` */
    ENC_TK_SHIFT,     /* event: advance `value` steps */
    ENC_TK_VEL,       /* event: velocity bin `value` (1..bins) */
    ENC_TK_TEXT       /* abc: text pool[first..first+count) (the token's name) */
} enc_tok_kind;

typedef struct enc_tok {
    uint8_t kind;    /* enc_tok_kind */
    int32_t value;   /* pitch 0..127, shift steps or velocity bin */
    int64_t dur;     /* chord: note length in ticks, 0 = the option `length` */
    uint32_t first;  /* chord: first pitch in the decoder's pool */
    uint32_t count;  /* chord: number of pitches */
} enc_tok;

/* Collects one piece's token ids; the first failure sticks. */
typedef struct enc_emitter {
    encoding *e;
    int32_t *ids;       /* the piece so far: n ids (cap allocated) */
    size_t n, cap;
    int status;         /* LJ_OK or the first error */
    char unknown[64];   /* first name outside a frozen vocabulary (quoted in messages) */
    size_t unknown_at;  /* its token index */
} enc_emitter;

/* Appends the id of name (adds it to an open vocabulary). Returns em->status. */
int enc_emit(enc_emitter *em, const char *name, size_t len);
int enc_emit_str(enc_emitter *em, const char *name);

/* Collects one piece's frames (frame encodings); the first failure sticks. */
typedef struct enc_frame_emitter {
    size_t dim;     /* floats per frame */
    float *v;       /* n frames (cap allocated) */
    size_t n, cap;
    int status;     /* LJ_OK or the first error */
} enc_frame_emitter;

/* Appends n zeroed frames and returns the first, or NULL (em->status set:
 * LJ_ERR_LIMIT beyond ENC_MAX_STEPS frames, LJ_ERR_NOMEM). */
float *enc_emit_frames(enc_frame_emitter *em, size_t n);

#define ENC_MAX_FIELDS 8

struct encoding;
struct enc_decoder;

typedef struct enc_class {
    const char *name;
    enc_kind kind;
    /* Version of what encode/encode_frames write for a score and options,
     * starting at 1. Bump it in the same commit as any change to the encoder's
     * output: the dataset cache key holds it (enc_code_version), so entries
     * encoded by the old code are rebuilt instead of trusted. */
    int code_version;
    /* Pitches the encoding holds, for transposed copies (pitch_hi 0: all of
     * 0..127): a shifted copy with a note outside is not encoded. */
    int pitch_lo, pitch_hi;
    const char *const *opt_keys; /* option names it reads (NULL-terminated), for enc_opts_format */
    void (*defaults)(enc_opts *o);
    int (*check)(const enc_opts *o, char *err, size_t errlen);
    /* Fills a fixed vocabulary (then frozen); NULL for data-dependent ones. */
    int (*fixed_vocab)(const enc_opts *o, vocab *v);
    /* Canonical order of names for data-dependent vocabularies (strcmp-like). */
    int (*cmp)(const char *a, size_t la, const char *b, size_t lb);
    /* Emits the names of s with pitches shifted by `shift` (already range checked). */
    int (*encode)(const enc_opts *o, const score *s, int shift, enc_emitter *em, enc_stats *st);
    /* Parses a name into t; chord pitches go to pool[*used..] (cap bytes in all).
     * Returns 0 when the name is not one this encoding makes. */
    int (*parse)(const enc_opts *o, const char *name, size_t len, enc_tok *t, uint8_t *pool,
                 size_t *used, size_t cap);
    /* One parsed token into events (d->now advanced as the token says). */
    size_t (*step)(struct enc_decoder *d, const enc_tok *t, enc_event *out);
    /* Decoder time axis: 1 = milliseconds at 480000 us/qn (event), 0 = grid ticks
     * at the option `qpm`. */
    int ms_axis;
    /* End of stream: ends notes at their scheduled times (NULL: everything
     * sounding ends at the current time). */
    size_t (*flush)(struct enc_decoder *d, enc_event *out);
    /* ---- frame encodings (kind ENC_KIND_FRAMES; NULL for token ones) ---- */
    /* The frame's fields for these options (offsets and widths filled in),
     * at most ENC_MAX_FIELDS; returns the count. */
    int (*fields)(const enc_opts *o, enc_field *f);
    /* Emits the frames of s with pitches shifted by `shift`. */
    int (*encode_frames)(const enc_opts *o, const score *s, int shift, enc_frame_emitter *em,
                         enc_stats *st);
    /* One frame into events. */
    size_t (*step_frame)(struct enc_decoder *d, const float *frame, enc_event *out);
    /* Decoder time axis chosen by the options (overrides ms_axis when set). */
    int (*ms_axis_of)(const enc_opts *o);
    /* Decoders with state of their own (abc: the ABC stream): made at decoder
     * create (may allocate; LJ_ERR_NOMEM), brought back to time 0 by reset,
     * freed by destroy. NULL when the common state is enough. */
    int (*dec_init)(struct enc_decoder *d);
    void (*dec_reset)(struct enc_decoder *d);
    void (*dec_free)(struct enc_decoder *d);
    /* dst (made for the same encoding) takes src's own state; LJ_ERR_NOMEM */
    int (*dec_copy)(struct enc_decoder *dst, const struct enc_decoder *src);
    /* ABC text in, pieces out (abc only; NULL for the others). */
    int (*encode_text)(const enc_opts *o, const char *text, size_t len, const char *name,
                       int primer, enc_emitter *em, tokset *out, enc_stats *st, char *err,
                       size_t errlen);
    /* A whole sequence to a score without the step decoder's real-time
     * constraints (abc: the chord part on its own channel, ties over chord
     * symbols at their onsets); NULL: enc_decode steps a decoder. */
    int (*decode_whole)(const struct encoding *e, const int32_t *ids, size_t n, score **out);
    /* enc_decoder_release's own (abc: the notes end, the text reads on);
     * NULL: the flush. */
    size_t (*release)(struct enc_decoder *d, enc_event *out);
    /* 1: a token's pitch depends on what came before (abc), so the encoding
     * cannot list the pitches a token starts. */
    int no_token_pitch;
} enc_class;

extern const enc_class enc_timestep_class;
extern const enc_class enc_notechord_class;
extern const enc_class enc_event_class;
extern const enc_class enc_psd_class;
extern const enc_class enc_pianoroll_class;
extern const enc_class enc_abc_class;

struct encoding {
    const enc_class *cls; /* the encoding's functions */
    enc_opts o;           /* options, checked */
    vocab *v;             /* owned */
    int frozen;           /* 1: no names are added any more */
    enc_field fields[ENC_MAX_FIELDS]; /* frame encodings: the frame's fields */
    int n_fields;         /* 0 for token encodings */
    size_t dim;           /* frame encodings: floats per frame */
    size_t input_dim;     /* frame encodings: model input floats per frame */
};

struct enc_decoder {
    const encoding *e;     /* not owned */
    enc_tok *toks;         /* toks[id]: parsed vocabulary, n_toks entries */
    size_t n_toks;
    uint8_t *pool;         /* chord pitches */
    int64_t now;           /* current time, ticks on the decoder axis */
    uint32_t us_per_qn;    /* tempo of the tick axis */
    double sec_per_tick;   /* seconds per tick on that axis */
    uint8_t sounding[128]; /* 1 while a note of that pitch is on */
    int64_t off_at[128];   /* notechord: tick at which the sounding note ends */
    int cur;               /* timestep: the sounding pitch, -1 in silence */
    int velocity;          /* velocity of the next note-on, 1..127 */
    int ended;             /* 1 right after a piece-ending token */
    size_t bad;            /* ids outside the vocabulary received */
    void *ext;             /* the class's own decoder state (dec_init), or NULL */
};

/* Event writers for the encodings' step functions: at d->now, updating sounding. */
size_t enc_dec_on(struct enc_decoder *d, int pitch, int velocity, enc_event *out);
size_t enc_dec_off(struct enc_decoder *d, int pitch, enc_event *out);
/* Ends every sounding note whose off_at is <= until, in time order (d->now
 * moves to each end, then back to the later of its old value and the last
 * end). Notechord and psd schedule note ends this way. */
size_t enc_dec_end_due(struct enc_decoder *d, int64_t until, enc_event *out);

/* abc decoder counters (abctext.c). */
size_t enc_abc_resyncs(const struct enc_decoder *d);
size_t enc_abc_dropped(const struct enc_decoder *d);

/* Sorts note indices of s (filtered to part, or all when part < 0) by (onset,
 * pitch); *n receives the count. NULL with *n = 0 for none; LJ_ERR_NOMEM. */
int enc_sorted_notes(const score *s, int part, size_t **idx, size_t *n);
/* Rounds ticks to the nearest multiple of step (half up). */
int64_t enc_round_to(int64_t ticks, int64_t step);

/* music21 spelling of a MIDI pitch: "C4", "C#4", "E-4" (60 = C4). */
int enc_pitch_name(int pitch, char *buf, size_t buflen);
/* Parses such a name (also "D-4", "A#4", "Bb4"-free: only # and -); -1 if not one. */
int enc_parse_pitch_name(const char *s, size_t len);
/* A length in ticks as quarter notes: "1.5" when exact in 3 decimals, else "p/q"
 * reduced ("1/3"). Returns 0. */
int enc_quarters_text(int64_t ticks, char *buf, size_t len);
/* Parses "1.5", "2", "3/2" (quarter notes) into ticks; -1 if not one or not on
 * the tick grid. */
int64_t enc_parse_quarters(const char *s, size_t len);
/* Parses a decimal integer of the whole span; 0 on success. */
int enc_parse_int(const char *s, size_t len, long min, long max, long *out);
/* A byte as an error message shows it: 'x' when printable, else "byte 0x1f"
 * (the tokens and frames text parsers). */
void enc_show_byte(unsigned char c, char *buf, size_t len);
/* A text file's header line (without its newline), "MAGIC 1 encoding=E
 * key=value ...": version 1, the encoding (known) and its options over E's
 * defaults into h; errors "NAME:1:COL: ..." (enc_tokens.c; the tokens and
 * frames text formats share it). */
int enc_parse_text_header(const char *line, size_t len, const char *magic, const char *name,
                          enc_tokens_header *h, char *err, size_t errlen);

#endif
