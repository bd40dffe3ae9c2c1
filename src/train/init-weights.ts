// Continuing from a run: its best weights as the starting point of a new run, whose network must
// have the same parameter shapes (the loss, the optimizer, the schedule and even the quantizer's
// bits may differ; the weights are just numbers in the same places).
import path from 'node:path';
import { loadRunWeights } from '../runs/run-dir.js';
import { paramLayout } from '../nn/model.js';
import type { Preset } from '../nn/presets.js';
import { modelPreset, type TrainConfig } from './config.js';
import { InitWeightsError } from './session.js';

/** Each parameter tensor's name and shape, in order: what must agree for weights to carry over. */
const shapesOf = (p: Preset) => paramLayout(p).entries.map((e) => `${e.name}[${e.shape.join('x')}]+${e.bSize}`);

/**
 * The best weights of the run in `runDir`, checked against the network `config` trains; with their
 * step there. InitWeightsError (SHAPE_MISMATCH) names the first tensor that differs.
 */
export function loadInitWeights(runDir: string, config: TrainConfig): { params: Float32Array; step: number | null } {
  const w = loadRunWeights(runDir, 'best');
  const want = shapesOf(modelPreset(config));
  const have = shapesOf(w.model);
  const i = want.findIndex((s, k) => s !== have[k]);
  if (i >= 0 || want.length !== have.length) {
    const where = i >= 0 ? `${want[i]} here, ${have[i] ?? 'nothing'} there` : `${want.length} tensors here, ${have.length} there`;
    throw new InitWeightsError(`the weights of ${path.basename(runDir)} do not fit this network (${where}): continue from a run of the same preset, setup, latent channels, hop and width`);
  }
  return { params: w.params, step: typeof w.meta.step === 'number' ? w.meta.step : null };
}
