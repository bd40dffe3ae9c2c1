// What the trainer and its worker thread exchange.
import type { RunGroup } from '../runs/run-queue.js';
import type { TrainConfig } from './config.js';
import type { SystemErrorFields, ThreadError } from '../util/thread-error.js';

/** Values of the shared control word. */
export const CONTROL = { run: 0, pause: 1, stop: 2 } as const;

export interface WorkerInput {
  config: TrainConfig;
  /** Mono 24 kHz audio; the buffers are transferred, not copied. */
  clips: { name: string; audio: ArrayBuffer }[];
  clipNames: string[];
  /** The group the run belongs to (a race), recorded in config.json. */
  group?: RunGroup;
  /** The weights to start from (transferred), and their step in the run they come from. */
  initParams?: ArrayBuffer;
  initStep?: number;
  outDir: string;
  exactDir?: boolean;
  /** SharedArrayBuffer holding one Int32: CONTROL.run / pause / stop. */
  control: SharedArrayBuffer;
}

/** The run failed: the error in the shape every worker sends (src/util/thread-error.ts). */
export interface WorkerError extends ThreadError {
  type: 'error';
}

export type { SystemErrorFields };
