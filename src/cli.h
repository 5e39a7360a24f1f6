/* cli: subcommand entry points and the helpers they share. Each cmd_X.c holds one
 * subcommand; main.c only dispatches. Exit codes: 0 success, 1 system failure
 * (I/O, memory), 2 bad input or bad usage. Thread: control (all). */
#ifndef LJ_CLI_H
#define LJ_CLI_H

#include <stdio.h>

#include "lj_status.h"

#define LJ_VERSION "0.1.0"

enum { LJ_EXIT_OK = 0, LJ_EXIT_FAIL = 1, LJ_EXIT_BAD_INPUT = 2 };

int cmd_convert(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_play(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_presets(int argc, char **argv);

/* Maps a status to the process exit code. */
int cli_exit_code(int status);

/* Prints "lstmjam: <msg>" to stderr (printf-style). */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Parses a non-negative integer option value; on failure prints an error naming
 * the option and returns -1. */
long cli_parse_long(const char *opt, const char *value, long min, long max);
/* Parses a number in lo..hi into *out; on failure (also a NULL value) prints
 * "OPT: expected a number LO..HI, found '...'" and returns -1, else 0. */
int cli_parse_double(const char *opt, const char *value, double lo, double hi, double *out);
/* --reseed S (play, render): 0 (never) or ENGINE_MIN_RESEED_SECONDS..
 * ENGINE_MAX_RESEED_SECONDS into *out; else prints why and returns -1. */
int cli_parse_reseed(const char *opt, const char *value, double *out);

/* Reader warnings for the terminal: the first CLI_WARN_SHOWN are printed as
 * "lstmjam: warning: ...", the rest only counted (all with --verbose, none
 * with --quiet); cli_warn_summary prints "... and N more warnings". */
#define CLI_WARN_SHOWN 5
typedef struct cli_warnings {
    int quiet;    /* print nothing */
    int verbose;  /* print every warning */
    size_t count; /* warnings received */
} cli_warnings;
void cli_warn(void *user, const char *msg); /* user is a cli_warnings* */
void cli_warn_summary(const cli_warnings *w);

#endif

#include "io/score_io.h"

/* Options that pick and shape what is read, shared by convert and info:
 *   --tune N  --repeats abc2midi|nottingham  --no-chords  --split S  --grid 16th|8th|quarter
 *   -q/--quiet  -v/--verbose
 * cli_read_args parses argv into o, *tune (0 = all) and up to max_pos positional
 * arguments; returns 0, or the exit code after printing a message. `help` is
 * printed for -h/--help (then *pos_count = -1). */
int cli_read_args(int argc, char **argv, const char *help, score_read_opts *o, long *tune,
                  cli_warnings *warnings, const char **pos, int max_pos, int *pos_count,
                  int *show_notes);

/* Reads path with the CLI's warning sink; on error prints it and returns the
 * exit code, else 0. Keeps only tune `tune` when tune > 0 (error if absent). */
int cli_read_book(const char *path, score_read_opts *o, long tune, score_book *book);
