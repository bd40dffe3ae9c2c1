"""The model's output and every loss's value, for the export's parity test (tests/export/parity.test.ts).

    /usr/bin/python3 bench/pytorch/forward_check.py CASES.json

CASES.json lists cases {"weights", "layers", "input", "pred", "batch", "segment", "out"}: the weights
file, the engine's layer lists ({"encoder", "decoder"}, as experiment.json holds them), the input and
the engine's output as raw little-endian float32 [batch, 1, segment]. For each case it writes `out`
(JSON): this model's output on the input (a path beside `out`, `.f32`), the smallest distance of any
pre-quantizer value to a rounding boundary (in quantizer steps: a value nearer than float32 rounding
could round to another level in the other implementation), and every loss of the engine's output
against the input, so the loss values are compared on the same numbers.
"""
import json
import sys

import torch

import codec_ref


def read_f32(path, shape):
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32).clone().reshape(shape)


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    torch.set_num_threads(1)
    for case in cases:
        shape = (case["batch"], 1, case["segment"])
        codec, _ = codec_ref.load_codec(case["weights"], case["layers"])
        codec.eval()
        x = read_f32(case["input"], shape)
        pred = read_f32(case["pred"], shape)
        with torch.no_grad():
            y = codec(x)
            z = codec.pre_quant(x)
        n = 2 ** codec.encoder[-1].bits - 1
        u = (z.double() + 1.0) * 0.5 * n
        margin = float((u - torch.floor(u) - 0.5).abs().min())
        output = case["out"] + ".f32"
        with open(output, "wb") as f:
            f.write(y.contiguous().numpy().astype("<f4").tobytes())
        with torch.no_grad():
            losses = {name: float(codec_ref.make_loss(name)(pred, x)) for name in codec_ref.LOSSES}
        with open(case["out"], "w") as f:
            json.dump({"output": output, "boundaryMargin": margin, "losses": losses}, f)


if __name__ == "__main__":
    main()
