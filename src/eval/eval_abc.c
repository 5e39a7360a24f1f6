/* eval_abc: lstmjam eval --abc (see eval_abc.h). */
#include "eval_abc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "abc.h"
#include "cli.h"
#include "files.h"
#include "music_paths.h"

extern char **environ;

#define ABC2MIDI_TIMEOUT_MS 10000
#define EVAL_ABC_MSG 240 /* bytes kept of each reader's first message */
#define EVAL_ABC_DIR 1024 /* the temporary folder's path */

static const char *help =
    "usage: lstmjam eval --abc FILE.abc|FOLDER... [options]\n"
    "\n"
    "The acceptance of ABC tunes (what an ABC model generates): each file is cut\n"
    "into tunes at its X: lines (a file header goes in front of each), and each\n"
    "tune is read by lstmjam's reader (read: no error), by its stream reader\n"
    "(the errors it reads past, as when it plays generated text), and by\n"
    "abc2midi when installed (accepted: it prints no \"Error\" line and writes a\n"
    "MIDI file, within 10 s; abc2midi exits 0 even after errors). Prints the\n"
    "shares and the first rejected tunes.\n"
    "\n"
    "options:\n"
    "  --abc X...        ABC files, or folders (their .abc files, recursively);\n"
    "                    every argument up to the next option\n"
    "  --abc2midi PATH   the abc2midi to run (default: abc2midi on PATH)\n"
    "  --no-abc2midi     lstmjam's readers only\n"
    "  --show N          rejected tunes listed (default 5; --json lists all)\n"
    "  --json            print one JSON object instead of text\n"
    "  -q, --quiet       no progress output\n"
    "\n"
    "exit status: 0 done (whatever the shares), 1 system error, 2 bad input or usage\n";

int eval_abc_wanted(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--abc")) return 1;
    return 0;
}

/* One tune's verdicts. */
typedef struct abc_verdict {
    const char *file;
    int line;                  /* of its X: line (1 when the file has none) */
    char x[24];                /* its X: value */
    int read;                  /* lstmjam's reader: no error, a tune */
    size_t warnings;           /* constructs the reader read past */
    long stream_errors;        /* stream reader resynchronisations */
    int abc2midi;              /* 1 accepted, 0 rejected, -1 not run */
    int abc2midi_warned;       /* a "Warning" line */
    int abc2midi_midi;         /* wrote a MIDI file */
    char read_msg[EVAL_ABC_MSG];     /* lstmjam's error, "" if none */
    char abc2midi_msg[EVAL_ABC_MSG]; /* abc2midi's first "Error" line or why it failed */
} abc_verdict;

static void count_warning(void *user, const char *msg) {
    (void)msg;
    (*(size_t *)user)++;
}

static void ignore_note(void *user, const score_note *n) {
    (void)user;
    (void)n;
}

/* lstmjam's two readers on one tune's text. LJ_OK or LJ_ERR_NOMEM. */
static int read_tune(const char *text, size_t len, abc_verdict *v) {
    abc_opts o;
    abc_opts_default(&o);
    o.warn = count_warning;
    o.warn_user = &v->warnings;
    score_book book = {0};
    int rc = abc_read_mem(text, len, v->file, &o, &book, v->read_msg, sizeof v->read_msg);
    if (rc == LJ_ERR_NOMEM) return rc;
    v->read = rc == LJ_OK && book.n > 0;
    if (rc == LJ_OK && book.n == 0) snprintf(v->read_msg, sizeof v->read_msg, "%s:%d: no tune read", v->file, v->line);
    else if (rc == LJ_OK) v->read_msg[0] = 0;
    score_book_clear(&book);
    char serr[EVAL_ABC_MSG] = "";
    abc_opts_default(&o);
    abc_stream *st = abc_stream_create(&o, ignore_note, NULL, serr, sizeof serr);
    if (!st) return LJ_ERR_NOMEM;
    rc = abc_stream_feed(st, text, len);
    if (!rc) rc = abc_stream_finish(st);
    v->stream_errors = abc_stream_errors(st);
    abc_stream_destroy(st);
    return rc;
}

/* abc2midi on PATH: its full path in out, or 0. */
static int find_on_path(const char *name, char *out, size_t outlen) {
    const char *path = getenv("PATH");
    if (!path) return 0;
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        if (n > 0 && (size_t)snprintf(out, outlen, "%.*s/%s", (int)n, path, name) < outlen && access(out, X_OK) == 0)
            return 1;
        path += n + (colon ? 1 : 0);
    }
    return 0;
}

/* Runs abc2midi on text (one tune) in dir; fills the abc2midi fields of v.
 * LJ_OK, or LJ_ERR_IO when the tune cannot be written or abc2midi started. */
static int run_abc2midi(const char *abc2midi, const char *dir, const char *text, size_t len, abc_verdict *v,
                        char *err, size_t errlen) {
    char abc[EVAL_ABC_DIR + 16], mid[EVAL_ABC_DIR + 16], log[EVAL_ABC_DIR + 16];
    snprintf(abc, sizeof abc, "%s/tune.abc", dir);
    snprintf(mid, sizeof mid, "%s/tune.mid", dir);
    snprintf(log, sizeof log, "%s/abc2midi.log", dir);
    remove(mid);
    FILE *f = fopen(abc, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
        if (f) fclose(f);
        return lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot write: %s", abc, strerror(errno));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    char *args[] = {(char *)abc2midi, abc, (char *)"-o", mid, NULL};
    pid_t pid;
    int sp = posix_spawn(&pid, abc2midi, &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (sp) return lj_fail(err, errlen, LJ_ERR_IO, "%s: cannot start: %s", abc2midi, strerror(sp));
    int status = 0, waited_ms = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) return lj_fail(err, errlen, LJ_ERR_IO, "waiting for abc2midi: %s", strerror(errno));
        if (waited_ms >= ABC2MIDI_TIMEOUT_MS) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        nanosleep(&(struct timespec){0, 2000000}, NULL);
        waited_ms += 2;
    }
    struct stat sb;
    v->abc2midi_midi = stat(mid, &sb) == 0 && sb.st_size > 0;
    int errors = 0;
    v->abc2midi_warned = 0;
    v->abc2midi_msg[0] = 0;
    FILE *lf = fopen(log, "rb");
    char line[512];
    while (lf && fgets(line, sizeof line, lf)) {
        line[strcspn(line, "\r\n")] = 0;
        if (strstr(line, "Error")) {
            if (!errors++) snprintf(v->abc2midi_msg, sizeof v->abc2midi_msg, "%.*s", EVAL_ABC_MSG - 1, line);
        } else if (strstr(line, "Warning")) {
            v->abc2midi_warned = 1;
        }
    }
    if (lf) fclose(lf);
    int exited0 = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (waited_ms >= ABC2MIDI_TIMEOUT_MS)
        snprintf(v->abc2midi_msg, sizeof v->abc2midi_msg, "no answer within %d s (killed)", ABC2MIDI_TIMEOUT_MS / 1000);
    else if (!exited0 && !errors)
        snprintf(v->abc2midi_msg, sizeof v->abc2midi_msg, "exit status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    else if (!errors && !v->abc2midi_midi)
        snprintf(v->abc2midi_msg, sizeof v->abc2midi_msg, "no MIDI file written");
    v->abc2midi = exited0 && !errors && v->abc2midi_midi && waited_ms < ABC2MIDI_TIMEOUT_MS;
    remove(abc);
    remove(mid);
    remove(log);
    return LJ_OK;
}

/* A growable list of verdicts. */
typedef struct verdicts {
    abc_verdict *v;
    size_t n, cap;
} verdicts;

static abc_verdict *verdict_add(verdicts *l) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        abc_verdict *p = realloc(l->v, cap * sizeof *p);
        if (!p) return NULL;
        l->v = p;
        l->cap = cap;
    }
    abc_verdict *v = &l->v[l->n++];
    memset(v, 0, sizeof *v);
    v->abc2midi = -1;
    return v;
}

static int is_x_line(const char *s, size_t at, size_t len) {
    return (at == 0 || s[at - 1] == '\n') && at + 1 < len && s[at] == 'X' && s[at + 1] == ':';
}

/* Every tune of one file through the readers and abc2midi (NULL: not run). */
static int eval_file(const char *path, const char *abc2midi, const char *dir, verdicts *out, char *err,
                     size_t errlen) {
    uint8_t *data;
    size_t len;
    int rc = lj_file_read(path, &data, &len, err, errlen);
    if (rc) return rc;
    const char *s = (const char *)data;
    size_t first = 0; /* the first X: line: the header is s[0..first) */
    while (first < len && !is_x_line(s, first, len)) first++;
    size_t header_lines = 0;
    for (size_t i = 0; i < first; i++) header_lines += s[i] == '\n';
    char *buf = malloc(len + 1 + (size_t)len); /* header + blank lines + tune: at most 2 len */
    if (!buf) {
        free(data);
        return lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
    }
    int blank = 1; /* a file of whitespace only holds no tune */
    for (size_t i = 0; i < len && blank; i++) blank = s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n';
    size_t at = first == len ? 0 : first, line = first == len ? 1 : header_lines + 1;
    while (!blank && at < len) {
        size_t end = at + 1;
        while (end < len && !is_x_line(s, end, len)) end++;
        abc_verdict *v = verdict_add(out);
        if (!v) {
            rc = lj_fail(err, errlen, LJ_ERR_NOMEM, "out of memory");
            break;
        }
        v->file = path;
        v->line = (int)line;
        size_t xl = 0;
        if (first < len)
            for (size_t i = at + 2; i < end && s[i] != '\n' && s[i] != '\r' && xl + 1 < sizeof v->x; i++)
                v->x[xl++] = s[i];
        /* the header, then blank lines up to the tune's own first line */
        size_t n = 0;
        if (first < len && at > first) {
            memcpy(buf, s, first);
            n = first;
            size_t tune_lines = 0;
            for (size_t i = first; i < at; i++) tune_lines += s[i] == '\n';
            memset(buf + n, '\n', tune_lines);
            n += tune_lines;
        } else if (first < len) {
            memcpy(buf, s, first);
            n = first;
        }
        memcpy(buf + n, s + at, end - at);
        n += end - at;
        if ((rc = read_tune(buf, n, v))) {
            rc = lj_fail(err, errlen, rc, "out of memory");
            break;
        }
        if (abc2midi && (rc = run_abc2midi(abc2midi, dir, buf, n, v, err, errlen))) break;
        for (size_t i = at; i < end; i++) line += s[i] == '\n';
        at = end;
    }
    free(buf);
    free(data);
    return rc;
}

static double share(size_t k, size_t n) { return n ? 100.0 * (double)k / (double)n : 0.0; }

/* The counts both outputs print. */
typedef struct abc_tally {
    size_t read, warned;        /* lstmjam's reader: read with no error; of those, with warnings */
    size_t stream_clean;        /* the stream reader read past no malformed text */
    long stream_errors;         /* errors it read past, all tunes */
    size_t acc, acc_warned;     /* abc2midi: accepted; of those, with warnings */
    size_t no_midi;             /* abc2midi: rejected without writing a MIDI file */
} abc_tally;

static abc_tally tally(const verdicts *l) {
    abc_tally t = {0};
    for (size_t i = 0; i < l->n; i++) {
        const abc_verdict *v = &l->v[i];
        t.read += v->read;
        t.warned += v->read && v->warnings;
        t.stream_clean += v->stream_errors == 0;
        t.stream_errors += v->stream_errors;
        t.acc += v->abc2midi == 1;
        t.acc_warned += v->abc2midi == 1 && v->abc2midi_warned;
        t.no_midi += v->abc2midi == 0 && !v->abc2midi_midi;
    }
    return t;
}

static int print_json(const verdicts *l, size_t n_files, const char *abc2midi) {
    const abc_tally t = tally(l);
    const size_t read = t.read, warned = t.warned, stream_clean = t.stream_clean, acc = t.acc,
                 acc_warned = t.acc_warned, no_midi = t.no_midi;
    const long stream_errors = t.stream_errors;
    cJSON *o = cJSON_CreateObject(), *r = cJSON_CreateObject(), *st = cJSON_CreateObject(), *rej = cJSON_CreateArray();
    cJSON_AddNumberToObject(o, "files", (double)n_files);
    cJSON_AddNumberToObject(o, "tunes", (double)l->n);
    cJSON_AddNumberToObject(r, "read", (double)read);
    cJSON_AddNumberToObject(r, "share", share(read, l->n) / 100);
    cJSON_AddNumberToObject(r, "read_with_warnings", (double)warned);
    cJSON_AddItemToObject(o, "lstmjam_reader", r);
    cJSON_AddNumberToObject(st, "tunes_without_errors", (double)stream_clean);
    cJSON_AddNumberToObject(st, "share", share(stream_clean, l->n) / 100);
    cJSON_AddNumberToObject(st, "errors_read_past", (double)stream_errors);
    cJSON_AddItemToObject(o, "stream_reader", st);
    if (abc2midi) {
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "path", abc2midi);
        cJSON_AddNumberToObject(a, "accepted", (double)acc);
        cJSON_AddNumberToObject(a, "share", share(acc, l->n) / 100);
        cJSON_AddNumberToObject(a, "accepted_with_warnings", (double)acc_warned);
        cJSON_AddNumberToObject(a, "rejected_without_midi", (double)no_midi);
        cJSON_AddItemToObject(o, "abc2midi", a);
    } else {
        cJSON_AddNullToObject(o, "abc2midi");
    }
    for (size_t i = 0; i < l->n; i++) {
        const abc_verdict *v = &l->v[i];
        if (v->read && v->abc2midi != 0 && v->stream_errors == 0) continue;
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "file", v->file);
        cJSON_AddNumberToObject(t, "line", v->line);
        cJSON_AddStringToObject(t, "x", v->x);
        if (v->read) cJSON_AddNullToObject(t, "lstmjam");
        else cJSON_AddStringToObject(t, "lstmjam", v->read_msg);
        cJSON_AddNumberToObject(t, "stream_errors", (double)v->stream_errors);
        if (v->abc2midi != 0) cJSON_AddNullToObject(t, "abc2midi");
        else cJSON_AddStringToObject(t, "abc2midi", v->abc2midi_msg);
        cJSON_AddItemToArray(rej, t);
    }
    cJSON_AddItemToObject(o, "rejected", rej);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text) {
        cli_error("out of memory");
        return LJ_EXIT_FAIL;
    }
    printf("%s\n", text);
    free(text);
    return LJ_EXIT_OK;
}

static void print_text(const verdicts *l, size_t n_files, const char *abc2midi, long show) {
    const abc_tally t = tally(l);
    const size_t read = t.read, warned = t.warned, stream_dirty = l->n - t.stream_clean, acc = t.acc,
                 acc_warned = t.acc_warned, no_midi = t.no_midi;
    const long stream_errors = t.stream_errors;
    printf("ABC acceptance of %zu tunes in %zu file%s\n", l->n, n_files, n_files == 1 ? "" : "s");
    printf("  lstmjam's reader read %zu of %zu tunes (%.1f%%) with no error, %zu of them with warnings\n", read, l->n,
           share(read, l->n), warned);
    printf("  lstmjam's stream reader read past malformed text in %zu of %zu tunes (%ld errors)\n", stream_dirty, l->n,
           stream_errors);
    if (abc2midi)
        printf("  abc2midi accepted %zu of %zu tunes (%.1f%%) with no error, %zu of them with warnings; %zu rejected "
               "without a MIDI file (%s)\n",
               acc, l->n, share(acc, l->n), acc_warned, no_midi, abc2midi);
    else
        printf("  abc2midi: not run (not found on PATH, or --no-abc2midi; Debian: apt-get install abcmidi)\n");
    long shown = 0;
    for (size_t i = 0; i < l->n && shown < show; i++) {
        const abc_verdict *v = &l->v[i];
        if (v->read && v->abc2midi != 0) continue;
        if (!shown++) printf("rejected tunes (first %ld):\n", show);
        printf("  %s:%d X:%s\n", v->file, v->line, v->x);
        if (!v->read) printf("    lstmjam: %s\n", v->read_msg);
        if (v->abc2midi == 0) printf("    abc2midi: %s\n", v->abc2midi_msg);
    }
}

int eval_abc_main(int argc, char **argv) {
    lj_path_list files = {0};
    const char *abc2midi_opt = NULL;
    int no_abc2midi = 0, json = 0, quiet = 0, code = LJ_EXIT_OK;
    long show = 5;
    char err[1024], abc2midi[4096], dir[EVAL_ABC_DIR] = "";
    verdicts l = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            lj_path_list_free(&files);
            return LJ_EXIT_OK;
        }
        if (!strcmp(a, "--abc")) {
            int any = 0;
            while (i + 1 < argc && argv[i + 1][0] != '-') {
                const char *p = argv[++i];
                struct stat sb;
                int rc;
                if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
                    lj_path_list found = {0};
                    rc = lj_collect_music_files(&found, p, err, sizeof err);
                    for (size_t k = 0; !rc && k < found.n; k++) {
                        char ext[16];
                        if (!strcmp(lj_file_ext(found.items[k], ext, sizeof ext), "abc"))
                            rc = lj_path_list_push(&files, found.items[k]);
                    }
                    lj_path_list_free(&found);
                } else {
                    rc = lj_path_list_push(&files, p);
                }
                if (rc) {
                    cli_error("%s", rc == LJ_ERR_NOMEM ? "out of memory" : err);
                    code = cli_exit_code(rc);
                    goto done;
                }
                any = 1;
            }
            if (!any) {
                cli_error("--abc needs ABC files or folders (see lstmjam eval --abc --help)");
                code = LJ_EXIT_BAD_INPUT;
                goto done;
            }
        } else if (!strcmp(a, "--abc2midi") && i + 1 < argc) {
            abc2midi_opt = argv[++i];
        } else if (!strcmp(a, "--no-abc2midi")) {
            no_abc2midi = 1;
        } else if (!strcmp(a, "--show") && i + 1 < argc) {
            if ((show = cli_parse_long(a, argv[++i], 0, 1000000)) < 0) {
                code = LJ_EXIT_BAD_INPUT;
                goto done;
            }
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else {
            cli_error(a[0] == '-' && strcmp(a, "--abc2midi") && strcmp(a, "--show")
                          ? "unknown option '%s' with --abc (see lstmjam eval --abc --help)"
                          : "%s needs a value (see lstmjam eval --abc --help)",
                      a);
            code = LJ_EXIT_BAD_INPUT;
            goto done;
        }
    }
    if (!files.n) {
        cli_error("--abc found no ABC file (see lstmjam eval --abc --help)");
        code = LJ_EXIT_BAD_INPUT;
        goto done;
    }
    const char *runner = NULL;
    if (!no_abc2midi) {
        if (abc2midi_opt && strchr(abc2midi_opt, '/')) {
            if (access(abc2midi_opt, X_OK)) {
                cli_error("--abc2midi: %s: not an executable file", abc2midi_opt);
                code = LJ_EXIT_BAD_INPUT;
                goto done;
            }
            snprintf(abc2midi, sizeof abc2midi, "%s", abc2midi_opt);
            runner = abc2midi;
        } else if (find_on_path(abc2midi_opt ? abc2midi_opt : "abc2midi", abc2midi, sizeof abc2midi)) {
            runner = abc2midi;
        } else if (abc2midi_opt) {
            cli_error("--abc2midi: %s: not found on PATH", abc2midi_opt);
            code = LJ_EXIT_BAD_INPUT;
            goto done;
        }
    }
    if (runner) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/lstmjam-abc-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
            cli_error("%s: cannot make a temporary folder: %s", dir, strerror(errno));
            dir[0] = 0;
            code = LJ_EXIT_FAIL;
            goto done;
        }
    }
    for (size_t k = 0; k < files.n; k++) {
        if (!quiet && !json && files.n > 1 && isatty(2)) fprintf(stderr, "\r%zu/%zu files", k + 1, files.n);
        int rc = eval_file(files.items[k], runner, dir, &l, err, sizeof err);
        if (rc) {
            if (!quiet && !json && files.n > 1 && isatty(2)) fputc('\n', stderr);
            cli_error("%s", err);
            code = cli_exit_code(rc);
            goto done;
        }
    }
    if (!quiet && !json && files.n > 1 && isatty(2)) fputc('\n', stderr);
    if (!l.n) {
        cli_error("expected ABC tunes, found none in the %zu file%s given", files.n, files.n == 1 ? "" : "s");
        code = LJ_EXIT_BAD_INPUT;
        goto done;
    }
    if (json) code = print_json(&l, files.n, runner);
    else print_text(&l, files.n, runner, show);
done:
    if (dir[0]) rmdir(dir);
    free(l.v);
    lj_path_list_free(&files);
    return code;
}
