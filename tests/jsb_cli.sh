#!/bin/sh
# lstmjam info/convert on JSB JSON input. Corrupt files: exit 2, a message naming
# the file and line:column, and no output left behind. A good file converts to a
# folder of one MIDI file per piece; the corpus file, when present, too.
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

jsb=${LJ_CORPORA:-}/jsb-chorales/jsb-chorales-quarter.json
if [ -f "$jsb" ]; then
    check corpus-info 0 "77 tunes" -- "$BIN" info --split test --grid quarter "$jsb"
    check corpus-convert 0 "77 tunes" -- "$BIN" convert --split test --grid quarter "$jsb" "$tmp/chorales"
    n=$(ls "$tmp/chorales" | wc -l)
    [ "$n" = 77 ] && echo "ok   corpus-convert: 77 files" || { echo "FAIL corpus-convert: $n files"; fail=1; }
fi
exit $fail
