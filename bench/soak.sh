#!/bin/bash
# soak.sh: long renders of the shipped models through the real engine and
# audio callback (lstmjam render --model), each checked as a listener would:
# no stuck notes, no long silence, no loops (tools/longform_check.py), plus
# what the engine and the audio callback measured and the render speed.
#
#   bench/soak.sh BUILD [MINUTES=30] [MODEL...]
#
# Default models: every model/pretrained/*.lstm the engine plays.
set -u
BUILD=${1:-build}
MINUTES=${2:-30}
shift 2 2>/dev/null || shift $#
SRC=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || set -- "$SRC"/model/pretrained/*.lstm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for m in "$@"; do
    name=$(basename "$m" .lstm)
    echo "== $name: $MINUTES min of music (render --model, seed 1, repetition penalty as the defaults) =="
    # wall, user and system seconds of the render (bash's time): on a busy
    # machine the CPU seconds show the speed the wall clock hides
    TIMEFORMAT='%R %U %S'
    if ! { time "$BUILD/lstmjam" render --model "$m" --minutes "$MINUTES" -o "$tmp/$name.flac" \
            >"$tmp/$name.log" 2>&1; } 2>"$tmp/$name.time"; then
        echo "render failed:"; cat "$tmp/$name.log"; status=1; continue
    fi
    tr '\r' '\n' <"$tmp/$name.log" | grep -E "^(model:|engine:|audio callback:|.*s of audio in)" | sed 's#^.*/##'
    read -r wall user sys <"$tmp/$name.time"
    echo "render: $MINUTES min in $(awk "BEGIN{printf \"%.1f s, %.1fx real time; CPU %.1f s, %.1fx real time per CPU second\", \
        $wall, $MINUTES * 60 / $wall, $user + $sys, $MINUTES * 60 / ($user + $sys)}")"
    /usr/bin/python3 "$SRC/tools/longform_check.py" "$tmp/$name.mid" || status=1
done
exit $status
