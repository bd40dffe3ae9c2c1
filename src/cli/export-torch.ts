// codec-lab export-torch: write an experiment as a PyTorch project trained with DistributedDataParallel
// (src/export/), from a run folder or from the same options as `train`.
import path from 'node:path';
import { BUNDLED_CLIP, packageVersion } from '../assets.js';
import { loadClips } from '../data/load.js';
import { loadInitWeights } from '../train/init-weights.js';
import { projectFromRun, projectFromSettings, INIT_CHOICES, type InitChoice } from '../export/sources.js';
import { checkOutFolder, writeTorchProject } from '../export/torch-project.js';
import { configFromOptions, trainOptions } from './train.js';
import { CliError } from './errors.js';
import type { CommandContext } from './context.js';

export const exportTorchHelp = `Usage: codec-lab export-torch --run DIR --out DIR [FILE...] [--init best|last|none]
       codec-lab export-torch --out DIR [FILE...] [train's options]

Writes a self-contained PyTorch project into --out (a new or empty folder): the run's model (the
same layers, quantizer and losses, codec_ref.py), its settings (experiment.json), its audio at 24 kHz
(clips/), its split (split.json) and train.py, a DistributedDataParallel trainer:

    torchrun --standalone --nproc_per_node N train.py --steps S --runs DIR [--device cpu|cuda]

which writes one Codec Lab run folder under DIR (config.json, split.json, log.jsonl, best.weights,
last.weights ...), marked as trained with PyTorch; \`codec-lab eval --run\` scores it.

  --run DIR          export this run: its settings and split; its audio is found by content among
                     FILE... or, with none given, the files its config.json names
  --init W           with --run: start from the run's best or last weights, or none (default: none,
                     fresh weights)
  --out DIR          the project folder to write (required; refused unless new or empty)
  --json             print one JSON object on stdout

Without --run, FILE... (default: the bundled clip) and every option of \`codec-lab train\` (see
\`codec-lab train --help\`) describe the experiment, split as \`train\` would split it; nothing is
trained here. --init-from DIR starts from that run's best weights.
Not exported (refused): Setup B, and the tilt augmentation.`;

export const exportTorchOptions = { ...trainOptions, run: { type: 'string' }, init: { type: 'string' } } as const;

export async function exportTorchCommand(ctx: CommandContext, files: string[], v: Record<string, unknown>): Promise<number> {
  if (typeof v.out !== 'string') throw new CliError('BAD_ARGUMENTS', '--out DIR is required: the folder the project is written to');
  const out = path.resolve(v.out);
  const init = (v.init ?? 'none') as InitChoice;
  if (!INIT_CHOICES.includes(init)) throw new CliError('BAD_ARGUMENTS', `--init must be one of ${INIT_CHOICES.join(', ')}, not '${String(v.init)}'`);
  // Refused before any audio is read.
  checkOutFolder(out);
  let project;
  if (typeof v.run === 'string') {
    project = await projectFromRun(path.resolve(v.run), files, init, packageVersion());
  } else {
    if (v.init !== undefined) throw new CliError('BAD_ARGUMENTS', '--init needs --run (without it, --init-from DIR starts from that run\'s best weights)');
    const config = configFromOptions(v);
    const { clips, refused } = await loadClips(files.length ? files : [BUNDLED_CLIP]);
    for (const r of refused) ctx.err(`${r.file}: refused (${r.error.code}): ${r.error.message}`);
    if (clips.length === 0) throw new CliError('NO_USABLE_AUDIO', 'no audio to export: every file was refused');
    const initWeights = typeof v['init-from'] === 'string' ? loadInitWeights(path.resolve(v['init-from']), config) : null;
    project = projectFromSettings(config, clips, initWeights, packageVersion());
  }
  const written = await writeTorchProject(out, project);
  const { experiment: e, split } = project;
  if (v.json === true) {
    ctx.out(JSON.stringify({ out, files: written, label: e.label, params: e.model.params, segments: { train: split.train.length, val: split.val.length, test: split.test.length }, init: e.init }, null, 2));
    return 0;
  }
  ctx.out(
    [
      `wrote ${out} (${written.length} files): ${e.label}, ${e.model.params.total} parameters; segments ${split.train.length} train, ${split.val.length} validation, ${split.test.length} test${e.init ? `; starts from ${e.init.fromRun}'s weights (step ${e.init.step ?? '?'})` : ''}`,
      `train it: cd ${out} && torchrun --standalone --nproc_per_node 2 train.py --steps ${e.config.steps} --runs runs`,
    ].join('\n'),
  );
  return 0;
}
