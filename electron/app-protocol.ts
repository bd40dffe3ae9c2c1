// The app's own origin, app://codec-lab/, and the rules for what it serves. The window loads the
// renderer from this custom scheme rather than from file:// because a file:// page may read every
// other file on the disk (Electron's security checklist: "Avoid usage of the file:// protocol and
// prefer usage of custom protocols"): a page served here can fetch only the files of
// dist/renderer, and Chromium treats it as one secure origin of its own.
// Nothing in this file needs Electron at run time, so the tests exercise it directly.
import path from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'codec-lab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * The Content-Security-Policy of every response on app://. `default-src 'none'` and then only what
 * the lab bench uses, all from its own origin:
 * - scripts: the Vite bundle only; no inline script, no eval, and no 'wasm-unsafe-eval' because the
 *   renderer compiles no WebAssembly (the WASM kernels run in the engine's worker thread, in main);
 * - styles: 'unsafe-inline' because Svelte and uPlot set inline styles; styles cannot run script;
 * - images and media: blob: and data: for spectrogram canvases exported as images and for audio
 *   elements playing WAV bytes the API returned; the Web Audio API itself needs no source;
 * - workers: none; the page starts no worker (its views are computed by the engine, in main's worker
 *   threads), so a script that got in could not start one either;
 * - connect: its own origin only (the API goes through IPC, not the network).
 * The renderer's index.html carries the same rules in a <meta> tag for the web host; where both
 * apply a browser enforces both, so this header can only narrow what the page may do.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "worker-src 'none'",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.wasm': 'application/wasm',
};

/** The Content-Type for a file the protocol serves; unknown kinds are plain bytes, never sniffed. */
export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** True if `url` is the app's own page: app://codec-lab/ or app://codec-lab/index.html, any query or hash. */
export function isAppPageUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && (u.pathname === '/' || u.pathname === '/index.html') && !u.username && !u.password;
}

/**
 * The file under `root` that an app:// URL names, or null if it names none: another host, an
 * encoded path that climbs out of `root` (`/..%2f..%2fetc/passwd`), a NUL byte, a backslash
 * (a separator on Windows). `/` serves index.html. The caller still has to check that the file
 * exists; this decides only which files may be asked for.
 */
export function resolveAppFile(url: string, root: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  if (rel === '/' || rel === '') rel = '/index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, '.' + path.posix.normalize(rel));
  // path.relative rather than startsWith: '/app/renderer-evil' starts with '/app/renderer'.
  const inside = path.relative(base, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return null;
  return file;
}
