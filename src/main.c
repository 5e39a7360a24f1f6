/* lstmjam: a real-time LSTM music instrument. This file only dispatches to the
 * subcommands in src/cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"convert", cmd_convert, "convert MIDI, ABC, kern or JSB JSON to MIDI"},
    {"info", cmd_info, "summarise a music file (tunes, parts, notes, key, meter, range)"},
    {"render", cmd_render, "render a score to WAV/FLAC through FluidSynth, faster than real time"},
    {"play", cmd_play, "play a model live through FluidSynth and PortAudio, with MIDI input"},
    {"devices", cmd_devices, "list audio outputs and MIDI inputs/outputs"},
    {"presets", cmd_presets, "list the play presets (presets/*.yaml): mode, model, instrument"},
    {"encode", cmd_encode, "encode music files as tokens (timestep, notechord, event, abc) or frames (psd, pianoroll) into a text file"},
    {"train", cmd_train, "train a model from a YAML config (runs/NAME/)"},
    {"eval", cmd_eval, "score a model on data: NLL per token (nats, bits), perplexity, accuracy; or compare generated with reference pieces (MGEval); or ABC acceptance (--abc)"},
    {"generate", cmd_generate, "generate music from a model: primer, sampling or beam search, masks -> MIDI/ABC/tokens"},
    {"sample", cmd_sample, "generate text (ABC) from a chars model"},
};

static void usage(FILE *fp) {
    fprintf(fp, "usage: lstmjam COMMAND [options]   (lstmjam COMMAND --help for details)\n\n"
                "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return LJ_EXIT_BAD_INPUT;
    }
    const char *name = argv[1];
    if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
        usage(stdout);
        return LJ_EXIT_OK;
    }
    if (!strcmp(name, "--version") || !strcmp(name, "version")) {
        printf("lstmjam %s\n", LJ_VERSION);
        return LJ_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(name, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    cli_error("unknown command '%s'", name);
    usage(stderr);
    return LJ_EXIT_BAD_INPUT;
}
