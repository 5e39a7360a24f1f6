#!/usr/bin/python3
"""Writes the golden files that tests/test_nade_golden.c compares lstmjam's
RNN-NADE head (model/nade.h) against.

PyTorch (Debian python3-torch) is the independent oracle, and it computes the
NADE differently from the C kernel: all D hidden pre-activations of a frame
at once as an exclusive cumulative sum over keys (N,D,Hn), then autograd;
the C code walks the keys and differentiates by hand. Computed in float64
from float32 inputs, stored as float32, so the C float kernel's error is
measured against (nearly) exact numbers. Run it from anywhere:

    /usr/bin/python3 tests/ref/nade_golden.py

It rewrites tests/data/golden/nade_*.bin (deterministic: fixed seeds), in the
"LJGOLD1" format of tests/ref/make_golden.py (its writer is reused). Records:
config.dims [N, R, D, Hn]; param.NAME for weight (D,R), bias (D),
hidden_weight (Hn,R), hidden_bias (Hn), nade_w_in (D,Hn), nade_v (D,Hn);
input.r (N,R); target (N,D); output.bt (N,D), output.ct (N,Hn),
output.probs (N,D) = p(v_d = 1 | target_<d); loss (1) = summed BCE / N;
grad.NAME for the six tensors and grad.r (N,R).
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden import OUT, write_golden  # noqa: E402

NAMES = ["weight", "bias", "hidden_weight", "hidden_bias", "nade_w_in", "nade_v"]


def nade_head(r, v, weight, bias, hidden_weight, hidden_bias, nade_w_in, nade_v):
    """RNN-NADE (Boulanger-Lewandowski et al. 2012) conditioned on r (N,R)."""
    bt = r @ weight.T + bias                     # (N,D)   b + W_rb r
    ct = r @ hidden_weight.T + hidden_bias       # (N,Hn)  c + W_rc r
    contrib = v[:, :, None] * nade_w_in[None]    # (N,D,Hn) v_d W_in[d,:]
    before = torch.cumsum(contrib, 1) - contrib  # sum over keys < d
    a = ct[:, None, :] + before                  # (N,D,Hn)
    h = torch.sigmoid(a)
    logits = bt + (h * nade_v[None]).sum(-1)     # (N,D)
    n = r.shape[0]
    loss = F.binary_cross_entropy_with_logits(logits, v, reduction="sum") / n
    return loss, torch.sigmoid(logits), bt, ct


def nade_head_loop(r, v, p):
    """The same model key by key (the paper's recurrence), as a self-check."""
    bt = r @ p[0].T + p[1]
    a = r @ p[2].T + p[3]
    total = 0
    for d in range(v.shape[1]):
        z = bt[:, d] + (torch.sigmoid(a) * p[5][d]).sum(-1)
        total = total + F.binary_cross_entropy_with_logits(z, v[:, d], reduction="sum")
        a = a + v[:, d:d + 1] * p[4][d]
    return total / r.shape[0]


def golden_nade(fname, seed, N, R, D, Hn, density, soft_frames=0):
    torch.manual_seed(seed)
    bound = 1 / R ** 0.5  # nn.Linear's default init range
    params32 = [
        (torch.rand(D, R) * 2 - 1) * bound,
        (torch.rand(D) * 2 - 1) * bound - 1.0,  # keys mostly off, as in music
        (torch.rand(Hn, R) * 2 - 1) * bound,
        (torch.rand(Hn) * 2 - 1) * bound,
        torch.randn(D, Hn) * 0.5,
        torch.randn(D, Hn) * 0.5,
    ]
    r32 = torch.tanh(torch.randn(N, R))  # LSTM outputs live in (-1, 1)
    v32 = (torch.rand(N, D) < density).float()
    v32[0] = 0                           # an empty frame
    v32[1, 0] = v32[1, D - 1] = 1        # the first and the last key on
    for k in range(soft_frames):         # soft targets in [0, 1]
        v32[2 + k] = torch.rand(D) * (torch.rand(D) < 0.5)

    params = [t.double().requires_grad_(True) for t in params32]
    r = r32.double().requires_grad_(True)
    v = v32.double()
    loss, probs, bt, ct = nade_head(r, v, *params)
    check = nade_head_loop(r, v, params)
    assert abs(loss.item() - check.item()) < 1e-12 * abs(check.item()), "formulations differ"
    loss.backward()

    rec = [("config.dims", torch.tensor([N, R, D, Hn], dtype=torch.int32))]
    for name, t in zip(NAMES, params32):
        rec.append(("param." + name, t))
    rec.append(("input.r", r32))
    rec.append(("target", v32))
    rec.append(("output.bt", bt))
    rec.append(("output.ct", ct))
    rec.append(("output.probs", probs))
    rec.append(("loss", loss.reshape(1)))
    for name, p in zip(NAMES, params):
        rec.append(("grad." + name, p.grad))
    rec.append(("grad.r", r.grad))
    write_golden(os.path.join(OUT, fname), rec)
    print("%s: N=%d R=%d D=%d Hn=%d loss %.6f" % (fname, N, R, D, Hn, loss.item()))


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    # small: T*B = 4*3 frames, soft targets in two frames, dense keys
    golden_nade("nade_small.bin", 11, N=12, R=7, D=10, Hn=6, density=0.4, soft_frames=2)
    # piano-sized: 88 keys, sparse frames (about 4 keys on) as in JSB / Piano-midi
    golden_nade("nade_piano.bin", 12, N=8, R=8, D=88, Hn=16, density=0.05)


if __name__ == "__main__":
    main()
