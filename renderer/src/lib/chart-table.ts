// A chart's data in uPlot's shape, and the y range that keeps its horizontal lines in view.
import type { ChartGroup } from './curves.js';

/** One x array (the union of every series' x, increasing) and one y array per series, null where a series has no point. */
export function chartTable(g: ChartGroup): [number[], ...(number | null)[][]] {
  const xs = [...new Set(g.series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = g.series.map((s) => {
    const y: (number | null)[] = new Array(xs.length).fill(null);
    for (const [x, v] of s.points) y[index.get(x)!] = v;
    return y;
  });
  return [xs, ...ys];
}

/**
 * A linear y range over the data (min, max; null when there is none) and the levels, with 5% of
 * the span as margin on either side (or ±1 around a single value of 0, ±5% around another).
 */
export function levelRange(min: number | null, max: number | null, levels: readonly number[]): [number, number] {
  const all = [min, max, ...levels].filter((v): v is number => v !== null && Number.isFinite(v));
  if (all.length === 0) return [0, 1];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = hi > lo ? (hi - lo) * 0.05 : Math.abs(hi) * 0.05 || 1;
  return [lo - pad, hi + pad];
}

/** The positive span of a log axis over the data and the levels (1 to 10 when there is nothing to show). */
export function logSpan(min: number | null, max: number | null, levels: readonly number[]): [number, number] {
  const all = [min, max, ...levels].filter((v): v is number => v !== null && Number.isFinite(v) && v > 0);
  return all.length ? [Math.min(...all), Math.max(...all)] : [1, 10];
}

/** The powers of ten from min to max (a log axis's ticks; uPlot's 2..9 in between crowd a short chart). */
export function decades(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(min) - 1e-9); e <= Math.floor(Math.log10(max) + 1e-9); e++) out.push(Number(`1e${e}`));
  return out;
}
