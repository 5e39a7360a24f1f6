#!/usr/bin/python3
"""Lines up bench_train's and torch_lstm.py's output (read from stdin) as one
table: per config the best tokens/s over thread counts, the ratio, and the
share of the sgemm peak measured by bench_train in the same run (of lstmjam's
own sgemm, which the training layers run on, when the run measured it); per
step config the time to read its weight bytes once, measured beside it."""
import re
import sys

train, step, sgemm, own = {}, {}, {}, {}
for line in sys.stdin:
    f = line.split()
    if len(f) < 3:
        continue
    kv = dict(x.split("=", 1) for x in f if "=" in x)
    who, what = f[0], f[1]
    if what == "train":
        key = (who, f[2])
        tps = float(kv["tokens_per_s"])
        if tps > train.get(key, (0, 0, 0))[0]:
            train[key] = (tps, int(kv["threads"]), float(kv.get("gflops", 0)))
    elif what == "step":
        step[(who, f[2])] = (float(kv["p50_us"]), float(kv["p99_us"]),
                             float(kv.get("stream_p50_us", 0)), float(kv.get("weight_mb", 0)))
    elif what == "sgemm":
        sgemm[int(kv["threads"])] = float(kv["gflops"])
    elif what == "sgemm-own":
        own[int(kv["threads"])] = float(kv["gflops"])

configs = sorted({c for (_, c) in train}, key=lambda c: (c[0], len(c), c))
print(f"{'config':8} {'lstmjam tok/s':>14} {'thr':>3} {'PyTorch tok/s':>14} {'thr':>3} {'ratio':>6} {'GFLOP/s':>8} {'% sgemm peak':>12}")
for c in configs:
    lj = train.get(("lstmjam", c))
    pt = train.get(("torch", c))
    if not lj:
        continue
    peak = own.get(lj[1], sgemm.get(lj[1], 0))
    ratio = f"{lj[0] / pt[0]:.2f}x" if pt else "-"
    pts = f"{pt[0]:14.0f} {pt[1]:3d}" if pt else f"{'-':>14} {'-':>3}"
    share = f"{100 * lj[2] / peak:11.0f}%" if peak else "-"
    print(f"{c:8} {lj[0]:14.0f} {lj[1]:3d} {pts} {ratio:>6} {lj[2]:8.1f} {share:>12}")
if step:
    # floor: reading the step's weight bytes once on the same core in the same
    # run (bench_train); a step cannot be faster than its memory traffic.
    print()
    print(f"{'step':9} {'lstmjam p50 us':>14} {'p99 us':>8} {'weights MB':>10} {'read floor us':>13} {'floor/p50':>9} "
          f"{'PyTorch p50 us':>15} {'p99 us':>8} {'speed-up p50':>12}")
    for c in sorted({c for (_, c) in step}):
        lj, pt = step.get(("lstmjam", c)), step.get(("torch", c))
        if not lj:
            continue
        floor = (f"{lj[3]:10.2f} {lj[2]:13.1f} {100 * lj[2] / lj[0]:8.0f}%" if lj[2]
                 else f"{'-':>10} {'-':>13} {'-':>9}")
        if pt:
            print(f"{c:9} {lj[0]:14.1f} {lj[1]:8.1f} {floor} {pt[0]:15.1f} {pt[1]:8.1f} {pt[0] / lj[0]:11.2f}x")
        else:
            print(f"{c:9} {lj[0]:14.1f} {lj[1]:8.1f} {floor} {'-':>15} {'-':>8} {'-':>12}")
for t, g in sorted(sgemm.items()):
    print(f"sgemm peak (1024^3, OpenBLAS, {t} thread{'s' if t > 1 else ''}): {g:.1f} GFLOP/s")
for t, g in sorted(own.items()):
    print(f"sgemm peak (1024^3, lstmjam's own, {t} thread{'s' if t > 1 else ''}): {g:.1f} GFLOP/s"
          " (the % column's reference)")
