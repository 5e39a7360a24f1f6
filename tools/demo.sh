#!/bin/sh
# `make run`: the first-run experience. Plays the default preset (ambient:
# the shipped Essen folk-song model, slowly, on a pad with reverb) on the
# audio device when there is one, until q or Ctrl-C; without an audio device
# (or when the device fails) it renders about 30 s of it to out/demo.wav with
# out/demo.mid beside it and says where they are. LJ_PRESET=NAME picks another
# preset (lstmjam presets lists them). If the preset cannot play here (its
# model is missing), it renders the demo tune book's first tune instead.
# LJ_RENDER=1 renders even where there is an audio device; LJ_OUT=DIR writes
# the files to DIR instead of out/ (the test, tests/demo_render.sh, uses both).
set -u
BIN=${1:-build/lstmjam}
SRC=$(cd "$(dirname "$0")/.." && pwd)
PRESET=${LJ_PRESET:-ambient}
cd "$SRC" || exit 1
OUT=${LJ_OUT:-$SRC/out}
mkdir -p "$OUT" || exit 1

"$BIN" presets || exit $?
echo
if "$BIN" presets | grep -q "^  $PRESET .*\[" || ! "$BIN" presets | grep -q "^  $PRESET "; then
    echo "lstmjam: preset '$PRESET' cannot play here (see above); rendering the demo tune instead"
    "$BIN" render --score presets/tunes/demo.abc --tune 1 -o "$OUT/demo.wav" || exit $?
    echo
    echo "lstmjam: listen to $OUT/demo.wav (the score is in $OUT/demo.mid)."
    exit 0
fi

# An audio output is listed with its index ("   0  name ..."): play live.
if [ "${LJ_RENDER:-0}" = 1 ]; then
    echo "lstmjam: LJ_RENDER=1: rendering 30 s of the '$PRESET' preset to a file"
elif "$BIN" devices 2>/dev/null | sed -n '/^audio outputs/,/^MIDI/p' | grep -q '^ *[0-9]'; then
    echo "lstmjam: playing the '$PRESET' preset live (q or Ctrl-C stops; lstmjam play --help for the keys)"
    # Ctrl-C reaches the whole foreground group: lstmjam stops cleanly on it
    # (exit 0), and this shell must outlive it to say where the session is.
    # A trap with a command (not '') is reset to the default in lstmjam, which
    # installs its own handler; make then exits quietly instead of printing
    # "*** [run] Interrupt" for a script killed by the signal.
    trap ':' INT
    "$BIN" play --preset "$PRESET" --record "$OUT/session.mid"
    rc=$?
    trap - INT
    # 0: stopped by q, Ctrl-C or the end; 1: the device failed (render instead); 2: bad input.
    if [ "$rc" -ne 1 ]; then
        [ "$rc" -eq 0 ] && echo "lstmjam: what was played is in $OUT/session.mid"
        exit "$rc"
    fi
    echo "lstmjam: the audio device failed; rendering to a file instead"
else
    echo "lstmjam: no audio output here; rendering 30 s of the '$PRESET' preset to a file instead"
fi
"$BIN" render --preset "$PRESET" --minutes 0.5 -o "$OUT/demo.wav" || exit $?
echo
echo "lstmjam: listen to $OUT/demo.wav (what was played, as MIDI: $OUT/demo.mid)."
echo "lstmjam: more presets: $BIN presets; play one: $BIN play --preset NAME"
