#include "music_paths.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/score_io.h"
#include "lj_status.h"

int lj_path_list_push(lj_path_list *l, const char *p) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **items = realloc(l->items, cap * sizeof *items);
        if (!items) return LJ_ERR_NOMEM;
        l->items = items;
        l->cap = cap;
    }
    if (!(l->items[l->n] = strdup(p))) return LJ_ERR_NOMEM;
    l->n++;
    return LJ_OK;
}

void lj_path_list_free(lj_path_list *l) {
    for (size_t i = 0; i < l->n; i++) free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int collect(lj_path_list *l, const char *path, int depth, char *err, size_t errlen) {
    struct stat st;
    if (stat(path, &st) != 0) return lj_fail(err, errlen, LJ_ERR_ARG, "%s: no such file or folder", path);
    if (!S_ISDIR(st.st_mode))
        return lj_path_list_push(l, path) ? lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory") : LJ_OK;
    if (depth > 32) return lj_fail(err, errlen, LJ_ERR_LIMIT, "%s: folders nested deeper than 32", path);
    DIR *d = opendir(path);
    if (!d) return lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot open the folder: %s", path, strerror(errno));
    lj_path_list names = {0};
    int rc = LJ_OK;
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') rc = lj_path_list_push(&names, e->d_name);
    closedir(d);
    if (rc) {
        lj_path_list_free(&names);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    }
    if (names.n) qsort(names.items, names.n, sizeof *names.items, cmp_str);
    for (size_t i = 0; i < names.n && !rc; i++) {
        char sub[4096];
        if ((size_t)snprintf(sub, sizeof sub, "%s/%s", path, names.items[i]) >= sizeof sub) {
            rc = lj_fail(err, errlen, LJ_ERR_LIMIT, "%s/%s: path too long", path, names.items[i]);
            break;
        }
        struct stat s2;
        if (stat(sub, &s2) != 0) continue;
        if (S_ISDIR(s2.st_mode)) rc = collect(l, sub, depth + 1, err, errlen);
        else if (score_format_of_path(sub) != SCORE_FORMAT_UNKNOWN && lj_path_list_push(l, sub))
            rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    }
    lj_path_list_free(&names);
    return rc;
}

int lj_collect_music_files(lj_path_list *l, const char *path, char *err, size_t errlen) {
    return collect(l, path, 0, err, errlen);
}
