// Reading a WAV file into float32 channels in [-1, 1].
// parseWavLayout (riff.ts) owns the container; wavefile decodes the samples of a canonical copy
// (plain fmt + exact data), and the result is checked again: frame count, then non-finite values.
import { open } from 'node:fs/promises';
import wf from 'wavefile';
import { AudioError } from './errors.js';
import { parseWavLayout, TAG_ALAW, TAG_MULAW, type SampleFormat, type WavLayout } from './riff.js';

/** Files above this are refused before they are read: decoding costs about 8 bytes per sample. */
export const MAX_WAV_BYTES = 1024 ** 3;

export interface WavInfo {
  format: SampleFormat;
  sampleRate: number;
  channels: number;
  /** Samples per channel really present in the file. */
  frames: number;
  durationSec: number;
  container: 'RIFF' | 'RIFX';
  channelMask?: number;
  /** Things that were odd but not wrong enough to refuse the file. */
  warnings: string[];
}

export interface DecodedWav extends WavInfo {
  /** One array per channel, float32 in [-1, 1] (float files may exceed it; they are not clipped). */
  samples: Float32Array[];
}

/** A minimal RIFF/RIFX with a 16-byte fmt chunk and exactly the audio bytes: what wavefile reads without guessing. */
function canonicalCopy(b: Uint8Array, layout: WavLayout): Uint8Array {
  const { fmt, dataOffset, dataBytes, littleEndian: le } = layout;
  const pad = dataBytes & 1;
  const out = new Uint8Array(44 + dataBytes + pad);
  const v = new DataView(out.buffer);
  const tag4 = (at: number, s: string) => { for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i); };
  tag4(0, layout.container);
  v.setUint32(4, 36 + dataBytes + pad, le);
  tag4(8, 'WAVE');
  tag4(12, 'fmt ');
  v.setUint32(16, 16, le);
  v.setUint16(20, fmt.tag, le);
  v.setUint16(22, fmt.channels, le);
  v.setUint32(24, fmt.sampleRate, le);
  v.setUint32(28, fmt.sampleRate * fmt.blockAlign, le);
  v.setUint16(32, fmt.blockAlign, le);
  v.setUint16(34, fmt.containerBits, le);
  tag4(36, 'data');
  v.setUint32(40, dataBytes, le);
  out.set(b.subarray(dataOffset, dataOffset + dataBytes), 44);
  return out;
}

/** Scale of the integers wavefile returns for each format, so that full scale maps to [-1, 1). */
function scaleOf(format: SampleFormat): { offset: number; scale: number } {
  switch (format) {
    case 'pcm_u8': return { offset: 128, scale: 1 / 128 };
    case 'pcm_s16': case 'mulaw': case 'alaw': return { offset: 0, scale: 1 / 32768 };
    case 'pcm_s24': return { offset: 0, scale: 1 / 8388608 };
    case 'pcm_s32': return { offset: 0, scale: 1 / 2147483648 };
    case 'float32': case 'float64': return { offset: 0, scale: 1 };
  }
}

/** Decode WAV bytes already in memory. Throws AudioError for anything that is not clean audio. */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  const layout = parseWavLayout(bytes);
  const { fmt, frames } = layout;

  const wave = new wf.WaveFile(canonicalCopy(bytes, layout));
  // G.711 is companded 8-bit; wavefile expands it to 16-bit linear PCM.
  if (fmt.tag === TAG_MULAW) wave.fromMuLaw();
  if (fmt.tag === TAG_ALAW) wave.fromALaw();
  const raw = wave.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
  const perChannel: Float64Array[] = fmt.channels === 1 ? [raw as Float64Array] : (raw as Float64Array[]);
  if (perChannel.length !== fmt.channels || perChannel.some((c) => c.length < frames)) {
    throw new AudioError('BAD_FMT_CHUNK', `decoder returned ${perChannel.length} channels of ${perChannel[0]?.length ?? 0} frames; expected ${fmt.channels} of ${frames}`);
  }

  const { offset, scale } = scaleOf(fmt.format);
  const samples = perChannel.map((src) => {
    const dst = new Float32Array(frames);
    for (let i = 0; i < frames; i++) dst[i] = (src[i] - offset) * scale;
    return dst;
  });

  if (fmt.format === 'float32' || fmt.format === 'float64') rejectNonFinite(samples);

  return {
    format: fmt.format,
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    frames,
    durationSec: frames / fmt.sampleRate,
    container: layout.container,
    ...(fmt.channelMask !== undefined ? { channelMask: fmt.channelMask } : {}),
    warnings: layout.container === 'RIFX' ? ['big-endian RIFX file; samples were byte-swapped', ...layout.warnings] : layout.warnings,
    samples,
  };
}

/** NaN or Inf must never reach training: refuse, naming the first frames where they are. */
function rejectNonFinite(samples: Float32Array[]): void {
  const bad = new Set<number>();
  let count = 0;
  for (const ch of samples) {
    for (let i = 0; i < ch.length; i++) {
      if (!Number.isFinite(ch[i])) {
        count++;
        if (bad.size < 5) bad.add(i);
      }
    }
  }
  if (count === 0) return;
  const where = [...bad].sort((a, b) => a - b).join(', ');
  throw new AudioError('NON_FINITE_SAMPLES', `non-finite samples (NaN/Inf): ${count} in all, at frame${bad.size > 1 ? 's' : ''} ${where}${count > bad.size ? ', ...' : ''}`);
}

/** Read and decode a WAV file from disk. The size is checked before a byte is read. */
export async function readWav(file: string): Promise<DecodedWav> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AudioError('FILE_NOT_FOUND', `no such file: ${file}`);
    if (code === 'EISDIR') throw new AudioError('READ_FAILED', `${file} is a folder, not a WAV file`);
    throw new AudioError('READ_FAILED', `cannot open ${file}: ${(e as Error).message}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new AudioError('READ_FAILED', `${file} is not a regular file`);
    if (stat.size > MAX_WAV_BYTES) {
      throw new AudioError('FILE_TOO_LARGE', `file is ${(stat.size / 1024 ** 3).toFixed(1)} GiB; Codec Lab reads WAV files up to 1 GiB`);
    }
    const bytes = new Uint8Array(stat.size);
    let got = 0;
    while (got < bytes.length) {
      const { bytesRead } = await handle.read(bytes, got, bytes.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return decodeWav(bytes.subarray(0, got));
  } catch (e) {
    if (e instanceof AudioError) throw e;
    throw new AudioError('READ_FAILED', `cannot read ${file}: ${(e as Error).message}`);
  } finally {
    await handle.close();
  }
}
