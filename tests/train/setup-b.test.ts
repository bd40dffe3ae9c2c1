// Setup B in training: its settings, its objective (value and gradient), and a short real run
// through the command line that writes a run folder which `codec-lab eval` scores.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { KernelCore } from '../../src/kernels/core.js';
import { MagnitudeStft } from '../../src/losses/stft.js';
import { applyMel } from '../../src/losses/mel.js';
import { PRESETS, setupBPreset } from '../../src/nn/presets.js';
import { lossMelFilterbank, SPECTROGRAM_DB_OFFSET, SPECTROGRAM_DB_SCALE } from '../../src/nn/spectrogram-output.js';
import { ConfigError, modelPreset, resolveConfig, SETUP_B_LOSSES } from '../../src/train/config.js';
import { makeObjective } from '../../src/train/objective.js';
import { configFromOptions, trainCommand } from '../../src/cli/train.js';
import { evalCommand } from '../../src/cli/eval.js';
import { loadWeights } from '../../src/nn/weights.js';
import { readLog } from '../../src/runs/run-dir.js';
import type { CommandContext } from '../../src/cli/context.js';
import { JobPool } from '../../src/jobs/pool.js';
import { toSharedAudio } from '../../src/jobs/protocol.js';
import { decodeWav } from '../../src/audio/wav-read.js';
import { initParams, paramLayout } from '../../src/nn/model.js';
import { saveWeights } from '../../src/nn/weights.js';
import { rng, tempDir } from '../helpers.js';
import { TrainingSession } from '../../src/train/session.js';
import { trainingCoreBytes } from '../../src/train/kernel-memory.js';

describe('Setup B settings', () => {
  it('defaults to Setup A, and records setup B with its Griffin-Lim iterations', () => {
    expect(resolveConfig({})).toMatchObject({ setup: 'A', glIters: 32 });
    const c = configFromOptions({ setup: 'B', loss: 'mel-db-l2', 'gl-iters': '16', preset: 'tiny' });
    expect(c).toMatchObject({ setup: 'B', loss: 'mel-db-l2', glIters: 16 });
    expect(modelPreset(c).spectrogram).toMatchObject({ space: 'mel-db', bins: 64, glIters: 16 });
    expect(modelPreset({ ...c, setup: 'A' })).toBe(PRESETS.tiny);
  });

  it('refuses a loss that is not a dB spectrogram with a typed error naming the allowed ones', () => {
    for (const loss of ['wave-l1', 'stft-l1', 'mel-l2', 'mrstft', 'nonsense']) {
      let error: unknown;
      try {
        configFromOptions({ setup: 'B', loss });
      } catch (e) {
        error = e;
      }
      expect(error, loss).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe('BAD_CONFIG');
      expect((error as Error).message).toContain(`one of ${SETUP_B_LOSSES.join(', ')}`);
    }
    expect(() => resolveConfig({ setup: 'C' as 'A' })).toThrow(/setup must be A or B/);
    expect(() => resolveConfig({ setup: 'B', loss: 'stft-db-l1', glIters: 0 })).toThrow(/gl-iters must be in \[1, 500\]/);
    expect(() => resolveConfig({ setup: 'B', loss: 'stft-db-l1', glIters: 2.5 })).toThrow(/gl-iters must be a whole number/);
    expect(() => resolveConfig({ setup: 'B', loss: 'stft-db-l1', segment: 8192 + 64 })).toThrow(/multiple of 256/);
  });
});

/** The target's dB spectrogram [B, frames, bins] by the reference-model.md recipe, computed here apart from the objective. */
function targetDb(core: KernelCore, audio: Float32Array, B: number, T: number, mel: boolean): { db: Float32Array; frames: number; bins: number } {
  const stft = new MagnitudeStft(core, B, T, 1024, 256);
  const x = core.allocF32(B * T);
  core.f32(x, B * T).set(audio);
  stft.forward(x);
  const mag = Float32Array.from(core.f32(stft.mag, stft.size));
  const rows = B * stft.frames;
  const values = mel ? new Float32Array(rows * 64) : mag;
  if (mel) applyMel(lossMelFilterbank(), mag, values, rows);
  return { db: values.map((v) => 20 * Math.log10(Math.max(v, 1e-5))), frames: stft.frames, bins: mel ? 64 : 513 };
}

describe('Setup B memory', () => {
  it("needs no more kernel memory than the preset's estimate, validation's Griffin-Lim included", () => {
    // The estimate (src/train/kernel-memory.ts) is measured on Setup A, whose decoder runs at the
    // audio rate; Setup B's runs at 1/256 of it, so Setup A's bound covers it.
    const r = rng(3);
    const audio = Float32Array.from({ length: 32768 * 8 }, () => 0.2 * (r() - 0.5));
    for (const loss of SETUP_B_LOSSES) {
      const s = new TrainingSession([{ name: 'noise', audio }], resolveConfig({ preset: 'small', setup: 'B', loss, batch: 1, segment: 32768 }));
      try {
        s.trainStep();
        s.validate();
        expect(s.core.exports.alloc(0), loss).toBeLessThanOrEqual(trainingCoreBytes('small', 1, 32768));
      } finally {
        s.close();
      }
    }
  });
});

describe('Setup B objective', () => {
  const B = 2;
  const T = 1280;
  const next = rng(5);
  const audio = Float32Array.from({ length: B * T }, (_, i) => 0.3 * Math.sin(i * 0.07) + 0.1 * (next() - 0.5));

  for (const loss of SETUP_B_LOSSES) {
    it(`${loss}: zero for the target's own spectrogram, 1 for every level 1 dB off, and the gradient of finite differences`, () => {
      const core = KernelCore.create();
      const model = modelPreset({ preset: 'tiny', setup: 'B', loss, glIters: 8 });
      const spec = model.spectrogram!;
      const objective = makeObjective(core, model, loss, B, T);
      const { db, frames: targetFrames, bins } = targetDb(core, audio, B, T, spec.space === 'mel-db');
      const frames = T / 256;
      expect(targetFrames).toBe(frames + 1);
      const n = B * bins * frames;
      const x = core.allocF32(B * T);
      const pred = core.allocF32(n);
      const grad = core.allocF32(n);
      core.f32(x, B * T).set(audio);
      // The prediction [B, bins, frames] that says the target's first T/256 frames, plus `shift` dB.
      const exact = (shift: number) => {
        const p = core.f32(pred, n);
        for (let b = 0; b < B; b++)
          for (let c = 0; c < bins; c++)
            for (let j = 0; j < frames; j++) p[(b * bins + c) * frames + j] = (db[(b * targetFrames + j) * bins + c] + shift - SPECTROGRAM_DB_OFFSET[spec.space]) / SPECTROGRAM_DB_SCALE;
      };
      exact(0);
      expect(objective.compute(pred, x, 0)).toBeLessThan(1e-4);
      exact(1);
      expect(objective.compute(pred, x, 0)).toBeCloseTo(1, 4);

      // Away from the target (no L1 kinks within the step) the gradient matches central differences.
      const p = core.f32(pred, n);
      for (let i = 0; i < n; i++) p[i] += 0.3 * (next() - 0.5);
      core.f32(grad, n).fill(0.25); // the objective adds to what is there
      const value = objective.compute(pred, x, grad);
      expect(value).toBeGreaterThan(1);
      const g = Float64Array.from(core.f32(grad, n), (v) => v - 0.25);
      const h = 1e-3;
      for (let k = 0; k < 24; k++) {
        const i = Math.floor(next() * n);
        const v = core.f32(pred, n)[i];
        core.f32(pred, n)[i] = v + h;
        const up = objective.compute(pred, x, 0);
        core.f32(pred, n)[i] = v - h;
        const down = objective.compute(pred, x, 0);
        core.f32(pred, n)[i] = v;
        // The step in pred is what float32 stores, not h exactly.
        const step = Math.fround(v + h) - Math.fround(v - h);
        expect(g[i], `element ${i}`).toBeCloseTo((up - down) / step, 6);
      }
    });
  }

  it('Setup A keeps the named loss on audio', () => {
    const core = KernelCore.create();
    expect(makeObjective(core, PRESETS.tiny, 'wave-l1', 1, 4096).name).toBe('wave-l1');
    expect(() => makeObjective(core, setupBPreset(PRESETS.tiny, 'stft-db', 8), 'mel-db-l1', 1, 4096)).toThrow(/cannot be trained with mel-db-l1/);
  });
});

describe('a Setup B run', () => {
  it('trains with falling loss on two threads, writes a run folder that says setup B, and eval scores it', async () => {
    const { dir, cleanup } = tempDir();
    const out: string[] = [];
    const ctx: CommandContext = { out: (t) => out.push(t), err: () => {} };
    try {
      const code = await trainCommand(ctx, [], {
        setup: 'B', loss: 'mel-db-l1', 'gl-iters': '16', preset: 'tiny', steps: '30', batch: '4', segment: '8192',
        'val-every': '10', threads: '2', out: dir, json: true,
      });
      expect(code).toBe(0);
      const result = JSON.parse(out.pop()!);
      expect(result).toMatchObject({ status: 'completed', steps: 30 });
      const runDir: string = result.runDir;

      const config = JSON.parse(readFileSync(path.join(runDir, 'config.json'), 'utf8'));
      expect(config).toMatchObject({ setup: 'B', glIters: 16, loss: 'mel-db-l1', preset: 'tiny' });
      const log = readLog(runDir);
      const train = log.map((e) => e.trainLoss);
      const val = log.filter((e) => e.valLoss !== undefined).map((e) => e.valLoss!);
      expect(val).toHaveLength(3);
      expect(train.at(-1)!).toBeLessThan(train[0]);
      expect(val.at(-1)!).toBeLessThan(val[0]);

      const weights = loadWeights(path.join(runDir, 'best.weights'));
      expect(weights.model.spectrogram).toEqual({ space: 'mel-db', bins: 64, hop: 256, glIters: 16 });
      expect(existsSync(path.join(runDir, 'test_reconstruction.wav'))).toBe(true);
      expect(result.metrics.losses['mel-db-l1']).toEqual(expect.any(Number));

      expect(await evalCommand(ctx, [], { run: runDir, json: true })).toBe(0);
      const scores = JSON.parse(out.pop()!);
      expect(scores).toMatchObject({ preset: 'tiny', source: 'test split' });
      expect(Object.values(scores.losses).every((v) => Number.isFinite(v))).toBe(true);
      // Scored again from the saved weights, the same audio (a fixed Griffin-Lim seed) gives the same figures.
      expect(scores.losses['mel-db-l1']).toBeCloseTo(result.metrics.losses['mel-db-l1'], 3);

      // The app's engine workers open it too: the cross-evaluation, and a reconstruction of the input's
      // length, beside a Setup A model of the same preset in the same worker (two different networks).
      const pool = new JobPool({ size: 1 });
      try {
        const best = { file: path.join(runDir, 'best.weights') };
        const rows = (await pool.run({ kind: 'evaluate', runs: [{ runId: 'b', dir: runDir, weights: best }], clips: null })) as { loss: string; scores: { losses: Record<string, number> } }[];
        expect(rows[0].loss).toBe('mel-db-l1');
        expect(rows[0].scores.losses['mel-db-l1']).toBeCloseTo(result.metrics.losses['mel-db-l1'], 3);
        const a = path.join(dir, 'a.weights');
        const params = new Float32Array(paramLayout(PRESETS.tiny).total);
        initParams(paramLayout(PRESETS.tiny), params, 1);
        saveWeights(a, 'tiny', params);
        const tone = toSharedAudio(Float32Array.from({ length: 10000 }, (_, i) => 0.4 * Math.sin(i * 0.05)));
        for (const file of [best.file, a, best.file]) {
          const wav = decodeWav(new Uint8Array((await pool.run({ kind: 'reconstruct', weights: { file }, audio: tone })) as ArrayBuffer));
          expect(wav.frames, file).toBe(10000);
        }
      } finally {
        await pool.close();
      }
    } finally {
      cleanup();
    }
  }, 120_000);
});
