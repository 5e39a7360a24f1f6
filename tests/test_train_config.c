/* train_config: a full config parses into the struct, relative data paths
 * start at the config's folder, and mistakes are errors with line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "train_config.h"

static int parse(const char *text, train_config *c, char *err, size_t errlen) {
    train_config_default(c);
    return train_config_parse(text, strlen(text), "cfg.yaml", "presets/train", c, err, errlen);
}

static void test_full(void **st) {
    (void)st;
    const char *text =
        "name: mit-lab\n"
        "encoding: chars\n"
        "data:\n"
        "  - path: ../../corpora/abc\n"
        "    weight: 2\n"
        "  - /abs/other.abc\n"
        "split: {valid: 0.05, test: 0.05, seed: 3}\n"
        "model: {input: onehot, embed_dim: 256, layers: [1024, 512], dropout: 0.3}\n"
        "optimizer: {kind: adamw, learning_rate: 0.005, weight_decay: 0.01, clip_norm: 1}\n"
        "schedule: {kind: cosine, min_lr: 1e-5, warmup: 100}\n"
        "batch: 8\nseq_len: 100\nsteps: 3000\neval_every: 50\n"
        "early_stopping: {patience: 5, restore_best: false}\n"
        "checkpoint_every: 250\nseed: 7\nthreads: 2\n";
    train_config c;
    char err[512] = "";
    assert_int_equal(parse(text, &c, err, sizeof err), LJ_OK);
    assert_string_equal(c.name, "mit-lab");
    assert_string_equal(c.run_dir, "runs/mit-lab");
    assert_int_equal(c.n_data, 2);
    assert_string_equal(c.data[0].path, "presets/train/../../corpora/abc");
    assert_int_equal(c.data[0].weight, 2);
    assert_string_equal(c.data[1].path, "/abs/other.abc");
    assert_true(c.valid_frac == 0.05 && c.split_seed == 3);
    assert_int_equal(c.input_kind, LJ_INPUT_ONEHOT);
    assert_int_equal(c.num_layers, 2);
    assert_int_equal(c.hidden[1], 512);
    assert_int_equal(c.optim, TRAIN_OPT_ADAMW);
    assert_true(c.weight_decay == 0.01);
    assert_int_equal(c.schedule, TRAIN_SCHED_COSINE);
    assert_int_equal(c.warmup, 100);
    assert_int_equal(c.batch, 8);
    assert_int_equal(c.steps, 3000);
    assert_int_equal(c.patience, 5);
    assert_int_equal(c.restore_best, 0);
    assert_int_equal(c.threads, 2);
}

static void test_mistakes(void **st) {
    (void)st;
    train_config c;
    char err[512] = "";
    assert_int_equal(parse("data: [a.abc]\nbatchsize: 3\n", &c, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "cfg.yaml:2:1: unknown key 'batchsize'"));
    assert_int_equal(parse("data: [a.abc]\nbatch: lots\n", &c, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "cfg.yaml:2:8: 'batch': expected an integer, found 'lots'"));
    assert_int_equal(parse("data: [a.abc]\nmodel: {layers: [64, 64, 64, 64, 64]}\n", &c, err, sizeof err), LJ_ERR_RANGE);
    assert_non_null(strstr(err, "cfg.yaml:2:17: 'layers': expected 1..4 widths"));
    assert_int_equal(parse("data: [a.abc]\noptimizer: {kind: adagrad}\n", &c, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "expected one of sgd, adam, adamw, adamax, rmsprop; found 'adagrad'"));
    assert_int_equal(parse("batch: 3\n", &c, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "missing required key 'data'"));
    assert_int_equal(parse("data: [a.abc]\nmodel: {dropout: 1.5}\n", &c, err, sizeof err), LJ_ERR_RANGE);
    assert_int_equal(parse("data: [a.abc]\noptimizer: {lerning_rate: 1}\n", &c, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "did you mean 'learning_rate'"));
    assert_int_equal(parse("name: \ndata: [a.abc]\n", &c, err, sizeof err), LJ_ERR_RANGE);
    assert_non_null(strstr(err, "cfg.yaml:1:6: 'name': expected a run name (the run folder is runs/NAME), found an empty value"));
}

/* The frame-encoding keys: frame_head, nade_hidden, loss_weights, input_dropout,
 * train_on. */
static void test_frame_keys(void **st) {
    (void)st;
    train_config c;
    char err[512] = "";
    const char *text = "encoding: psd\ndata: [a.mid]\nmodel: {frame_head: nade, nade_hidden: 64}\n"
                       "loss_weights: {pitch: 0.05, step: 1, duration: 2.5}\n";
    assert_int_equal(parse(text, &c, err, sizeof err), LJ_OK);
    assert_int_equal(c.frame_head_nade, 1);
    assert_int_equal(c.nade_hidden, 64);
    assert_int_equal(c.n_loss_weights, 3);
    assert_string_equal(c.loss_weight_name[2], "duration");
    assert_true(c.loss_weight[0] == 0.05 && c.loss_weight[2] == 2.5);
    assert_int_equal(c.loss_weight_line[1], 4);
    train_config_default(&c);
    assert_int_equal(c.frame_head_nade, 0);
    assert_int_equal(c.nade_hidden, 150);
    assert_int_equal(parse("data: [a.mid]\nmodel: {frame_head: rbm}\n", &c, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "cfg.yaml:2:21: 'frame_head': expected one of bernoulli, nade; found 'rbm'"));
    assert_int_equal(parse("data: [a.mid]\nloss_weights: {pitch: -1}\n", &c, err, sizeof err), LJ_ERR_RANGE);
    assert_non_null(strstr(err, "cfg.yaml:2:23"));
    assert_int_equal(parse("data: [a.mid]\nloss_weights: {pitch: lots}\n", &c, err, sizeof err), LJ_ERR_PARSE);
    assert_int_equal(parse("data: [a.mid]\nmodel: {nade_hidden: 0}\n", &c, err, sizeof err), LJ_ERR_RANGE);
    /* input dropout and train_on (checked against the encoding by the trainer) */
    assert_int_equal(parse("encoding: pianoroll\ndata: [a.mid]\ntrain_on: pieces\nmodel: {input_dropout: 0.2}\n", &c,
                           err, sizeof err), LJ_OK);
    assert_true(c.input_dropout == 0.2 && c.input_dropout_line == 4);
    assert_true(c.train_on_pieces == 1 && c.train_on_line == 3);
    train_config_default(&c);
    assert_true(c.input_dropout == 0 && c.train_on_pieces == 0);
    assert_int_equal(parse("data: [a.mid]\nmodel: {input_dropout: 0.95}\n", &c, err, sizeof err), LJ_ERR_RANGE);
    assert_non_null(strstr(err, "cfg.yaml:2:24"));
    assert_int_equal(parse("data: [a.mid]\ntrain_on: chorales\n", &c, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "cfg.yaml:2:11: 'train_on': expected one of windows, pieces; found 'chorales'"));
}

/* init (a model file, relative to the config's folder) and optimizer.ema. */
static void test_init_ema(void **st) {
    (void)st;
    train_config c;
    char err[512] = "";
    assert_int_equal(parse("data: [a.mid]\ninit: ../runs/pre/best.lstm\noptimizer: {ema: 0.999}\n", &c, err, sizeof err),
                     LJ_OK);
    assert_string_equal(c.init, "presets/train/../runs/pre/best.lstm");
    assert_int_equal(c.init_line, 2);
    assert_true(c.ema == 0.999);
    train_config_default(&c);
    assert_true(c.init[0] == 0 && c.ema == 0);
    assert_int_equal(parse("data: [a.mid]\noptimizer: {ema: 1}\n", &c, err, sizeof err), LJ_ERR_RANGE);
    assert_non_null(strstr(err, "cfg.yaml:2:18"));
    assert_int_equal(parse("data: [a.mid]\ninit: [a, b]\n", &c, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "cfg.yaml:2:"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_mistakes),
        cmocka_unit_test(test_frame_keys),
        cmocka_unit_test(test_init_ema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
