// A MUSHRA-style test (ITU-R BS.1534-3) end to end: the real web host (dist/web/main.js) serving the
// built renderer to Debian's Chromium, on a runs folder holding two small runs trained beforehand in
// this process. Two runs, the hidden reference and the 3.5 kHz anchor make four slots. Through the
// Web Audio graph the test sees that switching changes the audible side, and finds the hidden
// reference (the only slot with exactly the open reference's loudness-match gain: it is the same
// audio); the page's DOM must not say what any slot is before the end. Each slot is heard with
// playback on and scored (keyboard arrows and the slider), the test is left and resumed (the draft
// was saved), then submitted: the stored JSON's scores by condition must be the ones set, through
// the order the engine drew, and Compare must show both runs' MUSHRA mean.
// Skipped with a reason when Chromium or the builds are missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO } from '../helpers.js';
import { makeRun } from '../runs/make-run.js';
import { labSession, missingForE2e } from './web-host.js';

// The page's globals, for the callbacks that run there (the root tsconfig has no DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

const missing = missingForE2e('mushra');

interface StoredMushra {
  id: string;
  kind: string;
  listener?: string;
  finishedAt?: string;
  order: number[];
  scores: (number | null)[];
  heardMs: number[];
  compared: { conditions: { role: string; label: string; audio: { kind: string; runId?: string } }[] };
  result?: { scores: number[]; hiddenReferenceScore: number; hiddenReferenceBelow90: boolean };
}

describe.skipIf(Boolean(missing))('a MUSHRA-style test in Chromium against the real web host', { timeout: 240_000 }, () => {
  const lab = labSession('codec-lab-e2e-mushra-');
  const { runs, errors: pageErrors } = lab;
  let page: Page;
  const runIds: string[] = [];

  beforeAll(async () => {
    for (const seed of [1, 2]) runIds.push(path.basename((await makeRun(runs.dir, { config: { seed } })).runDir));
    ({ page } = await lab.open({ width: 1280, height: 900 }));
    await page.locator('[data-testid=tab-blind]').click();
    await page.locator('[data-testid=blind-mushra]').click();
  });

  afterAll(() => lab.close());

  const audio = (p: Page) => p.evaluate(() => ({ audible: window.__codecLabAudio?.audible as string | null, gains: window.__codecLabAudio?.matchGains as Record<string, number> }));
  const stored = (): StoredMushra => {
    const dir = path.join(runs.dir, 'listening');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    return JSON.parse(readFileSync(path.join(dir, files[0]), 'utf8'));
  };
  const sliderValues = (p: Page) => p.locator('[data-testid=mushra-slider]').evaluateAll((els: any[]) => els.map((e) => Number(e.value)));
  const ready = (p: Page) => p.locator('[data-testid=mushra-test][data-status=ready]').waitFor({ timeout: 60_000 });

  it('rates every slot blind, resumes the saved draft, and stores the scores by condition', async () => {
    for (const id of runIds) await page.locator(`[data-testid=mushra-run][data-run="${id}"]`).check();
    await page.locator('[data-testid=mushra-end]').fill('2');
    await page.locator('[data-testid=mushra-listener]').fill('e2e');
    await page.locator('[data-testid=mushra-start-test]').click();
    await ready(page);

    const slots = await page.locator('[data-testid=mushra-slot]').count();
    expect(slots).toBe(4); // the hidden reference, the 3.5 kHz anchor and two runs
    // Nothing in the page says what a slot is: no run, role or label in any text or attribute.
    const html: string = await page.evaluate(() => document.querySelector('[data-testid=mushra-panel]').outerHTML);
    for (const word of [...runIds, 'hidden reference', 'anchor', 'reconstruction', 'data-role', 'wave-l1', 'kHz']) expect(html).not.toContain(word);
    expect(await page.locator('[data-testid=mushra-submit]').isDisabled()).toBe(true);

    await page.keyboard.press('Space');
    // Every slot in turn, with playback on: it becomes the audible side and is heard.
    for (let s = 1; s <= slots; s++) {
      await page.keyboard.press(String(s));
      await page.waitForTimeout(300);
      expect((await audio(page)).audible).toBe(String(s));
    }
    await page.keyboard.press('r');
    await page.waitForTimeout(150); // the match gains settle (10 ms time constant)
    const { audible, gains } = await audio(page);
    expect(audible).toBe('R');
    // The hidden reference is the reference's own audio, so exactly its gain; no other slot's is.
    const sameAsRef = Array.from({ length: slots }, (_, i) => i + 1).filter((s) => Math.abs(gains[String(s)] - gains.R) < 1e-6);
    expect(sameAsRef).toHaveLength(1);
    const hiddenSlot = sameAsRef[0];

    // Scores: the hidden reference 100 (so post-screening keeps the listener), the others distinct.
    const want = Array.from({ length: slots }, (_, i) => (i + 1 === hiddenSlot ? 100 : 30 + 11 * i));
    // Slot 1 by the keyboard on the audible slot: PageUp adds 10 (eleven times: it stops at 100),
    // ArrowDown and ArrowLeft take 1 away, ArrowRight adds it back.
    await page.keyboard.press('1');
    for (let k = 0; k < 11; k++) await page.keyboard.press('PageUp');
    for (let k = 0; k < 100 - want[0]; k++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowRight');
    // The others through their sliders.
    for (let s = 2; s <= slots; s++) await page.locator('[data-testid=mushra-slider]').nth(s - 1).fill(String(want[s - 1]));
    // A slider in focus takes the arrows itself, whichever slot is audible.
    await page.locator('[data-testid=mushra-slider]').nth(1).focus();
    await page.keyboard.press('ArrowDown');
    expect((await sliderValues(page))[1]).toBe(want[1] - 1);
    await page.keyboard.press('ArrowUp');
    expect(await sliderValues(page)).toEqual(want);
    await page.keyboard.press('Space'); // pause: the heard times are settled and saved
    await page.locator('[data-testid=mushra-submit]:not([disabled])').waitFor();

    // The draft reaches the file (debounced), every slot heard; leave, and resume from the list.
    await expect.poll(() => stored().scores, { timeout: 10_000 }).toEqual(want);
    const draft = stored();
    expect(draft.finishedAt).toBeUndefined();
    expect(draft.heardMs.every((ms) => ms > 0)).toBe(true);
    await page.locator('[data-testid=mushra-close]').click();
    await page.locator(`[data-testid=listening-test][data-test="${draft.id}"] [data-testid=mushra-resume]`).click();
    await ready(page);
    expect(await sliderValues(page)).toEqual(want);
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: path.join(REPO, 'docs', 'screenshot-mushra.png') });

    await page.locator('[data-testid=mushra-submit]').click();
    await page.locator('[data-testid=mushra-test][data-status=done]').waitFor({ timeout: 60_000 });

    // The stored record: finished, and each condition scored as its slot was.
    const record = stored();
    expect(record.kind).toBe('mushra');
    expect(record.listener).toBe('e2e');
    expect(typeof record.finishedAt).toBe('string');
    expect(record.scores).toEqual(want);
    const byCondition = new Array<number>(slots);
    record.order.forEach((condition, slot) => (byCondition[condition] = want[slot]));
    expect(record.result!.scores).toEqual(byCondition);
    expect(record.compared.conditions[record.order[hiddenSlot - 1]].role).toBe('hidden-reference');
    expect(record.result!.hiddenReferenceScore).toBe(100);
    expect(record.result!.hiddenReferenceBelow90).toBe(false);
    // The page reveals the same mapping.
    const roles = await page.locator('[data-testid=mushra-revealed-row]').evaluateAll((rows: any[]) => rows.map((r) => r.dataset.role));
    expect(roles).toEqual(record.order.map((c) => record.compared.conditions[c].role));

    await page.locator('[data-testid=mushra-close]').click();
    const row = page.locator(`[data-testid=listening-test][data-test="${record.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-finished')).toBe('true');
    expect(await row.textContent()).toContain('MUSHRA: original vs 2 runs');

    // Compare: each run's mean (one rating: no interval), and the agreement panel with its small-n note.
    await page.locator('[data-testid=tab-compare]').click();
    for (const id of runIds) {
      const condition = record.compared.conditions.findIndex((c) => c.role === 'run' && c.audio.runId === id);
      const line = page.locator(`[data-testid=run-row][data-run="${id}"] [data-testid=run-mushra]`);
      await line.waitFor();
      expect(await line.textContent()).toBe(`MUSHRA ${record.result!.scores[condition]}, n = 1, no interval`);
    }
    await page.locator('[data-testid=agreement-panel]').waitFor();
    expect(await page.locator('[data-testid=agreement-note]').textContent()).toContain('2 rated runs');
    expect(pageErrors).toEqual([]);
  });
});
