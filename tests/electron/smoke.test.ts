// The desktop app for real: Electron started by Playwright, the window's page and the main process
// inspected. Runs only where an Electron binary is installed (npm install downloads one, except
// where the network allows only the npm registry); elsewhere it is skipped with the reason printed.
// It never require()s the 'electron' package, whose index.js would try to download the binary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { CONTENT_SECURITY_POLICY } from '../../electron/app-protocol.js';
import { REPO, tempDir } from '../helpers.js';

/** The Electron executable, found as node_modules/electron/index.js would find it, or why there is none. */
function electronBinary(): { path: string } | { missing: string } {
  const pkg = path.join(REPO, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { missing: `${path.relative(REPO, pathFile)} does not exist (the electron package's postinstall could not download the binary)` };
  const relative = readFileSync(pathFile, 'utf8').trim();
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkg, 'dist');
  const binary = path.join(dist, relative);
  if (!existsSync(binary)) return { missing: `${binary} does not exist` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { missing: 'no display on this Linux machine (run the tests under xvfb-run)' };
  return { path: binary };
}

const found = electronBinary();
const skipReason = 'missing' in found ? found.missing : null;
if (skipReason) console.log(`tests/electron/smoke.test.ts skipped: no Electron binary to run: ${skipReason}`);

describe.skipIf(skipReason !== null)(`the desktop app${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  // Made in beforeAll: a skipped describe still runs its body to collect the tests.
  let data: ReturnType<typeof tempDir> | undefined;
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    for (const f of ['dist/electron/main.js', 'dist/electron/preload.cjs', 'dist/renderer/index.html', 'dist/api/service.js']) {
      if (!existsSync(path.join(REPO, f))) throw new Error(`${f} is missing: run \`npm run build\` before the smoke test`);
    }
    data = tempDir('codec-lab-smoke-');
    app = await _electron.launch({
      executablePath: (found as { path: string }).path,
      // Chromium refuses to start as root with its sandbox on (containers, CI images); only there is
      // the OS-level sandbox switched off, the app's own settings stay as they are.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), REPO],
      cwd: REPO,
      env: { ...process.env, CODEC_LAB_USER_DATA: data.dir } as Record<string, string>,
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 90_000);

  afterAll(async () => {
    await app?.close();
    data?.cleanup();
  });

  it('shows the lab bench from app://, not file://', () => {
    expect(page.url()).toBe('app://codec-lab/index.html');
  });

  it('runs the page isolated and sandboxed: no Node, only window.codecLab', async () => {
    // (These functions run in the page; the tests are compiled without the DOM types, hence globalThis.)
    const seen = await page.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>;
      return { require: typeof w.require, process: typeof w.process, ipcRenderer: typeof w.ipcRenderer, api: Object.keys((w.codecLab as object) ?? {}).sort() };
    });
    expect(seen).toMatchObject({ require: 'undefined', process: 'undefined', ipcRenderer: 'undefined' });
    expect(seen.api).toEqual(expect.arrayContaining(['listLibrary', 'openFilesDialog', 'saveAudioDialog', 'subscribe', 'startTraining']));
    expect(seen.api).not.toContain('invoke');
  });

  it('serves the engine through the API, with the bundled clip loaded', async () => {
    const library = await page.evaluate(() => (globalThis as unknown as { codecLab: { listLibrary(): Promise<{ bundled?: boolean; ok: boolean }[]> } }).codecLab.listLibrary());
    expect(library.some((e) => e.ok && e.bundled)).toBe(true);
    const refused = await page.evaluate(() =>
      (globalThis as unknown as { codecLab: { removeClip(id: unknown): Promise<void> } }).codecLab.removeClip('../../etc').then(
        () => null,
        (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
      ),
    );
    expect(refused).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('sends its Content-Security-Policy and serves nothing outside dist/renderer', async () => {
    const r = await page.evaluate(async () => {
      const index = await fetch('app://codec-lab/index.html');
      const outside = await fetch('app://codec-lab/%2e%2e/%2e%2e/package.json');
      return { csp: index.headers.get('content-security-policy'), outside: outside.status };
    });
    expect(r.csp).toBe(CONTENT_SECURITY_POLICY);
    expect(r.outside).toBe(404);
  });

  it('loads nothing remote, opens no windows and does not navigate away', async () => {
    const remote = await page.evaluate(() => fetch('https://example.com/').then(() => 'loaded', () => 'blocked'));
    expect(remote).toBe('blocked');
    expect(await page.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/') === null)).toBe(true);
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe('app://codec-lab/index.html');
    expect(app.windows()).toHaveLength(1);
  });
});
