// codec-lab info: what a preset is: parameters, frame rate, bit rate.
import { getPreset, presetInfo, PRESETS } from '../nn/presets.js';
import type { CommandContext } from './context.js';
import { CliError } from './errors.js';

export const infoHelp = `Usage: codec-lab info [--preset P] [--json]

Shows a preset's parameter counts, hop, latent frame rate and bit rate.
  --preset P   ${Object.keys(PRESETS).join(' | ')} (default small)
  --json       print one JSON object on stdout`;

export async function infoCommand(ctx: CommandContext, _files: string[], v: Record<string, unknown>): Promise<number> {
  const name = typeof v.preset === 'string' ? v.preset : 'small';
  if (!Object.hasOwn(PRESETS, name)) throw new CliError('BAD_ARGUMENTS', `unknown preset '${name}'; choose one of ${Object.keys(PRESETS).join(', ')}`);
  const p = getPreset(name);
  const info = presetInfo(p);
  if (v.json) {
    ctx.out(JSON.stringify(info, null, 2));
    return 0;
  }
  ctx.out(
    [
      `preset ${info.preset}: channels ${p.channels.join(', ')}, latent ${p.latent} x ${p.bits} bits`,
      `parameters: encoder ${info.params.encoder.toLocaleString('en')}, decoder ${info.params.decoder.toLocaleString('en')}, total ${info.params.total.toLocaleString('en')}`,
      `hop ${info.hopSamples} samples at ${p.sampleRate} Hz -> ${info.frameRateHz} frames/s x ${p.latent} x ${p.bits} bits = ${info.bitrateKbps} kbit/s`,
    ].join('\n'),
  );
  return 0;
}
