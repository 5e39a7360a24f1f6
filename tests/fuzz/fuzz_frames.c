/* libFuzzer harness for the frames text reader (enc_frames_parse) and, behind
 * it, the frame decoders: any bytes give frames every field accepts (a class
 * id in range, bits 0/1, finite values) or a clean error with a message and the
 * frame set untouched; whatever parses decodes without a crash. Three
 * encodings read each input: psd (seconds, MSE fields), psd binned in beats
 * with velocity (class fields only) and pianoroll (88 bits); the seeds carry
 * each one's header. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_frames(const encoding *e, const frameset *s, size_t from) {
    for (size_t i = from * s->dim; i < s->n_frames * s->dim; i++) {
        const enc_field *f = NULL;
        size_t k = i % s->dim;
        for (int h = 0; h < enc_frame_num_fields(e); h++) {
            const enc_field *g = enc_frame_field(e, h);
            size_t w = g->kind == ENC_FIELD_CLASS ? 1 : (size_t)g->width;
            if (k >= (size_t)g->offset && k < (size_t)g->offset + w) f = g;
        }
        float v = s->values[i];
        if (!f || !isfinite(v)) abort();
        if (f->kind == ENC_FIELD_CLASS && (v < 0 || v > (float)(f->width - 1) || v != floorf(v))) abort();
        if (f->kind == ENC_FIELD_BITS && v != 0.0f && v != 1.0f) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[3] = {"psd", "psd", "pianoroll"};
    static const char *const opts[3] = {NULL, "time=beats time_bins=25 time_bin=0.25 with_velocity=1", NULL};
    for (int k = 0; k < 3; k++) {
        char err[512] = "";
        encoding *e;
        if (enc_create_for_model(names[k], opts[k], opts[k] ? strlen(opts[k]) : 0, NULL, &e, err, sizeof err)) abort();
        frameset s;
        if (frameset_init(&s, enc_frame_dim(e))) abort();
        float *one = calloc(enc_frame_dim(e), sizeof *one); /* a piece already there must survive */
        if (!one || frameset_add(&s, one, 1)) abort();
        free(one);
        int rc = enc_frames_parse(e, (const char *)data, size, "fuzz.txt", &s, err, sizeof err);
        if (rc != LJ_OK) {
            if (s.n_pieces != 1 || s.n_frames != 1 || !err[0]) abort();
        } else {
            check_frames(e, &s, 1);
            size_t n = s.n_frames - 1;
            score *sc = NULL;
            if (n && n < 20000 && enc_decode_frames(e, s.values + s.dim, n, &sc, err, sizeof err) == LJ_OK)
                score_destroy(sc);
        }
        frameset_free(&s);
        enc_destroy(e);
    }
    return 0;
}
