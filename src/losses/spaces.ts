// The five output spaces of the loss grid, each the chain of stages that takes a waveform there
// (reference-model.md): STFT n_fft 1024, hop 256; 64 HTK mel bands from 0 Hz to 12 kHz at 24 kHz.
// A grid loss is a space and a distance (space-loss.ts). The lab's views of each space may build
// the same chains, so what a student sees is what the loss compares.
import type { LossSpace } from '../common/loss-scale.js';
import { decibels, melBands, stftMagnitude } from './stages.js';
import type { StageMaker } from './transform.js';
import { MODEL_RATE } from '../audio/prepare.js';

export const STFT_N_FFT = 1024;
export const STFT_HOP = 256;
export const MEL_BANDS = { nMels: 64, sampleRate: MODEL_RATE, fMin: 0, fMax: MODEL_RATE / 2 };

const stft = stftMagnitude(STFT_N_FFT, STFT_HOP);
const mel = melBands(MEL_BANDS);

export const SPACES: Record<LossSpace, readonly StageMaker[]> = {
  wave: [],
  stft: [stft],
  'stft-db': [stft, decibels],
  mel: [stft, mel],
  'mel-db': [stft, mel, decibels],
};
