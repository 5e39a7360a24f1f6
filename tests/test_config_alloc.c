/* Allocation failures of the YAML config layers (zlib's infcover idea): every
 * shipped training recipe (presets/train/NAME.yaml) through train_config_parse
 * and every play preset (presets/NAME.yaml) through preset_parse, with each of
 * lstmjam's allocations failing in turn (the config tree in src/config.c, the
 * encoding options), must give LJ_ERR_NOMEM with a message and leave no block
 * allocated. libyaml's own allocations are inside libyaml.so, out of --wrap's
 * reach (tests/alloc_fail.h); they are not failed here. */
#include "alloc_fail.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "preset.h"
#include "train_config.h"

static train_config tc; /* large: static */
static preset pr;

static int parse(int is_train, const char *text, size_t len, const char *name, const char *dir, char *err,
                 size_t errlen) {
    if (is_train) {
        train_config_default(&tc);
        return train_config_parse(text, len, name, dir, &tc, err, errlen);
    }
    return preset_parse(text, len, name, dir, 0, &pr, err, errlen);
}

/* Every allocation of parsing dir/file failing in turn; 1 on a failure. */
static int check_file(int is_train, const char *dir, const char *file, long *allocs) {
    char path[2048], err[1024] = "";
    snprintf(path, sizeof path, "%s/%s", dir, file);
    uint8_t *data;
    size_t len;
    if (lj_file_read(path, &data, &len, err, sizeof err)) {
        fprintf(stderr, "FAIL: %s\n", err);
        return 1;
    }
    int bad = 0;
    alloc_fail_reset(-1);
    int rc = parse(is_train, (const char *)data, len, path, dir, err, sizeof err);
    long total = alloc_fail_count();
    if (rc != LJ_OK || alloc_fail_live() != 0) {
        fprintf(stderr, "FAIL: %s: clean parse: status %d '%s', %ld blocks live\n", path, rc, err, alloc_fail_live());
        bad = 1;
    }
    for (long k = 0; k < total && !bad; k++) {
        alloc_fail_reset(k);
        err[0] = 0;
        rc = parse(is_train, (const char *)data, len, path, dir, err, sizeof err);
        if (rc != LJ_ERR_NOMEM || !err[0] || alloc_fail_live() != 0) {
            fprintf(stderr, "FAIL: %s: allocation %ld of %ld failed: status %d, '%s', %ld blocks live\n", path, k,
                    total, rc, err, alloc_fail_live());
            bad = 1;
        }
    }
    alloc_fail_reset(-1);
    free(data);
    *allocs += total;
    return bad;
}

static int check_dir(int is_train, const char *dir, int *files, long *allocs) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "FAIL: cannot open %s\n", dir);
        return 1;
    }
    int bad = 0;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        size_t n = strlen(ent->d_name);
        if (n < 6 || strcmp(ent->d_name + n - 5, ".yaml")) continue;
        bad |= check_file(is_train, dir, ent->d_name, allocs);
        (*files)++;
    }
    closedir(d);
    return bad;
}

int main(void) {
    const char *src = getenv("LJ_SOURCE_DIR");
    if (!src) {
        fprintf(stderr, "LJ_SOURCE_DIR is not set\n");
        return 1;
    }
    char dir[1024];
    int bad = 0;
    for (int is_train = 1; is_train >= 0; is_train--) {
        int files = 0;
        long allocs = 0;
        snprintf(dir, sizeof dir, "%s/presets%s", src, is_train ? "/train" : "");
        bad |= check_dir(is_train, dir, &files, &allocs);
        if (files == 0) bad = 1;
        printf("%s  %s: %d files, %ld allocations failed in turn: LJ_ERR_NOMEM, no block left\n", bad ? "FAIL" : "ok ",
               is_train ? "train_config_parse" : "preset_parse", files, allocs);
    }
    return bad;
}
