/* engine_internal: the engine's own types and the functions its files share
 * (engine.c: generation, controls and the fill; engine_player.c: the player's
 * notes in each mode; engine_model.c: the model file; engine_thread.c: the
 * thread). Not for use outside src/engine/. */
#ifndef LJ_ENGINE_INTERNAL_H
#define LJ_ENGINE_INTERNAL_H

#include "engine.h"
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "files.h"
#include "generate.h"
#include "abc_grammar.h"
#include "frame_sampler.h"
#include "modelio.h"
#include "pianoroll.h"
#include "score.h"
#include "tokset.h"

/* ---- the model file ---- */

struct engine_model {
    lj_model *lstm;    /* the network */
    encoding *enc;     /* its encoding, vocabulary frozen */
    char name[256];    /* file base name, for the status line */
    char encoding[MODELIO_ENCODING_MAX]; /* encoding name */
};

/* ---- the engine ---- */

/* The player's line (steer): how a held note's length enters the context. */
enum { LINE_NONE, LINE_HOLDS, LINE_DEFER };
#define ENGINE_DUR_TOKENS 24 /* notechord: durations of one pitch the vocabulary may hold */
#define ABC_LENGTHS 10       /* abc: entries of abc_lengths (engine_player.c) */

#define PENDING_MAX (4 * ENC_MAX_STEP_EVENTS)

typedef enum engine_state {
    STATE_GENERATING = 0, /* stepping the model */
    STATE_WAITING,        /* continue mode: no phrase yet, or the player is playing */
    STATE_ENDING,         /* engine_end: pushing the last events, then the panic */
    STATE_DONE            /* everything pushed */
} engine_state;

/* Published counters: the engine thread stores, anyone loads. */
typedef struct engine_counters {
    _Atomic uint64_t steps, primed_tokens, notes, events, dropped, record_dropped, panics, reseeds,
        phrases, phrase_errors, steered, steered_offs, steer_unencoded, onset_stalls, onsets_capped, keyed_answers, answers_moved, answer_finish_steps, answer_notes_moved, late_pushes, bad_tokens, unbanned, grammar_dead_ends, resyncs, last_frame, gen_frame,
        tempo_factor_micro, density_factor_micro, /* vary's factors * 1e6 (in force: the set value times it) */
        tempo_ccs_ignored, /* engine_apply_cc's own (any thread: added to, not stored) */
        vary_stopped;      /* ENGINE_VARY_* bits: the drifts a live control stopped */
    _Atomic uint64_t step_hist[ENGINE_STEP_BUCKETS];
} engine_counters;

/* One note of the player's phrase, in audio-clock frames. */
typedef struct phrase_note {
    uint64_t on, off; /* frames; off = 0 while held */
    uint8_t pitch, velocity;
} phrase_note;

struct engine {
    engine_model *model;
    const lj_model *lstm;
    engine_config cfg;
    lstm_state *state;      /* recurrent state, batch 1 */
    enc_decoder *dec;       /* tokens -> note events */
    float *probs;           /* (K) sampler scratch */
    int *idx;               /* (K) sampler scratch */
    float *work;            /* (K) logits after repetition control */
    float *saved;           /* (K) logits before the n-gram bans (restored when they ban all) */
    uint8_t *seen;          /* (K) repetition-penalty scratch, kept zero */
    int32_t *recent;        /* (2 * hist_keep) tokens since the last fresh start, newest last */
    size_t hist_n, hist_keep; /* tokens in hist; the window kept when it fills */
    uint64_t unbanned;      /* steps whose n-gram bans were lifted */
    abc_grammar *grammar;   /* abc tokens models (cfg.abc_grammar): what keeps the tune valid */
    abc_grammar_state gstate; /* where the tune stands (every token fed moves it) */
    uint8_t *gallowed;      /* (K) the grammar's mask of this step */
    uint64_t grammar_dead_ends; /* steps where the grammar allowed nothing (drawn unmasked) */
    double onset_window;    /* decoder time of the first note-on of the current
                               ENGINE_ONSET_WINDOW, s */
    int window_ons;         /* note-ons generated in that window */
    int onsets_banned;      /* ENGINE_MAX_ONSETS reached: until the decoder's time leaves the
                               window, note-starting tokens are banned (tokens), or the next
                               step is forced past it (psd) */
    uint64_t onset_stalls;  /* instants that reached ENGINE_MAX_ONSETS */
    uint64_t onsets_capped; /* abc: note-ons over ENGINE_MAX_ONSETS in the window, not played */
    int64_t struck_tick1[128]; /* 1 + the decoder tick of pitch p's last note-on played,
                                  while it sounds; 0 none (a note ended on that tick had no
                                  length: it does not count for note_limit) */
    uint8_t capped[128];    /* abc: 1 while pitch p's last note-on was not played (its
                               note-off, the decoder's next event of p, is not played either) */
    int caps_onsets;        /* abc: note-ons over ENGINE_MAX_ONSETS in the window are not
                               played (its tokens carry no pitch: nothing to ban) */
    int K;                  /* vocabulary size = softmax classes */
    lj_rng rng;
    lj_rng vary_rng;        /* cfg.vary's walks and program draws */
    double vary_w_tempo, vary_w_density; /* the walks, [-1, 1] */
    double tempo_factor, density_factor; /* 1 + vary.tempo * w, 2^(vary.density * w) */
    double tempo_set, density_set; /* the set values the last apply_controls read (BPM, d):
                              what vary's factors multiply within a fill */
    unsigned vary_stopped;  /* ENGINE_VARY_* bits: drifts a live control turned off */
    int program_now;        /* the model channel's program (cfg.program, then vary's), -1 unknown */
    enc_event step_ev[ENC_MAX_STEP_EVENTS]; /* one decoder step's output */
    frame_sampler *fs;      /* frame models (psd, pianoroll): draws a frame; NULL for tokens */
    float *frame;           /* frame models: the frame drawn (enc_frame_dim floats) */
    float *decoded;         /* pianoroll: the frame without the player's keys (the model's part) */
    signed char *observed;  /* pianoroll: (bits_width) the player's held keys clamped (1) or free (-1) */
    int bits_offset, bits_width; /* pianoroll: the keys field in a frame; width 0 = none */
    int bits_head;          /* pianoroll: the keys field's head (density biases its logits) */
    lj_event pending[PENDING_MAX];          /* held back until within the horizon, in order */
    size_t pend_head, pend_n;               /* FIFO: [pend_head, pend_head + pend_n) */

    engine_state st;
    double fps;             /* audio frames per decoder second (rate * tempo scale) */
    double enc_bpm;         /* the decoder's own tempo, BPM */
    double tempo;           /* tempo in force, BPM */
    double temperature;     /* temperature in force */
    uint64_t base_frame;    /* frame of decoder time base_time */
    double base_time;       /* decoder seconds at base_frame */
    double seed_time;       /* decoder seconds when the model last started afresh */
    double since_seed_s;    /* seconds of music since then at the tempos in force: auto's
                             * re-seed clock (decoder seconds are the model's own tempo's) */
    double since_seed_t;    /* the decoder time since_seed_s counts up to */
    uint64_t last_frame;    /* last frame pushed (frames never decrease) */
    int need_panic;         /* an event was lost or a panic was asked for: push one */
    int started;            /* the first fill happened (program sent, time based) */
    int paused;             /* pause in force */
    uint64_t panic_reqs_seen; /* engine_request_panic count handled */
    uint64_t note_limit;    /* stop after this many note-ons (0: none) */
    uint64_t notes_generated; /* note-ons generated (for note_limit) */
    int limit_reached;        /* note_limit reached: the last notes sound out */
    double limit_time;        /* the decoder's time then (s) */
    int limit_steps;          /* steps since */
    uint64_t answer_notes0;   /* respond: notes_generated when the answer began */
    uint64_t opening_until;   /* a start from nothing: until notes_generated reaches this the
                                 draws are at least ENGINE_OPENING_TEMPERATURE (draw_temperature) */

    /* continue mode */
    phrase_note phrase[ENGINE_PHRASE_MAX];
    size_t phrase_n;
    int player_held;        /* player's keys down */
    uint64_t player_last;   /* frame of the player's last event */
    double answer_seconds;  /* respond: length of the answer, decoder seconds */
    int answer_lo, answer_hi; /* respond: the answer's register (the last keyed one), in the
                                 model's pitches (the call's moved by answer_shift) */
    int finish_steps;       /* respond, abc: steps past the answer's end spent finishing a note
                               (answer_note_unfinished) */
    unsigned answer_scale;    /* respond: its pitch classes, bit 0 = C */
    int answer_shift;         /* respond, token models: semitones (a multiple of 12) the call
                                 was moved by into the model's pitches; the model's notes
                                 sound that much the other way (answer_octave_shift). Changes
                                 only with the decoder reset (nothing sounding) */

    int history_complete;   /* recent[] holds every token since the last reset (none moved out) */
    uint8_t model_held[128]; /* the model's notes pushed on and not yet off (its channel) */
    uint8_t *allowed;        /* (K) respond: the answer's key and register mask (gen_pitch_mask) */
    uint8_t pitch_allowed[128]; /* respond, frame models: the same mask by MIDI pitch (psd's
                                   pitch head; pianoroll's keys, forced off outside it) */
    uint8_t *starts_note;    /* (K) how many notes a token starts (0 none; density bias) */
    uint8_t *moves_time;     /* (K) event's "shift:N": N (time steps), else 0 (density scales them) */
    int32_t shift_tok[256];  /* event: the token "shift:N" for N, -1 none; max_shift the largest N */
    int max_shift;
    double density;          /* density in force */
    double density_time_share; /* the share s of density that is music time: the decoder's
                                  time runs v = 2^round(s log2 d) times as fast (fps / v)
                                  and the notes' odds take d / v (engine.c:
                                  density_time_share, density_speed). 1/2 on a token grid
                                  (timestep, notechord), 1 pianoroll; 0 where the
                                  model's own time is scaled (event shifts, psd steps) or
                                  density does not apply (abc) */
    double density_time;     /* the speed v in force, a power of two (the fps in force includes it) */
    double step_carry;       /* psd: scaled steps' rounding not yet played, in step classes
                                (a class step rounds; the next ones make it up) */
    int mask_on;             /* 1 while the mask applies (an answer) */
    int mask_abc;            /* abc: the mask is worked out at each step from where the
                                decoder stands (enc_abc_pitch_mask), not once per answer */
    int32_t note_tok[128][ENGINE_NOTE_TOKENS]; /* steer: the tokens that start pitch p */
    uint8_t note_tok_n[128];                   /* their count; 0 = the vocabulary cannot */
    int32_t off_tok[128];   /* steer, accompany: the token that ends pitch p (event's off:p), -1 none */
    uint8_t player_keys[128]; /* steer, accompany: the player's notes fed (or clamped) and not released */
    int n_player_keys;        /* their sum */
    /* steer: a held player note is the model's line, its length in the
     * encoding's own words (see "the player's line" below) */
    int line;                 /* LINE_NONE, LINE_HOLDS (timestep) or LINE_DEFER (notechord :D, abc) */
    int32_t hold_tok;         /* timestep's "_" */
    double line_until;        /* LINE_HOLDS: decoder time after which the model draws again */
    double line_step;         /* LINE_HOLDS: one grid step, decoder seconds */
    int line_keys;            /* LINE_DEFER: player keys down whose notes wait for their length */
    uint64_t line_on[128];    /* LINE_DEFER: frame + 1 of each such key's note-on, 0 none */
    int32_t dur_tok[128][ENGINE_DUR_TOKENS]; /* notechord :D: the one-note tokens of pitch p */
    float dur_q[128][ENGINE_DUR_TOKENS];     /* their durations, quarter notes */
    uint8_t dur_n[128];
    int32_t len_tok[ABC_LENGTHS][ENGINE_NOTE_TOKENS]; /* abc: the tokens that write abc_lengths[i] */
    uint8_t len_n[ABC_LENGTHS];               /* their count */
    uint8_t len_ok[ABC_LENGTHS];              /* 1 when the vocabulary can write it ("" always) */
    int32_t start_ids[2];   /* abc: what a fresh start feeds ("X:" for chars, "<s>" for
                               tokens, as lstmjam generate), so the model writes a tune */
    int n_start;

    uint64_t steps, primed, notes, events, dropped, rec_dropped, panics, reseeds, phrases, late;
    uint64_t phrase_errors, steered, steered_offs, steer_unencoded, keyed_answers, answers_moved;
    uint64_t answer_finish_steps, answer_notes_moved;
    uint64_t hist[ENGINE_STEP_BUCKETS];
    engine_counters pub;

    /* controls from other threads */
    _Atomic uint64_t ctl_temperature_milli;
    _Atomic uint64_t ctl_tempo_milli;   /* 0 = the encoding's own; stored with release
                                           after ctl_vary_off (read with acquire first) */
    _Atomic unsigned ctl_vary_off;      /* ENGINE_VARY_* bits: a live setter's value stands */
    _Atomic int ctl_paused;
    _Atomic uint64_t ctl_density_milli;
    _Atomic int ctl_mode;
    _Atomic uint64_t ctl_panic_reqs;

    /* the engine thread */
    pthread_t thread;
    int thread_running;
    int rt_priority, rt_refused; /* engine_thread_priority */
    _Atomic int stop_req;
    _Atomic int thread_done;            /* the thread pushed everything after a stop */
    engine_clock_fn clock;
    void *clock_user;
    uint64_t poll_ns;
};

/* ---- engine.c, for engine_player.c: the context and the time base ---- */

/* One token into the model: LSTM step, history, abc grammar. */
void engine_feed(engine *e, int32_t tok);
/* A new context: the history forgets, the abc grammar is outside a tune. */
void engine_history_reset(engine *e);
/* The decoder from time 0; the onset count starts again. */
void engine_decoder_reset(engine *e);
/* Moves the time base so decoder time `t` falls on `frame` (never before the
 * last frame pushed). */
void engine_rebase(engine *e, double t, uint64_t frame);
/* The model starts afresh here (seed_time = the decoder's time): auto's
 * re-seed clock restarts. */
void engine_mark_seed(engine *e);
/* The earliest frame an event made now may go at: clock + the schedule lead,
 * never before the last frame pushed (engine_config.schedule_lead_frames). */
uint64_t engine_earliest(const engine *e, uint64_t clock);
/* Where music started afresh now begins: clock + the look-ahead, or the
 * earliest frame when that is later. */
uint64_t engine_ahead(const engine *e, uint64_t clock);
/* Holds an event back until it is within the horizon (frames never decrease). */
void engine_hold_back(engine *e, lj_event ev);
/* Forgets every event held back. */
void engine_drop_pending(engine *e);

/* ---- engine_player.c, for engine.c: the player's notes ---- */

/* One event from the player's queue (note or CC), in the mode in force. */
void engine_player_event(engine *e, const lj_event *ev, uint64_t clock);
/* steer, accompany: the player's note `pitch` ends at `frame`. */
void engine_steer_off(engine *e, int pitch, uint64_t frame, uint64_t clock);
/* Cuts the model's music for the player (note-offs for its notes, not a
 * panic); returns the frame of the note-offs. */
uint64_t engine_end_model_notes(engine *e, uint64_t clock);
/* Forgets the player's held keys (a mode change, a panic). */
void engine_player_keys_clear(engine *e);
/* At creation: the tokens that start each pitch, end it, and write lengths. */
void engine_build_note_tokens(engine *e);
/* continue, respond: the player's phrase becomes the model's context. */
void engine_prime_with_phrase(engine *e, uint64_t clock);

#endif
