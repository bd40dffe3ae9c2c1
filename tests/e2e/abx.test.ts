// A blind ABX test end to end: the real web host (dist/web/main.js) serving the built renderer to
// Debian's Chromium, on a runs folder holding one small run trained beforehand in this process. Four
// trials, every answer "X is A": through the Web Audio graph (the loudness-match gain each side gets,
// which X shares with its twin) the test sees which side X plays, never through the page's DOM, which
// must not say it before the end; the stored JSON's plan must agree, and the verdict count with it;
// Compare then shows the run's verdict against the original.
// Skipped with a reason when Chromium or the builds are missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO } from '../helpers.js';
import { makeRun } from '../runs/make-run.js';
import { binomialPValue } from '../../src/common/listening-stats.js';
import { labSession, missingForE2e } from './web-host.js';

// The page's globals, for the callbacks that run there (the root tsconfig has no DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

const missing = missingForE2e('abx');

interface Gains {
  A: number;
  B: number;
  X: number;
}

describe.skipIf(Boolean(missing))('a blind ABX test in Chromium against the real web host', { timeout: 240_000 }, () => {
  const lab = labSession('codec-lab-e2e-abx-');
  const { runs, errors: pageErrors } = lab;
  let page: Page;

  beforeAll(async () => {
    await makeRun(runs.dir);
    ({ page } = await lab.open({ width: 1280, height: 900 }));
    await page.locator('[data-testid=tab-blind]').click();
  });

  afterAll(() => lab.close());

  const gains = (p: Page) => p.evaluate(() => window.__codecLabAudio?.matchGains as Gains | undefined);

  it('runs four trials blind, says the verdict with its exact p-value, and stores what it says', async () => {
    await page.locator('[data-testid=abx-a]').selectOption('original');
    await page.locator('[data-testid=abx-end]').fill('2');
    await page.locator('[data-testid=abx-trials]').fill('4');
    await page.locator('[data-testid=abx-listener]').fill('e2e');
    await page.locator('[data-testid=abx-start-test]').click();

    const heard: ('A' | 'B')[] = [];
    for (let t = 0; t < 4; t++) {
      // Trials are counted from 1, as the page shows them.
      const trial = page.locator(`[data-testid=abx-trial][data-status=ready][data-trial="${t + 1}"]`);
      await trial.waitFor({ timeout: 60_000 });
      // Nothing in the page says which side X is: no attribute or text names it.
      const html: string = await page.evaluate(() => document.querySelector('[data-testid=abx-panel]').outerHTML);
      expect(html).not.toMatch(/data-x=|"x":|X is (A|B) ✓|right|wrong/);
      if (t === 0) await page.keyboard.press('Space');
      await page.keyboard.press('3');
      await page.waitForTimeout(150); // the match gains settle (10 ms time constant)
      const g = (await gains(page))!;
      // X is a copy of A or of B, so it gets exactly its twin's loudness-match gain.
      const twin = Math.abs(g.X - g.A) < Math.abs(g.X - g.B) ? 'A' : 'B';
      expect(Math.abs(g.X - g[twin])).toBeLessThan(1e-3);
      expect(Math.abs(g.A - g.B)).toBeGreaterThan(1e-3);
      heard.push(twin);
      await page.locator('[data-testid=abx-answer-A]').check();
      await page.keyboard.press('Enter');
    }

    const verdict = page.locator('[data-testid=abx-verdict]');
    await verdict.waitFor({ timeout: 30_000 });
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: path.join(REPO, 'docs', 'screenshot-abx.png') });
    const correct = heard.filter((s) => s === 'A').length;
    const p = binomialPValue(correct, 4);
    expect(await verdict.textContent()).toContain(`${correct} of 4`);

    // The stored record: the plan X really followed, every answer, and the same verdict.
    const dir = path.join(runs.dir, 'listening');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    const record = JSON.parse(readFileSync(path.join(dir, files[0]), 'utf8'));
    expect(record.kind).toBe('abx');
    expect(record.listener).toBe('e2e');
    expect(record.answers.map((a: { x: string }) => a.x)).toEqual(heard);
    expect(record.answers.every((a: { answer: string }) => a.answer === 'A')).toBe(true);
    expect(record.result.correct).toBe(correct);
    expect(record.result.pValue).toBeCloseTo(p, 12);

    await page.locator('[data-testid=abx-close]').click();
    const row = page.locator(`[data-testid=listening-test][data-test="${record.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-finished')).toBe('true');

    // Compare shows the run's latest blind verdict against the original.
    await page.locator('[data-testid=tab-compare]').click();
    const abx = page.locator('[data-testid=run-abx]');
    await abx.waitFor();
    expect(await abx.textContent()).toContain(`ABX vs original: ${record.result.distinguished ? 'heard' : 'not distinguished'}, ${correct} of 4`);
    expect(pageErrors).toEqual([]);
  });
});
