#!/bin/sh
# dsp/ runs inside the audio callback: it must not allocate, lock, print, do file
# I/O or sleep. Fails if the dsp library imports any such symbol (rnnoise-style
# nm check). LJ_DSP_LIB is the path of liblstmjam_dsp.a.
set -u
lib=${LJ_DSP_LIB:?}
forbidden='malloc calloc realloc free aligned_alloc posix_memalign strdup
pthread_mutex_lock pthread_mutex_trylock pthread_cond_wait pthread_cond_timedwait
sem_wait printf fprintf puts fputs putchar vfprintf vprintf snprintf
fopen fclose fread fwrite open close read write
usleep sleep nanosleep clock_nanosleep poll select'
undefined=$(nm -u "$lib" | awk 'NF==2 && $1=="U" {print $2}' | sed 's/@.*//' | sort -u)
echo "dsp imports: $(echo $undefined)"
bad=0
for s in $forbidden; do
    if echo "$undefined" | grep -qx "$s"; then
        echo "FORBIDDEN in dsp/: $s" >&2
        bad=1
    fi
done
[ $bad = 0 ] && echo "dsp symbols ok"
exit $bad
