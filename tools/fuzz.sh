#!/bin/sh
# Runs every libFuzzer harness built in BUILD for SECONDS each, starting from the
# seed and regression corpora. Crashes are written to BUILD/findings/NAME/; copy
# each into tests/fuzz/regress/NAME/ (after fixing it) so make test replays it.
set -eu
BUILD=${1:-build-fuzz}
SECONDS_EACH=${2:-60}
SRC=$(cd "$(dirname "$0")/.." && pwd)
status=0
for bin in "$BUILD"/tests/fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin" | sed 's/^fuzz_//')
    work="$BUILD/findings/$name"
    mkdir -p "$work/corpus"
    echo "fuzz: $name for ${SECONDS_EACH}s"
    if ! "$bin" -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" \
        "$SRC/tests/fuzz/corpus/$name" >"$work/log.txt" 2>&1; then
        echo "fuzz: $name FOUND A CRASH: see $work/log.txt and $work/crash-*" >&2
        status=1
    fi
    grep -E "^stat::(number_of_executed_units|peak_rss_mb|new_units_added)" "$work/log.txt" | tr '\n' ' '
    echo
done
exit $status
