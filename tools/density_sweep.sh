#!/bin/sh
# Measures what live density does: notes in SECONDS of `lstmjam render` of
# each shipped preset at density 0.25 .. 4, summed over SEEDS seeds, and the
# ratio to density 1 (the goal is roughly d: a musician's "twice as dense"
# should mean about twice the notes). Prints one table row per preset.
# Usage: tools/density_sweep.sh [LSTMJAM] [SEEDS] [SECONDS] [PRESET...]
# (defaults: build/lstmjam, 3, 30, the presets of every shipped model kind).
set -eu
bin=${1:-build/lstmjam}
seeds=${2:-3}
seconds=${3:-30}
[ $# -ge 3 ] && shift 3 || shift $#
presets=${*:-"nottingham-notechord nottingham-event nottingham-psd jsb-pianoroll jsb-pianoroll-bernoulli essen-timestep"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
minutes=$(awk -v s="$seconds" 'BEGIN { print s / 60 }')
printf '%-26s %7s %7s %7s %7s %7s   %s\n' preset 0.25 0.5 1 2 4 'ratio to d=1 (goal d)'
for p in $presets; do
    row=""
    for d in 0.25 0.5 1 2 4; do
        n=0
        s=1
        while [ "$s" -le "$seeds" ]; do
            "$bin" render --preset "presets/$p.yaml" --minutes "$minutes" --density "$d" --seed "$s" \
                --no-reverb --no-chorus -q -o "$tmp/r.wav"
            k=$("$bin" info "$tmp/r.mid" | awk '/^  part 0:/ { print $(NF-1) }')
            n=$((n + k))
            s=$((s + 1))
        done
        row="$row $n"
    done
    echo "$p $row" | awk '{ printf "%-26s %7d %7d %7d %7d %7d   %.2f %.2f 1 %.2f %.2f\n", $1, $2, $3, $4, $5, $6,
        $2 / ($4 ? $4 : 1), $3 / ($4 ? $4 : 1), $5 / ($4 ? $4 : 1), $6 / ($4 ? $4 : 1) }'
done
