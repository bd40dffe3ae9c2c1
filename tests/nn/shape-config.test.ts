// The shape settings in a run's config: filled with the preset's own when absent (also in the
// config.json of runs made before they existed), checked with messages that name the allowed
// values, the segment kept a multiple of the model's hop, and the kernel-memory bound scaled.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { ConfigError, modelPreset, resolveConfig, runLabel } from '../../src/train/config.js';
import { summarizeRun } from '../../src/api/run-summary.js';
import { trainingCoreBytes } from '../../src/train/kernel-memory.js';
import { PRESETS, presetInfo, shapedPreset } from '../../src/nn/presets.js';
import { rng, tempDir } from '../helpers.js';
import { TrainingSession } from '../../src/train/session.js';

describe('shape settings in a training config', () => {
  it("fills each absent one with the preset's own, and the network is then the preset itself", () => {
    const c = resolveConfig({ preset: 'tiny' });
    expect(c).toMatchObject({ bits: 4, latentChannels: 8, hop: 64, width: 1, segment: 8192 });
    expect(modelPreset(c)).toEqual(PRESETS.tiny);
    const shaped = resolveConfig({ preset: 'small', bits: 2, hop: 128 });
    expect(shaped).toMatchObject({ bits: 2, latentChannels: 8, hop: 128, width: 1 });
    expect(presetInfo(modelPreset(shaped))).toMatchObject({ hopSamples: 128, bitrateKbps: 3 });
  });

  it('refuses a setting out of range with a message that names the range', () => {
    const refused = (partial: Parameters<typeof resolveConfig>[0], message: RegExp) => {
      expect(() => resolveConfig(partial)).toThrow(ConfigError);
      expect(() => resolveConfig(partial)).toThrow(message);
    };
    refused({ bits: 9 }, /bits must be a whole number from 1 to 8/);
    refused({ latentChannels: 0 }, /latent channels must be a whole number from 1 to 32/);
    refused({ hop: 96 }, /hop must be one of 32, 64, 128, 160, 256, 320 samples .*not 96/);
    refused({ width: 0.1 }, /width must be a number from 0.25 to 4/);
    refused({ width: '2' as unknown as number }, /width must be a number/);
  });

  it("keeps the segment a multiple of the model's hop: a default one follows the hop, a given one must fit", () => {
    // 8192 is no multiple of 320 (25.6 hops): the default becomes the nearest multiple, 26 x 320.
    expect(resolveConfig({ hop: 320 }).segment).toBe(8320);
    expect(resolveConfig({ hop: 160 }).segment).toBe(8160);
    expect(resolveConfig({ hop: 256 }).segment).toBe(8192);
    expect(() => resolveConfig({ hop: 320, segment: 8192 })).toThrow(/segment must be a multiple of 320 samples/);
    expect(resolveConfig({ hop: 128, segment: 4096 }).segment).toBe(4096);
    expect(() => resolveConfig({ hop: 128, segment: 4160 })).toThrow(/multiple of 128/);
    // At least 17 hops: at hop 64 the 1,088 samples it always was.
    expect(() => resolveConfig({ segment: 1024 })).toThrow(/segment must be in \[1088,/);
    expect(() => resolveConfig({ hop: 256, segment: 4096 })).toThrow(/segment must be in \[4352, .*\] at hop 256/);
  });

  it('refuses a Setup B hop it cannot take, and takes the others', () => {
    expect(() => resolveConfig({ setup: 'B', loss: 'mel-db-l1', hop: 256 })).toThrow(/Setup B .* hop must be one of 32, 64, 128, not 256/);
    const b = resolveConfig({ setup: 'B', loss: 'mel-db-l1', hop: 128, bits: 2 });
    expect(modelPreset(b)).toMatchObject({ hop: 128, bits: 2, spectrogram: { space: 'mel-db' } });
  });

  it("scales the kernel-memory bound with the network's activations, and refuses what does not fit", () => {
    const base = trainingCoreBytes('small', 8, 8192);
    expect(trainingCoreBytes('small', 8, 8192, PRESETS.small)).toBe(base);
    // Width 2 doubles every activation; a narrower network keeps the preset's bound (the loss's share does not shrink).
    expect(trainingCoreBytes('small', 8, 8192, shapedPreset('small', { width: 2 }))).toBeGreaterThan(1.9 * base - 16 * 2 ** 20);
    expect(trainingCoreBytes('small', 8, 8192, shapedPreset('small', { width: 0.5 }))).toBe(base);
    expect(() => resolveConfig({ preset: 'small', width: 4, batch: 64, threads: 1 })).toThrow(/kernel memory per thread \(small preset of this shape\)/);
  });

  it('the scaled bound covers what a real session of a wider, finer-hop network allocates', () => {
    for (const shape of [{ hop: 32, width: 2 }, { hop: 320, width: 1.5, latentChannels: 32 }]) {
      const config = resolveConfig({ preset: 'tiny', loss: 'mrstft', batch: 2, segment: 6400, ...shape });
      const r = rng(4);
      const audio = Float32Array.from({ length: 6400 * 8 }, () => 0.2 * (r() - 0.5));
      const session = new TrainingSession([{ name: 'noise', audio }], config);
      try {
        const used = session.core.exports.alloc(0);
        expect(used).toBeLessThanOrEqual(trainingCoreBytes('tiny', 2, 6400, modelPreset(config)));
      } finally {
        session.close();
      }
    }
  });

  it("reads a run made before the settings existed as having its preset's", () => {
    const { dir, cleanup } = tempDir();
    try {
      const old = { preset: 'tiny', loss: 'wave-l1', lr: 1e-3, steps: 2, batch: 2, segment: 4096, seed: 0, optimizer: { name: 'adam' }, schedule: { name: 'constant' } };
      writeFileSync(path.join(dir, 'config.json'), JSON.stringify(old));
      const summary = summarizeRun(dir, 'old-run', undefined);
      expect(summary?.config).toMatchObject({ bits: 4, latentChannels: 8, hop: 64, width: 1 });
      writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...old, bits: 2, hop: 128 }));
      expect(summarizeRun(dir, 'new-run', undefined)?.config).toMatchObject({ bits: 2, latentChannels: 8, hop: 128, width: 1 });
      writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...old, bits: 'two' }));
      expect(summarizeRun(dir, 'bad-run', undefined)?.damaged).toMatch(/'bits' should be a number/);
    } finally {
      cleanup();
    }
  });
});

describe('run folder names', () => {
  it('say the shape where it is not the preset own', () => {
    expect(runLabel(resolveConfig({ preset: 'small', loss: 'mel-db-l1' }))).toBe('small-mel-db-l1');
    expect(runLabel(resolveConfig({ preset: 'tiny', loss: 'wave-l1', bits: 2, hop: 128 }))).toBe('tiny-b2-h128-wave-l1');
    expect(runLabel(resolveConfig({ preset: 'tiny', setup: 'B', loss: 'mel-db-l1', latentChannels: 16, width: 0.5 }))).toBe('tiny-B-l16-w0.5-mel-db-l1');
  });
});
