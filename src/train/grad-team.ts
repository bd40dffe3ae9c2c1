// Training on N threads: the session's own thread and N - 1 peer workers each compute the gradient
// of their share of every batch (src/train/thread-count.ts batchShares) at once, on their own core,
// and the session adds the shares' gradients, weighted by their sizes, in thread order (0, 1, ...,
// N - 1) before one update. For a loss that is a mean over the batch the result is the whole batch's
// gradient, whatever N is, up to float rounding; mrstft's spectral convergence, a ratio of norms over
// the whole batch, takes the batch's sums from allReduce between its forward and its backward, so
// it too is the same objective for any N. The order of every sum is fixed, so a run is reproducible
// for a given N.
//
// The peers wait in Atomics.wait on shared memory between steps: no event loop, no message copies.
// Shared with all peers: the weights and the sampled batch (each peer copies its share of both into
// its own kernel core). Shared with one peer: its control words, loss, partial sums and gradient.
import { Worker } from 'node:worker_threads';
import { builtWorkerFile } from '../assets.js';
import type { LossName } from '../losses/index.js';
import type { SplitBatch } from '../losses/loss.js';
import type { Preset } from '../nn/presets.js';
import type { BatchShare } from './thread-count.js';

/**
 * Control words of a peer: [0] request number asked (-1: quit), [1] request done, [2] 1 if the peer
 * failed, [3] the training step (its dropout masks), [4] the request whose partial sums the peer has
 * posted, [5] the request whose batch totals the session has posted back.
 */
const CTRL_INTS = 6;
export const ASKED = 0;
export const DONE = 1;
export const FAILED = 2;
export const STEP = 3;
export const PARTIALS = 4;
export const TOTALS = 5;
/** The most sums a loss may reduce per compute (mrstft: two per resolution). */
export const MAX_SUMS = 16;

export interface GradPeerInit {
  /** The network itself (plain data, so it crosses to the worker as it is): a preset or its Setup B variant. */
  preset: Preset;
  loss: LossName;
  /** The peer's share of the batch. */
  share: BatchShare;
  /** Its examples over the batch's. */
  weight: number;
  batch: number;
  T: number;
  nParams: number;
  /** Weights and batch, shared by every peer. */
  team: SharedArrayBuffer;
  /** This peer's own words, loss, sums and gradient. */
  own: SharedArrayBuffer;
  /** Dropout as the session's graph has it; the peer's masks start at its share's first example. */
  dropout?: { p: number; seed: number };
}

/** Byte layout of the buffer every peer shares: the weights, then the whole batch. */
export function teamLayout(nParams: number, batch: number, T: number) {
  const params = 0;
  const input = nParams * 4;
  return { params, input, bytes: input + batch * T * 4 };
}

/** Byte layout of one peer's own buffer: control, loss (f64), partial sums, totals, gradient. */
export function peerLayout(nParams: number) {
  const ctrl = 0;
  const loss = 8 * Math.ceil((CTRL_INTS * 4) / 8);
  const partials = loss + 8;
  const totals = partials + MAX_SUMS * 8;
  const grads = totals + MAX_SUMS * 8;
  return { ctrl, loss, partials, totals, grads, bytes: grads + nParams * 4 };
}

/** The shared views both sides take of a peer's own buffer. */
export function peerViews(own: SharedArrayBuffer, nParams: number) {
  const lay = peerLayout(nParams);
  return {
    ctrl: new Int32Array(own, lay.ctrl, CTRL_INTS),
    loss: new Float64Array(own, lay.loss, 1),
    partials: new Float64Array(own, lay.partials, MAX_SUMS),
    totals: new Float64Array(own, lay.totals, MAX_SUMS),
    grads: new Float32Array(own, lay.grads, nParams),
  };
}

/** Wait until ctrl[slot] is `want`; `failed` is checked between waits (a peer that died never posts). */
function waitFor(ctrl: Int32Array, slot: number, want: number, failed?: () => void): void {
  for (;;) {
    const now = Atomics.load(ctrl, slot);
    if (now === want) return;
    failed?.();
    Atomics.wait(ctrl, slot, now, 1000);
  }
}

function post(ctrl: Int32Array, slot: number, value: number): void {
  Atomics.store(ctrl, slot, value);
  Atomics.notify(ctrl, slot);
}

/** A peer's side of the split: post this share's sums, wait for the batch's. */
export function peerSplit(own: SharedArrayBuffer, nParams: number, weight: number, request: () => number): SplitBatch {
  const v = peerViews(own, nParams);
  return {
    weight,
    allReduce(sums) {
      if (sums.length > MAX_SUMS) throw new Error(`a loss may reduce at most ${MAX_SUMS} sums, not ${sums.length}`);
      const seq = request();
      v.partials.set(sums);
      post(v.ctrl, PARTIALS, seq);
      waitFor(v.ctrl, TOTALS, seq);
      sums.set(v.totals.subarray(0, sums.length));
    },
  };
}

interface Peer {
  worker: Worker;
  weight: number;
  views: ReturnType<typeof peerViews>;
}

export class GradTeam implements SplitBatch {
  /** The session's own share: its examples over the batch's. */
  readonly weight: number;
  /** The weights the peers start each step from: the session copies its own in before start(). */
  readonly params: Float32Array;
  /** The whole batch, as sampled: the session's share first, then each peer's. */
  readonly batch: Float32Array;
  private peers: Peer[];
  private closed = false;
  private readonly totals = new Float64Array(MAX_SUMS);
  private seq = 0;

  /** `shares`: every thread's share, the session's first. */
  constructor(preset: Preset, loss: LossName, shares: BatchShare[], T: number, nParams: number, dropout?: GradPeerInit['dropout']) {
    const batch = shares.reduce((n, s) => n + s.count, 0);
    const lay = teamLayout(nParams, batch, T);
    const team = new SharedArrayBuffer(lay.bytes);
    this.params = new Float32Array(team, lay.params, nParams);
    this.batch = new Float32Array(team, lay.input, batch * T);
    this.weight = shares[0].count / batch;
    const file = builtWorkerFile('train/grad-worker.js');
    this.peers = shares.slice(1).map((share) => {
      const own = new SharedArrayBuffer(peerLayout(nParams).bytes);
      const weight = share.count / batch;
      const init: GradPeerInit = { preset, loss, share, weight, batch, T, nParams, team, own, dropout };
      const worker = new Worker(file, { workerData: init });
      // The session decides when a peer ends; it must never keep a finished process alive.
      worker.unref();
      return { worker, weight, views: peerViews(own, nParams) };
    });
  }

  /** Threads in the team, the session's own included. */
  get threads(): number {
    return this.peers.length + 1;
  }

  /** Start every peer on the weights and batch now in params and batch, at training step `step`. */
  start(step: number): void {
    if (this.closed) throw new Error('the training threads were ended: this session cannot train any more');
    this.seq++;
    for (const p of this.peers) {
      Atomics.store(p.views.ctrl, STEP, step);
      post(p.views.ctrl, ASKED, this.seq);
    }
  }

  private failed(rank: number, p: Peer): () => void {
    return () => {
      if (Atomics.load(p.views.ctrl, FAILED) !== 0) throw new Error(`training thread ${rank} of ${this.threads} failed`);
    };
  }

  /** The session's side of the split: its sums plus every peer's, in thread order, posted back to all. */
  allReduce(sums: Float64Array): void {
    if (sums.length > MAX_SUMS) throw new Error(`a loss may reduce at most ${MAX_SUMS} sums, not ${sums.length}`);
    const t = this.totals.subarray(0, sums.length);
    t.set(sums);
    this.peers.forEach((p, i) => {
      waitFor(p.views.ctrl, PARTIALS, this.seq, this.failed(i + 1, p));
      for (let k = 0; k < t.length; k++) t[k] += p.views.partials[k];
    });
    for (const p of this.peers) {
      p.views.totals.set(t);
      post(p.views.ctrl, TOTALS, this.seq);
    }
    sums.set(t);
  }

  /**
   * Wait for every peer, then leave the whole batch's gradient in `grads` (holding the session's own
   * share's on entry): the shares' gradients weighted by their sizes, added in thread order. Returns
   * the batch's loss, `own` being the session's share's.
   */
  combine(grads: Float32Array, own: number): number {
    this.peers.forEach((p, i) => waitFor(p.views.ctrl, DONE, this.seq, this.failed(i + 1, p)));
    const w0 = this.weight;
    let loss = w0 * own;
    for (const p of this.peers) loss += p.weight * p.views.loss[0];
    // Once per step over every parameter: the peers' weights and views taken out of the loop.
    const weights = this.peers.map((p) => p.weight);
    const shares = this.peers.map((p) => p.views.grads);
    const n = grads.length;
    for (let k = 0; k < n; k++) {
      let g = w0 * grads[k];
      for (let i = 0; i < shares.length; i++) g += weights[i] * shares[i][k];
      grads[k] = g;
    }
    return loss;
  }

  /** End the peers (again: nothing). */
  close(): void {
    for (const p of this.peers) {
      post(p.views.ctrl, ASKED, -1);
      void p.worker.terminate();
    }
    this.peers = [];
    this.closed = true;
  }
}
