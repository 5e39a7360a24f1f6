#!/bin/sh
# lstmjam generate end to end on a chars model that lstmjam train makes here
# (tests/data/train/tiny.yaml, 40 steps): ABC, MIDI and text outputs; the same
# seed gives the same file, another seed another; the chars model's primer is
# ABC text (a byte outside its vocabulary: exit 2 with line:column, nothing
# written); a MIDI primer is written as ABC; key masks run on abc models (also
# with beam search); beam search runs, and without a mask equals its golden
# file; beam width 1 writes what temperature 0 writes (chars, timestep, abc
# tokens); encode writes abc tokens; a text cut by --length before its
# octave marks gets them.
. "${LJ_SOURCE_DIR:?}/tests/cli_lib.sh"
CFG=$LJ_SOURCE_DIR/tests/data/train/tiny.yaml
"$BIN" train "$CFG" --run-dir "$tmp/run" --steps 40 -q || { echo "FAIL: training the tiny model"; exit 1; }
M=$tmp/run/model.lstm
check "abc output" 0 "abc model (chars)" -- "$BIN" generate --model "$M" --length 200 --seed 3 -o "$tmp/a.abc"
check "same seed" 0 "" -- "$BIN" generate --model "$M" --length 200 --seed 3 -o "$tmp/b.abc"
check "other seed" 0 "" -- "$BIN" generate --model "$M" --length 200 --seed 4 -o "$tmp/c.abc"
if cmp -s "$tmp/a.abc" "$tmp/b.abc" && ! cmp -s "$tmp/a.abc" "$tmp/c.abc"; then echo "ok   same seed same text, other seed other text"
else echo "FAIL: determinism by seed"; fail=1; fi
head -c 2 "$tmp/a.abc" | grep -q "X:" && echo "ok   text starts with the primer X:" || { echo "FAIL: primer not in the output"; fail=1; }
check "midi output" 0 "" -- "$BIN" generate --model "$M" --primer 'X:1\nK:G\nGA' --length 300 --temperature 0.5 -o "$tmp/a.mid"
check "midi readable" 0 "MIDI" -- "$BIN" info "$tmp/a.mid"
check "text output = abc text" 0 "" -- "$BIN" generate --model "$M" --length 200 --seed 3 -o "$tmp/a.txt"
cmp -s "$tmp/a.txt" "$tmp/a.abc" && echo "ok   chars .txt is the text" || { echo "FAIL: chars .txt differs from .abc"; fail=1; }
check "greedy" 0 "" -- "$BIN" generate --model "$M" --length 100 --temperature 0 -o "$tmp/g.abc"
check "beam" 0 "beam 4" -- "$BIN" generate --model "$M" --length 30 --beam 4 -o "$tmp/beam.abc"
# beam width 1 is greedy search: the same text as temperature 0 (width 1 once
# fell through to sampling at T = 1)
check "beam 1" 0 "beam 1" -- "$BIN" generate --model "$M" --length 100 --beam 1 -o "$tmp/b1.abc"
cmp -s "$tmp/b1.abc" "$tmp/g.abc" && echo "ok   chars: --beam 1 = --temperature 0" || { echo "FAIL: chars: --beam 1 differs from --temperature 0"; fail=1; }
check "seconds" 0 "" -- "$BIN" generate --model "$M" --length 5s --max-steps 3000 -o "$tmp/s.mid"
check "repetition control" 0 "" -- "$BIN" generate --model "$M" --length 300 --temperature 0 --no-repeat-ngram 6 --repetition-penalty 1.3 -o "$tmp/r.abc"
check "primer byte outside the vocabulary" 2 "primer:2:3: expected a token of the model's abc vocabulary, found '\\\\x01'" -- \
    "$BIN" generate --model "$M" --primer "$(printf 'X:1\nK:\001')" -o "$tmp/bad.abc"
no_output "bad primer" "$tmp/bad.abc"
TS=$LJ_SOURCE_DIR/tests/data/generate/tiny_timestep.lstm
check "length in pieces" 0 "" -- "$BIN" generate --model "$TS" --primer "C4 E4" --length 2pieces --seed 7 -o "$tmp/p.txt"
n=$(grep -v '^#' "$tmp/p.txt" | tr ' ' '\n' | grep -c '^/$')
last=$(grep -v '^#' "$tmp/p.txt" | tr ' ' '\n' | grep -v '^$' | tail -n 1)
[ "$n" = 2 ] && [ "$last" = "/" ] && echo "ok   --length 2pieces stops at the second '/'" || { echo "FAIL: 2pieces: $n '/', last '$last'"; fail=1; }
check "timestep greedy" 0 "" -- "$BIN" generate --model "$TS" --primer "C4 E4" --length 100 --temperature 0 -o "$tmp/tg.txt"
check "timestep beam 1" 0 "beam 1" -- "$BIN" generate --model "$TS" --primer "C4 E4" --length 100 --beam 1 -o "$tmp/tb1.txt"
cmp -s "$tmp/tg.txt" "$tmp/tb1.txt" && echo "ok   timestep: --beam 1 = --temperature 0" || { echo "FAIL: timestep: --beam 1 differs from --temperature 0"; fail=1; }
# a note list primer is read strictly (src/io/notelist.c): a '+' with no pitch
# after it was once taken as the chord's end
check "primer note list, '+' at the end" 2 "primer: column 7 (note 2 'E4+'): expected a pitch after '+'" -- \
    "$BIN" generate --model "$TS" --primer "C4 E4+" -o "$tmp/plus.txt"
no_output "primer note list, '+' at the end" "$tmp/plus.txt"
check "beam 1 with a temperature" 2 "does not combine" -- "$BIN" generate --model "$TS" --primer "C4" --beam 1 --temperature 0.5 -o "$tmp/bt.txt"
check "pieces with beam" 2 "not pieces" -- "$BIN" generate --model "$TS" --primer "C4" --length 1pieces --beam 2 -o "$tmp/pb.txt"
check "mask on abc" 0 "abc model (chars)" -- "$BIN" generate --model "$M" --key G --pitch-range C4:C6 --length 300 -o "$tmp/key.mid"
check "mask on abc, beam" 0 "beam 4" -- "$BIN" generate --model "$M" --key G --pitch-range C4:C6 --beam 4 --length 60 -o "$tmp/kb.abc"
# a text cut by --length after a letter whose octave marks the mask would
# still have the model write: generate writes them (gen_finish), so every
# note of the MIDI is in the range; a range below the letters' own octaves
# makes such ends common (measured: 5 of these 16 runs add marks)
marks=0 outside=0
for s in $(seq 1 16); do
    "$BIN" generate --model "$M" --primer 'X:1\nM:4/4\nL:1/8\nK:G\n' --key G --pitch-range C2:B3 --length $((30 + s)) \
        --seed $s -o "$tmp/cut$s.mid" 2>"$tmp/cut.err" || { echo "FAIL: generate, seed $s"; fail=1; }
    grep -q "octave marks\{0,1\} added to bring the last note into range" "$tmp/cut.err" && marks=$((marks + 1))
    range=$("$BIN" info "$tmp/cut$s.mid" | sed -n 's/.*range .* (\([0-9]*\)\.\.\([0-9]*\)).*/\1 \2/p' | head -n 1)
    [ -z "$range" ] || { set -- $range; [ "$1" -ge 36 ] && [ "$2" -le 59 ]; } || outside=$((outside + 1))
done
[ $marks -ge 2 ] && [ $outside = 0 ] && echo "ok   a text cut before its octave marks gets them ($marks of 16 runs), every note in C2..B3" \
    || { echo "FAIL: cut notes: $marks runs added marks, $outside runs have notes outside C2..B3"; fail=1; }
# beam search without a mask writes what it wrote before each beam had a
# decoder (golden file from that build)
NA=$LJ_SOURCE_DIR/model/pretrained/nottingham-abc.lstm
check "abc tokens beam" 0 "beam 4" -- "$BIN" generate --model "$NA" --primer "$(printf 'X:1\nM:6/8\nL:1/8\nK:C')" --beam 4 --length 120 -o "$tmp/nb.txt"
check "abc tokens greedy" 0 "" -- "$BIN" generate --model "$NA" --length 150 --temperature 0 -o "$tmp/ng.txt"
check "abc tokens beam 1" 0 "beam 1" -- "$BIN" generate --model "$NA" --length 150 --beam 1 -o "$tmp/nb1.txt"
cmp -s "$tmp/ng.txt" "$tmp/nb1.txt" && echo "ok   abc tokens: --beam 1 = --temperature 0" || { echo "FAIL: abc tokens: --beam 1 differs from --temperature 0"; fail=1; }
cmp -s "$tmp/nb.txt" "$LJ_SOURCE_DIR/tests/data/generate/nottingham_abc_beam4.txt" && echo "ok   beam 4 without a mask = golden" \
    || { echo "FAIL: beam 4 differs from tests/data/generate/nottingham_abc_beam4.txt"; fail=1; }
check "mask on abc, nothing left" 2 "leave no pitch" -- "$BIN" generate --model "$M" --key G --pitch-range 61:61 -o "$tmp/bad.abc"
no_output "mask on abc, nothing left" "$tmp/bad.abc"
printf 'X:1\nM:4/4\nL:1/8\nK:C\nCDEF GABc|\n' >"$tmp/p.abc"
printf 'X:1\nM:4/4\nL:1/8\nK:D\nDEFG ABcd|\n' >"$tmp/q.abc"
"$BIN" convert "$tmp/p.abc" "$tmp/p.mid" >/dev/null && "$BIN" convert "$tmp/q.abc" "$tmp/q.mid" >/dev/null || { echo "FAIL: convert"; fail=1; }
check "midi primer for abc" 0 "" -- "$BIN" generate --model "$M" --primer "$tmp/p.mid" --length 50 -o "$tmp/m.abc"
head -5 "$tmp/m.abc" | tr '\n' ' ' | grep -q "^X:1 M:4/4 L:1/8 K:C CDEFGABc|" && echo "ok   midi primer written as ABC" || { echo "FAIL: midi primer as ABC"; head -5 "$tmp/m.abc"; fail=1; }
check "midi primer outside the vocabulary" 2 "q.mid (its melody as ABC):5:3: expected a token of the model's abc vocabulary, found '^'" -- \
    "$BIN" generate --model "$M" --primer "$tmp/q.mid" -o "$tmp/bad.abc"
no_output "midi primer outside the vocabulary" "$tmp/bad.abc"
check "bad output" 2 "expected a .mid, .abc or .txt file" -- "$BIN" generate --model "$M" -o "$tmp/bad.wav"
check "no model" 2 "needs --model" -- "$BIN" generate -o "$tmp/bad.abc"
check "missing model" 2 "none.lstm: cannot open" -- "$BIN" generate --model "$tmp/none.lstm" -o "$tmp/bad.abc"
no_output "missing model" "$tmp/bad.abc"
# lstmjam encode writes abc tokens (the tokens variant only; source=text: the
# book's own text; a .mid is read as a score, its melody written as ABC)
check "encode abc tokens" 0 "abc: 1 files, 7 tunes -> 7 pieces" -- "$BIN" encode --encoding abc --variant tokens --source text "$LJ_SOURCE_DIR/tests/data/abc/hard_repeats.abc" -o "$tmp/t.txt"
grep -q '^<s> M:4/4 L:1/4 K:G |: G A B c | \[1 d e f g :| \[2 g f e d || |: B c d e |1 f g a b :|2 b a g f |\] </s>$' "$tmp/t.txt" \
    && echo "ok   abc tokens of tune 2" || { echo "FAIL: abc tokens of tune 2"; grep -n "" "$tmp/t.txt" | head -4; fail=1; }
check "encode abc of a .mid" 0 "abc: 1 files, 1 tunes -> 1 pieces" -- "$BIN" encode --encoding abc --variant tokens "$tmp/p.mid" -o "$tmp/pm.txt"
grep -q '^<s> M:4/4 L:1/8 K:C C D E F G A B c |\] </s>$' "$tmp/pm.txt" && echo "ok   a .mid encodes as its melody's abc tokens" || { echo "FAIL: abc tokens of a .mid"; cat "$tmp/pm.txt"; fail=1; }
check "encode abc transposed" 0 "" -- "$BIN" encode --encoding abc --variant tokens --transpose augment --augment 0:2 "$tmp/p.mid" -o "$tmp/pt.txt"
grep -q '^<s> M:4/4 L:1/8 K:C D E \^F G A B \^c d |\] </s>$' "$tmp/pt.txt" && echo "ok   abc tokens transposed up a tone" || { echo "FAIL: abc tokens transposed"; cat "$tmp/pt.txt"; fail=1; }
check "encode abc chars" 2 "writes the tokens variant" -- "$BIN" encode --encoding abc "$LJ_SOURCE_DIR/tests/data/abc/hard_repeats.abc" -o "$tmp/c.txt"
no_output "encode abc chars" "$tmp/c.txt"
# lstmjam sample still reads the same model
check "sample" 0 "" -- "$BIN" sample --model "$M" --length 50
[ $fail = 0 ] && echo "generate_cli: all passed"
exit $fail
