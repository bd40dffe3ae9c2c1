// Numbers as the student reads them.
import { lossInDb, type LossName } from '../../../src/common/loss-scale.js';

export function fmtDb(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (v === -Infinity) return '−∞ dB';
  return `${v.toFixed(digits).replace('-', '−')} dB`;
}

/** A value of loss `name` in dB, read as the engine reads it (src/common/loss-scale.ts). */
export function fmtLoss(name: LossName, loss: number | null | undefined, digits = 2): string {
  return loss === null || loss === undefined ? '–' : fmtDb(lossInDb(name, loss), digits);
}

export function fmtDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '–';
  if (sec < 10) return `${sec.toFixed(2)} s`;
  if (sec < 60) return `${sec.toFixed(1)} s`;
  const m = Math.floor(sec / 60);
  const s = Math.round(sec - m * 60);
  return `${m}:${String(s).padStart(2, '0')}`;
}

export function fmtEta(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '–';
  if (sec < 60) return `${Math.ceil(sec)} s`;
  const m = Math.floor(sec / 60);
  const s = Math.round(sec % 60);
  if (m < 60) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function fmtRate(hz: number): string {
  return hz % 1000 === 0 ? `${hz / 1000} kHz` : `${(hz / 1000).toFixed(hz % 100 === 0 ? 1 : 3)} kHz`;
}

export function fmtChannels(n: number): string {
  return n === 1 ? 'mono' : n === 2 ? 'stereo' : `${n} ch`;
}

export function fmtLr(lr: number): string {
  return lr.toExponential(1).replace('e-', 'e−');
}

export function fmtGainDb(g: number): string {
  const db = 20 * Math.log10(g);
  return `${db >= 0 ? '+' : '−'}${Math.abs(db).toFixed(1)} dB`;
}

/** A run id is `YYYYMMDD-HHMMSS-preset-loss`: shown shorter, with the time. */
export function shortRun(id: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-(.*)$/.exec(id);
  return m ? `${m[7]} · ${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}` : id;
}

/**
 * A clip as a run records it, by its file's name: the command line records the path it was given
 * (/home/…/take3.wav), the app the library's name; the full path stays in the cell's tooltip.
 */
export function clipFileName(recorded: string): string {
  return recorded.split(/[\\/]/).pop() || recorded;
}
