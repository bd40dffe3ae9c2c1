// What the threads of a ParallelCodec (src/nn/parallel-codec.ts) share: the messages that start a
// pass, and how the windows of a pass are dealt out. Every thread takes the next group of `batch`
// windows from one atomic counter until none are left, so a thread slowed by other load simply
// takes fewer; a window's result does not depend on which thread ran it (the same graph, the same
// arithmetic), so the output equals a one-thread pass bit for bit.
import type { MessagePort } from 'node:worker_threads';
import type { Codec, WindowPlan } from './codec.js';
import { windowPlan } from './codec.js';
import type { Preset } from './presets.js';

/** Control words of a pass: [NEXT] the next window to take, [DONE] workers finished, [FAILED] 1 if one failed. */
export const NEXT = 0;
export const DONE = 1;
export const FAILED = 2;
export const CTRL_INTS = 3;

export interface CodecWorkerInit {
  preset: Preset;
  params: Float32Array;
  batch: number;
  /** Where the worker reports an error's message (read synchronously by the codec). */
  errors: MessagePort;
}

/** A pass over shared memory: every view here lies on a SharedArrayBuffer. */
export type CodecPass =
  | { kind: 'encode'; ctrl: Int32Array; audio: Float32Array; codes: Uint8Array }
  | { kind: 'decode'; ctrl: Int32Array; codes: Uint8Array; frames: number; out: Float32Array };

export type CodecWorkerMessage = CodecPass | { kind: 'params'; params: Float32Array };

/** The plan of a pass: the encoder's over the codes' frames, the decoder's over its decoded frames. */
export function passPlan(codec: Codec, pass: CodecPass): WindowPlan {
  if (pass.kind === 'encode') return windowPlan(pass.codes.length / codec.preset.latent);
  return windowPlan(codec.decodedFrames({ frames: pass.frames }));
}

/** Run groups of windows of `pass` taken from its counter until none are left. */
export function takeWindows(codec: Codec, pass: CodecPass, plan: WindowPlan): void {
  const n = plan.windows.length;
  const batch = Math.min(codec.batch, n);
  for (;;) {
    const first = Atomics.add(pass.ctrl, NEXT, batch);
    if (first >= n) return;
    const last = Math.min(first + batch, n);
    if (pass.kind === 'encode') codec.encodeWindows(pass.audio, pass.codes, plan, first, last);
    else codec.decodeWindows(pass.codes, pass.frames, pass.out, plan, first, last);
  }
}
