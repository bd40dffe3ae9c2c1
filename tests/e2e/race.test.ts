// A race and the learning-rate range test end to end: the real web host serving the built renderer
// to Debian's Chromium. The Train settings come from the page's own saved settings (tiny, a few
// steps); the Race box queues two optimizers, the queue trains them one after another, and both run
// folders name the race; "Plot" overlays them. The range test draws its curve, says how to read it,
// and "Use" puts the suggested rate into the Train settings.
// Skipped with a reason when Chromium or the builds are missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO } from '../helpers.js';
import { labSession, missingForE2e } from './web-host.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const localStorage: any;

const missing = missingForE2e('race');
const SETTINGS = { preset: 'tiny', loss: 'wave-l1', steps: 6, batch: 2, segment: 4096, valEvery: 3, seed: 2 };

describe.skipIf(Boolean(missing))('a race and the learning-rate range test in Chromium against the real web host', { timeout: 180_000 }, () => {
  const lab = labSession('codec-lab-e2e-race-');
  const { runs, errors: pageErrors } = lab;
  let page: Page;

  beforeAll(async () => {
    ({ page } = await lab.open({ width: 1280, height: 1000 }));
    // The Train settings as a student left them last time: a tiny, short run.
    await page.evaluate((s) => localStorage.setItem('codec-lab-train-config', JSON.stringify(s)), SETTINGS);
    await page.reload();
    await page.locator('[data-testid=race-panel]').waitFor();
  });

  afterAll(() => lab.close());

  it('queues a race of two optimizers, trains them one after another on the same data, and overlays them', async () => {
    const panel = page.locator('[data-testid=race-panel]');
    await panel.locator('[data-testid=race-vary]').selectOption('optimizer');
    for (const o of ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam', 'adamw']) await panel.locator(`[data-testid=race-opt-${o}]`).setChecked(o === 'sgd' || o === 'adam');
    await panel.locator('[data-testid=race-start]').click();
    const items = panel.locator('[data-testid=queue-item]');
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(async () => (await items.evaluateAll((rows) => rows.map((r: any) => r.dataset.status))).join(','), { timeout: 90_000 }).toBe('done,done');

    const dirs = readdirSync(runs.dir, { withFileTypes: true }).filter((d) => d.isDirectory() && /tiny-wave-l1/.test(d.name)).map((d) => path.join(runs.dir, d.name));
    const configs = dirs.map((d) => JSON.parse(readFileSync(path.join(d, 'config.json'), 'utf8')));
    expect(configs.map((c) => c.optimizer.name).sort()).toEqual(['adam', 'sgd']);
    expect(new Set(configs.map((c) => c.group.id)).size).toBe(1);
    expect(configs.every((c) => c.seed === 2 && c.steps === 6)).toBe(true);

    await panel.locator('[data-testid=race-plot]').first().click();
    // Exactly the race's two runs are on the loss plot.
    await expect.poll(() => page.locator('[data-testid=loss-plot]').getAttribute('data-runs'), { timeout: 10_000 }).toBe('2');
  });

  it('queues a sweep from a grid and trains each combination as an ordinary run', async () => {
    const panel = page.locator('[data-testid=race-panel]');
    await panel.locator('summary', { hasText: 'Sweep' }).click();
    await panel.locator('[data-testid=sweep-grid]').fill('{"lr": [0.001, 0.002], "loss": ["wave-l1"]}');
    const start = panel.locator('[data-testid=sweep-start]');
    expect(await start.textContent()).toContain('Queue 2 runs');
    await start.click();
    const items = panel.locator('[data-testid=queue-item]');
    await expect.poll(async () => (await items.evaluateAll((rows) => rows.map((r: any) => r.dataset.status))).join(','), { timeout: 90_000 }).toBe('done,done,done,done');
    const labels = readdirSync(runs.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && /tiny-wave-l1/.test(d.name))
      .map((d) => JSON.parse(readFileSync(path.join(runs.dir, d.name, 'config.json'), 'utf8')).group.label);
    expect(labels.filter((l) => l === 'sweep: lr × loss')).toHaveLength(2);
  });

  it('runs the learning-rate range test, draws the loss against the rate, and uses the suggested rate', async () => {
    const panel = page.locator('[data-testid=race-panel]');
    await panel.locator('summary', { hasText: 'Find a learning rate' }).click();
    await panel.locator('input[type=number]').nth(2).fill('15');
    await panel.locator('[data-testid=lr-find]').click();
    const sentence = panel.locator('[data-testid=lr-sentence]');
    await sentence.waitFor({ timeout: 60_000 });
    expect(await sentence.textContent()).toMatch(/was lowest at lr ≈ .*is a safe start/);
    expect(await panel.locator('[data-testid=lr-chart] canvas').count()).toBeGreaterThan(0);
    const use = panel.locator('[data-testid=lr-use]');
    // The button says the rate as the app writes rates (a typographic minus in the exponent).
    const suggested = Number((await use.textContent())!.replace(/^Use /, '').replace('−', '-'));
    await use.click();
    await expect.poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('codec-lab-train-config') ?? '{}').lr), { timeout: 5_000 }).toBeCloseTo(suggested, 10);
    if (process.env.UPDATE_SCREENSHOTS) await panel.screenshot({ path: path.join(REPO, 'docs', 'screenshot-race.png') });
    expect(pageErrors).toEqual([]);
  });
});
