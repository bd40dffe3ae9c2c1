// The lab behind the app: the library of loaded clips, training runs in worker threads, the runs
// folder, scoring and audio. Both the Electron shell and the web host serve exactly this object,
// so the desktop app, the browser and the tests exercise one implementation.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { BUNDLED_CLIP } from '../assets.js';
import { decodeWav, type DecodedWav } from '../audio/wav-read.js';
import { describeError } from '../audio/errors.js';
import { prepareAudio } from '../audio/prepare.js';
import { encodeWav, writeWav } from '../audio/wav-write.js';
import { Codec } from '../nn/codec.js';
import { getPreset, presetInfo, PRESETS } from '../nn/presets.js';
import { LOSSES } from '../losses/index.js';
import { OPTIMIZERS } from '../optim/optimizer.js';
import { SCHEDULES } from '../optim/schedule.js';
import { evaluateCodec, type EvalClip } from '../eval/evaluate.js';
import { DEFAULT_CONFIG, resolveConfig, type TrainConfig } from '../train/config.js';
import { startTraining, type TrainingHandle } from '../train/trainer.js';
import { loadRunWeights, newRunName, readJson, readLog, readTestSplit } from '../runs/run-dir.js';
import { entryExists, isRealDir, isRegularFile, listRunDirs, readRunFile } from '../runs/run-files.js';
import type { AudioRef, CrossEvalRow, LabApi, LabEvent, LibraryEntry, RunSummary, TrainOptions } from './contract.js';
import type { TrainResult } from '../train/run.js';
import { summarizeRun } from './run-summary.js';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface LibraryItem {
  entry: LibraryEntry;
  bytes?: Uint8Array;
  decoded?: DecodedWav;
  mono?: Float32Array;
}

const RUN_FILES = ['test_original', 'test_reconstruction', 'val_original', 'val_reconstruction'] as const;

function need(cond: unknown, what: string): asserts cond {
  if (!cond) throw new ApiError('BAD_REQUEST', what);
}
// Ids name folders under the runs folder, so '.' and '..' (which the character class allows) are refused.
const isId = (v: unknown): v is string => typeof v === 'string' && /^[\w.-]{1,200}$/.test(v) && v !== '.' && v !== '..';

export interface LabServiceOptions {
  /** Folder holding the run folders. */
  runsDir: string;
  /** Load the bundled clip at start (default true). */
  withBundledClip?: boolean;
}

export class LabService implements LabApi {
  private readonly library = new Map<string, LibraryItem>();
  private readonly active = new Map<string, TrainingHandle>();
  private readonly listeners = new Set<(e: LabEvent) => void>();
  private readonly codecs = new Map<string, Codec>();
  readonly runsDir: string;
  private ready: Promise<void>;

  constructor(o: LabServiceOptions) {
    this.runsDir = path.resolve(o.runsDir);
    this.ready = o.withBundledClip === false ? Promise.resolve() : this.addPath(BUNDLED_CLIP, true).then(() => undefined);
  }

  // ---- library ----

  private async addBytes(name: string, bytes: Uint8Array, bundled: boolean): Promise<LibraryEntry> {
    const id = `clip-${randomUUID().slice(0, 8)}`;
    let entry: LibraryEntry;
    const item: LibraryItem = { entry: undefined as never };
    try {
      const wav = decodeWav(bytes);
      entry = {
        id, name, ok: true, bundled, format: wav.format, sampleRate: wav.sampleRate, channels: wav.channels,
        frames: wav.frames, durationSec: wav.durationSec, ...(wav.warnings.length ? { warnings: wav.warnings } : {}),
      };
      item.bytes = bytes;
      item.decoded = wav;
    } catch (e) {
      entry = { id, name, ok: false, error: describeError(e) };
    }
    item.entry = entry;
    this.library.set(id, item);
    return entry;
  }

  private async addPath(file: string, bundled = false): Promise<LibraryEntry> {
    let bytes: Uint8Array;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      if (st.size > 1024 ** 3) throw new Error('file is larger than 1 GiB');
      bytes = new Uint8Array(await readFile(file));
    } catch (e) {
      const id = `clip-${randomUUID().slice(0, 8)}`;
      const entry: LibraryEntry = { id, name: path.basename(file), ok: false, error: { code: 'READ_FAILED', message: `cannot read ${file}: ${(e as Error).message}` } };
      this.library.set(id, { entry });
      return entry;
    }
    return this.addBytes(path.basename(file), bytes, bundled);
  }

  async listLibrary(): Promise<LibraryEntry[]> {
    await this.ready;
    return [...this.library.values()].map((i) => i.entry);
  }

  async addFiles(paths: string[]): Promise<LibraryEntry[]> {
    need(Array.isArray(paths) && paths.length > 0 && paths.every((p) => typeof p === 'string' && p.length > 0), 'addFiles takes a non-empty list of file paths');
    await this.ready;
    const out: LibraryEntry[] = [];
    for (const p of paths) out.push(await this.addPath(p));
    return out;
  }

  async addFileData(name: string, data: ArrayBuffer): Promise<LibraryEntry> {
    need(typeof name === 'string' && name.length > 0 && name.length < 300, 'addFileData needs a file name');
    need(data instanceof ArrayBuffer || ArrayBuffer.isView(data), 'addFileData needs the file bytes');
    await this.ready;
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array((data as ArrayBufferView).buffer, (data as ArrayBufferView).byteOffset, (data as ArrayBufferView).byteLength);
    return this.addBytes(path.basename(name), bytes, false);
  }

  async removeClip(id: string): Promise<void> {
    need(isId(id), 'removeClip needs a clip id');
    if (!this.library.delete(id)) throw new ApiError('NOT_FOUND', `no clip ${id} in the library`);
  }

  private clip(id: string): LibraryItem & { decoded: DecodedWav } {
    need(isId(id), 'a clip id is needed');
    const item = this.library.get(id);
    if (!item) throw new ApiError('NOT_FOUND', `no clip ${id} in the library`);
    if (!item.decoded) throw new ApiError('CLIP_REFUSED', `${item.entry.name} was refused: ${(item.entry as { error: { message: string } }).error.message}`);
    return item as LibraryItem & { decoded: DecodedWav };
  }

  /** The clip as the codec sees it: mono, 24 kHz (prepared once, then kept). */
  private async mono(id: string): Promise<Float32Array> {
    const item = this.clip(id);
    item.mono ??= (await prepareAudio(item.decoded)).mono;
    return item.mono;
  }

  // ---- training ----

  async trainOptions(): Promise<TrainOptions> {
    return {
      presets: Object.values(PRESETS).map((p) => ({ name: p.name, params: presetInfo(p).params.total, bitrateKbps: presetInfo(p).bitrateKbps })),
      losses: LOSSES.map(({ name, space, formula, hears, misses }) => ({ name, space, formula, hears, misses })),
      optimizers: [...OPTIMIZERS],
      schedules: [...SCHEDULES],
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
    const clips = [];
    for (const id of clipIds) clips.push({ name: this.clip(id).entry.name, audio: await this.mono(id) });
    // The worker makes the folder, whole, once training has started; the name is settled here so the caller gets it now.
    const runId = newRunName(this.runsDir, `${resolved.preset}-${resolved.loss}`, new Set(this.active.keys()));
    const dir = path.join(this.runsDir, runId);
    const handle = startTraining({ clips, config: resolved, outDir: dir, exactDir: true, clipNames: clips.map((c) => c.name) });
    this.active.set(runId, handle);
    handle.onEvent((e) => {
      if (e.type === 'error') this.emit({ type: 'train-error', runId, code: e.code, message: e.message });
      else this.emit({ type: 'train', runId, event: e });
    });
    handle.done.then(
      () => this.active.delete(runId),
      () => this.active.delete(runId),
    );
    return { runId };
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

  /** Stop every run and wait for each to save its weights. */
  async shutdown(): Promise<void> {
    const all = [...this.active.values()];
    for (const h of all) h.stop();
    await Promise.allSettled(all.map((h) => h.done));
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

  private codec(runId: string): Codec {
    let c = this.codecs.get(runId);
    if (!c) {
      const dir = this.runDir(runId);
      if (!entryExists(path.join(dir, 'best.weights'))) throw new ApiError('NO_WEIGHTS', `run ${runId} has no weights yet`);
      const w = loadRunWeights(dir, 'best');
      c = new Codec(getPreset(w.preset), w.params);
      if (!this.active.has(runId)) this.codecs.set(runId, c);
    }
    return c;
  }

  async crossEvaluate(runIds: string[], clipIds?: string[]): Promise<CrossEvalRow[]> {
    need(Array.isArray(runIds) && runIds.length > 0 && runIds.every(isId), 'crossEvaluate needs run ids');
    need(clipIds === undefined || (Array.isArray(clipIds) && clipIds.every(isId)), 'clipIds must be a list of clip ids');
    const shared: EvalClip[] | null = clipIds?.length ? await Promise.all(clipIds.map(async (id) => ({ name: this.clip(id).entry.name, audio: await this.mono(id) }))) : null;
    const rows: CrossEvalRow[] = [];
    for (const runId of runIds) {
      const dir = this.runDir(runId);
      const config = readJson<TrainConfig>(path.join(dir, 'config.json'));
      let clips = shared;
      let block: number | undefined;
      if (!clips) ({ clips, segment: block } = readTestSplit(dir));
      rows.push({ runId, loss: config.loss, scores: evaluateCodec(this.codec(runId), clips, { block }).evaluation });
    }
    return rows;
  }

  // ---- audio ----

  private async audioBytes(ref: AudioRef): Promise<Uint8Array> {
    need(ref !== null && typeof ref === 'object' && typeof (ref as { kind?: unknown }).kind === 'string', 'an audio reference is needed');
    switch (ref.kind) {
      case 'clip':
        return this.clip(ref.clipId).bytes!;
      case 'model-input':
        return encodeWav([await this.mono(ref.clipId)], 24000, 'float32');
      case 'reconstruction':
        return encodeWav([this.codec(ref.runId).reconstruct(await this.mono(ref.clipId))], 24000, 'float32');
      case 'run': {
        need((RUN_FILES as readonly string[]).includes(ref.file), `file must be one of ${RUN_FILES.join(', ')}`);
        const file = path.join(this.runDir(ref.runId), `${ref.file}.wav`);
        if (!existsSync(file)) throw new ApiError('NOT_FOUND', `run ${ref.runId} has no ${ref.file}.wav yet`);
        return new Uint8Array(readRunFile(file));
      }
      default:
        throw new ApiError('BAD_REQUEST', `unknown audio kind '${(ref as { kind: string }).kind}'`);
    }
  }

  async audio(ref: AudioRef): Promise<ArrayBuffer> {
    const b = await this.audioBytes(ref);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  async exportAudio(ref: AudioRef, file: string): Promise<{ path: string; bytes: number }> {
    need(typeof file === 'string' && file.toLowerCase().endsWith('.wav'), 'export needs a path ending in .wav');
    const bytes = await this.audioBytes(ref);
    const decoded = decodeWav(bytes);
    await writeWav(file, decoded.samples, decoded.sampleRate, decoded.format === 'float32' ? 'float32' : 'pcm_s16');
    return { path: file, bytes: bytes.length };
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
