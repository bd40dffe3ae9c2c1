// The colour scales of the space views: a sequential one for levels in dB (dark = quiet, bright =
// loud) and a diverging one, centred on 0 dB, for a difference in dB (red: A louder, blue: B louder,
// white: equal). Each is a few colour stops, linearly interpolated; the legend draws the same stops.

type Rgb = [number, number, number];

export interface ColourScale {
  /** dB at the bottom and top of the scale (values outside are clamped). */
  lo: number;
  hi: number;
  stops: readonly Rgb[];
  /** dB values to label on the legend. */
  ticks: number[];
}

const LEVEL_STOPS: readonly Rgb[] = [
  [0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99], [212, 72, 66], [245, 125, 21], [250, 193, 39], [252, 255, 164],
];
const DIFF_STOPS: readonly Rgb[] = [[33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130], [178, 24, 43]];

/** The colour of `db` on `scale`, as r, g, b in 0..255. */
export function colourOf(scale: ColourScale, db: number): Rgb {
  const t = Math.max(0, Math.min(1, (db - scale.lo) / (scale.hi - scale.lo)));
  const x = t * (scale.stops.length - 1);
  const i = Math.min(scale.stops.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [scale.stops[i], scale.stops[i + 1]];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** A CSS gradient of the scale, left to right: the legend's colour bar. */
export function cssGradient(scale: ColourScale): string {
  const parts = scale.stops.map((c, i) => `rgb(${c.join(',')}) ${((100 * i) / (scale.stops.length - 1)).toFixed(1)}%`);
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

function ticksOf(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(v);
  return out;
}

/** The level scale for A and B together, so equal colours mean equal levels: the loudest cell on top, 90 dB below it at the bottom. */
export function levelScale(a: Float32Array, b: Float32Array): ColourScale {
  let max = -Infinity;
  for (const x of [a, b]) for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  const hi = Math.ceil((Number.isFinite(max) ? max : 0) / 10) * 10;
  const lo = hi - 90;
  return { lo, hi, stops: LEVEL_STOPS, ticks: ticksOf(lo, hi, 30) };
}

/** The difference scale: symmetric about 0 dB, reaching the 98th percentile of |diff| (3 to 60 dB), so a few extreme cells do not wash out the rest. */
export function differenceScale(diff: Float32Array): ColourScale {
  const abs = Float32Array.from(diff, Math.abs).sort();
  const p98 = abs.length ? abs[Math.min(abs.length - 1, Math.floor(0.98 * abs.length))] : 0;
  const steps = [3, 6, 10, 20, 30, 40, 60];
  const r = steps.find((s) => s >= p98) ?? 60;
  return { lo: -r, hi: r, stops: DIFF_STOPS, ticks: [-r, 0, r] };
}
