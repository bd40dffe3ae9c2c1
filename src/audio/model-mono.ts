// A WAV file in memory straight to what the codec hears: mono at the model rate, decoded, mixed and
// resampled a chunk at a time. The library keeps only a clip's bytes and its model-rate mono, so
// the file's channels at its own rate (twice the file's size for 16-bit audio, in float32) are never
// held whole: loading costs the mono and a few small buffers on top of the bytes. The result is the
// same, sample for sample, as prepareAudio(decodeWav(bytes)).mono, and so are the refusals.
import { MODEL_RATE } from './prepare.js';
import { ResampleStream } from './resample.js';
import { parseWavLayout } from './riff.js';
import { decodeFrames } from './sample-decode.js';
import { SampleScan } from './sample-scan.js';
import { isFloatFormat, wavInfo, type WavInfo } from './wav-read.js';

/** Frames decoded at a time: 64k frames of float32 per channel, small beside any clip worth loading. */
const CHUNK_FRAMES = 65536;
/** See resample.ts: float files above this peak are converted scaled down by it (an exact power of two). */
const HEADROOM = 2 ** 64;
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Decode `bytes` (a whole WAV file) into mono at MODEL_RATE, in an array made by `allocate` (for
 * example on shared memory). Throws AudioError as decodeWav and prepareAudio do.
 */
export async function decodeModelMono<T extends Float32Array>(bytes: Uint8Array, allocate: (length: number) => T): Promise<{ info: WavInfo; mono: T }> {
  const layout = parseWavLayout(bytes);
  const { fmt, frames } = layout;
  const data = bytes.subarray(layout.dataOffset, layout.dataOffset + layout.dataBytes);
  const channels = Array.from({ length: fmt.channels }, () => new Float32Array(Math.min(CHUNK_FRAMES, frames)));
  const mixed = new Float32Array(channels[0].length);

  /** Decode the file chunk by chunk; `visit` gets the mix of each chunk (the average of the channels, summed in a double). */
  const eachChunk = (visit: (mono: Float32Array, first: number) => void) => {
    for (let first = 0; first < frames; first += CHUNK_FRAMES) {
      const n = Math.min(CHUNK_FRAMES, frames - first);
      decodeFrames(fmt, layout.littleEndian, data.subarray(first * fmt.blockAlign, (first + n) * fmt.blockAlign), channels, 0);
      const mono = mixed.subarray(0, n);
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (const ch of channels) sum += ch[i];
        mono[i] = sum / channels.length;
      }
      visit(mono, first);
    }
  };

  // Integer samples are finite and within [-1, 1); a float file is scanned first, so that NaN is
  // refused before anything is converted and its peak is known (for the converter's headroom).
  const float = isFloatFormat(fmt.format);
  const scan = new SampleScan(float);
  let peak = 0;
  if (float) {
    eachChunk((mono, first) => {
      scan.add(channels, 0, mono.length, first);
      for (let i = 0; i < mono.length; i++) peak = Math.max(peak, Math.abs(mono[i]));
    });
    scan.verdict();
  }
  // An integer file's scan (is it all silence?) rides along with the conversion, and stops at the first sound.
  const scanIntegers = (mono: Float32Array, first: number) => {
    if (!float && !scan.settled) scan.add(channels, 0, mono.length, first);
  };

  const length = Math.round((frames * MODEL_RATE) / fmt.sampleRate);
  const out = allocate(length);
  if (fmt.sampleRate === MODEL_RATE) {
    eachChunk((mono, first) => {
      scanIntegers(mono, first);
      out.set(mono, first);
    });
    return { info: wavInfo(layout, scan), mono: out };
  }
  const stream = await ResampleStream.create(fmt.sampleRate, MODEL_RATE, out);
  try {
    const scale = peak > HEADROOM ? 1 / HEADROOM : 1;
    eachChunk((mono, first) => {
      scanIntegers(mono, first);
      if (scale !== 1) for (let i = 0; i < mono.length; i++) mono[i] *= scale;
      stream.push(mono);
    });
    stream.end();
  } finally {
    stream.close();
  }
  if (peak > HEADROOM) for (let i = 0; i < out.length; i++) out[i] = Math.max(-FLOAT32_MAX, Math.min(FLOAT32_MAX, out[i] * HEADROOM));
  return { info: wavInfo(layout, scan), mono: out };
}
