#!/bin/sh
# play_soak.sh: `lstmjam play` live for MINUTES on a headless JACK server
# (jackd -d dummy, 48 kHz, period 128 (2.67 ms) unless PERIOD says otherwise) with audio through PortAudio's
# JACK host API and MIDI out on a JACK port captured by jack_midi_dump, as the
# issue's real-time soak asks. Reported, as a table:
#   - xruns (the audio side's count from PortAudio), dropped and late events
#     of the audio side, callback time max (and as a fraction of the period),
#     the callback's own CPU time p99/max and the callbacks that slept or were
#     preempted (what tells a slow callback from a machine that took the CPU),
#     engine step time p50/p99, notes;
#   - MIDI out: late messages of the sink, and the timing error of the model's
#     note-ons at the capture: the interval between two consecutive note-ons
#     at jack_midi_dump (its frame stamps) minus the same interval as the
#     engine scheduled it (play --event-log). The two clocks cannot be
#     compared directly (the dump counts the frames of the cycles it ran,
#     lstmjam the frames its audio callback rendered); intervals can. 0 = both
#     notes left exactly as scheduled relative to each other; a cycle one
#     client missed on a loaded machine shows as +-one period. The drift over the
#     whole run (first against last note) is printed too.
#
# Where the xruns come from: jackd's own log names each one, either its driver
# woke too late for the cycle ("JackTimedDriver::Process XRun") or a client
# had not finished the cycle before the next ("client = NAME was not
# finished"); counted per client. A peer JACK client that does almost nothing
# (jack_simple_client: a sine from a table) runs beside lstmjam, so a machine
# that cannot keep JACK's period shows it on the peer as well. With rt-tests
# installed, cyclictest measures the machine's own wake-up latency at the
# same time (a SCHED_FIFO 80 thread waking every period): above a period,
# nothing running on the machine can keep that period.
#
# Every MIDI-out anomaly is then listed with its cause (bench/midi_out_trace.py):
# an interval off the period grid (a note the sink wrote late, at offset 0,
# where MIDI out's clock jumped ahead; a pair across a note the capture
# lacks), a message late at the sink, a note missing from the capture (sent
# after the session's end; lost between the sink and the dump when the dump
# captured fewer messages than the sink wrote), each printed as "not traced"
# when the logs show no cause. LJ_SOAK_KEEP=DIR keeps the logs (events.log,
# dump.txt, jackd.log, play.out, ...) in DIR for a later look.
#
#   bench/play_soak.sh BUILD [MINUTES=10] [MODEL=model/pretrained/nottingham-abc.lstm] [TEMPO=400] [PERIOD=128]
#
# The default model is the largest shipped (the abc LSTM, 4.9 MB) at the
# engine's fastest tempo. Exit 0 when the run completed (the numbers are the
# result, not a verdict); 77 without jackd or jack_midi_dump.
set -u
BUILD=${1:-build}
MINUTES=${2:-10}
SRC=$(cd "$(dirname "$0")/.." && pwd)
MODEL=${3:-$SRC/model/pretrained/nottingham-abc.lstm}
TEMPO=${4:-400}
PERIOD=${5:-128}
export JACK_PERIOD=$PERIOD
for t in jackd jack_lsp jack_midi_dump jack_simple_client stdbuf; do
    command -v $t >/dev/null || { echo "play_soak: $t not installed: skipped"; exit 77; }
done
tmp=$(mktemp -d)
dump_pid= peer_pid= ct_pid=
keep() { [ -n "${LJ_SOAK_KEEP:-}" ] && mkdir -p "$LJ_SOAK_KEEP" && cp "$tmp"/* "$LJ_SOAK_KEEP"/; }
trap 'kill $dump_pid $peer_pid $ct_pid $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; keep; rm -rf "$tmp"' EXIT
. "$SRC/tests/jack_lib.sh"
jack_dummy_start lstmjam_soak 20
stdbuf -oL jack_midi_dump -a ljsoak >"$tmp/dump.txt" 2>/dev/null &
dump_pid=$!
for i in $(seq 1 50); do jack_lsp 2>/dev/null | grep -q "ljsoak:input" && break; sleep 0.1; done
jack_simple_client >/dev/null 2>&1 &
peer_pid=$!
secs=$(awk "BEGIN{print $MINUTES * 60}")
period_us=$(awk "BEGIN{printf \"%d\", $PERIOD / 48000 * 1e6}")
if command -v cyclictest >/dev/null; then
    cyclictest -m -p 80 -i "$period_us" -D "$(awk "BEGIN{printf \"%d\", $secs}")" -q -h 20000 >"$tmp/cyclictest.txt" 2>&1 &
    ct_pid=$!
else
    echo "(cyclictest not installed: apt-get install rt-tests to measure the machine's wake-up latency too)"
fi
echo "== play soak: $(basename "$MODEL") at $TEMPO BPM for $MINUTES min on jackd -d dummy, 48000 Hz, period $PERIOD; load before: $(uptime | sed 's/.*load average: //') =="
"$BUILD/lstmjam" play --model "$MODEL" --tempo "$TEMPO" --seed 1 --seconds "$secs" --period "$PERIOD" \
    --midi-out jack:ljsoak:input --event-log "$tmp/events.log" >"$tmp/play.out" 2>"$tmp/play.err"
rc=$?
sleep 0.5
kill $dump_pid $peer_pid 2>/dev/null; wait $dump_pid $peer_pid 2>/dev/null; dump_pid= peer_pid=
[ -n "$ct_pid" ] && { wait $ct_pid 2>/dev/null; ct_pid=; }
echo "load after: $(uptime | sed 's/.*load average: //')"
if [ $rc != 0 ]; then
    echo "play_soak: play exit $rc"; cat "$tmp/play.out" "$tmp/play.err"; exit 1
fi
grep -E "^(SoundFont|model|audio|played|audio callback|engine|MIDI out)" "$tmp/play.out"
touch "$tmp/cyclictest.txt"
awk -v period="$PERIOD" -f "$SRC/tests/midi_out_timing.awk" "$tmp/events.log" "$tmp/dump.txt" >"$tmp/timing.txt"
/usr/bin/python3 - "$tmp/play.out" "$tmp/timing.txt" "$tmp/play.err" "$tmp/jackd.log" "$tmp/cyclictest.txt" "$PERIOD" <<'PY'
import re, sys
out, timing, status, jackd_log, cyclic = (open(p).read() for p in sys.argv[1:6])
period = int(sys.argv[6])
period_us = period / 48000 * 1e6
m = re.search(r"played ([\d.]+) s: (\d+) notes from the model.*step p50 ([\d.]+) us, p99 ([\d.]+) us; "
              r"xruns (\d+), dropped (\d+), late (\d+), callback max ([\d.]+) us, p99 ([\d.]+) us", out)
cpu = re.search(r"audio callback: CPU time p99 ([\d.]+) us, max ([\d.]+) us .*?; half the period or more in (\d+) "
                r"of (\d+) callbacks; slept in (\d+) .*?preempted in (\d+), page faults in (\d+); off the CPU up to ([\d.]+) us", out)
mo = re.search(r"MIDI out: (\d+) messages, (\d+) late \(at most (\d+) frames\), (\d+) panics, (\d+) notes left on", out)
if not m or not mo or not cpu:
    print("play_soak: no summary lines"); sys.exit(1)
played, notes, p50, p99, xruns, dropped, late, cbmax, cb99 = m.groups()
# the MIDI-out timing error between consecutive note-ons, capture against
# schedule (tests/midi_out_timing.awk, shared with tests/play_midi_out.sh)
err = [int(l.split()[1]) for l in timing.splitlines() if l.startswith("err ")]
tm = re.search(r"timing: (\d+) scheduled (\d+) captured (\d+) paired (\d+) unpaired;.* drift (-?\d+)", timing)
if not tm:
    print("play_soak: no timing summary from midi_out_timing.awk"); sys.exit(1)
n_sched, n_cap, n, unmatched, drift = (int(x) for x in tm.groups())
# the status line's per-second callback max is not printed; the step p99 per second is
step99 = [float(x) for x in re.findall(r"step p50 \d+ us p99 (\d+) us", status)]
rows = [
    ("played", f"{float(played):.1f} s, {notes} model notes"),
    ("xruns (PortAudio, audio side)", xruns),
    ("dropped / late events (audio side)", f"{dropped} / {late}"),
    ("callback time p99", f"{float(cb99):.1f} us = {float(cb99) / period_us:.3f} of the {period_us:.0f} us period"),
    ("callback time max", f"{float(cbmax):.1f} us = {float(cbmax) / period_us:.2f} of the {period_us:.0f} us period"),
    ("callback CPU time p99 / max", f"{float(cpu.group(1)):.1f} / {float(cpu.group(2)):.1f} us "
     f"({cpu.group(3)} of {cpu.group(4)} callbacks at half the period or more)"),
    ("callbacks that slept / were preempted / page-faulted",
     f"{cpu.group(5)} / {cpu.group(6)} / {cpu.group(7)} (off the CPU up to {float(cpu.group(8)):.0f} us)"),
    ("engine step p50 / p99 (whole run)", f"{float(p50):.1f} / {float(p99):.1f} us"),
    ("engine step p99, worst second", f"{max(step99):.0f} us" if step99 else "-"),
    ("MIDI out messages / late / left on", f"{mo.group(1)} / {mo.group(2)} (at most {mo.group(3)} frames) / {mo.group(5)}"),
    ("note-ons scheduled / captured / paired", f"{n_sched} / {n_cap} / {n} ({unmatched} skipped unpaired)"),
]
# jackd names the cause of each xrun in its log
driver_late = len(re.findall(r"JackTimedDriver::Process XRun", jackd_log))
late_clients = {}
for name in re.findall(r"client = (\S+) was not finished", jackd_log):
    late_clients[name] = late_clients.get(name, 0) + 1
rows.append(("jackd: driver woke after the cycle's end", str(driver_late)))
rows.append(("jackd: client not finished by the next cycle",
             ", ".join(f"{k} {v}" for k, v in sorted(late_clients.items())) or "none"))
hist = [tuple(map(int, l.split()[:2])) for l in cyclic.splitlines() if re.match(r"^\d+\s+\d+", l)]
if hist:
    mx = re.search(r"Max Latencies:\s*(\d+)", cyclic)
    above = lambda us: sum(c for lat, c in hist if lat >= us)
    total = sum(c for _, c in hist)
    rows.append(("machine wake-up latency (cyclictest, SCHED_FIFO 80, every period)",
                 f"max {mx.group(1) if mx else '?'} us; >= 500 us {above(500)}, >= 1 ms {above(1000)}, "
                 f">= a period {above(int(period_us))} of {total} wake-ups"))
print()
print("| measure | value |")
print("|---|---|")
for k, v in rows: print(f"| {k} | {v} |")
print()
print(f"MIDI out timing error between consecutive note-ons ({len(err)} intervals; capture - scheduled; "
      f"over the whole run the capture drifted {drift} frames from the schedule):")
print()
print("| error (frames) | intervals |")
print("|---|---:|")
buckets = [(None, -period - 1, f"< -{period}"), (-period, -period, f"-{period}"), (-period + 1, -64, f"-{period - 1} .. -64"),
           (-63, -1, "-63 .. -1"), (0, 0, "0"), (1, 63, "1 .. 63"), (64, period - 1, f"64 .. {period - 1}"),
           (period, period, str(period)), (period + 1, None, f"> {period}")]
for lo, hi, name in buckets:
    c = sum(1 for e in err if (lo is None or e >= lo) and (hi is None or e <= hi))
    print(f"| {name} | {c} |")
within = sum(1 for e in err if abs(e) < 64)
on_grid = sum(1 for e in err if e % period == 0)
n_err = len(err)
pct = lambda k: f" ({100 * k / n_err:.2f}%)" if n_err else ""
print()
print(f"within 64 frames: {within} of {n_err}{pct(within)}; a whole number of {period}-frame periods "
      f"(0 included): {on_grid} of {n_err}{pct(on_grid)}")
PY
echo
/usr/bin/python3 "$SRC/bench/midi_out_trace.py" "$tmp" "$PERIOD" "$SRC/tests/midi_out_timing.awk"
