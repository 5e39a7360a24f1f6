#include "jack_start.h"

#include "lj_status.h"

int jack_start_checked(void *owner, int (*open)(void *owner, char *err, size_t errlen), jack_client_t **client,
                       _Atomic unsigned long *cycles, int *reopened, const char *what, char *err, size_t errlen) {
    int rc = open(owner, err, errlen);
    for (int attempt = 0; !rc && attempt < JACK_START_TRIES && !jack_client_ran(cycles, JACK_START_WAIT_MS);
         attempt++) {
        jack_deactivate(*client);
        jack_client_close(*client);
        *client = NULL;
        rc = open(owner, err, errlen);
        ++*reopened;
    }
    if (!rc && !jack_client_ran(cycles, 0))
        rc = lj_fail(err, errlen, LJ_ERR_IO, "%s: the JACK server does not run the client %s (tried %d times)", what,
                     jack_get_client_name(*client), *reopened + 1);
    return rc;
}
