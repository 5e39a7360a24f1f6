/* Input options and reading shared by the subcommands that take music files. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_read_args(int argc, char **argv, const char *help, score_read_opts *o, long *tune,
                  cli_warnings *warnings, const char **pos, int max_pos, int *pos_count,
                  int *show_notes) {
    score_read_opts_default(o);
    *tune = 0;
    *pos_count = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            *pos_count = -1;
            return 0;
        } else if (!strcmp(a, "--tune")) {
            if ((*tune = cli_parse_long(a, v, 1, 1000000000)) < 0) return LJ_EXIT_BAD_INPUT;
            i++;
        } else if (!strcmp(a, "--repeats")) {
            if (v && !strcmp(v, "abc2midi")) o->abc.repeats = ABC_REPEATS_ABC2MIDI;
            else if (v && !strcmp(v, "nottingham")) o->abc.repeats = ABC_REPEATS_NOTTINGHAM;
            else {
                cli_error("--repeats: expected 'abc2midi' or 'nottingham', found '%s'", v ? v : "");
                return LJ_EXIT_BAD_INPUT;
            }
            i++;
        } else if (!strcmp(a, "--no-chords")) {
            o->abc.chords = 0;
        } else if (!strcmp(a, "--split")) {
            if (v && (!strcmp(v, "train") || !strcmp(v, "valid") || !strcmp(v, "test"))) {
                o->jsb.split = v;
            } else {
                cli_error("--split: expected train, valid or test, found '%s'", v ? v : "");
                return LJ_EXIT_BAD_INPUT;
            }
            i++;
        } else if (!strcmp(a, "--grid")) {
            if (v && !strcmp(v, "16th")) o->jsb.step_ticks = SCORE_PPQ / 4;
            else if (v && !strcmp(v, "8th")) o->jsb.step_ticks = SCORE_PPQ / 2;
            else if (v && !strcmp(v, "quarter")) o->jsb.step_ticks = SCORE_PPQ;
            else {
                cli_error("--grid: expected 16th, 8th or quarter, found '%s'", v ? v : "");
                return LJ_EXIT_BAD_INPUT;
            }
            i++;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            warnings->quiet = 1;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            warnings->verbose = 1;
        } else if (show_notes && !strcmp(a, "--notes")) {
            *show_notes = 1;
        } else if (a[0] == '-' && a[1]) {
            cli_error("unknown option '%s' (see --help)", a);
            return LJ_EXIT_BAD_INPUT;
        } else {
            if (*pos_count >= max_pos) {
                cli_error("unexpected argument '%s' (see --help)", a);
                return LJ_EXIT_BAD_INPUT;
            }
            pos[(*pos_count)++] = a;
        }
    }
    o->warn = cli_warn;
    o->warn_user = warnings;
    return 0;
}

int cli_read_book(const char *path, score_read_opts *o, long tune, score_book *book) {
    char err[1024] = "";
    int rc = score_read_file(path, o, book, err, sizeof err);
    cli_warn_summary(o->warn_user);
    if (rc) {
        cli_error("%s", err[0] ? err : lj_strerror(rc));
        return cli_exit_code(rc);
    }
    if (tune > 0) {
        /* Keep the tune whose index (ABC X:, JSB position) is `tune`; for a
         * single-score file tune 1 is that score. */
        size_t keep = book->n;
        for (size_t i = 0; i < book->n; i++)
            if (book->items[i]->index == tune || (book->n == 1 && tune == 1)) {
                keep = i;
                break;
            }
        if (keep == book->n) {
            cli_error("%s: no tune %ld (the file has %zu)", path, tune, book->n);
            return LJ_EXIT_BAD_INPUT;
        }
        score *s = book->items[keep];
        book->items[keep] = NULL;
        for (size_t i = 0; i < book->n; i++) score_destroy(book->items[i]);
        book->items[0] = s;
        book->n = 1;
    }
    return 0;
}
