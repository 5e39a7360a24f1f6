/* A non-finite loss stops training with a clear message naming the step and the
 * last good checkpoint, and leaves that checkpoint untouched. The NaN comes from
 * a checkpoint whose weights were poisoned, so the test is deterministic. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "modelfile.h"
#include "train/trainer.h"

#define CHECK(c)                                                      \
    do {                                                              \
        if (!(c)) {                                                   \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); \
            return 1;                                                 \
        }                                                             \
    } while (0)

int main(void) {
    const char *src = getenv("LJ_SOURCE_DIR");
    CHECK(src != NULL);
    char cfg_path[1024], dir[64], ckpt[128], err[2048] = "";
    snprintf(cfg_path, sizeof cfg_path, "%s/tests/data/train/tiny.yaml", src);
    snprintf(dir, sizeof dir, "/tmp/lj_nan_%d", (int)getpid());
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.lstm", dir);
    train_config cfg;
    train_config_default(&cfg);
    CHECK(train_config_load(cfg_path, &cfg, err, sizeof err) == LJ_OK);
    snprintf(cfg.run_dir, sizeof cfg.run_dir, "%s", dir);
    cfg.steps = 10;
    trainer_opts o = {.quiet = 1};
    CHECK(trainer_run(&cfg, &o, err, sizeof err) == LJ_OK);

    /* Poison one weight of the checkpoint: copy every entry, NaN in the head. */
    uint8_t *bytes;
    size_t len;
    CHECK(lj_file_read(ckpt, &bytes, &len, err, sizeof err) == LJ_OK);
    mf_file *f;
    CHECK(mf_read_mem(bytes, len, ckpt, &f, err, sizeof err) == LJ_OK);
    mf_writer *w = mf_writer_create();
    for (size_t i = 0; i < mf_meta_count(f); i++) {
        const void *v;
        size_t vl;
        const char *key = mf_meta_at(f, i, &v, &vl);
        CHECK(mf_add_meta(w, key, v, vl) == LJ_OK);
    }
    int poisoned = 0;
    for (size_t i = 0; i < mf_tensor_count(f); i++) {
        const mf_tensor *t = mf_tensor_at(f, i);
        float *data = malloc(t->nbytes);
        memcpy(data, t->data, t->nbytes);
        if (!strcmp(t->name, "heads.next.bias")) {
            data[0] = NAN;
            poisoned = 1;
        }
        CHECK(mf_add_tensor(w, t->name, t->dtype, t->ndim, t->dims, data) == LJ_OK);
        free(data);
    }
    CHECK(poisoned);
    uint8_t *out;
    size_t out_len;
    CHECK(mf_writer_finish(w, &out, &out_len, err, sizeof err) == LJ_OK);
    CHECK(lj_file_write_atomic(ckpt, out, out_len, err, sizeof err) == LJ_OK);
    mf_writer_destroy(w);
    mf_close(f);
    free(bytes);

    cfg.steps = 20;
    o.resume = 1;
    err[0] = 0;
    int rc = trainer_run(&cfg, &o, err, sizeof err);
    printf("message: %s\n", err);
    CHECK(rc == LJ_ERR_RANGE);
    CHECK(strstr(err, "step 11: the training loss is NaN; stopped") != NULL);
    CHECK(strstr(err, ckpt) != NULL && strstr(err, "(step 10)") != NULL);
    /* The checkpoint is the one we wrote, byte for byte. */
    CHECK(lj_file_read(ckpt, &bytes, &len, err, sizeof err) == LJ_OK);
    CHECK(len == out_len && memcmp(bytes, out, len) == 0);
    free(bytes);
    free(out);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    printf("trainer NaN stop: ok\n");
    return 0;
}
