#!/bin/sh
# lstmjam eval --abc without abc2midi (--no-abc2midi, or a PATH without it):
# lstmjam's readers on tests/data/eval_abc/acceptance.abc (5 tunes, known
# verdicts: tunes 3 and 4 are errors for lstmjam's reader, tune 2 a warning),
# text and JSON, each tune on its own line numbers; a file without X: is one
# tune (which lstmjam's reader does not read: it needs the X: line);
# abc2midi missing is said; bad input exits 2.
. "${LJ_SOURCE_DIR:?}/tests/cli_lib.sh"
D=$LJ_SOURCE_DIR/tests/data/eval_abc
A=$D/acceptance.abc
check "text" 0 "lstmjam's reader read 3 of 5 tunes (60.0%) with no error, 1 of them with warnings" -- \
    "$BIN" eval --abc "$A" --no-abc2midi
grep -q "abc2midi: not run" "$tmp/out" && echo "ok   text: abc2midi not run" || { echo "FAIL: text: abc2midi run"; fail=1; }
grep -q "acceptance.abc:33:11: expected a non-zero divisor after '/', found '0'" "$tmp/out" &&
    echo "ok   text: tune 4's error at its own line" || { echo "FAIL: text: tune 4's error"; fail=1; }
check "json" 0 "" -- "$BIN" eval --abc "$A" --no-abc2midi --json
/usr/bin/python3 - "$tmp/out" <<'PY' && echo "ok   json counts" || { echo "FAIL: json counts"; fail=1; }
import json, sys
o = json.load(open(sys.argv[1]))
r = o["lstmjam_reader"]
assert o["tunes"] == 5 and o["files"] == 1, o
assert r["read"] == 3 and abs(r["share"] - 0.6) < 1e-12 and r["read_with_warnings"] == 1, r
assert o["abc2midi"] is None, o
bad = {t["x"]: t for t in o["rejected"]}
assert bad["3"]["lstmjam"].endswith("K: expected a key tonic A-G, 'none' or 'HP', found 'Q'"), bad
assert bad["4"]["line"] == 28 and bad["4"]["stream_errors"] >= 1, bad
assert all(t["lstmjam"] is None for x, t in bad.items() if x not in ("3", "4")), bad
PY
printf 'K:G\nGABc|\n' >"$tmp/nox.abc"
check "file without X: is one tune" 0 "read 0 of 1 tunes" -- "$BIN" eval --abc "$tmp/nox.abc" --no-abc2midi
check "two files, a folder" 0 "ABC acceptance of 6 tunes in 2 files" -- "$BIN" eval --abc "$A" "$tmp" --no-abc2midi
check "abc2midi not on PATH" 0 "abc2midi: not run (not found on PATH" -- env PATH=/nonexistent "$BIN" eval --abc "$A"
check "--abc2midi not there" 2 "--abc2midi: /nonexistent/abc2midi: not an executable file" -- \
    "$BIN" eval --abc "$A" --abc2midi /nonexistent/abc2midi
check "missing file" 2 "nope.abc" -- "$BIN" eval --abc "$tmp/nope.abc" --no-abc2midi
check "no tune" 2 "expected ABC tunes, found none in the 1 file given" -- "$BIN" eval --abc "$D/blank.abc" --no-abc2midi
check "no file" 2 "--abc needs ABC files or folders" -- "$BIN" eval --abc --json
check "unknown option" 2 "unknown option '--frob' with --abc" -- "$BIN" eval --abc "$A" --frob
check "--show" 2 "--show" -- "$BIN" eval --abc "$A" --show x
exit $fail
