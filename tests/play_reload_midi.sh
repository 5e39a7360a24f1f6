#!/bin/sh
# A reload (SIGHUP) of a preset whose midi section changed, on a private
# jackd -d dummy: `lstmjam play --preset` as a MIDI generator with JACK MIDI
# in (tests/jack_send plays the player's keys) and out. The reloaded preset
# asks midi.in "nope", midi.out virtual, midi.clock out and thru_channel 5.
# MIDI in, out and the clock are devices opened at the start: the reload says
# each stays until play restarts (it said only "reloaded ..."); the thru
# channel applies: the player's notes after the reload are on channel 5 (they
# stayed on 2), and a key held across the reload is ended on channel 2. A
# second reload whose model channel would be the thru channel of the MIDI in
# that stays open is refused. Asserted on play's stderr and its session MIDI
# (every note ended on each channel); exit 0. Skipped (77) without jackd.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
. "$LJ_SOURCE_DIR/tests/jack_lib.sh"
jack_test_setup midicsv
SEND=${LJ_JACK_SEND:?}
play_pid=
trap 'kill $play_pid $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
jack_dummy_start lstmjam_reload_midi

# wait_err ERE: polls play's stderr (10 s at most)
wait_err() {
    for i in $(seq 1 100); do tr '\r' '\n' <"$tmp/play.err" | grep -Eq "$1" && return 0; sleep 0.1; done
    echo "FAIL timed out waiting for /$1/ on play's stderr"; fail=1
}
# the model on channel 1, the player's notes on 2
printf 'model: %s\ntempo: 240\naudio: {enabled: false}\nmidi: {in: jack, out: jack, thru_channel: 2}\n' \
    "$tmp/ev.lstm" >"$tmp/live.yaml"
"$BIN" play --preset "$tmp/live.yaml" --seed 3 --lookahead 40 --seconds 30 --record "$tmp/session.mid" \
    >"$tmp/play.out" 2>"$tmp/play.err" &
play_pid=$!
wait_err '^auto \|' # the first status line: SIGHUP is handled from here
# a key played and released (channel 2), then one held across the reload
printf '90 3c 64\nsleep 100\n80 3c 00\nsleep 100\n90 40 64\n' | "$SEND" lstmjam-midi:midi_in || { echo "FAIL jack_send"; fail=1; }
sed -i 's/^midi: .*/midi: {in: "nope", out: virtual, thru_channel: 5, clock: out}/' "$tmp/live.yaml"
kill -HUP $play_pid
wait_err '^reloaded '
# the held key's release and one more key, after the reload
printf '80 40 00\nsleep 100\n90 43 64\nsleep 100\n80 43 00\n' | "$SEND" lstmjam-midi:midi_in || { echo "FAIL jack_send"; fail=1; }
sleep 0.3
# no midi.in of its own (thru channel: the default 2) and the model on 2, with
# the MIDI in that stays: refused
printf 'model: %s\ntempo: 240\nchannel: 2\naudio: {enabled: false}\nmidi: {out: jack}\n' "$tmp/ev.lstm" >"$tmp/live.yaml"
kill -HUP $play_pid
wait_err 'would both be on channel 2; the old one plays on'
kill -INT $play_pid
wait $play_pid
rc=$?
play_pid=
tr '\r' '\n' <"$tmp/play.err" | grep -v '^auto |'
[ $rc = 0 ] && echo "ok   play exit 0" || { echo "FAIL play exited $rc"; fail=1; }
# expect_err TEXT: a line of play's stderr holds TEXT (fixed string)
expect_err() {
    tr '\r' '\n' <"$tmp/play.err" | grep -qF -- "$1" && echo "ok   said: $1" || { echo "FAIL not said: $1"; fail=1; }
}
expect_err "reload: midi.in changed ('nope'): stays MIDI in "
expect_err "reload: midi.out changed ('virtual'): stays MIDI out "
expect_err "reload: midi.clock changed (out): stays off until play restarts"
expect_err "reload: midi.thru_channel: the player's notes now on channel 5 (were on 2)"
expect_err "live.yaml: the player's notes (midi.thru_channel; MIDI in "
# The player's keys in the session MIDI (midicsv channels count from 0: the
# model's 0, the player's 1 before the reload and 4 after).
midicsv "$tmp/session.mid" >"$tmp/session.csv" || { echo "FAIL no valid session MIDI"; exit 1; }
player=$(awk -F', ' '($3 == "Note_on_c" && $6 > 0) && $4 != 0 { printf "%s:%s ", $5, $4 + 1 }' "$tmp/session.csv")
if [ "$player" = "60:2 64:2 67:5 " ]; then
    echo "ok   the player's keys on channel 2, then 5 after the reload: $player"
else
    echo "FAIL the player's keys (key:channel): '$player', expected '60:2 64:2 67:5 '"; fail=1
fi
awk -F', ' '
    $3 == "Note_on_c" && $6 > 0 { on[$4]++ }
    $3 == "Note_off_c" || ($3 == "Note_on_c" && $6 == 0) { off[$4]++ }
    END {
        bad = 0
        for (c in on) if (on[c] != off[c]) { printf "FAIL channel %d: %d notes, %d ended\n", c + 1, on[c], off[c]; bad = 1 }
        if (!bad) print "ok   every note of the session MIDI ended"
        exit bad
    }' "$tmp/session.csv" || fail=1
grep -q "0 notes left on" "$tmp/play.out" && echo "ok   no note left on at MIDI out" ||
    { echo "FAIL notes left on"; cat "$tmp/play.out"; fail=1; }
exit $fail
