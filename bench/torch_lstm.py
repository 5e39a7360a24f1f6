#!/usr/bin/python3
"""PyTorch peer for lstmjam's training and inference benchmarks.

Runs the same configurations as bench/bench_train.c (same shapes, float32, same
thread count, Adam, forward + backward + optimizer step per iteration) and
prints one line per measurement:
    torch train CONFIG B=.. T=.. threads=N tokens_per_s=X
    torch step  CONFIG threads=1 p50_us=X p99_us=Y

Usage: bench/torch_lstm.py [--threads 1,2] [--seconds 5] [--configs a,b,c,d,e]
       [--step-configs a,c,d] [--step-count 2000]
"""
import argparse
import time

import torch
import torch.nn as nn

# name: (input kind, input size, embed dim, layers, hidden, heads, T, B)
CONFIGS = {
    "a8": ("embedding", 83, 256, 1, 1024, "softmax83", 100, 8),
    "a32": ("embedding", 83, 256, 1, 1024, "softmax83", 100, 32),
    "b": ("onehot", 38, 0, 1, 256, "softmax38", 64, 64),
    "c": ("embedding", 358, 128, 3, 512, "softmax358", 100, 64),
    "d": ("onehot", 137, 0, 3, 512, "softmax137", 64, 64),
    "e": ("dense", 3, 0, 1, 128, "psd", 25, 64),
}


class Net(nn.Module):
    def __init__(self, kind, V, E, L, H, heads):
        super().__init__()
        self.kind, self.V = kind, V
        if kind == "embedding":
            self.embed = nn.Embedding(V, E)
            width = E
        else:
            width = V
        self.lstm = nn.LSTM(width, H, num_layers=L)
        if heads == "psd":
            self.pitch = nn.Linear(H, 128)
            self.step = nn.Linear(H, 1)
            self.duration = nn.Linear(H, 1)
        else:
            self.out = nn.Linear(H, V)
        self.heads = heads

    def forward(self, x):
        if self.kind == "embedding":
            x = self.embed(x)
        elif self.kind == "onehot":
            x = nn.functional.one_hot(x, self.V).float()
        h, _ = self.lstm(x)
        if self.heads == "psd":
            return self.pitch(h), self.step(h), self.duration(h)
        return self.out(h)


def make(name):
    kind, V, E, L, H, heads, T, B = CONFIGS[name]
    net = Net(kind, V, E, L, H, heads)
    g = torch.Generator().manual_seed(1)
    if kind == "dense":
        x = torch.randn(T, B, V, generator=g)
        y = (torch.randint(0, 128, (T, B), generator=g), torch.rand(T, B, 1, generator=g),
             torch.rand(T, B, 1, generator=g))
    else:
        x = torch.randint(0, V, (T, B), generator=g)
        y = torch.randint(0, V, (T, B), generator=g)
    return net, x, y, T, B


def loss_of(net, out, y):
    if net.heads == "psd":
        p, s, d = out
        ce = nn.functional.cross_entropy(p.reshape(-1, 128), y[0].reshape(-1))

        def mse_pp(pred, tgt):
            return ((pred - tgt) ** 2).mean() + 10 * torch.clamp(-pred, min=0).mean()
        return 0.05 * ce + mse_pp(s, y[1]) + mse_pp(d, y[2])
    return nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))


def bench_train(name, threads, seconds):
    torch.set_num_threads(threads)
    net, x, y, T, B = make(name)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=False)
        loss = loss_of(net, net(x), y)
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    n, t0 = 0, time.perf_counter()
    while True:
        step()
        n += 1
        el = time.perf_counter() - t0
        if el > seconds and n >= 3:
            break
    return T * B * n / el


def bench_step(name, count):
    torch.set_num_threads(1)
    net, x, _, _, _ = make(name)
    net.eval()
    times = []
    with torch.no_grad():
        state = None
        tok = x[:1, :1]
        for i in range(count + 50):
            t0 = time.perf_counter()
            inp = net.embed(tok) if net.kind == "embedding" else (
                nn.functional.one_hot(tok, net.V).float() if net.kind == "onehot" else tok)
            h, state = net.lstm(inp, state)
            out = net.out(h) if net.heads != "psd" else net.pitch(h)
            tok = out.argmax(-1) if net.kind != "dense" else x[:1, :1]
            if i >= 50:
                times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2] * 1e6, times[int(len(times) * 0.99)] * 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--configs", default="a8,a32,b,c,d,e")
    ap.add_argument("--step-configs", default="a32,c,d")
    ap.add_argument("--step-count", type=int, default=2000)
    a = ap.parse_args()
    for name in [c for c in a.configs.split(",") if c]:
        for th in [int(t) for t in a.threads.split(",")]:
            tps = bench_train(name, th, a.seconds)
            _, _, _, _, _, _, T, B = CONFIGS[name]
            print(f"torch train {name} B={B} T={T} threads={th} tokens_per_s={tps:.0f}", flush=True)
    for name in [c for c in a.step_configs.split(",") if c]:
        p50, p99 = bench_step(name, a.step_count)
        print(f"torch step {name} threads=1 p50_us={p50:.1f} p99_us={p99:.1f}", flush=True)


if __name__ == "__main__":
    main()
