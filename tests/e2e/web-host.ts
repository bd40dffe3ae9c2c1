// What the end-to-end tests share: the built web host they start, and the Chromium they drive.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO, tempDir } from '../helpers.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HOST = path.join(REPO, 'dist', 'web', 'main.js');
export const PAGE = path.join(REPO, 'dist', 'renderer', 'index.html');

/** Start the web host and read its one stdout line, `Codec Lab: http://127.0.0.1:PORT/?token=TOKEN`. */
export function startHost(runsDir: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [HOST, '--port', '0', '--runs', runsDir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`web host did not print its URL in 20 s; stderr: ${err}`)), 20_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Codec Lab: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1] });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web host exited with ${code}; stderr: ${err}`));
    });
  });
}

/** Stop a host started by startHost: SIGTERM (it stops its trainings, which save their weights), then wait up to 15 s for it to exit. */
export async function stopHost(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
}

/** Chromium's flags for the tests: no sandbox or GPU in CI containers, nothing fetched, audio may start without a click. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--autoplay-policy=no-user-gesture-required',
];

/**
 * Open the lab bench at `url` in Debian's Chromium, wait until it is ready, and collect the page's
 * errors and failed API calls into `errors` (each test ends by expecting none).
 */
export async function openLab(url: string, viewport: { width: number; height: number }, errors: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await (await browser.newContext({ viewport })).newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', async (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${new URL(r.url()).pathname} -> ${await r.text().catch(() => '')}`);
  });
  await page.goto(url);
  await page.locator('[data-testid=app][data-ready=true]').waitFor({ timeout: 30_000 });
  return { browser, page };
}

/**
 * One suite's lab: a fresh runs folder (`runs`), and on `open` the web host on it and Chromium on
 * the page (its errors collected in `errors`); `close` ends both and removes the folder. Fill the
 * runs folder before `open` if the suite needs runs from the start.
 */
export function labSession(prefix: string) {
  const runs = tempDir(prefix);
  const errors: string[] = [];
  let browser: Browser | undefined;
  let host: ChildProcess | undefined;
  return {
    runs,
    errors,
    async open(viewport: { width: number; height: number }): Promise<{ page: Page; browser: Browser }> {
      const started = await startHost(runs.dir);
      host = started.proc;
      const opened = await openLab(started.url, viewport, errors);
      browser = opened.browser;
      return opened;
    },
    async close(): Promise<void> {
      await browser?.close();
      await stopHost(host);
      runs.cleanup();
    },
  };
}

/** Why the end-to-end tests cannot run here (said once, by `suite`), or null when they can. */
export function missingForE2e(suite: string): string | null {
  const missing = [
    [CHROMIUM, 'Chromium is not installed at /usr/bin/chromium'],
    [HOST, 'the web host is not built (npm run build:ts)'],
    [PAGE, 'the renderer is not built (npm run build:renderer)'],
  ].find(([file]) => !existsSync(file));
  if (missing) console.warn(`[e2e ${suite}] skipped: ${missing[1]}`);
  return missing ? missing[1] : null;
}
