/* Round trip through MIDI for every corpus file of every text format:
 * Score (from ABC, kern, JSB) -> midi_write_mem -> midi_read_mem -> the same
 * Score (score_compare: notes, tempo/meter/key maps, parts, title).
 * The MIDI corpus's own round trip is in the MIDI tests. Label: corpus. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"
#include "midi.h"
#include "score_io.h"

static size_t n_scores, n_failed;

static void check_score(const score *s, const char *path) {
    char err[512], msg[512];
    uint8_t *bytes = NULL;
    size_t len = 0;
    n_scores++;
    int rc = midi_write_mem(s, &bytes, &len, err, sizeof err);
    if (rc) {
        if (n_failed++ < 20) printf("FAIL %s tune %d: write: %s\n", path, s->index, err);
        return;
    }
    score *back = NULL;
    rc = midi_read_mem(bytes, len, path, &back, err, sizeof err);
    free(bytes);
    if (rc) {
        if (n_failed++ < 20) printf("FAIL %s tune %d: read back: %s\n", path, s->index, err);
        return;
    }
    score *orig = score_clone(s);
    if (!orig) exit(1);
    score_sort(orig);
    score_sort(back);
    /* The MIDI carries no tune index or source path. */
    back->index = orig->index;
    if (score_compare(orig, back, msg, sizeof msg) != 0 && n_failed++ < 20)
        printf("FAIL %s tune %d: %s\n", path, s->index, msg);
    score_destroy(orig);
    score_destroy(back);
}

static void check_file(const char *path, const score_read_opts *o) {
    char err[512];
    score_book b = {0};
    int rc = score_read_file(path, o, &b, err, sizeof err);
    if (rc) {
        if (n_failed++ < 20) printf("FAIL %s: read: %s\n", path, err);
        score_book_clear(&b);
        return;
    }
    for (size_t i = 0; i < b.n; i++) check_score(b.items[i], path);
    score_book_clear(&b);
}

static void walk(const char *dir, const char *ext, const score_read_opts *o, size_t *files) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) continue;
        size_t n = strlen(p), m = strlen(ext);
        if (S_ISDIR(st.st_mode)) walk(p, ext, o, files);
        else if (n > m && !strcmp(p + n - m, ext)) {
            check_file(p, o);
            (*files)++;
        }
    }
    closedir(d);
}

int main(void) {
    const char *corpora = getenv("LJ_CORPORA");
    char dir[4096];
    struct stat st;
    if (!corpora || stat(corpora, &st) != 0) {
        printf("SKIP: corpora not found (LJ_CORPORA)\n");
        return 77;
    }
    score_read_opts o;
    score_read_opts_default(&o);
    size_t files = 0;
    snprintf(dir, sizeof dir, "%s/nottingham/abc", corpora);
    walk(dir, ".abc", &o, &files);
    o.abc.repeats = ABC_REPEATS_NOTTINGHAM;
    walk(dir, ".abc", &o, &files);
    snprintf(dir, sizeof dir, "%s/essen-deutschl", corpora);
    walk(dir, ".krn", &o, &files);
    static const struct { const char *file; int step; } jsb[] = {
        {"jsb-chorales-16th.json", 120}, {"jsb-chorales-8th.json", 240},
        {"jsb-chorales-quarter.json", 480}};
    for (int i = 0; i < 3; i++) {
        o.jsb.step_ticks = jsb[i].step;
        snprintf(dir, sizeof dir, "%s/jsb-chorales/%s", corpora, jsb[i].file);
        check_file(dir, &o);
        files++;
    }
    printf("round trip: %zu files, %zu scores, %zu failed\n", files, n_scores, n_failed);
    return (n_failed == 0 && n_scores > 6000) ? 0 : 1;
}
