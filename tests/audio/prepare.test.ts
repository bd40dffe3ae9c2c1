import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { mixToMono, normalizePeak, peakDbfs, prepareAudio, resample, MODEL_RATE } from '../../src/audio/prepare.js';
import { readWav } from '../../src/audio/wav-read.js';
import { EDGE_DIR, MUSIC_DIR, rms, sine } from '../helpers.js';

/** Gain in dB of a resampled tone, measured away from the edges. */
async function toneGainDb(freq: number, fromRate: number): Promise<number> {
  const x = sine(freq, fromRate, fromRate); // 1 s
  const y = await resample(x, fromRate, MODEL_RATE);
  expect(y.length).toBe(MODEL_RATE);
  return 20 * Math.log10(rms(y, 2000, y.length - 2000) / rms(x));
}

describe('resampling to the model rate', () => {
  it('attenuates tones above the new Nyquist (12 kHz) by at least 60 dB', async () => {
    for (const [f, rate] of [[13000, 44100], [15000, 48000], [20000, 44100], [15000, 192000], [40000, 96000], [100000, 384000], [13000, 768000]]) {
      expect(await toneGainDb(f, rate), `${f} Hz from ${rate} Hz`).toBeLessThan(-60);
    }
  });

  it('passes tones below it within 0.1 dB', async () => {
    for (const [f, rate] of [[100, 44100], [1000, 44100], [5000, 48000], [9000, 44100], [10000, 96000], [440, 8000], [5000, 384000], [9000, 768000], [300, 1000]]) {
      expect(Math.abs(await toneGainDb(f, rate)), `${f} Hz from ${rate} Hz`).toBeLessThan(0.1);
    }
  });

  it('keeps the phase: a resampled sine lines up with the same sine made at 24 kHz', async () => {
    const y = await resample(sine(440, 44100, 44100), 44100, MODEL_RATE);
    const ref = sine(440, MODEL_RATE, MODEL_RATE);
    let err = 0;
    for (let i = 1000; i < y.length - 1000; i++) err = Math.max(err, Math.abs(y[i] - ref[i]));
    expect(err).toBeLessThan(1e-3);
  });

  it('removes the 15 kHz channel of the 192 kHz edge file and keeps the 440 Hz one', async () => {
    const wav = await readWav(path.join(EDGE_DIR, 'ok_s16_stereo_192000.wav'));
    const left = await resample(wav.samples[0], 192000, MODEL_RATE);
    const right = await resample(wav.samples[1], 192000, MODEL_RATE);
    expect(left.length).toBe(6000);
    expect(20 * Math.log10(rms(left, 500, 5500) / (0.5 / Math.SQRT2))).toBeGreaterThan(-0.1);
    expect(20 * Math.log10(rms(right, 500, 5500) / (0.5 / Math.SQRT2))).toBeLessThan(-60);
  });

  it('refuses rates it cannot convert with a clear error', async () => {
    // 24000 / 93 is more than the converter's largest ratio (256); 0 and fractions are not rates;
    // 200003 Hz is prime, so its ratio to 24 kHz keeps a term above what libsamplerate-js accepts.
    for (const rate of [93, 0, 44100.5, 200003]) {
      await expect(resample(new Float32Array(10), rate, MODEL_RATE), `${rate} Hz`).rejects.toMatchObject({ code: 'UNSUPPORTED_SAMPLE_RATE' });
    }
    await expect(resample(new Float32Array(10), MODEL_RATE, 24000 * 257)).rejects.toMatchObject({ code: 'UNSUPPORTED_SAMPLE_RATE', message: /factor of at most 256/ });
  });
});

describe('mixing and level', () => {
  it('mixes channels to their average and leaves mono untouched', () => {
    const a = Float32Array.from([1, 0.5, -1]);
    const b = Float32Array.from([0, 0.5, 1]);
    expect([...mixToMono([a, b])]).toEqual([0.5, 0.5, 0]);
    expect([...mixToMono([a])]).toEqual([...a]);
  });

  it('normalises the peak to the target level', () => {
    const { audio, gainDb } = normalizePeak(sine(100, 8000, 800, 0.25), -1);
    expect(peakDbfs(audio)).toBeCloseTo(-1, 4);
    expect(gainDb).toBeCloseTo(-1 - 20 * Math.log10(0.25), 2);
  });

  it('leaves digital silence alone instead of producing NaN', async () => {
    const wav = await readWav(path.join(EDGE_DIR, 'ok_silence_s16_mono_44100.wav'));
    const prepared = await prepareAudio(wav, { normalize: true });
    expect(prepared.gainDb).toBe(0);
    expect(prepared.mono.length).toBe(MODEL_RATE);
    expect(prepared.mono.every((v) => v === 0)).toBe(true);
  });

  it('prepares a real stereo recording: mono, 24 kHz, same duration, channels kept for display', async () => {
    const wav = await readWav(path.join(MUSIC_DIR, 'bigband_openmsx_keep_on_rolling.wav'));
    const p = await prepareAudio(wav);
    expect(p.sampleRate).toBe(24000);
    expect(p.mono.length).toBe(Math.round((wav.frames * 24000) / 44100));
    expect(p.channels).toHaveLength(2);
    expect(p.channels[0]).toBe(wav.samples[0]);
    const level = rms(p.mono);
    expect(level).toBeGreaterThan(0.01);
    expect(p.mono.every(Number.isFinite)).toBe(true);
  });

  it('keeps a one-sample file loadable (it is the later stages that need a minimum length)', async () => {
    const wav = await readWav(path.join(EDGE_DIR, 'ok_one_sample.wav'));
    const p = await prepareAudio(wav);
    expect(p.mono.length).toBeLessThanOrEqual(1);
    expect(p.mono.every(Number.isFinite)).toBe(true);
  });
});
