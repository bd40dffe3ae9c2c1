// The runs list's settings line: the optimizer, its rate and the batch always, then only what differs
// from the engine's defaults, so runs made on the command line are told apart.
import { DEFAULT_SHAPE } from '../../src/nn/presets.js';
import { describe, expect, it } from 'vitest';
import { runSettingsLine, shortNumber, trainedElsewhere } from '../../renderer/src/lib/run-settings.js';
import { DEFAULT_CONFIG, resolveConfig, type TrainConfig } from '../../src/train/config.js';
import { OPTIMIZER_DEFAULTS } from '../../src/optim/optimizer.js';

const line = (c: TrainConfig) => runSettingsLine(c, DEFAULT_CONFIG, OPTIMIZER_DEFAULTS, DEFAULT_SHAPE);

describe('shortNumber', () => {
  it('writes small and large settings in short exponent form, others plainly, without float noise', () => {
    expect([1e-3, 1e-4, 3e-4, 0.001234, 0.8, 0.1 + 0.2, 16384, 1e6, 0].map(shortNumber)).toEqual(['1e-3', '1e-4', '3e-4', '1.23e-3', '0.8', '0.3', '16384', '1e6', '0']);
  });
});

describe('a run\'s settings line', () => {
  it('says only the optimizer, its learning rate and the batch for a run on the defaults', () => {
    expect(line(resolveConfig({}))).toBe('adam lr 1e-3 · batch 8');
  });

  it('lists every setting that differs, in a fixed order', () => {
    const c = resolveConfig({
      optimizer: { name: 'momentum', momentum: 0.8, nesterov: true, weightDecay: 1e-4, clipNorm: 1 },
      schedule: { name: 'step', gamma: 0.5, stepSize: 5, warmupSteps: 2 },
      steps: 20, batch: 4, dropout: 0.1, l1: 1e-5, patience: 3, dataFraction: 0.5, split: [6, 2, 2],
      augment: { gainDb: 6, polarity: true, noiseSnrDb: 20, tiltDb: 3 },
    });
    expect(line(c)).toBe(
      'momentum lr 1e-3 · momentum 0.8 · nesterov · wd 1e-4 · clip 1 · step ×0.5/5 · warm-up 2 · dropout 0.1 · L1 1e-5 · patience 3 · data 50% · gain −6 dB · polarity · noise 20 dB SNR · tilt ±3 dB · batch 4 · split 6:2:2',
    );
  });

  it('leaves out an optimizer setting equal to that optimizer\'s default, and says AdamW\'s decay is decoupled', () => {
    expect(line(resolveConfig({ optimizer: { name: 'momentum', momentum: 0.9 } }))).toBe('momentum lr 1e-3 · batch 8');
    expect(line(resolveConfig({ optimizer: { name: 'adamw' }, lr: 3e-4 }))).toBe('adamw lr 3e-4 · wd 0.01 decoupled · batch 8');
    expect(line(resolveConfig({ optimizer: { name: 'adam', beta2: 0.99, clipValue: 0.5 }, schedule: { name: 'cosine', minLr: 1e-5 } }))).toBe(
      'adam lr 1e-3 · β2 0.99 · clip value 0.5 · cosine → 1e-5 · batch 8',
    );
  });

  it('reads a config.json from before the newer settings existed as having them off', () => {
    const old = { preset: 'small', loss: 'mel-db-l1', optimizer: { name: 'sgd' }, schedule: { name: 'constant' }, lr: 0.01, steps: 10, batch: 8, segment: 8192, seed: 0 };
    expect(line(old as unknown as TrainConfig)).toBe('sgd lr 0.01 · batch 8');
  });
});

describe('the settings line and the network shape', () => {
  it('names a shape other than the preset own', () => {
    expect(line({ ...DEFAULT_CONFIG, bits: 2, hop: 128, latentChannels: 8, width: 1 })).toBe('adam lr 1e-3 · 2 bits · hop 128 · batch 8');
  });
});

describe('where a run was trained', () => {
  it('names PyTorch, its processes and device for a run from the exported project, nothing for the lab\'s own', () => {
    const config = { ...DEFAULT_CONFIG, trainedWith: { framework: 'pytorch' as const, torch: '1.13.0a0+gitunknown', processes: 2, device: 'cpu' } };
    expect(trainedElsewhere(config)).toBe('PyTorch 1.13.0, 2 processes, cpu');
    expect(trainedElsewhere({ ...config, trainedWith: { ...config.trainedWith, torch: '2.4.1+cu121', processes: 1, device: 'cuda' } })).toBe('PyTorch 2.4.1, 1 process, cuda');
    expect(trainedElsewhere(DEFAULT_CONFIG)).toBeNull();
  });
});
