// The codec presets of docs/reference-model.md, as data: a list of layer specs per network.
// Parameter counts follow from the specs and are asserted in the tests (small 153,609; tiny 39,433),
// so a benchmark here times the same network as the PyTorch peer.
import { MEL_BANDS, STFT_HOP, STFT_N_FFT } from '../losses/spaces.js';

export type LayerSpec =
  | { kind: 'conv'; cin: number; cout: number; k: number; stride: number; pad: number }
  | { kind: 'convT'; cin: number; cout: number; k: number; stride: number; pad: number }
  | { kind: 'elu' }
  | { kind: 'tanh' }
  /** y = x + Conv(c, c, 1)(ELU(Conv(c, c, 3, pad 1)(ELU(x)))) */
  | { kind: 'res'; c: number }
  /** Uniform scalar quantizer with 2^bits levels over [-1, 1]; straight-through gradient. */
  | { kind: 'quant'; bits: number };

export type PresetName = 'tiny' | 'small';

export interface Preset {
  name: PresetName;
  channels: [number, number, number, number];
  latent: number;
  bits: number;
  sampleRate: number;
  /** Audio samples per latent frame: three stride-4 stages. */
  hop: number;
  encoder: LayerSpec[];
  decoder: LayerSpec[];
  /**
   * Setup B (see setupBPreset): the decoder predicts a log-magnitude spectrogram and audio comes back
   * by Griffin-Lim. Absent: Setup A, the decoder outputs the waveform.
   */
  spectrogram?: SpectrogramOutput;
}

/** The spaces a Setup B decoder can predict: the losses' STFT magnitude, or their 64 mel bands, in dB. */
export type SpectrogramSpace = 'stft-db' | 'mel-db';

export interface SpectrogramOutput {
  space: SpectrogramSpace;
  /** Values per frame: 513 STFT bins or 64 mel bands. */
  bins: number;
  /** Audio samples per spectrogram frame (the losses' STFT hop; 4 latent frames). */
  hop: number;
  /** Griffin-Lim iterations used when audio is made from the prediction. */
  glIters: number;
}

/**
 * Griffin-Lim iterations a Setup B model may use: each costs two FFTs per frame, so 32 (the default)
 * is about as much as a clip's reconstruction should wait for, and more than 500 changes little.
 */
export const GL_ITERS = { default: 32, min: 1, max: 500 } as const;


const conv = (cin: number, cout: number, k: number, stride = 1, pad = 0): LayerSpec => ({ kind: 'conv', cin, cout, k, stride, pad });
const convT = (cin: number, cout: number, k: number, stride: number, pad: number): LayerSpec => ({ kind: 'convT', cin, cout, k, stride, pad });
const elu: LayerSpec = { kind: 'elu' };

/** Down stage: Res(cin), ELU, Conv(cin, cout, 8, stride 4, pad 2); length / 4. */
const down = (cin: number, cout: number): LayerSpec[] => [{ kind: 'res', c: cin }, elu, conv(cin, cout, 8, 4, 2)];
/** Up stage: ELU, ConvT(cin, cout, 8, stride 4, pad 2), Res(cout); length x 4. */
const up = (cin: number, cout: number): LayerSpec[] => [elu, convT(cin, cout, 8, 4, 2), { kind: 'res', c: cout }];

function makePreset(name: PresetName, channels: [number, number, number, number]): Preset {
  const [c1, c2, c3, c4] = channels;
  const latent = 8;
  const bits = 4;
  return {
    name,
    channels,
    latent,
    bits,
    sampleRate: 24000,
    hop: 64,
    encoder: [conv(1, c1, 7, 1, 3), ...down(c1, c2), ...down(c2, c3), ...down(c3, c4), elu, conv(c4, latent, 3, 1, 1), { kind: 'tanh' }, { kind: 'quant', bits }],
    decoder: [conv(latent, c4, 3, 1, 1), ...up(c4, c3), ...up(c3, c2), ...up(c2, c1), elu, conv(c1, 1, 7, 1, 3), { kind: 'tanh' }],
  };
}

export const PRESETS: Record<PresetName, Preset> = {
  small: makePreset('small', [16, 32, 64, 64]),
  tiny: makePreset('tiny', [8, 16, 32, 32]),
};

/**
 * Setup B of a preset: the same encoder, quantizer and bit rate (so runs of both setups compare at
 * equal rate), and a decoder that works at the STFT's frame rate and predicts one spectrogram frame
 * per 256 samples:
 *   Conv(latent, c4, 3, pad 1); Res(c4); ELU; Conv(c4, c4, 8, stride 4, pad 2); Res(c4); ELU; Conv(c4, F, 3, pad 1)
 * The strided convolution turns 4 latent frames (4 x 64 samples) into one STFT frame (256 samples).
 * F is 513 bins (STFT) or 64 bands (mel). The last layer is linear (no tanh): its output v is a
 * level, dB = SPECTROGRAM_DB_SCALE v + SPECTROGRAM_DB_OFFSET[space] (src/nn/spectrogram-output.ts).
 */
export function setupBPreset(base: Preset, space: SpectrogramSpace, glIters: number): Preset {
  const c4 = base.channels[3];
  // The losses' own transform (src/losses/spaces.ts): n_fft 1024, hop 256; 64 mel bands.
  const bins = space === 'stft-db' ? STFT_N_FFT / 2 + 1 : MEL_BANDS.nMels;
  return {
    ...base,
    decoder: [conv(base.latent, c4, 3, 1, 1), { kind: 'res', c: c4 }, elu, conv(c4, c4, 8, STFT_HOP / base.hop, 2), { kind: 'res', c: c4 }, elu, conv(c4, bins, 3, 1, 1)],
    spectrogram: { space, bins, hop: STFT_HOP, glIters },
  };
}

export function getPreset(name: string): Preset {
  // An own property only: `constructor`, `toString` or `__proto__` would find Object.prototype's.
  const p = typeof name === 'string' && Object.hasOwn(PRESETS, name) ? PRESETS[name as PresetName] : undefined;
  if (!p) throw new Error(`unknown preset '${name}'; choose one of ${Object.keys(PRESETS).join(', ')}`);
  return p;
}

/** Parameters of one layer spec (weights then bias, per convolution, in order). */
export function paramShapes(spec: LayerSpec): number[][] {
  switch (spec.kind) {
    case 'conv': return [[spec.cout, spec.cin, spec.k], [spec.cout]];
    case 'convT': return [[spec.cin, spec.cout, spec.k], [spec.cout]];
    case 'res': return [[spec.c, spec.c, 3], [spec.c], [spec.c, spec.c, 1], [spec.c]];
    default: return [];
  }
}

export function countParams(specs: readonly LayerSpec[]): number {
  return specs.flatMap(paramShapes).reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0);
}

export interface PresetInfo {
  preset: PresetName;
  params: { encoder: number; decoder: number; total: number };
  hopSamples: number;
  frameRateHz: number;
  bitrateKbps: number;
}

export function presetInfo(p: Preset): PresetInfo {
  const encoder = countParams(p.encoder);
  const decoder = countParams(p.decoder);
  const frameRateHz = p.sampleRate / p.hop;
  return {
    preset: p.name,
    params: { encoder, decoder, total: encoder + decoder },
    hopSamples: p.hop,
    frameRateHz,
    bitrateKbps: (frameRateHz * p.latent * p.bits) / 1000,
  };
}
