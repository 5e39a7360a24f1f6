#!/bin/sh
# make bench: every benchmark, each printed next to the peer it is compared with.
# Timings are noisy on shared machines: compare ratios measured in one run.
set -eu
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
CORPORA=${LJ_CORPORA:-$SRC/../shared/corpora}

echo "== reading corpora (one core) =="
taskset -c 0 "$BUILD/bench/bench_read" "$CORPORA" 5

echo
echo "== peer: abc2midi converting the same 14 ABC books to MIDI (one core) =="
if command -v abc2midi >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    t0=$(date +%s.%N)
    for f in "$CORPORA"/nottingham/abc/*.abc; do
        (cd "$tmp" && taskset -c 0 abc2midi "$f" -silent >/dev/null 2>&1 || true)
    done
    t1=$(date +%s.%N)
    n=$(ls "$tmp" | wc -l)
    echo "abc2midi: $n MIDI files in $(awk "BEGIN{printf \"%.3f\", $t1 - $t0}") s (parse + write MIDI, one run)"
    rm -rf "$tmp"
else
    echo "abc2midi not installed (tools/install-deps.sh installs it)"
fi
