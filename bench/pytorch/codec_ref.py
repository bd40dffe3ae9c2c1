"""The reference codec of docs/reference-model.md in PyTorch: both presets, the quantizer with its
straight-through gradient, the eleven losses, and Codec Lab's weights file (src/nn/weights.ts).

Every definition here follows the engine's (src/nn/*, src/losses/*) so that a loss value or a
gradient computed here can be held against the engine's on the same weights and input
(grad_check.py), and so that the benchmark (torch_bench.py) times the same work.

Parameter names are the weights file's: `encoder.<i>.weight` for layer i of the preset's layer
list (tanh and the quantizer count as layers, as in src/nn/presets.ts), and
`encoder.<i>.conv3.weight` / `encoder.<i>.conv1.weight` inside a residual unit. Module order is
the file's tensor order, so `named_parameters()` lists the tensors as the file stores them.
"""
import json
import math
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

SAMPLE_RATE = 24000
SEGMENT = 8192
BATCH = 8
CHANNELS = {"small": (16, 32, 64, 64), "tiny": (8, 16, 32, 32)}
LATENT = 8
BITS = 4
# (encoder, decoder) parameter counts of docs/reference-model.md; tiny counted from the same layout.
PARAM_COUNTS = {"small": (76808, 76801), "tiny": (19720, 19713)}


class Elu(nn.Module):
    """ELU, then (training only) inverted dropout with probability p: the engine's dropout sits after
    every ELU (src/nn/model.ts), so it is part of this module rather than a layer of its own, which
    keeps the layer indices (and so the parameter names) those of the layer list."""

    def __init__(self, dropout=0.0):
        super().__init__()
        self.dropout = dropout

    def forward(self, x):
        y = F.elu(x)
        return F.dropout(y, self.dropout, self.training) if self.dropout > 0 else y


class Res(nn.Module):
    """y = x + Conv(c, c, 1)(ELU(Conv(c, c, 3, pad 1)(ELU(x))))."""

    def __init__(self, c, dropout=0.0):
        super().__init__()
        self.elu = Elu(dropout)
        self.conv3 = nn.Conv1d(c, c, 3, padding=1)
        self.conv1 = nn.Conv1d(c, c, 1)

    def forward(self, x):
        return x + self.conv1(self.elu(self.conv3(self.elu(x))))


class StraightThroughRound(torch.autograd.Function):
    """q = 2 round((z + 1) / 2 n) / n - 1 with n = 2^bits - 1; dq/dz taken as 1."""

    @staticmethod
    def forward(ctx, z, bits):
        n = float(2 ** bits - 1)
        return 2.0 * torch.round((z + 1.0) * 0.5 * n) / n - 1.0

    @staticmethod
    def backward(ctx, g):
        return g, None


class Quantizer(nn.Module):
    def __init__(self, bits):
        super().__init__()
        self.bits = bits

    def forward(self, z):
        return StraightThroughRound.apply(z, self.bits)


# ---- the layer list (src/nn/presets.ts LayerSpec) ----------------------------------------------
# A network is two lists of layer specs, as the engine stores them (JSON objects with a `kind`):
#   {"kind": "conv"|"convT", "cin", "cout", "k", "stride", "pad"}, {"kind": "elu"}, {"kind": "tanh"},
#   {"kind": "res", "c"}, {"kind": "quant", "bits"}.
# The exporter (src/export/) writes the engine's own lists for any shape; the two presets at their
# default shape are written out below so the bench and the gradient check need no engine.

def _conv(cin, cout, k, stride=1, pad=0):
    return {"kind": "conv", "cin": cin, "cout": cout, "k": k, "stride": stride, "pad": pad}


def _down(ci, co):
    return [{"kind": "res", "c": ci}, {"kind": "elu"}, _conv(ci, co, 8, 4, 2)]


def _up(ci, co):
    return [{"kind": "elu"}, {"kind": "convT", "cin": ci, "cout": co, "k": 8, "stride": 4, "pad": 2}, {"kind": "res", "c": co}]


def preset_layers(preset):
    """{"encoder": [...], "decoder": [...]}: the layer lists of a preset at its default shape
    (reference-model.md; src/nn/presets.ts makePreset with DEFAULT_SHAPE)."""
    if preset not in CHANNELS:
        raise ValueError(f"unknown preset '{preset}'; choose one of {', '.join(CHANNELS)}")
    c1, c2, c3, c4 = CHANNELS[preset]
    return {
        "encoder": [_conv(1, c1, 7, 1, 3), *_down(c1, c2), *_down(c2, c3), *_down(c3, c4),
                    {"kind": "elu"}, _conv(c4, LATENT, 3, 1, 1), {"kind": "tanh"}, {"kind": "quant", "bits": BITS}],
        "decoder": [_conv(LATENT, c4, 3, 1, 1), *_up(c4, c3), *_up(c3, c2), *_up(c2, c1),
                    {"kind": "elu"}, _conv(c1, 1, 7, 1, 3), {"kind": "tanh"}],
    }


def build_layer(spec, dropout=0.0):
    """The module of one layer spec."""
    kind = spec["kind"]
    if kind == "conv":
        return nn.Conv1d(spec["cin"], spec["cout"], spec["k"], stride=spec["stride"], padding=spec["pad"])
    if kind == "convT":
        return nn.ConvTranspose1d(spec["cin"], spec["cout"], spec["k"], stride=spec["stride"], padding=spec["pad"])
    if kind == "elu":
        return Elu(dropout)
    if kind == "tanh":
        return nn.Tanh()
    if kind == "res":
        return Res(spec["c"], dropout)
    if kind == "quant":
        return Quantizer(spec["bits"])
    raise ValueError(f"unknown layer kind {kind!r}")


class Codec(nn.Module):
    """encoder: [B, 1, T] -> quantized latent [B, latent, T/hop]; decoder: latent -> [B, 1, T].

    Codec('tiny') and Codec('small') are the reference presets; with `layers` ({"encoder": [...],
    "decoder": [...]}, the engine's lists) it is any network the engine builds from a preset and a
    shape. `dropout`: the probability of the inverted dropout after every ELU while training.
    """

    def __init__(self, preset, layers=None, dropout=0.0):
        super().__init__()
        self.preset = preset
        layers = layers if layers is not None else preset_layers(preset)
        if layers["encoder"][-1]["kind"] != "quant":
            raise ValueError("the encoder's last layer must be the quantizer")
        self.layers = layers
        self.encoder = nn.Sequential(*(build_layer(s, dropout) for s in layers["encoder"]))
        self.decoder = nn.Sequential(*(build_layer(s, dropout) for s in layers["decoder"]))

    def pre_quant(self, x):
        """The latent before the quantizer (the tanh output)."""
        return self.encoder[:-1](x)

    def forward(self, x):
        return self.decoder(self.encoder(x))


# ---- losses (src/losses/*) -------------------------------------------------------------------

DB_FLOOR = 1e-5  # src/losses/stages.ts
MAG_FLOOR = 1e-4  # src/losses/mrstft.ts (auraloss clamps |X|^2 at 1e-8)


def mel_filterbank(n_fft=1024, n_mels=64, f_min=0.0, f_max=12000.0, sample_rate=SAMPLE_RATE):
    """HTK mel, triangular, no area normalisation, [n_freqs, n_mels]; as
    torchaudio.functional.melscale_fbanks(norm=None, mel_scale="htk") and src/losses/mel.ts."""
    n_freqs = n_fft // 2 + 1
    freqs = torch.arange(n_freqs, dtype=torch.float64) * sample_rate / n_fft
    hz_to_mel = lambda f: 2595.0 * math.log10(1.0 + f / 700.0)
    mels = torch.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2, dtype=torch.float64)
    edges = 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    width = edges[1:] - edges[:-1]
    slopes = edges.unsqueeze(0) - freqs.unsqueeze(1)
    rising = -slopes[:, :-2] / width[:-1]
    falling = slopes[:, 2:] / width[1:]
    return torch.clamp(torch.minimum(rising, falling), min=0.0).float()


def stft_magnitude(x, n_fft, hop=None):
    """|STFT| of x [B, 1, T] or [B, T]: periodic Hann, centred, reflect padding; [B, bins, frames]."""
    x = x.reshape(-1, x.shape[-1])
    # On the input's device: a CPU window with CUDA audio is an error (the exported trainer runs on GPUs).
    window = torch.hann_window(n_fft, periodic=True, dtype=x.dtype, device=x.device)
    spec = torch.stft(x, n_fft=n_fft, hop_length=hop or n_fft // 4, win_length=n_fft, window=window,
                      center=True, pad_mode="reflect", return_complex=True)
    return spec.abs()


def to_db(m):
    return 20.0 * torch.log10(torch.clamp(m, min=DB_FLOOR))


# The loss grid (src/losses/spaces.ts, distance.ts, space-loss.ts): a space is a chain of stages that
# takes a waveform there, a distance compares the two sides in it; composed as auraloss composes its
# STFT losses. autograd supplies every backward here, so the engine's hand-written ones are checked.

def _mel_bands(m):
    return torch.matmul(mel_filterbank().to(device=m.device, dtype=m.dtype).t(), m)


def _stft_1024(x):
    return stft_magnitude(x, 1024, 256)


SPACES = {
    "wave": (),
    "stft": (_stft_1024,),
    "stft-db": (_stft_1024, to_db),
    "mel": (_stft_1024, _mel_bands),
    "mel-db": (_stft_1024, _mel_bands, to_db),
}

DISTANCES = {
    "l1": lambda a, b: (a - b).abs().mean(),
    "l2": lambda a, b: ((a - b) ** 2).mean(),
}


def space_loss(space, distance):
    """The distance between prediction and target, both taken into the space by its stages."""
    stages, dist = SPACES[space], DISTANCES[distance]

    def into(x):
        for stage in stages:
            x = stage(x)
        return x

    return lambda pred, target: dist(into(pred), into(target))


def mrstft(resolutions=(512, 1024, 2048), split=None):
    """Mean over resolutions of spectral convergence + mean log-magnitude distance (src/losses/mrstft.ts).

    `split`: (weight, all_sum) when the batch is one process's share of a batch split between
    processes (torch-export/train.py), as the engine's SplitBatch (src/losses/loss.ts) is for its
    threads: the spectral convergence takes the whole batch's norms (all_sum adds a float64 tensor of
    sums over the processes), so its value is the whole batch's in every process, and its gradient is
    divided by `weight` (the share's examples over the batch's), since the trainer multiplies each
    share's loss by it. The log term is a mean: right on each share as it is."""

    def one(pred, target, n_fft):
        y = torch.clamp(stft_magnitude(pred, n_fft), min=MAG_FLOOR)
        x = torch.clamp(stft_magnitude(target, n_fft), min=MAG_FLOOR)
        lm = (torch.log(y) - torch.log(x)).abs().mean()
        if split is None:
            return torch.linalg.norm(y - x) / torch.linalg.norm(x) + lm
        weight, all_sum = split
        diff2 = ((y - x) ** 2).sum()
        totals = all_sum(torch.stack([diff2.detach(), (x ** 2).sum().detach()]).to(torch.float64))
        d_norm, r_norm = math.sqrt(float(totals[0])), math.sqrt(float(totals[1]))
        # d (||Y - X|| / ||X||) / d(this share's prediction) = d(this share's ||Y - X||^2) / (2 ||Y - X|| ||X||):
        # a term whose value is 0 and whose gradient is that, over the share's weight.
        scale = 1.0 / (2.0 * d_norm * r_norm * weight) if d_norm > 0 else 0.0
        return (d_norm / r_norm) + (diff2 - diff2.detach()) * scale + lm

    return lambda pred, target: sum(one(pred, target, n) for n in resolutions) / len(resolutions)


# Every loss by name, in src/common/loss-scale.ts's order: the grid (space by distance), then mrstft.
LOSSES = {f"{space}-{distance}": (lambda s=space, d=distance: space_loss(s, d)) for space in SPACES for distance in DISTANCES}
LOSSES["mrstft"] = lambda split=None: mrstft(split=split)


def make_loss(name, split=None):
    """loss(pred, target) -> scalar, the mean over the whole batch, as the engine's Loss.compute.
    `split`: (weight, all_sum) for one share of a batch split between processes (see mrstft; the
    grid's losses are means, right on each share as they are)."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss '{name}'; choose one of {', '.join(LOSSES)}")
    return LOSSES[name](split) if name == "mrstft" else LOSSES[name]()


# ---- the weights file (src/nn/weights.ts) ------------------------------------------------------
#   "CLWEIGHT", uint32 LE header length H, H bytes of JSON (padded with spaces so the values start
#   at a multiple of 4), then float32 LE values at the offsets (in values) the header lists.

MAGIC = b"CLWEIGHT"


def read_weights(path):
    """(preset, {name: float32 tensor}, meta) from a Codec Lab weights file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        raise ValueError(f"{path}: not a Codec Lab weights file (bad magic)")
    (h_len,) = struct.unpack_from("<I", data, 8)
    header = json.loads(data[12:12 + h_len].decode("utf-8"))
    if header.get("format") != "codec-lab-weights":
        raise ValueError(f"{path}: not a Codec Lab weights file (wrong format tag)")
    values = torch.frombuffer(bytearray(data[12 + h_len:]), dtype=torch.float32)
    if values.numel() != header["total"]:
        raise ValueError(f"{path}: expected {header['total']} values, found {values.numel()}")
    tensors = {}
    for t in header["tensors"]:
        count = math.prod(t["shape"])
        tensors[t["name"]] = values[t["offset"]:t["offset"] + count].reshape(t["shape"]).clone()
    return header["preset"], tensors, header.get("meta", {})


def write_weights(path, preset, tensors, meta=None, shape=None):
    """Write {name: tensor} (every parameter of `preset`, in named_parameters order) as a weights file.
    `shape`: {"bits", "latentChannels", "hop", "width"} of a network that is not its preset's own
    shape (the header's "shape", without which the engine builds the preset itself)."""
    entries, chunks, offset = [], [], 0
    for name, t in tensors.items():
        flat = t.detach().to(torch.float32).reshape(-1).contiguous()
        entries.append({"name": name, "shape": list(t.shape), "offset": offset})
        chunks.append(flat)
        offset += flat.numel()
    header = {"format": "codec-lab-weights", "version": 1, "preset": preset}
    if shape is not None:
        header["shape"] = shape
    header = json.dumps({**header, "total": offset, "tensors": entries, "meta": meta or {}}).encode("utf-8")
    header += b" " * (-(12 + len(header)) % 4)
    body = torch.cat(chunks).numpy().astype("<f4").tobytes() if chunks else b""
    with open(path, "wb") as f:
        f.write(MAGIC + struct.pack("<I", len(header)) + header + body)


def load_codec(path, layers=None, dropout=0.0):
    """A Codec with the weights of a weights file; every parameter must be present with its shape.
    `layers`: the network's layer lists when it is not the preset's own (see Codec)."""
    preset, tensors, meta = read_weights(path)
    codec = Codec(preset, layers, dropout)
    params = dict(codec.named_parameters())
    if set(params) != set(tensors):
        missing, extra = sorted(set(params) - set(tensors)), sorted(set(tensors) - set(params))
        raise ValueError(f"{path}: tensors do not match preset '{preset}' (missing {missing}, unexpected {extra})")
    with torch.no_grad():
        for name, p in params.items():
            if tuple(tensors[name].shape) != tuple(p.shape):
                raise ValueError(f"{path}: {name} has shape {list(tensors[name].shape)}, expected {list(p.shape)}")
            p.copy_(tensors[name])
    return codec, meta
