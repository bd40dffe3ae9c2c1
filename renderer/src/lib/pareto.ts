// The Pareto front of runs placed on two measures (bit rate or speed against a quality): the runs no
// other run beats on both. Each measure has its own direction (a lower bit rate is better, a higher
// speed is better; a lower loss is better, a higher SI-SDR is better), so the front is asked for
// with both directions said, never assumed.

/** Which way a measure improves. */
export type Direction = 'lower' | 'higher';

export interface XY {
  /** A run with no figure for a measure (an older run without entropy, a run no one has rated) has null. */
  x: number | null | undefined;
  y: number | null | undefined;
}

/** A point whose two figures are both finite numbers: the only points that can be compared. */
export function isPlaced(p: XY): p is { x: number; y: number } {
  return typeof p.x === 'number' && Number.isFinite(p.x) && typeof p.y === 'number' && Number.isFinite(p.y);
}

/** `a` is better than `b` in direction `dir`, or equal (0); +1 better, -1 worse. */
function compare(a: number, b: number, dir: Direction): number {
  const d = dir === 'lower' ? b - a : a - b;
  return d > 0 ? 1 : d < 0 ? -1 : 0;
}

/**
 * For each point, whether it is on the front: no other point is at least as good on both measures
 * and strictly better on one. Two points with the same figures do not beat each other (both are on
 * the front); a point with a missing figure is on no front and beats no one.
 */
export function paretoFront(points: readonly XY[], xDir: Direction, yDir: Direction): boolean[] {
  return points.map((p, i) => {
    if (!isPlaced(p)) return false;
    return !points.some((q, j) => {
      if (j === i || !isPlaced(q)) return false;
      const cx = compare(q.x, p.x, xDir);
      const cy = compare(q.y, p.y, yDir);
      return cx >= 0 && cy >= 0 && (cx > 0 || cy > 0);
    });
  });
}

/**
 * The front drawn as a staircase: the best quality reachable at each x. Its corners, left to right.
 * With x lower-is-better (a bit rate), a run's quality holds from its x rightwards to the next run on
 * the front (any higher rate can afford it); with x higher-is-better (a speed) it holds from its x
 * leftwards (any lower speed requirement is met by it), so the step comes before the point.
 */
export function frontSteps(front: readonly XY[], xDir: Direction): [number, number][] {
  const placed = front.filter(isPlaced).sort((a, b) => a.x - b.x || a.y - b.y);
  const corners: [number, number][] = [];
  for (const p of placed) {
    const last = corners.at(-1);
    if (!last) corners.push([p.x, p.y]);
    else if (last[0] === p.x && last[1] === p.y) continue;
    else corners.push(xDir === 'lower' ? [p.x, last[1]] : [last[0], p.y], [p.x, p.y]);
  }
  return corners;
}
