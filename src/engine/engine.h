/* engine: the generation side of lstmjam play and render.
 *
 * The engine steps an LSTM model one token at a time (lstm_step), draws each
 * next token with temperature and top-k/top-p (lj_sample), turns tokens into
 * note events through the encoding's incremental decoder (encoding.h), maps the
 * decoder's seconds to sample frames of the audio clock through the tempo, and
 * pushes the events into the audio side's queue (dsp/rtq, consumed by
 * dsp/event_sched), keeping them a look-ahead ahead of the audio clock:
 *
 *   engine_fill(e, clock):  push every held-back event with frame < clock +
 *   look-ahead; while nothing is held back, generate another step.
 *
 * Frame models (psd, pianoroll) take another step function, chosen when the
 * engine is created (engine_step_frame in engine.c): each step draws a whole
 * frame (frame_sampler.h: psd pitch at the engine's temperature, step and
 * duration from the regression heads clamped to >= 0; pianoroll keys from the
 * Bernoulli/NADE head at the engine's temperature too), decodes it with enc_decoder_step_frame and feeds it
 * back as the next dense input; a fresh start feeds a zero frame and a
 * player's phrase is encoded as frames. Repetition control acts on tokens and
 * is refused for them. In steer and accompany a pianoroll model hears the
 * player: the player's held keys are observed units of every frame it draws
 * (frame_sampler_draw_observed: NADE draws the other keys conditioned on
 * them, in key order, so the keys below a held key do not see it) and of the
 * frame fed back, while its own part (the frame decoded) leaves them out,
 * as they sound already; a psd model plays on without them (a psd frame is
 * one note of its own, not held keys: counted in steer_unencoded).
 *
 * Events the decoder gives beyond the horizon wait in the engine (a fixed
 * buffer), so the queue only ever holds the look-ahead and a panic pushed now
 * sounds within one look-ahead. Frames pushed never decrease (the queue's
 * rule): every event's frame is at least the last one pushed.
 *
 * MIDI out (play --midi-out) gets a copy of every event pushed
 * (engine_config.mirror), or is the only queue (play --no-audio); either way
 * the same frames, written by dsp/midi_sink at their offsets.
 *
 * The same code runs on the engine thread of `lstmjam play`
 * (engine_thread_start: fill, sleep a fraction of a period, repeat, reading the
 * audio clock from dsp/event_sched) and inline in the offline render loop of
 * `lstmjam render --model` (fill, render one period, repeat): one engine, two
 * sinks.
 *
 * No stuck notes: a queue overflow (an event the audio side will never see,
 * maybe a note-off) drops what is held back and pushes a panic event as soon as
 * a slot is free, behind every event already queued; engine_panic (key p, CC
 * 120/123, model swap, restart) and engine_end (stop, exit) do the same. The
 * audio side's held-note table turns a panic into note-offs for everything
 * sounding.
 *
 * Models: every token encoding, abc included (engine_model_load).
 *
 * Modes. `auto`: endless music; the model starts afresh (state and decoder
 * reset, its sounding notes ended) every reseed_seconds of music and whenever
 * the decoder ends a piece ("/" of timestep). `continue`: the player's notes
 * (engine_config.player queue) stop the model at once (its queued notes end
 * with note-offs, so the player's own notes sound on); when the player
 * has been silent for phrase_gap_seconds with no key held (or one held, with
 * no other input, for ENGINE_PLAYER_HOLD_TIMEOUT), the phrase is encoded with the
 * model's encoding (read at the tempo in force, the inverse of playback: a
 * quarter note played at --tempo 60 is a quarter note of the model's music)
 * and fed to the model from a fresh state, and the model
 * carries on from there until the player plays again. `respond`: the same
 * priming, but the answer lasts about as long as the call (first note-on to
 * last note-off, in the model's music time; one with no note yet goes on to
 * its first, for at most ENGINE_ANSWER_EXTRA_SECONDS more), then the model's
 * notes end and it waits for the next call. The answer keeps to the call's key and register
 * (respond_in_key): a logit mask (gen_pitch_mask, as generate --key
 * --pitch-range) allows only note tokens whose pitches lie within the call's
 * lowest to highest note widened by 2 semitones each way (at least an octave)
 * and in the scale of the call's estimated key (Krumhansl-Schmuckler) plus
 * the pitch classes it played; for abc models (chars, tokens), whose tokens
 * carry no pitch of their own, the mask is worked out at each step from the
 * decoder's key and bar (enc_abc_pitch_mask, as generate masks abc models),
 * and lifted for a step where it would leave nothing to draw; frame models
 * keep to the same pitches: psd draws its pitch among them only
 * (frame_sampler_set_pitch_mask), pianoroll's keys outside them are observed
 * off in every frame drawn (probability 0; NADE draws the later keys given
 * them).
 * `steer`: the
 * model plays on as in auto (re-seeded only at piece ends); each note the
 * player starts enters its context at once, as the tokens that start that
 * pitch in its encoding (timestep's pitch, notechord's note, event's note-on,
 * abc's note letter in C with explicit sharps) fed through lstm_step; the
 * held-back look-ahead is dropped, the model's queued notes end (note-offs at
 * the earliest frame, clock + schedule_lead_frames, or at the last frame
 * queued when later), and the music is regenerated from that frame, behind
 * the note-offs, so the change is heard within one look-ahead. `accompany`: the same
 * context, nothing cut: the model's part (its own channel and program) plays
 * on under the player's. A player's note-off enters the context too where the
 * encoding has a token for it (event's off:p, right after what the model read
 * last: the model's own time shifts between a note's on and off are the time
 * it was held; nothing is cut). Timestep, notechord and abc models read one
 * melody line whose notes carry their length; in steer mode the player's held
 * note takes that line and its length enters in the encoding's own words:
 * timestep's holds ("_" instead of the model's draw for each 16th the key is
 * down), notechord's ":D" duration (token_durations=1) and abc's length after
 * the letter (in the tune's L:), these two at the release, the model silent
 * while the key is down (ENGINE_PLAYER_HOLD_TIMEOUT at most); in accompany
 * mode they keep the note's start only (the model's own line plays on). A
 * pitch the vocabulary cannot write is counted (steer_unencoded).
 *
 * Live control (any thread; applied at the next fill): temperature, density
 * (notes per unit of music time, see engine_config.density; abc tokens carry
 * no pitch, so density does not change abc models:
 * engine_model_density_applies), tempo, mode (a live
 * switch: see engine_set_mode), pause, panic. MIDI control changes on the
 * player queue go through engine_config.cc (engine_cc_map: defaults CC 1
 * temperature, 74 density, 71 tempo, 70 mode; CC 120/123 always panic).
 *
 * ABC grammar (abc tokens models, engine_config.abc_grammar, on by default):
 * before each draw the tokens that would make the tune invalid ABC are masked
 * (abc_grammar.h, as lstmjam generate does); the grammar's state follows every
 * token the model reads, the start tokens and the player's included, and
 * starts afresh with the model's context. Its mask and step allocate nothing.
 *
 * Repetition control (every mode): before each draw the logits go through a
 * repetition penalty and no-repeat n-gram bans over the tokens since the last
 * fresh start (re-seed or phrase), as lstmjam generate does (model/sample.h).
 *
 * Memory: engine_create allocates everything a step needs; engine_fill never
 * allocates while generating (test_engine counts it). Encoding a player's
 * phrase (continue mode) allocates once per phrase, on the engine thread, which
 * is not the audio thread.
 *
 * Ownership: the engine_model must outlive every engine made from it; the
 * queues belong to the caller and must outlive the engine. */
#ifndef LJ_ENGINE_H
#define LJ_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "encoding.h"
#include "event.h"
#include "lj_status.h"
#include "model.h"
#include "rtq.h"
#include "sample.h"
#include "time_hist.h"

typedef struct engine_model engine_model; /* a model file: the LSTM, its encoding and vocabulary */
typedef struct engine engine;

typedef enum engine_mode {
    ENGINE_MODE_AUTO = 0,    /* endless music, periodic re-seeding, player ignored (thru only) */
    ENGINE_MODE_CONTINUE = 1, /* the player's phrase primes the model, which carries on */
    ENGINE_MODE_RESPOND = 2,  /* call and response: the model answers each phrase with about
                                 as much music as the call, then waits for the next */
    ENGINE_MODE_STEER = 3,    /* the model plays on; each player note enters its context at
                                 once and its look-ahead is cut and regenerated */
    ENGINE_MODE_ACCOMPANY = 4, /* the model plays its own part on; the player's notes enter
                                 its context, nothing is cut */
    ENGINE_MODES = 5
} engine_mode;

#define ENGINE_MAX_LOOKAHEAD_SECONDS 10.0
#define ENGINE_MIN_TEMPO 20.0  /* BPM */
#define ENGINE_MAX_TEMPO 400.0 /* BPM */
#define ENGINE_MAX_TEMPERATURE 2.0
/* A piece started from nothing (a fresh start: the first, each re-seed, a piece
 * the model ended) draws its first ENGINE_OPENING_NOTES notes at
 * ENGINE_OPENING_TEMPERATURE when the temperature in force is lower, so it
 * starts somewhere new even at T 0 (engine.c: draw_temperature). Measured
 * (tools/longform_check.py, 5 min, seed 1, distinct pitch 8-grams) against
 * 1..16 notes at 0.8 and 1.0: the ambient preset at T 0 0.74 (1 note at 0.8),
 * 0.90 (4), 0.996 (8); 0.8 leaves every preset's own temperature (0.8..1.0)
 * as it was, the same notes. */
#define ENGINE_OPENING_NOTES 8
#define ENGINE_OPENING_TEMPERATURE 0.8
#define ENGINE_MIN_DENSITY 0.25
#define ENGINE_MAX_DENSITY 4.0
/* --reseed and a preset's mode.reseed: 0 (only at piece ends) or at least
 * this many seconds of music. At 0.001 s auto re-seeded 134 times a minute
 * and its pieces were 3-4 tokens long. engine_config takes any value >= 0
 * (tests ask for many short pieces). */
#define ENGINE_MIN_RESEED_SECONDS 1.0
#define ENGINE_MAX_RESEED_SECONDS 86400.0
#define ENGINE_MAX_VARY_PROGRAMS 8
#define ENGINE_STEP_BUCKETS TIME_HIST_BUCKETS /* step-time histogram (dsp/time_hist.h) */
#define ENGINE_NOTE_TOKENS 6    /* tokens one player note may take in steer/accompany (abc chars) */
#define ENGINE_PHRASE_MAX 1024  /* player notes one phrase keeps (continue mode) */
#define ENGINE_MAX_HISTORY 4096   /* tokens the repetition control looks back at most */
#define ENGINE_MAX_ONSETS 24      /* note-ons in ENGINE_ONSET_WINDOW of the decoder's time after
                                     which the model has to move time past the window: event's
                                     note-on tokens are banned until then (unless nothing else
                                     is left), psd's next step is raised to reach it
                                     (enc_frame_move_time). A model that writes notes without
                                     time (a random event model at density 2 and temperature
                                     0.1: 58,000 note-ons in 20 s, 5,859 on one frame) would
                                     otherwise flood the queues and make everything late; at
                                     most 480 note-ons a second of music pass. 24 is over twice
                                     what two hands play at once. timestep, notechord and
                                     pianoroll move time with every token or frame, one chord
                                     per instant, so it binds them only past 24 onsets in 50 ms.
                                     abc tokens carry no pitch and every note or chord moves
                                     time by its length, but the reader hands on a chord
                                     ([CEGc...]) or a run of short notes (A/64B/64...) at once,
                                     after its tokens were drawn (up to 64 note-ons in one
                                     step, measured with a random model): there note-ons over
                                     24 in the window are not played, nor their note-offs
                                     (engine_stats.onsets_capped) */
#define ENGINE_ONSET_WINDOW 0.05  /* s of the decoder's time (the music's, before --tempo) */
#define ENGINE_LIMIT_TAIL_SECONDS 2.0 /* note limit: the notes sounding when it is reached
                                        end as the model writes them (its note-ons dropped)
                                        for at most this much more music (the model's
                                        seconds), then all at once */
#define ENGINE_LIMIT_TAIL_STEPS 4096 /* ... and at most this many model steps */
#define ENGINE_ANSWER_EXTRA_SECONDS 4.0 /* respond: an answer with no note yet goes on for
                                          this much more music (the model's seconds) */
#define ENGINE_FINISH_NOTE_STEPS 8 /* respond, abc chars: model steps past an answer's end to
                                     bring the note being typed into the answer's register
                                     (one ',' or ' per octave; see engine.c) */
#define ENGINE_PLAYER_HOLD_TIMEOUT 4.0 /* s: a key held this long with no other input counts
                                          as released (continue mode: a stuck key or a lost
                                          note-off must not silence the model for good) */

/* Live control by MIDI CC: which controller number (0..127, -1 = none) moves
 * what. A plain struct so a play preset can fill it; engine_config carries
 * one, applied to the control changes that arrive on the player queue (from
 * any channel). Values map linearly unless said:
 *   temperature  0.1 .. 2.0                              default CC 1 (mod wheel)
 *   density      two octaves each side of v 64 (= 1): 0.25 .. 4
 *                (engine_cc_density)                     default CC 74
 *   tempo        40 .. 240 BPM                           default CC 71
 *   mode         v * ENGINE_MODES / 128: auto, continue, respond, steer,
 *                accompany by fifths of the range         default CC 70
 *   panic        any value: the model's notes are cut    default -1 (none);
 *                CC 120 (all sound off) and 123 (all notes off) always panic */
typedef struct engine_cc_map {
    int temperature, density, tempo, mode, panic;
} engine_cc_map;

/* The defaults above. Thread: any. */
void engine_cc_map_default(engine_cc_map *m);
/* The density a CC value 0..127 sets: 2^((v-64)/32) up to v 64 (0.25 .. 1),
 * 2^(2(v-64)/63) above (.. exactly 4 at 127). Pure. */
double engine_cc_density(int v);

/* auto: slow changes from one fresh start to the next (a preset's mode.vary),
 * so hours of background music drift instead of standing still. Each is a
 * bounded random walk w in [-1, 1], from 0, that moves by a uniform step in
 * [-0.5, 0.5] at each fresh start (reflected at the bounds): neighbouring
 * pieces stay close, the session wanders over the whole range. Its own RNG
 * (from the seed), so the notes drawn do not depend on it. What the player
 * sets wins over the drift of it: a live engine_set_tempo (CC 71) or
 * engine_set_density (CC 74, play's d/D keys) turns that drift off for the
 * engine's life (engine_stats.vary_stopped), so the value set is the one
 * heard; play and render turn the drifts of what their command line sets
 * (--tempo, --density, --program) off before the engine starts
 * (preset_vary_yield). */
/* engine_stats.vary_stopped's bits: the drifts a live control turned off */
#define ENGINE_VARY_TEMPO 1u
#define ENGINE_VARY_DENSITY 2u

typedef struct engine_vary {
    double tempo;   /* the tempo in force is the set one (--tempo, CC 71) times 1 + tempo * w;
                       0..0.5, 0 = fixed */
    double density; /* the density in force is the set one times 2^(density * w), in 0.25..4;
                       0..2 (octaves), 0 = fixed */
    int n_programs; /* 0: the instrument stays; else at each fresh start, with odds 1 in 3, the
                       model's channel changes to another of programs[] (a program change
                       between the pieces) */
    int programs[ENGINE_MAX_VARY_PROGRAMS]; /* GM programs 0..127 */
} engine_vary;

typedef struct engine_config {
    double sample_rate;        /* Hz of the audio clock; must equal the synth's */
    uint64_t lookahead_frames; /* events are pushed this far ahead of the audio clock,
                                  1..ENGINE_MAX_LOOKAHEAD_SECONDS*rate; default 512 (4 periods of 128) */
    uint64_t schedule_lead_frames; /* the earliest frame, after the clock a fill reads, that an
                                  event pushed in that fill still reaches its consumers in time:
                                  what the engine makes "now" (a steer cut's note-offs and the
                                  music regenerated after them, the player taking over in
                                  continue/respond, a mode switch, the player's line released,
                                  panics) goes at clock + this or later. The consumers' clocks
                                  move a period at a time and may run between the engine's
                                  reading of the clock and its push: play fills in the output's
                                  period (the audio stream's; JACK MIDI out's buffer size; the
                                  polled MIDI senders' 3 ms) plus one period of its own margin.
                                  0 (default: render, where the clock waits for the engine) = the
                                  clock itself. Below the look-ahead, or the cut waits for a later
                                  fill; 0..ENGINE_MAX_LOOKAHEAD_SECONDS*rate */
    lj_sampler sampler;        /* temperature 0..2 (0 = argmax), top_k, top_p; default 1, 0, 1 */
    float repetition_penalty;  /* >= 1: tokens among the last penalty_window generated since the
                                  last fresh start are penalised (CTRL, lj_repetition_penalty);
                                  1 = off (default) */
    int penalty_window;        /* tokens, 1..ENGINE_MAX_HISTORY; default 64 */
    int no_repeat_ngram;       /* n >= 1: no n-gram of tokens twice within the last ngram_window
                                  (lj_no_repeat_ngram; lifted for a step when it would ban every
                                  token); 0 = off (default) */
    int ngram_window;          /* tokens, 1..ENGINE_MAX_HISTORY; default 512 */
    uint64_t seed;             /* sampling RNG seed; default 1 */
    double tempo_bpm;          /* playback tempo, ENGINE_MIN_TEMPO..MAX; 0 (default) = the
                                  encoding's own (its qpm option; event: 125, its ms axis) */
    int channel;               /* MIDI channel of the model's notes, 0..15; default 0 */
    int program;               /* GM program sent on `channel` at the first fill, -1 = none;
                                  default 0 (acoustic grand piano) */
    engine_mode mode;          /* default ENGINE_MODE_AUTO */
    engine_vary vary;          /* auto: slow changes at fresh starts; default none */
    int tempo_from_clock;      /* 1: a MIDI clock followed (play --midi-clock in) owns the
                                  tempo: the tempo CC is ignored and counted
                                  (engine_stats.tempo_ccs_ignored), only engine_set_tempo
                                  (the clock's follower, clock_follow.h) sets it; a musician
                                  syncing to a DAW keeps the DAW's beat. Default 0 */
    double reseed_seconds;     /* auto: start afresh after this much music, s as heard (at the
                                  tempos in force, not the model's own); 0 = only at
                                  piece ends; default 60 */
    double phrase_gap_seconds; /* continue: silence that ends the player's phrase, s; default 0.6 */
    int respond_in_key;        /* respond: the answer keeps to the call's key and register
                               (a logit mask, see above); default 1 */
    int abc_grammar;           /* abc tokens models: each token is drawn among those that keep
                                  the tune valid ABC (src/encode/abc_grammar.h; the state moves
                                  with every token fed, the player's too): 1 the token grammar,
                                  2 also bars that fill the meter, 0 off; default 1 */
    int max_steps_per_fill;    /* at most this many model steps per engine_fill (a model that
                                  emits no time for long cannot hold a thread); default 256 */
    int thread_priority;       /* engine_thread_start asks for SCHED_FIFO at this priority,
                                  1..99 (play: 1, below the audio threads of JACK, PortAudio and
                                  PipeWire, above every normal thread); 0 = normal (default) */
    engine_cc_map cc;          /* MIDI CC mapping of the player queue's control changes */
    double density;            /* note density d, 0.25..4 (1 = the model's own; default 1):
                                  about d times the notes per second (3 x 30 s of each
                                  shipped preset: 0.24..0.33x at 0.25, 2.8..4.0x at 4).
                                  Grid models (timestep, notechord, pianoroll) can start
                                  only so many notes per step, so d is part odds, part
                                  time: their steps play at speed v = 2^round(s log2 d)
                                  (s 1/2 tokens, 1 pianoroll: double or half time, on
                                  the set tempo's beats; the tempo shown stays the set
                                  one) and the notes' odds take d / v: a token's logit
                                  + n log(d / v), n the notes it starts (notechord: a
                                  chord's size); pianoroll keys off in the last frame
                                  + log(d / v), keys on the same less. event: the same
                                  bias on note-ons with s 0, and a drawn shift:N plays as
                                  the shift nearest N/d (1..max_shift). psd: the drawn
                                  step plays times 1/d (durations kept; the model is fed
                                  the step it drew). abc: none
                                  (engine_model_density_applies) */
    rtq *out;                  /* lj_event queue to the audio side (required; engine produces) */
    rtq *mirror;               /* optional lj_event queue: a copy of every event pushed to `out`
                                  (MIDI out beside the audio; a full queue is that consumer's
                                  overflow: it panics) */
    rtq *record;               /* optional lj_event queue to the control thread: a copy of every
                                  event pushed to `out` (the session recording) */
    rtq *player;               /* optional lj_event queue of the player's notes (engine consumes),
                                  frame = the audio clock when they arrived */
} engine_config;

/* Counters; the engine thread writes them, any thread reads them (relaxed
 * atomics: each exact, the set not one instant). */
typedef struct engine_stats {
    uint64_t steps;           /* model steps generated (tokens sampled) */
    uint64_t primed_tokens;   /* player tokens fed to the model (continue mode) */
    uint64_t notes;           /* note-ons pushed */
    uint64_t events;          /* events pushed to the audio queue */
    uint64_t dropped;         /* events lost: queue full (each loss is followed by a panic) */
    uint64_t record_dropped;  /* events the record queue could not take */
    uint64_t panics;          /* panic events pushed */
    uint64_t reseeds;         /* fresh starts (auto mode, piece ends) */
    uint64_t phrases;         /* player phrases taken in (continue mode) */
    uint64_t phrase_errors;   /* phrases the model's encoding could not write (a pitch or
                                 character outside its vocabulary): the model started afresh */
    uint64_t resyncs;         /* abc: malformed generated text read past by the decoder */
    uint64_t steered;         /* player notes fed to the model (steer, accompany; pianoroll:
                                 clamped into its frames) */
    uint64_t steered_offs;    /* player note-offs fed to the model (event's off:p tokens; steer:
                                 the end of timestep's holds, notechord's and abc's lengths) */
    uint64_t steer_unencoded; /* player notes the model's vocabulary cannot write: not fed */
    uint64_t keyed_answers;   /* respond: answers under the call's key and register mask */
    uint64_t answers_moved;   /* respond: calls moved by octaves into a token model's pitches
                                 (the answer moved back: answer_octave_shift) */
    uint64_t answer_finish_steps; /* respond, abc chars: steps the model took past an answer's
                                 end to finish a note the mask was bringing into range */
    uint64_t answer_notes_moved;  /* respond, abc chars: such notes the engine moved into range
                                 by octaves (ENGINE_FINISH_NOTE_STEPS did not do; 0 measured) */
    uint64_t tempo_ccs_ignored; /* tempo CCs ignored: a MIDI clock sets the tempo
                                 (engine_config.tempo_from_clock) */
    uint64_t vary_stopped;    /* ENGINE_VARY_TEMPO, _DENSITY: the preset's drifts (cfg.vary) a
                                 live engine_set_tempo / engine_set_density turned off */
    uint64_t late_pushes;     /* events pushed with a frame before the clock of that fill */
    uint64_t bad_tokens;      /* sampled ids the decoder could not decode */
    uint64_t unbanned;        /* steps where the n-gram bans were lifted (they banned everything) */
    uint64_t grammar_dead_ends; /* abc tokens: steps where the grammar allowed no token (drawn
                                 unmasked; 0 with a vocabulary that can always go on) */
    uint64_t onset_stalls;    /* windows where ENGINE_MAX_ONSETS note-ons made the model move
                                 time before more (a degenerate model; 0 in real music) */
    uint64_t onsets_capped;   /* abc: note-ons not played, over ENGINE_MAX_ONSETS in the window
                                 (a chord or run of short notes read at once), with their offs */
    uint64_t last_frame;      /* frame of the last event pushed */
    uint64_t gen_frame;       /* frame the generated music has reached (decoder time) */
    uint64_t step_hist[ENGINE_STEP_BUCKETS]; /* step times (sample + lstm_step + decode):
                                  bucket of engine_step_bucket(ns) */
} engine_stats;

/* ---- the model file (control thread) ---- */

/* Loads a .lstm file and makes its encoding (enc_create_for_model: the stored
 * name, options and vocabulary, frozen; "chars" is abc with variant=chars).
 * Token encodings play (timestep, notechord, event, abc chars and tokens);
 * frame encodings (psd, pianoroll) are refused with LJ_ERR_UNSUPPORTED. abc
 * models start each fresh piece with "X:" (chars) or "<s>" (tokens), as
 * lstmjam generate does; their text is read by the ABC stream decoder, which
 * reads past malformed text (engine_stats.resyncs). Thread: control. */
int engine_model_load(const char *path, engine_model **out, char *err, size_t errlen);
/* The same, with decoding options over the file's ("velocity=70 length=quarter",
 * enc_opts_set names; a preset's `encoding:`): how tokens sound, not which
 * exist. NULL or "": none. Thread: control. */
int engine_model_load_with(const char *path, const char *decoding, engine_model **out, char *err,
                           size_t errlen);
void engine_model_destroy(engine_model *m); /* NULL is a no-op; no engine may use it */
const char *engine_model_name(const engine_model *m); /* the file's base name */
const char *engine_model_encoding(const engine_model *m);
lj_model *engine_model_lstm(engine_model *m);
const encoding *engine_model_enc(const engine_model *m);
/* 1 when engine_config.density changes what m plays, 0 when it cannot (abc
 * and abc chars: a token's pitch depends on the tune's key and bar, so no
 * token is known to start a note; play shows "D -", render refuses
 * --density). Thread: any. */
int engine_model_density_applies(const engine_model *m);

/* ---- the engine ---- */

/* Fills c with the defaults above (out/record/player NULL). Thread: any. */
void engine_config_default(engine_config *c);

/* Checks c (LJ_ERR_ARG naming the field), allocates the step state, decoder,
 * sampler scratch and held-back buffer. Thread: control. */
int engine_create(engine_model *m, const engine_config *c, engine **out, char *err, size_t errlen);
/* Frees; NULL is a no-op. Its thread must be stopped. Thread: control. */
void engine_destroy(engine *e);

/* Does the work due at audio clock `clock` (frames the audio side has rendered):
 * applies the controls below, takes in the player's notes, pushes held-back
 * events up to clock + look-ahead and generates steps until something waits
 * beyond that horizon (or max_steps_per_fill, pause, the end). Returns the
 * number of steps generated. Never fails; allocates nothing while generating.
 * Thread: engine (one thread at a time). */
int engine_fill(engine *e, uint64_t clock);

/* Ends the performance at `clock`: the decoder's sounding notes end there
 * (note-offs), nothing more is generated, and a panic follows them. Keep
 * calling engine_fill until engine_done. Thread: engine. */
void engine_end(engine *e, uint64_t clock);
/* Ends the performance now, for a player who stops (quit, swap): what is held
 * back goes, and every model note sounding ends at the earliest frame
 * (`clock` + schedule_lead_frames), or at the last frame queued when that is
 * later, so everything is queued within one
 * look-ahead. engine_end instead lets the notes sounding at `clock` ring to
 * their written ends (a render's last bar), which at a slow tempo can be
 * seconds past the horizon: longer than a player waits. A panic follows; keep
 * calling engine_fill until engine_done. Thread: engine. */
void engine_end_now(engine *e, uint64_t clock);
/* 1 when engine_end was called and everything, the panic included, is pushed.
 * Thread: engine. */
int engine_done(const engine *e);

/* Controls, from any thread (atomics; the engine applies them at its next
 * fill). Values are clamped to their ranges. Thread: any. */
void engine_set_temperature(engine *e, double t);
double engine_get_temperature(const engine *e);
/* A live tempo: it stands, cfg.vary.tempo's drift is turned off (engine_vary). */
void engine_set_tempo(engine *e, double bpm);
double engine_get_tempo(const engine *e);  /* BPM set (--tempo, CC 71, engine_set_tempo) */
/* What plays now: the set tempo and density times auto's slow changes
 * (cfg.vary; equal to the set values without it). Thread: any. */
double engine_tempo_in_force(const engine *e);
double engine_density_in_force(const engine *e);
void engine_set_paused(engine *e, int paused); /* pausing ends the model's notes (not the player's); resuming starts a look-ahead on */
int engine_get_paused(const engine *e);
void engine_request_panic(engine *e);      /* panic at the next fill, generation goes on */
void engine_set_density(engine *e, double d); /* 0.25..4, see engine_config.density; a live
                                                 density stands: cfg.vary.density's drift
                                                 is turned off (engine_vary) */
double engine_get_density(const engine *e);
/* Switches the mode at the next fill: to continue or respond the model's notes
 * end and it waits for a phrase; to auto, steer or accompany it plays on (from
 * its context, a look-ahead from now). Thread: any. */
void engine_set_mode(engine *e, engine_mode m);
engine_mode engine_get_mode(const engine *e); /* the mode asked for last */
/* Applies control change `controller` = `value` through map m (the setters
 * above); 1 when m maps it (or it is CC 120/123), else 0. With
 * engine_config.tempo_from_clock the tempo CC changes nothing (counted; it
 * still returns 1: it is the instrument's, not the synth's). Thread: any. */
int engine_apply_cc(engine *e, const engine_cc_map *m, int controller, int value);
/* No event of this engine will come before `frame` (a new engine taking over
 * the queue from one that pushed up to there: frames in the queue never
 * decrease). Call before the first fill. Thread: control. */
void engine_set_min_frame(engine *e, uint64_t frame);
/* engine_config.schedule_lead_frames, for a caller that learns it after
 * engine_create (play: from the devices it opens); clamped to
 * 0..ENGINE_MAX_LOOKAHEAD_SECONDS. Call before the first fill. Thread: control. */
void engine_set_schedule_lead(engine *e, uint64_t frames);
/* engine_config.lookahead_frames, for a caller whose default depends on the
 * device it opens after engine_create (play: a few of the server's periods);
 * clamped to 1..ENGINE_MAX_LOOKAHEAD_SECONDS. Call before the first fill.
 * Thread: control. */
void engine_set_lookahead(engine *e, uint64_t frames);
/* Stops after `notes` note-ons (0 = no limit): the engine then ends as engine_end.
 * Set before the first fill. Thread: control. */
void engine_set_note_limit(engine *e, uint64_t notes);

void engine_get_stats(const engine *e, engine_stats *out); /* Thread: any */
/* Histogram bucket of a step time and the smallest time of a bucket, ns. Thread: any. */
int engine_step_bucket(uint64_t ns);
uint64_t engine_bucket_ns(int bucket);
/* The time below which `q` (0..1) of the steps counted in hist fall, ns (0 when empty). */
uint64_t engine_hist_quantile(const uint64_t *hist, double q);

/* What the model has read since its state was last reset (start, re-seed, a
 * phrase): the ids fed to lstm_step in order, sampled and the player's alike
 * (the first step's zero input not included); *complete = 0 when the oldest
 * were moved out (the repetition control keeps its window, at least
 * max(penalty_window, ngram_window) tokens). With engine_logits (the
 * model's output for the next token) a test can check that the state is
 * exactly that of these tokens. Valid until the next fill. Thread: engine. */
size_t engine_history(const engine *e, const int32_t **ids, int *complete);
const float *engine_logits(const engine *e);

/* ---- the engine thread (play) ---- */

/* The audio clock as the engine thread reads it (e.g. sched_clock). */
typedef uint64_t (*engine_clock_fn)(void *user);

/* Starts a thread that runs engine_fill(clock()) every `poll_ns` nanoseconds
 * (about half a period). LJ_ERR_IO if the thread cannot start. Thread: control. */
int engine_thread_start(engine *e, engine_clock_fn clock, void *clock_user, uint64_t poll_ns,
                        char *err, size_t errlen);
/* The engine thread's real-time priority since engine_thread_start: the
 * SCHED_FIFO priority it got, or 0 with *why set to the errno of the refusal
 * (EPERM: no rtprio limit, see the README's latency tuning; 0 when none was
 * asked). A thread at normal priority waits behind every busy process of its
 * core: on this 2-core VM at load 13 the 3 x 512 step's p99 went from 0.5-0.8
 * ms at SCHED_FIFO to 12-17 ms. Thread: control. */
int engine_thread_priority(const engine *e, int *why);
/* Ends the performance at the current clock (engine_end_now), lets the thread push
 * the final note-offs and panic (at most `timeout_ms`), then stops and joins it.
 * Returns 1 when everything was pushed. Thread: control. */
int engine_thread_stop(engine *e, int timeout_ms);

#endif
