// One file's verdict, as the library list, `codec-lab inspect` and the app show it. Never throws:
// a refused file is a result like any other, so it can never stop the files after it.
import { describeError } from './errors.js';
import { readWav } from './wav-read.js';
import type { SampleFormat } from './riff.js';

export type InspectResult =
  | {
      file: string;
      ok: true;
      format: SampleFormat;
      sampleRate: number;
      channels: number;
      frames: number;
      durationSec: number;
      warnings?: string[];
    }
  | { file: string; ok: false; error: { code: string; message: string } };

export async function inspectFile(file: string): Promise<InspectResult> {
  try {
    const wav = await readWav(file);
    return {
      file,
      ok: true,
      format: wav.format,
      sampleRate: wav.sampleRate,
      channels: wav.channels,
      frames: wav.frames,
      durationSec: Math.round(wav.durationSec * 1e6) / 1e6,
      ...(wav.warnings.length ? { warnings: wav.warnings } : {}),
    };
  } catch (e) {
    return { file, ok: false, error: describeError(e) };
  }
}
