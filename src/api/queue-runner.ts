// The run queue at work (src/runs/run-queue.ts holds its file and its rules): whenever nothing of
// the queue is training, it is not paused, and the next item's clips are in the library, that item
// starts as an ordinary run; when it ends the next one starts. Each change is written to queue.json
// before it is told, so what the page shows is what a restart finds.
//
// Only the process holding the folder's queue lock (src/runs/queue-lock.ts) runs or changes the
// queue. A runner takes it for a change, or for work it finds left in queue.json, and gives it back
// when the queue is idle (nothing queued or training), so an app left open does not keep a sweep in
// a terminal from the folder. Without it, a runner shows the queue as its holder writes it (looking
// every QUEUE_WATCH_MS), refuses changes with QUEUE_HELD naming the holder, and goes on with work the
// holder left when that one ends.
import path from 'node:path';
import { acquireQueueLock, describeHolder, holderAlive, otherHolder, QUEUE_LOCK_FILE, type QueueHolder, type QueueLock } from '../runs/queue-lock.js';
import { fileStamp } from '../runs/run-files.js';
import { afterRestart, cancelItem, moveItem, newQueueItemId, nextItem, QueueError, QueueStore, type QueueItem, type QueueState, type RunGroup } from '../runs/run-queue.js';
import type { TrainConfig } from '../train/config.js';
import type { TrainResult } from '../train/run.js';

/** The queue as the page sees it: each item, and for a waiting one the clips it waits for. */
export interface QueueView {
  paused: boolean;
  items: (QueueItem<TrainConfig> & { waitingFor?: string[] })[];
  /** Why queue.json could not be read when the app started (the queue then started empty). */
  damaged?: string;
  /** Another process runs this folder's queue (who, since when): this one only shows it until that one ends. */
  heldElsewhere?: string;
}

export interface QueueHost {
  /** True if a clip with this content is in the library now. */
  hasClip(sha256: string): boolean;
  /** Start a run of `item` (its clips are in the library); returns its id and when it ends. */
  startRun(item: QueueItem<TrainConfig>): { runId: string; done: Promise<TrainResult> };
  /** The queue changed. */
  changed(view: QueueView): void;
}

/** How often a runner that does not hold the queue looks at it again (and takes it if it may). */
export const QUEUE_WATCH_MS = 2000;

/** Whether a queue has anything to train or training. */
const hasWork = (s: QueueState<unknown>) => s.items.some((it) => it.status === 'queued' || it.status === 'running');

export class QueueRunner {
  private state: QueueState<TrainConfig> = { paused: false, items: [] };
  private damaged?: string;
  /** Shutting down: runs end because the app stops, not because they are done; nothing is written or started. */
  private closing = false;
  /** This process's hold on the queue: taken for a change or for work left in the file, given back when the queue is idle. */
  private lock: QueueLock | null = null;
  /** Another live process that holds the queue, while this runner only shows it. */
  private heldBy: QueueHolder | null = null;
  private watch: ReturnType<typeof setInterval> | null = null;
  /** The queue and lock files as look() last read them (fileStamp). */
  private lookedAt = '';

  constructor(
    private readonly store: QueueStore<TrainConfig>,
    private readonly host: QueueHost,
    /** What this process is, for the lock's message to another one: "the Codec Lab app", "codec-lab sweep". */
    private readonly owner = 'the Codec Lab app',
  ) {
    this.observe();
    // Work left by a process that ended (a run cut off by a restart): this one goes on with it.
    if (!this.takeLeftWork()) this.startWatching();
  }

  private get runsDir(): string {
    return path.dirname(this.store.file);
  }

  /** Without the lock: who holds it (another live process, or nobody), and queue.json as it is. */
  private observe(): void {
    this.heldBy = otherHolder(this.runsDir);
    this.readShown((s) => s);
  }

  /** state = queue.json as `as` sees it; an unreadable file leaves the queue empty and says why. */
  private readShown(as: (s: QueueState<TrainConfig>) => QueueState<TrainConfig>): void {
    try {
      this.state = as(this.store.read());
      this.damaged = undefined;
    } catch (e) {
      if (!(e instanceof QueueError)) throw e;
      this.state = { paused: false, items: [] };
      this.damaged = e.message;
    }
  }

  /**
   * Hold the queue for a change or a run: already, or now (queue.json then read as a restart finds
   * it: an item another process left running was interrupted), or QUEUE_HELD naming who holds it.
   */
  take(): void {
    if (this.lock) return;
    const got = acquireQueueLock(this.runsDir, this.owner);
    if ('heldBy' in got) {
      this.heldBy = got.heldBy;
      throw new QueueError('QUEUE_HELD', `the run queue of ${this.runsDir} is run by ${describeHolder(got.heldBy)}: it can be changed there, or here once that ends`);
    }
    this.lock = got;
    this.heldBy = null;
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
    this.readShown(afterRestart);
  }

  /**
   * Hold the queue if it has work and nobody else holds it (work a process that ended left behind),
   * and say whether this runner holds it now. Not taken when the lock cannot be written (a full
   * disk, a read-only folder): the next change says why.
   */
  private takeLeftWork(): boolean {
    if (this.lock) return true;
    if (this.heldBy || !hasWork(this.state)) return false;
    try {
      this.take();
      return true;
    } catch {
      return false;
    }
  }

  private startWatching(): void {
    if (this.watch || this.closing) return;
    this.watch = setInterval(() => this.look(), QUEUE_WATCH_MS);
    this.watch.unref();
  }

  /**
   * Without the lock: show the queue as its holder writes it, and take it when work is left in it
   * with nobody holding it. The files are read again only when one of them changed or the holder
   * ended (an idle app looks every QUEUE_WATCH_MS for as long as it runs).
   */
  private look(): void {
    if (this.closing || this.lock) return;
    const stamp = [this.store.file, path.join(this.runsDir, QUEUE_LOCK_FILE)].map(fileStamp).join('|');
    // Unchanged files say nothing new, unless the holder has ended since (a crash leaves its lock).
    if (stamp === this.lookedAt && (!this.heldBy || holderAlive(this.heldBy))) return;
    const before = JSON.stringify(this.view());
    try {
      this.observe();
    } catch {
      // queue.json cannot be read just now (not a queue error: a permission, a folder in its place): look again later.
      return;
    }
    this.lookedAt = stamp;
    if (this.takeLeftWork()) {
      this.host.changed(this.view());
      this.pump();
      return;
    }
    if (JSON.stringify(this.view()) !== before) this.host.changed(this.view());
  }

  view(): QueueView {
    return {
      paused: this.state.paused,
      items: this.state.items.map((it) => {
        const missing = it.status === 'queued' ? it.clips.filter((c) => !this.host.hasClip(c.sha256)).map((c) => c.name) : [];
        return missing.length ? { ...it, waitingFor: missing } : it;
      }),
      ...(this.damaged ? { damaged: this.damaged } : {}),
      ...(this.heldBy ? { heldElsewhere: describeHolder(this.heldBy) } : {}),
    };
  }

  /** Hold the queue and write `next` of it; an idle queue is given back. */
  private change(next: (s: QueueState<TrainConfig>) => QueueState<TrainConfig>): void {
    this.take();
    const state = next(this.state);
    this.store.write(state);
    this.state = state;
    if (!hasWork(state) && !this.closing) {
      this.lock?.release();
      this.lock = null;
      this.startWatching();
    }
    this.host.changed(this.view());
  }

  /** Add runs to the end of the queue; returns their ids. */
  add(runs: { config: TrainConfig; clips: { name: string; sha256: string }[]; group?: RunGroup }[]): string[] {
    const addedAt = new Date().toISOString();
    const items = runs.map((r): QueueItem<TrainConfig> => ({ id: newQueueItemId(), config: r.config, clips: r.clips, ...(r.group ? { group: r.group } : {}), status: 'queued', addedAt }));
    this.change((s) => ({ ...s, items: [...s.items, ...items] }));
    this.pump();
    return items.map((it) => it.id);
  }

  pause(paused: boolean): void {
    this.change((s) => ({ ...s, paused }));
    this.pump();
  }

  cancel(id: string): void {
    this.change((s) => cancelItem(s, id));
  }

  move(id: string, to: number): void {
    this.change((s) => moveItem(s, id, to));
    this.pump();
  }

  /** Remove the finished, failed and cancelled items (their run folders stay). */
  clearFinished(): void {
    this.change((s) => ({ ...s, items: s.items.filter((it) => it.status === 'queued' || it.status === 'running') }));
  }

  /**
   * The app is stopping: the runs it stops stay `running` in queue.json, so the next start queues
   * them again (afterRestart), and nothing new starts.
   */
  close(): void {
    this.closing = true;
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
    this.lock?.release();
    this.lock = null;
  }

  /** Start the next item if it can start now (call after anything that may let one: a run ended, a clip added). */
  pump(): void {
    if (this.closing || !this.takeLeftWork()) return;
    const item = nextItem(this.state, (sha) => this.host.hasClip(sha));
    if (!item) return;
    let started: { runId: string; done: Promise<TrainResult> };
    try {
      started = this.host.startRun(item);
    } catch (e) {
      this.update(item.id, { status: 'failed', message: (e as Error).message });
      this.pump();
      return;
    }
    this.update(item.id, { status: 'running', runId: started.runId });
    started.done.then(
      // A completed run keeps the item's note (e.g. that a restart interrupted it before); another ending says so.
      (r) => this.finish(item.id, { status: 'done', ...(r.status === 'completed' ? {} : { message: `ended ${r.status}` }) }),
      (e) => this.finish(item.id, { status: 'failed', message: (e as Error).message }),
    );
  }

  private update(id: string, fields: Partial<QueueItem<TrainConfig>>): void {
    this.change((s) => ({ ...s, items: s.items.map((it) => (it.id === id ? { ...it, ...fields } : it)) }));
  }

  private finish(id: string, change: Partial<QueueItem<TrainConfig>>): void {
    if (this.closing) return;
    try {
      this.update(id, change);
    } catch {
      // The queue could not be written (a full disk): the run itself is kept; the next start retries.
    }
    this.pump();
  }
}
