#!/bin/sh
# The ambient preset over a long render (issue 7's ambient bar, shortened to
# 10 minutes of music so make test stays short; LJ_AMBIENT_MINUTES=30 for the
# full bar): no stuck notes, no silence longer than the preset's
# render.max_silence (8 s), distinct pitch 8-gram ratio at least 0.7 (below
# 99.9% of as-long stretches of the model's corpus: tools/longform_check.py
# says how it was measured). Skipped (77) without python3 + numpy + yaml.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
"$PY" -c "import numpy, yaml" 2>/dev/null || { echo "SKIP: python3 with numpy and yaml"; exit 77; }
minutes=${LJ_AMBIENT_MINUTES:-10}
cd "$LJ_SOURCE_DIR" || exit 1
check "render --preset ambient, $minutes min" 0 '' -- "$BIN" render --preset ambient --minutes "$minutes" --seed 1 -o "$tmp/ambient.wav" -q
check "ambient: stuck notes, silences, loops" 0 'pass' -- "$PY" tools/longform_check.py "$tmp/ambient.mid" --preset presets/ambient.yaml --min-distinct 0.7
cat "$tmp/out"
exit $fail
