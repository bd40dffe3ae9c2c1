// Reference twin of src/kernels/assembly/conv.ts: the textbook loops in float64, written straight from
// the PyTorch definitions (Conv1d, ConvTranspose1d) so tests can check the WASM kernels against them.
// Used only by tests, never by the engine. The backward passes are the adjoints of these exact loops
// (each forward multiply-add x*w -> y becomes dy*w -> dx and dy*x -> dw), checked against finite
// differences in tests/kernels/conv.test.ts.

import type { ConvShape } from '../../../src/kernels/conv.js';

export type { ConvShape };

export interface ConvGrads {
  dx: Float64Array;
  dw: Float64Array;
  db: Float64Array;
}

/** floor((Tin + 2p - K) / s) + 1 */
export function conv1dOutLengthRef(Tin: number, K: number, stride: number, pad: number): number {
  return Math.floor((Tin + 2 * pad - K) / stride) + 1;
}

/** (Tin - 1) * s - 2p + K */
export function convTranspose1dOutLengthRef(Tin: number, K: number, stride: number, pad: number): number {
  return (Tin - 1) * stride - 2 * pad + K;
}

// x: [B, Cin, Tin], w: [Cout, Cin, K], b: [Cout] or null -> y: [B, Cout, Tout]
export function conv1dRef(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, sh: ConvShape): Float64Array {
  const { B, Cin, Cout, Tin, K, stride, pad } = sh;
  const Tout = conv1dOutLengthRef(Tin, K, stride, pad);
  const y = new Float64Array(B * Cout * Tout);
  for (let n = 0; n < B; n++)
    for (let co = 0; co < Cout; co++)
      for (let t = 0; t < Tout; t++) {
        let sum = b ? b[co] : 0;
        for (let ci = 0; ci < Cin; ci++)
          for (let k = 0; k < K; k++) {
            const i = t * stride + k - pad;
            if (i >= 0 && i < Tin) sum += w[(co * Cin + ci) * K + k] * x[(n * Cin + ci) * Tin + i];
          }
        y[(n * Cout + co) * Tout + t] = sum;
      }
  return y;
}

// x: [B, Cin, Tin], w: [Cout, Cin, K], dy: [B, Cout, Tout] -> dx: [B, Cin, Tin], dw: [Cout, Cin, K], db: [Cout]
export function conv1dBackwardRef(x: ArrayLike<number>, w: ArrayLike<number>, dy: ArrayLike<number>, sh: ConvShape): ConvGrads {
  const { B, Cin, Cout, Tin, K, stride, pad } = sh;
  const Tout = conv1dOutLengthRef(Tin, K, stride, pad);
  const dx = new Float64Array(B * Cin * Tin);
  const dw = new Float64Array(Cout * Cin * K);
  const db = new Float64Array(Cout);
  for (let n = 0; n < B; n++)
    for (let co = 0; co < Cout; co++)
      for (let t = 0; t < Tout; t++) {
        const g = dy[(n * Cout + co) * Tout + t];
        db[co] += g;
        for (let ci = 0; ci < Cin; ci++)
          for (let k = 0; k < K; k++) {
            const i = t * stride + k - pad;
            if (i < 0 || i >= Tin) continue;
            dx[(n * Cin + ci) * Tin + i] += g * w[(co * Cin + ci) * K + k];
            dw[(co * Cin + ci) * K + k] += g * x[(n * Cin + ci) * Tin + i];
          }
      }
  return { dx, dw, db };
}

// x: [B, Cin, Tin], w: [Cin, Cout, K], b: [Cout] or null -> y: [B, Cout, (Tin-1)*s - 2p + K]
// Each input sample t scatters w[ci, co, k] * x into output u = t*s + k - p (dropped outside [0, Tout)).
export function convTranspose1dRef(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, sh: ConvShape): Float64Array {
  const { B, Cin, Cout, Tin, K, stride, pad } = sh;
  const Tout = convTranspose1dOutLengthRef(Tin, K, stride, pad);
  const y = new Float64Array(B * Cout * Tout);
  for (let n = 0; n < B; n++) {
    for (let co = 0; co < Cout; co++)
      for (let u = 0; u < Tout; u++) y[(n * Cout + co) * Tout + u] = b ? b[co] : 0;
    for (let ci = 0; ci < Cin; ci++)
      for (let t = 0; t < Tin; t++) {
        const v = x[(n * Cin + ci) * Tin + t];
        for (let co = 0; co < Cout; co++)
          for (let k = 0; k < K; k++) {
            const u = t * stride + k - pad;
            if (u >= 0 && u < Tout) y[(n * Cout + co) * Tout + u] += w[(ci * Cout + co) * K + k] * v;
          }
      }
  }
  return y;
}

// x: [B, Cin, Tin], w: [Cin, Cout, K], dy: [B, Cout, Tout] -> dx: [B, Cin, Tin], dw: [Cin, Cout, K], db: [Cout]
export function convTranspose1dBackwardRef(x: ArrayLike<number>, w: ArrayLike<number>, dy: ArrayLike<number>, sh: ConvShape): ConvGrads {
  const { B, Cin, Cout, Tin, K, stride, pad } = sh;
  const Tout = convTranspose1dOutLengthRef(Tin, K, stride, pad);
  const dx = new Float64Array(B * Cin * Tin);
  const dw = new Float64Array(Cin * Cout * K);
  const db = new Float64Array(Cout);
  for (let n = 0; n < B; n++) {
    for (let co = 0; co < Cout; co++)
      for (let u = 0; u < Tout; u++) db[co] += dy[(n * Cout + co) * Tout + u];
    for (let ci = 0; ci < Cin; ci++)
      for (let t = 0; t < Tin; t++) {
        const v = x[(n * Cin + ci) * Tin + t];
        let g = 0;
        for (let co = 0; co < Cout; co++)
          for (let k = 0; k < K; k++) {
            const u = t * stride + k - pad;
            if (u < 0 || u >= Tout) continue;
            const d = dy[(n * Cout + co) * Tout + u];
            g += w[(ci * Cout + co) * K + k] * d;
            dw[(ci * Cout + co) * K + k] += v * d;
          }
        dx[(n * Cin + ci) * Tin + t] += g;
      }
  }
  return { dx, dw, db };
}
