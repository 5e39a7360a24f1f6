/* config: YAML files (training configs, presets) read with libyaml into a small
 * tree that remembers line and column of every node, and typed getters that
 * validate as they read. Every problem is an error naming file:line:col, what
 * was expected and what was found; keys nobody asked for are errors too
 * ("unknown key 'lerning_rate' in 'optimizer' (did you mean 'learning_rate'?)").
 *
 * Use: cfg_load_file, then read each section with cfg_map/cfg_int/cfg_float/
 * cfg_string/cfg_bool/cfg_enum/cfg_seq, then cfg_check_unknown(root) once at
 * the end. The document owns every node and string; they live until
 * cfg_destroy. Thread: control (all functions). */
#ifndef LJ_CONFIG_H
#define LJ_CONFIG_H

#include <stddef.h>

#include "lj_status.h"

typedef enum cfg_kind { CFG_SCALAR = 0, CFG_MAP, CFG_SEQ } cfg_kind;

typedef struct cfg_node cfg_node;
struct cfg_node {
    cfg_kind kind;
    int line, col;      /* 1-based position of the value in the file */
    const char *key;    /* key when this node is a map value, else NULL */
    int key_line, key_col; /* 1-based position of the key */
    const char *value;  /* scalar text (CFG_SCALAR), else NULL */
    int quoted;         /* scalar was quoted: its quote character ' or ", else 0;
                           a quoted scalar is never a number or bool */
    cfg_node *items;    /* children (map values in order, or sequence items) */
    size_t n_items;
    int used;           /* set when a getter read it (for cfg_check_unknown) */
    const char *asked[32]; /* keys a getter asked this map for (hints) */
    size_t n_asked;
};

typedef struct cfg_doc cfg_doc;

/* Parses YAML (one document; anchors, aliases and tags are refused). `name` is
 * used in messages. Limits: 64 nesting levels, 1,000,000 nodes. */
int cfg_load_mem(const char *text, size_t len, const char *name, cfg_doc **out, char *err,
                 size_t errlen);
int cfg_load_file(const char *path, cfg_doc **out, char *err, size_t errlen);
void cfg_destroy(cfg_doc *doc); /* NULL is a no-op */

/* The root node (a map, or NULL for an empty document). */
cfg_node *cfg_root(cfg_doc *doc);
/* The document's name for messages. */
const char *cfg_name(const cfg_doc *doc);

/* Child of a map by key, marking it used; NULL when absent. */
cfg_node *cfg_get(cfg_node *map, const char *key);

/* Typed getters. Each looks up `key` in `map`; when absent it leaves *out
 * unchanged and returns LJ_OK unless `required`. Wrong type or out of range:
 * LJ_ERR_PARSE / LJ_ERR_RANGE with a message. */
int cfg_map(cfg_doc *d, cfg_node *map, const char *key, int required, cfg_node **out,
            char *err, size_t errlen);
int cfg_seq(cfg_doc *d, cfg_node *map, const char *key, int required, cfg_node **out,
            char *err, size_t errlen);
int cfg_int(cfg_doc *d, cfg_node *map, const char *key, int required, long min, long max,
            long *out, char *err, size_t errlen);
int cfg_float(cfg_doc *d, cfg_node *map, const char *key, int required, double min,
              double max, double *out, char *err, size_t errlen);
int cfg_bool(cfg_doc *d, cfg_node *map, const char *key, int required, int *out, char *err,
             size_t errlen);
/* Copies the scalar into buf (LJ_ERR_LIMIT if it does not fit). */
int cfg_string(cfg_doc *d, cfg_node *map, const char *key, int required, char *buf,
               size_t buflen, char *err, size_t errlen);
/* *out = index of the scalar in names (NULL-terminated list). */
int cfg_enum(cfg_doc *d, cfg_node *map, const char *key, int required,
             const char *const *names, int *out, char *err, size_t errlen);

/* Scalar conversions of a node already in hand (sequence items). */
int cfg_node_int(cfg_doc *d, cfg_node *n, long min, long max, long *out, char *err,
                 size_t errlen);
int cfg_node_float(cfg_doc *d, cfg_node *n, double min, double max, double *out, char *err,
                   size_t errlen);
int cfg_node_string(cfg_doc *d, cfg_node *n, char *buf, size_t buflen, char *err,
                    size_t errlen);

/* A path: the scalar, resolved against `dir` when relative (dir NULL or "":
 * as written). LJ_ERR_LIMIT when the result does not fit buflen. */
int cfg_node_path(cfg_doc *d, cfg_node *n, const char *dir, char *buf, size_t buflen, char *err,
                  size_t errlen);
int cfg_path(cfg_doc *d, cfg_node *map, const char *key, int required, const char *dir, char *buf,
             size_t buflen, char *err, size_t errlen);

/* The first key under `node` (recursively, in file order) that no getter read:
 * LJ_ERR_PARSE "file:line:col: unknown key 'x' in 'section' (did you mean
 * 'y'?; expected one of: ...)". Maps inside sequences are checked too. */
int cfg_check_unknown(cfg_doc *d, cfg_node *node, char *err, size_t errlen);

#endif
