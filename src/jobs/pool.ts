// The host's engine workers: a small pool of threads that run the heavy jobs, so the main thread of
// the Electron shell or the web host only routes calls and always answers the light ones at once.
// Workers start when first needed (a second one only while the first is busy) and are reused for
// the host's life: one kernel core each, however many runs and clips pass through.
import { Worker } from 'node:worker_threads';
import { builtWorkerFile } from '../assets.js';
import { JobError, type JobMessage, type JobReply, type JobRequest, type LoadResult } from './protocol.js';

interface Pending {
  resolve(value: unknown): void;
  reject(e: Error): void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
}

export interface JobPoolOptions {
  /** Most workers at once (default 2: a long job never holds up the next heavy call on two cores). */
  size?: number;
}

export class JobPool {
  private readonly workers: PoolWorker[] = [];
  private readonly size: number;
  private nextId = 1;
  private closed = false;

  constructor(o: JobPoolOptions = {}) {
    this.size = Math.max(1, o.size ?? 2);
  }

  /** How many workers are running (for tests). */
  get workerCount(): number {
    return this.workers.length;
  }

  /** Load a file if it and its mono fit in `budget` bytes. Bytes are handed over, not copied: the caller's buffer is empty afterwards. */
  load(name: string, source: { path: string } | { bytes: ArrayBuffer }, budget: number): Promise<LoadResult> {
    const transfer = 'bytes' in source ? [source.bytes] : [];
    return this.run({ kind: 'load', name, budget, ...source }, transfer) as Promise<LoadResult>;
  }

  /** Run one job on the least busy worker; resolves with its value or rejects with a JobError. */
  run(job: JobRequest, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.closed) return Promise.reject(new JobError('SHUTTING_DOWN', 'the engine is shutting down'));
    let w: PoolWorker;
    try {
      w = this.pick();
    } catch (e) {
      return Promise.reject(e);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Posted first, recorded after: a job that cannot be sent (a buffer already handed over)
      // rejects here and never leaves the worker looking busy.
      w.worker.postMessage({ id, job } satisfies JobMessage, transfer);
      w.pending.set(id, { resolve, reject });
      w.worker.ref();
    });
  }

  private pick(): PoolWorker {
    const idle = this.workers.find((w) => w.pending.size === 0);
    if (idle) return idle;
    if (this.workers.length < this.size) return this.spawn();
    return this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  private spawn(): PoolWorker {
    const w: PoolWorker = { worker: new Worker(builtWorkerFile('jobs/worker.js')), pending: new Map() };
    // An idle worker must not keep the process alive (a CLI or a test that is done exits).
    w.worker.unref();
    w.worker.on('message', (reply: JobReply) => {
      const p = w.pending.get(reply.id);
      if (!p) return;
      w.pending.delete(reply.id);
      if (w.pending.size === 0) w.worker.unref();
      if (reply.ok) p.resolve(reply.value);
      else p.reject(new JobError(reply.error.code, reply.error.message, reply.error.system));
    });
    // A worker that dies (out of memory, a bug) fails only its own jobs; the next job starts a new one.
    const fail = (why: string) => {
      const i = this.workers.indexOf(w);
      if (i >= 0) this.workers.splice(i, 1);
      for (const p of w.pending.values()) p.reject(new JobError('ENGINE_WORKER_FAILED', `an engine worker stopped: ${why}`));
      w.pending.clear();
    };
    w.worker.on('error', (e) => fail(e.message));
    w.worker.on('exit', (code) => fail(`exit code ${code}`));
    this.workers.push(w);
    return w;
  }

  /** Stop every worker; jobs still running fail with SHUTTING_DOWN. */
  async close(): Promise<void> {
    this.closed = true;
    const all = this.workers.splice(0);
    for (const w of all) {
      for (const p of w.pending.values()) p.reject(new JobError('SHUTTING_DOWN', 'the engine is shutting down'));
      w.pending.clear();
    }
    await Promise.all(all.map((w) => w.worker.terminate()));
  }
}
