// Model audio (mono at the model rate) as an exported WAV file's bytes: resampled back to a clip's own
// rate when asked (with the same band-limited converter that brought it to the model rate), then
// written as 32-bit float (as it is) or 16-bit PCM (clipped, dithered: src/audio/dither.ts).
import type { ExportSampleFormat } from '../common/export-options.js';
import { ditherToPcm16 } from './dither.js';
import { MODEL_RATE } from './prepare.js';
import { ResampleStream } from './resample.js';
import { encodeWav } from './wav-write.js';

/** How to write model audio: the sample format, the rate, and (at another rate) how many frames. */
export interface WavEncoding {
  sampleFormat: ExportSampleFormat;
  sampleRate: number;
  /**
   * The length at `sampleRate`: the source clip's own frame count, so the export lasts exactly as
   * long as the clip (its model-rate mono was rounded to whole samples). Default: the model audio's
   * duration, rounded.
   */
  frames?: number;
}

/** The model rate as 32-bit float: what the lab plays and exports without options. */
export const MODEL_FLOAT: WavEncoding = { sampleFormat: 'float32', sampleRate: MODEL_RATE };

/** `mono` (at the model rate) at `sampleRate`, `frames` long. */
async function atRate(mono: Float32Array, sampleRate: number, frames = Math.round((mono.length * sampleRate) / MODEL_RATE)): Promise<Float32Array> {
  if (sampleRate === MODEL_RATE && frames === mono.length) return mono;
  const out = new Float32Array(frames);
  const stream = await ResampleStream.create(MODEL_RATE, sampleRate, out);
  try {
    stream.push(mono);
    stream.end();
  } finally {
    stream.close();
  }
  return out;
}

/** WAV bytes of `mono` as `enc` says, and how many samples the 16-bit format clipped (0 for float). */
export async function encodeModelAudio(mono: Float32Array, enc: WavEncoding = MODEL_FLOAT): Promise<{ bytes: Uint8Array; clipped: number }> {
  const audio = await atRate(mono, enc.sampleRate, enc.frames);
  if (enc.sampleFormat === 'float32') return { bytes: encodeWav([audio], enc.sampleRate, 'float32'), clipped: 0 };
  const { samples, clipped } = ditherToPcm16(audio);
  return { bytes: encodeWav([samples], enc.sampleRate, 'pcm_s16'), clipped };
}
