#!/usr/bin/python3
"""longform_check.py: checks a long render (issue 7's ambient bar).

  tools/longform_check.py SESSION.mid [--preset PRESET.yaml]
      [--max-silence S] [--min-distinct R]
      [--corpus FILES_OR_DIRS... | --corpus-tokens TOKENS.txt]

Reads the MIDI that `lstmjam render` writes beside its audio and reports:
  - stuck notes: note-ons never ended (must be 0);
  - the longest silence (no note sounding) in seconds, from the first
    note-on to the last note-off, against the preset's render.max_silence
    (--preset; --max-silence overrides it; 8 s when neither is given);
  - the distinct 8-gram ratio of the pitch sequence (notes by onset, chords
    by their pitches low to high): distinct 8-grams / all 8-grams. 1.0 means
    no eight-note figure ever repeats; a model stuck in a loop falls towards
    0. Songs themselves repeat phrases (repeats, refrains), so the threshold
    (--min-distinct, default 0.7) is set from the corpus: 0.7 is below
    99.9% of the stretches of the Essen songs (the ambient model's corpus,
    as it learned them: `lstmjam encode --encoding timestep --transpose c`)
    as long as a 10- or 30-minute ambient render (670 and 2014 notes), the
    songs strung together in random order as the render strings fresh songs
    together (measured 2026-11-30: 670 notes, 3 of 5901 stretches below
    0.7, 1st percentile 0.769, median 0.879; 2014 notes, none of 2012
    below, minimum 0.780, median 0.871). So a render may repeat itself as
    much as the songs it learned do, and not much more.
    `--corpus FILES_OR_DIRS...` prints the ratio of those MIDI files played
    one after another; `--corpus-tokens TOKENS.txt` (an `lstmjam encode`
    file of a token encoding whose pitch tokens are numbers: timestep) the
    ratio over stretches as long as the render, for the comparison above.
Exit status 0 when every check passes, 1 when one fails, 2 on bad input."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mgeval  # noqa: E402


def distinct_ratio(pitches, n=8):
    grams = [tuple(pitches[i:i + n]) for i in range(len(pitches) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def preset_max_silence(path):
    """render.max_silence of a play preset (seconds), or None."""
    import yaml
    with open(path) as f:
        doc = yaml.safe_load(f) or {}
    render = doc.get("render") or {}
    v = render.get("max_silence")
    return float(v) if v is not None else None


def token_pieces(path):
    """Pitch sequences (one per piece) of an `lstmjam encode` tokens file."""
    pieces = []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            p = [int(t) for t in line.split() if t.isdigit()]
            if p:
                pieces.append(p)
    return pieces


def stretch_ratios(pieces, size, shuffles=20):
    """Distinct 8-gram ratios of size-note stretches of the pieces strung
    together in random order (seeded), each piece whole."""
    import random
    out = []
    for seed in range(shuffles):
        order = pieces[:]
        random.Random(seed).shuffle(order)
        cur = []
        for p in order:
            cur += p
            if len(cur) >= size:
                out.append(distinct_ratio(cur[:size]))
                cur = []
    return sorted(out)


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        return 2
    max_silence, min_distinct, corpus, corpus_tokens = 8.0, 0.7, [], None
    if "--corpus" in argv:
        i = argv.index("--corpus")
        corpus = argv[i + 1:]
        argv = argv[:i]
    if "--corpus-tokens" in argv:
        corpus_tokens = argv[argv.index("--corpus-tokens") + 1]
    if "--preset" in argv:
        path = argv[argv.index("--preset") + 1]
        try:
            v = preset_max_silence(path)
        except (OSError, ImportError, ValueError, AttributeError) as e:
            print("longform_check: %s: %s" % (path, e), file=sys.stderr)
            return 2
        if v is None:
            print("longform_check: %s: no render.max_silence" % path, file=sys.stderr)
            return 2
        max_silence = v
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
    if corpus_tokens:
        pieces = token_pieces(corpus_tokens)
        rs = stretch_ratios(pieces, len(pitches))
        if rs:
            n = len(rs)
            print("  corpus %s (%d pieces): %d stretches of %d notes in random order: "
                  "distinct pitch 8-grams min %.3f, 0.1%% %.3f, 1%% %.3f, median %.3f; "
                  "%d below the threshold"
                  % (corpus_tokens, len(pieces), n, len(pitches), rs[0], rs[int(n * 0.001)],
                     rs[int(n * 0.01)], rs[n // 2], sum(r < min_distinct for r in rs)))
    print("  %s" % ("pass" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
