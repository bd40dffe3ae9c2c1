// The argument schemas of every call into the lab, whichever door it came through (the desktop
// shell's IPC or the web host's HTTP): both serve a page we treat as possibly compromised. Each
// argument is checked for type, length and shape here, before the engine sees it, and rebuilt from
// the allowed fields only, so an unexpected key (or a `__proto__` one) never travels further. What a
// training config's values mean (known names, every hyperparameter in its range, a batch the kernel
// core can hold) is the engine's own resolveConfig's to say, once, in the service: so nothing is
// refused here that the command line would accept, or the other way round. src/api/dispatch.ts
// applies these schemas.
import { ANCHOR_CUTOFFS, RACE_MAX, type RaceSpec, type LrRangeOptions, type OptimizerName, type AbxStart, type AnchorCutoff, type AudioRef, type DesktopExtras, type LabMethod, type MushraRatings, type MushraStart, type OracleOriginal, type OracleSpace, type Region, type RunNotes, type Side, type TrainConfig } from './contract.js';
import { ABX_MAX_TRIALS, LABEL_MAX } from '../listening/abx-record.js';
import { MUSHRA_MAX_CONDITIONS, MUSHRA_MAX_RUNS } from '../listening/mushra-record.js';
import { GL_ITERS } from '../nn/presets.js';
import { NOTE_MAX, TITLE_MAX } from '../runs/run-notes.js';
import { MAX_WAV_BYTES } from '../audio/wav-read.js';
import { describeValue as describe } from '../util/describe-value.js';
import { VIEW_MAX_COLUMNS, VIEW_SPACES, type ViewSpace } from '../common/view-spaces.js';
import { EXPORT_RATES, EXPORT_SAMPLE_FORMATS, type ExportOptions } from '../common/export-options.js';

/** A refused argument. The message names the method, the argument and what was wrong. */
export class ValidationError extends Error {
  readonly code = 'BAD_REQUEST';
}

/** Checks one value; returns the value to pass on (a fresh copy for objects) or throws. */
export type Check<T> = (value: unknown, where: string) => T;

const fail = (where: string, what: string): never => {
  throw new ValidationError(`${where} ${what}`);
};

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

export const string =
  (o: { min?: number; max: number; pattern?: RegExp; patternHint?: string }): Check<string> =>
  (v, where) => {
    if (typeof v !== 'string') return fail(where, `must be a string, not ${describe(v)}`);
    if (v.length < (o.min ?? 0)) return fail(where, `must have at least ${o.min} characters`);
    if (v.length > o.max) return fail(where, `must have at most ${o.max} characters, not ${v.length}`);
    if (o.pattern && !o.pattern.test(v)) return fail(where, `must be ${o.patternHint ?? `like ${o.pattern}`}`);
    return v;
  };

/**
 * The engine's id format (clip and run ids): letters, digits, '_', '.', '-'; but not '.' or '..',
 * which, joined to the runs folder, name the runs folder itself or its parent.
 */
const ID_PATTERN = /^(?!\.\.?$)[\w.-]+$/;
const ID_MAX = 200;

/** True if `v` is a clip or run id (see ID_PATTERN): what the service checks before joining an id to a folder. */
export const isId = (v: unknown): v is string => typeof v === 'string' && v.length <= ID_MAX && ID_PATTERN.test(v);

/** An id argument, refused with a message that says what an id is. */
export const id = string({ min: 1, max: ID_MAX, pattern: ID_PATTERN, patternHint: "an id of letters, digits, _ . and - (not '.' or '..')" });

export const finiteNumber: Check<number> = (v, where) =>
  typeof v === 'number' && Number.isFinite(v) ? v : fail(where, `must be a finite number, not ${describe(v)}`);

export const boolean: Check<boolean> = (v, where) => (typeof v === 'boolean' ? v : fail(where, `must be true or false, not ${describe(v)}`));

export const list =
  <T>(item: Check<T>, o: { min: number; max: number }): Check<T[]> =>
  (v, where) => {
    if (!Array.isArray(v)) return fail(where, `must be a list, not ${describe(v)}`);
    if (v.length < o.min) return fail(where, o.min === 1 ? 'must not be empty' : `must have at least ${o.min} items`);
    if (v.length > o.max) return fail(where, `must have at most ${o.max} items, not ${v.length}`);
    return v.map((x, i) => item(x, `${where}[${i}]`));
  };

/** A whole number in [min, max]. */
export const integer =
  (min: number, max: number): Check<number> =>
  (v, where) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fail(where, `must be a whole number from ${min} to ${max}, not ${describe(v)}`);

/** One of a fixed list of strings; membership of the list, never a property lookup. */
export const oneOf =
  <T extends string>(values: readonly T[]): Check<T> =>
  (v, where) =>
    typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : fail(where, `must be one of ${values.join(', ')}`);

/**
 * An object with only the given keys, each optional unless listed in `required`. Unknown keys are
 * refused by name rather than dropped, so a typo in the renderer is found, not silently ignored.
 */
export const object =
  <T extends object>(fields: { [K in keyof T]-?: Check<T[K]> }, required: readonly (keyof T)[] = []): Check<T> =>
  (v, where) => {
    if (!isPlainObject(v)) return fail(where, `must be ${typeof v === 'object' && v !== null && !Array.isArray(v) ? 'a plain object' : `an object, not ${describe(v)}`}`);
    const keys = Object.keys(fields);
    for (const k of Object.keys(v)) if (!keys.includes(k)) fail(where, `has an unknown key '${k.slice(0, 50)}' (allowed: ${keys.join(', ')})`);
    for (const k of required) if (v[k as string] === undefined) fail(where, `needs '${String(k)}'`);
    const out: Record<string, unknown> = {};
    for (const k of keys) if (v[k] !== undefined) out[k] = (fields as Record<string, Check<unknown>>)[k](v[k], `${where}.${k}`);
    return out as T;
  };

/** A file's bytes, no larger than the engine reads a WAV file by path (MAX_WAV_BYTES). */
export const bytes: Check<ArrayBuffer> = (v, where) => {
  const tooLarge = `is larger than ${MAX_WAV_BYTES / 1024 ** 3} GiB, the largest WAV file the engine reads`;
  // Structured clone delivers an ArrayBuffer as an ArrayBuffer; a typed array is accepted too.
  if (v instanceof ArrayBuffer) {
    if (v.byteLength > MAX_WAV_BYTES) fail(where, tooLarge);
    return v;
  }
  if (ArrayBuffer.isView(v)) {
    if (v.byteLength > MAX_WAV_BYTES) fail(where, tooLarge);
    return v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer;
  }
  return fail(where, `must be the file's bytes (an ArrayBuffer), not ${describe(v)}`);
};

/** The audio files a run folder holds, as an AudioRef of kind 'run' names them (`<file>.wav`). */
export const RUN_AUDIO_FILES = ['test_original', 'test_reconstruction', 'val_original', 'val_reconstruction'] as const satisfies readonly Extract<AudioRef, { kind: 'run' }>['file'][];

/** A MUSHRA anchor's cut-off in Hz: one of ANCHOR_CUTOFFS. */
const anchorCutoff: Check<AnchorCutoff> = (v, where) =>
  ANCHOR_CUTOFFS.includes(v as AnchorCutoff) ? (v as AnchorCutoff) : fail(where, `must be one of ${ANCHOR_CUTOFFS.join(', ')} (Hz), not ${describe(v)}`);

/** An AudioRef, checked per kind with exactly that kind's fields. */
export const audioRef: Check<AudioRef> = (v, where) => {
  if (!isPlainObject(v)) return fail(where, `must be an audio reference object, not ${describe(v)}`);
  const kinds = ['clip', 'run', 'reconstruction', 'model-input', 'oracle', 'abx-x', 'anchor', 'mushra-slot'] as const;
  const kind = oneOf(kinds)(v.kind, `${where}.kind`);
  switch (kind) {
    case 'clip':
      return object<{ kind: 'clip'; clipId: string }>({ kind: oneOf(['clip']), clipId: id }, ['kind', 'clipId'])(v, where);
    case 'model-input':
      return object<{ kind: 'model-input'; clipId: string }>({ kind: oneOf(['model-input']), clipId: id }, ['kind', 'clipId'])(v, where);
    case 'reconstruction':
      return object<{ kind: 'reconstruction'; runId: string; clipId: string }>({ kind: oneOf(['reconstruction']), runId: id, clipId: id }, ['kind', 'runId', 'clipId'])(v, where);
    case 'run':
      return object<Extract<AudioRef, { kind: 'run' }>>({ kind: oneOf(['run']), runId: id, file: oneOf(RUN_AUDIO_FILES) }, ['kind', 'runId', 'file'])(v, where);
    case 'oracle':
      return object<OracleRef>(
        { kind: oneOf(['oracle']), of: oracleOriginal, space: oneOf(ORACLE_SPACES), glIters: integer(GL_ITERS.min, GL_ITERS.max) },
        ['kind', 'of', 'space', 'glIters'],
      )(v, where);
    case 'abx-x':
      return object<Extract<AudioRef, { kind: 'abx-x' }>>({ kind: oneOf(['abx-x']), testId: id, trial: integer(1, ABX_MAX_TRIALS) }, ['kind', 'testId', 'trial'])(v, where);
    case 'anchor':
      return object<Extract<AudioRef, { kind: 'anchor' }>>({ kind: oneOf(['anchor']), of: oracleOriginal, cutoffHz: anchorCutoff }, ['kind', 'of', 'cutoffHz'])(v, where);
    case 'mushra-slot':
      return object<Extract<AudioRef, { kind: 'mushra-slot' }>>({ kind: oneOf(['mushra-slot']), testId: id, slot: integer(1, MUSHRA_MAX_CONDITIONS) }, ['kind', 'testId', 'slot'])(v, where);
  }
};

/** The audio references that stand for a test's hidden audio (resolved through a stored test). */
export type HiddenRef = Extract<AudioRef, { kind: 'abx-x' | 'mushra-slot' }>;
export const isHiddenRef = (ref: AudioRef): ref is HiddenRef => ref.kind === 'abx-x' || ref.kind === 'mushra-slot';

/**
 * Audio a listening test plays (a side of an ABX test, a MUSHRA reference or condition), as the
 * start calls take it and a stored test is read: any audio but a test's hidden audio (an ABX X, a
 * MUSHRA slot), which would be resolved through a test, possibly this very one, for ever.
 */
export const listenedAudioRef: Check<Exclude<AudioRef, HiddenRef>> = (v, where) => {
  const ref = audioRef(v, where);
  return isHiddenRef(ref) ? fail(where, "must be audio of the lab, not a test's hidden audio (an ABX trial's X, a MUSHRA slot)") : ref;
};

type OracleRef = Extract<AudioRef, { kind: 'oracle' }>;
export const ORACLE_SPACES = ['stft', 'mel'] as const satisfies readonly OracleSpace[];
/** The run files an oracle can start from: the originals (a reconstruction's oracle would be no oracle). */
export const ORACLE_RUN_FILES = ['test_original', 'val_original'] as const satisfies readonly Extract<OracleOriginal, { runId: string }>['file'][];

/** An oracle's original: exactly a clip id, or exactly a run id and one of its original files. */
const oracleOriginal: Check<OracleOriginal> = (v, where) => {
  if (isPlainObject(v) && 'clipId' in v) return object<{ clipId: string }>({ clipId: id }, ['clipId'])(v, where);
  if (isPlainObject(v) && 'runId' in v) return object<{ runId: string; file: OracleRunFile }>({ runId: id, file: oneOf(ORACLE_RUN_FILES) }, ['runId', 'file'])(v, where);
  return fail(where, `must be { clipId } or { runId, file: ${ORACLE_RUN_FILES.join(' | ')} }, not ${describe(v)}`);
};
type OracleRunFile = (typeof ORACLE_RUN_FILES)[number];

// ---- TrainConfig: the keys are limited to TrainConfig's own, checked by the compiler below ----

type Optimizer = TrainConfig['optimizer'];
type Schedule = TrainConfig['schedule'];
type Augment = TrainConfig['augment'];

/** A short name (preset, loss, optimizer, schedule); whether it is a known one, resolveConfig decides. */
const name = string({ min: 1, max: 40, pattern: /^[\w-]+$/, patternHint: 'a name of letters, digits, _ and -' });

const optimizer = object<Partial<Optimizer>>({
  name: name as Check<Optimizer['name']>,
  momentum: finiteNumber,
  nesterov: boolean,
  weightDecay: finiteNumber,
  beta1: finiteNumber,
  beta2: finiteNumber,
  eps: finiteNumber,
  alpha: finiteNumber,
  clipNorm: finiteNumber,
  clipValue: finiteNumber,
});

const schedule = object<Partial<Schedule>>({
  name: name as Check<Schedule['name']>,
  warmupSteps: finiteNumber,
  stepSize: finiteNumber,
  gamma: finiteNumber,
  minLr: finiteNumber,
});

const augment = object<Partial<Augment>>({ gainDb: finiteNumber, polarity: boolean, noiseSnrDb: finiteNumber, tiltDb: finiteNumber });

type PartialConfig = { [K in keyof TrainConfig]?: K extends 'optimizer' | 'schedule' | 'augment' ? Partial<TrainConfig[K]> : TrainConfig[K] };

/**
 * A partial TrainConfig as startTraining takes it: its shape only. The `{ [K in keyof T]-?: Check }`
 * type of `object` makes this fail to compile when TrainConfig gains or loses a key, so the allowed
 * keys cannot drift from the engine's type (and tests/electron compare them with DEFAULT_CONFIG).
 * The values are the service's to judge: its resolveConfig refuses them with BAD_CONFIG.
 */
export const trainConfig = object<PartialConfig>({
  preset: name as Check<TrainConfig['preset']>,
  loss: name as Check<TrainConfig['loss']>,
  optimizer,
  lr: finiteNumber,
  schedule,
  steps: finiteNumber,
  batch: finiteNumber,
  segment: finiteNumber,
  seed: finiteNumber,
  valEvery: finiteNumber,
  patience: finiteNumber,
  augment,
  logEvery: finiteNumber,
  threads: finiteNumber,
  setup: name as Check<TrainConfig['setup']>,
  glIters: finiteNumber,
  dropout: finiteNumber,
  initFrom: id,
  l1: finiteNumber,
  dataFraction: finiteNumber,
  split: list(finiteNumber, { min: 3, max: 3 }) as unknown as Check<TrainConfig['split']>,
  bits: finiteNumber,
  latentChannels: finiteNumber,
  hop: finiteNumber,
  width: finiteNumber,
}) as Check<Partial<TrainConfig>>;

// ---- the methods' argument lists ----

/** Checks a whole argument list: arity first, then each argument in its place. */
export type ArgsCheck<A extends unknown[]> = (args: readonly unknown[], method: string) => A;

export function args<A extends unknown[]>(...checks: { [I in keyof A]: Check<A[I]> } & Check<unknown>[]): ArgsCheck<A>;
export function args(...checks: Check<unknown>[]): ArgsCheck<unknown[]> {
  return (given, method) => {
    if (given.length > checks.length) fail(method, `takes ${checks.length} argument${checks.length === 1 ? '' : 's'}, not ${given.length}`);
    return checks.map((check, i) => check(given[i], `${method}: argument ${i + 1}`));
  };
}

const optional =
  <T>(check: Check<T>): Check<T | undefined> =>
  (v, where) =>
    v === undefined ? undefined : check(v, where);

/** A run's title and note, by length; what a title may hold (one line) the service says (notesProblem). */
const runNotes = object<RunNotes>({ title: string({ max: TITLE_MAX }), note: string({ max: NOTE_MAX }) });

/** A file name as addFileData takes it (the engine keeps only its base name). */
const fileName = string({ min: 1, max: 255 });
/** A suggested file name for the save dialog; only its base name is used. */
const suggestedName = string({ min: 1, max: 255 });
/** A path on the engine's machine (addFiles, exportAudio: never offered to a page, see PATH_METHODS). */
const filePath = string({ min: 1, max: 4096 });
const wavPath = string({ min: 5, max: 4096, pattern: /\.wav$/i, patternHint: 'a path ending in .wav' });
/** How to write exported audio: both keys, nothing else. */
const exportOptions = optional(object<ExportOptions>({ sampleFormat: oneOf(EXPORT_SAMPLE_FORMATS), rate: oneOf(EXPORT_RATES) }, ['sampleFormat', 'rate']));

/** A region of a clip in seconds: its shape here; that it ends after it starts, the service says (regionProblem). */
const region = object<Region>({ start: finiteNumber, end: finiteNumber }, ['start', 'end']);
/** A side's label or a listener's name, by length; that it is one line, the service says (labelProblem). */
const label = string({ min: 1, max: LABEL_MAX });
const side = oneOf<Side>(['A', 'B']);
/** A trial's time in milliseconds: not negative, at most a week (the page measures it). */
const trialMs: Check<number> = (v, where) => {
  const ms = finiteNumber(v, where);
  return ms >= 0 && ms <= 7 * 24 * 3600 * 1000 ? ms : fail(where, `must be from 0 to a week in milliseconds, not ${ms}`);
};
/** A MUSHRA rating draft: by slot, a score from 0 to 100 or null, and the milliseconds heard. */
const scoreOrNull: Check<number | null> = (v, where) => (v === null ? null : finiteNumber(v, where));
const mushraRatings = object<MushraRatings>(
  { scores: list(scoreOrNull, { min: 1, max: MUSHRA_MAX_CONDITIONS }), heardMs: list(trialMs, { min: 1, max: MUSHRA_MAX_CONDITIONS }) },
  ['scores', 'heardMs'],
);
const mushraStart = object<MushraStart>(
  {
    reference: listenedAudioRef,
    referenceLabel: label,
    runs: list(object<{ audio: Exclude<AudioRef, HiddenRef>; label: string }>({ audio: listenedAudioRef, label }, ['audio', 'label']), { min: 1, max: MUSHRA_MAX_RUNS }),
    anchors: list(anchorCutoff, { min: 1, max: ANCHOR_CUTOFFS.length }),
    region,
    listener: label,
  },
  ['reference', 'referenceLabel', 'runs'],
);
const abxStart = object<AbxStart>(
  { a: listenedAudioRef, b: listenedAudioRef, labelA: label, labelB: label, region, trials: integer(1, ABX_MAX_TRIALS), practice: boolean, listener: label },
  ['a', 'b', 'labelA', 'labelB'],
);

/** A race: the setting it varies and 2 to RACE_MAX values (their ranges are resolveConfig's to judge). */
const raceSpec: Check<RaceSpec> = (v, where) => {
  if (!isPlainObject(v)) return fail(where, `must be { vary, values }, not ${describe(v)}`);
  const extra = Object.keys(v).filter((k) => k !== 'vary' && k !== 'values');
  if (extra.length) return fail(where, `has unknown field ${extra[0]}`);
  const vary = oneOf(['optimizer', 'lr', 'batch'] as const)(v.vary, `${where}.vary`);
  if (vary === 'optimizer') return { vary, values: list(name, { min: 2, max: RACE_MAX })(v.values, `${where}.values`) as OptimizerName[] };
  return { vary, values: list(finiteNumber, { min: 2, max: RACE_MAX })(v.values, `${where}.values`) };
};
/** A sweep's grid: setting -> a list of plain values (which settings and values, expandSweep judges). */
const sweepGrid: Check<Record<string, unknown[]>> = (v, where) => {
  if (!isPlainObject(v)) return fail(where, `must be { setting: [values] }, not ${describe(v)}`);
  const keys = Object.keys(v);
  if (keys.length === 0 || keys.length > 8) return fail(where, 'must name 1 to 8 settings');
  for (const k of keys) {
    const values = (v as Record<string, unknown>)[k];
    if (!Array.isArray(values) || values.length === 0 || values.length > 64) return fail(`${where}.${k}`, 'must be a list of 1 to 64 values');
    if (!values.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) return fail(`${where}.${k}`, 'must hold names, numbers or true/false');
  }
  return v as Record<string, unknown[]>;
};
/** A queue item's id, as QueueRunner makes them. */
const queueItemId = string({ min: 1, max: 60, pattern: /^q-[\w-]+$/, patternHint: "a queue item id ('q-...')" });

/**
 * The calls that take paths on the engine's machine (filePath, wavPath above). Neither door offers
 * them to a page, which could then read or write any file the user can: the web host answers
 * NOT_AVAILABLE (a browser uploads and downloads instead), the desktop shell has no channel for
 * them (its native dialogs choose the paths).
 */
export const PATH_METHODS = ['addFiles', 'exportAudio'] as const satisfies readonly LabMethod[];

/** Every call and the argument list it accepts: the LabApi methods and the desktop's dialogs. */
export const METHOD_ARGS = {
  listLibrary: args(),
  addFiles: args<[string[]]>(list(filePath, { min: 1, max: 1000 })),
  addFileData: args<[string, ArrayBuffer]>(fileName, bytes),
  removeClip: args<[string]>(id),
  trainOptions: args(),
  startTraining: args<[string[], Partial<TrainConfig>]>(list(id, { min: 1, max: 1000 }), trainConfig),
  pauseTraining: args<[string]>(id),
  resumeTraining: args<[string]>(id),
  stopTraining: args<[string]>(id),
  startRace: args<[string[], Partial<TrainConfig>, RaceSpec]>(list(id, { min: 1, max: 1000 }), trainConfig, raceSpec),
  startSweep: args<[string[], Partial<TrainConfig>, Record<string, unknown[]>]>(list(id, { min: 1, max: 1000 }), trainConfig, sweepGrid),
  runQueue: args(),
  setQueuePaused: args<[boolean]>(boolean),
  cancelQueued: args<[string]>(queueItemId),
  moveQueued: args<[string, number]>(queueItemId, integer(0, 100_000)),
  clearQueue: args(),
  lrRangeTest: args<[string[], Partial<TrainConfig>, Partial<LrRangeOptions> | undefined]>(
    list(id, { min: 1, max: 1000 }), trainConfig, optional(object<Partial<LrRangeOptions>>({ minLr: finiteNumber, maxLr: finiteNumber, steps: finiteNumber })),
  ),
  listRuns: args(),
  runLog: args<[string]>(id),
  runSplit: args<[string]>(id),
  crossEvaluate: args<[string[], string[] | undefined]>(list(id, { min: 1, max: 100 }), optional(list(id, { min: 0, max: 1000 }))),
  annotateRun: args<[string, RunNotes]>(id, runNotes),
  deleteRun: args<[string]>(id),
  startAbx: args<[AbxStart]>(abxStart),
  abxTrial: args<[string]>(id),
  answerAbx: args<[string, number, Side, { ms: number; region?: Region }]>(id, integer(1, ABX_MAX_TRIALS), side, object<{ ms: number; region?: Region }>({ ms: trialMs, region }, ['ms'])),
  startMushra: args<[MushraStart]>(mushraStart),
  rateMushra: args<[string, MushraRatings]>(id, mushraRatings),
  submitMushra: args<[string, MushraRatings]>(id, mushraRatings),
  listeningResults: args(),
  listeningTests: args(),
  listeningTest: args<[string]>(id),
  discardListeningTest: args<[string]>(id),
  listeningCsv: args<[string]>(id),
  audio: args<[AudioRef, ExportOptions | undefined]>(audioRef, exportOptions),
  spectralView: args<[AudioRef, AudioRef, ViewSpace, { maxColumns?: number } | undefined]>(
    audioRef, audioRef, oneOf(VIEW_SPACES), optional(object<{ maxColumns?: number }>({ maxColumns: integer(1, VIEW_MAX_COLUMNS) })),
  ),
  exportAudio: args<[AudioRef, string, ExportOptions | undefined]>(audioRef, wavPath, exportOptions),
  openFilesDialog: args(),
  saveAudioDialog: args<[AudioRef, string, ExportOptions | undefined]>(audioRef, suggestedName, exportOptions),
} satisfies Record<LabMethod | keyof DesktopExtras, ArgsCheck<unknown[]>>;

export type MethodName = keyof typeof METHOD_ARGS;
export type MethodArgs<M extends MethodName> = ReturnType<(typeof METHOD_ARGS)[M]>;
