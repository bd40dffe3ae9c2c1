"""Train a Codec Lab experiment with PyTorch DistributedDataParallel and write a Codec Lab run folder.

    torchrun --nproc_per_node N train.py --steps S --runs DIR [--device cpu|cuda]

Made by `codec-lab export-torch`: this folder holds experiment.json (the settings and the network's
layer lists, from the engine), split.json (the train, validation and test segments), clips/ (the
audio at 24 kHz) and codec_ref.py (the model, the quantizer with its straight-through gradient, the
eleven losses and the weights file, the same file the lab's gradient test holds to the engine).

Each of the N processes takes its share of every batch of `batch` segments; DistributedDataParallel
averages the gradients, weighted so the step follows the mean loss over the whole batch as the engine's
does (src/train/gradients.ts, src/train/grad-team.ts). Process 0 writes ONE run folder under --runs:
config.json (with trainedWith), split.json, val_original.wav, test_original.wav, log.jsonl,
best.weights, last.weights and, at the end, metrics.json. Every file is written to a hidden temporary
name and renamed, and the folder itself appears only once its first files are all there.

Backend: NCCL on CUDA devices when CUDA is available (unless --device cpu), gloo on the CPU.
Run without torchrun (`python3 train.py ...`) it trains in one process.
"""
import argparse
import datetime
import json
import math
import os
import secrets
import socket
import struct
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import codec_ref  # noqa: E402

SAMPLE_RATE = codec_ref.SAMPLE_RATE


# ---- WAV: 32-bit float, mono, 24 kHz (what the engine writes with writeWav(..., 'float32')) -----

def read_wav_f32(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"{path}: not a WAV file")
    pos, fmt, samples = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = struct.unpack_from("<HHIIHH", body)
        elif cid == b"data":
            samples = body
        pos += 8 + size + (size & 1)
    if fmt is None or samples is None:
        raise ValueError(f"{path}: no fmt or data chunk")
    tag, channels, rate, _, _, bits = fmt
    if tag not in (3, 0xFFFE) or channels != 1 or rate != SAMPLE_RATE or bits != 32:
        raise ValueError(f"{path}: expected 32-bit float mono at {SAMPLE_RATE} Hz (format {tag}, {channels} ch, {rate} Hz, {bits} bits)")
    return torch.frombuffer(bytearray(samples), dtype=torch.float32).clone()


def wav_f32_bytes(samples):
    body = samples.detach().cpu().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, SAMPLE_RATE, SAMPLE_RATE * 4, 4, 32)
    return b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(body)) + b"WAVE" + \
        b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(body)) + body


# ---- the learning-rate schedule: src/common/lr-schedule.ts -----------------------------------

def schedule_gamma(s, total_steps):
    if s.get("gamma") is not None:
        return s["gamma"]
    span = max(1, total_steps - (s.get("warmupSteps") or 0))
    if s["name"] == "inverse-time":
        return 9 / span
    if s["name"] == "exponential":
        return 0.1 ** (1 / span)
    return 0.1


def learning_rate(base_lr, step, total_steps, s):
    """The rate of 0-based `step`: a linear warm-up, then the schedule over the steps after it."""
    warm = s.get("warmupSteps") or 0
    if step < warm:
        return base_lr * (step + 1) / warm
    t = step - warm
    name = s["name"]
    if name == "constant":
        return base_lr
    if name == "step":
        size = s.get("stepSize") or max(1, (total_steps - warm) // 3)
        return base_lr * schedule_gamma(s, total_steps) ** (t // size)
    if name == "inverse-time":
        return base_lr / (1 + schedule_gamma(s, total_steps) * t)
    if name == "exponential":
        return base_lr * schedule_gamma(s, total_steps) ** t
    if name == "cosine":
        span = max(1, total_steps - warm)
        min_lr = s.get("minLr") or 0
        return min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * min(t, span) / span))
    raise ValueError(f"unknown schedule {name!r}")


# ---- the optimizers: src/optim/optimizer.ts (OPTIMIZER_DEFAULTS) ------------------------------
# The engine's updates (src/kernels/assembly/optim.ts) are torch.optim's own formulas, so torch.optim
# is used with the engine's defaults; only `momentum`'s 0.9 differs from plain torch.optim.SGD.

OPTIMIZER_DEFAULTS = {
    "sgd": {"momentum": 0, "weightDecay": 0, "eps": 1e-8},
    "momentum": {"momentum": 0.9, "weightDecay": 0, "eps": 1e-8},
    "adagrad": {"momentum": 0, "weightDecay": 0, "eps": 1e-10},
    "rmsprop": {"momentum": 0, "weightDecay": 0, "eps": 1e-8},
    "adam": {"momentum": 0, "weightDecay": 0, "eps": 1e-8},
    "adamw": {"momentum": 0, "weightDecay": 0.01, "eps": 1e-8},
}


def make_optimizer(params, o, lr):
    name = o["name"]
    d = OPTIMIZER_DEFAULTS[name]
    get = lambda key, default: o[key] if o.get(key) is not None else default  # noqa: E731
    wd, eps = get("weightDecay", d["weightDecay"]), get("eps", d["eps"])
    betas = (get("beta1", 0.9), get("beta2", 0.999))
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=get("momentum", d["momentum"]), nesterov=bool(o.get("nesterov")), weight_decay=wd)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, weight_decay=wd, eps=eps)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=get("alpha", 0.99), eps=eps, weight_decay=wd, momentum=get("momentum", d["momentum"]))
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, eps=eps, weight_decay=wd)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, betas=betas, eps=eps, weight_decay=wd)
    raise ValueError(f"unknown optimizer {name!r}")


# ---- the data: src/data/dataset.ts (BatchSampler) ---------------------------------------------

def batch_shares(batch, world):
    """Each process's number of examples: the batch dealt as evenly as it goes, the last batch % world
    processes taking one more (as src/train/thread-count.ts batchShares deals it to threads)."""
    if batch < world:
        raise SystemExit(f"a batch of {batch} cannot be shared by {world} processes: each takes at least one example")
    return [batch // world + (1 if r >= world - batch % world else 0) for r in range(world)]


class Batches:
    """Random training crops: a training segment at random, slid right by up to a segment when the next
    segment of the clip is a training segment too; then the augmentations the run asks for. Each process
    draws from its own seeded generator (the engine's batches come from its own generator, so the
    examples are drawn alike, not the same)."""

    def __init__(self, clips, split, config, share, rank):
        self.clips, self.seg, self.share = clips, split["segment"], share
        self.train = split["train"]
        starts = {(s["clip"], s["start"]) for s in self.train}
        self.slack = [self.seg if (s["clip"], s["start"] + self.seg) in starts else 0 for s in self.train]
        self.aug = config["augment"]
        self.gen = torch.Generator().manual_seed(((config["seed"] ^ 0x5BD1E995) + 1000003 * rank) % 2 ** 63)

    def _int(self, n):
        return int(torch.randint(n, (1,), generator=self.gen))

    def next(self):
        out = torch.empty(self.share, 1, self.seg)
        gain_db, polarity, snr = self.aug.get("gainDb", 0), self.aug.get("polarity", False), self.aug.get("noiseSnrDb")
        for b in range(self.share):
            i = self._int(len(self.train))
            s = self.train[i]
            start = s["start"] + (self._int(self.slack[i] + 1) if self.slack[i] else 0)
            x = self.clips[s["clip"]][start:start + self.seg]
            gain = 1.0
            if gain_db > 0:
                gain = 10 ** (-float(torch.rand((), generator=self.gen)) * gain_db / 20)
            if polarity and float(torch.rand((), generator=self.gen)) < 0.5:
                gain = -gain
            x = x * gain
            if snr is not None:  # white noise at snr dB below the example's own power (src/data/augment.ts)
                power = float((x * x).mean())
                if power > 0:
                    x = x + math.sqrt(power / 10 ** (snr / 10)) * torch.randn(self.seg, generator=self.gen)
            out[b, 0] = x
        return out


def gather(clips, segments, seg):
    return torch.cat([clips[s["clip"]][s["start"]:s["start"] + seg] for s in segments]) if segments else torch.zeros(0)


# ---- the run folder: src/runs/run-dir.ts ------------------------------------------------------

def finite(v):
    """JSON has no NaN: a non-finite figure is written as null, as the engine's JSON.stringify does."""
    return v if v is not None and math.isfinite(v) else None


class RunFolder:
    """Process 0's run folder. Created whole: the first files go into a hidden folder
    `.label.PID-xxxxxxxx.tmp` (the engine's staging name, which its clean-up recognises) that is then
    renamed to `YYYYMMDD-HHMMSS-label` (src/runs/run-dir.ts newRunName)."""

    def __init__(self, root, label, first_files):
        os.makedirs(root, exist_ok=True)
        staging = os.path.join(root, f".{label}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        os.mkdir(staging)
        for name, data in first_files.items():
            with open(os.path.join(staging, name), "wb") as f:
                f.write(data)
        stamp = datetime.datetime.utcnow().strftime("%Y%m%d-%H%M%S")
        k = 0
        while True:
            final = os.path.join(root, f"{stamp}-{label}" + (f"-{k + 1}" if k else ""))
            if not os.path.lexists(final):
                try:
                    os.rename(staging, final)
                    break
                except OSError:
                    # Another writer took the name between the look and the rename: take the next one.
                    if not os.path.lexists(final):
                        raise
            k += 1
        self.dir = final

    def _temp(self, name):
        return os.path.join(self.dir, f".{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")

    def write(self, name, data):
        tmp = self._temp(name)
        with open(tmp, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, os.path.join(self.dir, name))

    def write_json(self, name, value):
        self.write(name, json.dumps(value, indent=2) + "\n")

    def write_weights(self, name, codec, preset, shape, meta):
        tmp = self._temp(name)
        codec_ref.write_weights(tmp, preset, {n: p.detach().cpu() for n, p in codec.named_parameters()}, meta, shape)
        os.replace(tmp, os.path.join(self.dir, name))


# ---- training ---------------------------------------------------------------------------------

def pick_backend(device_choice, cuda_available):
    """("nccl", "cuda") when CUDA is there and --device does not say cpu; ("gloo", "cpu") otherwise;
    an error for --device cuda without CUDA. Apart from the CUDA calls, the only place the GPU path
    differs, so it is tested on a machine without a GPU (tests/export/torchrun.test.ts)."""
    if device_choice == "cuda" and not cuda_available:
        raise SystemExit("--device cuda: this PyTorch sees no CUDA device")
    return ("nccl", "cuda") if device_choice != "cpu" and cuda_available else ("gloo", "cpu")


def setup_distributed(device_choice):
    """(rank, world, device): NCCL with one CUDA device per process when CUDA is there (and not
    refused with --device cpu), gloo on the CPU otherwise."""
    if "RANK" not in os.environ:  # not started by torchrun: one process
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        os.environ.update({"RANK": "0", "WORLD_SIZE": "1", "LOCAL_RANK": "0", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port)})
    backend, kind = pick_backend(device_choice, torch.cuda.is_available())
    cuda = kind == "cuda"
    if cuda:
        local = int(os.environ["LOCAL_RANK"])
        torch.cuda.set_device(local)
        device = torch.device("cuda", local)
        # The engine computes in float32: keep cuDNN and matmuls off TF32, so a GPU trains the same arithmetic.
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    else:
        device = torch.device("cpu")
    dist.init_process_group(backend=backend)
    return dist.get_rank(), dist.get_world_size(), device


def all_sum(value, device):
    t = torch.tensor([float(value)], dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return float(t[0])


def all_sum_tensor(device):
    """Adds a tensor over the processes (mrstft's norms from every share; see codec_ref.mrstft)."""
    def add(t):
        t = t.to(device)
        dist.all_reduce(t)
        return t
    return add


def training_loss(name, weight, world, device):
    """The loss of one process's share of each batch: with several processes, mrstft takes the
    whole batch's norms (codec_ref.mrstft's split), so the objective does not change with N."""
    return codec_ref.make_loss(name, split=(weight, all_sum_tensor(device)) if world > 1 else None)


def share_gradient(ddp, loss_fn, x, weight, world):
    """Backward of this share's loss, scaled so that DistributedDataParallel's average over the
    processes is the gradient of the mean loss over the whole batch (shares weighted by their size);
    returns the whole batch's loss."""
    loss = loss_fn(ddp(x), x)
    (loss * (weight * world)).backward()
    return float(loss) * weight


def validate(codec, loss_fn, val_segments, rank, world, device):
    """Mean loss per validation segment, each segment its own batch of one (src/train/session.ts
    validate); the processes take every world-th segment and add their sums."""
    codec.eval()
    total = 0.0
    with torch.no_grad():
        for seg in val_segments[rank::world]:
            x = seg.to(device).view(1, 1, -1)
            total += float(loss_fn(codec(x), x))
    codec.train()
    return all_sum(total, device) / len(val_segments)


def replica_spread(codec, device):
    """The largest difference between the processes' copies of any weight (0: identical, as
    DistributedDataParallel promises)."""
    flat = torch.cat([p.detach().reshape(-1) for p in codec.parameters()]).to(torch.float64)
    hi, lo = flat.clone(), flat.clone()
    dist.all_reduce(hi, op=dist.ReduceOp.MAX)
    dist.all_reduce(lo, op=dist.ReduceOp.MIN)
    return float((hi - lo).max())


def leave(code):
    """End the process at once, once every file is written, synced and renamed. Debian's torch 1.13
    sometimes hangs while Python destroys the DistributedDataParallel and process-group objects as a
    function returns (seen here in about one run in ten: a process stuck in gloo's C++ destructors,
    after destroy_process_group, with no Python frame left); os._exit skips those destructors."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def check_step(paths, ddp, codec, loss_fn, shares, segment, rank, world, device, model):
    """One step of the trainer's own gradient code on a given batch: each process takes its share,
    DDP averages; process 0 writes the loss and every parameter's gradient in the weights format
    (meta.value: the loss), as bench/pytorch/grad_check.py does for one process."""
    weights_file, batch_file, out = paths
    init, _ = codec_ref.load_codec(weights_file, codec.layers)
    with torch.no_grad():
        for p, q in zip(codec.parameters(), init.parameters()):
            p.copy_(q)
    with open(batch_file, "rb") as f:
        batch = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    if batch.numel() != sum(shares) * segment:
        raise SystemExit(f"{batch_file}: {batch.numel()} samples; the experiment's batch is {sum(shares)} x {segment}")
    batch = batch.reshape(sum(shares), 1, segment)
    first = sum(shares[:rank])
    x = batch[first:first + shares[rank]].to(device)
    loss = all_sum(share_gradient(ddp, loss_fn, x, shares[rank] / sum(shares), world), device)
    if rank == 0:
        grads = {n: p.grad.detach().cpu() for n, p in codec.named_parameters()}
        codec_ref.write_weights(out, model["preset"], grads, {"value": loss, "processes": world}, model.get("shape"))
    dist.destroy_process_group()
    leave(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, help="training steps (default: the experiment's)")
    ap.add_argument("--runs", required=True, help="the folder the run folder is made in")
    ap.add_argument("--device", choices=["cpu", "cuda"], help="force the device (default: CUDA when available)")
    ap.add_argument("--check-step", nargs=3, metavar=("WEIGHTS", "BATCH", "OUT"),
                    help="instead of training: one step's loss and gradient on a weights file and a batch (raw float32, "
                         "[batch, 1, segment]), written to OUT as grad_check.py writes them; the lab's tests hold it to the engine's")
    args = ap.parse_args()

    with open(os.path.join(HERE, "experiment.json")) as f:
        exp = json.load(f)
    with open(os.path.join(HERE, "split.json"), "rb") as f:
        split_bytes = f.read()
    split = json.loads(split_bytes)
    config = dict(exp["config"])
    if args.steps is not None:
        if args.steps < 1:
            raise SystemExit("--steps must be at least 1")
        config["steps"] = args.steps
    steps, seg = config["steps"], split["segment"]
    model = exp["model"]
    clips = [read_wav_f32(os.path.join(HERE, c["file"])) for c in exp["clips"]]

    rank, world, device = setup_distributed(args.device)
    torch.manual_seed(config["seed"])  # the same fresh weights in every process (DDP also broadcasts process 0's)
    codec = codec_ref.Codec(model["preset"], {"encoder": model["encoder"], "decoder": model["decoder"]}, config["dropout"])
    if exp.get("init"):
        init, _ = codec_ref.load_codec(os.path.join(HERE, exp["init"]["file"]), codec.layers)
        codec.load_state_dict(init.state_dict())
    codec.to(device)
    torch.manual_seed(config["seed"] + 1 + rank)  # dropout masks: each process its own
    ddp = DistributedDataParallel(codec, device_ids=[device.index] if device.type == "cuda" else None)
    shares = batch_shares(config["batch"], world)
    weight = shares[rank] / config["batch"]
    # Validation takes each segment alone, and the processes take different segments: the plain loss.
    val_loss_fn = codec_ref.make_loss(config["loss"])
    loss_fn = training_loss(config["loss"], weight, world, device)
    if args.check_step:
        return check_step(args.check_step, ddp, codec, loss_fn, shares, seg, rank, world, device, model)
    opt_cfg = config["optimizer"]
    optimizer = make_optimizer(codec.parameters(), opt_cfg, config["lr"])
    batches = Batches(clips, split, config, shares[rank], rank)
    val_segments = [clips[s["clip"]][s["start"]:s["start"] + seg] for s in split["val"]]
    clip_norm, clip_value, l1 = opt_cfg.get("clipNorm") or 0, opt_cfg.get("clipValue") or 0, config.get("l1") or 0
    shape = model.get("shape")

    folder = None
    if rank == 0:
        record = {**config, "clips": exp["clipNames"], **({"initFromStep": exp["init"]["step"]} if exp.get("init") else {}),
                  "params": model["params"], "createdAt": datetime.datetime.utcnow().isoformat(timespec="milliseconds") + "Z",
                  "trainedWith": {"framework": "pytorch", "torch": torch.__version__, "processes": world, "device": device.type,
                                  "backend": dist.get_backend()}}
        folder = RunFolder(args.runs, exp["label"], {
            "config.json": (json.dumps(record, indent=2) + "\n").encode("utf-8"),
            "test_original.wav": wav_f32_bytes(gather(clips, split["test"], seg)),
            "val_original.wav": wav_f32_bytes(gather(clips, split["val"], seg)),
            "split.json": split_bytes,
        })
        print(f"run folder: {folder.dir} ({world} process{'es' if world > 1 else ''}, {device.type}, {dist.get_backend()})", flush=True)

    log, status, message = [], "completed", None
    best_val, best_step, since_best, last_train = None, 0, 0, None
    started, step = time.perf_counter(), 0
    params = list(codec.parameters())

    def save_best(val_loss):
        folder.write_weights("best.weights", codec, model["preset"], shape, {"step": step, "valLoss": finite(val_loss)})

    while step < steps:
        lr = learning_rate(config["lr"], step, steps, config["schedule"])
        for g in optimizer.param_groups:
            g["lr"] = lr
        x = batches.next().to(device)
        train_loss = all_sum(share_gradient(ddp, loss_fn, x, weight, world), device)
        if l1 > 0:  # lambda sign(theta), added before clipping (src/train/session.ts)
            with torch.no_grad():
                for p in params:
                    p.grad.add_(torch.sign(p), alpha=l1)
        if clip_norm > 0:
            grad_norm = float(torch.nn.utils.clip_grad_norm_(params, clip_norm))
        else:
            grad_norm = float(torch.norm(torch.stack([p.grad.detach().norm() for p in params])))
        if clip_value > 0:
            torch.nn.utils.clip_grad_value_(params, clip_value)
        if not (math.isfinite(train_loss) and math.isfinite(grad_norm)):
            status, message = "diverged", f"training diverged at step {step + 1}: the {'loss' if not math.isfinite(train_loss) else 'gradient'} is not finite; the weights are those after step {step}"
            break
        at = step + 1
        validating = at % config["valEvery"] == 0 or at == steps
        logging = at % config["logEvery"] == 0 or at == 1 or validating
        before = [p.detach().clone() for p in params] if logging else None
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step = at
        last_train = {"step": step, "trainLoss": finite(train_loss), "lr": lr, "gradNorm": finite(grad_norm)}
        if logging:
            with torch.no_grad():
                weight_norm = float(torch.norm(torch.stack([p.norm() for p in params])))
                update = float(torch.norm(torch.stack([(p - b).norm() for p, b in zip(params, before)])))
            last_train.update({"weightNorm": weight_norm, "updateRatio": update / weight_norm if weight_norm > 0 else 0})
        last_train["elapsedSec"] = time.perf_counter() - started
        if logging:
            log.append(dict(last_train))
        if validating:
            val_loss = validate(codec, val_loss_fn, val_segments, rank, world, device)
            if not log or log[-1]["step"] != step:
                log.append(dict(last_train))
            log[-1]["valLoss"] = finite(val_loss)
            improved = math.isfinite(val_loss) and (best_val is None or val_loss < best_val)
            since_best = 0 if improved else since_best + 1
            if improved:
                best_val, best_step = val_loss, step
            if rank == 0:
                if improved:
                    save_best(val_loss)
                folder.write_weights("last.weights", codec, model["preset"], shape, {"step": step})
                folder.write("log.jsonl", "".join(json.dumps(e) + "\n" for e in log))
                print(f"step {step}/{steps}: train {train_loss:.5g}, validation {val_loss:.5g} (best {best_val if best_val is not None else float('nan'):.5g} at {best_step})", flush=True)
            if not math.isfinite(val_loss):
                status, message = "diverged", f"training diverged at step {step}: the validation loss is {val_loss}"
                break
            if config["patience"] > 0 and since_best >= config["patience"]:
                status = "early-stopped"
                message = f"validation loss did not improve for {config['patience']} validations; stopped at step {step}, best at step {best_step}"
                break

    if best_val is None:  # no finite validation yet (a divergence early on): the weights as they are
        val_loss = validate(codec, val_loss_fn, val_segments, rank, world, device)
        best_val, best_step = (val_loss, step) if math.isfinite(val_loss) else (None, step)
        if rank == 0:
            save_best(val_loss)
            folder.write_weights("last.weights", codec, model["preset"], shape, {"step": step})
    spread = replica_spread(codec, device)
    if rank == 0:
        folder.write("log.jsonl", "".join(json.dumps(e) + "\n" for e in log))
        result = {
            "runDir": folder.dir, "status": status, **({"message": message} if message else {}), "steps": step,
            "finalTrainLoss": last_train["trainLoss"] if last_train else None, "bestValLoss": finite(best_val), "bestStep": best_step,
            # The test scores are the engine's to compute, on its own kernels: `codec-lab eval --run DIR`.
            "metrics": None,
            "metricsUnavailable": "trained with PyTorch: score the best weights on the test split, and make the reconstructions, with `codec-lab eval --run DIR --save`",
            "split": {"train": len(split["train"]), "val": len(split["val"]), "test": len(split["test"])},
            "replicas": {"processes": world, "maxWeightDifference": spread},
            "finishedAt": datetime.datetime.utcnow().isoformat(timespec="milliseconds") + "Z",
        }
        folder.write_json("metrics.json", result)
        print(f"{status}: {step} steps, best validation loss {finite(best_val)} at step {best_step}; "
              f"weights identical across the {world} processes: {spread == 0} (largest difference {spread:g})", flush=True)
        print(f"score it and make its reconstructions: codec-lab eval --run {folder.dir} --save", flush=True)
    dist.destroy_process_group()
    leave(1 if status == "diverged" else 0)


if __name__ == "__main__":
    sys.exit(main())
