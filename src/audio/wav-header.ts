// A new RIFF WAV file: the header written, the data chunk left for the caller to fill.
import { KSDATAFORMAT_SUFFIX, TAG_EXTENSIBLE, TAG_PCM, type WavFormat } from './riff.js';

export type WavFileFormat = Pick<WavFormat, 'tag' | 'extensible' | 'channels' | 'sampleRate' | 'blockAlign' | 'containerBits' | 'validBits' | 'channelMask'>;

/** A little-endian RIFF file for `frames` frames of `fmt`; the samples go at `dataOffset`. */
export function newWavFile(fmt: WavFileFormat, frames: number): { bytes: Uint8Array; dataOffset: number } {
  const dataBytes = frames * fmt.blockAlign;
  // The WAVE spec: a non-PCM fmt chunk carries cbSize and is followed by a fact chunk (sox warns otherwise).
  const fmtBytes = fmt.extensible ? 40 : fmt.tag === TAG_PCM ? 16 : 18;
  const fact = fmt.tag !== TAG_PCM;
  const dataOffset = 12 + (8 + fmtBytes) + (fact ? 12 : 0) + 8;
  const bytes = new Uint8Array(dataOffset + dataBytes + (dataBytes & 1));
  const v = new DataView(bytes.buffer);
  let p = 0;
  const tag = (s: string) => { for (let i = 0; i < 4; i++) bytes[p++] = s.charCodeAt(i); };
  const u16 = (n: number) => { v.setUint16(p, n, true); p += 2; };
  const u32 = (n: number) => { v.setUint32(p, n, true); p += 4; };

  tag('RIFF'); u32(bytes.length - 8); tag('WAVE');
  tag('fmt '); u32(fmtBytes);
  u16(fmt.extensible ? TAG_EXTENSIBLE : fmt.tag);
  u16(fmt.channels); u32(fmt.sampleRate); u32(fmt.sampleRate * fmt.blockAlign); u16(fmt.blockAlign); u16(fmt.containerBits);
  if (fmt.extensible) {
    u16(22); u16(fmt.validBits); u32(fmt.channelMask ?? 0);
    u16(fmt.tag); bytes.set(KSDATAFORMAT_SUFFIX, p); p += KSDATAFORMAT_SUFFIX.length;
  } else if (fmtBytes === 18) u16(0);
  if (fact) { tag('fact'); u32(4); u32(frames); }
  tag('data'); u32(dataBytes);
  return { bytes, dataOffset };
}
