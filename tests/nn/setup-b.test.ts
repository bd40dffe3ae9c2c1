// Setup B's network: the preset's encoder and bottleneck, a decoder that predicts a dB spectrogram
// at the STFT's frame rate, its weights file, and the codec that turns its prediction into audio.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { KernelCore } from '../../src/kernels/core.js';
import { Codec } from '../../src/nn/codec.js';
import { allocParams, CodecGraph, initParams, paramLayout } from '../../src/nn/model.js';
import { countParams, presetInfo, PRESETS, setupBPreset, type Preset } from '../../src/nn/presets.js';
import { decodeWeights, encodeWeights } from '../../src/nn/weights.js';
import { MagnitudeStft } from '../../src/losses/stft.js';
import { applyMel } from '../../src/losses/mel.js';
import { lossMelFilterbank, outputToDb, predictionToMagnitude, SPECTROGRAM_DB_OFFSET } from '../../src/nn/spectrogram-output.js';
import { loadClips } from '../../src/data/load.js';
import { BUNDLED_CLIP } from '../../src/assets.js';
import { MUSIC_DIR } from '../helpers.js';

const stftTiny = setupBPreset(PRESETS.tiny, 'stft-db', 8);
const melTiny = setupBPreset(PRESETS.tiny, 'mel-db', 8);

function weightsFor(model: Preset, seed = 1): Float32Array {
  const layout = paramLayout(model);
  const params = new Float32Array(layout.total);
  initParams(layout, params, seed);
  return params;
}

describe('Setup B network', () => {
  it('keeps the encoder, bottleneck and bit rate, and has the decoder of its parameter count', () => {
    // Conv(8, c4, 3) + 2 Res(c4) + Conv(c4, c4, 8, stride 4) + Conv(c4, F, 3), Res(c) = 3c² + c + c² + c.
    const decoder = (c4: number, F: number) => (8 * c4 * 3 + c4) + 2 * (4 * c4 * c4 + 2 * c4) + (c4 * c4 * 8 + c4) + (c4 * F * 3 + F);
    expect(decoder(32, 513)).toBe(67105);
    expect(decoder(32, 64)).toBe(23552);
    expect(decoder(64, 513)).toBe(166465);
    for (const base of [PRESETS.tiny, PRESETS.small]) {
      for (const [space, F] of [['stft-db', 513], ['mel-db', 64]] as const) {
        const b = setupBPreset(base, space, 32);
        expect(b.encoder).toEqual(base.encoder);
        expect(countParams(b.decoder)).toBe(decoder(base.channels[3], F));
        expect(presetInfo(b)).toMatchObject({ hopSamples: 64, bitrateKbps: presetInfo(base).bitrateKbps, params: { encoder: presetInfo(base).params.encoder } });
        expect(paramLayout(b).total).toBe(presetInfo(b).params.total);
      }
    }
    // The presets themselves are untouched (reference-model.md).
    expect(presetInfo(PRESETS.tiny).params.total).toBe(39433);
    expect(presetInfo(PRESETS.small).params.total).toBe(153609);
  });

  it('predicts one spectrogram frame per 256 samples, F values each', () => {
    const core = KernelCore.create();
    for (const model of [stftTiny, melTiny]) {
      const store = allocParams(core, paramLayout(model), true);
      const g = new CodecGraph(store, model, { B: 2, T: 8192, training: true });
      expect([g.latent.C, g.latent.T]).toEqual([8, 128]);
      expect([g.output.B, g.output.C, g.output.T]).toEqual([2, model.spectrogram!.bins, 32]);
      const dec = new CodecGraph(store, model, { B: 1, T: 4096, training: false, part: 'decoder' });
      expect([dec.output.C, dec.output.T]).toEqual([model.spectrogram!.bins, 16]);
      expect(() => new CodecGraph(store, model, { B: 1, T: 8192 + 64, training: false })).toThrow(/multiple of the spectrogram hop \(256\)/);
    }
  });

  it('puts the dB offset near the median level of music in both spaces', async () => {
    // outputToDb(0) is where a fresh decoder starts; it should sit inside the range the targets span.
    const { clips } = await loadClips([BUNDLED_CLIP, path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav')]);
    const core = KernelCore.create();
    const fb = lossMelFilterbank();
    for (const clip of clips) {
      const T = 65536;
      const stft = new MagnitudeStft(core, 1, T, 1024, 256);
      const x = core.allocF32(T);
      core.f32(x, T).set(clip.audio.subarray(0, T));
      stft.forward(x);
      const mag = Float32Array.from(core.f32(stft.mag, stft.size));
      const mel = new Float32Array(stft.frames * 64);
      applyMel(fb, mag, mel, stft.frames);
      for (const values of [mag, mel]) {
        const db = Array.from(values, (v) => 20 * Math.log10(Math.max(v, 1e-5))).sort((a, b) => a - b);
        const median = db[db.length >> 1];
        const space = values === mag ? 'stft-db' : 'mel-db';
        expect(Math.abs(median - SPECTROGRAM_DB_OFFSET[space]), `${clip.name} ${space}: median ${median.toFixed(1)} dB`).toBeLessThan(15);
      }
    }
    expect(outputToDb('mel-db', 0)).toBe(SPECTROGRAM_DB_OFFSET['mel-db']);
  });

  it('turns a prediction into STFT magnitudes, repeating the last frame past its end', () => {
    const bins = 513;
    const pred = new Float32Array(bins * 3);
    for (let c = 0; c < bins; c++) for (let j = 0; j < 3; j++) pred[c * 3 + j] = j; // frame j at -20 + 20 j dB
    const mag = predictionToMagnitude(stftTiny.spectrogram!, pred, 3, 1, 4);
    expect(mag.length).toBe(4 * bins);
    expect([mag[0], mag[bins], mag[2 * bins], mag[3 * bins + 7]].map((v) => 20 * Math.log10(v))).toEqual([
      expect.closeTo(0, 4), expect.closeTo(20, 4), expect.closeTo(20, 4), expect.closeTo(20, 4),
    ]);
    // Mel: 64 bands in, 513 non-negative bins out.
    const melMag = predictionToMagnitude(melTiny.spectrogram!, new Float32Array(64 * 3).fill(1), 3, 0, 3);
    expect(melMag.length).toBe(3 * 513);
    expect(melMag.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
  });
});

describe('Setup B weights and codec', () => {
  it('records the setup and space in the weights file, and reads them back', () => {
    const params = weightsFor(melTiny);
    const file = decodeWeights(encodeWeights(melTiny, params, { step: 3 }));
    expect(file.preset).toBe('tiny');
    expect(file.model.spectrogram).toEqual({ space: 'mel-db', bins: 64, hop: 256, glIters: 8 });
    expect(file.model.decoder).toEqual(melTiny.decoder);
    expect(file.params).toEqual(params);
    // A Setup A file says nothing of a setup and opens as the preset.
    const a = decodeWeights(encodeWeights('tiny', weightsFor(PRESETS.tiny)));
    expect(a.model).toEqual(PRESETS.tiny);
    // A file whose setup does not match its values, or is unknown, is refused.
    const bytes = encodeWeights(stftTiny, weightsFor(stftTiny));
    const text = Buffer.from(bytes).toString('latin1');
    const tamper = (from: string, to: string) => new Uint8Array(Buffer.from(text.replace(from, to), 'latin1'));
    expect(() => decodeWeights(tamper('"space":"stft-db"', '"space":"mel-db" '))).toThrow(/parameters/);
    expect(() => decodeWeights(tamper('"setup":"B"', '"setup":"C"'))).toThrow(/unknown setup/);
    expect(() => decodeWeights(tamper('"glIters":8', '"glIters":0'))).toThrow(/Griffin-Lim iterations/);
  });

  it('reconstructs audio of the input length by Griffin-Lim, the same on every call', () => {
    for (const model of [stftTiny, melTiny]) {
      const codec = new Codec(model, weightsFor(model));
      // Shorter than a graph window; a multiple of 256; longer than one Griffin-Lim chunk (65536).
      for (const n of [700, 8192, 70001]) {
        const x = Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(i * 0.05) + 0.1 * Math.sin(i * 0.31));
        const enc = codec.encode(x);
        expect(enc.frames % 4).toBe(0);
        expect(enc.frames * 64).toBeGreaterThanOrEqual(n);
        const y = codec.decode(enc);
        expect(y.length).toBe(n);
        expect(y.every(Number.isFinite)).toBe(true);
        expect(y.some((v) => v !== 0)).toBe(true);
        expect(codec.decode(enc)).toEqual(y);
      }
    }
  });
});
