#!/bin/sh
# The CLI's contract, independent of any reader: help and version exit 0, usage
# errors exit 2 with a message, unknown file types exit 2, missing files exit 2 (a path the user named),
# and no output file is ever left behind by a failed convert.
set -u
. "${LJ_SOURCE_DIR:?}/tests/cli_lib.sh"
check help 0 "convert" -- "$BIN" --help
check version 0 "lstmjam" -- "$BIN" --version
check no-args 2 "usage" -- "$BIN"
check unknown-command 2 "unknown command 'frobnicate'" -- "$BIN" frobnicate
check convert-help 0 "usage: lstmjam convert" -- "$BIN" convert --help
check info-help 0 "usage: lstmjam info" -- "$BIN" info --help
check convert-one-arg 2 "needs IN and OUT" -- "$BIN" convert x.abc
check unknown-option 2 "unknown option '--bogus'" -- "$BIN" info --bogus x.abc
check bad-tune 2 "--tune" -- "$BIN" info --tune abc x.abc
check bad-repeats 2 "--repeats" -- "$BIN" info --repeats sideways x.abc
echo "hello" >"$tmp/x.txt"
check unknown-type 2 "unknown file type" -- "$BIN" convert "$tmp/x.txt" "$tmp/o.mid"
check missing-file 2 "cannot open" -- "$BIN" info "$tmp/none.abc"
check missing-file-convert 2 "cannot open" -- "$BIN" convert "$tmp/none.mid" "$tmp/o.mid"
check missing-model-eval 2 "none.lstm: cannot open" -- "$BIN" eval --model "$tmp/none.lstm" --data "$tmp/none.yaml"
check missing-model-generate 2 "none.lstm: cannot open" -- "$BIN" generate --model "$tmp/none.lstm" -o "$tmp/g.mid"
if ls "$tmp" | grep -q '^o\.mid'; then echo "FAIL: output left behind"; fail=1; fi
[ $fail = 0 ] && echo "cli_basic: all passed"
exit $fail
