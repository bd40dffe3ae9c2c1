// The lab bench end to end: the real web host (dist/web/main.js) serving the built renderer
// (dist/renderer) to Debian's Chromium, driven by playwright-core. One page goes through what a
// student does: load WAVs (one broken), train a tiny run and watch the plot, listen A/B, export a
// WAV, compare runs; and we measure how smooth the window stays while a `small` run trains.
// Needs `npm run build:ts && npm run build:renderer` first; skipped with a reason when Chromium or
// the builds are missing.
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOSS_NAMES } from '../../src/common/loss-scale.js';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { decodeWav } from '../../src/audio/wav-read.js';
import { EDGE_DIR, MUSIC_DIR, REPO, tempDir } from '../helpers.js';
import { CHROMIUM, HOST, PAGE, startHost, stopHost } from './web-host.js';

// The callbacks given to page.evaluate run in the page; these are the page's globals there (the
// root tsconfig has no DOM library, and must not get one: it checks the engine too).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const sessionStorage: any;
declare function requestAnimationFrame(callback: (t: number) => void): number;

// The README's screenshots are refreshed only on request (UPDATE_SCREENSHOTS=1 npm test), so a test
// run never changes tracked files; otherwise they go to the system's temporary folder.
const SHOT_DIR = process.env.UPDATE_SCREENSHOTS ? path.join(REPO, 'docs') : os.tmpdir();
const SCREENSHOT = path.join(SHOT_DIR, 'screenshot.png');

const missing = [
  [CHROMIUM, 'Chromium is not installed at /usr/bin/chromium'],
  [HOST, 'the web host is not built (npm run build:ts)'],
  [PAGE, 'the renderer is not built (npm run build:renderer)'],
].find(([file]) => !existsSync(file));
if (missing) console.warn(`[e2e] skipped: ${missing[1]}`);

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--autoplay-policy=no-user-gesture-required',
];

interface AudioView {
  audible: 'A' | 'B' | null;
  selectGains: { A: number; B: number };
  matchGains: { A: number; B: number };
  bothRunning: boolean;
  playing: boolean;
  position: number;
  contextState: string;
  switches: number;
  fadeOuts: number;
  loopPasses: number;
  loopOn: boolean;
}
const audioView = (page: Page) =>
  page.evaluate(() => {
    const v = (window as unknown as { __codecLabAudio?: AudioView }).__codecLabAudio;
    return v
      ? {
          audible: v.audible, selectGains: v.selectGains, matchGains: v.matchGains, bothRunning: v.bothRunning, playing: v.playing, position: v.position,
          contextState: v.contextState, switches: v.switches, fadeOuts: v.fadeOuts, loopPasses: v.loopPasses, loopOn: v.loopOn,
        }
      : null;
  });

describe.skipIf(Boolean(missing))('lab bench in Chromium, against the real web host', { timeout: 300_000 }, () => {
  let browser: Browser;
  let page: Page;
  let host: ChildProcess;
  let url: string;
  const runs = tempDir('codec-lab-e2e-runs-');
  const downloads = tempDir('codec-lab-e2e-downloads-');
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    ({ proc: host, url } = await startHost(runs.dir));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    // Failed API calls are reported with what was asked and the answer (the console line alone names neither).
    page.on('response', async (r) => {
      if (r.status() >= 400) pageErrors.push(`${r.status()} ${new URL(r.url()).pathname} ${r.request().postData() ?? ''} -> ${await r.text().catch(() => '')}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
    await page.goto(url);
    await page.locator('[data-testid=app][data-ready=true]').waitFor({ timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await stopHost(host);
    runs.cleanup();
    downloads.cleanup();
  });

  it('opens with the bundled clip loaded and ticked for training', async () => {
    const bundled = page.locator('[data-testid=clip][data-ok=true]').first();
    await expect(bundled.textContent()).resolves.toMatch(/bundled/);
    await expect(bundled.locator('[data-testid=clip-select]').isChecked()).resolves.toBe(true);
  });

  it('loads WAVs through the file button; a broken one shows its error and the others load', async () => {
    await page.locator('[data-testid=file-input]').setInputFiles([
      path.join(EDGE_DIR, 'ok_s16_stereo_44100.wav'),
      path.join(EDGE_DIR, 'bad_truncated_data.wav'),
      path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav'),
    ]);
    const ok = page.locator('[data-testid=clip][data-clip-name="ok_s16_stereo_44100.wav"]');
    const bad = page.locator('[data-testid=clip][data-clip-name="bad_truncated_data.wav"]');
    const piano = page.locator('[data-testid=clip][data-clip-name="piano_openmsx_slow_and_easy.wav"]');
    await piano.waitFor();
    expect(await ok.getAttribute('data-ok')).toBe('true');
    expect(await ok.textContent()).toMatch(/0\.25 s · 44\.1 kHz · stereo · pcm_s16/);
    expect(await piano.getAttribute('data-ok')).toBe('true');
    expect(await bad.getAttribute('data-ok')).toBe('false');
    expect(await bad.locator('[data-testid=clip-error]').textContent()).toMatch(/TRUNCATED_DATA: data chunk truncated/);
  });

  it('answers an API call quickly (round trip measured from the page)', async () => {
    const times = await page.evaluate(async () => {
      // The page keeps the token it was opened with in sessionStorage (renderer/src/lib/web-client.ts).
      const token = sessionStorage.getItem('codec-lab-token')!;
      const out: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        const res = await fetch('/api/call/listLibrary', { method: 'POST', headers: { 'X-Codec-Lab-Token': token, 'Content-Type': 'application/json' }, body: '{"args":[]}' });
        await res.json();
        out.push(performance.now() - t0);
      }
      return out;
    });
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(`[e2e] API round trip (listLibrary over HTTP, 30 calls): median ${median.toFixed(2)} ms, max ${sorted.at(-1)!.toFixed(2)} ms`);
    expect(median).toBeLessThan(100);
  });

  it('trains a tiny run and the live plot gets points', async () => {
    await page.locator('[data-testid=preset]').selectOption('tiny');
    await page.locator('[data-testid=loss-wave-l1]').check();
    await page.locator('[data-testid=steps]').fill('20');
    await page.locator('[data-testid=val-every]').fill('10');
    await page.locator('[data-testid=start]').click();
    const status = page.locator('[data-testid=train-status]');
    await status.waitFor();
    const plot = page.locator('[data-testid=loss-plot]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=loss-plot]')?.getAttribute('data-points')) > 0, null, { timeout: 60_000 });
    await page.locator('[data-testid=train-status][data-phase=done]').waitFor({ timeout: 120_000 });
    // After the run, the plot holds the whole log (every 10 steps, plus step 1) and uPlot drew a path.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=loss-plot]')?.getAttribute('data-points')) >= 3);
    expect(await plot.locator('canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=step]').textContent()).toBe('20');
    // The legend names the run once; its validation series follows it.
    const legend = (await plot.locator('.u-legend').textContent()) ?? '';
    expect(legend.match(/tiny-wave-l1/g)).toHaveLength(1);
    expect(legend).toMatch(/validation/);
  });

  it('plays original and reconstruction in sync and A/B switches which one is audible', async () => {
    await page.locator('[data-testid=tab-listen]').click();
    // Listen opens on audio the run never learned from: its own test segments.
    expect(await page.locator('[data-testid=listen-clip]').inputValue()).toBe('test');
    await page.locator('[data-testid=ab-bench][data-status=ready]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid=split-key]').count()).toBe(0);
    // The whole bundled clip: the run trained on it, and the timeline shows where.
    const bundledId = await page.locator('[data-testid=listen-clip] option', { hasText: 'folk_wesnoth' }).getAttribute('value');
    expect(await page.locator('[data-testid=listen-clip] option', { hasText: 'folk_wesnoth' }).textContent()).toMatch(/the run trained on it/);
    await page.locator('[data-testid=listen-clip]').selectOption(bundledId!);
    await page.locator('[data-testid=trained-on-note]').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=ab-bench]')?.getAttribute('data-status') === 'ready');
    expect(await page.locator('[data-testid=split-train]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=split-test]').count()).toBeGreaterThan(0);
    // Space (the documented key) starts playback: both sources run, A audible.
    await page.keyboard.press('Space');
    await page.waitForFunction(() => (window as unknown as { __codecLabAudio?: AudioView }).__codecLabAudio?.bothRunning === true);
    await page.waitForTimeout(300);
    let v = (await audioView(page))!;
    expect(v.contextState).toBe('running');
    expect(v.audible).toBe('A');
    expect(v.selectGains.A).toBeCloseTo(1, 3);
    expect(v.selectGains.B).toBeCloseTo(0, 3);
    expect(v.position).toBeGreaterThan(0.1);
    // Loudness match: the louder side is turned down to the quieter one's RMS, never up.
    expect(Math.max(v.matchGains.A, v.matchGains.B)).toBeCloseTo(1, 2);
    expect(Math.min(v.matchGains.A, v.matchGains.B)).toBeGreaterThan(0);

    const before = v.position;
    await page.keyboard.press('x');
    await page.waitForTimeout(100); // well past the 15 ms crossfade
    v = (await audioView(page))!;
    expect(v.audible).toBe('B');
    expect(v.selectGains.B).toBeCloseTo(1, 3);
    expect(v.selectGains.A).toBeCloseTo(0, 3);
    expect(v.bothRunning).toBe(true); // the switch does not restart anything: same position in both
    expect(v.position).toBeGreaterThan(before);
    expect(await page.locator('[data-testid=ab-bench]').getAttribute('data-side')).toBe('B');

    await page.locator('[data-testid=choose-a]').click();
    await page.waitForTimeout(100);
    v = (await audioView(page))!;
    expect(v.audible).toBe('A');
    expect(v.selectGains.A).toBeCloseTo(1, 3);
    // The README's Listen screenshot shows a space view: the mel bands in dB (the waveform is the default).
    await page.locator('[data-testid=view-space-mel-db]').check();
    await page.locator('[data-testid=spec-D][data-ready=true]').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(SHOT_DIR, 'screenshot-listen.png') });

    await page.locator('[data-testid=play]').click();
    v = (await audioView(page))!;
    expect(v.playing).toBe(false);
    expect(v.bothRunning).toBe(false);
  });

  it('exports the reconstruction as a WAV the engine reads back, in the format and at the rate chosen', async () => {
    // 16-bit at the clip's own rate (the bundled clip is 44.1 kHz), under a short name that says so.
    await page.locator('[data-testid=export-format]').selectOption('pcm16');
    await page.locator('[data-testid=export-rate]').selectOption('source');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=export]').click()]);
    const file = path.join(downloads.dir, download.suggestedFilename());
    await download.saveAs(file);
    expect(download.suggestedFilename()).toBe('folk_wesnoth_traveling_minstrels.tiny-wave-l1.recon.44.1k-s16.wav');
    const wav = decodeWav(new Uint8Array(readFileSync(file)));
    expect(wav.format).toBe('pcm_s16');
    expect(wav.sampleRate).toBe(44100);
    expect(wav.channels).toBe(1);
    // The bundled clip is 8 s; its reconstruction covers it (to the codec's 64-sample hop).
    expect(wav.durationSec).toBeGreaterThan(7.9);
    let peak = 0;
    for (const x of wav.samples[0]) peak = Math.max(peak, Math.abs(x));
    expect(peak).toBeGreaterThan(0);

    // The desktop File menu's "Export reconstruction..." arrives as a window event (electron/preload.cts)
    // and exports what Listen shows; in the browser that is the same download.
    const [again] = await Promise.all([
      page.waitForEvent('download'),
      page.evaluate(() => (globalThis as unknown as { dispatchEvent(e: unknown): void; Event: new (t: string) => unknown }).dispatchEvent(new (globalThis as unknown as { Event: new (t: string) => unknown }).Event('codec-lab:menu-export'))),
    ]);
    expect(again.suggestedFilename()).toBe(download.suggestedFilename());
  });

  it('loops and seeks as documented: a drag marks a region, L loops it, every jump fades', async () => {
    const bench = page.locator('[data-testid=ab-bench]');
    await bench.locator('[data-testid=loop]').waitFor();
    const tracks = bench.locator('.tracks');
    const box = (await tracks.boundingBox())!;
    // Drag from 20% to 40% of the 8 s clip: the region is marked, the loop not yet on.
    await page.mouse.move(box.x + box.width * 0.2, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + 20, { steps: 4 });
    await page.mouse.move(box.x + box.width * 0.4, box.y + 20, { steps: 4 });
    await page.mouse.up();
    await bench.locator('[data-testid=region]').waitFor();
    expect(await bench.locator('[data-testid=loop]').isChecked()).toBe(false);
    // L toggles looping.
    await page.keyboard.press('l');
    expect(await bench.locator('[data-testid=loop]').isChecked()).toBe(true);
    await page.keyboard.press('Space');
    await page.waitForFunction(() => (window as unknown as { __codecLabAudio?: AudioView }).__codecLabAudio?.bothRunning === true);
    // Played for longer than the region (1.6 s): the position stays inside it, pass after pass.
    const positions: number[] = [];
    for (let i = 0; i < 14; i++) {
      positions.push((await audioView(page))!.position);
      await page.waitForTimeout(200);
    }
    let v = (await audioView(page))!;
    expect(v.loopOn).toBe(true);
    expect(v.loopPasses).toBeGreaterThanOrEqual(2);
    for (const p of positions) {
      expect(p).toBeGreaterThanOrEqual(1.6 - 0.05);
      expect(p).toBeLessThanOrEqual(3.2 + 0.05);
    }
    // L again: the loop is off; an arrow seeks 1 s on, through a fade (never a hard cut).
    await page.keyboard.press('l');
    v = (await audioView(page))!;
    expect(v.loopOn).toBe(false);
    const fades = v.fadeOuts;
    const at = v.position;
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(100);
    v = (await audioView(page))!;
    expect(v.fadeOuts).toBeGreaterThan(fades);
    expect(v.position).toBeGreaterThan(at + 0.9);
    expect(v.bothRunning).toBe(true);
    await page.keyboard.press('Space');
    expect((await audioView(page))!.playing).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it('stays smooth while a small run trains (longest main-thread stall measured)', async () => {
    await page.locator('[data-testid=tab-train]').click();
    await page.locator('[data-testid=preset]').selectOption('small');
    await page.locator('[data-testid=loss-mel-db-l1]').check();
    await page.locator('[data-testid=steps]').fill('2000');
    await page.locator('[data-testid=val-every]').fill('20');
    // Both cores train (each half of every batch): the hardest case for the window's smoothness.
    await page.locator('[data-testid=threads]').selectOption('2');
    await page.evaluate(() => {
      const w = window as unknown as { __stall: { maxGap: number; frames: number; longtasks: number[]; on: boolean } };
      w.__stall = { maxGap: 0, frames: 0, longtasks: [], on: true };
      let last = performance.now();
      const frame = (t: number) => {
        if (!w.__stall.on) return;
        w.__stall.maxGap = Math.max(w.__stall.maxGap, t - last);
        w.__stall.frames++;
        last = t;
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__stall.longtasks.push(e.duration);
      }).observe({ type: 'longtask' as never });
    });
    await page.locator('[data-testid=start]').click();
    await page.locator('[data-testid=train-status][data-phase=training]').waitFor({ timeout: 60_000 });
    const startPoints = Number(await page.locator('[data-testid=loss-plot]').getAttribute('data-points'));
    await page.waitForTimeout(6000);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: SCREENSHOT });
    await page.waitForTimeout(6000);
    const stall = await page.evaluate(() => {
      const w = window as unknown as { __stall: { maxGap: number; frames: number; longtasks: number[]; on: boolean } };
      w.__stall.on = false;
      return { ...w.__stall };
    });
    const endPoints = Number(await page.locator('[data-testid=loss-plot]').getAttribute('data-points'));
    const stepsPerSec = await page.locator('[data-testid=train-status] .figures').textContent();
    console.log(
      `[e2e] while a small run trained for 12 s: longest frame gap ${stall.maxGap.toFixed(1)} ms over ${stall.frames} frames; ` +
        `long tasks ${stall.longtasks.length} (longest ${stall.longtasks.length ? Math.max(...stall.longtasks).toFixed(0) : 0} ms); plot points ${startPoints} -> ${endPoints}; ${stepsPerSec?.replace(/\s+/g, ' ').trim()}`,
    );
    expect(endPoints).toBeGreaterThan(startPoints);
    expect(stall.frames).toBeGreaterThan(100);
    expect(stall.maxGap).toBeLessThan(1000);

    // Pause and Resume are messages to the trainer: the phase follows its events.
    await page.locator('[data-testid=pause]').click();
    await page.locator('[data-testid=train-status][data-phase=paused]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=resume]').click();
    await page.locator('[data-testid=train-status][data-phase=training]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=stop]').click();
    await page.locator('[data-testid=train-status][data-phase=done]').waitFor({ timeout: 120_000 });
    expect(await page.locator('[data-testid=train-status] .tag').textContent()).toBe('stopped');
  });

  it("plots each run in its own loss's unit, and overlays runs only on a common yardstick", async () => {
    await page.locator('[data-testid=tab-train]').click();
    const melRun = (await page.locator('[data-testid=train-status]').getAttribute('data-run'))!;
    expect(melRun).toMatch(/mel-db-l1/);
    const plot = page.locator('[data-testid=loss-plot]');
    await page.locator('[data-testid=measure]').selectOption('own');
    // A wave-l1 and a mel-db-l1 run measured in their own losses are different quantities: two charts.
    await page.waitForFunction(() => document.querySelector('[data-testid=loss-plot]')?.getAttribute('data-charts') === '2');
    const melChart = plot.locator('[data-testid=curve-chart][data-key="mel-db-l1"]');
    expect(await melChart.getAttribute('data-axis')).toBe('mel-db-l1, mean level error (dB)');
    expect(await plot.locator('[data-testid=curve-chart][data-key="wave-l1"]').getAttribute('data-axis')).toBe('wave-l1, 10·log₁₀(loss) (dB)');
    // The mel-db-l1 run's last plotted validation value is its validation loss itself (a mean level
    // error in dB), not 10·log10 of it.
    const log = (await page.evaluate(async (runId: string) => {
      const token = sessionStorage.getItem('codec-lab-token')!;
      const res = await fetch('/api/call/runLog', { method: 'POST', headers: { 'X-Codec-Lab-Token': token, 'Content-Type': 'application/json' }, body: JSON.stringify({ args: [runId] }) });
      return ((await res.json()) as { result: unknown }).result;
    }, melRun)) as { step: number; valLoss?: number; valMetrics?: { losses: Record<string, number>; siSdrDb: number } }[];
    const vals = log.filter((l) => l.valLoss !== undefined);
    expect(vals.length).toBeGreaterThan(0);
    const lastVal = vals.at(-1)!;
    expect(Number(await melChart.getAttribute('data-last-val'))).toBeCloseTo(lastVal.valLoss!, 9);
    expect(lastVal.valMetrics!.losses['mel-db-l1']).toBeCloseTo(lastVal.valLoss!, 4);

    // Measured in SI-SDR, both runs share one axis.
    await page.locator('[data-testid=measure]').selectOption('si-sdr');
    await page.waitForFunction(() => document.querySelector('[data-testid=loss-plot]')?.getAttribute('data-charts') === '1');
    const common = plot.locator('[data-testid=curve-chart]');
    expect(await common.getAttribute('data-axis')).toBe('SI-SDR (dB), higher is better');
    expect(await common.getAttribute('data-runs')).toBe('2');
    expect(Number(await common.getAttribute('data-last-val'))).toBeCloseTo(lastVal.valMetrics!.siSdrDb, 9);
    await page.locator('[data-testid=measure]').selectOption('own');
    expect(pageErrors).toEqual([]);
  });

  it('compares runs: the cross-evaluation table scores each run in every output space', async () => {
    await page.locator('[data-testid=tab-compare]').click();
    const rows = page.locator('[data-testid=run-row]');
    await expect(rows.count()).resolves.toBe(2);
    await rows.nth(0).locator('[data-testid=run-pick]').check();
    await rows.nth(1).locator('[data-testid=run-pick]').check();
    await page.locator('[data-testid=cross-eval]').click();
    const table = page.locator('[data-testid=cross-eval-table]');
    await table.waitFor({ timeout: 120_000 });
    expect(await table.locator('tbody tr').count()).toBe(2);
    await page.locator('[data-testid=eval-distance]').selectOption('all');
    const head = await table.locator('thead').textContent();
    for (const loss of [...LOSS_NAMES, 'SI-SDR', 'kbit/s']) expect(head).toContain(loss);
    // Each run on its own test split: not the same audio, so no "best" is marked.
    expect(await table.getAttribute('data-same-audio')).toBe('false');
    expect(await table.locator('td.best').count()).toBe(0);
    // Every column says its unit in its header.
    expect((await table.locator('thead').textContent())?.match(/dB/g)?.length).toBeGreaterThanOrEqual(LOSS_NAMES.length + 3);
    // Two runs ticked: an A/B bench between their reconstructions.
    await page.locator('[data-testid=ab-bench][data-status=ready]').waitFor({ timeout: 60_000 });
    // On one library clip every run is scored on the same audio: the best in each column is marked,
    // and a run that trained on that clip says so.
    const bundled = await page.locator('[data-testid=eval-on] option', { hasText: 'folk_wesnoth' }).getAttribute('value');
    await page.locator('[data-testid=eval-on]').selectOption(bundled!);
    await page.locator('[data-testid=cross-eval]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=cross-eval-table]')?.getAttribute('data-same-audio') === 'true', null, { timeout: 120_000 });
    expect(await table.locator('td.best').count()).toBeGreaterThan(0);
    expect(await table.locator('[data-testid=trained-on-clip]').count()).toBe(2);
    expect(pageErrors).toEqual([]);
  });

  it('trains a Setup B run (the model predicts the mel spectrogram in dB), plays it and scores it beside the others', async () => {
    await page.locator('[data-testid=tab-train]').click();
    await page.locator('[data-testid=preset]').selectOption('tiny');
    await page.locator('[data-testid=setup-B]').check();
    // Only the dB spectrogram losses fit Setup B: the others cannot be picked.
    expect(await page.locator('[data-testid=loss-wave-l1]').isDisabled()).toBe(true);
    await page.locator('[data-testid=loss-mel-db-l1]').check();
    await page.locator('[data-testid=gl-iters]').fill('16');
    await page.locator('[data-testid=steps]').fill('20');
    await page.locator('[data-testid=val-every]').fill('10');
    await page.locator('[data-testid=threads]').selectOption('1');
    await page.locator('[data-testid=start]').click();
    await page.locator('[data-testid=train-status][data-phase=done]').waitFor({ timeout: 180_000 });
    const runId = (await page.locator('[data-testid=train-status]').getAttribute('data-run'))!;
    expect(runId).toMatch(/tiny-B-mel-db-l1/);
    expect(await page.locator('[data-testid=train-status] .tag').textContent()).toBe('completed');

    // Listen: its held-out test segments, rebuilt by Griffin-Lim, play in sync with the original.
    await page.locator('[data-testid=tab-listen]').click();
    await page.locator('[data-testid=listen-run]').selectOption(runId);
    await page.locator('[data-testid=listen-clip]').selectOption('test');
    await page.waitForFunction(() => document.querySelector('[data-testid=ab-bench]')?.getAttribute('data-status') === 'ready', null, { timeout: 60_000 });
    await page.keyboard.press('Space');
    await page.waitForFunction(() => (window as unknown as { __codecLabAudio?: AudioView }).__codecLabAudio?.bothRunning === true);
    await page.keyboard.press('Space');

    // Changing the run while a whole clip plays keeps the position and goes on playing.
    const folk = await page.locator('[data-testid=listen-clip] option', { hasText: 'folk_wesnoth' }).getAttribute('value');
    await page.locator('[data-testid=listen-clip]').selectOption(folk!);
    await page.waitForFunction(() => document.querySelector('[data-testid=ab-bench]')?.getAttribute('data-status') === 'ready', null, { timeout: 60_000 });
    await page.keyboard.press('Space');
    await page.waitForFunction(() => ((window as unknown as { __codecLabAudio?: AudioView }).__codecLabAudio?.position ?? 0) > 1);
    const other = await page.locator('[data-testid=listen-run] option').evaluateAll((os: { value: string }[], id: string) => os.map((o) => o.value).find((v) => v !== id), runId);
    await page.locator('[data-testid=listen-run]').selectOption(other!);
    await page.waitForFunction(() => document.querySelector('[data-testid=ab-bench]')?.getAttribute('data-status') === 'ready', null, { timeout: 60_000 });
    await page.waitForTimeout(200);
    const after = (await audioView(page))!;
    expect(after.playing).toBe(true);
    expect(after.position).toBeGreaterThan(1);
    await page.keyboard.press('Space');

    // Compare: scored in every output space beside the Setup A runs, marked as Setup B.
    await page.locator('[data-testid=tab-compare]').click();
    const row = page.locator(`[data-testid=run-row][data-run="${runId}"]`);
    expect(await row.textContent()).toMatch(/Setup B/);
    const picks = page.locator('[data-testid=run-pick]');
    for (let i = 0; i < (await picks.count()); i++) await picks.nth(i).check();
    await page.locator('[data-testid=eval-on]').selectOption('test');
    await page.locator('[data-testid=cross-eval]').click();
    await page.waitForFunction((id: string) => [...document.querySelectorAll('[data-testid=cross-eval-table] tbody th')].some((th) => th.getAttribute('title') === id), runId, { timeout: 120_000 });
    expect(await page.locator('[data-testid=cross-eval-table] tbody tr').count()).toBe(3);

    // Both tables fit a 1280 x 720 window: no sideways scrolling.
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.waitForTimeout(200);
    const overflow = await page.evaluate(() =>
      ['runs-table', 'cross-eval-table'].map((id) => {
        const t = document.querySelector(`[data-testid=${id}]`);
        return { id, table: t.scrollWidth, room: t.parentElement.clientWidth };
      }),
    );
    for (const o of overflow) expect(o.table, `${o.id} is ${o.table} px wide in ${o.room} px`).toBeLessThanOrEqual(o.room);
    await page.locator('[data-testid=cross-eval-table]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOT_DIR, 'screenshot-compare.png') });
    await page.setViewportSize({ width: 1440, height: 1000 });

    // The Train settings survive a reload: the last run's preset, setup and loss are still chosen.
    await page.reload();
    await page.locator('[data-testid=app][data-ready=true]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=preset]').inputValue()).toBe('tiny');
    expect(await page.locator('[data-testid=setup-B]').isChecked()).toBe(true);
    expect(await page.locator('[data-testid=loss-mel-db-l1]').isChecked()).toBe(true);
    expect(await page.locator('[data-testid=gl-iters]').inputValue()).toBe('16');
    expect(pageErrors).toEqual([]);
  });
});
