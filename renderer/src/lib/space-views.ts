// The spaces the Listen bench can show A, B and their difference in, and one sentence under each view
// saying what it shows. The waveform is drawn from the samples here; the others come from the engine
// (spectralView), computed with the losses' own transform.
import { VIEW_SPACES } from '../../../src/common/view-spaces.js';
import type { ViewSpace } from './types.js';

export type BenchSpace = 'waveform' | ViewSpace;

export const BENCH_SPACES: readonly { space: BenchSpace; label: string }[] = [
  { space: 'waveform', label: 'Waveform' },
  ...VIEW_SPACES.map((space) => ({ space, label: space === 'stft-db' ? 'STFT magnitude (dB)' : 'Mel (dB)' })),
];

type TrackKey = 'A' | 'B' | 'D';

const SENTENCES: Record<BenchSpace, Record<TrackKey, string>> = {
  waveform: {
    A: 'The samples of A over time, at 24 kHz.',
    B: 'The samples of B over time, at 24 kHz.',
    D: 'A − B sample by sample. For a run trained with a phase-blind loss (STFT, mel) this is mostly phase difference, not audible error.',
  },
  'stft-db': {
    A: '|A| in dB per time-frequency cell (n_fft 1024, hop 256, Hann window): what stft-db losses compare.',
    B: '|B| in dB per time-frequency cell, on the same colour scale as A.',
    D: '|A| − |B| in dB per time-frequency cell: what stft-db losses measure. Phase is ignored: where this is near 0, the magnitudes agree even if the waveforms differ.',
  },
  'mel-db': {
    A: 'A in 64 mel bands (HTK, 0–12 kHz), in dB: what mel-db losses compare.',
    B: 'B in the same 64 mel bands, in dB, on the same colour scale as A.',
    D: 'Mel A − mel B in dB per band and frame: what mel-db losses measure. Phase and detail within a band are ignored: near 0 means the band levels agree.',
  },
};

export const viewSentence = (space: BenchSpace, track: TrackKey): string => SENTENCES[space][track];

/** The difference track's label in each space. */
export const differenceLabel = (space: BenchSpace): string =>
  space === 'waveform' ? 'A − B · difference of the samples' : space === 'stft-db' ? '|A| − |B| · difference in dB' : 'mel A − mel B · difference in dB';

/** A dB value as a legend tick: "−30 dB", and "+6 dB" on a difference scale. */
export const fmtDbTick = (db: number, signed: boolean): string => `${db < 0 ? '−' : signed && db > 0 ? '+' : ''}${Math.abs(+db.toFixed(1))} dB`;
