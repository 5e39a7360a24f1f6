/* bench_read: how long lstmjam takes to read the corpora into Scores, on one core.
 *   bench_read CORPORA_DIR [REPEATS]
 * Reads the 14 Nottingham ABC books and every Essen kern file, REPEATS times
 * (default 5), and prints the best time of each set with notes per second.
 * bench/run.sh prints it next to abc2midi converting the same books. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "abc.h"
#include "files.h"
#include "kern.h"

typedef struct path_list {
    char **paths; /* owned strings */
    size_t n, cap;
} path_list;

static void collect(const char *dir, const char *ext, path_list *out) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            collect(p, ext, out);
        } else {
            size_t n = strlen(p), m = strlen(ext);
            if (n > m && !strcmp(p + n - m, ext)) {
                if (out->n == out->cap) {
                    out->cap = out->cap ? out->cap * 2 : 256;
                    out->paths = realloc(out->paths, out->cap * sizeof *out->paths);
                    if (!out->paths) exit(1);
                }
                out->paths[out->n++] = strdup(p);
            }
        }
    }
    closedir(d);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Reads every file once; returns seconds, sets *notes and *bytes. Exits on error:
 * a benchmark of a reader that fails means nothing. */
static double read_all(const path_list *pl, int is_abc, size_t *notes, size_t *bytes) {
    char err[512];
    *notes = 0;
    *bytes = 0;
    double t0 = now();
    for (size_t i = 0; i < pl->n; i++) {
        uint8_t *data;
        size_t len;
        if (lj_file_read(pl->paths[i], &data, &len, err, sizeof err)) {
            fprintf(stderr, "bench_read: %s\n", err);
            exit(1);
        }
        *bytes += len;
        int rc;
        if (is_abc) {
            abc_opts o;
            abc_opts_default(&o);
            score_book b = {0};
            rc = abc_read_mem((const char *)data, len, pl->paths[i], &o, &b, err, sizeof err);
            for (size_t k = 0; k < b.n; k++) *notes += b.items[k]->n_notes;
            score_book_clear(&b);
        } else {
            score *s = NULL;
            rc = kern_read_mem((const char *)data, len, pl->paths[i], NULL, &s, NULL, err, sizeof err);
            if (s) *notes += s->n_notes;
            score_destroy(s);
        }
        free(data);
        if (rc) {
            fprintf(stderr, "bench_read: %s\n", err);
            exit(1);
        }
    }
    return now() - t0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_read CORPORA_DIR [REPEATS]\n");
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    if (reps < 1) reps = 1;
    char dir[4096];
    path_list abc = {0}, krn = {0};
    snprintf(dir, sizeof dir, "%s/nottingham/abc", argv[1]);
    collect(dir, ".abc", &abc);
    snprintf(dir, sizeof dir, "%s/essen-deutschl", argv[1]);
    collect(dir, ".krn", &krn);
    if (abc.n == 0 || krn.n == 0) {
        fprintf(stderr, "bench_read: no corpora under %s\n", argv[1]);
        return 2;
    }
    const char *names[2] = {"nottingham-abc", "essen-kern"};
    path_list *lists[2] = {&abc, &krn};
    double total = 0;
    for (int k = 0; k < 2; k++) {
        double best = 1e9;
        size_t notes = 0, bytes = 0;
        for (int r = 0; r < reps; r++) {
            double t = read_all(lists[k], k == 0, &notes, &bytes);
            if (t < best) best = t;
        }
        total += best;
        printf("%-16s %5zu files %8.2f MB %8zu notes  best of %d: %7.3f s  %6.1f Mnotes/s\n",
               names[k], lists[k]->n, bytes / 1e6, notes, reps, best, notes / best / 1e6);
    }
    printf("%-16s %47s %7.3f s\n", "total", "", total);
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < lists[k]->n; i++) free(lists[k]->paths[i]);
        free(lists[k]->paths);
    }
    return 0;
}
