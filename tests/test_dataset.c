/* dataset: the split by piece (seeded, deterministic, augmented copies on one
 * side, JSB's published split kept), the source weights, the encoded-dataset
 * cache (hit, miss on changed input, corruption detected and rebuilt), and
 * config mistakes in the encoding sections reported with line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dataset.h"
#include "dataset_cache.h"
#include "files.h"
#include "train_config.h"

/* A corpus of n_groups groups; group g has 1 + g % copies pieces (augmented
 * copies), every token of group g is g (so a token tells its group), source
 * g % n_sources; groups listed in fixed get that split. */
static void make_corpus(train_corpus *c, int n_groups, int copies, int n_sources) {
    memset(c, 0, sizeof *c);
    c->vocab = vocab_create();
    assert_non_null(c->vocab);
    for (int g = 0; g < n_groups; g++) {
        char name[16];
        int32_t id;
        snprintf(name, sizeof name, "g%d", g);
        assert_int_equal(vocab_add(c->vocab, name, strlen(name), &id), LJ_OK);
        int32_t ids[5] = {g, g, g, g, g};
        for (int k = 0; k < 1 + g % copies; k++)
            assert_int_equal(train_corpus_add(c, ids, 3 + (size_t)(k % 3), g, g % n_sources, -1), LJ_OK);
    }
    c->n_groups = (size_t)n_groups;
}

static train_config config_for(int n_sources, const double *weights) {
    train_config cfg;
    train_config_default(&cfg);
    cfg.n_data = n_sources;
    for (int s = 0; s < n_sources; s++) cfg.data[s].weight = weights ? weights[s] : 1.0;
    cfg.valid_frac = 0.2;
    cfg.test_frac = 0.1;
    cfg.split_seed = 7;
    return cfg;
}

/* side[g] = the split holding group g's tokens; fails if it is in two. */
static void sides_of(const tokset split[3], int n_groups, int *side, int *count) {
    for (int g = 0; g < n_groups; g++) side[g] = -1;
    memset(count, 0, (size_t)n_groups * 3 * sizeof *count);
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < split[k].n_ids; i++) {
            int g = split[k].ids[i];
            if (side[g] >= 0 && side[g] != k) fail_msg("group %d is in splits %d and %d", g, side[g], k);
            side[g] = k;
        }
    for (int k = 0; k < 3; k++)
        for (size_t p = 0; p < split[k].n_pieces; p++) count[split[k].ids[split[k].start[p]] * 3 + k]++;
}

static void free_split(tokset split[3]) {
    for (int k = 0; k < 3; k++) tokset_free(&split[k]);
}

static void test_split_by_piece(void **st) {
    (void)st;
    enum { N = 200 };
    train_corpus c;
    make_corpus(&c, N, 4, 1);
    train_config cfg = config_for(1, NULL);
    tokset a[3] = {{0}}, b[3] = {{0}}, other[3] = {{0}};
    size_t ga[3], gb[3], go[3];
    assert_int_equal(train_dataset_split(&c, &cfg, a, ga), LJ_OK);
    assert_int_equal(train_dataset_split(&c, &cfg, b, gb), LJ_OK);
    cfg.split_seed = 8;
    assert_int_equal(train_dataset_split(&c, &cfg, other, go), LJ_OK);
    /* deterministic for a seed, different for another */
    for (int k = 0; k < 3; k++) {
        assert_int_equal(a[k].n_ids, b[k].n_ids);
        assert_memory_equal(a[k].ids, b[k].ids, a[k].n_ids * sizeof(int32_t));
        assert_int_equal(ga[k], gb[k]);
    }
    assert_true(a[1].n_ids != other[1].n_ids || memcmp(a[1].ids, other[1].ids, a[1].n_ids * sizeof(int32_t)));
    /* round(0.2 * 200) groups in valid, round(0.1 * 200) in test, and every
     * group whole on one side with all its copies */
    assert_int_equal(ga[1], 40);
    assert_int_equal(ga[2], 20);
    assert_int_equal(ga[0], 140);
    int side[N], count[N * 3];
    sides_of(a, N, side, count);
    for (int g = 0; g < N; g++) {
        assert_true(side[g] >= 0);
        assert_int_equal(count[g * 3 + side[g]], 1 + g % 4);
    }
    free_split(a);
    free_split(b);
    free_split(other);
    /* A group a file assigns (JSB) keeps its split whatever the seed. */
    for (size_t p = 0; p < c.pieces.n_pieces; p++)
        if (c.group[p] < 30) c.fixed_split[p] = (int8_t)(c.group[p] % 3);
    for (long seed = 1; seed < 4; seed++) {
        cfg.split_seed = seed;
        assert_int_equal(train_dataset_split(&c, &cfg, a, ga), LJ_OK);
        sides_of(a, N, side, count);
        for (int g = 0; g < 30; g++) assert_int_equal(side[g], g % 3);
        assert_int_equal(ga[1], 10 + 34); /* 10 fixed + round(0.2 * 170) */
        free_split(a);
    }
    train_corpus_free(&c);
}

/* transpose=augment: train keeps every copy of its groups, valid and test
 * only a group's first piece (the untransposed score, encoding.h). */
static void test_split_augment_scores_originals(void **st) {
    (void)st;
    enum { N = 120 };
    train_corpus c;
    make_corpus(&c, N, 4, 1); /* group g: 1 + g % 4 pieces of 3, 4, 5, 3 tokens */
    train_config cfg = config_for(1, NULL);
    cfg.enc_opts.transpose = ENC_TRANSPOSE_AUGMENT;
    tokset s[3] = {{0}};
    size_t gs[3];
    assert_int_equal(train_dataset_split(&c, &cfg, s, gs), LJ_OK);
    int side[N], count[N * 3];
    sides_of(s, N, side, count);
    size_t multi_held_out = 0;
    for (int g = 0; g < N; g++) {
        assert_true(side[g] >= 0);
        assert_int_equal(count[g * 3 + side[g]], side[g] == 0 ? 1 + g % 4 : 1);
        if (side[g] != 0 && g % 4) multi_held_out++;
    }
    assert_true(multi_held_out > 10); /* the rule was exercised */
    for (int k = 1; k < 3; k++) {
        assert_int_equal(s[k].n_pieces, gs[k]);
        for (size_t p = 0; p < s[k].n_pieces; p++) assert_int_equal(tokset_piece_len(&s[k], p), 3);
    }
    free_split(s);
    /* without augment the held-out groups keep all their pieces */
    cfg.enc_opts.transpose = ENC_TRANSPOSE_NONE;
    assert_int_equal(train_dataset_split(&c, &cfg, s, gs), LJ_OK);
    sides_of(s, N, side, count);
    for (int g = 0; g < N; g++) assert_int_equal(count[g * 3 + side[g]], 1 + g % 4);
    free_split(s);
    train_corpus_free(&c);
}

static void test_weights(void **st) {
    (void)st;
    enum { N = 300 };
    train_corpus c;
    make_corpus(&c, N, 2, 3);
    const double w[3] = {2.0, 0.5, 1.5};
    train_config cfg = config_for(3, w);
    tokset s[3] = {{0}};
    size_t gs[3];
    assert_int_equal(train_dataset_split(&c, &cfg, s, gs), LJ_OK);
    int side[N], count[N * 3];
    sides_of(s, N, side, count);
    size_t train_groups[3] = {0}, seen[3] = {0}, twice[3] = {0};
    for (int g = 0; g < N; g++) {
        int src = g % 3, copies = 1 + g % 2;
        if (side[g] != 0 && side[g] != -1) {
            assert_int_equal(count[g * 3 + side[g]], copies); /* valid/test: unweighted */
            continue;
        }
        train_groups[src]++;
        int n = count[g * 3 + 0];
        assert_int_equal(n % copies, 0); /* a group is repeated whole */
        int reps = n / copies;
        if (src == 0) assert_int_equal(reps, 2);
        if (src == 1) assert_true(reps == 0 || reps == 1);
        if (src == 2) assert_true(reps == 1 || reps == 2);
        seen[src] += reps > 0;
        twice[src] += reps == 2;
    }
    /* 0.5: round(0.5 n) of the source's n train groups; 1.5: all, and
     * round(0.5 n) of them twice */
    assert_int_equal(seen[1], (size_t)((train_groups[1] + 1) / 2));
    assert_int_equal(seen[2], train_groups[2]);
    assert_int_equal(twice[2], (size_t)((train_groups[2] + 1) / 2));
    /* The subsample is seeded: the same twice. */
    tokset s2[3] = {{0}};
    assert_int_equal(train_dataset_split(&c, &cfg, s2, gs), LJ_OK);
    assert_int_equal(s[0].n_ids, s2[0].n_ids);
    assert_memory_equal(s[0].ids, s2[0].ids, s[0].n_ids * sizeof(int32_t));
    free_split(s);
    free_split(s2);
    train_corpus_free(&c);
}

static char tmpdir[256];

static void tmp_path(char *buf, size_t len, const char *name) { snprintf(buf, len, "%s/%s", tmpdir, name); }

static void test_cache_file(void **st) {
    (void)st;
    train_corpus c, back;
    make_corpus(&c, 50, 3, 2);
    c.n_files = 7;
    c.stats.pieces = 99;
    char path[512], err[512];
    tmp_path(path, sizeof path, "entry.ljds");
    assert_int_equal(dataset_cache_load(path, "k", 2, &back, err, sizeof err), LJ_ERR_IO); /* miss */
    assert_int_equal(dataset_cache_save(path, "key one", &c, err, sizeof err), LJ_OK);
    assert_int_equal(dataset_cache_load(path, "key one", 2, &back, err, sizeof err), LJ_OK);
    assert_int_equal(back.pieces.n_ids, c.pieces.n_ids);
    assert_int_equal(back.pieces.n_pieces, c.pieces.n_pieces);
    assert_memory_equal(back.pieces.ids, c.pieces.ids, c.pieces.n_ids * sizeof(int32_t));
    assert_memory_equal(back.group, c.group, c.pieces.n_pieces * sizeof(int32_t));
    assert_memory_equal(back.source, c.source, c.pieces.n_pieces * sizeof(int32_t));
    assert_int_equal(back.n_files, 7);
    assert_int_equal(back.n_groups, 50);
    assert_int_equal(back.stats.pieces, 99);
    assert_int_equal(vocab_size(back.vocab), 50);
    train_corpus_free(&back);
    /* another key: a miss reported as such, never the wrong corpus */
    assert_int_equal(dataset_cache_load(path, "key two", 2, &back, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "key differs"));
    /* every single flipped byte and every truncation is detected */
    uint8_t *bytes;
    size_t len;
    assert_int_equal(lj_file_read(path, &bytes, &len, err, sizeof err), LJ_OK);
    char bad[512];
    tmp_path(bad, sizeof bad, "bad.ljds");
    for (size_t i = 0; i < len; i += 1 + len / 97) {
        bytes[i] ^= 0x5a;
        assert_int_equal(lj_file_write_replace(bad, bytes, len, err, sizeof err), LJ_OK);
        assert_int_equal(dataset_cache_load(bad, "key one", 2, &back, err, sizeof err), LJ_ERR_PARSE);
        assert_null(back.vocab);
        bytes[i] ^= 0x5a;
    }
    for (size_t cut = 0; cut < len; cut += 1 + len / 31) {
        assert_int_equal(lj_file_write_replace(bad, bytes, cut, err, sizeof err), LJ_OK);
        assert_int_equal(dataset_cache_load(bad, "key one", 2, &back, err, sizeof err), LJ_ERR_PARSE);
    }
    free(bytes);
    train_corpus_free(&c);
}

/* A frame corpus (psd-like frames of 3 floats, one id per piece): saved and
 * loaded back bit for bit; flipped bytes and truncations are corrupt entries. */
static void test_cache_frames(void **st) {
    (void)st;
    train_corpus c, back;
    memset(&c, 0, sizeof c);
    c.vocab = vocab_create();
    assert_int_equal(frameset_init(&c.frames, 3), LJ_OK);
    lj_rng r;
    lj_rng_seed(&r, 9);
    for (int32_t p = 0; p < 20; p++) {
        float f[3 * 40];
        size_t n = 1 + (size_t)(lj_rng_u64(&r) % 40);
        for (size_t i = 0; i < 3 * n; i++) f[i] = (float)lj_rng_uniform(&r) * 4 - 1;
        assert_int_equal(frameset_add(&c.frames, f, n), LJ_OK);
        assert_int_equal(train_corpus_add(&c, &p, 1, p / 2, p % 2, -1), LJ_OK);
    }
    c.n_groups = 10;
    c.stats.frames = c.frames.n_frames;
    c.stats.notes_dropped = 5;
    char path[512], err[512];
    tmp_path(path, sizeof path, "frames.ljds");
    assert_int_equal(dataset_cache_save(path, "frames", &c, err, sizeof err), LJ_OK);
    if (dataset_cache_load(path, "frames", 2, &back, err, sizeof err) != LJ_OK) fail_msg("%s", err);
    assert_int_equal(back.frames.dim, 3);
    assert_int_equal(back.frames.n_pieces, 20);
    assert_int_equal(back.frames.n_frames, c.frames.n_frames);
    assert_memory_equal(back.frames.values, c.frames.values, c.frames.n_frames * 3 * sizeof(float));
    assert_memory_equal(back.frames.start, c.frames.start, 20 * sizeof(size_t));
    assert_memory_equal(back.pieces.ids, c.pieces.ids, 20 * sizeof(int32_t));
    assert_int_equal(back.stats.frames, c.frames.n_frames);
    assert_int_equal(back.stats.notes_dropped, 5);
    train_corpus_free(&back);
    uint8_t *bytes;
    size_t len;
    assert_int_equal(lj_file_read(path, &bytes, &len, err, sizeof err), LJ_OK);
    char bad[512];
    tmp_path(bad, sizeof bad, "bad_frames.ljds");
    for (size_t i = 0; i < len; i += 1 + len / 97) {
        bytes[i] ^= 0x5a;
        assert_int_equal(lj_file_write_replace(bad, bytes, len, err, sizeof err), LJ_OK);
        assert_int_equal(dataset_cache_load(bad, "frames", 2, &back, err, sizeof err), LJ_ERR_PARSE);
        assert_null(back.frames.values);
        bytes[i] ^= 0x5a;
    }
    for (size_t cut = 0; cut < len; cut += 1 + len / 31) {
        assert_int_equal(lj_file_write_replace(bad, bytes, cut, err, sizeof err), LJ_OK);
        assert_int_equal(dataset_cache_load(bad, "frames", 2, &back, err, sizeof err), LJ_ERR_PARSE);
    }
    free(bytes);
    train_corpus_free(&c);
}

/* Copies a few Essen songs into a folder of the temp dir. */
static int copy_songs(const char *dir, int n) {
    const char *corpora = getenv("LJ_CORPORA");
    if (!corpora) return 0;
    mkdir(dir, 0777);
    static const char *const songs[] = {"deut3663.krn", "deut3664.krn", "deut3665.krn", "deut3666.krn",
                                        "deut3667.krn", "deut3668.krn", "deut3669.krn", "deut3670.krn"};
    for (int i = 0; i < n; i++) {
        char from[1024], to[1024], err[256];
        uint8_t *data;
        size_t len;
        snprintf(from, sizeof from, "%s/essen-deutschl/allerkbd/%s", corpora, songs[i]);
        snprintf(to, sizeof to, "%s/%s", dir, songs[i]);
        if (lj_file_read(from, &data, &len, err, sizeof err)) return 0;
        lj_file_write_replace(to, data, len, err, sizeof err);
        free(data);
    }
    return 1;
}

static void expect_same(const train_dataset *a, const train_dataset *b) {
    for (int k = 0; k < 3; k++) {
        assert_int_equal(a->split[k].n_ids, b->split[k].n_ids);
        if (a->split[k].n_ids) assert_memory_equal(a->split[k].ids, b->split[k].ids, a->split[k].n_ids * sizeof(int32_t));
    }
    assert_int_equal(vocab_size(train_dataset_vocab(a)), vocab_size(train_dataset_vocab(b)));
}

static void test_cache_build(void **st) {
    (void)st;
    char songs[512], cache[512], err[1024] = "";
    tmp_path(songs, sizeof songs, "songs");
    tmp_path(cache, sizeof cache, "cache");
    if (!copy_songs(songs, 8)) skip();
    train_config cfg;
    train_config_default(&cfg);
    snprintf(cfg.encoding, sizeof cfg.encoding, "timestep");
    enc_opts_default(&cfg.enc_opts, "timestep");
    assert_int_equal(enc_opts_set(&cfg.enc_opts, "transpose", "augment", err, sizeof err), LJ_OK);
    assert_int_equal(enc_opts_set(&cfg.enc_opts, "augment", "-1:1", err, sizeof err), LJ_OK);
    cfg.n_data = 1;
    snprintf(cfg.data[0].path, sizeof cfg.data[0].path, "%s", songs);
    cfg.data[0].weight = 1;
    cfg.data[0].recursive = 1;
    cfg.valid_frac = 0.25;
    train_dataset_opts o = {1, cache};
    train_dataset a, b, c;
    assert_int_equal(train_dataset_build(&cfg, &o, &a, err, sizeof err), LJ_OK);
    assert_int_equal(a.cache_hit, 0);
    assert_int_equal(a.corpus.n_groups, 8);
    assert_int_equal(a.split_groups[1], 2);
    /* augmented copies (3 shifts) stay with their song */
    assert_int_equal(a.corpus.pieces.n_pieces, 3 * (a.split_groups[0] + a.split_groups[1] + a.split_groups[2]));
    assert_int_equal(train_dataset_build(&cfg, &o, &b, err, sizeof err), LJ_OK);
    assert_int_equal(b.cache_hit, 1);
    assert_string_equal(a.cache_path, b.cache_path);
    expect_same(&a, &b);
    assert_string_equal(enc_name(b.enc), "timestep");
    assert_true(enc_vocab_frozen(b.enc));
    /* the key names the encoder's code version (enc_code_version), so an
     * entry written by older encoder code is another entry */
    {
        uint8_t *entry;
        size_t elen;
        assert_int_equal(lj_file_read(b.cache_path, &entry, &elen, err, sizeof err), LJ_OK);
        char want[64];
        snprintf(want, sizeof want, "\nencoding timestep %d\n", enc_code_version(b.enc));
        size_t wl = strlen(want), at = 0;
        while (at + wl <= elen && memcmp(entry + at, want, wl)) at++;
        assert_true(at + wl <= elen);
        free(entry);
    }
    train_dataset_free(&b);
    /* a changed option or a touched file is another entry */
    assert_int_equal(enc_opts_set(&cfg.enc_opts, "augment", "-2:1", err, sizeof err), LJ_OK);
    assert_int_equal(train_dataset_build(&cfg, &o, &b, err, sizeof err), LJ_OK);
    assert_int_equal(b.cache_hit, 0);
    assert_string_not_equal(a.cache_path, b.cache_path);
    train_dataset_free(&b);
    assert_int_equal(enc_opts_set(&cfg.enc_opts, "augment", "-1:1", err, sizeof err), LJ_OK);
    char song[600];
    snprintf(song, sizeof song, "%s/deut3663.krn", songs);
    struct timespec times[2] = {{0, UTIME_OMIT}, {1000000, 0}};
    assert_int_equal(utimensat(AT_FDCWD, song, times, 0), 0);
    assert_int_equal(train_dataset_build(&cfg, &o, &b, err, sizeof err), LJ_OK);
    assert_int_equal(b.cache_hit, 0);
    expect_same(&a, &b);
    /* a corrupt entry: detected, rebuilt, then used again */
    uint8_t *bytes;
    size_t len;
    assert_int_equal(lj_file_read(b.cache_path, &bytes, &len, err, sizeof err), LJ_OK);
    bytes[len - 3] ^= 1;
    assert_int_equal(lj_file_write_replace(b.cache_path, bytes, len, err, sizeof err), LJ_OK);
    free(bytes);
    assert_int_equal(train_dataset_build(&cfg, &o, &c, err, sizeof err), LJ_OK);
    assert_int_equal(c.cache_hit, 0);
    expect_same(&a, &c);
    train_dataset_free(&c);
    assert_int_equal(train_dataset_build(&cfg, &o, &c, err, sizeof err), LJ_OK);
    assert_int_equal(c.cache_hit, 1);
    expect_same(&a, &c);
    train_dataset_free(&a);
    train_dataset_free(&b);
    train_dataset_free(&c);
}

/* JSB chorales keep the published split: 229 / 76 / 77 chorales. */
static void test_jsb_split(void **st) {
    (void)st;
    const char *corpora = getenv("LJ_CORPORA");
    char path[1024], err[1024] = "";
    if (!corpora) skip();
    snprintf(path, sizeof path, "%s/jsb-chorales/jsb-chorales-quarter.json", corpora);
    if (access(path, R_OK) != 0) skip();
    train_config cfg;
    train_config_default(&cfg);
    snprintf(cfg.encoding, sizeof cfg.encoding, "notechord");
    enc_opts_default(&cfg.enc_opts, "notechord");
    cfg.read.jsb.step_ticks = 480;
    cfg.n_data = 1;
    snprintf(cfg.data[0].path, sizeof cfg.data[0].path, "%s", path);
    cfg.data[0].weight = 1;
    cfg.data[0].recursive = 1;
    train_dataset_opts o = {1, NULL};
    train_dataset d;
    assert_int_equal(train_dataset_build(&cfg, &o, &d, err, sizeof err), LJ_OK);
    assert_int_equal(d.split_groups[0], 229);
    assert_int_equal(d.split_groups[1], 76);
    assert_int_equal(d.split_groups[2], 77);
    train_dataset_free(&d);
}

static int parse(const char *text, train_config *c, char *err, size_t errlen) {
    train_config_default(c);
    return train_config_parse(text, strlen(text), "cfg.yaml", ".", c, err, errlen);
}

static void test_config(void **st) {
    (void)st;
    train_config c;
    char err[512] = "";
    assert_int_equal(parse("encoding: timestep\nencoding_options: {transpose: c, grid: 8th}\n"
                           "read: {repeats: nottingham, chord_symbols: false, jsb_grid: quarter}\n"
                           "data:\n  - {path: a, weight: 0.5, recursive: false}\n  - b\ncache: false\n",
                           &c, err, sizeof err),
                     LJ_OK);
    assert_string_equal(c.encoding, "timestep");
    assert_int_equal(c.enc_opts.transpose, ENC_TRANSPOSE_C);
    assert_int_equal(c.enc_opts.grid, 240);
    assert_int_equal(c.enc_opts.n_durations, 8); /* timestep's default filter */
    assert_int_equal(c.read.abc.chords, 0);
    assert_int_equal(c.read.jsb.step_ticks, 480);
    assert_true(c.data[0].weight == 0.5);
    assert_int_equal(c.data[0].recursive, 0);
    assert_int_equal(c.data[1].recursive, 1);
    assert_int_equal(c.cache, 0);
    /* mistakes: file:line:col */
    assert_int_equal(parse("encoding: timestep\ndata: [a]\nencoding_options:\n  transpose: sideways\n", &c, err, sizeof err),
                     LJ_ERR_ARG);
    assert_non_null(strstr(err, "cfg.yaml:4:14: encoding option transpose"));
    assert_int_equal(parse("encoding: event\ndata: [a]\nencoding_options: {velocity_binz: 3}\n", &c, err, sizeof err),
                     LJ_ERR_ARG);
    assert_non_null(strstr(err, "cfg.yaml:3:35:"));
    assert_int_equal(parse("encoding: timestap\ndata: [a]\n", &c, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "cfg.yaml:1:11:"));
    assert_int_equal(parse("data: [a]\nencoding_options: {transpose: c}\n", &c, err, sizeof err), LJ_ERR_ARG);
    assert_non_null(strstr(err, "cfg.yaml:2:1: 'encoding_options': the chars encoding has no options"));
    assert_int_equal(parse("data:\n  - {path: a, weight: 0}\n", &c, err, sizeof err), LJ_ERR_RANGE);
    assert_non_null(strstr(err, "cfg.yaml:2:"));
    assert_int_equal(parse("data: [a]\nread: {repeats: twice}\n", &c, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "cfg.yaml:2:"));
    assert_int_equal(parse("encoding: notechord\ndata: [a]\nencoding_options: {step: [1]}\n", &c, err, sizeof err),
                     LJ_ERR_PARSE);
    assert_non_null(strstr(err, "cfg.yaml:3:26: encoding option 'step': expected a value, found a list"));
}

static int setup(void **st) {
    (void)st;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lj_dataset_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **st) {
    (void)st;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_by_piece),
        cmocka_unit_test(test_split_augment_scores_originals),
        cmocka_unit_test(test_weights),    cmocka_unit_test(test_cache_file), cmocka_unit_test(test_cache_frames),
        cmocka_unit_test(test_cache_build),    cmocka_unit_test(test_jsb_split), cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
