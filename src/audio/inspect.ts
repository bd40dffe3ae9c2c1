// One file's verdict, as the library list, `codec-lab inspect` and the app show it.
// Inspecting checks the structure and scans the samples without keeping them: each chunk is decoded
// into one small scratch buffer. Integer samples cannot be NaN, so their scan stops at the first
// non-zero sample (all that is left to learn is whether the file is silent); float files are
// scanned to the end, since one NaN anywhere refuses them.
import { describeError } from './errors.js';
import { parseWavLayout, type SampleFormat } from './riff.js';
import { decodeFrames } from './sample-decode.js';
import { SampleScan } from './sample-scan.js';
import { withWavFile } from './wav-file.js';
import { isFloatFormat, wavInfo, type WavInfo } from './wav-read.js';

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

/** What the file is, with the same checks, codes and warnings as readWav, without decoding it whole. */
export async function inspectWav(file: string): Promise<WavInfo> {
  return withWavFile(file, async (f) => {
    const layout = parseWavLayout(f.source);
    const scan = new SampleScan(isFloatFormat(layout.fmt.format));
    let scratch: Float32Array[] = [];
    await f.forEachChunk(layout, (bytes, first, frames) => {
      if (scratch.length === 0 || scratch[0].length < frames) scratch = Array.from({ length: layout.fmt.channels }, () => new Float32Array(frames));
      decodeFrames(layout.fmt, layout.littleEndian, bytes, scratch, 0);
      scan.add(scratch, 0, frames, first);
      return !scan.settled;
    });
    return wavInfo(layout, scan);
  });
}

/** Never throws: a refused file is a result like any other, so it can never stop the files after it. */
export async function inspectFile(file: string): Promise<InspectResult> {
  try {
    const wav = await inspectWav(file);
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
