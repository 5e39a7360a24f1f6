#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "engine/engine.h"

int cli_exit_code(int status) {
    switch (status) {
    case LJ_OK: return LJ_EXIT_OK;
    case LJ_ERR_PARSE:
    case LJ_ERR_UNSUPPORTED:
    case LJ_ERR_ARG:
    case LJ_ERR_RANGE:
    case LJ_ERR_LIMIT: return LJ_EXIT_BAD_INPUT;
    default: return LJ_EXIT_FAIL;
    }
}

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("lstmjam: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

long cli_parse_long(const char *opt, const char *value, long min, long max) {
    if (!value) {
        cli_error("%s needs a value", opt);
        return -1;
    }
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < min || v > max) {
        cli_error("%s: expected an integer in %ld..%ld, found '%s'", opt, min, max, value);
        return -1;
    }
    return v;
}

int cli_parse_double(const char *opt, const char *value, double lo, double hi, double *out) {
    char *end;
    double d = value ? strtod(value, &end) : 0;
    if (!value || !*value || *end || !(d >= lo && d <= hi)) {
        cli_error("%s: expected a number %g..%g, found '%s'", opt, lo, hi, value ? value : "");
        return -1;
    }
    *out = d;
    return 0;
}

int cli_parse_reseed(const char *opt, const char *value, double *out) {
    double d;
    if (cli_parse_double(opt, value, 0, ENGINE_MAX_RESEED_SECONDS, &d)) return -1;
    if (d > 0 && d < ENGINE_MIN_RESEED_SECONDS) {
        cli_error("%s: expected 0 (never) or %g..%g seconds, found '%s' (a fresh start that often "
                  "leaves pieces of a few notes)",
                  opt, ENGINE_MIN_RESEED_SECONDS, ENGINE_MAX_RESEED_SECONDS, value);
        return -1;
    }
    *out = d;
    return 0;
}

void cli_warn(void *user, const char *msg) {
    cli_warnings *w = user;
    w->count++;
    if (w->quiet || (!w->verbose && w->count > CLI_WARN_SHOWN)) return;
    fprintf(stderr, "lstmjam: warning: %s\n", msg);
}

void cli_warn_summary(const cli_warnings *w) {
    if (w->quiet || w->verbose || w->count <= CLI_WARN_SHOWN) return;
    fprintf(stderr, "lstmjam: ... and %zu more warnings (-v shows all, -q none)\n",
            w->count - CLI_WARN_SHOWN);
}
