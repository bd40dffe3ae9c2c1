// A run trained by PyTorch, in the page: the real web host serving the built renderer to Debian's
// Chromium, on a runs folder holding a lab run and the run its export trained with torchrun on two
// CPU processes (tests/export/round-trip.ts). Compare lists both, the PyTorch one tagged with the
// framework, its processes and device, scored like the other; Listen names it too.
// Skipped with a reason when Chromium, the builds or PyTorch (/usr/bin/python3 with torch) are missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO, tempDir } from '../helpers.js';
import { torchMissing } from '../torch-python.js';
import { roundTrip, type RoundTrip } from '../export/round-trip.js';
import { labSession, missingForE2e } from './web-host.js';

const torch = torchMissing();
if (torch) console.warn(`[e2e torch-run] skipped: ${torch}`);
const missing = missingForE2e('torch-run') ?? torch;

describe.skipIf(Boolean(missing))('a run trained with PyTorch, in Chromium against the real web host', { timeout: 300_000 }, () => {
  const lab = labSession('codec-lab-e2e-torch-');
  const work = tempDir('codec-lab-e2e-torch-work-');
  let page: Page;
  let trip: RoundTrip;

  beforeAll(async () => {
    const settings = ['--preset', 'tiny', '--loss', 'mel-db-l1', '--batch', '4', '--segment', '4096', '--lr', '0.003', '--val-every', '10', '--seed', '3'];
    trip = await roundTrip(lab.runs.dir, work.dir, settings, 20);
    ({ page } = await lab.open({ width: 1280, height: 800 }));
    await page.locator('[data-testid=tab-compare]').click();
  });

  afterAll(async () => {
    await lab.close();
    work.cleanup();
  });

  it('lists the PyTorch run beside the lab run, tagged with its framework, processes and device, and scored', async () => {
    const tag = page.locator('[data-testid=trained-with]');
    await tag.first().waitFor();
    // One of the two runs was trained elsewhere.
    expect(await page.locator('[data-testid=run-name]').count()).toBe(2);
    expect(await tag.count()).toBe(1);
    expect(await tag.textContent()).toMatch(/^PyTorch \d+\.\d+(\.\d+)?, 2 processes, cpu$/);
    const row = page.locator('tr', { has: tag });
    expect(await row.locator('[data-testid=run-name]').getAttribute('title')).toBe(path.basename(trip.torchRun));
    if (process.env.UPDATE_SCREENSHOTS) await page.locator('[data-testid=runs-table]').screenshot({ path: path.join(REPO, 'docs', 'screenshot-torch.png') });

    await page.locator('[data-testid=tab-listen]').click();
    const option = page.locator('option', { hasText: /PyTorch .*2 processes, cpu/ });
    expect(await option.count()).toBe(1);
    expect(await option.getAttribute('value')).toBe(path.basename(trip.torchRun));
  });
});
