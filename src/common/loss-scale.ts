// The loss grid's names, and how each loss value is read in dB. Shared by the engine (command line,
// `eval`, run logs) and the lab bench (plot, Compare), so both say the same number with the same
// words. Pure: imports nothing, runs in Node and in the browser alike.
//
// Three readings, because "dB" means different things for different losses:
// - A loss computed on dB levels with L1 (`stft-db-l1`, `mel-db-l1`) is already a mean level error
//   in dB: it is shown as it is (10 log10 of it would be a dB of a dB).
// - With L2 on dB levels (`stft-db-l2`, `mel-db-l2`) the loss is a mean squared level error in dB²;
//   its square root is the RMS level error, in dB.
// - Every other loss (waveform, linear magnitudes, mrstft) has no unit of level: it is shown as
//   10 log10(loss), the convention of reference-model.md, which makes ratios readable (-3 dB = half)
//   but is comparable only between runs of the same loss.

/** Where a loss compares the two signals. */
export const LOSS_SPACES = ['wave', 'stft', 'stft-db', 'mel', 'mel-db'] as const;
export type LossSpace = (typeof LOSS_SPACES)[number];

/** How it measures the difference there. */
export const LOSS_DISTANCES = ['l1', 'l2'] as const;
export type LossDistance = (typeof LOSS_DISTANCES)[number];

/** Every loss: the space-by-distance grid, then the multi-resolution STFT loss. */
export const LOSS_NAMES = [
  'wave-l1', 'wave-l2', 'stft-l1', 'stft-l2', 'stft-db-l1', 'stft-db-l2', 'mel-l1', 'mel-l2', 'mel-db-l1', 'mel-db-l2', 'mrstft',
] as const;
export type LossName = (typeof LOSS_NAMES)[number];

export function isLossName(x: unknown): x is LossName {
  return typeof x === 'string' && (LOSS_NAMES as readonly string[]).includes(x);
}

/** The grid cell of a loss; null for mrstft, which is a sum of two distances over three resolutions. */
export function lossCell(name: LossName): { space: LossSpace; distance: LossDistance } | null {
  if (name === 'mrstft') return null;
  const distance = name.endsWith('-l2') ? 'l2' : 'l1';
  return { space: name.slice(0, -3) as LossSpace, distance };
}

export type LossReading = 'level-db' | 'rms-level-db' | 'ten-log10';

export function lossReading(name: LossName): LossReading {
  const cell = lossCell(name);
  if (cell && cell.space.endsWith('-db')) return cell.distance === 'l1' ? 'level-db' : 'rms-level-db';
  return 'ten-log10';
}

/** The loss as shown, in dB (see the header). A zero loss shows as -Infinity (ten-log10) or 0 dB. */
export function lossInDb(name: LossName, loss: number): number {
  switch (lossReading(name)) {
    case 'level-db': return loss;
    case 'rms-level-db': return Math.sqrt(loss);
    case 'ten-log10': return 10 * Math.log10(loss);
  }
}

/** What the dB figure of a loss is, in a few words (axis labels, table headers, `--help`). */
export function lossDbMeaning(name: LossName): string {
  switch (lossReading(name)) {
    case 'level-db': return 'mean level error';
    case 'rms-level-db': return 'RMS level error';
    case 'ten-log10': return '10·log₁₀(loss)';
  }
}

/** The same, with the loss named: "mel-db-l1, mean level error (dB)". */
export function lossAxisLabel(name: LossName): string {
  return `${name}, ${lossDbMeaning(name)} (dB)`;
}
