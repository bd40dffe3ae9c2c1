// Loading for the library streams a file to its model-rate mono a chunk at a time; it must give the
// same samples, warnings and refusals as decoding the whole file and preparing it.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeModelMono } from '../../src/audio/model-mono.js';
import { decodeWav } from '../../src/audio/wav-read.js';
import { prepareAudio } from '../../src/audio/prepare.js';
import { encodeWav } from '../../src/audio/wav-write.js';
import { parseWavLayout } from '../../src/audio/riff.js';
import { EDGE_DIR, MUSIC_DIR, sine } from '../helpers.js';

const alloc = (n: number) => new Float32Array(n);

async function expectSameAsWhole(bytes: Uint8Array, what: string): Promise<void> {
  const whole = decodeWav(bytes);
  const expected = (await prepareAudio(whole)).mono;
  const { info, mono } = await decodeModelMono(bytes, alloc);
  expect(mono.length, what).toBe(expected.length);
  expect(Buffer.from(mono.buffer).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)), `${what}: the same samples`).toBe(true);
  const { samples: _, ...facts } = whole;
  expect(info, what).toEqual(facts);
}

describe('a file streamed to its model-rate mono', () => {
  const loads = readdirSync(EDGE_DIR).filter((f) => f.startsWith('ok_')).sort();

  it.each(loads)('equals decoding and preparing it whole: %s', async (file) => {
    await expectSameAsWhole(new Uint8Array(readFileSync(path.join(EDGE_DIR, file))), file);
  });

  it('equals it for real music longer than one chunk and one resampler piece, and at the model rate itself', async () => {
    await expectSameAsWhole(new Uint8Array(readFileSync(path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav'))), 'piano');
    // 12 s at 48 kHz: more input than one piece the resampler takes at a time (504,000 samples).
    const long = sine(997, 48000, 48000 * 12);
    await expectSameAsWhole(encodeWav([long, long], 48000, 'pcm_s16'), '12 s at 48 kHz');
    const at24k = sine(440, 24000, 24000 * 7 + 5);
    await expectSameAsWhole(encodeWav([at24k, at24k], 24000, 'float32'), '24 kHz stereo float');
  });

  it('equals it for floats near the float32 maximum (converted with headroom, never Infinity)', async () => {
    const huge = Float32Array.from(sine(1000, 44100, 44100 * 3), (v) => v * 3e38);
    await expectSameAsWhole(encodeWav([huge, huge], 44100, 'float32'), 'huge floats');
    const { mono } = await decodeModelMono(encodeWav([huge, huge], 44100, 'float32'), alloc);
    expect(mono.every(Number.isFinite)).toBe(true);
  });

  it('refuses what decoding refuses, with the same code, before allocating the output', async () => {
    let allocated = false;
    const watch = (n: number) => ((allocated = true), new Float32Array(n));
    // A float file with one NaN far into it (the writer refuses NaN, so it is put in the bytes).
    const bytes = encodeWav([sine(440, 8000, 100_000)], 8000, 'float32');
    const { dataOffset } = parseWavLayout(bytes);
    new DataView(bytes.buffer, bytes.byteOffset).setFloat32(dataOffset + 4 * 90_000, NaN, true);
    await expect(decodeModelMono(bytes, watch)).rejects.toMatchObject({ code: 'NON_FINITE_SAMPLES' });
    await expect(decodeModelMono(new Uint8Array(readFileSync(path.join(EDGE_DIR, 'bad_truncated_data.wav'))), watch)).rejects.toMatchObject({ code: 'TRUNCATED_DATA' });
    expect(allocated).toBe(false);
  });
});
