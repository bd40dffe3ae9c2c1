// codec-lab inspect FILE...: what each file is, or why it is refused.
import { inspectFile, type InspectResult } from '../audio/inspect.js';
import { BUNDLED_CLIP } from '../assets.js';
import type { CommandContext } from './context.js';

export const inspectHelp = `Usage: codec-lab inspect [FILE...] [--json]

Reads each WAV file and prints its format, sample rate, channels and duration, or the reason it
is refused. Every file is read even when an earlier one fails. With no FILE, inspects the bundled clip.
Exit status: 0 when every file loaded, 1 when any was refused.

  --json   print one JSON array on stdout, one object per file, in order`;

function formatLine(r: InspectResult): string {
  if (!r.ok) return `${r.file}: refused (${r.error.code}): ${r.error.message}`;
  const line = `${r.file}: ${r.format}, ${r.sampleRate} Hz, ${r.channels} ch, ${r.durationSec.toFixed(3)} s (${r.frames} frames)`;
  return [line, ...(r.warnings ?? []).map((w) => `  warning: ${w}`)].join('\n');
}

export async function inspectCommand(ctx: CommandContext, files: string[], opts: { json: boolean }): Promise<number> {
  const targets = files.length ? files : [BUNDLED_CLIP];
  const results: InspectResult[] = [];
  for (const file of targets) {
    const r = await inspectFile(file);
    results.push(r);
    if (!opts.json) ctx.out(formatLine(r));
  }
  if (opts.json) ctx.out(JSON.stringify(results, null, 2));
  return results.every((r) => r.ok) ? 0 : 1;
}
