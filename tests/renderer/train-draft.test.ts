// The Train panel's draft: an empty field means the engine's default (the key is left out, never
// sent as 0 or null), only the settings the chosen optimizer and schedule read are sent, and saved
// settings from any earlier version load.
import { DEFAULT_SHAPE } from '../../src/nn/presets.js';
import { describe, expect, it } from 'vitest';
import { restoredDraft, trainRequest, type TrainDraft } from '../../renderer/src/lib/train-draft.js';
import { DEFAULT_CONFIG, resolveConfig } from '../../src/train/config.js';
import { OPTIMIZER_DEFAULTS, OPTIMIZERS } from '../../src/optim/optimizer.js';
import { SCHEDULES } from '../../src/optim/schedule.js';
import type { TrainOptions } from '../../src/api/contract.js';

const options = {
  presets: [{ name: 'tiny', params: 1, bitrateKbps: 1 }, { name: 'small', params: 2, bitrateKbps: 2 }],
  losses: [{ name: 'mel-db-l1' }, { name: 'wave-l1' }],
  optimizers: [...OPTIMIZERS],
  optimizerDefaults: OPTIMIZER_DEFAULTS,
  schedules: [...SCHEDULES],
  defaults: DEFAULT_CONFIG,
} as unknown as TrainOptions;

const fresh = (): TrainDraft => restoredDraft(options, null);

describe('the request Start sends', () => {
  it('leaves an emptied field out, so the engine fills its default', () => {
    const d = fresh();
    d.steps = undefined;
    d.dropout = undefined;
    d.augment.gainDb = undefined;
    d.split = [undefined, undefined, undefined];
    const r = trainRequest(d, DEFAULT_CONFIG);
    expect(r).not.toHaveProperty('steps');
    expect(r).not.toHaveProperty('dropout');
    expect(r).not.toHaveProperty('split');
    expect(r.augment).not.toHaveProperty('gainDb');
    // resolveConfig also records the network's shape, each the preset's own.
    expect(resolveConfig(r)).toEqual({ ...DEFAULT_CONFIG, ...DEFAULT_SHAPE });
  });

  it('sends only the settings the chosen optimizer and schedule read, clipping for every optimizer', () => {
    const d = fresh();
    Object.assign(d.optimizer, { name: 'momentum', momentum: 0.8, beta1: 0.5, alpha: 0.9, weightDecay: 1e-4, clipNorm: 1, eps: undefined });
    Object.assign(d.schedule, { name: 'step', gamma: 0.5, stepSize: 5, minLr: 1e-5 });
    const r = trainRequest(d, DEFAULT_CONFIG);
    expect(r.optimizer).toEqual({ name: 'momentum', momentum: 0.8, weightDecay: 1e-4, clipNorm: 1 });
    expect(r.schedule).toEqual({ name: 'step', gamma: 0.5, stepSize: 5 });
    d.optimizer.name = 'adam';
    d.schedule.name = 'cosine';
    const r2 = trainRequest(d, DEFAULT_CONFIG);
    expect(r2.optimizer).toEqual({ name: 'adam', beta1: 0.5, weightDecay: 1e-4, clipNorm: 1 });
    expect(r2.schedule).toEqual({ name: 'cosine', minLr: 1e-5 });
    expect(() => resolveConfig(r2)).not.toThrow();
  });

  it('fills a split\'s empty sizes from the default', () => {
    const d = fresh();
    d.split = [6, undefined, 2];
    expect(trainRequest(d, DEFAULT_CONFIG).split).toEqual([6, 1, 2]);
  });
});

describe('the saved settings of an earlier visit', () => {
  it('loads a config saved before the new fields, with an emptied field saved as null, over the defaults', () => {
    const old = { preset: 'tiny', loss: 'wave-l1', optimizer: { name: 'sgd' }, lr: 0.01, schedule: { name: 'cosine', warmupSteps: null }, steps: 20, batch: 4, seed: 3, valEvery: 10, threads: 2 };
    const d = restoredDraft(options, old);
    expect(d).toMatchObject({ preset: 'tiny', loss: 'wave-l1', lr: 0.01, steps: 20, batch: 4, seed: 3, threads: 2, dropout: 0, augment: DEFAULT_CONFIG.augment, split: [8, 1, 1] });
    expect(d.optimizer).toEqual({ name: 'sgd' });
    expect(d.schedule).toEqual({ name: 'cosine' });
    expect(resolveConfig(trainRequest(d, DEFAULT_CONFIG))).toMatchObject({ optimizer: { name: 'sgd' }, schedule: { name: 'cosine' }, steps: 20 });
  });

  it('keeps the new settings it saved, and drops what the engine no longer offers or a value of the wrong kind', () => {
    const saved = {
      preset: 'gone', loss: 'gone-loss', steps: 'many', unknownKey: 5, dropout: 0.2, split: [6, 2, 2],
      optimizer: { name: 'adamw', weightDecay: 0.05, clipNorm: 1, beta1: null }, augment: { noiseSnrDb: 20, polarity: true, tiltDb: 'x' }, schedule: { name: 'cyclic' },
    };
    const d = restoredDraft(options, saved);
    expect(d.preset).toBe(DEFAULT_CONFIG.preset);
    expect(d.loss).toBe(DEFAULT_CONFIG.loss);
    expect(d.steps).toBe(DEFAULT_CONFIG.steps);
    expect(d).not.toHaveProperty('unknownKey');
    expect(d.dropout).toBe(0.2);
    expect(d.split).toEqual([6, 2, 2]);
    expect(d.optimizer).toEqual({ name: 'adamw', weightDecay: 0.05, clipNorm: 1 });
    expect(d.augment).toEqual({ gainDb: 0, polarity: true, noiseSnrDb: 20, tiltDb: 0 });
    expect(d.schedule).toEqual(DEFAULT_CONFIG.schedule);
    expect(restoredDraft(options, 'not an object')).toEqual(fresh());
  });

  it('keeps the network shape it saved (bits, latent channels, hop, width), but not the run to start from', () => {
    const saved = { preset: 'tiny', bits: 2, latentChannels: 'x', hop: 128, width: 0.5, initFrom: 'tiny-wave-l1-old' };
    const d = restoredDraft(options, saved);
    expect(d).toMatchObject({ preset: 'tiny', bits: 2, hop: 128, width: 0.5 });
    expect(d.latentChannels).toBeUndefined();
    expect(d.initFrom).toBeUndefined();
    expect(resolveConfig(trainRequest(d, DEFAULT_CONFIG))).toMatchObject({ bits: 2, latentChannels: 8, hop: 128, width: 0.5 });
    expect(fresh().bits).toBeUndefined();
  });
});
