// Plain TypeScript twins of the elementwise kernels and reductions (src/kernels/assembly/ops.ts),
// in float64 with Math.exp / Math.tanh. Used only by tests: each WASM kernel is held against these,
// and each backward here against finite differences of the forward.
// x, y, dy, dx: flat [n] arrays; backward functions accumulate into dx, as the kernels do.

type Num = ArrayLike<number>;
type Out = { [i: number]: number; length: number };

/** y = x > 0 ? x : exp(x) - 1 (ELU, alpha 1). */
export function eluForward(x: Num, y: Out): void {
  for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : Math.expm1(x[i]);
}

/** dx += dy * (y > 0 ? 1 : y + 1), from the output y (as the kernel). */
export function eluBackward(y: Num, dy: Num, dx: Out): void {
  for (let i = 0; i < y.length; i++) dx[i] += dy[i] * (y[i] > 0 ? 1 : y[i] + 1);
}

export function tanhForward(x: Num, y: Out): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
}

/** dx += dy * (1 - y^2). */
export function tanhBackward(y: Num, dy: Num, dx: Out): void {
  for (let i = 0; i < y.length; i++) dx[i] += dy[i] * (1 - y[i] * y[i]);
}

export function addForward(a: Num, b: Num, y: Out): void {
  for (let i = 0; i < a.length; i++) y[i] = a[i] + b[i];
}

/** y += alpha * x */
export function axpy(y: Out, x: Num, alpha: number): void {
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}

export function sum(x: Num): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

export function sumSquares(x: Num): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

export function sumAbsDiff(a: Num, b: Num): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s;
}

/** da += g * sign(a - b), sign(0) = 0. */
export function absDiffBackward(a: Num, b: Num, da: Out, g: number): void {
  for (let i = 0; i < a.length; i++) da[i] += g * Math.sign(a[i] - b[i]);
}

export function sumSqDiff(a: Num, b: Num): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}

/** da += 2 g (a - b). */
export function sqDiffBackward(a: Num, b: Num, da: Out, g: number): void {
  for (let i = 0; i < a.length; i++) da[i] += 2 * g * (a[i] - b[i]);
}

/** max |x|; NaN if any element is NaN. */
export function maxAbs(x: Num): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) return NaN;
    m = Math.max(m, Math.abs(x[i]));
  }
  return m;
}

export function hasNonFinite(x: Num): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return true;
  return false;
}
