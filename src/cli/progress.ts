// A one-line progress display on stderr: redrawn in place on a terminal, a plain line every few
// seconds otherwise (CI logs, pipes), so it never floods a log and never touches stdout.
import { lossDbMeaning, lossInDb, type LossName } from '../losses/index.js';
import type { SpeedFigures } from '../eval/speed.js';

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '?';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

/** A value of loss `name` in dB, read as src/common/loss-scale.ts says (a dB loss as its own value). */
export const fmtDb = (name: LossName, loss: number | null | undefined): string =>
  loss === null || loss === undefined || !Number.isFinite(loss) ? '   -  ' : `${lossInDb(name, loss).toFixed(2)} dB`;

/** "mel-db-l1 as mean level error, dB" / "wave-l1 as 10·log₁₀(loss), dB": what the figures of a run's loss are. */
export const lossUnitNote = (name: LossName): string => `${name} shown as ${lossDbMeaning(name)}, dB`;

/** "encode 48x (41-52x), decode 45x (40-47x) real time, median of 5 timings on this machine". */
export function speedLine(s: SpeedFigures): string {
  const range = (r: [number, number]) => `${r[0].toFixed(0)}-${r[1].toFixed(0)}x`;
  return `encode ${s.encodeRtf.toFixed(0)}x (${range(s.encodeRange)}), decode ${s.decodeRtf.toFixed(0)}x (${range(s.decodeRange)}) real time, median of ${s.repeats} timing${s.repeats === 1 ? '' : 's'} on this machine`;
}

export class ProgressLine {
  private lastPlain = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly plainEveryMs = 5000,
  ) {}

  update(text: string, force = false): void {
    if (this.stream.isTTY) {
      const width = this.stream.columns || 100;
      this.stream.write(`\r${text.slice(0, width - 1).padEnd(Math.min(width - 1, text.length + 2))}`);
      this.drawn = true;
    } else if (force || Date.now() - this.lastPlain >= this.plainEveryMs) {
      this.stream.write(text + '\n');
      this.lastPlain = Date.now();
    }
  }

  /** Print a message on its own line, without breaking the progress line. */
  message(text: string): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.stream.write(text + '\n');
  }

  end(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

export function bar(fraction: number, width = 20): string {
  const n = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}
