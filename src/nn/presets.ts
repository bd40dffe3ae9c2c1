// The codec presets of docs/reference-model.md, as data: a list of layer specs per network.
// Parameter counts follow from the specs and are asserted in the tests (small 153,609; tiny 39,433),
// so a benchmark here times the same network as the PyTorch peer. Beside the presets, a shape
// (bits, latent channels, hop, width: ModelShape) makes other networks of the same layout; a preset
// with its default shape is exactly the reference network.
import { MEL_BANDS, STFT_HOP, STFT_N_FFT } from '../losses/spaces.js';
import { MODEL_RATE } from '../audio/prepare.js';
import { describeValue } from '../util/describe-value.js';

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
  /** Channels of the first convolution and of the three down stages' outputs (the preset's, times the width). */
  channels: [number, number, number, number];
  latent: number;
  bits: number;
  sampleRate: number;
  /** Audio samples per latent frame: the product of the three down stages' strides. */
  hop: number;
  /** The down stages' strides, input side first (the up stages use them in reverse). */
  strides: readonly [number, number, number];
  /** The factor the preset's channel counts were multiplied by (1: the preset as defined). */
  width: number;
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
  /** Audio samples per spectrogram frame (the losses' STFT hop; 256 / hop latent frames). */
  hop: number;
  /** Griffin-Lim iterations used when audio is made from the prediction. */
  glIters: number;
}

/**
 * Griffin-Lim iterations a Setup B model may use: each costs two FFTs per frame, so 32 (the default)
 * is about as much as a clip's reconstruction should wait for, and more than 500 changes little.
 */
export const GL_ITERS = { default: 32, min: 1, max: 500 } as const;

/**
 * The bottleneck and shape of a network beside its preset: what decides its bit rate, frame rate
 * and size. Each preset's own are DEFAULT_SHAPE (reference-model.md).
 */
export interface ModelShape {
  /** Bits per code: the quantizer's 2^bits levels. */
  bits: number;
  /** Latent channels: codes per latent frame. */
  latentChannels: number;
  /** Audio samples per latent frame: one of HOPS. */
  hop: number;
  /** Multiplier of the preset's channel counts; each count is rounded to a whole number, at least 1. */
  width: number;
}

export const DEFAULT_SHAPE: Readonly<ModelShape> = { bits: 4, latentChannels: 8, hop: 64, width: 1 };

/** The ranges of the shape settings (the hop: one of HOPS). */
export const SHAPE_LIMITS = {
  bits: { min: 1, max: 8 },
  latentChannels: { min: 1, max: 32 },
  width: { min: 0.25, max: 4 },
} as const;

/**
 * The hops a network can have, each as the strides of the three down stages, input side first. A
 * stage of stride s is Conv(k = 2s, stride s, pad s/2) and its mirror ConvT(k = 2s, stride s, pad
 * s/2), so with s even a length divisible by s becomes exactly L / s (and L s back): at s = 4 this
 * is the reference models' Conv(8, stride 4, pad 2). The larger strides sit at the latent end,
 * where the activations are shortest, so a longer hop adds little work.
 */
export const HOP_STRIDES: Readonly<Record<number, readonly [number, number, number]>> = {
  32: [2, 4, 4],
  64: [4, 4, 4],
  128: [4, 4, 8],
  160: [4, 4, 10],
  256: [4, 8, 8],
  320: [4, 8, 10],
};

export const HOPS: readonly number[] = Object.keys(HOP_STRIDES).map(Number);

/** A shape setting out of range. The stable code is the API's for a bad training config. */
export class ShapeError extends Error {
  readonly code = 'BAD_CONFIG';
}

const conv = (cin: number, cout: number, k: number, stride = 1, pad = 0): LayerSpec => ({ kind: 'conv', cin, cout, k, stride, pad });
const convT = (cin: number, cout: number, k: number, stride: number, pad: number): LayerSpec => ({ kind: 'convT', cin, cout, k, stride, pad });
const elu: LayerSpec = { kind: 'elu' };

/** Down stage of stride s: Res(cin), ELU, Conv(cin, cout, 2s, stride s, pad s/2); length / s. */
const down = (cin: number, cout: number, s: number): LayerSpec[] => [{ kind: 'res', c: cin }, elu, conv(cin, cout, 2 * s, s, s / 2)];
/** Up stage of stride s: ELU, ConvT(cin, cout, 2s, stride s, pad s/2), Res(cout); length x s. */
const up = (cin: number, cout: number, s: number): LayerSpec[] => [elu, convT(cin, cout, 2 * s, s, s / 2), { kind: 'res', c: cout }];

/** The channel counts of each preset as reference-model.md defines them (width 1). */
const PRESET_CHANNELS: Record<PresetName, [number, number, number, number]> = {
  small: [16, 32, 64, 64],
  tiny: [8, 16, 32, 32],
};

function makePreset(name: PresetName, shape: ModelShape): Preset {
  const channels = PRESET_CHANNELS[name].map((c) => Math.max(1, Math.round(c * shape.width))) as Preset['channels'];
  const [c1, c2, c3, c4] = channels;
  const { bits, latentChannels: latent, hop } = shape;
  const strides = HOP_STRIDES[hop];
  const [s1, s2, s3] = strides;
  return {
    name,
    channels,
    latent,
    bits,
    sampleRate: MODEL_RATE,
    hop,
    strides,
    width: shape.width,
    encoder: [conv(1, c1, 7, 1, 3), ...down(c1, c2, s1), ...down(c2, c3, s2), ...down(c3, c4, s3), elu, conv(c4, latent, 3, 1, 1), { kind: 'tanh' }, { kind: 'quant', bits }],
    decoder: [conv(latent, c4, 3, 1, 1), ...up(c4, c3, s3), ...up(c3, c2, s2), ...up(c2, c1, s1), elu, conv(c1, 1, 7, 1, 3), { kind: 'tanh' }],
  };
}

export const PRESETS: Record<PresetName, Preset> = {
  small: makePreset('small', DEFAULT_SHAPE),
  tiny: makePreset('tiny', DEFAULT_SHAPE),
};

const wholeIn = (v: unknown, r: { min: number; max: number }) => typeof v === 'number' && Number.isInteger(v) && v >= r.min && v <= r.max;

/** Why `shape` cannot be built (the first bad setting), or null when it can. */
export function shapeProblem(shape: ModelShape): string | null {
  const { bits, latentChannels, hop, width } = shape;
  const b = SHAPE_LIMITS.bits;
  const l = SHAPE_LIMITS.latentChannels;
  const w = SHAPE_LIMITS.width;
  if (!wholeIn(bits, b)) return `bits must be a whole number from ${b.min} to ${b.max} (the quantizer's 2^bits levels), not ${describeValue(bits)}`;
  if (!wholeIn(latentChannels, l)) return `latent channels must be a whole number from ${l.min} to ${l.max}, not ${describeValue(latentChannels)}`;
  if (typeof hop !== 'number' || !Object.hasOwn(HOP_STRIDES, hop)) {
    return `hop must be one of ${HOPS.join(', ')} samples (the product of the down stages' strides: ${HOPS.map((h) => `${h} = ${HOP_STRIDES[h].join('x')}`).join(', ')}), not ${describeValue(hop)}`;
  }
  if (typeof width !== 'number' || !Number.isFinite(width) || width < w.min || width > w.max) {
    return `width must be a number from ${w.min} to ${w.max} (the factor on the preset's channel counts), not ${describeValue(width)}`;
  }
  return null;
}

/** The shape settings of a network. */
export function presetShape(p: Preset): ModelShape {
  return { bits: p.bits, latentChannels: p.latent, hop: p.hop, width: p.width };
}

const sameShape = (a: ModelShape, b: ModelShape) => (Object.keys(DEFAULT_SHAPE) as (keyof ModelShape)[]).every((k) => a[k] === b[k]);

/** Whether a network has its preset's own shape (the reference network, or its Setup B variant). */
export function hasDefaultShape(p: Preset): boolean {
  return sameShape(presetShape(p), DEFAULT_SHAPE);
}

/**
 * A preset with other shape settings: each one given replaces the preset's own. With none given (or
 * the defaults) it is the preset itself, exactly as reference-model.md defines it. Throws ShapeError
 * naming the first setting out of range.
 */
export function shapedPreset(base: PresetName | Preset, settings: Partial<ModelShape>): Preset {
  const name = typeof base === 'string' ? base : base.name;
  const own = typeof base === 'string' ? getPreset(base) : base;
  const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as Partial<ModelShape>;
  const shape: ModelShape = { ...presetShape(own), ...defined };
  const problem = shapeProblem(shape);
  if (problem) throw new ShapeError(problem);
  // The same shape: the network itself (a preset stays the one object PRESETS holds).
  return sameShape(shape, presetShape(own)) ? own : makePreset(name, shape);
}

/** The hops a Setup B decoder can take: those that divide a spectrogram frame into an even number of latent frames. */
export const SETUP_B_HOPS: readonly number[] = HOPS.filter((h) => STFT_HOP % h === 0 && (STFT_HOP / h) % 2 === 0);

/**
 * Setup B of a preset: the same encoder, quantizer and bit rate (so runs of both setups compare at
 * equal rate), and a decoder that works at the STFT's frame rate and predicts one spectrogram frame
 * per 256 samples:
 *   Conv(latent, c4, 3, pad 1); Res(c4); ELU; Conv(c4, c4, 2s, stride s, pad s/2); Res(c4); ELU; Conv(c4, F, 3, pad 1)
 * with s = 256 / hop: the strided convolution turns s latent frames into one STFT frame (at hop 64,
 * Conv(c4, c4, 8, stride 4, pad 2)). Like a down stage it needs s even, so the hop is one of
 * SETUP_B_HOPS; others are refused (ShapeError).
 * F is 513 bins (STFT) or 64 bands (mel). The last layer is linear (no tanh): its output v is a
 * level, dB = SPECTROGRAM_DB_SCALE v + SPECTROGRAM_DB_OFFSET[space] (src/nn/spectrogram-output.ts).
 */
export function setupBPreset(base: Preset, space: SpectrogramSpace, glIters: number): Preset {
  if (!SETUP_B_HOPS.includes(base.hop)) {
    throw new ShapeError(`Setup B turns ${STFT_HOP}-sample spectrogram frames out of an even number of latent frames, so its hop must be one of ${SETUP_B_HOPS.join(', ')}, not ${base.hop}`);
  }
  const c4 = base.channels[3];
  const s = STFT_HOP / base.hop;
  // The losses' own transform (src/losses/spaces.ts): n_fft 1024, hop 256; 64 mel bands.
  const bins = space === 'stft-db' ? STFT_N_FFT / 2 + 1 : MEL_BANDS.nMels;
  return {
    ...base,
    decoder: [conv(base.latent, c4, 3, 1, 1), { kind: 'res', c: c4 }, elu, conv(c4, c4, 2 * s, s, s / 2), { kind: 'res', c: c4 }, elu, conv(c4, bins, 3, 1, 1)],
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
  /** Nominal bit rate: frame rate x latent channels x bits, in kbit/s (every code sent as its bits). */
  bitrateKbps: number;
  bits: number;
  latentChannels: number;
  width: number;
  /** The down stages' strides, input side first. */
  strides: number[];
  /** Multiply-adds of the forward pass per second of audio (convolutions only). */
  macsPerSecond: { encoder: number; decoder: number; total: number };
}

/**
 * Multiply-adds per input audio sample of a list of layers (CodecGraph.forwardMacs counts the
 * same, per batch): `rate` is the length of the layers' input per audio sample (1 for the encoder,
 * 1/hop for the decoder). Each convolution costs Cout Cin K per output sample (per input sample for a
 * transposed one, which scatters each input over K outputs).
 */
export function macsPerSample(specs: readonly LayerSpec[], rate: number): number {
  let macs = 0;
  for (const s of specs) {
    if (s.kind === 'conv') {
      rate /= s.stride;
      macs += s.cout * s.cin * s.k * rate;
    } else if (s.kind === 'convT') {
      macs += s.cout * s.cin * s.k * rate;
      rate *= s.stride;
    } else if (s.kind === 'res') {
      macs += s.c * s.c * (3 + 1) * rate;
    }
  }
  return macs;
}

export function presetInfo(p: Preset): PresetInfo {
  const encoder = countParams(p.encoder);
  const decoder = countParams(p.decoder);
  const frameRateHz = p.sampleRate / p.hop;
  const encMacs = macsPerSample(p.encoder, 1) * p.sampleRate;
  const decMacs = macsPerSample(p.decoder, 1 / p.hop) * p.sampleRate;
  return {
    preset: p.name,
    params: { encoder, decoder, total: encoder + decoder },
    hopSamples: p.hop,
    frameRateHz,
    bitrateKbps: (frameRateHz * p.latent * p.bits) / 1000,
    bits: p.bits,
    latentChannels: p.latent,
    width: p.width,
    strides: [...p.strides],
    macsPerSecond: { encoder: Math.round(encMacs), decoder: Math.round(decMacs), total: Math.round(encMacs + decMacs) },
  };
}
