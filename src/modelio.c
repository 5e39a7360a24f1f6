#include "modelio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"

static const char *input_names[] = {"embedding", "onehot", "dense"};
static const char *head_names[] = {"softmax", "mse", "bernoulli", "nade"};

int modelio_config_to_text(const lj_model_config *c, char *buf, size_t buflen) {
    size_t at = 0;
#define PUT(...)                                                                  \
    do {                                                                          \
        int n_ = snprintf(buf + at, at < buflen ? buflen - at : 0, __VA_ARGS__); \
        if (n_ < 0) return LJ_ERR_ARG;                                            \
        at += (size_t)n_;                                                         \
    } while (0)
    if ((int)c->input_kind < 0 || c->input_kind > LJ_INPUT_DENSE) return LJ_ERR_ARG;
    PUT("input %s %d %d\n", input_names[c->input_kind], c->input_size, c->embed_dim);
    PUT("layers");
    for (int l = 0; l < c->num_layers; l++) PUT(" %d", c->hidden[l]);
    PUT("\ndropout %.9g\n", (double)c->dropout);
    /* only when set, so files of models without it stay as they were */
    if (c->input_dropout > 0) PUT("input_dropout %.9g\n", (double)c->input_dropout);
    for (int h = 0; h < c->num_heads; h++) {
        const lj_head_config *hc = &c->heads[h];
        if ((int)hc->kind < 0 || hc->kind > LJ_HEAD_NADE) return LJ_ERR_ARG;
        PUT("head %s %s %d %.9g %.9g", head_names[hc->kind], hc->name, hc->size,
            (double)hc->loss_weight, (double)hc->pressure);
        if (hc->kind == LJ_HEAD_NADE) PUT(" %d", hc->nade_hidden); /* the NADE's width Hn */
        PUT("\n");
    }
#undef PUT
    return at < buflen ? LJ_OK : LJ_ERR_LIMIT;
}

static int find_name(const char *s, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (!strcmp(s, names[i])) return i;
    return -1;
}

int modelio_config_from_text(const char *text, size_t len, const char *what,
                             lj_model_config *cfg, char *err, size_t errlen) {
    memset(cfg, 0, sizeof *cfg);
    char line[256];
    size_t at = 0;
    int line_no = 0, have_input = 0, have_layers = 0;
    while (at < len) {
        size_t e = at;
        while (e < len && text[e] != '\n') e++;
        line_no++;
        if (e - at >= sizeof line)
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: model.config line %d: longer than %zu bytes", what, line_no,
                           sizeof line - 1);
        memcpy(line, text + at, e - at);
        line[e - at] = 0;
        if (memchr(line, 0, e - at))
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: model.config line %d: contains a NUL byte", what, line_no);
        at = e + 1;
        char key[16], a[32], b[32];
        int n = 0;
        if (line[0] == 0) continue;
        if (sscanf(line, "%15s%n", key, &n) != 1) continue;
        const char *rest = line + n;
        if (!strcmp(key, "input")) {
            int size, embed, used = 0;
            if (sscanf(rest, " %31s %d %d %n", a, &size, &embed, &used) != 3 || rest[used] ||
                find_name(a, input_names, 3) < 0)
                return lj_fail(err, errlen, LJ_ERR_PARSE,
                               "%s: model.config line %d: expected 'input embedding|onehot|dense SIZE EMBED', found '%s'",
                               what, line_no, line);
            cfg->input_kind = (lj_input_kind)find_name(a, input_names, 3);
            cfg->input_size = size;
            cfg->embed_dim = embed;
            have_input = 1;
        } else if (!strcmp(key, "layers")) {
            int used = 0, w;
            cfg->num_layers = 0;
            while (sscanf(rest, " %d%n", &w, &used) == 1) {
                if (cfg->num_layers >= LJ_MAX_LAYERS)
                    return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: model.config line %d: more than %d layers", what,
                                   line_no, LJ_MAX_LAYERS);
                cfg->hidden[cfg->num_layers++] = w;
                rest += used;
            }
            while (*rest == ' ') rest++;
            if (*rest || cfg->num_layers == 0)
                return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: model.config line %d: expected 'layers H1 [H2..]', found '%s'",
                               what, line_no, line);
            have_layers = 1;
        } else if (!strcmp(key, "dropout")) {
            float p;
            int used = 0;
            if (sscanf(rest, " %f %n", &p, &used) != 1 || rest[used])
                return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: model.config line %d: expected 'dropout P', found '%s'",
                               what, line_no, line);
            cfg->dropout = p;
        } else if (!strcmp(key, "input_dropout")) {
            float p;
            int used = 0;
            if (sscanf(rest, " %f %n", &p, &used) != 1 || rest[used])
                return lj_fail(err, errlen, LJ_ERR_PARSE,
                               "%s: model.config line %d: expected 'input_dropout P', found '%s'", what, line_no,
                               line);
            cfg->input_dropout = p;
        } else if (!strcmp(key, "head")) {
            int size, used = 0, hn = 0, used_hn = 0;
            float w, pr;
            if (cfg->num_heads >= LJ_MAX_HEADS)
                return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: model.config line %d: more than %d heads", what, line_no,
                               LJ_MAX_HEADS);
            int ok = sscanf(rest, " %31s %31s %d %f %f %n", a, b, &size, &w, &pr, &used) == 5 &&
                     find_name(a, head_names, 4) >= 0 && strlen(b) < LJ_HEAD_NAME_MAX;
            /* a nade head has one more field, its hidden width Hn */
            if (ok && find_name(a, head_names, 4) == LJ_HEAD_NADE)
                ok = sscanf(rest + used, "%d %n", &hn, &used_hn) == 1 && !rest[used + used_hn];
            else if (ok)
                ok = !rest[used];
            if (!ok)
                return lj_fail(err, errlen, LJ_ERR_PARSE,
                               "%s: model.config line %d: expected 'head softmax|mse|bernoulli NAME SIZE WEIGHT PRESSURE' "
                               "or 'head nade NAME SIZE WEIGHT PRESSURE HIDDEN', found '%s'",
                               what, line_no, line);
            lj_head_config *h = &cfg->heads[cfg->num_heads++];
            h->kind = (lj_head_kind)find_name(a, head_names, 4);
            h->nade_hidden = hn;
            memcpy(h->name, b, strlen(b) + 1); /* fits: checked above */
            h->size = size;
            h->loss_weight = w;
            h->pressure = pr;
        } else {
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: model.config line %d: unknown key '%s'", what, line_no, key);
        }
    }
    if (!have_input || !have_layers || cfg->num_heads == 0)
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: model.config: expected input, layers and at least one head",
                       what);
    return LJ_OK;
}

int modelio_add_model(mf_writer *w, const lj_model *m, const char *encoding, const vocab *v,
                      int bf16) {
    char text[2048];
    int rc = modelio_config_to_text(lj_model_get_config(m), text, sizeof text);
    if (rc) return rc;
    if ((rc = mf_add_meta(w, "format", "lstmjam-model", 13))) return rc;
    if ((rc = mf_add_meta(w, "model.config", text, strlen(text)))) return rc;
    if (encoding && (rc = mf_add_meta(w, "encoding", encoding, strlen(encoding)))) return rc;
    if (v) {
        uint8_t *blob;
        size_t len;
        if ((rc = vocab_save(v, &blob, &len))) return rc;
        rc = mf_add_meta(w, "vocab", blob, len);
        free(blob);
        if (rc) return rc;
    }
    for (int i = 0; i < lj_model_tensor_count(m); i++) {
        const lj_param *p = lj_model_tensor(m, i);
        uint32_t dims[2] = {(uint32_t)p->shape[0], p->ndim > 1 ? (uint32_t)p->shape[1] : 1};
        rc = bf16 ? mf_add_tensor_bf16(w, p->name, p->ndim, dims, p->data)
                  : mf_add_tensor(w, p->name, MF_F32, p->ndim, dims, p->data);
        if (rc) return rc;
    }
    return LJ_OK;
}

int modelio_read_model(const mf_file *f, const char *what, lj_model **out, char *encoding,
                       vocab **v, char *err, size_t errlen) {
    *out = NULL;
    if (v) *v = NULL;
    size_t len;
    const char *fmt = mf_meta(f, "format", &len);
    if (!fmt || len != 13 || memcmp(fmt, "lstmjam-model", 13))
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: not an lstmjam model (metadata 'format' missing or wrong)", what);
    const char *text = mf_meta(f, "model.config", &len);
    if (!text) return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: metadata 'model.config' is missing", what);
    lj_model_config cfg;
    int rc = modelio_config_from_text(text, len, what, &cfg, err, errlen);
    if (rc) return rc;
    if (encoding) {
        const char *enc = mf_meta(f, "encoding", &len);
        if (!enc) len = 0;
        if (len >= MODELIO_ENCODING_MAX)
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: encoding name longer than %d bytes", what, MODELIO_ENCODING_MAX - 1);
        memcpy(encoding, enc ? enc : "", len);
        encoding[len] = 0;
    }
    lj_model *m;
    char sub[512];
    if ((rc = lj_model_create(&m, &cfg, sub, sizeof sub)))
        return lj_fail(err, errlen, rc == LJ_ERR_NOMEM ? rc : LJ_ERR_PARSE, "%s: model.config: %s", what, sub);
    for (int i = 0; i < lj_model_tensor_count(m); i++) {
        const lj_param *p = lj_model_tensor(m, i);
        char shape[48];
        if (p->ndim > 1) snprintf(shape, sizeof shape, "%d x %d", p->shape[0], p->shape[1]);
        else snprintf(shape, sizeof shape, "%d", p->shape[0]);
        if ((rc = mf_get_f32(f, p->name, p->data, p->numel, shape, sub, sizeof sub))) {
            lj_model_destroy(m);
            return lj_fail(err, errlen, rc, "%s: %s", what, sub);
        }
    }
    if (v) {
        const uint8_t *blob = mf_meta(f, "vocab", &len);
        if (blob && (rc = vocab_load(blob, len, what, v, err, errlen))) {
            lj_model_destroy(m);
            return rc;
        }
        const lj_model_config *c = lj_model_get_config(m);
        if (*v && c->input_kind != LJ_INPUT_DENSE && (int)vocab_size(*v) != c->input_size) {
            rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s: vocabulary has %zu tokens but the model's input has %d", what,
                         vocab_size(*v), c->input_size);
            vocab_destroy(*v);
            *v = NULL;
            lj_model_destroy(m);
            return rc;
        }
    }
    *out = m;
    return LJ_OK;
}

int modelio_add_encoding_options(mf_writer *w, const char *options) {
    if (!options || !options[0]) return LJ_OK;
    return mf_add_meta(w, "encoding.options", options, strlen(options));
}

int modelio_read_encoding_options(const mf_file *f, const char *what, char *options, size_t optlen,
                                  char *err, size_t errlen) {
    size_t len;
    const char *text = mf_meta(f, "encoding.options", &len);
    if (!text) len = 0;
    if (len >= optlen || (text && memchr(text, 0, len)))
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: metadata 'encoding.options': %s", what,
                       len >= optlen ? "longer than the buffer" : "contains a NUL byte");
    if (len) memcpy(options, text, len);
    options[len] = 0;
    return LJ_OK;
}

int modelio_save(const char *path, const lj_model *m, const char *encoding, const vocab *v,
                 int bf16, char *err, size_t errlen) {
    return modelio_save_encoded(path, m, encoding, NULL, v, bf16, err, errlen);
}

int modelio_save_encoded(const char *path, const lj_model *m, const char *encoding,
                         const char *options, const vocab *v, int bf16, char *err, size_t errlen) {
    mf_writer *w = mf_writer_create();
    if (!w) return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", path);
    int rc = modelio_add_model(w, m, encoding, v, bf16);
    if (!rc) rc = modelio_add_encoding_options(w, options);
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (rc) rc = lj_fail(err, errlen, rc, "%s: cannot serialise the model: %s", path, lj_strerror(rc));
    else rc = mf_writer_finish(w, &bytes, &len, err, errlen);
    mf_writer_destroy(w);
    if (!rc) rc = lj_file_write_atomic(path, bytes, len, err, errlen);
    free(bytes);
    return rc;
}

int modelio_load(const char *path, lj_model **m, char *encoding, vocab **v, char *err,
                 size_t errlen) {
    return modelio_load_encoded(path, m, encoding, NULL, 0, v, err, errlen);
}

int modelio_load_encoded(const char *path, lj_model **m, char *encoding, char *options,
                         size_t optlen, vocab **v, char *err, size_t errlen) {
    uint8_t *bytes;
    size_t len;
    *m = NULL;
    struct stat st; /* lj_file_read would say "expected a file": say which */
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: is a folder (expected a model file)", path);
    int rc = lj_file_read(path, &bytes, &len, err, errlen);
    if (rc) return rc;
    mf_file *f;
    if ((rc = mf_read_mem(bytes, len, path, &f, err, errlen)) == LJ_OK) {
        rc = modelio_read_model(f, path, m, encoding, v, err, errlen);
        if (!rc && options && (rc = modelio_read_encoding_options(f, path, options, optlen, err, errlen))) {
            lj_model_destroy(*m);
            *m = NULL;
            if (v) {
                vocab_destroy(*v);
                *v = NULL;
            }
        }
        mf_close(f);
    }
    free(bytes);
    return rc;
}
