/* encoding: the common interface of every music encoding (issue 5).
 *
 * An encoding turns a Score into a sequence the model learns (token ids, or float
 * feature frames for psd/pianoroll later), and back: an incremental decoder takes
 * one step at a time and gives note events, for the real-time engine.
 *
 *   encoding *e;  enc_opts o;  enc_opts_default(&o, "timestep");
 *   enc_opts_set(&o, "transpose", "c", err, errlen);       (CLI, YAML, tokens header)
 *   enc_create("timestep", &o, &e, err, errlen);
 *   for each score: enc_encode(e, s, &set, &stats, err, errlen);   (appends pieces)
 *   enc_finish_vocab(e, sets, n);   (data-dependent vocabularies: canonical order, frozen)
 *   ... train; the model file stores enc_name(e), enc_opts_format() and enc_vocab(e) ...
 *   enc_decoder_create(e, &d, ...); for each sampled id: n = enc_decoder_step(d, id, ev);
 *
 * Vocabularies. `event` has a fixed vocabulary (388 tokens), built at create time
 * and frozen. `timestep` and `notechord` build theirs from the data: enc_encode
 * adds names while the vocabulary is open, enc_finish_vocab sorts it into the
 * encoding's canonical order (so the same corpus always gives the same ids,
 * whatever the file order), renumbers the given token sets and freezes it. A
 * model's vocabulary is restored with enc_set_vocab (frozen).
 * Unknown tokens (policy `unknown`): a name outside a frozen vocabulary is an
 * error naming the piece and the token (`unknown=error`, the default: a primer
 * or a dataset the model cannot represent should say so), or the piece is
 * skipped and counted in enc_stats.skipped_unknown (`unknown=skip`). There is no
 * <unk> token: a model could not turn it back into notes.
 *
 * Transposition (all encodings, option `transpose`):
 *   none       the score as it is
 *   c          normalise the key: major keys to C major, minor keys to A minor,
 *              church modes to their white-note tonic (D dorian, E phrygian, F
 *              lydian, G mixolydian, B locrian), i.e. the key signature becomes
 *              empty. The key is the first entry of the score's key map; a score
 *              without one gets a Krumhansl-Schmuckler estimate (Krumhansl-Kessler
 *              profiles, duration-weighted pitch classes), counted in
 *              enc_stats.keys_estimated. The shift follows music21's
 *              Interval(tonic, target) of the seed code: target pc minus tonic pc,
 *              both in octave 4, so it lies in -11..+11 (E major: -4, E minor: +5).
 *   augment    one piece per shift in [augment_lo, augment_hi] semitones (0 is
 *              always included), the untransposed score first, then the
 *              others ascending; a shift that pushes a note outside 0..127, or
 *              outside the encoding's own pitch range (pianoroll: the 88 keys
 *              21..108), drops that copy (counted in enc_stats.skipped_range).
 *              A score whose untransposed copy cannot be encoded gives no
 *              piece, so a score's first piece is always the untransposed
 *              one: the trainer scores valid and test on it alone (dataset.h).
 *
 * Durations filter (option `durations`, on by default for timestep only): a piece
 * with a note whose duration, in quarter notes, is not in the list is skipped and
 * counted (enc_stats.skipped_durations). The Score holds no rests, so unlike the
 * seed code (music21 notesAndRests) rest lengths are not checked.
 *
 * Threads: an encoding is used by one thread at a time for encoding (Thread:
 * control/train); once its vocabulary is frozen it is read-only and decoders on
 * other threads may share it. A decoder belongs to one thread (the engine). */
#ifndef LJ_ENCODING_H
#define LJ_ENCODING_H

#include <stddef.h>
#include <stdint.h>

#include "frameset.h"
#include "score.h"
#include "tokset.h"
#include "vocab.h"

typedef struct encoding encoding;       /* an encoding with its options and vocabulary */
typedef struct enc_decoder enc_decoder; /* incremental decoder state for one stream */

typedef enum enc_kind {
    ENC_KIND_TOKENS = 0, /* sequence of token ids (softmax heads) */
    ENC_KIND_FRAMES      /* sequence of float frames of enc_frame_dim() values (psd, pianoroll) */
} enc_kind;

typedef enum enc_transpose {
    ENC_TRANSPOSE_NONE = 0,
    ENC_TRANSPOSE_C,      /* to C major / A minor (see above) */
    ENC_TRANSPOSE_AUGMENT /* every shift in [augment_lo, augment_hi] */
} enc_transpose;

typedef enum enc_unknown { ENC_UNKNOWN_ERROR = 0, ENC_UNKNOWN_SKIP } enc_unknown;

typedef enum enc_abc_variant {
    ENC_ABC_CHARS = 0, /* abc: every byte a token (MIT 6.S191 lab, music_lstm) */
    ENC_ABC_TOKENS     /* abc: folk-rnn style tokens (abctext.h) */
} enc_abc_variant;

typedef enum enc_chords {
    ENC_CHORDS_PITCHES = 0, /* notechord chord = its pitches, ascending: "C4.E4.G4" (lossless) */
    ENC_CHORDS_PCS          /* the seed's music21 normalOrder pitch classes: "0.4.7" */
} enc_chords;

typedef enum enc_timing {
    ENC_TIMING_SEQUENCE = 0, /* notechord: one token per onset, in order; decoding puts
                                token k at k*step (the seed code) */
    ENC_TIMING_GRID          /* one token per grid step of `step` ticks: what starts
                                there, or "r" when nothing does */
} enc_timing;

#define ENC_MAX_DURATIONS 32
#define ENC_MAX_STEP_EVENTS 256 /* events one decoder step can give: 128 offs + 128 ons */
#define ENC_MAX_STEPS 20000000  /* grid steps or tokens per piece (hostile scores) */

/* Every option of every encoding; each encoding reads the ones it names.
 * Set them by name with enc_opts_set (the names in quotes). */
typedef struct enc_opts {
    enc_transpose transpose; /* "transpose": none | c | augment */
    int augment_lo;          /* "augment": semitones, lowest shift (augment mode), -12..0 */
    int augment_hi;          /* "augment": semitones, highest shift, 0..12 ("-5:6") */
    int part;                /* "part": -1 = all parts, else only notes of this part index */
    double durations[ENC_MAX_DURATIONS]; /* "durations": acceptable note lengths, quarters */
    int n_durations;         /* 0 = no durations filter ("durations": "any") */
    enc_unknown unknown;     /* "unknown": error | skip */
    int64_t grid;            /* "grid": timestep grid step, ticks (120 = 16th; "16th", "8th",
                                "quarter", "triplet8th" or a number of ticks) */
    int delimiters;          /* "delimiters": timestep '/' tokens after each piece, 0..1024 */
    enc_chords chords;       /* "chords": pitches | pcs */
    enc_timing timing;       /* "timing": sequence | grid */
    int64_t step;            /* "step": notechord time per token, ticks (240 = eighth) */
    int with_durations;      /* "token_durations": 0/1, notechord tokens carry ":D" (quarters) */
    int64_t note_length;     /* "length": notechord note length when tokens carry none, ticks
                                (480: music21's default quarter note, as the seed) */
    int velocity_bins;       /* "velocity_bins": event, 1..127 (32: vocabulary of 388) */
    int shift_ms;            /* "shift_ms": event time-shift step, milliseconds (10) */
    int max_shift_steps;     /* "max_shift": event largest time shift, steps (100 = 1 s) */
    int velocity;            /* "velocity": decoded note velocity where the encoding has none */
    uint32_t us_per_qn;      /* "qpm": decoder tempo for grid encodings, microseconds per quarter */
    int time_beats;          /* "time": psd step/duration unit, seconds (0, the TF tutorial) or
                                beats = quarter notes (1) */
    int time_bins;           /* "time_bins": psd, 0 = step/duration are values (MSE heads), N =
                                classes 0..N-1 of `time_bin` each (softmax heads), 2..4096 */
    double time_bin;         /* "time_bin": psd class width in the time unit (0.01 s; beats:
                                1/12, so 16ths and triplets are exact) */
    int with_velocity;       /* "with_velocity": psd, 0/1: a velocity field (velocity_bins classes) */
    enc_abc_variant abc_variant; /* "variant": abc chars | tokens */
    int abc_text;            /* "source": abc tokens, how .abc files become sequences (lstmjam
                                encode and train alike): score (0, default) reads each tune as a
                                score and tokenises its melody re-written as ABC (enc_score_abc:
                                K:C, repeats played out; transposition applies); text (1)
                                tokenises the file's own text (keys, repeats, chord symbols as
                                written: folk-rnn's data), which cannot transpose. Other files
                                are scores either way. Written in the options only when text. */
} enc_opts;

/* Counts of one or more enc_encode calls (the caller zeroes it once). */
typedef struct enc_stats {
    size_t scores;            /* scores given to enc_encode */
    size_t pieces;            /* pieces appended (augmented copies counted each) */
    size_t tokens;            /* tokens appended */
    size_t skipped_durations; /* scores refused by the durations filter */
    size_t skipped_empty;     /* scores with no notes (after the part filter) */
    size_t skipped_range;     /* transposed copies refused: a pitch left 0..127 (pianoroll:
                                 the 88 keys) */
    size_t skipped_unknown;   /* pieces with a token outside a frozen vocabulary (unknown=skip) */
    size_t keys_estimated;    /* transpose=c scores without a key map (Krumhansl-Schmuckler) */
    size_t notes_quantised;   /* notes whose onset or end moved to the grid */
    size_t notes_hidden;      /* timestep: notes never the highest sounding one (not encoded) */
    size_t notes_merged;      /* notechord: notes sharing a pitch and onset with another */
    size_t notes_cut;         /* event, psd: notes ended early by a later note of the same pitch */
    size_t notes_dropped;     /* pianoroll: notes outside the 88 keys (21..108) */
    size_t frames;            /* frame encodings: frames appended */
} enc_stats;

/* Note events from a decoder, in non-decreasing time order. */
typedef enum enc_event_type { ENC_NOTE_ON = 0, ENC_NOTE_OFF } enc_event_type;
typedef struct enc_event {
    double time;      /* seconds since the decoder's start (create or reset) */
    int64_t tick;     /* the same time in ticks at SCORE_PPQ under enc_decoder_us_per_qn() */
    uint8_t type;     /* enc_event_type */
    uint8_t pitch;    /* MIDI note 0..127 */
    uint8_t velocity; /* note-on 1..127; note-off 0 */
    uint8_t channel;  /* MIDI channel 0..15 (0 for every encoding here) */
} enc_event;

/* Names of the encodings, NULL-terminated ("timestep", "notechord", "event",
 * "psd", "pianoroll", "abc").
 * Thread: any. */
const char *const *enc_names(void);

/* Defaults for encoding `name` (durations filter on for timestep only...);
 * unknown names get the common defaults. Thread: any. */
void enc_opts_default(enc_opts *o, const char *name);
/* Sets option `key` from text; LJ_ERR_ARG with "KEY: expected ..., found '...'"
 * in err. Thread: any. */
int enc_opts_set(enc_opts *o, const char *key, const char *value, char *err, size_t errlen);
/* "key=value key=value ..." of the options encoding `name` reads, parseable by
 * enc_opts_set (the tokens file header, the model file). Thread: any. */
int enc_opts_format(const enc_opts *o, const char *name, char *buf, size_t buflen);

/* A new encoding; fixed vocabularies are built and frozen here. Options are
 * checked (LJ_ERR_ARG naming the option). Thread: control. */
int enc_create(const char *name, const enc_opts *o, encoding **out, char *err, size_t errlen);
void enc_destroy(encoding *e); /* NULL is a no-op */

const char *enc_name(const encoding *e);
enc_kind enc_kind_of(const encoding *e);
const enc_opts *enc_options(const encoding *e);
/* The vocabulary (owned by e, valid until e is destroyed or enc_set_vocab). */
const vocab *enc_vocab(const encoding *e);
int enc_vocab_frozen(const encoding *e);
/* Version of the encoder's output (1, 2, ...), bumped with every change to
 * what it writes for the same score and options: part of the dataset cache
 * key, so a cache entry never outlives the encoder code that wrote it.
 * Thread: any. */
int enc_code_version(const encoding *e);
/* Float values per frame (ENC_KIND_FRAMES); 0 for token encodings. */
size_t enc_frame_dim(const encoding *e);

/* ---- frame encodings (ENC_KIND_FRAMES: psd, pianoroll) ----
 *
 * A piece is T frames of enc_frame_dim() floats (a frameset). The frame is a
 * list of fields; each field is one model head (same name) and a slice of the
 * model's input, so a generic trainer builds both from the description:
 *   input of step t  = enc_frame_input(frame t)            (enc_frame_input_dim floats)
 *   targets of step t = the fields of frame t+1:
 *     CLASS  one float holding a class id 0..width-1 -> softmax head of `width`
 *            classes, target id (int32)frame[offset]
 *     VALUE  `width` real values -> MSE head of `width` (positive pressure
 *            `pressure`), targets frame[offset .. offset+width)
 *     BITS   `width` values in {0,1} (multi-hot) -> Bernoulli or NADE head of
 *            `width` bits, targets frame[offset .. offset+width)
 * The input slice of a field: CLASS as a one-hot of `width` (input ONEHOT) or
 * the id times `scale` (input SCALED, the TF tutorial's pitch / 128); VALUE and
 * BITS as they are. Default loss weights and pressures come with the field (psd:
 * pitch 0.05, step 1, duration 1, pressure 10 on step and duration). */
typedef enum enc_field_kind {
    ENC_FIELD_CLASS = 0, /* one class id per frame */
    ENC_FIELD_VALUE,     /* `width` real values */
    ENC_FIELD_BITS       /* `width` bits */
} enc_field_kind;

typedef enum enc_field_input {
    ENC_INPUT_AS_IS = 0, /* VALUE, BITS: the values themselves */
    ENC_INPUT_SCALED,    /* CLASS: one input, id * scale */
    ENC_INPUT_ONEHOT     /* CLASS: `width` inputs, one-hot */
} enc_field_input;

typedef struct enc_field {
    char name[24];         /* head name: "pitch", "step", "duration", "velocity", "keys" */
    enc_field_kind kind;   /* see above */
    int width;             /* classes (CLASS), values (VALUE) or bits (BITS) */
    int offset;            /* first float of the field in a frame */
    enc_field_input input; /* how the field enters the model input */
    int input_offset;      /* its first float in the model input */
    float scale;           /* ENC_INPUT_SCALED: input = id * scale */
    float loss_weight;     /* default loss weight of its head */
    float pressure;        /* VALUE: default positive pressure of its MSE head (0 = plain) */
} enc_field;

/* Fields of a frame encoding (0 and NULL for token encodings); i in 0..n-1.
 * Thread: any. */
int enc_frame_num_fields(const encoding *e);
const enc_field *enc_frame_field(const encoding *e, int i);
/* Width of the model input built from one frame. Thread: any. */
size_t enc_frame_input_dim(const encoding *e);
/* Model input (enc_frame_input_dim floats) of one frame (enc_frame_dim floats).
 * A CLASS id outside 0..width-1 gives a zero slice. Allocates nothing. Thread: any. */
void enc_frame_input(const encoding *e, const float *frame, float *input);

/* One batch column for training on a frame encoding: from `window`, T+1
 * consecutive frames of a piece ((T+1) x enc_frame_dim floats), the model
 * input of frames 0..T-1 goes to x (T,B,enc_frame_input_dim) column b, and the
 * targets from frames 1..T to field f's arrays: ids[f] (T,B) for a CLASS field
 * (an id outside the field is -1, ignored by a softmax head), values[f]
 * (T,B,width) for VALUE and BITS fields (element [t][b][k] at
 * (t*B + b)*width + k, the model's layout). A NULL ids[f] / values[f] skips
 * that field. Allocates nothing. Thread: any. */
void enc_frame_fill_column(const encoding *e, const float *window, int T, int B, int b, float *x,
                           int32_t *const *ids, float *const *values);

/* One batch column from a window of the concatenation of s's pieces: frames
 * o..o+T (needs o + T < s->n_frames) as enc_frame_fill_column, except that a
 * target that is a piece's first frame is predicted from a zero input instead
 * of the previous piece's last frame, as a piece starts in evaluation and
 * generation (train_on windows). Allocates nothing. Thread: any. */
void enc_frame_fill_window(const encoding *e, const frameset *s, size_t o, int T, int B, int b, float *x,
                           int32_t *const *ids, float *const *values);

/* One batch column of T steps of a piece as the model meets it from a zero
 * state (train_on pieces, evaluation, generation): step t predicts frame
 * first+t of `piece` (n frames) from frame first+t-1, and from a zero input
 * when first+t is the piece's frame 0, so every frame of a piece is predicted
 * (the JSB benchmark's protocol: all frames scored). Needs first + T <= n.
 * Layout and NULL arrays as enc_frame_fill_column. Allocates nothing.
 * Thread: any. */
void enc_frame_fill_steps(const encoding *e, const float *piece, size_t n, size_t first, int T, int B, int b,
                          float *x, int32_t *const *ids, float *const *values);

/* Encodes s into frames and appends its pieces to out (out->dim must be
 * enc_frame_dim(e): frameset_init(out, enc_frame_dim(e)) first), with the same
 * transposition, part, durations and empty-score rules as enc_encode. Errors:
 * LJ_ERR_ARG (a token encoding, out of another width), LJ_ERR_LIMIT (more than
 * ENC_MAX_STEPS frames), LJ_ERR_NOMEM; out then holds what it held before.
 * Thread: control. */
int enc_encode_frames(encoding *e, const score *s, frameset *out, enc_stats *st, char *err,
                      size_t errlen);

/* Replaces the vocabulary with v (ownership passes to e, also on failure) and
 * freezes it: a model's stored vocabulary. Every name must be one this encoding
 * can decode (LJ_ERR_PARSE naming the id otherwise). Thread: control. */
int enc_set_vocab(encoding *e, vocab *v, char *err, size_t errlen);

/* Encodes s and appends its pieces to out: one piece, one per augment shift, or
 * none when the score is skipped (counted in st). An open vocabulary grows; a
 * frozen one applies the `unknown` policy. st may be NULL. Errors: LJ_ERR_RANGE
 * (unknown token, unknown=error), LJ_ERR_LIMIT (more than ENC_MAX_STEPS),
 * LJ_ERR_NOMEM; out then holds what it held before. Thread: control. */
int enc_encode(encoding *e, const score *s, tokset *out, enc_stats *st, char *err, size_t errlen);

/* Sorts an open vocabulary into the encoding's canonical order, renumbers the ids
 * in the n token sets (everything encoded with e so far) and freezes it. A frozen
 * vocabulary is left as is. Thread: control. */
int enc_finish_vocab(encoding *e, tokset *const *sets, size_t n);

/* The key a `transpose=c` run uses for s, and the shift in semitones it applies;
 * *estimated = 1 when s had no key map. Thread: any. */
void enc_key_of(const score *s, int *fifths, int *mode, int *estimated);
int enc_key_shift(int fifths, int mode);
/* Krumhansl-Schmuckler estimate over pitches shifted by `shift`: tonic pitch
 * class 0..11 and SCORE_MODE_MAJOR or SCORE_MODE_MINOR. Thread: any. */
void enc_estimate_key(const score *s, int shift, int *tonic, int *mode);

/* ---- decoding ---- */

/* A decoder for e's frozen vocabulary (LJ_ERR_ARG if it is still open). e must
 * outlive it and not change. Allocates everything a step needs. Thread: control. */
int enc_decoder_create(const encoding *e, enc_decoder **out, char *err, size_t errlen);
void enc_decoder_destroy(enc_decoder *d); /* NULL is a no-op */
/* Back to time 0, nothing sounding, default velocity. Thread: engine. */
void enc_decoder_reset(enc_decoder *d);
/* dst (a decoder of the same encoding) goes on from where src stands: time,
 * sounding notes, and the class's own state (abc: the ABC stream, its unread
 * text and held notes). For a search over several continuations (beam search
 * with an abc key mask). Allocates nothing (abc: unless src's stream grew past
 * its reserve). LJ_ERR_ARG when the encodings differ, LJ_ERR_NOMEM (dst
 * then unusable: reset it). Thread: engine. */
int enc_decoder_copy(enc_decoder *dst, const enc_decoder *src);
/* One token in: writes 0..ENC_MAX_STEP_EVENTS events to out and returns their
 * count. Never allocates, never fails: an id outside the vocabulary gives no
 * events and is counted (enc_decoder_bad_tokens). Thread: engine (RT-safe). */
size_t enc_decoder_step(enc_decoder *d, int32_t token, enc_event *out);
/* End of stream: note-offs for every sounding note, at the current time; notes
 * with a scheduled end (notechord plays each token for `length`) end at that
 * time instead, and the decoder's time moves to the last of them. For a panic
 * the engine silences the synth itself. Thread: engine (RT-safe). */
size_t enc_decoder_flush(enc_decoder *d, enc_event *out);
/* The sounding notes end now (note-offs at the current time) and the stream
 * goes on: the next token continues it. For the engine's cuts (a pause, a
 * panic, the player taking over) and the end of a primer, after which the
 * model writes on. abc: the text read so far stays (the tune open, its key,
 * bar and unit length), where enc_decoder_flush ends the text (the tune
 * closed: notes written after it are read only in a new tune, X: to K:),
 * and the decoder's time moves to the end of that text (the last note's
 * end, where the next note starts: enc_abc_typed_time). The others:
 * enc_decoder_flush. Thread: engine (RT-safe). */
size_t enc_decoder_release(enc_decoder *d, enc_event *out);
/* Current time in seconds and ticks; tempo of the tick axis; bad-token count. */
double enc_decoder_time(const enc_decoder *d);
/* Notes sounding (note-ons written and not yet ended). Thread: engine. */
int enc_decoder_sounding(const enc_decoder *d);
int64_t enc_decoder_tick(const enc_decoder *d);
uint32_t enc_decoder_us_per_qn(const enc_decoder *d);
size_t enc_decoder_bad_tokens(const enc_decoder *d);
/* One frame (enc_frame_dim floats) of a frame encoding in: the events it gives,
 * like enc_decoder_step (0..ENC_MAX_STEP_EVENTS). Model output is accepted as
 * it comes: psd clamps a negative step or duration to 0 (a duration to one
 * tick) and rounds values to its time axis; a non-finite value or a class id
 * outside its field gives no events and is counted (enc_decoder_bad_tokens);
 * pianoroll keys are on at >= 0.5. A token decoder counts every frame as bad.
 * Never allocates, never fails. Thread: engine (RT-safe). */
size_t enc_decoder_step_frame(enc_decoder *d, const float *frame, enc_event *out);
/* Makes a generated frame move d's time by at least `seconds` (rounded up to
 * whole decoder ticks, at least one): psd's step field is raised to that (a
 * time class: the first class that reaches it, at most the last) when it is
 * below it. Returns 1 when the frame was changed, 0 when its step was long
 * enough or the encoding has no step (pianoroll: every frame is one grid
 * step). For the engine's guard against a model that starts notes without
 * end at one instant (ENGINE_MAX_ONSETS). Allocates nothing. Thread: engine. */
int enc_frame_move_time(const enc_decoder *d, float *frame, double seconds);
/* Multiplies a generated frame's step (the time from the previous onset) by
 * factor > 0: psd's step field times factor (a time class: the nearest class
 * to step * factor + *carry, at least 1 when the step was (a step never
 * becomes a chord), at most the last; *carry (in classes, start at 0) gets
 * what the rounding left, within -1..1, so a run of steps keeps the factor;
 * the duration is kept, so a longer step leaves a rest and a shorter one
 * overlaps notes). Returns 1 when the frame has a step (psd), 0 otherwise
 * (pianoroll: every frame is one grid step). For the engine's density
 * (factor 1/d: d times as many notes per second). Allocates nothing.
 * Thread: engine. */
int enc_frame_scale_step(const encoding *e, float *frame, double factor, double *carry);
/* 1 after the token that ends a piece ("/" in timestep), until the next token. */
int enc_decoder_piece_ended(const enc_decoder *d);

/* Decodes a whole sequence through a decoder into a new score (one part, channel
 * 0, the decoder's tempo at tick 0; notes paired from the events; zero-length
 * notes are dropped). Thread: control. */
int enc_decode(const encoding *e, const int32_t *ids, size_t n, score **out, char *err,
               size_t errlen);
/* The same for n frames of a frame encoding (n * enc_frame_dim floats). */
int enc_decode_frames(const encoding *e, const float *frames, size_t n, score **out, char *err,
                      size_t errlen);

/* Malformed text read past by an abc decoder (each resynchronised at the next
 * bar line or line); 0 for the other encodings. Thread: engine. */
size_t enc_decoder_resyncs(const enc_decoder *d);
/* Notes an abc decoder could not play: over before the decoder's time reached
 * them (a note tied over more than 8 chord symbols: the symbols wait for it
 * up to that many), or more than 64 from one token; 0 for the other
 * encodings. Thread: engine. */
size_t enc_decoder_dropped(const enc_decoder *d);

/* Key/scale and pitch-range mask of an abc decoder's next token (abc only;
 * -1 for the others, allowed untouched). An abc token's pitch depends on the
 * tune's key and the accidentals in force in the bar, so it is worked out
 * from where the decoder stands (abc_stream_note_pitch): allowed[id] (vocab
 * size bytes) is 0 for a token that writes a melody note sounding outside
 * [lo, hi] or whose pitch class is not in `scale` (bit pc, bit 0 = C), 1
 * otherwise. tokens: a note token ("^c'") is judged by the pitch it sounds.
 * chars: a note is several characters, so the decision falls where each is
 * typed: a letter when its pitch class (with the accidentals typed before it,
 * or the key's and bar's) is off the scale or no octave of it is in range;
 * an accidental when no letter after it would be allowed; octave marks (' ,)
 * and the characters that end a note (anything else) while the note is out of
 * range, except the mark that brings it nearer. Text in quotes (a chord
 * symbol, or text the reader reads past) is not masked; where the reader
 * would fail (a length or octave mark after no note, an ending number
 * over 30, a quote or brace never closed...) nothing is masked up to the
 * bar line where it resumes, inside quotes too, as the reader does. Measured
 * on random text of a model biased to notes, marks and quotes (tests/
 * test_generate_abc.c, 40 seeds): 1 melody note of 14199 outside, the last
 * letter of a text cut before its octave marks (the generators now write
 * them: gen_finish, enc_abc_typed_note_mark); with all printable ASCII,
 * 135 of 1067 (constructs such as '&', '%' and fields in the body are not
 * followed). Returns the number of tokens allowed (0: the caller decides;
 * the mask is then all zero). Allocates nothing. Thread: engine. */
int enc_abc_pitch_mask(const enc_decoder *d, int lo, int hi, unsigned scale, uint8_t *allowed);
/* The pitch of the note the text an abc decoder was given ends with (chars:
 * the note being typed, which the characters after it may still move by
 * octaves: abc_stream_note_pitch with nothing more), or -1. Thread: engine. */
int enc_abc_note_typed(const enc_decoder *d);
/* The octave mark (' or ,) that, written next, moves the note an abc
 * decoder's text ends with (enc_abc_note_typed) nearer to [lo, hi]; 0 when
 * there is no such note, it is inside, or no mark brings it nearer (a range
 * under an octave). Thread: engine. */
char enc_abc_typed_note_mark(const enc_decoder *d, int lo, int hi);
/* Octave marks that can ever be needed: MIDI 0..127 is under 11 octaves. */
#define ENC_ABC_MARKS_MAX 11
/* Moves the note an abc decoder's text ends with (enc_abc_note_typed) by
 * octaves towards [lo, hi] by writing the octave marks (' or ,) after it
 * into the decoder's reader, as the mask would have the model do, until it
 * is inside; for an answer that must end before the model wrote them.
 * Returns the marks written (0: no note, or already inside). Thread: engine. */
int enc_abc_move_typed_note(enc_decoder *d, int lo, int hi);

/* Where the music written so far ends, in seconds on the decoder's axis:
 * abc: the end of the text given (its last note's or rest's end, as
 * enc_decoder_flush would play it now), where enc_decoder_time is the onset
 * of the last note the reader handed on, which lags the text by up to a bar
 * (the reader waits for what follows a note: a tokens model's bar comes at
 * once). *notes_held (may be NULL): the notes in that text the reader has
 * not handed on yet (given by the next steps or enc_decoder_flush). For the
 * engine's respond mode, whose answer ends when the call's length of music
 * has been written. The others: enc_decoder_time, *notes_held 0. Allocates
 * nothing (abc: reads a copy of the stream, kept by the decoder).
 * Thread: engine. */
double enc_abc_typed_time(enc_decoder *d, size_t *notes_held);

/* The unit note length (L:) where an abc decoder stands, in quarter notes
 * (0.5 for L:1/8, the default before a tune sets it): what a length written
 * after a note multiplies (the engine writes a player's note length in it).
 * 0 for the other encodings. Thread: engine. */
double enc_abc_unit_quarters(const enc_decoder *d);

/* ---- encodings of text, models, pitches ---- */

/* Encodes ABC text (abc only; LJ_ERR_ARG for score encodings): one piece per
 * tune (from its X: line; chars: text before the first X: is dropped), or with
 * `primer` the whole text as one piece whose last tune stays open (no "</s>"),
 * to be continued by a model. A name outside a frozen vocabulary is
 * LJ_ERR_RANGE with "NAME:LINE:COL: expected a token of the model's abc
 * vocabulary, found 'X'"; out is then as before. st may be NULL. Thread: control. */
int enc_encode_text(encoding *e, const char *text, size_t len, const char *name, int primer,
                    tokset *out, enc_stats *st, char *err, size_t errlen);

/* ABC text of a token sequence (abc only): chars are the bytes, tokens are
 * rendered as the decoder feeds them to the ABC reader. *out is malloc'd and
 * NUL-terminated, the caller frees it. Thread: any. */
int enc_abc_text(const encoding *e, const int32_t *ids, size_t n, char **out, size_t *len);

/* A score's melody as one ABC tune (abc only): X:1, the first meter (4/4
 * without one), L:1/8, K:C with explicit sharps; the highest note starting at
 * each onset on a 16th-note grid, cut at the next onset (timestep's skyline),
 * rests as z, bars by the meter with notes tied across them, 4 bars a line.
 * `open`: the text stops after the last bar line (a primer the model goes on
 * with), else the tune ends "|]". enc_encode writes this text as the abc
 * encoding's sequence. *text is malloc'd. Thread: any. */
int enc_score_abc(const encoding *e, const score *s, int open, char **text, size_t *len);

/* The encoding a model file names: `name` ("chars", the trainer's character
 * models, is abc with variant=chars), `options` (options_len bytes of the
 * metadata "encoding.options", enc_opts_format's text; NULL: the encoding's
 * defaults) and the vocabulary v (ownership passes, also on failure; NULL only
 * for fixed vocabularies), frozen. Errors LJ_ERR_ARG (unknown encoding),
 * LJ_ERR_PARSE (bad options or vocabulary, with the byte or token).
 * Thread: control. */
int enc_create_for_model(const char *name, const char *options, size_t options_len, vocab *v,
                         encoding **out, char *err, size_t errlen);

/* The pitches token `id` starts (timestep pitch, notechord chord members, event
 * note-on) into pitches[0..max); returns their count (0: the token starts no
 * note: holds, rests, shifts, note-offs), or -1 when the encoding cannot tell
 * from the token alone (abc: a note's pitch depends on the key and the bar).
 * For pitch and key masks in generation. Thread: any. */
int enc_token_pitches(const encoding *e, int32_t id, uint8_t *pitches, size_t max);

/* ---- the tokens text format (lstmjam encode) ----
 *
 *   #lstmjam-tokens 1 encoding=timestep grid=120 transpose=c ...
 *   60 _ _ _ 62 _ r _ /
 *   ...
 * One piece per line; tokens by their vocabulary names separated by spaces or
 * tabs; lines starting with '#' are comments (the first may be the header, which
 * names the encoding and its options); blank lines are skipped; CRLF is
 * accepted. Names are 1..255 bytes without spaces, tabs, control bytes, or a
 * leading '#'. Errors: "FILE:LINE:COL: expected X, found Y". */

/* Writes the header line for e. fp is a FILE*. Thread: control. */
int enc_tokens_write_header(void *fp, const encoding *e);
/* Writes every piece of set as one line of names. Thread: control. */
int enc_tokens_write(void *fp, const encoding *e, const tokset *set);

/* Frame encodings in text (lstmjam encode): a header
 *   #lstmjam-frames 1 encoding=psd transpose=none ...
 *   #fields pitch:class:128 step:value:1 duration:value:1
 * then one piece per line, frames separated by " | ", a frame's
 * enc_frame_dim values by spaces (%.9g, so floats read back exactly):
 *   60 0 0.5 | 64 0 0.25 | 62 0.5 0.25
 * `lstmjam train` and `lstmjam eval` read such files back (enc_frames_parse).
 * fp is a FILE*. Thread: control. */
int enc_frames_write_header(void *fp, const encoding *e);
int enc_frames_write(void *fp, const encoding *e, const frameset *set);

/* Parses a frames text (len bytes; `name` for messages) of encoding e into out
 * (out->dim must be enc_frame_dim(e)), one piece per line. Line 1 must be the
 * header, naming e's encoding and exactly e's options (enc_opts_format text;
 * LJ_ERR_ARG otherwise: the frames would mean something else); a "#fields"
 * line, if any, must list e's fields as the writer does; other '#' lines are
 * comments, blank lines are skipped, CRLF is accepted. Every frame has
 * enc_frame_dim values (decimal numbers, no inf/nan): a CLASS field a whole
 * number 0..width-1, a BITS field 0 or 1, a VALUE field a finite float.
 * Errors "NAME:LINE:COL: expected X, found Y" (LJ_ERR_PARSE), LJ_ERR_LIMIT
 * (more than ENC_MAX_STEPS frames in a line), LJ_ERR_NOMEM; out is then as
 * before. Thread: any. */
int enc_frames_parse(const encoding *e, const char *text, size_t len, const char *name, frameset *out, char *err,
                     size_t errlen);

/* What a tokens file's header says (zeroed when it has none). */
typedef struct enc_tokens_header {
    int present;       /* 1 if the first line is a "#lstmjam-tokens" header */
    int version;       /* format version (1) */
    char encoding[32]; /* encoding name, "" when not given */
    enc_opts opts;     /* its options (defaults of `encoding` overridden by the header) */
} enc_tokens_header;

/* Parses a tokens text (len bytes; `name` for messages) into out (pieces
 * appended). Names map through v: with `grow` they are added when new, else a
 * name outside v is LJ_ERR_RANGE at its position. hdr (may be NULL) receives the
 * header. Limits: names over 255 bytes (LJ_ERR_LIMIT), more than ENC_MAX_STEPS
 * tokens in one line (LJ_ERR_LIMIT). On error out is as before. Thread: any. */
int enc_tokens_parse(const char *text, size_t len, const char *name, vocab *v, int grow,
                     tokset *out, enc_tokens_header *hdr, char *err, size_t errlen);

/* Parses a tokens text into out through e's vocabulary: new names are added
 * while it is open (a dataset merging several files), a frozen one refuses
 * them (LJ_ERR_RANGE at the position); every name must be one e can decode.
 * The header is only reported in hdr (may be NULL): the caller checks that it
 * names e's encoding and options. Thread: control. */
int enc_tokens_parse_into(encoding *e, const char *text, size_t len, const char *name, tokset *out,
                          enc_tokens_header *hdr, char *err, size_t errlen);

/* Reads a tokens file for training: the header (if any) names the encoding and
 * options (else `fallback`, may be NULL: then a header is required); creates the
 * encoding, reads every piece into out, then enc_finish_vocab (canonical order,
 * frozen). With `model` non-NULL (a model's encoding, frozen) the names map
 * through its vocabulary instead, and no new encoding is made (*e_out = NULL).
 * Thread: control. */
int enc_tokens_load(const char *path, const char *fallback, encoding *model, encoding **e_out,
                    tokset *out, char *err, size_t errlen);

#endif
