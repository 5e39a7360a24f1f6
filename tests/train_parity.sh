#!/bin/sh
# Training parity with PyTorch, quick and without torch: lstmjam trains the
# two tiny configs tests/data/train/parity-{chars,psd}.yaml (20 steps each,
# validated every 5) with --trace, and its validation losses must equal the
# PyTorch curves committed in tests/data/golden/parity_*.txt within a relative
# 5e-4 (measured when they were written: equal to the printed 6 decimals;
# the margin is for other CPUs' rounding). Those curves are what
# tests/ref/parity_train.py computed training the same model in PyTorch from
# the trace's initial weights on its batches (tests/ref/make_parity_golden.sh
# writes them); a change to lstmjam's initialisation, batch sampling, kernels
# or optimizer that PyTorch does not share fails here.
# Also: --trace with --resume, and with a dropout config, exit 2 and write no
# trace. The full-size comparison is tools/parity.sh (make bench).
set -u
BIN=${LJ_BIN:?}
SRC=${LJ_SOURCE_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL: $1"; fail=1; }

for name in chars psd; do
    golden="$SRC/tests/data/golden/parity_$name.txt"
    "$BIN" train "$SRC/tests/data/train/parity-$name.yaml" --run-dir "$tmp/$name" --trace "$tmp/$name.trace" \
        2>"$tmp/$name.log" || { bad "$name: train"; cat "$tmp/$name.log"; continue; }
    grep -q "trace: 20 steps written to $tmp/$name.trace" "$tmp/$name.log" && [ -s "$tmp/$name.trace" ] &&
        ok "$name: trace of 20 steps written" || { bad "$name: no trace"; cat "$tmp/$name.log"; }
    # lstmjam's "step loss" pairs, then the golden ones: every golden step must
    # be there and agree.
    sed -n 's/^{"step": \([0-9]*\), "valid_loss": \([0-9.]*\),.*/\1 \2/p' "$tmp/$name/metrics.jsonl" >"$tmp/$name.c"
    if awk -v tol=5e-4 '
        FNR == NR { c[$1] = $2; next }
        /^#/ { next }
        { n++
          if (!($1 in c)) { printf "step %d: lstmjam has no validation\n", $1; bad = 1; next }
          d = (c[$1] - $2) / $2; if (d < 0) d = -d
          printf "step %d: lstmjam %s, pytorch %s, rel. diff %.2e\n", $1, c[$1], $2, d
          if (d > tol) bad = 1 }
        END { exit bad || n != 4 }' "$tmp/$name.c" "$golden"; then
        ok "$name: 4 validation losses equal PyTorch's (rel. 5e-4)"
    else
        bad "$name: validation losses differ from PyTorch's $golden"
    fi
done

# A resumed run cannot be traced from its initial weights; dropout masks are
# lstmjam's own: both refused with exit 2, no trace written.
"$BIN" train "$SRC/tests/data/train/parity-chars.yaml" --run-dir "$tmp/chars" --resume --trace "$tmp/r.trace" \
    2>"$tmp/resume.log"
rc=$?
[ $rc = 2 ] && grep -q "resume" "$tmp/resume.log" && [ ! -e "$tmp/r.trace" ] && ok "--trace with --resume: exit 2" ||
    { bad "--trace with --resume: exit $rc"; cat "$tmp/resume.log"; }
"$BIN" train "$SRC/tests/data/train/tiny.yaml" --run-dir "$tmp/tiny" --trace "$tmp/d.trace" 2>"$tmp/drop.log"
rc=$?
[ $rc = 2 ] && grep -q "dropout 0.1" "$tmp/drop.log" && [ ! -e "$tmp/d.trace" ] && ok "--trace with dropout: exit 2" ||
    { bad "--trace with dropout: exit $rc"; cat "$tmp/drop.log"; }
exit $fail
