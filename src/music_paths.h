/* music_paths: the music files a command is given, as a user names them: files
 * (any name) and folders searched recursively for the formats lstmjam reads
 * (score_format_of_path: .mid, .abc, .krn, .json, ...), each folder's entries
 * in name order, hidden entries skipped. Used by `encode` and `eval
 * --generated/--reference`. Thread: control. */
#ifndef LJ_MUSIC_PATHS_H
#define LJ_MUSIC_PATHS_H

#include <stddef.h>

typedef struct lj_path_list {
    char **items; /* n owned paths */
    size_t n, cap;
} lj_path_list;

/* Appends a copy of p. LJ_OK or LJ_ERR_NOMEM (the list unchanged). */
int lj_path_list_push(lj_path_list *l, const char *p);

/* Frees the paths and leaves an empty list. */
void lj_path_list_free(lj_path_list *l);

/* Adds path itself when it is a file, or the music files under it when it is
 * a folder (at most 32 folders deep). Errors, with the path in err:
 * LJ_ERR_ARG (no such file or folder), LJ_ERR_LIMIT (too deep, path too
 * long), LJ_ERR_IO (a folder that cannot be opened), LJ_ERR_NOMEM. */
int lj_collect_music_files(lj_path_list *l, const char *path, char *err, size_t errlen);

#endif
