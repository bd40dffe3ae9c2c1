// The losses a student can train with, by name, each with its formula and what it hears and misses
// (shown in the app next to the choice, and by `codec-lab train --help`).
import type { KernelCore } from '../kernels/core.js';
import type { Loss, LossName } from './loss.js';
import { waveL1, waveL2 } from './wave.js';
import { spectralL1 } from './spectral.js';
import { mrstft } from './mrstft.js';

export type { Loss, LossName } from './loss.js';
export { lossInDb, lossDbMeaning } from '../common/loss-scale.js';

export interface LossInfo {
  name: LossName;
  space: string;
  formula: string;
  hears: string;
  misses: string;
  make(core: KernelCore, B: number, T: number): Loss;
}

export const LOSSES: LossInfo[] = [
  {
    name: 'wave-l1', space: 'waveform', formula: 'mean |ŷ − y|',
    hears: 'every sample, phase included; robust to outliers', misses: 'quiet high-frequency detail (it is small in amplitude)',
    make: waveL1,
  },
  {
    name: 'wave-l2', space: 'waveform', formula: 'mean (ŷ − y)²',
    hears: 'loud errors most of all (squared)', misses: 'quiet detail even more than L1; blurs towards the average',
    make: waveL2,
  },
  {
    name: 'stft-l1', space: 'STFT magnitude', formula: 'mean | |X̂| − |X| |',
    hears: 'the energy in each time-frequency cell', misses: 'phase, and anything much quieter than the loudest partials',
    make: (c, B, T) => spectralL1(c, B, T, { name: 'stft-l1', mel: false, db: false }),
  },
  {
    name: 'stft-db-l1', space: 'STFT magnitude in dB', formula: 'mean |20 log₁₀ max(|X̂|, 10⁻⁵) − 20 log₁₀ max(|X|, 10⁻⁵)|',
    hears: 'quiet and loud detail alike, as level ratios', misses: 'phase; may chase inaudible noise in near-silent cells',
    make: (c, B, T) => spectralL1(c, B, T, { name: 'stft-db-l1', mel: false, db: true }),
  },
  {
    name: 'mel-l1', space: 'mel spectrogram', formula: 'mean |M̂ − M|, M = mel filterbank · |X| (64 HTK bands)',
    hears: 'energy on the ear\'s frequency scale, fine in the bass', misses: 'phase, fine detail within a high band, quiet bands',
    make: (c, B, T) => spectralL1(c, B, T, { name: 'mel-l1', mel: true, db: false }),
  },
  {
    name: 'mel-db-l1', space: 'mel spectrogram in dB', formula: 'mean |20 log₁₀ max(M̂, 10⁻⁵) − 20 log₁₀ max(M, 10⁻⁵)|',
    hears: 'loudness per band, roughly as the ear does', misses: 'phase and detail within a band (can sound "phasey" or noisy)',
    make: (c, B, T) => spectralL1(c, B, T, { name: 'mel-db-l1', mel: true, db: true }),
  },
  {
    name: 'mrstft', space: 'multi-resolution STFT', formula: 'mean over n_fft ∈ {512, 1024, 2048} of ‖|X| − |X̂|‖_F / ‖|X|‖_F + mean |log|X̂| − log|X||',
    hears: 'spectral shape at three time-frequency trade-offs', misses: 'phase',
    make: mrstft,
  },
];

export const LOSS_NAMES = LOSSES.map((l) => l.name);

export function getLoss(name: string): LossInfo {
  const l = LOSSES.find((x) => x.name === name);
  if (!l) throw new Error(`unknown loss '${name}'; choose one of ${LOSS_NAMES.join(', ')}`);
  return l;
}
