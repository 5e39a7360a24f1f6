#!/bin/sh
# lstmjam train and eval on the frame encodings, end to end in seconds:
#  - pianoroll on the JSB chorales (quarter file, published split), Bernoulli
#    and NADE heads: run folder complete, the validation NLL per frame falls
#    below a threshold measured on this machine (see below), the test split is
#    scored at the end, the model file holds the head;
#  - 30 steps + --resume to 60 equal one 60-step run (NADE, dropout), and
#    the same for train_on pieces with input dropout (Bernoulli);
#  - init (weights from a model file) and optimizer.ema (an average of the
#    weights), and eval's ensemble of several Bernoulli models and its
#    transposition averaging (below), also as the trainer's validation
#    (eval_transpose_average);
#  - psd on 40 Nottingham MIDI tunes: three heads named after the frame's
#    fields with per-head losses in metrics.jsonl, loss_weights applied
#    (a zero weight leaves that head out of the total);
#  - bad configs: loss_weights naming a head the encoding lacks, or given to a
#    token encoding, train_on pieces or input_dropout for a token encoding,
#    and a tokens file for a frame encoding: exit 2 naming it;
#  - frames text files from lstmjam encode as training and eval data (the same
#    metrics as from the MIDI files), the dataset cache for frame corpora, and
#    bad frames files (exit 2 with file:line:column).
set -u
BIN=${LJ_BIN:?}
CORPORA=${LJ_CORPORA:?}
JSB="$CORPORA/jsb-chorales/jsb-chorales-quarter.json"
[ -f "$JSB" ] && [ -d "$CORPORA/nottingham/midi" ] || { echo "no corpora: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL: $1"; fail=1; }
field() { grep "\"$2\"" "$1" | tail -1 | sed "s/.*\"$2\": \([0-9.]*\).*/\1/"; }

jsb_config() { # NAME HEAD STEPS
    cat >"$tmp/$1.yaml" <<YAML
name: $1
encoding: pianoroll
encoding_options: {grid: quarter}
read: {jsb_grid: quarter}
data:
  - path: $JSB
model: {layers: [64], dropout: 0.0, frame_head: $2, nade_hidden: 32}
optimizer: {kind: adam, learning_rate: 1e-2, clip_norm: 5}
batch: 16
seq_len: 32
steps: $3
log_every: 10
eval_every: 50
seed: 3
threads: 1
YAML
}

# 1. JSB, Bernoulli and NADE heads. An untrained model scores about 61 nats
#    per frame (88 keys at p = 0.5); thresholds are the measured value after
#    these 150 steps (deterministic: seed 3, one thread) plus a margin for
#    other CPUs' rounding (measured here: Bernoulli 10.60, NADE 8.24, with
#    every frame scored, the first from a zero input).
for head in bernoulli nade; do
    jsb_config "jsb-$head" "$head" 150
    "$BIN" train "$tmp/jsb-$head.yaml" --run-dir "$tmp/runs/$head" 2>"$tmp/$head.log" || { bad "train $head"; cat "$tmp/$head.log"; }
    for f in config.yaml metrics.jsonl best.lstm model.lstm loss.png; do
        [ -s "$tmp/runs/$head/$f" ] || bad "$head: run folder lacks $f"
    done
    grep -q "train 13807 frames (229 tunes), valid 4602 (76), test 4725 (77)" "$tmp/$head.log" &&
        ok "$head: JSB's published split, quarter frames" || { bad "$head: split line"; cat "$tmp/$head.log"; }
    v=$(field "$tmp/runs/$head/metrics.jsonl" valid_loss)
    t=$(field "$tmp/runs/$head/metrics.jsonl" test_loss)
    limit=11.1
    [ "$head" = nade ] && limit=9.0
    awk -v v="$v" -v l="$limit" 'BEGIN { exit !(v > 0 && v < l) }' && ok "$head: validation NLL per frame $v < $limit" ||
        bad "$head: validation NLL per frame $v not below $limit"
    grep -q '"test_pieces": 77' "$tmp/runs/$head/metrics.jsonl" && ok "$head: test split scored ($t nats per frame)" ||
        bad "$head: no test line"
done
# lstmjam eval on the run's config gives the trainer's own numbers, and the
# JSB table
for split in valid test; do
    want=$(field "$tmp/runs/nade/metrics.jsonl" ${split}_loss)
    got=$("$BIN" eval --model "$tmp/runs/nade/model.lstm" --data "$tmp/jsb-nade.yaml" --split $split --json -q |
          sed 's/.*"nll":\([0-9.]*\).*/\1/')
    awk -v a="$want" -v b="$got" 'BEGIN { d = a - b; exit !(d < 1e-5 && d > -1e-5) }' &&
        ok "eval --split $split: $got = the trainer's $want" || bad "eval --split $split: $got, trainer $want"
done
"$BIN" eval --model "$tmp/runs/nade/model.lstm" --data "$tmp/jsb-nade.yaml" --split test | grep -q "RNN-NADE                5.19" &&
    ok "eval prints the JSB table" || bad "no JSB table"
"$BIN" info "$tmp/runs/nade/model.lstm" | grep -q "head keys: NADE over 88" && ok "model file: NADE head over 88 keys" ||
    { bad "info of the NADE model"; "$BIN" info "$tmp/runs/nade/model.lstm"; }

# From here on the runs and evals read the JSB file with its first 16 valid
# and 16 test chorales (all 229 train ones): what follows compares runs and
# evals with each other, so fewer scored frames check the same, and scoring
# the whole splits took most of this test's time (most of all under ASan).
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
json.dump({"train": d["train"], "valid": d["valid"][:16], "test": d["test"][:16]}, open(sys.argv[2], "w"))' \
    "$JSB" "$tmp/jsb-small.json" || bad "cannot write the JSB subset"
# Resume: 30 steps, then --resume to 60, gives the metrics of one 60-step run
# (NADE head, dropout; the 30-step run's closing test line is dropped)
sed -e 's/^steps: 150/steps: 60/' -e 's/^log_every: 10/log_every: 10\ncheckpoint_every: 30/' \
    -e 's/dropout: 0.0/dropout: 0.2/' -e 's/^eval_every: 50/eval_every: 30/' \
    -e "s|^  - path: .*|  - path: $tmp/jsb-small.json|" "$tmp/jsb-nade.yaml" >"$tmp/r60.yaml"
sed 's/^steps: 60/steps: 30/' "$tmp/r60.yaml" >"$tmp/r30.yaml"
strip() { sed -e 's/, "tokens_per_s": [0-9.e+-]*//' -e 's/, "elapsed_s": [0-9.e+-]*//' "$1/metrics.jsonl"; }
"$BIN" train "$tmp/r60.yaml" --run-dir "$tmp/runs/ra" -q && "$BIN" train "$tmp/r30.yaml" --run-dir "$tmp/runs/rb" -q &&
    "$BIN" train "$tmp/r60.yaml" --run-dir "$tmp/runs/rb" --resume -q || bad "resume runs"
strip "$tmp/runs/ra" >"$tmp/ra.m"
strip "$tmp/runs/rb" >"$tmp/rb.m"
cmp -s "$tmp/ra.m" "$tmp/rb.m" && ok "resume at step 30 gives the same metrics as one run" ||
    { bad "resumed run differs"; diff "$tmp/ra.m" "$tmp/rb.m" | head -5; }

# train_on pieces (whole chorales from a zero state, padded to seq_len) with
# input dropout: the run says how it cut the pieces, the model file keeps
# input_dropout, and 10 steps + --resume to 20 equal one 20-step run (the
# piece draws and both dropout masks come from the checkpointed rngs)
sed -e 's/^steps: 60/steps: 20/' -e 's/^seq_len: 32/seq_len: 100\ntrain_on: pieces/' -e 's/^batch: 16/batch: 8/' \
    -e 's/^checkpoint_every: 30/checkpoint_every: 10/' -e 's/^eval_every: 30/eval_every: 10/' \
    -e 's/dropout: 0.2,/dropout: 0.2, input_dropout: 0.2,/' -e 's/frame_head: nade/frame_head: bernoulli/' "$tmp/r60.yaml" >"$tmp/p20.yaml"
sed 's/^steps: 20/steps: 10/' "$tmp/p20.yaml" >"$tmp/p10.yaml"
"$BIN" train "$tmp/p20.yaml" --run-dir "$tmp/runs/pa" 2>"$tmp/pa.log" && "$BIN" train "$tmp/p10.yaml" --run-dir "$tmp/runs/pb" -q &&
    "$BIN" train "$tmp/p20.yaml" --run-dir "$tmp/runs/pb" --resume -q || { bad "train_on pieces runs"; cat "$tmp/pa.log"; }
grep -q "train_on pieces: 229 train pieces, the longest 129 frames; 14 longer than seq_len = 100 (trained in windows of it)" "$tmp/pa.log" &&
    ok "train_on pieces: 229 chorales, 14 longer than 100 frames" || { bad "train_on pieces line"; cat "$tmp/pa.log"; }
"$BIN" info "$tmp/runs/pa/model.lstm" | grep -q "dropout 0.20, input dropout 0.20" && ok "model file keeps input_dropout" ||
    { bad "info: no input dropout"; "$BIN" info "$tmp/runs/pa/model.lstm"; }
strip "$tmp/runs/pa" >"$tmp/pa.m"
strip "$tmp/runs/pb" >"$tmp/pb.m"
cmp -s "$tmp/pa.m" "$tmp/pb.m" && ok "train_on pieces + input dropout: resume at step 10 gives the same metrics as one run" ||
    { bad "train_on pieces: resumed run differs"; diff "$tmp/pa.m" "$tmp/pb.m" | head -5; }

# init (start from a model file's weights) and optimizer.ema (validation,
# best.lstm and model.lstm from an average of the weights):
#  - at a learning rate of 1e-9, the first validation of a run with init is
#    the init model's own validation loss (a fresh model scores ~61);
#  - the average does not touch training: the train losses equal the plain
#    run's, the validation losses differ, and best.lstm is the model that
#    scored the best validation loss;
#  - init + ema, 10 steps + --resume to 20, equal one 20-step run (the
#    average is in the checkpoint; a resume does not read init again);
#  - an init of another shape or a missing file: exit 2 naming it.
sed -e 's/^steps: 20/steps: 1/' -e 's/^eval_every: 10/eval_every: 1/' -e 's/learning_rate: 1e-2/learning_rate: 1e-9/' \
    "$tmp/p20.yaml" >"$tmp/i1.yaml"
echo "init: $tmp/runs/pa/model.lstm" >>"$tmp/i1.yaml"
"$BIN" train "$tmp/i1.yaml" --run-dir "$tmp/runs/i1" 2>"$tmp/i1.log" || { bad "init run"; cat "$tmp/i1.log"; }
want=$("$BIN" eval --model "$tmp/runs/pa/model.lstm" --data "$tmp/p20.yaml" --split valid --json -q | sed 's/.*"nll":\([0-9.]*\).*/\1/')
got=$(field "$tmp/runs/i1/metrics.jsonl" valid_loss)
awk -v a="$want" -v b="$got" 'BEGIN { d = a - b; exit !(d < 1e-3 && d > -1e-3) }' && grep -q "init: the weights of" "$tmp/i1.log" &&
    ok "init: first validation $got = the init model's $want" || bad "init: first validation $got, the init model's $want"
sed 's/clip_norm: 5}/clip_norm: 5, ema: 0.9}/' "$tmp/p20.yaml" >"$tmp/e20.yaml"
"$BIN" train "$tmp/e20.yaml" --run-dir "$tmp/runs/ea" -q || bad "ema run"
grep train_loss "$tmp/pa.m" >"$tmp/pa.train"
strip "$tmp/runs/ea" >"$tmp/ea.m"
grep -q '"valid_loss"' "$tmp/ea.m" && cmp -s "$tmp/pa.train" "$(grep train_loss "$tmp/ea.m" >"$tmp/ea.train"; echo "$tmp/ea.train")" &&
    ! cmp -s "$(grep valid_loss "$tmp/pa.m" >"$tmp/pa.valid"; echo "$tmp/pa.valid")" \
             "$(grep valid_loss "$tmp/ea.m" >"$tmp/ea.valid"; echo "$tmp/ea.valid")" &&
    ok "ema: the same train losses as without, other validation losses" || { bad "ema: train or valid lines"; diff "$tmp/pa.m" "$tmp/ea.m" | head -6; }
best=$(grep '"best": true' "$tmp/runs/ea/metrics.jsonl" | tail -1 | sed 's/.*"valid_loss": \([0-9.]*\).*/\1/')
got=$("$BIN" eval --model "$tmp/runs/ea/best.lstm" --data "$tmp/p20.yaml" --split valid --json -q | sed 's/.*"nll":\([0-9.]*\).*/\1/')
awk -v a="$best" -v b="$got" 'BEGIN { d = a - b; exit !(d < 1e-5 && d > -1e-5) }' &&
    ok "ema: best.lstm scores the best validation loss $best" || bad "ema: best.lstm scores $got, best validation $best"
echo "init: $tmp/runs/pa/model.lstm" >>"$tmp/e20.yaml"
sed 's/^steps: 20/steps: 10/' "$tmp/e20.yaml" >"$tmp/e10.yaml"
"$BIN" train "$tmp/e20.yaml" --run-dir "$tmp/runs/eb" -q && "$BIN" train "$tmp/e10.yaml" --run-dir "$tmp/runs/ec" -q &&
    "$BIN" train "$tmp/e20.yaml" --run-dir "$tmp/runs/ec" --resume -q || bad "init + ema runs"
strip "$tmp/runs/eb" >"$tmp/eb.m"
strip "$tmp/runs/ec" >"$tmp/ec.m"
cmp -s "$tmp/eb.m" "$tmp/ec.m" && ! cmp -s "$tmp/ea.m" "$tmp/eb.m" &&
    ok "init + ema: resume at step 10 gives the same metrics as one run" ||
    { bad "init + ema: resumed run differs"; diff "$tmp/eb.m" "$tmp/ec.m" | head -5; }
sed 's/layers: \[64\]/layers: [32]/' "$tmp/i1.yaml" >"$tmp/i32.yaml"
"$BIN" train "$tmp/i32.yaml" --run-dir "$tmp/runs/i32" 2>"$tmp/i32.log"
rc=$?
[ $rc -eq 2 ] && grep -qF "model.lstm: tensor 0 is 'lstm.weight_ih_l0' (256,88) in the file, 'lstm.weight_ih_l0' (128,88) in the config's model" "$tmp/i32.log" &&
    ok "init of another shape: exit 2, $(tail -1 "$tmp/i32.log")" || { bad "init of another shape: exit $rc"; cat "$tmp/i32.log"; }
sed "s|^init: .*|init: $tmp/none.lstm|" "$tmp/i1.yaml" >"$tmp/inone.yaml"
"$BIN" train "$tmp/inone.yaml" --run-dir "$tmp/runs/inone" 2>"$tmp/inone.log"
rc=$?
[ $rc -eq 2 ] && grep -q "init (line [0-9]*): .*none.lstm" "$tmp/inone.log" &&
    ok "missing init file: exit 2, $(tail -1 "$tmp/inone.log")" || { bad "missing init file: exit $rc"; cat "$tmp/inone.log"; }

# eval with several --model (an ensemble of Bernoulli pianoroll models, each
# key's probability the mean of the models'): the same model twice scores
# what it scores alone; two different models score below the mean of their
# own losses (-log of a mean probability is at most the mean of the -logs,
# equal only for equal probabilities); a NADE model in an ensemble: exit 2.
nll() { "$BIN" eval "$@" --data "$tmp/p20.yaml" --split test --json -q | sed 's/.*"nll":\([0-9.]*\).*/\1/'; }
one=$(nll --model "$tmp/runs/pa/model.lstm")
two=$(nll --model "$tmp/runs/pa/model.lstm" --model "$tmp/runs/pa/model.lstm")
other=$(nll --model "$tmp/runs/eb/model.lstm")
mix=$(nll --model "$tmp/runs/pa/model.lstm" --model "$tmp/runs/eb/model.lstm")
awk -v a="$one" -v b="$two" 'BEGIN { d = a - b; exit !(d < 1e-6 && d > -1e-6) }' &&
    ok "ensemble of a model with itself: $two = its own $one" || bad "ensemble of a model with itself: $two, alone $one"
awk -v a="$one" -v b="$other" -v m="$mix" 'BEGIN { exit !(m > 0 && m < (a + b) / 2 - 1e-4) }' &&
    ok "ensemble of two models: $mix below the mean of $one and $other" || bad "ensemble of two: $mix, alone $one and $other"
"$BIN" eval --model "$tmp/runs/pa/model.lstm" --model "$tmp/runs/pa/model.lstm" --data "$tmp/p20.yaml" --split test |
    grep -q "ensemble of 2 (Bernoulli)" && ok "eval names the ensemble in the JSB table" || bad "no ensemble line"
"$BIN" eval --model "$tmp/runs/pa/model.lstm" --model "$tmp/runs/nade/model.lstm" --data "$tmp/p20.yaml" --split test -q \
    2>"$tmp/ens.log"
rc=$?
[ $rc -eq 2 ] && grep -q "Bernoulli heads" "$tmp/ens.log" && ok "ensemble with a NADE model: exit 2, $(cat "$tmp/ens.log")" ||
    { bad "ensemble with a NADE model: exit $rc"; cat "$tmp/ens.log"; }

# --transpose-average (transposition averaging; its arithmetic is checked by
# hand in test_evaluate_frames): named in the output and JSON; given to the
# second of two equal models it scores what the model with it scores alone
# (the ensemble is the mean over the models of each model's mean over its
# shifts, and the model alone with no shift scores the same); before any
# --model or out of range: exit 2.
"$BIN" eval --model "$tmp/runs/pa/model.lstm" --transpose-average 2 --data "$tmp/p20.yaml" --split test >"$tmp/ta.log" 2>&1 &&
    grep -q "ensemble of 5 transpositions (-2..+2 keys)" "$tmp/ta.log" &&
    grep -q "ensemble of 1 model, 5 runs with transpositions (Bernoulli)" "$tmp/ta.log" &&
    ok "transpose-average: named in eval's output" || { bad "transpose-average output"; cat "$tmp/ta.log"; }
ta=$(nll --model "$tmp/runs/pa/model.lstm" --transpose-average -1:1)
ta2=$(nll --model "$tmp/runs/pa/model.lstm" --transpose-average -1:1 --model "$tmp/runs/pa/model.lstm" --transpose-average -1:1)
mixed=$(nll --model "$tmp/runs/pa/model.lstm" --model "$tmp/runs/pa/model.lstm" --transpose-average -1:1)
awk -v a="$ta" -v b="$ta2" -v o="$one" -v m="$mixed" 'BEGIN { d = a - b; e = m - (a + o) / 2
    exit !(a > 0 && a != o && d < 1e-9 && d > -1e-9 && m > 0 && m <= (a + o) / 2 + 1e-9) }' &&
    ok "transpose-average per model: $ta (two such: $ta2; with the plain model: $mixed)" ||
    bad "transpose-average per model: $ta, two $ta2, plain $one, mixed $mixed"
"$BIN" eval --transpose-average 2 --model "$tmp/runs/pa/model.lstm" --data "$tmp/p20.yaml" -q 2>"$tmp/ta.log"
rc=$?
"$BIN" eval --model "$tmp/runs/pa/model.lstm" --transpose-average 13 --data "$tmp/p20.yaml" -q 2>>"$tmp/ta.log"
rc2=$?
[ $rc -eq 2 ] && [ $rc2 -eq 2 ] && grep -q "none" "$tmp/ta.log" && grep -q "found '13'" "$tmp/ta.log" &&
    ok "transpose-average before --model, out of range: exit 2" || { bad "transpose-average errors: $rc $rc2"; cat "$tmp/ta.log"; }

# eval_transpose_average: the trainer validates (and scores test at the end)
# with eval's --transpose-average ensemble; metrics.jsonl says so (a run from
# the pa model at a rate of 1e-9, so both equal eval's of the pa model: $ta
# is its test score above). A NADE model or a bad range: exit 2 with
# file:line:col.
sed 's/^steps: 1$/steps: 1\neval_transpose_average: "-1:1"/' "$tmp/i1.yaml" >"$tmp/ta1.yaml"
"$BIN" train "$tmp/ta1.yaml" --run-dir "$tmp/runs/ta1" -q || bad "eval_transpose_average run"
want=$("$BIN" eval --model "$tmp/runs/pa/model.lstm" --transpose-average -1:1 --data "$tmp/p20.yaml" --split valid --json -q |
    sed 's/.*"nll":\([0-9.]*\).*/\1/')
got=$(field "$tmp/runs/ta1/metrics.jsonl" valid_loss)
gtest=$(field "$tmp/runs/ta1/metrics.jsonl" test_loss)
awk -v a="$want" -v b="$got" -v c="$ta" -v d="$gtest" \
    'BEGIN { x = a - b; y = c - d; exit !(x < 1e-3 && x > -1e-3 && y < 1e-3 && y > -1e-3 && a != c) }' &&
    grep -q '"valid_transpose_average": \[-1, 1\]' "$tmp/runs/ta1/metrics.jsonl" &&
    grep -q '"test_transpose_average": \[-1, 1\]' "$tmp/runs/ta1/metrics.jsonl" &&
    ok "eval_transpose_average: validation $got = eval --transpose-average -1:1's $want, test $gtest = $ta" ||
    { bad "eval_transpose_average: validation $got (eval $want), test $gtest (eval $ta)"; cat "$tmp/runs/ta1/metrics.jsonl"; }
printf 'eval_transpose_average: 2\n' | cat "$tmp/r60.yaml" - >"$tmp/tanade.yaml"
"$BIN" train "$tmp/tanade.yaml" --run-dir "$tmp/runs/tanade" 2>"$tmp/tanade.log"
rc=$?
sed 's/^eval_transpose_average: .*/eval_transpose_average: 3:1/' "$tmp/ta1.yaml" >"$tmp/tabad.yaml"
"$BIN" train "$tmp/tabad.yaml" --run-dir "$tmp/runs/tabad" 2>>"$tmp/tanade.log"
rc2=$?
[ $rc -eq 2 ] && [ $rc2 -eq 2 ] && grep -q "tanade.yaml:[0-9]*:1: 'eval_transpose_average': expected a pianoroll model with a Bernoulli head" "$tmp/tanade.log" &&
    grep -q "tabad.yaml:[0-9]*:[0-9]*: 'eval_transpose_average': expected LO:HI" "$tmp/tanade.log" &&
    ok "eval_transpose_average with a NADE head, or 3:1: exit 2 with file:line:col" || { bad "eval_transpose_average errors: exit $rc, $rc2"; cat "$tmp/tanade.log"; }
# 2. psd on 40 Nottingham tunes: per-head losses; a zero loss weight.
mkdir "$tmp/tunes"
ls "$CORPORA/nottingham/midi/"*.mid | head -40 | while read -r f; do cp "$f" "$tmp/tunes/"; done
cat >"$tmp/psd.yaml" <<YAML
name: psd
encoding: psd
data:
  - path: tunes
split: {valid: 0.2, test: 0.0, seed: 1}
model: {layers: [32]}
loss_weights: {pitch: 0.05, duration: 0}
optimizer: {kind: adam, learning_rate: 5e-3}
batch: 16
seq_len: 25
steps: 60
log_every: 20
eval_every: 30
seed: 3
threads: 1
YAML
"$BIN" train "$tmp/psd.yaml" --run-dir "$tmp/runs/psd" 2>"$tmp/psd.log" || { bad "train psd"; cat "$tmp/psd.log"; }
line=$(grep valid_loss "$tmp/runs/psd/metrics.jsonl" | tail -1)
echo "$line" | grep -q '"valid_head_loss": {"pitch": [0-9.]*, "step": [0-9.]*, "duration": [0-9.]*}' &&
    ok "psd: pitch, step and duration losses logged" || bad "psd: head losses missing: $line"
# the total is 0.05 pitch + 1 step + 0 duration
echo "$line" | awk '{
    match($0, /"valid_loss": [0-9.]*/); total = substr($0, RSTART + 14, RLENGTH - 14) + 0
    h = substr($0, index($0, "valid_head_loss"))
    match(h, /"pitch": [0-9.]*/); p = substr(h, RSTART + 9, RLENGTH - 9) + 0
    match(h, /"step": [0-9.]*/); s = substr(h, RSTART + 8, RLENGTH - 8) + 0
    d = total - (0.05 * p + s); exit !(d < 1e-5 && d > -1e-5) }' &&
    ok "psd: loss weights pitch 0.05, step 1, duration 0 make the total" || bad "psd: weighted total wrong: $line"

# psd binned (beats at 1/12, 97 classes) with velocity: four softmax heads
sed -e 's/^encoding: psd/encoding: psd\nencoding_options: {time: beats, time_bins: 97, time_bin: 1\/12, with_velocity: 1}/' \
    -e 's/^loss_weights: .*//' -e 's/^steps: 60/steps: 20/' "$tmp/psd.yaml" >"$tmp/psdb.yaml"
"$BIN" train "$tmp/psdb.yaml" --run-dir "$tmp/runs/psdb" 2>"$tmp/psdb.log" || { bad "train binned psd"; cat "$tmp/psdb.log"; }
"$BIN" info "$tmp/runs/psdb/model.lstm" >"$tmp/psdb.info"
grep -q "head step: softmax over 97, loss weight 1" "$tmp/psdb.info" &&
    grep -q "head velocity: softmax over 32" "$tmp/psdb.info" && grep -q "input dense features, size 4" "$tmp/psdb.info" &&
    ok "psd binned with velocity: softmax heads over 97 time classes and 32 velocity bins" ||
    { bad "binned psd heads"; cat "$tmp/psdb.info"; }

# 3. Bad configs: exit 2 with the reason.
sed 's/loss_weights: {pitch: 0.05, duration: 0}/loss_weights: {velocity: 1}/' "$tmp/psd.yaml" >"$tmp/bad1.yaml"
"$BIN" train "$tmp/bad1.yaml" --run-dir "$tmp/runs/bad1" 2>"$tmp/bad1.log"
[ $? -eq 2 ] && grep -q "psd has no head 'velocity' (its heads: pitch, step, duration)" "$tmp/bad1.log" &&
    ok "unknown head in loss_weights: exit 2" || { bad "unknown head"; cat "$tmp/bad1.log"; }
for key in "train_on: pieces" "model: {layers: [32], input_dropout: 0.1}"; do
    sed -e 's/^encoding: psd/encoding: notechord/' -e 's/^loss_weights: .*//' -e 's/^model: .*//' "$tmp/psd.yaml" >"$tmp/bad3.yaml"
    echo "$key" >>"$tmp/bad3.yaml"
    "$BIN" train "$tmp/bad3.yaml" --run-dir "$tmp/runs/bad3" 2>"$tmp/bad3.log"
    rc=$?
    [ $rc -eq 2 ] && grep -q "(line 16): .*frame encodings (psd, pianoroll)" "$tmp/bad3.log" &&
        ok "${key%%:*} on a token encoding: exit 2, $(tail -1 "$tmp/bad3.log")" || { bad "$key on tokens: exit $rc"; cat "$tmp/bad3.log"; }
done
printf '#lstmjam-tokens 1 encoding=timestep\n60 _ /\n' >"$tmp/tunes/x.txt"
"$BIN" train "$tmp/psd.yaml" --run-dir "$tmp/runs/bad2" 2>"$tmp/bad2.log"
[ $? -eq 2 ] && grep -q "x.txt:1:1: expected a '#lstmjam-frames 1 encoding=psd ...' header" "$tmp/bad2.log" &&
    ok "tokens file for a frame encoding: exit 2" || { bad "tokens file"; cat "$tmp/bad2.log"; }
rm "$tmp/tunes/x.txt"

# 4. Frames text files (lstmjam encode) as data: the same corpus, split,
#    losses and evaluation as the music files they were encoded from; the
#    dataset cache holds frame corpora (a second run reads it and trains the
#    same); bad frames files exit 2 with file:line:column.
"$BIN" encode --encoding psd "$tmp/tunes" -o "$tmp/psd_frames.txt" >/dev/null || bad "encode psd frames"
sed "s|  - path: tunes|  - path: psd_frames.txt|" "$tmp/psd.yaml" >"$tmp/psdf.yaml"
"$BIN" train "$tmp/psdf.yaml" --run-dir "$tmp/runs/psdf" 2>"$tmp/psdf.log" || { bad "train psd from frames"; cat "$tmp/psdf.log"; }
strip "$tmp/runs/psd" >"$tmp/m1"
strip "$tmp/runs/psdf" >"$tmp/m2"
cmp -s "$tmp/m1" "$tmp/m2" && ok "psd from the frames file trains exactly as from the MIDI files ($(grep -c step "$tmp/m2") metrics lines)" ||
    { bad "frames file training differs"; diff "$tmp/m1" "$tmp/m2" | head -4; }
"$BIN" train "$tmp/psd.yaml" --run-dir "$tmp/runs/psd2" 2>"$tmp/psd2.log" || bad "second psd run"
grep -q "frame values 3 (from the cache)" "$tmp/psd2.log" && ok "the second psd run reads its frames from the dataset cache" ||
    { bad "no cache hit for frames"; cat "$tmp/psd2.log"; }
strip "$tmp/runs/psd2" >"$tmp/m3"
cmp -s "$tmp/m1" "$tmp/m3" && ok "and trains the same from it" || { bad "cached frames train differently"; diff "$tmp/m1" "$tmp/m3" | head -4; }
a=$("$BIN" eval --model "$tmp/runs/psd/model.lstm" --data "$tmp/psd_frames.txt" --json -q | sed 's/"data":"[^"]*",//')
b=$("$BIN" eval --model "$tmp/runs/psd/model.lstm" --data "$tmp/tunes" --json -q | sed 's/"data":"[^"]*",//')
[ -n "$a" ] && [ "$a" = "$b" ] && ok "eval on the frames file = eval on the MIDI files" || bad "eval differs: $a / $b"
badframes() { # NAME TEXT WANT
    printf "$2" >"$tmp/bad_$1.txt"
    "$BIN" eval --model "$tmp/runs/psd/model.lstm" --data "$tmp/bad_$1.txt" -q 2>"$tmp/bad_$1.log"
    rc=$?
    [ $rc -eq 2 ] && grep -qF -- "$3" "$tmp/bad_$1.log" && ok "bad frames file ($1): exit 2, $3" ||
        { bad "bad frames file $1: exit $rc"; cat "$tmp/bad_$1.log"; }
}
H=$(head -1 "$tmp/psd_frames.txt")
badframes short "$H\n60 0 0.5 | 62 0.5\n" "bad_short.txt:2:18: expected 3 values in a frame (psd), found 2 before the line end"
badframes class "$H\n60 0 0.5 | 128 0.5 1\n" "bad_class.txt:2:12: expected a class 0..127 of field 'pitch', found '128'"
badframes nan "$H\n60 0 nan\n" "bad_nan.txt:2:6: expected a number, '|' or the line end, found 'n'"
badframes inf "$H\n60 0 1e999\n" "bad_inf.txt:2:6: expected a finite float >= 0 in field 'duration', found '1e999'"
badframes negative "$H\n60 -0.5 1\n" "bad_negative.txt:2:4: expected a finite float >= 0 in field 'step', found '-0.5'"
badframes long "$H\n60 0 0.5 7\n" "bad_long.txt:2:10: expected '|' or the line end after the 3 values of a frame"
badframes opts "#lstmjam-frames 1 encoding=psd time=beats\n60 0 1\n" "bad_opts.txt:1:1: expected frames encoded with options"
badframes enc "#lstmjam-frames 1 encoding=pianoroll\n" "bad_enc.txt:1:1: expected frames of the psd encoding, found pianoroll"
badframes fields "$H\n#fields pitch:class:128 step:value:1\n60 0 1\n" "bad_fields.txt:2:37: expected the psd fields"
exit $fail
