// The RIFF/WAVE container, read by us before any sample decoder sees a byte.
// Readers that trust headers (wavefile among them) accept truncated data, zero channels, zero
// rates, unknown tags and count a pad byte as audio (tests/fixtures/edge/CASES.md). So the
// structure is walked and checked here, against the real byte count, and only a clean fmt + data
// pair goes on to the decoder (sample-decode.ts). The walk reads through a ByteSource, so a file on
// disk is checked without being read whole.
import { AudioError } from './errors.js';

export type SampleFormat = 'pcm_u8' | 'pcm_s16' | 'pcm_s24' | 'pcm_s32' | 'float32' | 'float64' | 'mulaw' | 'alaw';

export const TAG_PCM = 0x0001;
export const TAG_FLOAT = 0x0003;
export const TAG_ALAW = 0x0006;
export const TAG_MULAW = 0x0007;
export const TAG_EXTENSIBLE = 0xfffe;

/** Names of tags that turn up in the wild, so a refusal can say what the file is. */
const KNOWN_TAGS: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG audio',
  0x0055: 'MPEG Layer 3 (MP3)',
  0x00ff: 'AAC',
  0x0161: 'Windows Media Audio',
  0x2000: 'AC-3',
  0xf1ac: 'FLAC',
};

/** The 14 bytes that follow the format tag in every standard WAVE_FORMAT_EXTENSIBLE SubFormat GUID. */
export const KSDATAFORMAT_SUFFIX = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/**
 * The sample rates a file may declare. No recording is made below 1 kHz (telephone speech is 8 kHz;
 * the lowest rates in the wild are 4 kHz and 5512 Hz) and 768 kHz is the highest rate converters
 * record at (the 705.6/768 kHz family). A rate outside this is a damaged or forged header, not audio,
 * and is refused before it can reach a duration or a resampler. The resampler (resample.ts) takes
 * 94 Hz to 6.1 MHz to the model rate; above 192 kHz only rates whose ratio to 24 kHz reduces to
 * terms of 192000 or less (every standard rate: 352.8, 384, 705.6, 768 kHz) convert.
 */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 768000;

/** Random access to the bytes of a WAV file: the whole file in memory, or an open file read a window at a time. */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `at` (fewer at the end). The view is only valid until the next read. */
  read(at: number, length: number): Uint8Array;
}

function memorySource(b: Uint8Array): ByteSource {
  return { size: b.length, read: (at, length) => b.subarray(at, Math.min(b.length, at + length)) };
}

/** A data size of 0xFFFFFFFF means "unknown, read to the end" (streaming recorders write it). */
const UNKNOWN_SIZE = 0xffffffff;

export interface WavFormat {
  /** The effective encoding: for WAVE_FORMAT_EXTENSIBLE, the SubFormat's tag. */
  tag: number;
  extensible: boolean;
  format: SampleFormat;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  /** Bits each sample occupies in the file (the container), which is what decoding needs. */
  containerBits: number;
  /** Significant bits, from the fmt chunk or the extensible header; informational. */
  validBits: number;
  channelMask?: number;
}

export interface WavLayout {
  container: 'RIFF' | 'RIFX';
  littleEndian: boolean;
  fmt: WavFormat;
  /** Byte offset of the first sample in the file. */
  dataOffset: number;
  /** Bytes of whole frames really present in the file. */
  dataBytes: number;
  frames: number;
  warnings: string[];
}

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

function printable(s: string): string {
  return /^[\x20-\x7e]{4}$/.test(s) ? `'${s}'` : `0x${[...s].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')}`;
}

/** What a non-WAV file most likely is, so the refusal can say more than "not a WAV". */
function sniff(b: Uint8Array): string {
  const head = fourcc(b, 0);
  if (head.startsWith('ID3') || (b[0] === 0xff && (b[1] & 0xe0) === 0xe0)) return 'it looks like an MP3 file';
  if (head === 'OggS') return 'it looks like an Ogg (Vorbis/Opus) file';
  if (head === 'fLaC') return 'it looks like a FLAC file';
  if (head === 'FORM') return 'it looks like an AIFF file';
  if (fourcc(b, 4) === 'ftyp') return 'it looks like an MP4/M4A file';
  const probe = b.subarray(0, Math.min(b.length, 512));
  let text = 0;
  for (const c of probe) if (c === 9 || c === 10 || c === 13 || (c >= 0x20 && c < 0x7f)) text++;
  if (text === probe.length) return 'it looks like a text file';
  return 'it does not start with a RIFF header';
}

function formatOf(tag: number, bits: number): SampleFormat | null {
  if (tag === TAG_PCM) {
    return ({ 8: 'pcm_u8', 16: 'pcm_s16', 24: 'pcm_s24', 32: 'pcm_s32' } as const)[bits as 8 | 16 | 24 | 32] ?? null;
  }
  if (tag === TAG_FLOAT) return bits === 32 ? 'float32' : bits === 64 ? 'float64' : null;
  if (tag === TAG_MULAW) return bits === 8 ? 'mulaw' : null;
  if (tag === TAG_ALAW) return bits === 8 ? 'alaw' : null;
  return null;
}

function hex4(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The bytes of the fmt chunk this reader looks at: the WAVE_FORMAT_EXTENSIBLE header is 40. */
const FMT_BYTES_READ = 40;

/** `b` holds the first bytes (at most FMT_BYTES_READ) of a fmt chunk that declares `size` bytes. */
function parseFmt(b: Uint8Array, size: number, le: boolean): WavFormat {
  if (size < 16) throw new AudioError('BAD_FMT_CHUNK', `fmt chunk is ${size} bytes; it needs at least 16`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const declaredTag = v.getUint16(0, le);
  const channels = v.getUint16(2, le);
  const sampleRate = v.getUint32(4, le);
  const blockAlign = v.getUint16(12, le);
  const bitsPerSample = v.getUint16(14, le);

  if (channels === 0) throw new AudioError('INVALID_CHANNELS', 'invalid channel count 0 in the fmt chunk');
  if (sampleRate === 0) throw new AudioError('INVALID_SAMPLE_RATE', 'invalid sample rate 0 Hz in the fmt chunk');
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new AudioError(
      'UNSUPPORTED_SAMPLE_RATE',
      `sample rate ${sampleRate} Hz is outside the rates recordings use; Codec Lab reads ${MIN_SAMPLE_RATE} Hz to ${MAX_SAMPLE_RATE} Hz`,
    );
  }

  let tag = declaredTag;
  let validBits = bitsPerSample;
  let channelMask: number | undefined;
  const extensible = declaredTag === TAG_EXTENSIBLE;
  if (extensible) {
    if (size < 40) throw new AudioError('BAD_FMT_CHUNK', `WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes; it needs 40`);
    validBits = v.getUint16(18, le) || bitsPerSample;
    channelMask = v.getUint32(20, le);
    tag = v.getUint16(24, le);
    const suffixOk = KSDATAFORMAT_SUFFIX.every((x, i) => b[26 + i] === x);
    if (!suffixOk) {
      throw new AudioError('UNSUPPORTED_FORMAT', 'unsupported WAVE_FORMAT_EXTENSIBLE SubFormat GUID (not PCM, float, mu-law or A-law)');
    }
  }

  if (![TAG_PCM, TAG_FLOAT, TAG_MULAW, TAG_ALAW].includes(tag)) {
    const name = KNOWN_TAGS[tag];
    throw new AudioError(
      'UNSUPPORTED_FORMAT',
      `unsupported format tag ${hex4(tag)}${name ? ` (${name})` : ''}; Codec Lab reads PCM, float, mu-law and A-law WAV`,
    );
  }
  // Samples sit in whole bytes: a 20-bit sample takes 3. In an extensible header bitsPerSample is
  // already the container size and validBits says how much of it is used.
  const containerBits = Math.ceil(bitsPerSample / 8) * 8;
  if (bitsPerSample === 0 || validBits > bitsPerSample) {
    throw new AudioError('BAD_FMT_CHUNK', `invalid sample size: ${bitsPerSample} bits per sample, ${validBits} valid`);
  }
  if (blockAlign !== channels * (containerBits / 8)) {
    throw new AudioError(
      'BAD_FMT_CHUNK',
      `block align ${blockAlign} does not match ${channels} channel${channels > 1 ? 's' : ''} of ${bitsPerSample}-bit samples (expected ${channels * (containerBits / 8)})`,
    );
  }
  const format = formatOf(tag, containerBits);
  if (!format) {
    const kind = tag === TAG_FLOAT ? 'float' : tag === TAG_PCM ? 'PCM' : tag === TAG_MULAW ? 'mu-law' : 'A-law';
    throw new AudioError('UNSUPPORTED_BIT_DEPTH', `unsupported ${kind} sample size of ${containerBits} bits`);
  }
  return { tag, extensible, format, channels, sampleRate, blockAlign, containerBits, validBits, channelMask };
}

/**
 * Walk the chunks of a WAV file (its bytes, or a source reading them) and return where its audio
 * is, or throw an AudioError. Sizes are always checked against the bytes really present, so a
 * header that claims gigabytes costs nothing, and only chunk headers and the fmt chunk are read.
 */
export function parseWavLayout(input: Uint8Array | ByteSource): WavLayout {
  const src = input instanceof Uint8Array ? memorySource(input) : input;
  const total = src.size;
  if (total === 0) throw new AudioError('EMPTY_FILE', 'file is empty');
  const head = src.read(0, 512);
  if (total < 12) {
    const id = fourcc(head, 0);
    if (id === 'RIFF' || id === 'RIFX') throw new AudioError('TRUNCATED_HEADER', `file is only ${total} bytes: the RIFF header is cut off`);
    throw new AudioError('NOT_WAV', `not a WAV file: ${sniff(head)}`);
  }
  const id = fourcc(head, 0);
  if (id === 'RF64' || id === 'BW64') {
    throw new AudioError('UNSUPPORTED_CONTAINER', `${id} (64-bit WAV) files are not supported; save the file as a plain WAV`);
  }
  if (id !== 'RIFF' && id !== 'RIFX') throw new AudioError('NOT_WAV', `not a WAV file: ${sniff(head)}`);
  const form = fourcc(head, 8);
  if (form !== 'WAVE') throw new AudioError('NOT_WAV', `not a WAV file: a RIFF file of type ${printable(form)}, not 'WAVE'`);

  const le = id === 'RIFF';
  const warnings: string[] = [];
  let fmt: WavFormat | null = null;
  let data: { offset: number; bytes: number } | null = null;

  let pos = 12;
  while (pos + 8 <= total && !(fmt && data)) {
    const header = src.read(pos, 8);
    const chunkId = fourcc(header, 0);
    const size = new DataView(header.buffer, header.byteOffset, 8).getUint32(4, le);
    const body = pos + 8;
    const present = total - body;
    if (chunkId === 'data') {
      if (size > present) {
        if (size !== UNKNOWN_SIZE) {
          throw new AudioError('TRUNCATED_DATA', `data chunk truncated: declares ${size} bytes, ${present} present`);
        }
        warnings.push(`data size is 0xFFFFFFFF (unknown, as streaming recorders write); read the ${present} bytes to the end of the file`);
        data = { offset: body, bytes: present };
        break;
      }
      data = { offset: body, bytes: size };
    } else if (chunkId === 'fmt ') {
      if (size > present) throw new AudioError('TRUNCATED_HEADER', `fmt chunk truncated: declares ${size} bytes, ${present} present`);
      if (fmt) warnings.push('a second fmt chunk was ignored');
      else fmt = parseFmt(src.read(body, Math.min(size, FMT_BYTES_READ)), size, le);
    } else if (size > present) {
      if (!data) {
        throw new AudioError(
          'TRUNCATED_HEADER',
          `chunk ${printable(chunkId)} at byte ${pos} declares ${size} bytes but only ${present} remain, before any audio data`,
        );
      }
      break;
    }
    // Chunks are padded to an even length; the pad byte is not counted in the size.
    pos = body + size + (size & 1);
  }

  if (!fmt) throw new AudioError('NO_FMT_CHUNK', 'missing fmt chunk: the file does not say how its samples are encoded');
  if (!data) throw new AudioError('NO_DATA_CHUNK', 'missing data chunk: the file holds no audio');

  const frames = Math.floor(data.bytes / fmt.blockAlign);
  const partial = data.bytes - frames * fmt.blockAlign;
  if (partial > 0) warnings.push(`the data chunk ends with ${partial} bytes of an incomplete frame; they were ignored`);
  if (frames === 0) throw new AudioError('NO_AUDIO', 'the data chunk holds no complete audio frame');

  return {
    container: le ? 'RIFF' : 'RIFX',
    littleEndian: le,
    fmt,
    dataOffset: data.offset,
    dataBytes: frames * fmt.blockAlign,
    frames,
    warnings,
  };
}
