// `codec-lab bench --peer`: the repository's PyTorch benchmark (bench/pytorch/torch_bench.py) and
// ours in the same sitting, window by window. torch_bench.py runs once, as a long-lived child in its
// serve mode (one JSON request per line on stdin, one answer per line on stdout), so PyTorch's import,
// model build and warm-up happen once per configuration and each request times a single window.
// Alternating single windows makes both sides see the same machine noise; the order within a round
// alternates too, so neither always runs on the heels of the other.
import { execFile, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../assets.js';
import { DEFAULT_CONFIG } from '../train/config.js';
import type { LossName } from '../losses/index.js';
import type { PresetName } from '../nn/presets.js';
import { InferenceTimer, median, synthAudio, TrainTimer } from './bench.js';
import { readCpuTimes, stealPercent } from './steal-time.js';

/** Debian's Python, which python3-torch installs into; CODEC_LAB_PYTHON names another. */
export const DEFAULT_PYTHON = '/usr/bin/python3';
export const PEER_SCRIPT = path.join(PACKAGE_ROOT, 'bench', 'pytorch', 'torch_bench.py');
export const TORCH_INSTALL_HINT = 'apt-get install -y --no-install-recommends python3-torch';

export function peerPython(): string {
  return process.env.CODEC_LAB_PYTHON || DEFAULT_PYTHON;
}

/** A failure of the PyTorch peer after it started (it died, or answered a request with an error). */
export class PeerError extends Error {
  readonly code = 'PEER_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'PeerError';
  }
}

export type PeerProbe = { ok: true; torch: string } | { ok: false; reason: string };

/** Whether `python` can run the peer: the script is there and the Python imports torch. */
export function probePeer(python = peerPython()): PeerProbe {
  if (!existsSync(PEER_SCRIPT)) return { ok: false, reason: `${path.relative(process.cwd(), PEER_SCRIPT)} is missing (the peer runs from a checkout of the repository)` };
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) return { ok: false, reason: `${python} cannot be run (${r.error.message})` };
  if (r.status !== 0) return { ok: false, reason: `${python} cannot import torch (${r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`})` };
  return { ok: true, torch: r.stdout.trim() };
}

export type PeerRequest =
  | { mode: 'train'; preset: PresetName; loss: LossName; threads: number; seconds: number; min_steps?: number; warmup?: number }
  | { mode: 'infer'; preset: PresetName; threads: number };

export interface PeerAnswer {
  steps_per_s?: number;
  rtf?: number;
  threads: number;
  other_load: number;
  peak_rss_mb: number;
  warmup_s: number;
}

/** torch_bench.py --serve as a child process: one request at a time. */
export class TorchPeer {
  private readonly answers: string[] = [];
  private wake: (() => void) | null = null;
  private exited = false;
  private stderr = '';
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.answers.push(line);
      this.wake?.();
    });
    child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    child.on('close', () => {
      this.exited = true;
      this.wake?.();
    });
    // A write to a peer that has died is reported by the read that follows, not as an unhandled error.
    child.stdin.on('error', () => {});
  }

  /** Starts the peer and waits for it to be ready; its environment is ours (OPENBLAS_* settings pass through). */
  static async start(python = peerPython()): Promise<{ peer: TorchPeer; torch: string; python: string }> {
    const child = spawn(python, [PEER_SCRIPT, '--serve'], { cwd: path.dirname(PEER_SCRIPT), env: process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const peer = new TorchPeer(child);
    const ready = JSON.parse(await peer.next()) as { version: string; python: string };
    return { peer, torch: ready.version, python: ready.python };
  }

  private async next(): Promise<string> {
    while (!this.answers.length) {
      if (this.exited) throw new PeerError(`the PyTorch peer (${PEER_SCRIPT}) exited: ${this.stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
    return this.answers.shift()!;
  }

  async request(req: PeerRequest): Promise<PeerAnswer> {
    this.child.stdin.write(JSON.stringify(req) + '\n');
    const answer = JSON.parse(await this.next()) as PeerAnswer & { error?: string };
    if (answer.error) throw new PeerError(`the PyTorch peer refused ${JSON.stringify(req)}: ${answer.error}`);
    return answer;
  }

  close(): void {
    this.child.stdin.end();
    if (!this.exited) this.child.kill();
  }
}

export interface PeerSide {
  /** Median of the timed windows. */
  median: number;
  windows: number[];
}

export interface PeerRow {
  kind: 'train' | 'infer';
  preset: PresetName;
  /** Training rows: the loss; inference rows: null. */
  loss: LossName | null;
  threads: number;
  /** Threads our side used: the row's count (training shares each batch, inference a clip's windows). */
  oursThreads: number;
  unit: 'steps/s' | 'x real time';
  pytorch: PeerSide;
  ours: PeerSide;
  /** ours.median / pytorch.median. */
  ratio: number;
  /** Median over rounds of ours / PyTorch within the round: the pairs saw the same noise. */
  pairedRatio: number;
  /** Cores' worth of CPU other processes used during each PyTorch window (the peer measures it). */
  pytorchOtherLoad: number[];
}

export interface PeerMachine {
  cpu: string;
  cores: number;
  node: string;
  /** The operating system's kernel release and build. */
  os: string;
  torch: string;
  python: string;
  /** CPU time the hypervisor took while the timing ran, percent (src/bench/steal-time.ts); null where the OS does not say. */
  stealPercent: number | null;
}

export interface PeerOptions {
  presets: PresetName[];
  losses: LossName[];
  threads: number[];
  /** Windows of each side per figure. */
  rounds: number;
  /** Seconds per training window. */
  windowSec: number;
  warmupSteps: number;
  python?: string;
  onProgress?(line: string): void;
}

export interface PeerBenchResult {
  machine: PeerMachine;
  rounds: number;
  peer: PeerRow[];
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Alternates one window of each side, `rounds` times, ours first in even rounds. */
async function interleave(rounds: number, ours: () => number, pytorch: () => Promise<PeerAnswer>, value: (a: PeerAnswer) => number) {
  const o: number[] = [];
  const p: number[] = [];
  const load: number[] = [];
  const theirs = async () => {
    const a = await pytorch();
    p.push(value(a));
    load.push(a.other_load);
  };
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      o.push(ours());
      await theirs();
    } else {
      await theirs();
      o.push(ours());
    }
  }
  return { o, p, load };
}

function row(kind: PeerRow['kind'], preset: PresetName, loss: LossName | null, threads: number, oursThreads: number, s: { o: number[]; p: number[]; load: number[] }): PeerRow {
  const ours = { median: median(s.o), windows: s.o.map(round3) };
  const pytorch = { median: median(s.p), windows: s.p.map(round3) };
  return {
    kind, preset, loss, threads, oursThreads, unit: kind === 'train' ? 'steps/s' : 'x real time', pytorch, ours,
    ratio: ours.median / pytorch.median,
    pairedRatio: median(s.o.map((x, i) => x / s.p[i])),
    pytorchOtherLoad: s.load,
  };
}

export function describeMachine(torch: string, python: string, stealPercent: number | null): PeerMachine {
  return { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, os: `${os.type()} ${os.release()} ${os.version()}`, torch, python, stealPercent };
}

export async function runPeerBench(o: PeerOptions): Promise<PeerBenchResult> {
  const say = o.onProgress ?? (() => {});
  const { peer, torch, python } = await TorchPeer.start(o.python);
  const cpuFrom = readCpuTimes();
  try {
    const audio = synthAudio(30);
    const rows: PeerRow[] = [];
    for (const threads of o.threads) {
      for (const preset of o.presets) {
        for (const loss of o.losses) {
          const timer = new TrainTimer(preset, loss, audio, threads, o.warmupSteps);
          try {
            const s = await interleave(o.rounds, () => timer.window(o.windowSec),
              () => peer.request({ mode: 'train', preset, loss, threads, seconds: o.windowSec, warmup: o.warmupSteps }), (a) => a.steps_per_s!);
            rows.push(row('train', preset, loss, threads, threads, s));
          } finally {
            timer.close();
          }
          const r = rows.at(-1)!;
          say(`train ${preset} ${loss} threads ${threads}: PyTorch ${r.pytorch.windows.join(' ')}, ours ${r.ours.windows.join(' ')} steps/s`);
        }
      }
    }
    for (const threads of o.threads) {
      for (const preset of o.presets) {
        // Ours on as many threads as PyTorch's: a 10 s clip's windows over them (src/nn/parallel-codec.ts).
        const timer = new InferenceTimer(preset, threads);
        let s;
        try {
          s = await interleave(o.rounds, () => timer.rep(), () => peer.request({ mode: 'infer', preset, threads }), (a) => a.rtf!);
        } finally {
          timer.close();
        }
        rows.push(row('infer', preset, null, threads, threads, s));
        say(`infer ${preset} threads ${threads}: PyTorch ${s.p.map(round3).join(' ')}, ours ${s.o.map(round3).join(' ')}x real time`);
      }
    }
    return { machine: describeMachine(torch, python, stealPercent(cpuFrom, readCpuTimes())), rounds: o.rounds, peer: rows };
  } finally {
    peer.close();
  }
}

const run = promisify(execFile);

/**
 * Peak resident memory (MB of 2^20 bytes) of PyTorch's trainer, torch_bench.py training `preset` with
 * the loss `codec-lab train` uses by default, in a process of its own (as trainPeakRss measures ours).
 */
export async function torchTrainPeakRss(preset: PresetName, threads: number, python = peerPython()): Promise<number> {
  const args = [PEER_SCRIPT, '--mode', 'train', '--preset', preset, '--loss', DEFAULT_CONFIG.loss, '--threads', String(threads),
    '--warmup', '2', '--windows', '1', '--window-s', '0.5', '--no-wait', '--json'];
  try {
    const { stdout } = await run(python, args, { cwd: path.dirname(PEER_SCRIPT), env: process.env, maxBuffer: 16 << 20 });
    return (JSON.parse(stdout.trim().split('\n').pop()!) as { peak_rss_mb: number }).peak_rss_mb;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new PeerError(`measuring PyTorch's peak memory (${preset}, ${threads} threads) failed: ${(err.stderr || err.message).trim().split('\n').slice(-3).join(' | ')}`);
  }
}
