#!/usr/bin/python3
"""The PyTorch figures that tests/losses/losses.test.ts holds the engine's eleven losses to: each
loss's value on two fixed signals, and the directional derivative d loss / d pred . v for
v = sin(1.7 seed i + seed), seeds 1, 2, 3. The signals are defined by formula in that test
(B = 2 segments of T = 4096 samples, computed in float64, stored as float32).

  /usr/bin/python3 bench/pytorch/loss_table.py
"""
import torch

import codec_ref

B, T = 2, 4096


def signals():
    i = torch.arange(B * T, dtype=torch.float64)
    target = (0.4 * torch.sin(i * i * 0.37 + i * 1.3)).float().reshape(B, 1, T)
    pred = (0.3 * torch.sin(i * i * 0.11 + i * 0.7)).float().reshape(B, 1, T)
    return pred, target


def main():
    pred, target = signals()
    i = torch.arange(B * T, dtype=torch.float64)
    print(f"{'loss':12s} {'value':>14s}  d/dpred . v for seeds 1, 2, 3")
    for name in codec_ref.LOSSES:
        loss_fn = codec_ref.make_loss(name)
        p = pred.clone().requires_grad_(True)
        value = loss_fn(p, target)
        value.backward()
        dots = []
        for seed in (1, 2, 3):
            v = torch.sin(i * 1.7 * seed + seed).float().reshape(B, 1, T)
            dots.append(float((p.grad.double() * v.double()).sum()))
        print(f"{name:12s} {float(value):14.7g}  " + ", ".join(f"{d:.7g}" for d in dots))


if __name__ == "__main__":
    main()
