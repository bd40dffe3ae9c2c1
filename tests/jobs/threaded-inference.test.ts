// The engine workers run a long clip's windows over several threads (src/nn/parallel-codec.ts):
// the answer must be what one codec on the main thread gives, also after the weights change.
import { afterAll, expect, it } from 'vitest';
import path from 'node:path';
import { JobPool } from '../../src/jobs/pool.js';
import { toSharedAudio } from '../../src/jobs/protocol.js';
import { decodeWav } from '../../src/audio/wav-read.js';
import { Codec } from '../../src/nn/codec.js';
import { initParams, paramLayout } from '../../src/nn/model.js';
import { PRESETS } from '../../src/nn/presets.js';
import { saveWeights } from '../../src/nn/weights.js';
import { tempDir } from '../helpers.js';

const pool = new JobPool({ size: 1 });
const tmp = tempDir();
afterAll(async () => {
  await pool.close();
  tmp.cleanup();
});

function weightsFile(seed: number): { file: string; params: Float32Array } {
  const layout = paramLayout(PRESETS.tiny);
  const params = new Float32Array(layout.total);
  initParams(layout, params, seed);
  const file = path.join(tmp.dir, `w${seed}.weights`);
  saveWeights(file, 'tiny', params);
  return { file, params };
}

// 6 s: four windows of the codec, so a machine of two or more cores spreads them over threads.
const clip = Float32Array.from({ length: 6 * 24000 }, (_, i) => 0.3 * Math.sin(i * 0.05) + 0.2 * Math.sin(i * i * 1e-6));

it('reconstructs a long clip as a one-thread codec does, with one run\'s weights and then another\'s', async () => {
  for (const seed of [1, 2]) {
    const { file, params } = weightsFile(seed);
    const wav = decodeWav(new Uint8Array((await pool.run({ kind: 'reconstruct', weights: { file }, audio: toSharedAudio(clip) })) as ArrayBuffer));
    expect(wav.samples[0]).toEqual(new Codec(PRESETS.tiny, params).reconstruct(clip));
  }
});
