// The limits of what a WAV file may hold and what the preparation can do with it: sample rates no
// recording has, rates the resampler cannot convert, float values near the float32 maximum,
// silence, and files long enough to be read in several chunks. Every file is built here.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { encodeWav } from '../../src/audio/wav-write.js';
import { decodedBytes, decodeWav, readWav, readWavFile } from '../../src/audio/wav-read.js';
import { inspectFile, inspectWav } from '../../src/audio/inspect.js';
import { parseWavLayout, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from '../../src/audio/riff.js';
import { SILENCE_WARNING } from '../../src/audio/sample-scan.js';
import { mixToMono, prepareAudio, resample, MODEL_RATE } from '../../src/audio/prepare.js';
import { EDGE_DIR, maxAbsDiff, rms, sine, tempDir } from '../helpers.js';

const FLOAT32_MAX = 3.4028234663852886e38;

/** WAV bytes whose fmt chunk declares `rate` (and the byte rate that goes with it). */
function withRate(bytes: Uint8Array, rate: number): Uint8Array {
  const b = bytes.slice();
  const v = new DataView(b.buffer);
  v.setUint32(24, rate, true);
  v.setUint32(28, (rate * v.getUint16(32, true)) >>> 0, true);
  return b;
}

/** Run `check` on the bytes written to a temporary file. */
async function onDisk<T>(bytes: Uint8Array, check: (file: string) => Promise<T>): Promise<T> {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'clip.wav');
    writeFileSync(file, bytes);
    return await check(file);
  } finally {
    cleanup();
  }
}

describe('sample rates a file may declare', () => {
  const tone = encodeWav([sine(440, 8000, 800)], 8000);

  for (const rate of [4_294_967_295, MAX_SAMPLE_RATE + 1, MIN_SAMPLE_RATE - 1, 1]) {
    it(`refuses ${rate} Hz in decodeWav, readWav and inspect with UNSUPPORTED_SAMPLE_RATE`, async () => {
      const bytes = withRate(tone, rate);
      const want = { code: 'UNSUPPORTED_SAMPLE_RATE', message: expect.stringContaining(`${rate} Hz is outside`) };
      expect(() => decodeWav(bytes)).toThrow(expect.objectContaining(want));
      await onDisk(bytes, async (file) => {
        await expect(readWav(file)).rejects.toMatchObject(want);
        expect(await inspectFile(file)).toEqual({ file, ok: false, error: { code: want.code, message: expect.stringContaining(`${MIN_SAMPLE_RATE} Hz to ${MAX_SAMPLE_RATE} Hz`) } });
      });
    });
  }

  it('keeps 0 Hz as INVALID_SAMPLE_RATE, as before', () => {
    expect(() => decodeWav(withRate(tone, 0))).toThrow(expect.objectContaining({ code: 'INVALID_SAMPLE_RATE' }));
  });

  it('loads the ends of the range, and prepares both to 24 kHz with the right length', async () => {
    for (const rate of [MIN_SAMPLE_RATE, MAX_SAMPLE_RATE]) {
      const wav = decodeWav(encodeWav([sine(rate / 10, rate, rate / 2)], rate));
      expect(wav.sampleRate).toBe(rate);
      const p = await prepareAudio(wav);
      expect(p.mono.length).toBe(MODEL_RATE / 2);
      // A tone at a tenth of the rate passes (100 Hz from 1 kHz) or is removed (76.8 kHz from 768 kHz).
      const level = rms(p.mono, 1000, p.mono.length - 1000) / (0.5 / Math.SQRT2);
      if (rate === MIN_SAMPLE_RATE) expect(Math.abs(20 * Math.log10(level))).toBeLessThan(0.1);
      else expect(20 * Math.log10(level)).toBeLessThan(-60);
    }
  });
});

describe('the resampler at its limits', () => {
  it('refuses a ratio beyond 256 with a code, and converts 94 Hz (just inside) to the right length', async () => {
    await expect(resample(sine(10, 93, 93), 93, MODEL_RATE)).rejects.toMatchObject({ code: 'UNSUPPORTED_SAMPLE_RATE', message: /from 93 Hz/ });
    const y = await resample(sine(10, 94, 94), 94, MODEL_RATE);
    expect(y.length).toBe(MODEL_RATE);
    const ref = sine(10, MODEL_RATE, MODEL_RATE);
    expect(maxAbsDiff(y.subarray(3000, 21000), ref.subarray(3000, 21000))).toBeLessThan(0.01);
  });

  it('gives every sample of a signal longer than libsamplerate-js takes in one call, the last ones included', async () => {
    // 1.2 million samples at 44.1 kHz: more than the wrapper's 1,008,000-sample buffer.
    const n = 1_200_000;
    const y = await resample(sine(440, 44100, n), 44100, MODEL_RATE);
    expect(y.length).toBe(Math.round((n * MODEL_RATE) / 44100));
    const ref = sine(440, MODEL_RATE, y.length);
    // The middle (where the pieces join) and the tail match the same tone made at 24 kHz.
    expect(maxAbsDiff(y.subarray(1000, y.length - 1000), ref.subarray(1000, y.length - 1000))).toBeLessThan(1e-3);
    expect(rms(y, y.length - 50)).toBeGreaterThan(0.3);
  });

  it('converts rates that are not multiples of ten (the wrapper threw a RangeError on long input)', async () => {
    const n = 1_100_000;
    const y = await resample(sine(300, 22051, n), 22051, MODEL_RATE);
    expect(y.length).toBe(Math.round((n * MODEL_RATE) / 22051));
    expect(y.every(Number.isFinite)).toBe(true);
  });

  it('keeps output finite for finite input at the float32 maximum (its filter overshoots a sharp edge)', async () => {
    const square = Float32Array.from({ length: 44100 }, (_, i) => (Math.floor(i / 25) % 2 ? -FLOAT32_MAX : FLOAT32_MAX));
    const y = await resample(square, 44100, MODEL_RATE);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(Math.max(...y.subarray(100, 200))).toBe(FLOAT32_MAX);
  });
});

describe('mixing to mono', () => {
  it('averages finite channels to finite values, even at the float32 maximum', () => {
    const big = Float32Array.from([3e38, FLOAT32_MAX, -FLOAT32_MAX, 3e38]);
    const other = Float32Array.from([3e38, FLOAT32_MAX, -FLOAT32_MAX, -3e38]);
    const mono = mixToMono([big, other]);
    expect(mono.every(Number.isFinite)).toBe(true);
    expect([...mono]).toEqual([Math.fround(3e38), FLOAT32_MAX, -FLOAT32_MAX, 0]);
    expect([...mixToMono([big, big, big])]).toEqual([...big]);
  });

  it('prepares a float file holding 3e38 in both channels without NaN or Infinity', async () => {
    const loud = new Float32Array(4800).fill(3e38);
    const wav = decodeWav(encodeWav([loud, loud], 48000, 'float32'));
    const p = await prepareAudio(wav, { normalize: true });
    expect(p.mono.length).toBe(2400);
    expect(p.mono.every(Number.isFinite)).toBe(true);
  });
});

describe('silence', () => {
  it('loads an all-zero clip with a warning, from bytes, from a file and in inspect', async () => {
    for (const format of ['pcm_s16', 'float32'] as const) {
      const silent = new Float32Array(24000);
      if (format === 'float32') silent[5] = -0; // negative zero is silence too
      const bytes = encodeWav([silent, silent], 24000, format);
      expect(decodeWav(bytes).warnings).toEqual([SILENCE_WARNING]);
      await onDisk(bytes, async (file) => {
        expect((await readWav(file)).warnings).toEqual([SILENCE_WARNING]);
        expect(await inspectFile(file)).toMatchObject({ ok: true, warnings: [SILENCE_WARNING] });
      });
    }
  });

  it('gives no warning when one sample in one channel is not zero', () => {
    const quiet = new Float32Array(1000);
    quiet[999] = 1 / 32768;
    expect(decodeWav(encodeWav([new Float32Array(1000), quiet], 8000)).warnings).toEqual([]);
  });
});

describe('reading in chunks and reading once', () => {
  const frames = 1_000_000;
  const left = sine(440, 48000, frames, 0.9);
  const right = sine(660, 48000, frames, 0.3);

  // Float32 stereo (8 bytes a frame) and 16-bit with three channels (6 bytes a frame, which does
  // not divide the 4 MiB read buffer): both span several chunks.
  for (const [format, channels] of [['float32', [left, right]], ['pcm_s16', [left, right, left]]] as const) {
    it(`readWav of a ${format} file read in chunks equals decodeWav of its bytes, sample for sample`, async () => {
      const bytes = encodeWav(channels, 48000, format);
      const inMemory = decodeWav(bytes);
      expect(decodedBytes(parseWavLayout(bytes))).toBe(frames * channels.length * 4);
      expect(inMemory.samples.reduce((n, s) => n + s.byteLength, 0)).toBe(frames * channels.length * 4);
      await onDisk(bytes, async (file) => {
        const streamed = await readWav(file);
        expect(streamed.frames).toBe(frames);
        streamed.samples.forEach((s, c) => expect(maxAbsDiff(s, inMemory.samples[c]), `channel ${c}`).toBe(0));
        expect(maxAbsDiff(streamed.samples[2] ?? left, left)).toBeLessThanOrEqual(format === 'float32' ? 0 : 0.5 / 32768 + 1e-9);
        expect(Buffer.from(await readWavFile(file)).equals(bytes)).toBe(true);
      });
    });
  }

  it('inspect refuses NaN far past the first chunk, naming the frames', async () => {
    const damaged = right.slice();
    damaged[frames - 3] = NaN;
    damaged[700_001] = Infinity;
    await onDisk(encodeWavUnchecked([left, damaged], 48000), async (file) => {
      const r = await inspectFile(file);
      expect(r).toMatchObject({ ok: false, error: { code: 'NON_FINITE_SAMPLES', message: `non-finite samples (NaN/Inf): 2 in all, at frames 700001, ${frames - 3}` } });
      await expect(readWav(file)).rejects.toMatchObject({ code: 'NON_FINITE_SAMPLES' });
    });
  });

  it('inspect finds the first sound of a 16-bit file that starts with more than a chunk of silence', async () => {
    const late = new Float32Array(frames * 2);
    late[late.length - 1] = 0.25;
    await onDisk(encodeWav([late], 48000), async (file) => {
      const info = await inspectWav(file);
      expect(info).toMatchObject({ format: 'pcm_s16', frames: frames * 2, warnings: [] });
    });
  });

  it('a missing file is FILE_NOT_FOUND for every reader, a folder READ_FAILED', async () => {
    const missing = path.join(EDGE_DIR, 'no-such-file.wav');
    for (const read of [readWav, readWavFile, inspectWav]) {
      await expect(read(missing)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
      await expect(read(EDGE_DIR)).rejects.toMatchObject({ code: 'READ_FAILED' });
    }
  });
});

/** A float32 WAV of these channels even when they hold NaN (encodeWav refuses to write them). */
function encodeWavUnchecked(channels: Float32Array[], rate: number): Uint8Array {
  const finite = channels.map((c) => c.map((v) => (Number.isFinite(v) ? v : 0)));
  const bytes = encodeWav(finite, rate, 'float32');
  const layout = parseWavLayout(bytes);
  const v = new DataView(bytes.buffer, bytes.byteOffset + layout.dataOffset);
  channels.forEach((c, ch) => c.forEach((x, i) => { if (!Number.isFinite(x)) v.setFloat32((i * channels.length + ch) * 4, x, true); }));
  return bytes;
}

describe('a path that is not a regular file', () => {
  // A named pipe opened for reading waits for a writer; the reader opens without waiting and refuses it.
  it.skipIf(process.platform === 'win32')('a FIFO is refused at once by every reader, not waited on', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const fifo = path.join(dir, 'pipe.wav');
      execFileSync('mkfifo', [fifo]);
      for (const read of [readWav, readWavFile, inspectWav]) await expect(read(fifo)).rejects.toMatchObject({ code: 'READ_FAILED', message: expect.stringMatching(/not a regular file/) });
      expect(await inspectFile(fifo)).toMatchObject({ ok: false, error: { code: 'READ_FAILED' } });
    } finally {
      cleanup();
    }
  });
});
