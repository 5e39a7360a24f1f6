/* enc_frametext: the frames text format of `lstmjam encode` for the frame
 * encodings (see encoding.h): writer, and the parser `train` and `eval` read
 * such files with (a byte-at-a-time state machine with a sticky error, so every
 * message has its line and column, like the tokens parser). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enc_internal.h"

#define FRAMES_MAGIC "#lstmjam-frames"
#define FIELDS_PREFIX "#fields"
#define NUMBER_MAX 63 /* bytes of one value ("%.9g" needs at most 16) */

static const char *const kind_names[] = {"class", "value", "bits"};

/* ---- writing ---- */

int enc_frames_write_header(void *fp, const encoding *e) {
    char opts[2048];
    int rc = enc_opts_format(&e->o, e->cls->name, opts, sizeof opts);
    if (rc) return rc;
    FILE *f = fp;
    if (fprintf(f, "%s 1 encoding=%s %s\n%s", FRAMES_MAGIC, e->cls->name, opts, FIELDS_PREFIX) < 0) return LJ_ERR_IO;
    for (int i = 0; i < e->n_fields; i++)
        if (fprintf(f, " %s:%s:%d", e->fields[i].name, kind_names[e->fields[i].kind], e->fields[i].width) < 0)
            return LJ_ERR_IO;
    return fputc('\n', f) == EOF ? LJ_ERR_IO : LJ_OK;
}

int enc_frames_write(void *fp, const encoding *e, const frameset *set) {
    FILE *f = fp;
    if (set->dim != e->dim) return LJ_ERR_ARG;
    for (size_t p = 0; p < set->n_pieces; p++) {
        size_t n = frameset_piece_len(set, p);
        const float *v = frameset_piece(set, p);
        if (n == 0) continue;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < set->dim; k++)
                if (fprintf(f, "%s%.9g", i == 0 && k == 0 ? "" : k == 0 ? " | " : " ", (double)v[i * set->dim + k]) < 0)
                    return LJ_ERR_IO;
        if (fputc('\n', f) == EOF) return LJ_ERR_IO;
    }
    return LJ_OK;
}


/* ---- reading ---- */

/* Parser states: each says what it waits for. */
typedef enum fr_state {
    FS_LINE_START, /* first byte of a line: '#' comment, blank, or a value */
    FS_COMMENT,    /* the rest of a comment line, up to '\n' */
    FS_BETWEEN,    /* after a separator or a '|': a value, '|', more space or the line end */
    FS_NUMBER,     /* inside a value: more of it, a separator, '|' or the line end */
    FS_CR,         /* after '\r': the '\n' that must follow */
    FS_ERROR       /* sticky: something failed, the rest is ignored */
} fr_state;

typedef struct fr_parser {
    fr_state state;
    const encoding *e;
    const char *name;    /* for messages */
    size_t line, col;    /* position of the current byte, 1-based */
    size_t num_start;    /* offset of the current value's first byte */
    size_t num_col;      /* its column */
    int *field_of;       /* (dim) field index of each value of a frame */
    float *cur;          /* the current line's frames: n_frames * dim + k floats */
    size_t n_frames, cap_frames;
    size_t k;            /* values of the current frame so far */
    frameset *out;
    int status;
    char *err;
    size_t errlen;
} fr_parser;

static int fp_fail(fr_parser *p, int status, size_t line, size_t col, const char *what) {
    p->state = FS_ERROR;
    p->status = status;
    lj_fail(p->err, p->errlen, status, "%s:%zu:%zu: %s", p->name, line, col, what);
    return status;
}


static int number_byte(unsigned char c) {
    return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E';
}

/* The value text[num_start..end): a number its field accepts, stored in the frame. */
static int fp_number_end(fr_parser *p, const char *text, size_t end) {
    size_t len = end - p->num_start;
    const char *s = text + p->num_start;
    char msg[192];
    if (p->k == p->e->dim) {
        snprintf(msg, sizeof msg, "expected '|' or the line end after the %zu values of a frame, found another value '%.*s'",
                 p->e->dim, (int)(len > 32 ? 32 : len), s);
        return fp_fail(p, LJ_ERR_PARSE, p->line, p->num_col, msg);
    }
    char buf[NUMBER_MAX + 1];
    double v = NAN;
    char *stop = NULL;
    if (len <= NUMBER_MAX) {
        memcpy(buf, s, len);
        buf[len] = 0;
        v = strtod(buf, &stop);
    }
    if (len > NUMBER_MAX || stop != buf + len || len == 0) {
        snprintf(msg, sizeof msg, "expected a number, found '%.*s'", (int)(len > 32 ? 32 : len), s);
        return fp_fail(p, LJ_ERR_PARSE, p->line, p->num_col, msg);
    }
    const enc_field *f = &p->e->fields[p->field_of[p->k]];
    int ok;
    if (f->kind == ENC_FIELD_CLASS) {
        ok = v >= 0 && v <= f->width - 1 && v == floor(v);
        if (!ok) snprintf(msg, sizeof msg, "expected a class 0..%d of field '%s', found '%s'", f->width - 1, f->name, buf);
    } else if (f->kind == ENC_FIELD_BITS) {
        ok = v == 0 || v == 1;
        if (!ok) snprintf(msg, sizeof msg, "expected 0 or 1 in field '%s', found '%s'", f->name, buf);
    } else {
        /* every value field is a time, a length or a level: never negative */
        ok = isfinite(v) && v >= 0 && v <= 3.0e38;
        if (!ok)
            snprintf(msg, sizeof msg, "expected a finite float >= 0 in field '%s', found '%s'", f->name, buf);
    }
    if (!ok) return fp_fail(p, LJ_ERR_PARSE, p->line, p->num_col, msg);
    p->cur[p->n_frames * p->e->dim + p->k++] = (float)v;
    return LJ_OK;
}

/* A '|' or the line end closes the current frame: it must be whole. */
static int fp_frame_end(fr_parser *p, int bar) {
    size_t dim = p->e->dim;
    if (p->k == 0 && !bar && p->n_frames == 0) return LJ_OK; /* a line of spaces */
    if (p->k != dim) {
        char msg[160];
        snprintf(msg, sizeof msg, "expected %zu values in a frame (%s), found %zu before %s", dim, p->e->cls->name, p->k,
                 bar ? "'|'" : "the line end");
        return fp_fail(p, LJ_ERR_PARSE, p->line, p->col, msg);
    }
    p->k = 0;
    p->n_frames++;
    if (p->n_frames == p->cap_frames) {
        if (p->n_frames >= ENC_MAX_STEPS) {
            char msg[96];
            snprintf(msg, sizeof msg, "expected at most %d frames in one line", ENC_MAX_STEPS);
            return fp_fail(p, LJ_ERR_LIMIT, p->line, p->col, msg);
        }
        size_t cap = p->cap_frames * 2;
        float *q = realloc(p->cur, cap * dim * sizeof *q);
        if (!q) return fp_fail(p, LJ_ERR_NOMEM, p->line, p->col, "out of memory");
        p->cur = q;
        p->cap_frames = cap;
    }
    return LJ_OK;
}

static int fp_line_end(fr_parser *p) {
    if (fp_frame_end(p, 0)) return p->status;
    if (p->n_frames && frameset_add(p->out, p->cur, p->n_frames))
        return fp_fail(p, LJ_ERR_NOMEM, p->line, p->col, "out of memory");
    p->n_frames = 0;
    return LJ_OK;
}

/* Line 1: the header naming e's encoding and options. */
static int fp_header(fr_parser *p, const char *text, size_t hl) {
    size_t ml = sizeof FRAMES_MAGIC - 1;
    if (hl < ml || memcmp(text, FRAMES_MAGIC, ml) || (hl > ml && text[ml] != ' ' && text[ml] != '\t')) {
        char msg[192];
        snprintf(msg, sizeof msg, "expected a '%s 1 encoding=%s ...' header (lstmjam encode's frames), found '%.*s'",
                 FRAMES_MAGIC, p->e->cls->name, (int)(hl > 40 ? 40 : hl), text);
        return fp_fail(p, LJ_ERR_PARSE, 1, 1, msg);
    }
    for (size_t k = 0; k < hl; k++)
        if ((unsigned char)text[k] < 0x20 && text[k] != '\t') {
            char b[32], msg[64];
            enc_show_byte((unsigned char)text[k], b, sizeof b);
            snprintf(msg, sizeof msg, "expected header text, found %s", b);
            return fp_fail(p, LJ_ERR_PARSE, 1, k + 1, msg);
        }
    enc_tokens_header h;
    int rc = enc_parse_text_header(text, hl, FRAMES_MAGIC, p->name, &h, p->err, p->errlen);
    if (rc) {
        p->state = FS_ERROR;
        return p->status = rc;
    }
    if (strcmp(h.encoding, p->e->cls->name)) {
        char msg[160];
        snprintf(msg, sizeof msg, "expected frames of the %s encoding, found %s", p->e->cls->name,
                 h.encoding[0] ? h.encoding : "no encoding= in the header");
        return fp_fail(p, LJ_ERR_ARG, 1, 1, msg);
    }
    char want[2048], got[2048];
    if (enc_opts_format(&p->e->o, p->e->cls->name, want, sizeof want) ||
        enc_opts_format(&h.opts, h.encoding, got, sizeof got))
        return fp_fail(p, LJ_ERR_LIMIT, 1, 1, "encoding options too long");
    if (strcmp(want, got)) {
        char msg[4400];
        snprintf(msg, sizeof msg, "expected frames encoded with options '%s', found '%s' (set encoding_options to match)",
                 want, got);
        return fp_fail(p, LJ_ERR_ARG, 1, 1, msg);
    }
    return LJ_OK;
}

/* A "#fields ..." comment line must describe e's fields as the writer does. */
static int fp_fields_line(fr_parser *p, const char *line, size_t len) {
    char want[ENC_MAX_FIELDS * 48 + 16];
    size_t n = (size_t)snprintf(want, sizeof want, "%s", FIELDS_PREFIX);
    for (int i = 0; i < p->e->n_fields && n < sizeof want; i++)
        n += (size_t)snprintf(want + n, sizeof want - n, " %s:%s:%d", p->e->fields[i].name,
                              kind_names[p->e->fields[i].kind], p->e->fields[i].width);
    if (len && line[len - 1] == '\r') len--;
    if (len == n && !memcmp(line, want, n)) return LJ_OK;
    size_t col = 0;
    while (col < len && col < n && line[col] == want[col]) col++;
    char msg[sizeof want + 200];
    snprintf(msg, sizeof msg, "expected the %s fields '%s', found '%.*s'", p->e->cls->name, want,
             (int)(len > 200 ? 200 : len), line);
    return fp_fail(p, LJ_ERR_PARSE, p->line, col + 1, msg);
}

int enc_frames_parse(const encoding *e, const char *text, size_t len, const char *name, frameset *out, char *err,
                     size_t errlen) {
    if (e->cls->kind != ENC_KIND_FRAMES || out->dim != e->dim)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: frames of %zu values, the frame set holds %zu", name ? name : "<memory>",
                       e->dim, out->dim);
    fr_parser p;
    memset(&p, 0, sizeof p);
    p.e = e;
    p.name = name ? name : "<memory>";
    p.out = out;
    p.err = err;
    p.errlen = errlen;
    p.line = 1;
    p.col = 1;
    p.state = FS_LINE_START;
    size_t pieces0 = out->n_pieces, frames0 = out->n_frames;
    p.cap_frames = 64;
    p.field_of = malloc(e->dim * sizeof *p.field_of);
    p.cur = malloc(p.cap_frames * e->dim * sizeof *p.cur);
    if (!p.field_of || !p.cur) {
        free(p.field_of);
        free(p.cur);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", p.name);
    }
    for (int i = 0; i < e->n_fields; i++) { /* a class is one float, whatever its width */
        int n = e->fields[i].kind == ENC_FIELD_CLASS ? 1 : e->fields[i].width;
        for (int k = 0; k < n; k++) p.field_of[e->fields[i].offset + k] = i;
    }
    const char *nl = memchr(text, '\n', len);
    size_t hl = nl ? (size_t)(nl - text) : len;
    size_t i = nl ? hl + 1 : len;
    if (fp_header(&p, text, hl && text[hl - 1] == '\r' ? hl - 1 : hl) == LJ_OK) p.line = 2;
    for (; i < len && p.state != FS_ERROR; i++) {
        unsigned char c = (unsigned char)text[i];
        int sep = c == ' ' || c == '\t', eol = c == '\n', bar = c == '|';
        char b[32], msg[128];
        switch (p.state) {
        case FS_LINE_START:
            if (c == '#') {
                size_t fl = sizeof FIELDS_PREFIX - 1;
                if (len - i >= fl && !memcmp(text + i, FIELDS_PREFIX, fl)) {
                    const char *end = memchr(text + i, '\n', len - i);
                    fp_fields_line(&p, text + i, end ? (size_t)(end - (text + i)) : len - i);
                }
                if (p.state != FS_ERROR) p.state = FS_COMMENT;
                break;
            }
            /* a line's first byte is otherwise read like any other */
            /* fall through */
        case FS_BETWEEN:
            if (eol) {
                if (!fp_line_end(&p)) p.state = FS_LINE_START;
            } else if (c == '\r') p.state = FS_CR;
            else if (sep) p.state = FS_BETWEEN;
            else if (bar) {
                if (!fp_frame_end(&p, 1)) p.state = FS_BETWEEN;
            } else if (number_byte(c)) {
                p.state = FS_NUMBER;
                p.num_start = i;
                p.num_col = p.col;
            } else {
                enc_show_byte(c, b, sizeof b);
                snprintf(msg, sizeof msg, "expected a number, '|' or the line end, found %s", b);
                fp_fail(&p, LJ_ERR_PARSE, p.line, p.col, msg);
            }
            break;
        case FS_COMMENT:
            if (eol) p.state = FS_LINE_START;
            break;
        case FS_NUMBER:
            if (number_byte(c)) break;
            if (!sep && !eol && !bar && c != '\r') {
                enc_show_byte(c, b, sizeof b);
                snprintf(msg, sizeof msg, "expected a digit, a space, '|' or the line end, found %s", b);
                fp_fail(&p, LJ_ERR_PARSE, p.line, p.col, msg);
                break;
            }
            if (fp_number_end(&p, text, i)) break;
            if (eol) {
                if (!fp_line_end(&p)) p.state = FS_LINE_START;
            } else if (bar) {
                if (!fp_frame_end(&p, 1)) p.state = FS_BETWEEN;
            } else p.state = c == '\r' ? FS_CR : FS_BETWEEN;
            break;
        case FS_CR:
            if (eol) {
                if (!fp_line_end(&p)) p.state = FS_LINE_START;
            } else {
                enc_show_byte(c, b, sizeof b);
                snprintf(msg, sizeof msg, "expected a line feed after a carriage return, found %s", b);
                fp_fail(&p, LJ_ERR_PARSE, p.line, p.col, msg);
            }
            break;
        case FS_ERROR: break;
        }
        if (eol) {
            p.line++;
            p.col = 1;
        } else p.col++;
    }
    /* End of text: a last line without '\n' still counts. */
    if (p.state == FS_NUMBER) {
        if (!fp_number_end(&p, text, len)) fp_line_end(&p);
    } else if (p.state == FS_BETWEEN || p.state == FS_LINE_START) {
        fp_line_end(&p);
    } else if (p.state == FS_CR) {
        fp_fail(&p, LJ_ERR_PARSE, p.line, p.col, "expected a line feed after a carriage return, found the end of the file");
    }
    free(p.field_of);
    free(p.cur);
    if (p.status) {
        out->n_pieces = pieces0;
        out->n_frames = frames0;
        return p.status;
    }
    return LJ_OK;
}
