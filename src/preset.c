#include "preset.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "device/gm.h"
#include "encode/encoding.h"
#include "files.h"

/* The modes a preset may name: the engine's (engine_mode), by the names
 * `play --mode` takes. */
static const struct {
    const char *name;
    engine_mode mode;
} modes[] = {
    {"auto", ENGINE_MODE_AUTO},
    {"continue", ENGINE_MODE_CONTINUE},
    {"respond", ENGINE_MODE_RESPOND},
    {"steer", ENGINE_MODE_STEER},
    {"accompany", ENGINE_MODE_ACCOMPANY},
};
#define N_MODES (sizeof modes / sizeof *modes)

/* Decoding options a preset may set over the model's own: they change how a
 * token sounds, never which tokens exist (grid, vocabulary and the like come
 * from the model file). */
static const char *const decoding_options[] = {"velocity", "length", NULL};

void preset_default(preset *p) {
    memset(p, 0, sizeof *p);
    engine_config_default(&p->engine);
    synth_config_default(&p->synth);
    snprintf(p->mode_name, sizeof p->mode_name, "auto");
    p->audio = 1;
    p->period = 128;
    p->thru_channel = 1;
}

/* A chain of getters: stop at the first error. */
#define TRY(x)                     \
    do {                           \
        if ((rc = (x))) return rc; \
    } while (0)

static int parse_sampler(cfg_doc *d, cfg_node *root, preset *p, char *err, size_t errlen) {
    cfg_node *n = NULL;
    int rc;
    TRY(cfg_map(d, root, "sampler", 0, &n, err, errlen));
    if (!n) return LJ_OK;
    engine_config *e = &p->engine;
    double v = e->sampler.temperature;
    TRY(cfg_float(d, n, "temperature", 0, 0, ENGINE_MAX_TEMPERATURE, &v, err, errlen));
    e->sampler.temperature = (float)v;
    long l = e->sampler.top_k;
    TRY(cfg_int(d, n, "top_k", 0, 0, 1000000, &l, err, errlen));
    e->sampler.top_k = (int)l;
    v = e->sampler.top_p;
    TRY(cfg_float(d, n, "top_p", 0, 0.001, 1, &v, err, errlen));
    e->sampler.top_p = (float)v;
    v = e->repetition_penalty;
    TRY(cfg_float(d, n, "repetition_penalty", 0, 1, 100, &v, err, errlen));
    e->repetition_penalty = (float)v;
    l = e->penalty_window;
    TRY(cfg_int(d, n, "penalty_window", 0, 1, ENGINE_MAX_HISTORY, &l, err, errlen));
    e->penalty_window = (int)l;
    l = e->no_repeat_ngram;
    TRY(cfg_int(d, n, "no_repeat_ngram", 0, 0, 64, &l, err, errlen));
    e->no_repeat_ngram = (int)l;
    l = e->ngram_window;
    TRY(cfg_int(d, n, "ngram_window", 0, 1, ENGINE_MAX_HISTORY, &l, err, errlen));
    e->ngram_window = (int)l;
    TRY(cfg_float(d, n, "density", 0, ENGINE_MIN_DENSITY, ENGINE_MAX_DENSITY, &e->density, err, errlen));
    cfg_node *seed = cfg_get(n, "seed");
    if (seed) {
        TRY(cfg_node_int(d, seed, 0, 0x7fffffffL, &l, err, errlen));
        e->seed = (uint64_t)l;
        p->seed_given = 1;
    }
    return LJ_OK;
}

/* A GM program by number or name ("Warm Pad"), into *prog. */
static int parse_program(cfg_doc *d, cfg_node *pn, long *prog, char *err, size_t errlen) {
    if (pn->kind == CFG_SCALAR && (pn->quoted || !(pn->value[0] >= '0' && pn->value[0] <= '9'))) {
        if ((*prog = gm_program_find(pn->value)) < 0)
            return lj_fail(err, errlen, LJ_ERR_PARSE,
                           "%s:%d:%d: 'program': expected a GM program 0..127 or its name (e.g. "
                           "'Church Organ', 'Flute', 'Warm Pad'), found '%s'",
                           cfg_name(d), pn->line, pn->col, pn->value);
        return LJ_OK;
    }
    return cfg_node_int(d, pn, 0, 127, prog, err, errlen);
}

/* `vary: {tempo: F, density: OCTAVES, programs: [P, ...]}` under an auto mode's
 * map: engine_vary (slow changes between pieces). */
static int parse_vary(cfg_doc *d, cfg_node *mode, preset *p, char *err, size_t errlen) {
    cfg_node *n = NULL, *list = NULL;
    int rc;
    TRY(cfg_map(d, mode, "vary", 0, &n, err, errlen));
    if (!n) return LJ_OK;
    if (p->engine.mode != ENGINE_MODE_AUTO)
        return lj_fail(err, errlen, LJ_ERR_PARSE,
                       "%s:%d:%d: 'vary': only the auto mode changes between pieces; hint: remove it "
                       "or use 'name: auto'", cfg_name(d), n->line, n->col);
    engine_vary *v = &p->engine.vary;
    TRY(cfg_float(d, n, "tempo", 0, 0, 0.5, &v->tempo, err, errlen));
    TRY(cfg_float(d, n, "density", 0, 0, 2, &v->density, err, errlen));
    TRY(cfg_seq(d, n, "programs", 0, &list, err, errlen));
    if (list) {
        if (list->n_items > ENGINE_MAX_VARY_PROGRAMS)
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: 'programs': at most %d, found %zu",
                           cfg_name(d), list->line, list->col, ENGINE_MAX_VARY_PROGRAMS, list->n_items);
        v->n_programs = 0;
        for (size_t i = 0; i < list->n_items; i++) {
            long prog;
            TRY(parse_program(d, &list->items[i], &prog, err, errlen));
            v->programs[v->n_programs++] = (int)prog;
        }
    }
    return LJ_OK;
}

/* `mode: NAME` or `mode: {name: NAME, phrase_gap: S, reseed: S, lookahead: MS,
 * vary: {...}}`. */
static int parse_mode(cfg_doc *d, cfg_node *root, preset *p, char *err, size_t errlen) {
    cfg_node *n = cfg_get(root, "mode");
    if (!n) return LJ_OK;
    int rc;
    cfg_node *name = n;
    if (n->kind == CFG_MAP) {
        char buf[64];
        TRY(cfg_string(d, n, "name", 1, buf, sizeof buf, err, errlen));
        name = cfg_get(n, "name");
        TRY(cfg_float(d, n, "phrase_gap", 0, 0.05, 60, &p->engine.phrase_gap_seconds, err, errlen));
        TRY(cfg_float(d, n, "reseed", 0, 0, ENGINE_MAX_RESEED_SECONDS, &p->engine.reseed_seconds, err,
                      errlen));
        double rs = p->engine.reseed_seconds;
        if (rs > 0 && rs < ENGINE_MIN_RESEED_SECONDS) {
            cfg_node *r = cfg_get(n, "reseed");
            return lj_fail(err, errlen, LJ_ERR_RANGE,
                           "%s:%d:%d: 'reseed': expected 0 (never) or %g..%g seconds, found %g (a fresh "
                           "start that often leaves pieces of a few notes)",
                           cfg_name(d), r->line, r->col, ENGINE_MIN_RESEED_SECONDS, ENGINE_MAX_RESEED_SECONDS,
                           rs);
        }
        TRY(cfg_float(d, n, "lookahead", 0, 0.1, 1000 * ENGINE_MAX_LOOKAHEAD_SECONDS, &p->lookahead_ms,
                      err, errlen));
    } else if (n->kind != CFG_SCALAR) {
        return lj_fail(err, errlen, LJ_ERR_PARSE,
                       "%s:%d:%d: 'mode': expected a mode name or a map {name, phrase_gap, reseed, vary, "
                       "lookahead}, found a list",
                       cfg_name(d), n->line, n->col);
    }
    char list[256] = "";
    size_t at = 0;
    for (size_t i = 0; i < N_MODES; i++)
        at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", at ? ", " : "", modes[i].name);
    for (size_t i = 0; i < N_MODES; i++) {
        if (strcmp(name->value, modes[i].name)) continue;
        snprintf(p->mode_name, sizeof p->mode_name, "%s", modes[i].name);
        p->engine.mode = modes[i].mode;
        return n->kind == CFG_MAP ? parse_vary(d, n, p, err, errlen) : LJ_OK;
    }
    return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: 'mode': expected one of %s; found '%s'",
                   cfg_name(d), name->line, name->col, list, name->value);
}

/* `instruments: [{channel: C, program: P} | {channel: C, bank: B, preset: P}]`:
 * the channel of the model's notes sets the engine's program (its first
 * event), the others the synth's programs at start; a bank goes to the synth
 * for every channel (a bank select stays in force). */
static int parse_instruments(cfg_doc *d, cfg_node *root, preset *p, char *err, size_t errlen) {
    cfg_node *list = NULL;
    int rc;
    TRY(cfg_seq(d, root, "instruments", 0, &list, err, errlen));
    if (!list) return LJ_OK;
    int seen[16] = {0};
    for (size_t i = 0; i < list->n_items; i++) {
        cfg_node *it = &list->items[i];
        if (it->kind != CFG_MAP)
            return lj_fail(err, errlen, LJ_ERR_PARSE,
                           "%s:%d:%d: 'instruments' item: expected {channel: C, program: P} or "
                           "{channel: C, bank: B, preset: P}, found %s",
                           cfg_name(d), it->line, it->col, it->kind == CFG_SEQ ? "a list" : "a value");
        long ch = 0, prog = -1, bank = -1, sfpreset = -1;
        TRY(cfg_int(d, it, "channel", 1, 1, 16, &ch, err, errlen));
        cfg_node *pn = cfg_get(it, "program");
        if (pn) TRY(parse_program(d, pn, &prog, err, errlen));
        TRY(cfg_int(d, it, "bank", 0, 0, 16383, &bank, err, errlen));
        TRY(cfg_int(d, it, "preset", 0, 0, 127, &sfpreset, err, errlen));
        if (prog >= 0 && (bank >= 0 || sfpreset >= 0))
            return lj_fail(err, errlen, LJ_ERR_PARSE,
                           "%s:%d:%d: instrument on channel %ld: give a GM 'program', or a SoundFont "
                           "'bank' and 'preset', not both",
                           cfg_name(d), it->line, it->col, ch);
        if (prog < 0 && (bank < 0 || sfpreset < 0))
            return lj_fail(err, errlen, LJ_ERR_PARSE,
                           "%s:%d:%d: instrument on channel %ld: expected 'program: 0..127' (GM), or "
                           "'bank' and 'preset' (SoundFont)",
                           cfg_name(d), it->line, it->col, ch);
        if (seen[ch - 1])
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: channel %ld has an instrument already (line %d)",
                           cfg_name(d), it->line, it->col, ch, seen[ch - 1]);
        seen[ch - 1] = it->line;
        p->synth.programs[ch - 1] = (int)(prog >= 0 ? prog : sfpreset);
        if (bank >= 0) p->synth.banks[ch - 1] = (int)bank;
    }
    return LJ_OK;
}

static int parse_audio(cfg_doc *d, cfg_node *root, const char *dir, int check_files, preset *p,
                       char *err, size_t errlen) {
    int rc;
    cfg_node *sf = cfg_get(root, "soundfont");
    if (sf) {
        p->soundfont_line = sf->line;
        if (sf->kind == CFG_SCALAR && !sf->quoted && !strcmp(sf->value, "default")) {
            p->soundfont[0] = 0;
        } else {
            TRY(cfg_node_path(d, sf, dir, p->soundfont, sizeof p->soundfont, err, errlen));
            struct stat st;
            if (check_files && stat(p->soundfont, &st) == 0 && S_ISDIR(st.st_mode))
                return lj_fail(err, errlen, LJ_ERR_ARG,
                               "%s:%d:%d: soundfont '%s': is a folder (expected a .sf2 or .sf3 file)",
                               cfg_name(d), sf->line, sf->col, p->soundfont);
            if (check_files && access(p->soundfont, R_OK) != 0)
                return lj_fail(err, errlen, LJ_ERR_ARG,
                               "%s:%d:%d: soundfont '%s': cannot read: %s; hint: write "
                               "'soundfont: default' for the search order (soundfonts/, the system's "
                               "GM SoundFont, lstmjam-basic.sf2), or a path relative to the preset",
                               cfg_name(d), sf->line, sf->col, p->soundfont, strerror(errno));
        }
    }
    cfg_node *n = NULL;
    TRY(cfg_map(d, root, "audio", 0, &n, err, errlen));
    if (!n) return LJ_OK;
    TRY(cfg_bool(d, n, "enabled", 0, &p->audio, err, errlen));
    cfg_node *dev = cfg_get(n, "device");
    if (dev) {
        if (dev->kind != CFG_SCALAR)
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: 'device': expected an index or a name, found %s",
                           cfg_name(d), dev->line, dev->col, dev->kind == CFG_MAP ? "a map" : "a list");
        TRY(cfg_node_string(d, dev, p->audio_device, sizeof p->audio_device, err, errlen));
    }
    long l = (long)p->synth.sample_rate;
    TRY(cfg_int(d, n, "rate", 0, SYNTH_MIN_RATE, SYNTH_MAX_RATE, &l, err, errlen));
    p->synth.sample_rate = (double)l;
    l = (long)p->period;
    TRY(cfg_int(d, n, "period", 0, 16, 8192, &l, err, errlen));
    p->period = (unsigned)l;
    TRY(cfg_float(d, n, "gain", 0, 0, SYNTH_MAX_GAIN, &p->synth.gain, err, errlen));
    l = p->synth.polyphony;
    TRY(cfg_int(d, n, "polyphony", 0, 1, 65535, &l, err, errlen));
    p->synth.polyphony = (int)l;
    TRY(cfg_bool(d, n, "chorus", 0, &p->synth.chorus, err, errlen));
    cfg_node *rv = cfg_get(n, "reverb");
    if (rv && rv->kind == CFG_MAP) { /* reverb: {room: 0..1, level: 0..1} turns it on */
        p->synth.reverb = 1;
        TRY(cfg_float(d, rv, "room", 0, 0, 1, &p->synth.reverb_room, err, errlen));
        TRY(cfg_float(d, rv, "level", 0, 0, 1, &p->synth.reverb_level, err, errlen));
    } else if (rv) {
        TRY(cfg_bool(d, n, "reverb", 0, &p->synth.reverb, err, errlen));
    }
    return LJ_OK;
}

static int parse_midi(cfg_doc *d, cfg_node *root, preset *p, char *err, size_t errlen) {
    cfg_node *n = NULL;
    int rc;
    TRY(cfg_map(d, root, "midi", 0, &n, err, errlen));
    if (!n) return LJ_OK;
    TRY(cfg_string(d, n, "in", 0, p->midi_in, sizeof p->midi_in, err, errlen));
    TRY(cfg_string(d, n, "out", 0, p->midi_out, sizeof p->midi_out, err, errlen));
    static const char *const clock_names[] = {"off", "out", "in", NULL}; /* PRESET_CLOCK_* */
    TRY(cfg_enum(d, n, "clock", 0, clock_names, &p->midi_clock, err, errlen));
    long l = p->thru_channel + 1;
    TRY(cfg_int(d, n, "thru_channel", 0, 1, 16, &l, err, errlen));
    p->thru_channel = (int)l - 1;
    cfg_node *thru = cfg_get(n, "thru_channel"), *at_node = thru ? thru : n;
    if ((thru || p->midi_in[0]) && p->thru_channel == p->engine.channel) /* `channel` is read by now */
        return lj_fail(err, errlen, LJ_ERR_PARSE,
                       "%s:%d:%d: the player's notes (midi.thru_channel) and the model's ('channel') "
                       "are both on channel %d: they would cut each other's notes off; hint: give "
                       "them different channels",
                       cfg_name(d), at_node->line, at_node->col, p->thru_channel + 1);
    cfg_node *cc = NULL;
    TRY(cfg_map(d, n, "cc", 0, &cc, err, errlen));
    if (!cc) return LJ_OK;
    /* Named controls over the engine's default mapping; -1 unmaps one. */
    static const char *const names[] = {"temperature", "density", "tempo", "mode", "panic"};
    engine_cc_map *map = &p->engine.cc;
    int *slot[] = {&map->temperature, &map->density, &map->tempo, &map->mode, &map->panic};
    cfg_node *item_of[5] = {NULL};
    for (int t = 0; t < 5; t++) {
        cfg_node *item = item_of[t] = cfg_get(cc, names[t]);
        if (!item) continue;
        /* -1..119: 120..127 are the channel mode messages (all sound off,
         * reset, all notes off...), not controllers to map. */
        TRY(cfg_node_int(d, item, -1, 119, &l, err, errlen));
        *slot[t] = (int)l;
    }
    /* One controller, one control: also against the defaults left in place. */
    for (int t = 0; t < 5; t++)
        for (int u = 0; u < t; u++) {
            if (*slot[t] < 0 || *slot[t] != *slot[u]) continue;
            cfg_node *at_node = item_of[t] ? item_of[t] : item_of[u];
            return lj_fail(err, errlen, LJ_ERR_PARSE,
                           "%s:%d:%d: CC %d drives both '%s' and '%s'%s; hint: map one of them to "
                           "another controller, or to -1 (none)",
                           cfg_name(d), at_node->line, at_node->col, *slot[t], names[u], names[t],
                           item_of[t] && item_of[u] ? "" : " (the engine's default)");
        }
    return LJ_OK;
}

/* `encoding: {velocity: 70, length: quarter}`: checked by enc_opts_set (the
 * names and values of `lstmjam encode --opt`), kept as "key=value ..." text. */
static int parse_encoding(cfg_doc *d, cfg_node *root, preset *p, char *err, size_t errlen) {
    cfg_node *n = NULL;
    int rc;
    TRY(cfg_map(d, root, "encoding", 0, &n, err, errlen));
    if (!n) return LJ_OK;
    enc_opts o;
    enc_opts_default(&o, "timestep");
    size_t at = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        cfg_node *item = &n->items[i];
        int ok = 0;
        for (size_t k = 0; decoding_options[k]; k++) ok |= !strcmp(item->key, decoding_options[k]);
        if (!ok)
            return lj_fail(err, errlen, LJ_ERR_PARSE,
                           "%s:%d:%d: encoding option '%s' cannot be set by a preset (expected velocity "
                           "or length); hint: the options that shape the vocabulary come from the "
                           "model file",
                           cfg_name(d), item->key_line, item->key_col, item->key);
        item->used = 1;
        char value[128], inner[256];
        TRY(cfg_node_string(d, item, value, sizeof value, err, errlen));
        if ((rc = enc_opts_set(&o, item->key, value, inner, sizeof inner)))
            return lj_fail(err, errlen, rc, "%s:%d:%d: encoding option %s", cfg_name(d), item->line,
                           item->col, inner);
        int w = snprintf(p->encoding_options + at, sizeof p->encoding_options - at, "%s%s=%s",
                         at ? " " : "", item->key, value);
        if (w < 0 || (size_t)w >= sizeof p->encoding_options - at)
            return lj_fail(err, errlen, LJ_ERR_LIMIT, "%s:%d:%d: encoding options too long", cfg_name(d),
                           item->line, item->col);
        at += (size_t)w;
    }
    return LJ_OK;
}

static int parse_root(cfg_doc *d, cfg_node *root, const char *dir, int check_files, preset *p,
                      char *err, size_t errlen) {
    int rc;
    TRY(cfg_string(d, root, "description", 0, p->description, sizeof p->description, err, errlen));
    TRY(parse_mode(d, root, p, err, errlen));
    TRY(cfg_path(d, root, "model", 1, dir, p->model, sizeof p->model, err, errlen));
    cfg_node *m = cfg_get(root, "model");
    p->model_line = m->line;
    p->model_col = m->col;
    struct stat st;
    if (check_files && stat(p->model, &st) == 0 && S_ISDIR(st.st_mode))
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s:%d:%d: model '%s': is a folder (expected a model file)",
                       cfg_name(d), m->line, m->col, p->model);
    if (check_files && access(p->model, R_OK) != 0)
        return lj_fail(err, errlen, LJ_ERR_ARG,
                       "%s:%d:%d: model '%s': cannot read: %s; hint: this preset's model is not "
                       "there (not trained or not shipped yet?): model/pretrained/README.md says how "
                       "each shipped model is trained, or point 'model' at one you trained "
                       "(runs/NAME/model.lstm)",
                       cfg_name(d), m->line, m->col, p->model, strerror(errno));
    TRY(parse_encoding(d, root, p, err, errlen));
    TRY(parse_sampler(d, root, p, err, errlen));
    cfg_node *t = cfg_get(root, "tempo");
    if (t && !(t->kind == CFG_SCALAR && !t->quoted && !strcmp(t->value, "model")))
        TRY(cfg_node_float(d, t, ENGINE_MIN_TEMPO, ENGINE_MAX_TEMPO, &p->engine.tempo_bpm, err, errlen));
    long l = p->engine.channel + 1;
    TRY(cfg_int(d, root, "channel", 0, 1, 16, &l, err, errlen));
    p->engine.channel = (int)l - 1;
    TRY(parse_instruments(d, root, p, err, errlen));
    TRY(parse_audio(d, root, dir, check_files, p, err, errlen));
    TRY(parse_midi(d, root, p, err, errlen));
    cfg_node *r = NULL;
    TRY(cfg_map(d, root, "render", 0, &r, err, errlen));
    if (r) TRY(cfg_float(d, r, "minutes", 0, 0.001, 360, &p->render_minutes, err, errlen));
    if (r) TRY(cfg_float(d, r, "max_silence", 0, 0.1, 600, &p->render_max_silence, err, errlen));
    /* The model's channel: its instrument is the engine's first program. */
    int ch = p->engine.channel;
    if (p->synth.programs[ch] >= 0) p->engine.program = p->synth.programs[ch];
    return cfg_check_unknown(d, root, err, errlen);
}

int preset_parse(const char *text, size_t len, const char *name, const char *dir, int check_files,
                 preset *p, char *err, size_t errlen) {
    preset_default(p);
    snprintf(p->path, sizeof p->path, "%s", name);
    const char *base = lj_file_base(name);
    size_t bl = strlen(base);
    if (bl > 5 && !strcmp(base + bl - 5, ".yaml")) bl -= 5;
    snprintf(p->name, sizeof p->name, "%.*s", (int)(bl < sizeof p->name ? bl : sizeof p->name - 1), base);
    cfg_doc *d = NULL;
    int rc = cfg_load_mem(text, len, name, &d, err, errlen);
    if (rc) return rc;
    cfg_node *root = cfg_root(d);
    if (!root)
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: empty preset: expected at least 'model: FILE.lstm'",
                     name);
    else
        rc = parse_root(d, root, dir, check_files, p, err, errlen);
    cfg_destroy(d);
    if (!rc) p->synth.soundfont = p->soundfont[0] ? p->soundfont : NULL;
    return rc;
}

/* ---- finding presets -------------------------------------------------------- */

int preset_dir(char *out, size_t outlen, char *err, size_t errlen) {
    char dirs[2][LJ_PROJECT_PATH_MAX];
    lj_project_dirs(PRESET_DIR, dirs);
    for (int i = 0; i < 2; i++) {
        struct stat st;
        if (dirs[i][0] && stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if ((size_t)snprintf(out, outlen, "%s", dirs[i]) >= outlen) break;
            return LJ_OK;
        }
    }
    return lj_fail(err, errlen, LJ_ERR_IO, "no presets folder (looked for %s/ and %s/)", dirs[0],
                   dirs[1][0] ? dirs[1] : "PROJECT/" PRESET_DIR);
}

int preset_find(const char *arg, char *path, size_t pathlen, char *err, size_t errlen) {
    size_t n = strlen(arg);
    struct stat st;
    if (!arg[0]) return lj_fail(err, errlen, LJ_ERR_ARG, "--preset: expected a NAME or a FILE, found ''");
    if (strchr(arg, '/') || (n > 5 && !strcmp(arg + n - 5, ".yaml"))) { /* a file */
        if (stat(arg, &st) != 0)
            return lj_fail(err, errlen, LJ_ERR_ARG, "preset %s: cannot read: %s", arg, strerror(errno));
        if (S_ISDIR(st.st_mode))
            return lj_fail(err, errlen, LJ_ERR_ARG, "preset %s: is a folder (expected a preset file, NAME.yaml)",
                           arg);
        if ((size_t)snprintf(path, pathlen, "%s", arg) >= pathlen)
            return lj_fail(err, errlen, LJ_ERR_ARG, "preset %s: path too long", arg);
        return LJ_OK;
    }
    char dir[LJ_PROJECT_PATH_MAX];
    int rc = preset_dir(dir, sizeof dir, err, errlen);
    if (rc) return lj_fail(err, errlen, LJ_ERR_ARG, "preset '%s': not a file, and no presets folder to look in", arg);
    if ((size_t)snprintf(path, pathlen, "%s/%s.yaml", dir, arg) >= pathlen)
        return lj_fail(err, errlen, LJ_ERR_ARG, "preset '%s': name too long", arg);
    if (access(path, R_OK) == 0) return LJ_OK;
    /* Not there: list what is, so a typo is easy to see. */
    char names[1024] = "";
    size_t at = 0;
    DIR *dd = opendir(dir);
    if (dd) {
        struct dirent *de;
        while ((de = readdir(dd)) != NULL) {
            size_t l = strlen(de->d_name);
            if (l <= 5 || strcmp(de->d_name + l - 5, ".yaml") || at >= sizeof names) continue;
            at += (size_t)snprintf(names + at, sizeof names - at, "%s%.*s", at ? ", " : "", (int)(l - 5),
                                   de->d_name);
        }
        closedir(dd);
    }
    return lj_fail(err, errlen, LJ_ERR_ARG, "no preset '%s' (%s/%s.yaml does not exist); presets: %s",
                   arg, dir, arg, names[0] ? names : "none");
}

int preset_load(const char *name_or_file, preset *p, char *err, size_t errlen) {
    char path[PRESET_PATH_MAX];
    int rc = preset_find(name_or_file, path, sizeof path, err, errlen);
    if (rc) return rc;
    uint8_t *data = NULL;
    size_t len = 0;
    if ((rc = lj_file_read(path, &data, &len, err, errlen))) return rc;
    char dir[PRESET_PATH_MAX];
    const char *base = lj_file_base(path);
    snprintf(dir, sizeof dir, "%.*s", base > path ? (int)(base - path - 1) : 0, path);
    if (base > path && !dir[0]) snprintf(dir, sizeof dir, "/"); /* a preset in / */
    rc = preset_parse((const char *)data, len, path, dir, 1, p, err, errlen);
    free(data);
    return rc;
}

void preset_model_error(const preset *p, const char *model, char *err, size_t errlen) {
    if (model != p->model || !p->model_line || !err[0]) return; /* --model's, or no preset */
    /* The loader's message starts "MODEL: " (or "MODEL "): the model is named
     * once, quoted, after the preset's position. */
    size_t ml = strlen(model);
    const char *why = err;
    if (!strncmp(err, model, ml) && (err[ml] == ':' || err[ml] == ' ')) why = err + ml + (err[ml] == ':') + 1;
    char inner[1024];
    snprintf(inner, sizeof inner, "%s", why);
    snprintf(err, errlen, "%s:%d:%d: model '%s': %s", p->path, p->model_line, p->model_col, model, inner);
}

int preset_from_args(int argc, char **argv, preset *p, int *found, char *err, size_t errlen) {
    *found = 0;
    const char *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--preset")) continue;
        if (i + 1 >= argc) return lj_fail(err, errlen, LJ_ERR_ARG, "--preset needs a NAME or a FILE");
        if (name) return lj_fail(err, errlen, LJ_ERR_ARG, "--preset given twice");
        name = argv[++i];
    }
    if (!name) return LJ_OK;
    *found = 1;
    return preset_load(name, p, err, errlen);
}

int preset_vary_yield(engine_vary *v, unsigned what, const char *who, char *note, size_t notelen) {
    const char *set = NULL, *part = NULL;
    if (what == ENGINE_VARY_TEMPO && v->tempo > 0) {
        v->tempo = 0;
        set = "the tempo", part = "mode.vary.tempo is";
    } else if (what == ENGINE_VARY_DENSITY && v->density > 0) {
        v->density = 0;
        set = "the density", part = "mode.vary.density is";
    } else if (what == PRESET_VARY_PROGRAMS && v->n_programs > 0) {
        v->n_programs = 0;
        set = "the program", part = "mode.vary.programs are";
    }
    if (!set) return 0;
    size_t used = strnlen(note, notelen);
    if (used < notelen) snprintf(note + used, notelen - used, "%s sets %s: the preset's %s off\n", who, set, part);
    return 1;
}

void preset_vary_yield_options(engine_vary *v, const char *tempo, const char *density, const char *program,
                               char *note, size_t notelen) {
    if (tempo[0]) preset_vary_yield(v, ENGINE_VARY_TEMPO, tempo, note, notelen);
    if (density[0]) preset_vary_yield(v, ENGINE_VARY_DENSITY, density, note, notelen);
    if (program[0]) preset_vary_yield(v, PRESET_VARY_PROGRAMS, program, note, notelen);
}
