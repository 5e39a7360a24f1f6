/* modelio and encodings: a model file keeps its encoding's name, options
 * ("encoding.options", the enc_opts_format text) and vocabulary, and a file
 * written without options (older files, chars) still loads, with none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "encoding.h"
#include "modelio.h"

static void test_options_round_trip(void **st) {
    (void)st;
    lj_model_config c;
    memset(&c, 0, sizeof c);
    c.input_kind = LJ_INPUT_ONEHOT;
    c.input_size = 3;
    c.num_layers = 1;
    c.hidden[0] = 4;
    c.num_heads = 1;
    c.heads[0].kind = LJ_HEAD_SOFTMAX;
    snprintf(c.heads[0].name, sizeof c.heads[0].name, "next");
    c.heads[0].size = 3;
    c.heads[0].loss_weight = 1.0f;
    lj_model *m, *back;
    char err[512] = "", enc[MODELIO_ENCODING_MAX], opts[MODELIO_OPTIONS_MAX], path[64];
    assert_int_equal(lj_model_create(&m, &c, err, sizeof err), LJ_OK);
    vocab *v = vocab_create(), *vb = NULL;
    vocab_add(v, "60", 2, NULL);
    vocab_add(v, "_", 1, NULL);
    vocab_add(v, "r", 1, NULL);
    enc_opts o;
    enc_opts_default(&o, "timestep");
    assert_int_equal(enc_opts_set(&o, "transpose", "c", err, sizeof err), LJ_OK);
    assert_int_equal(enc_opts_set(&o, "grid", "8th", err, sizeof err), LJ_OK);
    char text[MODELIO_OPTIONS_MAX];
    assert_int_equal(enc_opts_format(&o, "timestep", text, sizeof text), LJ_OK);
    snprintf(path, sizeof path, "/tmp/lj_modelio_enc_%d.lstm", (int)getpid());
    assert_int_equal(modelio_save_encoded(path, m, "timestep", text, v, 0, err, sizeof err), LJ_OK);
    assert_int_equal(modelio_load_encoded(path, &back, enc, opts, sizeof opts, &vb, err, sizeof err), LJ_OK);
    assert_string_equal(enc, "timestep");
    assert_string_equal(opts, text);
    assert_int_equal(vocab_size(vb), 3);
    /* the options text restores the same options */
    enc_opts o2;
    enc_opts_default(&o2, "timestep");
    char *save = NULL;
    for (char *kv = strtok_r(opts, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(kv, '=');
        assert_non_null(eq);
        *eq = 0;
        assert_int_equal(enc_opts_set(&o2, kv, eq + 1, err, sizeof err), LJ_OK);
    }
    assert_int_equal(o2.transpose, ENC_TRANSPOSE_C);
    assert_int_equal(o2.grid, 240);
    lj_model_destroy(back);
    vocab_destroy(vb);
    /* a file without the key (the format before it): loads, options "" */
    assert_int_equal(modelio_save(path, m, "chars", v, 0, err, sizeof err), LJ_OK);
    assert_int_equal(modelio_load_encoded(path, &back, enc, opts, sizeof opts, &vb, err, sizeof err), LJ_OK);
    assert_string_equal(enc, "chars");
    assert_string_equal(opts, "");
    lj_model_destroy(back);
    vocab_destroy(vb);
    /* options too long for the caller's buffer: an error, nothing leaked */
    assert_int_equal(modelio_save_encoded(path, m, "timestep", text, v, 0, err, sizeof err), LJ_OK);
    assert_int_equal(modelio_load_encoded(path, &back, enc, opts, 4, &vb, err, sizeof err), LJ_ERR_PARSE);
    assert_null(back);
    assert_null(vb);
    assert_non_null(strstr(err, "encoding.options"));
    unlink(path);
    lj_model_destroy(m);
    vocab_destroy(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_options_round_trip)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
