import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { KernelCore } from '../../src/kernels/core.js';
import { Codec, GRAPH_FRAMES } from '../../src/nn/codec.js';
import { allocParams, CodecGraph, initParams, paramLayout, quantize } from '../../src/nn/model.js';
import { PRESETS } from '../../src/nn/presets.js';
import { decodeWeights, encodeWeights, loadWeights, saveWeights } from '../../src/nn/weights.js';
import { maxAbsDiff, tempDir } from '../helpers.js';

const preset = PRESETS.tiny;
const layout = paramLayout(preset);
const params = new Float32Array(layout.total);
initParams(layout, params, 3);

function music(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(i * 0.031) + 0.2 * Math.sin(i * i * 1e-5) + 0.05 * Math.sin(i * 2.1));
}

/** The whole clip through one graph of exactly its length: what windowing must reproduce. */
function onePass(audio: Float32Array): Float32Array {
  const core = KernelCore.create();
  const store = allocParams(core, layout, false);
  const g = new CodecGraph(store, preset, { B: 1, T: audio.length, training: false });
  core.f32(store.params, layout.total).set(params);
  core.f32(g.input.ptr, audio.length).set(audio);
  g.forward();
  return Float32Array.from(core.f32(g.output.ptr, audio.length));
}

describe('quantizer', () => {
  it('maps to 2^bits uniform levels over [-1, 1] as reference-model.md defines', () => {
    const z = Float32Array.from([-1, -0.99, -0.1, 0, 0.05, 0.5, 1]);
    const q = new Float32Array(z.length);
    quantize(z, q, 4);
    // n = 15: q = 2 round((z + 1) / 2 * 15) / 15 - 1
    const expected = [-1, -1, 2 * 7 / 15 - 1, 2 * 8 / 15 - 1, 2 * 8 / 15 - 1, 2 * 11 / 15 - 1, 1];
    expected.forEach((v, i) => expect(q[i]).toBeCloseTo(v, 6));
    expect(new Set(q).size).toBeLessThanOrEqual(16);
  });
});

describe('inference codec', () => {
  it('encodes at 375 frames/s x 8 channels with 4-bit codes and decodes to the input length', () => {
    const codec = new Codec(preset, params);
    const audio = music(24000 + 17);
    const enc = codec.encode(audio);
    expect(enc.frames).toBe(Math.ceil(audio.length / 64));
    expect(enc.codes.length).toBe(8 * enc.frames);
    expect(Math.max(...enc.codes)).toBeLessThanOrEqual(15);
    const out = codec.decode(enc);
    expect(out.length).toBe(audio.length);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('windowed inference over a long clip equals one pass over the whole clip', () => {
    const audio = music(64 * 1500); // three windows
    const codec = new Codec(preset, params);
    expect(maxAbsDiff(onePass(audio), codec.reconstruct(audio))).toBeLessThan(1e-5);
  });
});

describe('inference on clips of any length', () => {
  it('builds a bounded set of graphs: new lengths after the first round allocate nothing', () => {
    const codec = new Codec(preset, params);
    // First round: one clip per graph length, and one longer than a window.
    for (const frames of [...GRAPH_FRAMES, 1500]) codec.reconstruct(music(frames * preset.hop));
    const bytes = codec.core.exports.memory.buffer.byteLength;
    const top = codec.core.exports.alloc(16);
    for (const n of [1, 100, 1037, 5000, 9000, 20000, 40000, 100001]) expect(codec.reconstruct(music(n)).length).toBe(n);
    expect(codec.core.exports.memory.buffer.byteLength).toBe(bytes);
    // Between two probes the bump allocator moved by one probe's stride: no graph was built.
    const next = codec.core.exports.alloc(16);
    expect(codec.core.exports.alloc(16) - next).toBe(next - top);
  });

  it('a clip that fills a graph exactly (a training segment) equals one pass over it', () => {
    const audio = music(8192);
    const out = new Codec(preset, params).reconstruct(audio);
    expect(maxAbsDiff(onePass(audio), out)).toBeLessThan(1e-6);
  });

  it('a shorter clip, zero-padded to its graph, equals one pass over it but for its last frames', () => {
    const audio = music(64 * 79);
    const out = new Codec(preset, params).reconstruct(audio);
    // The padding after the end reaches back through the receptive field (a few frames), no further.
    const kept = audio.length - 64 * 16;
    expect(maxAbsDiff(onePass(audio).subarray(0, kept), out.subarray(0, kept))).toBeLessThan(1e-5);
  });
});

describe('weights files', () => {
  it('round-trip exactly with their metadata, and are plain JSON + float32', () => {
    const bytes = encodeWeights('tiny', params, { step: 12 });
    const back = decodeWeights(bytes);
    expect(back.preset).toBe('tiny');
    expect(back.meta).toEqual({ step: 12 });
    expect(back.params).toEqual(params);
    const hLen = new DataView(bytes.buffer).getUint32(8, true);
    const header = JSON.parse(Buffer.from(bytes.subarray(12, 12 + hLen)).toString());
    expect(header.tensors[0]).toEqual({ name: 'encoder.0.weight', shape: [8, 1, 7], offset: 0 });
    expect(new DataView(bytes.buffer).getFloat32(12 + hLen, true)).toBe(params[0]);
  });

  it('refuse truncated or foreign files with a message', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'w.bin');
      saveWeights(file, 'tiny', params);
      expect(loadWeights(file).params).toEqual(params);
      const bytes = readFileSync(file);
      writeFileSync(file, bytes.subarray(0, bytes.length - 4));
      expect(() => loadWeights(file)).toThrow(/expected 157732 bytes of values/);
      writeFileSync(file, 'hello');
      expect(() => loadWeights(file)).toThrow(/not a Codec Lab weights file/);
    } finally {
      cleanup();
    }
  });
});
