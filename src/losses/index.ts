// The losses a student can train with, by name, each with its formula and what it hears and misses
// (shown in the app's loss grid, and by `codec-lab train --help`). Ten are a cell of the grid, a space
// (spaces.ts) and a distance (distance.ts) composed (space-loss.ts); mrstft is its own sum.
// Written for a music student, and meant literally: the STFT and mel losses compare magnitudes |X|
// (not energy |X|²), and the dB losses compare levels, not loudness (which would need a model of
// hearing). The order is LOSS_NAMES's (src/common/loss-scale.ts); tests/losses/losses.test.ts checks it.
import { lossCell, type LossDistance, type LossSpace } from '../common/loss-scale.js';
import type { LossFactory, LossName } from './loss.js';
import { spaceLoss } from './space-loss.js';
import { mrstft } from './mrstft.js';

export type { Loss, LossName } from './loss.js';
export { LOSS_NAMES, isLossName, lossCell, lossInDb, lossDbMeaning } from '../common/loss-scale.js';

export interface LossInfo {
  name: LossName;
  /** The space in words ("STFT magnitude in dB"). */
  space: string;
  /** Its place in the space-by-distance grid; null for mrstft. */
  cell: { space: LossSpace; distance: LossDistance } | null;
  formula: string;
  hears: string;
  misses: string;
  make: LossFactory;
}

type Words = Pick<LossInfo, 'name' | 'space' | 'formula' | 'hears' | 'misses'>;

/** A grid loss: its words, its cell, and its make, all from the name. */
const gridLoss = (w: Words): LossInfo => ({ ...w, cell: lossCell(w.name), make: (core, B, T, withGrad) => spaceLoss(w.name, core, B, T, withGrad) });

// Shared phrases, so each says the same thing everywhere it applies.
const STFT = 'X = STFT (Hann, n_fft 1024, hop 256)';
const MEL = 'M = 64 HTK mel bands of |X| (0–12 kHz)';
const DB = 'dB(m) = 20 log₁₀ max(m, 10⁻⁵)';
const DB2 = 'in dB² (shown as its square root: the RMS level error in dB)';
const AREA = 'the filters are not area-normalized, so a wide high band sums more bins and weighs more than a narrow bass band';

export const LOSSES: LossInfo[] = [
  gridLoss({
    name: 'wave-l1', space: 'waveform', formula: 'mean |ŷ − y| over every sample',
    hears: 'every sample, so timing and phase as well as level; an error counts in proportion to its size',
    misses: 'quiet high-frequency detail (small in amplitude, so it barely moves the loss); it punishes an inaudible phase shift like a wrong note',
  }),
  gridLoss({
    name: 'wave-l2', space: 'waveform', formula: 'mean (ŷ − y)² over every sample',
    hears: 'large errors most of all: squared, an error twice as big counts four times as much',
    misses: 'quiet detail even more than wave-l1; when unsure it settles on the average waveform, which sounds dull',
  }),
  gridLoss({
    name: 'stft-l1', space: 'STFT magnitude', formula: `mean | |X̂| − |X| |, ${STFT}`,
    hears: 'the magnitude of each time-frequency cell (23 Hz by 11 ms), whatever its phase',
    misses: 'phase; quiet partials, since the loud cells dominate a linear magnitude',
  }),
  gridLoss({
    name: 'stft-l2', space: 'STFT magnitude', formula: `mean (|X̂| − |X|)², ${STFT}`,
    hears: 'the largest magnitude errors, usually in the loudest partials (squared: large errors count far more)',
    misses: 'phase; quiet cells even more than stft-l1',
  }),
  gridLoss({
    name: 'stft-db-l1', space: 'STFT level (dB)', formula: `mean |dB(|X̂|) − dB(|X|)|, ${DB}`,
    hears: 'the level in dB of each cell: quiet and loud detail alike, as level ratios (6 dB off counts the same in a quiet cell as in a loud one)',
    misses: 'phase; it may spend effort on near-silent cells, down to the −100 dB floor, where nothing is audible',
  }),
  gridLoss({
    name: 'stft-db-l2', space: 'STFT level (dB)', formula: `mean (dB(|X̂|) − dB(|X|))² ${DB2}, ${DB}`,
    hears: 'cells whose level is far off, most of all (a 20 dB error counts 100 times a 2 dB one)',
    misses: 'phase; a few near-silent cells with large level errors can dominate it',
  }),
  gridLoss({
    name: 'mel-l1', space: 'mel magnitude', formula: `mean |M̂ − M|, ${MEL}`,
    hears: `the magnitude in each band, on a pitch-like scale (narrow bands in the bass, wide in the treble); ${AREA}`,
    misses: 'phase, detail within a band (which partial in it is loud), and quiet bands',
  }),
  gridLoss({
    name: 'mel-l2', space: 'mel magnitude', formula: `mean (M̂ − M)², ${MEL}`,
    hears: `the bands with the largest magnitude errors (squared: large errors count far more); ${AREA}`,
    misses: 'phase, detail within a band, and quiet bands even more than mel-l1',
  }),
  gridLoss({
    name: 'mel-db-l1', space: 'mel level (dB)', formula: `mean |dB(M̂) − dB(M)|, ${MEL}, ${DB}`,
    hears: 'the level in dB of each band (the spectral envelope), quiet bands as much as loud ones; every band counts the same whatever its width (in dB the width is a constant offset, which cancels)',
    misses: 'phase and detail within a band (can sound "phasey" or noisy)',
  }),
  gridLoss({
    name: 'mel-db-l2', space: 'mel level (dB)', formula: `mean (dB(M̂) − dB(M))² ${DB2}, ${MEL}, ${DB}`,
    hears: 'bands whose level is far off, most of all; every band counts the same whatever its width',
    misses: 'phase and detail within a band; a few badly wrong (often near-silent) bands can dominate it',
  }),
  {
    name: 'mrstft', space: 'multi-resolution STFT', cell: null,
    formula: 'mean over n_fft ∈ {512, 1024, 2048} of ‖|X| − |X̂|‖_F / ‖|X|‖_F + mean |log|X̂| − log|X||',
    hears: 'spectral shape at three time-frequency trade-offs: the first term follows the loud partials, the log term the quiet ones',
    misses: 'phase',
    make: mrstft,
  },
];

export function getLoss(name: string): LossInfo {
  const l = LOSSES.find((x) => x.name === name);
  if (!l) throw new Error(`unknown loss '${name}'; choose one of ${LOSSES.map((x) => x.name).join(', ')}`);
  return l;
}
