/* modelio: a model saved and loaded is bit-identical (f32) or within bf16
 * rounding (also with an RNN-NADE head); config text round trips, the NADE
 * head's extra field included; missing, misnamed and mis-sized tensors
 * are errors naming the tensor; a truncated file is an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "modelio.h"

static lj_model_config small_config(void) {
    lj_model_config c;
    memset(&c, 0, sizeof c);
    c.input_kind = LJ_INPUT_EMBEDDING;
    c.input_size = 11;
    c.embed_dim = 5;
    c.num_layers = 2;
    c.hidden[0] = 8;
    c.hidden[1] = 6;
    c.dropout = 0.25f;
    c.num_heads = 2;
    c.heads[0] = (lj_head_config){LJ_HEAD_SOFTMAX, "next", 11, 1.0f, 0.0f, 0};
    c.heads[1] = (lj_head_config){LJ_HEAD_MSE, "step", 2, 0.5f, 10.0f, 0};
    return c;
}

static void test_config_text(void **st) {
    (void)st;
    lj_model_config c = small_config(), back;
    char text[1024], err[256];
    assert_int_equal(modelio_config_to_text(&c, text, sizeof text), LJ_OK);
    assert_int_equal(modelio_config_from_text(text, strlen(text), "m", &back, err, sizeof err), LJ_OK);
    assert_memory_equal(&c, &back, sizeof c);
    assert_null(strstr(text, "input_dropout")); /* unset: files stay as they were */
    /* input dropout (dense inputs) is written and read back */
    c.input_kind = LJ_INPUT_DENSE;
    c.embed_dim = 0;
    c.input_dropout = 0.15f;
    assert_int_equal(modelio_config_to_text(&c, text, sizeof text), LJ_OK);
    assert_non_null(strstr(text, "\ninput_dropout 0.15"));
    assert_int_equal(modelio_config_from_text(text, strlen(text), "m", &back, err, sizeof err), LJ_OK);
    assert_memory_equal(&c, &back, sizeof c);
    const char *bad[] = {"input dense 88 0\nlayers 8\ninput_dropout\nhead bernoulli a 88 1 0\n",
                         "input dense 88 0\nlayers 8\ninput_dropout 0.1 0.2\nhead bernoulli a 88 1 0\n",
                         "input embedding 11\nlayers 8\nhead softmax a 11 1 0\n",
                         "input embedding 11 5\nlayers\nhead softmax a 11 1 0\n",
                         "input embedding 11 5\nlayers 8 8 8 8 8\nhead softmax a 11 1 0\n",
                         "input embedding 11 5\nlayers 8\nhead sortmax a 11 1 0\n",
                         "input embedding 11 5\nlayers 8\n",
                         "input embedding 11 5\nlayers 8\nhead softmax a 11 1 0\ncolour blue\n",
                         "input dense 88 0\nlayers 8\nhead nade keys 88 1 0\n",     /* no HIDDEN */
                         "input dense 88 0\nlayers 8\nhead nade keys 88 1 0 5 6\n", /* one too many */
                         "input dense 88 0\nlayers 8\nhead bernoulli keys 88 1 0 5\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = 0;
        assert_int_equal(modelio_config_from_text(bad[i], strlen(bad[i]), "m.lstm", &back, err, sizeof err),
                         LJ_ERR_PARSE);
        assert_non_null(strstr(err, "m.lstm: model.config"));
    }
}

/* A piano-roll model with a NADE head: config text and the whole file. */
static void test_nade_model(void **st) {
    (void)st;
    lj_model_config c, back;
    memset(&c, 0, sizeof c);
    c.input_kind = LJ_INPUT_DENSE;
    c.input_size = 88;
    c.num_layers = 1;
    c.hidden[0] = 16;
    c.num_heads = 1;
    c.heads[0] = (lj_head_config){LJ_HEAD_NADE, "keys", 88, 1.0f, 0.0f, 24};
    char text[1024], err[512] = "", path[64];
    assert_int_equal(modelio_config_to_text(&c, text, sizeof text), LJ_OK);
    assert_non_null(strstr(text, "head nade keys 88 1 0 24\n"));
    assert_int_equal(modelio_config_from_text(text, strlen(text), "m", &back, err, sizeof err), LJ_OK);
    assert_memory_equal(&c, &back, sizeof c);
    lj_model *m, *loaded;
    assert_int_equal(lj_model_create(&m, &c, err, sizeof err), LJ_OK);
    lj_model_init(m, 7);
    snprintf(path, sizeof path, "/tmp/lj_modelio_nade_%d.lstm", (int)getpid());
    assert_int_equal(modelio_save(path, m, "pianoroll", NULL, 0, err, sizeof err), LJ_OK);
    assert_int_equal(modelio_load(path, &loaded, NULL, NULL, err, sizeof err), LJ_OK);
    assert_int_equal(lj_model_tensor_count(loaded), lj_model_tensor_count(m));
    assert_non_null(lj_model_find(loaded, "heads.keys.nade_v"));
    for (int i = 0; i < lj_model_tensor_count(m); i++) {
        const lj_param *a = lj_model_tensor(m, i), *b = lj_model_tensor(loaded, i);
        assert_string_equal(a->name, b->name);
        assert_memory_equal(a->data, b->data, a->numel * sizeof(float));
    }
    assert_int_equal(lj_model_get_config(loaded)->heads[0].nade_hidden, 24);
    unlink(path);
    lj_model_destroy(loaded);
    lj_model_destroy(m);
}

static char tmp_path[64];

static void test_save_load(void **st) {
    (void)st;
    lj_model_config c = small_config();
    lj_model *m, *back;
    char err[512] = "", enc[MODELIO_ENCODING_MAX];
    assert_int_equal(lj_model_create(&m, &c, err, sizeof err), LJ_OK);
    lj_model_init(m, 42);
    vocab *v = vocab_create(), *vb = NULL;
    for (int i = 0; i < 11; i++) {
        char ch = (char)('a' + i);
        vocab_add(v, &ch, 1, NULL);
    }
    snprintf(tmp_path, sizeof tmp_path, "/tmp/lj_modelio_%d.lstm", (int)getpid());
    assert_int_equal(modelio_save(tmp_path, m, "chars", v, 0, err, sizeof err), LJ_OK);
    assert_int_equal(modelio_load(tmp_path, &back, enc, &vb, err, sizeof err), LJ_OK);
    assert_string_equal(enc, "chars");
    assert_int_equal(vocab_size(vb), 11);
    assert_int_equal(lj_model_tensor_count(back), lj_model_tensor_count(m));
    for (int i = 0; i < lj_model_tensor_count(m); i++) {
        const lj_param *a = lj_model_tensor(m, i), *b = lj_model_tensor(back, i);
        assert_string_equal(a->name, b->name);
        assert_int_equal(a->numel, b->numel);
        assert_memory_equal(a->data, b->data, a->numel * sizeof(float));
    }
    lj_model_destroy(back);
    vocab_destroy(vb);
    /* bf16: every weight within bf16 rounding (relative 2^-8). */
    assert_int_equal(modelio_save(tmp_path, m, "chars", v, 1, err, sizeof err), LJ_OK);
    assert_int_equal(modelio_load(tmp_path, &back, NULL, NULL, err, sizeof err), LJ_OK);
    for (int i = 0; i < lj_model_tensor_count(m); i++) {
        const lj_param *a = lj_model_tensor(m, i), *b = lj_model_tensor(back, i);
        for (size_t k = 0; k < a->numel; k++)
            assert_true(fabsf(a->data[k] - b->data[k]) <= fabsf(a->data[k]) * (1.0f / 256));
    }
    lj_model_destroy(back);
    /* Truncated: an error naming the file, no model. */
    uint8_t *bytes;
    size_t len;
    assert_int_equal(lj_file_read(tmp_path, &bytes, &len, err, sizeof err), LJ_OK);
    assert_int_equal(lj_file_write_atomic(tmp_path, bytes, len - 100, err, sizeof err), LJ_OK);
    free(bytes);
    assert_int_equal(modelio_load(tmp_path, &back, NULL, NULL, err, sizeof err), LJ_ERR_PARSE);
    assert_null(back);
    assert_non_null(strstr(err, tmp_path));
    unlink(tmp_path);
    vocab_destroy(v);
    lj_model_destroy(m);
}

static void test_mismatches(void **st) {
    (void)st;
    lj_model_config c = small_config();
    lj_model *m, *back;
    char err[512] = "";
    assert_int_equal(lj_model_create(&m, &c, err, sizeof err), LJ_OK);
    /* Hand-built file: correct config, but layer 1's W_ih has the wrong size. */
    mf_writer *w = mf_writer_create();
    char text[1024];
    modelio_config_to_text(&c, text, sizeof text);
    mf_add_meta(w, "format", "lstmjam-model", 13);
    mf_add_meta(w, "model.config", text, strlen(text));
    for (int i = 0; i < lj_model_tensor_count(m); i++) {
        const lj_param *p = lj_model_tensor(m, i);
        uint32_t dims[2] = {(uint32_t)p->shape[0], p->ndim > 1 ? (uint32_t)p->shape[1] : 1};
        if (!strcmp(p->name, "lstm.weight_ih_l1")) dims[1] -= 1;
        float *zeros = calloc(dims[0] * dims[1], sizeof *zeros);
        mf_add_tensor(w, p->name, MF_F32, p->ndim, dims, zeros);
        free(zeros);
    }
    uint8_t *bytes;
    size_t len;
    assert_int_equal(mf_writer_finish(w, &bytes, &len, err, sizeof err), LJ_OK);
    mf_writer_destroy(w);
    mf_file *f;
    assert_int_equal(mf_read_mem(bytes, len, "bad.lstm", &f, err, sizeof err), LJ_OK);
    assert_int_equal(modelio_read_model(f, "bad.lstm", &back, NULL, NULL, err, sizeof err), LJ_ERR_PARSE);
    assert_string_equal(err, "bad.lstm: tensor 'lstm.weight_ih_l1': expected 24 x 8 = 192 values, found 168 (shape 24 x 7)");
    mf_close(f);
    free(bytes);
    lj_model_destroy(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_text),
        cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_mismatches),
        cmocka_unit_test(test_nade_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
