// Reading a WAV file into float32 channels in [-1, 1].
// parseWavLayout (riff.ts) owns the container, decodeFrames (sample-decode.ts) the samples, and
// SampleScan (sample-scan.ts) the verdict on them: non-finite values are refused, silence warned of.
// Memory: the float32 output (decodedBytes) plus, for bytes already in memory, those bytes; a file
// read by path is streamed through one 4 MiB buffer and never held whole.
import { AudioError } from './errors.js';
import { parseWavLayout, type SampleFormat, type WavLayout } from './riff.js';
import { decodeFrames } from './sample-decode.js';
import { SampleScan } from './sample-scan.js';
import { withWavFile } from './wav-file.js';

export { MAX_WAV_BYTES, readWavFile } from './wav-file.js';

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

/** Bytes the decoded samples of a parsed file take (float32, every channel), known before decoding. */
export function decodedBytes(layout: WavLayout): number {
  return layout.frames * layout.fmt.channels * Float32Array.BYTES_PER_ELEMENT;
}

/** What a file is, from its layout and the scan of its samples. */
export function wavInfo(layout: WavLayout, scan: SampleScan): WavInfo {
  const { fmt, frames } = layout;
  const sampleWarnings = scan.verdict();
  return {
    format: fmt.format,
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    frames,
    durationSec: frames / fmt.sampleRate,
    container: layout.container,
    ...(fmt.channelMask !== undefined ? { channelMask: fmt.channelMask } : {}),
    warnings: [...(layout.container === 'RIFX' ? ['big-endian RIFX file; samples were byte-swapped'] : []), ...layout.warnings, ...sampleWarnings],
  };
}

export function isFloatFormat(format: SampleFormat): boolean {
  return format === 'float32' || format === 'float64';
}

/** One float32 array per channel, or FILE_TOO_LARGE when this process cannot hold them. */
function allocateChannels(layout: WavLayout): Float32Array[] {
  try {
    return Array.from({ length: layout.fmt.channels }, () => new Float32Array(layout.frames));
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const gib = (decodedBytes(layout) / 1024 ** 3).toFixed(1);
    throw new AudioError('FILE_TOO_LARGE', `decoded, the file would take ${gib} GiB, more than can be allocated (${e.message})`);
  }
}

/** Decode WAV bytes already in memory. Throws AudioError for anything that is not clean audio. */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  const layout = parseWavLayout(bytes);
  const samples = allocateChannels(layout);
  decodeFrames(layout.fmt, layout.littleEndian, bytes.subarray(layout.dataOffset, layout.dataOffset + layout.dataBytes), samples, 0);
  const scan = new SampleScan(isFloatFormat(layout.fmt.format));
  scan.add(samples, 0, layout.frames, 0);
  return { ...wavInfo(layout, scan), samples };
}

/** Read and decode a WAV file from disk, streaming it: the file is never held whole. */
export async function readWav(file: string): Promise<DecodedWav> {
  return withWavFile(file, async (f) => {
    const layout = parseWavLayout(f.source);
    const samples = allocateChannels(layout);
    const scan = new SampleScan(isFloatFormat(layout.fmt.format));
    await f.forEachChunk(layout, (bytes, first, frames) => {
      decodeFrames(layout.fmt, layout.littleEndian, bytes, samples, first);
      scan.add(samples, first, first + frames, first);
    });
    return { ...wavInfo(layout, scan), samples };
  });
}
