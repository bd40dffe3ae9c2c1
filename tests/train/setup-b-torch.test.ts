// Setup B's decoder and objective against PyTorch's autograd (bench/pytorch/setup_b_ref.py): the same
// weights file and the same quantized latent and audio; the loss and every decoder parameter's
// gradient must agree. Starting from the latent leaves out the encoder and quantizer, which are
// Setup A's, checked by tests/nn/model-grad-torch.test.ts; this checks the decoder's layers and
// parameter names, the frame alignment and the dB objective's backward together.
// Needs /usr/bin/python3 with torch; where it cannot import torch the suite is skipped with the reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { KernelCore } from '../../src/kernels/core.js';
import { allocParams, CodecGraph, fromCodes, initParams, paramLayout } from '../../src/nn/model.js';
import { PRESETS, setupBPreset, type Preset } from '../../src/nn/presets.js';
import { saveWeights } from '../../src/nn/weights.js';
import { makeObjective } from '../../src/train/objective.js';
import { SETUP_B_LOSSES, setupBSpace } from '../../src/train/config.js';
import type { LossName } from '../../src/losses/index.js';
import { REPO, rng, tempDir } from '../helpers.js';
import { PYTHON, torchMissing } from '../torch-python.js';
import { relativeError } from '../phase/signals.js';

const SCRIPT = path.join(REPO, 'bench', 'pytorch', 'setup_b_ref.py');
const B = 2;
const T = 4096;

const skipReason = torchMissing();

const f32Bytes = (x: Float32Array) => new Uint8Array(Float32Array.from(x).buffer);
const readF32 = (file: string) => {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};

/** The engine's loss and parameter gradients of the decoder part from latent `q` against audio `x`. */
function engineStep(model: Preset, params: Float32Array, q: Float32Array, x: Float32Array, loss: LossName) {
  const core = KernelCore.create();
  const layout = paramLayout(model);
  const store = allocParams(core, layout, true);
  const graph = new CodecGraph(store, model, { B, T, training: true, part: 'decoder' });
  const objective = makeObjective(core, model, loss, B, T);
  const audio = core.allocF32(B * T);
  core.f32(store.params, layout.total).set(params);
  core.f32(graph.input.ptr, q.length).set(q);
  core.f32(audio, B * T).set(x);
  graph.forward();
  const value = objective.compute(graph.output.ptr, audio, graph.output.grad);
  graph.backward();
  return { value, grads: Float32Array.from(core.f32(store.grads, layout.total)), encoderSize: layout.encoderSize };
}

describe.skipIf(skipReason !== null)(`Setup B against PyTorch${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const tmp = tempDir('codec-lab-setup-b-torch-');
  const next = rng(11);
  const x = Float32Array.from({ length: B * T }, (_, i) => 0.4 * Math.sin(i * 0.043 * (1 + (i % T) / T)) + 0.05 * (next() - 0.5));
  // A latent of quantizer levels (what the decoder always sees), drawn at random.
  const codes = Uint8Array.from({ length: B * 8 * (T / 64) }, () => Math.floor(next() * 16));
  const q = new Float32Array(codes.length);
  fromCodes(codes, 4, q);
  const torch = new Map<string, { value: number; grads: Float32Array }>();
  const models = new Map<LossName, { model: Preset; params: Float32Array }>();

  beforeAll(async () => {
    writeFileSync(path.join(tmp.dir, 'x.f32'), f32Bytes(x));
    writeFileSync(path.join(tmp.dir, 'q.f32'), f32Bytes(q));
    await Promise.all(
      SETUP_B_LOSSES.map(async (loss) => {
        const model = setupBPreset(PRESETS.tiny, setupBSpace(loss)!, 8);
        const params = new Float32Array(paramLayout(model).total);
        initParams(paramLayout(model), params, 4);
        models.set(loss, { model, params });
        const weights = path.join(tmp.dir, `${loss}.clweights`);
        saveWeights(weights, model, params);
        await promisify(execFile)(PYTHON, ['-B', SCRIPT, '--weights', weights, '--latent', path.join(tmp.dir, 'q.f32'), '--batch', path.join(tmp.dir, 'x.f32'),
          '--segment', String(T), '--loss', loss, '--dtypes', 'float32,float64', '--out-dir', tmp.dir], { timeout: 240_000 });
        for (const dtype of ['float32', 'float64']) {
          const base = path.join(tmp.dir, `${loss}.${dtype}`);
          torch.set(`${loss}.${dtype}`, { value: JSON.parse(readFileSync(`${base}.json`, 'utf8')).value, grads: readF32(`${base}.f32`) });
        }
      }),
    );
  }, 300_000);
  afterAll(() => tmp.cleanup());

  for (const loss of SETUP_B_LOSSES) {
    it(`tiny ${loss}: the loss and the decoder's gradients match`, () => {
      const { model, params } = models.get(loss)!;
      const e = engineStep(model, params, q, x, loss);
      const t32 = torch.get(`${loss}.float32`)!;
      const t64 = torch.get(`${loss}.float64`)!;
      expect(t64.grads.length).toBe(e.grads.length);
      expect(Math.abs(e.value / t64.value - 1), `engine ${e.value}, PyTorch ${t64.value}`).toBeLessThan(1e-5);
      // Neither side touches the encoder here.
      expect(t64.grads.subarray(0, e.encoderSize).every((v) => v === 0)).toBe(true);
      expect(e.grads.subarray(0, e.encoderSize).every((v) => v === 0)).toBe(true);
      const dec = (g: Float32Array) => g.subarray(e.encoderSize);
      const engineError = relativeError(dec(e.grads), dec(t64.grads));
      const torchError = relativeError(dec(t32.grads), dec(t64.grads));
      console.log(`tiny ${loss}: loss ${t64.value.toPrecision(7)}; decoder gradient relative error against float64: engine ${engineError.toExponential(1)}, PyTorch float32 ${torchError.toExponential(1)}`);
      expect(engineError).toBeLessThan(Math.max(1e-4, 10 * torchError));
    });
  }
});
