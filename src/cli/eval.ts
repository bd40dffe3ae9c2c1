// codec-lab eval: score a run's model on audio, in every output space.
import { loadClips } from '../data/load.js';
import { Codec } from '../nn/codec.js';
import { ParallelCodec } from '../nn/parallel-codec.js';
import { DEFAULT_THREADS } from '../train/thread-count.js';
import { evaluateCodec, type EvalClip } from '../eval/evaluate.js';
import { lossDbMeaning, type LossName } from '../losses/index.js';
import { readTestSplit } from '../runs/run-dir.js';
import { readSplitAudio } from '../runs/split-file.js';
import { saveRunScores } from '../export/run-scores.js';
import { CliError } from './errors.js';
import { speedLine } from './progress.js';
import { openRunWeights } from './run-weights.js';
import { bitrateText } from './shape-options.js';
import type { CommandContext } from './context.js';

export const evalHelp = `Usage: codec-lab eval --run DIR [FILE...] [--weights best|last] [--save] [--json]

Scores a run's model: the loss in every output space (wave-l1 ... mrstft, over 8192-sample blocks),
SNR, SI-SDR, log-spectral distance, mel cepstral distortion, bit rate (nominal, and entropy-coded:
the first-order entropy of the codes on this audio) and encode/decode speed.
With FILE..., on those WAV files; with none, on the run's own test split.
  --run DIR          the run folder (made by codec-lab train)
  --weights W        best (default) or last
  --save             on the run's own test split with its best weights: write the scores into the
                     run's metrics.json and its test and validation reconstructions into the run
                     folder, as a run trained here has them (for a run trained with PyTorch, from
                     codec-lab export-torch, which ends without them)
  --json             print one JSON object on stdout`;

export async function evalCommand(ctx: CommandContext, files: string[], v: Record<string, unknown>): Promise<number> {
  const { dir, runDir, which, weights: w } = openRunWeights(v);
  const save = v.save === true;
  if (save && (files.length || which !== 'best')) throw new CliError('BAD_ARGUMENTS', '--save scores the run itself: its own test split (no FILE) with its best weights (the figures a run reports)');

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
  // A long file's windows over the physical cores (the scores are one thread's; the speeds are timed on one).
  const codec = new ParallelCodec(new Codec(w.model, w.params), DEFAULT_THREADS);
  let evaluation;
  try {
    let reconstructions: Float32Array[];
    ({ evaluation, reconstructions } = evaluateCodec(codec, clips, { block }));
    if (save) {
      const val = readSplitAudio(runDir, 'val').clips.map((c) => codec.reconstruct(c.audio));
      await saveRunScores(runDir, evaluation, reconstructions, val);
    }
  } finally {
    codec.close();
  }
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
      `  SNR ${e.snrDb.toFixed(2)} dB, SI-SDR ${e.siSdrDb.toFixed(2)} dB, LSD ${e.lsd.toFixed(2)} bel, MCD ${e.mcdDb.toFixed(2)} dB`,
      `  ${bitrateText(e)} (entropy: first-order, of the codes on this audio); ${speedLine(e.speed)}`,
    ].join('\n'),
  );
  return 0;
}
