// The engine workers behind the host: loading, reconstruction and scoring run off the main thread,
// on shared audio, with one kernel core per worker whatever passes through.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { JobPool } from '../../src/jobs/pool.js';
import { toSharedAudio } from '../../src/jobs/protocol.js';
import { decodeWav } from '../../src/audio/wav-read.js';
import { Codec } from '../../src/nn/codec.js';
import { initParams, paramLayout } from '../../src/nn/model.js';
import { PRESETS } from '../../src/nn/presets.js';
import { saveWeights } from '../../src/nn/weights.js';
import { EDGE_DIR, tempDir } from '../helpers.js';

const pool = new JobPool({ size: 2 });
const tmp = tempDir();
afterAll(async () => {
  await pool.close();
  tmp.cleanup();
});

function weightsFile(name: string, preset: 'tiny' | 'small', seed: number): { file: string; params: Float32Array } {
  const params = new Float32Array(paramLayout(PRESETS[preset]).total);
  initParams(paramLayout(PRESETS[preset]), params, seed);
  const file = path.join(tmp.dir, name);
  saveWeights(file, preset, params);
  return { file, params };
}

const tone = toSharedAudio(Float32Array.from({ length: 24000 }, (_, i) => 0.4 * Math.sin(i * 0.05)));

describe('engine workers', () => {
  it('load a WAV handed over as bytes: its facts, its bytes and its model-rate mono on shared memory', async () => {
    const bytes = readFileSync(path.join(EDGE_DIR, 'ok_s16_stereo_44100.wav'));
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const r = await pool.load('stereo.wav', { bytes: buf }, 2 ** 30);
    expect(buf.byteLength).toBe(0); // handed over, not copied
    if (!r.ok) throw new Error(r.error.message);
    expect(r.info).toMatchObject({ format: 'pcm_s16', sampleRate: 44100, channels: 2, frames: 11025 });
    expect(r.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(r.bytes).equals(bytes)).toBe(true);
    expect(r.mono.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(r.mono.length).toBe(Math.round((11025 * 24000) / 44100));
  });

  it('refuse a file that would not fit in the library\'s budget, before decoding it', async () => {
    const file = path.join(EDGE_DIR, 'ok_s16_stereo_44100.wav');
    // The file is 44144 bytes; its 24 kHz mono 6000 samples, 24000 bytes.
    expect(await pool.load('fits.wav', { path: file }, 44144 + 24000)).toMatchObject({ ok: true });
    const r = await pool.load('too-big.wav', { path: file }, 44144 + 23999);
    expect(r).toMatchObject({ ok: false, error: { code: 'LIBRARY_FULL' } });
    if (!r.ok) expect(r.error.message).toMatch(/^too-big\.wav needs 1 MB in the library \(the file and its 24 kHz mono\), which has 0 MB free/);
  });

  it('refuse a broken file with its code, as a result, not a failure', async () => {
    const r = await pool.load('bad.wav', { path: path.join(EDGE_DIR, 'bad_truncated_data.wav') }, 2 ** 30);
    expect(r).toMatchObject({ ok: false, error: { code: 'TRUNCATED_DATA' } });
  });

  it('reconstruct with a run\'s weights exactly as a codec on the main thread would', async () => {
    const { file, params } = weightsFile('a.weights', 'tiny', 1);
    const wav = decodeWav(new Uint8Array((await pool.run({ kind: 'reconstruct', weights: { file }, audio: tone })) as ArrayBuffer));
    expect(wav).toMatchObject({ sampleRate: 24000, channels: 1, format: 'float32', frames: tone.length });
    expect(wav.samples[0]).toEqual(new Codec(PRESETS.tiny, params).reconstruct(Float32Array.from(tone)));
  });

  it('notice a weights file rewritten since it was cached (a run still training)', async () => {
    const a = weightsFile('b.weights', 'tiny', 2);
    const first = new Uint8Array((await pool.run({ kind: 'reconstruct', weights: { file: a.file }, audio: tone })) as ArrayBuffer);
    // Rewritten at once, same size: what a run still training does between two calls.
    const b = weightsFile('b.weights', 'tiny', 3);
    const second = decodeWav(new Uint8Array((await pool.run({ kind: 'reconstruct', weights: { file: b.file }, audio: tone })) as ArrayBuffer));
    expect(second.samples[0]).toEqual(new Codec(PRESETS.tiny, b.params).reconstruct(Float32Array.from(tone)));
    expect(decodeWav(first).samples[0]).not.toEqual(second.samples[0]);
  });

  it('serve runs of both presets, one after another, from the same workers', async () => {
    const small = weightsFile('s.weights', 'small', 4);
    const tiny = weightsFile('t.weights', 'tiny', 5);
    for (const [w, preset] of [[small, 'small'], [tiny, 'tiny'], [small, 'small']] as const) {
      const out = decodeWav(new Uint8Array((await pool.run({ kind: 'reconstruct', weights: { file: w.file }, audio: tone })) as ArrayBuffer));
      expect(out.samples[0]).toEqual(new Codec(PRESETS[preset], w.params).reconstruct(Float32Array.from(tone)));
    }
  });

  it('fail a missing weights file with a code, and keep working', async () => {
    await expect(pool.run({ kind: 'reconstruct', weights: { file: path.join(tmp.dir, 'none.weights') }, audio: tone })).rejects.toMatchObject({ code: 'NO_WEIGHTS' });
    const { file } = weightsFile('c.weights', 'tiny', 6);
    await expect(pool.run({ kind: 'encode-wav', audio: tone })).resolves.toBeInstanceOf(ArrayBuffer);
    await expect(pool.run({ kind: 'reconstruct', weights: { file }, audio: tone })).resolves.toBeInstanceOf(ArrayBuffer);
  });

  it('fail only the jobs of a worker that dies, then start another', async () => {
    const own = new JobPool({ size: 1 });
    try {
      const { file } = weightsFile('d.weights', 'small', 7);
      const long = toSharedAudio(new Float32Array(24000 * 60));
      const job = own.run({ kind: 'reconstruct', weights: { file }, audio: long });
      // The worker thread ends under the job, as it would on running out of memory.
      await (own as unknown as { workers: { worker: { terminate(): Promise<number> } }[] }).workers[0].worker.terminate();
      await expect(job).rejects.toMatchObject({ code: 'ENGINE_WORKER_FAILED' });
      expect(own.workerCount).toBe(0);
      await expect(own.run({ kind: 'encode-wav', audio: tone })).resolves.toBeInstanceOf(ArrayBuffer);
    } finally {
      await own.close();
    }
  });
});
