#!/bin/sh
# play_thru.sh: MIDI-thru latency of `lstmjam play` (a note played on the
# keyboard to its sound at the audio output) next to FluidSynth's own
# command-line synth doing the same job as a JACK client, on one headless JACK
# server (jackd -d dummy, 48 kHz, period 128 unless PERIOD says otherwise),
# measured by the same probe on JACK's clock (tests/jack_latency.c: a note-on
# at the start of a cycle, the onset found in the synth's audio in the same
# process callback; a note a second). Both use the project's SoundFont (its
# notes start at once), no reverb or chorus. lstmjam runs in continue mode with
# a 30 s phrase gap, so the model stays silent and only the player's notes
# sound.
#
#   bench/play_thru.sh BUILD [NOTES=30] [PERIOD=128]
#
# Prints each side's latencies and one table (frames and ms: median, 90th
# percentile, worst). Exit 0 when both sides were measured (the numbers are
# the result, not a verdict); 77 without jackd or fluidsynth.
set -u
BUILD=${1:-build}
NOTES=${2:-30}
PERIOD=${3:-128}
SRC=$(cd "$(dirname "$0")/.." && pwd)
PROBE=$BUILD/tests/jack_latency
SF=$SRC/soundfonts/lstmjam-basic.sf2
MODEL=$SRC/model/pretrained/nottingham-event.lstm
for t in jackd jack_lsp fluidsynth; do
    command -v $t >/dev/null || { echo "play_thru: $t not installed: skipped"; exit 77; }
done
[ -x "$PROBE" ] || { echo "play_thru: $PROBE not built: skipped"; exit 77; }
export JACK_PERIOD=$PERIOD
tmp=$(mktemp -d)
play_pid= fs_pid=
trap 'kill $play_pid $fs_pid $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
. "$SRC/tests/jack_lib.sh"
jack_dummy_start lstmjam_thru 20
secs=$((NOTES + 15))
echo "== MIDI thru latency, $NOTES notes each, jackd -d dummy 48000 Hz period $PERIOD; load: $(uptime | sed 's/.*load average: //') =="

# lstmjam: the player's notes on the thru channel
"$BUILD/lstmjam" play --model "$MODEL" --mode continue --gap 30 --no-reverb --no-chorus --seconds "$secs" \
    --period "$PERIOD" --soundfont "$SF" --seed 1 --midi-in jack >"$tmp/play.out" 2>"$tmp/play.err" &
play_pid=$!
for i in $(seq 1 100); do grep -q "^MIDI in: JACK" "$tmp/play.out" 2>/dev/null && break; sleep 0.1; done
"$PROBE" lstmjam:out_0 lstmjam-midi:midi_in "$NOTES" 100000 >"$tmp/lstmjam.txt" 2>&1
kill -TERM $play_pid 2>/dev/null; wait $play_pid 2>/dev/null; play_pid=

# the peer: FluidSynth 2 as a JACK client, MIDI in and audio out on JACK (its
# shell reads a pipe that stays open, so it runs until killed)
sleep "$secs" | fluidsynth -a jack -m jack -r 48000 -R 0 -C 0 -z "$PERIOD" -o midi.jack.id=fsynth_thru "$SF" \
    >"$tmp/fs.log" 2>&1 &
fs_pid=$!
for i in $(seq 1 100); do jack_lsp 2>/dev/null | grep -q "^fsynth_thru:left" && break; sleep 0.1; done
"$PROBE" fsynth_thru:left fsynth_thru:midi_00 "$NOTES" 100000 >"$tmp/fluidsynth.txt" 2>&1
pkill -P $fs_pid 2>/dev/null; kill $fs_pid 2>/dev/null; pkill -f "midi.jack.id=fsynth_thru" 2>/dev/null
wait $fs_pid 2>/dev/null; fs_pid=

cat "$tmp/lstmjam.txt" "$tmp/fluidsynth.txt"
/usr/bin/python3 - "$tmp/lstmjam.txt" "$tmp/fluidsynth.txt" "$PERIOD" <<'PY'
import re, sys
period = int(sys.argv[3])
print()
print("| synth (same probe, same server) | notes found | median | 90th percentile | worst |")
print("|---|---:|---:|---:|---:|")
ok = True
for name, path in (("lstmjam play (thru channel)", sys.argv[1]), ("fluidsynth -a jack -m jack", sys.argv[2])):
    text = open(path).read()
    # jack_latency marks notes measured while the server reported an xrun
    # with "(xrun)"; they count here like the others (the worst column shows them)
    m = re.search(r"period \d+\):([-\d (xrun)]+);", text)
    if not m:
        print(f"| {name} | not measured: {text.strip()[:80]} | | | |"); ok = False; continue
    lat = [int(x) for x in m.group(1).replace("(xrun)", " ").split()]
    found = sorted(x for x in lat if x >= 0)
    if not found:
        print(f"| {name} | 0 of {len(lat)} | | | |"); ok = False; continue
    ms = lambda f: f"{f} frames ({f / 48:.2f} ms)"
    med = found[(len(found) - 1) // 2]
    p90 = found[min(len(found) - 1, int(0.9 * len(found)))]
    print(f"| {name} | {len(found)} of {len(lat)} | {ms(med)} | {ms(p90)} | {ms(found[-1])} |")
print()
print(f"(one period is {period} frames; the issue's limit for the player's notes is one period + 64 = {period + 64})")
sys.exit(0 if ok else 1)
PY
