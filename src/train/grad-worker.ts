// The peer thread of GradPeer: the same gradient computation as the session's own, on the other
// half of the batch, in its own kernel core.
import { workerData } from 'node:worker_threads';
import { KernelCore } from '../kernels/core.js';
import { allocParams, paramLayout } from '../nn/model.js';
import { BatchGradients } from './gradients.js';
import { peerLayout, type GradPeerInit } from './grad-peer.js';

const init = workerData as GradPeerInit;
const lay = peerLayout(init.nParams, init.B, init.T);
const ctrl = new Int32Array(init.shared, lay.ctrl, 4);
const lossSlot = new Float64Array(init.shared, lay.loss, 1);
const params = new Float32Array(init.shared, lay.params, init.nParams);
const grads = new Float32Array(init.shared, lay.grads, init.nParams);
const input = new Float32Array(init.shared, lay.input, init.B * init.T);

try {
  const core = KernelCore.create();
  const { preset } = init;
  const store = allocParams(core, paramLayout(preset), true);
  const work = new BatchGradients(core, store, preset, init.loss, init.B, init.T, init.dropout);
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, 0, seen);
    const asked = Atomics.load(ctrl, 0);
    if (asked < 0) break;
    if (asked === seen) continue;
    seen = asked;
    core.f32(store.params, init.nParams).set(params);
    work.input().set(input);
    lossSlot[0] = work.compute(Atomics.load(ctrl, 3));
    grads.set(core.f32(store.grads, init.nParams));
    Atomics.store(ctrl, 1, seen);
    Atomics.notify(ctrl, 1);
  }
} catch {
  Atomics.store(ctrl, 2, 1);
  Atomics.notify(ctrl, 1);
}
