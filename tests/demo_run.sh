#!/bin/sh
# tools/demo.sh, what `make run` runs after the build: (1) its render path
# (LJ_RENDER=1, as on a machine without an audio device) writes the 30 s WAV
# and MIDI of the default preset and says where they are; (2) its play path,
# with a stand-in for lstmjam that plays until SIGINT and exits 0 as play
# does: Ctrl-C (SIGINT to the whole process group) must leave the script
# alive to print where the session is, and exit 0.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
demo="$LJ_SOURCE_DIR/tools/demo.sh"

check "demo.sh render path" 0 "listen to $tmp/r/demo.wav" -- env LJ_RENDER=1 LJ_OUT="$tmp/r" sh "$demo" "$BIN"
for f in demo.wav demo.mid; do
    if [ -s "$tmp/r/$f" ]; then echo "ok   $f written"; else echo "FAIL $f missing or empty"; fail=1; fi
done
# About 30 s of audio: a 16-bit stereo 48 kHz WAV of 25..40 s.
bytes=$(wc -c < "$tmp/r/demo.wav")
if [ "$bytes" -gt $((25 * 192000)) ] && [ "$bytes" -lt $((40 * 192000)) ]; then
    echo "ok   demo.wav is $bytes bytes"
else
    echo "FAIL demo.wav is $bytes bytes, expected 25..40 s of 48 kHz stereo"; fail=1
fi

# The stand-in: lists the preset, one audio output, and plays until SIGINT.
cat > "$tmp/fakejam" <<'FAKE'
#!/bin/sh
case "$1" in
presets) echo "  ambient              auto      essen-timestep.lstm        Warm Pad             x" ;;
devices) printf 'audio outputs (PortAudio):\n   0  fake  [default]\nMIDI devices (PortMidi):\n' ;;
play) trap 'echo "played: stopped"; exit 0' INT; echo playing; while :; do sleep 0.05; done ;;
esac
FAKE
chmod +x "$tmp/fakejam"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
if ! command -v "$PY" >/dev/null 2>&1; then echo "SKIP: Ctrl-C part needs python3"; exit $fail; fi
# A shell's background job ignores SIGINT, so python starts the script in its
# own process group with SIGINT at its default, as a terminal would.
check "demo.sh play path, Ctrl-C" 0 "what was played is in $tmp/p/session.mid" -- "$PY" -c '
import os, signal, subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], start_new_session=True,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
time.sleep(1.0)
os.killpg(p.pid, signal.SIGINT)
sys.exit(p.wait(timeout=20))
' env LJ_OUT="$tmp/p" sh "$demo" "$tmp/fakejam"
grep -q "played: stopped" "$tmp/out" || { echo "FAIL the stand-in did not see SIGINT"; cat "$tmp/out"; fail=1; }
exit $fail
