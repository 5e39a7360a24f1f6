#!/usr/bin/python3
"""Training parity with PyTorch: trains, in PyTorch, the very run that
`lstmjam train CONFIG --trace TRACE` did, and compares the validation curves.

    lstmjam train CONFIG --trace run.trace --run-dir RUN
    /usr/bin/python3 tests/ref/parity_train.py run.trace --metrics RUN/metrics.jsonl \\
        [--curve OUT.txt] [--golden OUT.txt] [--limit 0.02]

The trace (src/train/trace.h) holds lstmjam's initial weights, the data as the
model reads it (token ids, or the frames' model inputs and targets), the
offsets of every batch column and the learning rate of every step. This
script builds the same model as make_golden.py's Model (nn.Embedding /
one nn.LSTM per layer / nn.Linear heads with lstmjam's losses: softmax cross
entropy, MSE with positive pressure, Bernoulli), copies the initial weights
in, and trains it on the same batches: torch.optim.Adam or AdamW with the
trace's betas, eps and weight decay, torch.nn.utils.clip_grad_norm_ at the
trace's clip_norm, each step's learning rate from the trace; no dropout (the
trace refuses runs with dropout). It evaluates the validation loss whenever
lstmjam did (every eval_every steps and at the last step) the way lstmjam does
(src/train/evaluate.c): token models over consecutive windows of seq_len
tokens (the first eval_batches x batch windows, all when 0), mean loss per
token; frame models each valid piece whole from a zero state, its first frame
from a zero input (the first eval_batches pieces, all when 0), loss per
frame. Frame batches are the trainer's windows, where a step whose target is
a piece's first frame reads a zero input.

Prints the two curves side by side with the relative difference at each
step; with --limit L exits 1 when the largest relative difference exceeds L.
--curve writes "step lstmjam pytorch" lines (for the plot); --double trains
in float64 (lstmjam and this script otherwise both use float32): float32
against float64 PyTorch shows how far rounding alone moves the curve. --golden
writes "step pytorch_valid_loss" lines (tests/data/golden/parity_*.txt, which the
ctest compares lstmjam against with no torch installed).
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden import Model  # noqa: E402  (the model the golden tests check)


def read_lstm(path):
    """The .lstm container (model/modelfile.h): (meta dict of bytes, tensors
    dict of numpy arrays). Checksums are lstmjam's business: it wrote them."""
    data = open(path, "rb").read()
    if data[:8] != b"LSTMJAM\0":
        sys.exit("%s: not an .lstm file (magic %r)" % (path, data[:8]))
    version, n_meta, n_tensors = struct.unpack_from("<III", data, 8)
    data_offset, file_size = struct.unpack_from("<QQ", data, 20)
    if version != 1 or file_size != len(data):
        sys.exit("%s: version %d, size %d of %d bytes: not a trace this script reads" %
                 (path, version, len(data), file_size))
    at, meta, tensors = 36, {}, {}
    for _ in range(n_meta):
        (kl,) = struct.unpack_from("<H", data, at)
        key = data[at + 2:at + 2 + kl].decode()
        at += 2 + kl
        (vl,) = struct.unpack_from("<I", data, at)
        meta[key] = data[at + 4:at + 4 + vl]
        at += 4 + vl
    dtypes = {0: np.float32, 2: np.int32, 3: np.uint8}
    for _ in range(n_tensors):
        (nl,) = struct.unpack_from("<H", data, at)
        name = data[at + 2:at + 2 + nl].decode()
        at += 2 + nl
        dtype, ndim = struct.unpack_from("<BB", data, at)
        at += 2
        dims = struct.unpack_from("<%dI" % ndim, data, at)
        at += 4 * ndim
        off, nbytes, _crc = struct.unpack_from("<QQI", data, at)
        at += 20
        raw = data[data_offset + off:data_offset + off + nbytes]
        if dtype == 1:  # bf16: the high half of a float32
            a = (np.frombuffer(raw, np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            a = np.frombuffer(raw, dtypes[dtype])
        tensors[name] = a.reshape(dims)
    return meta, tensors


def parse_kv(text):
    out = {}
    for line in text.decode().splitlines():
        if line.strip():
            k, v = line.split(None, 1)
            out[k] = v
    return out


def build_model(meta, tensors):
    """make_golden.Model from the trace's model.config, with its weights."""
    inp, layers, heads = None, None, []
    for line in meta["model.config"].decode().splitlines():
        f = line.split()
        if not f:
            continue
        if f[0] == "input":
            inp = (f[1], int(f[2]), int(f[3]))
        elif f[0] == "layers":
            layers = [int(x) for x in f[1:]]
        elif f[0] == "head":
            if f[1] == "nade":
                sys.exit("parity_train.py: NADE heads are not modelled here")
            heads.append((f[2], f[1], int(f[3]), float(f[4]), float(f[5])))
        elif f[0] in ("dropout", "input_dropout") and float(f[1]) > 0:
            sys.exit("parity_train.py: the model has %s %s: parity runs are without dropout" % (f[0], f[1]))
    m = Model(inp[0], inp[1], inp[2], layers, heads)
    with torch.no_grad():
        for name, p in m.named_export():
            if name not in tensors:
                sys.exit("parity_train.py: the trace has no tensor %s" % name)
            src = torch.from_numpy(tensors[name].copy())
            if src.shape != p.shape:
                sys.exit("parity_train.py: %s: trace shape %s, model %s" % (name, tuple(src.shape), tuple(p.shape)))
            p.copy_(src)
    return m, heads


class Data:
    """Batches and validation sets from the trace, as the trainer builds them."""

    def __init__(self, cfg, tensors, heads):
        self.kind, self.heads = cfg["kind"], heads
        self.T, self.B = int(cfg["seq_len"]), int(cfg["batch"])
        self.eval_batches = int(cfg["eval_batches"])
        if self.kind == "tokens":
            self.train = torch.from_numpy(tensors["data.train.ids"].astype(np.int64))
            self.valid = torch.from_numpy(tensors["data.valid.ids"].astype(np.int64))
        else:
            self.tin = torch.from_numpy(tensors["data.train.inputs"].copy())
            self.tfr = torch.from_numpy(tensors["data.train.frames"].copy())
            self.vin = torch.from_numpy(tensors["data.valid.inputs"].copy())
            self.vfr = torch.from_numpy(tensors["data.valid.frames"].copy())
            self.vstart = tensors["data.valid.starts"].astype(np.int64)
            # a window step whose target starts a piece reads a zero input
            starts = torch.from_numpy(tensors["data.train.starts"].astype(np.int64))
            self.starts_piece = torch.zeros(len(self.tfr), dtype=torch.bool)
            self.starts_piece[starts] = True
            self.field_offsets = tensors["data.field_offsets"].astype(np.int64)

    def frame_targets(self, frames):
        """Per-head targets of frames (..., dim): enc_frame_fill_column."""
        out = []
        for (_, kind, k, _, _), fo in zip(self.heads, self.field_offsets):
            if kind == "softmax":
                v = frames[..., fo]
                ids = v.to(torch.int64)
                out.append(torch.where((v >= 0) & (v < k), ids, torch.full_like(ids, -1)))
            else:
                out.append(frames[..., fo:fo + k])
        return out

    def batch(self, offsets):
        idx = torch.from_numpy(offsets.astype(np.int64))[None, :] + torch.arange(self.T)[:, None]  # (T,B)
        if self.kind == "tokens":
            return self.train[idx], [self.train[idx + 1]]
        x = self.tin[idx] * ~self.starts_piece[idx + 1][..., None]  # enc_frame_fill_window
        return x, self.frame_targets(self.tfr[idx + 1])

    @torch.no_grad()
    def validate(self, m):
        total, count = 0.0, 0
        if self.kind == "tokens":
            T, B = self.T, self.B
            nw = (len(self.valid) - 1) // T if len(self.valid) > T else 0
            if self.eval_batches > 0:
                nw = min(nw, self.eval_batches * B)
            for w in range(0, nw, B):
                cols = torch.arange(w, min(w + B, nw))
                idx = cols[None, :] * T + torch.arange(T)[:, None]  # (T, filled)
                _, _, loss = m(self.valid[idx], [self.valid[idx + 1]])
                total += loss.item() * idx.numel()
                count += idx.numel()
        else:
            # every frame of each piece, the first from a zero input (enc_frame_fill_steps)
            ends = list(self.vstart[1:]) + [len(self.vfr)]
            pieces = 0
            for s0, s1 in zip(self.vstart, ends):
                s0, L = int(s0), int(s1) - int(s0)
                if self.eval_batches > 0 and pieces >= self.eval_batches:
                    break
                if L < 1:
                    continue
                x = torch.cat([torch.zeros_like(self.vin[:1]), self.vin[s0:s0 + L - 1]]).unsqueeze(1)  # (T,1,in)
                tg = [t.unsqueeze(1) for t in self.frame_targets(self.vfr[s0:s0 + L])]
                _, _, loss = m(x, tg)
                total += loss.item() * L
                count += L
                pieces += 1
        return total / count


def c_valid_losses(path):
    out = {}
    with open(path) as f:
        for line in f:
            j = json.loads(line)
            if "valid_loss" in j:
                out[j["step"]] = j["valid_loss"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trace")
    ap.add_argument("--metrics", help="lstmjam's metrics.jsonl of the traced run")
    ap.add_argument("--curve", help="write 'step lstmjam pytorch' lines")
    ap.add_argument("--golden", help="write 'step pytorch' lines")
    ap.add_argument("--limit", type=float, help="exit 1 if max relative difference > LIMIT")
    ap.add_argument("--double", action="store_true",
                    help="train in float64: the rounding noise floor (float32 vs float64 PyTorch)")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)  # nothing random is drawn; set for good measure

    meta, tensors = read_lstm(a.trace)
    if "trace.config" not in meta:
        sys.exit("%s: not a trace (no trace.config): write one with lstmjam train --trace" % a.trace)
    cfg = parse_kv(meta["trace.config"])
    m, heads = build_model(meta, tensors)
    data = Data(cfg, tensors, heads)
    if a.double:
        m.double()
        if data.kind == "frames":
            data.tin, data.tfr, data.vin, data.vfr = (t.double() for t in (data.tin, data.tfr, data.vin, data.vfr))
    offsets, lrs = tensors["batch.offsets"], tensors["batch.lr"]
    steps, eval_every = offsets.shape[0], int(cfg["eval_every"])
    clip = float(cfg["clip_norm"])
    kw = dict(lr=float(lrs[0]) if steps else 1e-3, betas=(float(cfg["beta1"]), float(cfg["beta2"])),
              eps=float(cfg["eps"]), weight_decay=float(cfg["weight_decay"]))
    if cfg["optimizer"] == "adam":
        opt = torch.optim.Adam(m.parameters(), **kw)
    elif cfg["optimizer"] == "adamw":
        opt = torch.optim.AdamW(m.parameters(), **kw)
    else:
        sys.exit("parity_train.py: optimizer %s: only adam and adamw are modelled" % cfg["optimizer"])

    curve = []
    for s in range(steps):
        x, targets = data.batch(offsets[s])
        opt.zero_grad()
        _, _, loss = m(x, targets)
        loss.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(m.parameters(), clip)
        for g in opt.param_groups:
            g["lr"] = float(lrs[s])
        opt.step()
        if (s + 1) % eval_every == 0 or s + 1 == steps:
            v = data.validate(m)
            curve.append((s + 1, v))
            if not a.quiet:
                print("step %d: pytorch valid %.6f" % (s + 1, v), file=sys.stderr, flush=True)

    c = c_valid_losses(a.metrics) if a.metrics else {}
    worst = 0.0
    print("%6s %12s %12s %9s" % ("step", "lstmjam", "pytorch", "rel.diff"))
    for step, v in curve:
        if step in c:
            rel = abs(c[step] - v) / abs(v)
            worst = max(worst, rel)
            print("%6d %12.6f %12.6f %8.4f%%" % (step, c[step], v, 100 * rel))
        else:
            print("%6d %12s %12.6f" % (step, "-", v))
    if c:
        missing = sorted(set(c) - {s for s, _ in curve})
        if missing:
            sys.exit("lstmjam validated at steps %s that PyTorch did not reach" % missing)
        print("max relative difference of the validation losses: %.3f%% over %d evaluations, %d steps" %
              (100 * worst, len(curve), steps))
    if a.curve:
        with open(a.curve, "w") as f:
            for step, v in curve:
                f.write("%d %.6f %.6f\n" % (step, c.get(step, float("nan")), v))
    if a.golden:
        with open(a.golden, "w") as f:
            f.write("# step, PyTorch validation loss: tests/ref/parity_train.py on the trace of the\n"
                    "# same config (regenerate with tests/ref/make_parity_golden.sh)\n")
            for step, v in curve:
                f.write("%d %.6f\n" % (step, v))
    if a.limit is not None and c and worst > a.limit:
        print("FAIL: %.3f%% > %.3f%%" % (100 * worst, 100 * a.limit))
        sys.exit(1)


if __name__ == "__main__":
    main()
