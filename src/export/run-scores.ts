// The way back from PyTorch: a run trained by the exported project (torch-export/train.py) ends
// without test scores or reconstructions, which are the engine's to compute on its own kernels.
// `codec-lab eval --run DIR --save` computes them and writes what a run trained here holds at its
// end: the scores in metrics.json and the test and validation reconstructions, each file written
// atomically. On a run trained here it rewrites the same figures (the speeds as measured now).
import path from 'node:path';
import type { Evaluation } from '../eval/evaluate.js';
import { writeReconstructions } from '../train/final-evaluation.js';
import { readJson, writeJson } from '../runs/run-dir.js';
import { entryExists } from '../runs/run-files.js';

export async function saveRunScores(dir: string, evaluation: Evaluation, test: readonly Float32Array[], val: readonly Float32Array[]): Promise<void> {
  await writeReconstructions(dir, test, val);
  const file = path.join(dir, 'metrics.json');
  const prior = entryExists(file) ? readJson<Record<string, unknown>>(file) : {};
  // The reason there were no scores is gone with them.
  delete prior.metricsUnavailable;
  writeJson(dir, 'metrics.json', { ...prior, metrics: evaluation, scoredAt: new Date().toISOString() });
}
