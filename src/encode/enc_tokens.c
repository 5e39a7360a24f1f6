/* enc_tokens: the tokens text format of `lstmjam encode` (see encoding.h): one
 * piece per line, names separated by spaces; writer, parser (a byte-at-a-time
 * state machine with a sticky error, so every message has its line and column)
 * and the loader the trainer uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enc_internal.h"
#include "files.h"

#define HEADER_MAGIC "#lstmjam-tokens"

static int name_ok(const char *s, size_t len) {
    if (len == 0 || len > VOCAB_MAX_NAME || s[0] == '#') return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] == 0x7f) return 0;
    return 1;
}

int enc_tokens_write_header(void *fp, const encoding *e) {
    char opts[2048];
    int rc = enc_opts_format(&e->o, e->cls->name, opts, sizeof opts);
    if (rc) return rc;
    if (fprintf((FILE *)fp, "%s 1 encoding=%s %s\n", HEADER_MAGIC, e->cls->name, opts) < 0) return LJ_ERR_IO;
    return LJ_OK;
}

int enc_tokens_write(void *fp, const encoding *e, const tokset *set) {
    FILE *f = fp;
    for (size_t p = 0; p < set->n_pieces; p++) {
        size_t n = tokset_piece_len(set, p);
        const int32_t *ids = set->ids + set->start[p];
        if (n == 0) continue; /* an empty line would be skipped by the reader */
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *name = vocab_name(e->v, ids[i], &len);
            if (!name || !name_ok(name, len)) return LJ_ERR_RANGE;
            if ((i && fputc(' ', f) == EOF) || fwrite(name, 1, len, f) != len) return LJ_ERR_IO;
        }
        if (fputc('\n', f) == EOF) return LJ_ERR_IO;
    }
    return LJ_OK;
}

/* Parses a header line (without its newline): "MAGIC 1 encoding=E k=v..."
 * (see enc_internal.h). */
int enc_parse_text_header(const char *line, size_t len, const char *magic, const char *name,
                          enc_tokens_header *h, char *err, size_t errlen) {
    memset(h, 0, sizeof *h);
    h->present = 1;
    /* Fields split at spaces; col is 1-based. */
    char fields[64][256];
    size_t cols[64];
    int nf = 0;
    size_t at = 0;
    while (at < len) {
        while (at < len && (line[at] == ' ' || line[at] == '\t')) at++;
        if (at >= len) break;
        size_t start = at;
        while (at < len && line[at] != ' ' && line[at] != '\t') at++;
        if (nf == 64 || at - start >= sizeof fields[0])
            return lj_fail(err, errlen, LJ_ERR_LIMIT, "%s:1:%zu: header field too long or too many fields", name, start + 1);
        memcpy(fields[nf], line + start, at - start);
        fields[nf][at - start] = 0;
        cols[nf++] = start + 1;
    }
    long version;
    if (nf < 2 || enc_parse_int(fields[1], strlen(fields[1]), 1, 1000000, &version))
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:1:%zu: expected the format version after %s, found '%s'", name,
                       nf < 2 ? len + 1 : cols[1], magic, nf < 2 ? "" : fields[1]);
    if (version != 1)
        return lj_fail(err, errlen, LJ_ERR_UNSUPPORTED, "%s:1:%zu: expected format version 1, found %ld", name, cols[1], version);
    h->version = 1;
    /* encoding= first, so the defaults are that encoding's */
    for (int i = 2; i < nf; i++)
        if (!strncmp(fields[i], "encoding=", 9)) {
            const char *v = fields[i] + 9;
            const char *const *names = enc_names();
            int known = 0;
            for (int k = 0; names[k]; k++) known |= !strcmp(names[k], v);
            if (!known)
                return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:1:%zu: expected an encoding (timestep, notechord, event, abc, psd, pianoroll), found '%s'",
                               name, cols[i] + 9, v);
            snprintf(h->encoding, sizeof h->encoding, "%s", v);
        }
    enc_opts_default(&h->opts, h->encoding);
    for (int i = 2; i < nf; i++) {
        if (!strncmp(fields[i], "encoding=", 9)) continue;
        char *eq = strchr(fields[i], '=');
        if (!eq)
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:1:%zu: expected key=value, found '%s'", name, cols[i], fields[i]);
        *eq = 0;
        char msg[512];
        int rc = enc_opts_set(&h->opts, fields[i], eq + 1, msg, sizeof msg);
        if (rc) return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:1:%zu: %s", name, cols[i], msg);
    }
    return LJ_OK;
}

/* Parser states: each says what it waits for. */
typedef enum tok_state {
    TS_LINE_START, /* first byte of a line: '#' comment, blank, or a token */
    TS_COMMENT,    /* the rest of a comment line, up to '\n' */
    TS_BETWEEN,    /* a separator was read: another token or the line end */
    TS_TOKEN,      /* inside a token name: more name bytes, a separator or the line end */
    TS_CR,         /* after '\r': the '\n' that must follow */
    TS_ERROR       /* sticky: something failed, the rest is ignored */
} tok_state;

typedef struct tok_parser {
    tok_state state;
    const char *name;   /* for messages */
    vocab *v;           /* names to ids */
    int grow;           /* add new names to v */
    const encoding *check; /* when set, a new name must be one this encoding decodes */
    uint8_t *pool;      /* scratch for check's parse (chord pitches) */
    size_t line, col;   /* position of the current byte, 1-based */
    size_t tok_start;   /* offset of the current token's first byte */
    size_t tok_line, tok_col;
    int32_t *ids;       /* the current line's ids: n (cap allocated) */
    size_t n, cap;
    tokset *out;
    int status;
    char *err;
    size_t errlen;
} tok_parser;

static int tp_fail(tok_parser *p, int status, size_t line, size_t col, const char *what) {
    p->state = TS_ERROR;
    p->status = status;
    lj_fail(p->err, p->errlen, status, "%s:%zu:%zu: %s", p->name, line, col, what);
    return status;
}


static int tp_token_end(tok_parser *p, const char *text, size_t end) {
    size_t len = end - p->tok_start;
    const char *s = text + p->tok_start;
    if (len > VOCAB_MAX_NAME) {
        char msg[96];
        snprintf(msg, sizeof msg, "expected a token of at most %d bytes, found %zu bytes", VOCAB_MAX_NAME, len);
        return tp_fail(p, LJ_ERR_LIMIT, p->tok_line, p->tok_col, msg);
    }
    int32_t id;
    if (p->grow && p->check && vocab_find(p->v, s, len) < 0) {
        enc_tok t;
        size_t used = 0;
        if (!p->check->cls->parse(&p->check->o, s, len, &t, p->pool, &used, VOCAB_MAX_NAME + 1)) {
            char msg[160];
            snprintf(msg, sizeof msg, "expected a %s token, found '%.*s'", p->check->cls->name,
                     (int)(len > 64 ? 64 : len), s);
            return tp_fail(p, LJ_ERR_PARSE, p->tok_line, p->tok_col, msg);
        }
    }
    if (p->grow) {
        int rc = vocab_add(p->v, s, len, &id);
        if (rc == LJ_ERR_LIMIT) return tp_fail(p, rc, p->tok_line, p->tok_col, "too many distinct tokens for a vocabulary");
        if (rc) return tp_fail(p, rc, p->tok_line, p->tok_col, "out of memory");
    } else if ((id = vocab_find(p->v, s, len)) < 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "expected a token of the vocabulary, found '%.*s'", (int)(len > 64 ? 64 : len), s);
        return tp_fail(p, LJ_ERR_RANGE, p->tok_line, p->tok_col, msg);
    }
    if (p->n == p->cap) {
        if (p->n >= ENC_MAX_STEPS) {
            char msg[96];
            snprintf(msg, sizeof msg, "expected at most %d tokens in one line", ENC_MAX_STEPS);
            return tp_fail(p, LJ_ERR_LIMIT, p->tok_line, p->tok_col, msg);
        }
        size_t cap = p->cap ? p->cap * 2 : 256;
        if (cap > ENC_MAX_STEPS) cap = ENC_MAX_STEPS;
        int32_t *q = realloc(p->ids, cap * sizeof *q);
        if (!q) return tp_fail(p, LJ_ERR_NOMEM, p->tok_line, p->tok_col, "out of memory");
        p->ids = q;
        p->cap = cap;
    }
    p->ids[p->n++] = id;
    return LJ_OK;
}

static int tp_line_end(tok_parser *p) {
    if (p->n && tokset_add(p->out, p->ids, p->n)) return tp_fail(p, LJ_ERR_NOMEM, p->line, p->col, "out of memory");
    p->n = 0;
    return LJ_OK;
}

static int parse_impl(const char *text, size_t len, const char *name, vocab *v, int grow,
                      const encoding *check, tokset *out, enc_tokens_header *hdr, char *err,
                      size_t errlen) {
    tok_parser p = {0};
    uint8_t pool[VOCAB_MAX_NAME + 1];
    p.check = check;
    p.pool = pool;
    p.state = TS_LINE_START;
    p.name = name ? name : "<memory>";
    p.v = v;
    p.grow = grow;
    p.line = 1;
    p.col = 1;
    p.out = out;
    p.err = err;
    p.errlen = errlen;
    size_t pieces0 = out->n_pieces, ids0 = out->n_ids;
    if (hdr) memset(hdr, 0, sizeof *hdr);
    size_t i = 0;
    /* The header, when the first line is one. */
    if (len >= sizeof HEADER_MAGIC - 1 && !memcmp(text, HEADER_MAGIC, sizeof HEADER_MAGIC - 1) &&
        (len == sizeof HEADER_MAGIC - 1 || text[sizeof HEADER_MAGIC - 1] == ' ' ||
         text[sizeof HEADER_MAGIC - 1] == '\t' || text[sizeof HEADER_MAGIC - 1] == '\n' || text[sizeof HEADER_MAGIC - 1] == '\r')) {
        const char *nl = memchr(text, '\n', len);
        size_t hl = nl ? (size_t)(nl - text) : len;
        size_t content = hl && text[hl - 1] == '\r' ? hl - 1 : hl;
        for (size_t k = 0; k < content; k++)
            if ((unsigned char)text[k] < 0x20 && text[k] != '\t') {
                char b[32], msg[64];
                enc_show_byte((unsigned char)text[k], b, sizeof b);
                snprintf(msg, sizeof msg, "expected header text, found %s", b);
                return tp_fail(&p, LJ_ERR_PARSE, 1, k + 1, msg);
            }
        enc_tokens_header h;
        int rc = enc_parse_text_header(text, content, HEADER_MAGIC, p.name, &h, err, errlen);
        if (rc) return rc;
        if (hdr) *hdr = h;
        i = nl ? hl + 1 : len;
        p.line = 2;
    }
    for (; i < len && p.state != TS_ERROR; i++) {
        unsigned char c = (unsigned char)text[i];
        int sep = c == ' ' || c == '\t', eol = c == '\n';
        int bad = (c < 0x20 && !sep && !eol && c != '\r') || c == 0x7f;
        char b[32], msg[96];
        switch (p.state) {
        case TS_LINE_START:
            if (c == '#') p.state = TS_COMMENT;
            else if (eol) tp_line_end(&p);
            else if (sep) p.state = TS_BETWEEN;
            else if (c == '\r') p.state = TS_CR;
            else if (bad) {
                enc_show_byte(c, b, sizeof b);
                snprintf(msg, sizeof msg, "expected a token, found %s", b);
                tp_fail(&p, LJ_ERR_PARSE, p.line, p.col, msg);
            } else {
                p.state = TS_TOKEN;
                p.tok_start = i;
                p.tok_line = p.line;
                p.tok_col = p.col;
            }
            break;
        case TS_COMMENT:
            if (eol) p.state = TS_LINE_START;
            break;
        case TS_BETWEEN:
            if (eol) {
                tp_line_end(&p);
                if (p.state != TS_ERROR) p.state = TS_LINE_START;
            } else if (c == '\r') p.state = TS_CR;
            else if (sep) {
            } else if (bad || c == '#') {
                enc_show_byte(c, b, sizeof b);
                snprintf(msg, sizeof msg, "expected a token, found %s", b);
                tp_fail(&p, LJ_ERR_PARSE, p.line, p.col, msg);
            } else {
                p.state = TS_TOKEN;
                p.tok_start = i;
                p.tok_line = p.line;
                p.tok_col = p.col;
            }
            break;
        case TS_TOKEN:
            if (sep || eol || c == '\r') {
                if (tp_token_end(&p, text, i)) break;
                if (eol) {
                    tp_line_end(&p);
                    if (p.state != TS_ERROR) p.state = TS_LINE_START;
                } else p.state = c == '\r' ? TS_CR : TS_BETWEEN;
            } else if (bad) {
                enc_show_byte(c, b, sizeof b);
                snprintf(msg, sizeof msg, "expected a token byte, a space or a line end, found %s", b);
                tp_fail(&p, LJ_ERR_PARSE, p.line, p.col, msg);
            }
            break;
        case TS_CR:
            if (eol) {
                tp_line_end(&p);
                if (p.state != TS_ERROR) p.state = TS_LINE_START;
            } else {
                enc_show_byte(c, b, sizeof b);
                snprintf(msg, sizeof msg, "expected a line feed after a carriage return, found %s", b);
                tp_fail(&p, LJ_ERR_PARSE, p.line, p.col, msg);
            }
            break;
        case TS_ERROR: break;
        }
        if (eol) {
            p.line++;
            p.col = 1;
        } else p.col++;
    }
    /* End of text: a last line without '\n' still counts. */
    if (p.state == TS_TOKEN && !tp_token_end(&p, text, len)) tp_line_end(&p);
    else if (p.state == TS_BETWEEN) tp_line_end(&p);
    else if (p.state == TS_CR) tp_fail(&p, LJ_ERR_PARSE, p.line, p.col, "expected a line feed after a carriage return, found the end of the file");
    free(p.ids);
    if (p.status) {
        out->n_pieces = pieces0;
        out->n_ids = ids0;
        return p.status;
    }
    return LJ_OK;
}

int enc_tokens_parse(const char *text, size_t len, const char *name, vocab *v, int grow,
                     tokset *out, enc_tokens_header *hdr, char *err, size_t errlen) {
    return parse_impl(text, len, name, v, grow, NULL, out, hdr, err, errlen);
}

int enc_tokens_parse_into(encoding *e, const char *text, size_t len, const char *name, tokset *out,
                          enc_tokens_header *hdr, char *err, size_t errlen) {
    return parse_impl(text, len, name, e->v, !e->frozen, e, out, hdr, err, errlen);
}

int enc_tokens_load(const char *path, const char *fallback, encoding *model, encoding **e_out,
                    tokset *out, char *err, size_t errlen) {
    *e_out = NULL;
    if (out->n_pieces || out->n_ids)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: enc_tokens_load needs an empty token set", path);
    uint8_t *data;
    size_t len;
    int rc = lj_file_read(path, &data, &len, err, errlen);
    if (rc) return rc;
    const char *text = (const char *)data;
    /* The header first (the first line alone), to know which encoding reads the names. */
    enc_tokens_header h = {0};
    tokset scratch = {0};
    vocab *probe = vocab_create();
    encoding *e = NULL;
    if (!probe) {
        rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
        goto done;
    }
    const char *nl = memchr(text, '\n', len);
    rc = parse_impl(text, nl ? (size_t)(nl - text) + 1 : len, path, probe, 1, NULL, &scratch, &h, err, errlen);
    tokset_free(&scratch);
    vocab_destroy(probe);
    if (rc) goto done;
    if (model) {
        if (h.present && h.encoding[0] && strcmp(h.encoding, enc_name(model))) {
            rc = lj_fail(err, errlen, LJ_ERR_ARG, "%s:1: the file holds %s tokens, the model reads %s tokens", path,
                         h.encoding, enc_name(model));
            goto done;
        }
        rc = parse_impl(text, len, path, model->v, 0, NULL, out, NULL, err, errlen);
        goto done;
    }
    const char *ename = h.encoding[0] ? h.encoding : fallback;
    if (!ename) {
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s:1:1: expected a '%s 1 encoding=NAME ...' header (or name the encoding)",
                     path, HEADER_MAGIC);
        goto done;
    }
    enc_opts o;
    if (h.present) o = h.opts;
    else enc_opts_default(&o, ename);
    rc = enc_create(ename, &o, &e, err, errlen);
    if (rc) goto done;
    rc = parse_impl(text, len, path, e->v, !e->frozen, e, out, NULL, err, errlen);
    if (!rc) {
        tokset *sets[1] = {out};
        rc = enc_finish_vocab(e, sets, 1);
        if (rc) lj_fail(err, errlen, rc, "%s: %s", path, lj_strerror(rc));
    }
    if (rc) {
        enc_destroy(e);
        out->n_pieces = 0;
        out->n_ids = 0;
    } else {
        *e_out = e;
    }
done:
    free(data);
    return rc;
}
