// Every file in tests/fixtures/edge must do what CASES.md says: loads decode to the described
// signal, refusals carry the right code and a message naming the problem.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readWav, type DecodedWav } from '../../src/audio/wav-read.js';
import { AudioError } from '../../src/audio/errors.js';
import { EDGE_DIR } from '../helpers.js';

interface ManifestCase { file: string; expect: string; rate?: number; channels?: number; frames?: number; encoding?: string }
const manifest = JSON.parse(readFileSync(path.join(EDGE_DIR, 'manifest.json'), 'utf8')) as { cases: ManifestCase[] };
const byFile = new Map(manifest.cases.map((c) => [c.file, c]));

/** The largest difference between channel `ch` and a sine at `freq` Hz, amplitude 0.5. */
function sineError(wav: DecodedWav, ch: number, freq: number): number {
  let err = 0;
  const x = wav.samples[ch];
  for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(x[i] - 0.5 * Math.sin((2 * Math.PI * freq * i) / wav.sampleRate)));
  return err;
}

const LSB8 = 1 / 128 + 1e-6;
const LSB16 = 1 / 32768 + 1e-7;

type LoadCheck = { format: string; freqs?: number[]; tol?: number; check?: (w: DecodedWav) => void };
const loads: Record<string, LoadCheck> = {
  'ok_u8_mono_8000.wav': { format: 'pcm_u8', freqs: [440], tol: LSB8, check: (w) => expect(w.samples[0][0]).toBe(0) },
  'ok_s16_mono_11025.wav': { format: 'pcm_s16', freqs: [440], tol: LSB16 },
  'ok_s16_stereo_44100.wav': { format: 'pcm_s16', freqs: [440, 660], tol: LSB16 },
  'ok_s24_ext_stereo_96000.wav': { format: 'pcm_s24', freqs: [440, 660], tol: 1 / 2 ** 23 + 1e-7 },
  'ok_s32_ext_mono_48000.wav': { format: 'pcm_s32', freqs: [440], tol: 1e-6 },
  'ok_f32_stereo_48000.wav': { format: 'float32', freqs: [440, 660], tol: 1e-6 },
  'ok_f64_mono_22050.wav': { format: 'float64', freqs: [440], tol: 1e-6 },
  'ok_mulaw_mono_8000.wav': { format: 'mulaw', freqs: [440], tol: 0.02 },
  'ok_alaw_mono_8000.wav': { format: 'alaw', freqs: [440], tol: 0.02 },
  'ok_s16_ext_6ch_48000.wav': { format: 'pcm_s16', freqs: [220, 330, 440, 550, 660, 770], tol: LSB16 },
  'ok_s16_stereo_192000.wav': { format: 'pcm_s16', freqs: [440, 15000], tol: LSB16 },
  'ok_one_sample.wav': { format: 'pcm_s16', check: (w) => expect(w.samples[0][0]).toBe(0.5) },
  'ok_silence_s16_mono_44100.wav': { format: 'pcm_s16', check: (w) => expect(w.samples[0].every((v) => v === 0)).toBe(true) },
  'ok_square_fullscale_s16_mono_44100.wav': {
    format: 'pcm_s16',
    check: (w) => {
      const values = new Set(w.samples[0]);
      expect([...values].sort()).toEqual([-1, 32767 / 32768]);
      // 100 Hz square at 44.1 kHz: the first half period is positive, the second negative.
      expect(w.samples[0][10]).toBe(32767 / 32768);
      expect(w.samples[0][300]).toBe(-1);
    },
  },
  'ok_s24_pcm_mono_22050.wav': { format: 'pcm_s24', freqs: [440], tol: 1 / 2 ** 23 + 1e-7 },
  'ok_extra_chunks.wav': { format: 'pcm_s16', freqs: [440, 660], tol: LSB16 },
  'ok_odd_chunk_pad.wav': { format: 'pcm_u8', freqs: [440], tol: LSB8 },
  // load-or-refuse: we load both, with a warning for the unknown size.
  'bad_data_size_ffffffff.wav': { format: 'pcm_s16', freqs: [440], tol: LSB16, check: (w) => expect(w.warnings.join(' ')).toMatch(/0xFFFFFFFF/) },
  'bad_rifx_big_endian.wav': { format: 'pcm_s16', freqs: [440], tol: LSB16, check: (w) => expect(w.container).toBe('RIFX') },
};

const refusals: Record<string, { code: string; message: RegExp }> = {
  'bad_empty.wav': { code: 'EMPTY_FILE', message: /file is empty/ },
  'bad_text.wav': { code: 'NOT_WAV', message: /not a WAV file.*text/ },
  'bad_riff_header_only.wav': { code: 'NO_FMT_CHUNK', message: /missing fmt chunk/ },
  'bad_truncated_data.wav': { code: 'TRUNCATED_DATA', message: /data chunk truncated: declares 88200 bytes, 20000 present/ },
  'bad_no_fmt.wav': { code: 'NO_FMT_CHUNK', message: /missing fmt chunk/ },
  'bad_fmt_zero_channels.wav': { code: 'INVALID_CHANNELS', message: /invalid channel count 0/ },
  'bad_fmt_zero_rate.wav': { code: 'INVALID_SAMPLE_RATE', message: /invalid sample rate 0/ },
  'bad_unknown_format_tag.wav': { code: 'UNSUPPORTED_FORMAT', message: /unsupported format tag 0x4A4B/ },
  'bad_float_nan_inf.wav': { code: 'NON_FINITE_SAMPLES', message: /non-finite samples \(NaN\/Inf\).*100, 200, 300/ },
  'bad_declared_50mb.wav': { code: 'TRUNCATED_DATA', message: /declares 50000000 bytes, 100 present/ },
  'bad_mp3_renamed.wav': { code: 'NOT_WAV', message: /not a WAV file.*MP3/ },
};

describe('edge-case WAV files (tests/fixtures/edge)', () => {
  it('every file in the folder has a test here, and every case agrees with the manifest', () => {
    const files = readdirSync(EDGE_DIR).filter((f) => f.endsWith('.wav')).sort();
    expect(files.length).toBeGreaterThanOrEqual(30);
    const covered = [...Object.keys(loads), ...Object.keys(refusals)].sort();
    expect(covered).toEqual(files);
    for (const f of Object.keys(refusals)) expect(byFile.get(f)?.expect).toBe('refuse');
    for (const f of Object.keys(loads)) expect(byFile.get(f)?.expect).toMatch(/^load/);
  });

  for (const [file, want] of Object.entries(loads)) {
    it(`loads ${file}`, async () => {
      const wav = await readWav(path.join(EDGE_DIR, file));
      const c = byFile.get(file)!;
      expect(wav.format).toBe(want.format);
      expect(wav.sampleRate).toBe(c.rate);
      expect(wav.channels).toBe(c.channels);
      expect(wav.frames).toBe(c.frames);
      expect(wav.samples).toHaveLength(c.channels!);
      for (const ch of wav.samples) expect(ch.length).toBe(c.frames);
      expect(wav.durationSec).toBeCloseTo(c.frames! / c.rate!, 9);
      want.freqs?.forEach((f, ch) => expect(sineError(wav, ch, f), `channel ${ch} at ${f} Hz`).toBeLessThanOrEqual(want.tol!));
      want.check?.(wav);
    });
  }

  for (const [file, want] of Object.entries(refusals)) {
    it(`refuses ${file} with ${want.code}`, async () => {
      const err = await readWav(path.join(EDGE_DIR, file)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AudioError);
      expect((err as AudioError).code).toBe(want.code);
      expect((err as AudioError).message).toMatch(want.message);
    });
  }
});
