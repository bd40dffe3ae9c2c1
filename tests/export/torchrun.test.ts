// The round trip of `codec-lab export-torch`, on this machine, with PyTorch's own launcher: export a
// run, train it with `torchrun --nproc_per_node 2` (two CPU processes, gloo, DistributedDataParallel),
// bring the run folder back (scored and reconstructed by `codec-lab eval --save`), and open it in the
// lab as a run like any other: listed as trained with PyTorch on 2 processes, heard through its codec.
// And one step of the exported trainer, on two processes, against the engine's own step: DDP's
// average of the shares' gradients is the whole batch's gradient, mrstft's norms included.
// Needs /usr/bin/python3 with torch (Debian's python3-torch); skipped with the reason printed elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { KernelCore } from '../../src/kernels/core.js';
import { allocParams, initParams, paramLayout } from '../../src/nn/model.js';
import { PRESETS } from '../../src/nn/presets.js';
import { loadWeights, saveWeights } from '../../src/nn/weights.js';
import { BatchGradients } from '../../src/train/gradients.js';
import { LabService } from '../../src/api/service.js';
import type { LossName } from '../../src/losses/index.js';
import { relativeError, rng, tempDir } from '../helpers.js';
import { PYTHON, TORCHRUN, torchMissing, torchrunArgs } from '../torch-python.js';
import { codecLab } from '../cli/codec-lab.js';
import { pyEnv, roundTrip } from './round-trip.js';

const skipReason = torchMissing();
if (skipReason) console.log(`tests/export/torchrun.test.ts skipped: ${skipReason}`);

const run = promisify(execFile);

describe.skipIf(skipReason !== null)(`a run through PyTorch and back${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('codec-lab-torchrun-');
  });
  afterAll(() => tmp?.cleanup());

  it('exports a run, trains it on two processes with torchrun, and the lab scores, lists and plays the result', async () => {
    const runs = path.join(tmp.dir, 'runs');
    const settings = ['--preset', 'tiny', '--loss', 'mel-db-l1', '--batch', '4', '--segment', '4096', '--lr', '0.003', '--val-every', '10', '--seed', '3'];
    const { torchRun, evaluation } = await roundTrip(runs, tmp.dir, settings, 40);
    const made = [path.basename(torchRun)];

    const config = JSON.parse(readFileSync(path.join(torchRun, 'config.json'), 'utf8'));
    expect(config.trainedWith).toMatchObject({ framework: 'pytorch', processes: 2, device: 'cpu', backend: 'gloo' });
    const metrics = JSON.parse(readFileSync(path.join(torchRun, 'metrics.json'), 'utf8'));
    // DistributedDataParallel's promise, checked: both processes ended with the same weights.
    expect(metrics.replicas).toEqual({ processes: 2, maxWeightDifference: 0 });
    const log = readFileSync(path.join(torchRun, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const val = log.filter((e) => typeof e.valLoss === 'number').map((e) => e.valLoss as number);
    expect(val.length).toBe(4);
    expect(Math.min(...val.slice(1)), `validation loss by step: ${val.join(', ')}`).toBeLessThan(val[0]);
    for (const key of ['step', 'trainLoss', 'lr', 'gradNorm', 'weightNorm', 'updateRatio', 'elapsedSec']) expect(log[0]).toHaveProperty(key);
    // The best weights open in the engine: the same network, in the lab's weights format.
    const best = loadWeights(path.join(torchRun, 'best.weights'));
    expect(best.params.length).toBe(paramLayout(PRESETS.tiny).total);

    // Back in the lab: scored on its test split and its reconstructions made by the engine (eval --save).
    expect(Number.isFinite(evaluation.losses['mel-db-l1'])).toBe(true);

    const lab = new LabService({ runsDir: runs, withBundledClip: true });
    try {
      const listed = (await lab.listRuns()).find((r) => r.id === made[0])!;
      expect(listed.status).toBe('completed');
      expect(listed.config?.trainedWith).toMatchObject({ processes: 2, device: 'cpu' });
      expect(listed.metrics?.losses?.['mel-db-l1']).toBeCloseTo(evaluation.losses['mel-db-l1'], 6);
      // Listen: its test reconstruction, and a library clip through its codec.
      const recon = await lab.audio({ kind: 'run', runId: made[0], file: 'test_reconstruction' });
      expect(recon.byteLength).toBeGreaterThan(44);
      const clip = (await lab.listLibrary())[0];
      const heard = await lab.audio({ kind: 'reconstruction', runId: made[0], clipId: clip.id });
      expect(heard.byteLength).toBeGreaterThan(44);
    } finally {
      await lab.shutdown();
    }
  }, 600_000);

  it('takes the GPU path where CUDA is (NCCL, one device per process), checked without a GPU: the choice, and every tensor on the input\'s device', async () => {
    const project = path.join(tmp.dir, 'device-project');
    const exported = await codecLab('export-torch', '--out', project, '--preset', 'tiny', '--batch', '2', '--segment', '4096');
    expect(exported.code, exported.stderr).toBe(0);
    // No GPU here: the backend choice is tested as a function, and the model and every loss run on
    // PyTorch's "meta" device, where a tensor made on the CPU behind the input's back (a window, a
    // filterbank) stops torch.stft with "must be on the same device", as CUDA would.
    const script = `
import json, sys, torch
sys.path.insert(0, ".")
import codec_ref, train
assert train.pick_backend(None, True) == ("nccl", "cuda")
assert train.pick_backend("cuda", True) == ("nccl", "cuda")
assert train.pick_backend("cpu", True) == ("gloo", "cpu")
assert train.pick_backend(None, False) == ("gloo", "cpu")
try:
    train.pick_backend("cuda", False)
    raise AssertionError("--device cuda without CUDA was accepted")
except SystemExit as e:
    assert "no CUDA device" in str(e)
exp = json.load(open("experiment.json"))
codec = codec_ref.Codec(exp["model"]["preset"], {"encoder": exp["model"]["encoder"], "decoder": exp["model"]["decoder"]}).to("meta")
x = torch.zeros(2, 1, 4096, device="meta")
y = codec(x)
devices = {name: str(codec_ref.make_loss(name)(y, x).device) for name in codec_ref.LOSSES}
print(json.dumps({"output": str(y.device), "losses": devices}))
`;
    const { stdout } = await run(PYTHON, ['-c', script], { cwd: project, env: pyEnv, timeout: 120_000 });
    const r = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(r.output).toBe('meta');
    expect(Object.keys(r.losses)).toHaveLength(11);
    for (const [name, device] of Object.entries(r.losses)) expect(device, name).toBe('meta');
  }, 120_000);

  it("computes one step's gradient on two processes as the engine does on one thread, mrstft's whole-batch norms included", async () => {
    const project = path.join(tmp.dir, 'step-project');
    const B = 4;
    const T = 4096;
    const exported = await codecLab('export-torch', '--out', project, '--preset', 'tiny', '--batch', String(B), '--segment', String(T));
    expect(exported.code, exported.stderr).toBe(0);
    const preset = PRESETS.tiny;
    const layout = paramLayout(preset);
    const params = new Float32Array(layout.total);
    initParams(layout, params, 9);
    const weightsFile = path.join(tmp.dir, 'step.weights');
    saveWeights(weightsFile, 'tiny', params, {});
    // Partials and a little noise: no spectral bin of the target near the dB and magnitude floors,
    // where float32 rounding flips a bin across (see tests/nn/model-grad-torch.test.ts).
    const noise = rng(5);
    const batch = new Float32Array(B * T);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < T; i++) batch[b * T + i] = 0.3 * Math.sin((2 * Math.PI * 110 * (b + 1) * i) / 24000) + 0.1 * Math.sin(0.37 * (b + 1) * i) + 0.03 * (2 * noise() - 1);
    }
    const batchFile = path.join(tmp.dir, 'step.f32');
    writeFileSync(batchFile, Buffer.from(batch.buffer));
    const experimentFile = path.join(project, 'experiment.json');
    const experiment = JSON.parse(readFileSync(experimentFile, 'utf8'));

    for (const loss of ['wave-l1', 'mel-db-l1', 'mrstft'] as LossName[]) {
      // The engine's step (the training session's code, one thread, the whole batch).
      const core = KernelCore.create();
      const store = allocParams(core, layout, true);
      const step = new BatchGradients(core, store, preset, loss, B, T);
      core.f32(store.params, layout.total).set(params);
      step.input().set(batch);
      const engineLoss = step.compute(1);
      const engine = Float32Array.from(core.f32(store.grads, layout.total));

      writeFileSync(experimentFile, JSON.stringify({ ...experiment, config: { ...experiment.config, loss } }));
      const one = path.join(tmp.dir, `${loss}.1.grads`);
      const two = path.join(tmp.dir, `${loss}.2.grads`);
      const check = ['train.py', '--check-step', weightsFile, batchFile];
      await run(PYTHON, [...check, one, '--runs', tmp.dir], { cwd: project, env: pyEnv, timeout: 120_000 });
      await run(TORCHRUN, [...torchrunArgs(2, path.join(tmp.dir, `logs-${loss}`)), ...check, two, '--runs', tmp.dir], { cwd: project, env: pyEnv, timeout: 300_000 });
      const [g1, g2] = [loadWeights(one), loadWeights(two)];
      expect(g2.meta.processes).toBe(2);
      // Two processes and one: the same loss and gradient but for float rounding (measured 1.7e-6 to
      // 3.4e-6). With each process's own spectral convergence instead of the whole batch's, mrstft's
      // differed by 1%.
      expect(relativeError(g2.params, g1.params), loss).toBeLessThan(1e-5);
      expect(Math.abs((g2.meta.value as number) / (g1.meta.value as number) - 1), loss).toBeLessThan(1e-6);
      // Against the engine: within the whole-model gradient test's floor of 1e-4 (measured 1.1e-6
      // wave-l1, 1.3e-5 mel-db-l1); mrstft's log term divides by the quiet bins' magnitudes, so float32
      // gradients of any two implementations differ more (see tests/nn/model-grad-torch.test.ts,
      // which holds it to 10x PyTorch's own float32 error): 1e-3 (measured 6.3e-4).
      expect(relativeError(g2.params, engine), loss).toBeLessThan(loss === 'mrstft' ? 1e-3 : 1e-4);
      expect(Math.abs((g2.meta.value as number) / engineLoss - 1), loss).toBeLessThan(1e-5);
    }
  }, 600_000);
});
