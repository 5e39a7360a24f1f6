#!/bin/sh
# `make run`: the main job as far as it exists today. Reads the demo tune book,
# summarises it, and renders its first tune through the instrument's audio path
# (event queue -> scheduler -> FluidSynth) to out/demo.wav with out/demo.mid
# beside it. (Later issues make this play the default preset live when there is
# an audio device, and generate the music with a shipped model.)
set -eu
BIN=${1:-build/lstmjam}
SRC=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$SRC/out"
"$BIN" info "$SRC/presets/tunes/demo.abc" --tune 1
echo
"$BIN" render --score "$SRC/presets/tunes/demo.abc" --tune 1 -o "$SRC/out/demo.wav"
echo
echo "lstmjam: no live playing yet (the real-time engine is the next step):"
echo "lstmjam: listen to $SRC/out/demo.wav (the score is in $SRC/out/demo.mid)."
