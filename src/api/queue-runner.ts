// The run queue at work (src/runs/run-queue.ts holds its file and its rules): whenever nothing of
// the queue is training, it is not paused, and the next item's clips are in the library, that item
// starts as an ordinary run; when it ends the next one starts. Each change is written to queue.json
// before it is told, so what the page shows is what a restart finds.
import { afterRestart, cancelItem, moveItem, newQueueItemId, nextItem, QueueError, QueueStore, type QueueItem, type QueueState, type RunGroup } from '../runs/run-queue.js';
import type { TrainConfig } from '../train/config.js';
import type { TrainResult } from '../train/run.js';

/** The queue as the page sees it: each item, and for a waiting one the clips it waits for. */
export interface QueueView {
  paused: boolean;
  items: (QueueItem<TrainConfig> & { waitingFor?: string[] })[];
  /** Why queue.json could not be read when the app started (the queue then started empty). */
  damaged?: string;
}

export interface QueueHost {
  /** True if a clip with this content is in the library now. */
  hasClip(sha256: string): boolean;
  /** Start a run of `item` (its clips are in the library); returns its id and when it ends. */
  startRun(item: QueueItem<TrainConfig>): { runId: string; done: Promise<TrainResult> };
  /** The queue changed. */
  changed(view: QueueView): void;
}

export class QueueRunner {
  private state: QueueState<TrainConfig>;
  private readonly damaged?: string;
  /** Shutting down: runs end because the app stops, not because they are done; nothing is written or started. */
  private closing = false;

  constructor(
    private readonly store: QueueStore<TrainConfig>,
    private readonly host: QueueHost,
  ) {
    let state: QueueState<TrainConfig> = { paused: false, items: [] };
    try {
      state = afterRestart(store.read());
    } catch (e) {
      if (!(e instanceof QueueError)) throw e;
      this.damaged = e.message;
    }
    this.state = state;
  }

  view(): QueueView {
    return {
      paused: this.state.paused,
      items: this.state.items.map((it) => {
        const missing = it.status === 'queued' ? it.clips.filter((c) => !this.host.hasClip(c.sha256)).map((c) => c.name) : [];
        return missing.length ? { ...it, waitingFor: missing } : it;
      }),
      ...(this.damaged ? { damaged: this.damaged } : {}),
    };
  }

  private set(state: QueueState<TrainConfig>): void {
    this.store.write(state);
    this.state = state;
    this.host.changed(this.view());
  }

  /** Add runs to the end of the queue; returns their ids. */
  add(runs: { config: TrainConfig; clips: { name: string; sha256: string }[]; group?: RunGroup }[]): string[] {
    const addedAt = new Date().toISOString();
    const items = runs.map((r): QueueItem<TrainConfig> => ({ id: newQueueItemId(), config: r.config, clips: r.clips, ...(r.group ? { group: r.group } : {}), status: 'queued', addedAt }));
    this.set({ ...this.state, items: [...this.state.items, ...items] });
    this.pump();
    return items.map((it) => it.id);
  }

  pause(paused: boolean): void {
    this.set({ ...this.state, paused });
    this.pump();
  }

  cancel(id: string): void {
    this.set(cancelItem(this.state, id));
  }

  move(id: string, to: number): void {
    this.set(moveItem(this.state, id, to));
    this.pump();
  }

  /** Remove the finished, failed and cancelled items (their run folders stay). */
  clearFinished(): void {
    this.set({ ...this.state, items: this.state.items.filter((it) => it.status === 'queued' || it.status === 'running') });
  }

  /**
   * The app is stopping: the runs it stops stay `running` in queue.json, so the next start queues
   * them again (afterRestart), and nothing new starts.
   */
  close(): void {
    this.closing = true;
  }

  /** Start the next item if it can start now (call after anything that may let one: a run ended, a clip added). */
  pump(): void {
    if (this.closing) return;
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

  private update(id: string, change: Partial<QueueItem<TrainConfig>>): void {
    this.set({ ...this.state, items: this.state.items.map((it) => (it.id === id ? { ...it, ...change } : it)) });
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
