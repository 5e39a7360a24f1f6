/* libFuzzer harness for the kern reader: any bytes must give a score or a clean
 * error status with a message, never a crash, leak or sanitizer report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/kern.h"

static void ignore_warning(void *user, const char *msg) {
    (void)user;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kern_opts opts = {ignore_warning, NULL};
    score *s = NULL;
    kern_stats st;
    char err[512];
    int rc = kern_read_mem((const char *)data, size, "fuzz.krn", &opts, &s, &st, err, sizeof err);
    if (rc == LJ_OK) {
        /* A returned score must satisfy the Score invariants. */
        for (size_t i = 0; i < s->n_notes; i++)
            if (s->notes[i].duration <= 0 || s->notes[i].pitch > 127 || s->notes[i].onset < 0) abort();
        score_destroy(s);
    } else if (s != NULL || err[0] == 0) {
        abort(); /* an error must leave no score and always say why */
    }
    return 0;
}
