// Exporting a clip writes its own samples in its own format: nothing decoded and re-encoded.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import wf from 'wavefile';
import { wavFileCopy } from '../../src/audio/wav-copy.js';
import { encodeWav, exportWav } from '../../src/audio/wav-write.js';
import { decodeWav, readWav } from '../../src/audio/wav-read.js';
import { parseWavLayout } from '../../src/audio/riff.js';
import { EDGE_DIR, sine, tempDir } from '../helpers.js';

const edge = (f: string) => new Uint8Array(readFileSync(path.join(EDGE_DIR, f)));
const dataOf = (b: Uint8Array) => {
  const l = parseWavLayout(b);
  return Buffer.from(b.subarray(l.dataOffset, l.dataOffset + l.dataBytes));
};

const LOADABLE = [
  'ok_u8_mono_8000.wav', 'ok_s16_stereo_44100.wav', 'ok_s24_ext_stereo_96000.wav', 'ok_s32_ext_mono_48000.wav',
  'ok_f32_stereo_48000.wav', 'ok_f64_mono_22050.wav', 'ok_mulaw_mono_8000.wav', 'ok_alaw_mono_8000.wav',
  'ok_s16_ext_6ch_48000.wav', 'ok_s24_pcm_mono_22050.wav', 'ok_extra_chunks.wav', 'ok_odd_chunk_pad.wav', 'bad_rifx_big_endian.wav',
];

describe('wavFileCopy', () => {
  for (const name of LOADABLE) {
    it(`keeps the format and every sample of ${name}`, () => {
      const original = decodeWav(edge(name));
      const copy = wavFileCopy(edge(name));
      const back = decodeWav(copy);
      expect(back).toMatchObject({ format: original.format, sampleRate: original.sampleRate, channels: original.channels, frames: original.frames, container: 'RIFF' });
      expect(back.channelMask).toBe(original.channelMask);
      back.samples.forEach((s, c) => expect(Buffer.from(s.buffer).equals(Buffer.from(original.samples[c].buffer)), `channel ${c}`).toBe(true));
      // Little-endian files keep their sample bytes exactly; the big-endian one is byte-swapped.
      if (original.container === 'RIFF') expect(dataOf(copy).equals(dataOf(edge(name)))).toBe(true);
      // An independent reader agrees with the header written.
      const other = new wf.WaveFile(copy);
      const fmt = other.fmt as { numChannels: number; sampleRate: number };
      expect([fmt.numChannels, fmt.sampleRate]).toEqual([original.channels, original.sampleRate]);
    });
  }

  it('leaves a file it wrote itself byte for byte as it was', () => {
    for (const format of ['pcm_s16', 'float32'] as const) {
      const bytes = encodeWav([sine(440, 24000, 1001), sine(660, 24000, 1001)], 24000, format);
      expect(Buffer.from(wavFileCopy(bytes)).equals(bytes)).toBe(true);
    }
  });
});

describe('exportWav', () => {
  it('writes a 24-bit clip as 24-bit (it was exported as 16-bit)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'out.wav');
      await exportWav(file, edge('ok_s24_ext_stereo_96000.wav'));
      const back = await readWav(file);
      expect(back.format).toBe('pcm_s24');
      expect(dataOf(readFileSync(file)).equals(dataOf(edge('ok_s24_ext_stereo_96000.wav')))).toBe(true);
    } finally {
      cleanup();
    }
  });

  it('refuses what is not a WAV file with its code and writes nothing', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'out.wav');
      await expect(exportWav(file, edge('bad_mp3_renamed.wav'))).rejects.toMatchObject({ code: 'NOT_WAV' });
      expect(existsSync(file)).toBe(false);
      // A missing folder is the system's ENOENT (FILE_NOT_FOUND at the API), naming the file.
      const target = path.join(dir, 'no-folder', 'x.wav');
      await expect(exportWav(target, edge('ok_u8_mono_8000.wav'))).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open', path: target });
    } finally {
      cleanup();
    }
  });
});
