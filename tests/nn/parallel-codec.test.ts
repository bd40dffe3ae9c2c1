// Several windows per kernel call (Codec's batch) and windows spread over worker threads
// (ParallelCodec) change only how the windows of a pass are run: the codes and audio must equal the
// one-window-at-a-time, one-thread pass exactly, for Setup A and for Setup B's spectrogram decoder.
// Workers load from dist/: run `npx tsc -p tsconfig.build.json` after changing src/nn/*.
import { afterAll, describe, expect, it } from 'vitest';
import { Codec, windowPlan } from '../../src/nn/codec.js';
import { ParallelCodec } from '../../src/nn/parallel-codec.js';
import { evaluateCodec } from '../../src/eval/evaluate.js';
import { initParams, paramLayout } from '../../src/nn/model.js';
import { PRESETS, setupBPreset, type Preset } from '../../src/nn/presets.js';

function weightsFor(model: Preset, seed: number): Float32Array {
  const layout = paramLayout(model);
  const params = new Float32Array(layout.total);
  initParams(layout, params, seed);
  return params;
}

function music(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(i * 0.031) + 0.2 * Math.sin(i * i * 1e-5) + 0.05 * Math.sin(i * 2.1));
}

const tiny = PRESETS.tiny;
// 2300 frames: five windows, the last one short and shifted back inside the clip.
const clip = music(2300 * tiny.hop - 37);
const open: ParallelCodec[] = [];
afterAll(() => open.forEach((c) => c.close()));

function parallel(codec: Codec, threads: number): ParallelCodec {
  const p = new ParallelCodec(codec, threads);
  open.push(p);
  return p;
}

describe('batched windows', () => {
  it('the clip spans several windows', () => {
    expect(windowPlan(Math.ceil(clip.length / tiny.hop)).windows.length).toBe(5);
  });

  for (const batch of [2, 3, 5, 8]) {
    it(`${batch} windows per call give the codes and audio of one window per call`, () => {
      const params = weightsFor(tiny, 4);
      const one = new Codec(tiny, params);
      const many = new Codec(tiny, params, undefined, { batch });
      const enc = one.encode(clip);
      const encB = many.encode(clip);
      expect(encB.codes).toEqual(enc.codes);
      expect(many.decode(encB)).toEqual(one.decode(enc));
    });
  }

  it('Setup B: the same spectrogram prediction, so the same audio', () => {
    const model = setupBPreset(tiny, 'mel-db', 2);
    const params = weightsFor(model, 5);
    const one = new Codec(model, params);
    const many = new Codec(model, params, undefined, { batch: 2 });
    const enc = one.encode(clip);
    expect(many.encode(clip).codes).toEqual(enc.codes);
    expect(many.decode(enc)).toEqual(one.decode(enc));
  });

  it('refuses a batch that is not a whole number >= 1', () => {
    expect(() => new Codec(tiny, weightsFor(tiny, 1), undefined, { batch: 0 })).toThrow(RangeError);
  });
});

describe('windows over threads', () => {
  it('3 threads (and 2 threads with 2 windows per call) equal one thread, pass after pass', () => {
    const params = weightsFor(tiny, 6);
    const one = new Codec(tiny, params);
    const enc = one.encode(clip);
    const audio = one.decode(enc);
    for (const [threads, batch] of [[3, 1], [2, 2]]) {
      const p = parallel(new Codec(tiny, params, undefined, { batch }), threads);
      for (let pass = 0; pass < 2; pass++) {
        const encP = p.encode(clip);
        expect(encP).toEqual(enc);
        expect(p.decode(encP)).toEqual(audio);
      }
    }
  });

  it('new weights reach every worker', () => {
    const p = parallel(new Codec(tiny, weightsFor(tiny, 7)), 2);
    p.reconstruct(clip);
    const other = weightsFor(tiny, 8);
    p.loadParams(other);
    expect(p.reconstruct(clip)).toEqual(new Codec(tiny, other).reconstruct(clip));
  });

  it('a short clip (one window) and a closed codec run on the calling thread with the same result', () => {
    const params = weightsFor(tiny, 9);
    const one = new Codec(tiny, params);
    const p = parallel(new Codec(tiny, params), 4);
    const short = clip.subarray(0, 300 * tiny.hop);
    expect(p.reconstruct(short)).toEqual(one.reconstruct(short));
    p.close();
    expect(p.reconstruct(clip)).toEqual(one.reconstruct(clip));
  });

  it('Setup B over 2 threads equals one thread', () => {
    const model = setupBPreset(tiny, 'stft-db', 2);
    const params = weightsFor(model, 10);
    const one = new Codec(model, params);
    const p = parallel(new Codec(model, params), 2);
    const enc = one.encode(clip);
    expect(p.encode(clip)).toEqual(enc);
    expect(p.decode(enc)).toEqual(one.decode(enc));
  });

  it('refuses a thread count that is not a whole number >= 1', () => {
    expect(() => new ParallelCodec(new Codec(tiny, weightsFor(tiny, 1)), 0)).toThrow(RangeError);
  });
});

describe('evaluation over threads', () => {
  it('scores the same reconstructions, and times its speed on the one-thread codec', () => {
    const params = weightsFor(tiny, 11);
    const clips = [{ name: 'a', audio: clip }, { name: 'b', audio: clip.subarray(0, 9000) }];
    const one = evaluateCodec(new Codec(tiny, params), clips, { timeSpeed: false });
    const p = parallel(new Codec(tiny, params), 2);
    const many = evaluateCodec(p, clips, { timeSpeed: false });
    expect(many.reconstructions).toEqual(one.reconstructions);
    expect(many.evaluation.losses).toEqual(one.evaluation.losses);
    expect(many.evaluation.codeUsage).toEqual(one.evaluation.codeUsage);
  });
});
