#!/usr/bin/python3
"""mgeval.py: compare a set of generated MIDI files with a reference set.

The measures of MGEval (Yang and Lerch, "On the evaluation of generative
models in music", Neural Computing and Applications 2018), written again with
numpy only (the original needs pretty_midi, sklearn and scipy):

  per piece, nine features: used pitches (PC), pitch-class histogram (PCH),
  pitch-class transition matrix (PCTM), pitch range (PR), average absolute
  interval between consecutive notes (PI), note count (NC), average
  inter-onset interval in quarter notes (IOI), note-length histogram over 12
  classes (NLH) and note-length transition matrix (NLTM);

  per feature, the Euclidean distances between the pieces of the reference
  set (intra-set) and between each reference piece and each generated piece
  (inter-set); a Gaussian kernel density estimate of each distance set
  (Scott's bandwidth, as scipy.stats.gaussian_kde); the overlap area of the
  two densities (1 = the generated pieces sit among the reference pieces as
  the reference pieces sit among themselves) and the KL divergence
  KL(intra || inter) on a 1000-point grid, as MGEval's utils.kl_dist.

`lstmjam eval --generated GEN... --reference REF...` computes the same in C
(also from ABC, kern and JSB files, with JSON output and PNG plots); this
script stays as its independent reference: tests/ref/mgeval_golden.py writes
the golden numbers tests/test_mgeval.c holds the C code to.

It also prints the set-level pitch-class and note-length histograms of both
sets and their overlap (sum of minima, 1 = identical distributions).

usage: tools/mgeval.py REF_DIR_OR_FILES... -- GEN_DIR_OR_FILES... [--max N]
(reads .mid files; a directory is searched recursively; N pieces at most
from each side, the first N in sorted order)."""

import os
import struct
import sys

import numpy as np

# ---------------------------------------------------------------- MIDI reading


class MidiError(Exception):
    pass


def read_varlen(data, pos):
    value = 0
    for _ in range(4):
        if pos >= len(data):
            raise MidiError("variable-length number runs past the end at byte %d" % pos)
        b = data[pos]
        pos += 1
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            return value, pos
    raise MidiError("variable-length number longer than 4 bytes at byte %d" % pos)


def read_notes(path, stats=None):
    """Notes of a Standard MIDI File as (onset, length) in quarter notes and
    pitch, all tracks and channels but 10 (drums) merged, sorted by onset.
    stats (a dict), if given, receives 'unterminated' (note-ons with no
    note-off before their track's end: stuck notes), 'division' (ticks per
    quarter) and 'us_per_qn' (the first tempo, default 500000)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"MThd" or len(data) < 14:
        raise MidiError("%s: not a Standard MIDI File" % path)
    hlen = struct.unpack(">I", data[4:8])[0]
    _fmt, ntracks, division = struct.unpack(">HHH", data[8:14])
    if division & 0x8000:
        raise MidiError("%s: SMPTE time division not supported" % path)
    pos = 8 + hlen
    notes = []
    unterminated, us_per_qn = 0, None
    for _ in range(ntracks):
        if data[pos:pos + 4] != b"MTrk":
            raise MidiError("%s: expected MTrk at byte %d" % (path, pos))
        tlen = struct.unpack(">I", data[pos + 4:pos + 8])[0]
        p, end = pos + 8, pos + 8 + tlen
        pos = end
        tick, status = 0, 0
        held = {}
        while p < end:
            delta, p = read_varlen(data, p)
            tick += delta
            b = data[p]
            if b & 0x80:
                status = b
                p += 1
            elif not status:
                raise MidiError("%s: running status with no status at byte %d" % (path, p))
            if status == 0xFF:
                meta = data[p]
                p += 1
                ln, p = read_varlen(data, p)
                if meta == 0x51 and ln == 3 and us_per_qn is None:
                    us_per_qn = (data[p] << 16) | (data[p + 1] << 8) | data[p + 2]
                p += ln
                status = 0
                continue
            if status in (0xF0, 0xF7):
                ln, p = read_varlen(data, p)
                p += ln
                status = 0
                continue
            kind, ch = status & 0xF0, status & 0x0F
            nbytes = 1 if kind in (0xC0, 0xD0) else 2
            args = data[p:p + nbytes]
            p += nbytes
            if kind not in (0x80, 0x90) or ch == 9:
                continue
            key = (ch, args[0])
            if kind == 0x90 and args[1] > 0:
                if key in held:  # retrigger: end the sounding one
                    on = held.pop(key)
                    notes.append((on / division, (tick - on) / division, args[0]))
                held[key] = tick
            elif key in held:
                on = held.pop(key)
                notes.append((on / division, (tick - on) / division, args[0]))
        for (ch, pitch), on in held.items():  # unterminated: end at the track's end
            notes.append((on / division, (tick - on) / division, pitch))
            unterminated += 1
    notes.sort()
    if stats is not None:
        stats.update(unterminated=unterminated, division=division,
                     us_per_qn=us_per_qn if us_per_qn else 500000)
    return notes


# ---------------------------------------------------------------- features

# MGEval's 12 note-length classes, in quarter notes: whole, half, quarter,
# 8th, 16th, their dotted forms, and three triplets.
LENGTH_CLASSES = np.array([4, 2, 1, 0.5, 0.25, 6, 3, 1.5, 0.75, 0.375, 4 / 3, 2 / 3])
LENGTH_NAMES = ["1", "1/2", "1/4", "1/8", "1/16", "1.", "1/2.", "1/4.", "1/8.", "1/16.",
                "1/2t", "1/4t"]


def length_class(q):
    q = max(q, 1e-3)
    return int(np.argmin(np.abs(np.log2(LENGTH_CLASSES) - np.log2(q))))


def features(notes):
    pitches = np.array([n[2] for n in notes])
    onsets = np.array([n[0] for n in notes])
    classes = [length_class(n[1]) for n in notes]
    pch = np.bincount(pitches % 12, minlength=12).astype(float)
    pch /= max(pch.sum(), 1)
    pctm = np.zeros((12, 12))
    for a, b in zip(pitches[:-1], pitches[1:]):
        pctm[a % 12, b % 12] += 1
    pctm /= max(pctm.sum(), 1)
    nlh = np.bincount(classes, minlength=12).astype(float)
    nlh /= max(nlh.sum(), 1)
    nltm = np.zeros((12, 12))
    for a, b in zip(classes[:-1], classes[1:]):
        nltm[a, b] += 1
    nltm /= max(nltm.sum(), 1)
    distinct_onsets = np.unique(onsets)
    ioi = np.diff(distinct_onsets).mean() if len(distinct_onsets) > 1 else 0.0
    return {
        "PC": np.array([len(np.unique(pitches))], float),
        "PCH": pch,
        "PCTM": pctm.ravel(),
        "PR": np.array([pitches.max() - pitches.min()], float),
        "PI": np.array([np.abs(np.diff(pitches)).mean() if len(pitches) > 1 else 0.0]),
        "NC": np.array([len(pitches)], float),
        "IOI": np.array([ioi]),
        "NLH": nlh,
        "NLTM": nltm.ravel(),
    }


FEATURES = ["PC", "PCH", "PCTM", "PR", "PI", "NC", "IOI", "NLH", "NLTM"]

# ---------------------------------------------------------------- densities


def kde(samples):
    """Gaussian KDE with Scott's factor n^(-1/5), as scipy.stats.gaussian_kde
    in one dimension; a constant sample gets a tiny bandwidth."""
    samples = np.asarray(samples, float)
    sd = samples.std(ddof=1) if len(samples) > 1 else 0.0
    bw = max(sd * len(samples) ** (-0.2), 1e-6)

    def pdf(x):
        x = np.asarray(x, float)[:, None]
        z = (x - samples[None, :]) / bw
        return np.exp(-0.5 * z * z).sum(axis=1) / (len(samples) * bw * np.sqrt(2 * np.pi))

    return pdf


def overlap_area(a, b, points=2000):
    lo, hi = min(a.min(), b.min()), max(a.max(), b.max())
    if hi <= lo:
        return 1.0
    x = np.linspace(lo, hi, points)
    y = np.minimum(kde(a)(x), kde(b)(x))
    return float(np.sum((y[1:] + y[:-1]) * 0.5 * np.diff(x)))


def kl_divergence(a, b, points=1000):
    pa = kde(a)(np.linspace(a.min(), a.max(), points))
    pb = kde(b)(np.linspace(b.min(), b.max(), points))
    pa, pb = pa / pa.sum(), pb / pb.sum()
    mask = pa > 0
    return float(np.sum(pa[mask] * np.log(pa[mask] / np.maximum(pb[mask], 1e-300))))


# ---------------------------------------------------------------- sets


def midi_files(args):
    out = []
    for a in args:
        if os.path.isdir(a):
            for root, _, files in os.walk(a):
                out += [os.path.join(root, f) for f in files if f.lower().endswith((".mid", ".midi"))]
        else:
            out.append(a)
    return sorted(out)


def load_set(paths, limit):
    feats, all_notes, skipped = [], [], 0
    for path in paths:
        if limit and len(feats) >= limit:
            break
        try:
            notes = read_notes(path)
        except (MidiError, IndexError, struct.error) as e:
            print("mgeval: %s: %s (skipped)" % (path, e), file=sys.stderr)
            skipped += 1
            continue
        if len(notes) < 2:
            skipped += 1
            continue
        feats.append(features(notes))
        all_notes += notes
    return feats, all_notes, skipped


def histogram_overlap(p, q):
    return float(np.minimum(p, q).sum())


def main(argv):
    limit = 0
    if "--max" in argv:
        i = argv.index("--max")
        limit = int(argv[i + 1])
        del argv[i:i + 2]
    if "--" not in argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[-4:][0], file=sys.stderr)
        print("usage: tools/mgeval.py REF... -- GEN... [--max N]", file=sys.stderr)
        return 2
    sep = argv.index("--")
    ref, ref_notes, ref_skip = load_set(midi_files(argv[:sep]), limit)
    gen, gen_notes, gen_skip = load_set(midi_files(argv[sep + 1:]), limit)
    if len(ref) < 3 or len(gen) < 3:
        print("mgeval: need at least 3 pieces with 2 notes on each side (reference %d, generated %d)"
              % (len(ref), len(gen)), file=sys.stderr)
        return 2
    print("reference: %d pieces (%d skipped), %d notes; generated: %d pieces (%d skipped), %d notes"
          % (len(ref), ref_skip, len(ref_notes), len(gen), gen_skip, len(gen_notes)))
    print("%-5s %10s %10s %10s %10s %8s %8s" % ("feat", "ref mean", "ref sd", "gen mean", "gen sd",
                                                 "overlap", "KLD"))
    oas = []
    for name in FEATURES:
        r = np.array([f[name] for f in ref])
        g = np.array([f[name] for f in gen])
        intra = np.array([np.linalg.norm(r[i] - r[j]) for i in range(len(r)) for j in range(len(r)) if i != j])
        inter = np.array([np.linalg.norm(r[i] - g[j]) for i in range(len(r)) for j in range(len(g))])
        oa = overlap_area(intra, inter)
        oas.append(oa)
        # Scalar features show their value; vector ones the mean distance to
        # the reference set's mean vector (how far from typical).
        if r.shape[1] == 1:
            rm, rs, gm, gs = r.mean(), r.std(), g.mean(), g.std()
        else:
            c = r.mean(axis=0)
            dr, dg = np.linalg.norm(r - c, axis=1), np.linalg.norm(g - c, axis=1)
            rm, rs, gm, gs = dr.mean(), dr.std(), dg.mean(), dg.std()
        print("%-5s %10.3f %10.3f %10.3f %10.3f %8.3f %8.3f"
              % (name, rm, rs, gm, gs, oa, kl_divergence(intra, inter)))
    print("mean overlap area: %.3f" % np.mean(oas))
    rp = np.bincount([n[2] % 12 for n in ref_notes], minlength=12) / len(ref_notes)
    gp = np.bincount([n[2] % 12 for n in gen_notes], minlength=12) / len(gen_notes)
    names = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
    print("pitch classes (%):  " + " ".join("%5s" % n for n in names))
    print("  reference         " + " ".join("%5.1f" % (100 * v) for v in rp))
    print("  generated         " + " ".join("%5.1f" % (100 * v) for v in gp))
    print("  histogram overlap %.3f" % histogram_overlap(rp, gp))
    rl = np.bincount([length_class(n[1]) for n in ref_notes], minlength=12) / len(ref_notes)
    gl = np.bincount([length_class(n[1]) for n in gen_notes], minlength=12) / len(gen_notes)
    print("note lengths (%):   " + " ".join("%5s" % n for n in LENGTH_NAMES))
    print("  reference         " + " ".join("%5.1f" % (100 * v) for v in rl))
    print("  generated         " + " ".join("%5.1f" % (100 * v) for v in gl))
    print("  histogram overlap %.3f" % histogram_overlap(rl, gl))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
