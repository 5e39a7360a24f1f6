#!/bin/sh
# `lstmjam render` on good and bad input. Good input: exit 0, WAV (RIFF/WAVE) or FLAC (fLaC) plus the
# MIDI beside it, the SoundFont named on stdout (and the file a linked one
# points at). Bad input: exit 2 (usage, bad
# score, a missing input file, missing or invalid SoundFont) or 1 (I/O), a message naming the culprit,
# and nothing left in the output folder. Skipped (77) without a SoundFont.
set -u
data=${LJ_TEST_DATA:?}
render() { "${LJ_BIN:?}" render "$@"; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL $*"; fail=1; }

mkdir "$tmp/out"
# Good: a MIDI file.
if ! render --score "$data/midi/good.mid" -o "$tmp/out/good.wav" --no-reverb >"$tmp/stdout" 2>"$tmp/stderr"; then
    if grep -q "no SoundFont found" "$tmp/stderr"; then echo "SKIP: $(cat "$tmp/stderr")"; exit 77; fi
    bad "good.mid: exit $?"; cat "$tmp/stderr"
else
    cat "$tmp/stdout"
    grep -q "^SoundFont: /" "$tmp/stdout" || bad "good.mid: stdout does not name the SoundFont"
    [ "$(head -c 4 "$tmp/out/good.wav")" = RIFF ] || bad "good.wav is not RIFF"
    [ "$(head -c 12 "$tmp/out/good.wav" | tail -c 4)" = WAVE ] || bad "good.wav is not WAVE"
    [ "$(head -c 4 "$tmp/out/good.mid")" = MThd ] || bad "good.mid (beside the WAV) is not MIDI"
    [ "$(ls -A "$tmp/out" | tr '\n' ' ')" = "good.mid good.wav " ] || bad "unexpected files: $(ls -A "$tmp/out")"
fi
rm -f "$tmp/out"/*

# A SoundFont given as a symbolic link (Debian's default-GM.sf2 is one): the
# banner names the font it points at too.
ln -s "$LJ_SOURCE_DIR/soundfonts/lstmjam-basic.sf2" "$tmp/link.sf2"
if render --score "$data/midi/good.mid" -o "$tmp/out/link.wav" --soundfont "$tmp/link.sf2" >"$tmp/stdout" 2>"$tmp/stderr"; then
    grep -q "^SoundFont: $tmp/link.sf2 (-> /.*/soundfonts/lstmjam-basic.sf2)$" "$tmp/stdout" \
        || bad "a linked SoundFont: the banner does not name its target: $(head -n 1 "$tmp/stdout")"
else
    bad "render with a linked SoundFont failed"; cat "$tmp/stderr"
fi
rm -f "$tmp/out"/* "$tmp/link.sf2"

# Good: tune 2 of an ABC book, FLAC by extension, odd period, quiet.
if ! render --score "$data/audio/two-tunes.abc" --tune 2 -o "$tmp/out/two.flac" --period 100 \
        --rate 44100 --gain 0.3 --no-chorus -q >"$tmp/stdout" 2>"$tmp/stderr"; then
    bad "two-tunes.abc --tune 2: failed"; cat "$tmp/stderr"
else
    [ "$(head -c 4 "$tmp/out/two.flac")" = fLaC ] || bad "two.flac is not FLAC"
    [ -s "$tmp/stdout" ] && bad "-q printed: $(cat "$tmp/stdout")"
    [ -e "$tmp/out/two.mid" ] || bad "two.mid missing"
fi
rm -f "$tmp/out"/*

# Good: Ogg Vorbis by extension (the README's small examples).
if ! render --score "$data/audio/two-tunes.abc" --tune 2 -o "$tmp/out/two.ogg" -q 2>"$tmp/stderr"; then
    bad "two.ogg: failed"; cat "$tmp/stderr"
else
    [ "$(head -c 4 "$tmp/out/two.ogg")" = OggS ] && grep -q vorbis "$tmp/out/two.ogg" || bad "two.ogg is not Ogg Vorbis"
fi
rm -f "$tmp/out"/*

# expect CODE PATTERN ARGS...: the exit code, a message matching PATTERN, and an
# empty output folder.
expect() {
    code=$1 pattern=$2
    shift 2
    render "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    if [ "$rc" != "$code" ]; then
        bad "$*: exit $rc, expected $code"; cat "$tmp/stderr"
    elif ! grep -q -- "$pattern" "$tmp/stderr"; then
        bad "$*: message lacks '$pattern':"; cat "$tmp/stderr"
    elif [ -n "$(ls -A "$tmp/out")" ]; then
        bad "$*: left behind: $(ls -A "$tmp/out")"
    else
        echo "ok   exit $rc: $(head -n 1 "$tmp/stderr")"
    fi
    rm -rf "$tmp/out"/*
}
out=$tmp/out/x.wav
good=$data/midi/good.mid
expect 2 "/nonexistent/none.sf2: cannot read" --score "$good" -o "$out" --soundfont /nonexistent/none.sf2
expect 2 "cannot load" --score "$good" -o "$out" --soundfont "$good"
expect 2 "truncated.mid: byte [0-9]*: expected" --score "$data/midi/truncated.mid" -o "$out"
expect 2 "garbage.mid" --score "$data/midi/garbage.mid" -o "$out"
expect 2 "no-such-file.mid" --score "$tmp/no-such-file.mid" -o "$out"
expect 2 "pick one with --tune" --score "$data/audio/two-tunes.abc" -o "$out"
expect 2 "no tune 7" --score "$data/audio/two-tunes.abc" --tune 7 -o "$out"
expect 2 "expected a .wav, .flac or .ogg" --score "$good" -o "$tmp/out/x.mp3"
[ -s "$tmp/stdout" ] && bad "x.mp3: a banner before the usage error: $(head -n 1 "$tmp/stdout")"
expect 2 "FLAC holds integer" --score "$good" -o "$tmp/out/x.flac" --float
expect 2 "no-such-folder/x.wav: cannot create (its folder does not exist)" --score "$good" -o "$tmp/out/no-such-folder/x.wav"
expect 2 "needs -o" --score "$good"
expect 2 "needs --score" -o "$out"
expect 2 "unknown option '--bogus'" --score "$good" -o "$out" --bogus
expect 2 "rate" --score "$good" -o "$out" --rate 1000
expect 2 "period" --score "$good" -o "$out" --period 0
expect 2 "gain" --score "$good" -o "$out" --gain loud
expect 2 "--tail needs a value" --score "$good" -o "$out" --tail
expect 2 "unexpected argument" "$good" -o "$out"
# a folder as the model: said so, exit 2 (was "read error", exit 1)
expect 2 "$tmp/out: is a folder (expected a model file)" --model "$tmp/out" --minutes 0.01 -o "$out"
# re-seeding more often than once a second: refused (0.001 gave 134 re-seeds a minute)
expect 2 "reseed: expected 0 (never) or 1..86400 seconds, found '0.001'" --model "$LJ_SOURCE_DIR/model/pretrained/essen-timestep.lstm" \
    --minutes 0.01 --reseed 0.001 -o "$out"
exit $fail
