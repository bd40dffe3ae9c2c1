// The lab behind the app: the library of loaded clips, training runs in worker threads, the runs
// folder, scoring and audio. Both the Electron shell and the web host serve exactly this object,
// so the desktop app, the browser and the tests exercise one implementation.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { BUNDLED_CLIP } from '../assets.js';
import { DEFAULT_SHAPE, GL_ITERS, HOPS, presetInfo, PRESETS, SHAPE_LIMITS } from '../nn/presets.js';
import { LOSSES } from '../losses/index.js';
import { OPTIMIZER_DEFAULTS, OPTIMIZERS } from '../optim/optimizer.js';
import { SCHEDULES } from '../optim/schedule.js';
import { DEFAULT_CONFIG, resolveConfig, runLabel, SETUP_B_LOSSES, type TrainConfig } from '../train/config.js';
import { MAX_THREADS, PHYSICAL_CORES } from '../train/thread-count.js';
import { startTraining, TrainingError, type TrainingHandle } from '../train/trainer.js';
import { newRunName, readLog } from '../runs/run-dir.js';
import { entryExists, isRealDir, isRegularFile, listRunDirs, readRunFile, TRASH_DIR } from '../runs/run-files.js';
import { notesProblem, writeRunNotes, type RunNotes } from '../runs/run-notes.js';
import { moveRunToTrash } from '../runs/trash.js';
import { readSplit } from '../runs/split-file.js';
import { JobPool } from '../jobs/pool.js';
import type { AnchorJob, OracleJob, SharedAudio, SharedBytes, ViewSource, WeightsRef } from '../jobs/protocol.js';
import { MODEL_RATE } from '../audio/prepare.js';
import type { WavEncoding } from '../audio/export-encode.js';
import { EXPORT_RATES, EXPORT_SAMPLE_FORMATS, type ExportOptions } from '../common/export-options.js';
import type {
  AbxAnswerReply, AbxStart, AbxTrial, AudioRef, CrossEvalRow, ExportResult, LabApi, LabEvent, LibraryEntry, ListeningResults, ListeningSummary, ListeningTestView, MushraRatings, MushraStart,
  MushraTestView, Region, RunSummary, Side, SpectralView, SplitRecord, TrainOptions,
} from './contract.js';
import { ANCHOR_CUTOFFS, type AnchorCutoff, type RaceSpec } from './contract.js';
import { isViewSpace, VIEW_DEFAULT_COLUMNS, VIEW_SPACES, type ViewSpace } from '../common/view-spaces.js';
import type { TrainResult } from '../train/run.js';
import { summarizeRun } from './run-summary.js';
import { toCallError } from './call-error.js';
import { isHiddenRef, listenedAudioRef, isId, type HiddenRef, ORACLE_RUN_FILES, ORACLE_SPACES, RUN_AUDIO_FILES } from './validate.js';
import { pathHider } from './hide-paths.js';
import { ListeningStore } from '../listening/store.js';
import { newSeed } from '../listening/seed.js';
import { ABX_DEFAULT_TRIALS, ABX_MAX_TRIALS, abxView, answerAbxTrial, labelProblem, newAbxRecord, regionProblem, requireCurrentTrial, type ClipIdentity } from '../listening/abx-record.js';
import { MUSHRA_MAX_RUNS, conditionOfSlot, finishMushra, mushraView, newMushraRecord, ratingsProblem, requireUnfinished, saveRatings, submitProblem, type ConditionMeasures, type MushraRecord } from '../listening/mushra-record.js';
import { requireKind } from '../listening/record.js';
import { aggregateMushra } from '../listening/aggregate.js';
import { abxCsv, mushraCsv } from '../listening/csv.js';
import { oldestFirst, summarizeTest } from '../listening/summary.js';
import { ListeningError } from '../listening/errors.js';
import { QueueRunner, type QueueView } from './queue-runner.js';
import { QueueStore, type RunGroup } from '../runs/run-queue.js';
import { expandRace, expandSweep, SweepError, type SweepRun } from '../train/sweep-grid.js';
import { loadInitWeights } from '../train/init-weights.js';
import { checkLrRange, LR_RANGE_DEFAULTS, type LrRangeOptions, type LrRangeResult } from '../train/lr-range.js';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A loaded clip: the file's own bytes and its model-rate mono, both on shared memory (engine workers read them without a copy). */
interface LibraryItem {
  entry: LibraryEntry;
  bytes?: SharedBytes;
  mono?: SharedAudio;
}

/**
 * What the library may hold: the files' bytes plus their model-rate mono. A file that would take it
 * past this is refused (LIBRARY_FULL) before it is read; remove clips to make room.
 */
export const LIBRARY_LIMIT_BYTES = 2 * 1024 ** 3;


function need(cond: unknown, what: string): asserts cond {
  if (!cond) throw new ApiError('BAD_REQUEST', what);
}

type AbxXRef = Extract<AudioRef, { kind: 'abx-x' }>;
type MushraSlotRef = Extract<AudioRef, { kind: 'mushra-slot' }>;
/** Audio the lab names directly: anything but a test's hidden audio. */
type PlainRef = Exclude<AudioRef, HiddenRef>;
/** Audio made from an original: Setup B's oracle, or a MUSHRA anchor. */
type DerivedRef = Extract<AudioRef, { kind: 'oracle' | 'anchor' }>;

/**
 * X of an ABX trial is heard, and nothing else: its picture or an exported file could be compared
 * with A's and B's and so tell which side it is before the answer.
 */
const abxXRefused = (what: string) => new ApiError('BAD_REQUEST', `X of an ABX trial is only heard, never ${what}: that would tell which side it is`);

export interface LabServiceOptions {
  /** Folder holding the run folders. */
  runsDir: string;
  /** Load the bundled clip at start (default true). */
  withBundledClip?: boolean;
  /** Engine worker threads for the heavy calls (default 2). */
  workers?: number;
  /** What the library may hold (default LIBRARY_LIMIT_BYTES). */
  libraryLimitBytes?: number;
}

export class LabService implements LabApi {
  private readonly library = new Map<string, LibraryItem>();
  private readonly active = new Map<string, TrainingHandle>();
  private readonly listeners = new Set<(e: LabEvent) => void>();
  /** Every heavy call runs here; this thread only routes (src/jobs). */
  private readonly jobs: JobPool;
  /** The load in progress, if any (see load). */
  private loading: Promise<void> = Promise.resolve();
  readonly runsDir: string;
  private readonly libraryLimit: number;
  private ready: Promise<void>;
  /** The listening tests, one file each in `listening/` of the runs folder; their sides checked as startAbx checks them. */
  private readonly listening: ListeningStore<AudioRef>;
  /** Paths in what a listing says of a damaged file, as the dispatch hides them in messages. */
  private readonly hidePaths: (message: string) => string;
  /** Runs waiting to be trained one after another (races), kept in queue.json. */
  private readonly queue: QueueRunner;

  constructor(o: LabServiceOptions) {
    this.runsDir = path.resolve(o.runsDir);
    this.jobs = new JobPool({ size: o.workers });
    this.libraryLimit = o.libraryLimitBytes ?? LIBRARY_LIMIT_BYTES;
    this.listening = new ListeningStore<AudioRef>(this.runsDir, listenedAudioRef);
    this.hidePaths = pathHider(this.runsDir);
    this.ready = o.withBundledClip === false ? Promise.resolve() : this.load(path.basename(BUNDLED_CLIP), { path: BUNDLED_CLIP }, true).then(() => undefined);
    this.queue = new QueueRunner(new QueueStore<TrainConfig>(this.runsDir, (v) => resolveConfig(v as Partial<TrainConfig>)), {
      hasClip: (sha) => this.clipBySha(sha) !== null,
      startRun: (item) => {
        const clips = item.clips.map((c) => this.clipBySha(c.sha256)!);
        return this.startRun(clips, item.config, item.group);
      },
      changed: (queue) => this.emit({ type: 'queue', queue }),
    });
    // A queue left from the last session goes on once the library is loaded.
    void this.ready.then(() => this.queue.pump());
  }

  /** A loaded library clip with this content, as training takes it; null if none. */
  private clipBySha(sha256: string): { name: string; audio: SharedAudio } | null {
    for (const item of this.library.values()) {
      if (item.entry.ok && item.entry.sha256 === sha256 && item.mono) return { name: item.entry.name, audio: item.mono };
    }
    return null;
  }

  // ---- library ----

  private heldBytes(): number {
    let n = 0;
    for (const { bytes, mono } of this.library.values()) n += (bytes?.byteLength ?? 0) + (mono?.byteLength ?? 0);
    return n;
  }

  /**
   * Decode a file (by path, or its bytes handed over) in an engine worker and add it, loaded or
   * refused; never rejects. Loads run one after another, so each is measured against what the ones
   * before it took from the library's limit.
   */
  private load(name: string, source: { path: string } | { bytes: ArrayBuffer }, bundled = false): Promise<LibraryEntry> {
    const next = this.loading.then(() => this.loadNow(name, source, bundled));
    this.loading = next.then(() => undefined);
    return next;
  }

  private async loadNow(name: string, source: { path: string } | { bytes: ArrayBuffer }, bundled: boolean): Promise<LibraryEntry> {
    const id = `clip-${randomUUID().slice(0, 8)}`;
    const item: LibraryItem = { entry: { id, name, ok: false, error: { code: 'INTERNAL', message: 'not loaded' } } };
    try {
      const r = await this.jobs.load(name, source, this.libraryLimit - this.heldBytes());
      if (r.ok) {
        const { info } = r;
        item.entry = {
          id, name, ok: true, bundled, format: info.format, sampleRate: info.sampleRate, channels: info.channels,
          frames: info.frames, durationSec: info.durationSec, sha256: info.sha256, ...(info.warnings.length ? { warnings: info.warnings } : {}),
        };
        item.bytes = r.bytes;
        item.mono = r.mono;
      } else item.entry = { id, name, ok: false, error: r.error };
    } catch (e) {
      // The worker itself failed (not built, out of memory): the file is listed as refused, with why.
      const { code, message } = toCallError(e, (m) => m);
      item.entry = { id, name, ok: false, error: { code, message } };
    }
    this.library.set(id, item);
    return item.entry;
  }

  async listLibrary(): Promise<LibraryEntry[]> {
    await this.ready;
    return [...this.library.values()].map((i) => i.entry);
  }

  async addFiles(paths: string[]): Promise<LibraryEntry[]> {
    need(Array.isArray(paths) && paths.length > 0 && paths.every((p) => typeof p === 'string' && p.length > 0), 'addFiles takes a non-empty list of file paths');
    await this.ready;
    // One at a time: the library's limit is checked against what the files before have taken.
    const out: LibraryEntry[] = [];
    for (const p of paths) out.push(await this.load(path.basename(p), { path: p }));
    return out;
  }

  /** Add a file by its bytes. The buffer is handed to an engine worker: it is empty (detached) afterwards. */
  async addFileData(name: string, data: ArrayBuffer): Promise<LibraryEntry> {
    need(typeof name === 'string' && name.length > 0 && name.length < 300, 'addFileData needs a file name');
    need(data instanceof ArrayBuffer, 'addFileData needs the file bytes as an ArrayBuffer');
    await this.ready;
    return this.load(path.basename(name), { bytes: data });
  }

  async removeClip(id: string): Promise<void> {
    need(isId(id), 'removeClip needs a clip id');
    if (!this.library.delete(id)) throw new ApiError('NOT_FOUND', `no clip ${id} in the library`);
  }

  private clip(id: string): LibraryItem & { bytes: SharedBytes; mono: SharedAudio } {
    need(isId(id), 'a clip id is needed');
    const item = this.library.get(id);
    if (!item) throw new ApiError('NOT_FOUND', `no clip ${id} in the library`);
    if (!item.mono || !item.bytes) throw new ApiError('CLIP_REFUSED', `${item.entry.name} was refused: ${(item.entry as { error: { message: string } }).error.message}`);
    return item as LibraryItem & { bytes: SharedBytes; mono: SharedAudio };
  }

  /** The clips of a call, each once however often it is named. */
  private clips(ids: readonly string[]): { name: string; audio: SharedAudio }[] {
    return [...new Set(ids)].map((id) => {
      const c = this.clip(id);
      return { name: c.entry.name, audio: c.mono };
    });
  }

  // ---- training ----

  async trainOptions(): Promise<TrainOptions> {
    return {
      presets: Object.values(PRESETS).map((p) => ({ name: p.name, params: presetInfo(p).params.total, bitrateKbps: presetInfo(p).bitrateKbps })),
      losses: LOSSES.map(({ name, space, cell, formula, hears, misses }) => ({ name, space, cell, formula, hears, misses })),
      optimizers: [...OPTIMIZERS],
      optimizerDefaults: { ...OPTIMIZER_DEFAULTS },
      shape: { defaults: { ...DEFAULT_SHAPE }, hops: [...HOPS], limits: SHAPE_LIMITS, sampleRate: MODEL_RATE },
      schedules: [...SCHEDULES],
      setupB: { losses: [...SETUP_B_LOSSES], glIters: { ...GL_ITERS } },
      threads: { cores: PHYSICAL_CORES, max: MAX_THREADS },
      defaults: DEFAULT_CONFIG,
    };
  }

  async startTraining(clipIds: string[], config: Partial<TrainConfig>): Promise<{ runId: string }> {
    need(Array.isArray(clipIds) && clipIds.length > 0 && clipIds.every(isId), 'startTraining needs the ids of the clips to train on');
    need(config !== null && typeof config === 'object', 'startTraining needs a config object');
    await this.ready;
    let resolved: TrainConfig;
    try {
      resolved = resolveConfig(config);
    } catch (e) {
      throw new ApiError('BAD_CONFIG', (e as Error).message);
    }
    return { runId: this.startRun(this.clips(clipIds), resolved).runId };
  }

  /** Start a run now (a call, or the queue's next item). */
  private startRun(clips: { name: string; audio: SharedAudio }[], resolved: TrainConfig, group?: RunGroup): { runId: string; done: Promise<TrainResult> } {
    // Continuing from a run: its best weights, checked against this network's shapes before anything starts.
    const init = resolved.initFrom !== undefined ? loadInitWeights(this.runDir(resolved.initFrom), resolved) : null;
    // The worker makes the folder, whole, once training has started; the name is settled here so the caller gets it now.
    const runId = newRunName(this.runsDir, runLabel(resolved), new Set(this.active.keys()));
    const dir = path.join(this.runsDir, runId);
    const handle = startTraining({ clips, config: resolved, outDir: dir, exactDir: true, clipNames: clips.map((c) => c.name), group, initParams: init?.params, initStep: init?.step ?? undefined });
    this.active.set(runId, handle);
    handle.onEvent((e) => {
      if (e.type === 'error') {
        // The same codes as a call's errors (a full disk is NO_SPACE, not ENOSPC); the doors hide the paths.
        const { code, message } = toCallError(new TrainingError(e.code, e.message, e.system), (m) => m);
        this.emit({ type: 'train-error', runId, code, message });
      }
      else this.emit({ type: 'train', runId, event: e });
    });
    handle.done.then(
      () => this.active.delete(runId),
      () => this.active.delete(runId),
    );
    return { runId, done: handle.done };
  }

  // ---- the run queue: races ----

  async startRace(clipIds: string[], base: Partial<TrainConfig>, race: RaceSpec): Promise<{ groupId: string; items: string[] }> {
    need(Array.isArray(clipIds) && clipIds.length > 0 && clipIds.every(isId), 'startRace needs the ids of the clips to train on');
    need(base !== null && typeof base === 'object', 'startRace needs a config object');
    return this.queueGroup(clipIds, () => expandRace(base, race));
  }

  /** Queue the runs `expand` makes (a race or a sweep; refused as a whole with its reason); returns their ids and group. */
  private async queueGroup(clipIds: string[], expand: () => SweepRun[]): Promise<{ groupId: string; items: string[] }> {
    let runs: SweepRun[];
    try {
      runs = expand();
    } catch (e) {
      if (e instanceof SweepError) throw new ApiError('BAD_CONFIG', e.message);
      throw e;
    }
    await this.ready;
    const clips = this.clipIdentities(clipIds);
    const items = this.queue.add(runs.map((r) => ({ config: r.config, clips, group: r.group })));
    return { groupId: runs[0].group.id, items };
  }

  async startSweep(clipIds: string[], base: Partial<TrainConfig>, grid: Record<string, unknown[]>): Promise<{ groupId: string; items: string[] }> {
    need(Array.isArray(clipIds) && clipIds.length > 0 && clipIds.every(isId), 'startSweep needs the ids of the clips to train on');
    return this.queueGroup(clipIds, () => expandSweep({ base, grid }));
  }

  /** The clips by name and content, as the queue names them (ids last one session). */
  private clipIdentities(clipIds: string[]): { name: string; sha256: string }[] {
    return [...new Set(clipIds)].map((id) => {
      const { entry } = this.clip(id);
      if (!entry.ok) throw new ApiError('CLIP_REFUSED', `${entry.name} was refused`);
      return { name: entry.name, sha256: entry.sha256 };
    });
  }

  async runQueue(): Promise<QueueView> {
    return this.queue.view();
  }

  async setQueuePaused(paused: boolean): Promise<QueueView> {
    need(typeof paused === 'boolean', 'setQueuePaused takes true or false');
    this.queue.pause(paused);
    return this.queue.view();
  }

  async cancelQueued(itemId: string): Promise<QueueView> {
    need(typeof itemId === 'string', 'cancelQueued needs a queue item id');
    this.queue.cancel(itemId);
    return this.queue.view();
  }

  async moveQueued(itemId: string, to: number): Promise<QueueView> {
    need(typeof itemId === 'string' && Number.isInteger(to) && to >= 0, 'moveQueued needs a queue item id and a position from 0');
    this.queue.move(itemId, to);
    return this.queue.view();
  }

  async clearQueue(): Promise<QueueView> {
    this.queue.clearFinished();
    return this.queue.view();
  }

  /** In an engine worker: the test trains for a while, and this thread only routes. */
  async lrRangeTest(clipIds: string[], config: Partial<TrainConfig>, range?: Partial<LrRangeOptions>): Promise<LrRangeResult> {
    need(Array.isArray(clipIds) && clipIds.length > 0 && clipIds.every(isId), 'lrRangeTest needs the ids of the clips to test on');
    let resolved: TrainConfig;
    try {
      resolved = resolveConfig(config);
    } catch (e) {
      throw new ApiError('BAD_CONFIG', (e as Error).message);
    }
    const o: LrRangeOptions = { ...LR_RANGE_DEFAULTS, ...(range ?? {}) };
    try {
      checkLrRange(o);
    } catch (e) {
      throw new ApiError('BAD_REQUEST', (e as Error).message);
    }
    await this.ready;
    return this.jobs.run({ kind: 'lr-range', clips: this.clips(clipIds), config: resolved, range: o }) as Promise<LrRangeResult>;
  }

  private handle(runId: string): TrainingHandle {
    need(isId(runId), 'a run id is needed');
    const h = this.active.get(runId);
    if (!h) throw new ApiError('NOT_RUNNING', `run ${runId} is not training`);
    return h;
  }

  async pauseTraining(runId: string): Promise<void> {
    this.handle(runId).pause();
  }

  async resumeTraining(runId: string): Promise<void> {
    this.handle(runId).resume();
  }

  async stopTraining(runId: string): Promise<void> {
    this.handle(runId).stop();
  }

  /** Wait for a run this service started to finish (tests, shutdown). */
  async waitForRun(runId: string): Promise<TrainResult | null> {
    const h = this.active.get(runId);
    return h ? h.done : null;
  }

  /** Stop every run and wait for each to save its weights; then stop the engine workers. */
  async shutdown(): Promise<void> {
    // The runs stopped now are queued again at the next start (QueueRunner.close).
    this.queue.close();
    const all = [...this.active.values()];
    for (const h of all) h.stop();
    await Promise.allSettled(all.map((h) => h.done));
    await this.jobs.close();
  }

  // ---- runs ----

  private runDir(runId: string): string {
    need(isId(runId), 'a run id is needed');
    const dir = path.join(this.runsDir, runId);
    if (!isRealDir(dir) || !isRegularFile(path.join(dir, 'config.json'))) throw new ApiError('NOT_FOUND', `no run ${runId}`);
    return dir;
  }

  async listRuns(): Promise<RunSummary[]> {
    const out: RunSummary[] = [];
    // Real run folders only (never a link), and the runs this service started whose folder is not made yet.
    for (const id of [...new Set([...listRunDirs(this.runsDir), ...this.active.keys()])].sort()) {
      // A damaged folder is listed as such, with the reason (src/api/run-summary.ts); only a folder that is no run at all is left out.
      const summary = summarizeRun(path.join(this.runsDir, id), id, this.active.get(id));
      if (summary) out.push(summary);
    }
    return out;
  }

  async runLog(runId: string): Promise<import('./contract.js').LogEntry[]> {
    return readLog(this.runDir(runId));
  }

  async runSplit(runId: string): Promise<SplitRecord> {
    return readSplit(this.runDir(runId));
  }

  /**
   * The "rename" sets a display title only: the folder and the run id stay the same, so the run's
   * log, scripts that name its folder and the tables that refer to it by id keep working. The
   * trainer never writes notes.json, so a run can be annotated while it trains.
   */
  async annotateRun(runId: string, notes: RunNotes): Promise<RunNotes> {
    need(isId(runId), 'a run id is needed');
    need(notes !== null && typeof notes === 'object' && !Array.isArray(notes), 'annotateRun needs { title?, note? }');
    const problem = notesProblem(notes);
    need(problem === null, `annotateRun: ${problem}`);
    if (runId === TRASH_DIR) throw new ApiError('NOT_FOUND', `no run ${runId}`);
    if (this.active.has(runId) && !entryExists(path.join(this.runsDir, runId))) throw new ApiError('NOT_FOUND', `run ${runId} is starting and has no folder yet; try again in a moment`);
    return writeRunNotes(this.runDir(runId), { title: notes.title, note: notes.note });
  }

  /**
   * Move a run's folder to `trash/` in the runs folder; nothing is erased. Any run the runs list
   * shows can go, a damaged one too, except one this app is training (its trainer writes into the
   * folder): RUN_ACTIVE, stop it first. A run trained by another process (the command line) on the
   * same folder is not known here.
   */
  async deleteRun(runId: string): Promise<{ movedTo: string }> {
    need(isId(runId), 'a run id is needed');
    if (this.active.has(runId)) throw new ApiError('RUN_ACTIVE', `run ${runId} is training; stop it before deleting it`);
    const dir = path.join(this.runsDir, runId);
    // Only what the runs list shows as a run: never `trash` itself, a link, or a folder that is no run.
    if (runId === TRASH_DIR || !isRealDir(dir) || !summarizeRun(dir, runId, undefined)) throw new ApiError('NOT_FOUND', `no run ${runId}`);
    return { movedTo: moveRunToTrash(this.runsDir, runId) };
  }

  /** A run's best weights, for a job; NO_WEIGHTS while a run has saved none yet. */
  private weights(runId: string): { dir: string; weights: WeightsRef } {
    const dir = this.runDir(runId);
    const file = path.join(dir, 'best.weights');
    if (!entryExists(file)) throw new ApiError('NO_WEIGHTS', `run ${runId} has no weights yet`);
    return { dir, weights: { file } };
  }

  async crossEvaluate(runIds: string[], clipIds?: string[]): Promise<CrossEvalRow[]> {
    need(Array.isArray(runIds) && runIds.length > 0 && runIds.every(isId), 'crossEvaluate needs run ids');
    need(clipIds === undefined || (Array.isArray(clipIds) && clipIds.every(isId)), 'clipIds must be a list of clip ids');
    const clips = clipIds?.length ? this.clips(clipIds) : null;
    // The worker checks each run in the order a score needs it: config, test split, then weights.
    const runs = [...new Set(runIds)].map((runId) => {
      const dir = this.runDir(runId);
      return { runId, dir, weights: { file: path.join(dir, 'best.weights') } };
    });
    // One job per run, so two workers score two runs at once.
    const rows = await Promise.all(runs.map((r) => this.jobs.run({ kind: 'evaluate', runs: [r], clips }) as Promise<Omit<CrossEvalRow, 'trainedOn'>[]>));
    const scored = clipIds ? [...new Set(clipIds)].map((id) => this.clip(id).entry as Extract<LibraryEntry, { ok: true }>) : [];
    return rows.flat().map((row) => ({ ...row, trainedOn: this.clipsTrainedOn(row.runId, scored) }));
  }

  /** Which of `clips` the run trained on, by the hashes its split.json records ([] without one). */
  private clipsTrainedOn(runId: string, clips: readonly Extract<LibraryEntry, { ok: true }>[]): string[] {
    if (clips.length === 0) return [];
    let split: SplitRecord;
    try {
      split = readSplit(this.runDir(runId));
    } catch {
      return [];
    }
    const trained = new Set(split.train.map((s) => split.clips[s.clip]?.sha256));
    return clips.filter((c) => trained.has(c.sha256)).map((c) => c.name);
  }

  // ---- audio ----

  /** A run's own audio file (a few seconds of test or validation audio), read without following links. */
  private runAudioFile(ref: Extract<AudioRef, { kind: 'run' }>): string {
    need((RUN_AUDIO_FILES as readonly string[]).includes(ref.file), `file must be one of ${RUN_AUDIO_FILES.join(', ')}`);
    const file = path.join(this.runDir(ref.runId), `${ref.file}.wav`);
    if (!entryExists(file)) throw new ApiError('NOT_FOUND', `run ${ref.runId} has no ${ref.file}.wav yet`);
    return file;
  }

  /**
   * An oracle reference, checked: its original as a job names it (a clip's model input, or a run's
   * held-out original file and that file's name) and the Griffin-Lim the worker runs on it.
   */
  /** The original a derived audio (an oracle, an anchor) is made from, and the job that makes it. */
  private derived(ref: DerivedRef): { original: { audio: SharedAudio } | { from: string }; clipId?: string; runFile?: string; job: { oracle: OracleJob } | { anchor: AnchorJob } } {
    let job: { oracle: OracleJob } | { anchor: AnchorJob };
    if (ref.kind === 'oracle') {
      need((ORACLE_SPACES as readonly string[]).includes(ref.space), `an oracle's space must be one of ${ORACLE_SPACES.join(', ')}`);
      need(Number.isInteger(ref.glIters) && ref.glIters >= GL_ITERS.min && ref.glIters <= GL_ITERS.max, `an oracle's glIters must be a whole number from ${GL_ITERS.min} to ${GL_ITERS.max}`);
      job = { oracle: { space: ref.space, glIters: ref.glIters } };
    } else {
      need(ANCHOR_CUTOFFS.includes(ref.cutoffHz), `an anchor's cutoffHz is one of ${ANCHOR_CUTOFFS.join(', ')} (ITU-R BS.1534-3)`);
      job = { anchor: { cutoffHz: ref.cutoffHz } };
    }
    const of = ref.of as Partial<{ clipId: string; runId: string; file: string }> | null;
    need(of !== null && typeof of === 'object', `an ${ref.kind} needs 'of': { clipId } or { runId, file }`);
    if (of.runId === undefined) return { original: { audio: this.clip(of.clipId!).mono }, clipId: of.clipId, job };
    need((ORACLE_RUN_FILES as readonly string[]).includes(of.file!), `an ${ref.kind} of a run's audio starts from one of ${ORACLE_RUN_FILES.join(', ')}`);
    return { original: { from: this.runAudioFile({ kind: 'run', runId: of.runId, file: of.file as (typeof ORACLE_RUN_FILES)[number] }) }, runFile: of.file, job };
  }

  /**
   * The audio a test's hidden reference stands for. Heard: an ABX trial's X (only the current
   * trial's), a MUSHRA slot (any time). Viewed or exported: a MUSHRA slot once its test is finished
   * (what it was is told then); X never, and a slot never before the end, since a picture or a file
   * compared with the others would tell what it is.
   */
  private unhide(ref: AudioRef, use: 'heard' | 'viewed' | 'exported'): PlainRef {
    if (ref.kind === 'abx-x') {
      if (use !== 'heard') throw abxXRefused(use);
      return this.abxX(ref);
    }
    if (ref.kind === 'mushra-slot') return this.mushraSlot(ref, use);
    return ref;
  }

  /**
   * How model audio from `ref` is written for `opts`: undefined without options (24 kHz float, as the
   * lab plays it); at 'source' rate, the library clip's own rate and frame count, so the file lasts
   * exactly as long as the clip. A run's split files gather segments of several clips, whose rates
   * may differ: they have no one source rate and are refused (NO_SOURCE_RATE) rather than silently
   * written at 24 kHz under a name that promises otherwise.
   */
  private encoding(ref: PlainRef, opts: ExportOptions | undefined): WavEncoding | undefined {
    if (opts === undefined) return undefined;
    need(
      opts !== null && typeof opts === 'object' && EXPORT_SAMPLE_FORMATS.includes(opts.sampleFormat) && EXPORT_RATES.includes(opts.rate),
      `export options are { sampleFormat: ${EXPORT_SAMPLE_FORMATS.join(' | ')}, rate: ${EXPORT_RATES.join(' | ')} }`,
    );
    if (ref.kind === 'clip') throw new ApiError('BAD_REQUEST', 'a library clip is exported as it is, in its own format and rate; export options apply to model audio (its model input or a reconstruction)');
    if (opts.rate === 'model') return { sampleFormat: opts.sampleFormat, sampleRate: MODEL_RATE };
    const source: { clipId?: string; runFile?: string } = ref.kind === 'run' ? { runFile: ref.file } : ref.kind === 'oracle' || ref.kind === 'anchor' ? this.derived(ref) : { clipId: ref.clipId };
    if (source.runFile !== undefined) throw new ApiError('NO_SOURCE_RATE', `${source.runFile} gathers segments of the run's clips, which may differ in rate: it has no one source rate; export it at 24 kHz`);
    const { entry } = this.clip(source.clipId!);
    if (!entry.ok) throw new ApiError('CLIP_REFUSED', `${entry.name} was refused`);
    return { sampleFormat: opts.sampleFormat, sampleRate: entry.sampleRate, frames: entry.frames };
  }

  async audio(hidden: AudioRef, opts?: ExportOptions): Promise<ArrayBuffer> {
    need(hidden !== null && typeof hidden === 'object' && typeof (hidden as { kind?: unknown }).kind === 'string', 'an audio reference is needed');
    const ref = this.unhide(hidden, opts === undefined ? 'heard' : 'exported');
    const encoding = this.encoding(ref, opts);
    switch (ref.kind) {
      case 'clip': {
        // A private copy (an IPC reply cannot carry shared memory): one memory copy, done here rather
        // than queued behind a worker's long job, so a clip plays at once whatever is being scored.
        const { bytes } = this.clip(ref.clipId);
        const copy = new ArrayBuffer(bytes.byteLength);
        new Uint8Array(copy).set(bytes);
        return copy;
      }
      case 'model-input':
        return this.jobs.run({ kind: 'encode-wav', audio: this.clip(ref.clipId).mono, encoding }) as Promise<ArrayBuffer>;
      case 'reconstruction': {
        const { weights } = this.weights(ref.runId);
        return this.jobs.run({ kind: 'reconstruct', weights, audio: this.clip(ref.clipId).mono, encoding }) as Promise<ArrayBuffer>;
      }
      case 'run': {
        if (encoding) return this.jobs.run({ kind: 'encode-wav', from: this.runAudioFile(ref), encoding }) as Promise<ArrayBuffer>;
        const b = readRunFile(this.runAudioFile(ref));
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      }
      case 'oracle':
      case 'anchor': {
        const { original, job } = this.derived(ref);
        return this.jobs.run({ kind: 'encode-wav', ...original, ...job, encoding }) as Promise<ArrayBuffer>;
      }
      default:
        throw new ApiError('BAD_REQUEST', `unknown audio kind '${(ref as { kind: string }).kind}'`);
    }
  }

  /** The model-rate audio `ref` names, as a view job reads it: a clip as its model input (what a loss sees). */
  private viewSource(hidden: AudioRef, use: 'viewed' | 'heard' = 'viewed'): ViewSource {
    need(hidden !== null && typeof hidden === 'object' && typeof (hidden as { kind?: unknown }).kind === 'string', 'an audio reference is needed');
    const ref = this.unhide(hidden, use);
    switch (ref.kind) {
      case 'clip':
      case 'model-input':
        return { audio: this.clip(ref.clipId).mono };
      case 'reconstruction':
        return { audio: this.clip(ref.clipId).mono, weights: this.weights(ref.runId).weights };
      case 'run':
        return { file: this.runAudioFile(ref) };
      case 'oracle':
      case 'anchor': {
        const { original, job } = this.derived(ref);
        return 'from' in original ? { file: original.from, ...job } : { audio: original.audio, ...job };
      }
      default:
        throw new ApiError('BAD_REQUEST', `unknown audio kind '${(ref as { kind: string }).kind}'`);
    }
  }

  async spectralView(a: AudioRef, b: AudioRef, space: ViewSpace, opts?: { maxColumns?: number }): Promise<SpectralView> {
    need(isViewSpace(space), `space must be one of ${VIEW_SPACES.join(', ')}`);
    const maxColumns = opts?.maxColumns ?? VIEW_DEFAULT_COLUMNS;
    return this.jobs.run({ kind: 'spectral-view', a: this.viewSource(a), b: this.viewSource(b), space, maxColumns }) as Promise<SpectralView>;
  }

  /**
   * Write audio to a WAV file, in an engine worker: a clip as it is (its own samples and format,
   * nothing re-encoded), a run's file as it is, model audio as 24 kHz float; or, with `opts`, model
   * audio and a run's file as they ask (see encoding).
   */
  async exportAudio(hidden: AudioRef, file: string, opts?: ExportOptions): Promise<ExportResult> {
    need(typeof file === 'string' && file.toLowerCase().endsWith('.wav'), 'export needs a path ending in .wav');
    need(hidden !== null && typeof hidden === 'object' && typeof (hidden as { kind?: unknown }).kind === 'string', 'an audio reference is needed');
    const ref = this.unhide(hidden, 'exported');
    const encoding = this.encoding(ref, opts);
    switch (ref.kind) {
      case 'clip':
        return this.jobs.run({ kind: 'export-wav-file', bytes: this.clip(ref.clipId).bytes, path: file }) as Promise<ExportResult>;
      case 'run':
        if (encoding) return this.jobs.run({ kind: 'write-wav', from: this.runAudioFile(ref), path: file, encoding }) as Promise<ExportResult>;
        return this.jobs.run({ kind: 'export-wav-file', from: this.runAudioFile(ref), path: file }) as Promise<ExportResult>;
      case 'model-input':
        return this.jobs.run({ kind: 'write-wav', audio: this.clip(ref.clipId).mono, path: file, encoding }) as Promise<ExportResult>;
      case 'reconstruction': {
        const { weights } = this.weights(ref.runId);
        return this.jobs.run({ kind: 'write-wav', audio: this.clip(ref.clipId).mono, weights, path: file, encoding }) as Promise<ExportResult>;
      }
      case 'oracle':
      case 'anchor': {
        const { original, job } = this.derived(ref);
        return this.jobs.run({ kind: 'write-wav', ...original, ...job, path: file, encoding }) as Promise<ExportResult>;
      }
      default:
        throw new ApiError('BAD_REQUEST', `unknown audio kind '${(ref as { kind: string }).kind}'`);
    }
  }

  // ---- listening tests ----

  /** Throws as the audio call would if `ref` could not be heard now: so a test never starts on audio that is not there. */
  private checkHearable(ref: PlainRef): void {
    switch (ref.kind) {
      case 'clip':
      case 'model-input':
        this.clip(ref.clipId);
        return;
      case 'reconstruction':
        this.clip(ref.clipId);
        this.weights(ref.runId);
        return;
      case 'run':
        this.runAudioFile(ref);
        return;
      case 'oracle':
      case 'anchor':
        this.derived(ref);
        return;
      default:
        throw new ApiError('BAD_REQUEST', `unknown audio kind '${(ref as { kind: string }).kind}'`);
    }
  }

  /** The library clip a side is heard on (a run's own files gather several: none). */
  private static clipIdOf(ref: AudioRef): string | null {
    if (ref.kind === 'clip' || ref.kind === 'model-input' || ref.kind === 'reconstruction') return ref.clipId;
    if ((ref.kind === 'oracle' || ref.kind === 'anchor') && 'clipId' in ref.of) return ref.of.clipId;
    return null;
  }

  /** The clip both sides are heard on, by name and content, so the record names it after the session's clip ids are gone. */
  private comparedClip(a: AudioRef, b: AudioRef): ClipIdentity | null {
    const [idA, idB] = [LabService.clipIdOf(a), LabService.clipIdOf(b)];
    if (idA === null || idA !== idB) return null;
    const { entry } = this.clip(idA);
    return entry.ok ? { name: entry.name, sha256: entry.sha256 } : null;
  }

  /**
   * The test is written before this answers, so it survives a restart from the first trial on. The
   * plan comes from a fresh cryptographic seed (src/listening/abx-plan.ts).
   */
  async startAbx(o: AbxStart): Promise<{ testId: string; trials: number }> {
    need(o !== null && typeof o === 'object', 'startAbx needs { a, b, labelA, labelB }');
    const trials = o.trials ?? ABX_DEFAULT_TRIALS;
    need(Number.isInteger(trials) && trials >= 1 && trials <= ABX_MAX_TRIALS, `an ABX test has 1 to ${ABX_MAX_TRIALS} trials`);
    for (const [what, s] of [['labelA', o.labelA], ['labelB', o.labelB], ...(o.listener !== undefined ? [['listener', o.listener]] : [])] as const) {
      need(typeof s === 'string', `startAbx: ${what} must be a string`);
      const problem = labelProblem(what, s);
      need(problem === null, `startAbx: ${problem}`);
    }
    if (o.region !== undefined) {
      need(o.region !== null && typeof o.region === 'object', 'startAbx: region is { start, end } in seconds');
      const problem = regionProblem(o.region);
      need(problem === null, `startAbx: ${problem}`);
    }
    for (const ref of [o.a, o.b]) {
      need(ref !== null && typeof ref === 'object' && typeof ref.kind === 'string', 'startAbx needs two audio references, a and b');
      need(!isHiddenRef(ref), "startAbx: a side is audio of the lab, not a test's hidden audio (an ABX trial's X, a MUSHRA slot)");
    }
    const { a, b } = o as { a: PlainRef; b: PlainRef };
    need(!isDeepStrictEqual(a, b), 'A and B are the same audio: there would be nothing to tell apart');
    await this.ready;
    this.checkHearable(a);
    this.checkHearable(b);
    const record = newAbxRecord<AudioRef>({
      id: this.listening.newId('abx'),
      a,
      b,
      labels: { A: o.labelA, B: o.labelB },
      clip: this.comparedClip(a, b),
      region: o.region,
      trials,
      practice: o.practice === true,
      listener: o.listener,
      seed: newSeed(),
      createdAt: new Date().toISOString(),
    });
    this.listening.write(record);
    return { testId: record.id, trials };
  }

  private readTest(testId: string) {
    need(isId(testId), 'a listening test id is needed');
    return this.listening.read(testId);
  }

  async abxTrial(testId: string): Promise<AbxTrial> {
    const r = requireKind(this.readTest(testId), 'abx');
    const trial = requireCurrentTrial(r);
    return { trial, of: r.trials, a: r.compared.a, b: r.compared.b, x: { kind: 'abx-x', testId: r.id, trial }, labels: r.compared.labels, region: r.region ?? null, practice: r.practice };
  }

  /**
   * X's side, for the audio call. Only the current trial's X is served: a later one's would let the
   * page learn the plan ahead (fetch it, compare it with A). Once the test is finished every X may
   * be heard again, its side being in the record then.
   */
  private abxX(ref: AbxXRef): PlainRef {
    need(Number.isInteger(ref.trial) && ref.trial >= 1, "an ABX X reference needs the trial's number");
    const r = requireKind(this.readTest(ref.testId), 'abx');
    if (r.result === undefined) {
      const current = requireCurrentTrial(r);
      if (ref.trial !== current) throw new ListeningError('ABX_OUT_OF_ORDER', `test ${r.id} is at trial ${current}: X of trial ${ref.trial} cannot be heard now`);
    } else need(ref.trial <= r.trials, `test ${r.id} has ${r.trials} trials, not ${ref.trial}`);
    // The sides were checked as plain audio when the test started and when its file was read (listenedAudioRef).
    return (r.plan[ref.trial - 1] === 'A' ? r.compared.a : r.compared.b) as PlainRef;
  }

  /**
   * Read, answer and write happen in one synchronous stretch (no await between), so two answers
   * arriving together cannot both be taken for the same trial.
   */
  async answerAbx(testId: string, trial: number, answer: Side, taken: { ms: number; region?: Region }): Promise<AbxAnswerReply> {
    need(Number.isInteger(trial) && trial >= 1, 'answerAbx needs the trial number');
    need(answer === 'A' || answer === 'B', "answerAbx: the answer is 'A' or 'B'");
    need(taken !== null && typeof taken === 'object' && Number.isFinite(taken.ms) && taken.ms >= 0, 'answerAbx needs { ms }, the time the trial took in milliseconds');
    if (taken.region !== undefined) {
      need(taken.region !== null && typeof taken.region === 'object', 'answerAbx: region is { start, end } in seconds');
      const problem = regionProblem(taken.region);
      need(problem === null, `answerAbx: ${problem}`);
    }
    const r = requireKind(this.readTest(testId), 'abx');
    const region = taken.region ?? r.region ?? null;
    const next = answerAbxTrial(r, trial, answer, { ms: taken.ms, region: region && { start: region.start, end: region.end } }, new Date().toISOString());
    this.listening.write(next);
    return {
      done: next.result !== undefined,
      ...(r.practice ? { feedback: { correct: next.answers[trial - 1].correct } } : {}),
      ...(next.result !== undefined ? { result: next.result } : {}),
    };
  }

  async listeningTests(): Promise<ListeningSummary[]> {
    return oldestFirst(this.listening.list()).map((t) => {
      const s = summarizeTest(t);
      return s.damaged === undefined ? s : { ...s, damaged: this.hidePaths(s.damaged) };
    });
  }

  async listeningTest(testId: string): Promise<ListeningTestView> {
    const r = this.readTest(testId);
    return r.kind === 'abx' ? abxView(r) : this.mushraView(r);
  }

  async discardListeningTest(testId: string): Promise<{ movedTo: string }> {
    need(isId(testId), 'a listening test id is needed');
    return { movedTo: this.listening.discard(testId) };
  }

  async listeningCsv(testId: string): Promise<string> {
    const r = this.readTest(testId);
    if (r.kind === 'mushra') {
      if (r.result === undefined) throw new ListeningError('LISTENING_UNFINISHED', `test ${r.id} is not submitted yet: its CSV comes at the end`);
      return mushraCsv(r);
    }
    if (r.result === undefined) throw new ListeningError('LISTENING_UNFINISHED', `test ${r.id} is not finished (${r.answers.length} of ${r.trials} trials answered): its CSV comes at the end`);
    return abxCsv(r);
  }

  // ---- MUSHRA ----

  /** What a slot plays; viewed or exported only once the test is finished (see unhide). */
  private mushraSlot(ref: MushraSlotRef, use: 'heard' | 'viewed' | 'exported'): PlainRef {
    const r = requireKind(this.readTest(ref.testId), 'mushra');
    if (use !== 'heard' && r.result === undefined) throw new ApiError('BAD_REQUEST', `a MUSHRA slot is only heard until its test is submitted, never ${use}: that would tell which condition it is`);
    return conditionOfSlot(r, ref.slot).audio as PlainRef;
  }

  private mushraView(r: MushraRecord<AudioRef>): MushraTestView {
    return mushraView<AudioRef, MushraSlotRef>(r, (slot) => ({ kind: 'mushra-slot', testId: r.id, slot }));
  }

  /**
   * The anchors are made from the reference's own original (a clip's model input, or a run's
   * held-out original), so the reference must be one of those; the runs must be other audio. The
   * test is written before this answers, so it survives a restart.
   */
  async startMushra(o: MushraStart): Promise<{ testId: string; conditions: number }> {
    need(o !== null && typeof o === 'object', 'startMushra needs { reference, referenceLabel, runs }');
    for (const [what, s] of [['referenceLabel', o.referenceLabel], ...(o.listener !== undefined ? [['listener', o.listener]] : [])] as const) {
      need(typeof s === 'string', `startMushra: ${what} must be a string`);
      const problem = labelProblem(what, s);
      need(problem === null, `startMushra: ${problem}`);
    }
    need(Array.isArray(o.runs) && o.runs.length >= 1 && o.runs.length <= MUSHRA_MAX_RUNS, `a MUSHRA test rates 1 to ${MUSHRA_MAX_RUNS} runs`);
    for (const [i, r] of o.runs.entries()) {
      need(r !== null && typeof r === 'object' && r.audio !== null && typeof r.audio === 'object', `startMushra: runs[${i}] is { audio, label }`);
      need(typeof r.label === 'string' && labelProblem('label', r.label) === null, `startMushra: runs[${i}]: ${labelProblem('label', String(r.label))}`);
      need(!isHiddenRef(r.audio), `startMushra: runs[${i}] is audio of the lab, not a test's hidden audio`);
    }
    const anchors = [...new Set<AnchorCutoff>(o.anchors ?? [3500])].sort((a, b) => a - b);
    need(anchors.includes(3500) && anchors.every((hz) => ANCHOR_CUTOFFS.includes(hz)), 'a MUSHRA test has the 3.5 kHz anchor (ITU-R BS.1534-3), and optionally the 7 kHz one: anchors is [3500] or [3500, 7000]');
    if (o.region !== undefined) {
      need(o.region !== null && typeof o.region === 'object', 'startMushra: region is { start, end } in seconds');
      const problem = regionProblem(o.region);
      need(problem === null, `startMushra: ${problem}`);
    }
    const reference = o.reference as PlainRef;
    need(reference !== null && typeof reference === 'object', 'startMushra needs the reference');
    const original =
      reference.kind === 'model-input' ? { clipId: reference.clipId } : reference.kind === 'run' && (ORACLE_RUN_FILES as readonly string[]).includes(reference.file) ? { runId: reference.runId, file: reference.file as (typeof ORACLE_RUN_FILES)[number] } : null;
    need(original !== null, "startMushra: the reference is an original: a clip's model input, or a run's test_original or val_original (the anchors are made from it)");
    const runs = o.runs.map((r) => ({ audio: r.audio as PlainRef, label: r.label }));
    for (const r of runs) need(!isDeepStrictEqual(r.audio, reference), 'startMushra: a run to rate is the reference itself (the hidden reference is added anyway)');
    need(new Set(runs.map((r) => JSON.stringify(r.audio))).size === runs.length, 'startMushra: the same audio is listed twice among the runs');
    await this.ready;
    this.checkHearable(reference);
    for (const r of runs) this.checkHearable(r.audio);
    const record = newMushraRecord<AudioRef>({
      id: this.listening.newId('mushra'),
      reference,
      referenceLabel: o.referenceLabel,
      clip: runs.map((r) => this.comparedClip(reference, r.audio)).every((c) => c !== null) ? this.comparedClip(reference, runs[0].audio) : null,
      anchors: anchors.map((cutoffHz) => ({ audio: { kind: 'anchor', of: original, cutoffHz } as AudioRef, cutoffHz })),
      runs,
      region: o.region,
      listener: o.listener,
      seed: newSeed(),
      createdAt: new Date().toISOString(),
    });
    this.listening.write(record);
    return { testId: record.id, conditions: record.order.length };
  }

  private mushraRatings(r: MushraRecord<AudioRef>, ratings: MushraRatings): MushraRecord<AudioRef> {
    need(ratings !== null && typeof ratings === 'object', 'MUSHRA ratings are { scores, heardMs }, one entry per slot');
    requireUnfinished(r);
    const problem = ratingsProblem(r, ratings);
    need(problem === null, `MUSHRA ratings: ${problem}`);
    return saveRatings(r, ratings);
  }

  async rateMushra(testId: string, ratings: MushraRatings): Promise<MushraTestView> {
    const next = this.mushraRatings(requireKind(this.readTest(testId), 'mushra'), ratings);
    this.listening.write(next);
    return this.mushraView(next);
  }

  /**
   * The ratings are saved first (so a refusal loses nothing), then checked for completeness; the
   * measures are computed in an engine worker, and the finished test is written only if nothing
   * finished it meanwhile (a second submit is MUSHRA_DONE).
   */
  async submitMushra(testId: string, ratings: MushraRatings): Promise<MushraTestView> {
    const saved = this.mushraRatings(requireKind(this.readTest(testId), 'mushra'), ratings);
    this.listening.write(saved);
    const problem = submitProblem(saved);
    if (problem) throw new ListeningError('MUSHRA_INCOMPLETE', `test ${saved.id}: ${problem}`);
    const measures = (await this.jobs.run({
      kind: 'measure',
      reference: this.viewSource(saved.compared.reference, 'heard'),
      conditions: saved.compared.conditions.map((c) => (c.role === 'hidden-reference' ? null : this.viewSource(c.audio, 'heard'))),
      region: saved.region ?? null,
    })) as (ConditionMeasures | null)[];
    const now = requireKind(this.readTest(testId), 'mushra');
    requireUnfinished(now);
    const done = finishMushra(now, measures, new Date().toISOString());
    this.listening.write(done);
    return this.mushraView(done);
  }

  async listeningResults(): Promise<ListeningResults> {
    const records = this.listening.list().flatMap((t) => ('record' in t && t.record.kind === 'mushra' ? [t.record] : []));
    return aggregateMushra(records);
  }

  // ---- events ----

  subscribe(listener: (e: LabEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: LabEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // One broken listener must not stop the others.
      }
    }
  }
}

