#!/usr/bin/python3
"""pianoroll_png.py: a MIDI file's notes drawn as a piano roll PNG.

  tools/pianoroll_png.py IN.mid OUT.png [--quarters Q]

Time runs left to right (quarter notes, 24 px each, at most --quarters Q of
them, default 64), pitch bottom to top (4 px per semitone, the file's range
plus two semitones), C lines marked; each note a bar, its onset darker.
Needs numpy (through tools/mgeval.py, which reads the MIDI): run it with
/usr/bin/python3 (Debian python3-numpy), as its first line does."""

import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mgeval  # noqa: E402

PX_PER_QUARTER = 24
PX_PER_KEY = 4
BACKGROUND = (250, 250, 247)
C_LINE = (215, 215, 210)
BEAT_LINE = (236, 236, 232)
NOTE = (52, 101, 164)
ONSET = (20, 45, 90)


def write_png(path, width, height, rows):
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(png)
    os.replace(tmp, path)


def main(argv):
    if len(argv) < 2:
        print("usage: tools/pianoroll_png.py IN.mid OUT.png [--quarters Q]", file=sys.stderr)
        return 2
    quarters = 64.0
    if "--quarters" in argv:
        quarters = float(argv[argv.index("--quarters") + 1])
    notes = mgeval.read_notes(argv[0])
    if not notes:
        print("pianoroll_png: %s: no notes" % argv[0], file=sys.stderr)
        return 2
    notes = [n for n in notes if n[0] < quarters]
    lo = min(n[2] for n in notes) - 2
    hi = max(n[2] for n in notes) + 2
    end = min(quarters, max(n[0] + n[1] for n in notes))
    width = int(end * PX_PER_QUARTER) + 1
    height = (hi - lo + 1) * PX_PER_KEY
    rows = [bytearray(BACKGROUND * width) for _ in range(height)]

    def fill(x0, x1, y0, y1, color):
        for y in range(max(y0, 0), min(y1, height)):
            row = rows[y]
            for x in range(max(x0, 0), min(x1, width)):
                row[3 * x:3 * x + 3] = bytes(color)

    for q in range(int(end) + 1):
        fill(q * PX_PER_QUARTER, q * PX_PER_QUARTER + 1, 0, height, BEAT_LINE)
    for p in range(lo, hi + 1):
        if p % 12 == 0:
            y = (hi - p) * PX_PER_KEY + PX_PER_KEY - 1
            fill(0, width, y, y + 1, C_LINE)
    for onset, length, pitch in notes:
        x0 = int(onset * PX_PER_QUARTER)
        x1 = max(x0 + 2, int(min(onset + length, end) * PX_PER_QUARTER))
        y0 = (hi - pitch) * PX_PER_KEY
        fill(x0, x1 - 1, y0, y0 + PX_PER_KEY - 1, NOTE)
        fill(x0, x0 + 2, y0, y0 + PX_PER_KEY - 1, ONSET)
    write_png(argv[1], width, height, rows)
    print("%s: %d notes, %g quarter notes, pitches %d..%d -> %s (%dx%d)"
          % (argv[0], len(notes), end, lo + 2, hi - 2, argv[1], width, height))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
