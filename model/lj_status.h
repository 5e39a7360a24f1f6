/* lj_status: the status codes every lstmjam layer returns, and error-buffer helpers.
 *
 * It lives in model/, the lowest library, so that model/, dsp/ and src/ share one
 * enum (PortAudio's PaError, zlib's Z_* codes). Setup calls that can fail take
 * `char *err, size_t errlen` and fill it with context (file, position, expected,
 * found, hint); `err` may be NULL. There is no global error string. */
#ifndef LJ_STATUS_H
#define LJ_STATUS_H

#include <stddef.h>

typedef enum lj_status {
    LJ_OK = 0,
    LJ_ERR_NOMEM = -1,       /* an allocation failed */
    LJ_ERR_IO = -2,          /* open/read/write/rename failed (errno in the message) */
    LJ_ERR_PARSE = -3,       /* malformed input: the message names file and position */
    LJ_ERR_UNSUPPORTED = -4, /* well-formed input using a feature lstmjam refuses */
    LJ_ERR_ARG = -5,         /* bad argument or option from the caller or the user */
    LJ_ERR_RANGE = -6,       /* a value outside what the format or the model allows */
    LJ_ERR_LIMIT = -7        /* input larger than a documented safety limit */
} lj_status;

/* A static, human-readable name for a status code ("parse error").
 * Never NULL, also for unknown codes. Thread: any. */
const char *lj_strerror(int status);

/* Formats a message into err (if non-NULL), always NUL-terminated and truncated
 * to errlen, then returns `status` so a caller can write
 * `return lj_fail(err, errlen, LJ_ERR_PARSE, "%s:%d: ...", ...)`. Thread: any. */
int lj_fail(char *err, size_t errlen, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Receiver of non-fatal diagnostics (a kern bar that does not fill its meter, an
 * ABC construct read past). `msg` is valid only during the call. */
typedef void (*lj_warn_fn)(void *user, const char *msg);

#endif
