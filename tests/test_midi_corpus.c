/* MIDI corpus checks over the Nottingham MIDI files (3089 under
 * $LJ_CORPORA/nottingham/midi, recursively).
 *
 *   test_midi_corpus roundtrip [DIR]
 *       every file: read -> midi_write_mem -> midi_read_mem gives a
 *       score_compare-equal score, and writing that again gives the same bytes.
 *   test_midi_corpus dump ROOT LIST
 *       the lstmjam side of the midicsv oracle (tests/midi_oracle.sh): for every
 *       relative path in the file LIST, one line per note
 *       "PATH ONSET DURATION PITCH VELOCITY CHANNEL" (ticks at 480 PPQ), then
 *       the tempo, meter and key maps ("PATH T TICK US", "PATH M TICK NUM DEN",
 *       "PATH K TICK FIFTHS MODE").
 * Exit 0 pass, 1 fail, 77 corpus missing. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "midi.h"

static size_t n_files, n_failed;

static void roundtrip_file(const char *path) {
    char err[1024], msg[1024];
    score *a = NULL, *b = NULL;
    uint8_t *bytes = NULL, *bytes2 = NULL;
    size_t len = 0, len2 = 0;
    n_files++;
    if (midi_read_file(path, &a, err, sizeof err)) {
        printf("FAIL %s: read: %s\n", path, err);
        goto fail;
    }
    if (a->n_notes == 0) {
        printf("FAIL %s: no notes read\n", path);
        goto fail;
    }
    if (midi_write_mem(a, &bytes, &len, err, sizeof err)) {
        printf("FAIL %s: write: %s\n", path, err);
        goto fail;
    }
    if (midi_read_mem(bytes, len, path, &b, err, sizeof err)) {
        printf("FAIL %s: read back: %s\n", path, err);
        goto fail;
    }
    if (score_compare(a, b, msg, sizeof msg) != 0) {
        printf("FAIL %s: round trip differs: %s\n", path, msg);
        goto fail;
    }
    if (midi_write_mem(b, &bytes2, &len2, err, sizeof err) || len2 != len ||
        memcmp(bytes, bytes2, len) != 0) {
        printf("FAIL %s: second write differs from the first (%zu vs %zu bytes)\n", path, len,
               len2);
        goto fail;
    }
    goto done;
fail:
    n_failed++;
done:
    score_destroy(a);
    score_destroy(b);
    free(bytes);
    free(bytes2);
}

static int has_mid_ext(const char *name) {
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".mid") == 0;
}

static void walk(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        printf("FAIL cannot open %s\n", dir);
        n_failed++;
        return;
    }
    /* Sorted order keeps the output stable. */
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            char **p = realloc(names, cap * sizeof *p);
            if (!p) exit(1);
            names = p;
        }
        names[n] = strdup(e->d_name);
        if (!names[n]) exit(1);
        n++;
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            walk(path);
        else if (has_mid_ext(names[i]))
            roundtrip_file(path);
        free(names[i]);
    }
    free(names);
}

static int run_roundtrip(const char *dir) {
    struct stat st;
    if (stat(dir, &st) != 0) {
        printf("SKIP: %s missing\n", dir);
        return 77;
    }
    clock_t t0 = clock();
    walk(dir);
    printf("midi round trip: %zu files, %zu failed, %.1f s CPU\n", n_files, n_failed,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    return n_files > 0 && n_failed == 0 ? 0 : 1;
}

static int run_dump(const char *root, const char *list) {
    FILE *fp = fopen(list, "r");
    if (!fp) {
        fprintf(stderr, "cannot open %s\n", list);
        return 1;
    }
    char rel[4096], path[8192], err[1024];
    while (fgets(rel, sizeof rel, fp)) {
        rel[strcspn(rel, "\n")] = 0;
        if (!rel[0]) continue;
        snprintf(path, sizeof path, "%s/%s", root, rel);
        score *s = NULL;
        n_files++;
        if (midi_read_file(path, &s, err, sizeof err)) {
            fprintf(stderr, "FAIL %s\n", err);
            n_failed++;
            continue;
        }
        for (size_t i = 0; i < s->n_notes; i++) {
            const score_note *n = &s->notes[i];
            printf("%s %lld %lld %d %d %d\n", rel, (long long)n->onset, (long long)n->duration,
                   n->pitch, n->velocity, n->channel);
        }
        for (size_t i = 0; i < s->n_tempos; i++)
            printf("%s T %lld %u\n", rel, (long long)s->tempos[i].tick, s->tempos[i].us_per_qn);
        for (size_t i = 0; i < s->n_meters; i++)
            printf("%s M %lld %d %d\n", rel, (long long)s->meters[i].tick, s->meters[i].num,
                   s->meters[i].den);
        for (size_t i = 0; i < s->n_keys; i++)
            printf("%s K %lld %d %d\n", rel, (long long)s->keys[i].tick, s->keys[i].fifths,
                   s->keys[i].mode);
        score_destroy(s);
    }
    fclose(fp);
    fprintf(stderr, "dump: %zu files, %zu unreadable\n", n_files, n_failed);
    return n_failed ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "roundtrip") == 0) {
        char dir[4096];
        if (argc >= 3) {
            snprintf(dir, sizeof dir, "%s", argv[2]);
        } else {
            const char *corpora = getenv("LJ_CORPORA");
            if (!corpora) {
                printf("SKIP: LJ_CORPORA not set\n");
                return 77;
            }
            snprintf(dir, sizeof dir, "%s/nottingham/midi", corpora);
        }
        return run_roundtrip(dir);
    }
    if (argc == 4 && strcmp(argv[1], "dump") == 0) return run_dump(argv[2], argv[3]);
    fprintf(stderr, "usage: test_midi_corpus roundtrip [DIR] | dump ROOT LIST\n");
    return 2;
}
