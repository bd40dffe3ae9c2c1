// Writing WAV: 16-bit PCM (what every player opens) or 32-bit float (no rounding, no clipping), and
// exporting a clip in its own format. The samples are written here, a loop into the file's bytes:
// wavefile (which wrote them before) took a float64 copy of every channel and 2.5 microseconds a
// sample (5 s for 2 million float samples), where this takes the output buffer alone.
import { AudioError } from './errors.js';
import { TAG_FLOAT, TAG_PCM } from './riff.js';
import { newWavFile } from './wav-header.js';
import { wavFileCopy } from './wav-copy.js';
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
  const fmt = format === 'float32'
    ? { tag: TAG_FLOAT, containerBits: 32 }
    : { tag: TAG_PCM, containerBits: 16 };
  const blockAlign = channels.length * (fmt.containerBits / 8);
  const file = newWavFile({ ...fmt, extensible: false, channels: channels.length, sampleRate, blockAlign, validBits: fmt.containerBits }, frames);
  const v = new DataView(file.bytes.buffer, file.dataOffset);
  channels.forEach((ch, c) => {
    let p = c * (fmt.containerBits / 8);
    if (format === 'float32') for (let i = 0; i < frames; i++, p += blockAlign) v.setFloat32(p, ch[i], true);
    else for (let i = 0; i < frames; i++, p += blockAlign) v.setInt16(p, Math.max(-32768, Math.min(32767, Math.round(ch[i] * 32768))), true);
  });
  return file.bytes;
}

/**
 * Write WAV bytes atomically: a crash never leaves a half-written file under `file`. A condition of
 * the machine (a missing folder, a full disk, no permission) is rethrown as Node's own system error,
 * naming `file` (writeFileAtomic sees to that): its code, errno and syscall are what the API maps to
 * FILE_NOT_FOUND, NO_SPACE and the like. Only a failure that is no system error is WRITE_FAILED.
 */
export async function writeWavBytes(file: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(file, bytes);
  } catch (e) {
    if (isSystemError(e)) throw e;
    throw new AudioError('WRITE_FAILED', `cannot write ${file}: ${(e as Error).message}`);
  }
}

function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  const err = e as NodeJS.ErrnoException;
  return err instanceof Error && typeof err.code === 'string' && typeof err.errno === 'number' && typeof err.syscall === 'string';
}

export async function writeWav(file: string, channels: readonly Float32Array[], sampleRate: number, format: WavWriteFormat = 'pcm_s16'): Promise<void> {
  await writeWavBytes(file, encodeWav(channels, sampleRate, format));
}

/**
 * Export the WAV file `wavBytes` to `file` with its own samples and format (wavFileCopy): a 24-bit
 * clip stays 24-bit. Refuses (AudioError) a file whose structure parseWavLayout refuses; writes atomically.
 */
export async function exportWav(file: string, wavBytes: Uint8Array): Promise<void> {
  await writeWavBytes(file, wavFileCopy(wavBytes));
}
