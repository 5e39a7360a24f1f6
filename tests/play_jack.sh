#!/bin/sh
# `lstmjam play` end to end on a headless JACK server (jackd -d dummy, 48 kHz,
# 128 frames) with independent JACK peers: jack_midiseq plays a two-note loop
# into lstmjam's JACK MIDI input for 0.6 s (then tests/jack_send ends its
# notes), jack_rec records lstmjam's audio output. lstmjam plays in continue
# mode: silent until the player's phrase, then the model carries on; a SIGHUP
# once the status line counts its notes swaps the model (reloaded from its
# file), and a SIGTERM once the reload is logged ends the run. Every step
# waits for what it needs (play's "MIDI in:" line, a port, a log line), not
# for a fixed time, except the phrase's own length. Checked: exit 0; the reload; no dropped or late events
# (the status counters of the audio thread; a 40 ms look-ahead, as the test
# machine is shared); no note held on the audio side at exit (the summary's
# "0 notes left on", in both runs); the session MIDI holds the
# player's notes (thru channel 2) and, after them, the model's, every note-on
# paired with a note-off; the recorded audio is not silent; xruns in both
# runs judged by what the callback did (jack_lib.sh's jack_xruns_check: zero
# is the goal; what fails is a callback that slept or used too much of its
# period's CPU time, since a shared VM takes the CPU from any thread), with
# an independent witness client's and JACK's driver's missed cycles beside;
# lstmjam's own threads run below JACK's audio thread (jack_threads_check). Then
# the thru latency, measured by tests/jack_latency on JACK's clock. The status
# line shows the audio callback's longest run (> 0, at most the summary's).
# Skipped (77) without jackd or when the server does not start.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
. "$LJ_SOURCE_DIR/tests/jack_lib.sh"
jack_test_setup jack_rec jack_midiseq jack_connect midicsv
play_pid= rec_pid= seq_pid=
trap 'kill $play_pid $rec_pid $seq_pid $peer_pid $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
jack_dummy_start lstmjam_test
jack_peer_start # the witness of jack_xruns_check

# wait_for FILE ERE SECONDS: a line of FILE matches (polled every 0.1 s).
wait_for() {
    i=0
    while [ $i -lt $(($3 * 10)) ]; do
        grep -Eq "$2" "$1" 2>/dev/null && return 0
        sleep 0.1; i=$((i + 1))
    done
    echo "FAIL timed out after $3 s waiting for /$2/ in $(basename "$1")"; cat "$1"
    return 1
}
# has_port NAME: jack_lsp lists it (grep reads all of jack_lsp's output: a
# client killed by SIGPIPE from `grep -q` is one more peer jackd must drop)
has_port() { [ "$(jack_lsp 2>/dev/null | grep -cx "$1")" -gt 0 ]; }

jack_log_mark
"$BIN" play --model "$tmp/ev.lstm" --mode continue --seconds 20 --tempo 300 --seed 5 --lookahead 40 \
    --midi-in jack --record "$tmp/session.mid" >"$tmp/play.out" 2>"$tmp/play.err" &
play_pid=$!
# play prints "MIDI in:" last, once its audio and MIDI clients run
wait_for "$tmp/play.out" "^MIDI in: JACK" 10 || { cat "$tmp/play.err"; exit 1; }
jack_threads_check $play_pid || fail=1
jack_rec -f "$tmp/rec.wav" -d 4 -b 16 lstmjam:out_0 lstmjam:out_1 >"$tmp/rec.log" 2>&1 &
rec_pid=$!
# The player: C4 then E4, 50 ms each, twice a second.
jack_midiseq ljseq 24000 0 60 2400 12000 64 2400 >/dev/null 2>&1 &
seq_pid=$!
i=0; until has_port ljseq:out || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
jack_connect ljseq:out lstmjam-midi:midi_in || echo "note: jack_connect failed"
sleep 0.6 # the phrase: C4 and E4 at least once each
kill $seq_pid 2>/dev/null
seq_pid=
# The loop may have been killed mid-note: its note-offs, so the phrase ends
# now (not after the 4 s a held key takes to count as released).
printf '80 3c 00\n80 40 00\n' | "${LJ_JACK_SEND:?}" lstmjam-midi:midi_in || echo "note: jack_send failed"
# Hot swap while the model answers: the model file is read again, the old
# engine is cut (panic) and a new one takes over the queues.
wait_for "$tmp/play.err" "\| notes [1-9]" 8 || fail=1
kill -HUP $play_pid
wait_for "$tmp/play.err" "^reloaded .*: panic, new engine from frame" 5 || fail=1
kill -TERM $play_pid
wait $play_pid
rc=$?
play_pid=
wait $rec_pid 2>/dev/null
rec_pid=
cat "$tmp/play.out" "$tmp/play.err"
[ $rc = 0 ] || { echo "FAIL play exit $rc"; exit 1; }
line=$(grep "^played" "$tmp/play.out")
[ -n "$line" ] || { echo "FAIL no summary line"; exit 1; }
echo "$line" | grep -q "dropped 0, late 0" && echo "ok   no dropped or late events" || { echo "FAIL dropped/late: $line"; fail=1; }
jack_xruns_check "play" "$tmp/play.out" || fail=1
# no note left on at exit on the audio side: the scheduler's held-note table
# after the last callback (before play's own closing sched_panic)
echo "$line" | grep -q ", 0 notes left on" && echo "ok   no note left on at exit (audio side)" \
    || { echo "FAIL notes left on at exit: $line"; fail=1; }
echo "$line" | grep -q " 0 from the player" && { echo "FAIL the player's notes did not arrive"; fail=1; }
# The status line's callback max (the scheduler's counter, a running maximum):
# measured (> 0), and never above the summary's, read after the last callback.
awk -v sum="$(echo "$line" | sed -n 's/.*callback max \([0-9.]*\) us.*/\1/p')" '
    /\| callback max [0-9]+ us/ { v = $0; sub(/.*\| callback max /, "", v); sub(/ us.*/, "", v); n++; if (v + 0 > max) max = v + 0 }
    END {
        if (!n) { print "FAIL no callback max on the status line"; exit 1 }
        if (max <= 0 || sum == "" || max > sum + 0.5) { printf "FAIL status callback max %g us (summary %s us)\n", max, sum; exit 1 }
        printf "ok   status line: callback max up to %g us on %d lines (summary %s us)\n", max, n, sum
    }' "$tmp/play.err" || fail=1
grep -q "^reloaded .*: panic, new engine from frame" "$tmp/play.err" && echo "ok   hot swap on SIGHUP" \
    || { echo "FAIL no reload after SIGHUP"; fail=1; }

midicsv "$tmp/session.mid" >"$tmp/session.csv" || { echo "FAIL midicsv"; exit 1; }
# Track 2: the model (channel 1 -> midicsv 0); track 3: the player (channel 2 -> 1).
awk -F', ' -v out="$tmp" '
    $3=="Note_on_c" && $6>0 { on[$1]++; if ($1==3) last_player=$2; if ($1==2 && !first_model) first_model=$2 }
    $3=="Note_off_c" || ($3=="Note_on_c" && $6==0) { off[$1]++ }
    END {
        printf "session: model %d notes (%d offs), player %d notes (%d offs); last player onset %d, first model onset %d ticks\n",
            on[2], off[2], on[3], off[3], last_player, first_model
        bad = 0
        if (on[3] < 2) { print "FAIL too few player notes"; bad = 1 }
        if (on[2] < 1) { print "FAIL the model did not answer"; bad = 1 }
        if (on[2] != off[2] || on[3] != off[3]) { print "FAIL unpaired notes"; bad = 1 }
        if (first_model <= last_player) { print "FAIL the model played before the phrase ended"; bad = 1 }
        exit bad
    }' "$tmp/session.csv" || fail=1

/usr/bin/python3 - "$tmp/rec.wav" <<'PY' || fail=1
import sys, wave, struct, math
w = wave.open(sys.argv[1]); n = w.getnframes(); ch = w.getnchannels()
data = struct.unpack("<%dh" % (n * ch), w.readframes(n))
rms = math.sqrt(sum(x * x for x in data) / max(1, len(data))) / 32768
print("jack_rec: %.2f s, %d channels, rms %.1f dBFS" % (n / w.getframerate(), ch, 20 * math.log10(rms) if rms > 0 else -999))
if rms < 1e-4: print("FAIL the recorded output is silent"); sys.exit(1)
PY

# MIDI thru latency on JACK's own clock: jack_latency sends notes to
# lstmjam-midi:midi_in and finds their onsets in lstmjam:out_0 in the same
# process callback. The note is read in one cycle and rendered in the next
# callback: one period (128 frames) plus the time the attack takes to cross
# the detector's threshold; the limit, one period plus 64, holds for every
# note except those during whose measurement (0.3 s from the note-on) the
# JACK server reported an xrun
# (jack_latency counts them with an xrun callback; should xruns hit more than
# half the notes, only the median of all is checked). The
# project's SoundFont starts its notes at once (FluidR3's piano samples begin
# 40-400 frames late, depending on the key, which would measure the samples).
jack_log_mark
"$BIN" play --model "$tmp/ev.lstm" --mode continue --gap 30 --no-reverb --no-chorus --seconds 20 \
    --soundfont "$LJ_SOURCE_DIR/soundfonts/lstmjam-basic.sf2" --seed 5 --lookahead 40 --midi-in jack >"$tmp/play2.out" 2>"$tmp/play2.err" &
play_pid=$!
if wait_for "$tmp/play2.out" "^MIDI in: JACK" 10; then
    "${LJ_JACK_LATENCY:?}" lstmjam:out_0 lstmjam-midi:midi_in 6 192 || { echo "FAIL thru latency"; fail=1; }
else
    echo "FAIL the second play run did not start"; fail=1
fi
kill -TERM $play_pid
wait $play_pid || { echo "FAIL second play run"; cat "$tmp/play2.out" "$tmp/play2.err"; fail=1; }
grep -q "^played .*, 0 notes left on" "$tmp/play2.out" || { echo "FAIL second run: notes left on at exit"; grep "^played" "$tmp/play2.out"; fail=1; }
jack_xruns_check "second run" "$tmp/play2.out" || fail=1
play_pid=
exit $fail
