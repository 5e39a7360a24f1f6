#!/bin/sh
# render_speed.sh: seconds of audio per second of wall time, lstmjam render
# next to the fluidsynth command line (its own MIDI player and file writer)
# on the same MIDI file, SoundFont, rate and effects, one core each.
#
#   bench/render_speed.sh BUILD [MINUTES=10]
#
# The MIDI is MINUTES of the ambient preset's music (rendered first, from the
# shipped essen-timestep model), so both sides render exactly the same notes.
set -eu
BUILD=${1:-build}
MINUTES=${2:-10}
SRC=$(cd "$(dirname "$0")/.." && pwd)
command -v fluidsynth >/dev/null || { echo "render_speed: fluidsynth (the command line) is not installed"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BUILD/lstmjam" render --preset ambient --minutes "$MINUTES" --seed 1 -o "$tmp/seed.wav" -q
sf=$SRC/soundfonts/lstmjam-basic.sf2
secs() { awk "BEGIN{printf \"%.2f\", $2 - $1}"; }
t0=$(date +%s.%N)
taskset -c 0 "$BUILD/lstmjam" render --score "$tmp/seed.mid" --soundfont "$sf" --rate 48000 --no-reverb --no-chorus \
    --tail 0 -o "$tmp/lj.wav" -q
t1=$(date +%s.%N)
taskset -c 0 fluidsynth -ni -q -g 0.2 -r 48000 -R 0 -C 0 -F "$tmp/fs.wav" "$sf" "$tmp/seed.mid" >/dev/null 2>&1
t2=$(date +%s.%N)
audio=$(awk "BEGIN{print $MINUTES * 60}")
lj=$(secs "$t0" "$t1"); fs=$(secs "$t1" "$t2")
echo "rendering $MINUTES min of the ambient preset's MIDI (lstmjam-basic.sf2, 48 kHz, no reverb/chorus, one core):"
echo "  lstmjam render --score: $lj s = $(awk "BEGIN{printf \"%.1f\", $audio / $lj}")x real time"
echo "  fluidsynth -F:          $fs s = $(awk "BEGIN{printf \"%.1f\", $audio / $fs}")x real time"
echo "  lstmjam / fluidsynth speed: $(awk "BEGIN{printf \"%.2f\", $fs / $lj}")x (goal >= 0.9x)"
