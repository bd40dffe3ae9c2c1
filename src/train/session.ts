// One training run in memory: data, model, loss, optimizer and the loop's single step. Runs on
// whatever thread creates it (the trainer puts it in a worker); it never touches the disk.
import { KernelCore } from '../kernels/core.js';
import { copy, hasNonFinite, sumSqDiff, sumSquares } from '../kernels/ops.js';
import { BatchSampler, type Clip, type DataSplit } from '../data/dataset.js';
import { allocParams, CodecGraph, initParams, paramLayout, type ParamStore } from '../nn/model.js';
import { BatchGradients } from './gradients.js';
import { GradTeam } from './grad-team.js';
import { batchShares } from './thread-count.js';
import type { Preset } from '../nn/presets.js';
import type { Loss } from '../losses/index.js';
import { outputAudio } from '../nn/spectrogram-output.js';
import { makeObjective } from './objective.js';
import { Optimizer } from '../optim/optimizer.js';
import { learningRate } from '../optim/schedule.js';
import { addL1Gradient } from '../optim/l1-penalty.js';
import { modelPreset, splitForRun, type TrainConfig } from './config.js';
import { reserveYardstick, yardstick, type Yardstick } from '../eval/yardstick.js';

export class DivergedError extends Error {
  readonly code = 'DIVERGED';
}

/** The weights to start from do not fit the network (another shape). */
export class InitWeightsError extends Error {
  readonly code = 'SHAPE_MISMATCH';
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
  /** The step whose weights the parameters hold: `step`, or less after a divergence rolled them back. */
  weightsStep = 0;
  bestValLoss = Infinity;
  bestStep = 0;
  /** Validations since the best one. */
  sinceBest = 0;
  /** The gradient of this thread's share of each batch (all of it with one thread). */
  private readonly local: BatchGradients;
  /** The other threads, each computing its share of the batch (more than one thread only). */
  private readonly team: GradTeam | null;
  private readonly valGraph: CodecGraph;
  private readonly valLoss: Loss;
  private readonly optimizer: Optimizer;
  private readonly sampler: BatchSampler;
  /**
   * The last weights that passed: they gave a finite loss and gradient (the weights before the last
   * update). A divergence rolls back to these, never to the weights that produced the bad values.
   */
  private readonly lastGood: number;
  private lastGoodStep = 0;
  /** The initial weights, kept in case nothing later turns audio into finite audio. */
  private readonly initial: Float32Array;
  private readonly best: number;
  private readonly valSegments: Float32Array[];
  /** The validation reconstructions of the last validate(), one per segment. */
  private readonly valOutputs: Float32Array[];

  /** `init`: the weights to start from (another run's, the same shapes); fresh seeded ones without. */
  constructor(
    readonly clips: Clip[],
    readonly config: TrainConfig,
    init?: Float32Array,
  ) {
    const c = config;
    this.preset = modelPreset(c);
    this.split = splitForRun(clips, c);
    this.core = KernelCore.create();
    const layout = paramLayout(this.preset);
    this.nParams = layout.total;
    // Allocate everything first; views are taken only after the last allocation.
    this.store = allocParams(this.core, layout, true);
    const shares = batchShares(c.batch, c.threads);
    const dropout = c.dropout > 0 ? { p: c.dropout, seed: c.seed } : undefined;
    this.team = c.threads > 1 ? new GradTeam(this.preset, c.loss, shares, c.segment, this.nParams, dropout) : null;
    const own = dropout && { ...dropout, batchOffset: 0 };
    this.local = new BatchGradients(this.core, this.store, this.preset, c.loss, shares[0].count, c.segment, own, this.team ?? undefined);
    this.valGraph = new CodecGraph(this.store, this.preset, { B: 1, T: c.segment, training: false });
    this.valLoss = makeObjective(this.core, this.preset, c.loss, 1, c.segment);
    reserveYardstick(this.core, c.segment);
    this.optimizer = new Optimizer(this.core, c.optimizer, this.store.params, this.store.grads, this.nParams);
    this.lastGood = this.core.allocF32(this.nParams);
    this.best = this.core.allocF32(this.nParams);
    if (init) {
      if (init.length !== this.nParams) throw new InitWeightsError(`the weights to start from hold ${init.length} parameters; this network has ${this.nParams}`);
      this.params().set(init);
    } else initParams(layout, this.params(), c.seed);
    copy(this.core, this.best, this.store.params, this.nParams);
    copy(this.core, this.lastGood, this.store.params, this.nParams);
    this.initial = Float32Array.from(this.params());
    this.sampler = new BatchSampler(clips, this.split, {
      batch: c.batch,
      seed: c.seed,
      augmentGainDb: c.augment.gainDb,
      augmentPolarity: c.augment.polarity,
      augmentNoiseSnrDb: c.augment.noiseSnrDb,
      augmentTiltDb: c.augment.tiltDb,
      sampleRate: this.preset.sampleRate,
    });
    this.valSegments = this.split.val.map((s) => clips[s.clip].audio.subarray(s.start, s.start + c.segment));
    this.valOutputs = this.valSegments.map(() => new Float32Array(c.segment));
  }

  /** End the other threads, if any. The session cannot train after this. */
  close(): void {
    this.team?.close();
  }

  /**
   * Sample a batch and leave the mean gradient over it in the parameter gradients; returns the loss.
   * With several threads the shares are computed at once and their gradients added, weighted by size.
   */
  private batchGradient(timings?: number[]): number {
    const { team, local } = this;
    const step = this.step + 1;
    if (!team) {
      this.sampler.next(local.input());
      return local.compute(step, timings);
    }
    this.sampler.next(team.batch);
    local.input().set(team.batch.subarray(0, local.B * local.T));
    team.params.set(this.params());
    team.start(step);
    const own = local.compute(step, timings);
    const t0 = performance.now();
    const loss = team.combine(this.core.f32(this.store.grads, this.nParams), own);
    timings?.push(performance.now() - t0);
    return loss;
  }

  params(): Float32Array {
    return this.core.f32(this.store.params, this.nParams);
  }

  bestParams(): Float32Array {
    return Float32Array.from(this.core.f32(this.best, this.nParams));
  }

  initialParams(): Float32Array {
    return Float32Array.from(this.initial);
  }

  /**
   * The weights' global L2 norm, and the last update's size relative to it (||theta - theta_before|| /
   * ||theta||, theta_before being the weights before the last update, which `lastGood` holds): two
   * passes over the parameters, so the loop asks only on the steps it logs.
   */
  weightDynamics(): { weightNorm: number; updateRatio: number } {
    const weightNorm = Math.sqrt(sumSquares(this.core, this.store.params, this.nParams));
    const update = Math.sqrt(sumSqDiff(this.core, this.store.params, this.lastGood, this.nParams));
    return { weightNorm, updateRatio: weightNorm > 0 ? update / weightNorm : 0 };
  }

  /** Roll the parameters back to the last weights that passed, and say so. */
  private diverge(step: number, why: string): never {
    copy(this.core, this.store.params, this.lastGood, this.nParams);
    this.weightsStep = this.lastGoodStep;
    const back = this.lastGoodStep ? `the weights after step ${this.lastGoodStep}` : 'the initial weights';
    throw new DivergedError(`training diverged at step ${step}: ${why}; rolled back to ${back}, the last to give a finite loss and gradient`);
  }

  /**
   * One optimisation step. Throws DivergedError on a non-finite loss, gradient or update, with the
   * parameters rolled back to the last weights that gave a finite loss and gradient.
   */
  trainStep(lrOverride?: number): StepResult {
    const { core, config: c } = this;
    const trainLoss = this.batchGradient();
    const at = this.step + 1;
    if (!Number.isFinite(trainLoss)) this.diverge(at, `the loss is ${trainLoss}`);
    if (c.l1 > 0) addL1Gradient(this.params(), core.f32(this.store.grads, this.nParams), c.l1);
    if (hasNonFinite(core, this.store.grads, this.nParams)) this.diverge(at, 'a gradient is not finite');
    // These weights passed: they are what a later divergence rolls back to.
    copy(core, this.lastGood, this.store.params, this.nParams);
    this.lastGoodStep = this.weightsStep;
    // The learning-rate range test sets the rate of each step itself; a run follows its schedule.
    const lr = lrOverride ?? learningRate(c.lr, this.step, c.steps, c.schedule);
    const gradNorm = this.optimizer.step(lr);
    if (hasNonFinite(core, this.store.params, this.nParams)) this.diverge(at, `the update made a weight non-finite (learning rate ${lr} too high?)`);
    this.step = at;
    this.weightsStep = at;
    return { step: at, trainLoss, lr, gradNorm };
  }

  /**
   * Mean loss over the validation segments, in the training loss's own space; tracks the best weights.
   * Also the common yardstick (every loss space, SI-SDR, SNR) of the same reconstructions, so a run
   * can be watched in another space than the one it trains in.
   * A non-finite validation loss is a divergence too (DivergedError, parameters rolled back).
   */
  validate(timings?: { ownMs: number; yardstickMs: number }): { valLoss: number; improved: boolean; valMetrics: Yardstick | null } {
    const { core, valGraph, config: c } = this;
    const t0 = performance.now();
    let total = 0;
    const x = core.f32(valGraph.input.ptr, c.segment);
    this.valSegments.forEach((seg, i) => {
      x.set(seg);
      valGraph.forward();
      total += this.valLoss.compute(valGraph.output.ptr, valGraph.input.ptr, 0);
      this.valOutputs[i].set(outputAudio(core, this.preset, valGraph.output, c.segment));
    });
    const valLoss = total / this.valSegments.length;
    if (!Number.isFinite(valLoss)) this.diverge(this.step, `the validation loss is ${valLoss}`);
    const t1 = performance.now();
    const valMetrics = yardstick(core, this.valSegments, this.valOutputs, c.segment);
    if (timings) {
      timings.ownMs = t1 - t0;
      timings.yardstickMs = performance.now() - t1;
    }
    const improved = valLoss < this.bestValLoss;
    if (improved) {
      this.bestValLoss = valLoss;
      this.bestStep = this.weightsStep;
      this.sinceBest = 0;
      copy(core, this.best, this.store.params, this.nParams);
    } else {
      this.sinceBest++;
    }
    return { valLoss, improved, valMetrics };
  }

  /** Multiply-adds of one forward pass of the whole training batch. */
  forwardMacs(): number {
    return (this.local.forwardMacs() / this.local.B) * this.config.batch;
  }

  /**
   * Where a step's time goes: median milliseconds of each phase over `steps` real steps (which do
   * update the weights, as training would). With several threads, `exchange` is the wait for the
   * other shares and the sum of the gradients.
   */
  profileStep(steps: number): { zeroGrads: number; forward: number; loss: number; backward: number; exchange: number; optimizer: number } {
    const { config: c } = this;
    const cols: number[][] = [[], [], [], [], [], []];
    for (let i = 0; i < steps; i++) {
      const t: number[] = [];
      this.batchGradient(t);
      const t0 = performance.now();
      this.optimizer.step(learningRate(c.lr, this.step, c.steps, c.schedule));
      this.weightsStep = ++this.step;
      const row = [t[0], t[1], t[2], t[3], t[4] ?? 0, performance.now() - t0];
      row.forEach((v, k) => cols[k].push(v));
    }
    const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const [zeroGrads, forward, loss, backward, exchange, optimizer] = cols.map(med);
    return { zeroGrads, forward, loss, backward, exchange, optimizer };
  }

  /** Early stopping: patience validations without improvement. */
  shouldStopEarly(): boolean {
    return this.config.patience > 0 && this.sinceBest >= this.config.patience;
  }
}
