// A second thread for training: a worker that computes the gradient of the other half of each
// batch. Both halves run at once on the machine's two cores; the session adds the two gradients and
// makes one update, so the result is the full batch's mean gradient (for the losses that are a mean
// over the batch; mrstft's spectral convergence is a ratio of norms, taken per half).
// The worker waits in Atomics.wait on shared memory between steps: no event loop, no copies of
// messages, about a millisecond of exchange per step (the weights one way, the gradient back).
import { Worker } from 'node:worker_threads';
import { builtWorkerFile } from '../assets.js';
import type { LossName } from '../losses/index.js';
import type { Preset } from '../nn/presets.js';

/** Control words: [0] request number asked (-1: quit), [1] request number done, [2] 1 if the worker failed, [3] the training step (its dropout masks). */
const CTRL_INTS = 4;

export interface GradPeerInit {
  /** The network itself (plain data, so it crosses to the worker as it is): a preset or its Setup B variant. */
  preset: Preset;
  loss: LossName;
  /** Examples in the peer's half of the batch. */
  B: number;
  T: number;
  nParams: number;
  shared: SharedArrayBuffer;
  /** Dropout as the session's graph has it, for the peer's share of the batch (its batchOffset). */
  dropout?: { p: number; seed: number; batchOffset: number };
}

/** Byte layout of the shared buffer: control, loss (f64), weights, gradient, input. */
export function peerLayout(nParams: number, B: number, T: number) {
  const ctrl = 0;
  const loss = CTRL_INTS * 4;
  const params = loss + 8;
  const grads = params + nParams * 4;
  const input = grads + nParams * 4;
  return { ctrl, loss, params, grads, input, bytes: input + B * T * 4 };
}

export class GradPeer {
  private readonly worker: Worker;
  private readonly ctrl: Int32Array;
  private readonly lossSlot: Float64Array;
  readonly params: Float32Array;
  readonly grads: Float32Array;
  readonly input: Float32Array;
  private seq = 0;

  constructor(preset: Preset, loss: LossName, B: number, T: number, nParams: number, dropout?: GradPeerInit['dropout']) {
    const lay = peerLayout(nParams, B, T);
    const shared = new SharedArrayBuffer(lay.bytes);
    this.ctrl = new Int32Array(shared, lay.ctrl, CTRL_INTS);
    this.lossSlot = new Float64Array(shared, lay.loss, 1);
    this.params = new Float32Array(shared, lay.params, nParams);
    this.grads = new Float32Array(shared, lay.grads, nParams);
    this.input = new Float32Array(shared, lay.input, B * T);
    const file = builtWorkerFile('train/grad-worker.js');
    const init: GradPeerInit = { preset, loss, B, T, nParams, shared, dropout };
    this.worker = new Worker(file, { workerData: init });
    // The session decides when the peer ends; it must never keep a finished process alive.
    this.worker.unref();
  }

  /** Start the peer on the weights and input now in params/input, at training step `step`. */
  start(step: number): void {
    this.seq++;
    Atomics.store(this.ctrl, 3, step);
    Atomics.store(this.ctrl, 0, this.seq);
    Atomics.notify(this.ctrl, 0);
  }

  /** Wait for the peer's gradient (in grads) and return its loss. */
  wait(): number {
    for (;;) {
      const done = Atomics.load(this.ctrl, 1);
      if (done === this.seq) break;
      if (Atomics.load(this.ctrl, 2) !== 0) throw new Error('the second training thread failed');
      Atomics.wait(this.ctrl, 1, done, 1000);
    }
    return this.lossSlot[0];
  }

  close(): void {
    Atomics.store(this.ctrl, 0, -1);
    Atomics.notify(this.ctrl, 0);
    void this.worker.terminate();
  }
}
