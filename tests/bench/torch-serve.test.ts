// torch_bench.py --serve, the PyTorch side of `codec-lab bench --peer`: one JSON request per line,
// one answer per line, a warm-up once per configuration and thread count, errors answered without
// ending the server. Needs Debian's python3-torch (run as /usr/bin/python3, or CODEC_LAB_PYTHON);
// where that cannot import torch the suite is skipped with the reason printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerError, peerPython, probePeer, TorchPeer } from '../../src/bench/peer.js';

const probe = probePeer(peerPython());
const skipReason = probe.ok ? null : probe.reason;
if (skipReason) console.log(`tests/bench/torch-serve.test.ts skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('torch_bench.py --serve', () => {
  let peer: TorchPeer;
  let torch = '';
  beforeAll(async () => {
    ({ peer, torch } = await TorchPeer.start());
  }, 120_000);
  afterAll(() => peer?.close());

  it('reports the torch it imported', () => {
    expect(probe.ok && torch).toBe(probe.ok ? probe.torch : '');
  });

  it('times one training window per request, warming up only the first time a thread count is asked for', { timeout: 120_000 }, async () => {
    const first = await peer.request({ mode: 'train', preset: 'tiny', loss: 'wave-l1', threads: 1, seconds: 0.1, warmup: 1 });
    expect(first.steps_per_s).toBeGreaterThan(0);
    expect(first.threads).toBe(1);
    expect(first.warmup_s).toBeGreaterThan(0);
    const again = await peer.request({ mode: 'train', preset: 'tiny', loss: 'wave-l1', threads: 1, seconds: 0.1, warmup: 1 });
    expect(again.warmup_s).toBe(0);
    // The thread count is set per request: the same model with two threads is warmed up anew.
    const two = await peer.request({ mode: 'train', preset: 'tiny', loss: 'wave-l1', threads: 2, seconds: 0.1, warmup: 1 });
    expect(two.threads).toBe(2);
    expect(two.warmup_s).toBeGreaterThan(0);
    expect(two.peak_rss_mb).toBeGreaterThan(30);
    expect(Number.isFinite(two.other_load)).toBe(true);
  });

  it('times one reconstruction of the 10 s clip per inference request', { timeout: 120_000 }, async () => {
    const a = await peer.request({ mode: 'infer', preset: 'tiny', threads: 1 });
    expect(a.rtf).toBeGreaterThan(0);
    expect(a.threads).toBe(1);
  });

  it('answers a bad request with an error and keeps serving', { timeout: 120_000 }, async () => {
    await expect(peer.request({ mode: 'train', preset: 'tiny', loss: 'no-such-loss' as 'wave-l1', threads: 1, seconds: 0.1 })).rejects.toThrow(PeerError);
    await expect(peer.request({ mode: 'infer', preset: 'huge' as 'tiny', threads: 1 })).rejects.toThrow(/unknown preset/);
    const ok = await peer.request({ mode: 'infer', preset: 'tiny', threads: 1 });
    expect(ok.rtf).toBeGreaterThan(0);
  });
});
