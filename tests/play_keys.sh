#!/bin/sh
# `lstmjam play`'s terminal keys end to end: play runs under a pseudo-terminal
# (util-linux `script`, in Debian's essential bsdutils) on a private jackd -d
# dummy, as a MIDI generator (--no-audio, JACK MIDI out), and the test types
# keys into it, each once the status line (redrawn every second with \r: the
# terminal's copy is the typescript) shows the last one took effect:
#   t      T 1.00 -> 0.90        T T   -> 1.10
#   space  "paused"              space m -> playing again, continue mode
#   p      a panic (counted: below)
#   q      play ends: exit 0, the summary printed, no note left on at MIDI out
# Panics in the summary: exactly 3, the pause's, p's and the exit's (2
# without p). Skipped (77) without jackd.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
for t in jackd jack_lsp script; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
"${LJ_MAKE_MODEL:?}" "$tmp/ev.lstm" 64 7 || { echo "FAIL cannot make the test model"; exit 1; }
play_pid=
trap 'kill $play_pid $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
. "$LJ_SOURCE_DIR/tests/jack_lib.sh"
jack_dummy_start lstmjam_keys

TS="$tmp/typescript"
mkfifo "$tmp/keys"
script -q -f -e -c "\"$BIN\" play --model \"$tmp/ev.lstm\" --seconds 60 --tempo 300 --seed 5 \
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

wait_new "^auto \| ev.lstm \| T 1\.00 " 10 && echo "ok   status line: auto, T 1.00"
key t
wait_new "\| T 0\.90 \|" 3 && echo "ok   t: temperature 0.90"
key TT
wait_new "\| T 1\.10 \|" 3 && echo "ok   T T: temperature 1.10"
key " "
wait_new "^paused \| " 3 && echo "ok   space: paused"
key " m"
wait_new "^continue \| " 3 && echo "ok   space m: playing again, mode continue"
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
[ "$panics" = 3 ] && echo "ok   p: 3 panics (pause, p, exit)" || { echo "FAIL p: $panics panics, expected 3"; fail=1; }
exit $fail
