#!/bin/sh
# `make run`: the main job as far as it exists today. Reads the demo tune book,
# summarises the first tune and converts the book to MIDI in out/.
# (Later issues replace this with playing the default preset.)
set -eu
BIN=${1:-build/lstmjam}
SRC=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$SRC/out"
"$BIN" info "$SRC/presets/tunes/demo.abc" --tune 1
"$BIN" convert "$SRC/presets/tunes/demo.abc" "$SRC/out/demo.mid" --tune 1
"$BIN" convert "$SRC/presets/tunes/demo.abc" "$SRC/out/demo-book"
echo
echo "lstmjam: wrote $SRC/out/demo.mid (tune 1) and $SRC/out/demo-book/ (every tune)."
echo "lstmjam: real-time playing arrives with the engine; see README.md for what works now."
