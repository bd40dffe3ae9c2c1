// `--run DIR [--weights best|last]`, as eval and reconstruct read them: the run folder and its weights.
import path from 'node:path';
import { realpathSync } from 'node:fs';
import { loadRunWeights, removeStaleTemporaries } from '../runs/run-dir.js';
import { entryExists } from '../runs/run-files.js';
import { RunError } from '../runs/errors.js';
import type { WeightsFile } from '../nn/weights.js';
import { CliError } from './errors.js';

export interface OpenedRun {
  /** The folder as named on the command line, made absolute (what the output shows). */
  dir: string;
  /** The same folder with links resolved: where its files are read. */
  runDir: string;
  which: 'best' | 'last';
  weights: WeightsFile;
}

/** Reads --run and --weights (default best); refuses a missing option, a bad choice or a folder without those weights. */
export function openRunWeights(v: Record<string, unknown>): OpenedRun {
  if (typeof v.run !== 'string') throw new CliError('BAD_ARGUMENTS', '--run DIR is required');
  const dir = path.resolve(v.run);
  const which = v.weights === undefined ? 'best' : String(v.weights);
  if (which !== 'best' && which !== 'last') throw new CliError('BAD_ARGUMENTS', `--weights must be best or last, not '${which}'`);
  const file = path.join(dir, `${which}.weights`);
  if (!entryExists(file)) throw new RunError('RUN_NOT_FOUND', `${file} not found: is ${dir} a run folder?`);
  // The folder named on the command line may be reached through a link (the user's choice); nothing inside it is followed.
  const runDir = realpathSync(dir);
  removeStaleTemporaries(runDir);
  return { dir, runDir, which, weights: loadRunWeights(runDir, which) };
}
