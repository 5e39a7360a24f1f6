#!/usr/bin/python3
"""Output levels of the play presets: renders each preset for a while with a
given SoundFont and prints peak and RMS in dBFS, and the gain that would put
its RMS at the target level (capped so the peak keeps its headroom).

    tools/levels.py [--lstmjam build/lstmjam] [--minutes 1] [--soundfont SF2]
                    [--target-rms -20] [--max-peak -3] [PRESET ...]

Why: FluidSynth's default gain (0.2) is set for dense GM arrangements; a
solo melody on it comes out 40-50 dB below full scale, which a musician hears
as "nothing plays". Preset gains are chosen with this tool on the SoundFonts
the project uses (the system GM font installed by tools/install-deps.sh and
soundfonts/lstmjam-basic.sf2), and checked by it again when a model changes.
Needs numpy (/usr/bin/python3 on Debian with python3-numpy)."""
import argparse
import math
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def presets():
    d = os.path.join(ROOT, "presets")
    return sorted(f[:-5] for f in os.listdir(d) if f.endswith(".yaml"))


def levels(path):
    with wave.open(path) as w:
        if w.getsampwidth() != 2:
            raise SystemExit(f"{path}: expected 16-bit PCM")
        a = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64)
    a /= 32768.0
    peak = float(np.abs(a).max()) if a.size else 0.0
    rms = float(np.sqrt(np.mean(a * a))) if a.size else 0.0
    db = lambda x: 20 * math.log10(x) if x > 0 else -math.inf
    return db(peak), db(rms)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lstmjam", default=os.path.join(ROOT, "build", "lstmjam"))
    ap.add_argument("--minutes", type=float, default=1.0)
    ap.add_argument("--soundfont")
    ap.add_argument("--target-rms", type=float, default=-20.0)
    ap.add_argument("--max-peak", type=float, default=-3.0)
    ap.add_argument("preset", nargs="*")
    a = ap.parse_args()
    names = a.preset or presets()
    print(f"{'preset':22} {'gain':>5} {'peak dBFS':>9} {'RMS dBFS':>9} {'suggested gain':>14}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            out = os.path.join(tmp, name + ".wav")
            cmd = [a.lstmjam, "render", "--preset", name, "--minutes", str(a.minutes), "-o", out]
            if a.soundfont:
                cmd += ["--soundfont", a.soundfont]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                first = (r.stderr.strip().splitlines() or ["?"])[0]
                print(f"{name:22} (not rendered: {first})")
                continue
            gain = None  # render prints "..., gain G" on its settings line
            for line in r.stdout.splitlines():
                if ", gain " in line:
                    gain = float(line.rsplit(", gain ", 1)[1].split()[0].rstrip(","))
            if gain is None:
                raise SystemExit(f"{name}: render printed no gain")
            peak, rms = levels(out)
            if rms == -math.inf:
                print(f"{name:22} {gain:5.2f} {'silent':>9}")
                continue
            up = min(a.target_rms - rms, a.max_peak - peak)
            print(f"{name:22} {gain:5.2f} {peak:9.1f} {rms:9.1f} {gain * 10 ** (up / 20):14.2f}")


if __name__ == "__main__":
    sys.exit(main())
