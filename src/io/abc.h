/* abc: ABC notation reader (standard 2.1 subset, every Nottingham tune) with a
 * streaming mode for text that arrives a few characters at a time.
 *
 * A book (file) holds tunes starting at X:. Each tune becomes a score with a
 * melody part (part 0, channel 0, program 0: abc2midi's note track) and, when
 * the tune has chord symbols ("Am7"), a chord part (part 1, channel 1, program
 * 0) of block chords held from one symbol to the next, as the Nottingham MIDI
 * files have them. Repeats, endings and P: part orders are expanded the way
 * abc2midi does by default (missing |: assumed at the start or at the last ||,
 * endings [1 [2 |1 :|2 [1,3, R:hornpipe pairs played 2:1). Decorations and
 * grace notes are read past. Errors name file:line:column. */
#ifndef LJ_ABC_H
#define LJ_ABC_H

#include <stddef.h>

#include "score.h"

typedef enum abc_repeats {
    ABC_REPEATS_ABC2MIDI = 0, /* expand repeats as abc2midi does by default */
    ABC_REPEATS_NOTTINGHAM,   /* as the Nottingham dataset's own MIDI files (music21's
                                 repeat expansion, Y: part order, no ties, no hornpipe
                                 dotting, accidentals on their note only: abc_expand.c) */
    ABC_REPEATS_AS_WRITTEN    /* no expansion: every bar once, in source order (what
                                 the stream plays) */
} abc_repeats;

typedef struct abc_opts {
    abc_repeats repeats; /* repeat expansion convention */
    int chords;          /* 1: chord symbols become an accompaniment part (default 1) */
    lj_warn_fn warn;     /* constructs read past, resynchronisations; may be NULL */
    void *warn_user;
} abc_opts;

/* Fills opts with defaults. Thread: any. */
void abc_opts_default(abc_opts *opts);

/* Parses a whole book; appends one score per tune to out (each sorted). On an
 * error nothing is appended and err says "name:line:col: expected X, found Y".
 * opts may be NULL (defaults); opts is only read during the call. Thread: any. */
int abc_read_mem(const char *text, size_t len, const char *name, const abc_opts *opts,
                 score_book *out, char *err, size_t errlen);

/* Thread: control. */
int abc_read_file(const char *path, const abc_opts *opts, score_book *out, char *err,
                  size_t errlen);

/* The key signature a K: value gives ("G", "Ephr", "D mix", "D ^g _B", "HP"):
 * per-letter accidentals C D E F G A B in semitones (-2..+2), as the reader
 * applies them. Returns 0; 1 when the value sets no key (only a clef: acc is
 * all 0); -1 when it is no key, with the reason in why. Thread: any. */
int abc_key_signature(const char *value, int8_t acc[7], char *why, size_t whylen);

/* ------------------------------------------------------------- streaming
 * For ABC that a model writes a few characters at a time: each note is handed
 * to on_note as soon as nothing later in the text can change it (the next note
 * has started, so no > < or chord length can apply; a tied note waits for the
 * note it is tied to). Repeats are played as written (ABC_REPEATS_AS_WRITTEN:
 * each bar once, every ending in turn), because a :| can only be expanded once
 * the whole section is known. Tunes follow each other in time.
 *
 * Malformed text does not stop the stream: the error is counted
 * (abc_stream_errors, the last message in the err buffer given at create) and
 * reading resumes at the next bar line or line.
 *
 * Memory: create allocates everything; feed allocates nothing more unless one
 * music line holds more than ABC_STREAM_ITEMS notes and bars or a line is
 * longer than ABC_STREAM_LINE bytes (then it counts an error and skips it). */
#define ABC_STREAM_ITEMS 4096  /* items kept between two emitted notes */
#define ABC_STREAM_LINE 65536  /* bytes of one line buffered */

typedef struct abc_stream abc_stream;

/* Receives one note (onset and duration in ticks at SCORE_PPQ from the start of
 * the stream, part 0 melody or 1 chords). note is valid only during the call. */
typedef void (*abc_note_fn)(void *user, const score_note *note);

/* NULL when out of memory (err says so). opts may be NULL (defaults); it is
 * copied. err (may be NULL) must stay valid until destroy: later errors are
 * written there. Thread: any (one stream per thread). */
abc_stream *abc_stream_create(const abc_opts *opts, abc_note_fn on_note, void *user, char *err,
                              size_t errlen);
/* Chord symbols as they start, for a real-time player (the step decoder of
 * the abc encoding): a chord symbol's length is known only when the next
 * symbol (or the tune's end) arrives, so on_note gets its notes that late,
 * with onset and duration. With a chord callback set instead, the stream
 * calls it at the symbol itself, when the note it stands on is read: n notes
 * (part 1, channel 1, velocity, duration 0: open) that start at `tick`; and
 * with n = 0 (notes NULL) when the chord sounding stops at `tick` (the next
 * symbol, called just before it starts, or the end of the tune or stream).
 * on_note then gets melody notes only. NULL turns it off. Thread: the stream's. */
#define ABC_CHORD_NOTES 8 /* notes of one chord symbol, at most (bass + 5) */
typedef void (*abc_chord_fn)(void *user, int64_t tick, const score_note *notes, int n);
void abc_stream_set_chord_fn(abc_stream *st, abc_chord_fn on_chord, void *user);

/* The pitch a note would sound if `more` (len bytes, may be 0) were fed now:
 * the text of the current line not read yet (the stream reads at spaces and
 * bar lines) followed by `more` is looked at as music, and when it ends with a
 * note (accidentals, a letter, octave marks; its length not begun) returns
 * the MIDI pitch that note sounds: the tune's key, and the accidentals in
 * force in the bar, those of the unread text included (ABC: an accidental
 * holds for its letter to the bar line; a bar line, also a lone ':', ends
 * them). -1 when it does not end with a note:
 * not in a tune's body, a field or comment line, inside a chord symbol,
 * decoration, grace notes or inline field, an accidental alone, a pitch
 * outside 0..127, or after a resync until the next bar line: one the
 * stream has made, or one the reader would make in that text (a length or
 * octave mark after no note, an ending number outside 1..30, a byte it
 * does not read, a quote, brace or inline field not closed before the
 * line would end, a note outside 0..127, a length over 4096, of 0 or
 * divided by more than 4096 * 64, a multi-bar rest over 10000 bars, a
 * tuplet number over 64 or of fewer than 2 notes). As the
 * stream, it resumes at the first bar line after the byte the error names
 * ("^|x|": the second bar line). Not followed: an inline key change not
 * read yet, and a +decoration+ closed across a space or bar line where
 * the stream does not cut the line (inside [...] or "...", after a '%').
 * The tests and the fuzz harness check it against what the reader plays
 * (tests/abc_played_note.h). Changes nothing, allocates nothing.
 * Cost: O(len) plus a few bytes, whatever the length of the unread text (feed
 * keeps a scanner's state over it: abc_pitch.c). Thread: the stream's. */
int abc_stream_note_pitch(const abc_stream *st, const char *more, size_t len);
/* The same answer by the first implementation, which reads the whole unread
 * text on every call (O(unread + len), more for unclosed constructs): the
 * oracle the tests and the fuzz harness compare abc_stream_note_pitch with.
 * Thread: the stream's. */
int abc_stream_note_pitch_naive(const abc_stream *st, const char *more, size_t len);

/* The unit note length in force (L:, or the default 1/8 before a tune sets
 * it), in quarter notes: 0.5 for L:1/8. Thread: the stream's. */
double abc_stream_unit_quarters(const abc_stream *st);

/* Where the stream's time stands: ticks (SCORE_PPQ) from its start to the
 * end of what it has played; notes it still holds (the last one of the text
 * read, which a '-' or '>' may change, and the unread text after the last
 * space or bar line) are not counted. After abc_stream_finish: the end of
 * everything fed. Thread: the stream's. */
int64_t abc_stream_ticks(const abc_stream *st);

/* Feeds len bytes. Returns LJ_OK, or LJ_ERR_NOMEM when memory ran out (the
 * stream is then unusable); parse errors are counted, not returned.
 * Thread: the stream's. */
int abc_stream_feed(abc_stream *st, const char *text, size_t len);
/* Reads the line written so far as complete, as a line break would (its
 * notes, the last one too, are handed on), when it holds anything; an empty
 * line is left alone (a line break there would make a blank line, which ends
 * the tune). The tune stays open. Returns 1 when a line was ended. For a
 * primer that ends mid-line, whose notes must be read before what follows.
 * Thread: the stream's. */
int abc_stream_end_line(abc_stream *st);
/* End of text: plays what is still held (last note, open ties, last chord). */
int abc_stream_finish(abc_stream *st);
/* Parse errors met so far (each resynchronised). Thread: the stream's. */
long abc_stream_errors(const abc_stream *st);
/* Back to the state after create (time 0, no tune, no errors, nothing held),
 * keeping its memory: nothing is played, nothing allocated. Thread: the stream's. */
void abc_stream_reset(abc_stream *st);
/* Makes dst read on exactly where src stands (its unread line, the items
 * held, ties, chord symbols, time, errors), for a search that follows several
 * continuations of one text (generate's beam search with a key mask). dst
 * keeps its own callbacks, user pointers and error buffer. Copies src's used
 * bytes only; allocates nothing unless src holds more items than dst has room
 * for (more than ABC_STREAM_ITEMS: LJ_ERR_NOMEM when that fails, dst
 * unchanged). Both streams must have been made with the same options. When
 * only src has a chord callback, the symbols it holds back for the callback
 * become chord notes in dst, as in a stream that never had one; when only dst
 * has one, the symbol sounding at the copy is ended through dst's callback
 * without having been started through it. Thread: both streams'. */
int abc_stream_copy(abc_stream *dst, const abc_stream *src);
/* Frees the stream; NULL is a no-op. Thread: the stream's. */
void abc_stream_destroy(abc_stream *st);

#endif
