/* lstmjam_parity_plot CURVE.txt OUT.png TITLE: the validation curves of one
 * training parity run (tools/parity.sh) in one PNG, lstmjam's as a line and
 * PyTorch's as points on the same axes, drawn by the trainer's own plot code
 * (src/train/plot.c, cairo).
 *
 * CURVE.txt: "step lstmjam_loss pytorch_loss" per line, as
 * tests/ref/parity_train.py --curve writes it. Bad input: exit 2 with
 * file:line and what was found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/plot.h"

enum { MAX_POINTS = 4096 };

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: lstmjam_parity_plot CURVE.txt OUT.png TITLE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    static double step[MAX_POINTS], c[MAX_POINTS], torch[MAX_POINTS];
    size_t n = 0;
    char line[256];
    for (int line_no = 1; fgets(line, sizeof line, f); line_no++) {
        if (line[0] == '#' || line[0] == '\n') continue;
        if (n == MAX_POINTS || sscanf(line, "%lf %lf %lf", &step[n], &c[n], &torch[n]) != 3) {
            fprintf(stderr, "%s:%d: expected 'step lstmjam_loss pytorch_loss' (at most %d lines), found '%.*s'\n",
                    argv[1], line_no, MAX_POINTS, (int)strcspn(line, "\n"), line);
            fclose(f);
            return 2;
        }
        n++;
    }
    fclose(f);
    plot_series s[2] = {
        {step, c, n, "lstmjam", 0.1, 0.3, 0.8, 0},
        {step, torch, n, "PyTorch", 0.85, 0.3, 0.1, 1},
    };
    char err[512];
    if (plot_png(argv[2], argv[3], s, 2, 800, 450, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    return 0;
}
