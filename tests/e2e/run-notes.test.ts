// Renaming, annotating and deleting a run in Compare's runs table, end to end: the real web host
// (dist/web/main.js) serving the built renderer to Debian's Chromium, on a runs folder holding one
// small run trained beforehand in this process (tests/runs/make-run.ts). The run is given a title and
// a note through the "⋯" editor, then deleted with the inline confirmation; it leaves the table and
// its folder is found, whole, under trash/. Skipped with a reason when Chromium or the builds are missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

import { makeRun } from '../runs/make-run.js';
import { labSession, missingForE2e } from './web-host.js';

// The page's globals, for the callbacks that run there (the root tsconfig has no DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const getComputedStyle: any;

const missing = missingForE2e('run notes');


describe.skipIf(Boolean(missing))('renaming, annotating and deleting a run in Compare, in Chromium against the real web host', { timeout: 180_000 }, () => {
  const lab = labSession('codec-lab-e2e-notes-');
  const { runs, errors: pageErrors } = lab;
  let page: Page;
  let runId = '';
  let filesBefore: string[] = [];

  beforeAll(async () => {
    const { runDir } = await makeRun(runs.dir);
    runId = path.basename(runDir);
    filesBefore = readdirSync(runDir).sort();
    ({ page } = await lab.open({ width: 1280, height: 800 }));
    await page.locator('[data-testid=tab-compare]').click();
  });

  afterAll(() => lab.close());

  const row = () => page.locator(`[data-testid=run-row][data-run="${runId}"]`);

  it('shows a title instead of the run id (the id in its tooltip) and the note under it', async () => {
    await row().locator('[data-testid=run-more]').click();
    const editor = page.locator(`[data-testid=run-editor][data-run="${runId}"]`);
    await editor.locator('[data-testid=run-title-input]').fill('piano, wave-l1 baseline');
    await editor.locator('[data-testid=run-note-input]').fill('Too short to judge.\nRetrain with 2000 steps.');
    await editor.locator('[data-testid=run-save]').click();
    await editor.waitFor({ state: 'detached' });
    const name = row().locator('[data-testid=run-name]');
    await expect.poll(() => name.textContent()).toBe('piano, wave-l1 baseline');
    expect(await name.getAttribute('title')).toBe(runId);
    const note = row().locator('[data-testid=run-note]');
    expect(await note.getAttribute('title')).toBe('Too short to judge.\nRetrain with 2000 steps.');
    // One line, however long the note: its line break is not drawn.
    expect(await note.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe('nowrap');
    expect(JSON.parse(readFileSync(path.join(runs.dir, runId, 'notes.json'), 'utf8'))).toEqual({ title: 'piano, wave-l1 baseline', note: 'Too short to judge.\nRetrain with 2000 steps.' });
  });

  it('asks before deleting; No keeps the run, Yes moves its folder whole to trash/ and the table no longer lists it', async () => {
    await row().locator('[data-testid=run-more]').click();
    const editor = page.locator(`[data-testid=run-editor][data-run="${runId}"]`);
    await editor.locator('[data-testid=run-delete]').click();
    const question = editor.locator('[data-testid=trash-confirm]');
    expect(await question.textContent()).toMatch(/Move this run to trash\/\?\s*Yes\s*No/);
    await question.locator('[data-testid=trash-no]').click();
    await question.waitFor({ state: 'detached' });
    expect(existsSync(path.join(runs.dir, runId))).toBe(true);

    await editor.locator('[data-testid=run-delete]').click();
    await editor.locator('[data-testid=trash-yes]').click();
    await row().waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid=run-row]').count()).toBe(0);
    expect(existsSync(path.join(runs.dir, runId))).toBe(false);
    const trashed = path.join(runs.dir, 'trash', runId);
    expect(readdirSync(trashed).sort()).toEqual([...filesBefore, 'notes.json'].sort());
  });

  it('raised no page errors and no failed requests', () => {
    expect(pageErrors).toEqual([]);
  });
});
