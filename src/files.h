/* files: whole-file reads with a size limit, and atomic writes (temp file in the
 * same folder, fsync, rename) so that a failed write never leaves a half file. */
#ifndef LJ_FILES_H
#define LJ_FILES_H

#include <stddef.h>
#include <stdint.h>

#define LJ_FILE_MAX_BYTES ((size_t)256 << 20) /* refuse inputs over 256 MiB */

/* Reads path into a new malloc'd buffer with one extra NUL byte after the data
 * (text parsers may rely on it; it is not counted in *len). A path that does
 * not exist or is a folder is LJ_ERR_ARG (the user's mistake: exit 2), other
 * open and read failures LJ_ERR_IO. Thread: control. */
int lj_file_read(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen);

/* Writes len bytes to path atomically and durably (temp, fsync, rename): for
 * checkpoints and models, which must survive a crash. Thread: control. */
int lj_file_write_atomic(const char *path, const void *data, size_t len, char *err,
                         size_t errlen);
/* The same without the fsync: still never a half file at path if the program
 * fails or is killed, but not guaranteed on disk after a power loss. For bulk
 * outputs (a book converted to a thousand MIDI files), where a sync per file
 * would dominate the run time. Thread: control. */
int lj_file_write_replace(const char *path, const void *data, size_t len, char *err,
                          size_t errlen);

/* An atomic-write session for output produced piece by piece: open a temp file
 * beside `path`, write through `fp`, then commit (fsync + rename) or abort
 * (remove the temp). */
typedef struct lj_atomic_file {
    void *fp;            /* FILE*, open for writing */
    char tmp_path[4096]; /* temp file beside the target */
    char path[4096];     /* target */
    int no_sync;         /* 1: skip the fsync in commit (lj_file_write_replace) */
} lj_atomic_file;
int lj_atomic_open(lj_atomic_file *f, const char *path, char *err, size_t errlen);
int lj_atomic_commit(lj_atomic_file *f, char *err, size_t errlen);
void lj_atomic_abort(lj_atomic_file *f);

/* The extension of path after the last '.', lower-cased into buf ("" if none). */
const char *lj_file_ext(const char *path, char *buf, size_t buflen);
/* The file name without folders. */
const char *lj_file_base(const char *path);

/* The two places a project folder `sub` (soundfonts, presets) is looked for:
 * out[0] = "sub" (the working directory) and, for a binary at
 * PROJECT/BUILD/lstmjam, out[1] = "PROJECT/sub" ("" when /proc/self/exe is
 * unreadable). Thread: any. */
#define LJ_PROJECT_PATH_MAX 4200
void lj_project_dirs(const char *sub, char out[2][LJ_PROJECT_PATH_MAX]);

#endif
