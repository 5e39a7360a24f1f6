#!/bin/sh
# lstmjam info/convert on kern input. Corrupt files: exit 2, a message naming the
# file and line:column, and no output file left behind. A good file converts;
# the Essen corpus files, when present, too.
set -u
. "${LJ_SOURCE_DIR:?}/tests/cli_lib.sh"

printf '**kern\n*M2/4\n4c\n4d\n=1\n2e\n==\n*-\n' >"$tmp/good.krn"
printf '**kern\n*M2/4\n4c\n4q%%\n*-\n' >"$tmp/badtoken.krn"
printf '**kern\n*M2/4\n4c\n4d\n=1\n' >"$tmp/truncated.krn"
printf '**kern\t**kern\n4c\t4d\n*-\t*-\n' >"$tmp/twospines.krn"
printf '**kern\n99999999c\n*-\n' >"$tmp/huge.krn"
head -c 300 /dev/urandom >"$tmp/garbage.krn"

check good-info 0 "notes 3" -- "$BIN" info "$tmp/good.krn"
check good-notes 0 " 64 " -- "$BIN" info --notes "$tmp/good.krn"
check good-convert 0 "3 notes" -- "$BIN" convert "$tmp/good.krn" "$tmp/good.mid"
[ -s "$tmp/good.mid" ] || { echo "FAIL good-convert: no good.mid"; fail=1; }

check bad-token 2 "badtoken.krn:4:3: expected a kern signifier" -- "$BIN" convert "$tmp/badtoken.krn" "$tmp/out.mid"
no_output bad-token "$tmp/out.mid"
check truncated 2 "truncated.krn:5: expected \*- (end of the spine), found end of file" -- "$BIN" convert "$tmp/truncated.krn" "$tmp/out.mid"
no_output truncated "$tmp/out.mid"
check two-spines 2 "twospines.krn:1:7: expected one \*\*kern spine, found 2 spines" -- "$BIN" convert "$tmp/twospines.krn" "$tmp/out.mid"
no_output two-spines "$tmp/out.mid"
check huge-duration 2 "huge.krn:2:1: expected a duration on the 480-PPQ grid" -- "$BIN" convert "$tmp/huge.krn" "$tmp/out.mid"
no_output huge-duration "$tmp/out.mid"
check garbage 2 "garbage.krn:" -- "$BIN" info "$tmp/garbage.krn"
check garbage-convert 2 "garbage.krn:" -- "$BIN" convert "$tmp/garbage.krn" "$tmp/out.mid"
no_output garbage "$tmp/out.mid"

essen=${LJ_CORPORA:-}/essen-deutschl
if [ -d "$essen" ]; then
    check essen-info 0 "Die hoechste Freud" -- "$BIN" info -q "$essen/altdeu1/deut3939.krn"
    check essen-convert 0 "57 notes" -- "$BIN" convert "$essen/altdeu1/deut3939.krn" "$tmp/e.mid"
    check essen-warn 0 "bar check" -- "$BIN" info "$essen/altdeu1/deut3939.krn"
fi
exit $fail
