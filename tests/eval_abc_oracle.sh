#!/bin/sh
# lstmjam eval --abc with abc2midi (skipped without it): on
# tests/data/eval_abc/acceptance.abc abc2midi accepts tunes 1, 4 and 5 and
# rejects 2 (Chord already finished, a MIDI file still written) and 3 (no
# key, no MIDI file); lstmjam's reader reads 1, 2 and 5.
. "${LJ_SOURCE_DIR:?}/tests/cli_lib.sh"
command -v abc2midi >/dev/null || { echo "skip: abc2midi not installed (apt-get install abcmidi)"; exit 77; }
A=$LJ_SOURCE_DIR/tests/data/eval_abc/acceptance.abc
check "text" 0 "abc2midi accepted 3 of 5 tunes (60.0%) with no error, 0 of them with warnings; 1 rejected without a MIDI file" -- \
    "$BIN" eval --abc "$A"
check "json" 0 "" -- "$BIN" eval --abc "$A" --json
/usr/bin/python3 - "$tmp/out" <<'PY' && echo "ok   json verdicts per tune" || { echo "FAIL: json verdicts"; fail=1; }
import json, sys
o = json.load(open(sys.argv[1]))
a = o["abc2midi"]
assert a["accepted"] == 3 and abs(a["share"] - 0.6) < 1e-12 and a["rejected_without_midi"] == 1, a
bad = {t["x"]: t for t in o["rejected"]}
assert sorted(bad) == ["2", "3", "4"], bad
assert "Chord already finished" in bad["2"]["abc2midi"] and bad["2"]["lstmjam"] is None, bad
assert bad["3"]["abc2midi"].startswith("Error") and bad["3"]["lstmjam"], bad
assert bad["4"]["abc2midi"] is None and bad["4"]["lstmjam"], bad
PY
exit $fail
