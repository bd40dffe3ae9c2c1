// codec-lab eval: score a run's model on audio, in every output space.
import path from 'node:path';
import { realpathSync } from 'node:fs';
import { loadClips } from '../data/load.js';
import { Codec } from '../nn/codec.js';
import { getPreset } from '../nn/presets.js';
import { evaluateCodec, type EvalClip } from '../eval/evaluate.js';
import { lossDbMeaning, type LossName } from '../losses/index.js';
import { loadRunWeights, readTestSplit, removeStaleTemporaries } from '../runs/run-dir.js';
import { entryExists } from '../runs/run-files.js';
import { RunError } from '../runs/errors.js';
import { CliError } from './errors.js';
import type { CommandContext } from './context.js';

export const evalHelp = `Usage: codec-lab eval --run DIR [FILE...] [--weights best|last] [--json]

Scores a run's model: the loss in every output space (wave-l1 ... mrstft, over 8192-sample blocks),
SNR, SI-SDR, log-spectral distance, mel cepstral distortion, bit rate and encode/decode speed.
With FILE..., on those WAV files; with none, on the run's own test split.
  --run DIR          the run folder (made by codec-lab train)
  --weights W        best (default) or last
  --json             print one JSON object on stdout`;

export async function evalCommand(ctx: CommandContext, files: string[], v: Record<string, unknown>): Promise<number> {
  if (typeof v.run !== 'string') throw new CliError('BAD_ARGUMENTS', '--run DIR is required');
  const dir = path.resolve(v.run);
  const which = v.weights === undefined ? 'best' : String(v.weights);
  if (which !== 'best' && which !== 'last') throw new CliError('BAD_ARGUMENTS', `--weights must be best or last, not '${which}'`);
  if (!entryExists(path.join(dir, `${which}.weights`))) throw new RunError('RUN_NOT_FOUND', `${path.join(dir, `${which}.weights`)} not found: is ${dir} a run folder?`);
  // The folder named on the command line may be reached through a link (the user's choice); nothing inside it is followed.
  const runDir = realpathSync(dir);
  removeStaleTemporaries(runDir);
  const w = loadRunWeights(runDir, which);

  let clips: EvalClip[];
  let source: string;
  let block: number | undefined;
  if (files.length) {
    const loaded = await loadClips(files);
    for (const r of loaded.refused) ctx.err(`${r.file}: refused (${r.error.code}): ${r.error.message}`);
    if (!loaded.clips.length) throw new CliError('NO_USABLE_AUDIO', 'no audio to evaluate: every file was refused');
    clips = loaded.clips;
    source = 'files';
  } else {
    ({ clips, segment: block } = readTestSplit(runDir));
    source = 'test split';
  }
  const { evaluation } = evaluateCodec(new Codec(getPreset(w.preset), w.params), clips, { block });
  const result = { run: dir, weights: which, preset: w.preset, source, ...evaluation };
  if (v.json) {
    ctx.out(JSON.stringify(result, null, 2));
    return 0;
  }
  const e = evaluation;
  ctx.out(
    [
      `${dir} (${which} weights, ${w.preset}) on the ${source}: ${e.clips} clip${e.clips > 1 ? 's' : ''}, ${e.seconds.toFixed(2)} s`,
      ...(e.losses && e.lossesDb
        ? Object.entries(e.losses).map(([k, val]) => {
            const name = k as LossName;
            return `  ${k.padEnd(11)} ${val.toPrecision(5).padStart(10)}  ${e.lossesDb![name].toFixed(2).padStart(7)} dB  ${lossDbMeaning(name)}`;
          })
        : ['  (clips shorter than one 8192-sample block: no loss figures)']),
      `  SNR ${e.snrDb.toFixed(2)} dB, SI-SDR ${e.siSdrDb.toFixed(2)} dB, LSD ${e.lsdDb.toFixed(2)} dB, MCD ${e.mcdDb.toFixed(2)} dB`,
      `  ${e.bitrateKbps} kbit/s; encode ${e.encodeRtf.toFixed(0)}x, decode ${e.decodeRtf.toFixed(0)}x real time`,
    ].join('\n'),
  );
  return 0;
}
