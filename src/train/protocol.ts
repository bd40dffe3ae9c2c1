// What the trainer and its worker thread exchange.
import type { TrainConfig } from './config.js';

/** Values of the shared control word. */
export const CONTROL = { run: 0, pause: 1, stop: 2 } as const;

export interface WorkerInput {
  config: TrainConfig;
  /** Mono 24 kHz audio; the buffers are transferred, not copied. */
  clips: { name: string; audio: ArrayBuffer }[];
  clipNames: string[];
  outDir: string;
  exactDir?: boolean;
  /** SharedArrayBuffer holding one Int32: CONTROL.run / pause / stop. */
  control: SharedArrayBuffer;
}

export interface WorkerError {
  type: 'error';
  code: string;
  message: string;
  /** A system error's own fields (a full disk: ENOSPC, 'write', the file), so the door maps it as one. */
  system?: SystemErrorFields;
}

export interface SystemErrorFields {
  errno: number;
  syscall: string;
  path?: string;
}
