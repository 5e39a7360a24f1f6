/* The engine's command-line options (engine_args.h), shared by play and
 * render: one place for their ranges and messages, where play_args.c and
 * cmd_render.c each had a copy. */
#include "engine_args.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Every option engine_args_parse takes; each takes a value. */
static const char *const engine_options[] = {"--temperature", "--top-k", "--top-p", "--density", "--seed",
                                             "--tempo", "--reseed", "--lookahead", "--program"};

int engine_args_takes(const char *opt) {
    for (size_t k = 0; k < sizeof engine_options / sizeof *engine_options; k++)
        if (!strcmp(opt, engine_options[k])) return 1;
    return 0;
}

int engine_args_parse(const char *opt, const char *val, engine_config *e, double *lookahead_ms,
                      engine_args_given *given) {
    long l;
    double d;
    if (!strcmp(opt, "--temperature")) {
        if (cli_parse_double(opt, val, 0, ENGINE_MAX_TEMPERATURE, &d)) return -1;
        e->sampler.temperature = (float)d;
    } else if (!strcmp(opt, "--top-k")) {
        if ((l = cli_parse_long(opt, val, 0, 1000000)) < 0) return -1;
        e->sampler.top_k = (int)l;
    } else if (!strcmp(opt, "--top-p")) {
        if (cli_parse_double(opt, val, 0.001, 1, &d)) return -1;
        e->sampler.top_p = (float)d;
    } else if (!strcmp(opt, "--density")) {
        if (cli_parse_double(opt, val, ENGINE_MIN_DENSITY, ENGINE_MAX_DENSITY, &e->density)) return -1;
        snprintf(given->density, sizeof given->density, "--density %.32s", val);
    } else if (!strcmp(opt, "--seed")) {
        if ((l = cli_parse_long(opt, val, 0, 0x7fffffffL)) < 0) return -1;
        e->seed = (uint64_t)l;
        given->seed = 1;
    } else if (!strcmp(opt, "--tempo")) {
        if (cli_parse_double(opt, val, ENGINE_MIN_TEMPO, ENGINE_MAX_TEMPO, &e->tempo_bpm)) return -1;
        snprintf(given->tempo, sizeof given->tempo, "--tempo %.32s", val);
    } else if (!strcmp(opt, "--reseed")) {
        if (cli_parse_reseed(opt, val, &e->reseed_seconds)) return -1;
    } else if (!strcmp(opt, "--lookahead")) {
        if (cli_parse_double(opt, val, 0.1, 1000 * ENGINE_MAX_LOOKAHEAD_SECONDS, lookahead_ms)) return -1;
    } else if (!strcmp(opt, "--program")) {
        if ((l = cli_parse_long(opt, val, 0, 127)) < 0) return -1;
        e->program = (int)l;
        snprintf(given->program, sizeof given->program, "--program %ld", l);
    } else {
        return 0;
    }
    return 1;
}
