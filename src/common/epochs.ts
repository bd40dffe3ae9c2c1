// Epochs: the examples drawn so far (steps x batch) over the training segments. Batches are drawn at
// random with replacement (src/data/dataset.ts BatchSampler), so an epoch is a pass's worth of
// examples, not a pass that visits each segment once. Shared by the command line's progress line and
// the page's epoch axis.

/** Epochs after `step` steps of `batch` examples, with `trainSegments` training segments (0 when there are none). */
export function epochsAt(step: number, batch: number, trainSegments: number): number {
  return trainSegments > 0 ? (step * batch) / trainSegments : 0;
}
