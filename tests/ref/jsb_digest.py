#!/usr/bin/env python3
"""Independent oracle for the JSB reader's corpus test (stdlib json only).

Usage: jsb_digest.py FILE.json OUT.txt

Writes, for each split in the order train, valid, test and each piece in it:
  piece SPLIT INDEX N_FRAMES NOTES_MERGED NOTES_PER_STEP
followed by N_FRAMES lines "LO HI": the set of pitches sounding in that frame as
two 64-bit hex masks (bit p of LO for p < 64, bit p-64 of HI). NOTES_MERGED
counts runs of consecutive frames holding a pitch (merge_held=1), NOTES_PER_STEP
counts (frame, distinct pitch) pairs (merge_held=0). Pitches written 62.0 count
as 62; any other non-integer or a pitch outside 0..127 is an error (exit 1).
"""
import json
import sys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding='utf-8') as f:
        data = json.load(f)
    with open(dst, 'w') as out:
        for split in ('train', 'valid', 'test'):
            for index, piece in enumerate(data[split]):
                frames = []
                for frame in piece:
                    pitches = set()
                    for x in frame:
                        if isinstance(x, bool) or not isinstance(x, (int, float)) or x != int(x) \
                                or not 0 <= x <= 127:
                            sys.exit('%s[%d]: bad pitch %r' % (split, index, x))
                        pitches.add(int(x))
                    frames.append(pitches)
                per_step = sum(len(p) for p in frames)
                merged = sum(len(p - (frames[i - 1] if i else set())) for i, p in enumerate(frames))
                out.write('piece %s %d %d %d %d\n' % (split, index, len(frames), merged, per_step))
                for p in frames:
                    mask = sum(1 << q for q in p)
                    out.write('%x %x\n' % (mask & (2 ** 64 - 1), mask >> 64))


if __name__ == '__main__':
    main()
