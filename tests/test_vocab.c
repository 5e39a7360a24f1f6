/* vocab: ids are dense and stable, names are bytes (NUL and newline included),
 * save/load round trips, and corrupt blobs are errors with offsets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode/vocab.h"

static void test_add_find(void **st) {
    (void)st;
    vocab *v = vocab_create();
    int32_t id;
    assert_int_equal(vocab_add(v, "\n", 1, &id), LJ_OK);
    assert_int_equal(id, 0);
    assert_int_equal(vocab_add(v, "C4.E4.G4", 8, &id), LJ_OK);
    assert_int_equal(id, 1);
    assert_int_equal(vocab_add(v, "\n", 1, &id), LJ_OK); /* existing: same id */
    assert_int_equal(id, 0);
    assert_int_equal(vocab_add(v, "a\0b", 3, &id), LJ_OK);
    assert_int_equal(id, 2);
    assert_int_equal(vocab_find(v, "a\0b", 3), 2);
    assert_int_equal(vocab_find(v, "a", 1), -1);
    size_t len;
    assert_memory_equal(vocab_name(v, 1, &len), "C4.E4.G4", 8);
    assert_int_equal(len, 8);
    assert_null(vocab_name(v, 3, &len));
    assert_null(vocab_name(v, -1, &len));
    /* Growth past many rehashes keeps every id. */
    char name[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(name, sizeof name, "tok%d", i);
        assert_int_equal(vocab_add(v, name, (size_t)n, &id), LJ_OK);
        assert_int_equal(id, i + 3);
    }
    for (int i = 0; i < 100000; i += 997) {
        int n = snprintf(name, sizeof name, "tok%d", i);
        assert_int_equal(vocab_find(v, name, (size_t)n), i + 3);
    }
    char big[300];
    memset(big, 'x', sizeof big);
    assert_int_equal(vocab_add(v, big, sizeof big, &id), LJ_ERR_LIMIT);
    vocab_destroy(v);
    vocab_destroy(NULL);
}

static void test_save_load(void **st) {
    (void)st;
    vocab *v = vocab_create();
    const char *names[] = {"X", ":", " ", "\n", "|", "\xe4"};
    for (int i = 0; i < 6; i++) vocab_add(v, names[i], strlen(names[i]), NULL);
    uint8_t *blob;
    size_t len;
    assert_int_equal(vocab_save(v, &blob, &len), LJ_OK);
    vocab *w;
    char err[256];
    assert_int_equal(vocab_load(blob, len, "m.lstm", &w, err, sizeof err), LJ_OK);
    assert_int_equal(vocab_size(w), 6);
    for (int i = 0; i < 6; i++) {
        size_t l;
        const char *n = vocab_name(w, i, &l);
        assert_int_equal(l, strlen(names[i]));
        assert_memory_equal(n, names[i], l);
    }
    vocab_destroy(w);
    /* Every truncation fails with a message naming the file. */
    for (size_t n = 0; n < len; n++) {
        assert_int_not_equal(vocab_load(blob, n, "m.lstm", &w, err, sizeof err), LJ_OK);
        assert_null(w);
        assert_non_null(strstr(err, "m.lstm: vocab: byte"));
    }
    /* A duplicate token is refused (ids would be ambiguous). */
    blob[4 + 3 * 1 + 2] = 'X'; /* token 1 (":") becomes "X" */
    assert_int_equal(vocab_load(blob, len, "m.lstm", &w, err, sizeof err), LJ_ERR_PARSE);
    assert_non_null(strstr(err, "repeats token 0"));
    free(blob);
    vocab_destroy(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_find),
        cmocka_unit_test(test_save_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
