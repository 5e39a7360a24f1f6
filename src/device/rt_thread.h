/* rt_thread: real-time scheduling for the threads around the audio callback
 * that feed or drain it on time (the MIDI sender, the MIDI input readers). */
#ifndef LJ_RT_THREAD_H
#define LJ_RT_THREAD_H

#include <pthread.h>

/* The MIDI threads' SCHED_FIFO priority: one above the engine thread's
 * default (5, engine_config.thread_priority in play), below the audio
 * threads of JACK, PortAudio and PipeWire; an event that waits for them is
 * late however early the engine made it. */
#define RT_THREAD_MIDI_PRIORITY 6

/* Asks for SCHED_FIFO at `priority` for thread t: 0, or the errno of the
 * refusal (EPERM without an rtprio limit: the thread then stays at normal
 * priority, which is advice, not an error). Thread: any. */
int rt_thread_promote(pthread_t t, int priority);

#endif
