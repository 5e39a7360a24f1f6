#!/bin/sh
# `lstmjam play` when its JACK server dies under it (device loss), twice on a
# private jackd -d dummy killed mid-play:
#   audio   play on PortAudio's JACK host API (--record, --event-log)
#   MIDI    play --no-audio --midi-out jack --midi-in jack (no PortAudio:
#           the loss is seen by the JACK clients' shutdown callbacks)
# Asserted each time: play exits 1 (device error) within 5 s of the kill (it
# used to hang ~10 minutes in PortAudio's close, then abort with exit 134 and
# nothing written; or play on silently without audio); stderr says which
# device stopped ("device lost"); the session MIDI was written, reads back
# with midicsv, holds the model's notes and every note-on has its note-off;
# the event log (audio run) was written. The time from the kill to the exit
# is printed. Skipped (77) without jackd.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
. "$LJ_SOURCE_DIR/tests/jack_lib.sh"
jack_test_setup midicsv
play_pid=
trap 'kill -9 $play_pid 2>/dev/null; kill $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; rm -rf "$tmp"' EXIT

# lose NAME READY_PATTERN PLAY_ARGS...: starts a server and play, waits until
# play printed READY_PATTERN and 1 s more (notes played), kills jackd, and
# checks what play did.
lose() {
    name=$1 ready=$2
    shift 2
    jack_dummy_start "lstmjam_loss_$name"
    "$BIN" play --model "$tmp/ev.lstm" --seconds 30 --tempo 300 --seed 5 --lookahead 40 \
        --record "$tmp/$name.mid" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    play_pid=$!
    i=0
    until grep -q "$ready" "$tmp/$name.out" 2>/dev/null || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
    if ! grep -q "$ready" "$tmp/$name.out"; then
        echo "FAIL $name: play did not start"; cat "$tmp/$name.err"; fail=1; return
    fi
    sleep 1
    t0=$(now_ms)
    kill "$jackd_pid"
    i=0
    while kill -0 $play_pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    if kill -0 $play_pid 2>/dev/null; then
        echo "FAIL $name: play still running 5 s after jackd was killed"; fail=1
        kill -9 $play_pid 2>/dev/null
        wait $play_pid 2>/dev/null
        play_pid=
        return
    fi
    wait $play_pid
    rc=$?
    t1=$(now_ms)
    play_pid=
    wait "$jackd_pid" 2>/dev/null
    echo "     $name: exit $rc $((t1 - t0)) ms after jackd was killed"
    [ $rc = 1 ] && echo "ok   $name: exit 1 (device error)" || { echo "FAIL $name: exit $rc, expected 1"; fail=1; }
    if grep -q "stopped (device lost)" "$tmp/$name.err"; then
        echo "ok   $name: $(grep "device lost" "$tmp/$name.err")"
    else
        echo "FAIL $name: no device-lost message"; cat "$tmp/$name.err"; fail=1
    fi
    if midicsv "$tmp/$name.mid" >"$tmp/$name.csv" 2>/dev/null; then
        awk -F', ' -v name="$name" '
            $3=="Note_on_c" && $6>0 { on++ }
            $3=="Note_off_c" || ($3=="Note_on_c" && $6==0) { off++ }
            END {
                if (on < 1 || on != off) {
                    printf "FAIL %s: session MIDI has %d notes, %d note-offs\n", name, on, off; exit 1
                }
                printf "ok   %s: session MIDI written, %d notes, each ended\n", name, on
            }' "$tmp/$name.csv" || fail=1
    else
        echo "FAIL $name: no valid session MIDI"; fail=1
    fi
}

lose audio "^audio: " --event-log "$tmp/audio.log"
[ -s "$tmp/audio.log" ] && echo "ok   audio: event log written" || { echo "FAIL audio: no event log"; fail=1; }
lose midi "^MIDI in: " --no-audio --midi-out jack --midi-in jack
exit $fail
