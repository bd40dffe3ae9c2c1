// What a student reads and types when choosing a loss: the words of each card (the Train panel's
// grid and `codec-lab train --help`), and the command line and config accepting every name.
import { describe, expect, it } from 'vitest';
import { LOSSES, LOSS_NAMES } from '../../src/losses/index.js';
import { LOSS_DISTANCES, LOSS_SPACES, lossCell } from '../../src/common/loss-scale.js';
import { configFromOptions, trainHelp } from '../../src/cli/train.js';
import { resolveConfig } from '../../src/train/config.js';

const words = (l: (typeof LOSSES)[number]) => `${l.space} ${l.formula} ${l.hears} ${l.misses}`;

describe('choosing a loss', () => {
  it('fills the grid: every space with L1 and L2, plus mrstft', () => {
    const cells = LOSSES.map((l) => l.cell && `${l.cell.space}/${l.cell.distance}`);
    expect(cells).toEqual(LOSS_NAMES.map((n) => {
      const c = lossCell(n);
      return c && `${c.space}/${c.distance}`;
    }));
    expect(new Set(cells.filter(Boolean)).size).toBe(LOSS_SPACES.length * LOSS_DISTANCES.length);
  });

  it('says what the losses compare: magnitudes, not energy; levels in dB, not loudness', () => {
    for (const l of LOSSES) {
      expect(words(l), l.name).not.toMatch(/energy|loudness/i);
      expect(l.formula.length, l.name).toBeGreaterThan(0);
      expect(l.hears.length, l.name).toBeGreaterThan(0);
      expect(l.misses.length, l.name).toBeGreaterThan(0);
    }
    const get = (n: string) => LOSSES.find((l) => l.name === n)!;
    for (const n of ['stft-l1', 'stft-l2', 'mel-l1', 'mel-l2']) expect(words(get(n)), n).toMatch(/magnitude/);
    expect(get('mel-db-l1').hears).toMatch(/level in dB of each band/);
  });

  it('says that the linear mel losses weigh wide high bands more (filters not area-normalized)', () => {
    for (const l of LOSSES.filter((x) => x.cell?.space === 'mel')) expect(words(l), l.name).toMatch(/not area-normalized/);
  });

  it('says how L2 differs: squares punish large errors; on dB it is in dB², read as an RMS level error', () => {
    for (const l of LOSSES.filter((x) => x.cell?.distance === 'l2')) {
      expect(l.formula, l.name).toMatch(/²/);
      if (l.cell!.space.endsWith('-db')) expect(l.formula, l.name).toMatch(/dB².*RMS level error/);
    }
    for (const l of LOSSES.filter((x) => x.cell?.distance === 'l2' && x.cell.space !== 'wave')) expect(l.hears, l.name).toMatch(/large|far off/);
  });

  it('`codec-lab train --help` lists all eleven, and --loss accepts each', () => {
    for (const name of LOSS_NAMES) {
      expect(trainHelp).toMatch(new RegExp(`^ +${name} +\\S`, 'm'));
      expect(resolveConfig(configFromOptions({ loss: name })).loss).toBe(name);
    }
    expect(() => resolveConfig(configFromOptions({ loss: 'stft-l3' }))).toThrow(/unknown loss 'stft-l3'.*mel-db-l2/);
  });
});
