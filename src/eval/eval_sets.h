/* eval_sets: `lstmjam eval --generated X... --reference Y...`, a generated set
 * of pieces against a reference set with MGEval's measures (mgeval.h): reads
 * the files (every format lstmjam reads; folders recursively, in sorted path
 * order), prints the comparison as text or JSON, writes the JSON object to a
 * file and PNG plots (eval_plot.h), each file atomically. Thread: control. */
#ifndef LJ_EVAL_SETS_H
#define LJ_EVAL_SETS_H

/* 1 when argv asks for a set comparison (it holds --generated or --reference):
 * cmd_eval then hands it to eval_sets_main. */
int eval_sets_wanted(int argc, char **argv);

/* The whole command: argv as cmd_eval's. Returns the exit code (0 done, 1
 * system error, 2 bad input or usage). */
int eval_sets_main(int argc, char **argv);

#endif
