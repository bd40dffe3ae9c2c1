import { describe, expect, it } from 'vitest';
import { PRESETS, countParams, presetInfo } from '../../src/nn/presets.js';

describe('presets (reference-model.md)', () => {
  it('small has 76,808 + 76,801 = 153,609 parameters', () => {
    expect(countParams(PRESETS.small.encoder)).toBe(76808);
    expect(countParams(PRESETS.small.decoder)).toBe(76801);
    expect(presetInfo(PRESETS.small).params.total).toBe(153609);
  });

  it('tiny has 19,720 + 19,713 = 39,433 parameters', () => {
    expect(countParams(PRESETS.tiny.encoder)).toBe(19720);
    expect(countParams(PRESETS.tiny.decoder)).toBe(19713);
    expect(presetInfo(PRESETS.tiny).params.total).toBe(39433);
  });

  it('hop 64 samples, 375 frames/s, 8 channels x 4 bits = 12 kbit/s', () => {
    for (const p of Object.values(PRESETS)) {
      expect(presetInfo(p)).toMatchObject({ hopSamples: 64, frameRateHz: 375, bitrateKbps: 12 });
      const strides = [...p.encoder].filter((l) => l.kind === 'conv').reduce((h, l) => h * (l.kind === 'conv' ? l.stride : 1), 1);
      expect(strides).toBe(p.hop);
    }
  });
});
