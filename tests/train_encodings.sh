#!/bin/sh
# lstmjam train on a music encoding, end to end in seconds: a timestep model on
# eight Essen songs (kern), trained, its run folder and model complete; the
# second run reads the encoded corpus from the cache; a corrupt cache entry is
# rebuilt; SIGINT + --resume is bit-exact for timestep too; bad data files
# and tokens files of other options are exit 2 with file:line:col.
set -u
BIN=${LJ_BIN:?}
CORPORA=${LJ_CORPORA:?}
[ -d "$CORPORA/essen-deutschl/allerkbd" ] || { echo "no Essen corpus: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL: $1"; fail=1; }
losses() { sed -e 's/, "tokens_per_s": [0-9.e+-]*//' -e 's/, "elapsed_s": [0-9.e+-]*//' "$1/metrics.jsonl"; }

mkdir "$tmp/songs"
for n in 3663 3664 3665 3666 3667 3668 3669 3670; do
    cp "$CORPORA/essen-deutschl/allerkbd/deut$n.krn" "$tmp/songs/"
done
cat >"$tmp/ts.yaml" <<YAML
name: ts
encoding: timestep
encoding_options: {transpose: c}
data:
  - path: songs
split: {valid: 0.25, test: 0.0, seed: 1}
model: {input: onehot, layers: [32], dropout: 0.1}
optimizer: {kind: adam, learning_rate: 1e-2, clip_norm: 1}
batch: 8
seq_len: 32
steps: 80
log_every: 5
eval_every: 20
checkpoint_every: 20
seed: 3
threads: 1
YAML

# 1. Train: a run folder with everything, a loss that went down.
"$BIN" train "$tmp/ts.yaml" --run-dir "$tmp/runs/a" 2>"$tmp/log1" || { bad "train"; cat "$tmp/log1"; }
for f in config.yaml metrics.jsonl checkpoint.lstm best.lstm model.lstm loss.png; do
    [ -s "$tmp/runs/a/$f" ] || bad "run folder lacks $f"
done
grep -q "timestep, 8 files, 8 tunes" "$tmp/log1" && ok "8 songs read and encoded" || { bad "summary line"; cat "$tmp/log1"; }
first=$(grep -m1 train_loss "$tmp/runs/a/metrics.jsonl" | sed 's/.*"train_loss": \([0-9.]*\).*/\1/')
last=$(grep train_loss "$tmp/runs/a/metrics.jsonl" | tail -1 | sed 's/.*"train_loss": \([0-9.]*\).*/\1/')
awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < a - 0.5) }' && ok "train loss $first -> $last" || bad "train loss $first -> $last did not fall by 0.5"
"$BIN" info "$tmp/runs/a/model.lstm" | grep -q "encoding timestep" && ok "model file names its encoding" || bad "model encoding"

# 1b. eval of the trained model on the config's validation split equals the
# trainer's best validation loss (model.lstm is the best model): the same data
# pipeline, split and windows.
best=$(grep valid_loss "$tmp/runs/a/metrics.jsonl" | sed 's/.*"valid_loss": \([0-9.]*\).*/\1/' | sort -n | head -1)
"$BIN" eval --model "$tmp/runs/a/model.lstm" --data "$tmp/ts.yaml" --json -q >"$tmp/eval.json" || bad "eval"
got=$(sed 's/.*"nll":\([0-9.e+-]*\).*/\1/' "$tmp/eval.json")
[ "$(printf '%.6f' "$got")" = "$best" ] && ok "eval --split valid = trainer's validation loss ($best)" ||
    { bad "eval $got != trainer $best"; cat "$tmp/eval.json"; }
grep -q '"encoding":"timestep","options":"transpose=c ' "$tmp/eval.json" && ok "model keeps encoding.options" || bad "options"
# the same songs as music files and as a tokens file (lstmjam encode) score the same
"$BIN" encode --encoding timestep --transpose c "$tmp/songs" -o "$tmp/songs.txt" -q || bad "encode"
"$BIN" eval --model "$tmp/runs/a/model.lstm" --data "$tmp/songs" --seq-len 16 --json -q >"$tmp/e1.json" || bad "eval files"
"$BIN" eval --model "$tmp/runs/a/model.lstm" --data "$tmp/songs.txt" --seq-len 16 --json -q >"$tmp/e2.json" || bad "eval tokens"
n1=$(sed 's/.*"nll":\([0-9.e+-]*\).*/\1/' "$tmp/e1.json"); n2=$(sed 's/.*"nll":\([0-9.e+-]*\).*/\1/' "$tmp/e2.json")
[ -n "$n1" ] && [ "$n1" = "$n2" ] && ok "eval of music files = eval of their tokens file ($n1)" || bad "files $n1 vs tokens $n2"
"$BIN" eval --model "$tmp/runs/a/model.lstm" --data "$tmp/songs" --split sideways 2>"$tmp/err"
[ $? = 2 ] && grep -q "expected train, valid, test or all" "$tmp/err" && ok "eval: bad --split is exit 2" || bad "eval bad split"
# 1c. --export-midi writes the split's pieces, decoded by the model's encoding
# (transposed to C as the model sees them): one MIDI file per piece scored.
"$BIN" eval --model "$tmp/runs/a/model.lstm" --data "$tmp/ts.yaml" --export-midi "$tmp/exp" -q >"$tmp/exp.log" || bad "export-midi"
pieces=$(sed 's/.*"pieces":\([0-9]*\).*/\1/' "$tmp/eval.json")
got=$(ls "$tmp/exp/"*.mid 2>/dev/null | wc -l)
[ "$got" -gt 0 ] && [ "$got" = "$pieces" ] && grep -q "wrote $got MIDI files of the valid split" "$tmp/exp.log" &&
    ok "export-midi: $got files = the valid split's pieces" || bad "export-midi wrote $got files for $pieces pieces"
notes=0
for f in "$tmp/exp/"*.mid; do
    k=$("$BIN" info "$f" | sed -n 's/^  notes \([0-9]*\),.*/\1/p')
    [ -n "$k" ] && [ "$k" -gt 0 ] && notes=$((notes + k)) || bad "$f: no notes"
done
[ "$notes" -gt 0 ] && ok "exported pieces read back: $notes notes"
: >"$tmp/plainfile"
"$BIN" eval --model "$tmp/runs/a/model.lstm" --data "$tmp/ts.yaml" --export-midi "$tmp/plainfile" 2>"$tmp/err"
[ $? = 2 ] && grep -q "exists and is not a folder" "$tmp/err" && ok "export-midi onto a file: exit 2" || bad "export-midi onto a file"

# 2. The second run on the same data reads the cache (runs/.cache) and trains identically.
"$BIN" train "$tmp/ts.yaml" --run-dir "$tmp/runs/b" 2>"$tmp/log2" || bad "second train"
grep -q "(from the cache)" "$tmp/log2" && ok "second run: cache hit" || { bad "no cache hit"; cat "$tmp/log2"; }
losses "$tmp/runs/a" | cmp -s - "$(losses "$tmp/runs/b" >"$tmp/b.l"; echo "$tmp/b.l")" && ok "cached data trains identically" || bad "cached run differs"
entry=$(ls "$tmp/runs/.cache/"*.ljds)
printf 'garbage' | dd of="$entry" bs=1 seek=40 conv=notrunc 2>/dev/null
"$BIN" train "$tmp/ts.yaml" --run-dir "$tmp/runs/c" 2>"$tmp/log3" || bad "train with corrupt cache"
if grep -q "dataset cache entry not used, rebuilding it" "$tmp/log3" && ! grep -q "(from the cache)" "$tmp/log3" &&
   losses "$tmp/runs/a" | cmp -s - "$(losses "$tmp/runs/c" >"$tmp/c.l"; echo "$tmp/c.l")"; then
    ok "corrupt cache entry detected and rebuilt"
else bad "corrupt cache"; cat "$tmp/log3"; fi

# 3. SIGINT mid-run and --resume: the same losses as a run that never stopped.
#    Long runs so the signal lands mid-run; under ASan (ASAN_OPTIONS set, as
#    make test's sanitizer pass does) a step costs over twice as much (this
#    test: 13.3 s vs 4.9 s), so 700 steps leave the signal as much time there.
LONG=1500
[ -n "${ASAN_OPTIONS:-}" ] && LONG=700
"$BIN" train "$tmp/ts.yaml" --run-dir "$tmp/runs/ref" --steps $LONG -q
"$BIN" train "$tmp/ts.yaml" --run-dir "$tmp/runs/int" --steps $LONG -q &
pid=$!
i=0
while [ ! -s "$tmp/runs/int/checkpoint.lstm" ] && [ $i -lt 400 ]; do sleep 0.02; i=$((i + 1)); done
kill -INT $pid
wait $pid
st=$?
[ $st = 130 ] && ok "SIGINT exits 130" || bad "SIGINT exit $st (finished before the signal?)"
"$BIN" train "$tmp/ts.yaml" --run-dir "$tmp/runs/int" --steps $LONG --resume -q || bad "resume"
losses "$tmp/runs/ref" >"$tmp/ref.l"
losses "$tmp/runs/int" | cmp -s - "$tmp/ref.l" && ok "timestep resume is bit-exact" || bad "timestep resume differs"

# 4. Bad data: exit 2 with the file and its position, no run folder left half made.
mkdir "$tmp/bad"
cp "$tmp/songs/deut3663.krn" "$tmp/bad/"
printf '**kern\n*M4/4\n4c\n4zz\n*-\n' >"$tmp/bad/broken.krn"
sed 's#path: songs#path: bad#' "$tmp/ts.yaml" >"$tmp/bad.yaml"
"$BIN" train "$tmp/bad.yaml" --run-dir "$tmp/runs/bad" 2>"$tmp/err"
st=$?
[ $st = 2 ] && grep -q "bad/broken.krn:4:1: expected a pitch" "$tmp/err" && ok "bad kern file: exit 2 with file:line:col" ||
    { bad "bad kern: exit $st"; cat "$tmp/err"; }
[ ! -e "$tmp/runs/bad" ] || bad "a run folder was made for bad data"
rm "$tmp/bad/broken.krn"
printf '#lstmjam-tokens 1 encoding=timestep\n60 _ _ r /\n' >"$tmp/bad/t.txt"
"$BIN" train "$tmp/bad.yaml" --run-dir "$tmp/runs/bad" 2>"$tmp/err"
st=$?
[ $st = 2 ] && grep -q "t.txt:1:1: the tokens were encoded with options" "$tmp/err" && ok "tokens of other options: exit 2" ||
    { bad "tokens options: exit $st"; cat "$tmp/err"; }
printf '#lstmjam-tokens 1 encoding=timestep transpose=c\n60 _ _ r /\n60 _ q\n' >"$tmp/bad/t.txt"
"$BIN" train "$tmp/bad.yaml" --run-dir "$tmp/runs/bad" 2>"$tmp/err"
st=$?
[ $st = 2 ] && grep -q "t.txt:3:6: expected a timestep token, found 'q'" "$tmp/err" && ok "bad token: exit 2 with line:col" ||
    { bad "bad token: exit $st"; cat "$tmp/err"; }
# another encoding's tokens (event, whose 'shift:100' timestep cannot read):
# named by the header, not by the first token
printf '#lstmjam-tokens 1 encoding=event\nshift:100 on:60 shift:50 off:60\n' >"$tmp/bad/t.txt"
"$BIN" train "$tmp/bad.yaml" --run-dir "$tmp/runs/bad" 2>"$tmp/err"
st=$?
[ $st = 2 ] && grep -q "t.txt:1:1: the file holds event tokens; the model or config reads timestep tokens" "$tmp/err" &&
    ok "another encoding's tokens: exit 2 naming it" || { bad "event tokens: exit $st"; cat "$tmp/err"; }
[ $fail = 0 ] && echo "train_encodings: all passed"
exit $fail
