/* abc_grammar: what may come next in a stream of folk-rnn style ABC tokens
 * (the abc encoding's tokens variant, abctext.h), so that a model's tunes are
 * ABC that abc2midi and lstmjam's own reader accept (issue 7's quality bar).
 *
 * Grammar-constrained sampling: before each draw the sampler asks which tokens
 * keep the tune valid (abc_grammar_mask) and masks the others' logits, so the
 * softmax is renormalised over the allowed tokens; after the draw (or any token
 * fed to the model: a primer, a player's note) abc_grammar_advance moves the
 * state on. It is an explicit state machine over token classes, not a retry:
 * every tune it lets through is valid by construction, and the model's
 * distribution is changed only where it would have written invalid ABC.
 *
 * The rules are the ones abc2midi enforces on the tunes the models write
 * (tools/abc_acceptance.sh: "Could not find note to be tied", "Unrecognized
 * character: 2", "stray /") plus the structure a tune needs to be read as
 * meant:
 *   - a tune is "<s>", header fields, "K:...", the body, "</s>"; before "<s>"
 *     (and after "</s>") only "<s>". In the header each of M:, L:, R: at most
 *     once, in any order, and K: last (it ends the header); no music before it.
 *   - a length only right after a note, a rest or a chord's "]", once.
 *   - a tie only after a note outside a chord; then only a plain bar line "|"
 *     or the note it ties to: the same letter and octave with the same pitch,
 *     under both accidental rules in use (an accidental holds to the bar's end
 *     for that letter in every octave, as lstmjam's reader and abc2midi's
 *     default; or for that octave only, as the ABC 2.1 standard says), so the
 *     two readers agree. A tie is offered only when the vocabulary can write
 *     that note after a bar line.
 *   - broken rhythm (">", "<<") between two notes, rests or chords of one bar.
 *   - a tuplet "(p:q:r" is followed by its r notes, rests or chords (p when r
 *     is not given) with no bar line, tie or broken rhythm before they are done.
 *   - a chord "[" holds one or more notes (each with a length) and is closed
 *     by "]" before anything else; chord symbols ("\"Am\"", naming A-G) stand
 *     before a note, rest, chord or tuplet.
 *   - bar lines: none in an empty bar (only a repeat start may open the body);
 *     repeats balanced ("|:" only when no repeat is open; a first ending "|1" /
 *     "[1" only inside one; a second ending only right after ":|"); the
 *     closing bar "|]" only with no repeat open, and after it only "</s>".
 *   - "</s>" only after a bar line with no repeat open, nothing pending, and
 *     at least one note in the tune.
 *   - tokens whose text no reader takes (a length "0", a chord symbol that
 *     names no chord, a header field with no valid value) are never allowed.
 * With ABC_GRAMMAR_METER, bars also fill the meter (abc2midi warns, not
 * fails, on a bar of the wrong length, but a 6/8 tune with bars of 8 eighths
 * is not what it says): a header has M: before K: (when the vocabulary has
 * one), durations are counted in ticks of 1/96 of the unit length L: (L: or
 * the default from M:), and
 *   - a note or rest only when the shortest length the vocabulary can write
 *     still fits in the bar; a length only when the note still fits and what
 *     is left of the bar can be filled; after a note that overfills the bar
 *     with its default length, only a length;
 *   - a bar line only when the bar is full, or shorter in the tune's first
 *     bar (a pickup) and before a repeat's end, an ending or "|]";
 *   - bars with chords, tuplets or broken rhythm, lengths the ticks cannot
 *     hold, tunes without M: (a vocabulary without one) and bars after an
 *     inline [M:]/[L:] change are not counted (free).
 * When the meter leaves no token at all (a vocabulary that cannot fill what
 * is left), the step falls back to the rules above without it.
 *
 *   abc_grammar *g;  abc_grammar_create(enc_vocab(e), &g, err, errlen);
 *   abc_grammar_state s;  abc_grammar_reset(g, &s);
 *   for each step:  abc_grammar_mask(g, &s, allowed);  (draw tok among allowed)
 *                   abc_grammar_advance(g, &s, tok);
 *
 * Memory: create allocates the token table once; the state is plain data (copy
 * it with =); mask and advance allocate nothing (the real-time engine calls
 * them per step). Thread: a grammar is read-only after create, shared freely;
 * a state belongs to its stream. */
#ifndef LJ_ABC_GRAMMAR_H
#define LJ_ABC_GRAMMAR_H

#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

typedef struct abc_grammar abc_grammar;

#define ABC_GRAMMAR_OCTAVES 17 /* octave marks -8..+8 around the letter's own octave */

/* Where a token stream stands (plain data). */
typedef struct abc_grammar_state {
    uint8_t phase;         /* ABC_GPHASE_*: outside a tune, header, body, after "|]" */
    uint8_t fields_seen;   /* header fields seen: bit 0 M:, 1 L:, 2 R: */
    uint8_t open_len;      /* 1 right after a note, rest or "]" that has no length yet */
    uint8_t last_note;     /* 1 right after a note outside a chord (with or without length) */
    uint8_t element_done;  /* 1 after a whole note, rest or chord: a bar, tie, ">" may follow */
    uint8_t after_bar;     /* 1 right after a bar line (an ending "[2" may follow) */
    uint8_t last_repeat_end; /* 1 when that bar line ended a repeat (":|") */
    uint8_t tie;           /* 1: a tie waits for its note */
    uint8_t broken;        /* 1: ">" or "<" waits for its second element */
    uint8_t symbol;        /* 1: a chord symbol waits for its element */
    uint8_t in_chord;      /* inside "[ ]" */
    uint8_t chord_notes;   /* notes in the open chord (saturates) */
    uint8_t repeat_open;   /* "|:" seen and not yet closed */
    uint8_t tuplet_left;   /* elements still under a tuplet */
    uint8_t bar_free;      /* meter: this bar is not counted (chord, tuplet, ">", odd length) */
    uint32_t bar_elements; /* notes, rests and chords since the last bar line */
    uint32_t bars;         /* bar lines in the tune so far (0: a pickup may be short) */
    int32_t meter_ticks;   /* meter: a full bar in ticks (96 per unit length); 0 = free */
    int32_t bar_ticks;     /* meter: ticks in the bar so far (the last note at its default
                              length until its length token comes) */
    int16_t meter_num, meter_den; /* header M: (0/0: none yet) */
    int16_t unit_num, unit_den;   /* header L: (0/0: the default from M:) */
    uint32_t tune_notes;   /* notes in the tune so far */
    uint32_t violations;   /* tokens advanced over that the grammar did not allow */
    /* the last note outside a chord (what a tie ties): letter 0..6 (C..B),
     * octave index, accidental under both rules */
    int8_t note_letter, note_octave, note_acc_letter, note_acc_octave;
    int8_t key_acc[7];     /* key signature per letter, semitones */
    int8_t bar_acc_letter[7]; /* accidental in force this bar per letter (ABC_GRAMMAR_NO_ACC: none) */
    int8_t bar_acc_octave[7][ABC_GRAMMAR_OCTAVES]; /* per letter and octave */
} abc_grammar_state;

enum { ABC_GPHASE_OUTSIDE = 0, ABC_GPHASE_HEADER, ABC_GPHASE_BODY, ABC_GPHASE_CLOSED };
#define ABC_GRAMMAR_NO_ACC 127

#define ABC_GRAMMAR_METER 1u /* abc_grammar_create flag: bars fill the meter (see above) */

/* Classifies every token of v (the tokens variant's names; any other name is
 * never allowed); flags: 0 or ABC_GRAMMAR_METER. Errors: LJ_ERR_NOMEM;
 * LJ_ERR_ARG when v has no "<s>" or no "</s>" (not a tokens-variant
 * vocabulary). Thread: control. */
int abc_grammar_create(const vocab *v, unsigned flags, abc_grammar **out, char *err, size_t errlen);
void abc_grammar_destroy(abc_grammar *g); /* NULL is a no-op */
/* Tokens of the vocabulary it was made for. */
size_t abc_grammar_size(const abc_grammar *g);

/* Outside any tune (before "<s>"). Thread: any. */
void abc_grammar_reset(const abc_grammar *g, abc_grammar_state *s);
/* 1 when token id may come next (0 for ids outside the vocabulary). With the
 * meter rule this looks at the whole vocabulary when id breaks only the meter
 * (is any token left that keeps it?). */
int abc_grammar_allows(const abc_grammar *g, const abc_grammar_state *s, int32_t id);
/* allowed[k] = abc_grammar_allows(g, s, k) for the whole vocabulary; returns
 * how many are allowed (0 only for a vocabulary that cannot go on: the caller
 * then draws unconstrained). Allocates nothing. Thread: any. */
size_t abc_grammar_mask(const abc_grammar *g, const abc_grammar_state *s, uint8_t *allowed);
/* Moves the state past token id. A token the grammar did not allow (a primer,
 * a player's note fed in) is taken as best it can be and counted in
 * s->violations; the state stays usable. Returns 1 when id was allowed.
 * Allocates nothing. Thread: any. */
int abc_grammar_advance(const abc_grammar *g, abc_grammar_state *s, int32_t id);

#endif
