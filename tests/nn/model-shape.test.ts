// The shape settings beside the presets (bits, latent channels, hop, width): parameter counts, hop,
// frame rate and nominal bit rate worked out by hand for a table of settings, every network's
// lengths exact (output as long as the input), and the presets untouched at their defaults.
import { describe, expect, it } from 'vitest';
import { KernelCore } from '../../src/kernels/core.js';
import { allocParams, CodecGraph, initParams, paramLayout } from '../../src/nn/model.js';
import { Codec } from '../../src/nn/codec.js';
import { decodeWeights, encodeWeights } from '../../src/nn/weights.js';
import { HOPS, presetInfo, PRESETS, setupBPreset, shapedPreset, ShapeError, type ModelShape, type PresetName } from '../../src/nn/presets.js';

interface Row {
  preset: PresetName;
  shape: Partial<ModelShape>;
  channels: number[];
  encoder: number;
  decoder: number;
  hop: number;
  frameRateHz: number;
  kbps: number;
}

// Counts by hand from reference-model.md's layers: Conv(cin, cout, k) has k cin cout + cout
// parameters, Res(c) 4c^2 + 2c, a stage of stride s has a kernel of 2s. Small's encoder is 76,808 and
// decoder 76,801; tiny's 19,720 and 19,713; a row changes only the layers its settings touch.
const TABLE: Row[] = [
  // Bits change no layer: 375 frames/s x 8 x 2 = 6 kbit/s.
  { preset: 'small', shape: { bits: 2 }, channels: [16, 32, 64, 64], encoder: 76808, decoder: 76801, hop: 64, frameRateHz: 375, kbps: 6 },
  // Latent 16: Conv(32, 16, 3) = 1,552 instead of Conv(32, 8, 3) = 776; Conv(16, 32, 3) = 1,568 instead of 800.
  { preset: 'tiny', shape: { latentChannels: 16 }, channels: [8, 16, 32, 32], encoder: 19720 - 776 + 1552, decoder: 19713 - 800 + 1568, hop: 64, frameRateHz: 375, kbps: 24 },
  // Hop 128 = 4x4x8: the last stage's kernel 16, Conv(64, 64, 16) = 16 x 4096 + 64, 32,768 weights more each side.
  { preset: 'small', shape: { hop: 128 }, channels: [16, 32, 64, 64], encoder: 76808 + 32768, decoder: 76801 + 32768, hop: 128, frameRateHz: 187.5, kbps: 6 },
  // Hop 256 = 4x8x8: stage 2 Conv(32, 64, 16) adds 8 x 32 x 64 = 16,384 and stage 3 adds 32,768.
  { preset: 'small', shape: { hop: 256 }, channels: [16, 32, 64, 64], encoder: 76808 + 16384 + 32768, decoder: 76801 + 16384 + 32768, hop: 256, frameRateHz: 93.75, kbps: 3 },
  // Hop 320 = 4x8x10: stage 2 adds 16,384, stage 3 Conv(64, 64, 20) adds 12 x 4096 = 49,152. 75 x 8 x 4 = 2.4.
  { preset: 'small', shape: { hop: 320 }, channels: [16, 32, 64, 64], encoder: 76808 + 16384 + 49152, decoder: 76801 + 16384 + 49152, hop: 320, frameRateHz: 75, kbps: 2.4 },
  // Hop 32 = 2x4x4: stage 1 Conv(8, 16, 4) has 4 x 8 x 16 = 512 weights, 512 fewer than with kernel 8.
  { preset: 'tiny', shape: { hop: 32 }, channels: [8, 16, 32, 32], encoder: 19720 - 512, decoder: 19713 - 512, hop: 32, frameRateHz: 750, kbps: 24 },
  // Width 2, channels 32, 64, 128, 128. Encoder: Conv(1, 32, 7) 256; Res(32) + Conv(32, 64, 8) 4,160 + 16,448;
  // Res(64) + Conv(64, 128, 8) 16,512 + 65,664; Res(128) + Conv(128, 128, 8) 65,792 + 131,200; Conv(128, 8, 3) 3,080.
  // Decoder: Conv(8, 128, 3) 3,200; ConvT(128, 128, 8) 131,200 + Res(128) 65,792; ConvT(128, 64, 8) 65,600 +
  // Res(64) 16,512; ConvT(64, 32, 8) 16,416 + Res(32) 4,160; Conv(32, 1, 7) 225.
  { preset: 'small', shape: { width: 2 }, channels: [32, 64, 128, 128], encoder: 256 + 4160 + 16448 + 16512 + 65664 + 65792 + 131200 + 3080, decoder: 3200 + 131200 + 65792 + 65600 + 16512 + 16416 + 4160 + 225, hop: 64, frameRateHz: 375, kbps: 12 },
  // Width 0.3 rounds tiny's 8, 16, 32, 32 to 2, 5, 10, 10. Encoder: 16; Res(2) 20 + Conv(2, 5, 8) 85;
  // Res(5) 110 + Conv(5, 10, 8) 410; Res(10) 420 + Conv(10, 10, 8) 810; Conv(10, 8, 3) 248.
  // Decoder: Conv(8, 10, 3) 250; ConvT(10, 10, 8) 810 + Res(10) 420; ConvT(10, 5, 8) 405 + Res(5) 110;
  // ConvT(5, 2, 8) 82 + Res(2) 20; Conv(2, 1, 7) 15.
  { preset: 'tiny', shape: { width: 0.3 }, channels: [2, 5, 10, 10], encoder: 16 + 20 + 85 + 110 + 410 + 420 + 810 + 248, decoder: 250 + 810 + 420 + 405 + 110 + 82 + 20 + 15, hop: 64, frameRateHz: 375, kbps: 12 },
  // All at once: tiny, 8 bits, 2 latent channels, hop 160 = 4x4x10 (Conv(32, 32, 20) adds 12 x 1024 =
  // 12,288; Conv(32, 2, 3) = 194 instead of 776; Conv(2, 32, 3) = 224 instead of 800). 150 x 2 x 8 = 2.4.
  { preset: 'tiny', shape: { bits: 8, latentChannels: 2, hop: 160 }, channels: [8, 16, 32, 32], encoder: 19720 + 12288 - 776 + 194, decoder: 19713 + 12288 - 800 + 224, hop: 160, frameRateHz: 150, kbps: 2.4 },
];

describe('model shapes', () => {
  it('leaves the presets as reference-model.md defines them at their default settings', () => {
    for (const name of ['small', 'tiny'] as const) {
      const same = shapedPreset(name, {});
      expect(same).toEqual(PRESETS[name]);
      expect(shapedPreset(name, { bits: 4, latentChannels: 8, hop: 64, width: 1 })).toEqual(PRESETS[name]);
    }
    expect(presetInfo(PRESETS.small).params.total).toBe(153609);
    expect(presetInfo(PRESETS.tiny).params.total).toBe(39433);
    // 5,768 multiply-adds per sample each side (Conv(1, 16, 7) 112, five blocks of 1,024, the last
    // stage 512, the latent conv 24): 11,536 per sample, about 11.5 k as reference-model.md says.
    expect(presetInfo(PRESETS.small).macsPerSecond).toEqual({ encoder: 5768 * 24000, decoder: 5768 * 24000, total: 11536 * 24000 });
  });

  for (const row of TABLE) {
    const label = `${row.preset} ${JSON.stringify(row.shape)}`;
    it(`${label}: parameters, hop, frame rate and bit rate as worked out by hand`, () => {
      const p = shapedPreset(row.preset, row.shape);
      expect(p.channels).toEqual(row.channels);
      const info = presetInfo(p);
      expect(info.params).toEqual({ encoder: row.encoder, decoder: row.decoder, total: row.encoder + row.decoder });
      expect(info.hopSamples).toBe(row.hop);
      expect(info.frameRateHz).toBe(row.frameRateHz);
      expect(info.bitrateKbps).toBeCloseTo(row.kbps, 12);
      expect(paramLayout(p).total).toBe(row.encoder + row.decoder);
    });

    it(`${label}: the output is as long as the input, the latent hop times shorter, and the multiply-adds agree with the graph's`, () => {
      const p = shapedPreset(row.preset, row.shape);
      const T = 24 * row.hop;
      const core = KernelCore.create();
      const layout = paramLayout(p);
      const store = allocParams(core, layout, false);
      const g = new CodecGraph(store, p, { B: 2, T, training: false });
      expect([g.output.B, g.output.C, g.output.T]).toEqual([2, 1, T]);
      expect([g.latent.C, g.latent.T]).toEqual([p.latent, T / row.hop]);
      const macs = presetInfo(p).macsPerSecond.total;
      expect(g.forwardMacs() / (2 * T)).toBeCloseTo(macs / 24000, 6);
    });
  }

  it('a shaped network codes audio of any length and its weights file says its shape', () => {
    const p = shapedPreset('tiny', { bits: 2, hop: 320, width: 0.5 });
    const layout = paramLayout(p);
    const params = new Float32Array(layout.total);
    initParams(layout, params, 1);
    const codec = new Codec(p, params);
    const audio = Float32Array.from({ length: 5000 }, (_, i) => 0.3 * Math.sin(i * 0.05));
    const enc = codec.encode(audio);
    expect(enc).toMatchObject({ latent: 8, bits: 2, frames: Math.ceil(5000 / 320) });
    expect(Math.max(...enc.codes)).toBeLessThanOrEqual(3);
    expect(codec.decode(enc).length).toBe(5000);

    const back = decodeWeights(encodeWeights(p, params));
    expect(back.model).toEqual(p);
    expect(back.params).toEqual(params);
    // A default-shaped network writes no shape, as every file did before shapes existed.
    const header = (bytes: Uint8Array) => Buffer.from(bytes.subarray(12, 12 + new DataView(bytes.buffer).getUint32(8, true))).toString('utf8');
    expect(JSON.parse(header(encodeWeights('tiny', new Float32Array(39433))))).not.toHaveProperty('shape');
    expect(JSON.parse(header(encodeWeights(p, params))).shape).toEqual({ bits: 2, latentChannels: 8, hop: 320, width: 0.5 });
  });

  it('refuses settings it cannot build, naming the allowed ones', () => {
    expect(() => shapedPreset('small', { bits: 0 })).toThrow(/bits must be a whole number from 1 to 8/);
    expect(() => shapedPreset('small', { bits: 2.5 })).toThrow(ShapeError);
    expect(() => shapedPreset('small', { latentChannels: 33 })).toThrow(/latent channels must be a whole number from 1 to 32/);
    expect(() => shapedPreset('small', { hop: 100 })).toThrow(new RegExp(`hop must be one of ${HOPS.join(', ')}.*320 = 4x8x10.*not 100`));
    expect(() => shapedPreset('small', { width: 8 })).toThrow(/width must be a number from 0.25 to 4/);
    expect(() => shapedPreset('small', { width: Number.NaN })).toThrow(/width/);
  });

  it('Setup B takes the hops whose latent frames make an even number per spectrogram frame, and refuses the others', () => {
    for (const hop of [32, 64, 128]) {
      const p = setupBPreset(shapedPreset('tiny', { hop }), 'mel-db', 4);
      const core = KernelCore.create();
      const g = new CodecGraph(allocParams(core, paramLayout(p), false), p, { B: 1, T: 8192, training: false });
      expect([g.output.C, g.output.T]).toEqual([64, 8192 / 256]);
    }
    // At hop 64 the decoder is the one Setup B always had: Conv(c4, c4, 8, stride 4, pad 2).
    expect(setupBPreset(shapedPreset('tiny', {}), 'stft-db', 4)).toEqual(setupBPreset(PRESETS.tiny, 'stft-db', 4));
    for (const hop of [160, 256, 320]) expect(() => setupBPreset(shapedPreset('tiny', { hop }), 'mel-db', 4)).toThrow(/hop must be one of 32, 64, 128/);
  });
});
