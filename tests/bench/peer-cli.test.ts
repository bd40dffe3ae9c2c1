// `codec-lab bench --peer` as a user runs it (a real process): the typed error where no Python can
// import torch, and, where one can, the JSON of a quick run beside PyTorch. No timing is asserted:
// only that every figure is there, positive and finite.
import { describe, expect, it } from 'vitest';
import { peerPython, probePeer } from '../../src/bench/peer.js';
import path from 'node:path';
import { REPO } from '../helpers.js';
import { codecLabWith } from '../cli/codec-lab.js';

const probe = probePeer(peerPython());
const skipReason = probe.ok ? null : probe.reason;
if (skipReason) console.log(`tests/bench/peer-cli.test.ts (the run beside PyTorch) skipped: ${skipReason}`);

const positive = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;

describe('codec-lab bench --peer', () => {
  it('fails with PEER_UNAVAILABLE, naming what to install, when the Python is not there', async () => {
    const missing = path.join(REPO, 'no-such-dir', 'python3');
    const r = await codecLabWith({ CODEC_LAB_PYTHON: missing }, 'bench', '--peer', '--quick', '--preset', 'tiny', '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: false, error: { code: 'PEER_UNAVAILABLE' } });
    expect(out.error.message).toContain(missing);
    expect(out.error.message).toContain('python3-torch');
  });

  it('rejects a malformed thread list', async () => {
    const r = await codecLabWith({}, 'bench', '--peer', '--threads', '1,x', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENTS' } });
  });

  it.skipIf(skipReason !== null)('--quick on tiny gives both sides, their ratio, both peaks and the machine', { timeout: 300_000 }, async () => {
    const r = await codecLabWith({}, 'bench', '--peer', '--quick', '--preset', 'tiny', '--threads', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const b = JSON.parse(r.stdout);
    expect(b.rounds).toBe(2);
    expect(b.peer.map((p: { kind: string; loss: string | null }) => `${p.kind}/${p.loss}`)).toEqual(['train/wave-l1', 'train/mel-db-l1', 'infer/null']);
    for (const p of b.peer) {
      expect(p).toMatchObject({ preset: 'tiny', threads: 1, oursThreads: 1 });
      expect(p.ours.windows).toHaveLength(2);
      expect(p.pytorch.windows).toHaveLength(2);
      for (const x of [p.ratio, p.pairedRatio, p.ours.median, p.pytorch.median, ...p.ours.windows, ...p.pytorch.windows]) expect(positive(x), JSON.stringify(p)).toBe(true);
      expect(p.ratio).toBeCloseTo(p.ours.median / p.pytorch.median, 9);
    }
    expect(b.memory).toHaveLength(1);
    expect(b.memory[0]).toMatchObject({ preset: 'tiny', threads: 1 });
    for (const mb of [b.memory[0].peakRssMb, b.memory[0].pytorchPeakRssMb]) {
      expect(mb).toBeGreaterThan(30);
      expect(mb).toBeLessThan(4096);
    }
    expect(b.machine).toMatchObject({ cpu: expect.any(String), cores: expect.any(Number), node: process.version, torch: probe.ok ? probe.torch : '' });
    expect(b.machine.stealPercent).toBeGreaterThanOrEqual(0);
    expect(['relaxed', 'simd']).toContain(b.build);
  });
});
