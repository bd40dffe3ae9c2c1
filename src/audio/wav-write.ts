// Writing WAV: 16-bit PCM (what every player opens) or 32-bit float (no rounding, no clipping).
import wf from 'wavefile';
import { AudioError } from './errors.js';
import { writeFileAtomic } from '../util/atomic-file.js';

export type WavWriteFormat = 'pcm_s16' | 'float32';

/** WAV bytes for the given channels. 16-bit: round to the nearest step of 1/32768 and clip to full scale. */
export function encodeWav(channels: readonly Float32Array[], sampleRate: number, format: WavWriteFormat = 'pcm_s16'): Uint8Array {
  if (channels.length === 0) throw new AudioError('WRITE_FAILED', 'nothing to write: no channels');
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames)) throw new AudioError('WRITE_FAILED', 'channels differ in length');
  if (!(Number.isInteger(sampleRate) && sampleRate > 0)) throw new AudioError('WRITE_FAILED', `invalid sample rate ${sampleRate}`);
  for (const ch of channels) {
    for (let i = 0; i < ch.length; i++) {
      if (!Number.isFinite(ch[i])) throw new AudioError('WRITE_FAILED', `sample ${i} is not a finite number; refusing to write it`);
    }
  }
  const wave = new wf.WaveFile();
  if (format === 'float32') {
    wave.fromScratch(channels.length, sampleRate, '32f', channels.map((c) => Float64Array.from(c)));
    // A non-PCM fmt chunk carries cbSize and is followed by a fact chunk (the WAVE spec; sox warns
    // otherwise). wavefile writes both when the fields are set.
    const w = wave as unknown as { fmt: { chunkSize: number; cbSize: number }; fact: { chunkId: string; chunkSize: number; dwSampleLength: number } };
    w.fmt.chunkSize = 18;
    w.fmt.cbSize = 0;
    w.fact = { chunkId: 'fact', chunkSize: 4, dwSampleLength: frames };
  } else {
    const ints = channels.map((c) => {
      const out = new Int16Array(c.length);
      for (let i = 0; i < c.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(c[i] * 32768)));
      return out;
    });
    wave.fromScratch(channels.length, sampleRate, '16', ints);
  }
  return wave.toBuffer();
}

/** Write a WAV file atomically: a crash never leaves a half-written file under `file`. */
export async function writeWav(file: string, channels: readonly Float32Array[], sampleRate: number, format: WavWriteFormat = 'pcm_s16'): Promise<void> {
  const bytes = encodeWav(channels, sampleRate, format);
  try {
    await writeFileAtomic(file, bytes);
  } catch (e) {
    throw new AudioError('WRITE_FAILED', `cannot write ${file}: ${(e as Error).message}`);
  }
}
