// A run through PyTorch and back, as a student does it: trained briefly in the lab, exported
// (`codec-lab export-torch`), trained by the exported project with PyTorch's own launcher on two CPU
// processes into the same runs folder, then scored and reconstructed by `codec-lab eval --save`.
// Shared by the round-trip test (tests/export/torchrun.test.ts) and the page's (tests/e2e/torch-run.test.ts).
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { BUNDLED_CLIP } from '../../src/assets.js';
import { codecLab } from '../cli/codec-lab.js';
import { TORCHRUN, torchrunArgs } from '../torch-python.js';

const run = promisify(execFile);
/** The environment as it is (OPENBLAS_* included); no __pycache__ left in the project. */
export const pyEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };

export interface RoundTrip {
  /** The lab's own run folder, the one exported. */
  labRun: string;
  /** The project export-torch wrote. */
  project: string;
  /** The run folder PyTorch wrote into the runs folder. */
  torchRun: string;
  /** `codec-lab eval --run torchRun --save --json`, parsed. */
  evaluation: { losses: Record<string, number> };
}

/** `settings`: train's options (the lab run's and so the export's); PyTorch trains `steps` more. */
export async function roundTrip(runs: string, work: string, settings: string[], steps: number): Promise<RoundTrip> {
  const trained = await codecLab('train', ...settings, '--steps', '5', '--out', runs, '--json');
  if (trained.code !== 0) throw new Error(`train failed: ${trained.stderr}`);
  const labRun = JSON.parse(trained.stdout).runDir as string;
  const project = path.join(work, 'project');
  const exported = await codecLab('export-torch', '--run', labRun, '--out', project, BUNDLED_CLIP);
  if (exported.code !== 0) throw new Error(`export-torch failed: ${exported.stderr}`);
  const before = new Set(readdirSync(runs));
  const args = [...torchrunArgs(2, path.join(work, 'logs')), 'train.py', '--steps', String(steps), '--runs', runs, '--device', 'cpu'];
  await run(TORCHRUN, args, { cwd: project, env: pyEnv, timeout: 300_000, maxBuffer: 16 << 20 });
  const made = readdirSync(runs).filter((d) => !before.has(d) && !d.startsWith('.'));
  if (made.length !== 1) throw new Error(`torchrun made ${made.length} run folders, not 1: ${made.join(', ')}`);
  const torchRun = path.join(runs, made[0]);
  const scored = await codecLab('eval', '--run', torchRun, '--save', '--json');
  if (scored.code !== 0) throw new Error(`eval --save failed: ${scored.stderr}`);
  return { labRun, project, torchRun, evaluation: JSON.parse(scored.stdout) };
}
