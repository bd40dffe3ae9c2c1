#!/usr/bin/python3
"""PyTorch CPU benchmark of the reference codec (docs/reference-model.md; the model and losses are
in codec_ref.py), the yardstick for `codec-lab bench`.

Run with Debian's python (python3-torch 1.13), from the repository:
  /usr/bin/python3 bench/pytorch/torch_bench.py --all            # every config, one subprocess each
  /usr/bin/python3 bench/pytorch/torch_bench.py --mode train --preset small --loss wave-l1 --threads 1
  /usr/bin/python3 bench/pytorch/torch_bench.py --mode infer --preset small --threads 2
  /usr/bin/python3 bench/pytorch/torch_bench.py --info           # torch build / ISA / BLAS / kernel profile
  /usr/bin/python3 bench/pytorch/torch_bench.py --serve          # JSON requests on stdin (codec-lab bench --peer)

BLAS: Debian's libblas.so.3 is an alternatives link. torch's conv path uses
oneDNN (mkldnn) for most convs, but some ops may call BLAS. The --all driver
runs every config with LD_LIBRARY_PATH pointing at a chosen BLAS
(--blas openblas|reference|system) so the result does not depend on the link.
"""
import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time

import torch

from codec_ref import BATCH, CHANNELS, LOSSES, PARAM_COUNTS, SAMPLE_RATE as SR, SEGMENT as SEG, Codec, make_loss, mel_filterbank

BLAS_DIRS = {
    "openblas": "/usr/lib/x86_64-linux-gnu/openblas-openmp",
    "reference": "/usr/lib/x86_64-linux-gnu/blas:/usr/lib/x86_64-linux-gnu/lapack",
    "system": None,
}


def synth_audio(seconds, seed=0):
    """Deterministic test audio: chirps + harmonics + noise in [-1, 1]."""
    g = torch.Generator().manual_seed(seed)
    n = int(seconds * SR)
    t = torch.arange(n, dtype=torch.float64) / SR
    x = torch.zeros(n, dtype=torch.float64)
    for k in range(6):
        f0 = 80.0 * (1.7 ** k)
        x += 0.12 * torch.sin(2 * math.pi * (f0 * t + 40.0 * t * t / (k + 1)))
    x += 0.05 * torch.randn(n, generator=g, dtype=torch.float64)
    env = 0.6 + 0.4 * torch.sin(2 * math.pi * 0.7 * t)
    return (x * env).clamp(-1, 1).float()


def peak_rss_mb():
    """This process's peak resident memory, MB (2^20 bytes). VmHWM first: ru_maxrss of a process
    started by fork and exec can carry its parent's peak (Linux keeps the old address space's high
    water mark across exec), which would charge a large parent's memory to this benchmark."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def blas_loaded():
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1] if len(line.split()) >= 6 else ""
            if any(s in p for s in ("blas", "dnnl", "gomp", "lapack")):
                libs.add(os.path.realpath(p))
    return sorted(libs)


def cpu_snapshot():
    """(busy jiffies of the whole machine, steal jiffies, own utime+stime jiffies)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = v[0] + v[1] + v[2] + v[5] + v[6]
    with open("/proc/self/stat") as f:
        w = f.read().rsplit(")", 1)[1].split()
    own = int(w[11]) + int(w[12])
    return busy, v[7], own


def other_load(a, b, secs):
    """Cores' worth of CPU used by other processes (and stolen) during a window. The machine's and the
    process's tick counters advance at different moments, so the difference can dip a tick below
    zero for an idle machine: that reads as none."""
    hz = os.sysconf("SC_CLK_TCK")
    return max(0.0, ((b[0] - a[0]) - (b[2] - a[2]) + (b[1] - a[1])) / hz / secs)


QUIET = 0.25  # a window counts as quiet if other processes used < this many cores


def wait_quiet(max_wait=15.0, thresh=0.15, probe=0.3):
    """Wait (bounded) until other processes use < thresh cores; returns seconds waited."""
    t0 = time.perf_counter()
    while True:
        a = cpu_snapshot()
        time.sleep(probe)
        if other_load(a, cpu_snapshot(), probe) < thresh or time.perf_counter() - t0 > max_wait:
            return time.perf_counter() - t0


def quiet_stats(vals, others):
    q = [v for v, o in zip(vals, others) if o < QUIET]
    return stats(q) if q else None


def stats(v):
    return {"min": min(v), "median": statistics.median(v), "max": max(v), "n": len(v)}


def param_counts(codec):
    ne = sum(p.numel() for p in codec.encoder.parameters())
    nd = sum(p.numel() for p in codec.decoder.parameters())
    return [ne, nd, ne + nd]


def make_trainer(preset, loss_name):
    """A fresh codec, Adam and 16 fixed batches of the synthetic audio; returns one training step
    (which returns its loss) and the parameter counts."""
    torch.manual_seed(0)
    codec = Codec(preset)
    opt = torch.optim.Adam(codec.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    loss_fn = make_loss(loss_name)
    audio = synth_audio(30.0)
    g = torch.Generator().manual_seed(1)
    nb = 16
    batches = []
    for _ in range(nb):
        off = torch.randint(0, audio.numel() - SEG, (BATCH,), generator=g)
        batches.append(torch.stack([audio[o:o + SEG] for o in off.tolist()]).unsqueeze(1).contiguous())

    step_i = [0]

    def step():
        x = batches[step_i[0] % nb]
        step_i[0] += 1
        opt.zero_grad(set_to_none=True)
        y = codec(x)
        loss = loss_fn(y, x)
        loss.backward()
        opt.step()
        return float(loss)

    return step, param_counts(codec)


def train_window(step, window_s, min_steps, losses):
    """One timed window: steps until window_s seconds and min_steps steps have passed; returns
    (steps/s, cores' worth of other processes' CPU during it)."""
    n = 0
    c0 = cpu_snapshot()
    t0 = time.perf_counter()
    while True:
        losses.append(step())
        n += 1
        el = time.perf_counter() - t0
        if el >= window_s and n >= min_steps:
            break
    return n / el, round(other_load(c0, cpu_snapshot(), el), 2)


def run_train(args):
    step, params = make_trainer(args.preset, args.loss)
    ne, nd = params[0], params[1]
    losses = []
    t0 = time.perf_counter()
    for _ in range(args.warmup):
        losses.append(step())
    warm_s = time.perf_counter() - t0
    rates = []
    others = []
    for _ in range(args.windows):
        if not args.no_wait:
            wait_quiet()
        rate, other = train_window(step, args.window_s, args.min_steps, losses)
        rates.append(rate)
        others.append(other)
    out = {
        "framework": "pytorch", "version": torch.__version__, "mode": "train", "preset": args.preset,
        "loss": args.loss, "threads": torch.get_num_threads(), "params": [ne, nd, ne + nd],
        "warmup_steps": args.warmup, "warmup_s": warm_s,
        "steps_per_s": stats(rates), "window_rates": [round(r, 3) for r in rates], "other_load": others,
        "steps_per_s_quiet": quiet_stats(rates, others), "ms_per_step_median": 1000.0 / statistics.median(rates),
        "loss_first": losses[0], "loss_last": losses[-1], "steps_total": len(losses),
        "peak_rss_mb": peak_rss_mb(), "libs": blas_loaded(),
    }
    return out


INFER_CLIP_S = 10.0


def make_inferer(preset):
    """A fresh codec in eval mode and a 10 s clip; returns one timed reconstruction (returning
    (x real time, other processes' load)) and the parameter counts."""
    torch.manual_seed(0)
    codec = Codec(preset)
    codec.eval()
    x = synth_audio(INFER_CLIP_S, seed=3).reshape(1, 1, -1)

    def rep():
        with torch.inference_mode():
            c0 = cpu_snapshot()
            t0 = time.perf_counter()
            y = codec(x)
            el = time.perf_counter() - t0
        assert y.shape == x.shape, (y.shape, x.shape)
        return INFER_CLIP_S / el, round(other_load(c0, cpu_snapshot(), el), 2)

    return rep, param_counts(codec)


def run_infer(args):
    rep, params = make_inferer(args.preset)
    ne, nd = params[0], params[1]
    secs = INFER_CLIP_S
    for _ in range(2):
        rep()
    rtf = []
    others = []
    for _ in range(args.reps):
        if not args.no_wait:
            wait_quiet()
        r, other = rep()
        rtf.append(r)
        others.append(other)
    return {
        "framework": "pytorch", "version": torch.__version__, "mode": "infer", "preset": args.preset,
        "threads": torch.get_num_threads(), "params": [ne, nd, ne + nd], "clip_s": secs, "batch": 1,
        "libs": blas_loaded(), "rtf": stats(rtf), "rep_rtf": [round(r, 2) for r in rtf], "other_load": others,
        "rtf_quiet": quiet_stats(rtf, others), "ms_per_clip_median": 1000.0 * secs / statistics.median(rtf),
        "peak_rss_mb": peak_rss_mb(),
    }


def run_info():
    print("torch", torch.__version__, "python", sys.version.split()[0], sys.executable)
    cap = getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", None)
    print("torch.backends.cpu.get_cpu_capability():", cap() if cap else "not present in this torch")
    print("mkldnn available:", torch.backends.mkldnn.is_available(), "mkl available:", torch.backends.mkl.is_available())
    print(torch.__config__.show())
    print(torch.__config__.parallel_info())
    print("libraries mapped:", *blas_loaded(), sep="\n  ")
    # which kernels a training step actually uses
    for preset in CHANNELS:
        codec = Codec(preset)
        print(f"params {preset}: enc {sum(p.numel() for p in codec.encoder.parameters())} dec {sum(p.numel() for p in codec.decoder.parameters())}")
    codec = Codec("small")
    x = synth_audio(3.0)[: BATCH * SEG].reshape(BATCH, 1, SEG)
    opt = torch.optim.Adam(codec.parameters(), lr=1e-3)
    lf = make_loss("mel-db-l1")
    for _ in range(2):
        opt.zero_grad(); lf(codec(x), x).backward(); opt.step()
    with torch.autograd.profiler.profile() as prof:
        opt.zero_grad(); lf(codec(x), x).backward(); opt.step()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
    # mel filterbank check against torchaudio, if present
    try:
        import torchaudio
        ref = torchaudio.functional.melscale_fbanks(513, 0.0, 12000.0, 64, SR, norm=None, mel_scale="htk")
        print("mel fb max |diff| vs torchaudio", torchaudio.__version__, float((ref - mel_filterbank()).abs().max()))
    except Exception as e:  # noqa
        print("torchaudio check skipped:", e)


def serve():
    """The peer of `codec-lab bench --peer`: one JSON request per line on stdin, one JSON answer
    per line on stdout, so the caller can interleave single timed windows of PyTorch with its own.
    Requests:
      {"mode": "train", "preset": P, "loss": L, "threads": N, "seconds": S, "min_steps": 2, "warmup": 3}
      {"mode": "infer", "preset": P, "threads": N}             one timed 10 s reconstruction
    Each (mode, preset, loss) keeps its model, optimizer and batches between requests, and is warmed
    up (warmup steps, or two reconstructions) the first time it is asked for with a thread count, so
    a request times one window and nothing else. No waiting for a quiet machine here: the caller's
    windows and these see the same noise, which is the point. An answer with "error" reports a bad
    request; the server keeps serving."""
    jobs = {}
    warmed = set()
    print(json.dumps({"ready": True, "version": torch.__version__, "python": sys.version.split()[0]}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            mode, preset, threads = req["mode"], req["preset"], int(req["threads"])
            if preset not in CHANNELS:
                raise ValueError(f"unknown preset {preset!r}")
            if threads < 1:
                raise ValueError(f"threads must be 1 or more, not {threads}")
            torch.set_num_threads(threads)
            if mode == "train":
                loss = req["loss"]
                if loss not in LOSSES:
                    raise ValueError(f"unknown loss {loss!r}")
                key = ("train", preset, loss)
                if key not in jobs:
                    jobs[key] = make_trainer(preset, loss)
                step, params = jobs[key]
                losses = []
                warm_s = 0.0
                if key + (threads,) not in warmed:
                    t0 = time.perf_counter()
                    for _ in range(int(req.get("warmup", 3))):
                        losses.append(step())
                    warm_s = time.perf_counter() - t0
                    warmed.add(key + (threads,))
                rate, other = train_window(step, float(req["seconds"]), int(req.get("min_steps", 2)), losses)
                out = {"mode": "train", "preset": preset, "loss": loss, "steps_per_s": rate, "loss_last": losses[-1]}
            elif mode == "infer":
                key = ("infer", preset, None)
                if key not in jobs:
                    jobs[key] = make_inferer(preset)
                rep, params = jobs[key]
                warm_s = 0.0
                if key + (threads,) not in warmed:
                    t0 = time.perf_counter()
                    for _ in range(2):
                        rep()
                    warm_s = time.perf_counter() - t0
                    warmed.add(key + (threads,))
                rtf, other = rep()
                out = {"mode": "infer", "preset": preset, "rtf": rtf, "clip_s": INFER_CLIP_S}
            else:
                raise ValueError(f"unknown mode {mode!r}")
            out.update({"threads": torch.get_num_threads(), "params": params, "warmup_s": warm_s,
                        "other_load": other, "peak_rss_mb": peak_rss_mb()})
        except Exception as e:  # noqa: a bad request is answered, not fatal
            out = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


def driver(args):
    env = dict(os.environ)
    d = BLAS_DIRS[args.blas]
    if d:
        env["LD_LIBRARY_PATH"] = d + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    results = []
    me = os.path.abspath(__file__)
    configs = []
    for preset in args.presets.split(","):
        for loss in args.losses.split(","):
            for th in args.thread_list.split(","):
                configs.append(["--mode", "train", "--preset", preset, "--loss", loss, "--threads", th])
        for th in args.thread_list.split(","):
            configs.append(["--mode", "infer", "--preset", preset, "--threads", th])
    for c in configs:
        cmd = [sys.executable, me, *c, "--json", "--warmup", str(args.warmup), "--windows", str(args.windows),
               "--window-s", str(args.window_s), "--reps", str(args.reps)] + (["--no-wait"] if args.no_wait else [])
        p = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if p.returncode != 0:
            print("FAILED", " ".join(c), p.stderr[-2000:], flush=True)
            continue
        r = json.loads(p.stdout.strip().splitlines()[-1])
        r["blas"] = args.blas
        r["blas_libs"] = [l for l in r.get("libs", []) if "blas" in l or "lapack" in l]
        results.append(r)
        print(fmt(r), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


def fmt(r):
    def qs(q):
        return f"quiet-only min/med/max {q['min']:.3f}/{q['median']:.3f}/{q['max']:.3f} (n={q['n']})" if q else "quiet-only: none"
    if r["mode"] == "train":
        s = r["steps_per_s"]
        return (f"torch[{r.get('blas', '?')}] train {r['preset']:5s} {r['loss']:9s} thr={r['threads']} params={r['params'][2]} "
                f"steps/s min/med/max {s['min']:.3f}/{s['median']:.3f}/{s['max']:.3f} (n={s['n']}) {qs(r['steps_per_s_quiet'])} "
                f"ms/step(med) {r['ms_per_step_median']:.1f} peakRSS {r['peak_rss_mb']:.0f} MB "
                f"loss {r['loss_first']:.4f}->{r['loss_last']:.4f} windows {r['window_rates']} other-load {r['other_load']}")
    s = r["rtf"]
    return (f"torch[{r.get('blas', '?')}] infer {r['preset']:5s} b=1 10s clip thr={r['threads']} params={r['params'][2]} "
            f"RTF min/med/max {s['min']:.1f}/{s['median']:.1f}/{s['max']:.1f}x (n={s['n']}) {qs(r['rtf_quiet'])} "
            f"ms/clip(med) {r['ms_per_clip_median']:.0f} peakRSS {r['peak_rss_mb']:.0f} MB reps {r['rep_rtf']} other-load {r['other_load']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["train", "infer"], default="train")
    ap.add_argument("--preset", choices=list(CHANNELS), default="small")
    ap.add_argument("--loss", choices=list(LOSSES), default="wave-l1")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--windows", type=int, default=7)
    ap.add_argument("--window-s", type=float, default=2.0)
    ap.add_argument("--min-steps", type=int, default=2)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-wait", action="store_true", help="time each window at once, without waiting for a quiet machine")
    ap.add_argument("--info", action="store_true")
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--blas", choices=list(BLAS_DIRS), default="openblas")
    ap.add_argument("--presets", default="small,tiny")
    ap.add_argument("--losses", default="wave-l1,mel-db-l1")
    ap.add_argument("--thread-list", default="1,2")
    ap.add_argument("--out", default="")
    ap.add_argument("--serve", action="store_true", help="answer JSON requests on stdin (see serve())")
    args = ap.parse_args()
    if args.all:
        return driver(args)
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    if args.serve:
        return serve()
    if args.info:
        return run_info()
    r = run_train(args) if args.mode == "train" else run_infer(args)
    assert r["params"][:2] == list(PARAM_COUNTS[r["preset"]]), r["params"]
    print(json.dumps(r) if args.json else fmt(r))


if __name__ == "__main__":
    main()
