/* Fuzz harness: lstmjam eval's reader of a training run's metrics.jsonl
 * (eval_losses_parse, src/eval/eval_plot.h) on arbitrary bytes. */
#include <stdint.h>

#include "eval/eval_plot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512];
    eval_losses l;
    if (eval_losses_parse((const char *)data, size, "fuzz.jsonl", &l, err, sizeof err) == LJ_OK)
        eval_losses_free(&l);
    return 0;
}
