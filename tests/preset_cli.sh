#!/bin/sh
# lstmjam presets, play/render --preset: the listing, a preset rendered with
# options overriding it (the MIDI says what the preset and the options asked
# for), every shipped preset whose model is there rendered for a few seconds,
# and bad presets: exit 2 with file:line:col and nothing written.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
cd "$LJ_SOURCE_DIR" || exit 1

# the listing: one line per presets/*.yaml
check "presets lists ambient" 0 '^  ambient  *auto  *essen-timestep.lstm  *Warm Pad  *endless' -- "$BIN" presets
cp "$tmp/out" "$tmp/list.txt"
cat "$tmp/list.txt"
n_yaml=$(ls presets/*.yaml | wc -l)
n_lines=$(grep -c '^  [a-z]' "$tmp/list.txt")
if [ "$n_yaml" -ne "$n_lines" ]; then echo "FAIL presets: $n_lines lines for $n_yaml files"; fail=1; fi

# render --preset: the preset's instrument (Warm Pad, 89) and velocity (70)
# reach the MIDI; --program overrides the preset.
check "render --preset ambient" 0 '' -- "$BIN" render --preset ambient --minutes 0.1 --seed 3 -o "$tmp/a.wav" -q
check "ambient plays the pad" 0 'channel 1, program 89' -- "$BIN" info "$tmp/a.mid"
"$BIN" info "$tmp/a.mid" --notes >"$tmp/notes.txt"
vel=$(awk '$7 ~ /^[0-9]+$/ && $8 == 1 { print $7 }' "$tmp/notes.txt" | sort -u | tr '\n' ' ')
if [ "$vel" != "70 " ]; then echo "FAIL ambient: velocities '$vel', expected the preset's 70"; fail=1; else echo "ok   ambient: velocity 70"; fi
check "--program overrides the preset" 0 '' -- "$BIN" render --preset ambient --program 19 --minutes 0.1 -o "$tmp/b.wav" -q
check "the override reached the MIDI" 0 'channel 1, program 19' -- "$BIN" info "$tmp/b.mid"
# a preset file from another folder: its paths resolve against its own folder
mkdir "$tmp/elsewhere"
check "preset by path, from elsewhere" 0 '' -- sh -c "cd '$tmp/elsewhere' && '$BIN' render --preset '$LJ_SOURCE_DIR/presets/ambient.yaml' --notes 5 -o c.wav -q"

# every shipped preset that is playable here (model there, mode in this build) renders
for f in presets/*.yaml; do
    p=$(basename "$f" .yaml)
    if grep -q "^  $p .*\[" "$tmp/list.txt"; then
        echo "skip $p: $(grep "^  $p " "$tmp/list.txt" | sed 's/.*\[//; s/\]$//')"
        continue
    fi
    check "render --preset $p" 0 '' -- "$BIN" render --preset "$p" --minutes 0.05 --seed 1 -o "$tmp/$p.wav" -q
    [ -s "$tmp/$p.wav" ] || { echo "FAIL $p: no audio"; fail=1; }
done

# bad input: exit 2, file:line:col, nothing written
printf 'model: %s/model/pretrained/essen-timestep.lstm\nsampler: {temprature: 1}\n' "$LJ_SOURCE_DIR" > "$tmp/bad.yaml"
check "unknown key" 2 "bad.yaml:2:11: unknown key 'temprature' in 'sampler' (did you mean 'temperature'?)" -- \
    "$BIN" render --preset "$tmp/bad.yaml" --minutes 0.1 -o "$tmp/bad.wav"
no_output "unknown key" "$tmp/bad.wav"
printf 'model: missing.lstm\n' > "$tmp/nomodel.yaml"
check "missing model" 2 "nomodel.yaml:1:8: model '$tmp/missing.lstm': cannot read" -- "$BIN" play --preset "$tmp/nomodel.yaml"
check "unknown preset" 2 "no preset 'no-such-preset'" -- "$BIN" play --preset no-such-preset
# a folder where a file belongs: exit 2, said so, at the preset's line for its
# model (all three were "read error", exit 1, no line)
mkdir "$tmp/folder.yaml" "$tmp/folder"
printf 'description: x\nmodel: folder\n' > "$tmp/dirmodel.yaml"
check "model is a folder (render)" 2 "dirmodel.yaml:2:8: model '$tmp/folder': is a folder (expected a model file)" -- \
    "$BIN" render --preset "$tmp/dirmodel.yaml" --minutes 0.1 -o "$tmp/x.wav"
check "model is a folder (play)" 2 "dirmodel.yaml:2:8: model '$tmp/folder': is a folder (expected a model file)" -- \
    "$BIN" play --preset "$tmp/dirmodel.yaml"
check "preset is a folder" 2 "preset $tmp/folder.yaml: is a folder (expected a preset file" -- \
    "$BIN" render --preset "$tmp/folder.yaml" --minutes 0.1 -o "$tmp/x.wav"
# a model that is not a model file: the loader's byte offset, and the preset's line
printf 'description: x\nmodel: notmodel.yaml\n' > "$tmp/notmodel.yaml"
check "model not a model file" 2 "notmodel.yaml:2:8: model '$tmp/notmodel.yaml': byte 0: expected the magic" -- \
    "$BIN" render --preset "$tmp/notmodel.yaml" --minutes 0.1 -o "$tmp/x.wav"
check "model not a model file (play)" 2 "notmodel.yaml:2:8: model '$tmp/notmodel.yaml': byte 0: expected the magic" -- \
    "$BIN" play --preset "$tmp/notmodel.yaml"
# --model over the preset: that file's message, no preset line
check "--model over the preset, not a model" 2 "lstmjam: $tmp/notmodel.yaml: byte 0: expected the magic" -- \
    "$BIN" render --preset "$tmp/notmodel.yaml" --model "$tmp/notmodel.yaml" --minutes 0.1 -o "$tmp/x.wav"
# a quoted number is text, and says so
printf 'model: %s/model/pretrained/essen-timestep.lstm\ntempo: "90"\n' "$LJ_SOURCE_DIR" > "$tmp/quoted.yaml"
check "quoted tempo" 2 "quoted.yaml:2:8: 'tempo': expected a number, found the quoted string \"90\" (quotes make it text" -- \
    "$BIN" render --preset "$tmp/quoted.yaml" --minutes 0.1 -o "$tmp/x.wav"
printf 'model: %s/model/pretrained/essen-timestep.lstm\nmode: {name: auto, reseed: 0.001}\n' "$LJ_SOURCE_DIR" > "$tmp/reseed.yaml"
check "reseed too short" 2 "reseed.yaml:2:28: 'reseed': expected 0 (never) or 1..86400 seconds, found 0.001" -- \
    "$BIN" render --preset "$tmp/reseed.yaml" --minutes 0.1 -o "$tmp/x.wav"
no_output "bad presets" "$tmp/x.wav"
check "--score with --preset" 2 "give one of them" -- "$BIN" render --preset ambient --score presets/tunes/demo.abc -o "$tmp/x.wav"
printf 'model: %s/model/pretrained/essen-timestep.lstm\n' "$LJ_SOURCE_DIR" > "$tmp/nolength.yaml"
check "preset without a length" 2 "the preset has no render.minutes" -- "$BIN" render --preset "$tmp/nolength.yaml" -o "$tmp/x.wav"
exit $fail
