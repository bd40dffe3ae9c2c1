// The rate-quality view end to end: the real web host serving the built renderer to Debian's
// Chromium, on a runs folder holding three tiny runs that differ only in bits per code (2, 4, 6),
// trained beforehand in this process. Compare draws one point per run and the Pareto front; hovering
// a point names the run and its settings; clicking one plays that run against the original on the
// A/B bench (seen through the Web Audio graph, `window.__codecLabAudio`); the plot and its table export.
// Skipped with a reason when Chromium or the builds are missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO } from '../helpers.js';
import { makeRun, musicClip } from '../runs/make-run.js';
import { paretoFront } from '../../renderer/src/lib/pareto.js';
import { shortRun } from '../../renderer/src/lib/format.js';
import { labSession, missingForE2e } from './web-host.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;

const missing = missingForE2e('rate-quality');
const BITS = [2, 4, 6];
// Three steps make runs with every figure in seconds; the README's picture trains longer, so its points
// differ by more than the first steps' noise.
const STEPS = process.env.UPDATE_SCREENSHOTS ? 40 : 3;

interface Made {
  id: string;
  bits: number;
  kbps: number;
  entropy: number;
  siSdr: number;
}

describe.skipIf(Boolean(missing))('the rate-quality view in Chromium against the real web host', { timeout: 120_000 }, () => {
  const lab = labSession('codec-lab-e2e-rate-quality-');
  const { runs, errors: pageErrors } = lab;
  let page: Page;
  const made: Made[] = [];

  beforeAll(async () => {
    const clips = [await musicClip()];
    for (const bits of BITS) {
      const r = await makeRun(runs.dir, { clips, config: { bits, steps: STEPS } });
      const m = r.metrics!;
      made.push({ id: path.basename(r.runDir), bits, kbps: m.bitrateKbps, entropy: m.entropyKbps!, siSdr: m.siSdrDb });
    }
    ({ page } = await lab.open({ width: 1280, height: 1000 }));
    await page.locator('[data-testid=tab-compare]').click();
  });

  afterAll(() => lab.close());

  it('draws a point per run with the front, names a run on hover, plays it against the original on click, and exports', async () => {
    // Three bit depths: three nominal rates, and an entropy rate below each.
    expect(made.map((m) => m.kbps)).toEqual([6, 12, 18]);
    for (const m of made) {
      expect(m.entropy).toBeGreaterThan(0);
      expect(m.entropy).toBeLessThanOrEqual(m.kbps);
    }

    const view = page.locator('[data-testid=rate-quality]');
    await expect.poll(() => view.getAttribute('data-points'), { timeout: 15_000 }).toBe('3');
    expect(await view.getAttribute('data-x')).toBe('nominal');
    expect(await view.getAttribute('data-y')).toBe('si-sdr');
    expect(await view.locator('[data-testid=rq-plot] canvas').count()).toBeGreaterThan(0);
    // Each axis says what it is and its unit.
    expect(await view.locator('[data-testid=rq-axes]').textContent()).toContain('Along: nominal bit rate, kbit/s (frame rate × latent channels × bits');

    // The front: the 2-bit run is the cheapest, so always on it; the best SI-SDR is on it too.
    const expected = made.filter((_, i) => paretoFront(made.map((m) => ({ x: m.kbps, y: m.siSdr })), 'lower', 'higher')[i]).map((m) => m.id);
    const front = (await view.getAttribute('data-front'))!.split(',');
    expect(front.sort()).toEqual([...expected].sort());
    expect(front).toContain(made[0].id);
    expect(front).toContain(made.reduce((a, b) => (b.siSdr > a.siSdr ? b : a)).id);
    expect(await view.locator('[data-testid=rq-front] li').count()).toBe(expected.length);
    await expect.poll(() => view.locator('[data-testid=rq-point]').count()).toBe(3);

    // The runs table says both bit rates: "6.0 · 4.4" (nominal · entropy).
    const kbps = page.locator(`[data-testid=run-row][data-run="${made[0].id}"] [data-testid=run-kbps]`);
    expect(await kbps.textContent()).toBe(`6.0 · ${made[0].entropy.toFixed(1)}`);

    // Hover: the run's name and its settings line (its 2 bits differ from the preset's 4).
    await view.scrollIntoViewIfNeeded();
    await view.locator(`[data-testid=rq-point][data-run="${made[0].id}"]`).hover();
    const tip = view.locator('[data-testid=rq-tip]');
    await tip.waitFor();
    expect(await tip.textContent()).toContain(shortRun(made[0].id));
    expect(await tip.textContent()).toContain('2 bits');

    // Click: the 6-bit run against the original, playing at once.
    const target = made[2].id;
    await view.locator(`[data-testid=rq-point][data-run="${target}"]`).click();
    const ab = page.locator('[data-testid=compare-ab]');
    await expect.poll(() => ab.getAttribute('data-b'), { timeout: 10_000 }).toBe(target);
    expect(await ab.getAttribute('data-a')).toBe('original');
    await page.waitForFunction(() => window.__codecLabAudio?.playing === true && window.__codecLabAudio?.bothRunning === true, undefined, { timeout: 30_000 });
    expect(await ab.locator('[data-testid=ab-bench]').getAttribute('data-playing')).toBe('true');
    // The run was ticked for the bench: its A/B select offers it.
    expect(await page.locator(`[data-testid=run-row][data-run="${target}"] [data-testid=run-pick]`).isChecked()).toBe(true);

    // The entropy rate along x, then the table as CSV and the plot as PNG.
    await view.locator('[data-testid=rq-x]').selectOption('entropy');
    await expect.poll(() => view.getAttribute('data-x')).toBe('entropy');
    expect(await view.getAttribute('data-points')).toBe('3');
    const [csv] = await Promise.all([page.waitForEvent('download'), view.locator('[data-testid=rq-csv]').click()]);
    expect(csv.suggestedFilename()).toBe('rate-quality.entropy.si-sdr.csv');
    const lines = readFileSync((await csv.path())!, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('run,name,entropy_kbps,si_sdr_db,on_front');
    expect(lines).toHaveLength(4);
    expect(lines.some((l) => l.startsWith(`${made[0].id},`) && l.includes(`,${made[0].entropy},`))).toBe(true);
    const [png] = await Promise.all([page.waitForEvent('download'), view.locator('[data-testid=rq-png]').click()]);
    expect(png.suggestedFilename()).toBe('rate-quality.entropy.si-sdr.png');
    expect(readFileSync((await png.path())!).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

    // The decode speed along x: faster is better, and the note says speeds depend on the machine.
    await view.locator('[data-testid=rq-x]').selectOption('decode');
    expect(await view.locator('[data-testid=rq-axes]').textContent()).toContain('depend on this machine and its load');
    if (process.env.UPDATE_SCREENSHOTS) {
      // The speed view, a run on the front named: the staircase, the timings' whiskers and the tooltip.
      await expect.poll(() => view.getAttribute('data-x')).toBe('decode');
      await view.locator('[data-testid=rq-point][data-front=true]').first().hover();
      await view.locator('[data-testid=rq-tip]').waitFor();
      await view.screenshot({ path: path.join(REPO, 'docs', 'screenshot-rate-quality.png') });
    }
    expect(pageErrors).toEqual([]);
  });
});
