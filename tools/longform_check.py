#!/usr/bin/python3
"""longform_check.py: checks a long render (issue 7's ambient bar).

  tools/longform_check.py SESSION.mid [--max-silence S] [--min-distinct R]

Reads the MIDI that `lstmjam render` writes beside its audio and reports:
  - stuck notes: note-ons never ended (must be 0);
  - the longest silence (no note sounding) in seconds, from the first
    note-on to the last note-off, against --max-silence (default 8 s);
  - the distinct 8-gram ratio of the pitch sequence (notes by onset, chords
    by their pitches low to high): distinct 8-grams / all 8-grams. 1.0 means
    no eight-note figure ever repeats; a model stuck in a loop falls towards
    0. Folk and chorale corpora themselves repeat phrases (repeats, refrains),
    so the threshold (--min-distinct, default 0.5) is set below what the
    corpora reach: `--corpus FILES_OR_DIRS...` prints the ratio of those
    files played one after another, for comparison.
Exit status 0 when every check passes, 1 when one fails, 2 on bad input."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mgeval  # noqa: E402


def distinct_ratio(pitches, n=8):
    grams = [tuple(pitches[i:i + n]) for i in range(len(pitches) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        return 2
    max_silence, min_distinct, corpus = 8.0, 0.5, []
    if "--corpus" in argv:
        i = argv.index("--corpus")
        corpus = argv[i + 1:]
        argv = argv[:i]
    if "--max-silence" in argv:
        max_silence = float(argv[argv.index("--max-silence") + 1])
    if "--min-distinct" in argv:
        min_distinct = float(argv[argv.index("--min-distinct") + 1])
    st = {}
    try:
        notes = mgeval.read_notes(argv[0], st)
    except (OSError, mgeval.MidiError, IndexError) as e:
        print("longform_check: %s: %s" % (argv[0], e), file=sys.stderr)
        return 2
    if not notes:
        print("longform_check: %s: no notes" % argv[0], file=sys.stderr)
        return 1
    sec = st["us_per_qn"] / 1e6  # seconds per quarter (the session files keep one tempo)
    spans = sorted((on * sec, (on + ln) * sec) for on, ln, _ in notes)
    longest, at, end = 0.0, 0.0, spans[0][1]
    for s, e in spans[1:]:
        if s - end > longest:
            longest, at = s - end, end
        end = max(end, e)
    pitches = [p for _, _, p in sorted(notes)]
    ratio = distinct_ratio(pitches)
    total = end - spans[0][0]
    ok = st["unterminated"] == 0 and longest <= max_silence and ratio >= min_distinct
    print("%s: %d notes over %.1f min" % (argv[0], len(notes), total / 60))
    print("  stuck notes (note-on never ended): %d" % st["unterminated"])
    print("  longest silence: %.2f s at %.1f s (limit %.1f s)" % (longest, at, max_silence))
    print("  distinct pitch 8-grams: %.3f (threshold %.2f)" % (ratio, min_distinct))
    if corpus:  # the corpus files one after another, as one long stream
        cp = []
        for path in mgeval.midi_files(corpus):
            try:
                cp += [p for _, _, p in mgeval.read_notes(path)]
            except (OSError, mgeval.MidiError, IndexError):
                continue
        print("  corpus (%d files in a row): distinct pitch 8-grams %.3f over %d notes"
              % (len(mgeval.midi_files(corpus)), distinct_ratio(cp), len(cp)))
    print("  %s" % ("pass" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
