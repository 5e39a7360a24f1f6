/* eval_abc: `lstmjam eval --abc FILE.abc...`, the acceptance of ABC tunes (an
 * ABC model's output): the share that lstmjam's own reader reads with no
 * error, how many its stream reader (the one that plays generated text) had to
 * resynchronise in, and the share that abc2midi (the reference ABC tool,
 * Debian package abcmidi) accepts with no error.
 *
 * Each file is cut into tunes at its X: lines; the text before the first X:
 * (a file header) goes in front of every tune, followed by blank lines that
 * keep each tune on its own line numbers. A file without an X: line is one
 * tune. Per tune:
 *  - lstmjam's reader (abc_read_mem, abc2midi's repeats): read when it returns
 *    no error and a tune; constructs it reads past are counted as warnings;
 *  - the stream reader (abc_stream): the errors it read past (resynchronised);
 *  - abc2midi TUNE.abc -o TUNE.mid in a temporary folder (the tune alone):
 *    accepted when it exits 0, prints no line with "Error" and writes a MIDI
 *    file, within 10 s; lines with "Warning" are counted apart. abc2midi's
 *    exit status says nothing of errors (it exits 0 after "Error in line-char
 *    6-7 : Chord already finished"), hence the scan of its output.
 * abc2midi is looked for on PATH (or given with --abc2midi PATH); when it is
 * missing the text says so and the JSON holds "abc2midi": null. */
#ifndef LJ_EVAL_ABC_H
#define LJ_EVAL_ABC_H

/* 1 when argv asks for ABC acceptance (it holds --abc): cmd_eval then hands
 * it to eval_abc_main. Thread: control. */
int eval_abc_wanted(int argc, char **argv);

/* The whole command: argv as cmd_eval's. Returns the exit code (0 done, 1
 * system error, 2 bad input or usage). Thread: control. */
int eval_abc_main(int argc, char **argv);

#endif
