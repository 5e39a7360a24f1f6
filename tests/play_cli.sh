#!/bin/sh
# `lstmjam play` and `lstmjam devices` without a sound device: bad usage exits 2
# with a message; an audio device that does not exist gives a clear message
# (exit 2 when others exist, exit 1 and the suggestion to render when there
# are none); devices lists its three sections and exits 0 even with nothing
# found; a MIDI input that does not exist is named; MIDI outputs that cannot
# open (no ALSA sequencer, no JACK server) say so with exit 1. No JACK server is used
# (JACK_DEFAULT_SERVER points at none).
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
export JACK_DEFAULT_SERVER="lstmjam_none_$$"
"${LJ_MAKE_MODEL:?}" "$tmp/ev.lstm" 32 7 || { echo "FAIL cannot make the test model"; exit 1; }
check "no model" 2 "needs --model" -- "$BIN" play
check "bad mode" 2 "expected auto, continue, respond, steer or accompany" -- "$BIN" play --model "$tmp/ev.lstm" --mode jam
check "bad temperature" 2 "temperature: expected" -- "$BIN" play --model "$tmp/ev.lstm" --temperature 9
check "bad thru channel" 2 "thru-channel" -- "$BIN" play --model "$tmp/ev.lstm" --thru-channel 17
check "unknown option last" 2 "unknown option '--bogus'" -- "$BIN" play --model "$tmp/ev.lstm" --bogus
check "option without its value" 2 "--tempo needs a value" -- "$BIN" play --model "$tmp/ev.lstm" --tempo
check "bad midi-clock" 2 "midi-clock: expected in or out, found 'sideways'" -- \
    "$BIN" play --model "$tmp/ev.lstm" --midi-clock sideways
check "model and player on one channel" 2 "are both on channel 2: they would cut each other's notes off" -- \
    "$BIN" play --model "$tmp/ev.lstm" --midi-in jack --channel 2
printf 'nope' > "$tmp/bad.lstm"
check "bad model file" 2 "bad.lstm" -- "$BIN" play --model "$tmp/bad.lstm"
check "model is a folder" 2 "$tmp: is a folder (expected a model file)" -- "$BIN" play --model "$tmp"
# --top-p and --density, as render and presets have them: taken (the start
# goes on to the MIDI output, which has no JACK server here), and checked
check "--top-p and --density taken" 1 "no JACK server running" -- \
    "$BIN" play --model "$tmp/ev.lstm" --top-p 0.9 --density 2 --no-audio --midi-out jack --seconds 1
check "bad --top-p" 2 "top-p: expected a number 0.001..1, found '0'" -- "$BIN" play --model "$tmp/ev.lstm" --top-p 0
check "--density on an abc model" 2 "density 2: density does not apply to .*nottingham-abc.lstm (an abc model" -- \
    "$BIN" play --model "$LJ_SOURCE_DIR/model/pretrained/nottingham-abc.lstm" --density 2
check "bad --density" 2 "density: expected a number 0.25..4, found '5'" -- "$BIN" play --model "$tmp/ev.lstm" --density 5
check "--reseed under a second" 2 "reseed: expected 0 (never) or 1..86400 seconds, found '0.5'" -- \
    "$BIN" play --model "$tmp/ev.lstm" --reseed 0.5
"$BIN" play --model "$tmp/ev.lstm" --device no_such_device_xyz --seconds 1 >"$tmp/o" 2>"$tmp/e"
rc=$?
cat "$tmp/o" "$tmp/e"
case $rc in
2) grep -q "no output device matches" "$tmp/e" && echo "ok   unknown device named" || { echo "FAIL message"; fail=1; } ;;
1) grep -q "no audio device" "$tmp/e" && grep -q "lstmjam render --model" "$tmp/e" \
       && echo "ok   no device: render suggested" || { echo "FAIL message"; fail=1; } ;;
*) echo "FAIL exit $rc"; fail=1 ;;
esac
# --record into a folder that is not there: refused at the start, before any
# device (it was found only at the end, the session lost)
check "record path refused at the start" 2 "/nonexistent_dir/s.mid: cannot create (its folder does not exist)" -- \
    "$BIN" play --model "$tmp/ev.lstm" --record /nonexistent_dir/s.mid --seconds 1
check "no-audio without midi-out" 2 "no-audio needs --midi-out" -- "$BIN" play --model "$tmp/ev.lstm" --no-audio
check "midi-clock without midi-out" 2 "midi-clock out needs --midi-out" -- "$BIN" play --model "$tmp/ev.lstm" --midi-clock
check "midi-clock in without midi-in" 2 "midi-clock in needs --midi-in" -- "$BIN" play --model "$tmp/ev.lstm" --midi-clock in
# ALSA sequencer output: a virtual port where /dev/snd/seq exists (not tested
# here: reported skipped); without it, a clear message and exit 1.
if [ -e /dev/snd/seq ]; then
    echo "skipped: --midi-out alsa (this machine has /dev/snd/seq; the open-failure check needs none)"
else
    check "midi-out alsa without a sequencer" 1 "cannot open the ALSA sequencer" -- \
        "$BIN" play --model "$tmp/ev.lstm" --no-audio --midi-out alsa --seconds 1
    check "midi-out portmidi without a sequencer" 1 "PortMidi sees no MIDI output" -- \
        "$BIN" play --model "$tmp/ev.lstm" --no-audio --midi-out "Some Synth" --seconds 1
fi
check "midi-out jack without a server" 1 "no JACK server running" -- \
    "$BIN" play --model "$tmp/ev.lstm" --no-audio --midi-out jack --seconds 1
check "devices" 0 "MIDI devices (PortMidi)" -- "$BIN" devices
grep -q "^audio outputs (PortAudio):" "$tmp/out" && grep -q "^JACK: no server running" "$tmp/out" \
    && echo "ok   devices sections" || { echo "FAIL devices output"; cat "$tmp/out"; fail=1; }
check "devices extra argument" 2 "unexpected argument" -- "$BIN" devices foo
exit $fail
