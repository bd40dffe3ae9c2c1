// The gradient of the loss for one batch: zero, forward, loss, backward, over buffers allocated
// once. The training session runs one; with N threads each of N - 1 peer workers runs another on
// its share of the batch (src/train/grad-team.ts).
import type { KernelCore } from '../kernels/core.js';
import { zero } from '../kernels/ops.js';
import { CodecGraph, type GraphOptions, type ParamStore } from '../nn/model.js';
import type { Preset } from '../nn/presets.js';
import type { Loss, LossName } from '../losses/index.js';
import type { SplitBatch } from '../losses/loss.js';
import { makeObjective } from './objective.js';

export class BatchGradients {
  readonly graph: CodecGraph;
  private readonly loss: Loss;

  constructor(
    private readonly core: KernelCore,
    private readonly store: ParamStore,
    preset: Preset,
    lossName: LossName,
    readonly B: number,
    readonly T: number,
    dropout?: GraphOptions['dropout'],
    split?: SplitBatch,
  ) {
    this.graph = new CodecGraph(store, preset, { B, T, training: true, dropout });
    this.loss = makeObjective(core, preset, lossName, B, T, split);
  }

  /** The batch to fill before compute(): [B, 1, T]. */
  input(): Float32Array {
    return this.core.f32(this.graph.input.ptr, this.B * this.T);
  }

  /** Parameter gradients of the mean loss over the batch now in input() at training step `step` (its dropout masks); returns that loss. */
  compute(step: number, timings?: number[]): number {
    const { core, graph, store } = this;
    graph.setStep(step);
    const t0 = performance.now();
    graph.zeroActivationGrads();
    zero(core, store.grads, store.layout.total);
    const t1 = performance.now();
    graph.forward();
    const t2 = performance.now();
    const value = this.loss.compute(graph.output.ptr, graph.input.ptr, graph.output.grad);
    const t3 = performance.now();
    if (Number.isFinite(value)) graph.backward();
    const t4 = performance.now();
    timings?.push(t1 - t0, t2 - t1, t3 - t2, t4 - t3);
    return value;
  }

  forwardMacs(): number {
    return this.graph.forwardMacs();
  }
}
