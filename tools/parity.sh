#!/bin/sh
# tools/parity.sh [BUILD]: training parity with PyTorch (issue 5). For each
# recipe, lstmjam trains it with --trace (initial weights, data, batch order,
# learning rates), tests/ref/parity_train.py trains the same model in PyTorch
# from the same weights on the same batches, and the two validation curves go
# into one PNG (lstmjam_parity_plot, cairo) with a table of both losses.
#
#   psd:   presets/train/psd-nottingham.yaml (the TF recipe at full size: LSTM
#          128, seq 25, batch 64, Adam 0.005, loss weights 0.05/1/1, dropout 0
#          as the recipe has it), LJ_PARITY_PSD_STEPS steps (default 3000 of
#          the recipe's 20000), validated every 500 (the recipe's eval_every);
#   chars: presets/train/nottingham-chars-small.yaml as it is (embedding 64,
#          LSTM 256, seq 100, batch 32, Adam 5e-3, clip 5, dropout 0, 1500
#          steps, validated every 100 on 40 batches).
# Writes OUT/parity-NAME.png and OUT/parity-NAME.txt ("step lstmjam pytorch"),
# OUT = LJ_PARITY_OUT (default docs/). Exits 1 if a recipe's largest relative
# difference of the validation losses exceeds LJ_PARITY_LIMIT (default 0.02).
# Needs /usr/bin/python3 with torch and numpy, and the corpora. One training
# at a time, one thread each: about 20 minutes here (PyTorch is the slow half).
set -eu
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${LJ_PARITY_OUT:-$SRC/docs}
PSD_STEPS=${LJ_PARITY_PSD_STEPS:-3000}
LIMIT=${LJ_PARITY_LIMIT:-0.02}
/usr/bin/python3 -c "import torch, numpy" 2>/dev/null || { echo "parity: /usr/bin/python3 lacks torch or numpy" >&2; exit 2; }
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

parity() { # NAME RECIPE STEPS
    name=$1 recipe=$2 steps=$3
    echo "== $name: $recipe, $steps steps =="
    "$BUILD/lstmjam" train "$SRC/presets/train/$recipe.yaml" --steps "$steps" --run-dir "$tmp/$name" \
        --trace "$tmp/$name.trace" -q
    rc=0
    /usr/bin/python3 "$SRC/tests/ref/parity_train.py" "$tmp/$name.trace" --metrics "$tmp/$name/metrics.jsonl" \
        --curve "$OUT/parity-$name.txt" --limit "$LIMIT" -q >"$tmp/$name.table" || rc=$?
    cat "$tmp/$name.table"
    [ "$rc" = 0 ] || status=1
    worst=$(sed -n 's/^max relative difference of the validation losses: \([0-9.]*%\).*/\1/p' "$tmp/$name.table")
    "$BUILD/lstmjam_parity_plot" "$OUT/parity-$name.txt" "$OUT/parity-$name.png" \
        "$recipe, $steps steps: validation loss, lstmjam vs PyTorch (max rel. diff. $worst)"
    echo "wrote $OUT/parity-$name.png"
}

parity psd psd-nottingham "$PSD_STEPS"
parity chars nottingham-chars-small 1500
exit $status
