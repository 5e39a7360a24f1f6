/* Every training recipe shipped in presets/train/ loads (train_config_load:
 * keys, types, ranges) and every data source it names exists in
 * ../shared/corpora, so a recipe the README gives as "one command" does not
 * fail on a typo or a moved corpus. The recipes' init: models (runs of an
 * earlier stage) are not checked: they are made by running that stage. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "train_config.h"

static void test_recipes_load(void **state) {
    (void)state;
    const char *src = getenv("LJ_SOURCE_DIR");
    assert_non_null(src);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/presets/train", src);
    DIR *d = opendir(dir);
    assert_non_null(d);
    int recipes = 0, sources = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".yaml")) continue;
        char path[2048], err[1024] = "";
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        train_config *c = malloc(sizeof *c);
        assert_non_null(c);
        train_config_default(c);
        if (train_config_load(path, c, err, sizeof err) != 0) fail_msg("%s", err);
        assert_true(c->n_data >= 1);
        for (int i = 0; i < c->n_data; i++) {
            struct stat st;
            if (stat(c->data[i].path, &st) != 0) fail_msg("%s: data source %s does not exist", path, c->data[i].path);
            sources++;
        }
        free(c);
        recipes++;
    }
    closedir(d);
    fprintf(stderr, "  %d recipes load, %d data sources exist\n", recipes, sources);
    assert_true(recipes >= 20);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_recipes_load)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
