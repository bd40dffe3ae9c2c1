// Which transport the lab bench talks through: the desktop shell's preload API on
// `window.codecLab`, or the web host over HTTP with the token the page was opened with (pageToken).
import type { DesktopApi, DesktopExtras, LabApi } from './types.js';
import { LabError, pageToken, WebClient } from './web-client.js';

declare global {
  interface Window {
    codecLab?: DesktopApi;
  }
}

export { LabError };

export interface Transport {
  api: LabApi;
  /** Native dialogs, on the desktop only. */
  desktop: DesktopExtras | null;
  kind: 'desktop' | 'web';
  /** The web client, to hear about event-stream reconnects (web only). */
  web: WebClient | null;
}

function pick(): Transport {
  const d = typeof window !== 'undefined' ? window.codecLab : undefined;
  if (d) return { api: d, desktop: d, kind: 'desktop', web: null };
  const web = new WebClient(pageToken());
  return { api: web, desktop: null, kind: 'web', web };
}

export const transport: Transport = pick();
export const api: LabApi = transport.api;

/** The code and message of anything thrown by an API call (the desktop IPC loses the class, not the fields). */
export function describeError(e: unknown): { code: string; message: string } {
  if (e && typeof e === 'object') {
    const o = e as { code?: unknown; message?: unknown };
    const msg = typeof o.message === 'string' ? o.message : String(e);
    // Electron prefixes errors crossing IPC with "Error invoking remote method '...': ".
    const clean = msg.replace(/^Error invoking remote method '[^']+': (\w*Error: )?/, '');
    const m = /^([A-Z][A-Z_]+): (.*)$/s.exec(clean);
    if (typeof o.code === 'string') return { code: o.code, message: clean };
    if (m) return { code: m[1], message: m[2] };
    return { code: 'ERROR', message: clean };
  }
  return { code: 'ERROR', message: String(e) };
}
