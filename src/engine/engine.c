/* engine: model steps to timed events: generation, controls and the fill (see
 * engine.h; its types are in engine_internal.h, the player's notes in each
 * mode in engine_player.c, loading a model in engine_model.c, the thread in
 * engine_thread.c). */
#include "engine_internal.h"

/* ---- the engine ---- */

static int plays_on(engine_mode m) {
    return m == ENGINE_MODE_AUTO || m == ENGINE_MODE_STEER || m == ENGINE_MODE_ACCOMPANY;
}
static void fresh_start(engine *e);

static void put(_Atomic uint64_t *a, uint64_t v) { atomic_store_explicit(a, v, memory_order_relaxed); }
static uint64_t get(const _Atomic uint64_t *a) {
    return atomic_load_explicit((_Atomic uint64_t *)a, memory_order_relaxed);
}

void engine_config_default(engine_config *c) {
    memset(c, 0, sizeof *c);
    c->sample_rate = 48000;
    c->lookahead_frames = 512;
    c->sampler.temperature = 1.0f;
    c->sampler.top_k = 0;
    c->sampler.top_p = 1.0f;
    c->seed = 1;
    c->tempo_bpm = 0;
    c->channel = 0;
    c->program = 0;
    c->mode = ENGINE_MODE_AUTO;
    c->reseed_seconds = 60;
    c->phrase_gap_seconds = 0.6;
    c->max_steps_per_fill = 256;
    c->respond_in_key = 1;
    c->abc_grammar = 1;
    c->density = 1;
    engine_cc_map_default(&c->cc);
    c->repetition_penalty = 1.0f;
    c->penalty_window = 64;
    c->no_repeat_ngram = 0;
    c->ngram_window = 512;
}

/* The step-time histogram is dsp/time_hist's (the audio callback's times use
 * the same); these keep the engine's names for it. */
int engine_step_bucket(uint64_t ns) { return time_hist_bucket(ns); }

uint64_t engine_bucket_ns(int b) { return time_hist_bucket_ns(b); }

uint64_t engine_hist_quantile(const uint64_t *hist, double q) { return time_hist_quantile(hist, q); }

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* How density d splits between the model's choices and time (the share s of
 * d that is time: engine_internal.h's density_time_share). A model whose
 * every token or frame is one grid step (timestep's 16ths, notechord's 8ths,
 * pianoroll's quarters) has a ceiling on the notes it can start in a second:
 * jsb-pianoroll at 72 BPM draws 36 frames in 30 s, its four voices 86 notes
 * there (seeds 1-3), so the keys' odds alone gave 1.7x at d = 4 (bias
 * 1.39 = log 4), and 2.3x with the bias tripled (and fewer than a quarter of
 * the notes at 0.25); notechord reached 2.6x (chords) and 0.63x (its rest
 * tokens are rare). So on a token grid d is about half odds, half time
 * (s = 1/2: 0.25: half speed, odds 1/2; 4: double speed, odds 2), the speed
 * rounded to a power of two (density_speed). pianoroll: s = 1, the speed the
 * power of two nearest d and the odds d / v (0.71..1.41) in between, as its
 * keys answer the odds least (NADE keeps its four voices: at double speed and
 * odds 2 it reached only 2.6-2.7x at d = 4; at 4x speed 4.0x, still at most
 * 4 keys sounding). event and psd draw their time, and it is scaled whole
 * (density_shift, density_scale_step); event's note-ons also take the whole
 * bias (it measured in range: 0.26x / 3.1x); abc: no density. The
 * measurements: tools/density_sweep.sh. */
static double density_time_share(const engine *e) {
    if (e->max_shift > 0 || !engine_model_density_applies(e->model)) return 0;
    if (enc_kind_of(e->model->enc) == ENC_KIND_FRAMES) return e->bits_width ? 1 : 0; /* pianoroll; psd */
    return 0.5;
}

/* The grid's speed for density d: 2^round(s log2 d), a power of two (double
 * time, half time, ...), never d^s itself: the grid's steps then stay on the
 * set tempo's beats, so the player's beat, a DAW following our MIDI clock and
 * a MIDI clock we follow all stay in time with the music (d^s at d = 4 on
 * pianoroll, 2.52x, drifted off every beat). The notes' odds take the rest of
 * d (d / speed), so d still counts whole. */
static double density_speed(const engine *e) {
    if (e->density_time_share == 0 || e->density == 1) return 1;
    return ldexp(1.0, (int)lround(e->density_time_share * log2(e->density)));
}

int engine_create(engine_model *m, const engine_config *c, engine **out, char *err, size_t errlen) {
    *out = NULL;
    if (!m || !c) return lj_fail(err, errlen, LJ_ERR_ARG, "engine: no model or no configuration");
    if (!c->out) return lj_fail(err, errlen, LJ_ERR_ARG, "engine: no output queue");
    if (!(c->sample_rate >= 8000 && c->sample_rate <= 192000))
        return lj_fail(err, errlen, LJ_ERR_ARG, "sample rate %g Hz: expected 8000..192000", c->sample_rate);
    if (c->lookahead_frames < 1 ||
        (double)c->lookahead_frames > ENGINE_MAX_LOOKAHEAD_SECONDS * c->sample_rate)
        return lj_fail(err, errlen, LJ_ERR_ARG, "look-ahead %llu frames: expected 1..%g s",
                       (unsigned long long)c->lookahead_frames, ENGINE_MAX_LOOKAHEAD_SECONDS);
    if ((double)c->schedule_lead_frames > ENGINE_MAX_LOOKAHEAD_SECONDS * c->sample_rate)
        return lj_fail(err, errlen, LJ_ERR_ARG, "schedule lead %llu frames: expected 0..%g s",
                       (unsigned long long)c->schedule_lead_frames, ENGINE_MAX_LOOKAHEAD_SECONDS);
    if (!(c->sampler.temperature >= 0 && c->sampler.temperature <= ENGINE_MAX_TEMPERATURE))
        return lj_fail(err, errlen, LJ_ERR_ARG, "temperature %g: expected 0..%g",
                       (double)c->sampler.temperature, ENGINE_MAX_TEMPERATURE);
    if (c->sampler.top_k < 0 || !(c->sampler.top_p > 0 && c->sampler.top_p <= 1))
        return lj_fail(err, errlen, LJ_ERR_ARG, "top-k %d / top-p %g: expected k >= 0, 0 < p <= 1",
                       c->sampler.top_k, (double)c->sampler.top_p);
    if (c->tempo_bpm != 0 && !(c->tempo_bpm >= ENGINE_MIN_TEMPO && c->tempo_bpm <= ENGINE_MAX_TEMPO))
        return lj_fail(err, errlen, LJ_ERR_ARG, "tempo %g BPM: expected %g..%g", c->tempo_bpm,
                       ENGINE_MIN_TEMPO, ENGINE_MAX_TEMPO);
    if (c->channel < 0 || c->channel > 15 || c->program < -1 || c->program > 127)
        return lj_fail(err, errlen, LJ_ERR_ARG, "channel %d / program %d: expected 0..15 / -1..127",
                       c->channel, c->program);
    if (!(c->reseed_seconds >= 0) || !(c->phrase_gap_seconds > 0 && c->phrase_gap_seconds <= 60))
        return lj_fail(err, errlen, LJ_ERR_ARG, "reseed %g s / phrase gap %g s: expected >= 0 / (0, 60]",
                       c->reseed_seconds, c->phrase_gap_seconds);
    if (!(c->repetition_penalty >= 1 && c->repetition_penalty <= 100) || c->penalty_window < 1 ||
        c->penalty_window > ENGINE_MAX_HISTORY || c->no_repeat_ngram < 0 || c->no_repeat_ngram > 64 ||
        c->ngram_window < 1 || c->ngram_window > ENGINE_MAX_HISTORY)
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "repetition penalty %g (window %d) / no-repeat n-gram %d (window %d): expected "
                       "1..100 (1..%d) / 0..64 (1..%d)",
                       (double)c->repetition_penalty, c->penalty_window, c->no_repeat_ngram,
                       c->ngram_window, ENGINE_MAX_HISTORY, ENGINE_MAX_HISTORY);
    if (!(c->density >= ENGINE_MIN_DENSITY && c->density <= ENGINE_MAX_DENSITY))
        return lj_fail(err, errlen, LJ_ERR_ARG, "density %g: expected %g..%g", c->density,
                       ENGINE_MIN_DENSITY, ENGINE_MAX_DENSITY);
    if (c->max_steps_per_fill < 1)
        return lj_fail(err, errlen, LJ_ERR_ARG, "max steps per fill %d: expected >= 1", c->max_steps_per_fill);
    if (!(c->vary.tempo >= 0 && c->vary.tempo <= 0.5) || !(c->vary.density >= 0 && c->vary.density <= 2) ||
        c->vary.n_programs < 0 || c->vary.n_programs > ENGINE_MAX_VARY_PROGRAMS)
        return lj_fail(err, errlen, LJ_ERR_ARG, "vary: tempo %g / density %g / %d programs: expected "
                       "0..0.5 / 0..2 / 0..%d", c->vary.tempo, c->vary.density, c->vary.n_programs,
                       ENGINE_MAX_VARY_PROGRAMS);
    for (int i = 0; i < c->vary.n_programs; i++)
        if (c->vary.programs[i] < 0 || c->vary.programs[i] > 127)
            return lj_fail(err, errlen, LJ_ERR_ARG, "vary: program %d: expected 0..127", c->vary.programs[i]);
    if ((int)c->mode < 0 || (int)c->mode >= ENGINE_MODES)
        return lj_fail(err, errlen, LJ_ERR_ARG, "mode %d: unknown", (int)c->mode);

    engine *e = calloc(1, sizeof *e);
    if (!e) return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    e->model = m;
    e->lstm = m->lstm;
    e->cfg = *c;
    e->K = lj_model_get_config(m->lstm)->heads[0].size;
    int rc = LJ_OK;
    e->probs = malloc((size_t)e->K * sizeof *e->probs);
    e->idx = malloc((size_t)e->K * sizeof *e->idx);
    e->work = malloc((size_t)e->K * sizeof *e->work);
    e->allowed = malloc((size_t)e->K);
    e->starts_note = calloc((size_t)e->K, 1);
    e->moves_time = calloc((size_t)e->K, 1);
    e->saved = malloc((size_t)e->K * sizeof *e->saved);
    e->seen = calloc((size_t)e->K, 1);
    e->hist_keep = (size_t)(c->penalty_window > c->ngram_window ? c->penalty_window : c->ngram_window);
    e->recent = malloc(2 * e->hist_keep * sizeof *e->recent);
    if (!e->probs || !e->idx || !e->work || !e->allowed || !e->starts_note || !e->moves_time || !e->saved || !e->seen || !e->recent) {
        rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if ((rc = lstm_state_create(&e->state, m->lstm, 1, err, errlen))) goto fail;
    if (c->abc_grammar && !strcmp(enc_name(m->enc), "abc") &&
        enc_options(m->enc)->abc_variant == ENC_ABC_TOKENS) {
        if ((rc = abc_grammar_create(enc_vocab(m->enc), c->abc_grammar >= 2 ? ABC_GRAMMAR_METER : 0, &e->grammar,
                                     err, errlen)))
            goto fail;
        if (!(e->gallowed = malloc((size_t)e->K))) {
            rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
            goto fail;
        }
        abc_grammar_reset(e->grammar, &e->gstate);
    }
    if ((rc = enc_decoder_create(m->enc, &e->dec, err, errlen))) goto fail;
    e->caps_onsets = !strcmp(enc_name(m->enc), "abc");
    if (enc_kind_of(m->enc) == ENC_KIND_FRAMES) {
        if (c->repetition_penalty != 1.0f || c->no_repeat_ngram > 0) {
            rc = lj_fail(err, errlen, LJ_ERR_ARG,
                         "repetition penalty / no-repeat n-gram act on tokens; a %s model draws frames",
                         enc_name(m->enc));
            goto fail;
        }
        if ((rc = frame_sampler_create(&e->fs, m->lstm, m->enc, NULL, err, errlen))) goto fail;
        if (!(e->frame = calloc(enc_frame_dim(m->enc), sizeof *e->frame)) ||
            !(e->decoded = calloc(enc_frame_dim(m->enc), sizeof *e->decoded))) {
            rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
            goto fail;
        }
        /* pianoroll: the player's held keys are clamped into the keys field */
        for (int i = 0; i < enc_frame_num_fields(m->enc) && !strcmp(enc_name(m->enc), "pianoroll"); i++) {
            const enc_field *f = enc_frame_field(m->enc, i);
            if (f->kind != ENC_FIELD_BITS) continue;
            e->bits_offset = f->offset;
            e->bits_width = f->width;
            e->bits_head = i;
            if (!(e->observed = malloc((size_t)f->width))) {
                rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
                goto fail;
            }
            break;
        }
    }
    lj_rng_seed(&e->rng, c->seed);
    lj_rng_seed(&e->vary_rng, c->seed ^ 0x9E3779B97F4A7C15u);
    e->tempo_factor = e->density_factor = 1;
    atomic_init(&e->ctl_vary_off, 0);
    atomic_init(&e->pub.vary_stopped, 0);
    e->program_now = c->program;
    e->enc_bpm = 60e6 / (double)enc_decoder_us_per_qn(e->dec);
    e->tempo = c->tempo_bpm > 0 ? c->tempo_bpm : e->enc_bpm;
    e->temperature = c->sampler.temperature;
    e->tempo_set = e->tempo;
    e->density_set = c->density;
    e->fps = c->sample_rate * e->enc_bpm / e->tempo; /* density's time part: below */
    e->st = plays_on(c->mode) ? STATE_GENERATING : STATE_WAITING;
    atomic_init(&e->ctl_temperature_milli, (uint64_t)llround(e->temperature * 1000));
    atomic_init(&e->ctl_tempo_milli, (uint64_t)llround(e->tempo * 1000));
    atomic_init(&e->pub.tempo_factor_micro, 1000000);
    atomic_init(&e->pub.density_factor_micro, 1000000);
    atomic_init(&e->ctl_paused, 0);
    atomic_init(&e->ctl_density_milli, (uint64_t)llround(c->density * 1000));
    atomic_init(&e->ctl_mode, (int)c->mode);
    e->density = c->density;
    atomic_init(&e->ctl_panic_reqs, 0);
    atomic_init(&e->stop_req, 0);
    atomic_init(&e->thread_done, 0);
    engine_counters *p = &e->pub;
    atomic_init(&p->steps, 0);
    atomic_init(&p->primed_tokens, 0);
    atomic_init(&p->notes, 0);
    atomic_init(&p->events, 0);
    atomic_init(&p->dropped, 0);
    atomic_init(&p->record_dropped, 0);
    atomic_init(&p->panics, 0);
    atomic_init(&p->reseeds, 0);
    atomic_init(&p->phrases, 0);
    atomic_init(&p->phrase_errors, 0);
    atomic_init(&p->steered, 0);
    atomic_init(&p->steered_offs, 0);
    atomic_init(&p->onset_stalls, 0);
    atomic_init(&p->onsets_capped, 0);
    atomic_init(&p->steer_unencoded, 0);
    atomic_init(&p->keyed_answers, 0);
    atomic_init(&p->answer_finish_steps, 0);
    atomic_init(&p->answer_notes_moved, 0);
    atomic_init(&p->tempo_ccs_ignored, 0);
    atomic_init(&p->answers_moved, 0);
    atomic_init(&p->resyncs, 0);
    atomic_init(&p->late_pushes, 0);
    atomic_init(&p->bad_tokens, 0);
    atomic_init(&p->unbanned, 0);
    atomic_init(&p->grammar_dead_ends, 0);
    atomic_init(&p->last_frame, 0);
    atomic_init(&p->gen_frame, 0);
    for (int b = 0; b < ENGINE_STEP_BUCKETS; b++) atomic_init(&p->step_hist[b], 0);
    /* The first step's input is "nothing" (a zero vector): its output is the
     * model's distribution for the first token; abc models then read the
     * start of a tune. */
    if (!strcmp(enc_name(m->enc), "abc")) {
        const vocab *v = enc_vocab(m->enc);
        int32_t x = vocab_find(v, "X", 1), colon = vocab_find(v, ":", 1), s = vocab_find(v, "<s>", 3);
        if (enc_options(m->enc)->abc_variant == ENC_ABC_CHARS && x >= 0 && colon >= 0) {
            e->start_ids[0] = x;
            e->start_ids[1] = colon;
            e->n_start = 2;
        } else if (enc_options(m->enc)->abc_variant == ENC_ABC_TOKENS && s >= 0) {
            e->start_ids[0] = s;
            e->n_start = 1;
        }
    }
    fresh_start(e);
    engine_build_note_tokens(e);
    e->density_time_share = density_time_share(e); /* density's time part from the start: */
    e->density_time = density_speed(e);
    e->fps = c->sample_rate * e->enc_bpm / (e->tempo * e->density_time);
    *out = e;
    return LJ_OK;
fail:
    engine_destroy(e);
    return rc;
}

void engine_destroy(engine *e) {
    if (!e) return;
    if (e->thread_running) engine_thread_stop(e, 1000);
    enc_decoder_destroy(e->dec);
    lstm_state_destroy(e->state);
    frame_sampler_destroy(e->fs);
    free(e->frame);
    free(e->decoded);
    free(e->observed);
    free(e->probs);
    free(e->idx);
    free(e->work);
    free(e->allowed);
    free(e->gallowed);
    abc_grammar_destroy(e->grammar);
    free(e->starts_note);
    free(e->moves_time);
    free(e->saved);
    free(e->seen);
    free(e->recent);
    free(e);
}

/* ---- controls ---- */

void engine_set_temperature(engine *e, double t) {
    put(&e->ctl_temperature_milli, (uint64_t)llround(clamp(t, 0, ENGINE_MAX_TEMPERATURE) * 1000));
}
double engine_get_temperature(const engine *e) { return (double)get(&e->ctl_temperature_milli) / 1000; }
/* A live setter's value stands: the flag first, the value released after it,
 * so a fill that reads the new value (acquire) sees the flag too and never
 * plays it times the drift's factor. */
void engine_set_tempo(engine *e, double bpm) {
    atomic_fetch_or_explicit(&e->ctl_vary_off, ENGINE_VARY_TEMPO, memory_order_relaxed);
    atomic_store_explicit(&e->ctl_tempo_milli,
                          (uint64_t)llround(clamp(bpm, ENGINE_MIN_TEMPO, ENGINE_MAX_TEMPO) * 1000),
                          memory_order_release);
}
double engine_get_tempo(const engine *e) { return (double)get(&e->ctl_tempo_milli) / 1000; }
double engine_tempo_in_force(const engine *e) {
    double f = (double)get(&e->pub.tempo_factor_micro) / 1e6;
    return clamp(engine_get_tempo(e) * f, ENGINE_MIN_TEMPO, ENGINE_MAX_TEMPO);
}
double engine_density_in_force(const engine *e) {
    double f = (double)get(&e->pub.density_factor_micro) / 1e6;
    return clamp(engine_get_density(e) * f, ENGINE_MIN_DENSITY, ENGINE_MAX_DENSITY);
}
void engine_set_paused(engine *e, int paused) {
    atomic_store_explicit(&e->ctl_paused, paused != 0, memory_order_relaxed);
}
int engine_get_paused(const engine *e) {
    return atomic_load_explicit((_Atomic int *)&e->ctl_paused, memory_order_relaxed);
}
void engine_request_panic(engine *e) {
    atomic_fetch_add_explicit(&e->ctl_panic_reqs, 1, memory_order_relaxed);
}
void engine_set_density(engine *e, double d) {
    atomic_fetch_or_explicit(&e->ctl_vary_off, ENGINE_VARY_DENSITY, memory_order_relaxed);
    atomic_store_explicit(&e->ctl_density_milli,
                          (uint64_t)llround(clamp(d, ENGINE_MIN_DENSITY, ENGINE_MAX_DENSITY) * 1000),
                          memory_order_release);
}
double engine_get_density(const engine *e) { return (double)get(&e->ctl_density_milli) / 1000; }
void engine_set_mode(engine *e, engine_mode m) {
    if ((int)m >= 0 && (int)m < ENGINE_MODES) atomic_store_explicit(&e->ctl_mode, (int)m, memory_order_relaxed);
}
engine_mode engine_get_mode(const engine *e) {
    return (engine_mode)atomic_load_explicit((_Atomic int *)&e->ctl_mode, memory_order_relaxed);
}

void engine_cc_map_default(engine_cc_map *m) {
    m->temperature = 1;
    m->density = 74;
    m->tempo = 71;
    m->mode = 70;
    m->panic = -1;
}

/* Density by CC value: two octaves each side of v 64 (d = 1), so 0 is 0.25
 * and 127 exactly 4 (the range's ends: a single 2^((v-64)/32) stopped at
 * 2^(63/32) = 3.91). Below 64 a step is 1/32 octave, above 2/63. */
double engine_cc_density(int v) {
    v = v < 0 ? 0 : v > 127 ? 127 : v;
    return v <= 64 ? pow(2.0, (v - 64) / 32.0) : pow(2.0, 2.0 * (v - 64) / 63.0);
}

int engine_apply_cc(engine *e, const engine_cc_map *m, int cc, int v) {
    if (cc < 0 || cc > 127 || v < 0 || v > 127) return 0;
    const double x = v / 127.0;
    if (cc == 120 || cc == 123 || cc == m->panic) engine_request_panic(e);
    else if (cc == m->temperature) engine_set_temperature(e, 0.1 + 1.9 * x);
    else if (cc == m->density) engine_set_density(e, engine_cc_density(v));
    else if (cc == m->tempo && e->cfg.tempo_from_clock) /* the clock's master has the beat */
        atomic_fetch_add_explicit(&e->pub.tempo_ccs_ignored, 1, memory_order_relaxed);
    else if (cc == m->tempo) engine_set_tempo(e, 40 + 200 * x);
    else if (cc == m->mode) engine_set_mode(e, (engine_mode)(v * ENGINE_MODES / 128));
    else return 0;
    return 1;
}

void engine_set_note_limit(engine *e, uint64_t notes) { e->note_limit = notes; }
void engine_set_min_frame(engine *e, uint64_t frame) { e->last_frame = frame; }
void engine_set_schedule_lead(engine *e, uint64_t frames) {
    const double most = ENGINE_MAX_LOOKAHEAD_SECONDS * e->cfg.sample_rate;
    e->cfg.schedule_lead_frames = (double)frames > most ? (uint64_t)most : frames;
}

void engine_set_lookahead(engine *e, uint64_t frames) {
    const double most = ENGINE_MAX_LOOKAHEAD_SECONDS * e->cfg.sample_rate;
    e->cfg.lookahead_frames = frames < 1 ? 1 : (double)frames > most ? (uint64_t)most : frames;
}

/* ---- the model's context ---- */

/* The decoder from time 0 (no sounding notes): the onset count starts again. */
void engine_decoder_reset(engine *e) {
    enc_decoder_reset(e->dec);
    e->answer_shift = 0; /* the model's pitches are heard as they are (respond may move them) */
    e->window_ons = 0;
    e->onsets_banned = 0;
    memset(e->capped, 0, sizeof e->capped);
    memset(e->struck_tick1, 0, sizeof e->struck_tick1);
}

void engine_history_reset(engine *e) {
    e->hist_n = 0;
    e->history_complete = 1;
    if (e->grammar) abc_grammar_reset(e->grammar, &e->gstate); /* a new context: outside a tune */
}

static void remember(engine *e, int32_t tok);

/* One token into the model (sampled or the player's): the LSTM steps on it,
 * it joins the history (repetition control, engine_history) and moves the abc
 * grammar on (a player's note the grammar would not have drawn is taken as it
 * is: abc_grammar_advance). */
void engine_feed(engine *e, int32_t tok) {
    lstm_step(e->lstm, e->state, &tok, NULL);
    remember(e, tok);
    if (e->grammar) abc_grammar_advance(e->grammar, &e->gstate, tok);
}

/* The model from nothing: zero state, the first step's zero input, then the
 * encoding's start tokens through the model and the decoder (no events: an
 * abc tune's start plays nothing). The decoder is reset. */
static void fresh_start(engine *e) {
    lstm_state_reset(e->state);
    int32_t none = -1;
    if (e->fs) frame_sampler_feed(e->fs, e->state, NULL); /* a zero frame */
    else lstm_step(e->lstm, e->state, &none, NULL);
    engine_history_reset(e);
    engine_decoder_reset(e);
    for (int i = 0; i < e->n_start; i++) {
        enc_decoder_step(e->dec, e->start_ids[i], e->step_ev);
        engine_feed(e, e->start_ids[i]);
    }
    e->opening_until = e->notes_generated + ENGINE_OPENING_NOTES; /* see draw_temperature */
}

size_t engine_history(const engine *e, const int32_t **ids, int *complete) {
    *ids = e->recent;
    if (complete) *complete = e->history_complete;
    return e->hist_n;
}

const float *engine_logits(const engine *e) { return lstm_state_head_output(e->state, 0); }

/* ---- pushing ---- */

/* The audio frame of decoder time t; never before the last frame pushed. */
static uint64_t frame_of(const engine *e, double t) {
    double f = (double)e->base_frame + (t - e->base_time) * e->fps;
    uint64_t fr = f <= 0 ? 0 : (uint64_t)llround(f);
    return fr < e->last_frame ? e->last_frame : fr;
}

uint64_t engine_earliest(const engine *e, uint64_t clock) {
    uint64_t f = clock + e->cfg.schedule_lead_frames;
    return f > e->last_frame ? f : e->last_frame;
}

/* The frame for an event meant "now" (a panic, the first program change): the
 * last frame within the horizon, so it is not counted late when this thread
 * loses the processor between reading the clock and pushing (it then sounds
 * within one look-ahead, as every event); never before the schedule lead (a
 * look-ahead shorter than it) nor the last frame pushed. */
static uint64_t soon(const engine *e, uint64_t clock) {
    uint64_t f = clock + e->cfg.lookahead_frames - 1, first = engine_earliest(e, clock);
    return f > first ? f : first;
}

/* Where music started afresh "now" begins (a start, a resume, a phrase, a
 * panic, a mode switch): a look-ahead from the clock, so the horizon is
 * full at once; the schedule lead when that is longer. */
uint64_t engine_ahead(const engine *e, uint64_t clock) {
    uint64_t f = clock + e->cfg.lookahead_frames, first = engine_earliest(e, clock);
    return f > first ? f : first;
}

/* Moves the time base so decoder time `t` falls on `frame`. */
void engine_rebase(engine *e, double t, uint64_t frame) {
    e->base_time = t;
    e->base_frame = frame < e->last_frame ? e->last_frame : frame;
}

void engine_mark_seed(engine *e) {
    e->seed_time = e->since_seed_t = enc_decoder_time(e->dec);
    e->since_seed_s = 0;
}

void engine_hold_back(engine *e, lj_event ev) {
    if (e->pend_head + e->pend_n == PENDING_MAX) {
        memmove(e->pending, e->pending + e->pend_head, e->pend_n * sizeof *e->pending);
        e->pend_head = 0;
    }
    if (e->pend_n == PENDING_MAX) { /* cannot happen with one step at a time; be safe */
        e->dropped++;
        e->need_panic = 1;
        return;
    }
    if (ev.frame < e->last_frame) ev.frame = e->last_frame;
    if (e->pend_n && ev.frame < e->pending[e->pend_head + e->pend_n - 1].frame)
        ev.frame = e->pending[e->pend_head + e->pend_n - 1].frame;
    e->pending[e->pend_head + e->pend_n++] = ev;
}

void engine_drop_pending(engine *e) {
    e->pend_head = 0;
    e->pend_n = 0;
}

/* Pushes one event to the audio queue (and the record). 0 when the queue is full. */
static int push(engine *e, const lj_event *ev, uint64_t clock) {
    if (!rtq_push(e->cfg.out, ev)) return 0;
    e->events++;
    e->last_frame = ev->frame;
    if (ev->frame < clock) e->late++;
    if (ev->kind == LJ_EV_NOTE_ON) {
        e->notes++;
        if (e->model_held[ev->data1] < 255) e->model_held[ev->data1]++;
    }
    if (ev->kind == LJ_EV_NOTE_OFF && e->model_held[ev->data1]) e->model_held[ev->data1]--;
    if (ev->kind == LJ_EV_PANIC) {
        e->panics++;
        memset(e->model_held, 0, sizeof e->model_held);
    }
    if (e->cfg.mirror) rtq_push(e->cfg.mirror, ev);
    if (e->cfg.record && !rtq_push(e->cfg.record, ev)) e->rec_dropped++;
    return 1;
}

/* Cuts the model's music now: what is held back goes, the decoder forgets its
 * sounding notes (their note-offs are not needed: the panic releases them), and
 * a panic is pushed behind everything queued. */
static void cut(engine *e) {
    engine_drop_pending(e);
    enc_decoder_release(e->dec, e->step_ev); /* discarded; abc: the tune stays open */
    e->need_panic = 1;
}

/* Decoder time t (s) is at or past the end of the onset window (times are
 * sums of steps: 0.1 + 0.05 must count as 0.15). */
static int past_onset_window(const engine *e, double t) {
    return t >= e->onset_window + ENGINE_ONSET_WINDOW - 1e-9;
}

/* Converts decoder events to timed lj_events in the held-back buffer. A note
 * limit drops note-ons past it. abc: a note-on over ENGINE_MAX_ONSETS in the
 * window is not played, nor its note-off (see ENGINE_MAX_ONSETS). */
static void hold_back_step(engine *e, const enc_event *ev, size_t n) {
    for (size_t i = 0; i < n; i++) {
        lj_event out;
        uint64_t f = frame_of(e, ev[i].time);
        const int p = ev[i].pitch - e->answer_shift; /* respond: back to the call's octaves */
        if (p < 0 || p > 127) continue; /* (its note-on and note-off alike) */
        if (ev[i].type == ENC_NOTE_ON) {
            if (e->note_limit && e->notes_generated >= e->note_limit) continue;
            if (ev[i].time < e->onset_window || past_onset_window(e, ev[i].time))
                e->onset_window = ev[i].time, e->window_ons = 0;
            e->capped[p] = e->caps_onsets && e->window_ons >= ENGINE_MAX_ONSETS;
            if (e->capped[p]) {
                e->onsets_capped++;
                continue;
            }
            if (++e->window_ons >= ENGINE_MAX_ONSETS && !e->onsets_banned && !e->caps_onsets) { /* move time */
                e->onsets_banned = 1;
                e->onset_stalls++;
            }
            e->notes_generated++;
            e->struck_tick1[p] = ev[i].tick + 1;
            out = lj_event_note_on(f, e->cfg.channel, p, ev[i].velocity ? ev[i].velocity : 1);
        } else {
            if (e->capped[p]) { /* the decoder alternates on and off per pitch: this note's */
                e->capped[p] = 0;
                continue;
            }
            /* ended on the tick it was struck ("on:77 on:77": the decoder
             * ends the first and strikes the key again): a note of no length,
             * which the session file drops, is not one of note_limit's */
            if (e->struck_tick1[p] == ev[i].tick + 1 && e->notes_generated) e->notes_generated--;
            e->struck_tick1[p] = 0;
            out = lj_event_note_off(f, e->cfg.channel, p);
        }
        engine_hold_back(e, out);
    }
}

/* The decoder's sounding notes end now (note-offs at its current time). */
static void flush_decoder(engine *e) {
    size_t n = enc_decoder_flush(e->dec, e->step_ev);
    hold_back_step(e, e->step_ev, n);
}

/* One step of a vary walk: uniform in [-0.5, 0.5], reflected into [-1, 1]. */
static double vary_walk(lj_rng *r, double w) {
    w += lj_rng_uniform_range(r, -0.5f, 0.5f);
    if (w > 1) w = 2 - w;
    if (w < -1) w = -2 - w;
    return w;
}

/* The tempo in force from now on, and density's time part (decoder time keeps
 * its frame): the decoder's music plays density_time times as fast as the
 * tempo says (the tempo shown and sent as MIDI clock stays the set one). */
static void set_tempo(engine *e, double tempo) {
    tempo = clamp(tempo, ENGINE_MIN_TEMPO, ENGINE_MAX_TEMPO);
    double time = density_speed(e);
    if (tempo == e->tempo && time == e->density_time) return;
    double t = enc_decoder_time(e->dec);
    engine_rebase(e, t, frame_of(e, t));
    e->tempo = tempo;
    e->density_time = time;
    e->fps = e->cfg.sample_rate * e->enc_bpm / (e->tempo * e->density_time);
}

/* auto's slow changes at a fresh start at frame `at` (cfg.vary). */
static void vary_step(engine *e, uint64_t at) {
    const engine_vary *v = &e->cfg.vary;
    if (v->tempo > 0) {
        e->vary_w_tempo = vary_walk(&e->vary_rng, e->vary_w_tempo);
        e->tempo_factor = 1 + v->tempo * e->vary_w_tempo;
        put(&e->pub.tempo_factor_micro, (uint64_t)llround(e->tempo_factor * 1e6));
    }
    if (v->density > 0) {
        e->vary_w_density = vary_walk(&e->vary_rng, e->vary_w_density);
        e->density_factor = pow(2.0, v->density * e->vary_w_density);
        put(&e->pub.density_factor_micro, (uint64_t)llround(e->density_factor * 1e6));
        e->density = clamp(e->density_set * e->density_factor, ENGINE_MIN_DENSITY, ENGINE_MAX_DENSITY);
    }
    if (v->tempo > 0 || v->density > 0) /* after the density: its time part */
        set_tempo(e, e->tempo_set * e->tempo_factor);
    if (v->n_programs > 0 && lj_rng_uniform(&e->vary_rng) < 1.0f / 3) {
        int others[ENGINE_MAX_VARY_PROGRAMS], n = 0;
        for (int i = 0; i < v->n_programs; i++)
            if (v->programs[i] != e->program_now) others[n++] = v->programs[i];
        if (n) {
            e->program_now = others[lj_rng_u64(&e->vary_rng) % (uint64_t)n];
            engine_hold_back(e, lj_event_program(at, e->cfg.channel, e->program_now)); /* between the pieces */
        }
    }
}

/* A fresh start of the model: sounding notes end, state and decoder reset, time
 * continues from where the decoder was; auto's slow changes step there. */
static void reseed(engine *e) {
    flush_decoder(e);
    uint64_t at = frame_of(e, enc_decoder_time(e->dec));
    fresh_start(e);
    engine_rebase(e, enc_decoder_time(e->dec), at);
    engine_mark_seed(e);
    e->reseeds++;
    if (e->cfg.mode == ENGINE_MODE_AUTO) vary_step(e, at);
}

static void record_step_time(engine *e, uint64_t ns) {
    int b = engine_step_bucket(ns);
    e->hist[b]++;
    put(&e->pub.step_hist[b], e->hist[b]);
}

/* Appends a token to the repetition history; when it is full the newest
 * hist_keep tokens move to the front (amortised: one move per hist_keep). */
static void remember(engine *e, int32_t tok) {
    if (e->hist_n == 2 * e->hist_keep) {
        memmove(e->recent, e->recent + e->hist_keep, e->hist_keep * sizeof *e->recent);
        e->hist_n = e->hist_keep;
        e->history_complete = 0;
    }
    e->recent[e->hist_n++] = tok;
}

/* The logits to draw from: the model's, or a copy through the abc grammar,
 * the density bias, the respond mask, the repetition penalty and the n-gram
 * bans (as generate.c's gen_step). */
static const float *processed_logits(engine *e) {
    const float *logits = lstm_state_head_output(e->state, 0);
    const engine_config *c = &e->cfg;
    if (e->onsets_banned && past_onset_window(e, enc_decoder_time(e->dec))) e->onsets_banned = 0;
    if (c->repetition_penalty == 1.0f && c->no_repeat_ngram == 0 && !e->mask_on && e->density == 1 &&
        !e->grammar && !e->onsets_banned)
        return logits;
    size_t K = (size_t)e->K, n = e->hist_n;
    memcpy(e->work, logits, K * sizeof *e->work);
    if (e->grammar) { /* only tokens that keep the tune valid ABC (renormalised by the draw) */
        if (abc_grammar_mask(e->grammar, &e->gstate, e->gallowed)) lj_logits_mask(e->work, e->K, e->gallowed);
        else e->grammar_dead_ends++;
    }
    if (e->density != 1) { /* more or fewer notes: a token's odds times d^(1-s) per note it
                              starts (a chord's more; s: density_time_share) */
        const float bias = (float)log(e->density / e->density_time);
        for (size_t k = 0; k < K; k++) e->work[k] += bias * (float)e->starts_note[k];
    }
    if (e->onsets_banned) { /* ENGINE_MAX_ONSETS in the window: time has to move first */
        size_t others = 0; /* tokens left that start no note (notechord has none: it keeps them) */
        for (size_t k = 0; k < K; k++) others += !e->starts_note[k] && e->work[k] > -INFINITY;
        if (others)
            for (size_t k = 0; k < K; k++)
                if (e->starts_note[k]) e->work[k] = -INFINITY;
    }
    if (e->mask_on) { /* respond: the call's key and register (notes outside never drawn) */
        /* abc: a token's pitch depends on the tune's key and the bar's
         * accidentals, so the mask is the decoder's of this step; none when
         * every token here would write an off-key note (better one than
         * nothing), and none either where it would leave nothing the abc
         * grammar allows */
        int on = !e->mask_abc ||
                 enc_abc_pitch_mask(e->dec, e->answer_lo, e->answer_hi, e->answer_scale, e->allowed) > 0;
        if (on && e->mask_abc) memcpy(e->saved, e->work, K * sizeof *e->work);
        for (size_t k = 0; on && k < K; k++)
            if (!e->allowed[k]) e->work[k] = -INFINITY;
        if (on && e->mask_abc && !lj_count_finite(e->work, e->K)) memcpy(e->work, e->saved, K * sizeof *e->work);
    }
    if (c->repetition_penalty != 1.0f) {
        size_t w = (size_t)c->penalty_window < n ? (size_t)c->penalty_window : n;
        lj_repetition_penalty(e->work, e->K, e->recent + n - w, w, c->repetition_penalty, e->seen);
    }
    if (c->no_repeat_ngram > 0) {
        size_t w = (size_t)c->ngram_window < n ? (size_t)c->ngram_window : n;
        memcpy(e->saved, e->work, K * sizeof *e->work);
        if (lj_no_repeat_ngram(e->work, e->K, e->recent + n - w, w, c->no_repeat_ngram) &&
            !lj_count_finite(e->work, e->K)) {
            memcpy(e->work, e->saved, K * sizeof *e->work); /* a repeat rather than nothing */
            e->unbanned++;
        }
    }
    return e->work;
}

static void after_step(engine *e);

/* event: density scales time. A drawn "shift:N" plays (and is fed back) as the
 * shift nearest N / density that the vocabulary has (at least 1 step, at most
 * max_shift), so density d gives d times the notes per second, as psd's step. */
static int32_t density_shift(const engine *e, int32_t tok) {
    int n = e->moves_time[tok];
    if (e->density == 1 || !n) return tok;
    long m = lround(n / e->density);
    if (m < 1) m = 1;
    if (m > e->max_shift) m = e->max_shift;
    return e->shift_tok[m] >= 0 ? e->shift_tok[m] : tok;
}

/* steer, timestep: the player's key is down, so the model's step is a hold
 * (see "the player's line"). */
static int holds_line(const engine *e) {
    return e->line == LINE_HOLDS && e->cfg.mode == ENGINE_MODE_STEER && e->n_player_keys &&
           enc_decoder_time(e->dec) < e->line_until;
}

/* The temperature of this step's draw: the one in force, but at least
 * ENGINE_OPENING_TEMPERATURE in the opening of a piece started from nothing
 * (fresh_start: until ENGINE_OPENING_NOTES note-ons; a player's phrase as the
 * context ends it, engine_prime_with_phrase). Every fresh start is the same
 * empty context, so at a low temperature each re-seed replayed the same piece
 * (nottingham-event at T 0: every minute the same 241 notes); drawn from the
 * session's RNG the opening differs from piece to piece and seed to seed, and
 * the rest of the piece is still the most likely continuation of it. */
static float draw_temperature(const engine *e) {
    double t = e->temperature;
    if (e->notes_generated < e->opening_until && t < ENGINE_OPENING_TEMPERATURE) t = ENGINE_OPENING_TEMPERATURE;
    return (float)t;
}

/* One model step: draw a token from the current output, decode it, feed it back. */
static void generate_step(engine *e) {
    uint64_t t0 = now_ns();
    lj_sampler s = e->cfg.sampler;
    s.temperature = draw_temperature(e);
    int32_t tok;
    if (holds_line(e)) {
        tok = e->hold_tok; /* the player's note goes on: a hold, not a draw (see steer) */
    } else {
        const float *logits = processed_logits(e);
        tok = density_shift(e, lj_sample(&s, logits, e->K, &e->rng, e->probs, e->idx));
    }
    size_t n = enc_decoder_step(e->dec, tok, e->step_ev);
    engine_feed(e, tok);
    record_step_time(e, now_ns() - t0);
    e->steps++;
    hold_back_step(e, e->step_ev, n);
    after_step(e);
}

/* Density on a frame model (the frame's counterpart of the token bias above):
 * pianoroll, before the draw: the keys not sounding in the last frame get
 * + log(d^(1-s)) on their logit (NADE: on each conditional's), keys sounding
 * the same less, so a new note's odds are times d^(1-s); the frames' time
 * is the other part (density_time_share). */
static void density_bias_keys(engine *e) {
    if (e->density == 1 || !e->bits_width) return;
    float *z = lstm_state_head_logits(e->state, e->bits_head);
    const float bias = (float)log(e->density / e->density_time), *last = e->frame + e->bits_offset;
    for (int w = 0; w < e->bits_width; w++) z[w] += last[w] >= 0.5f ? -bias : bias;
}

/* psd, after the draw: the frame to play (e->decoded) is the drawn one with its
 * step to this note divided by density (d times as many onsets per second; a
 * low density leaves rests, the durations are kept); the model is fed the
 * frame it drew. Fed the played step, it heard its music d times as fast and
 * answered with steps shorter still at d > 1 (longer at d < 1): 7.6x the notes
 * at d = 4, 0.15x at 0.25 (tools/density_sweep.sh). A class step rounds to a
 * class (the rounding carried into the next steps, so time keeps the ratio)
 * and a step of one class or more stays one (density turns no melody note
 * into a chord). Returns the frame to decode. */
static const float *density_scale_step(engine *e) {
    const encoding *enc = e->model->enc;
    if (e->density == 1 || e->bits_width) return e->frame;
    memcpy(e->decoded, e->frame, enc_frame_dim(enc) * sizeof *e->decoded);
    enc_frame_scale_step(enc, e->decoded, 1 / e->density, &e->step_carry);
    return e->decoded;
}

/* A frame model's step (psd, pianoroll): draw the next frame from the heads
 * (frame_sampler: softmax fields at the engine's temperature, regressed times
 * clamped to >= 0, keys from the Bernoulli/NADE head at the same temperature),
 * decode it, feed it back. Allocates nothing. */
static void engine_step_frame(engine *e) {
    uint64_t t0 = now_ns();
    lj_sampler s = e->cfg.sampler;
    s.temperature = draw_temperature(e);
    const float *decode = e->frame;
    /* ENGINE_MAX_ONSETS in the window (psd steps of 0): the next note after it */
    const double move_time = e->onsets_banned ? e->onset_window + ENGINE_ONSET_WINDOW - enc_decoder_time(e->dec) : 0;
    e->onsets_banned = 0;
    /* respond: the answer's key and register (key_the_answer); psd draws its
     * pitch among them (the others' logits -inf, the rest renormalised) */
    frame_sampler_set_pitch_mask(e->fs, e->mask_on ? e->pitch_allowed : NULL);
    density_bias_keys(e);
    if ((e->n_player_keys || e->mask_on) && e->bits_width) {
        /* steer, accompany: the player's held keys are observed units of the
         * frame (NADE draws the other keys conditioned on them) and the model
         * conditions on them at the next step; the model's part is the frame
         * without them (they sound already, thru). respond: keys outside the
         * answer's mask are observed off (probability 0; NADE draws the
         * later keys given them off) */
        for (int w = 0; w < e->bits_width; w++) {
            int pitch = PIANOROLL_LOWEST + w;
            e->observed[w] = pitch < 128 && e->player_keys[pitch]                  ? 1
                             : e->mask_on && (pitch >= 128 || !e->pitch_allowed[pitch]) ? 0
                                                                                       : -1;
        }
        frame_sampler_draw_observed(e->fs, e->state, &s, &e->rng, e->observed, e->frame, NULL);
        if (move_time > 0) enc_frame_move_time(e->dec, e->frame, move_time);
        memcpy(e->decoded, e->frame, enc_frame_dim(e->model->enc) * sizeof *e->decoded);
        for (int w = 0; w < e->bits_width; w++)
            if (e->observed[w] > 0) e->decoded[e->bits_offset + w] = 0;
        decode = e->decoded;
    } else {
        frame_sampler_draw(e->fs, e->state, &s, &e->rng, e->frame, NULL);
        if (move_time > 0) enc_frame_move_time(e->dec, e->frame, move_time); /* fed back as played */
        decode = density_scale_step(e);
        if (move_time > 0 && decode != e->frame) enc_frame_move_time(e->dec, e->decoded, move_time);
    }
    size_t n = enc_decoder_step_frame(e->dec, decode, e->step_ev);
    frame_sampler_feed(e->fs, e->state, e->frame);
    record_step_time(e, now_ns() - t0);
    e->steps++;
    hold_back_step(e, e->step_ev, n);
    after_step(e);
}

/* respond, abc chars: may the answer end now? Not while the note being typed
 * lies outside the answer's register: the mask lets a letter through when
 * some octave of it is in range (the octave marks come after it), and only
 * the mark that brings it nearer after it. An answer ended there (its notes
 * flushed) sounded the note as typed, outside: 1 answer note in about 300
 * of tests/test_engine.c's random chars model (g or a, one octave over D5+2,
 * where the model had not yet written the ',' it was left with). So the
 * model writes on, masked, until the note is inside, up to
 * ENGINE_FINISH_NOTE_STEPS steps (engine_stats.answer_finish_steps); should
 * that not do (the mask lifted, a vocabulary without the mark), the decoder
 * writes the marks itself (engine_stats.answer_notes_moved). Its pitch class
 * is the mask's already: octave marks do not change it. */
static int answer_note_unfinished(engine *e) {
    if (!e->mask_on || !e->mask_abc) return 0;
    int p = enc_abc_note_typed(e->dec);
    if (p < 0 || (p >= e->answer_lo && p <= e->answer_hi)) {
        e->finish_steps = 0;
        return 0;
    }
    if (e->finish_steps < ENGINE_FINISH_NOTE_STEPS) {
        e->finish_steps++;
        e->answer_finish_steps++;
        return 1;
    }
    e->finish_steps = 0;
    if (enc_abc_move_typed_note(e->dec, e->answer_lo, e->answer_hi) > 0) e->answer_notes_moved++;
    return 0;
}

/* After a step of either kind: the note limit, the end of an answer (respond
 * mode), a fresh start (auto mode). */
static void after_step(engine *e) {
    if (e->note_limit && e->notes_generated >= e->note_limit) {
        /* The last notes sound their length, not 0 (flushed at once, a note
         * struck by this very step ended in its own frame: a click in the
         * audio, and the session file drops a note of no length, so --notes
         * N gave N - 2 notes): the model goes on, its note-ons dropped
         * (hold_back_step), until they end or ENGINE_LIMIT_TAIL_SECONDS. */
        const double t = enc_decoder_time(e->dec);
        if (!e->limit_reached) e->limit_reached = 1, e->limit_time = t, e->limit_steps = 0;
        if (enc_decoder_sounding(e->dec) && t - e->limit_time < ENGINE_LIMIT_TAIL_SECONDS &&
            ++e->limit_steps <= ENGINE_LIMIT_TAIL_STEPS) /* (a model that moves no time) */
            return;
        flush_decoder(e);
        e->need_panic = 1;
        e->st = STATE_ENDING;
        return;
    }
    double t = enc_decoder_time(e->dec);
    e->since_seed_s += (t - e->since_seed_t) * e->fps / e->cfg.sample_rate; /* at this step's tempo */
    e->since_seed_t = t;
    /* respond: the answer is the call's length of music as written (abc: the
     * end of the text, enc_abc_typed_time; the decoder's time, the onset of
     * the last note the reader handed on, lags it by up to a bar, and answers
     * ended by it were 1.25-2.4 times the call's length with the shipped
     * nottingham-abc: test_respond_length) */
    size_t notes_held = 0; /* abc: written, not handed on yet */
    const double written = e->cfg.mode == ENGINE_MODE_RESPOND ? enc_abc_typed_time(e->dec, &notes_held) : t;
    if (e->cfg.mode == ENGINE_MODE_RESPOND && written - e->seed_time >= e->answer_seconds) {
        /* a silent answer is no answer: it goes on to its first note, for at
         * most ENGINE_ANSWER_EXTRA_SECONDS more (a short call, a register
         * the model rarely plays in); abc: a note written counts (the reader
         * hands on a tokens model's bar at once, after it) */
        if (e->notes_generated == e->answer_notes0 && !notes_held &&
            written - e->seed_time < e->answer_seconds + ENGINE_ANSWER_EXTRA_SECONDS)
            return;
        if (answer_note_unfinished(e)) return;
        flush_decoder(e); /* the answer's notes end; the next call is awaited */
        e->mask_on = 0;
        e->st = STATE_WAITING;
        return;
    }
    /* auto re-seeds by the clock; steer and accompany keep the player's
     * context, and start afresh only when the model ends a piece. */
    if (plays_on(e->cfg.mode) &&
        (enc_decoder_piece_ended(e->dec) ||
         (e->cfg.mode == ENGINE_MODE_AUTO && e->cfg.reseed_seconds > 0 &&
          e->since_seed_s >= e->cfg.reseed_seconds)))
        reseed(e);
}

/* ---- the fill ---- */

/* A live mode change: to continue or respond the model's notes end and it
 * waits for the player's phrase; to auto, steer or accompany a waiting model
 * plays on from its context, a look-ahead from now; between those it just
 * goes on. */
static void switch_mode(engine *e, engine_mode mode, uint64_t clock) {
    e->cfg.mode = mode;
    e->mask_on = 0;
    engine_player_keys_clear(e);
    if (plays_on(mode)) {
        if (e->answer_shift) { /* respond moved the context by octaves (answer_octave_shift):
                                  the player's notes (steer, accompany) and what comes next
                                  would be octaves apart; the model starts afresh */
            if (e->st == STATE_GENERATING) engine_end_model_notes(e, clock);
            fresh_start(e);
            e->st = STATE_WAITING;
        }
        if (e->st == STATE_WAITING) {
            engine_rebase(e, enc_decoder_time(e->dec), engine_ahead(e, clock));
            engine_mark_seed(e);
            e->st = STATE_GENERATING;
        }
        e->phrase_n = 0;
        e->player_held = 0;
        return;
    }
    if (e->st == STATE_GENERATING) {
        engine_end_model_notes(e, clock);
        e->st = STATE_WAITING;
        e->phrase_n = 0;
        e->player_held = 0;
    }
}

/* A live tempo or density stands: its drift (cfg.vary) stops, the factor
 * goes back to 1, for this engine's life. */
static void vary_yield(engine *e, unsigned off) {
    if ((off & ENGINE_VARY_TEMPO) && e->cfg.vary.tempo > 0) {
        e->cfg.vary.tempo = 0;
        e->tempo_factor = 1;
        put(&e->pub.tempo_factor_micro, 1000000);
        e->vary_stopped |= ENGINE_VARY_TEMPO;
    }
    if ((off & ENGINE_VARY_DENSITY) && e->cfg.vary.density > 0) {
        e->cfg.vary.density = 0;
        e->density_factor = 1;
        put(&e->pub.density_factor_micro, 1000000);
        e->vary_stopped |= ENGINE_VARY_DENSITY;
    }
    put(&e->pub.vary_stopped, e->vary_stopped);
}

static void apply_controls(engine *e, uint64_t clock) {
    e->temperature = (double)get(&e->ctl_temperature_milli) / 1000;
    /* the values first (acquire), then the flags their setters raised before them */
    e->tempo_set = (double)atomic_load_explicit(&e->ctl_tempo_milli, memory_order_acquire) / 1000;
    e->density_set = (double)atomic_load_explicit(&e->ctl_density_milli, memory_order_acquire) / 1000;
    vary_yield(e, atomic_load_explicit(&e->ctl_vary_off, memory_order_relaxed));
    e->density = clamp(e->density_set * e->density_factor, ENGINE_MIN_DENSITY, ENGINE_MAX_DENSITY);
    set_tempo(e, e->tempo_set * e->tempo_factor); /* after the density */
    uint64_t reqs = atomic_load_explicit(&e->ctl_panic_reqs, memory_order_relaxed);
    if (reqs != e->panic_reqs_seen) {
        e->panic_reqs_seen = reqs;
        engine_player_keys_clear(e); /* CC 120/123 release the player's keys too */
        cut(e);
        engine_rebase(e, enc_decoder_time(e->dec), engine_ahead(e, clock));
    }
    engine_mode mode = (engine_mode)atomic_load_explicit(&e->ctl_mode, memory_order_relaxed);
    if (mode != e->cfg.mode) switch_mode(e, mode, clock);
    int paused = atomic_load_explicit(&e->ctl_paused, memory_order_relaxed);
    /* a pause silences the model, not the player: its notes end (note-offs),
     * the player's sound on (a panic would release every channel) */
    if (paused && !e->paused) engine_end_model_notes(e, clock);
    if (!paused && e->paused) engine_rebase(e, enc_decoder_time(e->dec), engine_ahead(e, clock));
    e->paused = paused;
}

static void publish(engine *e) {
    engine_counters *p = &e->pub;
    put(&p->steps, e->steps);
    put(&p->primed_tokens, e->primed);
    put(&p->notes, e->notes);
    put(&p->events, e->events);
    put(&p->dropped, e->dropped);
    put(&p->record_dropped, e->rec_dropped);
    put(&p->panics, e->panics);
    put(&p->reseeds, e->reseeds);
    put(&p->phrases, e->phrases);
    put(&p->phrase_errors, e->phrase_errors);
    put(&p->steered, e->steered);
    put(&p->steered_offs, e->steered_offs);
    put(&p->onset_stalls, e->onset_stalls);
    put(&p->onsets_capped, e->onsets_capped);
    put(&p->steer_unencoded, e->steer_unencoded);
    put(&p->keyed_answers, e->keyed_answers);
    put(&p->answer_finish_steps, e->answer_finish_steps);
    put(&p->answer_notes_moved, e->answer_notes_moved);
    put(&p->answers_moved, e->answers_moved);
    put(&p->resyncs, enc_decoder_resyncs(e->dec));
    put(&p->late_pushes, e->late);
    put(&p->bad_tokens, enc_decoder_bad_tokens(e->dec));
    put(&p->unbanned, e->unbanned);
    put(&p->grammar_dead_ends, e->grammar_dead_ends);
    put(&p->last_frame, e->last_frame);
    put(&p->gen_frame, e->st == STATE_GENERATING && !e->paused ? frame_of(e, enc_decoder_time(e->dec))
                                                                : e->last_frame);
}

int engine_fill(engine *e, uint64_t clock) {
    if (!e->started) {
        e->started = 1;
        engine_rebase(e, enc_decoder_time(e->dec), engine_ahead(e, clock));
        if (e->cfg.program >= 0) {
            uint64_t at = soon(e, clock);
            lj_event pe = lj_event_program(at, e->cfg.channel, e->cfg.program);
            if (!push(e, &pe, clock)) e->need_panic = 1;
        }
    }
    if (e->st == STATE_GENERATING || e->st == STATE_WAITING) apply_controls(e, clock);
    if (e->cfg.player) {
        lj_event pev;
        while (rtq_pop(e->cfg.player, &pev)) engine_player_event(e, &pev, clock);
        double quiet = clock > e->player_last ? (double)(clock - e->player_last) / e->cfg.sample_rate : 0;
        /* A key held with no other input for ENGINE_PLAYER_HOLD_TIMEOUT (a
         * stuck key, a note-off lost with a cable) counts as released. */
        if (e->st == STATE_WAITING && e->phrase_n && quiet >= e->cfg.phrase_gap_seconds &&
            (e->player_held == 0 || quiet >= ENGINE_PLAYER_HOLD_TIMEOUT)) {
            e->player_held = 0;
            engine_prime_with_phrase(e, clock);
        }
        /* the player's line: a key held that long counts as released */
        const uint64_t hold_timeout = (uint64_t)(ENGINE_PLAYER_HOLD_TIMEOUT * e->cfg.sample_rate);
        for (int k = 0; e->line_keys && k < 128; k++)
            if (e->line_on[k] && clock >= e->line_on[k] - 1 + hold_timeout) engine_steer_off(e, k, clock, clock);
    }
    const uint64_t horizon = clock + e->cfg.lookahead_frames;
    int steps = 0;
    for (;;) {
        if (e->need_panic && !e->pend_n) {
            /* Retry only when there is room: a refused push would count as
             * another lost event and panic the audio side again. */
            if (rtq_count(e->cfg.out) >= rtq_capacity(e->cfg.out)) break;
            lj_event p = lj_event_panic(soon(e, clock));
            if (!push(e, &p, clock)) break;
            e->need_panic = 0;
        }
        while (e->pend_n && e->pending[e->pend_head].frame < horizon) {
            if (!push(e, &e->pending[e->pend_head], clock)) {
                /* Lost: maybe a note-off. Everything held back goes too (it
                 * would follow a gap), and a panic comes when there is room. */
                e->dropped += e->pend_n;
                engine_drop_pending(e);
                e->need_panic = 1;
                break;
            }
            e->pend_head++;
            if (!--e->pend_n) e->pend_head = 0;
        }
        if (e->pend_n || e->need_panic) break; /* waiting for the horizon, or for room */
        if (e->st == STATE_ENDING) {
            e->st = STATE_DONE;
            break;
        }
        if (e->st != STATE_GENERATING || e->paused || e->line_keys || steps >= e->cfg.max_steps_per_fill) break;
        /* holds sound nothing, so nothing held back stops them at the horizon:
         * one per grid step as the clock goes, not a fill's worth at once */
        if (holds_line(e) && frame_of(e, enc_decoder_time(e->dec)) >= horizon) break;
        if (e->fs) engine_step_frame(e);
        else generate_step(e);
        steps++;
    }
    publish(e);
    return steps;
}

void engine_end(engine *e, uint64_t clock) {
    if (e->st == STATE_ENDING || e->st == STATE_DONE) return;
    if (!e->started) {
        e->started = 1;
        engine_rebase(e, enc_decoder_time(e->dec), engine_earliest(e, clock));
    }
    if (e->st == STATE_GENERATING && !e->paused) {
        flush_decoder(e);
    } else {
        engine_drop_pending(e);
        enc_decoder_flush(e->dec, e->step_ev);
    }
    e->need_panic = 1; /* after the note-offs: whatever the queue lost is released too */
    e->st = STATE_ENDING;
}

void engine_end_now(engine *e, uint64_t clock) {
    if (e->st == STATE_ENDING || e->st == STATE_DONE) return;
    if (!e->started) {
        e->started = 1;
        engine_rebase(e, enc_decoder_time(e->dec), engine_earliest(e, clock));
    }
    engine_end_model_notes(e, clock); /* note-offs at the earliest frame, or the last frame queued */
    e->need_panic = 1;
    e->st = STATE_ENDING;
}

int engine_done(const engine *e) { return e->st == STATE_DONE; }

void engine_get_stats(const engine *e, engine_stats *o) {
    const engine_counters *p = &e->pub;
    o->steps = get(&p->steps);
    o->primed_tokens = get(&p->primed_tokens);
    o->notes = get(&p->notes);
    o->events = get(&p->events);
    o->dropped = get(&p->dropped);
    o->record_dropped = get(&p->record_dropped);
    o->panics = get(&p->panics);
    o->reseeds = get(&p->reseeds);
    o->phrases = get(&p->phrases);
    o->phrase_errors = get(&p->phrase_errors);
    o->steered = get(&p->steered);
    o->steered_offs = get(&p->steered_offs);
    o->onset_stalls = get(&p->onset_stalls);
    o->onsets_capped = get(&p->onsets_capped);
    o->steer_unencoded = get(&p->steer_unencoded);
    o->keyed_answers = get(&p->keyed_answers);
    o->answer_finish_steps = get(&p->answer_finish_steps);
    o->answer_notes_moved = get(&p->answer_notes_moved);
    o->tempo_ccs_ignored = get(&p->tempo_ccs_ignored);
    o->vary_stopped = get(&p->vary_stopped);
    o->answers_moved = get(&p->answers_moved);
    o->resyncs = get(&p->resyncs);
    o->late_pushes = get(&p->late_pushes);
    o->bad_tokens = get(&p->bad_tokens);
    o->unbanned = get(&p->unbanned);
    o->grammar_dead_ends = get(&p->grammar_dead_ends);
    o->last_frame = get(&p->last_frame);
    o->gen_frame = get(&p->gen_frame);
    for (int b = 0; b < ENGINE_STEP_BUCKETS; b++) o->step_hist[b] = get(&p->step_hist[b]);
}
