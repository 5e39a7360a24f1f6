/* rt_thread: real-time scheduling for the threads around the audio callback
 * that feed or drain it on time (the MIDI sender, the MIDI input readers). */
#ifndef LJ_RT_THREAD_H
#define LJ_RT_THREAD_H

#include <pthread.h>

/* The MIDI threads' SCHED_FIFO priority: one above the engine thread's
 * default (1, engine_config.thread_priority in play: an event that waits
 * for them is late however early the engine made it), and below the audio
 * thread. JACK runs its clients' process threads at the server's priority
 * minus 5: jackd's default -P 10 gives 5, where the engine and these threads
 * used to be, level with the audio callback (SCHED_FIFO does not preempt its
 * equals: a 256-step fill kept the callback off its CPU). */
#define RT_THREAD_MIDI_PRIORITY 2

/* Names thread t (at most 15 characters: ps -L and top show it; the tests
 * tell our threads from the audio library's by it) and asks for SCHED_FIFO
 * at `priority`: 0, or the errno of the refusal (EPERM without an rtprio
 * limit: the thread then stays at normal priority, which is advice, not an
 * error). Thread: any. */
int rt_thread_promote(pthread_t t, int priority, const char *name);

#endif
