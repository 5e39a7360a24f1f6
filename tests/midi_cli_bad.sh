#!/bin/sh
# The CLI on MIDI input. Bad files (tests/data/midi): `lstmjam convert BAD out.mid`
# exits 2, names the file and the byte offset, and leaves no out.mid (nor a temp
# file) behind. A good file converts (exit 0), `lstmjam info` prints it, and the
# converted file lists the same notes as the original (`info --notes`).
set -u
BIN=${LJ_BIN:?}
data=${LJ_TEST_DATA:?}/midi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL $*"; fail=1; }

for name in truncated.mid lying-length.mid short-length.mid no-eot.mid bad-vlq.mid \
            format2.mid smpte.mid garbage.mid empty.mid huge-tracks.mid; do
    mkdir "$tmp/w" || exit 1
    cp "$data/$name" "$tmp/w/$name" || exit 1
    "$BIN" convert "$tmp/w/$name" "$tmp/w/out.mid" >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    if [ "$rc" != 2 ]; then
        bad "$name: exit $rc, expected 2"; cat "$tmp/stderr"
    elif ! grep -q "$name: byte [0-9]*: expected" "$tmp/stderr"; then
        bad "$name: message lacks '$name: byte N: expected':"; cat "$tmp/stderr"
    elif [ -e "$tmp/w/out.mid" ]; then
        bad "$name: out.mid was left behind"
    elif [ "$(ls -A "$tmp/w")" != "$name" ]; then
        bad "$name: files left behind: $(ls -A "$tmp/w")"
    else
        echo "ok   $name: $(cat "$tmp/stderr")"
    fi
    rm -rf "$tmp/w"
done

# A good file: convert, info, same notes after conversion.
good=$data/good.mid
if ! "$BIN" convert "$good" "$tmp/good-out.mid" >"$tmp/stdout" 2>"$tmp/stderr"; then
    bad "good.mid: convert failed"; cat "$tmp/stderr"
elif ! "$BIN" info "$tmp/good-out.mid" >"$tmp/info" 2>"$tmp/stderr"; then
    bad "good.mid: info on the converted file failed"; cat "$tmp/stderr"
elif ! grep -q "Good Tune" "$tmp/info" || ! grep -q "notes 11," "$tmp/info" \
     || ! grep -q "part 1: chords" "$tmp/info"; then
    bad "good.mid: info lacks title, note count or parts:"; cat "$tmp/info"
else
    "$BIN" info --notes "$good" | sed 1d >"$tmp/notes-in"
    "$BIN" info --notes "$tmp/good-out.mid" | sed 1d >"$tmp/notes-out"
    if cmp -s "$tmp/notes-in" "$tmp/notes-out"; then
        echo "ok   good.mid: converted, info and notes agree"
    else
        bad "good.mid: notes differ after convert"; diff "$tmp/notes-in" "$tmp/notes-out" | head
    fi
fi
exit $fail
