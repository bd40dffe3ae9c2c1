// Saving audio as a WAV file: the native save dialog on the desktop, a download in the browser; the
// format the student chose (remembered across visits) and a short file name that says what it holds.
import { api, transport } from './api.js';
import type { AudioRef, ExportOptions } from './types.js';
import { DEFAULT_EXPORT, EXPORT_RATES, EXPORT_SAMPLE_FORMATS } from '../../../src/common/export-options.js';

/** Returns a line for the student saying where the file went, or null if they cancelled. */
export async function exportWav(ref: AudioRef, suggestedName: string, opts: ExportOptions): Promise<string | null> {
  if (transport.desktop) {
    const r = await transport.desktop.saveAudioDialog(ref, suggestedName, opts);
    return r ? `Saved ${r.path} (${(r.bytes / 1024).toFixed(0)} KiB)${clippedNote(r.clipped)}` : null;
  }
  const bytes = await api.audio(ref, opts);
  downloadBlob(new Blob([bytes], { type: 'audio/wav' }), suggestedName);
  return `Downloaded ${suggestedName} (${(bytes.byteLength / 1024).toFixed(0)} KiB)`;
}

/** Hand `blob` to the browser as a download named `name` (the page has no other way to write a file). */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function clippedNote(clipped: number | undefined): string {
  return clipped ? `; ${clipped} sample${clipped === 1 ? ' was' : 's were'} beyond full scale and clipped (32-bit float keeps them)` : '';
}

/** `hz` as a file name writes it: 24000 -> 24k, 44100 -> 44.1k, 22050 -> 22.05k. */
export function rateTag(hz: number): string {
  return `${Number((hz / 1000).toFixed(3))}k`;
}

/**
 * A piece of a file name: letters (accents dropped), digits, '_' and '-' only, no leading or trailing
 * '-', at most `max` characters. Nothing a file system, a shell or a URL finds awkward.
 */
function namePart(s: string, max: number): string {
  const plain = s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\w-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
  return plain.slice(0, max).replace(/-+$/, '') || 'audio';
}

/** What a run is, from its id: `<stamp>-<preset>[-B]-<loss>[-n]` (src/runs/run-dir.ts newRunName) without the stamp. */
function runPart(runId: string): string {
  return namePart(runId.replace(/^\d{8}-\d{6}-/, ''), 40);
}

/**
 * A short file name for an export: what was heard (a clip's name without its extension, or e.g.
 * `test-split`), the run (preset, `-B` for Setup B, loss), what it is, the rate and the sample format:
 * `piano.tiny-mel-db-l1.recon.24k-f32.wav`.
 */
export function exportFileName(o: { source: string; runId: string; what: string; sampleRate: number; opts: ExportOptions }): string {
  const stem = namePart(o.source.replace(/\.wav$/i, ''), 32);
  const format = o.opts.sampleFormat === 'pcm16' ? 's16' : 'f32';
  return `${stem}.${runPart(o.runId)}.${namePart(o.what, 16)}.${rateTag(o.sampleRate)}-${format}.wav`;
}

const CHOICE_KEY = 'codec-lab-export';

/** The export format chosen last time (known values only), or the default: 32-bit float at 24 kHz. */
export function savedExportChoice(): ExportOptions {
  try {
    const saved = JSON.parse(localStorage.getItem(CHOICE_KEY) ?? 'null') as Partial<ExportOptions> | null;
    return {
      sampleFormat: EXPORT_SAMPLE_FORMATS.find((f) => f === saved?.sampleFormat) ?? DEFAULT_EXPORT.sampleFormat,
      rate: EXPORT_RATES.find((r) => r === saved?.rate) ?? DEFAULT_EXPORT.rate,
    };
  } catch {
    return { ...DEFAULT_EXPORT };
  }
}

export function saveExportChoice(o: ExportOptions): void {
  try {
    localStorage.setItem(CHOICE_KEY, JSON.stringify(o));
  } catch {
    // Storage full or disabled: the choice then lasts as long as the page.
  }
}
