// A loss of the grid: the prediction and the target taken into one space (spaces.ts), then a
// distance between them (distance.ts). Two chains, because the prediction's keeps what its backward
// needs while the target's is only ever run forward (and so is the prediction's, built for scoring).
import type { KernelCore } from '../kernels/core.js';
import { lossCell, type LossName } from '../common/loss-scale.js';
import { DISTANCES } from './distance.js';
import { SPACES } from './spaces.js';
import { BuiltWithoutGradientsError, composeStages } from './transform.js';
import type { Loss } from './loss.js';

export function spaceLoss(name: LossName, core: KernelCore, B: number, T: number, withGrad = true): Loss {
  const cell = lossCell(name);
  if (!cell) throw new Error(`'${name}' is not a space-by-distance loss`);
  const shape = { rows: B, width: T };
  const predSpace = composeStages(core, SPACES[cell.space], shape, withGrad);
  const targetSpace = composeStages(core, SPACES[cell.space], shape, false);
  const distance = DISTANCES[cell.distance];
  const n = predSpace.size;
  return {
    name,
    compute(pred, target, grad) {
      const t = targetSpace.forward(target);
      const p = predSpace.forward(pred, grad !== 0);
      const value = distance.forward(core, p, t, n);
      if (grad && !withGrad) throw new BuiltWithoutGradientsError(`loss '${name}'`);
      if (grad) predSpace.backward(grad, (dOut) => distance.backward(core, p, t, dOut, n));
      return value;
    },
  };
}
