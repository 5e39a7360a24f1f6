/* model: parameter arena with named views, training activations, forward and
 * backward over a batch. The step API is in step.c. */
#include "model_internal.h"
#include "nade.h"
#include "sgemm.h"
#include "simd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Tensors start on 64-byte boundaries (16 floats) so SIMD kernels can load
 * them aligned; the padding between them stays zero in both arenas. */
#define LJ_ALIGN_FLOATS 16
/* Safety limits: far above any model this program trains, far below overflow. */
#define LJ_MAX_DIM (1 << 20)
#define LJ_MAX_PARAMS ((size_t)1 << 31)
#define LJ_MAX_ACTS ((size_t)1 << 33)

static size_t round_up(size_t n) {
    return (n + LJ_ALIGN_FLOATS - 1) / LJ_ALIGN_FLOATS * LJ_ALIGN_FLOATS;
}

/* Allocates n floats (at least one), zeroed, 64-byte aligned. */
static float *alloc_floats(size_t n) {
    size_t bytes = (n ? n : 1) * sizeof(float);
    bytes = (bytes + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

int lj_model_layer_input(const lj_model_config *c, int l) {
    if (l > 0)
        return c->hidden[l - 1];
    return c->input_kind == LJ_INPUT_EMBEDDING ? c->embed_dim : c->input_size;
}

static int valid_head_name(const char *s) {
    if (!s[0])
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

static int validate_config(const lj_model_config *c, char *err, size_t errlen) {
    if (c->input_kind != LJ_INPUT_EMBEDDING && c->input_kind != LJ_INPUT_ONEHOT &&
        c->input_kind != LJ_INPUT_DENSE)
        return lj_fail(err, errlen, LJ_ERR_ARG, "model config: input_kind %d is not one of "
                       "embedding (0), one-hot (1), dense (2)", (int)c->input_kind);
    if (c->input_size < 1 || c->input_size > LJ_MAX_DIM)
        return lj_fail(err, errlen, LJ_ERR_ARG, "model config: input_size %d, expected 1..%d",
                       c->input_size, LJ_MAX_DIM);
    if (c->input_kind == LJ_INPUT_EMBEDDING && (c->embed_dim < 1 || c->embed_dim > LJ_MAX_DIM))
        return lj_fail(err, errlen, LJ_ERR_ARG, "model config: embed_dim %d, expected 1..%d",
                       c->embed_dim, LJ_MAX_DIM);
    if (c->num_layers < 1 || c->num_layers > LJ_MAX_LAYERS)
        return lj_fail(err, errlen, LJ_ERR_ARG, "model config: num_layers %d, expected 1..%d",
                       c->num_layers, LJ_MAX_LAYERS);
    for (int l = 0; l < c->num_layers; l++)
        if (c->hidden[l] < 1 || c->hidden[l] > LJ_MAX_DIM / 4)
            return lj_fail(err, errlen, LJ_ERR_ARG, "model config: hidden[%d] = %d, expected "
                           "1..%d", l, c->hidden[l], LJ_MAX_DIM / 4);
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
        return lj_fail(err, errlen, LJ_ERR_ARG, "model config: dropout %g, expected [0, 1)",
                       (double)c->dropout);
    if (!(c->input_dropout >= 0.0f && c->input_dropout < 1.0f))
        return lj_fail(err, errlen, LJ_ERR_ARG, "model config: input_dropout %g, expected "
                       "[0, 1)", (double)c->input_dropout);
    if (c->input_dropout > 0 && c->input_kind != LJ_INPUT_DENSE)
        return lj_fail(err, errlen, LJ_ERR_ARG, "model config: input_dropout %g needs dense "
                       "inputs (token inputs are a table lookup: expected 0)",
                       (double)c->input_dropout);
    if (c->num_heads < 1 || c->num_heads > LJ_MAX_HEADS)
        return lj_fail(err, errlen, LJ_ERR_ARG, "model config: num_heads %d, expected 1..%d",
                       c->num_heads, LJ_MAX_HEADS);
    for (int h = 0; h < c->num_heads; h++) {
        const lj_head_config *hc = &c->heads[h];
        if (memchr(hc->name, 0, sizeof hc->name) == NULL || !valid_head_name(hc->name))
            return lj_fail(err, errlen, LJ_ERR_ARG, "model config: head %d: name must be 1..%d "
                           "characters of [A-Za-z0-9_]", h, LJ_HEAD_NAME_MAX - 1);
        for (int g = 0; g < h; g++)
            if (strcmp(c->heads[g].name, hc->name) == 0)
                return lj_fail(err, errlen, LJ_ERR_ARG, "model config: heads %d and %d are "
                               "both named \"%s\"", g, h, hc->name);
        if (hc->kind != LJ_HEAD_SOFTMAX && hc->kind != LJ_HEAD_MSE &&
            hc->kind != LJ_HEAD_BERNOULLI && hc->kind != LJ_HEAD_NADE)
            return lj_fail(err, errlen, LJ_ERR_ARG, "model config: head \"%s\": kind %d is not "
                           "softmax (0), mse (1), bernoulli (2), nade (3)", hc->name,
                           (int)hc->kind);
        if (hc->kind == LJ_HEAD_NADE && (hc->nade_hidden < 1 || hc->nade_hidden > LJ_MAX_DIM))
            return lj_fail(err, errlen, LJ_ERR_ARG, "model config: head \"%s\": nade_hidden "
                           "%d, expected 1..%d", hc->name, hc->nade_hidden, LJ_MAX_DIM);
        if (hc->kind != LJ_HEAD_NADE && hc->nade_hidden != 0)
            return lj_fail(err, errlen, LJ_ERR_ARG, "model config: head \"%s\": nade_hidden "
                           "%d on a head that is not nade (expected 0)", hc->name,
                           hc->nade_hidden);
        if (hc->size < 1 || hc->size > LJ_MAX_DIM)
            return lj_fail(err, errlen, LJ_ERR_ARG, "model config: head \"%s\": size %d, "
                           "expected 1..%d", hc->name, hc->size, LJ_MAX_DIM);
        if (!(hc->loss_weight >= 0.0f && isfinite(hc->loss_weight)))
            return lj_fail(err, errlen, LJ_ERR_ARG, "model config: head \"%s\": loss_weight "
                           "%g, expected a finite value >= 0", hc->name,
                           (double)hc->loss_weight);
        if (!(hc->pressure >= 0.0f && isfinite(hc->pressure)))
            return lj_fail(err, errlen, LJ_ERR_ARG, "model config: head \"%s\": pressure %g, "
                           "expected a finite value >= 0", hc->name, (double)hc->pressure);
    }
    return LJ_OK;
}

/* Appends a tensor view to the table; offsets become pointers once the arenas
 * exist. Returns its index. */
static int add_tensor(lj_model *m, size_t *offset, const char *name, int rows, int cols) {
    int i = m->num_tensors++;
    lj_param *p = &m->tensors[i];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->ndim = cols > 0 ? 2 : 1;
    p->shape[0] = rows;
    p->shape[1] = cols > 0 ? cols : 0;
    p->numel = (size_t)rows * (size_t)(cols > 0 ? cols : 1);
    m->offsets[i] = *offset;
    *offset += round_up(p->numel);
    m->num_params += p->numel;
    return i;
}

/* LJ_ISA=scalar|avx2|avx512 caps the vector ISA (benchmarks, tests of the
 * fallback in whole programs); unset or unknown: no cap. */
static lj_isa isa_from_env(void) {
    const char *e = getenv("LJ_ISA");
    if (!e)
        return LJ_ISA_AUTO;
    for (int i = LJ_ISA_SCALAR; i <= LJ_ISA_AVX512; i++)
        if (strcmp(e, lj_isa_name((lj_isa)i)) == 0)
            return (lj_isa)i;
    return LJ_ISA_AUTO;
}

const char *lj_isa_name(lj_isa isa) {
    switch (isa) {
    case LJ_ISA_SCALAR: return "scalar";
    case LJ_ISA_AVX2: return "avx2";
    case LJ_ISA_AVX512: return "avx512";
    default: return "auto";
    }
}

void lj_model_set_isa(lj_model *m, lj_isa cap) { m->isa = lj_isa_clamp(cap); }
lj_isa lj_model_get_isa(const lj_model *m) { return m->isa; }
void lj_model_params_changed(lj_model *m) { m->version++; }

int lj_model_create(lj_model **out, const lj_model_config *cfg, char *err, size_t errlen) {
    *out = NULL;
    int st = validate_config(cfg, err, errlen);
    if (st != LJ_OK)
        return st;
    lj_model *m = calloc(1, sizeof *m);
    if (!m)
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "model: out of memory");
    m->cfg = *cfg;
    m->pack = calloc(1, sizeof *m->pack);
    if (!m->pack) {
        free(m);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "model: out of memory");
    }
    m->isa = lj_isa_clamp(isa_from_env());
    for (int h = 0; h < LJ_MAX_HEADS; h++) m->cfg.heads[h].name[LJ_HEAD_NAME_MAX - 1] = 0;
    const lj_model_config *c = &m->cfg;
    size_t off = 0;
    char name[LJ_PARAM_NAME_MAX];
    m->embedding = -1;
    if (c->input_kind == LJ_INPUT_EMBEDDING)
        m->embedding = add_tensor(m, &off, "embedding.weight", c->input_size, c->embed_dim);
    for (int l = 0; l < c->num_layers; l++) {
        int H = c->hidden[l], in = lj_model_layer_input(c, l);
        snprintf(name, sizeof name, "lstm.weight_ih_l%d", l);
        m->w_ih[l] = add_tensor(m, &off, name, 4 * H, in);
        snprintf(name, sizeof name, "lstm.weight_hh_l%d", l);
        m->w_hh[l] = add_tensor(m, &off, name, 4 * H, H);
        snprintf(name, sizeof name, "lstm.bias_ih_l%d", l);
        m->b_ih[l] = add_tensor(m, &off, name, 4 * H, 0);
        snprintf(name, sizeof name, "lstm.bias_hh_l%d", l);
        m->b_hh[l] = add_tensor(m, &off, name, 4 * H, 0);
    }
    int top = c->hidden[c->num_layers - 1];
    for (int h = 0; h < c->num_heads; h++) {
        snprintf(name, sizeof name, "heads.%s.weight", c->heads[h].name);
        m->head_w[h] = add_tensor(m, &off, name, c->heads[h].size, top);
        snprintf(name, sizeof name, "heads.%s.bias", c->heads[h].name);
        m->head_b[h] = add_tensor(m, &off, name, c->heads[h].size, 0);
        m->head_hw[h] = m->head_hb[h] = m->head_nw[h] = m->head_nv[h] = -1;
        if (c->heads[h].kind != LJ_HEAD_NADE)
            continue;
        int D = c->heads[h].size, Hn = c->heads[h].nade_hidden;
        snprintf(name, sizeof name, "heads.%s.hidden_weight", c->heads[h].name);
        m->head_hw[h] = add_tensor(m, &off, name, Hn, top);
        snprintf(name, sizeof name, "heads.%s.hidden_bias", c->heads[h].name);
        m->head_hb[h] = add_tensor(m, &off, name, Hn, 0);
        snprintf(name, sizeof name, "heads.%s.nade_w_in", c->heads[h].name);
        m->head_nw[h] = add_tensor(m, &off, name, D, Hn);
        snprintf(name, sizeof name, "heads.%s.nade_v", c->heads[h].name);
        m->head_nv[h] = add_tensor(m, &off, name, D, Hn);
        size_t scratch = nade_scratch_len(D, Hn);
        m->nade_scratch = scratch > m->nade_scratch ? scratch : m->nade_scratch;
    }
    if (off > LJ_MAX_PARAMS) {
        size_t n = off;
        lj_model_destroy(m);
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "model: %zu parameters, limit %zu", n,
                       LJ_MAX_PARAMS);
    }
    m->arena_len = off;
    m->params = alloc_floats(off);
    m->grads = alloc_floats(off);
    if (!m->params || !m->grads) {
        lj_model_destroy(m);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "model: out of memory for %zu parameters",
                       off);
    }
    for (int i = 0; i < m->num_tensors; i++) {
        m->tensors[i].data = m->params + m->offsets[i];
        m->tensors[i].grad = m->grads + m->offsets[i];
    }
    *out = m;
    return LJ_OK;
}

void lj_model_destroy(lj_model *m) {
    if (!m)
        return;
    if (m->pack) {
        lj_step_pack_free(m->pack);
        free(m->pack);
    }
    free(m->params);
    free(m->grads);
    free(m);
}

static void fill_uniform(lj_rng *rng, float *p, size_t n, float bound) {
    for (size_t i = 0; i < n; i++) p[i] = lj_rng_uniform_range(rng, -bound, bound);
}

void lj_model_init(lj_model *m, uint64_t seed) {
    lj_rng rng;
    lj_rng_seed(&rng, seed);
    const lj_model_config *c = &m->cfg;
    m->version++;
    memset(m->params, 0, m->arena_len * sizeof(float));
    if (m->embedding >= 0) {
        lj_param *e = &m->tensors[m->embedding];
        for (size_t i = 0; i < e->numel; i++) e->data[i] = lj_rng_normal(&rng);
    }
    for (int l = 0; l < c->num_layers; l++) {
        float k = 1.0f / sqrtf((float)c->hidden[l]);
        int ids[4] = {m->w_ih[l], m->w_hh[l], m->b_ih[l], m->b_hh[l]};
        for (int j = 0; j < 4; j++) fill_uniform(&rng, m->tensors[ids[j]].data, m->tensors[ids[j]].numel, k);
    }
    float kh = 1.0f / sqrtf((float)c->hidden[c->num_layers - 1]);
    for (int h = 0; h < c->num_heads; h++) {
        fill_uniform(&rng, m->tensors[m->head_w[h]].data, m->tensors[m->head_w[h]].numel, kh);
        fill_uniform(&rng, m->tensors[m->head_b[h]].data, m->tensors[m->head_b[h]].numel, kh);
        if (c->heads[h].kind != LJ_HEAD_NADE)
            continue;
        /* the conditioning linear as every head linear; the NADE matrices
         * U(+-1/sqrt(Hn)), the range of a linear layer reading Hn units */
        float kn = 1.0f / sqrtf((float)c->heads[h].nade_hidden);
        int lin[2] = {m->head_hw[h], m->head_hb[h]}, nade[2] = {m->head_nw[h], m->head_nv[h]};
        for (int j = 0; j < 2; j++)
            fill_uniform(&rng, m->tensors[lin[j]].data, m->tensors[lin[j]].numel, kh);
        for (int j = 0; j < 2; j++)
            fill_uniform(&rng, m->tensors[nade[j]].data, m->tensors[nade[j]].numel, kn);
    }
    lj_model_zero_grad(m);
}

const lj_model_config *lj_model_get_config(const lj_model *m) { return &m->cfg; }
int lj_model_tensor_count(const lj_model *m) { return m->num_tensors; }
const lj_param *lj_model_tensor(const lj_model *m, int i) {
    return i >= 0 && i < m->num_tensors ? &m->tensors[i] : NULL;
}
const lj_param *lj_model_find(const lj_model *m, const char *name) {
    for (int i = 0; i < m->num_tensors; i++)
        if (strcmp(m->tensors[i].name, name) == 0)
            return &m->tensors[i];
    return NULL;
}
size_t lj_model_num_params(const lj_model *m) { return m->num_params; }
float *lj_model_params(lj_model *m, size_t *n) {
    m->version++; /* the caller may write through it (an optimizer does) */
    if (n)
        *n = m->arena_len;
    return m->params;
}
float *lj_model_grads(lj_model *m, size_t *n) {
    if (n)
        *n = m->arena_len;
    return m->grads;
}
void lj_model_zero_grad(lj_model *m) { memset(m->grads, 0, m->arena_len * sizeof(float)); }
void lj_model_set_naive(lj_model *m, int naive) { m->naive = naive != 0; }

/* ---- activations ------------------------------------------------------------ */

/* Activation buffers are carved from one arena in two passes: the first pass
 * (base == NULL) only counts, the second points. Gradient buffers come last,
 * contiguous, so backward zeroes them with one memset. */
typedef struct carver {
    float *base; /* arena, or NULL while counting */
    size_t used; /* floats handed out so far */
} carver;

static float *carve(carver *cv, size_t n) {
    float *p = cv->base ? cv->base + cv->used : NULL;
    cv->used += round_up(n);
    return p;
}

static void layout_acts(lj_acts *a, carver *cv) {
    const lj_model_config *c = &a->model->cfg;
    size_t TB = (size_t)a->T * a->B, B = (size_t)a->B;
    int drop = c->dropout > 0, drop_in = c->input_dropout > 0; /* drop_in: dense only */
    int tokens_in = c->input_kind != LJ_INPUT_DENSE;
    size_t G0 = 4 * (size_t)c->hidden[0];
    a->embed_out = c->input_kind == LJ_INPUT_EMBEDDING ? carve(cv, TB * c->embed_dim) : NULL;
    a->table = tokens_in ? carve(cv, ((size_t)c->input_size + 1) * G0) : NULL;
    for (int l = 0; l < c->num_layers; l++) {
        size_t H = (size_t)c->hidden[l], in = (size_t)lj_model_layer_input(c, l);
        int dropped = l > 0 ? drop : drop_in;
        a->in_mask[l] = dropped ? carve(cv, TB * in) : NULL;
        a->in_dropped[l] = dropped ? carve(cv, TB * in) : NULL;
        a->gates[l] = carve(cv, TB * 4 * H);
        a->hs[l] = carve(cv, (TB + B) * H);
        a->cs[l] = carve(cv, (TB + B) * H);
        a->tanh_c[l] = carve(cv, TB * H);
    }
    size_t top = (size_t)c->hidden[c->num_layers - 1];
    a->top_mask = drop ? carve(cv, TB * top) : NULL;
    a->top_dropped = drop ? carve(cv, TB * top) : NULL;
    for (int h = 0; h < c->num_heads; h++) {
        size_t K = (size_t)c->heads[h].size;
        a->head_out[h] = carve(cv, TB * K);
        a->head_probs[h] = c->heads[h].kind != LJ_HEAD_MSE ? carve(cv, TB * K) : NULL;
        a->head_dout[h] = carve(cv, TB * K);
        int nade = c->heads[h].kind == LJ_HEAD_NADE;
        size_t Hn = (size_t)c->heads[h].nade_hidden;
        a->cond_c[h] = nade ? carve(cv, TB * Hn) : NULL;
        a->d_cond_c[h] = nade ? carve(cv, TB * Hn) : NULL;
    }
    a->nade_scratch = a->model->nade_scratch ? carve(cv, a->model->nade_scratch) : NULL;
    for (int l = 0; l < c->num_layers; l++) a->dgates[l] = carve(cv, TB * 4 * c->hidden[l]);
    /* own sgemm buffers: the widest product (N) of any layer and the largest W_hh */
    size_t max_n = c->input_kind == LJ_INPUT_EMBEDDING ? (size_t)c->embed_dim : 1, max_pack = 0;
    for (int l = 0; l < c->num_layers; l++) {
        int H = c->hidden[l], in = lj_model_layer_input(c, l);
        max_n = (size_t)(4 * H) > max_n ? (size_t)(4 * H) : max_n;
        max_n = (size_t)in > max_n ? (size_t)in : max_n;
        size_t fw = lj_sgemm_packed_b_floats(H, 4 * H), bw = lj_sgemm_packed_b_floats(4 * H, H);
        max_pack = fw > max_pack ? fw : max_pack;
        max_pack = bw > max_pack ? bw : max_pack;
    }
    for (int h = 0; h < c->num_heads; h++) {
        size_t K = (size_t)c->heads[h].size, Hn = (size_t)c->heads[h].nade_hidden;
        max_n = K > max_n ? K : max_n;
        max_n = c->heads[h].kind == LJ_HEAD_NADE && Hn > max_n ? Hn : max_n;
    }
    a->w_pack = carve(cv, max_pack);
    a->gemm_work = carve(cv, lj_sgemm_work_floats((int)max_n));
    a->bias_sum = carve(cv, max_n);
    /* gradients of activations, zeroed together at the start of backward */
    a->grad_begin = cv->used;
    a->d_embed = c->input_kind == LJ_INPUT_EMBEDDING ? carve(cv, TB * c->embed_dim) : NULL;
    for (int l = 0; l < c->num_layers; l++) {
        size_t H = (size_t)c->hidden[l], in = (size_t)lj_model_layer_input(c, l);
        a->d_in_dropped[l] = (drop && l > 0) ? carve(cv, TB * in) : NULL;
        a->dhs[l] = carve(cv, TB * H);
        a->dh[l] = carve(cv, B * H);
        a->dc[l] = carve(cv, B * H);
    }
    a->d_top_dropped = drop ? carve(cv, TB * top) : NULL;
    a->dtable = tokens_in ? carve(cv, ((size_t)c->input_size + 1) * G0) : NULL;
}

int lj_acts_create(lj_acts **out, const lj_model *m, int B, int T, char *err, size_t errlen) {
    *out = NULL;
    if (B < 1 || T < 1)
        return lj_fail(err, errlen, LJ_ERR_ARG, "activations: batch %d x steps %d, both must "
                       "be >= 1", B, T);
    if (B > LJ_MAX_DIM || T > LJ_MAX_DIM)
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "activations: batch %d x steps %d, each "
                       "limited to %d", B, T, LJ_MAX_DIM);
    lj_acts *a = calloc(1, sizeof *a);
    if (!a)
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "activations: out of memory");
    a->model = m;
    a->B = B;
    a->T = T;
    carver cv = {NULL, 0};
    layout_acts(a, &cv);
    /* every buffer is at most (T+1)*B*4*LJ_MAX_DIM floats: the count cannot wrap */
    if (cv.used > LJ_MAX_ACTS) {
        free(a);
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "activations: %zu floats for batch %d x "
                       "steps %d, limit %zu", cv.used, B, T, LJ_MAX_ACTS);
    }
    a->arena_len = cv.used;
    a->arena = alloc_floats(cv.used);
    if (!a->arena) {
        free(a);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "activations: out of memory for %zu floats "
                       "(batch %d x steps %d)", cv.used, B, T);
    }
    cv.base = a->arena;
    cv.used = 0;
    layout_acts(a, &cv);
    *out = a;
    return LJ_OK;
}

void lj_acts_destroy(lj_acts *a) {
    if (!a)
        return;
    free(a->arena);
    free(a);
}

const float *lj_acts_head_output(const lj_acts *a, int h) { return a->head_out[h]; }
const float *lj_acts_head_probs(const lj_acts *a, int h) { return a->head_probs[h]; }
double lj_acts_head_loss(const lj_acts *a, int h) { return a->head_loss[h]; }
const float *lj_acts_layer_output(const lj_acts *a, int l) {
    return a->hs[l] + (size_t)a->B * a->model->cfg.hidden[l];
}

void lj_acts_reset_state(lj_acts *a) {
    const lj_model_config *c = &a->model->cfg;
    for (int l = 0; l < c->num_layers; l++) {
        size_t BH = (size_t)a->B * c->hidden[l];
        memset(a->hs[l], 0, BH * sizeof(float));
        memset(a->cs[l], 0, BH * sizeof(float));
    }
}

void lj_acts_carry_state(lj_acts *a) {
    const lj_model_config *c = &a->model->cfg;
    for (int l = 0; l < c->num_layers; l++) {
        size_t BH = (size_t)a->B * c->hidden[l], last = (size_t)a->T * BH;
        memmove(a->hs[l], a->hs[l] + last, BH * sizeof(float));
        memmove(a->cs[l], a->cs[l] + last, BH * sizeof(float));
    }
}

/* ---- forward / backward ------------------------------------------------------ */

/* ---- the fast layer path (not naive) ------------------------------------------- */

/* Token inputs (embedding, one-hot) reach layer 0 only through x(v) W_ih^T, so
 * the (V+1,4H) table of these rows (+ both biases; row V = biases alone, the
 * zero input) replaces the (T*B,E)x(E,4H) input sgemm by row copies: for the
 * embedding V*E*4H multiply-adds instead of T*B*E*4H, and the gradients
 * follow from the table's gradient (row sums of dgates per token). */
static void build_token_table(const lj_model *m, lj_acts *a) {
    const lj_model_config *c = &m->cfg;
    const lj_param *P = m->tensors;
    int V = c->input_size, G = 4 * c->hidden[0];
    const float *w_ih = P[m->w_ih[0]].data, *b_ih = P[m->b_ih[0]].data;
    const float *b_hh = P[m->b_hh[0]].data;
    float *bias_row = a->table + (size_t)V * G;
    for (int j = 0; j < G; j++) bias_row[j] = b_ih[j] + b_hh[j];
    if (c->input_kind == LJ_INPUT_EMBEDDING) {
        int E = c->embed_dim; /* table (V,4H) = embedding (V,E) W_ih^T (E,4H) */
        lj_sgemm(m->isa, 0, 1, V, G, E, 1.0f, P[m->embedding].data, E, w_ih, E, 0.0f, a->table,
                 G, a->gemm_work);
        for (int v = 0; v < V; v++) {
            float *row = a->table + (size_t)v * G;
            for (int j = 0; j < G; j++) row[j] += bias_row[j];
        }
    } else { /* one-hot: the table is W_ih^T */
        for (int j = 0; j < G; j++) {
            const float *w = w_ih + (size_t)j * V;
            for (int v = 0; v < V; v++) a->table[(size_t)v * G + j] = w[v] + bias_row[j];
        }
    }
}

/* The recurrence of one layer on the own sgemm: W_hh^T packed once, then per
 * step gates (B,4H) += h_{t-1} (B,H) W_hh^T and the fused cell (the same
 * arithmetic order as lstm_recurrence_forward, another summation order than
 * OpenBLAS's). */
static void recurrence_forward_fast(const lj_model *m, lj_acts *a, int l) {
    int H = m->cfg.hidden[l], G = 4 * H, B = a->B;
    lj_sgemm_pack_b(1, H, G, m->tensors[m->w_hh[l]].data, H, a->w_pack);
    for (int t = 0; t < a->T; t++) {
        float *g = a->gates[l] + (size_t)t * B * G;
        const float *h_prev = a->hs[l] + (size_t)t * B * H, *c_prev = a->cs[l] + (size_t)t * B * H;
        lj_sgemm_prepacked(m->isa, 0, B, G, H, 1.0f, h_prev, H, a->w_pack, 1.0f, g, G,
                           a->gemm_work);
        lj_cell_forward_simd(m->isa, g, c_prev, a->cs[l] + (size_t)(t + 1) * B * H,
                             a->tanh_c[l] + (size_t)t * B * H, a->hs[l] + (size_t)(t + 1) * B * H,
                             B, H);
    }
}

static void layer_forward_fast(const lj_model *m, lj_acts *a, int l, const float *x,
                               const int32_t *tokens) {
    const lj_model_config *c = &m->cfg;
    const lj_param *P = m->tensors;
    int H = c->hidden[l], G = 4 * H, in = lj_model_layer_input(c, l);
    size_t TB = (size_t)a->T * a->B;
    float *g = a->gates[l];
    if (l == 0 && c->input_kind != LJ_INPUT_DENSE) {
        build_token_table(m, a);
        for (size_t n = 0; n < TB; n++) {
            int32_t tok = tokens[n] < 0 ? c->input_size : tokens[n];
            memcpy(g + n * G, a->table + (size_t)tok * G, (size_t)G * sizeof(float));
        }
    } else { /* gates (T*B,4H) = b_ih + b_hh + x (T*B,in) W_ih^T */
        const float *b_ih = P[m->b_ih[l]].data, *b_hh = P[m->b_hh[l]].data;
        for (int j = 0; j < G; j++) a->bias_sum[j] = b_ih[j] + b_hh[j];
        for (size_t n = 0; n < TB; n++) memcpy(g + n * G, a->bias_sum, (size_t)G * sizeof(float));
        lj_sgemm(m->isa, 0, 1, (int)TB, G, in, 1.0f, x, in, P[m->w_ih[l]].data, in, 1.0f, g, G,
                 a->gemm_work);
    }
    recurrence_forward_fast(m, a, l);
}

/* Backward of the recurrence on the own sgemm: per step (from the last) the
 * vector cell backward, then dh (B,H) = dgates (B,4H) W_hh (4H,H) on W_hh
 * packed once; then dW_hh (4H,H) += dgates^T (4H,T*B) hs[0..T-1] (T*B,H) as
 * one product, and the bias gradients. */
static void recurrence_backward_fast(const lj_model *m, lj_acts *a, int l) {
    const lj_param *P = m->tensors;
    int H = m->cfg.hidden[l], G = 4 * H, B = a->B;
    size_t TB = (size_t)a->T * B;
    float *dgates = a->dgates[l], *dh = a->dh[l], *dc = a->dc[l];
    lj_sgemm_pack_b(0, G, H, P[m->w_hh[l]].data, H, a->w_pack);
    for (int t = a->T - 1; t >= 0; t--) {
        float *dg = dgates + (size_t)t * B * G;
        lj_cell_backward_simd(m->isa, dg, dc, a->dhs[l] + (size_t)t * B * H, dh,
                              a->gates[l] + (size_t)t * B * G, a->cs[l] + (size_t)t * B * H,
                              a->tanh_c[l] + (size_t)t * B * H, B, H);
        lj_sgemm_prepacked(m->isa, 0, B, H, G, 1.0f, dg, G, a->w_pack, 0.0f, dh, H, a->gemm_work);
    }
    lj_sgemm(m->isa, 1, 0, G, H, (int)TB, 1.0f, dgates, G, a->hs[l], H, 1.0f,
             P[m->w_hh[l]].grad, H, a->gemm_work);
    float *db_ih = P[m->b_ih[l]].grad, *db_hh = P[m->b_hh[l]].grad;
    for (size_t n = 0; n < TB; n++) {
        const float *d = dgates + n * G;
        for (int j = 0; j < G; j++) {
            db_ih[j] += d[j];
            db_hh[j] += d[j];
        }
    }
}

static void layer_backward_fast(const lj_model *m, lj_acts *a, int l, const float *x,
                                float *dx, const int32_t *tokens) {
    const lj_model_config *c = &m->cfg;
    const lj_param *P = m->tensors;
    int H = c->hidden[l], G = 4 * H, in = lj_model_layer_input(c, l);
    size_t TB = (size_t)a->T * a->B;
    const float *w_ih = P[m->w_ih[l]].data;
    float *dw_ih = P[m->w_ih[l]].grad, *dg = a->dgates[l];
    recurrence_backward_fast(m, a, l);
    if (l == 0 && c->input_kind != LJ_INPUT_DENSE) {
        int V = c->input_size; /* dtable rows: dgates summed per token (zeroed before) */
        for (size_t n = 0; n < TB; n++) {
            if (tokens[n] < 0)
                continue; /* the bias row: its gradient is already in db_ih, db_hh */
            float *row = a->dtable + (size_t)tokens[n] * G;
            const float *d = dg + n * G;
            for (int j = 0; j < G; j++) row[j] += d[j];
        }
        if (c->input_kind == LJ_INPUT_EMBEDDING) {
            int E = c->embed_dim;
            const lj_param *emb = &P[m->embedding];
            /* dW_ih (4H,E) += dtable^T (4H,V) emb (V,E); demb (V,E) += dtable W_ih */
            lj_sgemm(m->isa, 1, 0, G, E, V, 1.0f, a->dtable, G, emb->data, E, 1.0f, dw_ih, E,
                     a->gemm_work);
            lj_sgemm(m->isa, 0, 0, V, E, G, 1.0f, a->dtable, G, w_ih, E, 1.0f, emb->grad, E,
                     a->gemm_work);
        } else {
            for (int j = 0; j < G; j++) {
                float *dw = dw_ih + (size_t)j * V;
                for (int v = 0; v < V; v++) dw[v] += a->dtable[(size_t)v * G + j];
            }
        }
        return;
    }
    lj_sgemm(m->isa, 1, 0, G, in, (int)TB, 1.0f, dg, G, x, in, 1.0f, dw_ih, in, a->gemm_work);
    if (dx) /* dx (T*B,in) += dgates (T*B,4H) W_ih (4H,in) */
        lj_sgemm(m->isa, 0, 0, (int)TB, in, G, 1.0f, dg, G, w_ih, in, 1.0f, dx, in,
                 a->gemm_work);
}

/* The heads' linear layers (linear_forward/backward's contract, kernels.h) on
 * the own sgemm in the fast path, the kernels' gemm when naive. */
static void head_linear_forward(const lj_model *m, lj_acts *a, float *out, const float *in,
                                const float *w, const float *b, int N, int C, int OC) {
    if (!a->fast) {
        linear_forward(m->naive, out, in, w, b, N, C, OC);
        return;
    }
    for (int n = 0; n < N; n++) memcpy(out + (size_t)n * OC, b, (size_t)OC * sizeof(float));
    lj_sgemm(m->isa, 0, 1, N, OC, C, 1.0f, in, C, w, C, 1.0f, out, OC, a->gemm_work);
}

static void head_linear_backward(const lj_model *m, lj_acts *a, float *din, float *dw, float *db,
                                 const float *dout, const float *in, const float *w, int N, int C,
                                 int OC) {
    if (!a->fast) {
        linear_backward(m->naive, din, dw, db, dout, in, w, N, C, OC);
        return;
    }
    lj_sgemm(m->isa, 0, 0, N, C, OC, 1.0f, dout, OC, w, C, 1.0f, din, C, a->gemm_work);
    lj_sgemm(m->isa, 1, 0, OC, C, N, 1.0f, dout, OC, in, C, 1.0f, dw, C, a->gemm_work);
    for (int n = 0; n < N; n++) {
        const float *d = dout + (size_t)n * OC;
        for (int j = 0; j < OC; j++) db[j] += d[j];
    }
}

static void make_mask(float *mask, size_t n, float p, lj_rng *rng) {
    float keep_scale = 1.0f / (1.0f - p);
    for (size_t i = 0; i < n; i++) mask[i] = lj_rng_uniform(rng) < p ? 0.0f : keep_scale;
}

static int check_batch(const lj_model *m, const lj_acts *a, const lj_batch *b, char *err,
                       size_t errlen) {
    const lj_model_config *c = &m->cfg;
    if (a->model != m)
        return lj_fail(err, errlen, LJ_ERR_ARG, "forward: activations belong to another model");
    if (b->B != a->B || b->T != a->T)
        return lj_fail(err, errlen, LJ_ERR_ARG, "forward: batch is %d x %d steps but the "
                       "activations were allocated for %d x %d; allocate them once per shape",
                       b->B, b->T, a->B, a->T);
    size_t TB = (size_t)a->T * a->B;
    if (c->input_kind == LJ_INPUT_DENSE) {
        if (!b->features)
            return lj_fail(err, errlen, LJ_ERR_ARG, "forward: dense model needs features");
    } else {
        if (!b->tokens)
            return lj_fail(err, errlen, LJ_ERR_ARG, "forward: token model needs tokens");
        for (size_t n = 0; n < TB; n++)
            if (b->tokens[n] < -1 || b->tokens[n] >= c->input_size)
                return lj_fail(err, errlen, LJ_ERR_RANGE, "forward: token %d at step %zu, "
                               "sequence %zu: expected -1..%d", (int)b->tokens[n],
                               n / a->B, n % a->B, c->input_size - 1);
    }
    if (b->lengths)
        for (int s = 0; s < a->B; s++)
            if (b->lengths[s] < 0 || b->lengths[s] > a->T || (s > 0 && b->lengths[s] > b->lengths[s - 1]))
                return lj_fail(err, errlen, LJ_ERR_ARG, "forward: lengths[%d] = %d, expected 0..%d "
                               "and at most lengths[%d] = %d (sequences sorted longest first)",
                               s, (int)b->lengths[s], a->T, s > 0 ? s - 1 : 0,
                               s > 0 ? (int)b->lengths[s - 1] : a->T);
    for (int h = 0; h < c->num_heads; h++) {
        const int32_t *ids = b->target_ids[h];
        if (c->heads[h].kind != LJ_HEAD_SOFTMAX || !ids)
            continue;
        for (size_t n = 0; n < TB; n++)
            if (b->lengths && b->lengths[n % a->B] <= (int32_t)(n / a->B))
                continue; /* a padded step: not read */
            else if (ids[n] < -1 || ids[n] >= c->heads[h].size)
                return lj_fail(err, errlen, LJ_ERR_RANGE, "forward: head \"%s\": target %d at "
                               "step %zu, sequence %zu: expected -1..%d", c->heads[h].name,
                               (int)ids[n], n / a->B, n % a->B, c->heads[h].size - 1);
    }
    return LJ_OK;
}

/* The rows the heads score, in runs: without lengths one run of all T*B rows;
 * with them one run per step t, rows t*B .. t*B + n_t - 1 where n_t counts the
 * sequences longer than t (a prefix, lengths being non-increasing). */
static int head_runs(const lj_batch *b) { return b->lengths ? b->T : 1; }

static void head_run(const lj_batch *b, int r, size_t *first, int *rows) {
    if (!b->lengths) {
        *first = 0;
        *rows = b->T * b->B;
        return;
    }
    int n = 0;
    while (n < b->B && b->lengths[n] > r) n++;
    *first = (size_t)r * b->B;
    *rows = n;
}

/* What head h's loss is a mean over, in run r: counted targets (softmax),
 * values (MSE: rows * K) or frames (Bernoulli, NADE). */
static double head_run_count(const lj_head_config *hc, const lj_batch *b, int h, size_t first,
                             int rows) {
    if (hc->kind == LJ_HEAD_SOFTMAX) {
        int n = 0;
        for (int i = 0; i < rows; i++) n += b->target_ids[h][first + i] >= 0;
        return n;
    }
    return hc->kind == LJ_HEAD_MSE ? (double)rows * hc->size : rows;
}

/* Head h's loss over `rows` rows from row `first` (targets given), a mean over
 * those rows as each kernel defines it. */
static double head_loss_rows(const lj_model *m, lj_acts *a, const lj_batch *batch, int h,
                             size_t first, int rows) {
    const lj_head_config *hc = &m->cfg.heads[h];
    const lj_param *P = m->tensors;
    size_t K = (size_t)hc->size, o = first * K;
    switch (hc->kind) {
    case LJ_HEAD_SOFTMAX:
        return a->fast ? lj_softmax_ce_simd(m->isa, a->head_probs[h] + o, a->head_out[h] + o,
                                            batch->target_ids[h] + first, rows, (int)K, NULL)
                       : softmax_ce_forward(a->head_probs[h] + o, a->head_out[h] + o,
                                            batch->target_ids[h] + first, rows, (int)K, NULL);
    case LJ_HEAD_MSE:
        return mse_forward(a->head_out[h] + o, batch->target_values[h] + o, (size_t)rows * K,
                           hc->pressure);
    case LJ_HEAD_BERNOULLI:
        return bernoulli_forward(a->head_probs[h] + o, a->head_out[h] + o,
                                 batch->target_values[h] + o, rows, (int)K);
    case LJ_HEAD_NADE: {
        int Hn = hc->nade_hidden;
        return nade_forward(a->head_probs[h] + o, a->head_out[h] + o,
                            a->cond_c[h] + first * (size_t)Hn, batch->target_values[h] + o,
                            P[m->head_nw[h]].data, P[m->head_nv[h]].data, rows, (int)K, Hn,
                            a->nade_scratch);
    }
    }
    return 0.0;
}

int lj_model_forward(lj_model *m, lj_acts *a, const lj_batch *batch, lj_rng *dropout_rng,
                     double *loss, char *err, size_t errlen) {
    int st = check_batch(m, a, batch, err, errlen);
    if (st != LJ_OK)
        return st;
    const lj_model_config *c = &m->cfg;
    const int B = a->B, T = a->T, naive = m->naive;
    const size_t TB = (size_t)T * B;
    const lj_param *P = m->tensors;
    a->dropout_on = dropout_rng != NULL && c->dropout > 0;
    a->input_dropout_on = dropout_rng != NULL && c->input_dropout > 0;

    a->fast = !naive;
    const float *x = NULL; /* layer input (T,B,in), NULL = one-hot tokens */
    if (c->input_kind == LJ_INPUT_EMBEDDING && naive) {
        embed_forward(a->embed_out, batch->tokens, P[m->embedding].data, (int)TB, c->embed_dim);
        x = a->embed_out;
    } else if (c->input_kind == LJ_INPUT_DENSE) {
        x = batch->features;
        if (a->input_dropout_on) { /* validate_config: only dense inputs drop */
            size_t n = TB * (size_t)c->input_size;
            make_mask(a->in_mask[0], n, c->input_dropout, dropout_rng);
            dropout_forward(a->in_dropped[0], x, a->in_mask[0], n);
            x = a->in_dropped[0];
        }
    }
    for (int l = 0; l < c->num_layers; l++) {
        int H = c->hidden[l], in = lj_model_layer_input(c, l);
        if (l > 0) {
            x = lj_acts_layer_output(a, l - 1);
            if (a->dropout_on) {
                make_mask(a->in_mask[l], TB * in, c->dropout, dropout_rng);
                dropout_forward(a->in_dropped[l], x, a->in_mask[l], TB * in);
                x = a->in_dropped[l];
            }
        }
        if (naive)
            lstm_forward(naive, a->gates[l], a->hs[l], a->cs[l], a->tanh_c[l], x,
                         l == 0 ? batch->tokens : NULL, P[m->w_ih[l]].data,
                         P[m->w_hh[l]].data, P[m->b_ih[l]].data, P[m->b_hh[l]].data, T, B, in,
                         H);
        else
            layer_forward_fast(m, a, l, x, batch->tokens);
    }
    int L = c->num_layers, top = c->hidden[L - 1];
    const float *feat = lj_acts_layer_output(a, L - 1);
    if (a->dropout_on) {
        make_mask(a->top_mask, TB * top, c->dropout, dropout_rng);
        dropout_forward(a->top_dropped, feat, a->top_mask, TB * top);
        feat = a->top_dropped;
    }
    double total = 0;
    for (int h = 0; h < c->num_heads; h++) {
        const lj_head_config *hc = &c->heads[h];
        int K = hc->size;
        head_linear_forward(m, a, a->head_out[h], feat, P[m->head_w[h]].data, P[m->head_b[h]].data,
                       (int)TB, top, K);
        a->head_loss[h] = 0;
        if (hc->kind == LJ_HEAD_NADE) /* head_out is b_t; c_t from the second linear */
            head_linear_forward(m, a, a->cond_c[h], feat, P[m->head_hw[h]].data,
                                P[m->head_hb[h]].data, (int)TB, top, hc->nade_hidden);
        int has_targets = hc->kind == LJ_HEAD_SOFTMAX ? batch->target_ids[h] != NULL
                                                      : batch->target_values[h] != NULL;
        if (!has_targets) {
            /* Bernoulli: the sigmoids; NADE: the joint has no closed-form
             * marginals, no probs (sample instead) */
            if (hc->kind == LJ_HEAD_BERNOULLI)
                for (size_t i = 0; i < TB * K; i++)
                    a->head_probs[h][i] = 1.0f / (1.0f + expf(-a->head_out[h][i]));
        } else if (!batch->lengths) {
            a->head_loss[h] = head_loss_rows(m, a, batch, h, 0, (int)TB);
        } else { /* a mean over the real steps: each run's mean weighted by its count */
            double sum = 0, count = 0;
            for (int r = 0; r < head_runs(batch); r++) {
                size_t first;
                int rows;
                head_run(batch, r, &first, &rows);
                double n = rows ? head_run_count(hc, batch, h, first, rows) : 0;
                if (n > 0)
                    sum += head_loss_rows(m, a, batch, h, first, rows) * n;
                count += n;
            }
            a->head_loss[h] = count > 0 ? sum / count : 0.0;
        }
        total += (double)hc->loss_weight * a->head_loss[h];
    }
    a->forward_done = 1;
    if (loss)
        *loss = total;
    return LJ_OK;
}

int lj_model_backward(lj_model *m, lj_acts *a, const lj_batch *batch, char *err,
                      size_t errlen) {
    if (!a->forward_done || a->model != m)
        return lj_fail(err, errlen, LJ_ERR_ARG, "backward: no forward pass of this model on "
                       "these activations");
    const lj_model_config *c = &m->cfg;
    const int B = a->B, T = a->T, naive = m->naive, L = c->num_layers;
    const size_t TB = (size_t)T * B;
    const lj_param *P = m->tensors;
    memset(a->arena + a->grad_begin, 0, (a->arena_len - a->grad_begin) * sizeof(float));

    int top = c->hidden[L - 1];
    /* heads -> gradient of the (dropped) top features */
    const float *feat = a->dropout_on ? a->top_dropped : lj_acts_layer_output(a, L - 1);
    float *d_feat = a->dropout_on ? a->d_top_dropped : a->dhs[L - 1];
    for (int h = 0; h < c->num_heads; h++) {
        const lj_head_config *hc = &c->heads[h];
        int K = hc->size, Hn = hc->nade_hidden;
        float w = hc->loss_weight;
        if (hc->kind == LJ_HEAD_SOFTMAX ? !batch->target_ids[h] : !batch->target_values[h])
            continue;
        /* The loss is a mean over every run's count (forward); each kernel's
         * backward divides by its own run's count, so run r gets the scale
         * w * count_r / count. Padded rows keep a zero gradient. */
        double count = 0;
        if (batch->lengths) {
            memset(a->head_dout[h], 0, TB * (size_t)K * sizeof(float));
            if (hc->kind == LJ_HEAD_NADE)
                memset(a->d_cond_c[h], 0, TB * (size_t)Hn * sizeof(float));
            for (int r = 0; r < head_runs(batch); r++) {
                size_t first;
                int rows;
                head_run(batch, r, &first, &rows);
                count += rows ? head_run_count(hc, batch, h, first, rows) : 0;
            }
        }
        for (int r = 0; r < head_runs(batch); r++) {
            size_t first;
            int rows;
            head_run(batch, r, &first, &rows);
            double n = batch->lengths && rows ? head_run_count(hc, batch, h, first, rows) : 0;
            if (batch->lengths && !(n > 0))
                continue;
            float scale = batch->lengths ? (float)(w * n / count) : w;
            size_t o = first * (size_t)K;
            switch (hc->kind) {
            case LJ_HEAD_SOFTMAX:
                softmax_ce_backward(a->head_dout[h] + o, a->head_probs[h] + o,
                                    batch->target_ids[h] + first, rows, K, scale);
                break;
            case LJ_HEAD_MSE:
                mse_backward(a->head_dout[h] + o, a->head_out[h] + o, batch->target_values[h] + o,
                             (size_t)rows * K, hc->pressure, scale);
                break;
            case LJ_HEAD_BERNOULLI:
                bernoulli_backward(a->head_dout[h] + o, a->head_out[h] + o,
                                   batch->target_values[h] + o, rows, K, scale);
                break;
            case LJ_HEAD_NADE:
                nade_backward(a->head_dout[h] + o, a->d_cond_c[h] + first * (size_t)Hn,
                              P[m->head_nw[h]].grad, P[m->head_nv[h]].grad, a->head_probs[h] + o,
                              a->head_out[h] + o, a->cond_c[h] + first * (size_t)Hn,
                              batch->target_values[h] + o, P[m->head_nw[h]].data,
                              P[m->head_nv[h]].data, rows, K, Hn, scale, a->nade_scratch);
                break;
            }
        }
        if (hc->kind == LJ_HEAD_NADE) /* c_t's linear here; b_t's is the common one below */
            head_linear_backward(m, a, d_feat, P[m->head_hw[h]].grad, P[m->head_hb[h]].grad,
                                 a->d_cond_c[h], feat, P[m->head_hw[h]].data, (int)TB, top, Hn);
        head_linear_backward(m, a, d_feat, P[m->head_w[h]].grad, P[m->head_b[h]].grad,
                        a->head_dout[h], feat, P[m->head_w[h]].data, (int)TB, top, K);
    }
    if (a->dropout_on)
        dropout_backward(a->dhs[L - 1], a->d_top_dropped, a->top_mask, TB * top);

    for (int l = L - 1; l >= 0; l--) {
        int H = c->hidden[l], in = lj_model_layer_input(c, l);
        const float *x;
        float *dx;
        if (l > 0) {
            x = a->dropout_on ? a->in_dropped[l] : lj_acts_layer_output(a, l - 1);
            dx = a->dropout_on ? a->d_in_dropped[l] : a->dhs[l - 1];
        } else if (c->input_kind == LJ_INPUT_EMBEDDING) {
            x = a->embed_out;
            dx = a->d_embed;
        } else { /* dense or one-hot: no gradient for the input itself */
            x = c->input_kind != LJ_INPUT_DENSE ? NULL
                : a->input_dropout_on            ? a->in_dropped[0]
                                                 : batch->features;
            dx = NULL;
        }
        if (a->fast)
            layer_backward_fast(m, a, l, x, dx, batch->tokens);
        else
            lstm_backward(naive, dx, P[m->w_ih[l]].grad, P[m->w_hh[l]].grad,
                          P[m->b_ih[l]].grad, P[m->b_hh[l]].grad, a->dgates[l], a->dh[l],
                          a->dc[l], a->dhs[l], a->gates[l], a->hs[l], a->cs[l], a->tanh_c[l],
                          x, l == 0 ? batch->tokens : NULL, P[m->w_ih[l]].data,
                          P[m->w_hh[l]].data, T, B, in, H);
        if (l > 0 && a->dropout_on)
            dropout_backward(a->dhs[l - 1], a->d_in_dropped[l], a->in_mask[l], TB * in);
    }
    if (c->input_kind == LJ_INPUT_EMBEDDING && !a->fast)
        embed_backward(P[m->embedding].grad, a->d_embed, batch->tokens, (int)TB, c->embed_dim);
    m->version++; /* an optimizer step follows: a step pack made before is stale */
    return LJ_OK;
}
