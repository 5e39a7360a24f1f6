"""midi_out_trace.py: every MIDI-out timing anomaly of a live soak, with the
cause the soak's own logs show (bench/play_soak.sh runs it; it reads a kept
soak directory too: LJ_SOAK_KEEP).

    /usr/bin/python3 bench/midi_out_trace.py DIR PERIOD AWK

DIR holds what play_soak.sh keeps: events.log (play --event-log: every event
with its scheduled frame), dump.txt (jack_midi_dump -a: the frame of the
dump's cycles + the event's offset), play.out (play's summary: the sink's
counters, and on JACK the messages its port buffer refused). AWK is tests/midi_out_timing.awk, which pairs the scheduled and
captured notes (note-ons and, with kind=off, note-offs: the sink counts every
message late, not only note-ons).

What it attributes, each anomaly on a line of its own:
  - an interval between consecutive notes that is not a whole number of
    periods: when it and the next interval sum to whole periods, one note
    left L frames off the grid while its neighbours stayed on it (L the
    first one's remainder); a note the sink wrote at offset 0 because its
    frame had passed (late at the sink, at most late_frames_max frames)
    shows so; an interval across a note the pairing skipped is a pair
    across a gap; anything else is printed as not traced;
  - late messages of the sink: the displaced notes above account for them
    when their number and size match the sink's counter;
  - a note in the schedule and not in the capture: scheduled at or after
    the session's last panic (never sent: the session ended first);
    refused by JACK's port buffer (play's "MIDI out (JACK)" line counts
    them); missing with the dump's message count below the number the port
    buffer took (the dump lost messages; with the capture's clock a period
    behind across the gap and the other messages of that frame missing too:
    a cycle jack_midi_dump did not run in time); with the counts equal, not
    traced;
  - a note in the capture and not in the schedule: the note-offs of the
    final panic (kind off), or not traced.
Whole periods (a cycle some JACK client lost) are counted, not listed: the
soak's jackd counts and MIDI out's clock follower (play's "MIDI out
(JACK)" line) give their causes in aggregate. Exit 0; prints "untraced: N" last.
"""
import re
import subprocess
import sys


def run_awk(awk, events, dump, period, kind):
    out = subprocess.run(["awk", "-v", f"period={period}", "-v", "detail=1", "-v", f"kind={kind}",
                          "-f", awk, events, dump], capture_output=True, text=True, check=True).stdout
    pairs, unpaired = [], []
    for line in out.splitlines():
        f = line.split()
        if f[0] == "err":
            pairs.append((int(f[1]), int(f[2]), int(f[3]), int(f[4])))
        elif f[0] == "unpaired":
            unpaired.append((f[1], int(f[2]), int(f[3])))
    return pairs, unpaired


def main():
    d, period, awk = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    events, dump = f"{d}/events.log", f"{d}/dump.txt"
    out = open(f"{d}/play.out").read()
    mo = re.search(r"MIDI out: (\d+) messages, (\d+) late \(at most (\d+) frames\)", out)
    sent, late, late_max = (int(x) for x in mo.groups()) if mo else (None, 0, 0)
    mr = re.search(r"MIDI out \(JACK\): (\d+) messages refused", out)
    refused = int(mr.group(1)) if mr else 0  # an older play without the line: 0 assumed
    if sent is not None:
        sent -= refused  # what JACK's port buffer took
    captured = sum(1 for l in open(dump) if re.match(r"\s*\d+:", l))
    log = [l.split() for l in open(events)]
    panics = [int(f[0]) for f in log if len(f) > 2 and f[1] == "model" and f[2] == "panic"]
    last_panic = max(panics) if panics else None
    untraced = 0
    lines = []
    displaced = 0
    runs = {kind: run_awk(awk, events, dump, period, kind) for kind in ("on", "off")}
    missing_at = {}  # scheduled frame -> the messages of that frame missing from the capture
    for kind, (_, unpaired) in runs.items():
        for where, frame, key in unpaired:
            if where == "scheduled":
                missing_at.setdefault(frame, []).append(f"note-{kind} {key}")
    for kind, name in (("on", "note-on"), ("off", "note-off")):
        pairs, unpaired = runs[kind]
        # pairs[i] = (err, sched, captured, key): the interval from the pair before
        gaps = sorted(f for w, f, _ in unpaired if w == "scheduled")
        i = 0
        while i < len(pairs):
            e, s, c, key = pairs[i]
            if e % period == 0:
                i += 1
                continue
            nxt = pairs[i + 1][0] if i + 1 < len(pairs) else None
            prev_s = pairs[i - 1][1] if i > 0 else None
            across = [g for g in gaps if prev_s is not None and prev_s < g < s]
            if nxt is not None and nxt % period != 0 and (e + nxt) % period == 0:
                lag = e % period  # how far after its place on the grid the note left (0 < lag < period)
                displaced += 1
                jump = -(e + nxt) // period
                at = f" where MIDI out's clock moved {jump} period(s) ahead of the capture's" if jump > 0 else ""
                if late and lag <= late_max:
                    cause = (f"written at offset 0 of a cycle {lag} frames after its frame (late at the sink)"
                             f"{at}")
                else:
                    cause = "not late at the sink: not traced"
                    untraced += 1
                lines.append(f"{name} key {key} scheduled at frame {s}: left {lag} frames off the period grid, "
                             f"its neighbours on it (intervals {e:+d}, {nxt:+d}); {cause}")
                i += 2
                continue
            if across:
                lines.append(f"{name} key {key} scheduled at frame {s}: interval {e:+d} spans "
                             f"{len(across)} scheduled {name}(s) missing from the capture (listed below)")
            else:
                lines.append(f"{name} key {key} scheduled at frame {s}: interval {e:+d} off the period grid; "
                             "not traced")
                untraced += 1
            i += 1
        for where, frame, key in unpaired:
            if where == "scheduled":
                if last_panic is not None and frame >= last_panic:
                    cause = f"scheduled at or after the session's last panic (frame {last_panic}): never sent"
                elif refused and sent is not None and captured >= sent:
                    cause = (f"JACK's port buffer refused {refused} of the sink's messages (out of frame order, "
                             "or a full buffer): lost at lstmjam's MIDI out")
                elif sent is not None and captured < sent:
                    # the pair after the gap: the capture's shift across it
                    after = next((p for p in pairs if p[1] > frame), None)
                    shift = after[0] if after else 0
                    same = [m for m in missing_at.get(frame, []) if m != f"{name} {key}"]
                    cause = (f"the dump captured {captured} messages of the {sent} the sink wrote: "
                             "lost between the sink and the dump's capture")
                    if shift <= -period and shift % period == 0:
                        cause += (f"; the capture's clock lost {-shift // period} period(s) across it "
                                  f"(interval {shift:+d}){' and ' + ', '.join(same) + ' of the same frame is missing too' if same else ''}: "
                                  "a cycle jack_midi_dump did not run (it counts the frames of the cycles it ran; "
                                  "the messages of a cycle it missed are gone)")
                else:
                    cause = f"the dump captured as many messages as the sink wrote ({captured}): not traced"
                    untraced += 1
                lines.append(f"{name} key {key} scheduled at frame {frame}: not in the capture; {cause}")
            else:
                if kind == "off" and last_panic is not None:
                    tail = [c for w, c, _ in unpaired if w == "captured"]
                    if frame >= max(tail) - period:  # the final panic's note-offs, all in its cycle
                        continue
                lines.append(f"{name} key {key} captured at dump frame {frame}: not in the schedule; not traced")
                untraced += 1
    if late != displaced and late:
        lines.append(f"the sink counted {late} messages late (at most {late_max} frames), the capture shows "
                     f"{displaced} notes off the grid: {abs(late - displaced)} not traced")
        untraced += abs(late - displaced)
    print(f"MIDI-out anomalies (sink: {sent} messages taken by JACK's port buffer, {refused} refused, {late} late "
          f"(at most {late_max} frames); dump: {captured} messages):")
    for l in lines:
        print("  " + l)
    if not lines:
        print("  none: every interval a whole number of periods, every note captured")
    print(f"untraced: {untraced}")


main()
