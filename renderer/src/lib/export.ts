// Saving audio as a WAV file: the native save dialog on the desktop, a download in the browser.
import { api, transport } from './api.js';
import type { AudioRef } from './types.js';

/** Returns a line for the student saying where the file went, or null if they cancelled. */
export async function exportWav(ref: AudioRef, suggestedName: string): Promise<string | null> {
  if (transport.desktop) {
    const r = await transport.desktop.saveAudioDialog(ref, suggestedName);
    return r ? `Saved ${r.path} (${(r.bytes / 1024).toFixed(0)} KiB)` : null;
  }
  const bytes = await api.audio(ref);
  const url = URL.createObjectURL(new Blob([bytes], { type: 'audio/wav' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = suggestedName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return `Downloaded ${suggestedName} (${(bytes.byteLength / 1024).toFixed(0)} KiB)`;
}

export function wavName(...parts: string[]): string {
  return `${parts.join('-').replace(/\.wav$/i, '').replace(/[^\w.-]+/g, '_')}.wav`;
}
