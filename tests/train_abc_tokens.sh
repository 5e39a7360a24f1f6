#!/bin/sh
# The abc tokens variant reads ABC books two ways (encoding option source),
# and lstmjam encode and lstmjam train read them alike for the same options:
#  - source=text tokenises the book's own text (its spelling, keys, repeats
#    and chords kept: folk-rnn's data): `encode --source text` writes the same
#    corpus (tunes, vocabulary) that train makes from the book with those
#    options, and train on encode's file trains on exactly it; `eval` on the
#    run's config gives the trainer's validation loss, and the model writes
#    ABC. It cannot transpose: exit 2 naming the options.
#  - source=score (the default, the shipped recipe's way) re-writes each
#    melody as clean ABC (another corpus, smaller vocabulary); encode writes
#    what train reads here too, transposed when asked, so the shipped model
#    scores encode's file as it scores the book.
# A tokens file encoded with other options exits 2 naming them.
. "${LJ_SOURCE_DIR:?}/tests/cli_lib.sh"
BOOK=${LJ_CORPORA:?}/nottingham/abc/jigs.abc
[ -f "$BOOK" ] || { echo "no corpora: skipped"; exit 77; }
cp "$BOOK" "$tmp/jigs.abc"
counts() { # LOG -> "PIECES VOCAB" of an encode summary or a train log
    sed -n 's/.*-> \([0-9]*\) pieces.*vocabulary \([0-9]*\).*/\1 \2/p; s/.* \([0-9]*\) pieces, vocabulary \([0-9]*\);.*/\1 \2/p' "$1" | head -1
}
"$BIN" encode --encoding abc --variant tokens --source text "$tmp/jigs.abc" -o "$tmp/jigs.txt" >"$tmp/enc.log" || { echo "FAIL: encode"; cat "$tmp/enc.log"; exit 1; }
"$BIN" encode --encoding abc --variant tokens "$tmp/jigs.abc" -o "$tmp/jigs_score.txt" >"$tmp/enc_score.log" || { echo "FAIL: encode (score)"; cat "$tmp/enc_score.log"; exit 1; }
head -1 "$tmp/enc.log"
head -1 "$tmp/enc_score.log"
config() { # NAME DATA SOURCE STEPS
    cat >"$tmp/$1.yaml" <<YAML
name: $1
encoding: abc
encoding_options: {variant: tokens, source: $3}
data:
  - path: $2
split: {valid: 0.1, test: 0.0, seed: 1}
model: {embed_dim: 32, layers: [64]}
optimizer: {kind: adam, learning_rate: 5e-3}
batch: 8
seq_len: 32
steps: $4
log_every: 10
eval_every: 20
seed: 3
threads: 1
YAML
}
config toks jigs.txt text 40
config book jigs.abc text 1
config score jigs.abc score 1
for r in toks book score; do
    "$BIN" train "$tmp/$r.yaml" --run-dir "$tmp/runs/$r" 2>"$tmp/$r.log" || { echo "FAIL: train $r"; cat "$tmp/$r.log"; fail=1; }
    head -1 "$tmp/$r.log"
done
e=$(counts "$tmp/enc.log"); es=$(counts "$tmp/enc_score.log")
for r in toks book; do
    [ -n "$e" ] && [ "$(counts "$tmp/$r.log")" = "$e" ] && echo "ok   source=text: train on $r reads encode's corpus ($e: pieces, vocabulary)" ||
        { echo "FAIL: source=text: train on $r reads '$(counts "$tmp/$r.log")', encode wrote '$e'"; fail=1; }
done
[ -n "$es" ] && [ "$(counts "$tmp/score.log")" = "$es" ] && echo "ok   source=score: train reads encode's corpus ($es)" ||
    { echo "FAIL: source=score: train reads '$(counts "$tmp/score.log")', encode wrote '$es'"; fail=1; }
v=$(grep valid_loss "$tmp/runs/toks/metrics.jsonl" | tail -1 | sed 's/.*"valid_loss": \([0-9.]*\).*/\1/')
ev=$("$BIN" eval --model "$tmp/runs/toks/model.lstm" --data "$tmp/toks.yaml" --split valid --json -q | sed 's/.*"nll":\([0-9.]*\).*/\1/')
awk -v a="$v" -v b="$ev" 'BEGIN { d = a - b; exit !(a > 0 && d < 1e-5 && d > -1e-5) }' &&
    echo "ok   eval on the run's config: $ev = the trainer's validation $v" || { echo "FAIL: eval $ev, trainer $v"; fail=1; }
check "generate ABC from it" 0 "abc model (tokens)" -- "$BIN" generate --model "$tmp/runs/toks/model.lstm" --length 120 --seed 2 -o "$tmp/g.abc"
head -c 2 "$tmp/g.abc" | grep -q "X:" && echo "ok   generated text is an ABC tune" || { echo "FAIL: generated text"; head -3 "$tmp/g.abc"; fail=1; }
set -- $e; tv=$2; set -- $es; sv=$2
[ -n "$sv" ] && [ "$sv" -lt "$tv" ] && echo "ok   the book read as scores is another corpus (vocabulary $sv < $tv)" ||
    { echo "FAIL: score route vocabulary '$sv' vs text $tv"; fail=1; }
# the shipped model (source=score) scores encode's file as it scores the book
NA=$LJ_SOURCE_DIR/model/pretrained/nottingham-abc.lstm
a=$("$BIN" eval --model "$NA" --data "$tmp/jigs_score.txt" --batches 20 --json -q | sed 's/.*"nll":\([0-9.]*\).*/\1/')
b=$("$BIN" eval --model "$NA" --data "$tmp/jigs.abc" --batches 20 --json -q | sed 's/.*"nll":\([0-9.]*\).*/\1/')
[ -n "$a" ] && [ "$a" = "$b" ] && echo "ok   the shipped abc model: encode's file and the book score the same ($a)" ||
    { echo "FAIL: shipped abc model: encode's file $a, the book $b"; fail=1; }
check "text tokens on the shipped model" 2 "jigs.txt:1:1: the tokens were encoded with options .*source=text" -- "$BIN" eval --model "$NA" --data "$tmp/jigs.txt"
sed 1d "$tmp/jigs.txt" >"$tmp/noheader.txt" # no header to check: the unknown token itself, with its line and column
check "a token the shipped model lacks" 2 "noheader.txt:[0-9]*:[0-9]*: expected a token of the vocabulary, found '[^']*' (the model's vocabulary lacks it" -- \
    "$BIN" eval --model "$NA" --data "$tmp/noheader.txt"
check "source=text cannot transpose" 2 "abc source=text tokenises the ABC as written and cannot transpose" -- \
    "$BIN" encode --encoding abc --variant tokens --source text --transpose c "$tmp/jigs.abc" -o "$tmp/bad.txt"
no_output "source=text cannot transpose" "$tmp/bad.txt"
sed '1s/variant=tokens/variant=chars/' "$tmp/jigs.txt" >"$tmp/other.txt"
config other other.txt text 40
check "tokens encoded with other options" 2 "other.txt:1:1: the tokens were encoded with options" -- "$BIN" train "$tmp/other.yaml" --run-dir "$tmp/runs/other"
exit $fail
