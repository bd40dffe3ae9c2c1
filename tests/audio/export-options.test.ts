// Export options: 16-bit PCM (clipped, TPDF-dithered) or 32-bit float, at 24 kHz or resampled back to
// the clip's own rate; refused with typed codes where they cannot apply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ditherToPcm16 } from '../../src/audio/dither.js';
import { encodeModelAudio } from '../../src/audio/export-encode.js';
import { MODEL_RATE } from '../../src/audio/prepare.js';
import { decodeWav, readWav } from '../../src/audio/wav-read.js';
import { writeWav } from '../../src/audio/wav-write.js';
import { MODEL_EXPORT_RATE, type ExportOptions } from '../../src/common/export-options.js';
import { LabService } from '../../src/api/service.js';
import { createDispatch } from '../../src/api/dispatch.js';
import type { AudioRef, LibraryEntry } from '../../src/api/contract.js';
import { initParams, paramLayout } from '../../src/nn/model.js';
import { PRESETS } from '../../src/nn/presets.js';
import { saveWeights } from '../../src/nn/weights.js';
import { EDGE_DIR, MUSIC_DIR, sine, tempDir } from '../helpers.js';

const LSB = 1 / 32768;
const clip1 = (v: number) => Math.max(-1, Math.min(1, v));

describe('ditherToPcm16', () => {
  it('rounds to 16-bit steps within a step and a half (rounding plus dither), clips to [-1, 1] and counts what it clipped', () => {
    const x = Float32Array.from([0, 0.3, -0.7, 0.99999, 1, -1, 1.5, -2, 3, 1e-6]);
    const { samples, clipped } = ditherToPcm16(x);
    expect(clipped).toBe(3);
    for (let i = 0; i < x.length; i++) {
      const steps = samples[i] * 32768;
      expect(Number.isInteger(steps) && steps >= -32768 && steps <= 32767, `sample ${i}`).toBe(true);
      expect(Math.abs(samples[i] - clip1(x[i])), `sample ${i}`).toBeLessThanOrEqual(1.5 * LSB);
    }
    // Seeded: the same audio gives the same file.
    expect(ditherToPcm16(x).samples).toEqual(samples);
  });

  it('keeps a level below one step on average, which plain rounding would turn into silence', () => {
    const level = 0.3 * LSB;
    const { samples } = ditherToPcm16(new Float32Array(200_000).fill(level));
    const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
    expect(Math.round(level * 32768)).toBe(0);
    expect(Math.abs(mean - level)).toBeLessThan(0.02 * LSB);
  });
});

describe('encodeModelAudio', () => {
  it('writes 16-bit PCM that reads back as pcm_s16 within a step and a half of the float samples', async () => {
    const x = sine(440, MODEL_RATE, 4800, 0.9);
    const { bytes, clipped } = await encodeModelAudio(x, { sampleFormat: 'pcm16', sampleRate: MODEL_RATE });
    const back = decodeWav(bytes);
    expect(back).toMatchObject({ format: 'pcm_s16', sampleRate: MODEL_RATE, channels: 1, frames: x.length });
    expect(clipped).toBe(0);
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(back.samples[0][i] - x[i]));
    expect(worst).toBeLessThanOrEqual(1.5 * LSB);
  });

  it('resamples to another rate with exactly the frames asked for, the tone unchanged', async () => {
    const x = sine(1000, MODEL_RATE, 6000, 0.5);
    const { bytes } = await encodeModelAudio(x, { sampleFormat: 'float32', sampleRate: 44100, frames: 11025 });
    const back = decodeWav(bytes);
    expect(back).toMatchObject({ format: 'float32', sampleRate: 44100, frames: 11025 });
    const want = sine(1000, 44100, 11025, 0.5);
    let worst = 0;
    // Away from the ends, where the converter's filter runs into the silence around the signal.
    for (let i = 200; i < 11025 - 200; i++) worst = Math.max(worst, Math.abs(back.samples[0][i] - want[i]));
    expect(worst).toBeLessThan(2e-3);
  });

  it('agrees with the engine on the model rate the lab bench names', () => {
    expect(MODEL_EXPORT_RATE).toBe(MODEL_RATE);
  });
});

describe('LabService export options', () => {
  const tmp = tempDir();
  const lab = new LabService({ runsDir: tmp.dir, withBundledClip: false, workers: 1 });
  const runId = '20260101-000000-tiny-mel-db-l1';
  let tone: Extract<LibraryEntry, { ok: true }>;
  let piano: Extract<LibraryEntry, { ok: true }>;
  /** A float file at the model rate peaking at 1.5: its model input is its own samples, half of them beyond full scale. */
  const hotSamples = sine(440, MODEL_RATE, 2400, 1.5);
  let hot: Extract<LibraryEntry, { ok: true }>;
  const out = (name: string) => path.join(tmp.dir, name);

  beforeAll(async () => {
    // A run folder as the service reads it: its config, best weights (untrained: any codec will do) and a split file.
    const dir = path.join(tmp.dir, runId);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ preset: 'tiny', loss: 'mel-db-l1', setup: 'A' }));
    const params = new Float32Array(paramLayout(PRESETS.tiny).total);
    initParams(paramLayout(PRESETS.tiny), params, 7);
    saveWeights(path.join(dir, 'best.weights'), 'tiny', params);
    await writeWav(path.join(dir, 'test_reconstruction.wav'), [sine(330, MODEL_RATE, 12000, 0.5)], MODEL_RATE, 'float32');
    const added = await lab.addFiles([path.join(EDGE_DIR, 'ok_s16_stereo_44100.wav'), path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav')]);
    if (!added.every((e) => e.ok)) throw new Error(JSON.stringify(added));
    [tone, piano] = added as Extract<LibraryEntry, { ok: true }>[];
    await writeWav(out('hot.wav'), [hotSamples], MODEL_RATE, 'float32');
    hot = (await lab.addFiles([out('hot.wav')]))[0] as Extract<LibraryEntry, { ok: true }>;
  });
  afterAll(async () => {
    await lab.shutdown();
    tmp.cleanup();
  });

  it('exports a reconstruction at the clip\'s own rate, as long as the clip', async () => {
    const ref: AudioRef = { kind: 'reconstruction', runId, clipId: piano.id };
    const r = await lab.exportAudio(ref, out('piano-44k.wav'), { sampleFormat: 'float32', rate: 'source' });
    const back = await readWav(r.path);
    expect(back).toMatchObject({ format: 'float32', sampleRate: 44100, channels: 1 });
    expect(Math.abs(back.frames - piano.frames)).toBeLessThanOrEqual(2);
    expect(r).toMatchObject({ bytes: readFileSync(r.path).length, clipped: 0 });
    // The download answers the same bytes.
    expect(Buffer.from(await lab.audio(ref, { sampleFormat: 'float32', rate: 'source' })).equals(readFileSync(r.path))).toBe(true);
  });

  it('brings the model input back to 44.1 kHz close to the clip itself (two tones far below the model\'s band edge)', async () => {
    const bytes = new Uint8Array(await lab.audio({ kind: 'model-input', clipId: tone.id }, { sampleFormat: 'float32', rate: 'source' }));
    const back = decodeWav(bytes);
    expect(back).toMatchObject({ sampleRate: 44100, frames: tone.frames });
    // The clip is 440 Hz left and 660 Hz right at 0.5; the model input is their mean.
    const want = Float32Array.from({ length: tone.frames }, (_, i) => 0.25 * (Math.sin((2 * Math.PI * 440 * i) / 44100) + Math.sin((2 * Math.PI * 660 * i) / 44100)));
    let worst = 0;
    for (let i = 300; i < tone.frames - 300; i++) worst = Math.max(worst, Math.abs(back.samples[0][i] - want[i]));
    expect(worst).toBeLessThan(2e-3);
  });

  it('writes 16-bit PCM within a step and a half of the float export, counting the samples it clipped', async () => {
    const ref: AudioRef = { kind: 'reconstruction', runId, clipId: tone.id };
    const f = await readWav((await lab.exportAudio(ref, out('f32.wav'))).path);
    const r = await lab.exportAudio(ref, out('s16.wav'), { sampleFormat: 'pcm16', rate: 'model' });
    const s = await readWav(r.path);
    expect(s).toMatchObject({ format: 'pcm_s16', sampleRate: 24000, frames: f.frames });
    let over = 0;
    let worst = 0;
    for (let i = 0; i < f.frames; i++) {
      const v = f.samples[0][i];
      if (Math.abs(v) > 1) over++;
      worst = Math.max(worst, Math.abs(s.samples[0][i] - clip1(v)));
    }
    expect(r.clipped).toBe(over);
    expect(worst).toBeLessThanOrEqual(1.5 * LSB);

    const loud = await lab.exportAudio({ kind: 'model-input', clipId: hot.id }, out('hot-s16.wav'), { sampleFormat: 'pcm16', rate: 'model' });
    const want = hotSamples.filter((v) => Math.abs(v) > 1).length;
    expect(want).toBeGreaterThan(hotSamples.length / 3);
    expect(loud.clipped).toBe(want);
    const back = (await readWav(loud.path)).samples[0];
    expect([Math.min(...back), Math.max(...back)]).toEqual([-1, 32767 / 32768]);
  });

  it('writes a run\'s split file as 16-bit at 24 kHz, and refuses it at a source rate it does not have (NO_SOURCE_RATE)', async () => {
    const ref: AudioRef = { kind: 'run', runId, file: 'test_reconstruction' };
    const back = decodeWav(new Uint8Array(await lab.audio(ref, { sampleFormat: 'pcm16', rate: 'model' })));
    expect(back).toMatchObject({ format: 'pcm_s16', sampleRate: 24000, frames: 12000 });
    await expect(lab.audio(ref, { sampleFormat: 'pcm16', rate: 'source' })).rejects.toMatchObject({ code: 'NO_SOURCE_RATE' });
    await expect(lab.exportAudio(ref, out('split.wav'), { sampleFormat: 'float32', rate: 'source' })).rejects.toMatchObject({ code: 'NO_SOURCE_RATE' });
    // Without options it is the file as it is.
    expect(decodeWav(new Uint8Array(await lab.audio(ref)))).toMatchObject({ format: 'float32', sampleRate: 24000 });
  });

  it('refuses options for a library clip (exported as it is), and malformed options through the dispatch, with BAD_REQUEST', async () => {
    await expect(lab.audio({ kind: 'clip', clipId: tone.id }, { sampleFormat: 'pcm16', rate: 'model' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(lab.exportAudio({ kind: 'model-input', clipId: tone.id }, out('x.wav'), { sampleFormat: 'pcm24' } as unknown as ExportOptions)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const dispatch = createDispatch(lab);
    const ref = { kind: 'model-input', clipId: tone.id };
    const bad: [unknown, RegExp][] = [
      [{ sampleFormat: 'pcm24', rate: 'model' }, /^audio: argument 2\.sampleFormat must be one of pcm16, float32$/],
      [{ sampleFormat: 'pcm16', rate: 48000 }, /^audio: argument 2\.rate must be one of model, source$/],
      [{ sampleFormat: 'pcm16' }, /^audio: argument 2 needs 'rate'$/],
      [{ sampleFormat: 'pcm16', rate: 'model', dither: false }, /^audio: argument 2 has an unknown key 'dither'/],
      ['pcm16', /^audio: argument 2 must be an object/],
    ];
    for (const [opts, message] of bad) {
      expect(await dispatch.call('audio', [ref, opts]), JSON.stringify(opts)).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(message) } });
    }
    expect(await dispatch.call('audio', [ref, { sampleFormat: 'pcm16', rate: 'model' }, 'more'])).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: 'audio takes 2 arguments, not 3' } });
    const good = await dispatch.call('audio', [ref, { sampleFormat: 'pcm16', rate: 'source' }]);
    expect(good.ok && decodeWav(new Uint8Array(good.value as ArrayBuffer))).toMatchObject({ format: 'pcm_s16', sampleRate: 44100, frames: tone.frames });
  });
});
