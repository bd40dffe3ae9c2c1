// The Listen bench's space views end to end: the real web host (dist/web/main.js) serving the built
// renderer to Debian's Chromium. A tiny mel-db-l1 run is trained in the page, then Listen shows A, B
// and their difference as the waveform, as 64 mel bands in dB and as the STFT magnitude in dB, each
// with its legend, frequency axis and sentence. Set-up as in lab-bench.test.ts; skipped with a reason
// when Chromium or the builds are missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { labSession, missingForE2e } from './web-host.js';

// The page's globals, for the callbacks that run there (the root tsconfig has no DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

const missing = missingForE2e('views');


/** How many different colours a canvas shows (a blank or one-colour canvas shows 1). */
const coloursOn = (page: Page, testid: string) =>
  page.evaluate((id: string) => {
    const c = document.querySelector(`[data-testid=${id}]`);
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  }, testid);

describe.skipIf(Boolean(missing))('space views in Listen, in Chromium against the real web host', { timeout: 300_000 }, () => {
  const lab = labSession('codec-lab-e2e-views-');
  const { runs, errors: pageErrors } = lab;
  let page: Page;

  beforeAll(async () => {
    ({ page } = await lab.open({ width: 1280, height: 900 }));
    // A tiny run trained with a mel loss: the bench then compares the bundled clip with its reconstruction.
    await page.locator('[data-testid=preset]').selectOption('tiny');
    await page.locator('[data-testid=loss-mel-db-l1]').check();
    await page.locator('[data-testid=steps]').fill('20');
    await page.locator('[data-testid=val-every]').fill('10');
    await page.locator('[data-testid=start]').click();
    await page.locator('[data-testid=train-status][data-phase=done]').waitFor({ timeout: 120_000 });
    await page.locator('[data-testid=tab-listen]').click();
    await page.locator('[data-testid=ab-bench][data-status=ready]').waitFor({ timeout: 60_000 });
  });

  afterAll(() => lab.close());

  it('shows the waveform first, its difference explained as sample by sample', async () => {
    await page.locator('[data-testid=wave-D]').waitFor();
    expect(await page.locator('[data-testid=view-space-waveform]').isChecked()).toBe(true);
    expect(await page.locator('[data-testid=explain-D]').textContent()).toMatch(/^A − B sample by sample\. For a run trained with a phase-blind loss/);
  });

  it('in mel, draws 64 bands for A, B and A − B, with a dB legend and the band centres labelled', async () => {
    await page.locator('[data-testid=view-space-mel-db]').check();
    await page.locator('[data-testid=spec-D][data-ready=true]').waitFor({ timeout: 60_000 });
    for (const k of ['A', 'B', 'D']) {
      expect(await page.locator(`[data-testid=spec-${k}]`).getAttribute('data-rows')).toBe('64');
      expect(await page.locator(`[data-testid=spec-${k}]`).getAttribute('data-space')).toBe('mel-db');
      expect(await coloursOn(page, `spec-${k}`)).toBeGreaterThan(10);
    }
    const level = await page.locator('[data-testid=legend-level]').textContent();
    expect(level).toMatch(/level \(dB\)/);
    expect(level).toMatch(/−?\d+ dB/);
    expect(await page.locator('[data-testid=legend-diff]').textContent()).toMatch(/difference A − B \(dB\).*−\d+ dB.*0 dB.*\+\d+ dB/);
    expect(await page.locator('[data-testid=freq-axis-A]').textContent()).toMatch(/Hz/);
    expect(await page.locator('[data-testid=explain-D]').textContent()).toMatch(/^Mel A − mel B in dB per band and frame: what mel-db losses measure/);
    // For a look, not a check: the system's temporary folder, never a tracked file.
    await page.locator('[data-testid=ab-bench]').screenshot({ path: path.join(os.tmpdir(), 'screenshot-views-mel.png') });
  });

  it('in STFT, draws 513 bins with a labelled frequency axis, linear or log', async () => {
    await page.locator('[data-testid=view-space-stft-db]').check();
    await page.locator('[data-testid=spec-D][data-ready=true][data-space=stft-db]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid=spec-A]').getAttribute('data-rows')).toBe('513');
    const linear = await page.locator('[data-testid=freq-axis-A]').textContent();
    expect(linear).toMatch(/2 kHz.*4 kHz.*12 kHz/);
    await page.locator('[data-testid=freq-log]').check();
    const log = await page.locator('[data-testid=freq-axis-A]').textContent();
    expect(log).toMatch(/100 Hz.*1 kHz.*10 kHz/);
    expect(await page.locator('[data-testid=explain-D]').textContent()).toMatch(/^\|A\| − \|B\| in dB per time-frequency cell: what stft-db losses measure\. Phase is ignored/);
    expect(await coloursOn(page, 'spec-D')).toBeGreaterThan(10);
  });

  it('raised no page errors and no failed requests', () => {
    expect(pageErrors).toEqual([]);
  });
});
