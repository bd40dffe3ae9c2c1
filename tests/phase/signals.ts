// Test signals for the phase tests (a piece of real music, steady sines) and how far apart two are.
import path from 'node:path';
import { readWav } from '../../src/audio/wav-read.js';
import { prepareAudio } from '../../src/audio/prepare.js';
import { MUSIC_DIR } from '../helpers.js';

/** `seconds` of the piano excerpt (tests/fixtures/music), mono at 24 kHz, from 0.5 s in. */
export async function pianoAt24k(seconds: number): Promise<Float32Array> {
  const { mono } = await prepareAudio(await readWav(path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav')));
  return mono.slice(12000, 12000 + Math.round(seconds * 24000));
}

/** Three steady sines (440, 1234.5 and 3000 Hz) for `n` samples at 24 kHz. */
export function threeSines(n: number): Float32Array {
  const tone = (i: number, hz: number, phase: number) => Math.sin((2 * Math.PI * hz * i) / 24000 + phase);
  return Float32Array.from({ length: n }, (_, i) => 0.3 * tone(i, 440, 0) + 0.2 * tone(i, 1234.5, 1) + 0.1 * tone(i, 3000, 2));
}

export { relativeError } from '../helpers.js';
