#!/bin/sh
# The ambient preset over a long render (issue 7's ambient bar, shortened to
# 10 minutes of music so make test stays short; LJ_AMBIENT_MINUTES=30 for the
# full bar): no stuck notes, no silence over 8 s, distinct pitch 8-gram ratio
# over 0.5 (tools/longform_check.py). Skipped (77) without python3 + numpy.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
"$PY" -c "import numpy" 2>/dev/null || { echo "SKIP: python3 with numpy"; exit 77; }
minutes=${LJ_AMBIENT_MINUTES:-10}
cd "$LJ_SOURCE_DIR" || exit 1
check "render --preset ambient, $minutes min" 0 '' -- "$BIN" render --preset ambient --minutes "$minutes" --seed 1 -o "$tmp/ambient.wav" -q
check "ambient: stuck notes, silences, loops" 0 'pass' -- "$PY" tools/longform_check.py "$tmp/ambient.mid" --max-silence 8 --min-distinct 0.5
cat "$tmp/out"
exit $fail
