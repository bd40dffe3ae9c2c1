// codec-lab info: what a network is: parameters, hop, frame rate, bit rate and work per second.
import { KernelCore } from '../kernels/core.js';
import { presetInfo, PRESETS, shapedPreset, ShapeError } from '../nn/presets.js';
import type { CommandContext } from './context.js';
import { CliError } from './errors.js';
import { kbps, shapeFromOptions, shapeHelp, shapeOptions } from './shape-options.js';

export const infoHelp = `Usage: codec-lab info [--preset P] [--bits B] [--latent-channels C] [--hop H] [--width W] [--json]

Shows a network's parameter counts, hop, latent frame rate, nominal bit rate (frame rate x latent
channels x bits) and multiply-adds per second of audio: a preset, or a preset with other settings.
  --preset P   ${Object.keys(PRESETS).join(' | ')} (default small)
${shapeHelp}
  --json       print one JSON object on stdout`;

export const infoOptions = { preset: { type: 'string' }, ...shapeOptions, json: { type: 'boolean' } } as const;

/** Millions, to one decimal. */
const mega = (n: number) => `${(n / 1e6).toFixed(1)} M`;

export async function infoCommand(ctx: CommandContext, _files: string[], v: Record<string, unknown>): Promise<number> {
  const name = typeof v.preset === 'string' ? v.preset : 'small';
  if (!Object.hasOwn(PRESETS, name)) throw new CliError('BAD_ARGUMENTS', `unknown preset '${name}'; choose one of ${Object.keys(PRESETS).join(', ')}`);
  let p;
  try {
    p = shapedPreset(PRESETS[name as keyof typeof PRESETS], shapeFromOptions(v));
  } catch (e) {
    if (e instanceof ShapeError) throw new CliError('BAD_ARGUMENTS', e.message);
    throw e;
  }
  // Which kernel build this runtime runs (the fused multiply-add one where it validates: src/kernels/core.ts).
  const kernelBuild = KernelCore.create().build;
  const info = { ...presetInfo(p), kernelBuild };
  if (v.json) {
    ctx.out(JSON.stringify(info, null, 2));
    return 0;
  }
  const macs = info.macsPerSecond;
  ctx.out(
    [
      `preset ${info.preset}: channels ${p.channels.join(', ')}${p.width === 1 ? '' : ` (width ${p.width})`}, latent ${p.latent} x ${p.bits} bits`,
      `parameters: encoder ${info.params.encoder.toLocaleString('en')}, decoder ${info.params.decoder.toLocaleString('en')}, total ${info.params.total.toLocaleString('en')}`,
      `hop ${info.hopSamples} samples (strides ${p.strides.join(' x ')}) at ${p.sampleRate} Hz -> ${info.frameRateHz} frames/s x ${p.latent} x ${p.bits} bits = ${kbps(info.bitrateKbps)} nominal`,
      `multiply-adds per second of audio: encoder ${mega(macs.encoder)}, decoder ${mega(macs.decoder)}, total ${mega(macs.total)} (${Math.round(macs.total / p.sampleRate).toLocaleString('en')} per sample)`,
      `kernel build: ${kernelBuild === 'relaxed' ? 'relaxed SIMD (fused multiply-add)' : '128-bit SIMD'} (CODEC_LAB_KERNELS=simd or relaxed chooses)`,
    ].join('\n'),
  );
  return 0;
}
