#!/bin/sh
# The engine plays abc models: a chars model that lstmjam train makes here in
# about a second (tests/data/train/engine-chars.yaml: 300 steps on the demo
# book, enough to write tunes) renders through `lstmjam render --model`: the
# model starts a tune ("X:", as generate does), its text is read as it comes
# (ABC stream decoder) and its notes sound. Checked: exactly the notes asked
# for, every note-on paired in the MIDI beside the WAV, the WAV not silent,
# the malformed-text count reported; the same seed gives the same MIDI.
# Skipped (77) without a SoundFont.
. "${LJ_SOURCE_DIR:?}/tests/cli_lib.sh"
command -v midicsv >/dev/null || { echo "SKIP: midicsv not installed"; exit 77; }
"$BIN" train "$LJ_SOURCE_DIR/tests/data/train/engine-chars.yaml" --run-dir "$tmp/run" -q \
    || { echo "FAIL training the chars model"; exit 1; }
M=$tmp/run/model.lstm
mkdir "$tmp/o"
if ! "$BIN" render --model "$M" --notes 60 --seed 3 -o "$tmp/o/a.wav" >"$tmp/out" 2>"$tmp/err"; then
    if grep -q "no SoundFont found" "$tmp/err"; then echo "SKIP: $(cat "$tmp/err")"; exit 77; fi
    echo "FAIL render: exit $?"; cat "$tmp/out" "$tmp/err"; exit 1
fi
cat "$tmp/out"
grep -q "^model: .* (chars, " "$tmp/out" && echo "ok   the chars model loads" || { echo "FAIL model line"; fail=1; }
grep -q "^engine: [0-9]* steps, 60 notes," "$tmp/out" && echo "ok   60 notes generated" || { echo "FAIL engine line"; fail=1; }
grep -q "^abc: [0-9]* malformed passages" "$tmp/out" && echo "ok   malformed text counted" || { echo "FAIL no abc line"; fail=1; }
midicsv "$tmp/o/a.mid" >"$tmp/a.csv" || { echo "FAIL midicsv"; exit 1; }
awk -F', ' '$3=="Note_on_c" && $6>0 { on++ } $3=="Note_off_c" || ($3=="Note_on_c" && $6==0) { off++ }
    END { printf "a.mid: %d note-ons, %d note-offs\n", on, off; exit !(on == 60 && off == 60) }' "$tmp/a.csv" \
    && echo "ok   60 notes in the MIDI, all ended" || { echo "FAIL notes in a.mid"; fail=1; }
/usr/bin/python3 - "$tmp/o/a.wav" <<'PY' || fail=1
import sys, wave, struct, math
w = wave.open(sys.argv[1]); n = w.getnframes()
data = struct.unpack("<%dh" % (n * 2), w.readframes(n))
rms = math.sqrt(sum(x * x for x in data) / len(data)) / 32768
print("a.wav: %.2f s, rms %.1f dBFS" % (n / w.getframerate(), 20 * math.log10(rms) if rms > 0 else -999))
if rms < 1e-3: print("FAIL silent"); sys.exit(1)
PY
"$BIN" render --model "$M" --notes 60 --seed 3 -q -o "$tmp/o/b.wav" || { echo "FAIL second render"; fail=1; }
midicsv "$tmp/o/b.mid" >"$tmp/b.csv"
cmp -s "$tmp/a.csv" "$tmp/b.csv" && echo "ok   same seed, same notes" || { echo "FAIL same seed gave other notes"; fail=1; }
exit $fail
