// The first half of a loss: the transform that takes a waveform into the space where it is compared.
// A space is a chain of small stages (STFT magnitude, mel filterbank, dB), each with its forward and
// its backward, composed as csteinmetz1/auraloss composes its STFT losses (auraloss/freq.py: STFTLoss
// takes |STFT|, optionally a mel filterbank, optionally a log, then hands both sides to a distance).
// Here the chain is data, not flags: a space is the list of its stages (spaces.ts).
import type { KernelCore } from '../kernels/core.js';
import { zero } from '../kernels/ops.js';

/** A pointer into the kernel core's memory. */
export type Ptr = number;

/** A signal as a stage sees it: `rows` rows of `width` values (a batch of waveforms, or frames of bins). */
export interface Shape {
  rows: number;
  width: number;
}

/** One step of a transform, built for one input shape; it owns its output and what its backward needs. */
export interface Stage {
  readonly shape: Shape;
  /**
   * The stage's output for input `x` (a pointer to its own buffer). `keep`: record what the backward
   * needs (only on a stage built for gradients, and only when a backward will follow).
   */
  forward(x: Ptr, keep: boolean): Ptr;
  /** dIn += (d out / d in)ᵀ dOut, through the last forward. Only on a stage built for gradients. */
  backward(dOut: Ptr, dIn: Ptr): void;
}

/**
 * Builds a stage for an input shape. `withGrad` false: the stage is only ever run forward (the
 * target's side of a loss), so it neither keeps nor computes anything for a backward.
 */
export type StageMaker = (core: KernelCore, input: Shape, withGrad: boolean) => Stage;

/** A composed transform: waveform in, the compared features out. */
export interface Space {
  /** Values out per call. */
  readonly size: number;
  /** The features of `x`; `keep` (default: built for gradients) records what a backward needs. */
  forward(x: Ptr, keep?: boolean): Ptr;
  /**
   * dx += the gradient through the last forward. `seed(dOut)` must add dL/d(output) into the buffer
   * it is given: a zeroed buffer of the space, or dx itself when the space is the waveform (no
   * stages), so the waveform losses write their gradient straight into dx with no copy.
   */
  backward(dx: Ptr, seed: (dOut: Ptr) => void): void;
}

/** Asking a part built for values only (a target side, a scoring loss) for a gradient. */
export class BuiltWithoutGradientsError extends Error {
  readonly code = 'BUILT_WITHOUT_GRADIENTS';
  constructor(what: string) {
    super(`${what} was built for values only (no gradient buffers); build it with gradients to train with it`);
  }
}

const size = (s: Shape) => s.rows * s.width;

export function composeStages(core: KernelCore, makers: readonly StageMaker[], input: Shape, withGrad: boolean): Space {
  const stages: Stage[] = [];
  let shape = input;
  for (const make of makers) {
    const stage = make(core, shape, withGrad);
    stages.push(stage);
    shape = stage.shape;
  }
  // grads[i] holds dL/d(output of stage i) during a backward.
  const grads = withGrad ? stages.map((s) => core.allocF32(size(s.shape))) : [];
  return {
    size: size(shape),
    forward(x, keep = withGrad) {
      let y = x;
      for (const s of stages) y = s.forward(y, keep && withGrad);
      return y;
    },
    backward(dx, seed) {
      if (!withGrad) throw new BuiltWithoutGradientsError('this transform');
      const k = stages.length;
      if (k === 0) {
        seed(dx);
        return;
      }
      zero(core, grads[k - 1], size(stages[k - 1].shape));
      seed(grads[k - 1]);
      for (let i = k - 1; i >= 0; i--) {
        const dIn = i === 0 ? dx : grads[i - 1];
        if (i > 0) zero(core, dIn, size(stages[i - 1].shape));
        stages[i].backward(grads[i], dIn);
      }
    },
  };
}
