#!/usr/bin/python3
"""Writes the golden files that tests/test_model_golden.c and
tests/test_optim.c compare lstmjam's kernels against.

PyTorch (Debian python3-torch) is the independent oracle: nn.LSTM, nn.Embedding,
nn.Linear, the loss functions and torch.optim. Run it from anywhere:

    /usr/bin/python3 tests/ref/make_golden.py

It rewrites tests/data/golden/*.bin (deterministic: fixed seeds). The C tests
read only those files, so they need no torch to run.

File format ("LJGOLD1"): 8 bytes magic b"LJGOLD1\\0", u32 record count, then
per record: u32 name length, name (UTF-8, no NUL), u32 dtype (0 float32,
1 int32), u32 ndim, ndim x u32 dims, then the elements little-endian, row-major.
"""
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "golden")


def write_golden(path, records):
    with open(path, "wb") as f:
        f.write(b"LJGOLD1\0")
        f.write(struct.pack("<I", len(records)))
        for name, t in records:
            t = t.detach().contiguous()
            if t.dtype in (torch.int64, torch.int32):
                dtype, data = 1, t.to(torch.int32).numpy().tobytes()
            else:
                dtype, data = 0, t.to(torch.float32).numpy().tobytes()
            nb = name.encode()
            f.write(struct.pack("<I", len(nb)) + nb)
            f.write(struct.pack("<II", dtype, t.dim()))
            f.write(struct.pack("<%dI" % t.dim(), *t.shape))
            f.write(data)


class Model(nn.Module):
    """input -> stacked LSTM (one nn.LSTM per layer, widths may differ) -> heads.
    Parameters are exported under lstmjam's (PyTorch nn.LSTM style) names."""

    def __init__(self, input_kind, input_size, embed_dim, hidden, heads):
        super().__init__()
        self.input_kind, self.input_size = input_kind, input_size
        self.embedding = nn.Embedding(input_size, embed_dim) if input_kind == "embedding" else None
        width = embed_dim if input_kind == "embedding" else input_size
        self.layers = nn.ModuleList()
        for h in hidden:
            self.layers.append(nn.LSTM(width, h))
            width = h
        self.heads = heads  # list of (name, kind, size, weight, pressure)
        self.linears = nn.ModuleList([nn.Linear(width, k) for (_, _, k, _, _) in heads])

    def named_export(self):
        out = []
        if self.embedding is not None:
            out.append(("embedding.weight", self.embedding.weight))
        for l, lstm in enumerate(self.layers):
            for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                out.append(("lstm.%s_l%d" % (p, l), getattr(lstm, p + "_l0")))
        for (name, _, _, _, _), lin in zip(self.heads, self.linears):
            out.append(("heads.%s.weight" % name, lin.weight))
            out.append(("heads.%s.bias" % name, lin.bias))
        return out

    def forward(self, inputs, targets):
        if self.input_kind == "embedding":
            x = self.embedding(inputs)
        elif self.input_kind == "onehot":
            x = F.one_hot(inputs, self.input_size).float()
        else:
            x = inputs
        for lstm in self.layers:
            x, _ = lstm(x)  # (T,B,H), zero initial state
        outs, losses = [], []
        for (name, kind, k, w, pressure), lin, tgt in zip(self.heads, self.linears, targets):
            y = lin(x)  # (T,B,K)
            outs.append(y)
            if kind == "softmax":
                loss = F.cross_entropy(y.reshape(-1, k), tgt.reshape(-1), ignore_index=-1)
            elif kind == "mse":
                loss = ((y - tgt) ** 2).mean() + pressure * torch.relu(-y).mean()
            else:  # bernoulli: summed over K, averaged over frames
                loss = F.binary_cross_entropy_with_logits(y, tgt, reduction="sum") / (
                    y.shape[0] * y.shape[1])
            losses.append(loss)
        total = sum(w * l for (_, _, _, w, _), l in zip(self.heads, losses))
        return outs, losses, total


def golden_model(fname, seed, input_kind, input_size, embed_dim, hidden, heads, T, B):
    torch.manual_seed(seed)
    m = Model(input_kind, input_size, embed_dim, hidden, heads)
    if input_kind == "dense":
        inputs = torch.randn(T, B, input_size)
    else:
        inputs = torch.randint(0, input_size, (T, B))
    targets = []
    for (_, kind, k, _, _) in heads:
        if kind == "softmax":
            t = torch.randint(0, k, (T, B))
            t[1, 0] = -1  # one ignored position
        elif kind == "mse":
            t = torch.rand(T, B, k) * 1.2 - 0.2
        else:
            t = (torch.rand(T, B, k) < 0.3).float()
        targets.append(t)

    rec = [("config.dims", torch.tensor([T, B], dtype=torch.int32))]
    for name, p in m.named_export():
        rec.append(("param." + name, p.detach().clone()))
    rec.append(("input", inputs))
    for (name, _, _, _, _), t in zip(heads, targets):
        rec.append(("target." + name, t))
    outs, losses, total = m(inputs, targets)
    total.backward()
    for (name, _, _, _, _), y, l in zip(heads, outs, losses):
        rec.append(("output." + name, y))
        rec.append(("loss." + name, l.reshape(1)))
    rec.append(("loss.total", total.reshape(1)))
    for name, p in m.named_export():
        rec.append(("grad." + name, p.grad.clone()))

    # 10 Adam steps on the same batch: the loss before each step.
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    adam_losses = []
    for _ in range(10):
        opt.zero_grad()
        _, _, total = m(inputs, targets)
        adam_losses.append(total.item())
        total.backward()
        opt.step()
    rec.append(("adam10.losses", torch.tensor(adam_losses)))
    write_golden(os.path.join(OUT, fname), rec)


def golden_optim(fname):
    """Each optimizer on a 37-element parameter from fixed gradients, 6 steps;
    clipping; the learning-rate schedules."""
    torch.manual_seed(7)
    n, steps = 37, 6
    p0 = torch.randn(n)
    grads = [torch.randn(n) * (0.5 + k) for k in range(steps)]
    rec = [("p0", p0), ("grads", torch.stack(grads))]
    configs = [
        ("sgd", lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)),
        ("sgd_nesterov", lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True)),
        ("sgd_plain", lambda p: torch.optim.SGD([p], lr=0.1)),
        ("adam", lambda p: torch.optim.Adam([p], lr=0.01, weight_decay=0.01)),
        ("adamw", lambda p: torch.optim.AdamW([p], lr=0.01, weight_decay=0.1)),
        ("adamax", lambda p: torch.optim.Adamax([p], lr=0.02)),
        ("rmsprop", lambda p: torch.optim.RMSprop([p], lr=0.01)),
        ("rmsprop_momentum", lambda p: torch.optim.RMSprop([p], lr=0.01, momentum=0.5,
                                                           weight_decay=0.01)),
    ]
    for name, make in configs:
        p = p0.clone().requires_grad_(True)
        opt = make(p)
        traj = []
        for k in range(steps):
            p.grad = grads[k].clone()
            opt.step()
            traj.append(p.detach().clone())
        rec.append(("optim." + name, torch.stack(traj)))

    # clip_grad_norm_ over two tensors, once clipping and once not.
    a, b = torch.randn(5, 3), torch.randn(11)
    for name, max_norm in (("clip_small", 1.0), ("clip_large", 100.0)):
        pa, pb = torch.zeros_like(a, requires_grad=True), torch.zeros_like(b, requires_grad=True)
        pa.grad, pb.grad = a.clone(), b.clone()
        norm = torch.nn.utils.clip_grad_norm_([pa, pb], max_norm)
        rec.append((name + ".in", torch.cat([a.reshape(-1), b])))
        rec.append((name + ".out", torch.cat([pa.grad.reshape(-1), pb.grad])))
        rec.append((name + ".norm", norm.reshape(1)))
        rec.append((name + ".max_norm", torch.tensor([max_norm])))

    # Schedules: the learning rate used at epochs 0..19.
    def lrs(make_sched, metrics=None):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        sched = make_sched(opt)
        out = []
        for e in range(20):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            if metrics is None:
                sched.step()
            else:
                sched.step(metrics[e])
        return torch.tensor(out)

    rec.append(("sched.step", lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, 3, gamma=0.5))))
    rec.append(("sched.cosine", lrs(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001))))
    val = [1.0, 0.9, 0.95, 0.92, 0.91, 0.905, 0.89, 0.9, 0.9, 0.9,
           0.9, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85]
    rec.append(("sched.plateau.metrics", torch.tensor(val)))
    rec.append(("sched.plateau", lrs(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(
        o, factor=0.5, patience=2, min_lr=0.01), val)))
    write_golden(os.path.join(OUT, fname), rec)


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    # 2-layer LSTM with embedding and a softmax head (widths differ per layer).
    golden_model("char_lstm.bin", 1, "embedding", 13, 7, [8, 6],
                 [("next", "softmax", 13, 1.0, 0.0)], T=6, B=3)
    # psd-style: 3 features -> LSTM -> pitch softmax + step/duration MSE with
    # positive pressure (TF music tutorial loss weights 0.05, 1, 1).
    golden_model("psd.bin", 2, "dense", 3, 0, [10],
                 [("pitch", "softmax", 16, 0.05, 0.0), ("step", "mse", 1, 1.0, 10.0),
                  ("duration", "mse", 1, 1.0, 10.0)], T=5, B=4)
    # piano-roll style: multi-hot frames -> 2-layer LSTM -> Bernoulli head.
    golden_model("bernoulli.bin", 3, "dense", 12, 0, [9, 9],
                 [("keys", "bernoulli", 12, 1.0, 0.0)], T=5, B=3)
    # one-hot input (column lookup in C, a real one-hot matmul in PyTorch).
    golden_model("onehot.bin", 4, "onehot", 9, 0, [7, 5],
                 [("next", "softmax", 9, 1.0, 0.0)], T=7, B=2)
    golden_optim("optim.bin")


if __name__ == "__main__":
    main()
