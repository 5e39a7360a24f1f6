/* A JACK client the server never runs, for play_start_check (preloaded with
 * LD_PRELOAD): jack_set_process_callback registers nothing for the client
 * named in $LJ_JACK_NO_PROCESS, so that client is activated and never called,
 * what jackd 1.9.21 sometimes does to a process's second client ("client =
 * NAME was not finished, state = Triggered" every cycle). Every other client
 * gets the real call. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jack/jack.h>
#include <stdlib.h>
#include <string.h>

typedef int (*set_process_fn)(jack_client_t *, JackProcessCallback, void *);

int jack_set_process_callback(jack_client_t *client, JackProcessCallback cb, void *arg) {
    void *sym = dlsym(RTLD_NEXT, "jack_set_process_callback");
    set_process_fn real = NULL;
    memcpy(&real, &sym, sizeof real); /* POSIX: a function's address from dlsym */
    const char *never = getenv("LJ_JACK_NO_PROCESS");
    if (never && !strcmp(jack_get_client_name(client), never)) return 0;
    return real ? real(client, cb, arg) : -1;
}
