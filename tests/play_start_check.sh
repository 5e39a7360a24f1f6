#!/bin/sh
# `lstmjam play`'s start-up check on JACK: a client the server activates and
# never runs (jackd 1.9.21 does this to a process's second client now and
# then) would play nothing without a word. tests/jack_no_process.c, preloaded,
# makes it happen to the client named in LJ_JACK_NO_PROCESS. Two cases at once,
# each on a private jackd -d dummy:
#   midi   play on PortAudio's JACK host with --midi-out jack, lstmjam-out
#          never run: play names it ("has not run its client within 3 s"),
#          ends as on device loss (exit 1) within 10 s, and
#          writes the session MIDI (midicsv reads it, every note paired);
#   audio  PortAudio's own client (lstmjam) never run, where PortAudio waits
#          10 minutes in Pa_OpenStream: play says the stream did not start
#          within 5 s, offers render, exits 1 within 15 s (not 10 minutes).
# Every other JACK test shows the check does not fire on clients that run.
# Skipped (77) without jackd or midicsv.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
. "$LJ_SOURCE_DIR/tests/jack_lib.sh"
jack_test_setup midicsv
SHIM=${LJ_JACK_NO_PROCESS_LIB:?}
# the sanitizer build: the preloaded library comes before ASan's runtime
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
pids= servers=
trap 'kill -9 $pids 2>/dev/null; kill $servers 2>/dev/null; wait $servers 2>/dev/null; rm -rf "$tmp"' EXIT

# start NAME CLIENT PLAY_ARGS...: a server of its own, then play with CLIENT never run.
start() {
    name=$1 never=$2
    shift 2
    jack_dummy_start "lstmjam_start_$name"
    servers="$servers $jackd_pid"
    eval "t0_$name=$(now_ms)"
    LD_PRELOAD="$SHIM" LJ_JACK_NO_PROCESS=$never "$BIN" play --model "$tmp/ev.lstm" --seconds 30 --tempo 300 \
        --seed 5 --lookahead 40 --device JACK --record "$tmp/$name.mid" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    eval "pid_$name=$!"
    pids="$pids $!"
}
# check NAME BOUND_S MESSAGE: play exits 1 within BOUND_S with MESSAGE on stderr.
check() {
    name=$1 bound=$2 msg=$3
    eval "pid=\$pid_$name t0=\$t0_$name"
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt $((bound * 20)) ]; do sleep 0.05; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
        echo "FAIL $name: play still running after $bound s"; fail=1
        kill -9 "$pid" 2>/dev/null
        return
    fi
    wait "$pid"
    rc=$?
    echo "     $name: exit $rc $(($(now_ms) - t0)) ms after play started"
    [ $rc = 1 ] && echo "ok   $name: exit 1" || { echo "FAIL $name: exit $rc, expected 1"; fail=1; }
    if grep -q "$msg" "$tmp/$name.err"; then
        echo "ok   $name: $(grep "$msg" "$tmp/$name.err")"
    else
        echo "FAIL $name: no '$msg' on stderr:"; cat "$tmp/$name.err"; fail=1
    fi
}

start audio lstmjam # the longer wait first: the other case runs within it
start midi lstmjam-out --midi-out jack
check midi 10 "MIDI out (JACK lstmjam-out:midi_out): the JACK server has not run its client within 3 s"
if midicsv "$tmp/midi.mid" >"$tmp/midi.csv" 2>/dev/null; then
    awk -F', *' '$3 == "Note_on_c" && $6 > 0 { on[$4 " " $5]++; n++ }
                 $3 == "Note_off_c" || ($3 == "Note_on_c" && $6 == 0) { on[$4 " " $5]-- }
                 END { for (k in on) if (on[k]) bad++; exit !(n > 0 && !bad) }' "$tmp/midi.csv" &&
        echo "ok   midi: the session MIDI was written, its notes paired" ||
        { echo "FAIL midi: the session MIDI has no notes or an unpaired one"; fail=1; }
else
    echo "FAIL midi: no readable session MIDI"; fail=1
fi
check audio 15 "the stream did not start within 5 s"
grep -q "render to a file instead" "$tmp/audio.err" && echo "ok   audio: render offered" ||
    { echo "FAIL audio: no render offered"; fail=1; }
exit ${fail:-0}
