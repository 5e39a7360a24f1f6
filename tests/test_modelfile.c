/* modelfile: write/read round trip, metadata, bf16, and that every truncation
 * and every single-byte corruption is an error with a message, never a crash
 * or a silently wrong tensor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "modelfile.h"

static uint8_t *make_file(size_t *len) {
    mf_writer *w = mf_writer_create();
    assert_non_null(w);
    const char *vocab = "abc\ndef\n";
    assert_int_equal(mf_add_meta(w, "encoding", "chars", 5), LJ_OK);
    assert_int_equal(mf_add_meta(w, "vocab", vocab, strlen(vocab)), LJ_OK);
    float a[3 * 5];
    for (int i = 0; i < 15; i++) a[i] = (float)i * 0.25f - 1.0f;
    uint32_t da[2] = {3, 5};
    assert_int_equal(mf_add_tensor(w, "lstm.0.weight_ih", MF_F32, 2, da, a), LJ_OK);
    float b[7] = {1, -2, 3.5f, 1e-3f, -1e3f, 0, 65504};
    uint32_t db[1] = {7};
    assert_int_equal(mf_add_tensor_bf16(w, "lstm.0.bias_ih", 1, db, b), LJ_OK);
    int32_t step[1] = {1234};
    uint32_t ds[1] = {1};
    assert_int_equal(mf_add_tensor(w, "train.step", MF_I32, 1, ds, step), LJ_OK);
    uint8_t *out;
    char err[256];
    assert_int_equal(mf_writer_finish(w, &out, len, err, sizeof err), LJ_OK);
    mf_writer_destroy(w);
    return out;
}

static void test_round_trip(void **st) {
    (void)st;
    size_t len;
    uint8_t *bytes = make_file(&len);
    mf_file *f;
    char err[256] = "";
    assert_int_equal(mf_read_mem(bytes, len, "m.lstm", &f, err, sizeof err), LJ_OK);
    assert_int_equal(mf_tensor_count(f), 3);
    size_t ml;
    const char *enc = mf_meta(f, "encoding", &ml);
    assert_non_null(enc);
    assert_int_equal(ml, 5);
    assert_memory_equal(enc, "chars", 5);
    assert_null(mf_meta(f, "nope", NULL));
    float a[15];
    assert_int_equal(mf_get_f32(f, "lstm.0.weight_ih", a, 15, "3 x 5", err, sizeof err), LJ_OK);
    for (int i = 0; i < 15; i++) assert_true(a[i] == (float)i * 0.25f - 1.0f);
    float b[7];
    assert_int_equal(mf_get_f32(f, "lstm.0.bias_ih", b, 7, NULL, err, sizeof err), LJ_OK);
    assert_true(b[0] == 1 && b[1] == -2 && b[2] == 3.5f && b[5] == 0);
    assert_true(b[3] > 0.99e-3f && b[3] < 1.01e-3f); /* bf16 keeps ~3 significant digits */
    /* size mismatch names the tensor, the expected and the found shape */
    assert_int_equal(mf_get_f32(f, "lstm.0.weight_ih", a, 12, "4 x 3", err, sizeof err), LJ_ERR_PARSE);
    assert_string_equal(err, "tensor 'lstm.0.weight_ih': expected 4 x 3 = 12 values, found 15 (shape 3 x 5)");
    assert_int_equal(mf_get_f32(f, "lstm.1.weight_ih", a, 15, NULL, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "missing"));
    assert_int_equal(mf_get_f32(f, "train.step", a, 1, NULL, err, sizeof err), LJ_ERR_PARSE);
    mf_close(f);
    free(bytes);
}

static void test_truncations_and_corruptions(void **st) {
    (void)st;
    size_t len;
    uint8_t *bytes = make_file(&len);
    char err[256];
    /* Every truncation is an error (the header stores the file size). */
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, bytes, n);
        mf_file *f = NULL;
        err[0] = 0;
        int rc = mf_read_mem(cut, n, "m.lstm", &f, err, sizeof err);
        assert_int_not_equal(rc, LJ_OK);
        assert_null(f);
        assert_non_null(strstr(err, "m.lstm"));
        free(cut);
    }
    /* Every single-bit flip anywhere must be detected, except in the zero
     * padding that aligns tensor data to 64 bytes (covered by no checksum,
     * and harmless). An accepted flip must be in such a run of zeros. */
    mf_file *good;
    assert_int_equal(mf_read_mem(bytes, len, "m.lstm", &good, err, sizeof err), LJ_OK);
    size_t accepted = 0;
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            uint8_t *c = malloc(len);
            memcpy(c, bytes, len);
            c[i] ^= (uint8_t)(1u << bit);
            mf_file *f = NULL;
            if (mf_read_mem(c, len, "m.lstm", &f, err, sizeof err) == LJ_OK) {
                accepted++;
                /* i lies in no tensor's data, and zeros run from i to the next
                 * tensor's data (or the end of the file). */
                size_t next = len;
                for (size_t t = 0; t < mf_tensor_count(good); t++) {
                    const mf_tensor *ten = mf_tensor_at(good, t);
                    size_t start = (size_t)((const uint8_t *)ten->data - bytes);
                    assert_false(i >= start && i < start + ten->nbytes);
                    if (start > i && start < next) next = start;
                }
                for (size_t k = i; k < next; k++) assert_int_equal(bytes[k], 0);
                mf_close(f);
            }
            free(c);
        }
    }
    mf_close(good);
    assert_true(accepted < 3 * len); /* some flips land outside the padding */
    free(bytes);
}

static void test_bf16(void **st) {
    (void)st;
    assert_int_equal(mf_f32_to_bf16(1.0f), 0x3f80);
    assert_true(mf_bf16_to_f32(mf_f32_to_bf16(-2.5f)) == -2.5f);
    /* round to nearest even: 1 + 2^-8 is halfway between bf16 1 and 1+2^-7 */
    assert_int_equal(mf_f32_to_bf16(1.00390625f), 0x3f80);
    assert_int_equal(mf_f32_to_bf16(1.01171875f), 0x3f82);
    uint16_t nan = mf_f32_to_bf16(__builtin_nanf(""));
    assert_true((nan & 0x7f80) == 0x7f80 && (nan & 0x7f));
}

static void test_crc32(void **st) {
    (void)st;
    /* The standard check value of CRC-32 (zlib, PNG): "123456789" -> cbf43926. */
    assert_int_equal(mf_crc32(0, "123456789", 9), 0xcbf43926u);
    assert_int_equal(mf_crc32(mf_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

static void test_writer_refusals(void **st) {
    (void)st;
    mf_writer *w = mf_writer_create();
    uint32_t d0[1] = {0}, d5[5] = {1, 1, 1, 1, 1};
    float x = 0;
    assert_int_equal(mf_add_tensor(w, "a", MF_F32, 1, d0, &x), LJ_ERR_ARG);
    assert_int_equal(mf_add_tensor(w, "a", MF_F32, 5, d5, &x), LJ_ERR_ARG);
    char longname[200];
    memset(longname, 'x', sizeof longname - 1);
    longname[199] = 0;
    uint32_t d1[1] = {1};
    assert_int_not_equal(mf_add_tensor(w, longname, MF_F32, 1, d1, &x), LJ_OK);
    mf_writer_destroy(w);
    mf_writer_destroy(NULL);
    mf_close(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_truncations_and_corruptions),
        cmocka_unit_test(test_bf16),       cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_writer_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
