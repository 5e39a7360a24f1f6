/* rt_thread: see rt_thread.h. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "rt_thread.h"

#include <sched.h>

int rt_thread_promote(pthread_t t, int priority, const char *name) {
    (void)pthread_setname_np(t, name); /* too long a name is refused: the thread keeps the process's */
    struct sched_param sp = {.sched_priority = priority};
    return pthread_setschedparam(t, SCHED_FIFO, &sp);
}
