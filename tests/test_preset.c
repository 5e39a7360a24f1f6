/* preset: a full preset read into the engine, synth and CLI settings; paths
 * resolved against the preset's folder; every kind of bad input (unknown key
 * with its hint, wrong type, out of range, missing model or SoundFont, an
 * unknown mode, conflicting instruments, CC mapped twice, the player on
 * the model's channel) named by file:line:col; preset_find by name and by
 * file; and every shipped preset in presets/ parses, and those whose model is
 * there also pass the file checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "preset.h"

static char dir[256];       /* a folder with a model and a SoundFont file in it */
static preset pr;

static int setup(void **st) {
    (void)st;
    snprintf(dir, sizeof dir, "/tmp/lj_test_preset_%d", (int)getpid());
    char path[512], err[256];
    if (mkdir(dir, 0700)) return -1;
    snprintf(path, sizeof path, "%s/m.lstm", dir);
    if (lj_file_write_atomic(path, "x", 1, err, sizeof err)) return -1;
    snprintf(path, sizeof path, "%s/f.sf2", dir);
    return lj_file_write_atomic(path, "x", 1, err, sizeof err) ? -1 : 0;
}

static int teardown(void **st) {
    (void)st;
    char path[512];
    snprintf(path, sizeof path, "%s/m.lstm", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/f.sf2", dir);
    unlink(path);
    rmdir(dir);
    return 0;
}

static int parse(const char *text, int check_files, char *err, size_t errlen) {
    err[0] = 0;
    return preset_parse(text, strlen(text), "p.yaml", dir, check_files, &pr, err, errlen);
}

static const char *full =
    "description: a test\n"
    "model: m.lstm\n"
    "encoding: {velocity: 70, length: quarter}\n"
    "sampler:\n"
    "  temperature: 0.8\n"
    "  top_k: 12\n"
    "  top_p: 0.9\n"
    "  repetition_penalty: 1.2\n"
    "  penalty_window: 32\n"
    "  no_repeat_ngram: 6\n"
    "  ngram_window: 300\n"
    "  density: 1.5\n"
    "  seed: 7\n"
    "mode: {name: respond, phrase_gap: 0.8, reseed: 30, lookahead: 25}\n"
    "tempo: 90\n"
    "channel: 3\n"
    "instruments:\n"
    "  - {channel: 3, program: Church Organ}\n"
    "  - {channel: 4, bank: 128, preset: 0}\n"
    "  - {channel: 5, program: 73}\n"
    "soundfont: f.sf2\n"
    "audio:\n"
    "  device: 'USB'\n"
    "  rate: 44100\n"
    "  period: 256\n"
    "  gain: 0.5\n"
    "  reverb: {room: 0.8, level: 0.7}\n"
    "  chorus: false\n"
    "  polyphony: 64\n"
    "midi:\n"
    "  in: jack\n"
    "  out: virtual\n"
    "  thru_channel: 2\n"
    "  clock: in\n"
    "  cc: {temperature: 21, tempo: 22, panic: 23, density: -1}\n"
    "render: {minutes: 2.5, max_silence: 12}\n";

static void test_full(void **st) {
    (void)st;
    char err[1024], want[512];
    int rc = parse(full, 1, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, LJ_OK);
    assert_string_equal(pr.description, "a test");
    snprintf(want, sizeof want, "%s/m.lstm", dir);
    assert_string_equal(pr.model, want);
    assert_int_equal(pr.model_line, 2);
    assert_string_equal(pr.encoding_options, "velocity=70 length=quarter");
    assert_true(fabsf(pr.engine.sampler.temperature - 0.8f) < 1e-6f);
    assert_int_equal(pr.engine.sampler.top_k, 12);
    assert_true(fabsf(pr.engine.sampler.top_p - 0.9f) < 1e-6f);
    assert_true(fabsf(pr.engine.repetition_penalty - 1.2f) < 1e-6f);
    assert_int_equal(pr.engine.penalty_window, 32);
    assert_int_equal(pr.engine.no_repeat_ngram, 6);
    assert_int_equal(pr.engine.ngram_window, 300);
    assert_int_equal(pr.engine.seed, 7);
    assert_int_equal(pr.seed_given, 1);
    assert_int_equal(pr.engine.mode, ENGINE_MODE_RESPOND);
    assert_string_equal(pr.mode_name, "respond");
    assert_true(pr.engine.phrase_gap_seconds == 0.8);
    assert_true(pr.engine.reseed_seconds == 30);
    assert_true(pr.lookahead_ms == 25);
    assert_true(pr.engine.tempo_bpm == 90);
    assert_int_equal(pr.engine.channel, 2);
    assert_int_equal(pr.engine.program, 19); /* Church Organ on the model's channel */
    assert_int_equal(pr.synth.programs[2], 19);
    assert_int_equal(pr.synth.banks[3], 128);
    assert_int_equal(pr.synth.programs[3], 0);
    assert_int_equal(pr.synth.programs[4], 73);
    assert_int_equal(pr.synth.banks[4], -1);
    assert_int_equal(pr.synth.programs[0], -1);
    snprintf(want, sizeof want, "%s/f.sf2", dir);
    assert_string_equal(pr.soundfont, want);
    assert_ptr_equal(pr.synth.soundfont, pr.soundfont);
    assert_string_equal(pr.audio_device, "USB");
    assert_true(pr.synth.sample_rate == 44100);
    assert_int_equal(pr.period, 256);
    assert_true(pr.synth.gain == 0.5);
    assert_int_equal(pr.synth.reverb, 1);
    assert_true(pr.synth.reverb_room == 0.8 && pr.synth.reverb_level == 0.7);
    assert_int_equal(pr.synth.chorus, 0);
    assert_int_equal(pr.synth.polyphony, 64);
    assert_string_equal(pr.midi_in, "jack");
    assert_string_equal(pr.midi_out, "virtual");
    assert_int_equal(pr.thru_channel, 1);
    assert_int_equal(pr.midi_clock, PRESET_CLOCK_IN);
    engine_cc_map dm;
    engine_cc_map_default(&dm);
    assert_int_equal(pr.engine.cc.temperature, 21);
    assert_int_equal(pr.engine.cc.tempo, 22);
    assert_int_equal(pr.engine.cc.panic, 23);
    assert_int_equal(pr.engine.cc.density, -1);
    assert_int_equal(pr.engine.cc.mode, dm.mode); /* not named: the engine's default */
    assert_true(pr.engine.density == 1.5);
    assert_true(pr.render_minutes == 2.5);
    assert_true(pr.render_max_silence == 12);
    assert_string_equal(pr.name, "p");
}

static void test_minimal_defaults(void **st) {
    (void)st;
    char err[1024];
    assert_int_equal(parse("model: m.lstm\nmode: steer\n", 0, err, sizeof err), LJ_OK);
    assert_int_equal(pr.engine.mode, ENGINE_MODE_STEER);
    assert_int_equal(parse("model: m.lstm\nmode: {name: accompany}\n", 0, err, sizeof err), LJ_OK);
    assert_int_equal(pr.engine.mode, ENGINE_MODE_ACCOMPANY);
    assert_int_equal(parse("model: /abs/m.lstm\nsoundfont: default\nreverb_off: 1\n", 0, err, sizeof err),
                     LJ_ERR_PARSE);
    assert_non_null(strstr(err, "p.yaml:3:1: unknown key 'reverb_off'"));
    assert_int_equal(parse("model: /abs/m.lstm\nmode: auto\naudio: {reverb: false}\n", 0, err, sizeof err), LJ_OK);
    assert_string_equal(pr.model, "/abs/m.lstm"); /* absolute: as written */
    assert_null(pr.synth.soundfont);
    assert_int_equal(pr.synth.reverb, 0);
    engine_config d;
    engine_config_default(&d);
    assert_int_equal(pr.engine.mode, ENGINE_MODE_AUTO);
    assert_true(pr.engine.tempo_bpm == 0 && pr.engine.program == d.program && pr.engine.seed == d.seed);
    assert_int_equal(pr.seed_given, 0);
    assert_int_equal(pr.audio, 1);
    assert_int_equal(pr.period, 128);
    assert_int_equal(pr.thru_channel, 1);
    assert_true(pr.engine.vary.tempo == 0 && pr.engine.vary.density == 0 && pr.engine.vary.n_programs == 0);
    /* auto's slow changes: numbers and GM names */
    assert_int_equal(parse("model: m.lstm\nmode: {name: auto, vary: {tempo: 0.1, density: 0.5, "
                           "programs: [Warm Pad, 92]}}\n", 0, err, sizeof err), LJ_OK);
    assert_true(pr.engine.vary.tempo == 0.1 && pr.engine.vary.density == 0.5);
    assert_int_equal(pr.engine.vary.n_programs, 2);
    assert_int_equal(pr.engine.vary.programs[0], 89);
    assert_int_equal(pr.engine.vary.programs[1], 92);
}

/* Bad presets: each error names this position and says this. */
static const struct {
    const char *text;
    int check_files;
    int rc;
    const char *want; /* substring of the message */
} bad[] = {
    {"", 0, LJ_ERR_PARSE, "p.yaml: empty preset"},
    {"description: x\n", 0, LJ_ERR_PARSE, "missing required key 'model'"},
    {"model: m.lstm\ntemprature: 1\n", 0, LJ_ERR_PARSE, "p.yaml:2:1: unknown key 'temprature'"},
    {"model: m.lstm\nsampler: {temprature: 1}\n", 0, LJ_ERR_PARSE,
     "p.yaml:2:11: unknown key 'temprature' in 'sampler' (did you mean 'temperature'?)"},
    {"model: m.lstm\nsampler: {temperature: 3}\n", 0, LJ_ERR_RANGE, "p.yaml:2:24: 'temperature': 3 is out of range 0..2"},
    {"model: m.lstm\nsampler: {temperature: hot}\n", 0, LJ_ERR_PARSE, "p.yaml:2:24: 'temperature': expected a number, found 'hot'"},
    {"model: m.lstm\nsampler: [1]\n", 0, LJ_ERR_PARSE, "p.yaml:2:10: 'sampler': expected a map"},
    {"model: m.lstm\nsampler: {repetition_penalty: 0.5}\n", 0, LJ_ERR_RANGE, "'repetition_penalty': 0.5 is out of range 1..100"},
    {"model: m.lstm\ntempo: 1000\n", 0, LJ_ERR_RANGE, "p.yaml:2:8: 'tempo': 1000 is out of range 20..400"},
    {"model: m.lstm\nchannel: 17\n", 0, LJ_ERR_RANGE, "p.yaml:2:10: 'channel': 17 is out of range 1..16"},
    {"model: m.lstm\nmode: jazz\n", 0, LJ_ERR_PARSE,
     "p.yaml:2:7: 'mode': expected one of auto, continue, respond, steer, accompany; found 'jazz'"},
    {"model: m.lstm\nmode: steer\nbogus: 1\n", 0, LJ_ERR_PARSE, "p.yaml:3:1: unknown key 'bogus'"},
    {"model: m.lstm\nmode: {name: auto, gap: 1}\n", 0, LJ_ERR_PARSE, "unknown key 'gap' in 'mode'"},
    {"model: m.lstm\nmode: {reseed: 1}\n", 0, LJ_ERR_PARSE, "p.yaml:2:7: missing required key 'name' in 'mode'"},
    {"model: m.lstm\nmode: {name: steer, vary: {tempo: 0.1}}\n", 0, LJ_ERR_PARSE,
     "p.yaml:2:27: 'vary': only the auto mode changes between pieces"},
    {"model: m.lstm\nmode: {name: auto, vary: {tempo: 0.6}}\n", 0, LJ_ERR_RANGE, "'tempo': 0.6 is out of range 0..0.5"},
    {"model: m.lstm\nmode: {name: auto, vary: {programs: [1, 2, 3, 4, 5, 6, 7, 8, 9]}}\n", 0, LJ_ERR_PARSE,
     "'programs': at most 8, found 9"},
    {"model: m.lstm\nmode: {name: auto, vary: {programs: [Kazoo]}}\n", 0, LJ_ERR_PARSE,
     "p.yaml:2:38: 'program': expected a GM program 0..127 or its name"},
    {"model: m.lstm\nmode: {name: auto, vary: {tempi: 0.1}}\n", 0, LJ_ERR_PARSE, "unknown key 'tempi' in 'vary'"},
    {"model: m.lstm\ninstruments: [{channel: 1, program: 1, bank: 0, preset: 2}]\n", 0, LJ_ERR_PARSE,
     "p.yaml:2:15: instrument on channel 1: give a GM 'program', or a SoundFont 'bank' and 'preset', not both"},
    {"model: m.lstm\ninstruments: [{channel: 1, bank: 0}]\n", 0, LJ_ERR_PARSE, "expected 'program: 0..127'"},
    {"model: m.lstm\ninstruments: [{program: 1}]\n", 0, LJ_ERR_PARSE, "missing required key 'channel'"},
    {"model: m.lstm\ninstruments: [{channel: 1, program: Kazoo}]\n", 0, LJ_ERR_PARSE,
     "p.yaml:2:37: 'program': expected a GM program 0..127 or its name"},
    {"model: m.lstm\ninstruments: [{channel: 1, program: 128}]\n", 0, LJ_ERR_RANGE, "128 is out of range 0..127"},
    {"model: m.lstm\ninstruments:\n  - {channel: 1, program: 1}\n  - {channel: 1, program: 2}\n", 0,
     LJ_ERR_PARSE, "p.yaml:4:5: channel 1 has an instrument already (line 3)"},
    {"model: m.lstm\ninstruments: [3]\n", 0, LJ_ERR_PARSE, "'instruments' item: expected {channel: C, program: P}"},
    {"model: m.lstm\naudio: {rate: 100}\n", 0, LJ_ERR_RANGE, "p.yaml:2:15: 'rate': 100 is out of range 8000..96000"},
    {"model: m.lstm\naudio: {reverb: {room: 2}}\n", 0, LJ_ERR_RANGE, "'room': 2 is out of range 0..1"},
    {"model: m.lstm\naudio: {reverb: maybe}\n", 0, LJ_ERR_PARSE, "'reverb': expected true or false, found 'maybe'"},
    {"model: m.lstm\naudio: {enabled: 1}\n", 0, LJ_ERR_PARSE, "'enabled': expected true or false, found '1'"},
    {"model: m.lstm\naudio: {device: [1]}\n", 0, LJ_ERR_PARSE, "'device': expected an index or a name"},
    {"model: m.lstm\nmidi: {cc: {temperature: 21, tempo: 21}}\n", 0, LJ_ERR_PARSE,
     "p.yaml:2:37: CC 21 drives both 'temperature' and 'tempo'; hint"},
    {"model: m.lstm\nmidi: {cc: {panic: 74}}\n", 0, LJ_ERR_PARSE,
     "p.yaml:2:20: CC 74 drives both 'density' and 'panic' (the engine's default)"},
    {"model: m.lstm\nmidi: {cc: {temperature: 123}}\n", 0, LJ_ERR_RANGE, "123 is out of range -1..119"},
    {"model: m.lstm\nsampler: {density: 5}\n", 0, LJ_ERR_RANGE, "'density': 5 is out of range 0.25..4"},
    {"model: m.lstm\nmidi: {cc: {volume: 7}}\n", 0, LJ_ERR_PARSE, "unknown key 'volume' in 'cc'"},
    {"model: m.lstm\nmidi: {clock: sync}\n", 0, LJ_ERR_PARSE,
     "p.yaml:2:15: 'clock': expected one of off, out, in; found 'sync'"},
    {"model: m.lstm\nmidi: {thru_channel: 1}\n", 0, LJ_ERR_PARSE,
     "p.yaml:2:22: the player's notes (midi.thru_channel) and the model's ('channel') are both on channel 1"},
    {"model: m.lstm\nencoding: {grid: 8th}\n", 0, LJ_ERR_PARSE,
     "p.yaml:2:12: encoding option 'grid' cannot be set by a preset"},
    {"model: m.lstm\nencoding: {velocity: 300}\n", 0, LJ_ERR_ARG, "p.yaml:2:22: encoding option velocity"},
    {"model: m.lstm\nrender: {minutes: 0}\n", 0, LJ_ERR_RANGE, "'minutes': 0 is out of range"},
    {"model: m.lstm\nrender: {max_silence: 0}\n", 0, LJ_ERR_RANGE, "'max_silence': 0 is out of range"},
    {"model: ''\n", 0, LJ_ERR_PARSE, "p.yaml:1:8: 'model': expected a path, found an empty string"},
    {"model: nope.lstm\n", 1, LJ_ERR_ARG, "p.yaml:1:8: model '"},
    {"model: m.lstm\nsoundfont: nope.sf2\n", 1, LJ_ERR_ARG, "p.yaml:2:12: soundfont '"},
    {"model: m.lstm\nmodel: n.lstm\n", 0, LJ_ERR_PARSE, "p.yaml:2:1: key 'model' appears twice"},
    /* a folder where a file belongs: said so, at the preset's line (it was
     * "read error", exit 1, when the model was loaded) */
    {"model: .\n", 1, LJ_ERR_ARG, "/.': is a folder (expected a model file)"},
    {"model: m.lstm\nsoundfont: .\n", 1, LJ_ERR_ARG, "/.': is a folder (expected a .sf2 or .sf3 file)"},
    /* a quoted number is text: say that it was quoted */
    {"model: m.lstm\ntempo: \"90\"\n", 0, LJ_ERR_PARSE,
     "p.yaml:2:8: 'tempo': expected a number, found the quoted string \"90\" (quotes make it text: write it "
     "without them)"},
    {"model: m.lstm\nchannel: '3'\n", 0, LJ_ERR_PARSE, "'channel': expected an integer, found the quoted string '3' ("},
    {"model: m.lstm\naudio: {enabled: \"yes\"}\n", 0, LJ_ERR_PARSE,
     "'enabled': expected true or false, found the quoted string \"yes\" (quotes make it text"},
    {"model: m.lstm\ntempo: \"fast\"\n", 0, LJ_ERR_PARSE, "'tempo': expected a number, found the quoted string \"fast\""},
    /* re-seeding more often than once a second leaves pieces of a few notes */
    {"model: m.lstm\nmode: {name: auto, reseed: 0.001}\n", 0, LJ_ERR_RANGE,
     "p.yaml:2:28: 'reseed': expected 0 (never) or 1..86400 seconds, found 0.001"},
    {"model: m.lstm\n  bad indent: [\n", 0, LJ_ERR_PARSE, "p.yaml:2:"},
    {"- a\n- b\n", 0, LJ_ERR_PARSE, "expected 'key: value' lines at the top level"},
};

static void test_bad(void **st) {
    (void)st;
    char err[1024];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = parse(bad[i].text, bad[i].check_files, err, sizeof err);
        if (rc != bad[i].rc || !strstr(err, bad[i].want))
            fprintf(stderr, "case %zu: rc %d (want %d)\n  got:  %s\n  want: %s\n", i, rc, bad[i].rc, err,
                    bad[i].want);
        assert_int_equal(rc, bad[i].rc);
        assert_non_null(strstr(err, bad[i].want));
    }
    /* Only the quotes get the hint about quotes. */
    assert_int_equal(parse("model: m.lstm\ntempo: \"fast\"\n", 0, err, sizeof err), LJ_ERR_PARSE);
    assert_null(strstr(err, "quotes make it text"));
    /* reseed 0 is never, 1 s the shortest piece */
    assert_int_equal(parse("model: m.lstm\nmode: {name: auto, reseed: 0}\n", 0, err, sizeof err), LJ_OK);
    assert_int_equal(parse("model: m.lstm\nmode: {name: auto, reseed: 1}\n", 0, err, sizeof err), LJ_OK);
    assert_true(pr.engine.reseed_seconds == 1);
    /* A model that failed to load: the preset's position in front when it is
     * the preset's own model, the message as it was for a --model. */
    assert_int_equal(parse("description: x\nmodel: m.lstm\n", 0, err, sizeof err), LJ_OK);
    snprintf(err, sizeof err, "%.400s: byte 0: expected the magic", pr.model);
    preset_model_error(&pr, pr.model, err, sizeof err);
    char want[600];
    snprintf(want, sizeof want, "p.yaml:2:8: model '%.400s': byte 0: expected the magic", pr.model);
    assert_string_equal(err, want);
    char other[400];
    snprintf(other, sizeof other, "%.399s", pr.model);
    snprintf(err, sizeof err, "%s: byte 0: expected the magic", other);
    preset_model_error(&pr, other, err, sizeof err);
    assert_int_equal(strncmp(err, other, strlen(other)), 0); /* unchanged */
    /* The missing-model message says what to do. */
    assert_int_equal(parse("model: nope.lstm\n", 1, err, sizeof err), LJ_ERR_ARG);
    assert_non_null(strstr(err, "hint:"));
    assert_non_null(strstr(err, "model/pretrained/README.md"));
}

static void test_find(void **st) {
    (void)st;
    char path[1024], err[1024];
    /* a file (it has a '/') that is missing */
    assert_int_equal(preset_find("/nonexistent/x.yaml", path, sizeof path, err, sizeof err), LJ_ERR_ARG);
    assert_non_null(strstr(err, "/nonexistent/x.yaml"));
    /* a file in the test folder, loaded with its folder as the base of paths */
    char file[512];
    snprintf(file, sizeof file, "%s/ok.yaml", dir);
    const char *text = "model: m.lstm\nsoundfont: f.sf2\n";
    assert_int_equal(lj_file_write_atomic(file, text, strlen(text), err, sizeof err), LJ_OK);
    int rc = preset_load(file, &pr, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, LJ_OK);
    assert_string_equal(pr.name, "ok");
    char want[512];
    snprintf(want, sizeof want, "%s/m.lstm", dir);
    assert_string_equal(pr.model, want);
    /* --preset from argv: given twice, without a value, absent */
    int found = -1;
    char *argv1[] = {"play", "--preset", file, "--seconds", "1"};
    assert_int_equal(preset_from_args(5, argv1, &pr, &found, err, sizeof err), LJ_OK);
    assert_int_equal(found, 1);
    char *argv2[] = {"play", "--preset", file, "--preset", file};
    assert_int_equal(preset_from_args(5, argv2, &pr, &found, err, sizeof err), LJ_ERR_ARG);
    char *argv3[] = {"play", "--preset"};
    assert_int_equal(preset_from_args(2, argv3, &pr, &found, err, sizeof err), LJ_ERR_ARG);
    char *argv4[] = {"play", "--model", "x"};
    assert_int_equal(preset_from_args(3, argv4, &pr, &found, err, sizeof err), LJ_OK);
    assert_int_equal(found, 0);
    unlink(file);
    /* by name: the shipped presets folder (tests run in the build folder) */
    if (chdir(getenv("LJ_SOURCE_DIR") ? getenv("LJ_SOURCE_DIR") : ".") == 0) {
        assert_int_equal(preset_find("ambient", path, sizeof path, err, sizeof err), LJ_OK);
        assert_string_equal(path, "presets/ambient.yaml");
        assert_int_equal(preset_find("ambiant", path, sizeof path, err, sizeof err), LJ_ERR_ARG);
        assert_non_null(strstr(err, "no preset 'ambiant'"));
        assert_non_null(strstr(err, "ambient")); /* the list of names */
    }
}

/* Every shipped preset (presets/NAME.yaml): parses (all keys known, values in range); with the
 * file checks too when its model is there. */
static void test_shipped(void **st) {
    (void)st;
    const char *src = getenv("LJ_SOURCE_DIR");
    if (!src) skip();
    char pdir[1024], err[2048];
    snprintf(pdir, sizeof pdir, "%s/presets", src);
    DIR *d = opendir(pdir);
    assert_non_null(d);
    struct dirent *de;
    int n = 0, playable = 0;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l <= 5 || strcmp(de->d_name + l - 5, ".yaml")) continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", pdir, de->d_name);
        uint8_t *data;
        size_t len;
        assert_int_equal(lj_file_read(path, &data, &len, err, sizeof err), LJ_OK);
        int rc = preset_parse((const char *)data, len, path, pdir, 0, &pr, err, sizeof err);
        free(data);
        if (rc) fprintf(stderr, "%s\n", err);
        assert_int_equal(rc, LJ_OK);
        assert_true(pr.description[0] != 0);
        n++;
        if (access(pr.model, R_OK) != 0) {
            fprintf(stderr, "  %-26s model %s not there\n", de->d_name, lj_file_base(pr.model));
            continue;
        }
        rc = preset_load(path, &pr, err, sizeof err);
        if (rc) fprintf(stderr, "%s\n", err);
        assert_int_equal(rc, LJ_OK);
        fprintf(stderr, "  %-26s valid, model there\n", de->d_name);
        playable++;
    }
    closedir(d);
    assert_true(n >= 5);
    assert_true(playable >= 1); /* model/pretrained/essen-timestep.lstm ships */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_minimal_defaults),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_shipped),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
