# The private JACK server of the end-to-end tests and the live soak (sourced
# after $tmp exists, e.g. after tests/cli_lib.sh):
#   jack_test_setup [TOOL...]
# the end-to-end tests' common start: a skip (exit 77) unless jackd, jack_lsp
# and every TOOL are installed, then the random-weight event model they play
# ($LJ_MAKE_MODEL: 64 units, seed 7) in $tmp/ev.lstm (exit 1 if it fails).
#   jack_dummy_start NAME [TRIES]
# starts `jackd -d dummy` at 48 kHz, 128 frames (the issue's test setting;
# $JACK_PERIOD overrides the frames, for the soak's period sweep) as
# server NAME_<pid> (exported in JACK_DEFAULT_SERVER, so every JACK client of
# the script uses it and parallel tests never share one), its pid in
# $jackd_pid and its log in $tmp/jackd.log, and waits until jack_lsp sees it
# (at least TRIES half-seconds, default 10; polled every 0.1 s: jackd comes up
# in ~2.7 s here, and polls 0.5 s apart lost ~0.4 s a test). A server that
# does not come up is a skip (exit 77), not a failure: the machine cannot run
# the test. The caller's EXIT trap kills $jackd_pid.
jack_dummy_start() {
    export JACK_DEFAULT_SERVER="$1_$$"
    jack_try_start "${2:-10}" && return 0
    if grep -q "Too many servers already active" "$tmp/jackd.log"; then
        # jackd keeps 8 servers in /dev/shm/jack-shm-registry; one that did
        # not exit cleanly (killed by a timeout, SIGKILL) holds its slot
        # until a server of the same name starts and reclaims it, and our
        # names are unique: reclaim the slots no running jackd holds, once.
        wait $jackd_pid 2>/dev/null
        jack_reclaim_stale
        jack_try_start "${2:-10}" && return 0
    fi
    if grep -q "Too many servers already active" "$tmp/jackd.log"; then
        echo "SKIP: jackd -d dummy did not start: too many JACK servers registered," \
            "and no stale one among them (running: $(pgrep -c -x jackd))"
    else
        echo "SKIP: jackd -d dummy did not start: $(tail -3 "$tmp/jackd.log")"
    fi
    exit 77
}
# jack_try_start TRIES: one start of the server, waiting for it as above
jack_try_start() {
    jackd -n "$JACK_DEFAULT_SERVER" -d dummy -r 48000 -p "${JACK_PERIOD:-128}" >"$tmp/jackd.log" 2>&1 &
    jackd_pid=$!
    jack_tries=$(($1 * 5))
    while [ "$jack_tries" -gt 0 ]; do
        jack_lsp >/dev/null 2>&1 && return 0
        kill -0 $jackd_pid 2>/dev/null || return 1 # it gave up (the log says why)
        sleep 0.1
        jack_tries=$((jack_tries - 1))
    done
    return 1
}
# jack_reclaim_stale: for each server name in JACK's registry ("jack-UID:NAME:")
# that no running jackd was started with, starts a jackd of that name (which
# takes the dead one's slot) and stops it cleanly (which frees the slot).
# (sh has no local variables: its own are stale_*, as the callers' name and i
# are theirs: play_start_check's and play_device_loss's start functions lost
# their $name to it, "wait: Illegal number:" after a reclaim)
jack_reclaim_stale() {
    for stale_name in $(strings /dev/shm/jack-shm-registry 2>/dev/null | sed -n 's/^jack-[0-9]*:\(.*\):$/\1/p' | sort -u); do
        pgrep -f "jackd -n $stale_name " >/dev/null && continue
        JACK_DEFAULT_SERVER=$stale_name jackd -n "$stale_name" -d dummy -r 48000 -p 128 >/dev/null 2>&1 &
        stale_pid=$!
        stale_i=0
        until JACK_DEFAULT_SERVER=$stale_name jack_lsp >/dev/null 2>&1 || [ $stale_i -ge 50 ]; do
            sleep 0.1; stale_i=$((stale_i + 1))
        done
        kill $stale_pid 2>/dev/null; wait $stale_pid 2>/dev/null
        echo "note: reclaimed the stale JACK server slot of $stale_name"
    done
}

jack_test_setup() {
    for t in jackd jack_lsp "$@"; do
        command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
    done
    "${LJ_MAKE_MODEL:?}" "$tmp/ev.lstm" 64 7 || { echo "FAIL cannot make the test model"; exit 1; }
}

# Zero xruns (issue 6's end-to-end tests), told apart from the machine's own:
#   jack_peer_start
# starts jack_simple_client (a sine to the dummy's playback ports, no link to
# lstmjam: not upstream or downstream of it in JACK's graph) as a witness
# whose missed cycles are printed beside ours: information only, since a
# do-nothing client is rarely hit when the machine takes the CPU away.
#   jack_log_mark
# remembers where $tmp/jackd.log ends, so a check reads only what follows.
#   jack_xruns_check WHAT PLAY_OUT
# judges the xruns of a play run from its summary (PLAY_OUT: play's stdout,
# its "played" and "audio callback:" lines) and the jackd log since the mark.
# Zero xruns and no cycle of ours left unfinished pass. Otherwise what a
# callback of ours did decides, not the xrun count: a shared VM takes the
# CPU away from any thread (CI's 2-core VM, 2026-11-30: 30 xruns a second,
# callbacks of 2-7 ms wall time with the same code that takes ~0.3 ms here,
# while a do-nothing witness client missed no cycle: a 10-us job is rarely
# hit where a 200-us one is). So the scheduler measures each callback's own
# CPU time and context switches (dsp/event_sched.c), and this fails when the
# callback
#   - slept in any callback (a voluntary switch: a lock, a sleep, a page-in
#     on the audio thread; the machine cannot cause one). Except the
#     stream's first callback: the audio thread's first FluidSynth render
#     sets up libgomp's and malloc's state for that thread (a new malloc
#     arena: an mmap), before any note is due (seen in about one run in
#     five); and except under
#     ASan: FluidSynth (2.3's OpenMP effects mixing, reverb or chorus on)
#     allocates and frees one block in every render call; glibc's per-thread
#     cache hands the same block back each time (normal build: 6-8 page
#     faults in a 12-s run), while ASan's allocator hands
#     out fresh pages (a page fault in ~1000 of 2400 callbacks), and now and
#     then one waits for the control thread's mmap: reported, not failed,
#     when $LJ_SANITIZE names address,
#   - used a quarter of the period or more at its 99th percentile (too slow
#     by itself),
#   - or used half the period or more in more than 1% of its callbacks (+2):
#     a VM's cold caches, a busy hyperthread sibling or interrupts counted
#     against the thread lift a few callbacks that far (measured with
#     everything pinned to one CPU: a CPU-time max of 1.3-3.0 ms in each
#     of 4 runs of 6000 callbacks, p99 ~210 us; a 2-min soak: 2 of 44,786
#     callbacks at half the period or more); a fault in the callback lifts
#     many.
# The jackd log's counts are printed beside: lstmjam's clients' unfinished
# cycles, the witness's (jack_peer_start) and the driver's late wake-ups.
jack_peer_start() {
    jack_simple_client >/dev/null 2>&1 &
    peer_pid=$!
    i=0; until [ "$(jack_lsp 2>/dev/null | grep -c '^simple:')" -gt 0 ] || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
}
jack_log_mark() { jack_log_from=$(($(wc -l <"$tmp/jackd.log") + 1)); }
jack_xruns_check() {
    { tail -n +"${jack_log_from:-1}" "$tmp/jackd.log"; echo "== play"; cat "$2"; } |
        awk -v what="$1" -v asan="$(case "${LJ_SANITIZE:-}" in *address*) echo 1;; esac)" '
        /^== play$/ { play = 1; next }
        !play && /JackTimedDriver::Process XRun/ { driver++ }
        !play && /client = [^ ]* was not finished/ {
            c = $0; sub(/.*client = /, "", c); sub(/ was not finished.*/, "", c)
            if (c ~ /^lstmjam/) ours++; else if (c == "simple") witness++; else others++
        }
        play && /^played / { xruns = $0; sub(/.*xruns /, "", xruns); sub(/,.*/, "", xruns) }
        play && /^audio callback: / {
            cb = $0
            p99 = num("CPU time p99 "); max = num(", max "); period = num(" of a ")
            over = num("period or more in "); n = num(" of ", index(cb, "period or more in "))
            slept = num("slept in "); first = num("(first: callback "); pre = num("preempted in "); off = num("off the CPU up to ")
        }
        # num(WORDS [, FROM]): the number after WORDS in the callback line (after position FROM)
        function num(words, from,    t, i) {
            t = from ? substr(cb, from) : cb
            i = index(t, words); if (!i) return ""
            t = substr(t, i + length(words)); sub(/[^0-9.].*/, "", t); return t
        }
        END {
            msg = sprintf("%s: xruns %s; callback CPU p99 %s us, max %s us of %s us; %s of %s callbacks at half the period or more, slept in %s, preempted in %s, off the CPU up to %s us; jackd: cycles lstmjam did not finish %d, the witness %d, other clients %d, driver late %d",
                          what, xruns, p99, max, period, over, n, slept, pre, off, ours + 0, witness + 0, others + 0, driver + 0)
            if (xruns == "" || cb == "" || slept == "" || over == "" || period == "") {
                print "FAIL " msg " (no xrun count or callback line in the summary)"; exit 1
            }
            bad = ""
            if (first + 0 == 1) {
                print "note the first callback slept (the first FluidSynth render on the audio thread: libgomp and malloc set up for the thread): not counted"
                slept--
            }
            if (slept + 0 > 0 && asan) print "note ASan build: the callback slept in " slept " callbacks (a page-in of the fresh pages ASan gives FluidSynth; see jack_lib.sh): not counted"
            else if (slept + 0 > 0) bad = bad "; the callback slept (a lock, a sleep or a page-in on the audio thread)"
            if (p99 + 0 >= (period + 0) / 4) bad = bad "; its CPU time p99 is a quarter of the period or more"
            if (over + 0 > 2 + (n + 0) / 100) bad = bad "; it used half the period or more in over 1% of its callbacks (+2)"
            if (bad != "") { print "FAIL " substr(bad, 3) ": " msg; exit 1 }
            if (xruns + 0 == 0 && ours + 0 == 0) { print "ok   zero xruns: " msg; exit 0 }
            print "ok   xruns put down to the machine (the callback kept within its CPU time; no sleep counted): " msg; exit 0
        }'
}

#   jack_threads_check PID
# lstmjam's own threads (named lj-*: the engine, the MIDI readers and
# sender) run below the audio callback's thread (JACK's process threads,
# unnamed), so none can hold the callback off its CPU: SCHED_FIFO never
# preempts its equals, and JACK runs its clients at jackd's priority - 5
# (5 with jackd's default -P 10), where the engine used to be. A machine
# that gives JACK no real-time priority is reported, not failed.
jack_threads_check() {
    ps -L -o rtprio=,comm= -p "$1" | awk '
        { prio = ($1 == "-") ? 0 : $1 + 0; name = $2 }
        name ~ /^lj-/ { ours = ours " " name " " ($1 == "-" ? "normal" : "FIFO " prio); if (prio > our_max) our_max = prio; next }
        prio > 0 { audio = audio " " prio; if (!audio_min || prio < audio_min) audio_min = prio }
        END {
            if (ours == "") { print "FAIL no lj-* thread in ps -L (the engine names its thread lj-engine)"; exit 1 }
            if (!audio_min) { print "ok   threads: JACK gave lstmjam no real-time thread here (not checked):" ours; exit 0 }
            if (our_max >= audio_min) { print "FAIL threads level with or above the audio thread (SCHED_FIFO" audio "):" ours; exit 1 }
            print "ok   threads below the audio thread (SCHED_FIFO" audio "):" ours
        }'
}

# A JACK MIDI peer's log without what JACK delivered twice:
#   jack_dump_repeats WHAT DUMP CLIENT_ERE [LINES]
# rewrites DUMP (a jack_midi_dump -a log; the original stays in DUMP.raw)
# without the messages tests/jack_dump_repeats.awk finds repeated a whole
# period later (a writing client that misses a cycle leaves its last cycle's
# messages in its port, and the reader gets them again), and fails (1) when
# they fill more periods than the writer's missed cycles explain: jackd's
# count of cycles the writer (clients matching CLIENT_ERE, e.g.
# lstmjam-out) left unfinished since jack_log_mark (in the LINES of
# jackd.log from there, if given), of which only those
# after a period with messages repeat anything. The allowance is 4 times
# the expected number (missed cycles x the share of periods with messages)
# + 2, at most the missed cycles: none on a machine that keeps time; a
# writer that sends each period's messages again repeats them all.
jack_dump_repeats() {
    mv "$2" "$2.raw"
    awk -v period="${JACK_PERIOD:-128}" -v count_file="$2.repeats" \
        -f "$LJ_SOURCE_DIR/tests/jack_dump_repeats.awk" "$2.raw" >"$2"
    set -- "$1" "$2" "$3" $(cat "$2.repeats") \
        "$(tail -n +"${jack_log_from:-1}" "$tmp/jackd.log" | head -n "${4:-1000000000}" |
           grep -cE "client = ($3) was not finished")"
    # $4 repeats, $5 periods of them, $6 periods with messages, $7 span, $8 missed
    [ "$4" = 0 ] && return 0
    allowed=$(awk -v m="$8" -v busy="$6" -v span="$7" 'BEGIN {
        a = m ? int(4 * m * busy / (span > 0 ? span : 1)) + 2 : 0; print a < m ? a : m }')
    if [ "$5" -le "$allowed" ]; then
        echo "note $1: $4 messages the peer got twice (JACK's repeat of a missed cycle) left out, in $5 periods; jackd logged $8 cycles of $3 unfinished, $6 of $7 periods hold messages: up to $allowed allowed"
        return 0
    fi
    echo "FAIL $1: $4 messages the peer got twice, in $5 periods: more than the $allowed that $8 cycles of $3 unfinished explain ($6 of $7 periods hold messages)"
    return 1
}
