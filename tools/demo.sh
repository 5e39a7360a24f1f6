#!/bin/sh
# `make run`: the main job as far as it exists today. Reads the demo tune book,
# summarises it, and renders its first tune through the instrument's audio path
# (event queue -> scheduler -> FluidSynth) to out/demo.wav with out/demo.mid
# beside it. (With shipped models (issue 7) this plays the default preset live
# when there is an audio device, and renders the model's music otherwise.)
set -eu
BIN=${1:-build/lstmjam}
SRC=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$SRC/out"
"$BIN" info "$SRC/presets/tunes/demo.abc" --tune 1
echo
"$BIN" render --score "$SRC/presets/tunes/demo.abc" --tune 1 -o "$SRC/out/demo.wav"
echo
echo "lstmjam: listen to $SRC/out/demo.wav (the score is in $SRC/out/demo.mid)."
echo "lstmjam: no trained model ships yet; to play live, train one (lstmjam train"
echo "lstmjam: presets/train/nottingham-event-small.yaml) and run lstmjam play --model runs/nottingham-event-small/model.lstm"
