// The shape options on the command line as a user runs them: info for any setting, and a short tiny
// run at 2 bits and hop 128 whose config records its shape and whose scores carry the entropy rate.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { MUSIC_DIR, tempDir } from '../helpers.js';
import { codecLab } from './codec-lab.js';

describe('codec-lab info with shape options', () => {
  it('--json keeps its keys for any setting and adds the shape and the work per second', async () => {
    // tiny at hop 320 = 4x8x10 with 16 latent channels of 2 bits: 75 frames/s x 16 x 2 = 2.4 kbit/s.
    const r = await codecLab('info', '--preset', 'tiny', '--hop', '320', '--latent-channels', '16', '--bits', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ preset: 'tiny', hopSamples: 320, frameRateHz: 75, bitrateKbps: 2.4, bits: 2, latentChannels: 16, width: 1, strides: [4, 8, 10] });
    // Tiny's counts with stage 2's Conv(16, 32, 16) (+4,096), stage 3's Conv(32, 32, 20) (+12,288) and 16
    // latent channels (encoder Conv(32, 16, 3) +776, decoder Conv(16, 32, 3) +768), each side.
    expect(info.params).toEqual({ encoder: 19720 + 4096 + 12288 + 776, decoder: 19713 + 4096 + 12288 + 768, total: 19720 + 19713 + 2 * (4096 + 12288) + 776 + 768 });
    expect(info.macsPerSecond.total).toBe(info.macsPerSecond.encoder + info.macsPerSecond.decoder);
  });

  it('prints the figures as text, and refuses a hop it has no strides for, listing the allowed ones', async () => {
    const r = await codecLab('info', '--preset', 'small', '--width', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/channels 32, 64, 128, 128 \(width 2\)/);
    expect(r.stdout).toMatch(/total 606,217/);
    expect(r.stdout).toMatch(/hop 64 samples \(strides 4 x 4 x 4\) at 24000 Hz -> 375 frames\/s x 8 x 4 bits = 12\.0 kbit\/s nominal/);
    expect(r.stdout).toMatch(/multiply-adds per second of audio: .* per sample\)/);
    const bad = await codecLab('info', '--hop', '100', '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENTS' } });
    expect(bad.stderr).toMatch(/hop must be one of 32, 64, 128, 160, 256, 320 samples/);
  });
});

describe('codec-lab train and eval with shape options', () => {
  it('a tiny run at 2 bits and hop 128 trains, records its shape, and reports an entropy rate at most the nominal one', { timeout: 300_000 }, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const train = await codecLab(
        'train', path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav'),
        '--preset', 'tiny', '--bits', '2', '--hop', '128', '--loss', 'wave-l1', '--steps', '4', '--batch', '2', '--segment', '4096', '--val-every', '2', '--out', dir, '--json',
      );
      expect(train.code, train.stderr).toBe(0);
      const result = JSON.parse(train.stdout);
      // 187.5 frames/s x 8 channels x 2 bits = 3 kbit/s.
      expect(result.metrics.bitrateKbps).toBe(3);
      expect(result.metrics.entropyKbps).toBeGreaterThan(0);
      expect(result.metrics.entropyKbps).toBeLessThanOrEqual(result.metrics.bitrateKbps);
      expect(result.metrics.codeUsage.counts).toHaveLength(8);
      expect(result.metrics.codeUsage.counts[0]).toHaveLength(4);
      const config = JSON.parse(readFileSync(path.join(result.runDir, 'config.json'), 'utf8'));
      expect(config).toMatchObject({ preset: 'tiny', bits: 2, latentChannels: 8, hop: 128, width: 1, segment: 4096 });
      expect(train.stderr).toMatch(/8 codes of 2 bits per 128-sample frame: nominal 3\.0 kbit\/s/);

      const evalJson = await codecLab('eval', '--run', result.runDir, '--json');
      expect(evalJson.code, evalJson.stderr).toBe(0);
      const scored = JSON.parse(evalJson.stdout);
      // The test split scored again from the saved weights gives the same codes, so the same entropy.
      expect(scored.entropyKbps).toBeCloseTo(result.metrics.entropyKbps, 9);
      const evalText = await codecLab('eval', '--run', result.runDir);
      expect(evalText.code, evalText.stderr).toBe(0);
      expect(evalText.stdout).toMatch(/nominal 3\.0 kbit\/s, entropy \d+\.\d+ kbit\/s/);
    } finally {
      cleanup();
    }
  });
});
