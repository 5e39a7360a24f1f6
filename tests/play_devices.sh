#!/bin/sh
# `lstmjam play` against the devices of a private jackd -d dummy (48 kHz):
#   rate     --rate 44100 plays at the server's 48000 Hz with a note (it failed
#            "Invalid sample rate" and offered render, exit 1)
#   exit 2   for a device or port named on the command line that is not
#            there, while others are: --device by name (it was 1, with
#            render offered) and by index, --midi-in jack:PORT,
#            --midi-out jack:PORT (play --help's exit status rule)
#   counts   --no-audio: the status line and summary show MIDI out's late
#            events and xruns (they showed the absent audio side's zeros)
#   thru     --no-audio with MIDI in and out: the player's notes reach MIDI
#            out on the thru channel (they never did: a DAW recording
#            lstmjam heard only the model), and a key still held when play
#            ends is released there
#   period   on a server of 1024 frames, the default look-ahead is 4 of the
#            server's periods (85.3 ms), not of the 128 asked, with and
#            without audio: no note late (it was 10.7 ms, most notes late)
# Skipped (77) without jackd.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
for t in jackd jack_lsp; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
"${LJ_MAKE_MODEL:?}" "$tmp/ev.lstm" 32 7 || { echo "FAIL cannot make the test model"; exit 1; }
trap 'kill $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
. "$LJ_SOURCE_DIR/tests/jack_lib.sh"
jack_dummy_start lstmjam_devices
M="--model $tmp/ev.lstm --seed 2 --seconds 0.5"

check "--rate 44100 on JACK: the server's rate" 0 "runs at 48000 Hz: playing at that rate, not 44100 Hz" -- \
    "$BIN" play $M --rate 44100
grep -q "^audio: .*, 48000 Hz, " "$tmp/out" && echo "ok   played at 48000 Hz" || { echo "FAIL banner"; cat "$tmp/out"; fail=1; }
check "--device by a name not there" 2 "no output device matches" -- "$BIN" play $M --device no_such_device_xyz
grep -q "render" "$tmp/err" && { echo "FAIL render offered for a typo"; fail=1; }
check "--device by an index not there" 2 "expected an index" -- "$BIN" play $M --device 7
check "--midi-in jack:PORT not there" 2 "cannot connect that port" -- \
    "$BIN" play $M --midi-in jack:nonexist:port
check "--midi-out jack:PORT not there" 2 "cannot connect" -- \
    "$BIN" play $M --no-audio --midi-out jack:nonexist:port

# --no-audio: the status line and the summary show MIDI out's own late count
# (and its client's xruns); a look-ahead of 0.1 ms makes events late there.
# They showed 0 (the audio side's counters, which do not exist then).
"$BIN" play $M --no-audio --midi-out jack --tempo 240 --lookahead 0.1 --seconds 1.5 >"$tmp/out" 2>"$tmp/err"
status_late=$(tr '\r' '\n' <"$tmp/err" | sed -n 's/^auto | .* late \([0-9]*\).*/\1/p' | tail -1)
sum_late=$(sed -n 's/^played .* late \([0-9]*\) (MIDI out.s).*/\1/p' "$tmp/out")
out_late=$(sed -n 's/^MIDI out: [0-9]* messages, \([0-9]*\) late.*/\1/p' "$tmp/out")
grep -E "^(played|MIDI out:)" "$tmp/out" | sed 's/^/    /'
[ -n "$out_late" ] && [ "$out_late" -gt 0 ] && [ "${status_late:-0}" -gt 0 ] && [ "$sum_late" = "$out_late" ] \
    && echo "ok   --no-audio: status line late $status_late, summary late $sum_late = MIDI out's" \
    || { echo "FAIL --no-audio counters: status late '$status_late', summary '$sum_late', MIDI out '$out_late'"; fail=1; }

# The player's notes to MIDI out (thru channel 2: status 0x91/0x81): C4
# pressed and released, E4 still held when play ends.
stdbuf -oL jack_midi_dump -a ljthru >"$tmp/thru.dump" 2>/dev/null &
dump_pid=$!
for i in $(seq 1 50); do jack_lsp 2>/dev/null | grep -q "ljthru:input" && break; sleep 0.1; done
"$BIN" play $M --seconds 3 --mode continue --no-audio --midi-in jack --midi-out jack:ljthru:input \
    >"$tmp/out" 2>"$tmp/err" &
play_pid=$!
# the first status line: MIDI in is open and routed (a port listed is not yet
# running: the first run of this check sent into it and lost the notes)
for i in $(seq 1 50); do tr '\r' '\n' <"$tmp/err" | grep -qE '^[a-z]+ \| ' && break; sleep 0.1; done
printf '90 3c 64\nsleep 300\n80 3c 00\nsleep 100\n90 40 64\n' | "${LJ_JACK_SEND:?}" lstmjam-midi:midi_in \
    || echo "note: jack_send failed"
wait $play_pid; rc=$?
sleep 0.3
kill $dump_pid 2>/dev/null; wait $dump_pid 2>/dev/null
grep -E "^(MIDI out:)" "$tmp/out" | sed 's/^/    /'
awk -v rc=$rc '
    { st = $2; d1 = $3; d2 = $4 }
    st == "91" && d1 == "3c" && d2 != "00" { c_on++ }
    (st == "81" || (st == "91" && d2 == "00")) && d1 == "3c" && c_on { c_off++ }
    st == "91" && d1 == "40" && d2 != "00" { e_on++ }
    e_on && (((st == "81" || (st == "91" && d2 == "00")) && d1 == "40") || (st == "b1" && (d1 == "7b" || d1 == "78"))) { e_off++ }
    END {
        if (rc == 0 && c_on == 1 && c_off >= 1 && e_on == 1 && e_off >= 1) {
            print "ok   thru to MIDI out: the player'"'"'s C4 on and off, E4 on and released at the end, on channel 2"
        } else {
            printf "FAIL thru to MIDI out: exit %d; C4 on %d off %d, E4 on %d released %d\n", rc, c_on, c_off, e_on, e_off
            exit 1
        }
    }' "$tmp/thru.dump" || { fail=1; cat "$tmp/out"; grep -E " (9|8|b)1 " "$tmp/thru.dump" | head; }
grep -q "^MIDI out: .* 0 notes left on" "$tmp/out" && echo "ok   thru: MIDI out left no note on" \
    || { echo "FAIL thru: notes left on at MIDI out"; fail=1; }

# A server whose period is larger than the one asked for (a client cannot
# choose JACK's buffer size): the look-ahead follows the server's.
kill $jackd_pid; wait $jackd_pid 2>/dev/null
JACK_PERIOD=1024 jack_dummy_start lstmjam_devices_1024
"$BIN" play $M --tempo 240 --seconds 2 >"$tmp/out" 2>"$tmp/err"
grep -E "^(audio|played)" "$tmp/out" | sed 's/^/    /'
grep -q "^audio: .* look-ahead 85\.3 ms" "$tmp/out" && grep -q "^played .* notes from the model.* late 0," "$tmp/out" \
    && ! grep -q "^played 0.* 0 notes from the model" "$tmp/out" \
    && echo "ok   1024-frame server: look-ahead 85.3 ms, no note late" \
    || { echo "FAIL 1024-frame server with audio"; cat "$tmp/err"; fail=1; }
"$BIN" play $M --tempo 240 --seconds 2 --no-audio --midi-out jack >"$tmp/out" 2>"$tmp/err"
grep -E "^(no audio|MIDI out:)" "$tmp/out" | sed 's/^/    /'
grep -q "^no audio: .* look-ahead 85\.3 ms" "$tmp/out" && grep -q "^MIDI out: [1-9][0-9]* messages, 0 late" "$tmp/out" \
    && echo "ok   1024-frame server, --no-audio: look-ahead 85.3 ms, no MIDI-out message late" \
    || { echo "FAIL 1024-frame server without audio"; cat "$tmp/err"; fail=1; }
exit $fail
