// The rate-quality view's measures and its table of points: which runs are placed, the front in each
// measure's direction, the MUSHRA axis only where a run was rated, every axis label with its unit and
// meaning, and the CSV export.
import { describe, expect, it } from 'vitest';
import { RATE_MEASURES, formatMeasure, measureLabel, pointsCsv, qualityMeasures, ratePoints, shortMeasureLabel, type Measure, type ScoredRun } from '../../renderer/src/lib/rate-quality.js';

/** A scored run with just the figures the view reads (the rest of RunSummary is not looked at). */
function run(id: string, m: { kbps: number; entropy?: number; decode: number; sdr: number; mel?: number }): ScoredRun {
  return {
    id,
    metrics: {
      bitrateKbps: m.kbps,
      ...(m.entropy === undefined ? {} : { entropyKbps: m.entropy }),
      decodeRtf: m.decode,
      encodeRtf: 2 * m.decode,
      speed: { encodeRtf: 2 * m.decode, decodeRtf: m.decode, encodeRange: [m.decode, 3 * m.decode], decodeRange: [m.decode / 2, m.decode * 1.5], repeats: 5, seconds: 10 },
      siSdrDb: m.sdr,
      snrDb: m.sdr,
      lsd: 1,
      mcdDb: 5,
      losses: null,
      lossesDb: m.mel === undefined ? null : ({ 'mel-db-l1': m.mel } as Record<string, number>),
      seconds: 10,
      clips: 1,
    },
  } as unknown as ScoredRun;
}

const measure = (list: readonly Measure[], key: string) => list.find((m) => m.key === key)!;
const runs = [
  run('b2', { kbps: 6, entropy: 4.5, decode: 300, sdr: 2, mel: 9 }),
  run('b4', { kbps: 12, entropy: 7.3, decode: 200, sdr: 6, mel: 7 }),
  run('b6', { kbps: 18, entropy: 11, decode: 250, sdr: 5, mel: 8 }),
  run('old', { kbps: 12, decode: 100, sdr: 1 }),
];
const name = (r: ScoredRun) => `run ${r.id}`;

describe('the axes', () => {
  it('say what each measure is, its unit and which way is better', () => {
    expect(measureLabel(measure(RATE_MEASURES, 'entropy'))).toBe('entropy bit rate, kbit/s (first-order entropy of the codes on the test split; lower is better)');
    expect(measureLabel(measure(RATE_MEASURES, 'decode'))).toMatch(/^decode speed, × real time \(median of timings on this machine.*; higher is faster\)$/);
    const qualities = qualityMeasures(runs, new Map());
    expect(shortMeasureLabel(measure(qualities, 'si-sdr'))).toBe('SI-SDR, dB (higher is better)');
    expect(measureLabel(measure(qualities, 'loss:mel-db-l1'))).toBe('mel-db-l1 loss, dB (mean level error on the test split; lower is better)');
    expect(measure(qualities, 'lsd').unit).toBe('bel');
  });

  it('offer the losses some run was scored in, and the MUSHRA mean only when a run has one', () => {
    const keys = qualityMeasures(runs, new Map()).map((m) => m.key);
    expect(keys).toEqual(['si-sdr', 'snr', 'lsd', 'mcd', 'loss:mel-db-l1']);
    const rated = qualityMeasures(runs, new Map([['b4', 71.5]]));
    expect(rated.map((m) => m.key).at(-1)).toBe('mushra');
    const mushra = measure(rated, 'mushra');
    expect(mushra.better).toBe('higher');
    expect(runs.map((r) => mushra.value(r))).toEqual([null, 71.5, null, null]);
  });
});

describe('ratePoints', () => {
  it('places every run with both figures, sorted by x, and marks the front for a bit rate against SI-SDR', () => {
    const { points, missing } = ratePoints(runs, measure(RATE_MEASURES, 'nominal'), measure(qualityMeasures(runs, new Map()), 'si-sdr'), name);
    expect(missing).toBe(0);
    expect(points.map((p) => [p.runId, p.x, p.y, p.onFront])).toEqual([
      ['b2', 6, 2, true],
      ['old', 12, 1, false],
      ['b4', 12, 6, true],
      ['b6', 18, 5, false],
    ]);
    expect(points[0].name).toBe('run b2');
    expect(points[0].spread).toBeNull();
  });

  it('leaves out a run without an entropy (scored before it existed) and counts it', () => {
    const { points, missing } = ratePoints(runs, measure(RATE_MEASURES, 'entropy'), measure(qualityMeasures(runs, new Map()), 'loss:mel-db-l1'), name);
    expect(missing).toBe(1);
    // A loss: lower is better, so the cheapest run and the lowest loss are the front; b6 is beaten by b4.
    expect(points.map((p) => [p.runId, p.onFront])).toEqual([['b2', true], ['b4', true], ['b6', false]]);
  });

  it('reads a speed as higher-is-better and carries its spread', () => {
    const { points } = ratePoints(runs, measure(RATE_MEASURES, 'decode'), measure(qualityMeasures(runs, new Map()), 'si-sdr'), name);
    // b2 is fastest (300×), b4 best (6 dB); b6 is slower than b2 and worse than b4, yet beaten by neither on both.
    expect(points.map((p) => [p.runId, p.onFront])).toEqual([['old', false], ['b4', true], ['b6', true], ['b2', true]]);
    expect(points.find((p) => p.runId === 'b4')!.spread).toEqual([100, 300]);
  });
});

describe('pointsCsv', () => {
  it('writes run, name, x, y and on-front, one row a point, quoting a name with a comma or quote (RFC 4180)', () => {
    const x = measure(RATE_MEASURES, 'entropy');
    const y = measure(qualityMeasures(runs, new Map()), 'si-sdr');
    const { points } = ratePoints(runs.slice(0, 2), x, y, (r) => (r.id === 'b2' ? 'two bits, "coarse"' : r.id));
    expect(pointsCsv(points, x, y)).toBe('run,name,entropy_kbps,si_sdr_db,on_front\r\nb2,"two bits, ""coarse""",4.5,2,true\r\nb4,b4,7.3,6,true\r\n');
  });
});

describe('formatMeasure', () => {
  it('says a figure with its unit', () => {
    const q = qualityMeasures(runs, new Map([['b4', 71.25]]));
    expect(formatMeasure(measure(RATE_MEASURES, 'nominal'), 12)).toBe('12.0 kbit/s');
    expect(formatMeasure(measure(RATE_MEASURES, 'decode'), 123.4)).toBe('123×');
    expect(formatMeasure(measure(q, 'loss:mel-db-l1'), -3.456)).toBe('−3.46 dB');
    expect(formatMeasure(measure(q, 'lsd'), 0.5)).toBe('0.50 bel');
    expect(formatMeasure(measure(q, 'mushra'), 71.25)).toBe('71.3');
  });
});
