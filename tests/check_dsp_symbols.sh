#!/bin/sh
# dsp/ runs inside the audio callback: it must not allocate, lock, print, do file
# I/O, sleep, abort or exit. An allowlist, not a list of forbidden names: the
# dsp library may import only the symbols below (plus its own, defined in one
# of its objects, and a sanitizer build's runtime hooks); anything else fails,
# so a new call (a fortified __snprintf_chk, an assert's __assert_fail, abort,
# fflush, pthread_rwlock_*, sched_yield, mmap, syscall...) has to be looked at
# and added here on purpose. LJ_DSP_LIB is the path of liblstmjam_dsp.a.
#   clock_gettime  the callback's own time (CLOCK_MONOTONIC: vDSO, no system
#                  call) and CPU time (CLOCK_THREAD_CPUTIME_ID: a system call
#                  that reads the thread's own counter; no lock, no sleep)
#   getrusage      RUSAGE_THREAD: the thread's context-switch counts, to tell
#                  a callback that slept from one preempted (reads the
#                  thread's own counters; no sleep)
#   memcpy memset  the compiler emits them for struct copies and zeroing too
set -u
lib=${LJ_DSP_LIB:?}
allowed='clock_gettime getrusage memcpy memset'
undefined=$(nm -u "$lib" | awk 'NF==2 && $1=="U" {print $2}' | sed 's/@.*//' | sort -u)
defined=$(nm --defined-only "$lib" | awk 'NF==3 {print $3}' | sort -u)
[ -n "$undefined$defined" ] || { echo "FAIL nm read no symbols from $lib" >&2; exit 1; }
imports=$(echo "$undefined" | grep -vxF "$defined" | grep -vE '^__(asan|ubsan|tsan|sanitizer)_')
echo "dsp imports: $(echo $imports)"
bad=0
for s in $imports; do
    if ! echo "$allowed" | tr ' ' '\n' | grep -qx "$s"; then
        echo "NOT ALLOWED in dsp/: $s (the audio callback may not call it; see tests/check_dsp_symbols.sh)" >&2
        bad=1
    fi
done
[ $bad = 0 ] && echo "dsp symbols ok"
exit $bad
