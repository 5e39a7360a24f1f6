#!/bin/sh
# Writes tests/data/golden/parity_{chars,psd}.txt, the PyTorch validation
# curves that tests/train_parity.sh compares lstmjam's against (so that test
# needs no torch): lstmjam trains tests/data/train/parity-NAME.yaml with
# --trace, tests/ref/parity_train.py trains the same model in PyTorch on the
# trace and writes its curve. Refuses to write a golden curve that differs
# from lstmjam's own by more than 0.05% at any validation.
#
#   tests/ref/make_parity_golden.sh [BUILD]     (BUILD defaults to build)
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name in chars psd; do
    "$BUILD/lstmjam" train "$SRC/tests/data/train/parity-$name.yaml" --run-dir "$tmp/$name" \
        --trace "$tmp/$name.trace" -q
    /usr/bin/python3 "$SRC/tests/ref/parity_train.py" "$tmp/$name.trace" --metrics "$tmp/$name/metrics.jsonl" \
        --golden "$tmp/parity_$name.txt" --limit 0.0005 -q
    cp "$tmp/parity_$name.txt" "$SRC/tests/data/golden/parity_$name.txt"
done
