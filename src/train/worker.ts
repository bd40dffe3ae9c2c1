// The training worker thread. It runs one run (src/train/run.ts) and streams its events to the
// thread that started it. Pause, resume and stop arrive as a word in shared memory, read between
// steps, so the loop never has to yield to an event queue and a paused run costs no CPU.
import { parentPort, workerData } from 'node:worker_threads';
import { runTraining, type ControlMessage, type TrainEvent } from './run.js';
import type { TrainConfig } from './config.js';
import type { Clip } from '../data/dataset.js';
import { CONTROL, type WorkerError, type WorkerInput } from './protocol.js';
import { toThreadError } from '../util/thread-error.js';

const input = workerData as WorkerInput;
const control = new Int32Array(input.control);
let seen: number = CONTROL.run;

function translate(state: number): ControlMessage | null {
  if (state === seen) return null;
  seen = state;
  return state === CONTROL.stop ? 'stop' : state === CONTROL.pause ? 'pause' : 'resume';
}

const emit = (event: TrainEvent) => parentPort!.postMessage(event);

try {
  const clips: Clip[] = input.clips.map((c) => ({ name: c.name, audio: new Float32Array(c.audio) }));
  await runTraining(clips, input.config as TrainConfig, {
    outDir: input.outDir,
    exactDir: input.exactDir,
    clipNames: input.clipNames,
    group: input.group,
    initParams: input.initParams ? new Float32Array(input.initParams) : undefined,
    initStep: input.initStep,
    emit,
    poll: () => translate(Atomics.load(control, 0)),
    wait: () => {
      for (;;) {
        const msg = translate(Atomics.load(control, 0));
        if (msg) return msg;
        Atomics.wait(control, 0, seen, 1000);
      }
    },
  });
} catch (e) {
  const message: WorkerError = { type: 'error', ...toThreadError(e, 'TRAINING_FAILED') };
  parentPort!.postMessage(message);
}
