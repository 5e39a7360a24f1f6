/* lstmjam_rt_noise: makes this machine as noisy as a crowded CI VM, to see
 * which live tests fail for the machine's sake and not the code's.
 *
 *   lstmjam_rt_noise -s SECONDS [-p PRIO] [-b BURN_US] [-i INTERVAL_US]
 *                    [-j JITTER_US] [-c NCPUS] [-y]
 *
 * Starts one thread per CPU (the first NCPUS online CPUs; default all), each
 * pinned to its CPU (pthread_setaffinity_np) at SCHED_FIFO priority PRIO
 * (default 50: above JACK's client threads, ~9 under jackd -R's default of
 * 10, and lstmjam's engine thread at 5). Every INTERVAL_US (default 6000) +-
 * a uniform random JITTER_US (default INTERVAL_US / 4) each thread wakes and
 * spins for BURN_US of wall time (default 1500): whatever ran on that CPU,
 * an audio callback in the middle of its period included, is preempted for
 * that long, as when a hypervisor steals a vCPU. The wake-ups of the threads
 * are independent, so both CPUs are sometimes stolen at once; a preempted
 * thread can meanwhile move to a CPU that is not (the kernel pushes RT
 * threads to a free CPU), which a stolen vCPU's threads cannot. -y: every
 * thread keeps the same schedule (one seed, one start), so all CPUs are
 * taken at once and nothing escapes: the whole VM stalls.
 *
 * SECONDS is required (at most 3600): an RT hog must end by itself. The
 * kernel's RT throttling (sched_rt_runtime_us, 950000 of 1000000 here) also
 * leaves 5% of each CPU to other tasks whatever the settings.
 *
 * At the end (or on SIGINT/SIGTERM) it prints, per thread, the bursts, the
 * CPU time it burned (CLOCK_THREAD_CPUTIME_ID) and that as a share of the
 * wall time: the duty cycle it promised is BURN_US / INTERVAL_US, so a
 * printout far below it means the threads did not get their CPU (not RT,
 * throttled, or fewer CPUs than thought). Needs CAP_SYS_NICE (root).
 * Exit 0, or 2 on bad arguments or when the RT priority is refused.
 *
 * Example (CI-like: ~30 JACK xruns/s at 128 frames/48 kHz on this VM):
 *   lstmjam_rt_noise -s 120 -b 1500 -i 6000 &
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { MAX_CPUS = 256 };

typedef struct {
    int cpu;
    int prio;
    int64_t burn_ns, interval_ns, jitter_ns, duration_ns;
    int64_t start_ns; /* CLOCK_MONOTONIC of the first interval's start */
    uint64_t seed;
    /* Results, read by main after join. */
    long bursts;
    int64_t cpu_ns, wall_ns;
    int err; /* errno of a failed setup, 0 if none */
} noise_thread;

static atomic_int stop_requested;

static void on_signal(int sig) {
    (void)sig;
    atomic_store(&stop_requested, 1);
}

static int64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* xorshift64*: the jitter only needs to be unpredictable to the audio
 * thread, not good randomness. */
static uint64_t next_random(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static void *noise_main(void *arg) {
    noise_thread *t = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(t->cpu, &set);
    int rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    if (rc == 0) {
        struct sched_param sp = {.sched_priority = t->prio};
        rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
    }
    if (rc != 0) {
        t->err = rc;
        return NULL;
    }
    uint64_t rng = t->seed;
    int64_t start = t->start_ns;
    int64_t cpu_start = now_ns(CLOCK_THREAD_CPUTIME_ID);
    int64_t end = start + t->duration_ns;
    int64_t wake = start;
    while (!atomic_load(&stop_requested)) {
        int64_t jitter = 0;
        if (t->jitter_ns > 0)
            jitter = (int64_t)(next_random(&rng) % (uint64_t)(2 * t->jitter_ns + 1)) - t->jitter_ns;
        wake += t->interval_ns + jitter;
        if (wake >= end)
            break;
        struct timespec ts = {.tv_sec = wake / 1000000000, .tv_nsec = wake % 1000000000};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            if (atomic_load(&stop_requested))
                break;
        /* Spin on wall time, not CPU time: a stolen vCPU is gone for a stretch
         * of wall time whatever else wanted it. */
        int64_t burn_end = now_ns(CLOCK_MONOTONIC) + t->burn_ns;
        while (now_ns(CLOCK_MONOTONIC) < burn_end) {
        }
        t->bursts++;
        /* Late (throttled, or a burst longer than the interval): start the
         * next interval from now rather than firing back to back. */
        int64_t now = now_ns(CLOCK_MONOTONIC);
        if (wake < now - t->interval_ns)
            wake = now - t->interval_ns;
    }
    t->cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
    t->wall_ns = now_ns(CLOCK_MONOTONIC) - start;
    return NULL;
}

static int parse_long(const char *opt, const char *s, long min, long max, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        fprintf(stderr, "lstmjam_rt_noise: %s expects an integer in [%ld, %ld], got '%s'\n", opt, min, max, s);
        return -1;
    }
    *out = v;
    return 0;
}

static void usage(void) {
    fprintf(stderr, "usage: lstmjam_rt_noise -s SECONDS [-p PRIO] [-b BURN_US] [-i INTERVAL_US] "
                    "[-j JITTER_US] [-c NCPUS] [-y]\n");
}

int main(int argc, char **argv) {
    long seconds = -1, prio = 50, burn_us = 1500, interval_us = 6000, jitter_us = -1;
    long ncpus_online = sysconf(_SC_NPROCESSORS_ONLN);
    long ncpus = ncpus_online;
    int opt, synchronized = 0;
    while ((opt = getopt(argc, argv, "s:p:b:i:j:c:yh")) != -1) {
        int bad = 0;
        switch (opt) {
        case 's': bad = parse_long("-s", optarg, 1, 3600, &seconds); break;
        case 'p': bad = parse_long("-p", optarg, 1, 99, &prio); break;
        case 'b': bad = parse_long("-b", optarg, 1, 1000000, &burn_us); break;
        case 'i': bad = parse_long("-i", optarg, 1, 10000000, &interval_us); break;
        case 'j': bad = parse_long("-j", optarg, 0, 10000000, &jitter_us); break;
        case 'y': synchronized = 1; break;
        case 'c': bad = parse_long("-c", optarg, 1, ncpus_online < MAX_CPUS ? ncpus_online : MAX_CPUS, &ncpus); break;
        default: usage(); return 2;
        }
        if (bad)
            return 2;
    }
    if (optind != argc || seconds < 0) {
        if (seconds < 0)
            fprintf(stderr, "lstmjam_rt_noise: -s SECONDS is required (an RT hog must end by itself)\n");
        usage();
        return 2;
    }
    if (jitter_us < 0)
        jitter_us = interval_us / 4;
    if (burn_us >= interval_us - jitter_us) {
        fprintf(stderr,
                "lstmjam_rt_noise: -b %ld must be shorter than the shortest interval (-i %ld - -j %ld): "
                "the threads would never sleep\n",
                burn_us, interval_us, jitter_us);
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    static noise_thread threads[MAX_CPUS];
    static pthread_t ids[MAX_CPUS];
    if (ncpus > MAX_CPUS)
        ncpus = MAX_CPUS;
    /* Threads start a little after now, all at the same instant (-y needs it). */
    int64_t start_ns = now_ns(CLOCK_MONOTONIC) + 20000000;
    uint64_t seed = 0x9E3779B97F4A7C15ULL ^ (uint64_t)start_ns;
    for (long i = 0; i < ncpus; i++) {
        threads[i] = (noise_thread){.cpu = (int)i,
                                    .prio = (int)prio,
                                    .burn_ns = burn_us * 1000,
                                    .interval_ns = interval_us * 1000,
                                    .jitter_ns = jitter_us * 1000,
                                    .duration_ns = (int64_t)seconds * 1000000000,
                                    .start_ns = start_ns,
                                    .seed = synchronized ? seed : seed ^ ((uint64_t)(i + 1) << 32)};
        int rc = pthread_create(&ids[i], NULL, noise_main, &threads[i]);
        if (rc) {
            fprintf(stderr, "lstmjam_rt_noise: pthread_create: %s\n", strerror(rc));
            atomic_store(&stop_requested, 1);
            ncpus = i;
            break;
        }
    }
    int status = 0;
    for (long i = 0; i < ncpus; i++) {
        pthread_join(ids[i], NULL);
        noise_thread *t = &threads[i];
        if (t->err) {
            fprintf(stderr, "lstmjam_rt_noise: cpu %d: affinity/SCHED_FIFO %d refused: %s (needs root or CAP_SYS_NICE)\n",
                    t->cpu, t->prio, strerror(t->err));
            status = 2;
            continue;
        }
        double wall_s = (double)t->wall_ns / 1e9;
        printf("rt_noise cpu %d: %ld bursts of %ld us in %.2f s, %.3f s of CPU: duty %.1f%% "
               "(asked %.1f%%)\n",
               t->cpu, t->bursts, burn_us, wall_s, (double)t->cpu_ns / 1e9,
               wall_s > 0 ? 100.0 * (double)t->cpu_ns / (double)t->wall_ns : 0.0,
               100.0 * (double)burn_us / (double)interval_us);
    }
    return status;
}
