#include "files.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lj_status.h"

int lj_file_read(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen) {
    *data = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        /* A path the user named that is not there is bad usage (exit 2, like
         * any other bad argument); a file that exists but cannot be read is a
         * system failure (exit 1). */
        int e = errno;
        int usage = e == ENOENT || e == ENOTDIR || e == EISDIR;
        return lj_fail(err, errlen, usage ? LJ_ERR_ARG : LJ_ERR_IO, "%s: cannot open: %s", path,
                       strerror(e));
    }
    /* fopen takes a folder on Linux and only the first read fails (EISDIR):
     * say what it is, as the user's mistake (exit 2), not "read error" (1). */
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: is a folder (expected a file)", path);
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap + 1);
    if (!buf) {
        fclose(fp);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", path);
    }
    for (;;) {
        if (n == cap) {
            if (cap >= LJ_FILE_MAX_BYTES) {
                free(buf);
                fclose(fp);
                return lj_fail(err, errlen, LJ_ERR_LIMIT, "%s: larger than %zu MiB", path,
                               LJ_FILE_MAX_BYTES >> 20);
            }
            uint8_t *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                fclose(fp);
                return lj_fail(err, errlen, LJ_ERR_NOMEM, "%s: out of memory", path);
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0) break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return lj_fail(err, errlen, LJ_ERR_IO, "%s: read error", path);
    }
    buf[n] = 0;
    *data = buf;
    *len = n;
    return LJ_OK;
}

int lj_atomic_open(lj_atomic_file *f, const char *path, char *err, size_t errlen) {
    memset(f, 0, sizeof *f);
    if (strlen(path) + 16 >= sizeof f->tmp_path)
        return lj_fail(err, errlen, LJ_ERR_ARG, "%s: path too long", path);
    snprintf(f->path, sizeof f->path, "%s", path);
    snprintf(f->tmp_path, sizeof f->tmp_path, "%s.tmpXXXXXX", path);
    int fd = mkstemp(f->tmp_path);
    if (fd < 0) {
        /* A folder that does not exist (or is a file) is a mistake in the path
         * the user typed, exit 2 like a missing input; a folder that exists but
         * cannot be written (permissions, full disk) is the system's, exit 1. */
        int e = errno;
        int user = e == ENOENT || e == ENOTDIR;
        return lj_fail(err, errlen, user ? LJ_ERR_ARG : LJ_ERR_IO, "%s: cannot create%s: %s", path,
                       user ? " (its folder does not exist)" : "", strerror(e));
    }
    /* mkstemp creates 0600; give the file the mode a plain fopen would. */
    mode_t um = umask(0);
    umask(um);
    if (fchmod(fd, 0666 & ~um) != 0) { /* harmless: the file stays private */
    }
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        close(fd);
        unlink(f->tmp_path);
        return lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    return LJ_OK;
}

int lj_atomic_commit(lj_atomic_file *f, char *err, size_t errlen) {
    FILE *fp = f->fp;
    f->fp = NULL;
    int bad = fflush(fp) != 0 || ferror(fp) || (!f->no_sync && fsync(fileno(fp)) != 0);
    int e = errno;
    if (fclose(fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        unlink(f->tmp_path);
        return lj_fail(err, errlen, LJ_ERR_IO, "%s: write failed: %s", f->path, strerror(e));
    }
    if (rename(f->tmp_path, f->path) != 0) {
        e = errno;
        unlink(f->tmp_path);
        return lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot rename into place: %s", f->path,
                       strerror(e));
    }
    return LJ_OK;
}

void lj_atomic_abort(lj_atomic_file *f) {
    if (f->fp) {
        fclose(f->fp);
        f->fp = NULL;
    }
    if (f->tmp_path[0]) unlink(f->tmp_path);
}

static int write_whole(const char *path, const void *data, size_t len, int no_sync, char *err,
                       size_t errlen) {
    lj_atomic_file f;
    int rc = lj_atomic_open(&f, path, err, errlen);
    if (rc) return rc;
    f.no_sync = no_sync;
    if (len && fwrite(data, 1, len, f.fp) != len) {
        int e = errno;
        lj_atomic_abort(&f);
        return lj_fail(err, errlen, LJ_ERR_IO, "%s: write failed: %s", path, strerror(e));
    }
    return lj_atomic_commit(&f, err, errlen);
}

int lj_file_write_atomic(const char *path, const void *data, size_t len, char *err,
                         size_t errlen) {
    return write_whole(path, data, len, 0, err, errlen);
}

int lj_file_write_replace(const char *path, const void *data, size_t len, char *err,
                          size_t errlen) {
    return write_whole(path, data, len, 1, err, errlen);
}

const char *lj_file_base(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

const char *lj_file_ext(const char *path, char *buf, size_t buflen) {
    const char *base = lj_file_base(path);
    const char *dot = strrchr(base, '.');
    size_t i = 0;
    if (dot && buflen)
        for (dot++; *dot && i + 1 < buflen; dot++) buf[i++] = (char)tolower((unsigned char)*dot);
    if (buflen) buf[i] = 0;
    return buf;
}

void lj_project_dirs(const char *sub, char out[2][LJ_PROJECT_PATH_MAX]) {
    snprintf(out[0], LJ_PROJECT_PATH_MAX, "%s", sub);
    out[1][0] = 0;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return;
    exe[n] = 0;
    for (int up = 0; up < 2; up++) { /* strip the file name, then the build folder */
        char *slash = strrchr(exe, '/');
        if (!slash) return;
        *slash = 0;
    }
    snprintf(out[1], LJ_PROJECT_PATH_MAX, "%s/%s", exe, sub);
}
