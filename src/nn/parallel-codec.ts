// A codec whose long passes run on several threads: the windows of a pass (src/nn/codec.ts) are
// independent, so the calling thread and `threads - 1` worker threads (each with its own kernel core
// and copy of the weights) take them from one counter, writing into shared memory. The result equals
// the one-thread Codec's bit for bit. The caller blocks until the pass is done (Atomics.wait), as it
// does for a one-thread pass, so this is a drop-in for Codec wherever a thread may block.
// Workers start on the first pass of several windows (a short clip never starts one) and stay for
// later passes; close() ends them. Each holds its own graphs: about 100 MB for `small`.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { builtWorkerFile } from '../assets.js';
import type { KernelCore } from '../kernels/core.js';
import { Codec, windowPlan, type Encoded } from './codec.js';
import { CTRL_INTS, DONE, FAILED, passPlan, takeWindows, type CodecPass, type CodecWorkerInit, type CodecWorkerMessage } from './codec-threads.js';
import type { Preset } from './presets.js';

/** A worker thread of a pass failed; the message is the worker's. */
export class CodecThreadError extends Error {
  readonly code = 'CODEC_THREAD_FAILED';
}

interface CodecWorker {
  worker: Worker;
  errors: MessagePort;
}

export class ParallelCodec {
  private workers: CodecWorker[] = [];
  private closed = false;

  /** `codec` runs the calling thread's share (and whole passes of one window); `threads` counts it. */
  constructor(readonly codec: Codec, readonly threads: number) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`ParallelCodec: threads must be a whole number >= 1, got ${threads}`);
  }

  get preset(): Preset {
    return this.codec.preset;
  }

  get core(): KernelCore {
    return this.codec.core;
  }

  /** New weights for this codec and every worker (each takes them before its next pass). */
  loadParams(params: Float32Array): void {
    this.codec.loadParams(params);
    for (const w of this.workers) w.worker.postMessage({ kind: 'params', params } satisfies CodecWorkerMessage);
  }

  encode(audio: Float32Array): Encoded {
    const { latent, bits } = this.preset;
    const frames = this.codec.encodedFrames(audio.length);
    const helpers = this.helpersFor(windowPlan(frames).windows.length);
    if (helpers === 0) return this.codec.encode(audio);
    const mem = new SharedArrayBuffer(CTRL_INTS * 4 + audio.length * 4 + latent * frames);
    const ctrl = new Int32Array(mem, 0, CTRL_INTS);
    const shared = new Float32Array(mem, CTRL_INTS * 4, audio.length);
    shared.set(audio);
    const codes = new Uint8Array(mem, CTRL_INTS * 4 + audio.length * 4, latent * frames);
    this.run({ kind: 'encode', ctrl, audio: shared, codes }, helpers);
    return { codes: codes.slice(), frames, latent, bits, samples: audio.length };
  }

  decode(enc: Encoded): Float32Array {
    const frames = this.codec.decodedFrames(enc);
    const helpers = this.helpersFor(windowPlan(frames).windows.length);
    if (helpers === 0) return this.codec.decode(enc);
    const { channels, framesPer } = this.codec.decoderOutput;
    const outLength = (channels * frames) / framesPer;
    const mem = new SharedArrayBuffer(CTRL_INTS * 4 + outLength * 4 + enc.codes.length);
    const ctrl = new Int32Array(mem, 0, CTRL_INTS);
    const out = new Float32Array(mem, CTRL_INTS * 4, outLength);
    const codes = new Uint8Array(mem, CTRL_INTS * 4 + outLength * 4, enc.codes.length);
    codes.set(enc.codes);
    this.run({ kind: 'decode', ctrl, codes, frames: enc.frames, out }, helpers);
    return this.codec.finishDecode(enc, out.slice(), frames);
  }

  /** decode(encode(audio)), the same length as the input. */
  reconstruct(audio: Float32Array): Float32Array {
    return this.decode(this.encode(audio));
  }

  /** End the workers; the codec itself stays usable on one thread. */
  close(): void {
    this.closed = true;
    for (const w of this.workers) {
      w.errors.close();
      void w.worker.terminate();
    }
    this.workers = [];
  }

  /** Workers a pass of `windows` windows uses: one group of `batch` windows each at least, started if need be. */
  private helpersFor(windows: number): number {
    if (this.closed) return 0;
    const groups = Math.ceil(windows / Math.min(this.codec.batch, windows));
    const helpers = Math.min(this.threads, groups) - 1;
    while (this.workers.length < helpers) this.workers.push(this.startWorker());
    return helpers;
  }

  private startWorker(): CodecWorker {
    const { port1, port2 } = new MessageChannel();
    const init: CodecWorkerInit = { preset: this.preset, params: this.codec.params(), batch: this.codec.batch, errors: port2 };
    const worker = new Worker(builtWorkerFile('nn/codec-worker.js'), { workerData: init, transferList: [port2] });
    // The codec's owner decides when workers end; an idle one must never keep the process alive.
    worker.unref();
    port1.unref();
    return { worker, errors: port1 };
  }

  /** Post `pass` to `helpers` workers, take windows here too, and wait for the workers to finish. */
  private run(pass: CodecPass, helpers: number): void {
    for (let i = 0; i < helpers; i++) this.workers[i].worker.postMessage(pass satisfies CodecWorkerMessage);
    let ownError: unknown = null;
    try {
      takeWindows(this.codec, pass, passPlan(this.codec, pass));
    } catch (e) {
      // Still wait: the workers write into memory this pass owns until they count themselves done.
      ownError = e;
    }
    for (;;) {
      const done = Atomics.load(pass.ctrl, DONE);
      if (done >= helpers) break;
      Atomics.wait(pass.ctrl, DONE, done);
    }
    if (ownError) throw ownError;
    if (Atomics.load(pass.ctrl, FAILED) !== 0) {
      const reports = this.workers.slice(0, helpers).map((w) => receiveMessageOnPort(w.errors)?.message as string | undefined).filter(Boolean);
      throw new CodecThreadError(`a codec worker thread failed: ${reports.join('; ') || 'no message'}`);
    }
  }
}
