#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "files.h"

#define CFG_MAX_DEPTH 64
#define CFG_MAX_NODES 1000000

struct cfg_doc {
    cfg_node root;      /* a map, or kind CFG_SCALAR with no value for an empty doc */
    int empty;          /* the document had no content */
    char name[1024];    /* file name for messages */
    size_t n_nodes;     /* nodes built, against CFG_MAX_NODES */
};

/* ---- building the tree ---------------------------------------------------- */

typedef struct build {
    yaml_parser_t parser;
    cfg_doc *doc;
    char *err;
    size_t errlen;
} build;

/* strdup through malloc in this file, so the allocation-failure tests
 * (tests/alloc_fail.h) can fail it: libc's strdup allocates out of --wrap's
 * reach, and its blocks would be freed through the wrapped free. */
static char *cfg_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void free_node(cfg_node *n) {
    for (size_t i = 0; i < n->n_items; i++) free_node(&n->items[i]);
    free(n->items);
    free((char *)n->key);
    free((char *)n->value);
}

void cfg_destroy(cfg_doc *doc) {
    if (!doc) return;
    free_node(&doc->root);
    free(doc);
}

static int next_event(build *b, yaml_event_t *ev) {
    if (!yaml_parser_parse(&b->parser, ev)) {
        const yaml_mark_t *m = b->parser.problem ? &b->parser.problem_mark : &b->parser.mark;
        return lj_fail(b->err, b->errlen, LJ_ERR_PARSE, "%s:%zu:%zu: YAML: %s%s%s", b->doc->name,
                       m->line + 1, m->column + 1, b->parser.problem ? b->parser.problem : "error",
                       b->parser.context ? " " : "", b->parser.context ? b->parser.context : "");
    }
    return LJ_OK;
}

static int append(build *b, cfg_node *parent, size_t *cap, cfg_node **slot) {
    if (++b->doc->n_nodes > CFG_MAX_NODES)
        return lj_fail(b->err, b->errlen, LJ_ERR_LIMIT, "%s: more than %d YAML nodes", b->doc->name,
                       CFG_MAX_NODES);
    if (parent->n_items == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        cfg_node *p = realloc(parent->items, ncap * sizeof *p);
        if (!p) return lj_fail(b->err, b->errlen, LJ_ERR_NOMEM, "%s: out of memory", b->doc->name);
        parent->items = p;
        *cap = ncap;
    }
    *slot = &parent->items[parent->n_items++];
    memset(*slot, 0, sizeof **slot);
    return LJ_OK;
}

/* Fills `out` from the node that starts with event `ev` (consumed here). */
static int build_node(build *b, yaml_event_t *ev, cfg_node *out, int depth) {
    out->line = (int)ev->start_mark.line + 1;
    out->col = (int)ev->start_mark.column + 1;
    int rc = LJ_OK;
    if (depth > CFG_MAX_DEPTH) {
        rc = lj_fail(b->err, b->errlen, LJ_ERR_LIMIT, "%s:%d:%d: nested deeper than %d levels",
                     b->doc->name, out->line, out->col, CFG_MAX_DEPTH);
        yaml_event_delete(ev);
        return rc;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        out->kind = CFG_SCALAR;
        out->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE   ? '\''
                      : ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ? '"'
                                                                                 : 0;
        out->value = cfg_strdup((const char *)ev->data.scalar.value);
        if (!out->value) rc = lj_fail(b->err, b->errlen, LJ_ERR_NOMEM, "%s: out of memory", b->doc->name);
        else if (ev->data.scalar.tag)
            rc = lj_fail(b->err, b->errlen, LJ_ERR_UNSUPPORTED, "%s:%d:%d: YAML tags are not supported",
                         b->doc->name, out->line, out->col);
        yaml_event_delete(ev);
        return rc;
    case YAML_ALIAS_EVENT:
        yaml_event_delete(ev);
        return lj_fail(b->err, b->errlen, LJ_ERR_UNSUPPORTED,
                       "%s:%d:%d: YAML aliases (*name) are not supported: write the value out",
                       b->doc->name, out->line, out->col);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int is_map = ev->type == YAML_MAPPING_START_EVENT;
        const yaml_char_t *anchor = is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
        yaml_event_delete(ev);
        if (anchor)
            return lj_fail(b->err, b->errlen, LJ_ERR_UNSUPPORTED,
                           "%s:%d:%d: YAML anchors (&name) are not supported", b->doc->name,
                           out->line, out->col);
        out->kind = is_map ? CFG_MAP : CFG_SEQ;
        size_t cap = 0;
        for (;;) {
            yaml_event_t e;
            if ((rc = next_event(b, &e))) return rc;
            if (e.type == YAML_MAPPING_END_EVENT || e.type == YAML_SEQUENCE_END_EVENT) {
                yaml_event_delete(&e);
                return LJ_OK;
            }
            char *key = NULL;
            int kl = 0, kc = 0;
            if (is_map) {
                kl = (int)e.start_mark.line + 1;
                kc = (int)e.start_mark.column + 1;
                if (e.type != YAML_SCALAR_EVENT) {
                    yaml_event_delete(&e);
                    return lj_fail(b->err, b->errlen, LJ_ERR_PARSE,
                                   "%s:%d:%d: expected a plain key, found a map or list", b->doc->name, kl, kc);
                }
                for (size_t i = 0; i < out->n_items; i++)
                    if (!strcmp(out->items[i].key, (const char *)e.data.scalar.value)) {
                        rc = lj_fail(b->err, b->errlen, LJ_ERR_PARSE,
                                     "%s:%d:%d: key '%s' appears twice (first at line %d)", b->doc->name,
                                     kl, kc, (const char *)e.data.scalar.value, out->items[i].line);
                        yaml_event_delete(&e);
                        return rc;
                    }
                key = cfg_strdup((const char *)e.data.scalar.value);
                yaml_event_delete(&e);
                if (!key) return lj_fail(b->err, b->errlen, LJ_ERR_NOMEM, "%s: out of memory", b->doc->name);
                if ((rc = next_event(b, &e))) {
                    free(key);
                    return rc;
                }
            }
            cfg_node *child = NULL;
            if ((rc = append(b, out, &cap, &child))) {
                free(key);
                yaml_event_delete(&e);
                return rc;
            }
            child->key = key;
            if (is_map) {
                child->key_line = kl;
                child->key_col = kc;
            }
            if ((rc = build_node(b, &e, child, depth + 1))) return rc;
        }
    }
    default:
        yaml_event_delete(ev);
        return lj_fail(b->err, b->errlen, LJ_ERR_PARSE, "%s:%d:%d: unexpected YAML event", b->doc->name,
                       out->line, out->col);
    }
}

int cfg_load_mem(const char *text, size_t len, const char *name, cfg_doc **out, char *err,
                 size_t errlen) {
    *out = NULL;
    cfg_doc *doc = calloc(1, sizeof *doc);
    if (!doc) return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", name);
    snprintf(doc->name, sizeof doc->name, "%s", name);
    build b = {.doc = doc, .err = err, .errlen = errlen};
    if (!yaml_parser_initialize(&b.parser)) {
        free(doc);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", name);
    }
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
    int rc = LJ_OK;
    yaml_event_t e;
    /* STREAM_START, then DOCUMENT_START or STREAM_END (empty file). */
    if ((rc = next_event(&b, &e))) goto done;
    yaml_event_delete(&e);
    if ((rc = next_event(&b, &e))) goto done;
    if (e.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&e);
        doc->empty = 1;
        goto done;
    }
    yaml_event_delete(&e);
    if ((rc = next_event(&b, &e))) goto done;
    int line = (int)e.start_mark.line + 1, col = (int)e.start_mark.column + 1;
    if (e.type != YAML_MAPPING_START_EVENT) {
        yaml_event_delete(&e);
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: expected 'key: value' lines at the top level",
                     name, line, col);
        goto done;
    }
    if ((rc = build_node(&b, &e, &doc->root, 0))) goto done;
    if ((rc = next_event(&b, &e))) goto done; /* DOCUMENT_END */
    yaml_event_delete(&e);
    if ((rc = next_event(&b, &e))) goto done;
    if (e.type != YAML_STREAM_END_EVENT)
        rc = lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%zu:%zu: expected one YAML document, found a second",
                     name, e.start_mark.line + 1, e.start_mark.column + 1);
    yaml_event_delete(&e);
done:
    yaml_parser_delete(&b.parser);
    if (rc) {
        cfg_destroy(doc);
        return rc;
    }
    *out = doc;
    return LJ_OK;
}

int cfg_load_file(const char *path, cfg_doc **out, char *err, size_t errlen) {
    uint8_t *data;
    size_t len;
    *out = NULL;
    int rc = lj_file_read(path, &data, &len, err, errlen);
    if (rc) return rc;
    rc = cfg_load_mem((const char *)data, len, path, out, err, errlen);
    free(data);
    return rc;
}

cfg_node *cfg_root(cfg_doc *doc) { return doc->empty ? NULL : &doc->root; }
const char *cfg_name(const cfg_doc *doc) { return doc->name; }

/* ---- getters ---------------------------------------------------------------- */

cfg_node *cfg_get(cfg_node *map, const char *key) {
    if (!map || map->kind != CFG_MAP) return NULL;
    int seen = 0;
    for (size_t i = 0; i < map->n_asked; i++) seen |= !strcmp(map->asked[i], key);
    if (!seen && map->n_asked < sizeof map->asked / sizeof *map->asked) map->asked[map->n_asked++] = key;
    for (size_t i = 0; i < map->n_items; i++)
        if (!strcmp(map->items[i].key, key)) {
            map->items[i].used = 1;
            return &map->items[i];
        }
    return NULL;
}

static const char *kind_name(const cfg_node *n) {
    return n->kind == CFG_MAP ? "a map" : n->kind == CFG_SEQ ? "a list" : "a value";
}

/* Common lookup: *n = child or NULL; an error if required and absent. */
static int lookup(cfg_doc *d, cfg_node *map, const char *key, int required, cfg_node **n,
                  char *err, size_t errlen) {
    *n = cfg_get(map, key);
    if (!*n && required) {
        if (map)
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: missing required key '%s'%s%s%s",
                           d->name, map->line, map->col, key, map->key ? " in '" : "",
                           map->key ? map->key : "", map->key ? "'" : "");
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s: missing required key '%s'", d->name, key);
    }
    return LJ_OK;
}

/* What a scalar that is not the number or boolean asked for was, for "found
 * ...": 'hot' as written, or, quoted, the string "90", and when it would be
 * the value asked for without them (fits_unquoted), that the quotes made it
 * text: tempo: "90" looks like a number to whoever wrote it. */
static const char *found_scalar(const cfg_node *n, int fits_unquoted, char *buf, size_t buflen) {
    if (n->quoted)
        snprintf(buf, buflen, "the quoted string %c%.200s%c%s", n->quoted, n->value, n->quoted,
                 fits_unquoted ? " (quotes make it text: write it without them)" : "");
    else
        snprintf(buf, buflen, "'%.200s'", n->value);
    return buf;
}

static int want_scalar(cfg_doc *d, cfg_node *n, const char *what, char *err, size_t errlen) {
    if (n->kind != CFG_SCALAR)
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: '%s': expected %s, found %s", d->name,
                       n->line, n->col, n->key ? n->key : "item", what, kind_name(n));
    return LJ_OK;
}

int cfg_map(cfg_doc *d, cfg_node *map, const char *key, int required, cfg_node **out,
            char *err, size_t errlen) {
    cfg_node *n;
    int rc = lookup(d, map, key, required, &n, err, errlen);
    if (rc || !n) return rc;
    if (n->kind != CFG_MAP)
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: '%s': expected a map of 'key: value', found %s",
                       d->name, n->line, n->col, key, kind_name(n));
    *out = n;
    return LJ_OK;
}

int cfg_seq(cfg_doc *d, cfg_node *map, const char *key, int required, cfg_node **out,
            char *err, size_t errlen) {
    cfg_node *n;
    int rc = lookup(d, map, key, required, &n, err, errlen);
    if (rc || !n) return rc;
    if (n->kind != CFG_SEQ)
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: '%s': expected a list, found %s", d->name,
                       n->line, n->col, key, kind_name(n));
    *out = n;
    return LJ_OK;
}

int cfg_node_int(cfg_doc *d, cfg_node *n, long min, long max, long *out, char *err,
                 size_t errlen) {
    int rc = want_scalar(d, n, "an integer", err, errlen);
    if (rc) return rc;
    char *end;
    errno = 0;
    long v = strtol(n->value, &end, 10);
    char found[320];
    int is_int = !errno && end != n->value && !*end;
    if (n->quoted || !is_int)
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: '%s': expected an integer, found %s", d->name,
                       n->line, n->col, n->key ? n->key : "item", found_scalar(n, is_int, found, sizeof found));
    if (v < min || v > max)
        return lj_fail(err, errlen, LJ_ERR_RANGE, "%s:%d:%d: '%s': %ld is out of range %ld..%ld",
                       d->name, n->line, n->col, n->key ? n->key : "item", v, min, max);
    *out = v;
    return LJ_OK;
}

int cfg_node_float(cfg_doc *d, cfg_node *n, double min, double max, double *out, char *err,
                   size_t errlen) {
    int rc = want_scalar(d, n, "a number", err, errlen);
    if (rc) return rc;
    char *end;
    errno = 0;
    double v = strtod(n->value, &end);
    char found[320];
    int is_number = !errno && end != n->value && !*end && isfinite(v);
    if (n->quoted || !is_number)
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: '%s': expected a number, found %s", d->name,
                       n->line, n->col, n->key ? n->key : "item", found_scalar(n, is_number, found, sizeof found));
    if (v < min || v > max)
        return lj_fail(err, errlen, LJ_ERR_RANGE, "%s:%d:%d: '%s': %g is out of range %g..%g", d->name,
                       n->line, n->col, n->key ? n->key : "item", v, min, max);
    *out = v;
    return LJ_OK;
}

int cfg_node_string(cfg_doc *d, cfg_node *n, char *buf, size_t buflen, char *err,
                    size_t errlen) {
    int rc = want_scalar(d, n, "a string", err, errlen);
    if (rc) return rc;
    size_t len = strlen(n->value);
    if (len >= buflen)
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "%s:%d:%d: '%s': longer than %zu characters",
                       d->name, n->line, n->col, n->key ? n->key : "item", buflen - 1);
    memcpy(buf, n->value, len + 1);
    return LJ_OK;
}

int cfg_node_path(cfg_doc *d, cfg_node *n, const char *dir, char *buf, size_t buflen, char *err,
                  size_t errlen) {
    char path[4096];
    int rc = cfg_node_string(d, n, path, sizeof path, err, errlen);
    if (rc) return rc;
    if (!path[0])
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: '%s': expected a path, found an empty string",
                       d->name, n->line, n->col, n->key ? n->key : "item");
    int len = path[0] == '/' || !dir || !dir[0] ? snprintf(buf, buflen, "%s", path)
                                                : snprintf(buf, buflen, "%s/%s", dir, path);
    if (len < 0 || (size_t)len >= buflen)
        return lj_fail(err, errlen, LJ_ERR_LIMIT, "%s:%d:%d: '%s': path longer than %zu characters",
                       d->name, n->line, n->col, n->key ? n->key : "item", buflen - 1);
    return LJ_OK;
}

int cfg_path(cfg_doc *d, cfg_node *map, const char *key, int required, const char *dir, char *buf,
             size_t buflen, char *err, size_t errlen) {
    cfg_node *n;
    int rc = lookup(d, map, key, required, &n, err, errlen);
    return (rc || !n) ? rc : cfg_node_path(d, n, dir, buf, buflen, err, errlen);
}

int cfg_int(cfg_doc *d, cfg_node *map, const char *key, int required, long min, long max,
            long *out, char *err, size_t errlen) {
    cfg_node *n;
    int rc = lookup(d, map, key, required, &n, err, errlen);
    return (rc || !n) ? rc : cfg_node_int(d, n, min, max, out, err, errlen);
}

int cfg_float(cfg_doc *d, cfg_node *map, const char *key, int required, double min,
              double max, double *out, char *err, size_t errlen) {
    cfg_node *n;
    int rc = lookup(d, map, key, required, &n, err, errlen);
    return (rc || !n) ? rc : cfg_node_float(d, n, min, max, out, err, errlen);
}

int cfg_string(cfg_doc *d, cfg_node *map, const char *key, int required, char *buf,
               size_t buflen, char *err, size_t errlen) {
    cfg_node *n;
    int rc = lookup(d, map, key, required, &n, err, errlen);
    return (rc || !n) ? rc : cfg_node_string(d, n, buf, buflen, err, errlen);
}

/* A YAML boolean as written: 1 true/yes/on, 0 false/no/off, -1 other text. */
static int false_or_true(const char *v) {
    if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on")) return 1;
    if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off")) return 0;
    return -1;
}

int cfg_bool(cfg_doc *d, cfg_node *map, const char *key, int required, int *out, char *err,
             size_t errlen) {
    cfg_node *n;
    int rc = lookup(d, map, key, required, &n, err, errlen);
    if (rc || !n) return rc;
    if ((rc = want_scalar(d, n, "true or false", err, errlen))) return rc;
    if (!n->quoted && false_or_true(n->value) >= 0) {
        *out = false_or_true(n->value);
        return LJ_OK;
    }
    char found[320];
    int is_bool = false_or_true(n->value) >= 0;
    return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: '%s': expected true or false, found %s", d->name,
                   n->line, n->col, key, found_scalar(n, is_bool, found, sizeof found));
}

int cfg_enum(cfg_doc *d, cfg_node *map, const char *key, int required,
             const char *const *names, int *out, char *err, size_t errlen) {
    cfg_node *n;
    int rc = lookup(d, map, key, required, &n, err, errlen);
    if (rc || !n) return rc;
    if ((rc = want_scalar(d, n, "a name", err, errlen))) return rc;
    for (int i = 0; names[i]; i++)
        if (!strcmp(n->value, names[i])) {
            *out = i;
            return LJ_OK;
        }
    char list[512] = "";
    size_t at = 0;
    for (int i = 0; names[i] && at < sizeof list; i++)
        at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", names[i]);
    return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: '%s': expected one of %s; found '%s'", d->name,
                   n->line, n->col, key, list, n->value);
}

/* ---- unknown keys --------------------------------------------------------- */

static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t sub = prev + (a[i - 1] != b[j - 1]);
            size_t del = row[j] + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            prev = cur;
        }
    }
    return row[lb];
}

static int unknown_in(cfg_doc *d, cfg_node *map, const char *section, char *err, size_t errlen) {
    for (size_t i = 0; i < map->n_items; i++) {
        cfg_node *c = &map->items[i];
        if (c->used) continue;
        const char *best = NULL;
        size_t best_d = 4;
        char list[600] = "";
        size_t at = 0;
        for (size_t k = 0; k < map->n_asked; k++) {
            size_t dist = edit_distance(c->key, map->asked[k]);
            if (dist < best_d) {
                best_d = dist;
                best = map->asked[k];
            }
            if (at < sizeof list)
                at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", k ? ", " : "", map->asked[k]);
        }
        char hint[800] = "";
        if (best) snprintf(hint, sizeof hint, " (did you mean '%s'?)", best);
        else if (map->n_asked) snprintf(hint, sizeof hint, " (expected one of: %s)", list);
        if (section)
            return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: unknown key '%s' in '%s'%s", d->name,
                           c->key_line, c->key_col, c->key, section, hint);
        return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d:%d: unknown key '%s'%s", d->name, c->key_line,
                       c->key_col, c->key, hint);
    }
    return LJ_OK;
}

int cfg_check_unknown(cfg_doc *d, cfg_node *node, char *err, size_t errlen) {
    if (!node) return LJ_OK;
    int rc;
    if (node->kind == CFG_MAP && (rc = unknown_in(d, node, node->key, err, errlen))) return rc;
    for (size_t i = 0; i < node->n_items; i++) {
        cfg_node *c = &node->items[i];
        /* Only descend into what was read: an unread subtree is reported as
         * its unknown key above. */
        if ((node->kind == CFG_SEQ || c->used) && (rc = cfg_check_unknown(d, c, err, errlen))) return rc;
    }
    return LJ_OK;
}
