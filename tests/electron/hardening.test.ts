// The shell's hardening, with fakes for the Electron objects: what app:// serves, the CSP, the
// session's request and permission rules, navigation and new windows, and the menu.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { APP_INDEX_URL, CONTENT_SECURITY_POLICY, isAppPageUrl, mimeType, resolveAppFile } from '../../electron/app-protocol.js';
import { hardenSession, hardenWebContents, isAllowedRequest } from '../../electron/security.js';
import { menuTemplate } from '../../electron/menu.js';
import type { Session, WebContents, MenuItemConstructorOptions } from 'electron';
import { FakeSession, FakeWebContents, preventable } from './fakes.js';
import { REPO } from '../helpers.js';

const ROOT = path.join(path.sep, 'opt', 'codec-lab', 'dist', 'renderer');

describe('app:// protocol', () => {
  it('serves index.html for the root and files under dist/renderer', () => {
    expect(resolveAppFile('app://codec-lab/', ROOT)).toBe(path.join(ROOT, 'index.html'));
    expect(resolveAppFile(APP_INDEX_URL, ROOT)).toBe(path.join(ROOT, 'index.html'));
    expect(resolveAppFile('app://codec-lab/assets/index-3f2a.js?v=1#x', ROOT)).toBe(path.join(ROOT, 'assets', 'index-3f2a.js'));
    expect(resolveAppFile('app://codec-lab/assets/a%20b.css', ROOT)).toBe(path.join(ROOT, 'assets', 'a b.css'));
  });

  it('never resolves outside dist/renderer', () => {
    const escapes = [
      'app://codec-lab/../../../etc/passwd',
      'app://codec-lab/%2e%2e/%2e%2e/etc/passwd',
      'app://codec-lab/..%2f..%2f..%2fetc%2fpasswd',
      'app://codec-lab/assets/..%2f..%2f..%2f..%2fhome',
    ];
    for (const url of escapes) {
      const file = resolveAppFile(url, ROOT);
      // Either refused, or (after normalisation) a path that is still inside the root.
      if (file !== null) expect(path.relative(ROOT, file).startsWith('..'), `${url} -> ${file}`).toBe(false);
    }
    expect(resolveAppFile('app://codec-lab/..%5c..%5cwindows%5cwin.ini', ROOT)).toBeNull();
    expect(resolveAppFile('app://codec-lab/index.html%00.png', ROOT)).toBeNull();
    expect(resolveAppFile('app://codec-lab/%E0%A4%A', ROOT)).toBeNull();
    expect(resolveAppFile('app://other-host/index.html', ROOT)).toBeNull();
    expect(resolveAppFile('file:///etc/passwd', ROOT)).toBeNull();
    expect(resolveAppFile('not a url', ROOT)).toBeNull();
  });

  it('labels what it serves and sniffs nothing', () => {
    expect(mimeType('/a/index.html')).toBe('text/html; charset=utf-8');
    expect(mimeType('/a/x.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeType('/a/x.css')).toBe('text/css; charset=utf-8');
    expect(mimeType('/a/x.unknown')).toBe('application/octet-stream');
  });

  it('knows its own page', () => {
    expect(isAppPageUrl('app://codec-lab/index.html')).toBe(true);
    expect(isAppPageUrl('app://codec-lab/')).toBe(true);
    expect(isAppPageUrl('app://codec-lab/index.html?x=1#y')).toBe(true);
    for (const url of ['app://codec-lab/other.html', 'app://codec-lab.evil/index.html', 'https://codec-lab/index.html', 'file:///index.html', 'javascript:alert(1)', '']) {
      expect(isAppPageUrl(url), url).toBe(false);
    }
  });
});

describe('Content-Security-Policy', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));

  it('starts from nothing and allows scripts only from the app itself', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    // No eval of any kind: the renderer compiles no WebAssembly (the kernels run in main's worker).
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|wasm-unsafe-eval|unsafe-hashes|strict-dynamic/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*/);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    // The page starts no worker: its views are computed by the engine.
    expect(directives.get('worker-src')).toEqual(["'none'"]);
  });

  it('is the same policy in the protocol handler and in the session header hook', () => {
    const ses = new FakeSession();
    hardenSession(ses as unknown as Session);
    const answer = FakeSession.answer(ses.headersReceived, {
      url: 'app://codec-lab/index.html',
      responseHeaders: { 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] },
    });
    // The page's own (weaker) header is replaced, not merely joined by ours.
    expect(answer.responseHeaders).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(FakeSession.answer(ses.headersReceived, { url: 'devtools://devtools/bundled/x.js', responseHeaders: {} })).toEqual({});
  });

  it("is at least as strict as the renderer's own <meta> policy (where both apply, a browser enforces both)", () => {
    const html = readFileSync(path.join(REPO, 'renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    if (!meta) return; // the renderer sets none: ours alone applies
    const theirs = new Map(meta[1].split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    for (const [name, values] of directives) {
      if (name === 'default-src' || !theirs.has(name) && !theirs.has('default-src')) continue;
      const allowed = theirs.get(name) ?? theirs.get('default-src')!;
      // Each source we allow, they allow too ('none' allows nothing, so it fits anything).
      for (const v of values.filter((x) => x !== "'none'")) expect(allowed, `${name} ${v}`).toContain(v);
    }
  });
});

describe('session', () => {
  const ses = new FakeSession();
  hardenSession(ses as unknown as Session);

  it('cancels every request that is not to the app itself', () => {
    for (const url of ['https://example.com/x.js', 'http://127.0.0.1:8080/', 'ws://localhost/', 'file:///etc/passwd', 'ftp://x/']) {
      expect(FakeSession.answer(ses.beforeRequest, { url }), url).toEqual({ cancel: true });
    }
    for (const url of ['app://codec-lab/index.html', 'app://codec-lab/assets/x.js', 'devtools://devtools/bundled/inspector.html', 'blob:app://codec-lab/1234', 'data:image/png;base64,AAAA']) {
      expect(FakeSession.answer(ses.beforeRequest, { url }), url).toEqual({ cancel: false });
    }
    expect(isAllowedRequest('::not a url')).toBe(false);
  });

  it('refuses every permission request and check', () => {
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'clipboard-sanitized-write', 'fullscreen', 'midiSysex', 'openExternal']) {
      let granted: boolean | undefined;
      ses.permissionRequest!({}, permission, (g) => (granted = g));
      expect(granted, permission).toBe(false);
      expect(ses.permissionCheck!({}, permission, 'app://codec-lab', {}), permission).toBe(false);
    }
    expect(ses.devicePermission!({ deviceType: 'usb' })).toBe(false);
  });
});

describe('web contents', () => {
  const contents = new FakeWebContents();
  hardenWebContents(contents as unknown as WebContents);

  it('lets the page reload itself but navigate nowhere else', () => {
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://codec-lab/other.html', 'app://evil/index.html', 'javascript:alert(1)']) {
      for (const name of ['will-navigate', 'will-redirect']) {
        const e = preventable();
        contents.emit(name, e, url);
        expect(e.prevented, `${name} ${url}`).toBe(true);
      }
      const frame = preventable({ url });
      contents.emit('will-frame-navigate', frame);
      expect(frame.prevented, `will-frame-navigate ${url}`).toBe(true);
    }
    for (const url of ['app://codec-lab/index.html', 'app://codec-lab/', 'devtools://devtools/bundled/inspector.html']) {
      const e = preventable();
      contents.emit('will-navigate', e, url);
      expect(e.prevented, url).toBe(false);
    }
  });

  it('denies every new window and every <webview>', () => {
    expect(contents.windowOpenHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: APP_INDEX_URL })).toEqual({ action: 'deny' });
    const e = preventable();
    contents.emit('will-attach-webview', e, {}, {});
    expect(e.prevented).toBe(true);
  });
});

describe('application menu', () => {
  const clicked: string[] = [];
  const actions = { openFiles: () => clicked.push('open'), exportReconstruction: () => clicked.push('export'), about: () => clicked.push('about') };
  const items = (m: MenuItemConstructorOptions) => (m.submenu ?? []) as MenuItemConstructorOptions[];
  const click = (item: MenuItemConstructorOptions | undefined) => (item!.click as () => void)();

  it('has File, Edit, View, Window and Help, with the lab commands and Quit', () => {
    const menu = menuTemplate(actions, { isMac: false, devTools: false });
    expect(menu.map((m) => m.label ?? m.role)).toEqual(['&File', 'editMenu', '&View', 'windowMenu', 'help']);
    const file = items(menu[0]);
    expect(file.map((i) => i.label ?? i.role ?? i.type)).toEqual(['Open WAV Files…', 'Export Reconstruction…', 'separator', 'Quit']);
    expect(file[3].role).toBe('quit');
    click(file[0]);
    click(file[1]);
    const help = items(menu[4]);
    expect(help.map((i) => i.label)).toEqual(['About Codec Lab']);
    click(help[0]);
    expect(clicked).toEqual(['open', 'export', 'about']);
  });

  it('shows developer tools only in development', () => {
    const roles = (devTools: boolean) => items(menuTemplate(actions, { isMac: false, devTools })[2]).map((i) => i.role);
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(true)).toContain('toggleDevTools');
  });

  it('follows macOS conventions on macOS', () => {
    const menu = menuTemplate(actions, { isMac: true, devTools: false });
    expect(menu[0].role).toBe('appMenu');
    expect(items(menu[1]).at(-1)!.role).toBe('close');
  });
});
