#!/usr/bin/env python3
"""lstmjam's ABC reading vs the Nottingham dataset's own MIDI files
(nottingham/midi/melody/BOOKX.mid and chords/BOOKX.mid, rendered by the
dataset's authors from the same ABC with music21: 1024 ticks per quarter).

For every tune of the 14 books the melody lstmjam reads (part 0 of
`lstmjam info BOOK --notes`) is compared note for note (pitch, onset,
duration) with the melody file, once per repeat convention:
  --repeats abc2midi    (the default, held to abc2midi by abc_oracle)
  --repeats nottingham  (the dataset's convention, src/io/abc_expand.c)
and the chord part (part 1) under the Nottingham convention with chords/*.mid.

The grid: every onset and duration in the dataset's 356,263 notes lies on
k/8 or k/3 of a quarter note (its converter quantized to those two grids: a
sixth-of-a-quarter note of a triplet of sixteenths comes out as 1/8), so both
sides are snapped to the nearest point of that union grid before comparing,
and then compared exactly.

Fails when the Nottingham-convention melody agreement falls below --min, when
the chord agreement falls below --chords-min, when a melody that differs is
not listed (with its class) in the mismatch file, or when a listed tune
agrees (so the list stays true). Writes nothing but a temporary directory.

usage: abc_nottingham.py --bin LSTMJAM --corpus NOTTINGHAM_DIR --mismatches LIST
       [--min 1027] [--chords-min 943] [--verbose]
exit 0 = pass, 1 = fail, 77 = midicsv or the corpus missing (skip).
"""
import argparse
import collections
import glob
import os
import re
import shutil
import subprocess
import sys
from fractions import Fraction


def snap(v):
    """Nearest point of the k/8 and k/3 quarter-note grids (the eighth grid on a tie)."""
    best = None
    for div in (8, 3):
        c = Fraction(round(v * div), div)
        if best is None or abs(c - v) < abs(best - v):
            best = c
    return best


def snapped(notes):
    return sorted((snap(o), snap(d), p) for o, d, p in notes)


def midi_notes(path):
    """[(onset, duration, pitch)] in quarter notes from midicsv."""
    csv = subprocess.run(["midicsv", path], capture_output=True, text=True, check=False).stdout
    division, start, notes = 1024, {}, []
    for line in csv.splitlines():
        f = [x.strip() for x in line.split(",")]
        if len(f) < 3:
            continue
        if f[2] == "Header":
            division = int(f[5])
        elif f[2] in ("Note_on_c", "Note_off_c"):
            tick, pitch, vel = int(f[1]), int(f[4]), int(f[5])
            if f[2] == "Note_on_c" and vel > 0:
                start.setdefault(pitch, []).append(tick)
            elif start.get(pitch):
                on = start[pitch].pop(0)
                if tick > on:
                    notes.append((Fraction(on, division), Fraction(tick - on, division), pitch))
    return snapped(notes)


def lstmjam_parts(lj_bin, book, convention):
    """{X: ([melody notes], [chord notes])} from `lstmjam info --notes` (ticks at 480 PPQ)."""
    res = subprocess.run([lj_bin, "info", book, "--notes", "--repeats", convention],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        raise SystemExit("lstmjam info failed on %s (exit %d)" % (book, res.returncode))
    out, cur = {}, None
    for line in res.stdout.splitlines():
        m = re.match(r"tune (\d+):", line)
        if m:
            cur = out.setdefault(int(m.group(1)), ([], []))
            continue
        f = line.split()
        if cur is not None and len(f) == 9 and f[0].isdigit() and f[8] in ("0", "1"):
            if int(f[1]) > 0:
                cur[int(f[8])].append((Fraction(int(f[0]), 480), Fraction(int(f[1]), 480),
                                       int(f[5])))
    return {x: (snapped(a), snapped(b)) for x, (a, b) in out.items()}


def melody_class(got, ref):
    """What the first difference is: structure (note count), pitch, onset or duration."""
    if len(got) != len(ref):
        kind = "more notes in the dataset" if len(ref) > len(got) else "fewer notes in the dataset"
    else:
        kind = "same count, other notes"
    for i, (x, y) in enumerate(zip(got, ref)):
        if x != y:
            return "%s; first at note %d: lstmjam %s vs dataset %s" % (
                kind, i, fmt(x), fmt(y))
    return kind


def fmt(n):
    return "(%s, %s, %d)" % (n[0], n[1], n[2])


def chord_class(got, ref):
    if sorted((o, d, p % 12) for o, d, p in got) == sorted((o, d, p % 12) for o, d, p in ref):
        return "voicing (same pitch classes and times, other octaves)"
    tg, tr = sorted({(o, d) for o, d, _ in got}), sorted({(o, d) for o, d, _ in ref})
    if tg == tr:
        return "same times, other chord notes"
    if sorted({o for o, _ in tg}) == sorted({o for o, _ in tr}):
        return "same onsets, other durations"
    return "other onsets (chord symbols placed or repeated differently)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("LJ_BIN", "lstmjam"))
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--mismatches", required=True)
    ap.add_argument("--min", type=int, default=1027)
    ap.add_argument("--chords-min", type=int, default=943)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--every", type=int, default=1,
                    help="compare every Nth tune only (make test: 3; the --min counts "
                         "then do not apply, every compared tune is still checked)")
    args = ap.parse_args()
    if not shutil.which("midicsv"):
        print("skip: midicsv not installed")
        return 77
    books = sorted(glob.glob(os.path.join(args.corpus, "abc", "*.abc")))
    if not books or not os.path.isdir(os.path.join(args.corpus, "midi", "melody")):
        print("skip: no Nottingham ABC and MIDI under %s" % args.corpus)
        return 77

    listed = {}
    for line in open(args.mismatches, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            print("FAIL: %s: entry without a class: %s" % (args.mismatches, line))
            return 1
        listed[(parts[0], int(parts[1]))] = parts[2]

    total = 0
    agree = collections.Counter()
    aligned = 0  # abc2midi convention agreeing once its first note is moved onto the dataset's
    kinds = {c: collections.Counter() for c in ("abc2midi", "nottingham")}
    chord_files = chord_agree = chordless = 0
    chord_kinds = collections.Counter()
    unlisted, stale, explained = [], [], []
    seen = set()
    index = 0
    for book in books:
        name = os.path.basename(book)
        base = os.path.splitext(name)[0]
        got = {c: lstmjam_parts(args.bin, book, c) for c in ("abc2midi", "nottingham")}
        for x in sorted(got["nottingham"]):
            index += 1
            if (index - 1) % args.every:
                continue
            seen.add((name, x))
            total += 1
            mel = os.path.join(args.corpus, "midi", "melody", "%s%d.mid" % (base, x))
            ref = midi_notes(mel) if os.path.exists(mel) else None
            key = (name, x)
            a = got["abc2midi"].get(x, ([], []))[0]
            if ref and a and [(o - a[0][0] + ref[0][0], d, p) for o, d, p in a] == ref:
                aligned += 1
            for conv in ("abc2midi", "nottingham"):
                a = got[conv].get(x, ([], []))[0]
                if ref is not None and a == ref:
                    agree[conv] += 1
                else:
                    kinds[conv][("no melody file" if ref is None else
                                 melody_class(a, ref).split(";")[0])] += 1
            a = got["nottingham"][x][0]
            if ref is not None and a == ref:
                if key in listed:
                    stale.append(key)
            else:
                why = "no melody file" if ref is None else melody_class(a, ref)
                (explained if key in listed else unlisted).append((key, why))
            chords = os.path.join(args.corpus, "midi", "chords", "%s%d.mid" % (base, x))
            c = got["nottingham"][x][1]
            if not os.path.exists(chords):
                chordless += 1
                if c:
                    chord_kinds["chord symbols but no chords file"] += 1
                continue
            chord_files += 1
            cref = midi_notes(chords)
            if c == cref:
                chord_agree += 1
            else:
                chord_kinds[chord_class(c, cref)] += 1

    print("melody vs nottingham/midi/melody (%d tunes, grid k/8 and k/3 quarter):" % total)
    for conv in ("abc2midi", "nottingham"):
        print("  --repeats %-10s %4d agree (%.1f%%); differences: %s" % (
            conv, agree[conv], 100.0 * agree[conv] / total,
            ", ".join("%s %d" % kv for kv in sorted(kinds[conv].items())) or "none"))
    print("  --repeats abc2midi with its first note moved onto the dataset's (no anacrusis "
          "padding): %d agree (%.1f%%)" % (aligned, 100.0 * aligned / total))
    print("chords (--repeats nottingham) vs nottingham/midi/chords: %d of %d files agree "
          "(%.1f%%); %d tunes have no chords file; differences: %s" % (
              chord_agree, chord_files, 100.0 * chord_agree / max(chord_files, 1), chordless,
              ", ".join("%s %d" % kv for kv in sorted(chord_kinds.items())) or "none"))
    if args.verbose:
        for key, why in explained:
            print("  listed %s X:%d [%s]: %s" % (key[0], key[1], listed[key], why))
    ok = True
    for key, why in unlisted:
        print("FAIL: %s X:%d differs and is not listed: %s" % (key[0], key[1], why))
        ok = False
    for key in stale:
        print("FAIL: %s X:%d is listed as a mismatch but now agrees: remove it" % key)
        ok = False
    for key in (set(listed) & seen) - {k for k, _ in explained} - set(stale):
        print("FAIL: %s X:%d is listed but no such tune was read" % key)
        ok = False
    if args.every > 1:
        print("(1 tune in %d of %d compared: the --min counts apply to the full run, "
              "LJ_FULL_ORACLE=1)" % (args.every, index))
    elif agree["nottingham"] < args.min:
        print("FAIL: Nottingham-convention melody agreement %d below %d" % (
            agree["nottingham"], args.min))
        ok = False
    if args.every == 1 and chord_agree < args.chords_min:
        print("FAIL: chord agreement %d below %d" % (chord_agree, args.chords_min))
        ok = False
    print("PASS" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
