/* step: the real-time step API. One time step of the whole model for a batch
 * of 1 (playing) or a few rows (beam search), on state allocated up front. */
#include "model_internal.h"
#include "nade.h"
#include "simd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- packed step weights ----------------------------------------------------------- */

static size_t round_up16(size_t n) { return (n + LJ_PANEL - 1) / LJ_PANEL * LJ_PANEL; }

/* Offset of gate row j = q*H + u in the gate-blocked order. */
static size_t blocked(int j, int H) {
    int q = j / H, u = j % H;
    return (size_t)(u / LJ_PANEL) * 4 * LJ_PANEL + (size_t)q * LJ_PANEL + (size_t)(u % LJ_PANEL);
}

/* Stores element (row r of panel p, column k) of a panel matrix over K columns. */
static void put(void *panels, int bf16, int K, size_t p, int r, int k, float v) {
    size_t o = lj_panel_index(bf16, K, p, r, k);
    if (bf16)
        ((uint16_t *)panels)[o] = lj_bf16_from_f32(v);
    else
        ((float *)panels)[o] = v;
}

void lj_step_pack_free(lj_step_pack *p) {
    free(p->mem);
    memset(p, 0, sizeof *p);
}

int lj_step_pack_build(const lj_model *m, lj_step_precision precision) {
    const lj_model_config *c = &m->cfg;
    const lj_param *P = m->tensors;
    lj_step_pack *pk = m->pack;
    int bf16 = precision == LJ_STEP_BF16, tokens_in = c->input_kind != LJ_INPUT_DENSE;
    int top = c->hidden[c->num_layers - 1];
    lj_step_pack_free(pk);
    /* count: panels (64-byte aligned each block), biases, table, head panels */
    size_t bytes = 0, off_w[LJ_MAX_LAYERS], off_b[LJ_MAX_LAYERS], off_t = 0,
           off_h[LJ_MAX_HEADS];
    int K[LJ_MAX_LAYERS];
    for (int l = 0; l < c->num_layers; l++) {
        size_t Hp = round_up16((size_t)c->hidden[l]);
        int in = lj_model_layer_input(c, l);
        K[l] = (l == 0 && tokens_in) ? c->hidden[l] : in + c->hidden[l];
        off_w[l] = bytes;
        bytes += lj_panel_bytes(bf16, K[l], (int)(4 * Hp / LJ_PANEL));
        off_b[l] = bytes;
        bytes += 4 * Hp * sizeof(float);
    }
    if (tokens_in) {
        off_t = bytes;
        bytes += (size_t)c->input_size * 4 * round_up16((size_t)c->hidden[0]) * sizeof(float);
    }
    for (int h = 0; h < c->num_heads; h++) {
        off_h[h] = bytes;
        bytes += lj_panel_bytes(bf16, top, (int)(round_up16((size_t)c->heads[h].size) / LJ_PANEL));
    }
    unsigned char *mem = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!mem)
        return LJ_ERR_NOMEM;
    memset(mem, 0, bytes); /* padding rows stay zero */
    for (int l = 0; l < c->num_layers; l++) {
        int H = c->hidden[l], in = lj_model_layer_input(c, l), G = 4 * H;
        const float *w_ih = P[m->w_ih[l]].data, *w_hh = P[m->w_hh[l]].data;
        const float *b_ih = P[m->b_ih[l]].data, *b_hh = P[m->b_hh[l]].data;
        void *w = mem + off_w[l];
        float *bias = (float *)(void *)(mem + off_b[l]);
        int skip_in = l == 0 && tokens_in;
        for (int j = 0; j < G; j++) {
            size_t pos = blocked(j, H), p = pos / LJ_PANEL;
            int r = (int)(pos % LJ_PANEL), k = 0;
            if (!skip_in)
                for (int i = 0; i < in; i++) put(w, bf16, K[l], p, r, k++, w_ih[(size_t)j * in + i]);
            for (int i = 0; i < H; i++) put(w, bf16, K[l], p, r, k++, w_hh[(size_t)j * H + i]);
            bias[pos] = b_ih[j] + b_hh[j];
        }
        pk->w[l] = w;
        pk->K[l] = K[l];
        pk->bias[l] = bias;
    }
    pk->table = NULL;
    if (tokens_in) {
        /* table row v = W_ih x(v) in float32 (one row is read per step) */
        int V = c->input_size, H = c->hidden[0], G = 4 * H;
        size_t Gp = 4 * round_up16((size_t)H);
        float *t = (float *)(void *)(mem + off_t);
        const float *w_ih = P[m->w_ih[0]].data;
        for (int v = 0; v < V; v++)
            for (int j = 0; j < G; j++) {
                float s = 0.0f;
                if (c->input_kind == LJ_INPUT_ONEHOT) {
                    s = w_ih[(size_t)j * V + v];
                } else {
                    int E = c->embed_dim;
                    const float *e = P[m->embedding].data + (size_t)v * E, *w = w_ih + (size_t)j * E;
                    for (int i = 0; i < E; i++) s += e[i] * w[i];
                }
                t[(size_t)v * Gp + blocked(j, H)] = s;
            }
        pk->table = t;
    }
    for (int h = 0; h < c->num_heads; h++) {
        const float *w = P[m->head_w[h]].data;
        void *dst = mem + off_h[h];
        for (int k = 0; k < c->heads[h].size; k++)
            for (int i = 0; i < top; i++)
                put(dst, bf16, top, (size_t)k / LJ_PANEL, k % LJ_PANEL, i, w[(size_t)k * top + i]);
        pk->head_w[h] = dst;
    }
    pk->mem = mem;
    pk->bytes = bytes;
    pk->step_bytes = bytes - (tokens_in ? (size_t)(c->input_size - 1) * 4 *
                                              round_up16((size_t)c->hidden[0]) * sizeof(float)
                                        : 0);
    pk->precision = precision;
    pk->version = m->version;
    pk->valid = 1;
    return LJ_OK;
}

int lj_model_prepare_step(lj_model *m, lj_step_precision precision, char *err,
                          size_t errlen) {
    if (precision != LJ_STEP_F32 && precision != LJ_STEP_BF16)
        return lj_fail(err, errlen, LJ_ERR_ARG, "prepare step: precision %d is not f32 (0) or "
                       "bf16 (1)", (int)precision);
    if (lj_step_pack_build(m, precision) != LJ_OK)
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "prepare step: out of memory for the packed "
                       "weights");
    return LJ_OK;
}

static int pack_usable(const lj_model *m, const lstm_state *s);

/* All buffers are carved from `arena`; shapes with S = batch rows. */
struct lstm_state {
    const lj_model *model;             /* the model it was sized for */
    int batch;                         /* S rows */
    float *arena;                      /* one allocation */
    size_t recurrent_len;              /* floats of h and c at the arena start */
    float *h[LJ_MAX_LAYERS];           /* (S,H) hidden state */
    float *c[LJ_MAX_LAYERS];           /* (S,H) cell state */
    float *gates[LJ_MAX_LAYERS];       /* (S,4H) scratch */
    float *x;                          /* (S,E) embedding rows, embedding input */
    float *head_out[LJ_MAX_HEADS];     /* (S,K) outputs of the last step */
    float *xcat;                       /* (in+H) packed path: [x | h_prev] of a layer */
    float *pgates;                     /* (4Hp) packed path: gate-blocked gates */
    float *phead;                      /* (Kp) packed path: head outputs, padded */
    float *cond_c[LJ_MAX_HEADS];       /* NADE heads: (S,Hn) hidden biases c_t, else NULL */
    float *nade_scratch;               /* model's nade_scratch floats, or NULL */
};

static int pack_usable(const lj_model *m, const lstm_state *s) {
    return s->batch == 1 && !m->naive && m->pack->valid && m->pack->version == m->version;
}

const char *lstm_step_path(const lj_model *m, const lstm_state *s) {
    static const char *const names[2][3] = {
        {"packed-f32-scalar", "packed-f32-avx2", "packed-f32-avx512"},
        {"packed-bf16-scalar", "packed-bf16-avx2", "packed-bf16-avx512"}};
    if (!pack_usable(m, s))
        return "unpacked";
    return names[m->pack->precision == LJ_STEP_BF16][m->isa < 0 ? 0 : m->isa];
}

size_t lstm_step_weight_bytes(const lj_model *m) {
    return m->pack->valid && m->pack->version == m->version ? m->pack->step_bytes : 0;
}

int lstm_state_create(lstm_state **out, const lj_model *m, int batch, char *err,
                      size_t errlen) {
    *out = NULL;
    if (batch < 1 || batch > 4096)
        return lj_fail(err, errlen, LJ_ERR_ARG, "step state: batch %d, expected 1..4096", batch);
    const lj_model_config *c = &m->cfg;
    size_t S = (size_t)batch, n = 0;
    for (int l = 0; l < c->num_layers; l++) n += 2 * S * c->hidden[l];
    size_t recurrent = n;
    for (int l = 0; l < c->num_layers; l++) n += 4 * S * c->hidden[l];
    if (c->input_kind == LJ_INPUT_EMBEDDING)
        n += S * c->embed_dim;
    for (int h = 0; h < c->num_heads; h++) n += S * c->heads[h].size;
    size_t xcat = 0, pgates = 0, phead = 0;
    for (int l = 0; l < c->num_layers; l++) {
        size_t k = (size_t)lj_model_layer_input(c, l) + c->hidden[l];
        xcat = k > xcat ? k : xcat;
        size_t g = 4 * round_up16((size_t)c->hidden[l]);
        pgates = g > pgates ? g : pgates;
    }
    for (int h = 0; h < c->num_heads; h++) {
        size_t k = round_up16((size_t)c->heads[h].size);
        phead = k > phead ? k : phead;
    }
    n += xcat + pgates + phead;
    for (int h = 0; h < c->num_heads; h++)
        if (c->heads[h].kind == LJ_HEAD_NADE)
            n += S * c->heads[h].nade_hidden;
    n += m->nade_scratch;
    if (!m->pack->valid || m->pack->version != m->version) {
        /* pack (again) on this init-thread call; failure keeps the unpacked path */
        lj_step_precision prec = m->pack->valid ? m->pack->precision : LJ_STEP_F32;
        if (lj_step_pack_build(m, prec) != LJ_OK)
            return lj_fail(err, errlen, LJ_ERR_NOMEM, "step state: out of memory for the "
                           "packed weights");
    }
    lstm_state *s = calloc(1, sizeof *s);
    float *arena = calloc(n, sizeof(float));
    if (!s || !arena) {
        free(s);
        free(arena);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "step state: out of memory");
    }
    s->model = m;
    s->batch = batch;
    s->arena = arena;
    s->recurrent_len = recurrent;
    float *p = arena;
    for (int l = 0; l < c->num_layers; l++) {
        s->h[l] = p;
        p += S * c->hidden[l];
        s->c[l] = p;
        p += S * c->hidden[l];
    }
    for (int l = 0; l < c->num_layers; l++) {
        s->gates[l] = p;
        p += 4 * S * c->hidden[l];
    }
    if (c->input_kind == LJ_INPUT_EMBEDDING) {
        s->x = p;
        p += S * c->embed_dim;
    }
    for (int h = 0; h < c->num_heads; h++) {
        s->head_out[h] = p;
        p += S * c->heads[h].size;
    }
    s->xcat = p;
    p += xcat;
    s->pgates = p;
    p += pgates;
    s->phead = p;
    p += phead;
    for (int h = 0; h < c->num_heads; h++) {
        if (c->heads[h].kind != LJ_HEAD_NADE)
            continue;
        s->cond_c[h] = p;
        p += S * c->heads[h].nade_hidden;
    }
    s->nade_scratch = m->nade_scratch ? p : NULL;
    *out = s;
    return LJ_OK;
}

void lstm_state_destroy(lstm_state *s) {
    if (!s)
        return;
    free(s->arena);
    free(s);
}

void lstm_state_reset(lstm_state *s) {
    memset(s->arena, 0, s->recurrent_len * sizeof(float));
}

int lstm_state_copy(lstm_state *dst, const lstm_state *src) {
    if (dst->model != src->model || dst->batch != src->batch)
        return LJ_ERR_ARG;
    if (dst != src)
        memcpy(dst->arena, src->arena, src->recurrent_len * sizeof(float));
    return LJ_OK;
}

int lstm_state_copy_row(lstm_state *dst, int dst_row, const lstm_state *src, int src_row) {
    if (dst->model != src->model || dst_row < 0 || dst_row >= dst->batch || src_row < 0 ||
        src_row >= src->batch)
        return LJ_ERR_ARG;
    const lj_model_config *c = &src->model->cfg;
    for (int l = 0; l < c->num_layers; l++) {
        size_t H = (size_t)c->hidden[l];
        memmove(dst->h[l] + dst_row * H, src->h[l] + src_row * H, H * sizeof(float));
        memmove(dst->c[l] + dst_row * H, src->c[l] + src_row * H, H * sizeof(float));
    }
    return LJ_OK;
}

float *lstm_state_h(lstm_state *s, int l) { return s->h[l]; }
float *lstm_state_c(lstm_state *s, int l) { return s->c[l]; }
const float *lstm_state_head_output(const lstm_state *s, int h) { return s->head_out[h]; }
float *lstm_state_head_logits(lstm_state *s, int h) { return s->head_out[h]; }

/* NADE heads: c_t (S,Hn) from the top output x (S,Htop), after the head outputs
 * (b_t). Same kernel as the sequence forward, so a step equals it. */
static void step_nade_conditioning(const lj_model *m, lstm_state *s, const float *x) {
    const lj_model_config *c = &m->cfg;
    const lj_param *P = m->tensors;
    int top = c->hidden[c->num_layers - 1];
    for (int h = 0; h < c->num_heads; h++)
        if (c->heads[h].kind == LJ_HEAD_NADE)
            linear_forward(m->naive, s->cond_c[h], x, P[m->head_hw[h]].data,
                           P[m->head_hb[h]].data, s->batch, top, c->heads[h].nade_hidden);
}

int lstm_state_sample_frame(const lj_model *m, lstm_state *s, int h, float temperature,
                            lj_rng *rng, float *frame, float *logp) {
    return lstm_state_sample_frame_observed(m, s, h, temperature, rng, NULL, frame, logp);
}

int lstm_state_sample_frame_observed(const lj_model *m, lstm_state *s, int h, float temperature,
                                     lj_rng *rng, const signed char *observed, float *frame,
                                     float *logp) {
    const lj_model_config *c = &m->cfg;
    if (s->model != m || h < 0 || h >= c->num_heads ||
        (c->heads[h].kind != LJ_HEAD_BERNOULLI && c->heads[h].kind != LJ_HEAD_NADE))
        return LJ_ERR_ARG;
    const lj_param *P = m->tensors;
    int S = s->batch, K = c->heads[h].size;
    if (c->heads[h].kind == LJ_HEAD_NADE) {
        nade_sample_observed(frame, NULL, logp, s->head_out[h], s->cond_c[h], P[m->head_nw[h]].data,
                             P[m->head_nv[h]].data, observed, S, K, c->heads[h].nade_hidden,
                             temperature, rng, s->nade_scratch);
        return LJ_OK;
    }
    const int greedy = !(temperature > 0.0f);
    const float inv_t = greedy ? 1.0f : 1.0f / temperature; /* 1 / 1 = 1 exactly: T = 1 is the model */
    for (int r = 0; r < S; r++) {
        const float *z = s->head_out[h] + (size_t)r * K;
        float *f = frame + (size_t)r * K;
        double lp = 0;
        for (int k = 0; k < K; k++) {
            if (greedy) f[k] = z[k] > 0.0f ? 1.0f : 0.0f;
            else {
                float p = 1.0f / (1.0f + expf(-z[k] * inv_t));
                f[k] = lj_rng_uniform(rng) < p ? 1.0f : 0.0f;
            }
            /* an observed key is clamped, not drawn (its uniform still used up at T > 0) */
            if (observed && observed[k] >= 0) f[k] = observed[k] > 0 ? 1.0f : 0.0f;
            /* log p(bit) = -softplus(-z) when on, -softplus(z) when off (stable) */
            double zz = f[k] != 0.0f ? -(double)z[k] : (double)z[k];
            lp -= (zz > 0 ? zz : 0) + log1p(exp(-fabs(zz)));
        }
        if (logp)
            logp[r] = (float)lp;
    }
    return LJ_OK;
}

/* Batch 1 on the packed weights: per layer one pass over [W_ih | W_hh] (or
 * W_hh plus one table row for token inputs) and the fused cell. */
static void step_packed(const lj_model *m, lstm_state *s, const int32_t *tokens,
                        const float *features) {
    const lj_model_config *c = &m->cfg;
    const lj_step_pack *pk = m->pack;
    const lj_param *P = m->tensors;
    const lj_isa isa = m->isa;
    const int bf16 = pk->precision == LJ_STEP_BF16;
    const float *x = features;
    for (int l = 0; l < c->num_layers; l++) {
        int H = c->hidden[l], in = lj_model_layer_input(c, l), Gp = 4 * (int)round_up16((size_t)H);
        float *g = s->pgates;
        if (l == 0 && pk->table) {
            lj_panel_matvec(isa, bf16, pk->w[0], Gp / LJ_PANEL, H, s->h[0], g);
            int32_t tok = tokens[0];
            if (tok >= 0 && tok < c->input_size) {
                const float *row = pk->table + (size_t)tok * Gp;
                for (int j = 0; j < Gp; j++) g[j] += row[j];
            }
        } else {
            memcpy(s->xcat, x, (size_t)in * sizeof(float));
            memcpy(s->xcat + in, s->h[l], (size_t)H * sizeof(float));
            lj_panel_matvec(isa, bf16, pk->w[l], Gp / LJ_PANEL, in + H, s->xcat, g);
        }
        lj_step_cell(isa, g, pk->bias[l], s->c[l], s->h[l], H);
        x = s->h[l];
    }
    int top = c->hidden[c->num_layers - 1];
    for (int h = 0; h < c->num_heads; h++) {
        int K = c->heads[h].size;
        const float *b = P[m->head_b[h]].data;
        lj_panel_matvec(isa, bf16, pk->head_w[h], (int)(round_up16((size_t)K) / LJ_PANEL), top,
                        x, s->phead);
        for (int k = 0; k < K; k++) s->head_out[h][k] = s->phead[k] + b[k];
    }
    step_nade_conditioning(m, s, x);
}

void lstm_step(const lj_model *m, lstm_state *s, const int32_t *tokens, const float *features) {
    if (pack_usable(m, s)) {
        step_packed(m, s, tokens, features);
        return;
    }
    const lj_model_config *c = &m->cfg;
    const lj_param *P = m->tensors;
    const int S = s->batch, naive = m->naive;
    const float *x = features; /* (S,in) input of the current layer */
    for (int l = 0; l < c->num_layers; l++) {
        int H = c->hidden[l], G = 4 * H, in = lj_model_layer_input(c, l);
        const float *w_ih = P[m->w_ih[l]].data, *b_ih = P[m->b_ih[l]].data;
        const float *b_hh = P[m->b_hh[l]].data;
        float *g = s->gates[l];
        /* Same order of operations as lstm_forward: input projection, biases,
         * then the recurrent gemm, so a step equals the sequence forward. */
        if (l == 0 && c->input_kind == LJ_INPUT_ONEHOT) {
            for (int r = 0; r < S; r++) {
                float *gr = g + (size_t)r * G;
                int32_t tok = tokens[r];
                if (tok < 0 || tok >= in)
                    for (int j = 0; j < G; j++) gr[j] = b_ih[j] + b_hh[j];
                else
                    for (int j = 0; j < G; j++) gr[j] = w_ih[(size_t)j * in + tok] + b_ih[j] + b_hh[j];
            }
        } else {
            if (l == 0 && c->input_kind == LJ_INPUT_EMBEDDING) {
                const float *table = P[m->embedding].data;
                for (int r = 0; r < S; r++) {
                    float *xr = s->x + (size_t)r * in;
                    int32_t tok = tokens[r];
                    if (tok < 0 || tok >= c->input_size)
                        memset(xr, 0, (size_t)in * sizeof(float));
                    else
                        memcpy(xr, table + (size_t)tok * in, (size_t)in * sizeof(float));
                }
                x = s->x;
            }
            gemm(naive, 0, 1, S, G, in, 1.0f, x, in, w_ih, in, 0.0f, g, G);
            for (int r = 0; r < S; r++) {
                float *gr = g + (size_t)r * G;
                for (int j = 0; j < G; j++) gr[j] += b_ih[j] + b_hh[j];
            }
        }
        gemm(naive, 0, 1, S, G, H, 1.0f, s->h[l], H, P[m->w_hh[l]].data, H, 1.0f, g, G);
        if (naive)
            lstm_cell_forward(g, s->c[l], s->c[l], NULL, s->h[l], S, H);
        else
            lj_cell_forward_simd(m->isa, g, s->c[l], s->c[l], NULL, s->h[l], S, H);
        x = s->h[l];
    }
    int top = c->hidden[c->num_layers - 1];
    for (int h = 0; h < c->num_heads; h++)
        linear_forward(naive, s->head_out[h], x, P[m->head_w[h]].data, P[m->head_b[h]].data, S,
                       top, c->heads[h].size);
    step_nade_conditioning(m, s, x);
}
