// One training run in memory: data, model, loss, optimizer and the loop's single step. Runs on
// whatever thread creates it (the trainer puts it in a worker); it never touches the disk.
import { KernelCore } from '../kernels/core.js';
import { copy, hasNonFinite, zero } from '../kernels/ops.js';
import { BatchSampler, splitSegments, type Clip, type DataSplit } from '../data/dataset.js';
import { allocParams, CodecGraph, initParams, paramLayout, type ParamStore } from '../nn/model.js';
import { getPreset, type Preset } from '../nn/presets.js';
import { getLoss, type Loss } from '../losses/index.js';
import { Optimizer } from '../optim/optimizer.js';
import { learningRate } from '../optim/schedule.js';
import type { TrainConfig } from './config.js';

export class DivergedError extends Error {
  readonly code = 'DIVERGED';
}

export interface StepResult {
  step: number;
  trainLoss: number;
  lr: number;
  gradNorm: number;
}

export class TrainingSession {
  readonly core: KernelCore;
  readonly preset: Preset;
  readonly split: DataSplit;
  readonly store: ParamStore;
  readonly nParams: number;
  /** Steps completed. */
  step = 0;
  bestValLoss = Infinity;
  bestStep = 0;
  /** Validations since the best one. */
  sinceBest = 0;
  private readonly graph: CodecGraph;
  private readonly valGraph: CodecGraph;
  private readonly loss: Loss;
  private readonly valLoss: Loss;
  private readonly optimizer: Optimizer;
  private readonly sampler: BatchSampler;
  /** Parameters before the last update: where a diverging step is rolled back to. */
  private readonly lastGood: number;
  private readonly best: number;
  private readonly valSegments: Float32Array[];

  constructor(
    readonly clips: Clip[],
    readonly config: TrainConfig,
  ) {
    const c = config;
    this.preset = getPreset(c.preset);
    this.split = splitSegments(clips, { segment: c.segment, seed: c.seed });
    this.core = KernelCore.create();
    const layout = paramLayout(this.preset);
    this.nParams = layout.total;
    // Allocate everything first; views are taken only after the last allocation.
    this.store = allocParams(this.core, layout, true);
    this.graph = new CodecGraph(this.store, this.preset, { B: c.batch, T: c.segment, training: true });
    this.valGraph = new CodecGraph(this.store, this.preset, { B: 1, T: c.segment, training: false });
    const lossInfo = getLoss(c.loss);
    this.loss = lossInfo.make(this.core, c.batch, c.segment);
    this.valLoss = lossInfo.make(this.core, 1, c.segment);
    this.optimizer = new Optimizer(this.core, c.optimizer, this.store.params, this.store.grads, this.nParams);
    this.lastGood = this.core.allocF32(this.nParams);
    this.best = this.core.allocF32(this.nParams);
    initParams(layout, this.params(), c.seed);
    copy(this.core, this.best, this.store.params, this.nParams);
    this.sampler = new BatchSampler(clips, this.split, { batch: c.batch, seed: c.seed, augmentGainDb: c.augment.gainDb, augmentPolarity: c.augment.polarity });
    this.valSegments = this.split.val.map((s) => clips[s.clip].audio.subarray(s.start, s.start + c.segment));
  }

  params(): Float32Array {
    return this.core.f32(this.store.params, this.nParams);
  }

  bestParams(): Float32Array {
    return Float32Array.from(this.core.f32(this.best, this.nParams));
  }

  /** One optimisation step. Throws DivergedError (parameters rolled back) on a non-finite loss, gradient or update. */
  trainStep(): StepResult {
    const { core, graph, config: c } = this;
    this.sampler.next(core.f32(graph.input.ptr, c.batch * c.segment));
    graph.zeroActivationGrads();
    zero(core, this.store.grads, this.nParams);
    graph.forward();
    const trainLoss = this.loss.compute(graph.output.ptr, graph.input.ptr, graph.output.grad);
    const at = this.step + 1;
    if (!Number.isFinite(trainLoss)) throw new DivergedError(`training diverged at step ${at}: the loss is ${trainLoss}`);
    graph.backward();
    if (hasNonFinite(core, this.store.grads, this.nParams)) throw new DivergedError(`training diverged at step ${at}: a gradient is not finite`);
    const lr = learningRate(c.lr, this.step, c.steps, c.schedule);
    copy(core, this.lastGood, this.store.params, this.nParams);
    const gradNorm = this.optimizer.step(lr);
    if (hasNonFinite(core, this.store.params, this.nParams)) {
      copy(core, this.store.params, this.lastGood, this.nParams);
      throw new DivergedError(`training diverged at step ${at}: the update made a weight non-finite (learning rate ${lr} too high?)`);
    }
    this.step = at;
    return { step: at, trainLoss, lr, gradNorm };
  }

  /** Mean loss over the validation segments, in the training loss's own space; tracks the best weights. */
  validate(): { valLoss: number; improved: boolean } {
    const { core, valGraph, config: c } = this;
    let total = 0;
    const x = core.f32(valGraph.input.ptr, c.segment);
    for (const seg of this.valSegments) {
      x.set(seg);
      valGraph.forward();
      total += this.valLoss.compute(valGraph.output.ptr, valGraph.input.ptr, 0);
    }
    const valLoss = total / this.valSegments.length;
    const improved = valLoss < this.bestValLoss;
    if (improved) {
      this.bestValLoss = valLoss;
      this.bestStep = this.step;
      this.sinceBest = 0;
      copy(core, this.best, this.store.params, this.nParams);
    } else {
      this.sinceBest++;
    }
    return { valLoss, improved };
  }

  /** Multiply-adds of one forward pass of the training batch. */
  forwardMacs(): number {
    return this.graph.forwardMacs();
  }

  /**
   * Where a step's time goes: median milliseconds of each phase over `steps` real steps (which do
   * update the weights, as training would).
   */
  profileStep(steps: number): { data: number; forward: number; loss: number; backward: number; optimizer: number } {
    const { core, graph, config: c } = this;
    const t: number[][] = [[], [], [], [], []];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      this.sampler.next(core.f32(graph.input.ptr, c.batch * c.segment));
      graph.zeroActivationGrads();
      zero(core, this.store.grads, this.nParams);
      const t1 = performance.now();
      graph.forward();
      const t2 = performance.now();
      this.loss.compute(graph.output.ptr, graph.input.ptr, graph.output.grad);
      const t3 = performance.now();
      graph.backward();
      const t4 = performance.now();
      this.optimizer.step(learningRate(c.lr, this.step, c.steps, c.schedule));
      this.step++;
      const t5 = performance.now();
      [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4].forEach((v, k) => t[k].push(v));
    }
    const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    return { data: med(t[0]), forward: med(t[1]), loss: med(t[2]), backward: med(t[3]), optimizer: med(t[4]) };
  }

  /** Early stopping: patience validations without improvement. */
  shouldStopEarly(): boolean {
    return this.config.patience > 0 && this.sinceBest >= this.config.patience;
  }
}
