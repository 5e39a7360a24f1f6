#!/bin/sh
# Training an abc model from raw .abc text through the tokens route: `lstmjam
# encode --encoding abc --variant tokens` turns the book's text into folk-rnn
# tokens (its own spelling, keys and chords kept), and `train` reads that file:
# the corpus is exactly encode's (tunes, vocabulary), `eval` on the run's
# config gives the trainer's validation loss, and the model writes ABC. The
# book given to `train` directly is read as scores (each melody re-written as
# clean ABC, the shipped recipe's way): another corpus, smaller vocabulary.
# A tokens file encoded with other options exits 2 naming them.
. "${LJ_SOURCE_DIR:?}/tests/cli_lib.sh"
BOOK=${LJ_CORPORA:?}/nottingham/abc/jigs.abc
[ -f "$BOOK" ] || { echo "no corpora: skipped"; exit 77; }
cp "$BOOK" "$tmp/jigs.abc"
"$BIN" encode --encoding abc --variant tokens "$tmp/jigs.abc" -o "$tmp/jigs.txt" >"$tmp/enc.log" || { echo "FAIL: encode"; cat "$tmp/enc.log"; exit 1; }
head -1 "$tmp/enc.log"
pieces=$(sed -n 's/.*-> \([0-9]*\) pieces.*/\1/p' "$tmp/enc.log" | head -1)
vocab=$(sed -n 's/.*vocabulary \([0-9]*\).*/\1/p' "$tmp/enc.log" | head -1)
config() { # NAME DATA
    cat >"$tmp/$1.yaml" <<YAML
name: $1
encoding: abc
encoding_options: {variant: tokens}
data:
  - path: $2
split: {valid: 0.1, test: 0.0, seed: 1}
model: {embed_dim: 32, layers: [64]}
optimizer: {kind: adam, learning_rate: 5e-3}
batch: 8
seq_len: 32
steps: 40
log_every: 10
eval_every: 20
seed: 3
threads: 1
YAML
}
config toks jigs.txt
config book jigs.abc
for r in toks book; do
    "$BIN" train "$tmp/$r.yaml" --run-dir "$tmp/runs/$r" 2>"$tmp/$r.log" || { echo "FAIL: train $r"; cat "$tmp/$r.log"; fail=1; }
    head -1 "$tmp/$r.log"
done
grep -q "$pieces pieces, vocabulary $vocab;" "$tmp/toks.log" &&
    echo "ok   the tokens file trains on encode's corpus: $pieces tunes, vocabulary $vocab" ||
    { echo "FAIL: corpus differs from encode's ($pieces pieces, vocabulary $vocab)"; fail=1; }
v=$(grep valid_loss "$tmp/runs/toks/metrics.jsonl" | tail -1 | sed 's/.*"valid_loss": \([0-9.]*\).*/\1/')
e=$("$BIN" eval --model "$tmp/runs/toks/model.lstm" --data "$tmp/toks.yaml" --split valid --json -q | sed 's/.*"nll":\([0-9.]*\).*/\1/')
awk -v a="$v" -v b="$e" 'BEGIN { d = a - b; exit !(a > 0 && d < 1e-5 && d > -1e-5) }' &&
    echo "ok   eval on the run's config: $e = the trainer's validation $v" || { echo "FAIL: eval $e, trainer $v"; fail=1; }
check "generate ABC from it" 0 "abc model (tokens)" -- "$BIN" generate --model "$tmp/runs/toks/model.lstm" --length 120 --seed 2 -o "$tmp/g.abc"
head -c 2 "$tmp/g.abc" | grep -q "X:" && echo "ok   generated text is an ABC tune" || { echo "FAIL: generated text"; head -3 "$tmp/g.abc"; fail=1; }
bv=$(sed -n 's/.*vocabulary \([0-9]*\);.*/\1/p' "$tmp/book.log")
[ -n "$bv" ] && [ "$bv" -lt "$vocab" ] && echo "ok   the book read as scores is another corpus (vocabulary $bv < $vocab)" ||
    { echo "FAIL: score route vocabulary '$bv' vs text $vocab"; fail=1; }
sed '1s/variant=tokens/variant=chars/' "$tmp/jigs.txt" >"$tmp/other.txt"
config other other.txt
check "tokens encoded with other options" 2 "other.txt:1:1: the tokens were encoded with options" -- "$BIN" train "$tmp/other.yaml" --run-dir "$tmp/runs/other"
exit $fail
