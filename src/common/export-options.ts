// How audio leaves the lab as a file: its sample format and its rate. Shared by the engine (which
// checks the choice and writes the file) and the lab bench (which offers it). Pure: imports nothing
// outside src/common.
import { MODEL_RATE } from './model-rate.js';

/** 'pcm16': 16-bit integer samples (what every player and editor opens), TPDF-dithered; 'float32': the codec's own samples, nothing rounded or clipped. */
export const EXPORT_SAMPLE_FORMATS = ['pcm16', 'float32'] as const;
export type ExportSampleFormat = (typeof EXPORT_SAMPLE_FORMATS)[number];

/** 'model': the codec's 24 kHz; 'source': resampled back to the rate of the library clip the audio came from. */
export const EXPORT_RATES = ['model', 'source'] as const;
export type ExportRate = (typeof EXPORT_RATES)[number];

export interface ExportOptions {
  sampleFormat: ExportSampleFormat;
  rate: ExportRate;
}

/** The codec's rate, the 'model' rate. */
export const MODEL_EXPORT_RATE = MODEL_RATE;

/** What an export is without options: the model's samples as they are. */
export const DEFAULT_EXPORT: ExportOptions = { sampleFormat: 'float32', rate: 'model' };
