// The session and web-contents hardening of the desktop shell, from Electron's security checklist
// (https://www.electronjs.org/docs/latest/tutorial/security). main.ts applies it; it takes the
// Electron objects as parameters (types only here), so the tests check it with fakes. The window's
// own webPreferences are written out in main.ts, where electronegativity can read them.
import type { Session, WebContents } from 'electron';
import { APP_SCHEME, isAppPageUrl } from './app-protocol.js';

/** URL schemes the app's pages may load anything from. Everything else (http, https, ws, file, ...) is cancelled. */
const ALLOWED_SCHEMES = new Set([`${APP_SCHEME}:`, 'devtools:', 'blob:', 'data:']);

export function isAllowedRequest(url: string): boolean {
  try {
    return ALLOWED_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** Drops any Content-Security-Policy header already present, whatever its case, before ours is set. */
function withoutCsp(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() !== 'content-security-policy') out[k] = v;
  return out;
}

/**
 * The session: no remote content, a Content-Security-Policy on every app:// page, no permissions.
 * The page needs none of Chromium's permissions: Web Audio playback is not one, and files come
 * through the native dialogs, not the page.
 */
export function hardenSession(ses: Session): void {
  // "Only load secure content" and "Do not enable Node.js integration for remote content", taken
  // further: nothing from the network at all. The page is local; a request to any other scheme
  // means something (a stray link, an injected tag) is trying to reach out.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url);
    if (!allowed) console.warn(`codec-lab: blocked a request to ${details.url.slice(0, 200)}`);
    callback({ cancel: !allowed });
  });
  // "Define a Content-Security-Policy". The app:// handler in main.ts already sends this policy
  // (CONTENT_SECURITY_POLICY in app-protocol.ts, which a test holds equal to the string below);
  // setting it here as well covers any response on app:// that does not come from that handler.
  // The string is written out in place so that electronegativity can read and evaluate it.
  // electronegativity CSP_GLOBAL_CHECK (LOW) flags script-src 'self' because an origin that also
  // serves JSONP, Angular templates or user uploads would let those run as script. app://codec-lab
  // serves only the built renderer bundle from dist/renderer, read-only, so 'self' is that bundle.
  ses.webRequest.onHeadersReceived((details, callback) => {
    if (!details.url.startsWith(`${APP_SCHEME}:`)) return callback({});
    callback({
      responseHeaders: {
        ...withoutCsp(details.responseHeaders),
        'Content-Security-Policy': ["default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self'; worker-src 'none'; connect-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"],
      },
    });
  });
  // "Handle session permission requests from remote content": refuse every permission request
  // (camera, microphone, notifications, geolocation, clipboard, fullscreen, MIDI, ...) and answer
  // every permission check with no.
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // WebHID, WebUSB and Web Serial device access: none.
  ses.setDevicePermissionHandler(() => false);
}

/**
 * "Disable or limit navigation", "Disable or limit creation of new windows", "Verify WebView
 * options before creation", for every web contents the app creates: the page may reload itself
 * but never navigate elsewhere, never open a window and never attach a <webview>. Developer tools
 * (devtools:// pages) keep working.
 */
export function hardenWebContents(contents: WebContents): void {
  const mayNavigate = (url: string) => isAppPageUrl(url) || url.startsWith('devtools://');
  contents.on('will-navigate', (event, url) => {
    if (!mayNavigate(url)) {
      event.preventDefault();
      console.warn(`codec-lab: blocked navigation to ${url.slice(0, 200)}`);
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!mayNavigate(url)) event.preventDefault();
  });
  // Subframes too: the page has no iframes, so none may navigate anywhere but the app.
  contents.on('will-frame-navigate', (event) => {
    if (!mayNavigate(event.url)) event.preventDefault();
  });
  // The app has no links that open windows; window.open or target=_blank is refused rather than
  // handed to the system browser ("Do not use shell.openExternal with untrusted content").
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
