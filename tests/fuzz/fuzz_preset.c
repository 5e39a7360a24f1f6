/* Fuzz harness: play presets (src/preset.c over src/config.c) on arbitrary
 * bytes: every key, type, range and cross-check on hostile YAML; no file
 * checks (paths are only resolved). A preset that parses must hold values the
 * engine and the synth accept as they are. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "preset.h"

static preset p; /* 20 KB: static, not on the fuzzer's stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[2048];
    if (preset_parse((const char *)data, size, "fuzz.yaml", "dir", 0, &p, err, sizeof err) == LJ_OK) {
        const engine_config *e = &p.engine;
        if (!(e->sampler.temperature >= 0 && e->sampler.temperature <= ENGINE_MAX_TEMPERATURE) ||
            e->channel < 0 || e->channel > 15 || e->program < -1 || e->program > 127 ||
            !(e->repetition_penalty >= 1) || e->penalty_window < 1 || e->ngram_window < 1 ||
            p.thru_channel < 0 || p.thru_channel > 15 || p.period < 16 || p.period > 8192 || !p.model[0])
            abort();
        for (int ch = 0; ch < 16; ch++)
            if (p.synth.programs[ch] < -1 || p.synth.programs[ch] > 127 || p.synth.banks[ch] < -1 ||
                p.synth.banks[ch] > 16383)
                abort();
        const engine_cc_map *m = &p.engine.cc;
        int cc[] = {m->temperature, m->density, m->tempo, m->mode, m->panic};
        for (int t = 0; t < 5; t++)
            for (int u = 0; u < 5; u++)
                if (cc[t] < -1 || cc[t] > 119 || (t != u && cc[t] >= 0 && cc[t] == cc[u])) abort();
        if (!(e->density >= ENGINE_MIN_DENSITY && e->density <= ENGINE_MAX_DENSITY)) abort();
    } else if (!err[0]) {
        abort(); /* every refusal says why */
    }
    return 0;
}
