#!/bin/sh
# Grammar-constrained sampling with the shipped ABC model (nottingham-abc,
# folk-rnn tokens): tunes generated under the grammar with the meter rule are
# read by lstmjam's own stream reader with no resync (generate's summary) and
# by its whole-book reader (lstmjam info) with no error; abc2midi, when
# installed, reports no error either, nor a bar whose length is not the
# meter's (skipped, not failed, without abc2midi). The default is the grammar
# without the meter; --no-grammar samples the raw model; a bad --grammar is a
# usage error.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
M="$LJ_SOURCE_DIR/model/pretrained/nottingham-abc.lstm"
[ -f "$M" ] || { echo "skip: $M not found"; exit 77; }
have_abc2midi=0
command -v abc2midi >/dev/null && have_abc2midi=1
[ $have_abc2midi = 1 ] || echo "note: abc2midi not installed, its check is skipped"
seed=1
while [ $seed -le 5 ]; do
    check "tune $seed under the grammar" 0 ", 0 ABC errors read past, .*grammar (meter) masked .* 0 dead ends, 0 tokens outside it" -- \
        "$BIN" generate --model "$M" --length 1pieces --max-steps 3000 --seed $seed --grammar meter -o "$tmp/t$seed.abc"
    check "tune $seed read whole" 0 "" -- "$BIN" info "$tmp/t$seed.abc"
    tail -c 4 "$tmp/t$seed.abc" | grep -q '|]' || grep -q '|]' "$tmp/t$seed.abc" || { echo "FAIL tune $seed: no closing bar"; fail=1; }
    if [ $have_abc2midi = 1 ]; then
        out=$(cd "$tmp" && abc2midi "t$seed.abc" -o "t$seed.mid" 2>&1)
        if printf '%s\n' "$out" | grep -q -e Error -e "time units while the time signature" || [ ! -s "$tmp/t$seed.mid" ]; then
            echo "FAIL tune $seed: abc2midi:"; printf '%s\n' "$out" | grep -e Error -e Warning; fail=1
        else
            echo "ok   tune $seed: abc2midi accepts it, every bar fills the meter"
        fi
    fi
    seed=$((seed + 1))
done
check "syntax only (the default)" 0 ", 0 ABC errors read past, .*grammar (syntax) masked .* 0 dead ends, 0 tokens outside it" -- \
    "$BIN" generate --model "$M" --length 1pieces --max-steps 3000 --seed 1 -o "$tmp/syntax.abc"
check "syntax tune read whole" 0 "" -- "$BIN" info "$tmp/syntax.abc"
check "bad --grammar" 2 "--grammar: expected off, syntax or meter, found 'loose'" -- \
    "$BIN" generate --model "$M" --grammar loose -o "$tmp/bad.abc"
no_output "bad --grammar" "$tmp/bad.abc"
check "raw model" 0 "no grammar, model NLL" -- \
    "$BIN" generate --model "$M" --length 1pieces --max-steps 3000 --seed 1 --no-grammar -o "$tmp/raw.abc"
check "--no-grammar in help" 0 "no-grammar" -- "$BIN" generate --help
exit $fail
