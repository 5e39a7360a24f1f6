#!/bin/sh
# `lstmjam play` and `lstmjam devices` without a sound device: bad usage exits 2
# with a message; an audio device that does not exist gives a clear message
# (exit 2 when others exist, exit 1 and the suggestion to render when there
# are none); devices lists its three sections and exits 0 even with nothing
# found; a MIDI input that does not exist is named. No JACK server is used
# (JACK_DEFAULT_SERVER points at none).
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
export JACK_DEFAULT_SERVER="lstmjam_none_$$"
"${LJ_MAKE_MODEL:?}" "$tmp/ev.lstm" 32 7 || { echo "FAIL cannot make the test model"; exit 1; }
check "no model" 2 "needs --model" -- "$BIN" play
check "bad mode" 2 "expected auto, continue, respond, steer or accompany" -- "$BIN" play --model "$tmp/ev.lstm" --mode jam
check "bad temperature" 2 "temperature: expected" -- "$BIN" play --model "$tmp/ev.lstm" --temperature 9
check "bad thru channel" 2 "thru-channel" -- "$BIN" play --model "$tmp/ev.lstm" --thru-channel 17
printf 'nope' > "$tmp/bad.lstm"
check "bad model file" 2 "bad.lstm" -- "$BIN" play --model "$tmp/bad.lstm"
"$BIN" play --model "$tmp/ev.lstm" --device no_such_device_xyz --seconds 1 >"$tmp/o" 2>"$tmp/e"
rc=$?
cat "$tmp/o" "$tmp/e"
case $rc in
2) grep -q "no output device matches" "$tmp/e" && echo "ok   unknown device named" || { echo "FAIL message"; fail=1; } ;;
1) grep -q "no audio device" "$tmp/e" && grep -q "lstmjam render --model" "$tmp/e" \
       && echo "ok   no device: render suggested" || { echo "FAIL message"; fail=1; } ;;
*) echo "FAIL exit $rc"; fail=1 ;;
esac
check "devices" 0 "MIDI devices (PortMidi)" -- "$BIN" devices
grep -q "^audio outputs (PortAudio):" "$tmp/out" && grep -q "^JACK: no server running" "$tmp/out" \
    && echo "ok   devices sections" || { echo "FAIL devices output"; cat "$tmp/out"; fail=1; }
check "devices extra argument" 2 "unexpected argument" -- "$BIN" devices foo
exit $fail
