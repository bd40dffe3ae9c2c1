// The training-dynamics charts end to end: the real web host (dist/web/main.js) serving the built
// renderer to Debian's Chromium. A tiny run is trained from the Train panel with clipping by norm at
// 0.5, batch 4 and a warm-up; under the loss plot the learning-rate chart and the gradient-norm chart
// are drawn, the latter with its clipping threshold as a dashed line in the run's colour (found in
// the canvas's pixels); switching the x axis to epochs relabels every chart and moves the best-step
// mark to bestStep × batch / training segments (the run's split.json).
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

const missing = missingForE2e('dynamics');

/** The first plotted run's colour (LossPlot's palette), as RGB. */
const RUN_RGB = [0x2f, 0x6d, 0xb5];

describe.skipIf(Boolean(missing))('the training-dynamics charts in Chromium against the real web host', { timeout: 120_000 }, () => {
  const lab = labSession('codec-lab-e2e-dynamics-');
  const { runs, errors: pageErrors } = lab;
  let page: Page;

  beforeAll(async () => {
    ({ page } = await lab.open({ width: 1280, height: 1400 }));
    await page.locator('[data-testid=tab-train]').click();
  });

  afterAll(() => lab.close());

  const field = (testid: string) => page.locator(`[data-testid=${testid}]`);
  const chart = (key: string) => page.locator(`[data-testid=dynamics-plot] [data-testid=curve-chart][data-key="${key}"]`);

  it('draws the learning rate and the gradient norm with its clipping threshold, and relabels the charts in epochs', async () => {
    await field('preset').selectOption('tiny');
    await field('loss-wave-l1').check();
    await field('steps').fill('30');
    await field('val-every').fill('5');
    await field('warmup').fill('10');
    await field('clip-norm').fill('0.5');
    await field('group-data').locator('> summary').click();
    await field('batch').fill('4');
    await field('start').click();
    await page.locator('[data-testid=train-status][data-phase=done]').waitFor({ timeout: 60_000 });
    const runId = (await field('train-status').getAttribute('data-run'))!;

    // After the run the whole log is read: a gradient norm at step 1 and at every validation (every 5 steps).
    const grad = chart('grad-norm');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=curve-chart][data-key="grad-norm"]')?.getAttribute('data-points')) >= 7);
    expect(await grad.getAttribute('data-levels')).toBe('0.5');
    expect(await grad.getAttribute('data-x')).toBe('step');
    const lr = chart('lr');
    expect(Number(await lr.getAttribute('data-points'))).toBeGreaterThanOrEqual(7);
    expect(await chart('weight-norm').count()).toBe(1);
    expect(await chart('update-ratio').count()).toBe(1);
    expect(await chart('gap:wave-l1').count()).toBe(1);

    // The threshold is drawn: a pixel row of the gradient-norm canvas that is mostly the run's colour
    // over the plot's width (dashes of 4 on, 4 off), which the norm's own curve never is.
    await page.evaluate(() => new Promise((r) => window.requestAnimationFrame(() => window.requestAnimationFrame(r))));
    const longestRun = await grad.locator('canvas').evaluate((canvas: any, rgb: number[]) => {
      const ctx = canvas.getContext('2d');
      const { width, height } = canvas;
      const px = ctx.getImageData(0, 0, width, height).data;
      let best = 0;
      for (let y = 0; y < height; y++) {
        let n = 0;
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 4;
          if (Math.abs(px[i] - rgb[0]) + Math.abs(px[i + 1] - rgb[1]) + Math.abs(px[i + 2] - rgb[2]) < 60) n++;
        }
        best = Math.max(best, n / width);
      }
      return best;
    }, RUN_RGB);
    expect(longestRun).toBeGreaterThan(0.3);

    if (process.env.UPDATE_SCREENSHOTS) {
      // Page coordinates: bounding boxes are measured from the viewport, so from the page's top.
      await page.evaluate(() => window.scrollTo(0, 0));
      const plot = (await page.locator('figure.plot').boundingBox())!;
      await page.screenshot({ path: path.join(REPO, 'docs', 'screenshot-dynamics.png'), clip: { x: plot.x - 8, y: plot.y - 8, width: plot.width + 16, height: plot.height + 16 }, fullPage: true });
    }

    // Epochs: every chart is relabelled, and the best step lands at bestStep × batch / training segments.
    const bestMark = (await grad.getAttribute('data-marks'))!.split(',').find((m) => m.startsWith('best@'))!;
    const bestStep = Number(bestMark.slice('best@'.length));
    expect(bestStep % 5).toBe(0);
    await field('x-axis').selectOption('epoch');
    await page.waitForFunction(() => document.querySelector('[data-testid=curve-chart][data-key="grad-norm"]')?.getAttribute('data-x') === 'epoch');
    expect(await field('x-axis').locator('xpath=..').getAttribute('title')).toMatch(/steps × batch \/ training segments.*with replacement/);
    const split = JSON.parse(readFileSync(path.join(runs.dir, runId, 'split.json'), 'utf8')) as { train: unknown[] };
    const epochMark = (await grad.getAttribute('data-marks'))!.split(',').find((m) => m.startsWith('best@'))!;
    expect(Number(epochMark.slice('best@'.length))).toBeCloseTo((bestStep * 4) / split.train.length, 9);
    const lossChart = page.locator('[data-testid=loss-plot] [data-testid=curve-chart]');
    expect(await lossChart.getAttribute('data-x')).toBe('epoch');
    expect(await lossChart.getAttribute('data-marks')).toContain(epochMark);
    await field('x-axis').selectOption('step');
    expect(pageErrors).toEqual([]);
  });
});
