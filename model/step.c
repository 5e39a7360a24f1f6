/* step: the real-time step API. One time step of the whole model for a batch
 * of 1 (playing) or a few rows (beam search), on state allocated up front. */
#include "model_internal.h"

#include <stdlib.h>
#include <string.h>

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
};

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

void lstm_step(const lj_model *m, lstm_state *s, const int32_t *tokens, const float *features) {
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
        lstm_cell_forward(g, s->c[l], s->c[l], NULL, s->h[l], S, H);
        x = s->h[l];
    }
    int top = c->hidden[c->num_layers - 1];
    for (int h = 0; h < c->num_heads; h++)
        linear_forward(naive, s->head_out[h], x, P[m->head_w[h]].data, P[m->head_b[h]].data, S,
                       top, c->heads[h].size);
}
