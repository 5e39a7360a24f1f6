# Shared helpers for the CLI test scripts (sourced: `. "$LJ_SOURCE_DIR/tests/cli_lib.sh"`).
# Sets BIN, a temp folder $tmp removed on exit, and fail=0; then:
#   check NAME EXPECTED_EXIT PATTERN -- command...   run, compare exit code, grep output
#   no_output NAME PATH                               PATH and temp files must not exist
#   now_ms                                            the wall clock in milliseconds
BIN=${LJ_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {
    name=$1 want=$2 pat=$3
    shift 4
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: exit $got, expected $want"; cat "$tmp/out" "$tmp/err"; fail=1; return
    fi
    if [ -n "$pat" ] && ! grep -q -- "$pat" "$tmp/out" "$tmp/err"; then
        echo "FAIL $name: output lacks '$pat'"; cat "$tmp/out" "$tmp/err"; fail=1; return
    fi
    echo "ok   $name"
}
no_output() {
    if [ -e "$2" ]; then echo "FAIL $1: $2 was left behind"; fail=1; else echo "ok   $1: no output"; fi
    if ls "$tmp"/out.mid.* "$tmp"/.out* >/dev/null 2>&1; then echo "FAIL $1: temp file left"; fail=1; fi
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
