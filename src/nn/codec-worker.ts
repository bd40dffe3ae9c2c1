// A worker thread of a ParallelCodec: its own kernel core and copy of the weights, taking windows of
// each pass the codec posts until none are left, then counting itself done.
import { parentPort, workerData } from 'node:worker_threads';
import { Codec } from './codec.js';
import { DONE, FAILED, passPlan, takeWindows, type CodecWorkerInit, type CodecWorkerMessage } from './codec-threads.js';

const init = workerData as CodecWorkerInit;
let codec: Codec | null = null;
let startError: unknown = null;
try {
  codec = new Codec(init.preset, init.params, undefined, { batch: init.batch });
} catch (e) {
  startError = e;
}

parentPort!.on('message', (m: CodecWorkerMessage) => {
  if (m.kind === 'params') {
    codec?.loadParams(m.params);
    return;
  }
  try {
    if (!codec) throw startError;
    takeWindows(codec, m, passPlan(codec, m));
  } catch (e) {
    init.errors.postMessage(e instanceof Error ? e.message : String(e));
    Atomics.store(m.ctrl, FAILED, 1);
  }
  Atomics.add(m.ctrl, DONE, 1);
  Atomics.notify(m.ctrl, DONE);
});
