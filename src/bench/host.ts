// `codec-lab bench --host`: does the host stay responsive while it does heavy work, and what does it
// hold in memory? It starts the web host in this process, uploads a long clip (44.1 kHz stereo
// 16-bit, so it is decoded and resampled like a user's file), trains a few tiny runs on the bundled
// clip, then cross-evaluates the long clip and reconstructs it with every run while a probe thread
// calls the host over HTTP every few milliseconds. The probe runs in a worker thread, so a blocked
// host main thread shows up as late answers rather than as missing samples.
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeWav } from '../audio/wav-write.js';
import { startWebHost } from '../web/host.js';
import { TOKEN_HEADER } from '../web/guard.js';
import { synthAudio } from './bench.js';

export interface HostBenchOptions {
  /** Length of the long clip, seconds (default 300). */
  clipSec?: number;
  /** How many runs to train and then listen to (default 10). */
  runs?: number;
  onProgress?(line: string): void;
}

export interface LatencySummary {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface HostBenchResult {
  clipSec: number;
  runs: number;
  /** Wall time of each heavy call, seconds. */
  uploadSec: number;
  crossEvaluateSec: number;
  reconstructSec: number;
  /** Latency of a light call (listRuns) while each heavy call ran. */
  latency: { upload: LatencySummary; crossEvaluate: LatencySummary; reconstruct: LatencySummary };
  /** The host process's resident memory after each phase, MB (1 MB = 2^20 bytes), and its peak. */
  rssMb: { start: number; afterUpload: number; afterRuns: number; afterListening: number; peak: number };
}

// The probe: light calls in a loop, one at a time, until told to stop; then the latencies.
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, header, token, method } = workerData;
const lat = [];
let stop = false;
parentPort.on('message', () => (stop = true));
function call() {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/call/' + method,
      headers: { [header]: token, 'content-type': 'application/json' }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - t0));
    });
    req.on('error', () => resolve(performance.now() - t0));
    req.end('{"args":[]}');
  });
}
(async () => {
  while (!stop) {
    const sent = Date.now();
    lat.push([sent, await call()]);
    await new Promise((r) => setTimeout(r, 5));
  }
  parentPort.postMessage(lat);
})();
`;

const MB = 2 ** 20;

function summarize(latencies: number[]): LatencySummary {
  const s = [...latencies].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] : NaN);
  return { calls: s.length, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: s.at(-1) ?? NaN };
}

export async function runHostBench(o: HostBenchOptions = {}): Promise<HostBenchResult> {
  const clipSec = o.clipSec ?? 300;
  const nRuns = o.runs ?? 10;
  const say = o.onProgress ?? (() => {});
  const runsDir = mkdtempSync(path.join(os.tmpdir(), 'codec-lab-host-bench-'));
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const rss = () => {
    const r = process.memoryUsage().rss;
    peak = Math.max(peak, r);
    return r / MB;
  };
  const host = await startWebHost({ runsDir, withBundledClip: true });
  let probe: Worker | null = null;
  const call = async (method: string, args: unknown[]): Promise<any> => {
    const res = await fetch(`http://127.0.0.1:${host.port}/api/call/${method}`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: host.token, 'content-type': 'application/json' },
      body: JSON.stringify({ args }),
    });
    const body = (await res.json()) as { result?: unknown; error?: { code: string; message: string } };
    if (!res.ok) throw new Error(`${method}: ${body.error?.code}: ${body.error?.message}`);
    return body.result;
  };
  try {
    const start = rss();
    // A long stereo clip at 44.1 kHz: the chirps of the PyTorch peer's audio, left and right apart.
    const left = synthAudio(clipSec, 1, 44100);
    const right = synthAudio(clipSec, 2, 44100);
    const wav = encodeWav([left, right], 44100, 'pcm_s16');
    say(`long clip: ${clipSec} s, ${(wav.length / MB).toFixed(1)} MB`);

    probe = new Worker(PROBE, { eval: true, workerData: { port: host.port, header: TOKEN_HEADER, token: host.token, method: 'listRuns' } });
    const latencies = new Promise<[number, number][]>((resolve) => probe!.once('message', resolve));
    const phases: Record<'upload' | 'crossEvaluate' | 'reconstruct', [number, number]> = { upload: [0, 0], crossEvaluate: [0, 0], reconstruct: [0, 0] };

    let t0 = performance.now();
    phases.upload[0] = Date.now();
    const upload = await fetch(`http://127.0.0.1:${host.port}/api/upload?name=long.wav`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: host.token, 'content-type': 'audio/wav' },
      body: wav,
    });
    const longClip = ((await upload.json()) as { result: { id: string; ok: boolean } }).result;
    if (!longClip?.ok) throw new Error('the long clip was refused');
    phases.upload[1] = Date.now();
    const uploadSec = (performance.now() - t0) / 1000;
    const afterUpload = rss();
    say(`uploaded and decoded in ${uploadSec.toFixed(1)} s`);

    const library = (await call('listLibrary', [])) as { id: string; bundled: boolean }[];
    const bundled = library.find((c) => c.bundled)!.id;
    const runIds: string[] = [];
    for (let i = 0; i < nRuns; i++) {
      const { runId } = await call('startTraining', [[bundled], { preset: 'tiny', loss: 'wave-l1', steps: 2, batch: 2, valEvery: 1, seed: i }]);
      runIds.push(runId);
      // One at a time: the bench measures the host, not two trainings fighting for two cores.
      for (;;) {
        const runs = (await call('listRuns', [])) as { id: string; status: string }[];
        if (runs.find((r) => r.id === runId)?.status !== 'running') break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const afterRuns = rss();
    say(`${nRuns} tiny runs trained`);

    t0 = performance.now();
    phases.crossEvaluate[0] = Date.now();
    await call('crossEvaluate', [[runIds[0]], [longClip.id]]);
    phases.crossEvaluate[1] = Date.now();
    const crossEvaluateSec = (performance.now() - t0) / 1000;
    say(`cross-evaluated the long clip in ${crossEvaluateSec.toFixed(1)} s`);

    t0 = performance.now();
    phases.reconstruct[0] = Date.now();
    for (const runId of runIds) {
      const res = await fetch(`http://127.0.0.1:${host.port}/api/audio`, {
        method: 'POST',
        headers: { [TOKEN_HEADER]: host.token, 'content-type': 'application/json' },
        body: JSON.stringify({ ref: { kind: 'reconstruction', runId, clipId: longClip.id } }),
      });
      if (!res.ok) throw new Error(`reconstruction with ${runId}: HTTP ${res.status}`);
      await res.arrayBuffer();
    }
    phases.reconstruct[1] = Date.now();
    const reconstructSec = (performance.now() - t0) / 1000;
    const afterListening = rss();
    say(`reconstructed the long clip with each of the ${nRuns} runs in ${reconstructSec.toFixed(1)} s`);

    probe.postMessage('stop');
    const samples = await latencies;
    // A call belongs to a phase if it was waiting for its answer at any time while the phase ran.
    const during = ([from, to]: [number, number]) => samples.filter(([sent, ms]) => sent <= to && sent + ms >= from).map(([, ms]) => ms);
    const latency = { upload: summarize(during(phases.upload)), crossEvaluate: summarize(during(phases.crossEvaluate)), reconstruct: summarize(during(phases.reconstruct)) };
    return {
      clipSec, runs: nRuns, uploadSec, crossEvaluateSec, reconstructSec, latency,
      rssMb: { start, afterUpload, afterRuns, afterListening, peak: peak / MB },
    };
  } finally {
    // On a failure too: a probe left running would keep calling a closed host, and the process alive.
    await probe?.terminate();
    clearInterval(sampler);
    await host.close();
    rmSync(runsDir, { recursive: true, force: true });
  }
}
