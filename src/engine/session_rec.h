/* session_rec: the session recording of lstmjam play and render.
 *
 * Every event the engine pushes to the audio side (and every note of the
 * player, MIDI thru) also goes into a record queue (dsp/rtq, lj_event); the
 * control thread drains those queues into a session_rec, which pairs note-ons
 * with note-offs into a Score (one part per source: "lstmjam" for the model,
 * "player" for the MIDI input) and writes it as a Standard MIDI File at the
 * end. Frames become ticks at 120 BPM (960 ticks per second at 480 PPQ).
 *
 * Pairing follows the audio side's held-note table (dsp/voice), so the file
 * says what was heard: a note-off of a key not held is ignored; a second
 * note-on of a held key ends the first note there and starts the new one on
 * the same tick, written note-off first (MIDI files cannot nest notes of one
 * key: a reader pairing first in first out, or a synth releasing every voice
 * of the key at the first note-off, would cut the later note short); the
 * key's note then sounds until the last of its overlapping note-offs, as the
 * held count says; a note that would end on its own onset tick (shorter than
 * one tick, ~1 ms: "on:77 on:77" from a model, decoded as on, off, on in one
 * frame) is dropped, never stretched over the next note of its key; panic,
 * all-notes-off and CC 120/123 end the notes they release, and put a bend or
 * channel pressure left in force back to rest (centre, 0) as the audio side
 * does, and a sustain or sostenuto pedal left down goes up (dsp/voice sends
 * both pedals up at every release); the player's pitch bends, channel and
 * key pressures and controllers (MIDI thru: sustain, mod wheel, expression...;
 * not the ones that drive the instrument, which midi_route keeps from the
 * recording) are written as played (score_ctl); at the end
 * (session_rec_finish) every note still open ends at the final frame. Thread:
 * control (all). */
#ifndef LJ_SESSION_REC_H
#define LJ_SESSION_REC_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "rtq.h"
#include "score.h"

#define SESSION_REC_PARTS 2 /* 0: the model ("lstmjam"), 1: the player ("player") */

typedef struct session_rec session_rec;

int session_rec_create(double sample_rate, session_rec **out, char *err, size_t errlen);
void session_rec_destroy(session_rec *r); /* NULL is a no-op */

/* The sample rate changes at `frame` (play restarted its stream at another
 * rate, the frame count going on): frames from there become ticks at the new
 * rate, so the file's times stay seconds. LJ_ERR_ARG for a rate <= 0. */
int session_rec_set_rate(session_rec *r, uint64_t frame, double sample_rate);

/* Takes one event of source `part` (0 model, 1 player). LJ_ERR_NOMEM only. */
int session_rec_add(session_rec *r, int part, const lj_event *ev);
/* Pops every event waiting in q into the recording. LJ_ERR_NOMEM only. */
int session_rec_drain(session_rec *r, int part, rtq *q);

/* Also writes every event taken from now on to `f` (a FILE *, or NULL: no
 * more), one line each: "FRAME SOURCE KIND CHANNEL DATA1 DATA2", SOURCE model
 * or player, KIND note_on, note_off, cc, program, all_notes_off, panic,
 * pitch_bend (DATA1 low 7 bits, DATA2 high), channel_pressure, key_pressure, FRAME
 * the event's sample frame as scheduled (play --event-log: the benchmark
 * compares MIDI out's capture with it). The caller owns f. */
void session_rec_log_to(session_rec *r, void *f);

/* Ends every open note at frame `end` (one starting on end's tick is dropped). */
void session_rec_finish(session_rec *r, uint64_t end);

/* Notes recorded per part (open ones included, dropped ones not), and notes
 * still open. */
size_t session_rec_notes(const session_rec *r, int part);
size_t session_rec_open(const session_rec *r);
/* The recording so far (owned by r). */
const score *session_rec_score(const session_rec *r);

/* Writes the recording as MIDI, atomically (nothing at path on failure). */
int session_rec_write(const session_rec *r, const char *path, char *err, size_t errlen);
/* The same into f, opened (lj_atomic_open) before the session so that a path
 * that cannot be written is refused at the start, not after the music:
 * writes, then commits (rename); on failure aborts (nothing at the path). */
struct lj_atomic_file;
int session_rec_commit(const session_rec *r, struct lj_atomic_file *f, char *err, size_t errlen);

#endif
