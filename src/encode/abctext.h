/* abctext: the `abc` encoding (MIT 6.S191 lab and music_lstm characters, or
 * folk-rnn style ABC tokens). Reached through encoding.h as "abc" (option
 * variant=chars|tokens); models whose file names the encoding "chars" (the
 * trainer's character models) load as abc with variant=chars.
 *
 * variant=chars   every byte of the ABC text is a token; the vocabulary is the
 *                 set of bytes seen (ordered by byte value, as chars.c builds it
 *                 for the trainer).
 * variant=tokens  folk-rnn's units (Sturm et al. 2016): "<s>" starts a tune,
 *                 "</s>" ends it; fields M:, L:, K:, R: are one token each
 *                 ("M:6/8", "K:Gmaj", "R:Hornpipe" as written, spaces removed,
 *                 clef settings dropped from K:; other fields are dropped: R:
 *                 stays because a hornpipe plays dotted); in the body a note with its accidentals
 *                 and octave marks is one token ("^c'", "=B,"), a length is its
 *                 own token ("2", "/2", "3/2"), as are rests ("z"), broken
 *                 rhythm (">", "<<"), ties ("-"), tuplets ("(3"), chord brackets
 *                 ("[", "]"), chord symbols ("\"Am\""), inline fields ("[K:D]"),
 *                 bar lines and repeats with their ending number ("|", "|:",
 *                 ":|", "::", "|]", "|1", ":|2") and endings ("[1"). Slurs,
 *                 decorations, grace notes, comments and line breaks are
 *                 dropped, so a tune is its notes, bars and repeats.
 *
 * Decoding: tokens turn back into ABC text (chars: the byte; tokens: see
 * abctext_render) that the streaming ABC reader (abc_stream) plays as it
 * arrives, so notes come out while the model writes. Malformed text is read
 * past to the next bar line and counted (enc_decoder_resyncs), never a crash.
 * The tick axis runs at the option qpm (ABC's Q: is not followed: the engine
 * sets the tempo). Chord symbols sound as block chords, as the ABC reader plays
 * them, from the onset of the note they stand on (the stream hands them on
 * there, their length still open) to the next symbol; every event is on
 * channel 0.
 *
 * Sampling: abc_grammar.h is the state machine of valid token streams of
 * the tokens variant; generate and the engine draw under it by default.
 *
 * Scores: ABC text (a primer, or an .abc file under the tokens variant's
 * option source=text) is encoded as it is (enc_encode_text); a Score is
 * first written as an ABC tune of its melody (enc_score_abc: skyline on a
 * 16th-note grid, K:C with explicit sharps), so MIDI, kern or JSB files can
 * prime or train an abc model. lstmjam encode and train read .abc files the
 * same way for the same options: as scores (source=score, the default) or as
 * text (source=text, which cannot transpose). */
#ifndef LJ_ABCTEXT_H
#define LJ_ABCTEXT_H

#include <stddef.h>

/* Lexer of the tokens variant over one line of a tune body: the next token at
 * s[*i..] (skipping what is dropped) is written to buf (64 bytes, spaces
 * removed); returns its length and sets *start to its first byte and *i past
 * it, or returns 0 at the end of the line. Thread: any. */
size_t abctext_next_token(const char *s, size_t n, size_t *i, size_t *start, char *buf);

/* Text renderer of the tokens variant: where a token stream stands. */
typedef struct abctext_render_state {
    int in_tune;       /* 1 after "<s>" (or an implied start) until "</s>" */
    int in_header;     /* 1 in a tune before its K: */
    int tunes;         /* tunes started, for their X: numbers */
    int bars_on_line;  /* bar tokens written on the current line */
    int at_line_start; /* 1 when the text written so far ends with a newline (or is empty) */
    char last;         /* last byte of the last body token */
    char last_first;   /* first byte of the last body token */
} abctext_render_state;

#define ABCTEXT_RENDER_MAX 300 /* bytes one token renders to, at most */

void abctext_render_reset(abctext_render_state *r);
/* Writes the text of token name (len bytes, <= 255) to out (ABCTEXT_RENDER_MAX
 * bytes) and returns its length: header fields on their own line, "<s>" as an
 * X: line, "</s>" as the blank line that ends a tune, body tokens back to
 * back with a line break after every 8 bars, and the lines a model left out
 * (X:, K:) put in. Thread: any. */
size_t abctext_render(abctext_render_state *r, const char *name, size_t len, char *out);

#endif
