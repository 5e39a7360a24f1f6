#!/bin/sh
# CLI on bad ABC: `lstmjam convert bad.abc out.mid` exits 2, names file:line:col,
# and leaves no output file (nor a temp file) behind. A good file converts.
set -u
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

printf 'X:1\nT:bad\nM:4/4\nK:G\nABcd|ef#g|\n' > "$tmp/bad.abc"
"$LJ_BIN" convert "$tmp/bad.abc" "$tmp/out.mid" 2> "$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "exit $rc for a corrupt .abc (want 2)"
grep -q 'bad.abc:5:8: expected a note, rest, bar line or chord, found' "$tmp/err" ||
    fail "message without file:line:col: $(cat "$tmp/err")"
[ "$(ls "$tmp")" = "$(printf 'bad.abc\nerr')" ] || fail "files left behind: $(ls "$tmp")"

printf 'X:1\nK:C\nA99999999/99999999|\n' > "$tmp/huge.abc"
"$LJ_BIN" convert "$tmp/huge.abc" "$tmp/out.mid" 2> "$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "exit $rc for a huge length (want 2)"
grep -q 'huge.abc:3:2:' "$tmp/err" || fail "message: $(cat "$tmp/err")"
[ ! -e "$tmp/out.mid" ] || fail "out.mid left behind"

printf 'X:1\nK:C\n"Am\n' > "$tmp/trunc.abc"
"$LJ_BIN" convert "$tmp/trunc.abc" "$tmp/out.mid" 2> "$tmp/err"
[ $? -eq 2 ] || fail "truncated chord symbol accepted"
grep -q 'trunc.abc:3:' "$tmp/err" || fail "message: $(cat "$tmp/err")"
[ ! -e "$tmp/out.mid" ] || fail "out.mid left behind"

printf 'X:1\nT:good\nK:D\n|:ABcd:|\n' > "$tmp/good.abc"
"$LJ_BIN" convert "$tmp/good.abc" "$tmp/out.mid" || fail "good file did not convert"
[ -s "$tmp/out.mid" ] || fail "no output for a good file"
echo "PASS"
