// A peer thread of GradTeam: the same gradient computation as the session's own, on its share of
// each batch, in its own kernel core.
import { workerData } from 'node:worker_threads';
import { KernelCore } from '../kernels/core.js';
import { allocParams, paramLayout } from '../nn/model.js';
import { BatchGradients } from './gradients.js';
import { ASKED, DONE, FAILED, PARTIALS, peerSplit, peerViews, STEP, teamLayout, type GradPeerInit } from './grad-team.js';

const init = workerData as GradPeerInit;
const { share, T, nParams } = init;
const team = teamLayout(nParams, init.batch, T);
const params = new Float32Array(init.team, team.params, nParams);
const input = new Float32Array(init.team, team.input + share.offset * T * 4, share.count * T);
const { ctrl, loss, grads } = peerViews(init.own, nParams);

let seen = 0;
try {
  const core = KernelCore.create();
  const { preset } = init;
  const store = allocParams(core, paramLayout(preset), true);
  const dropout = init.dropout ? { ...init.dropout, batchOffset: share.offset } : undefined;
  const split = peerSplit(init.own, nParams, init.weight, () => seen);
  const work = new BatchGradients(core, store, preset, init.loss, share.count, T, dropout, split);
  for (;;) {
    Atomics.wait(ctrl, ASKED, seen);
    const asked = Atomics.load(ctrl, ASKED);
    if (asked < 0) break;
    if (asked === seen) continue;
    seen = asked;
    core.f32(store.params, nParams).set(params);
    work.input().set(input);
    loss[0] = work.compute(Atomics.load(ctrl, STEP));
    grads.set(core.f32(store.grads, nParams));
    Atomics.store(ctrl, DONE, seen);
    Atomics.notify(ctrl, DONE);
  }
} catch {
  Atomics.store(ctrl, FAILED, 1);
  Atomics.notify(ctrl, DONE);
  Atomics.notify(ctrl, PARTIALS);
}
