#!/bin/sh
# `lstmjam play` on a terminal (a pseudo-terminal from util-linux `script`),
# on a private jackd -d dummy, as a MIDI generator (--no-audio, JACK MIDI out):
#   background  started as a background job (`play ... &` under a shell with
#               job control, `sh -c 'set -m; ...'`): it plays on without
#               keys and exits 0 (setting the terminal from the background
#               stopped it with SIGTTOU: "Stopped (tty output)", exit 150)
#   reload      a preset broken while it plays, then the key r: the refused
#               reload's error starts a line of its own (it was glued to the
#               end of the status line, which has no newline on a terminal),
#               and the old preset plays on to the end (exit 0)
# Skipped (77) without jackd or script.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
for t in jackd jack_lsp script; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
"${LJ_MAKE_MODEL:?}" "$tmp/ev.lstm" 32 7 || { echo "FAIL cannot make the test model"; exit 1; }
play_pid=
trap 'kill $play_pid $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
. "$LJ_SOURCE_DIR/tests/jack_lib.sh"
jack_dummy_start lstmjam_tty
mkfifo "$tmp/keys"

# background: the job's exit status and the shell's word on it
PLAY="\"$BIN\" play --model \"$tmp/ev.lstm\" --no-audio --midi-out jack --seconds 1 --tempo 300 --seed 5"
script -q -e -c "sh -c 'set -m; $PLAY & wait \$!; echo job exit \$?'" "$tmp/bg" <"$tmp/keys" >/dev/null 2>&1 &
play_pid=$!
exec 3>"$tmp/keys" # the terminal's input stays open while the job runs
i=0
while kill -0 $play_pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
exec 3>&-
kill $play_pid 2>/dev/null
play_pid=
tr '\r' '\n' <"$tmp/bg" | grep -q "^job exit 0" && tr '\r' '\n' <"$tmp/bg" | grep -q "^played .*, 0 notes left on" \
    && echo "ok   background job: played on, exit 0" \
    || { echo "FAIL background job:"; tr '\r' '\n' <"$tmp/bg" | grep -v '^$' | tail -4; fail=1; }

# reload: a preset that turns bad (a temperature out of range) while it plays
cat >"$tmp/p.yaml" <<YAML
model: $tmp/ev.lstm
sampler:
  temperature: 0.9
audio:
  enabled: false
midi:
  out: jack
YAML
script -q -f -e -c "\"$BIN\" play --preset \"$tmp/p.yaml\" --seconds 2.5 --tempo 300 --seed 5" "$tmp/ts" \
    <"$tmp/keys" >/dev/null 2>&1 &
play_pid=$!
exec 3>"$tmp/keys"
i=0
until tr '\r' '\n' <"$tmp/ts" 2>/dev/null | grep -q "^auto | "; do
    [ $i -ge 100 ] && { echo "FAIL no status line within 10 s"; fail=1; break; }
    sleep 0.1; i=$((i + 1))
done
sed -i 's/temperature: 0.9/temperature: 9/' "$tmp/p.yaml"
printf r >&3
i=0
while kill -0 $play_pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
exec 3>&-
wait $play_pid
rc=$?
play_pid=
[ $rc = 0 ] && echo "ok   reload refused, play went on: exit 0" || { echo "FAIL exit $rc"; fail=1; }
# the error's line: what the terminal shows on it (lines end at \r or \n)
line=$(tr '\r' '\n' <"$tmp/ts" | grep "temperature" | grep -v "^auto")
echo "    $line"
case $line in
"lstmjam: $tmp/p.yaml:"*) echo "ok   the refused reload's error starts its own line" ;;
*) echo "FAIL the error shares a line:"; tr '\r' '\n' <"$tmp/ts" | grep -B1 "temperature"; fail=1 ;;
esac
exit $fail
