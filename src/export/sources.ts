// What an export starts from: a run folder (its settings, its split and, by content hash, its audio),
// or settings and audio as `codec-lab train` takes them (the split drawn as a run would draw it).
import path from 'node:path';
import { loadClips } from '../data/load.js';
import type { Clip } from '../data/dataset.js';
import { modelPreset, resolveConfig, RUN_SETTINGS, splitForRun, type TrainConfig } from '../train/config.js';
import { audioSha256, readSplit, splitRecord, type SplitRecord } from '../runs/split-file.js';
import { loadRunWeights, readJson } from '../runs/run-dir.js';
import { entryExists, isRealDir } from '../runs/run-files.js';
import { RunError } from '../runs/errors.js';
import { ExportError } from './errors.js';
import { checkExportable, makeExperiment, type Experiment } from './experiment.js';
import type { TorchProject } from './torch-project.js';

export type InitChoice = 'best' | 'last' | 'none';
export const INIT_CHOICES: readonly InitChoice[] = ['best', 'last', 'none'];

/** The settings config.json may hold: TrainConfig's keys (the rest, such as clips or createdAt, describe the run). */
const CONFIG_KEYS = [...RUN_SETTINGS, 'initFrom'];

/** The weights file in the project that training starts from. */
const INIT_FILE = 'init.weights';

/**
 * The project of a run folder. `files`: the run's audio files (any order); with none, the files
 * config.json names. Each clip of split.json is found by its content hash, so the audio is exactly
 * the audio the run trained on, wherever the files are now.
 */
export async function projectFromRun(runDir: string, files: readonly string[], init: InitChoice, version: string): Promise<TorchProject> {
  if (!isRealDir(runDir) || !entryExists(path.join(runDir, 'config.json'))) throw new RunError('RUN_NOT_FOUND', `${runDir} is not a run folder (no config.json)`);
  const stored = readJson<Record<string, unknown>>(path.join(runDir, 'config.json'));
  const config = resolveConfig(Object.fromEntries(CONFIG_KEYS.filter((k) => stored[k] !== undefined).map((k) => [k, stored[k]])) as Partial<TrainConfig>);
  checkExportable(config);
  const split = readSplit(runDir);
  const recorded = Array.isArray(stored.clips) ? stored.clips.filter((c): c is string => typeof c === 'string') : [];
  const sources = files.length ? [...files] : recorded;
  const { clips } = await loadClips(sources);
  const byHash = new Map(clips.map((c) => [audioSha256(c.audio), c]));
  const audio = split.clips.map((c) => {
    const found = byHash.get(c.sha256);
    if (!found) {
      throw new ExportError('CLIPS_UNAVAILABLE', `the run trained on ${c.name} (${c.samples} samples at 24 kHz), and ${files.length ? 'none of the files given' : 'none of the files config.json names'} holds that audio: give the run's audio files after the options`);
    }
    return found.audio;
  });
  const id = path.basename(runDir);
  let weights: TorchProject['init'];
  let initRecord: Experiment['init'] = null;
  if (init !== 'none') {
    const w = loadRunWeights(runDir, init);
    const step = typeof w.meta.step === 'number' ? w.meta.step : null;
    weights = { model: w.model, params: w.params, meta: { step } };
    initRecord = { file: INIT_FILE, fromRun: id, step };
    config.initFrom = id;
  } else delete config.initFrom;
  const clipNames = recorded.length === split.clips.length ? recorded : split.clips.map((c) => c.name);
  return { experiment: makeExperiment({ config, split, clipNames, init: initRecord, fromRun: id, version }), split, audio, ...(weights ? { init: weights } : {}) };
}

/**
 * The project of settings and audio, split as a training session splits them (src/train/session.ts),
 * so the exported run trains, validates and tests on what `codec-lab train` with the same options
 * would. `init`: the best weights of config.initFrom's run, already loaded and checked.
 */
export function projectFromSettings(config: TrainConfig, clips: readonly (Clip & { file: string })[], init: { params: Float32Array; step: number | null } | null, version: string): TorchProject {
  checkExportable(config);
  const split: SplitRecord = splitRecord(clips, splitForRun(clips, config));
  const initRecord = init && config.initFrom ? { file: INIT_FILE, fromRun: config.initFrom, step: init.step } : null;
  return {
    experiment: makeExperiment({ config, split, clipNames: clips.map((c) => c.file), init: initRecord, fromRun: null, version }),
    split,
    audio: clips.map((c) => c.audio),
    ...(init && initRecord ? { init: { model: modelPreset(config), params: init.params, meta: { step: init.step } } } : {}),
  };
}
