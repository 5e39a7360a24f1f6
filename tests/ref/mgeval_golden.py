#!/usr/bin/python3
"""Golden numbers for tests/test_mgeval.c from tools/mgeval.py (numpy).

Usage: tests/ref/mgeval_golden.py DIR > DIR/golden.txt

DIR holds reference/*.mid and generated/*.mid. Writes, with 17 significant
digits:
  piece SIDE FILE V1 ... V339   the nine features of each piece (PC, PCH,
                                PCTM, PR, PI, NC, IOI, NLH, NLTM end to end),
                                in sorted file order, SIDE reference|generated
  feature NAME OVERLAP KL       overlap area and KL(intra || inter)
  mean_overlap X
  hist pitch_class X            set-level histogram overlaps
  hist note_length X
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import mgeval  # noqa: E402


def main():
    root = sys.argv[1]
    sets = {}
    print("# tests/ref/mgeval_golden.py %s (tools/mgeval.py, numpy %s)" % (os.path.basename(root.rstrip("/")),
                                                                       np.__version__))
    for side in ("reference", "generated"):
        paths = mgeval.midi_files([os.path.join(root, side)])
        feats, notes, skipped = mgeval.load_set(paths, 0)
        assert skipped == 0 and len(feats) == len(paths)
        sets[side] = (feats, notes)
        for path, f in zip(paths, feats):
            v = np.concatenate([f[name] for name in mgeval.FEATURES])
            print("piece %s %s %s" % (side, os.path.basename(path), " ".join("%.17g" % x for x in v)))
    r, g = sets["reference"][0], sets["generated"][0]
    oas = []
    for name in mgeval.FEATURES:
        rr = np.array([f[name] for f in r])
        gg = np.array([f[name] for f in g])
        intra = np.array([np.linalg.norm(rr[i] - rr[j]) for i in range(len(rr)) for j in range(len(rr)) if i != j])
        inter = np.array([np.linalg.norm(rr[i] - gg[j]) for i in range(len(rr)) for j in range(len(gg))])
        oa = mgeval.overlap_area(intra, inter)
        oas.append(oa)
        print("feature %s %.17g %.17g" % (name, oa, mgeval.kl_divergence(intra, inter)))
    print("mean_overlap %.17g" % np.mean(oas))
    rn, gn = sets["reference"][1], sets["generated"][1]
    rp = np.bincount([n[2] % 12 for n in rn], minlength=12) / len(rn)
    gp = np.bincount([n[2] % 12 for n in gn], minlength=12) / len(gn)
    print("hist pitch_class %.17g" % mgeval.histogram_overlap(rp, gp))
    rl = np.bincount([mgeval.length_class(n[1]) for n in rn], minlength=12) / len(rn)
    gl = np.bincount([mgeval.length_class(n[1]) for n in gn], minlength=12) / len(gn)
    print("hist note_length %.17g" % mgeval.histogram_overlap(rl, gl))


if __name__ == "__main__":
    main()
