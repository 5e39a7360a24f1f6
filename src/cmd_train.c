/* lstmjam train CONFIG.yaml: train a model (see src/train/trainer.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "train/trainer.h"

static const char *help =
    "usage: lstmjam train CONFIG.yaml [options]\n"
    "\n"
    "Trains a model as CONFIG says (data, model, optimizer, schedule, steps; see\n"
    "presets/train/*.yaml) into its run folder (runs/NAME/): config.yaml,\n"
    "metrics.jsonl, checkpoint.lstm, best.lstm, model.lstm and loss.png.\n"
    "Ctrl-C (SIGINT) or SIGTERM saves a checkpoint and stops; --resume continues it\n"
    "exactly where it stopped.\n"
    "\n"
    "options:\n"
    "  --resume            continue from the run folder's checkpoint.lstm\n"
    "  --steps N           train for N steps in all (overrides the config)\n"
    "  --run-dir DIR       write the run folder here (overrides the config)\n"
    "  --trace FILE        write FILE: the initial weights, the data, the batch order\n"
    "                      and the learning rate of every step, for\n"
    "                      tests/ref/parity_train.py (PyTorch on the same batches;\n"
    "                      runs without dropout, window batches, not with --resume)\n"
    "  -q, --quiet         no progress output\n"
    "\n"
    "exit status: 0 done, 1 system error, 2 bad config or data, 3 stopped on a\n"
    "non-finite loss (the last good checkpoint is kept), 130 interrupted\n";

int cmd_train(int argc, char **argv) {
    trainer_opts o = {0};
    const char *config = NULL, *run_dir = NULL;
    long steps = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            return LJ_EXIT_OK;
        } else if (!strcmp(a, "--resume")) {
            o.resume = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o.quiet = 1;
        } else if (!strcmp(a, "--steps")) {
            if ((steps = cli_parse_long(a, i + 1 < argc ? argv[i + 1] : NULL, 1, 1000000000L)) < 0)
                return LJ_EXIT_BAD_INPUT;
            i++;
        } else if (!strcmp(a, "--run-dir")) {
            if (i + 1 >= argc) {
                cli_error("--run-dir needs a folder");
                return LJ_EXIT_BAD_INPUT;
            }
            run_dir = argv[++i];
        } else if (!strcmp(a, "--trace")) {
            if (i + 1 >= argc) {
                cli_error("--trace needs a file name");
                return LJ_EXIT_BAD_INPUT;
            }
            o.trace_path = argv[++i];
        } else if (a[0] == '-') {
            cli_error("unknown option '%s' (see lstmjam train --help)", a);
            return LJ_EXIT_BAD_INPUT;
        } else if (!config) {
            config = a;
        } else {
            cli_error("unexpected argument '%s' (see lstmjam train --help)", a);
            return LJ_EXIT_BAD_INPUT;
        }
    }
    if (o.trace_path && o.resume) {
        cli_error("--trace records a run from its initial weights: it cannot start at --resume's checkpoint");
        return LJ_EXIT_BAD_INPUT;
    }
    if (!config) {
        cli_error("train needs a CONFIG.yaml (see lstmjam train --help)");
        return LJ_EXIT_BAD_INPUT;
    }
    train_config cfg;
    char err[2048] = "";
    train_config_default(&cfg);
    int rc = train_config_load(config, &cfg, err, sizeof err);
    if (rc) {
        cli_error("%s", err);
        return cli_exit_code(rc);
    }
    if (steps) cfg.steps = steps;
    if (run_dir) snprintf(cfg.run_dir, sizeof cfg.run_dir, "%s", run_dir);
    o.config_path = config;
    rc = trainer_run(&cfg, &o, err, sizeof err);
    if (rc == TRAINER_INTERRUPTED) return 130;
    if (rc) {
        cli_error("%s", err);
        return rc == LJ_ERR_RANGE ? 3 : cli_exit_code(rc);
    }
    return LJ_EXIT_OK;
}
