// The run queue: runs waiting to be trained one after another in the background (a race of
// optimizers, learning rates or batch sizes; later a sweep), kept in `<runs>/queue.json`, written
// whole (atomically) at every change, so it survives a restart: an item that was training when the
// app stopped goes back to the head of the queue (its half-made run folder stays, marked incomplete).
// Items name their clips by content (SHA-256 of the model-rate mono), since clip ids last one session.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { entryExists, readRunFile } from './run-files.js';
import { describeValue } from '../util/describe-value.js';

export const QUEUE_FILE = 'queue.json';
const FORMAT = 'codec-lab-queue';

/** Runs trained together to be compared: what varies between them, and its value for this one. */
export interface RunGroup {
  id: string;
  /** What the group compares, e.g. "race: optimizer". */
  label: string;
  /** The setting that varies ("optimizer", "lr", "batch") and this run's value of it, as shown. */
  varied: string;
  value: string;
}

export type QueueStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface QueueItem<Config = unknown> {
  id: string;
  /** The settings to train with (a resolved TrainConfig). */
  config: Config;
  /** The clips by name and content; the queue waits while one is not in the library. */
  clips: { name: string; sha256: string }[];
  group?: RunGroup;
  status: QueueStatus;
  /** The run folder, once it started. */
  runId?: string;
  /** Why it failed, or what happened to it (a restart). */
  message?: string;
  addedAt: string;
}

export interface QueueState<Config = unknown> {
  /** Nothing new starts while paused; a run training goes on. */
  paused: boolean;
  items: QueueItem<Config>[];
}

export class QueueError extends Error {
  constructor(
    readonly code: 'QUEUE_NOT_FOUND' | 'QUEUE_ITEM_BUSY' | 'QUEUE_DAMAGED' | 'QUEUE_HELD',
    message: string,
  ) {
    super(message);
    this.name = 'QueueError';
  }
}

export const newQueueItemId = (): string => `q-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
export const newGroupId = (): string => `g-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const STATUSES: QueueStatus[] = ['queued', 'running', 'done', 'failed', 'cancelled'];

/**
 * `<runs>/queue.json`: read (a missing file is an empty queue), changed and written whole. A file
 * that is not a queue is QUEUE_DAMAGED naming what is wrong; the service then starts empty and says
 * so, and the file is left for the student to look at until the queue is next written.
 */
export class QueueStore<Config> {
  readonly file: string;

  constructor(
    runsDir: string,
    /** Checks a stored item's config (the service's resolveConfig); throws with what is wrong. */
    private readonly checkConfig: (v: unknown) => Config,
  ) {
    this.file = path.join(runsDir, QUEUE_FILE);
  }

  read(): QueueState<Config> {
    if (!entryExists(this.file)) return { paused: false, items: [] };
    let v: unknown;
    try {
      v = JSON.parse(readRunFile(this.file).toString('utf8'));
    } catch (e) {
      throw new QueueError('QUEUE_DAMAGED', `${QUEUE_FILE} cannot be read as JSON (${(e as Error).message})`);
    }
    const bad = (why: string): never => {
      throw new QueueError('QUEUE_DAMAGED', `${QUEUE_FILE}: ${why}`);
    };
    if (!isObject(v) || v.format !== FORMAT) return bad(`not a run queue (format ${describeValue(isObject(v) ? v.format : v)})`);
    if (typeof v.paused !== 'boolean' || !Array.isArray(v.items)) return bad('it needs "paused" (true or false) and "items" (a list)');
    const items = v.items.map((it, i): QueueItem<Config> => {
      if (!isObject(it) || typeof it.id !== 'string' || !STATUSES.includes(it.status as QueueStatus) || typeof it.addedAt !== 'string') return bad(`item ${i + 1} is not a queue item`);
      if (!Array.isArray(it.clips) || !it.clips.every((c) => isObject(c) && typeof c.name === 'string' && typeof c.sha256 === 'string')) return bad(`item ${i + 1}'s clips are not a list of { name, sha256 }`);
      let config: Config;
      try {
        config = this.checkConfig(it.config);
      } catch (e) {
        return bad(`item ${i + 1}'s settings: ${(e as Error).message}`);
      }
      const group = isObject(it.group) && ['id', 'label', 'varied', 'value'].every((k) => typeof (it.group as Record<string, unknown>)[k] === 'string') ? (it.group as unknown as RunGroup) : undefined;
      return {
        id: it.id,
        config,
        clips: (it.clips as { name: string; sha256: string }[]).map((c) => ({ name: c.name, sha256: c.sha256 })),
        ...(group ? { group } : {}),
        status: it.status as QueueStatus,
        ...(typeof it.runId === 'string' ? { runId: it.runId } : {}),
        ...(typeof it.message === 'string' ? { message: it.message } : {}),
        addedAt: it.addedAt,
      };
    });
    return { paused: v.paused, items };
  }

  write(state: QueueState<Config>): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomicSync(this.file, JSON.stringify({ format: FORMAT, version: 1, ...state }, null, 2) + '\n');
  }
}

/**
 * The queue as it should be after a restart: an item left `running` was interrupted; it goes back
 * to `queued` (a new run folder will be made), with a note naming the incomplete one.
 */
export function afterRestart<C>(state: QueueState<C>): QueueState<C> {
  return {
    ...state,
    items: state.items.map((it) =>
      it.status === 'running'
        ? { ...it, status: 'queued' as const, runId: undefined, message: `interrupted when the app stopped${it.runId ? ` (its run ${it.runId} is kept, incomplete)` : ''}; queued again` }
        : it,
    ),
  };
}

/** Move the queued item `id` to position `to` among the items (the others keep their order). */
export function moveItem<C>(state: QueueState<C>, id: string, to: number): QueueState<C> {
  const from = state.items.findIndex((it) => it.id === id);
  if (from < 0) throw new QueueError('QUEUE_NOT_FOUND', `no queued run ${id}`);
  if (state.items[from].status !== 'queued') throw new QueueError('QUEUE_ITEM_BUSY', `run ${id} is ${state.items[from].status}: only a queued one can be moved`);
  const items = [...state.items];
  const [it] = items.splice(from, 1);
  items.splice(Math.max(0, Math.min(items.length, to)), 0, it);
  return { ...state, items };
}

/** Cancel the queued item `id` (a running one is stopped through the run itself). */
export function cancelItem<C>(state: QueueState<C>, id: string): QueueState<C> {
  const it = state.items.find((x) => x.id === id);
  if (!it) throw new QueueError('QUEUE_NOT_FOUND', `no queued run ${id}`);
  if (it.status !== 'queued') throw new QueueError('QUEUE_ITEM_BUSY', `run ${id} is ${it.status}: only a queued one can be cancelled (stop a running one)`);
  return { ...state, items: state.items.map((x) => (x.id === id ? { ...x, status: 'cancelled' as const } : x)) };
}

/** The next item to train: the first queued one whose clips are all at hand. */
export function nextItem<C>(state: QueueState<C>, hasClip: (sha256: string) => boolean): QueueItem<C> | null {
  if (state.paused || state.items.some((it) => it.status === 'running')) return null;
  return state.items.find((it) => it.status === 'queued' && it.clips.every((c) => hasClip(c.sha256))) ?? null;
}
