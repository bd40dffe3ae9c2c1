// One run folder as the runs list shows it. A folder copied from elsewhere, edited by hand or cut
// short by a full disk may hold files that are not what the engine wrote: config.json that is not
// JSON or lacks a key, metrics.json of the wrong shape, garbage lines in log.jsonl. Such a run is
// listed as 'damaged' with the reason (which file, what is wrong), so the student sees it and can
// remove it; it never breaks the list, and the page never meets a value of the wrong type.
import path from 'node:path';
import { presetShape, PRESETS, type PresetName } from '../nn/presets.js';
import { isLossName } from '../losses/index.js';
import { readJson, readLog, removeStaleTemporaries, type LogEntry } from '../runs/run-dir.js';
import { entryExists, isRegularFile } from '../runs/run-files.js';
import { readRunNotes } from '../runs/run-notes.js';
import type { RunStatus, TrainResult } from '../train/run.js';
import { DEFAULT_CONFIG, type TrainConfig } from '../train/config.js';
import { describeValue } from '../util/describe-value.js';
import { SHAPE_SETTINGS } from '../common/shape-settings.js';
import { pathHider } from './hide-paths.js';
import type { RunSummary } from './contract.js';

/** A file of the folder is not what the engine writes. */
class Damage extends Error {}

/** Every status a finished run records; a Record, so a new RunStatus must be added here too. */
const FINISHED: Record<RunStatus, true> = { completed: true, 'early-stopped': true, stopped: true, diverged: true };

/** Files only a run folder holds: a folder with one of them but no config.json is a damaged run. */
const RUN_FOLDER_FILES = ['log.jsonl', 'metrics.json', 'best.weights', 'last.weights', 'split.json'];

type Kind = 'number' | 'string' | 'object' | 'boolean';
const KIND_WORD: Record<Kind, string> = { number: 'a number', string: 'a string', object: 'an object', boolean: 'true or false' };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isKind = (v: unknown, kind: Kind) => (kind === 'object' ? isObject(v) : typeof v === kind && (kind !== 'number' || Number.isFinite(v)));

function need(file: string, obj: Record<string, unknown>, key: string, kind: Kind, o: { optional?: boolean; nullable?: boolean } = {}): void {
  const v = obj[key];
  if (v === undefined && o.optional) return;
  if (v === undefined) throw new Damage(`${file} has no '${key}'`);
  if (v === null && o.nullable) return;
  if (!isKind(v, kind)) throw new Damage(`${file}: '${key}' should be ${KIND_WORD[kind]}${o.nullable ? ' or null' : ''}, not ${describeValue(v)}`);
}


/** The keys the app reads are required; the rest (added over time, absent in older runs) must only have the right type. */
function storedConfig(v: unknown): RunSummary['config'] & object {
  const file = 'config.json';
  if (!isObject(v)) throw new Damage(`${file} does not hold an object`);
  for (const key of ['preset', 'loss']) need(file, v, key, 'string');
  for (const key of ['lr', 'steps', 'batch', 'segment', 'seed']) need(file, v, key, 'number');
  for (const key of ['optimizer', 'schedule']) need(file, v, key, 'object');
  need(file, v.optimizer as Record<string, unknown>, 'name', 'string');
  need(file, v.schedule as Record<string, unknown>, 'name', 'string');
  for (const key of ['valEvery', 'patience', 'logEvery', 'threads']) need(file, v, key, 'number', { optional: true });
  need(file, v, 'augment', 'object', { optional: true });
  // Setup B (the model predicts a dB spectrogram) came later: a run without `setup` is Setup A.
  need(file, v, 'setup', 'string', { optional: true });
  need(file, v, 'glIters', 'number', { optional: true });
  if (v.setup !== undefined && v.setup !== 'A' && v.setup !== 'B') throw new Damage(`${file}: unknown setup '${String(v.setup).slice(0, 40)}'`);
  need(file, v, 'createdAt', 'string', { optional: true });
  if (!Object.hasOwn(PRESETS, v.preset as string)) throw new Damage(`${file}: unknown preset '${String(v.preset).slice(0, 40)}'`);
  if (!isLossName(v.loss)) throw new Damage(`${file}: unknown loss '${String(v.loss).slice(0, 40)}'`);
  if (v.clips !== undefined && !(Array.isArray(v.clips) && v.clips.every((c) => typeof c === 'string'))) throw new Damage(`${file}: 'clips' should be a list of names`);
  if (v.setup === undefined) v.setup = 'A';
  // A run trained by the exported PyTorch project (src/export/) says so.
  if (v.trainedWith !== undefined) {
    const t = v.trainedWith;
    if (!(isObject(t) && t.framework === 'pytorch' && typeof t.torch === 'string' && typeof t.device === 'string' && Number.isInteger(t.processes) && (t.processes as number) >= 1)) {
      throw new Damage(`${file}: 'trainedWith' should be { framework: 'pytorch', torch, processes, device }`);
    }
  }
  if (v.group !== undefined && !(isObject(v.group) && ['id', 'label', 'varied', 'value'].every((k) => typeof (v.group as Record<string, unknown>)[k] === 'string'))) {
    throw new Damage(`${file}: 'group' should be { id, label, varied, value }`);
  }
  // Settings added later: a run made before them trained as their defaults say (no dropout, no L1,
  // every training segment, 8:1:1, no tilt), which is what is filled in.
  for (const key of ['dropout', 'l1', 'dataFraction'] as const) if (v[key] === undefined) v[key] = DEFAULT_CONFIG[key];
  if (v.split === undefined) v.split = [...DEFAULT_CONFIG.split];
  if (isObject(v.augment) && v.augment.tiltDb === undefined) v.augment.tiltDb = 0;
  // The shape (bits, latent channels, hop, width) came later still: a run without it has its preset's.
  for (const key of SHAPE_SETTINGS) need(file, v, key, 'number', { optional: true });
  const own = presetShape(PRESETS[v.preset as PresetName]);
  for (const key of SHAPE_SETTINGS) if (v[key] === undefined) v[key] = own[key];
  return v as unknown as TrainConfig & { clips?: string[] };
}

function storedResult(v: unknown): TrainResult {
  const file = 'metrics.json';
  if (!isObject(v)) throw new Damage(`${file} does not hold an object`);
  need(file, v, 'status', 'string');
  if (!Object.hasOwn(FINISHED, v.status as string)) throw new Damage(`${file}: unknown status '${String(v.status).slice(0, 40)}'`);
  need(file, v, 'steps', 'number');
  need(file, v, 'bestStep', 'number');
  need(file, v, 'finalTrainLoss', 'number', { nullable: true });
  need(file, v, 'bestValLoss', 'number', { nullable: true });
  need(file, v, 'metrics', 'object', { nullable: true });
  return v as unknown as TrainResult;
}

function storedLog(entries: unknown[]): LogEntry[] {
  entries.forEach((e, i) => {
    const where = `log.jsonl entry ${i + 1}`;
    if (!isObject(e)) throw new Damage(`${where} is not an object`);
    need(where, e, 'step', 'number');
    // JSON writes a non-finite loss (a diverged step) as null.
    need(where, e, 'trainLoss', 'number', { nullable: true });
    need(where, e, 'lr', 'number', { nullable: true });
    need(where, e, 'valLoss', 'number', { optional: true, nullable: true });
  });
  return entries as LogEntry[];
}

export interface ActiveRun {
  config: TrainConfig;
}

/**
 * The summary of the run in `dir`, or null if the folder is not a run (no config.json and none of
 * a run's files). `active` is the run this app is training in it, if any.
 */
export function summarizeRun(dir: string, id: string, active: ActiveRun | undefined): RunSummary | null {
  const summary = summarizeFolder(dir, id, active);
  // The student's title and note (notes.json), for a damaged run too: it may be the one they label "broken".
  return summary && { ...summary, ...readRunNotes(dir) };
}

function summarizeFolder(dir: string, id: string, active: ActiveRun | undefined): RunSummary | null {
  const configFile = path.join(dir, 'config.json');
  const hasConfig = entryExists(configFile);
  // A run just started has no folder yet; this service knows it anyway.
  if (!hasConfig && active) return figures(id, active.config, 'running', null, []);
  if (!hasConfig) return RUN_FOLDER_FILES.some((f) => entryExists(path.join(dir, f))) ? damaged(id, null, 'config.json is missing') : null;
  let config: RunSummary['config'] = null;
  try {
    if (!isRegularFile(configFile)) throw new Damage('config.json is not a regular file');
    removeStaleTemporaries(dir);
    config = storedConfig(readJson(configFile));
    const metricsFile = path.join(dir, 'metrics.json');
    const done = entryExists(metricsFile) ? storedResult(readJson(metricsFile)) : null;
    const log = done ? [] : storedLog(readLog(dir));
    return figures(id, config, active ? 'running' : done ? done.status : 'incomplete', done, log);
  } catch (e) {
    // While this app trains the run its files are written whole (renamed into place), so a read that
    // fails now is the folder's fault all the same; but the run is still running, and says so.
    if (active) return figures(id, active.config, 'running', null, []);
    return damaged(id, config, reasonOf(e, dir));
  }
}

function figures(id: string, config: TrainConfig & { clips?: string[] }, status: RunSummary['status'], done: TrainResult | null, log: LogEntry[]): RunSummary {
  const last = log.at(-1);
  const vals = log.filter((e) => typeof e.valLoss === 'number');
  const best = vals.reduce<LogEntry | null>((b, e) => (!b || e.valLoss! < b.valLoss! ? e : b), null);
  return {
    id,
    config,
    status,
    steps: done?.steps ?? last?.step ?? 0,
    finalTrainLoss: done?.finalTrainLoss ?? last?.trainLoss ?? null,
    bestValLoss: done?.bestValLoss ?? best?.valLoss ?? null,
    bestStep: done?.bestStep ?? best?.step ?? 0,
    metrics: done?.metrics ?? null,
    createdAt: (config as { createdAt?: string }).createdAt ?? '',
  };
}

function damaged(id: string, config: RunSummary['config'], reason: string): RunSummary {
  return { id, config, status: 'damaged', damaged: reason, steps: 0, finalTrainLoss: null, bestValLoss: null, bestStep: 0, metrics: null, createdAt: (config as { createdAt?: string } | null)?.createdAt ?? '' };
}

/** Any path a reason names outside its run folder (see hide-paths.ts). */
const hideOtherPaths = pathHider();

/** The reason in the run's own terms: its files by name (`config.json`), never a path on this machine. */
function reasonOf(e: unknown, dir: string): string {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown })?.code;
  const text = e instanceof Damage || code === 'RUN_DAMAGED' ? message : `cannot be read: ${message}`;
  return hideOtherPaths(text.split(dir + path.sep).join(''));
}
