/* Corpus test of the JSB reader on the three JSON files (16th, 8th, quarter).
 *
 * tests/ref/jsb_digest.py reads each file with Python's json module (a parser
 * independent of cJSON and of src/io/jsb.c) and writes every piece's frames as
 * pitch bitmasks into a temp folder. For each file and for merge_held 1 and 0:
 * - the split sizes are 229/76/77 (the README's and the standard split's) and
 *   equal the digest's;
 * - for every piece, jsb_to_roll(score) equals the digest's frames exactly, and
 *   the note count equals the digest's (runs of a held pitch with merge_held,
 *   one note per step and pitch without);
 * - reading one split alone gives the same pieces with index = position + 1.
 * Exit 77 when the corpus or python3 is missing. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/jsb.h"

static const int want_sizes[3] = {229, 76, 77}; /* train, valid, test: README and issue 3 */
static const char *const splits[3] = {"train", "valid", "test"};

/* Checks every piece of book against the digest file; returns failures. */
static int check_book(const score_book *book, const char *digest, int step, int merge, int first_split) {
    FILE *fp = fopen(digest, "r");
    if (!fp) return 1;
    char line[256];
    int bad = 0;
    size_t piece = 0;
    int sizes[3] = {0, 0, 0};
    while (fgets(line, sizeof line, fp)) {
        char split[16];
        int index;
        long n_frames, merged, per_step;
        if (sscanf(line, "piece %15s %d %ld %ld %ld", split, &index, &n_frames, &merged, &per_step) != 5) {
            bad++;
            break;
        }
        int k = !strcmp(split, "train") ? 0 : !strcmp(split, "valid") ? 1 : 2;
        sizes[k]++;
        int mine = first_split < 0 || k == first_split;
        const score *s = NULL;
        if (mine) {
            if (piece >= book->n) {
                fprintf(stderr, "FAIL: the reader has only %zu pieces\n", book->n);
                bad++;
                mine = 0;
            } else {
                s = book->items[piece++];
                char title[64];
                snprintf(title, sizeof title, "%s %d", split, index);
                if (strcmp(s->title, title) || s->index != (int)piece) {
                    fprintf(stderr, "FAIL: piece %zu is '%s' index %d, want '%s' index %zu\n", piece - 1, s->title,
                            s->index, title, piece);
                    bad++;
                }
                long want_notes = merge ? merged : per_step;
                if ((long)s->n_notes != want_notes) {
                    fprintf(stderr, "FAIL: %s: %zu notes, want %ld\n", title, s->n_notes, want_notes);
                    bad++;
                }
            }
        }
        uint64_t(*roll)[2] = NULL;
        size_t n_roll = 0;
        if (mine && jsb_to_roll(s, step, &roll, &n_roll) != LJ_OK) bad++;
        if (mine && (long)n_roll != n_frames) {
            fprintf(stderr, "FAIL: %s: %zu frames, want %ld\n", s->title, n_roll, n_frames);
            bad++;
        }
        for (long f = 0; f < n_frames; f++) {
            uint64_t lo, hi;
            if (!fgets(line, sizeof line, fp) || sscanf(line, "%" SCNx64 " %" SCNx64, &lo, &hi) != 2) {
                bad++;
                break;
            }
            if (mine && (size_t)f < n_roll && (roll[f][0] != lo || roll[f][1] != hi)) {
                if (bad < 10)
                    fprintf(stderr, "FAIL: %s frame %ld: %016" PRIx64 "%016" PRIx64 ", want %016" PRIx64 "%016" PRIx64 "\n",
                            s->title, f, roll[f][1], roll[f][0], hi, lo);
                bad++;
            }
        }
        free(roll);
    }
    fclose(fp);
    if (piece != book->n) {
        fprintf(stderr, "FAIL: reader has %zu pieces, digest %zu\n", book->n, piece);
        bad++;
    }
    for (int k = 0; k < 3; k++)
        if (sizes[k] != want_sizes[k]) {
            fprintf(stderr, "FAIL: digest %s has %d pieces, want %d\n", splits[k], sizes[k], want_sizes[k]);
            bad++;
        }
    return bad;
}

int main(void) {
    const char *corpora = getenv("LJ_CORPORA"), *source = getenv("LJ_SOURCE_DIR");
    if (!corpora || !source) return 77;
    if (system("python3 -c 1 2>/dev/null") != 0) {
        fprintf(stderr, "python3 missing: skipped\n");
        return 77;
    }
    char tmp[] = "/tmp/lj_jsb_XXXXXX";
    if (!mkdtemp(tmp)) return 1;
    static const char *const grids[3] = {"16th", "8th", "quarter"};
    static const int steps[3] = {120, 240, 480};
    int bad = 0, tested = 0;
    for (int g = 0; g < 3; g++) {
        char path[4096], digest[4096], cmd[12288];
        snprintf(path, sizeof path, "%s/jsb-chorales/jsb-chorales-%s.json", corpora, grids[g]);
        if (access(path, R_OK) != 0) continue;
        snprintf(digest, sizeof digest, "%s/%s.txt", tmp, grids[g]);
        snprintf(cmd, sizeof cmd, "python3 '%s/tests/ref/jsb_digest.py' '%s' '%s'", source, path, digest);
        if (system(cmd) != 0) {
            fprintf(stderr, "FAIL: %s\n", cmd);
            bad++;
            continue;
        }
        for (int merge = 1; merge >= 0; merge--) {
            jsb_opts o = {NULL, steps[g], merge};
            score_book book = {0};
            char err[512];
            int rc = jsb_read_file(path, &o, &book, err, sizeof err);
            if (rc) {
                fprintf(stderr, "FAIL: %s\n", err);
                bad++;
                continue;
            }
            int b = check_book(&book, digest, steps[g], merge, -1);
            size_t notes = 0;
            for (size_t i = 0; i < book.n; i++) notes += book.items[i]->n_notes;
            printf("%s merge_held=%d: %zu pieces, %zu notes, rolls %s\n", grids[g], merge, book.n, notes,
                   b ? "DIFFERENT" : "identical to Python's json");
            bad += b;
            score_book_clear(&book);
            /* One split alone. */
            for (int k = 0; k < 3; k++) {
                jsb_opts os = {splits[k], steps[g], merge};
                rc = jsb_read_file(path, &os, &book, err, sizeof err);
                if (rc || book.n != (size_t)want_sizes[k]) {
                    fprintf(stderr, "FAIL: split %s: %d, %zu pieces %s\n", splits[k], rc, book.n, err);
                    bad++;
                } else {
                    bad += check_book(&book, digest, steps[g], merge, k);
                }
                score_book_clear(&book);
            }
        }
        remove(digest);
        tested++;
    }
    rmdir(tmp);
    if (!tested) {
        fprintf(stderr, "no JSB corpus under %s: skipped\n", corpora);
        return 77;
    }
    printf("%s\n", bad ? "FAILED" : "ok");
    return bad != 0;
}
