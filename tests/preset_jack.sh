#!/bin/sh
# `lstmjam play --preset` on a headless JACK server (jackd -d dummy): the
# preset's instrument reaches the synth's channel, and SIGHUP re-reads the
# preset while it plays (hot swap): the session MIDI holds the old program,
# then the new one; the new SoundFont, reverb and chorus come in as a new synth
# while the audio runs, the new period restarts the stream, a sample rate the
# JACK server does not run at (44100) is refused before anything stops (the
# rate stays, the rest applies; said once, not again at the next reload), and
# no note is left on; a reload of a broken preset (a value out of range, a
# SoundFont that is not one) is refused with file:line and the old one plays
# on; exit 0 at the end. Skipped (77) without jackd or when the server does not start.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
for t in jackd jack_lsp midicsv; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
trap 'kill $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
. "$LJ_SOURCE_DIR/tests/jack_lib.sh"
jack_dummy_start lstmjam_preset_test

# the ambient preset with an absolute model path and a fast tempo (notes soon),
# without its slow changes (mode.vary would change the program between pieces)
sed "s|\.\./model|$LJ_SOURCE_DIR/model|; s/^tempo: .*/tempo: 240/; /^  vary:/d" "$LJ_SOURCE_DIR/presets/ambient.yaml" >"$tmp/live.yaml"
"$BIN" play --preset "$tmp/live.yaml" --seed 4 --record "$tmp/session.mid" >"$tmp/play.out" 2>"$tmp/play.err" &
play_pid=$!
# SIGHUP only once play handles it: its first status line comes after that.
for i in $(seq 1 100); do
    tr '\r' '\n' <"$tmp/play.err" | grep -q '^auto |' && break
    sleep 0.2
done
# lstmjam devices sees the server and its MIDI ports (a jack_midi_dump's input).
jack_midi_dump >/dev/null 2>&1 &
dump_pid=$!
for i in $(seq 1 50); do jack_lsp 2>/dev/null | grep -q "^midi-monitor:input" && break; sleep 0.1; done
"$BIN" devices >"$tmp/devices.out" 2>&1
kill $dump_pid 2>/dev/null; wait $dump_pid 2>/dev/null
grep -q "^JACK: server running at 48000 Hz, period 128 frames" "$tmp/devices.out" &&
    grep -A3 "MIDI destinations (--midi-out jack:PORT)" "$tmp/devices.out" | grep -q "^    midi-monitor:input" &&
    echo "ok   devices lists the JACK server and its MIDI ports" ||
    { echo "FAIL devices on JACK:"; cat "$tmp/devices.out"; fail=1; }
sf="$LJ_SOURCE_DIR/soundfonts/lstmjam-basic.sf2"
sed -i "s/program: Warm Pad/program: Church Organ/; s|^soundfont: .*|soundfont: $sf|;
        s/reverb: .*/reverb: {room: 0.3, level: 0.5}/; s/chorus: .*/chorus: false/; s/period: .*/period: 512/;
        s/rate: 48000/rate: 44100/" \
    "$tmp/live.yaml"
kill -HUP $play_pid
# wait_err PATTERN: polls play's stderr for PATTERN (10 s at most)
wait_err() {
    for i in $(seq 1 100); do tr '\r' '\n' <"$tmp/play.err" | grep -q "$1" && return 0; sleep 0.1; done
    echo "FAIL timed out waiting for /$1/ on play's stderr"; fail=1
}
wait_err "^reloaded "
sleep 1 # notes of the new program
echo "not a SoundFont" >"$tmp/bad.sf2"
sed "s|^soundfont: .*|soundfont: $tmp/bad.sf2|" "$tmp/live.yaml" >"$tmp/bad.yaml"
cp "$tmp/bad.yaml" "$tmp/live.yaml"
kill -HUP $play_pid
wait_err "bad.sf2: cannot load"
sed -i 's/temperature: .*/temperature: 9/' "$tmp/live.yaml"
kill -HUP $play_pid
wait_err "'temperature': 9 is out of range"
kill -INT $play_pid
wait $play_pid
rc=$?
tr '\r' '\n' <"$tmp/play.err" | grep -v '^auto |'
cat "$tmp/play.out"
[ $rc = 0 ] || { echo "FAIL play exited $rc"; fail=1; }
grep -q "^reloaded " "$tmp/play.err" || { echo "FAIL no reload"; fail=1; }
grep -q "live.yaml:[0-9]*:[0-9]*: 'temperature': 9 is out of range 0..2" "$tmp/play.err" \
    || { echo "FAIL the broken preset was not refused with its position"; fail=1; }
grep -q "the old one plays on" "$tmp/play.err" || { echo "FAIL no 'plays on'"; fail=1; }
grep -q "^SoundFont: $sf (new synth, swapped in while the audio ran)" "$tmp/play.err" \
    || { echo "FAIL the new SoundFont was not swapped in"; fail=1; }
grep -q "^synth: gain 1.10, reverb room 0.30 level 0.50, chorus off" "$tmp/play.err" \
    || { echo "FAIL the new reverb/chorus are not in force"; fail=1; }
grep -q "^audio: .* period 512 frames asked.*(stream restarted)" "$tmp/play.err" \
    || { echo "FAIL the new period did not restart the stream"; fail=1; }
# audio.rate 44100 on a 48 kHz JACK server: refused before anything stopped;
# the rest of the preset (period, synth, program) applied at 48000 Hz
grep -q "^reload: the rate stays 48000 Hz (JACK Audio Connection Kit: .* does not run at 44100 Hz" "$tmp/play.err" &&
    grep -q "^audio: .*, 48000 Hz, period 512 frames asked.*(stream restarted)" "$tmp/play.err" &&
    echo "ok   audio.rate 44100 on JACK at 48000: refused, the rate stays, the rest applied" ||
    { echo "FAIL the rate JACK cannot run at was not refused (or the rest not applied)"; fail=1; }
# the next reload (bad.sf2) asks 44100 again: not said again
n=$(grep -c "the rate stays" "$tmp/play.err")
[ "$n" = 1 ] && echo "ok   the refused rate said once over two reloads asking it" ||
    { echo "FAIL 'the rate stays' said $n times over two reloads asking 44100 (want 1)"; fail=1; }
grep -q "^reload: .*live.yaml:[0-9]*: soundfont: SoundFont $tmp/bad.sf2: cannot load: expected a SoundFont 2/3 file" \
    "$tmp/play.err" || { echo "FAIL the bad SoundFont was not refused with the preset's line"; fail=1; }
grep -q "^played .*, 0 notes left on" "$tmp/play.out" || { echo "FAIL notes left on at the end"; fail=1; }
midicsv "$tmp/session.mid" | grep Program_c >"$tmp/programs.txt"
cat "$tmp/programs.txt"
progs=$(awk -F', ' '$4 == 0 { printf "%s ", $5 }' "$tmp/programs.txt")
if [ "$progs" = "89 19 " ]; then echo "ok   programs on the model's channel: $progs"
else echo "FAIL programs on the model's channel: '$progs', expected '89 19 '"; fail=1; fi
exit $fail
