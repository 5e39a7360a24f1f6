#!/bin/sh
# `lstmjam render --model` on frame models: the tiny psd (MSE time heads) and
# pianoroll (NADE head) models of tests/data/generate render a WAV with notes
# in its MIDI, every note-on paired with a note-off, the same MIDI for the same
# seed; --notes N gives N notes. Skipped (77) without a SoundFont.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
D=$LJ_SOURCE_DIR/tests/data/generate
for m in psd pianoroll; do
    if ! "$BIN" render --model "$D/tiny_$m.lstm" --minutes 0.25 --seed 3 -o "$tmp/$m.wav" >"$tmp/out" 2>"$tmp/err"; then
        if grep -q "no SoundFont found" "$tmp/err"; then echo "SKIP: $(cat "$tmp/err")"; exit 77; fi
        echo "FAIL render $m: exit $?"; cat "$tmp/out" "$tmp/err"; exit 1
    fi
    grep "^engine:" "$tmp/out"
    midicsv "$tmp/$m.mid" >"$tmp/$m.csv" || { echo "FAIL midicsv $m.mid"; fail=1; }
    ons=$(awk -F', ' '$3=="Note_on_c" && $6>0' "$tmp/$m.csv" | wc -l)
    offs=$(awk -F', ' '$3=="Note_off_c" || ($3=="Note_on_c" && $6==0)' "$tmp/$m.csv" | wc -l)
    [ "$ons" -gt 10 ] && [ "$ons" = "$offs" ] && echo "ok   $m: $ons note-ons, $offs note-offs" ||
        { echo "FAIL $m: $ons note-ons, $offs note-offs"; fail=1; }
    "$BIN" render --model "$D/tiny_$m.lstm" --minutes 0.25 --seed 3 -q -o "$tmp/${m}2.wav" || fail=1
    cmp -s "$tmp/$m.mid" "$tmp/${m}2.mid" && echo "ok   $m: same seed, same MIDI" || { echo "FAIL $m: same seed differs"; fail=1; }
    "$BIN" render --model "$D/tiny_$m.lstm" --notes 20 -q -o "$tmp/${m}n.wav" || fail=1
    n=$(midicsv "$tmp/${m}n.mid" | awk -F', ' '$3=="Note_on_c" && $6>0' | wc -l)
    [ "$n" = 20 ] && echo "ok   $m: --notes 20" || { echo "FAIL $m: --notes 20 gave $n notes"; fail=1; }
done
exit $fail
