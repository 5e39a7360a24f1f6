# lstmjam encode: exit codes and messages for bad usage and bad inputs (file and
# position), nothing left behind on failure, and the output of a good run (header,
# one line per piece, the summary's counts).
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
if "$BIN" encode --help 2>&1 | grep -q "unknown command"; then
    echo "skip: this lstmjam has no encode command yet (main.c)"; exit 77
fi
C=${LJ_CORPORA:?}
[ -d "$C/essen-deutschl/test" ] || { echo "skip: corpora missing"; exit 77; }
out="$tmp/tokens.txt"

check no-encoding 2 "needs --encoding" -- "$BIN" encode "$C/essen-deutschl/test" -o "$out"
check bad-encoding 2 "unknown encoding 'abcd'" -- "$BIN" encode --encoding abcd "$C/essen-deutschl/test" -o "$out"
check bad-grid 2 "grid: expected" -- "$BIN" encode --encoding timestep --grid 7x "$C/essen-deutschl/test" -o "$out"
check bad-opt 2 "unknown encoding option 'frob'" -- "$BIN" encode --encoding event --opt frob=1 "$C/essen-deutschl/test" -o "$out"
check no-value 2 "needs a value" -- "$BIN" encode --encoding timestep "$C/essen-deutschl/test" -o
check no-output 2 "needs input files" -- "$BIN" encode --encoding timestep "$C/essen-deutschl/test"
check missing-input 2 "nope.krn: no such file" -- "$BIN" encode --encoding timestep "$tmp/nope.krn" -o "$out"
no_output missing-input "$out"

# a corrupt kern file among good ones: exit 2, its name and line:column, no output
mkdir "$tmp/in"
cp "$C/essen-deutschl/test/deut5146.krn" "$tmp/in/a.krn"
printf '**kern\n*M4/4\n4c\n4q\n*-\n' > "$tmp/in/b.krn"
check bad-kern 2 "b.krn:4:" -- "$BIN" encode --encoding timestep "$tmp/in" -o "$out"
no_output bad-kern "$out"
rm "$tmp/in/b.krn"
printf 'MThd\000\000\000\006\000\001\000\001\001\340MTrk\000\000\000\040' > "$tmp/in/c.mid"
check bad-midi 2 "c.mid: byte" -- "$BIN" encode --encoding event "$tmp/in" -o "$out"
no_output bad-midi "$out"
rm "$tmp/in/c.mid"
check no-dir 2 "t.txt: cannot create (its folder does not exist)" -- "$BIN" encode --encoding timestep "$tmp/in" -o "$tmp/no/such/dir/t.txt"

# a good run: header, one line per piece, the counts in the summary
check essen 0 "12 tunes -> 11 pieces" -- "$BIN" encode --encoding timestep --transpose c "$C/essen-deutschl/test" -o "$out"
grep -q "durations filter 1" "$tmp/out" || { echo "FAIL essen: summary lacks the durations filter count"; cat "$tmp/out"; fail=1; }
head -1 "$out" | grep -q "^#lstmjam-tokens 1 encoding=timestep transpose=c " || { echo "FAIL essen: header"; head -1 "$out"; fail=1; }
lines=$(grep -vc '^#' "$out")
[ "$lines" = 11 ] || { echo "FAIL essen: $lines lines, expected 11"; fail=1; }
# every line ends with the song delimiter; every token is a pitch, _, r or /
if grep -v '^#' "$out" | grep -qv ' /$'; then echo "FAIL essen: a line without the final /"; fail=1; fi
if grep -v '^#' "$out" | tr ' ' '\n' | grep -Eqv '^([0-9]+|_|r|/)$'; then echo "FAIL essen: unexpected token"; fail=1; fi
cp "$out" "$tmp/first.txt"
check essen-again 0 "" -- "$BIN" encode --encoding timestep --transpose c "$C/essen-deutschl/test" -o "$out"
cmp -s "$out" "$tmp/first.txt" || { echo "FAIL essen-again: output differs between runs"; fail=1; }

N="$C/nottingham/midi"
if [ -f "$N/ashover1.mid" ]; then
    check event 0 "vocabulary 388" -- "$BIN" encode --encoding event "$N/ashover1.mid" "$N/ashover2.mid" -o "$out"
    check notechord 0 "2 tunes -> 2 pieces" -- "$BIN" encode --encoding notechord --chords pcs "$N/ashover1.mid" "$N/ashover2.mid" -o "$out"
fi

# frame encodings: numbers, a header with the fields; psd in beats on one tune
# (hand-checked first frames: ashover1's first note, E5 at beat 2 for a
# quarter, then the chord G2 B2 D3 a beat later, dotted halves)
check psd 0 "1 tunes -> 1 pieces, 158 frames of 3 values" -- "$BIN" encode --encoding psd --opt time=beats "$C/nottingham/midi/ashover1.mid" -o "$out"
sed -n 2p "$out" | grep -qx "#fields pitch:class:128 step:value:1 duration:value:1" || { echo "FAIL psd: fields line"; sed -n 2p "$out"; fail=1; }
sed -n 3p "$out" | grep -q "^76 2 1 | 43 1 3 | 47 0 3 | 50 0 3 | " || { echo "FAIL psd: frames"; sed -n 3p "$out" | cut -c1-80; fail=1; }
check pianoroll 0 "77 tunes -> 77 pieces, 4725 frames of 88 values" -- "$BIN" encode --encoding pianoroll --opt grid=quarter --jsb-grid quarter --jsb-split test "$C/jsb-chorales/jsb-chorales-quarter.json" -o "$out"
check bad-time 2 "time: expected seconds or beats, found 'hours'" -- "$BIN" encode --encoding psd --opt time=hours "$C/nottingham/midi/ashover1.mid" -o "$tmp/psd2.txt"
no_output bad-time "$tmp/psd2.txt"
exit $fail
