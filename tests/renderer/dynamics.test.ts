// The training-dynamics charts' data: log lines read into step records, the train-validation gap in
// the loss's dB reading, the best-step and early-stop marks, the charts built (and left out for runs
// logged before the norms), and every point moved to the chosen x axis (steps, epochs, seconds).
import { describe, expect, it } from 'vitest';
import { dynamicsCharts, runMarks, stepRecord, timesOf, trainValGap, UPDATE_RATIO_RULE, withMarks, type RunFacts } from '../../renderer/src/lib/dynamics.js';
import { placeOnAxis, stepToX, timeAt } from '../../renderer/src/lib/x-axis.js';
import { chartTable, decades, levelRange, logSpan } from '../../renderer/src/lib/chart-table.js';
import { chartGroups, type CurveData } from '../../renderer/src/lib/curves.js';
import { lossInDb } from '../../src/common/loss-scale.js';

const facts = (f: Partial<RunFacts> = {}): RunFacts => ({ loss: 'wave-l1', clipNorm: 0, bestStep: null, stoppedAt: null, ...f });

/** A run logged with the norms and times (steps 10, 20, 30; validations at 10 and 30). */
const NEW_RUN: CurveData = {
  train: [[10, 0.1], [20, 0.05], [30, 0.04]],
  val: [[10, 0.2], [30, 0.08]],
  metrics: [],
  dynamics: [
    stepRecord({ step: 10, lr: 1e-3, gradNorm: 2, weightNorm: 5, updateRatio: 2e-3, elapsedSec: 1 }),
    stepRecord({ step: 20, lr: 1e-3, gradNorm: 0.3, weightNorm: 5.1, updateRatio: 1e-3, elapsedSec: 3 }),
    stepRecord({ step: 30, lr: 0, gradNorm: 0.2, weightNorm: 5.1, updateRatio: 0, elapsedSec: 4 }),
  ],
};
/** A run made before the norms and times were logged: its log lines have step, loss and lr only. */
const OLD_RUN: CurveData = {
  train: [[10, 0.3], [20, 0.2]],
  val: [[20, 0.25]],
  metrics: [],
  dynamics: [stepRecord({ step: 10, lr: 1e-3 }), stepRecord({ step: 20, lr: 1e-3 })],
};
const curves: Record<string, CurveData> = { a: NEW_RUN, old: OLD_RUN };

describe('a log line as a step record', () => {
  it('keeps only the finite values present: an old line has no norms or time, never zeros', () => {
    expect(stepRecord({ step: 5, lr: 1e-3 })).toEqual({ step: 5, lr: 1e-3 });
    expect(stepRecord({ step: 5, lr: 1e-3, gradNorm: NaN, weightNorm: 4, updateRatio: Infinity, elapsedSec: 2 })).toEqual({ step: 5, lr: 1e-3, weightNorm: 4, elapsedSec: 2 });
    expect(timesOf(NEW_RUN.dynamics)).toEqual([[10, 1], [20, 3], [30, 4]]);
    expect(timesOf(OLD_RUN.dynamics)).toEqual([]);
  });
});

describe('the train-validation gap', () => {
  it('is validation minus training, each read in dB as the loss is', () => {
    // wave-l1 is read as 10·log10: the gap is the ratio in dB.
    const gap = trainValGap('wave-l1', NEW_RUN.train, NEW_RUN.val);
    expect(gap.map(([s]) => s)).toEqual([10, 30]);
    expect(gap[0][1]).toBeCloseTo(10 * Math.log10(0.2 / 0.1), 12);
    expect(gap[1][1]).toBeCloseTo(10 * Math.log10(0.08 / 0.04), 12);
    // A dB L2 loss is read as its square root (an RMS level error): lossInDb on both, then the difference.
    const db = trainValGap('mel-db-l2', [[5, 16]], [[5, 25]]);
    expect(db[0][1]).toBeCloseTo(lossInDb('mel-db-l2', 25) - lossInDb('mel-db-l2', 16), 12);
    expect(db[0][1]).toBeCloseTo(1, 12);
  });

  it('takes the last training loss at or before the validation step, and none before the first', () => {
    expect(trainValGap('mel-db-l1', [[3, 2], [7, 1]], [[2, 5], [6, 4], [9, 3]])).toEqual([[6, 2], [9, 2]]);
  });
});

describe('the best-step and early-stop marks', () => {
  it('marks the best step once a validation exists, and the stopping point of an early-stopped run', () => {
    expect(runMarks('a', { bestStep: null, stoppedAt: null })).toEqual([]);
    expect(runMarks('a', { bestStep: 20, stoppedAt: null })).toEqual([{ runId: 'a', x: 20, label: 'best' }]);
    expect(runMarks('a', { bestStep: 20, stoppedAt: 50 })).toEqual([
      { runId: 'a', x: 20, label: 'best' },
      { runId: 'a', x: 50, label: 'stopped early' },
    ]);
  });

  it('puts each run\'s marks on the charts where it has points', () => {
    const groups = chartGroups(['a', 'old'], 'own', () => 'wave-l1', (id) => curves[id]);
    const marked = withMarks(groups, (id) => facts(id === 'a' ? { bestStep: 30, stoppedAt: 30 } : { bestStep: 20 }));
    expect(marked[0].marks).toEqual([
      { runId: 'a', x: 30, label: 'best' },
      { runId: 'a', x: 30, label: 'stopped early' },
      { runId: 'old', x: 20, label: 'best' },
    ]);
  });
});

describe('the dynamics charts', () => {
  const charts = (f: (id: string) => RunFacts = () => facts()) => dynamicsCharts(['a', 'old'], (id) => curves[id], f);

  it('draws one chart per quantity, and lists the runs logged before it instead of drawing zeros', () => {
    const cs = charts();
    expect(cs.map((c) => c.key)).toEqual(['lr', 'grad-norm', 'weight-norm', 'update-ratio', 'gap:wave-l1']);
    const lr = cs.find((c) => c.key === 'lr')!;
    expect(lr.series.map((s) => s.runId)).toEqual(['a', 'old']);
    expect(lr.missing).toEqual([]);
    const grad = cs.find((c) => c.key === 'grad-norm')!;
    expect(grad.series.map((s) => s.runId)).toEqual(['a']);
    expect(grad.series[0].points).toEqual([[10, 2], [20, 0.3], [30, 0.2]]);
    expect(grad.missing).toEqual(['old']);
    // Both runs have a validation after a training loss: both have a gap.
    expect(cs.find((c) => c.key === 'gap:wave-l1')!.series.map((s) => s.runId)).toEqual(['a', 'old']);
  });

  it('leaves a quantity out when no plotted run has it', () => {
    expect(dynamicsCharts(['old'], (id) => curves[id], () => facts()).map((c) => c.key)).toEqual(['lr', 'gap:wave-l1']);
  });

  it('draws the clipping threshold of each run that clips by norm, and none otherwise', () => {
    expect(charts().find((c) => c.key === 'grad-norm')!.levels).toEqual([]);
    const clipped = charts((id) => facts({ clipNorm: id === 'a' ? 0.5 : 1 })).find((c) => c.key === 'grad-norm')!;
    // The old run clips too, but has no gradient norms: no line for it.
    expect(clipped.levels).toEqual([{ runId: 'a', value: 0.5, label: 'clip 0.5' }]);
  });

  it('shows the update ratio on a log axis, with the rule of thumb drawn and a zero left out', () => {
    const ratio = charts().find((c) => c.key === 'update-ratio')!;
    expect(ratio.yLog).toBe(true);
    expect(ratio.levels).toEqual([{ runId: null, value: UPDATE_RATIO_RULE, label: '1e-3' }]);
    expect(ratio.series[0].points).toEqual([[10, 2e-3], [20, 1e-3]]);
    expect(ratio.note).toMatch(/Karpathy.*2019.*heuristic/);
  });

  it('gives runs with different losses a gap chart each (different quantities)', () => {
    const cs = dynamicsCharts(['a', 'old'], (id) => curves[id], (id) => facts({ loss: id === 'a' ? 'wave-l1' : 'mel-db-l1' }));
    expect(cs.filter((c) => c.key.startsWith('gap:')).map((c) => [c.key, c.series.map((s) => s.runId)])).toEqual([
      ['gap:wave-l1', ['a']],
      ['gap:mel-db-l1', ['old']],
    ]);
    expect(cs.find((c) => c.key === 'gap:mel-db-l1')!.axisLabel).toMatch(/validation − training, mean level error \(dB\)/);
  });
});

describe('the x axis', () => {
  it('counts epochs as steps × batch / training segments, and cannot without them', () => {
    const toEpoch = stepToX('epoch', { batch: 4, trainSegments: 40, times: [] })!;
    expect(toEpoch(30)).toBe(3);
    expect(stepToX('epoch', { batch: 4, trainSegments: null, times: [] })).toBeNull();
    expect(stepToX('step', { batch: null, trainSegments: null, times: [] })!(7)).toBe(7);
  });

  it('reads the training time at a step from the logged times, linear between them, none outside', () => {
    const t: [number, number][] = [[10, 1], [20, 3], [30, 4]];
    expect([10, 15, 20, 25, 30].map((s) => timeAt(t, s))).toEqual([1, 2, 3, 3.5, 4]);
    expect(timeAt(t, 5)).toBeNull();
    expect(timeAt(t, 31)).toBeNull();
    expect(timeAt([[10, 1]], 10)).toBe(1);
    expect(stepToX('seconds', { batch: 4, trainSegments: 40, times: [] })).toBeNull();
  });

  it('moves every point and mark to the axis, and names the runs it cannot place', () => {
    const groups = withMarks(chartGroups(['a', 'old'], 'own', () => 'wave-l1', (id) => curves[id]), (id) => facts({ bestStep: id === 'a' ? 20 : null }));
    const { groups: placed, unplaced } = placeOnAxis(groups, (id) => stepToX('seconds', { batch: 4, trainSegments: 40, times: timesOf(curves[id].dynamics) }));
    expect(unplaced).toEqual(['old']);
    expect(placed[0].series.map((s) => s.runId)).toEqual(['a', 'a']);
    expect(placed[0].series[0].points.map(([x]) => x)).toEqual([1, 3, 4]);
    expect(placed[0].marks).toEqual([{ runId: 'a', x: 3, label: 'best' }]);
  });
});

describe('a chart\'s table and range', () => {
  it('aligns every series on the union of the x values, null where a series has no point', () => {
    const g = { ...chartGroups(['a'], 'own', () => 'wave-l1', (id) => curves[id])[0] };
    const [xs, train, val] = chartTable(g);
    expect(xs).toEqual([10, 20, 30]);
    expect(train.every((v) => v !== null)).toBe(true);
    expect(val[1]).toBeNull();
  });

  it('keeps a threshold in view above every value', () => {
    const [lo, hi] = levelRange(0.1, 0.3, [1]);
    expect(lo).toBeLessThan(0.1);
    expect(hi).toBeGreaterThan(1);
    expect(levelRange(null, null, [])).toEqual([0, 1]);
    expect(levelRange(0, 0, [])).toEqual([-1, 1]);
  });

  it('spans a log axis over the positive values and levels, ticked at the powers of ten', () => {
    expect(logSpan(2e-3, 5e-2, [1e-3])).toEqual([1e-3, 5e-2]);
    expect(logSpan(null, null, [])).toEqual([1, 10]);
    expect(decades(1e-4, 1e-1)).toEqual([1e-4, 1e-3, 1e-2, 1e-1]);
    expect(decades(2e-3, 8e-3)).toEqual([]);
  });
});
