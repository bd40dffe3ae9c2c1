// Scoring a codec (src/eval/evaluate.ts): reconstructions made once can be scored without running the
// model again, with the same figures; and the losses live in the codec's own core, made once per block
// size, so scoring again neither makes a core nor takes more memory.
import { SPEED_REPEATS } from '../../src/eval/speed.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KernelCore } from '../../src/kernels/core.js';
import { Codec } from '../../src/nn/codec.js';
import { getPreset } from '../../src/nn/presets.js';
import { initParams, paramLayout } from '../../src/nn/model.js';
import { evaluateCodec, runCodec, type EvalClip } from '../../src/eval/evaluate.js';
import { musicClip } from '../runs/make-run.js';

const BLOCK = 4096;

async function codecAndClips(): Promise<{ codec: Codec; clips: EvalClip[] }> {
  const preset = getPreset('tiny');
  const layout = paramLayout(preset);
  const params = new Float32Array(layout.total);
  initParams(layout, params, 1);
  const { audio } = await musicClip();
  // Two whole blocks and a clip with a partial block at its end.
  const clips = [
    { name: 'a', audio: audio.subarray(0, 2 * BLOCK) },
    { name: 'b', audio: audio.subarray(2 * BLOCK, 3 * BLOCK + 1000) },
  ];
  return { codec: new Codec(preset, params), clips };
}

/** Bytes the core hands out during `f` (its allocator only bumps: the distance between two probes). */
function allocatedDuring(core: KernelCore, f: () => void): number {
  const probe = () => core.allocF32(1);
  const a = probe();
  const gap = probe() - a;
  const before = probe();
  f();
  return probe() - before - gap;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('evaluateCodec', () => {
  it('scores reconstructions made before as it scores its own, without running the model again', async () => {
    const { codec, clips } = await codecAndClips();
    const own = evaluateCodec(codec, clips, { block: BLOCK });
    const inference = runCodec(codec, clips.map((c) => c.audio));
    const encode = vi.spyOn(codec, 'encode');
    const decode = vi.spyOn(codec, 'decode');
    const given = evaluateCodec(codec, clips, { block: BLOCK, inference, timeSpeed: false });
    expect(encode).not.toHaveBeenCalled();
    expect(decode).not.toHaveBeenCalled();
    expect(given.reconstructions).toBe(inference.reconstructions);
    expect(given.reconstructions).toEqual(own.reconstructions);
    // Everything but the speeds, which are of the run that made the reconstructions.
    const { encodeRtf: _e, decodeRtf: _d, speed: _s, ...figures } = own.evaluation;
    expect(given.evaluation).toMatchObject(figures);
    expect(given.evaluation.losses).not.toBeNull();
    expect(given.evaluation.encodeRtf).toBe(given.evaluation.seconds / inference.encodeSec);
    expect(given.evaluation.speed.repeats).toBe(1);
  });

  it('times the codec as the median of repeated passes after a warm-up, with the spread', async () => {
    const { codec, clips } = await codecAndClips();
    const encode = vi.spyOn(codec, 'encode');
    const { speed } = evaluateCodec(codec, clips, { block: BLOCK }).evaluation;
    // One pass to reconstruct each clip, one warm-up and five timed passes over the excerpt.
    expect(encode).toHaveBeenCalledTimes(clips.length + 1 + SPEED_REPEATS);
    const joined = clips.reduce((n, c) => n + c.audio.length, 0);
    expect(speed.repeats).toBe(SPEED_REPEATS);
    expect(speed.encodeRange[0]).toBeLessThanOrEqual(speed.encodeRtf);
    expect(speed.encodeRtf).toBeLessThanOrEqual(speed.encodeRange[1]);
    expect(speed.decodeRange[0]).toBeLessThanOrEqual(speed.decodeRtf);
    expect(speed.decodeRtf).toBeLessThanOrEqual(speed.decodeRange[1]);
    expect(speed.seconds).toBeCloseTo(Math.min(joined / 24000, 10), 6);
  });

  it('refuses reconstructions that are not of the clips given', async () => {
    const { codec, clips } = await codecAndClips();
    const inference = runCodec(codec, [clips[0].audio]);
    expect(() => evaluateCodec(codec, clips, { block: BLOCK, inference })).toThrow(/do not match/);
  });

  it('computes its losses in the codec\'s core, made once per block size: scoring again makes no core and allocates nothing', async () => {
    const { codec, clips } = await codecAndClips();
    evaluateCodec(codec, clips, { block: BLOCK });
    const create = vi.spyOn(KernelCore, 'create');
    expect(allocatedDuring(codec.core, () => evaluateCodec(codec, clips, { block: BLOCK }))).toBe(0);
    expect(create).not.toHaveBeenCalled();
    // Another block size is another set of losses, once.
    expect(allocatedDuring(codec.core, () => evaluateCodec(codec, clips, { block: 2048 }))).toBeGreaterThan(0);
    expect(allocatedDuring(codec.core, () => evaluateCodec(codec, clips, { block: 2048 }))).toBe(0);
  });

  it('uses the core it is given for its losses instead', async () => {
    const { codec, clips } = await codecAndClips();
    const core = KernelCore.create();
    evaluateCodec(codec, clips, { block: BLOCK });
    const inCodec = allocatedDuring(codec.core, () => {
      expect(allocatedDuring(core, () => evaluateCodec(codec, clips, { block: 8192, core }))).toBeGreaterThan(0);
    });
    expect(inCodec).toBe(0);
  });
});
