// Starting a training run in a worker thread, from the main thread of the CLI or the app.
// The caller gets a handle: events as they happen, pause/resume/stop, and the result.
import type { RunGroup } from '../runs/run-queue.js';
import { Worker } from 'node:worker_threads';
import { builtWorkerFile } from '../assets.js';
import type { Clip } from '../data/dataset.js';
import { resolveConfig, type TrainConfig } from './config.js';
import type { TrainEvent, TrainResult } from './run.js';
import { CONTROL, type SystemErrorFields, type WorkerError, type WorkerInput } from './protocol.js';
import { withSystemFields } from '../util/thread-error.js';

export type TrainerEvent = TrainEvent | WorkerError;

export interface TrainingHandle {
  /** Listen to every event of the run; returns a function that stops listening. */
  onEvent(listener: (e: TrainerEvent) => void): () => void;
  pause(): void;
  resume(): void;
  /** Ask the run to stop after the current step; it still saves its weights and evaluates them. */
  stop(): void;
  /** The result, once the run has written everything; rejects if the run failed. */
  readonly done: Promise<TrainResult>;
  readonly config: TrainConfig;
}

export class TrainingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** A system error in the worker (a full disk ...) keeps errno, syscall and path, so it is reported as one. */
    system?: SystemErrorFields,
  ) {
    super(message);
    withSystemFields(this, system);
  }
}

export interface StartOptions {
  clips: Clip[];
  config: Partial<TrainConfig>;
  /** Folder in which the run's own folder is created. */
  outDir: string;
  /** Use outDir itself as the run folder. */
  exactDir?: boolean;
  /** Names of the source files, recorded in config.json. */
  clipNames?: string[];
  /** The group the run belongs to (a race), recorded in config.json. */
  group?: RunGroup;
  /** The weights to start from (config.initFrom's best weights: the same shapes), and their step there. */
  initParams?: Float32Array;
  initStep?: number;
}

export function startTraining(o: StartOptions): TrainingHandle {
  const config = resolveConfig(o.config);
  const control = new SharedArrayBuffer(4);
  const word = new Int32Array(control);
  const clips = o.clips.map((c) => ({ name: c.name, audio: c.audio.slice().buffer as ArrayBuffer }));
  const input: WorkerInput = { config, clips, clipNames: o.clipNames ?? o.clips.map((c) => c.name), group: o.group, initParams: o.initParams ? (o.initParams.slice().buffer as ArrayBuffer) : undefined, initStep: o.initStep, outDir: o.outDir, exactDir: o.exactDir, control };
  const worker = new Worker(builtWorkerFile('train/worker.js'), { workerData: input, transferList: clips.map((c) => c.audio) });
  const listeners = new Set<(e: TrainerEvent) => void>();
  const set = (v: number) => {
    Atomics.store(word, 0, v);
    Atomics.notify(word, 0);
  };

  const done = new Promise<TrainResult>((resolve, reject) => {
    let settled = false;
    worker.on('message', (e: TrainerEvent) => {
      for (const l of listeners) l(e);
      if (e.type === 'done') {
        settled = true;
        resolve(e.result);
      } else if (e.type === 'error') {
        settled = true;
        reject(new TrainingError(e.code, e.message, e.system));
      }
    });
    worker.on('error', (err) => {
      if (!settled) reject(new TrainingError('WORKER_CRASHED', `the training worker crashed: ${err.message}`));
      settled = true;
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new TrainingError('WORKER_EXITED', `the training worker exited (code ${code}) before finishing`));
      settled = true;
    });
  });

  return {
    config,
    done,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pause: () => set(CONTROL.pause),
    resume: () => set(CONTROL.run),
    stop: () => set(CONTROL.stop),
  };
}
