// The Train panel's optimizer and regularization settings end to end: the real web host serving the
// built renderer to Debian's Chromium. The student picks SGD with momentum 0.8, weight decay, clipping,
// dropout and a step schedule for a tiny 20-step run; the schedule is drawn before Start, the card of
// the chosen optimizer is beside its fields; after the run the same values are in the run's
// config.json on disk and in the runs list's settings line.
// Needs `npx tsc -p tsconfig.build.json && npm run build:renderer` first; skipped with a reason when
// Chromium or the builds are missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO } from '../helpers.js';
import { labSession, missingForE2e } from './web-host.js';

// The page's globals, for the callbacks that run there (the root tsconfig has no DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;

const missing = missingForE2e('train-options');

describe.skipIf(Boolean(missing))('the Train panel\'s optimizer and regularization settings in Chromium', { timeout: 120_000 }, () => {
  const lab = labSession('codec-lab-e2e-train-options-');
  const { runs, errors: pageErrors } = lab;
  let page: Page;

  beforeAll(async () => {
    ({ page } = await lab.open({ width: 1280, height: 900 }));
    await page.locator('[data-testid=tab-train]').click();
  });

  afterAll(() => lab.close());

  const field = (testid: string) => page.locator(`[data-testid=${testid}]`);

  it('shows only the chosen optimizer\'s settings, with their defaults, and its card', async () => {
    // Adam (the default) has betas and no momentum.
    expect(await field('opt-beta1').getAttribute('placeholder')).toBe('default 0.9');
    expect(await field('opt-momentum').count()).toBe(0);
    await field('optimizer').selectOption('momentum');
    expect(await field('opt-beta1').count()).toBe(0);
    expect(await field('opt-momentum').getAttribute('placeholder')).toBe('default 0.9');
    expect(await field('opt-weight-decay').locator('xpath=..').textContent()).toMatch(/L2, coupled/);
    const card = field('optimizer-card');
    expect(await card.getAttribute('data-card')).toBe('SGD with momentum');
    expect(await card.textContent()).toMatch(/b <- mu b \+ g/);
    expect(await card.textContent()).toMatch(/1\/\(1 - mu\)/);
  });

  it('draws the schedule the run will follow before it starts, and redraws it as the fields change', async () => {
    await field('preset').selectOption('tiny');
    await field('steps').fill('20');
    await field('val-every').fill('10');
    const plot = field('schedule-plot');
    expect(await plot.getAttribute('data-points')).toBe('20');
    expect(Number(await plot.getAttribute('data-last-lr'))).toBeCloseTo(1e-3);
    await field('schedule').selectOption('step');
    await field('schedule-gamma').fill('0.5');
    await field('schedule-step-size').fill('5');
    // Steps 0..19 in steps of 5: the rate is halved three times by the last.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=schedule-plot]')?.getAttribute('data-last-lr')) < 2e-4);
    expect(Number(await plot.getAttribute('data-first-lr'))).toBeCloseTo(1e-3, 8);
    expect(Number(await plot.getAttribute('data-last-lr'))).toBeCloseTo(1e-3 * 0.5 ** 3, 8);
    expect(await plot.locator('canvas').count()).toBeGreaterThan(0);
  });

  it('trains with momentum, weight decay, clipping and dropout, and records them in config.json and the runs list', async () => {
    await field('opt-momentum').fill('0.8');
    await field('opt-weight-decay').fill('1e-4');
    await field('clip-norm').fill('1');
    await field('group-regularization').locator('> summary').click();
    await field('dropout').fill('0.1');
    await field('group-data').locator('> summary').click();
    await field('batch').fill('4');
    // The bottleneck beside the preset: 2 bits and a 128-sample hop make tiny's 12 kbit/s 3.
    await field('bits').fill('2');
    await field('hop').selectOption('128');
    expect(await field('nominal-kbps').textContent()).toContain('nominal 3.0 kbit/s = 187.5 frames/s × 8 × 2 bits');

    await field('start').click();
    await page.locator('[data-testid=train-status][data-phase=done]').waitFor({ timeout: 90_000 });
    const runId = (await field('train-status').getAttribute('data-run'))!;
    // The README's picture of the optimizer and schedule groups after the run, refreshed only on request (UPDATE_SCREENSHOTS=1).
    if (process.env.UPDATE_SCREENSHOTS) {
      // Page coordinates: bounding boxes are measured from the viewport, so from the page's top.
      await page.evaluate(() => window.scrollTo(0, 0));
      const top = (await field('group-optimizer').boundingBox())!;
      const bottom = (await field('group-schedule').boundingBox())!;
      const clip = { x: top.x - 8, y: top.y - 8, width: top.width + 16, height: bottom.y + bottom.height - top.y + 16 };
      await page.screenshot({ path: path.join(REPO, 'docs', 'screenshot-train.png'), clip, fullPage: true });
    }
    const config = JSON.parse(readFileSync(path.join(runs.dir, runId, 'config.json'), 'utf8'));
    expect(config.optimizer).toEqual({ name: 'momentum', momentum: 0.8, weightDecay: 1e-4, clipNorm: 1 });
    expect(config.schedule).toEqual({ name: 'step', gamma: 0.5, stepSize: 5 });
    expect(config).toMatchObject({ preset: 'tiny', steps: 20, batch: 4, dropout: 0.1, valEvery: 10, bits: 2, hop: 128, latentChannels: 8, width: 1 });

    await page.locator('[data-testid=tab-compare]').click();
    const row = page.locator(`[data-testid=run-row][data-run="${runId}"]`);
    await row.waitFor();
    expect(await row.locator('[data-testid=run-settings]').textContent()).toMatch(
      /^momentum lr 1e-3 · 2 bits · hop 128 · momentum 0\.8 · wd 1e-4 · clip 1 · step ×0\.5\/5 · dropout 0\.1 · batch 4 · seed 0$/,
    );
    expect(pageErrors).toEqual([]);
  });
});
