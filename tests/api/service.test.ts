// The service the app and the web host serve: library, training, runs, scoring and audio.
import { LOSS_NAMES } from '../../src/common/loss-scale.js';
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LabService, ApiError } from '../../src/api/service.js';
import type { LabEvent } from '../../src/api/contract.js';
import { readWav } from '../../src/audio/wav-read.js';
import { BUNDLED_CLIP } from '../../src/assets.js';
import { EDGE_DIR, tempDir } from '../helpers.js';

describe('LabService', () => {
  it('starts with the bundled clip; adds good and bad files, each judged on its own', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const lab = new LabService({ runsDir: dir });
      const first = await lab.listLibrary();
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({ ok: true, bundled: true, sampleRate: 44100, channels: 2 });
      const added = await lab.addFiles([path.join(EDGE_DIR, 'bad_truncated_data.wav'), path.join(EDGE_DIR, 'ok_s16_mono_11025.wav'), '/no/such.wav']);
      expect(added.map((e) => e.ok)).toEqual([false, true, false]);
      expect(added[0]).toMatchObject({ error: { code: 'TRUNCATED_DATA' } });
      expect(added[2]).toMatchObject({ error: { code: 'FILE_NOT_FOUND' } });
      const dropped = await lab.addFileData('dropped.wav', readFileSync(path.join(EDGE_DIR, 'ok_f32_stereo_48000.wav')).buffer as ArrayBuffer);
      expect(dropped).toMatchObject({ ok: true, name: 'dropped.wav', format: 'float32', channels: 2 });
      expect(await lab.listLibrary()).toHaveLength(5);
      await lab.removeClip(added[0].id);
      expect(await lab.listLibrary()).toHaveLength(4);
      await expect(lab.removeClip('nope')).rejects.toBeInstanceOf(ApiError);
      await expect(lab.addFiles('x' as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    } finally {
      cleanup();
    }
  });

  it('holds no more than its limit: files added at once are measured one after another, and removing a clip makes room', async () => {
    const { dir, cleanup } = tempDir();
    // Room for one 44.1 kHz stereo file of 44144 bytes and its 6000 samples of 24 kHz mono, not two.
    const lab = new LabService({ runsDir: dir, withBundledClip: false, libraryLimitBytes: 100_000 });
    try {
      const bytes = () => readFileSync(path.join(EDGE_DIR, 'ok_s16_stereo_44100.wav')).buffer as ArrayBuffer;
      const [a, b] = await Promise.all([lab.addFileData('a.wav', bytes()), lab.addFileData('b.wav', bytes())]);
      expect(a).toMatchObject({ ok: true });
      expect(b).toMatchObject({ ok: false, error: { code: 'LIBRARY_FULL' } });
      await lab.removeClip(a.id);
      expect(await lab.addFiles([path.join(EDGE_DIR, 'ok_s16_stereo_44100.wav')])).toMatchObject([{ ok: true }]);
    } finally {
      await lab.shutdown();
      cleanup();
    }
  });

  it('refuses bad settings itself too (resolveConfig), for a caller that is not behind the dispatch, and makes no run folder', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const lab = new LabService({ runsDir: dir, withBundledClip: false });
      const [clip] = await lab.addFiles([path.join(EDGE_DIR, 'ok_s16_mono_11025.wav')]);
      const bad: [unknown, RegExp][] = [
        [{ lr: '0.001' }, /^learning rate must be a number between 0 and 10, not the string "0\.001"$/],
        [{ preset: 'constructor' }, /^unknown preset 'constructor'/],
        [{ preset: '__proto__' }, /^unknown preset '__proto__'/],
        [{ preset: 'toString' }, /^unknown preset 'toString'/],
        [{ optimizer: { name: 'momentum', momentum: -0.1 } }, /^momentum must be in \[0, 1\)/],
        [{ optimizer: { name: 'adam', beta1: 1 } }, /^beta1 must be in \[0, 1\)/],
        [{ batch: 1000 }, /kernel memory/],
        [{ optimizer: 'adam' }, /^optimizer must be an object, not the string "adam"$/],
      ];
      for (const [config, message] of bad) {
        await expect(lab.startTraining([clip.id], config as never), JSON.stringify(config)).rejects.toMatchObject({ code: 'BAD_CONFIG', message: expect.stringMatching(message) });
      }
      expect(readdirSync(dir)).toEqual([]);
      expect(await lab.listRuns()).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('trains in a worker, streams events, lists the run, scores it in every space and serves its audio', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const lab = new LabService({ runsDir: dir, withBundledClip: false });
      const [clip] = await lab.addFiles([BUNDLED_CLIP]);
      const events: LabEvent[] = [];
      lab.subscribe((e) => events.push(e));
      await expect(lab.startTraining([clip.id], { loss: 'wave-l9' as never })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
      const { runId } = await lab.startTraining([clip.id], { preset: 'tiny', loss: 'mel-db-l1', steps: 12, batch: 2, valEvery: 6 });
      expect((await lab.listRuns()).find((r) => r.id === runId)?.status).toBe('running');
      const result = await lab.waitForRun(runId);
      expect(result?.status).toBe('completed');
      expect(events.some((e) => e.type === 'train' && e.runId === runId && e.event.type === 'progress')).toBe(true);
      const runs = await lab.listRuns();
      expect(runs.find((r) => r.id === runId)).toMatchObject({ status: 'completed', steps: 12, config: { preset: 'tiny', loss: 'mel-db-l1' } });
      expect((await lab.runLog(runId)).filter((e) => e.valLoss !== undefined)).toHaveLength(2);
      // The split names the clip it trained on by the hash of its model-rate samples, as the library does.
      const split = await lab.runSplit(runId);
      expect(split.clips).toEqual([{ name: clip.name, sha256: (clip as { sha256: string }).sha256, samples: 192000 }]);
      expect(split.train.length + split.val.length + split.test.length).toBeGreaterThan(0);
      await expect(lab.runSplit('no-such-run')).rejects.toMatchObject({ code: 'NOT_FOUND' });

      const rows = await lab.crossEvaluate([runId]);
      expect(Object.keys(rows[0].scores.losses!)).toHaveLength(LOSS_NAMES.length);
      // On its own test split nothing is training audio; on the clip it trained on, the row says so.
      expect(rows[0].trainedOn).toEqual([]);
      expect((await lab.crossEvaluate([runId], [clip.id]))[0].trainedOn).toEqual([clip.name]);
      expect(rows[0].scores.losses!['mel-db-l1']).toBeCloseTo(result!.metrics!.losses!['mel-db-l1'], 4);

      const recon = new Uint8Array(await lab.audio({ kind: 'reconstruction', runId, clipId: clip.id }));
      const input = new Uint8Array(await lab.audio({ kind: 'model-input', clipId: clip.id }));
      const out = path.join(dir, 'export.wav');
      const exported = await lab.exportAudio({ kind: 'reconstruction', runId, clipId: clip.id }, out);
      expect(exported.bytes).toBe(recon.length);
      const back = await readWav(out);
      expect(back).toMatchObject({ sampleRate: 24000, channels: 1, frames: 192000, format: 'float32' });
      expect(input.length).toBe(recon.length);
      await expect(lab.audio({ kind: 'run', runId, file: '../../etc/passwd' as never })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(lab.runLog('../x')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    } finally {
      cleanup();
    }
  });

  it('lets a running run be heard: after its first validation it is listed with a best loss and its best weights reconstruct', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const lab = new LabService({ runsDir: dir, withBundledClip: false });
      const [clip] = await lab.addFiles([BUNDLED_CLIP]);
      const validated = new Promise<void>((resolve) =>
        lab.subscribe((e) => {
          if (e.type === 'train' && e.event.type === 'validation') resolve();
        }),
      );
      const { runId } = await lab.startTraining([clip.id], { preset: 'tiny', loss: 'wave-l1', steps: 100_000, batch: 2, valEvery: 5 });
      await validated;
      const running = (await lab.listRuns()).find((r) => r.id === runId)!;
      expect(running.status).toBe('running');
      expect(running.bestValLoss).toEqual(expect.any(Number));
      const wav = await lab.audio({ kind: 'reconstruction', runId, clipId: clip.id });
      expect(wav.byteLength).toBeGreaterThan(44);
      const done = lab.waitForRun(runId);
      await lab.stopTraining(runId);
      expect((await done)?.status).toBe('stopped');
      await lab.shutdown();
    } finally {
      cleanup();
    }
  });
});
