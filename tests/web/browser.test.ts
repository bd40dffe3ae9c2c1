// The web host's page in a real browser (Debian's Chromium, driven by playwright-core). The token:
// the printed URL opens the lab, the token goes to sessionStorage and out of the address bar, a
// reload still works, and nothing of it ever reaches another server on 127.0.0.1 (a cookie would:
// browsers send a host name's cookies to every port of it). And a damaged run folder is shown with
// its reason without breaking the page. Skipped with the reason when Chromium or the renderer build
// is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startWebHost, type WebHost } from '../../src/web/host.js';
import { DEFAULT_CONFIG } from '../../src/train/config.js';
import { REPO, tempDir } from '../helpers.js';

// What page.evaluate runs in the page refers to the page's globals (the root tsconfig has no DOM library).
declare const sessionStorage: { getItem(key: string): string | null };
declare const document: { cookie: string };

const CHROMIUM = '/usr/bin/chromium';
const PAGE = path.join(REPO, 'dist', 'renderer', 'index.html');
const missing = [
  [CHROMIUM, 'Chromium is not installed at /usr/bin/chromium'],
  [PAGE, 'the renderer is not built (npm run build:renderer)'],
].find(([file]) => !existsSync(file));
if (missing) console.warn(`[browser] skipped: ${missing[1]}`);

/** Another server on 127.0.0.1, on another port: it records what browsers send it. */
interface Neighbour {
  server: http.Server;
  origin: string;
  seen: { url: string; headers: http.IncomingHttpHeaders }[];
}

function startNeighbour(): Promise<Neighbour> {
  const seen: Neighbour['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>neighbour</title><img src="/pixel.png">');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, seen, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

describe.skipIf(Boolean(missing))('the web page in a browser', () => {
  const runs = tempDir('codec-lab-browser-runs-');
  let host: WebHost;
  let neighbour: Neighbour;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // A finished run and a damaged one (config.json cut short) in the runs folder.
    const result = { runDir: 'x', status: 'completed', steps: 10, finalTrainLoss: 0.5, bestValLoss: 0.4, bestStep: 10, metrics: null };
    mkdirSync(path.join(runs.dir, 'sound-run'));
    writeFileSync(path.join(runs.dir, 'sound-run', 'config.json'), JSON.stringify(DEFAULT_CONFIG));
    writeFileSync(path.join(runs.dir, 'sound-run', 'metrics.json'), JSON.stringify(result));
    mkdirSync(path.join(runs.dir, 'damaged-run'));
    writeFileSync(path.join(runs.dir, 'damaged-run', 'config.json'), '{"preset": "sm');
    host = await startWebHost({ port: 0, runsDir: runs.dir });
    neighbour = await startNeighbour();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    context = await browser.newContext();
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await new Promise((r) => neighbour?.server.close(r));
    runs.cleanup();
  });

  const appReady = () => page.locator('[data-testid=app][data-ready=true]').waitFor({ timeout: 30_000 });

  it('opens the lab from the printed URL, keeps the token in sessionStorage and takes it out of the address bar', async () => {
    await page.goto(host.url);
    await appReady();
    expect(await page.locator('[data-testid=clip][data-ok=true]').count()).toBeGreaterThan(0);
    expect(page.url()).toBe(`http://127.0.0.1:${host.port}/`);
    expect(await page.evaluate(() => sessionStorage.getItem('codec-lab-token'))).toBe(host.token);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await context.cookies()).toEqual([]);
  });

  it('still works after a reload, with the token from sessionStorage', async () => {
    await page.reload();
    await appReady();
    expect(await page.locator('[data-testid=clip][data-ok=true]').count()).toBeGreaterThan(0);
    expect(await context.cookies()).toEqual([]);
  });

  it('shows a damaged run with its reason, apart from the runs it can compare, and the page keeps working', async () => {
    await page.locator('[data-testid=tab-compare]').click();
    const damaged = page.locator('[data-testid=damaged-runs] li[data-run=damaged-run]');
    await damaged.waitFor();
    expect(await damaged.textContent()).toMatch(/damaged, config\.json.*not JSON/);
    expect(await page.locator('[data-testid=run-row][data-run=sound-run]').count()).toBe(1);
    expect(await page.locator('[data-testid=run-row][data-run=damaged-run]').count()).toBe(0);
    await page.locator('[data-testid=tab-listen]').click();
    expect(await page.locator('option[value=damaged-run]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('sends nothing of the token to another server on 127.0.0.1', async () => {
    await page.goto(`${neighbour.origin}/`);
    await page.waitForLoadState('load');
    // Navigating there, and the page's own subresource, both reached it: the check below has something to look at.
    expect(neighbour.seen.map((r) => r.url)).toEqual(expect.arrayContaining(['/', '/pixel.png']));
    for (const r of neighbour.seen) {
      expect(r.headers.cookie, r.url).toBeUndefined();
      expect(JSON.stringify(r), r.url).not.toContain(host.token);
    }
    // That origin cannot read the lab's storage either: sessionStorage belongs to the lab's own origin.
    expect(await page.evaluate(() => sessionStorage.getItem('codec-lab-token'))).toBeNull();
  });
});
