/* The engine's options on the command line, one parser for the commands that
 * run the engine (lstmjam play, lstmjam render --model/--preset): the same
 * names, ranges and messages in both, over what a --preset set. Thread:
 * control. */
#ifndef LJ_ENGINE_ARGS_H
#define LJ_ENGINE_ARGS_H

#include "engine/engine.h"

/* What the command line set explicitly, for what the caller does after the
 * options: the preset's drift (mode.vary) of a tempo, density or program the
 * command line set is turned off, with a line naming the option as given
 * (preset_vary_yield_options); play seeds from the clock unless a seed was
 * given. Zero it ({0}) before the first option. */
typedef struct engine_args_given {
    char tempo[48];   /* "--tempo BPM" as given (BPM cut at 32 characters), "" not given */
    char density[48]; /* "--density D" as given (likewise), "" not given */
    char program[32]; /* "--program P" (P as read, 0..127), "" not given */
    int seed;         /* 1: --seed given */
} engine_args_given;

/* 1 when opt is one of the options engine_args_parse takes (each takes a
 * value): for a command's "OPT needs a value" check. */
int engine_args_takes(const char *opt);

/* One option opt with its value val (not NULL: the caller says "needs a
 * value"): --temperature T (0..2), --top-k K, --top-p P, --density D,
 * --seed S, --tempo BPM, --reseed S and --program P into e; --lookahead MS
 * (ms: the caller turns it into frames at its rate) into *lookahead_ms; what
 * was given into *given. A later option overrides an earlier one. Returns 1
 * (taken), 0 (not an engine option: e untouched), or -1 after a message
 * "lstmjam: OPT: expected ..., found 'VAL'" on stderr: the caller exits
 * LJ_EXIT_BAD_INPUT (2). Thread: control. */
int engine_args_parse(const char *opt, const char *val, engine_config *e, double *lookahead_ms,
                      engine_args_given *given);

#endif
