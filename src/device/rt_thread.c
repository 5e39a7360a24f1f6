/* rt_thread: see rt_thread.h. */
#include "rt_thread.h"

#include <sched.h>

int rt_thread_promote(pthread_t t, int priority) {
    struct sched_param sp = {.sched_priority = priority};
    return pthread_setschedparam(t, SCHED_FIFO, &sp);
}
