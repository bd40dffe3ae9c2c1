#!/usr/bin/python3
"""One training step's loss and gradients in PyTorch, for holding against the engine's
(tests/nn/model-grad-torch.test.ts, in the manner of llm.c's test_gpt2.c).

It computes what the engine's step computes (src/train/gradients.ts, BatchGradients.compute):
parameter gradients zeroed, forward through encoder, quantizer (straight-through) and decoder,
the loss as the mean over the whole batch with the input as its own target, backward.

  /usr/bin/python3 bench/pytorch/grad_check.py --weights w.clweights --batch x.f32 --segment 8192 \\
      --losses wave-l1,mel-db-l1 --dtypes float32,float64 --out-dir out/

--batch is raw float32 little-endian audio, B segments of --segment samples one after another.
For each loss and dtype, <out-dir>/<loss>.<dtype>.grads is written in the weights format
(src/nn/weights.ts): every parameter's gradient under that parameter's name and shape (stored as
float32), and in its meta the loss name, the loss value and the latent before and after the
quantizer ([B, 8, T/64], row-major), so the caller can tell a quantizer disagreement from a
gradient one. float64 is the same step free of float32 rounding: against it, the engine's float32
error can be held to PyTorch's own float32 error, tensor by tensor.
"""
import argparse
import copy
import os
import sys

import torch

import codec_ref


def read_batch(path, segment, dtype):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    x = torch.frombuffer(data, dtype=torch.float32)
    if segment <= 0 or x.numel() == 0 or x.numel() % segment:
        raise SystemExit(f"{path}: {x.numel()} samples is not a whole number of {segment}-sample segments")
    return x.reshape(-1, 1, segment).to(dtype)


def step(codec, loss_fn, x):
    """Loss and gradients of one step; the pre-quantization latent and the quantized one."""
    codec.zero_grad(set_to_none=False)
    z = codec.pre_quant(x)
    q = codec.encoder[-1](z)
    y = codec.decoder(q)
    loss = loss_fn(y, x)
    loss.backward()
    return loss, z.detach(), q.detach()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", required=True, help="Codec Lab weights file")
    ap.add_argument("--batch", required=True, help="float32 LE samples, [B, segment]")
    ap.add_argument("--segment", type=int, required=True, help="samples per segment")
    ap.add_argument("--losses", required=True, help="comma-separated loss names: " + ", ".join(codec_ref.LOSSES))
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--dtypes", default="float32", help="comma-separated: float32, float64")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    losses = args.losses.split(",")
    for name in losses:
        if name not in codec_ref.LOSSES:
            raise SystemExit(f"unknown loss '{name}'; choose from {', '.join(codec_ref.LOSSES)}")
    dtypes = args.dtypes.split(",")
    for name in dtypes:
        if name not in ("float32", "float64"):
            raise SystemExit(f"unknown dtype '{name}'; choose float32 or float64")
    try:
        weights, _ = codec_ref.load_codec(args.weights)
    except (OSError, ValueError) as e:
        raise SystemExit(str(e))
    os.makedirs(args.out_dir, exist_ok=True)
    for dtype_name in dtypes:
        dtype = getattr(torch, dtype_name)
        codec = copy.deepcopy(weights).to(dtype)
        x = read_batch(args.batch, args.segment, dtype)
        for name in losses:
            loss, z, q = step(codec, codec_ref.make_loss(name), x)
            grads = {n: p.grad for n, p in codec.named_parameters()}
            meta = {"kind": "gradients", "loss": name, "value": float(loss), "dtype": dtype_name,
                    "torch": torch.__version__, "latentShape": list(z.shape),
                    "preQuant": z.reshape(-1).tolist(), "quantized": q.reshape(-1).tolist()}
            codec_ref.write_weights(os.path.join(args.out_dir, f"{name}.{dtype_name}.grads"), codec.preset, grads, meta)
            print(f"{name} {dtype_name}: loss {float(loss):.9g}", file=sys.stderr)


if __name__ == "__main__":
    main()
