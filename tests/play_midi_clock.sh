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
# loaded machine (counted, as in play_midi_out); an interval of two ticks
# (a tick lost with a cycle jack_midi_dump or lstmjam-out missed) passes
# only as often as jackd logged such a miss, at most 3 times; at least 20
# intervals of each tempo; Stop after the last tick (the CC's frame is the
# dump's copy of it; should the dump lose it with a cycle jackd logged, the
# change is placed where the intervals turn from 800 to 500). The CC is sent once
# play has printed its "MIDI in:" line (the input client runs: jackd 1.9.21
# sometimes never runs a second client of one process; midi_in.c replaces it).
#
# Then `--midi-clock in` on the same server: play (from --tempo 100, a preset
# whose auto mode would drift the tempo by up to 50% at every fresh start,
# which following the clock turns off, and says so) follows
# the clock tests/jack_send plays into its MIDI input, each tick at its exact
# frame: Start, 96 ticks at 150 BPM, CC 71 = 0 (the tempo control, 40 BPM
# when no clock is followed: the clock owns the tempo, so it is ignored),
# 96 more at 150, 96 at 240, Stop. Checked from play's
# "MIDI clock in: BPM (tick N)" lines (printed when it sets a tempo): 150 set
# within two beats (48 ticks) of the first tick, 240 within two beats of the
# change (tick 192 + 48), no other tempo ever set, and no status line at
# another tempo than 100 (--tempo, before the clock), 150 or 240 (the CC
# took it to 40 for the 1.6 s until the change to 240); the summary counts
# the CC ignored (within 1.5 BPM: a tick a
# loaded machine delays by a period moves the estimate a little; the change
# crossing the estimate's beat never shows as a tempo between); Stop pauses
# (the status line says paused) and the last status line shows 240 BPM; the
# summary counts all 288 ticks and 2 Start/Stop (fewer ticks only where jackd
# logged a cycle lstmjam-midi or jack_send missed).
# Skipped (77) without jackd or jack_midi_dump.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
. "$LJ_SOURCE_DIR/tests/jack_lib.sh"
jack_test_setup jack_midi_dump stdbuf
SEND=${LJ_JACK_SEND:?}
dump_pid= play_pid=
trap 'kill $play_pid $dump_pid $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
jack_dummy_start lstmjam_clk

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
# play prints its "MIDI in:" line once the input client runs (midi_in.c
# replaces one the server never runs); the port alone is not that
for i in $(seq 1 100); do grep -q "^MIDI in: JACK" "$tmp/play.out" && break; sleep 0.1; done
grep "^MIDI in:" "$tmp/play.out"
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
    # near(d, want): d is n intervals of want (n 1 or 2), give or take k whole periods
    function near(d, want,   k, n) {
        for (n = 1; n <= 2; n++)
            for (k = -3; k <= 3; k++)
                if (abs(d - 128 * k - n * want) <= 1) { fit_k = k; fit_n = n; return 1 }
        return 0
    }
    function fits(d, want) {
        if (!near(d, want)) return 0
        if (fit_k) shifted++
        if (fit_n > 1) lost++
        return 1
    }
    { t = $1; sub(":", "", t); t += 0 }
    $2 == "fa" { if (!start) start = NR; if (ticks) start_late = 1 }
    $2 == "bf" && $3 == "47" { cc = t }
    $2 == "fc" { stop = NR; stop_ticks = ticks }
    $2 == "f8" { tick[ticks++] = t; if (stop) after_stop++ }
    END {
        bad = 0
        # the CC as the dump saw it; a cycle the dump missed can take it (a
        # fresh clone under CI-like load, 2026-12-01: 87 intervals "off",
        # all of them the 240 BPM ones): then the change is where the
        # intervals turn from 800 to 500 frames (the last tick of an 800
        # before the first 500: the one between is the change), if jackd
        # logged a miss
        if (!cc && missed) {
            for (i = 1; i < ticks && !cc; i++)
                if (near(tick[i] - tick[i - 1], 500) && !near(tick[i] - tick[i - 1], 800)) {
                    for (k = i - 1; k > 0 && !near(tick[k] - tick[k - 1], 800); k--) {}
                    cc = tick[k]
                }
            if (cc) printf "note: the dump lost the CC with a cycle; the tempo changed at frame %d\n", cc
        }
        if (!cc) { print "FAIL the CC 71 is not in the dump and no interval of 500 frames follows a missed cycle"; bad = 1 }
        for (i = 1; i < ticks; i++) {
            t = tick[i]; prev = tick[i - 1]; d = t - prev
            if (!cc || t <= cc) { if (fits(d, 800)) slow++; else { bad_slow++; if (bad_slow <= 3) printf "interval %d at 150 BPM (frame %d)\n", d, t } }
            else if (prev > cc + 9600) { if (fits(d, 500)) fast++; else { bad_fast++; if (bad_fast <= 3) printf "interval %d at 240 BPM (frame %d)\n", d, t } }
        }
        printf "MIDI clock: %d ticks; %d intervals of 800 frames at 150 BPM (%d off), %d of 500 at 240 BPM (%d off), %d shifted by whole periods, %d ticks lost with a cycle (%d cycles jackd saw a MIDI client miss); Start %s, Stop %s\n",
            ticks, slow, bad_slow, fast, bad_fast, shifted, lost, missed, start && !start_late ? "first" : "MISSING or late", stop && !after_stop ? "last" : "MISSING or not last"
        if (lost > missed || lost > 3) { print "FAIL ticks lost where no MIDI client missed a cycle, or more than 3"; bad = 1 }
        if (slow < 20 || fast < 20 || bad_slow || bad_fast) { print "FAIL clock intervals off the tempo"; bad = 1 }
        # Start and the first tick leave in one cycle (offset 0): a Start the
        # dump lost with that cycle took the first tick with it
        if (!start && sent - ticks > lost) print "note: Start lost with the first cycle (" sent - ticks - lost " ticks before the first seen not seen either)"
        else if (!start || start_late) { print "FAIL Start"; bad = 1 }
        if (!stop || after_stop) { print "FAIL Stop"; bad = 1 }
        if (!bad) print "ok   MIDI clock follows the engine tempo"
        exit bad
    }' sent="$(sed -n 's/^MIDI out: .* \([0-9]*\) MIDI clock ticks$/\1/p' "$tmp/play.out")" missed="$(grep -cE "client = (dclk|lstmjam-out) was not finished" "$tmp/jackd.log")" "$tmp/clk.dump" || fail=1

# --midi-clock in
# a preset whose auto mode drifts the tempo (mode.vary.tempo) and starts
# afresh every second: following the clock turns the drift off (it took the
# status line to 123..137 BPM around a 100 BPM master); its drift of the
# instrument and of the density give way to --program 3 and --density 1 (all
# said in the banner)
printf 'model: %s\nmode: {name: auto, reseed: 1, vary: {tempo: 0.5, density: 0.5, programs: [89, 91]}}\n' \
    "$tmp/ev.lstm" >"$tmp/vary.yaml"
"$BIN" play --preset "$tmp/vary.yaml" --seconds 60 --tempo 100 --program 3 --density 1 --seed 5 --lookahead 40 --no-audio \
    --midi-clock in --midi-in jack --midi-out jack >"$tmp/in.out" 2>"$tmp/in.err" &
play_pid=$!
for i in $(seq 1 100); do grep -q "^MIDI in: JACK" "$tmp/in.out" && break; sleep 0.1; done
grep "^MIDI in:" "$tmp/in.out"
printf 'fa\nclock 150 96\nb0 47 00\nclock 150 96\nclock 240 96\nfc\n' | "$SEND" lstmjam-midi:midi_in || { echo "FAIL jack_send (clock)"; fail=1; }
i=0
until grep -q "^paused |" "$tmp/in.err"; do
    i=$((i + 1)); [ $i -gt 30 ] && { echo "FAIL Stop: the status line never showed paused"; fail=1; break; }
    sleep 0.1
done
kill -TERM $play_pid
wait $play_pid
rc=$?
play_pid=
[ $rc = 0 ] || { echo "FAIL play --midi-clock in exit $rc"; cat "$tmp/in.err"; fail=1; }
grep -q "^MIDI clock in sets the tempo: the preset's mode.vary.tempo is off" "$tmp/in.out" ||
    { echo "FAIL play did not say the preset's tempo drift is off"; fail=1; }
grep -q "^--program 3 sets the program: the preset's mode.vary.programs are off" "$tmp/in.out" ||
    { echo "FAIL play did not say the preset's program drift is off"; fail=1; }
grep -q "^--density 1 sets the density: the preset's mode.vary.density is off" "$tmp/in.out" ||
    { echo "FAIL play did not say the preset's density drift is off"; fail=1; }
grep -q "^MIDI clock in: .* 1 tempo CCs ignored (the clock sets the tempo)" "$tmp/in.out" ||
    { echo "FAIL the summary did not count the tempo CC ignored"; fail=1; }
grep -E "^MIDI clock in" "$tmp/in.out" "$tmp/in.err"
awk -v missed="$(grep -cE "client = (lstmjam-midi|jack_send) was not finished" "$tmp/jackd.log")" '
    function abs(x) { return x < 0 ? -x : x }
    /^MIDI clock in: [0-9.]+ BPM \(tick [0-9]+\)/ {
        bpm = $4 + 0; tick = $7 + 0
        if (abs(bpm - 150) <= 1.5 && !at240) { if (!at150) at150 = tick }
        else if (abs(bpm - 240) <= 1.5 && tick > 192) { if (!at240) at240 = tick }
        else { printf "FAIL tempo %s set at tick %d (150 then 240 expected, within 1.5 BPM)\n", $4, tick; bad = 1 }
    }
    /\| [0-9]+ BPM \|/ {
        status = $0
        s = $0; sub(/ BPM \|.*/, "", s); sub(/.*\| /, "", s)
        if (abs(s - 100) > 1.5 && abs(s - 150) > 1.5 && abs(s - 240) > 1.5) { off_tempo++; if (!off_seen) off_seen = s }
    }
    /^MIDI clock in: [0-9]+ ticks/ { ticks = $4 + 0; transport = $6 + 0 }
    END {
        printf "MIDI clock in: 150 BPM set at tick %d (limit 48), 240 at tick %d (limit 240); %d ticks of 288, %d Start/Stop; %d status lines off the clock'"'"'s tempo%s\n", at150, at240, ticks, transport, off_tempo, off_tempo ? " (first " off_seen " BPM)" : ""
        if (!at150 || at150 > 48) { print "FAIL 150 BPM not followed within two beats"; bad = 1 }
        if (!at240 || at240 > 240 || at240 < 193) { print "FAIL 240 BPM not followed within two beats of the change"; bad = 1 }
        if (off_tempo) { print "FAIL the tempo CC moved the tempo away from the clock'"'"'s"; bad = 1 }
        if (status !~ /^paused \| .*\| 240 BPM \|/) { print "FAIL last status line: " status; bad = 1 }
        if (transport != 2 || ticks > 288 || (ticks < 288 && !missed)) { print "FAIL ticks or Start/Stop counted"; bad = 1 }
        if (!bad) print "ok   play follows the MIDI clock in (150, then 240 BPM) and its Stop"
        exit bad
    }' "$tmp/in.err" "$tmp/in.out" || fail=1
exit $fail
