#!/bin/sh
# `lstmjam play --midi-clock` on a headless JACK server (jackd -d dummy, 48 kHz,
# 128 frames): MIDI out (--no-audio, to jack_midi_dump) sends Start, then 24
# clock ticks per quarter note at the engine's tempo, and Stop at the end. The
# test plays at 150 BPM (a tick every 48000*60/(150*24) = 800 frames), then
# sends CC 71 = 127 from tests/jack_send (the tempo control: 240 BPM, 500
# frames) once 24 ticks have arrived, waits for the status line to show 240
# BPM and for 24 more ticks, and quits. Checked at the dump's frame stamps:
# Start before the first tick; every interval between ticks ending before the
# CC is 800 frames, every one starting 0.2 s after it 500 (the control thread
# passes the engine's tempo to MIDI out every 50 ms), each within 1 frame,
# give or take whole 128-frame periods (at most 3) that a client lost on a
# loaded machine (counted, as in play_midi_out); at least 20 of each; Stop
# after the last tick.
# Skipped (77) without jackd or jack_midi_dump.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
for t in jackd jack_lsp jack_midi_dump stdbuf; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
SEND=${LJ_JACK_SEND:?}
"${LJ_MAKE_MODEL:?}" "$tmp/ev.lstm" 64 7 || { echo "FAIL cannot make the test model"; exit 1; }
export JACK_DEFAULT_SERVER="lstmjam_clk_$$"
jackd -n "$JACK_DEFAULT_SERVER" -d dummy -r 48000 -p 128 >"$tmp/jackd.log" 2>&1 &
jackd_pid=$!
dump_pid= play_pid=
trap 'kill $play_pid $dump_pid $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
up=0
for i in 1 2 3 4 5 6 7 8 9 10; do
    if jack_lsp >/dev/null 2>&1; then up=1; break; fi
    sleep 0.5
done
[ $up = 1 ] || { echo "SKIP: jackd -d dummy did not start: $(tail -3 "$tmp/jackd.log")"; exit 77; }

ticks() { grep -c "^ *[0-9]*: f8" "$tmp/clk.dump"; }
wait_ticks() { # N SECONDS
    i=0
    while [ $i -lt $(($2 * 10)) ]; do
        [ "$(ticks)" -ge "$1" ] && return 0
        sleep 0.1; i=$((i + 1))
    done
    echo "FAIL timed out after $2 s waiting for $1 clock ticks (have $(ticks))"; return 1
}
stdbuf -oL jack_midi_dump -a dclk >"$tmp/clk.dump" 2>/dev/null &
dump_pid=$!
for i in $(seq 1 50); do jack_lsp 2>/dev/null | grep -q "dclk:input" && break; sleep 0.1; done
"$BIN" play --model "$tmp/ev.lstm" --seconds 60 --tempo 150 --seed 5 --lookahead 40 --no-audio \
    --midi-clock --midi-in jack --midi-out jack:dclk:input >"$tmp/play.out" 2>"$tmp/play.err" &
play_pid=$!
for i in $(seq 1 100); do jack_lsp 2>/dev/null | grep -q "lstmjam-midi:midi_in" && break; sleep 0.1; done
wait_ticks 24 10 || fail=1
echo "bf 47 7f" | "$SEND" lstmjam-midi:midi_in dclk:input || { echo "FAIL jack_send"; fail=1; }
i=0
until grep -q "| 240 BPM |" "$tmp/play.err"; do
    i=$((i + 1)); [ $i -gt 100 ] && { echo "FAIL the status line never showed 240 BPM"; fail=1; break; }
    sleep 0.1
done
n=$(ticks)
wait_ticks $((n + 30)) 10 || fail=1
kill -TERM $play_pid
wait $play_pid
rc=$?
play_pid=
sleep 0.2
kill $dump_pid 2>/dev/null; wait $dump_pid 2>/dev/null; dump_pid=
grep -E "^(MIDI out|played)" "$tmp/play.out"
[ $rc = 0 ] || { echo "FAIL play exit $rc"; cat "$tmp/play.err"; fail=1; }
awk '
    function abs(x) { return x < 0 ? -x : x }
    function fits(d, want,   k) { for (k = -3; k <= 3; k++) if (abs(d - 128 * k - want) <= 1) { if (k) shifted++; return 1 } return 0 }
    { t = $1; sub(":", "", t); t += 0 }
    $2 == "fa" { if (!start) start = NR; if (ticks) start_late = 1 }
    $2 == "bf" && $3 == "47" { cc = t }
    $2 == "fc" { stop = NR; stop_ticks = ticks }
    $2 == "f8" {
        if (ticks) {
            d = t - prev
            if (!cc || t < cc) { if (fits(d, 800)) slow++; else { bad_slow++; if (bad_slow <= 3) printf "interval %d at 150 BPM (frame %d)\n", d, t } }
            else if (prev > cc + 9600) { if (fits(d, 500)) fast++; else { bad_fast++; if (bad_fast <= 3) printf "interval %d at 240 BPM (frame %d)\n", d, t } }
        }
        prev = t; ticks++
        if (stop) after_stop++
    }
    END {
        printf "MIDI clock: %d ticks; %d intervals of 800 frames at 150 BPM (%d off), %d of 500 at 240 BPM (%d off), %d shifted by whole periods; Start %s, Stop %s\n",
            ticks, slow, bad_slow, fast, bad_fast, shifted, start && !start_late ? "first" : "MISSING or late", stop && !after_stop ? "last" : "MISSING or not last"
        bad = 0
        if (slow < 20 || fast < 20 || bad_slow || bad_fast) { print "FAIL clock intervals off the tempo"; bad = 1 }
        if (!start || start_late || !stop || after_stop) { print "FAIL Start/Stop"; bad = 1 }
        if (!bad) print "ok   MIDI clock follows the engine tempo"
        exit bad
    }' "$tmp/clk.dump" || fail=1
exit $fail
