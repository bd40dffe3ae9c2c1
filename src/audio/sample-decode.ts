// Sample bytes of a WAV data chunk to float32 in [-1, 1), written straight into the caller's arrays.
//
// Why not wavefile, which decoded samples here before: it copies the whole file, then returns every
// sample as a float64, first interleaved and then once more per channel. Measured on a 100 MiB
// 16-bit stereo file, new WaveFile + getSamples peaked at 1.07 GB and took 4.1 s; with our float32
// copy on top, a 1 GiB file needed 11.6 GB. Decoding PCM is a few lines per format, so it is done
// here, one chunk of frames at a time, and reading a file costs its float32 output and one buffer.
// wavefile keeps the one part where it earns its place: the G.711 expansion (the tables below come
// from it). Writing files no longer uses it either (wav-write.ts).
import wf from 'wavefile';
import type { SampleFormat, WavFormat } from './riff.js';

/** The 256 values of an 8-bit G.711 code, expanded by wavefile to 16-bit linear and scaled to [-1, 1). */
function g711Table(bitDepth: '8m' | '8a'): Float32Array {
  const wave = new wf.WaveFile();
  wave.fromScratch(1, 8000, bitDepth, Uint8Array.from({ length: 256 }, (_, code) => code));
  if (bitDepth === '8m') wave.fromMuLaw();
  else wave.fromALaw();
  const linear = wave.getSamples(false, Int16Array) as unknown as Int16Array;
  return Float32Array.from(linear, (v) => v / 32768);
}

let muLaw: Float32Array | undefined;
let aLaw: Float32Array | undefined;

function tableFor(format: SampleFormat): Float32Array | undefined {
  if (format === 'mulaw') return (muLaw ??= g711Table('8m'));
  if (format === 'alaw') return (aLaw ??= g711Table('8a'));
  return undefined;
}

/**
 * Decode `bytes` (whole frames of `fmt`, in the file's byte order) into `out[c][at ...]`, one array
 * per channel. Full scale maps to [-1, 1): -32768 to -1 and 32767 to 32767/32768; float samples are
 * copied as they are (a float64 beyond the float32 range becomes Infinity, which the scan refuses).
 */
export function decodeFrames(fmt: WavFormat, littleEndian: boolean, bytes: Uint8Array, out: Float32Array[], at: number): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames = Math.floor(bytes.length / fmt.blockAlign);
  const step = fmt.blockAlign;
  const width = fmt.containerBits / 8;
  const le = littleEndian;
  const table = tableFor(fmt.format);
  for (let c = 0; c < fmt.channels; c++) {
    const o = out[c];
    const end = at + frames;
    let p = c * width;
    switch (fmt.format) {
      case 'pcm_u8':
        for (let i = at; i < end; i++, p += step) o[i] = (bytes[p] - 128) / 128;
        break;
      case 'pcm_s16':
        for (let i = at; i < end; i++, p += step) o[i] = v.getInt16(p, le) / 32768;
        break;
      case 'pcm_s24':
        // Three bytes, most significant last in RIFF: shifted to the top of an int32 and back for the sign.
        for (let i = at; i < end; i++, p += step) {
          const hi = le ? bytes[p + 2] : bytes[p];
          const lo = le ? bytes[p] : bytes[p + 2];
          o[i] = (((hi << 24) | (bytes[p + 1] << 16) | (lo << 8)) >> 8) / 8388608;
        }
        break;
      case 'pcm_s32':
        for (let i = at; i < end; i++, p += step) o[i] = v.getInt32(p, le) / 2147483648;
        break;
      case 'float32':
        for (let i = at; i < end; i++, p += step) o[i] = v.getFloat32(p, le);
        break;
      case 'float64':
        for (let i = at; i < end; i++, p += step) o[i] = v.getFloat64(p, le);
        break;
      case 'mulaw':
      case 'alaw':
        for (let i = at; i < end; i++, p += step) o[i] = table![bytes[p]];
        break;
    }
  }
}
