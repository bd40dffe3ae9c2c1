// The exported model against the engine: the PyTorch codec that `codec-lab export-torch` ships
// (bench/pytorch/codec_ref.py, built from the engine's layer lists as experiment.json holds them) and
// the engine's CodecGraph, on the same weights file and the same input, must give the same output
// (within 1e-4, max abs) and the same value of every loss (within 1e-5 relative). Two networks: tiny
// as defined, and tiny at another shape (2 bits, hop 128, width 0.5).
// Needs /usr/bin/python3 with torch (Debian's python3-torch); skipped with the reason printed elsewhere.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KernelCore } from '../../src/kernels/core.js';
import { allocParams, CodecGraph, initParams, paramLayout } from '../../src/nn/model.js';
import { shapedPreset, type ModelShape, type Preset } from '../../src/nn/presets.js';
import { saveWeights } from '../../src/nn/weights.js';
import { LOSSES, LOSS_NAMES } from '../../src/losses/index.js';
import { makeExperiment } from '../../src/export/experiment.js';
import { resolveConfig } from '../../src/train/config.js';
import { splitRecord } from '../../src/runs/split-file.js';
import { splitSegments } from '../../src/data/dataset.js';
import { maxAbsDiff, REPO, rng, tempDir } from '../helpers.js';
import { PYTHON, torchMissing } from '../torch-python.js';

const FORWARD_CHECK = path.join(REPO, 'bench', 'pytorch', 'forward_check.py');
const B = 2;
/** Long enough for mrstft's 2048-point STFT, a multiple of every hop tested. */
const T = 4096;
/** Pre-quantizer values nearer a rounding boundary than this (in steps) could round apart: another seed is taken. */
const BOUNDARY_MARGIN = 1e-4;
const SEEDS = [1, 2, 3, 4];

const skipReason = torchMissing();
if (skipReason) console.log(`tests/export/parity.test.ts skipped: ${skipReason}`);

function writeF32(file: string, x: Float32Array): void {
  writeFileSync(file, Buffer.from(new Float32Array(x).buffer));
}

function readF32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** A batch of partials with an envelope and a little noise, within [-1, 1]. */
function batch(seed: number): Float32Array {
  const noise = rng(seed + 100);
  const x = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < T; i++) {
      const t = i / 24000;
      let v = 0;
      for (let k = 1; k <= 3; k++) v += (0.3 / k) * Math.sin(2 * Math.PI * 150 * (b + 1) * k * t);
      x[b * T + i] = v * (0.6 + 0.4 * Math.sin(2 * Math.PI * 5 * t)) + 0.05 * (2 * noise() - 1);
    }
  }
  return x;
}

interface EngineCase {
  seed: number;
  weights: string;
  input: string;
  pred: string;
  out: string;
  output: Float32Array;
  losses: Record<string, number>;
}

/** The engine's output and losses for the network with the weights of `seed`, and the files for Python. */
function engineCase(dir: string, tag: string, model: Preset, seed: number): EngineCase {
  const core = KernelCore.create();
  const layout = paramLayout(model);
  const store = allocParams(core, layout, false);
  const losses = LOSSES.map((info) => info.make(core, B, T));
  const graph = new CodecGraph(store, model, { B, T, training: false });
  initParams(layout, core.f32(store.params, layout.total), seed);
  const x = batch(seed);
  core.f32(graph.input.ptr, B * T).set(x);
  graph.forward();
  const output = Float32Array.from(core.f32(graph.output.ptr, B * T));
  const values = Object.fromEntries(LOSSES.map((info, i) => [info.name, losses[i].compute(graph.output.ptr, graph.input.ptr, 0)]));
  const file = (ext: string) => path.join(dir, `${tag}-${seed}.${ext}`);
  saveWeights(file('weights'), model, Float32Array.from(core.f32(store.params, layout.total)));
  writeF32(file('input.f32'), x);
  writeF32(file('pred.f32'), output);
  return { seed, weights: file('weights'), input: file('input.f32'), pred: file('pred.f32'), out: file('json'), output, losses: values };
}

const SHAPES: [string, Partial<ModelShape>][] = [
  ['tiny', {}],
  ['tiny-b2-h128-w0.5', { bits: 2, hop: 128, width: 0.5 }],
];

describe.skipIf(skipReason !== null)('the exported PyTorch model against the engine', () => {
  const tmp = tempDir('codec-lab-export-parity-');
  afterAll(() => tmp.cleanup());

  for (const [tag, shape] of SHAPES) {
    it(`${tag}: the same output (1e-4) and every loss (1e-5 relative) on the same weights and input`, () => {
      const config = resolveConfig({ preset: 'tiny', ...shape, segment: T });
      const model = shapedPreset('tiny', shape);
      // The layers exactly as the export writes them into experiment.json.
      const clip = { name: 'noise', audio: batch(0) };
      const split = splitRecord([clip], splitSegments([clip], { segment: 2048, seed: 0 }));
      const layers = makeExperiment({ config, split, clipNames: ['noise'], init: null, fromRun: null, version: 'test' }).model;
      expect(layers.encoder).toEqual(model.encoder);
      expect(layers.decoder).toEqual(model.decoder);
      const cases = SEEDS.map((seed) => engineCase(tmp.dir, tag, model, seed));
      const manifest = path.join(tmp.dir, `${tag}.json`);
      writeFileSync(manifest, JSON.stringify(cases.map((c) => ({ weights: c.weights, layers: { encoder: layers.encoder, decoder: layers.decoder }, input: c.input, pred: c.pred, batch: B, segment: T, out: c.out }))));
      execFileSync(PYTHON, [FORWARD_CHECK, manifest], { cwd: path.dirname(FORWARD_CHECK), encoding: 'utf8', timeout: 300_000 });

      const results = cases.map((c) => ({ c, torch: JSON.parse(readFileSync(c.out, 'utf8')) as { output: string; boundaryMargin: number; losses: Record<string, number> } }));
      const clear = results.find((r) => r.torch.boundaryMargin >= BOUNDARY_MARGIN);
      expect(clear, `every seed puts a latent value within ${BOUNDARY_MARGIN} steps of a rounding boundary`).toBeDefined();
      const { c, torch } = clear!;
      const diff = maxAbsDiff(readF32(torch.output), c.output);
      console.log(`${tag} (weights seed ${c.seed}): max |torch - engine| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-4);
      // The output is not trivial (a network that output zeros would agree too).
      expect(Math.max(...c.output.map(Math.abs))).toBeGreaterThan(1e-3);

      expect(Object.keys(torch.losses).sort()).toEqual([...LOSS_NAMES].sort());
      for (const name of LOSS_NAMES) {
        const rel = Math.abs(c.losses[name] / torch.losses[name] - 1);
        expect(rel, `${name}: engine ${c.losses[name]}, torch ${torch.losses[name]}`).toBeLessThan(1e-5);
      }
    }, 300_000);
  }
});
