#!/bin/sh
# `lstmjam render --model`: the engine against the file sink. A random-weight
# event model (make_event_model) renders to a WAV that is not silent, with the
# MIDI of what was played beside it: every note-on paired with a note-off, the
# same notes for the same seed and others for another seed, exactly N notes with
# --notes N (the last ones sounding their length, a note struck twice on one
# tick counted once); a shipped event model's MIDI nests no notes of one key. Bad usage and bad models exit 2 with a message and leave nothing.
# Skipped (77) without a SoundFont.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
"${LJ_MAKE_MODEL:?}" "$tmp/ev.lstm" 64 7 || { echo "FAIL cannot make the test model"; exit 1; }
mkdir "$tmp/o"

if ! "$BIN" render --model "$tmp/ev.lstm" --minutes 0.25 --seed 3 -o "$tmp/o/a.wav" >"$tmp/out" 2>"$tmp/err"; then
    if grep -q "no SoundFont found" "$tmp/err"; then echo "SKIP: $(cat "$tmp/err")"; exit 77; fi
    echo "FAIL render --minutes: exit $?"; cat "$tmp/out" "$tmp/err"; exit 1
fi
cat "$tmp/out"
grep -q "^engine: [0-9]* steps, [0-9]* notes, step time p50" "$tmp/out" || { echo "FAIL no engine line"; fail=1; }
[ "$(ls "$tmp/o" | tr '\n' ' ')" = "a.mid a.wav " ] || { echo "FAIL files: $(ls "$tmp/o")"; fail=1; }
# Loudness of the WAV and its length: 15 s of music, a tail of 2 s, a look-ahead.
/usr/bin/python3 - "$tmp/o/a.wav" <<'PY' || fail=1
import sys, wave, struct, math
w = wave.open(sys.argv[1]); n = w.getnframes(); rate = w.getframerate()
data = struct.unpack("<%dh" % (n * 2), w.readframes(n))
rms = math.sqrt(sum(x * x for x in data) / len(data)) / 32768
secs = n / rate
print("a.wav: %.2f s, rms %.1f dBFS" % (secs, 20 * math.log10(rms) if rms > 0 else -999))
if not (15.0 <= secs <= 15.0 + 2.0 + 5.0): print("FAIL length %.2f s" % secs); sys.exit(1)
if rms < 1e-3: print("FAIL silent"); sys.exit(1)
PY
midicsv "$tmp/o/a.mid" > "$tmp/a.csv" || { echo "FAIL midicsv a.mid"; fail=1; }
ons=$(awk -F', ' '$3=="Note_on_c" && $6>0' "$tmp/a.csv" | wc -l)
offs=$(awk -F', ' '$3=="Note_off_c" || ($3=="Note_on_c" && $6==0)' "$tmp/a.csv" | wc -l)
echo "a.mid: $ons note-ons, $offs note-offs"
[ "$ons" -gt 5 ] || { echo "FAIL too few notes: $ons"; fail=1; }
[ "$ons" = "$offs" ] || { echo "FAIL $ons note-ons but $offs note-offs"; fail=1; }

# Same seed, same notes; another seed, other notes.
"$BIN" render --model "$tmp/ev.lstm" --minutes 0.25 --seed 3 -q -o "$tmp/o/b.wav" || fail=1
cmp -s "$tmp/o/a.mid" "$tmp/o/b.mid" && echo "ok   same seed, same MIDI" || { echo "FAIL same seed differs"; fail=1; }
"$BIN" render --model "$tmp/ev.lstm" --minutes 0.25 --seed 4 -q -o "$tmp/o/c.wav" || fail=1
cmp -s "$tmp/o/a.mid" "$tmp/o/c.mid" && { echo "FAIL seed 4 gives seed 3's MIDI"; fail=1; } || echo "ok   other seed, other MIDI"

# --notes N: exactly N notes, FLAC, tempo, temperature.
"$BIN" render --model "$tmp/ev.lstm" --notes 25 --tempo 200 --temperature 0.8 --top-k 50 -q -o "$tmp/o/n.flac" || fail=1
n=$(midicsv "$tmp/o/n.mid" | awk -F', ' '$3=="Note_on_c" && $6>0' | wc -l)
[ "$n" = 25 ] && echo "ok   --notes 25" || { echo "FAIL --notes 25 gave $n notes"; fail=1; }
[ "$(head -c 4 "$tmp/o/n.flac")" = fLaC ] || { echo "FAIL n.flac is not FLAC"; fail=1; }
rm -f "$tmp/o"/*

# A shipped event model writes the same note twice in a row ("on:77 on:77"):
# its MIDI file must not nest notes of one key (tests/midi_nested.awk). Two
# minutes of nottingham-event, seed 1: 4 nested notes on the old code, which
# stretched the first, zero-length, note over the second.
if [ -f "$LJ_SOURCE_DIR/model/pretrained/nottingham-event.lstm" ]; then
    "$BIN" render --preset nottingham-event --minutes 2 --seed 1 -q -o "$tmp/o/ev.wav" || fail=1
    r=$(midicsv "$tmp/o/ev.mid" | awk -f "$LJ_SOURCE_DIR/tests/midi_nested.awk")
    case "$r" in
    "nested 0 notes "[1-9]*) echo "ok   nottingham-event 2 min: $r" ;;
    *) echo "FAIL nottingham-event 2 min: $r"; fail=1 ;;
    esac
    rm -f "$tmp/o"/*
fi

# A preset's mode.vary gives way to what the command line sets: --program,
# --tempo and --density each turn off the preset's drift of what they set,
# and render says so (programs counted on the model's channel, 0; --program
# 0 under the ambient preset was changed 12 times in 8 minutes among its
# pads, --tempo 100 played at 89..111 BPM).
printf 'model: %s\nmode: {name: auto, reseed: 1, vary: {tempo: 0.3, density: 0.5, programs: [89, 91, 94]}}\n' \
    "$tmp/ev.lstm" >"$tmp/vary.yaml"
"$BIN" render --preset "$tmp/vary.yaml" --minutes 0.5 --seed 3 -o "$tmp/o/v.wav" >"$tmp/v.out" 2>&1 || fail=1
drifted=$(midicsv "$tmp/o/v.mid" | awk -F', ' '$3=="Program_c" && $4==0' | wc -l)
"$BIN" render --preset "$tmp/vary.yaml" --minutes 0.5 --seed 3 --program 5 --tempo 100 --density 2 \
    -o "$tmp/o/w.wav" >"$tmp/w.out" 2>&1 || fail=1
given=$(midicsv "$tmp/o/w.mid" | awk -F', ' '$3=="Program_c" && $4==0 {n++; p[$5]=1} END {for (k in p) s = s k " "; print n + 0 " changes to " s}')
echo "vary preset: $drifted program changes; with --program 5 --tempo 100 --density 2: $given"
[ "$drifted" -ge 4 ] || { echo "FAIL the preset's programs did not drift ($drifted changes): the check below means nothing"; fail=1; }
case "$given" in *" changes to 5 ") echo "ok   --program 5 stays" ;; *) echo "FAIL --program 5 changed: $given"; fail=1 ;; esac
for said in "--program 5 sets the program: the preset's mode.vary.programs are off" \
    "--tempo 100 sets the tempo: the preset's mode.vary.tempo is off" \
    "--density 2 sets the density: the preset's mode.vary.density is off"; do
    grep -qxF -- "$said" "$tmp/w.out" || { echo "FAIL render did not say: $said"; cat "$tmp/w.out"; fail=1; }
done
rm -f "$tmp/o"/*

# Bad usage and bad models: exit 2, nothing left.
check "no length" 2 "needs a length" -- "$BIN" render --model "$tmp/ev.lstm" -o "$tmp/o/x.wav"
check "both sources" 2 "one of --score and --model" -- "$BIN" render --score x.mid --model "$tmp/ev.lstm" --minutes 1 -o "$tmp/o/x.wav"
check "temperature" 2 "temperature: expected" -- "$BIN" render --model "$tmp/ev.lstm" --minutes 1 --temperature 5 -o "$tmp/o/x.wav"
check "tempo" 2 "tempo: expected" -- "$BIN" render --model "$tmp/ev.lstm" --minutes 1 --tempo 1000 -o "$tmp/o/x.wav"
check "minutes with score" 2 "go with --model" -- "$BIN" render --score x.mid --minutes 1 -o "$tmp/o/x.wav"
printf 'not a model' > "$tmp/bad.lstm"
check "bad model" 2 "bad.lstm" -- "$BIN" render --model "$tmp/bad.lstm" --minutes 1 -o "$tmp/o/x.wav"
check "missing model" 2 "nope.lstm" -- "$BIN" render --model "$tmp/nope.lstm" --minutes 1 -o "$tmp/o/x.wav"
[ -z "$(ls -A "$tmp/o")" ] && echo "ok   nothing left behind" || { echo "FAIL left: $(ls -A "$tmp/o")"; fail=1; }
exit $fail
