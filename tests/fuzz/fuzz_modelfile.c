/* Fuzz harness: the .lstm loader on arbitrary bytes; on success every tensor is
 * read as float32 (which touches all of its bytes) and the model layer
 * (modelio: config text, vocabulary, named tensors) builds a model from it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modelfile.h"
#include "modelio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512];
    mf_file *f = NULL;
    if (mf_read_mem(data, size, "fuzz.lstm", &f, err, sizeof err) != LJ_OK) return 0;
    for (size_t i = 0; i < mf_tensor_count(f); i++) {
        const mf_tensor *t = mf_tensor_at(f, i);
        if (t->n_elems > (1u << 20)) continue;
        float *buf = malloc(t->n_elems * sizeof *buf);
        if (!buf) continue;
        mf_get_f32(f, t->name, buf, t->n_elems, NULL, err, sizeof err);
        free(buf);
    }
    mf_meta(f, "encoding", NULL);
    /* The model layer on top: config text, model creation, tensor checks. */
    lj_model *m = NULL;
    vocab *v = NULL;
    char enc[MODELIO_ENCODING_MAX];
    if (modelio_read_model(f, "fuzz.lstm", &m, enc, &v, err, sizeof err) == LJ_OK) {
        lj_model_destroy(m);
        vocab_destroy(v);
    }
    mf_close(f);
    return 0;
}
