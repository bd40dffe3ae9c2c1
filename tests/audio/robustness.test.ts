// Hostile headers and damaged files: the reader must refuse with a typed error, never crash,
// hang, pass NaN on, or allocate what a header claims instead of what the file holds.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeWav, readWav } from '../../src/audio/wav-read.js';
import { AudioError } from '../../src/audio/errors.js';
import { EDGE_DIR, tempDir } from '../helpers.js';

/** A 16-bit mono 44.1 kHz WAV whose data chunk declares `declared` bytes but holds `present`. */
function wavWithDeclaredSize(declared: number, present: number): Uint8Array {
  const b = new Uint8Array(44 + present);
  const v = new DataView(b.buffer);
  b.set([...'RIFF'].map((c) => c.charCodeAt(0)), 0);
  v.setUint32(4, Math.min(0xffffffff, 36 + declared), true);
  b.set([...'WAVEfmt '].map((c) => c.charCodeAt(0)), 8);
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, 44100, true);
  v.setUint32(28, 88200, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  b.set([...'data'].map((c) => c.charCodeAt(0)), 36);
  v.setUint32(40, declared, true);
  return b;
}

function refusal(f: () => unknown): AudioError {
  try {
    f();
  } catch (e) {
    if (e instanceof AudioError) return e;
    throw new Error(`expected an AudioError, got ${String(e)}`);
  }
  throw new Error('expected the file to be refused, but it loaded');
}

describe('WAV reader robustness', () => {
  it('a header claiming 4 GB of data is refused without allocating it', () => {
    const before = process.memoryUsage().arrayBuffers;
    const err = refusal(() => decodeWav(wavWithDeclaredSize(0xfffffff0, 1000)));
    const grew = process.memoryUsage().arrayBuffers - before;
    expect(err.code).toBe('TRUNCATED_DATA');
    expect(err.message).toContain('declares 4294967280 bytes, 1000 present');
    expect(grew).toBeLessThan(16 * 1024 * 1024);
  });

  it('an unknown (0xFFFFFFFF) data size reads what is there, allocating only that', () => {
    const before = process.memoryUsage().arrayBuffers;
    const wav = decodeWav(wavWithDeclaredSize(0xffffffff, 2000));
    expect(wav.frames).toBe(1000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('a chunk before the data that claims more bytes than remain is refused, not skipped past the end', () => {
    const ok = new Uint8Array(readFileSync(path.join(EDGE_DIR, 'ok_extra_chunks.wav')));
    // The first chunk after fmt (LIST) gets an absurd size.
    const v = new DataView(ok.buffer);
    let pos = 12;
    while (String.fromCharCode(...ok.subarray(pos, pos + 4)) !== 'LIST') pos += 8 + v.getUint32(pos + 4, true) + (v.getUint32(pos + 4, true) & 1);
    v.setUint32(pos + 4, 0x7fffffff, true);
    const err = refusal(() => decodeWav(ok));
    expect(err.code).toBe('TRUNCATED_HEADER');
    expect(err.message).toMatch(/'LIST'.*declares 2147483647 bytes/);
  });

  it('refuses a block align that does not match the channel count', () => {
    const b = wavWithDeclaredSize(8, 8);
    new DataView(b.buffer).setUint16(32, 3, true);
    expect(refusal(() => decodeWav(b)).code).toBe('BAD_FMT_CHUNK');
  });

  it('refuses unsupported bit depths and names them', () => {
    const b = wavWithDeclaredSize(8, 8);
    const v = new DataView(b.buffer);
    v.setUint16(20, 3, true); // float with a 16-bit container
    const err = refusal(() => decodeWav(b));
    expect(err.code).toBe('UNSUPPORTED_BIT_DEPTH');
    expect(err.message).toContain('float sample size of 16 bits');
  });

  it('names well-known compressed tags', () => {
    const b = wavWithDeclaredSize(8, 8);
    new DataView(b.buffer).setUint16(20, 0x55, true);
    expect(refusal(() => decodeWav(b)).message).toMatch(/0x0055 \(MPEG Layer 3/);
  });

  it('reports a missing file and a folder as typed errors', async () => {
    await expect(readWav('/no/such/file.wav')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(readWav(EDGE_DIR)).rejects.toMatchObject({ code: 'READ_FAILED' });
  });

  it('never throws anything but an AudioError, and never yields a non-finite sample, on damaged files', () => {
    // Deterministic mutations of every loadable edge file: cut short, bytes overwritten, sizes garbled.
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const sources = ['ok_s16_stereo_44100.wav', 'ok_extra_chunks.wav', 'ok_s24_ext_stereo_96000.wav', 'ok_f32_stereo_48000.wav', 'ok_odd_chunk_pad.wav', 'ok_mulaw_mono_8000.wav'];
    let loaded = 0;
    let refused = 0;
    for (const name of sources) {
      const original = new Uint8Array(readFileSync(path.join(EDGE_DIR, name)));
      for (let k = 0; k < 150; k++) {
        let b = original.slice();
        const kind = k % 3;
        if (kind === 0) b = b.slice(0, Math.floor(rand() * b.length));
        else {
          const hits = 1 + Math.floor(rand() * 8);
          // Mostly in the header region, where damage matters.
          for (let h = 0; h < hits; h++) b[Math.floor(rand() * Math.min(b.length, kind === 1 ? 120 : b.length))] = Math.floor(rand() * 256);
        }
        try {
          const wav = decodeWav(b);
          for (const ch of wav.samples) expect(ch.every(Number.isFinite)).toBe(true);
          expect(wav.frames).toBeLessThanOrEqual(b.length);
          loaded++;
        } catch (e) {
          if (!(e instanceof AudioError)) throw new Error(`${name} mutation ${k} threw ${String(e)}`);
          expect(e.message.length).toBeGreaterThan(5);
          refused++;
        }
      }
    }
    // Both outcomes must occur, or the mutations were not testing anything.
    expect(loaded).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });

  it('reads a file through the same checks as bytes in memory', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'x.wav');
      writeFileSync(file, wavWithDeclaredSize(50_000_000, 100));
      await expect(readWav(file)).rejects.toMatchObject({ code: 'TRUNCATED_DATA' });
    } finally {
      cleanup();
    }
  });
});
