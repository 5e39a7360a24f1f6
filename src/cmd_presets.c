/* lstmjam presets: the play presets in presets/, one line each (name, mode,
 * model, the model's instrument, description), and whether each can play in
 * this build (its model is there and the engine takes it with the preset's
 * settings). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "device/gm.h"
#include "files.h"
#include "preset.h"
#include "rtq.h"

static const char *help =
    "usage: lstmjam presets\n"
    "\n"
    "Lists the play presets (presets/*.yaml beside the working directory or the\n"
    "program): name, mode, model, the instrument of the model's notes and the\n"
    "description; a preset that cannot play here says why (model not found, a\n"
    "model the engine cannot play, a mistake in the file). Play one with\n"
    "  lstmjam play --preset NAME     or render it with\n"
    "  lstmjam render --preset NAME -o out.wav\n"
    "\n"
    "exit status: 0 listed (even if some cannot play), 1 no presets folder\n";

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The instrument of the model's channel: a GM name, or bank:preset. */
static void instrument_of(const preset *p, char *buf, size_t len) {
    int ch = p->engine.channel;
    int bank = p->synth.banks[ch];
    int prog = p->engine.program;
    if (!p->audio) snprintf(buf, len, "(MIDI out, ch %d)", ch + 1);
    else if (bank > 0) snprintf(buf, len, "bank %d preset %d", bank, prog);
    else if (prog >= 0) snprintf(buf, len, "%s", gm_program_name(prog));
    else snprintf(buf, len, "-");
}

int cmd_presets(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(help, stdout);
            return LJ_EXIT_OK;
        }
        cli_error("unexpected argument '%s' (see lstmjam presets --help)", argv[i]);
        return LJ_EXIT_BAD_INPUT;
    }
    char dir[LJ_PROJECT_PATH_MAX], err[1024] = "";
    int rc = preset_dir(dir, sizeof dir, err, sizeof err);
    if (rc) {
        cli_error("%s", err);
        return LJ_EXIT_FAIL;
    }
    DIR *dd = opendir(dir);
    if (!dd) {
        cli_error("%s: cannot open the presets folder", dir);
        return LJ_EXIT_FAIL;
    }
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dd)) != NULL && n < sizeof names / sizeof *names) {
        size_t l = strlen(de->d_name);
        if (l > 5 && !strcmp(de->d_name + l - 5, ".yaml") && (names[n] = strdup(de->d_name))) n++;
    }
    closedir(dd);
    qsort(names, n, sizeof *names, by_name);
    printf("presets in %s/ (lstmjam play --preset NAME):\n", dir);
    preset *p = malloc(sizeof *p);
    if (!p) {
        cli_error("out of memory");
        rc = LJ_EXIT_FAIL;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        char path[LJ_PROJECT_PATH_MAX + 256], inst[64], problem[PRESET_PATH_MAX + 1100] = "";
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        uint8_t *data = NULL;
        size_t len = 0;
        int st = lj_file_read(path, &data, &len, err, sizeof err);
        if (!st) {
            st = preset_parse((const char *)data, len, path, dir, 0, p, err, sizeof err);
            free(data);
        }
        if (st) {
            /* The message without the file name (the line says which preset)
             * and without the hint: `lstmjam play --preset NAME` prints both. */
            const char *msg = strncmp(err, path, strlen(path)) ? err : err + strlen(path);
            while (*msg == ':' || (*msg >= '0' && *msg <= '9')) msg++;
            while (*msg == ' ') msg++;
            char *hint = strstr(msg, "; hint:");
            if (hint) *hint = 0;
            snprintf(problem, sizeof problem, "  [cannot play: %s]", msg);
        } else if (access(p->model, R_OK) != 0) {
            snprintf(problem, sizeof problem, "  [model not found]");
        } else {
            /* The engine must take the model, and an engine with the
             * preset's settings (a mode the model's encoding cannot do is
             * refused there): made and thrown away, with a small queue. */
            engine_model *m = NULL;
            engine *e = NULL;
            int est = engine_model_load_with(p->model, p->encoding_options, &m, err, sizeof err);
            if (!est) {
                engine_config ec = p->engine;
                ec.sample_rate = p->synth.sample_rate;
                ec.lookahead_frames = p->lookahead_ms > 0 ? (uint64_t)(p->lookahead_ms * ec.sample_rate / 1000)
                                                          : 4ull * p->period;
                if (ec.lookahead_frames < 1) ec.lookahead_frames = 1;
                size_t qb = rtq_bytes(16, sizeof(lj_event));
                void *qmem = aligned_alloc(64, (qb + 63) / 64 * 64);
                ec.out = qmem ? rtq_init(qmem, qb, 16, sizeof(lj_event)) : NULL;
                est = ec.out ? engine_create(m, &ec, &e, err, sizeof err)
                             : lj_fail(err, sizeof err, LJ_ERR_NOMEM, "out of memory");
                engine_destroy(e);
                free(qmem);
            }
            if (est) {
                const char *msg = strncmp(err, p->model, strlen(p->model)) ? err : err + strlen(p->model);
                while (*msg == ':' || *msg == ' ') msg++;
                snprintf(problem, sizeof problem, "  [cannot play: %s]", msg);
            }
            engine_model_destroy(m);
        }
        instrument_of(p, inst, sizeof inst); /* what the parse got before a problem */
        size_t l = strlen(names[i]) - 5;
        printf("  %-24.*s %-9s %-29s %-20s %s%s\n", (int)l, names[i], p->mode_name,
               p->model[0] ? lj_file_base(p->model) : "-", inst, p->description, problem);
    }
    if (!n) printf("  (none)\n");
    rc = LJ_EXIT_OK;
done:
    free(p);
    for (size_t i = 0; i < n; i++) free(names[i]);
    return rc;
}
