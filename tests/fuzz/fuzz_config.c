/* Fuzz harness: YAML config loader and its getters on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static void walk(cfg_doc *d, cfg_node *n, int depth) {
    char err[256], buf[64];
    long i;
    double f;
    if (!n || depth > 80) return;
    if (n->kind == CFG_SCALAR) {
        cfg_node_int(d, n, -1000, 1000, &i, err, sizeof err);
        cfg_node_float(d, n, -1e9, 1e9, &f, err, sizeof err);
        cfg_node_string(d, n, buf, sizeof buf, err, sizeof err);
        return;
    }
    for (size_t k = 0; k < n->n_items; k++) {
        if (n->kind == CFG_MAP && (k & 1)) cfg_get(n, n->items[k].key);
        walk(d, &n->items[k], depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512];
    cfg_doc *d = NULL;
    if (cfg_load_mem((const char *)data, size, "fuzz.yaml", &d, err, sizeof err) == LJ_OK) {
        cfg_node *root = cfg_root(d);
        long v;
        cfg_int(d, root, "a", 0, 0, 10, &v, err, sizeof err);
        walk(d, root, 0);
        cfg_check_unknown(d, root, err, sizeof err);
        cfg_destroy(d);
    }
    return 0;
}
