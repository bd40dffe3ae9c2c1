// The model-shape options train, lr-find and info share: --bits, --latent-channels, --hop, --width
// (src/nn/presets.ts ModelShape), each absent one the preset's own.
import { HOP_STRIDES, HOPS, SHAPE_LIMITS, type ModelShape } from '../nn/presets.js';
import { CliError } from './errors.js';

export const shapeOptions = {
  bits: { type: 'string' }, 'latent-channels': { type: 'string' }, hop: { type: 'string' }, width: { type: 'string' },
} as const;

const b = SHAPE_LIMITS.bits;
const l = SHAPE_LIMITS.latentChannels;
const w = SHAPE_LIMITS.width;

/** The options' lines of a command's --help (any preset; absent: the preset's own). */
export const shapeHelp = `  --bits B           bits per code, ${b.min} to ${b.max}: the quantizer's 2^B levels (default 4)
  --latent-channels C  codes per latent frame, ${l.min} to ${l.max} (default 8)
  --hop H            audio samples per latent frame (default 64), the down stages' strides:
                     ${HOPS.map((h) => `${h} = ${HOP_STRIDES[h].join('x')}`).join(', ')}
  --width W          multiply every channel count by W, ${w.min} to ${w.max} (default 1)`;

/** An option's value as a number (undefined when the option is absent). */
export function numberOption(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new CliError('BAD_ARGUMENTS', `--${name} needs a number, not '${String(v)}'`);
  return n;
}

/** The shape settings given on the command line (the absent ones left out). */
export function shapeFromOptions(v: Record<string, unknown>): Partial<ModelShape> {
  const shape: Partial<ModelShape> = {};
  for (const [key, opt] of [['bits', 'bits'], ['latentChannels', 'latent-channels'], ['hop', 'hop'], ['width', 'width']] as const) {
    const n = numberOption(v[opt], opt);
    if (n !== undefined) shape[key] = n;
  }
  return shape;
}

/** A bit rate as the CLI prints it: one decimal, three below 1 kbit/s. */
export function kbps(x: number): string {
  return `${x.toFixed(x >= 1 ? 1 : 3)} kbit/s`;
}

/** "nominal 12.0 kbit/s, entropy 7.3 kbit/s" (the entropy only when the evaluation has it). */
export function bitrateText(m: { bitrateKbps: number; entropyKbps?: number }): string {
  return `nominal ${kbps(m.bitrateKbps)}${m.entropyKbps === undefined ? '' : `, entropy ${kbps(m.entropyKbps)}`}`;
}
