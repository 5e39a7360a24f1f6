#!/bin/sh
# lstmjam info/convert on JSB JSON input. Corrupt files: exit 2, a message naming
# the file and line:column, and no output left behind. A good file converts to a
# folder of one MIDI file per piece; the corpus file, when present, too. The
# grid comes from the file's name; eval reads the corpus file as the config does.
set -u
. "${LJ_SOURCE_DIR:?}/tests/cli_lib.sh"

printf '{"train": [[[60, 64], [60, 64], [62]]], "valid": [[[50]]], "test": [[[70], [71]]]}' >"$tmp/good.json"
printf '{"train": [[[60, 64],\n [60, 130]]], "valid": [], "test": []}' >"$tmp/pitch.json"
printf '{"train": [[[60, 64], [60' >"$tmp/truncated.json"
printf '{"train": [], "valid": [], "test": [[[60.5]]]}' >"$tmp/float.json"
head -c 100000 /dev/zero | tr '\0' '[' >"$tmp/deep.json"

check good-info 0 "3 tunes" -- "$BIN" info "$tmp/good.json"
check good-split 0 "test 0" -- "$BIN" info --split test "$tmp/good.json"
check good-convert 0 "3 tunes" -- "$BIN" convert "$tmp/good.json" "$tmp/goodout"
[ -s "$tmp/goodout/good-1.mid" ] && [ -s "$tmp/goodout/good-3.mid" ] || { echo "FAIL good-convert: files missing"; fail=1; }
check good-one 0 "3 notes" -- "$BIN" convert --split train "$tmp/good.json" "$tmp/one.mid"

check pitch 2 "pitch.json:2:7: expected a MIDI pitch (an integer 0..127), found 130 (at train\[0\]\[1\]\[1\])" -- "$BIN" convert "$tmp/pitch.json" "$tmp/result"
no_output pitch "$tmp/result"
check truncated 2 "truncated.json:1:26: expected valid JSON, found end of file" -- "$BIN" convert "$tmp/truncated.json" "$tmp/result"
no_output truncated "$tmp/result"
check float 2 "float.json:1:39: expected a MIDI pitch (an integer 0..127), found 60.5" -- "$BIN" convert "$tmp/float.json" "$tmp/out.mid"
no_output float "$tmp/out.mid"
check deep 2 "deep.json:1:17: expected at most 16 nested lists/objects" -- "$BIN" info "$tmp/deep.json"
check deep-convert 2 "deep.json:1:17:" -- "$BIN" convert "$tmp/deep.json" "$tmp/result"
no_output deep "$tmp/result"

# A JSON roll does not say its step: the grid comes from the file's name
# (-quarter, -8th, -16th), else from the model's encoding; a grid given that
# the name contradicts is refused (the quarter file once read as 16ths scored
# 92 nats/frame in eval's table instead of 5).
cp "$tmp/good.json" "$tmp/good-quarter.json"
cp "$tmp/good.json" "$tmp/good-16th.json"
check named-grid-mismatch 2 "good-quarter.json: the file's name says its steps are quarter notes, but it was to be read on a 16th grid" -- \
    "$BIN" convert --grid 16th "$tmp/good-quarter.json" "$tmp/result"
no_output named-grid-mismatch "$tmp/result"
check named-grid-encode 2 "good-quarter.json: the file's name says its steps are quarter notes" -- \
    "$BIN" encode --encoding pianoroll --jsb-grid 8th "$tmp/good-quarter.json" -o "$tmp/result.txt"
no_output named-grid-encode "$tmp/result.txt"
M=$LJ_SOURCE_DIR/model/pretrained/jsb-pianoroll.lstm
nll() { "$BIN" eval --model "$M" --data "$1" --json -q | sed 's/.*"nll":\([0-9.]*\).*/\1/'; }
a=$(nll "$tmp/good-quarter.json"); b=$(nll "$tmp/good.json"); c=$(nll "$tmp/good-16th.json")
[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" != "$c" ] && echo "ok   eval reads an unnamed roll on the model's quarter grid ($b), a -16th one on 16ths ($c)" \
    || { echo "FAIL: eval's JSB grid: quarter-named $a, unnamed $b, 16th-named $c"; fail=1; }

jsb=${LJ_CORPORA:-}/jsb-chorales/jsb-chorales-quarter.json
if [ -f "$jsb" ]; then
    check corpus-info 0 "77 tunes" -- "$BIN" info --split test --grid quarter "$jsb"
    check corpus-convert 0 "77 tunes" -- "$BIN" convert --split test --grid quarter "$jsb" "$tmp/chorales"
    n=$(ls "$tmp/chorales" | wc -l)
    [ "$n" = 77 ] && echo "ok   corpus-convert: 77 files" || { echo "FAIL corpus-convert: $n files"; fail=1; }
    # eval on the corpus file and eval on a training config with the model's
    # options give the same number (first 5 test chorales, 273 frames)
    cat >"$tmp/jsb.yaml" <<EOF
encoding: pianoroll
encoding_options: {grid: quarter, transpose: augment, augment: "-5:6"}
data:
  - path: $jsb
model: {layers: [8]}
EOF
    a=$("$BIN" eval --model "$M" --data "$jsb" --split test --batches 5 --json -q)
    b=$("$BIN" eval --model "$M" --data "$tmp/jsb.yaml" --split test --batches 5 --json -q)
    na=$(echo "$a" | sed 's/.*"nll":\([0-9.]*\).*/\1/'); nb=$(echo "$b" | sed 's/.*"nll":\([0-9.]*\).*/\1/')
    fa=$(echo "$a" | sed 's/.*"frames":\([0-9]*\).*/\1/')
    [ -n "$na" ] && [ "$na" = "$nb" ] && [ "$fa" = 273 ] && echo "ok   eval: the quarter file and the config agree ($na nats/frame over $fa frames)" \
        || { echo "FAIL: eval on the file ($na, $fa frames) and on the config ($nb) differ"; fail=1; }
    # the shipped Bernoulli model meets issue 5's goal (<= 8.0 nats/frame) as
    # its README says: 7.981464 averaged over 11 transpositions, every test
    # frame (10 s here; left to the normal build, ASan would take minutes)
    if [ -z "${ASAN_OPTIONS:-}" ]; then
        MB=$LJ_SOURCE_DIR/model/pretrained/jsb-pianoroll-bernoulli.lstm
        got=$("$BIN" eval --model "$MB" --transpose-average 5 --data "$jsb" --split test --json -q | sed 's/.*"nll":\([0-9.]*\).*/\1/')
        awk -v g="$got" 'BEGIN { exit !(g != "" && g <= 8.0 && g > 7.9805 && g < 7.9825) }' \
            && echo "ok   jsb-pianoroll-bernoulli: $got nats/frame on the test chorales (-5..5)" \
            || { echo "FAIL: jsb-pianoroll-bernoulli scores '$got', the README says 7.981464"; fail=1; }
    fi
fi
exit $fail
