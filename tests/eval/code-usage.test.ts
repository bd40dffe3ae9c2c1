// What the bits really carry: the code histogram per latent channel, its entropy, and the
// entropy-coded bit rate beside the nominal one in a codec's evaluation.
import { describe, expect, it } from 'vitest';
import { countCodes, emptyUsage, entropyBits, entropyKbps } from '../../src/eval/code-usage.js';
import { evaluateCodec } from '../../src/eval/evaluate.js';
import { Codec, type Encoded } from '../../src/nn/codec.js';
import { initParams, paramLayout } from '../../src/nn/model.js';
import { presetInfo, shapedPreset } from '../../src/nn/presets.js';

describe('code entropy', () => {
  it('is 2 bits for codes spread evenly over 4 levels, 0 for a constant, 1 for two even levels', () => {
    expect(entropyBits([5, 5, 5, 5])).toBeCloseTo(2, 12);
    expect(entropyBits([0, 12, 0, 0])).toBe(0);
    expect(entropyBits([7, 0, 0, 7])).toBeCloseTo(1, 12);
    // p = 3/4, 1/4: -(0.75 log2 0.75 + 0.25 log2 0.25) = 0.811278...
    expect(entropyBits([3, 1])).toBeCloseTo(0.8112781244591328, 12);
    expect(entropyBits([0, 0])).toBe(0);
  });

  it('counts each channel of a code sequence apart and sums their entropies into kbit/s', () => {
    // 2 channels x 8 frames of 2-bit codes: channel 0 uses all four levels evenly (2 bits),
    // channel 1 is constant (0 bits).
    const enc: Encoded = { codes: Uint8Array.from([0, 1, 2, 3, 3, 2, 1, 0, 2, 2, 2, 2, 2, 2, 2, 2]), frames: 8, latent: 2, bits: 2, samples: 8 * 64 };
    const usage = emptyUsage(2, 2);
    countCodes(usage, enc);
    expect(usage.counts).toEqual([[2, 2, 2, 2], [0, 0, 8, 0]]);
    // 375 frames/s x (2 + 0) bits = 0.75 kbit/s; nominal would be 375 x 2 x 2 = 1.5.
    expect(entropyKbps(usage, 375)).toBeCloseTo(0.75, 12);
    // Only the frames that cover the audio: the first 4.
    const head = emptyUsage(2, 2);
    countCodes(head, enc, 4);
    expect(head.counts).toEqual([[1, 1, 1, 1], [0, 0, 4, 0]]);
    expect(() => countCodes(emptyUsage(3, 2), enc)).toThrow(/do not fit/);
  });

  it("a codec's evaluation carries the code usage of every frame and an entropy rate at most the nominal one", () => {
    const preset = shapedPreset('tiny', { bits: 3, latentChannels: 4, hop: 128 });
    const layout = paramLayout(preset);
    const params = new Float32Array(layout.total);
    initParams(layout, params, 2);
    const codec = new Codec(preset, params);
    const clip = (n: number, f: number) => Float32Array.from({ length: n }, (_, i) => 0.4 * Math.sin(i * f) + 0.1 * Math.sin(i * 7.3 * f));
    const clips = [{ name: 'a', audio: clip(8192, 0.01) }, { name: 'b', audio: clip(8192 + 100, 0.03) }];
    const { evaluation: e } = evaluateCodec(codec, clips, { timeSpeed: false });
    const info = presetInfo(preset);
    expect(e.bitrateKbps).toBeCloseTo(187.5 * 4 * 3 / 1000, 12);
    const usage = e.codeUsage!;
    expect(usage.bits).toBe(3);
    expect(usage.counts).toHaveLength(4);
    // 64 frames for the first clip, ceil(8292 / 128) = 65 for the second: the padding frames are not counted.
    for (const row of usage.counts) {
      expect(row).toHaveLength(8);
      expect(row.reduce((a, b) => a + b, 0)).toBe(64 + 65);
    }
    const expected = (info.frameRateHz * usage.counts.reduce((h, row) => h + entropyBits(row), 0)) / 1000;
    expect(e.entropyKbps).toBeCloseTo(expected, 12);
    expect(e.entropyKbps!).toBeGreaterThan(0);
    expect(e.entropyKbps!).toBeLessThanOrEqual(e.bitrateKbps);
  });
});
