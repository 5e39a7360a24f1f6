#!/usr/bin/python3
"""quality.py: how close a model's music is to its corpus (issue 7's bars).

  tools/quality.py --lstmjam build/lstmjam --model M.lstm --config RECIPE.yaml
                   [--pieces N] [--primer-notes K] [--seed S] [--temperature T]
                   [--work DIR] [--plots DIR]

1. `lstmjam eval --export-midi` writes the recipe's held-out test split (the
   pieces the model never trained on) as MIDI, decoded by the model's own
   encoding (transposed and on its grid, as the model sees music);
2. for each of the first N test pieces, `lstmjam generate` continues its first
   K notes (default 4) with the model: until the model ends the piece (abc,
   timestep) or for as long as the test piece lasts (notechord, event, psd,
   pianoroll), at most 4x its tokens; seeds S, S+1, ...;
3. `lstmjam eval --generated ... --reference ...` compares the generated set
   with the N test pieces: MGEval's overlap areas and KL divergences per
   feature, and the pitch-class and note-length histograms of both sets (the
   C twin of tools/mgeval.py, same numbers; --plots DIR keeps its plots);
4. the baseline: the same comparison with the valid split's pieces in place
   of the generated ones (the corpus against itself).

The primers are part of the generated files (K notes of often hundreds); the
report says so. Prints everything it measures; writes nothing outside --work
(default a temporary folder)."""

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mgeval  # noqa: E402


def primer_text(notes, k):
    """The first k onsets of a piece as lstmjam generate's notes primer:
    chords joined by '+', each lasting until the next onset (MIDI numbers)."""
    groups = []
    for onset, length, pitch in notes:
        if groups and abs(groups[-1][0] - onset) < 1e-6:
            groups[-1][2].append(pitch)
            groups[-1][1] = max(groups[-1][1], length)
        else:
            if len(groups) == k:
                break
            groups.append([onset, length, [pitch]])
    out = []
    for i, (onset, length, pitches) in enumerate(groups):
        if i + 1 < len(groups):
            gap = groups[i + 1][0] - onset
            length = gap
        length = min(max(length, 0.125), 64)
        out.append("+".join(str(p) for p in sorted(set(pitches))) + ":%g" % round(length, 4))
    return " ".join(out)


def run(cmd, may_refuse=False):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode == 2 and may_refuse:
        return None
    if r.returncode:
        sys.stderr.write("quality: %s failed (exit %d):\n%s%s" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
        sys.exit(1)
    return r.stdout + r.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lstmjam", default="build/lstmjam")
    ap.add_argument("--model", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--pieces", type=int, default=100)
    ap.add_argument("--primer-notes", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--work")
    ap.add_argument("--plots", help="lstmjam eval's PNG plots of the generated set into this folder")
    ap.add_argument("--grammar", choices=("off", "syntax", "meter"),
                    help="abc tokens models: generate's --grammar (default: generate's own, syntax)")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="lstmjam-quality-")
    ref_dir, gen_dir = os.path.join(work, "test"), os.path.join(work, "generated")
    os.makedirs(gen_dir, exist_ok=True)
    info = run([a.lstmjam, "info", a.model])
    encoding = info.split("encoding ")[1].split()[0] if "encoding " in info else "?"
    print(run([a.lstmjam, "eval", "--model", a.model, "--data", a.config, "--split", "test", "-q",
               "--export-midi", ref_dir]).strip())
    refs = sorted(f for f in os.listdir(ref_dir) if f.endswith(".mid"))[:a.pieces]
    ends_pieces = encoding in ("timestep", "abc", "chars")
    used, notes_total, refused = [], 0, 0
    for i, f in enumerate(refs):
        notes = mgeval.read_notes(os.path.join(ref_dir, f))
        if len(notes) < a.primer_notes + 2:
            continue
        seconds = max(n[0] + n[1] for n in notes) * 0.5  # 120 qpm: the decoders' tempo
        length = "1pieces" if ends_pieces else "%gs" % round(seconds, 3)
        out = os.path.join(gen_dir, "gen-%05d.mid" % i)
        # abc models read ABC text primers, not notes: they start from their own "<s>"/"X:"
        primer = [] if encoding in ("abc", "chars") else ["--primer", primer_text(notes, a.primer_notes)]
        # pianoroll models draw keys from their own probabilities: no temperature
        temperature = [] if a.temperature == 1.0 else ["--temperature", str(a.temperature)]
        if run([a.lstmjam, "generate", "--model", a.model] + primer + [
             "--length", length, "--max-steps", "20000", "--seed", str(a.seed + i),
             "-q", "-o", out] + temperature + (["--grammar", a.grammar] if a.grammar else []),
             may_refuse=True) is None:
            refused += 1  # the model's encoding refused the primer (a pitch outside its vocabulary)
            continue
        used.append(os.path.join(ref_dir, f))
        notes_total += len(notes)
    print("generated %d pieces (%d primers refused by the encoding) (%s, temperature %g, seeds %d..%d), "
          "each continuing the first %d notes of a test piece (abc: from the model's own start)"
          % (len(used), refused, "until the model ends the piece" if ends_pieces else "as long as the test piece",
             a.temperature, a.seed, a.seed + len(refs) - 1, a.primer_notes))
    sys.stdout.flush()
    # lstmjam eval --generated computes what tools/mgeval.py does (the same
    # numbers; tests/test_mgeval.c holds it to mgeval.py's golden numbers).
    sets = [a.lstmjam, "eval", "-q", "--reference"] + used
    out = run(sets + ["--generated", gen_dir] + (["--plots", a.plots] if a.plots else []))
    print(out.rstrip())
    # The corpus against itself: the valid split's pieces in place of the
    # generated ones, the ceiling a model's numbers can be read against.
    valid_dir = os.path.join(work, "valid")
    run([a.lstmjam, "eval", "--model", a.model, "--data", a.config, "--split", "valid", "-q",
         "--export-midi", valid_dir])
    print("\nbaseline: the same %d test pieces against the valid split's pieces (corpus vs corpus)" % len(used))
    print(run(sets + ["--generated", valid_dir, "--max", str(len(used))]).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
