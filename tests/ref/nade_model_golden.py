#!/usr/bin/python3
"""Writes tests/data/golden/nade_model.bin: a whole lstmjam model with an
RNN-NADE head, for tests/test_model_golden.c.

The model: multi-hot frames of 12 keys (dense input) -> 2-layer LSTM (9, 7)
-> two heads on the top layer: "keys", an RNN-NADE over the next frame
(Hn = 5, loss weight 0.8), and "chord", a softmax over 5 classes (loss
weight 0.5), so the NADE's gradient meets another head's in the LSTM output.
PyTorch (Debian python3-torch) is the oracle: nn.LSTM, nn.Linear, the NADE as
an exclusive cumulative sum over keys (tests/ref/nade_golden.py's
formulation, not the C kernel's key-by-key walk) and autograd; torch.optim.Adam
(lr 1e-2) for 10 steps on the same batch. Computed in float64 from
float32-rounded weights and inputs, stored as float32, so the C float model's
error is measured against (nearly) exact numbers. Run from anywhere:

    /usr/bin/python3 tests/ref/nade_model_golden.py

Records ("LJGOLD1", tests/ref/make_golden.py's format and names): config.dims
[T, B]; param.NAME for every lstmjam tensor (arena order); input (T,B,12);
target.keys (T,B,12) (the next frames), target.chord (T,B) (one -1 = ignored);
output.keys = b_t (T,B,12), output.chord logits (T,B,5), probs.keys =
p(v_k = 1 | target_<k) (T,B,12); loss.keys, loss.chord, loss.total; grad.NAME;
adam10.losses (10) = the total loss before each Adam step.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden import OUT, write_golden  # noqa: E402
from nade_golden import nade_head  # noqa: E402

T, B, D, HN, CLASSES = 6, 3, 12, 5, 5
HIDDEN = [9, 7]
W_KEYS, W_CHORD = 0.8, 0.5


class NadeModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList()
        width = D
        for h in HIDDEN:
            self.layers.append(nn.LSTM(width, h))
            width = h
        self.keys = nn.Linear(width, D)          # heads.keys.weight/bias: b_t
        self.keys_hidden = nn.Linear(width, HN)  # heads.keys.hidden_weight/bias: c_t
        self.nade_w_in = nn.Parameter(torch.randn(D, HN) * 0.5)
        self.nade_v = nn.Parameter(torch.randn(D, HN) * 0.5)
        self.chord = nn.Linear(width, CLASSES)

    def named_export(self):
        out = []
        for l, lstm in enumerate(self.layers):
            for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                out.append(("lstm.%s_l%d" % (p, l), getattr(lstm, p + "_l0")))
        out += [("heads.keys.weight", self.keys.weight), ("heads.keys.bias", self.keys.bias),
                ("heads.keys.hidden_weight", self.keys_hidden.weight),
                ("heads.keys.hidden_bias", self.keys_hidden.bias),
                ("heads.keys.nade_w_in", self.nade_w_in), ("heads.keys.nade_v", self.nade_v),
                ("heads.chord.weight", self.chord.weight), ("heads.chord.bias", self.chord.bias)]
        return out

    def forward(self, x, next_frames, chord_ids):
        for lstm in self.layers:
            x, _ = lstm(x)  # (T,B,H), zero initial state
        r = x.reshape(T * B, -1)
        loss_keys, probs, bt, _ = nade_head(
            r, next_frames.reshape(T * B, D), self.keys.weight, self.keys.bias,
            self.keys_hidden.weight, self.keys_hidden.bias, self.nade_w_in, self.nade_v)
        logits = self.chord(x)
        loss_chord = F.cross_entropy(logits.reshape(-1, CLASSES), chord_ids.reshape(-1),
                                     ignore_index=-1)
        total = W_KEYS * loss_keys + W_CHORD * loss_chord
        return bt.reshape(T, B, D), probs.reshape(T, B, D), logits, loss_keys, loss_chord, total


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(21)
    m = NadeModel()
    with torch.no_grad():  # keys mostly off, as in music
        m.keys.bias.sub_(1.0)
        for _, p in m.named_export():  # float32-rounded weights, then float64
            p.copy_(p.float())
    m = m.double()
    frames = (torch.rand(T + 1, B, D) < 0.3).double()
    frames[2, 0] = 0  # an empty frame
    x, next_frames = frames[:T], frames[1:]
    chord = torch.randint(0, CLASSES, (T, B))
    chord[1, 2] = -1

    rec = [("config.dims", torch.tensor([T, B], dtype=torch.int32))]
    for name, p in m.named_export():
        rec.append(("param." + name, p.detach().clone()))
    rec.append(("input", x))
    rec.append(("target.keys", next_frames))
    rec.append(("target.chord", chord))
    bt, probs, logits, lk, lc, total = m(x, next_frames, chord)
    total.backward()
    rec += [("output.keys", bt), ("probs.keys", probs), ("output.chord", logits),
            ("loss.keys", lk.reshape(1)), ("loss.chord", lc.reshape(1)),
            ("loss.total", total.reshape(1))]
    for name, p in m.named_export():
        rec.append(("grad." + name, p.grad.clone()))

    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    adam = []
    for _ in range(10):
        opt.zero_grad()
        total = m(x, next_frames, chord)[-1]
        adam.append(total.item())
        total.backward()
        opt.step()
    rec.append(("adam10.losses", torch.tensor(adam)))
    write_golden(os.path.join(OUT, "nade_model.bin"), rec)
    print("nade_model.bin: T=%d B=%d D=%d Hn=%d loss %.6f -> %.6f after 10 Adam steps"
          % (T, B, D, HN, rec[-1][1][0].item(), adam[-1]))


if __name__ == "__main__":
    main()
