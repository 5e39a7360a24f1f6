#include "textdata.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chars.h"
#include "files.h"

typedef struct text_file {
    char *path;    /* owned */
    char *text;    /* owned, NUL-terminated */
    size_t len;
    int source;    /* index into cfg->data */
} text_file;

typedef struct file_list {
    text_file *items;
    size_t n, cap;
} file_list;

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push_path(file_list *l, const char *path, int source) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        text_file *p = realloc(l->items, cap * sizeof *p);
        if (!p) return LJ_ERR_NOMEM;
        l->items = p;
        l->cap = cap;
    }
    text_file *f = &l->items[l->n];
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    if (!f->path) return LJ_ERR_NOMEM;
    f->source = source;
    l->n++;
    return LJ_OK;
}

/* Adds path, or the .abc/.txt files of folder path (sorted; subfolders too
 * when recursive). */
static int collect(file_list *l, const char *path, int source, int depth, int recursive, char *err,
                   size_t errlen) {
    struct stat st;
    if (stat(path, &st) != 0)
        return lj_fail(err, errlen, LJ_ERR_IO, "%s: no such file or folder", path);
    if (!S_ISDIR(st.st_mode)) return push_path(l, path, source);
    if (depth > 0 && !recursive) return LJ_OK;
    if (depth > 16) return lj_fail(err, errlen, LJ_ERR_LIMIT, "%s: folders nested too deep", path);
    DIR *d = opendir(path);
    if (!d) return lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot open folder", path);
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = LJ_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **p = realloc(names, cap * sizeof *p);
            if (!p) {
                rc = LJ_ERR_NOMEM;
                break;
            }
            names = p;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = LJ_ERR_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (!rc) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && !rc; i++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, names[i]);
        struct stat s2;
        if (stat(sub, &s2) != 0) continue;
        if (S_ISDIR(s2.st_mode)) {
            rc = collect(l, sub, source, depth + 1, recursive, err, errlen);
        } else {
            char ext[16];
            lj_file_ext(sub, ext, sizeof ext);
            if (!strcmp(ext, "abc") || !strcmp(ext, "txt")) rc = push_path(l, sub, source);
        }
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    if (rc == LJ_ERR_NOMEM) lj_fail(err, errlen, rc, "%s: out of memory", path);
    return rc;
}

static void free_files(file_list *l) {
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].path);
        free(l->items[i].text);
    }
    free(l->items);
}

int textdata_load(const train_config *cfg, textdata *d, vocab **v, char *err, size_t errlen) {
    memset(d, 0, sizeof *d);
    *v = NULL;
    file_list files = {0};
    int rc = LJ_OK;
    for (int s = 0; s < cfg->n_data && !rc; s++) rc = collect(&files, cfg->data[s].path, s, 0, cfg->data[s].recursive, err, errlen);
    if (!rc && files.n == 0)
        rc = lj_fail(err, errlen, LJ_ERR_ARG, "%s: no .abc or .txt files found", cfg->data[0].path);
    for (size_t i = 0; i < files.n && !rc; i++) {
        uint8_t *data;
        rc = lj_file_read(files.items[i].path, &data, &files.items[i].len, err, errlen);
        files.items[i].text = (char *)data;
        d->n_bytes += files.items[i].len;
    }
    if (rc) goto done;
    d->n_files = files.n;
    /* Vocabulary of everything (the split is by piece; a byte only in held-out
     * pieces still needs an id to be scored). */
    const char **texts = malloc(files.n * sizeof *texts);
    size_t *lens = malloc(files.n * sizeof *lens);
    if (!texts || !lens) {
        free(texts);
        free(lens);
        rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < files.n; i++) {
        texts[i] = files.items[i].text;
        lens[i] = files.items[i].len;
    }
    rc = chars_build_vocab(texts, lens, files.n, v);
    free(texts);
    free(lens);
    if (rc) {
        rc = lj_fail(err, errlen, rc, "building the vocabulary: %s", lj_strerror(rc));
        goto done;
    }
    size_t cap_src = 0;
    for (size_t i = 0; i < files.n && !rc; i++) {
        const text_file *f = &files.items[i];
        size_t ntunes = chars_split_tunes(f->text, f->len, NULL, NULL, 0);
        size_t n = ntunes ? ntunes : 1;
        size_t *starts = malloc(n * sizeof *starts), *tl = malloc(n * sizeof *tl);
        int32_t *ids = malloc((f->len ? f->len : 1) * sizeof *ids);
        if (!starts || !tl || !ids) rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        if (!rc) {
            if (ntunes) chars_split_tunes(f->text, f->len, starts, tl, n);
            else {
                starts[0] = 0;
                tl[0] = f->len;
            }
            rc = chars_encode(*v, f->text, f->len, ids, f->path, err, errlen);
        }
        for (size_t t = 0; t < n && !rc; t++) {
            if (tl[t] < 2) continue;
            rc = tokset_add(&d->pieces, ids + starts[t], tl[t]);
            if (!rc && d->pieces.n_pieces > cap_src) {
                cap_src = cap_src ? cap_src * 2 : 1024;
                int *p = realloc(d->source_of, cap_src * sizeof *p);
                if (!p) rc = LJ_ERR_NOMEM;
                else d->source_of = p;
            }
            if (!rc) d->source_of[d->pieces.n_pieces - 1] = f->source;
            else lj_fail(err, errlen, rc, "out of memory");
        }
        free(starts);
        free(tl);
        free(ids);
    }
done:
    free_files(&files);
    if (rc) {
        textdata_free(d);
        vocab_destroy(*v);
        *v = NULL;
    }
    return rc;
}

void textdata_free(textdata *d) {
    tokset_free(&d->pieces);
    free(d->source_of);
    memset(d, 0, sizeof *d);
}
