#include "lj_status.h"

#include <stdarg.h>
#include <stdio.h>

const char *lj_strerror(int status) {
    switch (status) {
    case LJ_OK: return "success";
    case LJ_ERR_NOMEM: return "out of memory";
    case LJ_ERR_IO: return "input/output error";
    case LJ_ERR_PARSE: return "parse error";
    case LJ_ERR_UNSUPPORTED: return "unsupported feature";
    case LJ_ERR_ARG: return "invalid argument";
    case LJ_ERR_RANGE: return "value out of range";
    case LJ_ERR_LIMIT: return "input exceeds a safety limit";
    default: return "unknown status";
    }
}

int lj_fail(char *err, size_t errlen, int status, const char *fmt, ...) {
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return status;
}
