// codec-lab reconstruct: a run's model on whole files, each written back as a WAV to listen to.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { loadClips } from '../data/load.js';
import { Codec } from '../nn/codec.js';
import { ParallelCodec } from '../nn/parallel-codec.js';
import { DEFAULT_THREADS } from '../train/thread-count.js';
import { MODEL_RATE } from '../audio/prepare.js';
import { writeWav } from '../audio/wav-write.js';
import { entryExists } from '../runs/run-files.js';
import { toCallError } from '../api/call-error.js';
import { CliError } from './errors.js';
import { openRunWeights } from './run-weights.js';
import type { CommandContext } from './context.js';

export const reconstructHelp = `Usage: codec-lab reconstruct --run DIR FILE... [--out DIR] [--weights best|last] [--force]

Encodes and decodes each whole WAV file with a run's model and writes the result as NAME.recon.wav:
mono, 24 kHz (the model's rate), 32-bit float. A file that cannot be read is refused with its error
code and the others are still written; the exit status is 1 if any file failed.
  --run DIR          the run folder (made by codec-lab train)
  --out DIR          where to write (default: the current directory; made if missing)
  --weights W        best (default) or last
  --force            replace an existing NAME.recon.wav (refused otherwise)`;

/** piano.wav -> piano.recon.wav (the input's name without its extension). */
export function reconstructionName(file: string): string {
  return `${path.parse(file).name}.recon.wav`;
}

export async function reconstructCommand(ctx: CommandContext, files: string[], v: Record<string, unknown>): Promise<number> {
  const run = openRunWeights(v);
  if (!files.length) throw new CliError('BAD_ARGUMENTS', 'give at least one WAV file to reconstruct');
  const outDir = path.resolve(typeof v.out === 'string' ? v.out : '.');
  mkdirSync(outDir, { recursive: true });
  // A long file's windows over this machine's physical cores (at most 8): the output of one thread.
  const codec = new ParallelCodec(new Codec(run.weights.model, run.weights.params), DEFAULT_THREADS);
  const written = new Map<string, string>(); // output -> the input it came from, in this call

  let failed = 0;
  const refuse = (file: string, code: string, message: string) => {
    failed++;
    ctx.err(`${file}: refused (${code}): ${message}`);
  };
  for (const file of files) {
    const out = path.join(outDir, reconstructionName(file));
    // Checked before the work: a clash should cost nothing. Two inputs of the same name never
    // overwrite each other, even with --force.
    const earlier = written.get(out);
    if (earlier !== undefined) {
      refuse(file, 'FILE_EXISTS', `${out} was just written from ${earlier}; reconstruct files of the same name into different --out folders`);
      continue;
    }
    if (v.force !== true && entryExists(out)) {
      refuse(file, 'FILE_EXISTS', `${out} already exists; give --force to replace it`);
      continue;
    }
    const loaded = await loadClips([file]);
    const bad = loaded.refused[0];
    if (bad) {
      refuse(file, bad.error.code, bad.error.message);
      continue;
    }
    try {
      const audio = codec.reconstruct(loaded.clips[0].audio);
      await writeWav(out, [audio], MODEL_RATE, 'float32');
      written.set(out, file);
      ctx.out(`${file} -> ${out} (${(audio.length / MODEL_RATE).toFixed(2)} s, ${run.which} weights of ${run.dir})`);
    } catch (e) {
      const { code, message } = toCallError(e, (m) => m);
      refuse(file, code, message);
    }
  }
  codec.close();
  return failed ? 1 : 0;
}
