// The codec on the kernel core: parameters, their gradients and every activation are flat float32
// buffers in WASM memory, allocated once when a graph is built. Each layer is a forward and a
// backward over those buffers, side by side; gradients accumulate with +=.
//
// Memory: a training graph keeps every activation some backward needs, but an activation's gradient
// lives only while backward uses it, so gradients share a pool of buffers planned by liveness
// (src/nn/grad-plan.ts) and are zeroed only just before their first accumulation, or not at all
// where that first accumulation is a convolution's or activation's dx, which then writes. ELU and tanh
// overwrite their input where nothing else needs it (their backward reads only their output, and a
// convolution's backward reads its input, not its output).
import type { KernelCore } from '../kernels/core.js';
import {
  conv1dBackward, conv1dForward, conv1dOutLength, convTranspose1dBackward, convTranspose1dForward,
  convTranspose1dOutLength, reserveConvScratch, type ConvBackwardArgs, type ConvForwardArgs, type ConvShape,
} from '../kernels/conv.js';
import { addForward, addInPlace, eluBackward, eluForward, tanhBackward, tanhForward, zero } from '../kernels/ops.js';
import { dropoutBackward, dropoutForward, dropoutKey } from '../kernels/dropout.js';
import { countParams, paramShapes, type LayerSpec, type Preset } from './presets.js';
import { GradPlanner, takeFree, type FirstWrite, type GradPlan, type GradSlot, type PassThrough } from './grad-plan.js';
import { Random } from '../util/random.js';

/**
 * A [B, C, T] activation: its values and, when training, its gradient (0 when none). Inner
 * activations' gradients share buffers (see the top of this file): only the graph's output, latent
 * and pre-quantization latent hold their gradient from before backward (the output's) to its end.
 */
export interface Tensor {
  B: number;
  C: number;
  T: number;
  ptr: number;
  grad: number;
}

const size = (t: Tensor) => t.B * t.C * t.T;

/** One step of the graph: forward and backward side by side. */
interface Op {
  forward(): void;
  backward(): void;
}

/** The parameters of a preset, laid out flat: encoder first, then decoder. */
export interface ParamLayout {
  /** Per convolution, in order: [name, offset of weight, weight size, offset of bias, bias size, fan-in]. */
  entries: { name: string; w: number; wSize: number; b: number; bSize: number; fanIn: number; shape: number[] }[];
  total: number;
  encoderSize: number;
}

export function paramLayout(preset: Preset): ParamLayout {
  const entries: ParamLayout['entries'] = [];
  let off = 0;
  const add = (specs: LayerSpec[], prefix: string) =>
    specs.forEach((spec, i) => {
      const shapes = paramShapes(spec);
      for (let j = 0; j < shapes.length; j += 2) {
        const [wShape, bShape] = [shapes[j], shapes[j + 1]];
        const wSize = wShape.reduce((a, b) => a * b, 1);
        // PyTorch's fan-in: weight.size(1) * kernel size, for Conv1d [Cout, Cin, K] and ConvTranspose1d [Cin, Cout, K] alike.
        const fanIn = wShape[1] * wShape[2];
        const sub = spec.kind === 'res' ? (j === 0 ? '.conv3' : '.conv1') : '';
        entries.push({ name: `${prefix}.${i}${sub}`, w: off, wSize, b: off + wSize, bSize: bShape[0], fanIn, shape: wShape });
        off += wSize + bShape[0];
      }
    });
  add(preset.encoder, 'encoder');
  const encoderSize = off;
  add(preset.decoder, 'decoder');
  if (encoderSize !== countParams(preset.encoder) || off !== encoderSize + countParams(preset.decoder)) {
    throw new Error('parameter layout disagrees with the preset');
  }
  return { entries, total: off, encoderSize };
}

/**
 * PyTorch's default initialisation of Conv1d / ConvTranspose1d (kaiming_uniform with a = sqrt(5)):
 * weights and biases uniform in +-1/sqrt(fan_in). Same seed, same weights.
 */
export function initParams(layout: ParamLayout, params: Float32Array, seed: number): void {
  const rng = new Random(seed);
  for (const e of layout.entries) {
    const bound = 1 / Math.sqrt(e.fanIn);
    for (let i = 0; i < e.wSize; i++) params[e.w + i] = rng.uniform(-bound, bound);
    for (let i = 0; i < e.bSize; i++) params[e.b + i] = rng.uniform(-bound, bound);
  }
}

/** The straight-through uniform quantizer: q = 2 round((z + 1)/2 n)/n - 1 with n = 2^bits - 1. */
export function quantize(z: Float32Array, q: Float32Array, bits: number): void {
  const n = 2 ** bits - 1;
  for (let i = 0; i < z.length; i++) q[i] = (2 * Math.round(((z[i] + 1) / 2) * n)) / n - 1;
}

/** Codes (integers 0 .. 2^bits - 1) of quantized values, and back. */
export function toCodes(q: Float32Array, bits: number, out: Uint8Array): void {
  const n = 2 ** bits - 1;
  for (let i = 0; i < q.length; i++) out[i] = Math.round(((q[i] + 1) / 2) * n);
}

export function fromCodes(codes: Uint8Array, bits: number, out: Float32Array): void {
  const n = 2 ** bits - 1;
  for (let i = 0; i < codes.length; i++) out[i] = (2 * codes[i]) / n - 1;
}

/** Where a graph's parameters live: shared by every graph built on them (training and inference). */
export interface ParamStore {
  core: KernelCore;
  layout: ParamLayout;
  params: number;
  /** Gradient buffer of the same layout (0 when only inference is needed). */
  grads: number;
}

export function allocParams(core: KernelCore, layout: ParamLayout, withGrads: boolean): ParamStore {
  return { core, layout, params: core.allocF32(layout.total), grads: withGrads ? core.allocF32(layout.total) : 0 };
}

export interface GraphOptions {
  B: number;
  T: number;
  /** Build backward buffers and ops. */
  training: boolean;
  /** Which halves to build: the whole codec, or just the encoder or the decoder (inference). */
  part?: 'codec' | 'encoder' | 'decoder';
  /**
   * Training only: inverted dropout with probability `p` after every ELU (the hidden activations of
   * every stage, inside the residual branches too), a fresh mask each step (setStep) from `seed`.
   * `batchOffset`: the first example of this graph's share of the batch, so a batch split between
   * threads drops what one thread would.
   */
  dropout?: { p: number; seed: number; batchOffset: number };
}

/**
 * A preset unrolled into ops over buffers for one batch shape. Build once, run forward/backward
 * every step; nothing is allocated after construction.
 */
export class CodecGraph {
  readonly input: Tensor;
  /** The quantized latent [B, latent, T/hop] (output of the encoder, input of the decoder). */
  readonly latent: Tensor;
  /** Setup A: the audio [B, 1, T]. Setup B: the predicted spectrogram [B, bins, T/256] (src/nn/spectrogram-output.ts). */
  readonly output: Tensor;
  /** Latent before the quantizer (tanh output), kept for the codes and the straight-through gradient. */
  readonly preQuant: Tensor;
  private readonly ops: Op[] = [];
  /** Ops are made once the gradient buffers are planned (their backward needs the pointers). */
  private readonly makeOps: (() => Op)[] = [];
  private readonly planner = new GradPlanner();
  private readonly gradSlots = new Map<Tensor, GradSlot>();
  private gradPlan: GradPlan | null = null;
  /** Activations no op may overwrite in place: the graph's own, and outputs their producer's backward reads. */
  private readonly keepValues = new Set<Tensor>();
  /** Activations an op has overwritten in place: no later forward may read them. */
  private readonly overwritten = new Set<Tensor>();
  /** Buffers of activations nothing reads any more, forward or backward: later activations may take them. */
  private readonly freeBuffers: { ptr: number; floats: number }[] = [];
  private readonly convShapes: (ConvShape & { transposed?: boolean })[] = [];
  private paramIndex = 0;
  /** How many forward ops read each activation. */
  private readonly readCounts = new Map<Tensor, number>();
  /** The last ELU added, which the convolution right after it may take over (see the 'conv' case). */
  private lastElu: { step: number; z: Tensor; y: Tensor; fused: boolean } | null = null;
  private dropoutLayers = 0;
  /** The training step whose dropout masks the next forward and backward use. */
  private dropoutStep = 0;

  constructor(
    readonly store: ParamStore,
    readonly preset: Preset,
    readonly opts: GraphOptions,
  ) {
    const part = opts.part ?? 'codec';
    const { B, T } = opts;
    if (T % preset.hop !== 0) throw new Error(`segment length ${T} must be a multiple of the hop (${preset.hop})`);
    // Setup B's decoder turns every 4 latent frames into one spectrogram frame.
    const frameHop = preset.spectrogram?.hop ?? preset.hop;
    if (T % frameHop !== 0) throw new Error(`segment length ${T} must be a multiple of the spectrogram hop (${frameHop}) in Setup B`);
    const { core } = store;
    const encoderEntries = paramLayoutCount(preset.encoder);
    if (part === 'decoder') this.paramIndex = encoderEntries;

    let x: Tensor;
    if (part === 'decoder') {
      x = this.tensor(B, preset.latent, T / preset.hop, false);
      this.input = x;
      this.keepValues.add(x);
      this.preQuant = x;
      this.latent = x;
    } else {
      x = this.tensor(B, 1, T, false);
      this.input = x;
      this.keepValues.add(x);
      let preQuant = x;
      for (const spec of preset.encoder) {
        if (spec.kind === 'quant') {
          preQuant = x;
          this.keepValues.add(x);
        }
        x = this.layer(spec, x);
      }
      this.preQuant = preQuant;
      this.latent = x;
    }
    this.keepValues.add(this.latent);
    if (part !== 'encoder') {
      this.paramIndex = encoderEntries;
      for (const spec of preset.decoder) x = this.layer(spec, x);
    }
    this.output = x;
    if (opts.training) this.planGradients();
    for (const make of this.makeOps) this.ops.push(make());
    reserveConvScratch(core, this.convShapes);
  }

  private tensor(B: number, C: number, T: number, grad: boolean): Tensor {
    return this.withGrad({ B, C, T, ptr: this.buffer(B * C * T), grad: 0 }, grad);
  }

  /** The smallest free buffer that holds `floats`, else a new one. */
  private buffer(floats: number): number {
    return takeFree(this.freeBuffers, floats)?.ptr ?? this.store.core.allocF32(floats);
  }

  /** `x` is read by no later op, forward or backward: its buffer goes to the next activation that fits. */
  private release(x: Tensor): void {
    if (this.keepValues.has(x)) return;
    this.overwritten.add(x);
    this.freeBuffers.push({ ptr: x.ptr, floats: size(x) });
  }

  /** `t`, given a planned gradient when training and `grad`. */
  private withGrad(t: Tensor, grad: boolean): Tensor {
    if (grad && this.opts.training) this.gradSlots.set(t, this.planner.slot(size(t)));
    return t;
  }

  /** A new activation of x's shape that overwrites x in place when nothing else needs x's values (`shared`: another op reads x later). */
  private overwriting(x: Tensor, shared: boolean): Tensor {
    if (shared || this.keepValues.has(x)) return this.tensor(x.B, x.C, x.T, true);
    this.overwritten.add(x);
    return this.withGrad({ B: x.B, C: x.C, T: x.T, ptr: x.ptr, grad: 0 }, true);
  }

  /** Check that a forward op may read `x` (no op before it overwrote it), and count the read. */
  private reads(...xs: Tensor[]): void {
    for (const x of xs) {
      if (this.overwritten.has(x)) throw new Error('graph construction: an activation is read after an op overwrote it in place');
      this.readCounts.set(x, (this.readCounts.get(x) ?? 0) + 1);
    }
  }

  /**
   * The ELU whose output `x` is, when it is the op just added: the convolution about to read x can
   * apply that ELU itself while packing its input (ConvForwardArgs.inputElu), and the ELU op then does
   * nothing. Not after a dropout (its output is another tensor).
   */
  private takeOverElu(x: Tensor): { z: Tensor; y: Tensor; fused: boolean } | null {
    const elu = this.lastElu;
    if (!elu || elu.y !== x || elu.step !== this.nextStep - 1) return null;
    elu.fused = true;
    return elu;
  }

  /** Whether an activation's values must be written: a training graph's backward reads it, or more than one op or the caller does. */
  private valuesNeeded(t: Tensor): boolean {
    return this.opts.training || (this.readCounts.get(t) ?? 0) > 1 || this.keepValues.has(t) || t === this.output;
  }

  /** The index the next op gets (ops are numbered in forward order). */
  private get nextStep(): number {
    return this.makeOps.length;
  }

  /** Decide the gradient buffers once every op has said what its backward reads and writes. */
  private planGradients(): void {
    const slot = (t: Tensor) => this.gradSlots.get(t);
    const output = slot(this.output);
    if (output) this.planner.writtenByCaller(output);
    for (const t of [this.latent, this.preQuant]) {
      const s = slot(t);
      if (s) this.planner.keep(s);
    }
    this.gradPlan = this.planner.plan(this.store.core, this.makeOps.length);
    for (const [t, s] of this.gradSlots) t.grad = s.ptr;
  }

  /**
   * Record that the backward of the op being added reads dy (y's gradient) and adds into dx (x's, when
   * it has one); `canWrite`: its kernel can write dx instead, which the returned FirstWrite says it should.
   */
  private gradFlow(x: Tensor, y: Tensor, canWrite = false): FirstWrite {
    const [dx, dy] = [this.gradSlots.get(x), this.gradSlots.get(y)];
    if (dy) this.planner.read(this.nextStep, dy);
    if (dx && canWrite) return this.planner.accumulateOrWrite(this.nextStep, dx);
    if (dx) this.planner.accumulate(this.nextStep, dx);
    return { overwrite: false };
  }

  private nextParams(): { w: number; b: number; dw: number; db: number } {
    const e = this.store.layout.entries[this.paramIndex++];
    const { params, grads } = this.store;
    return { w: params + 4 * e.w, b: params + 4 * e.b, dw: grads ? grads + 4 * e.w : 0, db: grads ? grads + 4 * e.b : 0 };
  }

  /** `x.grad += y.grad` in the backward of the op being added (none when x has no gradient). */
  private passThrough(y: Tensor, x: Tensor): PassThrough[] {
    const [dx, dy] = [this.gradSlots.get(x), this.gradSlots.get(y)];
    return dx && dy ? [this.planner.passThrough(this.nextStep, dy, dx)] : [];
  }

  /** Append the ops of one layer spec reading `x` (`shared`: a later op reads x too); returns its output tensor. */
  private layer(spec: LayerSpec, x: Tensor, shared = false): Tensor {
    const { core } = this.store;
    switch (spec.kind) {
      case 'conv':
      case 'convT': {
        const transposed = spec.kind === 'convT';
        const Tout = transposed ? convTranspose1dOutLength(x.T, spec.k, spec.stride, spec.pad) : conv1dOutLength(x.T, spec.k, spec.stride, spec.pad);
        this.reads(x);
        const elu = this.takeOverElu(x);
        const y = this.tensor(x.B, spec.cout, Tout, true);
        const p = this.nextParams();
        const shape: ConvShape = { B: x.B, Cin: spec.cin, Cout: spec.cout, Tin: x.T, K: spec.k, stride: spec.stride, pad: spec.pad };
        this.convShapes.push({ ...shape, transposed });
        const dxWrite = this.gradFlow(x, y, true);
        this.makeOps.push(() => {
          // Through the ELU before it: read its input, and write its output only where something needs it.
          const fwd: ConvForwardArgs = elu
            ? { ...shape, x: elu.z.ptr, inputElu: true, eluOut: this.valuesNeeded(elu.y) ? elu.y.ptr : null, w: p.w, b: p.b, y: y.ptr }
            : { ...shape, x: x.ptr, w: p.w, b: p.b, y: y.ptr };
          const bwd: ConvBackwardArgs = {
            ...shape, x: x.ptr, w: p.w, dy: y.grad, dx: x.grad || null, dxOverwrite: dxWrite.overwrite, dw: p.dw, db: p.db,
          };
          return transposed
            ? { forward: () => convTranspose1dForward(core, fwd), backward: () => convTranspose1dBackward(core, bwd) }
            : { forward: () => conv1dForward(core, fwd), backward: () => conv1dBackward(core, bwd) };
        });
        return y;
      }
      case 'elu':
      case 'tanh': {
        this.reads(x);
        // Both derivatives are functions of the output (ELU' = 1 if y > 0 else y + 1; tanh' = 1 - y^2),
        // so the input may go; the output must stay for the backward.
        const y = this.overwriting(x, shared);
        if (this.opts.training) this.keepValues.add(y);
        const n = size(x);
        const [f, b] = spec.kind === 'elu' ? [eluForward, eluBackward] : [tanhForward, tanhBackward];
        const dxWrite = this.gradFlow(x, y, true);
        const elu = spec.kind === 'elu' ? { step: this.nextStep, z: x, y, fused: false } : null;
        this.lastElu = elu;
        this.makeOps.push(() => ({
          // An ELU a convolution took over (takeOverElu) runs inside that convolution's forward.
          forward: () => { if (!elu?.fused) f(core, x.ptr, y.ptr, n); },
          backward: () => { if (x.grad) b(core, y.ptr, y.grad, x.grad, n, dxWrite.overwrite); },
        }));
        return elu ? this.dropout(y) : y;
      }
      case 'res': {
        // y = x + conv1(elu(conv3(elu(x)))): the branch as ordinary layers, then the skip (which
        // reads x again, so the branch's first ELU may not overwrite it).
        let h = this.layer({ kind: 'elu' }, x, true);
        h = this.layer({ kind: 'conv', cin: spec.c, cout: spec.c, k: 3, stride: 1, pad: 1 }, h);
        h = this.layer({ kind: 'elu' }, h);
        h = this.layer({ kind: 'conv', cin: spec.c, cout: spec.c, k: 1, stride: 1, pad: 0 }, h);
        const branch = h;
        this.reads(x, branch);
        // The sum takes the branch's place, and x's buffer is free after it: no backward reads either
        // (their producers are convolutions, whose backward needs their input, and the join's needs neither).
        const y = this.overwriting(branch, false);
        const n = size(x);
        // Both inputs' gradients are y's: usually the same buffer, so the backward does nothing.
        const passes = [branch, x].flatMap((t) => this.passThrough(y, t));
        this.makeOps.push(() => ({
          forward: () => addForward(core, x.ptr, branch.ptr, y.ptr, n),
          backward: () => { for (const p of passes) if (!p.aliased) addInPlace(core, p.to.ptr, p.from.ptr, n); },
        }));
        this.release(x);
        return y;
      }
      case 'quant': {
        this.reads(x);
        const y = this.tensor(x.B, x.C, x.T, true);
        const n = size(x);
        const bits = spec.bits;
        // Straight-through: dq/dz taken as 1, so z's gradient is q's (usually the same buffer).
        const passes = this.passThrough(y, x);
        this.makeOps.push(() => ({
          forward: () => quantize(core.f32(x.ptr, n), core.f32(y.ptr, n), bits),
          backward: () => { for (const p of passes) if (!p.aliased) addInPlace(core, p.to.ptr, p.from.ptr, n); },
        }));
        return y;
      }
    }
  }

  /**
   * Inverted dropout of `x` (training graphs with dropout only; otherwise `x` itself). A separate
   * output, so the ELU before it keeps its own output for its backward.
   */
  private dropout(x: Tensor): Tensor {
    const d = this.opts.dropout;
    if (!this.opts.training || !d || d.p === 0) return x;
    const { core } = this.store;
    this.reads(x);
    const y = this.tensor(x.B, x.C, x.T, true);
    const n = size(x);
    const layer = this.dropoutLayers++;
    const mask = () => ({ key: dropoutKey(d.seed, this.dropoutStep, layer), base: d.batchOffset * x.C * x.T, p: d.p });
    this.gradFlow(x, y);
    this.makeOps.push(() => ({
      forward: () => dropoutForward(core, x.ptr, y.ptr, n, mask()),
      backward: () => dropoutBackward(core, y.grad, x.grad, n, mask()),
    }));
    return y;
  }

  /** Use the dropout masks of training step `step` (counted from 1) from now on. */
  setStep(step: number): void {
    this.dropoutStep = step;
  }

  forward(): void {
    for (const op of this.ops) op.forward();
  }

  /**
   * Zero the activation gradients the caller writes before backward (output.grad, which the loss
   * adds into). The inner ones need nothing: backward zeroes each where it first accumulates.
   * Parameter gradients are the optimizer's to zero.
   */
  zeroActivationGrads(): void {
    for (const r of this.gradPlan?.callerWritten ?? []) zero(this.store.core, r.ptr, r.floats);
  }

  /** Backpropagate from output.grad, which the loss has filled; parameter gradients accumulate. */
  backward(): void {
    const zeroBefore = this.gradPlan?.zeroBefore;
    for (let i = this.ops.length - 1; i >= 0; i--) {
      if (zeroBefore) for (const r of zeroBefore[i]) zero(this.store.core, r.ptr, r.floats);
      this.ops[i].backward();
    }
  }

  /** Floats allocated for activation gradients (all of them share this pool). */
  gradientFloats(): number {
    return this.gradPlan?.floats ?? 0;
  }

  /** Multiply-adds of one forward pass, for FLOP/s figures. */
  forwardMacs(): number {
    return this.convShapes.reduce((sum, s) => {
      const Tout = s.transposed ? s.Tin : conv1dOutLength(s.Tin, s.K, s.stride, s.pad);
      return sum + s.B * s.Cout * s.Cin * s.K * (s.transposed ? s.Tin : Tout);
    }, 0);
  }
}

/** How many (weight, bias) entries a list of specs holds. */
function paramLayoutCount(specs: readonly LayerSpec[]): number {
  return specs.reduce((n, s) => n + paramShapes(s).length / 2, 0);
}
