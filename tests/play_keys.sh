#!/bin/sh
# `lstmjam play`'s terminal keys end to end: play runs under a pseudo-terminal
# (util-linux `script`, in Debian's essential bsdutils) on a private jackd -d
# dummy, as a MIDI generator (--no-audio, JACK MIDI out), and the test types
# keys into it, each once the status line (redrawn every second with \r: the
# terminal's copy is the typescript) shows the last one took effect (keys
# typed together are checked on one status line, to keep the test short):
#   t d r  T 1.00 -> 0.90, D(ensity) 1.00 -> 0.80 (/1.25), then r reloads the
#          model (a new engine: "reloaded ...") and the status line shows it
#          kept T 0.90 and D 0.80
#   T T D D space  T 1.10, D 1.25 (x1.25 twice), "paused"
#   r      (the file replaced by a model of another tempo) the new engine
#          stays paused, at the new model's own tempo (no --tempo, none set live)
#   space m m  playing again, mode continue then respond; m m: steer then
#          accompany; m: auto (the whole cycle of modes, every second one
#          seen: the status line comes once a second)
#   p      a panic (counted: below)
#   q      play ends: exit 0, the summary printed, no note left on at MIDI out
# Panics in the summary: those of all three engines (the two reloads' cuts, p's
# and the exit's; a pause ends the model's notes without one), as many as
# reached MIDI out (the summary counted only the last engine's). Not typed: Q (quits like q). Skipped (77) without jackd.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
. "$LJ_SOURCE_DIR/tests/jack_lib.sh"
jack_test_setup script
play_pid=
trap 'kill $play_pid $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
jack_dummy_start lstmjam_keys

TS="$tmp/typescript"
mkfifo "$tmp/keys"
script -q -f -e -c "\"$BIN\" play --model \"$tmp/ev.lstm\" --seconds 60 --seed 5 \
    --lookahead 40 --no-audio --midi-out jack" "$TS" <"$tmp/keys" >/dev/null 2>&1 &
play_pid=$!
exec 3>"$tmp/keys"

# wait_new PATTERN SECONDS: PATTERN appears in what the terminal got since the
# last key (the status lines are \r-separated: one per line for grep).
mark=0
wait_new() {
    i=0
    while [ $i -lt $(($2 * 10)) ]; do
        tail -c +$((mark + 1)) "$TS" 2>/dev/null | tr '\r' '\n' | grep -Eq "$1" && return 0
        sleep 0.1; i=$((i + 1))
    done
    echo "FAIL timed out after $2 s waiting for /$1/ on the terminal"
    tail -c 400 "$TS" | tr '\r' '\n' | tail -3
    fail=1
    return 1
}
# key CHARS: types them (the mark moves past what the terminal shows now)
key() {
    mark=$(wc -c <"$TS")
    printf '%s' "$1" >&3
}

wait_new "^auto \| ev.lstm \| T 1\.00 \| D 1\.00 \|" 10 && echo "ok   status line: auto, T 1.00, D 1.00"
key tdr
wait_new "^auto \| ev.lstm \| T 0\.90 \| D 0\.80 \|" 3 && echo "ok   t d: temperature 0.90, density 0.80"
tail -c +$((mark + 1)) "$TS" | tr '\r' '\n' | grep -q "^reloaded .*ev.lstm: panic, new engine from frame" \
    && echo "ok   r: model reloaded, T and D kept" || { echo "FAIL r: no reload before the status line"; fail=1; }
key "TTDD "
wait_new "^paused \| ev.lstm \| T 1\.10 \| D 1\.25 \|" 3 && echo "ok   T T D D space: 1.10, 1.25, paused"
# r while paused, the file now a model of another tempo (essen-timestep: 120
# BPM, the event model 125): the new engine stays paused, at the new model's
# own tempo (nobody set one live)
cp "$LJ_SOURCE_DIR/model/pretrained/essen-timestep.lstm" "$tmp/ev.lstm"
key r
wait_new "^paused \| ev.lstm \| T 1\.10 \| D 1\.25 \| 120 BPM" 3 && echo "ok   r while paused: still paused, the new model's tempo"
# m's cycle: auto -> continue -> respond -> steer -> accompany -> auto, every
# second mode seen on a status line (one line a second: a line less each)
key " mm"
wait_new "^respond \| " 3 && echo "ok   space m m: playing again, mode continue, then respond"
key mm
wait_new "^accompany \| " 3 && echo "ok   m m: mode steer, then accompany"
key m
wait_new "^auto \| " 3 && echo "ok   m: mode auto (the cycle's end)"
key p
sleep 0.2 # the engine's next fill takes the panic request (it polls every half period)
key q
exec 3>&-
i=0
while kill -0 $play_pid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $play_pid 2>/dev/null; then
    echo "FAIL q: play did not end within 5 s"; fail=1
else
    wait $play_pid
    rc=$?
    play_pid=
    [ $rc = 0 ] && echo "ok   q: exit 0" || { echo "FAIL q: exit $rc"; fail=1; }
fi
tr '\r' '\n' <"$TS" | grep -E "^(played|engine|MIDI out)" | sed 's/^/    /'
tr '\r' '\n' <"$TS" | grep -q "^MIDI out: .* 0 notes left on" && echo "ok   no note left on at MIDI out" \
    || { echo "FAIL notes left on (or no summary)"; fail=1; }
panics=$(tr '\r' '\n' <"$TS" | sed -n 's/^engine: .*phrases, \([0-9]*\) panics.*/\1/p')
out_panics=$(tr '\r' '\n' <"$TS" | sed -n 's/^MIDI out: .* late ([^)]*), \([0-9]*\) panics.*/\1/p')
[ -n "$panics" ] && [ "$panics" -ge 4 ] && [ "$panics" = "$out_panics" ] \
    && echo "ok   p: $panics panics over the three engines, as many as MIDI out got" \
    || { echo "FAIL p: $panics panics counted by the engines, $out_panics reached MIDI out (at least 4)"; fail=1; }
exit $fail
