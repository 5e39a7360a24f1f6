/* libFuzzer harness for the training-config layer (src/train/train_config.c
 * over src/config.c): train_config_parse on arbitrary bytes, as `lstmjam
 * train CONFIG.yaml` reads them, with no file read or written and no training.
 * A config that parses must hold what the trainer takes as it is: an encoding
 * that enc_create accepts with the parsed options (chars aside), 1..16 data
 * sources with weights 0.01..100, 1..LJ_MAX_LAYERS widths, every range the
 * header states. A refusal must say why. Any crash, leak or sanitizer report
 * is a bug. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "train_config.h"

static train_config c; /* 160 KB: static, not on the fuzzer's stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[2048] = "";
    train_config_default(&c);
    if (train_config_parse((const char *)data, size, "fuzz.yaml", "dir", &c, err, sizeof err) != LJ_OK) {
        if (!err[0]) abort(); /* every refusal says why */
        return 0;
    }
    if (c.n_data < 1 || c.n_data > TRAIN_MAX_DATA || !c.name[0] || !c.run_dir[0]) abort();
    for (int i = 0; i < c.n_data; i++)
        if (!c.data[i].path[0] || !(c.data[i].weight >= 0.01 && c.data[i].weight <= 100)) abort();
    if (c.num_layers < 1 || c.num_layers > LJ_MAX_LAYERS || c.embed_dim < 1 || c.nade_hidden < 1) abort();
    for (int l = 0; l < c.num_layers; l++)
        if (c.hidden[l] < 1 || c.hidden[l] > 16384) abort();
    if (!(c.dropout >= 0 && c.dropout <= 0.9) || !(c.input_dropout >= 0 && c.input_dropout <= 0.9)) abort();
    if (!(c.valid_frac >= 0 && c.valid_frac <= 0.5) || !(c.test_frac >= 0 && c.test_frac <= 0.5)) abort();
    if (!(c.lr > 0 && c.lr <= 10) || !(c.eps > 0) || c.batch < 1 || c.seq_len < 1 || c.steps < 1) abort();
    if (c.n_loss_weights < 0 || c.n_loss_weights > LJ_MAX_HEADS) abort();
    for (int k = 0; k < c.n_loss_weights; k++)
        if (!(c.loss_weight[k] >= 0 && c.loss_weight[k] <= 1000)) abort();
    if (!train_optim_name(c.optim) || !train_schedule_name(c.schedule)) abort();
    if (strcmp(c.encoding, "chars")) {
        encoding *e = NULL;
        if (enc_create(c.encoding, &c.enc_opts, &e, err, sizeof err) == LJ_OK) enc_destroy(e);
        else if (!err[0]) abort();
    }
    return 0;
}
