// Typed API over the convolution kernels of the WASM core (src/kernels/assembly/conv.ts).
// Tensors are byte offsets into the core's memory (from core.allocF32), laid out [batch, channels, time].
// Every call is allocation-free: it only forwards integers to the module. Gradients accumulate (+=);
// the caller zeroes them once per step, or asks for dx to be overwritten (dxOverwrite). A null gradient pointer skips that gradient (e.g. dx of the
// first layer, whose input is the audio itself).
import type { KernelCore } from './core.js';

/** Shape of one conv1d / convTranspose1d layer applied to a batch. */
export interface ConvShape {
  /** Batch size. */
  B: number;
  Cin: number;
  Cout: number;
  /** Input length (time steps). */
  Tin: number;
  /** Kernel size. */
  K: number;
  stride: number;
  /** Zero padding on each side (PyTorch `padding`). */
  pad: number;
}

export interface ConvForwardArgs extends ConvShape {
  /** [B, Cin, Tin] */
  x: number;
  /** conv1d: [Cout, Cin, K]; convTranspose1d: [Cin, Cout, K] (the PyTorch layouts). */
  w: number;
  /** [Cout], or null for no bias. */
  b: number | null;
  /** [B, Cout, Tout], overwritten. */
  y: number;
  /**
   * x holds an ELU's input z, and the layer is applied to ELU(z) (the ELU computed while the input is
   * packed, bit for bit eluForward's): one pass over the activation fewer.
   */
  inputElu?: boolean;
  /** With inputElu: where ELU(z) is written too ([B, Cin, Tin]; may be x itself), or null when nothing needs it. */
  eluOut?: number | null;
}

export interface ConvBackwardArgs extends ConvShape {
  /** The forward's input [B, Cin, Tin]; only read when dw is wanted. */
  x: number;
  /** The forward's weight; only read when dx is wanted. */
  w: number;
  /** [B, Cout, Tout] */
  dy: number;
  /** [B, Cin, Tin] +=, or null to skip. */
  dx: number | null;
  /** Write dx instead of adding into it (its old contents are neither read nor kept): for a buffer whose first gradient this is. */
  dxOverwrite?: boolean;
  /** Same layout as w, +=, or null to skip. */
  dw: number | null;
  /** [Cout] +=, or null to skip. */
  db: number | null;
}

/** PyTorch Conv1d output length: floor((Tin + 2 pad - K) / stride) + 1. */
export function conv1dOutLength(Tin: number, K: number, stride: number, pad: number): number {
  return Math.floor((Tin + 2 * pad - K) / stride) + 1;
}

/** PyTorch ConvTranspose1d output length (no output_padding): (Tin - 1) stride - 2 pad + K. */
export function convTranspose1dOutLength(Tin: number, K: number, stride: number, pad: number): number {
  return (Tin - 1) * stride - 2 * pad + K;
}

function isCount(v: number): boolean {
  return Number.isInteger(v) && v >= 1;
}

// Shapes reach the module as i32 with no checks inside it, so a bad one is caught here instead of
// turning into an out-of-bounds read.
function checkShape(s: ConvShape, Tout: number): void {
  if (!(isCount(s.B) && isCount(s.Cin) && isCount(s.Cout) && isCount(s.Tin) && isCount(s.K) && isCount(s.stride))
    || !(Number.isInteger(s.pad) && s.pad >= 0)) {
    throw new RangeError(`conv: invalid shape ${JSON.stringify(s)}`);
  }
  if (Tout < 1) throw new RangeError(`conv: shape ${JSON.stringify(s)} gives an empty output`);
}

/** y = conv1d(x, w) + b. */
export function conv1dForward(core: KernelCore, a: ConvForwardArgs): void {
  checkShape(a, conv1dOutLength(a.Tin, a.K, a.stride, a.pad));
  core.exports.conv1d(a.x, a.w, a.b ?? 0, a.y, a.B, a.Cin, a.Cout, a.Tin, a.K, a.stride, a.pad, a.inputElu ?? false, a.inputElu ? a.eluOut ?? 0 : 0);
}

/** dx += dL/dx, dw += dL/dw, db += dL/db of conv1d, given dy = dL/dy. */
export function conv1dBackward(core: KernelCore, a: ConvBackwardArgs): void {
  checkShape(a, conv1dOutLength(a.Tin, a.K, a.stride, a.pad));
  core.exports.conv1dBackward(a.x, a.w, a.dy, a.dx ?? 0, a.dw ?? 0, a.db ?? 0,
    a.B, a.Cin, a.Cout, a.Tin, a.K, a.stride, a.pad, a.dxOverwrite ?? false);
}

/** y = convTranspose1d(x, w) + b. */
export function convTranspose1dForward(core: KernelCore, a: ConvForwardArgs): void {
  checkShape(a, convTranspose1dOutLength(a.Tin, a.K, a.stride, a.pad));
  core.exports.convTranspose1d(a.x, a.w, a.b ?? 0, a.y, a.B, a.Cin, a.Cout, a.Tin, a.K, a.stride, a.pad, a.inputElu ?? false, a.inputElu ? a.eluOut ?? 0 : 0);
}

/** dx += dL/dx, dw += dL/dw, db += dL/db of convTranspose1d, given dy = dL/dy. */
export function convTranspose1dBackward(core: KernelCore, a: ConvBackwardArgs): void {
  checkShape(a, convTranspose1dOutLength(a.Tin, a.K, a.stride, a.pad));
  core.exports.convTranspose1dBackward(a.x, a.w, a.dy, a.dx ?? 0, a.dw ?? 0, a.db ?? 0,
    a.B, a.Cin, a.Cout, a.Tin, a.K, a.stride, a.pad, a.dxOverwrite ?? false);
}

/**
 * Reserve the packing scratch every listed layer needs (forward and backward), so that no kernel call
 * grows WASM memory later: call once after building a model, before taking Float32Array views.
 */
export function reserveConvScratch(core: KernelCore, layers: Array<ConvShape & { transposed?: boolean }>): void {
  let bytes = 0;
  for (const l of layers) {
    const fn = l.transposed ? core.exports.convTranspose1dScratchBytes : core.exports.conv1dScratchBytes;
    bytes = Math.max(bytes, fn(l.Cin, l.Cout, l.Tin, l.K, l.stride, l.pad) >>> 0);
  }
  core.exports.convReserveScratch(bytes);
}
