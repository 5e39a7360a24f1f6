/* modelio: an lj_model with its encoding and vocabulary in a .lstm file.
 *
 * Metadata: "format" = "lstmjam-model", "model.config" = the architecture as
 * text (one "key value..." line each: input, layers, dropout, head), "encoding"
 * = the encoding's name, "encoding.options" = its options as enc_opts_format
 * text ("key=value ...", parseable by enc_opts_set; absent for chars and for
 * files written before it: the encoding's defaults), "vocab" = vocab_save
 * blob (when the encoding has one).
 * Tensors: every model parameter under its PyTorch name, float32 or bf16.
 * Checkpoints (src/train) add their own metadata and tensors to the same file
 * through the writer/reader-level calls. Thread: control (all). */
#ifndef LJ_MODELIO_H
#define LJ_MODELIO_H

#include <stddef.h>

#include "model.h"
#include "modelfile.h"
#include "vocab.h"

#define MODELIO_ENCODING_MAX 32

/* The architecture as text and back (what "model.config" holds). */
int modelio_config_to_text(const lj_model_config *cfg, char *buf, size_t buflen);
int modelio_config_from_text(const char *text, size_t len, const char *what,
                             lj_model_config *cfg, char *err, size_t errlen);

/* Adds config, encoding, vocab (may be NULL) and every parameter (bf16 != 0:
 * stored as bf16) to w. */
int modelio_add_model(mf_writer *w, const lj_model *m, const char *encoding, const vocab *v,
                      int bf16);
/* Builds a model from an opened file: checks the format, parses the config,
 * creates the model and loads every tensor with its name and size checked.
 * encoding (may be NULL) receives the encoding name; *v (may be NULL) the
 * vocabulary or NULL when the file has none. `what` names the file. */
int modelio_read_model(const mf_file *f, const char *what, lj_model **m, char *encoding,
                       vocab **v, char *err, size_t errlen);

/* Whole-file helpers: save writes atomically (temp, fsync, rename). */
int modelio_save(const char *path, const lj_model *m, const char *encoding, const vocab *v,
                 int bf16, char *err, size_t errlen);
int modelio_load(const char *path, lj_model **m, char *encoding, vocab **v, char *err,
                 size_t errlen);

/* The same with the encoding's options ("encoding.options"; NULL or "" writes
 * none). options receives them on load ("" when the file has none); optlen is
 * its size (LJ_ERR_PARSE if the stored text does not fit). */
#define MODELIO_OPTIONS_MAX 1024
int modelio_add_encoding_options(mf_writer *w, const char *options);
int modelio_read_encoding_options(const mf_file *f, const char *what, char *options, size_t optlen,
                                  char *err, size_t errlen);
int modelio_save_encoded(const char *path, const lj_model *m, const char *encoding,
                         const char *options, const vocab *v, int bf16, char *err, size_t errlen);
int modelio_load_encoded(const char *path, lj_model **m, char *encoding, char *options,
                         size_t optlen, vocab **v, char *err, size_t errlen);

#endif
