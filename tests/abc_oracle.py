#!/usr/bin/env python3
"""ABC reader vs abc2midi: the melody lstmjam reads from each tune must equal
the melody track abc2midi writes (pitch, onset and duration on a grid of 1/48
quarter note), in at least MIN_AGREEMENT of the tunes, and every tune that
differs must be listed with its reason in the mismatch file (and every listed
tune must still differ, so the list stays true).

Independent on purpose: abc2midi (Debian abcmidi) writes the MIDI, midicsv
(Debian midicsv) turns it into text, this script pairs note-ons and note-offs;
nothing of lstmjam's MIDI code is involved. lstmjam's side comes from
`lstmjam info BOOK --notes`.

usage: abc_oracle.py --books FILE.abc... --mismatches LIST [--min 0.99]
exit 0 = pass, 1 = fail, 77 = a tool is missing (skip).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

GRID = 10  # ticks at 480 PPQ = 1/48 quarter note


def q(t):
    """Snap a tick to the 1/48-quarter grid."""
    return int((t + GRID // 2) // GRID) * GRID


def order(note):
    return (q(note[0]), note[2], note[1])


def same_notes(a, b):
    """Equal on the 1/48-quarter grid: same pitches, onsets and durations within
    half a grid step (a tuplet of 7 has no exact tick; abc2midi truncates with
    error carry where lstmjam rounds, so they may differ by a tick or two)."""
    if len(a) != len(b):
        return False
    half = GRID // 2
    return all(x[2] == y[2] and abs(x[0] - y[0]) <= half and abs(x[1] - y[1]) <= half
               for x, y in zip(a, b))


def abc2midi_melodies(book, tmp):
    """{X: sorted [(onset, dur, pitch)]} from abc2midi's files for one book."""
    base = os.path.splitext(os.path.basename(book))[0]
    link = os.path.join(tmp, base + ".abc")
    if not os.path.exists(link):
        shutil.copyfile(book, link)
    subprocess.run(["abc2midi", base + ".abc"], cwd=tmp, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    out = {}
    for name in os.listdir(tmp):
        m = re.fullmatch(re.escape(base) + r"(\d+)\.mid", name)
        if not m:
            continue
        csv = subprocess.run(["midicsv", os.path.join(tmp, name)], capture_output=True,
                             text=True, check=False).stdout
        out[int(m.group(1))] = melody_from_csv(csv)
    return out


def melody_from_csv(csv):
    """Channel-0 notes (abc2midi's melody: its note track takes the first free
    channel, the gchord track takes the next two). Chord notes that abc2midi
    staggers by 10 ticks and ends together are put back on one onset."""
    division = 480
    start = {}
    notes = []
    for line in csv.splitlines():
        f = [x.strip() for x in line.split(",")]
        if len(f) < 3:
            continue
        if f[2] == "Header":
            division = int(f[5])
            continue
        if f[2] not in ("Note_on_c", "Note_off_c"):
            continue
        tick, chan, pitch, vel = int(f[1]), int(f[3]), int(f[4]), int(f[5])
        if chan != 0:
            continue
        tick = tick * 480 // division
        key = pitch
        if f[2] == "Note_on_c" and vel > 0:
            # abc2midi strikes every note one tick late (articulation): undo it
            start.setdefault(key, []).append(max(tick - 1, 0))
        elif start.get(key):
            on = start[key].pop(0)
            notes.append([on, tick, pitch])
    # chord stagger: notes that end on the same tick and start within 10 ticks
    # per note of each other are one chord struck at the earliest onset
    by_end = {}
    for n in notes:
        by_end.setdefault(n[1], []).append(n)
    for group in by_end.values():
        if len(group) > 1:
            first = min(n[0] for n in group)
            for n in group:
                if n[0] - first <= 10 * (len(group) - 1):
                    n[0] = first
    return sorted(((on, off - on, p) for on, off, p in notes if off > on), key=order)


def lstmjam_melodies(lj_bin, book):
    """{X: sorted [(onset, dur, pitch)]} of part 0 from `lstmjam info --notes`."""
    res = subprocess.run([lj_bin, "info", book, "--notes"], capture_output=True, text=True,
                         check=False)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        raise SystemExit("lstmjam info failed on %s (exit %d)" % (book, res.returncode))
    out = {}
    cur = None
    for line in res.stdout.splitlines():
        m = re.match(r"tune (\d+):", line)
        if m:
            cur = out.setdefault(int(m.group(1)), [])
            continue
        f = line.split()
        if cur is not None and len(f) == 9 and f[0].isdigit() and f[8] == "0":
            onset, dur, pitch = int(f[0]), int(f[1]), int(f[5])
            if dur > 0:
                cur.append((onset, dur, pitch))
    return {k: sorted(v, key=order) for k, v in out.items()}


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if not same_notes([x], [y]):
            return "note %d: lstmjam %s vs abc2midi %s (onset, dur, pitch)" % (i, x, y)
    return "lstmjam %d notes vs abc2midi %d" % (len(a), len(b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--books", nargs="+", required=True)
    ap.add_argument("--mismatches", required=True)
    ap.add_argument("--min", type=float, default=0.99)
    ap.add_argument("--bin", default=os.environ.get("LJ_BIN", "lstmjam"))
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    for tool in ("abc2midi", "midicsv"):
        if not shutil.which(tool):
            print("skip: %s not installed" % tool)
            return 77

    listed = {}
    if os.path.exists(args.mismatches):
        for line in open(args.mismatches, encoding="utf-8"):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                print("FAIL: %s: entry without a reason: %s" % (args.mismatches, line))
                return 1
            listed[(parts[0], int(parts[1]))] = parts[2]

    total = agree = 0
    unlisted, stale, explained = [], [], []
    with tempfile.TemporaryDirectory(prefix="lj_abc_oracle_") as tmp:
        for book in args.books:
            name = os.path.basename(book)
            sub = os.path.join(tmp, os.path.splitext(name)[0])
            os.mkdir(sub)
            ref = abc2midi_melodies(book, sub)
            got = lstmjam_melodies(args.bin, book)
            for x in sorted(set(ref) | set(got)):
                total += 1
                a, b = got.get(x), ref.get(x)
                same = a is not None and b is not None and same_notes(a, b)
                key = (name, x)
                if same:
                    agree += 1
                    if key in listed:
                        stale.append(key)
                else:
                    why = ("missing in lstmjam" if a is None else
                           "missing in abc2midi" if b is None else first_difference(a, b))
                    if key in listed:
                        explained.append((key, why))
                    else:
                        unlisted.append((key, why))
    rate = agree / total if total else 0.0
    print("abc vs abc2midi: %d of %d tunes agree (%.2f%%), %d listed mismatches" %
          (agree, total, 100.0 * rate, len(explained)))
    if args.verbose:
        for key, why in explained:
            print("  listed %s X:%d: %s" % (key[0], key[1], why))
    ok = True
    for key, why in unlisted:
        print("FAIL: %s X:%d differs and is not listed: %s" % (key[0], key[1], why))
        ok = False
    for key in stale:
        print("FAIL: %s X:%d is listed as a mismatch but now agrees: remove it" % key)
        ok = False
    if rate < args.min:
        print("FAIL: agreement %.2f%% below %.2f%%" % (100.0 * rate, 100.0 * args.min))
        ok = False
    print("PASS" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
