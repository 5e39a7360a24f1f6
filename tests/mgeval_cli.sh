#!/bin/sh
# lstmjam eval --generated/--reference on tests/data/mgeval (6 + 6 MIDI files):
# the text table's mean overlap is tools/mgeval.py's (golden.txt, rounded);
# -o writes one JSON object and --plots the nine density plots, the piano roll
# and (--run) the loss curves, all PNG; an ABC book counts one piece per tune.
# Bad input (an unreadable file, a missing file, an empty folder, a set of 2,
# a bad metrics.jsonl, bad options) exits 2, names the file and leaves no
# JSON, no plot and no temp file behind.
set -u
. "${LJ_SOURCE_DIR:?}/tests/cli_lib.sh"
data=${LJ_TEST_DATA:?}/mgeval
gen=$data/generated
ref=$data/reference
png_magic=$(printf '\211PNG' | od -An -c | tr -d ' ')
is_png() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = "$png_magic" ]; }
nothing_written() { # NAME: no JSON, no plots folder content, no temp file
    if [ -n "$(ls -A "$tmp/w")" ]; then echo "FAIL $1: left behind: $(ls -A "$tmp/w")"; fail=1
    else echo "ok   $1: nothing written"; fi
}

# The golden mean overlap area, rounded as the table prints it.
want=$(awk '$1 == "mean_overlap" { printf "%.3f", $2 }' "$data/golden.txt")
check "table" 0 "mean overlap area: $want" -- "$BIN" eval --generated "$gen" --reference "$ref"
grep -q "^reference: 6 pieces (0 skipped) from 6 files" "$tmp/out" || { echo "FAIL table: counts"; cat "$tmp/out"; fail=1; }
for f in PC PCH PCTM PR PI NC IOI NLH NLTM; do
    oa=$(awk -v f="$f" '$1 == "feature" && $2 == f { printf "%.3f", $3 }' "$data/golden.txt")
    grep -q "^$f .* $oa  *[0-9.]*$" "$tmp/out" || { echo "FAIL table: $f overlap not $oa"; fail=1; }
done

# JSON file, plots, loss curves.
mkdir "$tmp/run"
printf '{"step": 50, "train_loss": 2.5, "lr": 0.001}\n{"step": 100, "train_loss": 2.0}\n{"step": 100, "valid_loss": 2.2, "best": true}\n' > "$tmp/run/metrics.jsonl"
check "json and plots" 0 "" -- "$BIN" eval --generated "$gen" --reference "$ref" -o "$tmp/m.json" --plots "$tmp/plots" --run "$tmp/run" --roll 3
grep -q '"mean_overlap_area":' "$tmp/m.json" && grep -q '"piece_features":' "$tmp/m.json" || { echo "FAIL json: keys missing"; fail=1; }
for f in PC PCH PCTM PR PI NC IOI NLH NLTM pianoroll loss; do
    is_png "$tmp/plots/$f.png" || { echo "FAIL plots: $f.png is not a PNG"; fail=1; }
done
[ "$(ls -A "$tmp/plots" | wc -l)" = 11 ] || { echo "FAIL plots: $(ls -A "$tmp/plots")"; fail=1; }
check "--json" 0 '"kl_divergence":' -- "$BIN" eval --generated "$gen" --reference "$ref" --json --max 4
grep -q '"pieces":4,' "$tmp/out" || { echo "FAIL --max 4"; fail=1; }

# An ABC book: one piece per tune.
check "abc book" 0 "reference: 3 pieces (0 skipped) from 1 files" -- \
    "$BIN" eval --generated "$gen" --reference "$LJ_SOURCE_DIR/tests/data/mgeval/three_tunes.abc"

# Bad input: exit 2, the file named, nothing written.
mkdir "$tmp/w" "$tmp/bad" "$tmp/empty" "$tmp/two"
cp "$gen"/*.mid "$tmp/bad/" && printf 'MThd\000\000\000\006\000\001\000\002\001\340MTrk\000\000\000\100' > "$tmp/bad/broken.mid"
cp "$gen/gen-00000.mid" "$gen/gen-00002.mid" "$tmp/two/"
check "unreadable file" 2 "broken.mid: byte" -- "$BIN" eval --generated "$tmp/bad" --reference "$ref" -o "$tmp/w/m.json" --plots "$tmp/w/plots"
nothing_written "unreadable file"
check "missing file" 2 "nope.mid: no such file" -- "$BIN" eval --generated "$gen" --reference "$tmp/nope.mid" -o "$tmp/w/m.json"
nothing_written "missing file"
check "empty set" 2 "reference: no music files found" -- "$BIN" eval --generated "$gen" --reference "$tmp/empty" -o "$tmp/w/m.json"
nothing_written "empty set"
check "two pieces" 2 "generated: 2 pieces of 2 notes or more in 2 files" -- "$BIN" eval --generated "$tmp/two" --reference "$ref" -o "$tmp/w/m.json"
nothing_written "two pieces"
printf '{"step": 1, "train_loss": 2}\nnot json\n' > "$tmp/bad.jsonl"
check "bad metrics" 2 "bad.jsonl:2: expected a JSON object" -- "$BIN" eval --generated "$gen" --reference "$ref" -o "$tmp/w/m.json" --plots "$tmp/w/plots" --run "$tmp/bad.jsonl"
rmdir "$tmp/w/plots" 2>/dev/null # created, and must be empty
nothing_written "bad metrics"
check "no reference" 2 "needs --generated and --reference" -- "$BIN" eval --generated "$gen"
check "roll too far" 2 "roll 9: the generated set has 6 pieces" -- "$BIN" eval --generated "$gen" --reference "$ref" --roll 9 --plots "$tmp/w/plots"
check "run without plots" 2 "give --plots too" -- "$BIN" eval --generated "$gen" --reference "$ref" --run "$tmp/run"
check "bad --max" 2 "max" -- "$BIN" eval --generated "$gen" --reference "$ref" --max 2
check "stray argument" 2 "unexpected argument" -- "$BIN" eval --generated "$gen" --reference "$ref" --max 3 extra
check "help" 0 "overlap area" -- "$BIN" eval --generated --help
exit $fail
