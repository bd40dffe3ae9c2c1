#!/usr/bin/python3
"""Setup B of the reference codec in PyTorch: the preset's encoder and quantizer (codec_ref.Codec), and
a decoder that predicts the loss's spectrogram in dB at the STFT's frame rate (src/nn/presets.ts,
setupBPreset), with its loss computed in that space (src/train/spectrogram-loss.ts). Used by
tests/train/setup-b-torch.test.ts to hold the engine's decoder and objective against autograd.

  /usr/bin/python3 bench/pytorch/setup_b_ref.py --weights w.clweights --latent q.f32 --batch x.f32 \\
      --segment 4096 --loss mel-db-l1 --dtypes float32,float64 --out-dir out/

--weights is a Setup B weights file (its header says "setup": "B" and the spectrogram space).
--latent is the quantized latent [B, 8, segment/64] and --batch the audio [B, segment], raw float32
little-endian. For each dtype, <out-dir>/<loss>.<dtype>.f32 holds every parameter's gradient in
the weights file's order (raw float32 LE; the encoder's are zero: the decoder starts from the
latent), and <out-dir>/<loss>.<dtype>.json the loss value.
"""
import argparse
import json
import os

import torch
import torch.nn as nn

import codec_ref

STFT_HOP = 256
# dB = DB_SCALE * output + DB_OFFSET[space] (src/nn/spectrogram-output.ts).
DB_SCALE = 20.0
DB_OFFSET = {"stft-db": -20.0, "mel-db": 0.0}
BINS = {"stft-db": 513, "mel-db": 64}


class SetupBCodec(nn.Module):
    """Encoder as codec_ref.Codec; decoder:
    Conv(8, c4, 3, pad 1); Res(c4); ELU; Conv(c4, c4, 8, stride 4, pad 2); Res(c4); ELU; Conv(c4, F, 3, pad 1)."""

    def __init__(self, preset, space):
        super().__init__()
        c4 = codec_ref.CHANNELS[preset][3]
        self.space = space
        self.encoder = codec_ref.Codec(preset).encoder
        self.decoder = nn.Sequential(
            nn.Conv1d(codec_ref.LATENT, c4, 3, padding=1), codec_ref.Res(c4), nn.ELU(),
            nn.Conv1d(c4, c4, 8, stride=4, padding=2), codec_ref.Res(c4), nn.ELU(),
            nn.Conv1d(c4, BINS[space], 3, padding=1))


def spectrogram_loss(space, distance):
    """Mean L1 or L2 between the predicted levels and the target's first T/256 frames in dB."""

    def loss(pred, target):
        mag = codec_ref.stft_magnitude(target, 1024, STFT_HOP)  # [B, 513, T/256 + 1]
        if space == "mel-db":
            mag = torch.matmul(codec_ref.mel_filterbank().to(mag.dtype).t(), mag)
        levels = codec_ref.to_db(mag)[:, :, : pred.shape[-1]]
        d = DB_SCALE * pred + DB_OFFSET[space] - levels
        return d.abs().mean() if distance == "l1" else (d * d).mean()

    return loss


def read_f32(path, shape, dtype):
    with open(path, "rb") as f:
        x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    return x.reshape(shape).to(dtype)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", required=True)
    ap.add_argument("--latent", required=True)
    ap.add_argument("--batch", required=True)
    ap.add_argument("--segment", type=int, required=True)
    ap.add_argument("--loss", required=True, help="stft-db-l1, stft-db-l2, mel-db-l1 or mel-db-l2")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--dtypes", default="float32")
    args = ap.parse_args()

    preset, tensors, _ = codec_ref.read_weights(args.weights)
    space, distance = args.loss.rsplit("-", 1)
    if space not in BINS or distance not in ("l1", "l2"):
        raise SystemExit(f"'{args.loss}' is not a Setup B loss")
    model = SetupBCodec(preset, space)
    params = dict(model.named_parameters())
    if set(params) != set(tensors):
        raise SystemExit(f"{args.weights}: tensors do not match Setup B {preset} {space}")
    with torch.no_grad():
        for name, p in params.items():
            p.copy_(tensors[name])
    os.makedirs(args.out_dir, exist_ok=True)
    for dtype_name in args.dtypes.split(","):
        dtype = getattr(torch, dtype_name)
        m = model.to(dtype)
        x = read_f32(args.batch, (-1, 1, args.segment), dtype)
        q = read_f32(args.latent, (x.shape[0], codec_ref.LATENT, args.segment // 64), dtype)
        m.zero_grad(set_to_none=False)
        value = spectrogram_loss(space, distance)(m.decoder(q), x)
        value.backward()
        # The encoder takes no part (the decoder starts from the latent): its gradients are zero.
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in m.parameters()]
        flat = torch.cat([g.reshape(-1) for g in grads]).to(torch.float32)
        out = os.path.join(args.out_dir, f"{args.loss}.{dtype_name}")
        with open(out + ".f32", "wb") as f:
            f.write(flat.numpy().astype("<f4").tobytes())
        with open(out + ".json", "w") as f:
            json.dump({"loss": args.loss, "value": value.item()}, f)


if __name__ == "__main__":
    main()
