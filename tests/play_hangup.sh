#!/bin/sh
# `lstmjam play` in a terminal that closes (a window closed, an ssh link
# dropped): play runs on a pseudo-terminal (python3's pty module) on a private
# jackd -d dummy as a MIDI generator (--no-audio --midi-out jack), and the
# test closes the terminal's master side once play runs. The kernel hangs the
# terminal up and sends SIGHUP, which play otherwise takes as "reload the
# preset"; with the terminal gone it must quit as q does. It used to reload
# and play on until --seconds, polling the dead terminal at full CPU. Asserted:
# play exits 0 within 5 s of the hang-up, its session MIDI written and every
# note ended. Skipped (77) without jackd.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
. "$LJ_SOURCE_DIR/tests/jack_lib.sh"
[ -x /usr/bin/python3 ] || { echo "SKIP: no /usr/bin/python3"; exit 77; }
jack_test_setup midicsv
trap 'kill $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
jack_dummy_start lstmjam_hangup

/usr/bin/python3 - "$BIN" "$tmp" <<'PY' || fail=1
import os, pty, select, signal, sys, time
bin, tmp = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(bin, [bin, "play", "--model", tmp + "/ev.lstm", "--seconds", "30", "--tempo", "300",
                   "--seed", "5", "--lookahead", "40", "--no-audio", "--midi-out", "jack",
                   "--record", tmp + "/hup.mid"])
seen, deadline = b"", time.time() + 10
while b"MIDI out:" not in seen and time.time() < deadline:
    if select.select([fd], [], [], 0.1)[0]:
        try:
            seen += os.read(fd, 4096)
        except OSError:
            break
if b"MIDI out:" not in seen:
    print("FAIL play did not start:", seen.decode(errors="replace")[-400:])
    os.kill(pid, signal.SIGKILL)
    sys.exit(1)
time.sleep(1)  # notes played
t0 = time.time()
os.close(fd)  # the terminal goes away: hang-up, SIGHUP
while time.time() - t0 < 5:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    time.sleep(0.02)
else:
    print("FAIL play still running 5 s after its terminal hung up")
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sys.exit(1)
ms = (time.time() - t0) * 1000
if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
    print("ok   hang-up: play quit, exit 0, %.0f ms after the terminal closed" % ms)
    sys.exit(0)
print("FAIL hang-up: play ended with status 0x%x (exit 0 expected)" % status)
sys.exit(1)
PY
if midicsv "$tmp/hup.mid" >"$tmp/hup.csv" 2>/dev/null; then
    awk -F', ' '
        $3=="Note_on_c" && $6>0 { on++ }
        $3=="Note_off_c" || ($3=="Note_on_c" && $6==0) { off++ }
        END {
            if (on < 1 || on != off) { printf "FAIL session MIDI has %d notes, %d note-offs\n", on, off; exit 1 }
            printf "ok   session MIDI written, %d notes, each ended\n", on
        }' "$tmp/hup.csv" || fail=1
else
    echo "FAIL no valid session MIDI"; fail=1
fi
exit $fail
