/* engine_player: the player's notes in each mode (see engine.h, "modes"):
 * continue and respond collect the player's phrase and prime the model with
 * it (respond keys the answer to the call); steer and accompany feed each
 * note into the model's context as it is played, steer with the player's line
 * (a held note's length in the encoding's own words). The engine's types are
 * in engine_internal.h; generation and the fill in engine.c. */
#include "engine_internal.h"

/* abc: the lengths a player's note is written with, in units of L (the
 * nearest one, by ratio, to the time it was held). */
static const struct abc_length {
    const char *text;
    double units;
} abc_lengths[] = {{"/4", 0.25}, {"/2", 0.5}, {"3/4", 0.75}, {"", 1}, {"3/2", 1.5}, {"2", 2},
                   {"3", 3},     {"4", 4},   {"6", 6},     {"8", 8}};
_Static_assert(sizeof abc_lengths / sizeof *abc_lengths == ABC_LENGTHS, "ABC_LENGTHS: engine_internal.h");

/* ---- continue mode: the player's phrase ---- */

static void steer(engine *e, int pitch, uint64_t frame, uint64_t clock);

void engine_player_event(engine *e, const lj_event *ev, uint64_t clock) {
    if (ev->kind == LJ_EV_CC) {
        engine_apply_cc(e, &e->cfg.cc, ev->data1, ev->data2);
        return;
    }
    if (e->cfg.mode == ENGINE_MODE_AUTO) return;
    int on = ev->kind == LJ_EV_NOTE_ON && ev->data2 > 0;
    int off = ev->kind == LJ_EV_NOTE_OFF || (ev->kind == LJ_EV_NOTE_ON && ev->data2 == 0);
    if (!on && !off) return;
    if (e->cfg.mode == ENGINE_MODE_STEER || e->cfg.mode == ENGINE_MODE_ACCOMPANY) {
        if (on) steer(e, ev->data1, ev->frame, clock);
        else engine_steer_off(e, ev->data1, ev->frame, clock);
        return;
    }
    e->player_last = ev->frame;
    if (on) {
        if (e->st == STATE_GENERATING) {
            engine_end_model_notes(e, clock); /* the player takes over at once */
            e->phrase_n = 0;
            e->st = STATE_WAITING;
        }
        if (e->st != STATE_WAITING) return;
        e->player_held++;
        if (e->phrase_n < ENGINE_PHRASE_MAX) {
            phrase_note *p = &e->phrase[e->phrase_n++];
            p->on = ev->frame;
            p->off = 0;
            p->pitch = ev->data1;
            p->velocity = ev->data2;
        }
        return;
    }
    if (e->player_held > 0) e->player_held--;
    for (size_t i = e->phrase_n; i-- > 0;)
        if (e->phrase[i].pitch == ev->data1 && e->phrase[i].off == 0) {
            e->phrase[i].off = ev->frame > e->phrase[i].on ? ev->frame : e->phrase[i].on + 1;
            break;
        }
}

/* Cuts the model's music for the player: what is held back goes, the decoder
 * forgets its sounding notes, and every model note queued and not yet ended
 * gets a note-off at the earliest frame its consumers still take in time
 * (clock + the schedule lead), or at the last frame queued when that is later
 * (frames never decrease): unlike a panic, the player's own notes sound on.
 * Returns that frame; music regenerated from it comes after these note-offs
 * in the queue, so a key the model strikes again there is ended first. */
uint64_t engine_end_model_notes(engine *e, uint64_t clock) {
    const uint64_t at = engine_earliest(e, clock);
    engine_drop_pending(e);
    enc_decoder_release(e->dec, e->step_ev); /* discarded (ended below); abc: the tune stays open */
    for (int k = 0; k < 128; k++)
        while (e->model_held[k]) {
            engine_hold_back(e, lj_event_note_off(at, e->cfg.channel, k));
            e->model_held[k]--;
        }
    return at;
}

/* The player's line (steer). Timestep, notechord and abc models read one
 * melody line in which a note's length is part of the line: timestep holds
 * ("_", one per grid step), notechord's ":D" suffix (token_durations=1), abc's
 * length after the letter. In steer mode a player's held note takes that line,
 * and its length goes into the context in the encoding's own words:
 *   timestep (LINE_HOLDS): the pitch token at the note-on, as before; then
 *     each model step while the key is down is "_" instead of a draw, so the
 *     context reads the note held for as many grid steps as the key was (the
 *     steps go on one step after the note-on: the pitch token is its first
 *     step; generation runs a look-ahead ahead, so the count can be one step
 *     over). The decoder's notes were cut at the note-on, so a hold sounds
 *     nothing: the model is silent while the player holds the line.
 *   notechord with token_durations (LINE_DEFER): the token names its
 *     duration, known at the release; so the note enters the context then, as
 *     the one-note token of its pitch whose duration is nearest (by ratio) the
 *     time held. The model was cut at the note-on and draws nothing meanwhile;
 *     it goes on from the release.
 *   abc, chars and tokens (LINE_DEFER): likewise, the letter and then the
 *     length in units of the tune's L: (the nearest of abc_lengths the
 *     vocabulary can write; "" for one unit) enter at the release.
 * A key held past ENGINE_PLAYER_HOLD_TIMEOUT counts as released then. Notechord
 * without durations has no word for a length (its decoder gives every note
 * the same one): unchanged. In accompany mode the model keeps its own line
 * (its part plays on, the point of the mode), and a second line cannot be
 * held in a one-line context, so these encodings get the note's start only
 * there, as before. */

/* The time held, in quarter notes of the model's music. */
static double held_quarters(const engine *e, uint64_t frames) {
    return (double)frames / e->fps * e->enc_bpm / 60.0;
}

/* LINE_DEFER: a released note (held `frames`) enters the context with its length. */
static void feed_line_note(engine *e, int pitch, uint64_t frames) {
    double q = held_quarters(e, frames);
    if (q <= 0) q = 1e-3;
    if (strcmp(enc_name(e->model->enc), "abc")) { /* notechord: the nearest duration */
        int best = 0;
        for (int i = 1; i < e->dur_n[pitch]; i++)
            if (fabs(log(e->dur_q[pitch][i] / q)) < fabs(log(e->dur_q[pitch][best] / q))) best = i;
        if (!e->dur_n[pitch]) return;
        engine_feed(e, e->dur_tok[pitch][best]);
        e->primed++;
    } else { /* abc: the letter, then the nearest length it can write */
        double unit = enc_abc_unit_quarters(e->dec), units = q / (unit > 0 ? unit : 0.5);
        size_t best = 3; /* "": one unit */
        for (size_t i = 0; i < ABC_LENGTHS; i++)
            if (e->len_ok[i] && fabs(log(abc_lengths[i].units / units)) < fabs(log(abc_lengths[best].units / units)))
                best = i;
        for (int i = 0; i < e->note_tok_n[pitch]; i++) engine_feed(e, e->note_tok[pitch][i]);
        for (int i = 0; i < e->len_n[best]; i++) engine_feed(e, e->len_tok[best][i]);
        e->primed += (uint64_t)(e->note_tok_n[pitch] + e->len_n[best]);
    }
    e->steered++;
    e->steered_offs++;
}

/* steer, accompany: the player's note enters the model's context now. In
 * steer mode the model's look-ahead is cut first (engine_end_model_notes) and
 * the music goes on from that frame, within one look-ahead of now, from the new
 * context (for the player's line: see above). In accompany mode the model's
 * part goes on untouched. The note's tokens go to the model only: the decoder
 * keeps the model's own timeline (the note already sounds, thru). */
static void steer(engine *e, int pitch, uint64_t frame, uint64_t clock) {
    if (e->st != STATE_GENERATING) return;
    int clamps = e->fs && e->bits_width && pitch >= PIANOROLL_LOWEST && pitch < PIANOROLL_LOWEST + e->bits_width;
    int defer = e->line == LINE_DEFER && e->cfg.mode == ENGINE_MODE_STEER;
    if (!clamps && (e->fs || !(defer && e->dur_n[pitch] ? 1 : e->note_tok_n[pitch]))) {
        e->steer_unencoded++;
        return;
    }
    if (e->cfg.mode == ENGINE_MODE_STEER) {
        uint64_t at = engine_end_model_notes(e, clock);
        engine_rebase(e, enc_decoder_time(e->dec), at);
    }
    if (defer) { /* enters at the release, with its length; the model waits */
        if (!e->line_on[pitch]) e->line_keys++;
        e->line_on[pitch] = frame + 1;
        return;
    }
    for (int i = 0; !clamps && i < e->note_tok_n[pitch]; i++) {
        engine_feed(e, e->note_tok[pitch][i]);
        e->primed++;
    }
    if (e->line == LINE_HOLDS && e->cfg.mode == ENGINE_MODE_STEER) {
        /* the pitch token is the note's first grid step; holds follow */
        double t = enc_decoder_time(e->dec);
        engine_rebase(e, t, e->base_frame + (uint64_t)llround(e->line_step * e->fps));
        e->line_until = t + ENGINE_PLAYER_HOLD_TIMEOUT * e->cfg.sample_rate / e->fps;
    }
    if (e->player_keys[pitch] < 255) e->player_keys[pitch]++, e->n_player_keys++;
    e->steered++;
}

/* steer, accompany: the player's note ends. An encoding with a token for
 * that (event's off:p) gets it in its context, so the model knows how long
 * the player held the note (its own time shifts between the two are the time
 * that passed); a pianoroll model stops seeing the key in its frames; the
 * player's line (steer: timestep's holds end, notechord's and abc's note
 * enters with its length, and the model goes on from here). Only for notes
 * whose start was taken; nothing is cut. */
void engine_steer_off(engine *e, int pitch, uint64_t frame, uint64_t clock) {
    if (e->line_on[pitch]) {
        uint64_t on = e->line_on[pitch] - 1;
        e->line_on[pitch] = 0;
        e->line_keys--;
        if (e->st != STATE_GENERATING) return;
        feed_line_note(e, pitch, frame > on ? frame - on : 1);
        if (!e->line_keys) engine_rebase(e, enc_decoder_time(e->dec), engine_earliest(e, clock));
        return;
    }
    if (!e->player_keys[pitch]) return;
    e->player_keys[pitch]--;
    e->n_player_keys--;
    if (e->st != STATE_GENERATING || e->fs) return;
    if (e->line == LINE_HOLDS && e->cfg.mode == ENGINE_MODE_STEER) {
        e->steered_offs++; /* the holds end */
        return;
    }
    if (e->off_tok[pitch] < 0) return;
    engine_feed(e, e->off_tok[pitch]);
    e->primed++;
    e->steered_offs++;
}

void engine_player_keys_clear(engine *e) {
    memset(e->player_keys, 0, sizeof e->player_keys);
    e->n_player_keys = 0;
    memset(e->line_on, 0, sizeof e->line_on);
    e->line_keys = 0;
}

/* The tokens that start one note of each pitch, for steer and accompany: a
 * token that starts that pitch alone (timestep's pitch, notechord's single
 * note, event's note-on); abc writes the note as ABC in C major with explicit
 * sharps (enc_score_abc's spelling): chars as its bytes, tokens as one token.
 * A pitch the vocabulary cannot write gets none (counted when played). */
void engine_build_note_tokens(engine *e) {
    const encoding *enc = e->model->enc;
    const vocab *v = enc_vocab(enc);
    for (int p = 0; p < 128; p++) e->off_tok[p] = -1;
    if (!strcmp(enc_name(enc), "event") && v) /* Performance RNN's note-off tokens */
        for (int p = 0; p < 128; p++) {
            char name[16];
            int len = snprintf(name, sizeof name, "off:%d", p);
            e->off_tok[p] = vocab_find(v, name, (size_t)len);
        }
    size_t V = vocab_size(v);
    for (int n = 0; n < 256; n++) e->shift_tok[n] = -1;
    e->max_shift = 0;
    for (size_t id = 0; id < V && !strcmp(enc_name(enc), "event"); id++) { /* "shift:N", N 1..255 */
        size_t len;
        const char *name = vocab_name(v, (int32_t)id, &len);
        if (!name || len < 7 || len > 9 || memcmp(name, "shift:", 6)) continue;
        int n = 0;
        for (size_t i = 6; i < len && n >= 0; i++) n = name[i] >= '0' && name[i] <= '9' ? n * 10 + name[i] - '0' : -1;
        if (n < 1 || n > 255) continue;
        e->moves_time[id] = (uint8_t)n;
        e->shift_tok[n] = (int32_t)id;
        if (n > e->max_shift) e->max_shift = n;
    }
    for (size_t id = 0; id < V; id++) {
        uint8_t p[8];
        int np = enc_token_pitches(enc, (int32_t)id, p, sizeof p);
        e->starts_note[id] = (uint8_t)(np > 0 ? np : 0);
        if (np == 1 && !e->note_tok_n[p[0]]) {
            e->note_tok[p[0]][0] = (int32_t)id;
            e->note_tok_n[p[0]] = 1;
        }
    }
    e->line = LINE_NONE;
    if (!strcmp(enc_name(enc), "timestep") && (e->hold_tok = vocab_find(v, "_", 1)) >= 0) {
        e->line = LINE_HOLDS;
        /* a grid step in decoder seconds */
        e->line_step = (double)enc_options(enc)->grid / SCORE_PPQ * 60.0 / e->enc_bpm;
    }
    if (!strcmp(enc_name(enc), "notechord") && enc_options(enc)->with_durations) {
        for (size_t id = 0; id < V; id++) { /* "E4:1.5", "E4:1/3": one pitch and a duration */
            uint8_t p[8];
            size_t len;
            const char *name = vocab_name(v, (int32_t)id, &len);
            const char *colon = name ? memchr(name, ':', len) : NULL;
            if (!colon || enc_token_pitches(enc, (int32_t)id, p, sizeof p) != 1 || e->dur_n[p[0]] >= ENGINE_DUR_TOKENS)
                continue;
            char d[32];
            size_t dl = len - (size_t)(colon + 1 - name);
            if (dl == 0 || dl >= sizeof d) continue;
            memcpy(d, colon + 1, dl);
            d[dl] = 0;
            char *end;
            double q = strtod(d, &end), den = 1;
            if (*end == '/') den = strtod(end + 1, &end);
            if (*end || !(q > 0) || !(den > 0)) continue;
            e->dur_tok[p[0]][e->dur_n[p[0]]] = (int32_t)id;
            e->dur_q[p[0]][e->dur_n[p[0]]++] = (float)(q / den);
            e->line = LINE_DEFER;
        }
    }
    if (strcmp(enc_name(enc), "abc")) return;
    e->line = LINE_DEFER;
    for (size_t i = 0; i < ABC_LENGTHS; i++) { /* the lengths the vocabulary can write */
        const char *t = abc_lengths[i].text;
        size_t n = strlen(t);
        e->len_ok[i] = 1;
        if (enc_options(enc)->abc_variant == ENC_ABC_CHARS) {
            for (size_t k = 0; k < n && e->len_ok[i]; k++)
                if ((e->len_tok[i][k] = vocab_find(v, t + k, 1)) < 0) e->len_ok[i] = 0;
            e->len_n[i] = (uint8_t)n;
        } else if (n) {
            e->len_ok[i] = (e->len_tok[i][0] = vocab_find(v, t, n)) >= 0;
            e->len_n[i] = 1;
        }
    }
    static const char *const names[12] = {"C", "^C", "D", "^D", "E", "F", "^F", "G", "^G", "A", "^A", "B"};
    const int chars = enc_options(enc)->abc_variant == ENC_ABC_CHARS;
    for (int pitch = 0; pitch < 128; pitch++) {
        char text[16];
        const char *n = names[pitch % 12];
        int octave = pitch / 12 - 5; /* 0: C4..B4 (upper case), 1: c5.. (lower case) */
        size_t len = 0;
        for (const char *c = n; *c; c++) text[len++] = octave >= 1 && *c != '^' ? (char)(*c + 32) : *c;
        for (int o = octave; o > 1 && len < 12; o--) text[len++] = '\'';
        for (int o = octave; o < 0 && len < 12; o++) text[len++] = ',';
        if (len > ENGINE_NOTE_TOKENS) continue;
        if (chars) {
            int ok = 1;
            for (size_t i = 0; i < len && ok; i++) {
                int32_t id = vocab_find(v, text + i, 1);
                if (id < 0) ok = 0;
                else e->note_tok[pitch][i] = id;
            }
            if (ok) e->note_tok_n[pitch] = (uint8_t)len;
        } else {
            int32_t id = vocab_find(v, text, len);
            if (id >= 0) {
                e->note_tok[pitch][0] = id;
                e->note_tok_n[pitch] = 1;
            }
        }
    }
}

/* respond: the call's register, its lowest to highest note, 2 semitones more
 * each way and at least an octave wide, into *lo, *hi (MIDI, as played). */
static void call_register(const engine *e, int *lo, int *hi) {
    int l = 127, h = 0;
    for (size_t i = 0; i < e->phrase_n; i++) {
        int p = e->phrase[i].pitch;
        l = p < l ? p : l;
        h = p > h ? p : h;
    }
    l -= 2;
    h += 2;
    while (h - l < 12) l--, h++;
    *lo = l < 0 ? 0 : l;
    *hi = h > 127 ? 127 : h;
}

/* respond, token models: the semitones, a multiple of 12, to move the call
 * by into the pitches the model's vocabulary can write, its answer moving
 * back by as much (e->answer_shift: hold_back_step), so that a call below or
 * above the model's range is answered in its own register from the call
 * itself. 0 when the vocabulary writes at least half the pitches of the
 * call's register as single notes (note_tok_n, engine_build_note_tokens);
 * else the shift of up to 4 octaves either way whose register it covers
 * most, the nearest of those. A call of 36..43 to essen-timestep (pitches
 * 43..86 but 44 and 46) was not written into the model's context
 * (phrase_errors) and the mask left it G2 and A2, which it never chose: 12
 * silent answers of 12. */
static int answer_octave_shift(const engine *e, int lo, int hi) {
    int best = 0, best_covered = -1;
    for (int k = 0; k <= 8; k++) { /* 0, +12, -12, +24, -24, ... +48, -48 */
        const int shift = (k + 1) / 2 * 12 * (k % 2 ? 1 : -1);
        int covered = 0;
        for (int p = lo + shift; p <= hi + shift; p++) covered += p >= 0 && p <= 127 && e->note_tok_n[p] > 0;
        if (k == 0 && 2 * covered >= hi - lo + 1) return 0;
        if (covered > best_covered) best = shift, best_covered = covered;
    }
    return best;
}

/* respond: the answer keeps to the call's key and register. The key is the
 * Krumhansl-Schmuckler estimate of the call (enc_estimate_key), its scale
 * widened by every pitch class the call played; the register is the call's
 * (call_register), moved by e->answer_shift into a token model's pitches.
 * The mask is gen_pitch_mask's (what generate --key/--pitch-range use), or
 * for abc models, whose tokens carry no pitch of their own, the decoder's
 * at each step (enc_abc_pitch_mask, as generate masks abc); for frame models
 * the same pitches by MIDI number (pitch_allowed: psd's pitch head is masked,
 * pianoroll's keys outside are forced off; engine_step_frame); none for a
 * mask that would leave no note. */
static void key_the_answer(engine *e, const score *call) {
    int lo, hi;
    unsigned pcs = 0;
    for (size_t i = 0; i < e->phrase_n; i++) pcs |= 1u << (e->phrase[i].pitch % 12);
    call_register(e, &lo, &hi);
    lo += e->answer_shift;
    hi += e->answer_shift;
    int tonic, mode;
    enc_estimate_key(call, 0, &tonic, &mode);
    unsigned scale = gen_key_scale(tonic, mode == SCORE_MODE_MINOR) | pcs;
    e->mask_abc = !strcmp(enc_name(e->model->enc), "abc");
    int frame_notes = 0; /* frame models: the pitches allowed that the model can play */
    for (int p = 0; e->fs && p < 128; p++) {
        e->pitch_allowed[p] = (uint8_t)(p >= lo && p <= hi && (scale >> (p % 12) & 1u));
        frame_notes += e->pitch_allowed[p] &&
                       (!e->bits_width || (p >= PIANOROLL_LOWEST && p < PIANOROLL_LOWEST + e->bits_width));
    }
    if (e->fs ? frame_notes > 0 : e->mask_abc || gen_pitch_mask(e->model->enc, lo, hi, scale, e->allowed) > 0) {
        e->mask_on = 1;
        e->keyed_answers++;
        e->answer_lo = lo;
        e->answer_hi = hi;
        e->answer_scale = scale;
    }
}

/* The phrase, encoded with the model's encoding, becomes the model's context;
 * generation resumes a look-ahead from now. Allocates (once per phrase). */
void engine_prime_with_phrase(engine *e, uint64_t clock) {
    score *s = score_create();
    tokset ts;
    memset(&ts, 0, sizeof ts);
    frameset fs; /* frame models: the phrase's frames */
    memset(&fs, 0, sizeof fs);
    int ok = s != NULL;
    /* The exact inverse of playback (frame_of: frame = base + seconds * fps):
     * a frame is 1 / fps of the decoder's seconds, and the phrase's score
     * keeps the decoder's tempo (enc_decoder_us_per_qn), so a quarter note
     * played at the tempo in force (--tempo, CC, clock, auto's vary) is a
     * quarter note of the model's music, in ticks (timestep, notechord, abc)
     * and in seconds (event, psd) alike. */
    const uint32_t us_per_qn = enc_decoder_us_per_qn(e->dec);
    const double ticks_per_frame = SCORE_PPQ * 1e6 / us_per_qn / e->fps; /* ticks at us_per_qn */
    uint64_t first = e->phrase_n ? e->phrase[0].on : 0, last = first;
    for (size_t i = 0; i < e->phrase_n; i++) {
        uint64_t off = e->phrase[i].off ? e->phrase[i].off : clock;
        if (off > last) last = off;
    }
    /* The call's length in the model's music time (the tempo scales it). */
    e->answer_seconds = (double)(last - first) / e->fps;
    /* respond, token models: the call moved by octaves into the model's pitches */
    int shift = 0;
    if (e->cfg.mode == ENGINE_MODE_RESPOND && e->cfg.respond_in_key && e->phrase_n && !e->fs) {
        int lo, hi;
        call_register(e, &lo, &hi);
        shift = answer_octave_shift(e, lo, hi);
    }
    size_t part = 0;
    if (ok) ok = score_add_tempo(s, 0, us_per_qn) == LJ_OK && score_add_part(s, "player", 0, 0, &part) == LJ_OK;
    for (size_t i = 0; ok && i < e->phrase_n; i++) {
        const phrase_note *p = &e->phrase[i];
        uint64_t off = p->off ? p->off : clock;
        score_note n;
        memset(&n, 0, sizeof n);
        n.onset = (int64_t)llround((double)(p->on - first) * ticks_per_frame);
        n.duration = (int64_t)llround((double)(off - p->on) * ticks_per_frame);
        if (n.duration < 1) n.duration = 1;
        const int pitch = p->pitch + shift;
        n.pitch = (uint8_t)(pitch < 0 ? 0 : pitch > 127 ? 127 : pitch);
        n.velocity = p->velocity ? p->velocity : 64;
        n.part = (uint16_t)part;
        ok = score_add_note(s, &n) == LJ_OK;
    }
    char err[256];
    if (ok && e->phrase_n) {
        score_sort(s);
        /* Encoding reads the frozen vocabulary only (Thread: see encoding.h).
         * An abc model continues the phrase's melody written as an open ABC
         * tune (header, bars, no end), as generate does with a MIDI primer. */
        encoding *enc = (encoding *)engine_model_enc(e->model);
        if (!strcmp(enc_name(enc), "abc")) {
            char *text = NULL;
            size_t len = 0;
            ok = enc_score_abc(enc, s, 1, &text, &len) == LJ_OK &&
                 enc_encode_text(enc, text, len, "phrase", 1, &ts, NULL, err, sizeof err) == LJ_OK;
            free(text);
        } else if (e->fs) {
            ok = frameset_init(&fs, enc_frame_dim(enc)) == LJ_OK &&
                 enc_encode_frames(enc, s, &fs, NULL, err, sizeof err) == LJ_OK;
        } else {
            ok = enc_encode(enc, s, &ts, NULL, err, sizeof err) == LJ_OK;
        }
        if (!ok || (e->fs ? fs.n_frames : ts.n_ids) == 0) e->phrase_errors++;
    }
    lstm_state_reset(e->state);
    int32_t none = -1;
    /* the first input is a zero vector, except for a frame model given a
     * phrase: its pieces start at their first frame (as trained) */
    if (!(e->fs && ok && fs.n_frames)) {
        if (e->fs) frame_sampler_feed(e->fs, e->state, NULL);
        else lstm_step(e->lstm, e->state, &none, NULL);
    }
    engine_history_reset(e);
    engine_decoder_reset(e);
    e->answer_shift = shift; /* with the decoder's reset: nothing of it sounds */
    e->answers_moved += shift != 0;
    /* The phrase goes through the model and through the decoder (its events
     * are the player's, already heard: discarded), so the decoder knows what
     * the model knows: an abc tune's header and bar, event's velocity. */
    for (size_t i = 0; ok && e->fs && i < fs.n_frames; i++) {
        const float *f = fs.values + i * fs.dim;
        enc_decoder_step_frame(e->dec, f, e->step_ev);
        frame_sampler_feed(e->fs, e->state, f);
        e->primed++;
    }
    if (ok)
        for (size_t i = 0; i < ts.n_ids; i++) {
            int32_t tok = ts.ids[i];
            enc_decoder_step(e->dec, tok, e->step_ev);
            engine_feed(e, tok);
            e->primed++;
        }
    /* the phrase's notes: discarded; abc: the tune stays open, the model writes on in it */
    enc_decoder_release(e->dec, e->step_ev);
    tokset_free(&ts);
    e->mask_on = 0;
    if (e->cfg.mode == ENGINE_MODE_RESPOND && e->cfg.respond_in_key && e->phrase_n)
        key_the_answer(e, s);
    frameset_free(&fs);
    score_destroy(s);
    engine_mark_seed(e);
    e->opening_until = 0; /* the phrase is the context: its answer is drawn at the set temperature */
    e->answer_notes0 = e->notes_generated;
    engine_rebase(e, e->seed_time, engine_ahead(e, clock));
    e->phrase_n = 0;
    e->phrases++;
    e->st = STATE_GENERATING;
}
