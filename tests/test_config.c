/* config: typed getters, positions in messages, unknown keys with hints,
 * refusals (aliases, tags, duplicate keys, deep nesting), allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static cfg_doc *load(const char *text, int expect_rc, char *err, size_t errlen) {
    cfg_doc *d = NULL;
    int rc = cfg_load_mem(text, strlen(text), "t.yaml", &d, err, errlen);
    assert_int_equal(rc, expect_rc);
    return d;
}

static const char *good =
    "name: small\n"
    "model:\n"
    "  layers: [256, 256]\n"
    "  dropout: 0.2\n"
    "optimizer:\n"
    "  kind: adam\n"
    "  learning_rate: 5e-3\n"
    "  clip: 1\n"
    "data:\n"
    "  - path: a.abc\n"
    "    weight: 2\n"
    "  - path: b.abc\n"
    "shuffle: yes\n";

static void test_typed(void **st) {
    (void)st;
    char err[512] = "";
    cfg_doc *d = load(good, LJ_OK, err, sizeof err);
    cfg_node *root = cfg_root(d), *model = NULL, *opt = NULL, *layers = NULL, *data = NULL;
    char name[32];
    assert_int_equal(cfg_string(d, root, "name", 1, name, sizeof name, err, sizeof err), LJ_OK);
    assert_string_equal(name, "small");
    assert_int_equal(cfg_map(d, root, "model", 1, &model, err, sizeof err), LJ_OK);
    assert_int_equal(cfg_seq(d, model, "layers", 1, &layers, err, sizeof err), LJ_OK);
    assert_int_equal(layers->n_items, 2);
    long w = 0;
    assert_int_equal(cfg_node_int(d, &layers->items[1], 1, 8192, &w, err, sizeof err), LJ_OK);
    assert_int_equal(w, 256);
    double p = 0;
    assert_int_equal(cfg_float(d, model, "dropout", 0, 0, 1, &p, err, sizeof err), LJ_OK);
    assert_true(p == 0.2);
    assert_int_equal(cfg_map(d, root, "optimizer", 1, &opt, err, sizeof err), LJ_OK);
    static const char *const kinds[] = {"sgd", "adam", "adamw", NULL};
    int k = -1;
    assert_int_equal(cfg_enum(d, opt, "kind", 1, kinds, &k, err, sizeof err), LJ_OK);
    assert_int_equal(k, 1);
    double lr = 0;
    assert_int_equal(cfg_float(d, opt, "learning_rate", 1, 0, 10, &lr, err, sizeof err), LJ_OK);
    assert_true(lr == 5e-3);
    long clip = 0;
    assert_int_equal(cfg_int(d, opt, "clip", 0, 0, 100, &clip, err, sizeof err), LJ_OK);
    assert_int_equal(cfg_seq(d, root, "data", 1, &data, err, sizeof err), LJ_OK);
    for (size_t i = 0; i < data->n_items; i++) {
        char path[64];
        long weight = 1;
        assert_int_equal(cfg_string(d, &data->items[i], "path", 1, path, sizeof path, err, sizeof err), LJ_OK);
        assert_int_equal(cfg_int(d, &data->items[i], "weight", 0, 1, 100, &weight, err, sizeof err), LJ_OK);
    }
    int shuffle = 0;
    assert_int_equal(cfg_bool(d, root, "shuffle", 0, &shuffle, err, sizeof err), LJ_OK);
    assert_int_equal(shuffle, 1);
    long absent = 42;
    assert_int_equal(cfg_int(d, root, "epochs", 0, 1, 10, &absent, err, sizeof err), LJ_OK);
    assert_int_equal(absent, 42); /* optional and absent: unchanged */
    assert_int_equal(cfg_check_unknown(d, root, err, sizeof err), LJ_OK);
    cfg_destroy(d);
}

static void test_errors_name_positions(void **st) {
    (void)st;
    char err[512] = "";
    cfg_doc *d = load(good, LJ_OK, err, sizeof err);
    cfg_node *root = cfg_root(d), *opt = NULL;
    long n;
    /* wrong type: a map where an integer is expected */
    assert_int_equal(cfg_int(d, root, "model", 1, 0, 10, &n, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "t.yaml:3:3: 'model': expected an integer, found a map"));
    /* out of range */
    cfg_map(d, root, "optimizer", 1, &opt, err, sizeof err);
    double lr;
    assert_int_equal(cfg_float(d, opt, "learning_rate", 1, 0, 1e-3, &lr, err, sizeof err), LJ_ERR_RANGE);
    assert_non_null(strstr(err, "t.yaml:7:18:"));
    /* missing required */
    assert_int_equal(cfg_int(d, opt, "steps", 1, 0, 10, &n, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "missing required key 'steps' in 'optimizer'"));
    /* bad enum lists the choices */
    static const char *const kinds[] = {"sgd", "rmsprop", NULL};
    int k;
    assert_int_equal(cfg_enum(d, opt, "kind", 1, kinds, &k, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "expected one of sgd, rmsprop; found 'adam'"));
    cfg_destroy(d);
}

static void test_unknown_key_hint(void **st) {
    (void)st;
    char err[512] = "";
    cfg_doc *d = load("optimizer:\n  kind: adam\n  lerning_rate: 0.1\n", LJ_OK, err, sizeof err);
    cfg_node *root = cfg_root(d), *opt = NULL;
    double lr = 0;
    int k;
    static const char *const kinds[] = {"adam", NULL};
    cfg_map(d, root, "optimizer", 1, &opt, err, sizeof err);
    cfg_enum(d, opt, "kind", 1, kinds, &k, err, sizeof err);
    cfg_float(d, opt, "learning_rate", 0, 0, 1, &lr, err, sizeof err);
    assert_int_equal(cfg_check_unknown(d, root, err, sizeof err), LJ_ERR_PARSE);
    assert_string_equal(err, "t.yaml:3:3: unknown key 'lerning_rate' in 'optimizer' (did you mean 'learning_rate'?)");
    cfg_destroy(d);
    /* A whole unknown section at the top. */
    d = load("model: {}\nmodle: {}\n", LJ_OK, err, sizeof err);
    cfg_node *m;
    cfg_map(d, cfg_root(d), "model", 0, &m, err, sizeof err);
    assert_int_equal(cfg_check_unknown(d, cfg_root(d), err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "t.yaml:2:1: unknown key 'modle'"));
    cfg_destroy(d);
}

static void test_refusals(void **st) {
    (void)st;
    char err[512] = "";
    assert_null(load("a: 1\na: 2\n", LJ_ERR_PARSE, err, sizeof err));
    assert_non_null(strstr(err, "t.yaml:2:1: key 'a' appears twice (first at line 1)"));
    assert_null(load("a: &x 1\nb: *x\n", LJ_ERR_UNSUPPORTED, err, sizeof err));
    assert_null(load("a: !!str 1\n", LJ_ERR_UNSUPPORTED, err, sizeof err));
    assert_null(load("- 1\n- 2\n", LJ_ERR_PARSE, err, sizeof err));
    assert_null(load("a: [1, 2\n", LJ_ERR_PARSE, err, sizeof err));
    assert_non_null(strstr(err, "t.yaml:"));
    assert_null(load("a: 1\n---\nb: 2\n", LJ_ERR_PARSE, err, sizeof err));
    /* 100 levels of nesting */
    char deep[512] = "a: ";
    for (int i = 0; i < 100; i++) strcat(deep, "[");
    for (int i = 0; i < 100; i++) strcat(deep, "]");
    assert_null(load(deep, LJ_ERR_LIMIT, err, sizeof err));
    /* Quoted numbers are strings, not numbers. */
    cfg_doc *d = load("n: \"12\"\n", LJ_OK, err, sizeof err);
    long n;
    assert_int_equal(cfg_int(d, cfg_root(d), "n", 1, 0, 100, &n, err, sizeof err), LJ_ERR_PARSE);
    cfg_destroy(d);
    /* Empty document: no root, and nothing unknown. */
    d = load("", LJ_OK, err, sizeof err);
    assert_null(cfg_root(d));
    cfg_destroy(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typed),
        cmocka_unit_test(test_errors_name_positions),
        cmocka_unit_test(test_unknown_key_hint),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
