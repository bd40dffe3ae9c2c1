// The one door into the engine. Both the desktop shell's IPC handlers (electron/ipc.ts) and the web
// host (src/web/host.ts) hand every call to a dispatch made here, and neither touches the service
// otherwise: a call is looked up by name in a Map of our own (never as a property of an object, so
// `constructor`, `__proto__` or a private helper of the service cannot be reached by name), its
// arguments are checked against the contract (src/api/validate.ts), the service is called, and
// whatever it throws is mapped one way to `{ code, message }` (src/api/call-error.ts) with no
// server path in the message. The same paths are hidden in what the service answers with where it
// holds an engine message (a refused file's reason in a LibraryEntry), and in the service's events,
// which go out through here too. The doors only decide which names they offer and how bytes travel.
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { AudioRef, DesktopApi, ExportOptions, LabApi, LabEvent, LibraryEntry } from './contract.js';
import { toCallError, type CallError } from './call-error.js';
import { pathHider } from './hide-paths.js';
import { METHOD_ARGS, type MethodArgs, type MethodName } from './validate.js';

export type { CallError };

/** The desktop's native dialogs, shown by the main process; the page never names a path. */
export interface NativeDialogs {
  /** Paths of the WAV files the user picked; [] if cancelled. */
  chooseWavFiles(): Promise<string[]>;
  /** Where to save; null if cancelled. `suggestedName` is a bare file name. */
  chooseSavePath(suggestedName: string): Promise<string | null>;
}

/** What a call ends in. Never thrown: the code must survive the trip through IPC or HTTP. */
export type CallResult<T = unknown> = { ok: true; value: T } | { ok: false; error: CallError };

export interface DispatchOptions {
  /** The runs folder, whose paths appear in messages as `runs/<run>/<file>`. */
  runsDir?: string;
  /** The native dialogs; without them `openFilesDialog` and `saveAudioDialog` do not exist. */
  dialogs?: NativeDialogs;
  /** Told about every INTERNAL error with the thrown value, to log its stack (default: stderr). */
  onInternal?: (method: string, error: unknown) => void;
}

export interface LabDispatch {
  /** Check `args` for `method`, call the service, and map any error. */
  call(method: string, args: readonly unknown[]): Promise<CallResult>;
  /** True if `method` can be called through this dispatch. */
  has(method: string): boolean;
  /** The service's events, every string in them with its paths hidden (a run's folder reads `runs/<run>`). */
  subscribe(listener: (e: LabEvent) => void): () => void;
}

/** What a call answers with. */
type Answer<M extends MethodName> = Awaited<ReturnType<DesktopApi[M]>>;

type Handler<M extends MethodName> = (s: LabApi, args: MethodArgs<M>, dialogs: NativeDialogs) => Promise<Answer<M>>;

const HANDLERS: { [M in MethodName]: Handler<M> } = {
  listLibrary: (s) => s.listLibrary(),
  addFiles: (s, [paths]) => s.addFiles(paths),
  addFileData: (s, [name, data]) => s.addFileData(name, data),
  removeClip: (s, [clipId]) => s.removeClip(clipId),
  trainOptions: (s) => s.trainOptions(),
  startTraining: (s, [clipIds, config]) => s.startTraining(clipIds, config),
  pauseTraining: (s, [runId]) => s.pauseTraining(runId),
  resumeTraining: (s, [runId]) => s.resumeTraining(runId),
  stopTraining: (s, [runId]) => s.stopTraining(runId),
  startRace: (s, [clipIds, base, race]) => s.startRace(clipIds, base, race),
  startSweep: (s, [clipIds, base, grid]) => s.startSweep(clipIds, base, grid),
  runQueue: (s) => s.runQueue(),
  setQueuePaused: (s, [paused]) => s.setQueuePaused(paused),
  cancelQueued: (s, [itemId]) => s.cancelQueued(itemId),
  moveQueued: (s, [itemId, to]) => s.moveQueued(itemId, to),
  clearQueue: (s) => s.clearQueue(),
  lrRangeTest: (s, [clipIds, config, range]) => s.lrRangeTest(clipIds, config, range),
  listRuns: (s) => s.listRuns(),
  runLog: (s, [runId]) => s.runLog(runId),
  runSplit: (s, [runId]) => s.runSplit(runId),
  crossEvaluate: (s, [runIds, clipIds]) => s.crossEvaluate(runIds, clipIds),
  annotateRun: (s, [runId, notes]) => s.annotateRun(runId, notes),
  deleteRun: (s, [runId]) => s.deleteRun(runId),
  startAbx: (s, [start]) => s.startAbx(start),
  abxTrial: (s, [testId]) => s.abxTrial(testId),
  answerAbx: (s, [testId, trial, answer, taken]) => s.answerAbx(testId, trial, answer, taken),
  startMushra: (s, [start]) => s.startMushra(start),
  rateMushra: (s, [testId, ratings]) => s.rateMushra(testId, ratings),
  submitMushra: (s, [testId, ratings]) => s.submitMushra(testId, ratings),
  listeningResults: (s) => s.listeningResults(),
  listeningTests: (s) => s.listeningTests(),
  listeningTest: (s, [testId]) => s.listeningTest(testId),
  discardListeningTest: (s, [testId]) => s.discardListeningTest(testId),
  listeningCsv: (s, [testId]) => s.listeningCsv(testId),
  audio: (s, [ref, opts]) => s.audio(ref, opts),
  spectralView: (s, [a, b, space, opts]) => s.spectralView(a, b, space, opts),
  exportAudio: (s, [ref, file, opts]) => s.exportAudio(ref, file, opts),
  async openFilesDialog(s, _args, d): Promise<LibraryEntry[]> {
    const paths = await d.chooseWavFiles();
    return paths.length ? s.addFiles(METHOD_ARGS.addFiles([paths], 'openFilesDialog')[0]) : [];
  },
  async saveAudioDialog(s, [ref, suggestedName, opts]: [AudioRef, string, ExportOptions | undefined], d) {
    // Only the base name of the suggestion is used: the page may suggest a name, not a folder.
    const chosen = await d.chooseSavePath(path.basename(suggestedName.replaceAll('\\', '/')) || 'reconstruction.wav');
    return chosen ? s.exportAudio(ref, exportTarget(chosen), opts) : null;
  },
};

const DIALOG_METHODS: ReadonlySet<string> = new Set<MethodName>(['openFilesDialog', 'saveAudioDialog']);

/** The calls that answer with LibraryEntry values (one, or a list). */
type EntryMethod = { [M in MethodName]: LibraryEntry extends (Answer<M> extends readonly (infer E)[] ? E : Answer<M>) ? M : never }[MethodName];
/**
 * Every one of them (a Record, so the compiler finds a new one). A refused file's entry carries the
 * engine's message, which may name the file's path ("no such file: /home/jo/My Music/take.wav").
 */
const ANSWERS_ENTRIES: Record<EntryMethod, true> = { listLibrary: true, addFiles: true, addFileData: true, openFilesDialog: true };

/** A call's value with the paths hidden in what holds an engine message. */
function hideInAnswer(method: string, value: unknown, hide: (message: string) => string): unknown {
  if (!Object.hasOwn(ANSWERS_ENTRIES, method)) return value;
  const entry = (e: LibraryEntry): LibraryEntry => (e?.ok === false && typeof e.error?.message === 'string' ? { ...e, error: { ...e.error, message: hide(e.error.message) } } : e);
  return Array.isArray(value) ? (value as LibraryEntry[]).map(entry) : entry(value as LibraryEntry);
}

/** Every method, by name, in a Map: a lookup that cannot reach Object.prototype. */
const METHODS = new Map<string, { check: (args: readonly unknown[], method: string) => unknown; run: (s: LabApi, args: unknown, d: NativeDialogs) => Promise<unknown> }>(
  (Object.keys(METHOD_ARGS) as MethodName[]).map((m) => [m, { check: METHOD_ARGS[m], run: HANDLERS[m] as (s: LabApi, args: unknown, d: NativeDialogs) => Promise<unknown> }]),
);

/** A copy of a JSON-like value with `f` applied to every string in it. */
function mapStrings<T>(v: T, f: (s: string) => string): T {
  if (typeof v === 'string') return f(v) as T;
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f)) as T;
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, f)])) as T;
  return v;
}

const logInternal = (method: string, e: unknown) => process.stderr.write(`codec-lab: ${method} failed: ${(e as Error)?.stack ?? String(e)}\n`);

export function createDispatch(service: LabApi, o: DispatchOptions = {}): LabDispatch {
  const hide = pathHider(o.runsDir);
  const onInternal = o.onInternal ?? logInternal;
  const has = (method: string) => METHODS.has(method) && (o.dialogs !== undefined || !DIALOG_METHODS.has(method));
  return {
    has,
    subscribe: (listener) => service.subscribe((e) => listener(mapStrings(e, hide))),
    async call(method, args) {
      if (typeof method !== 'string' || !has(method)) return { ok: false, error: { code: 'NOT_FOUND', message: `no method '${String(method).slice(0, 60)}'` } };
      const entry = METHODS.get(method)!;
      try {
        if (!Array.isArray(args)) throw Object.assign(new Error(`${method}: the arguments must be a list`), { code: 'BAD_REQUEST' });
        return { ok: true, value: hideInAnswer(method, await entry.run(service, entry.check(args, method), o.dialogs!), hide) };
      } catch (e) {
        const { internal, ...error } = toCallError(e, hide);
        if (internal) onInternal(method, e);
        return { ok: false, error };
      }
    },
  };
}

/**
 * The path to write an export to. The engine writes only `.wav` paths; if the user typed a name
 * without the extension we add it, unless a file of that name exists, which the save dialog did
 * not ask about overwriting.
 */
export function exportTarget(chosen: string): string {
  if (chosen.toLowerCase().endsWith('.wav')) return chosen;
  const withExt = `${chosen}.wav`;
  if (existsSync(withExt)) throw Object.assign(new Error(`${path.basename(withExt)} already exists; choose a name ending in .wav to replace it`), { code: 'FILE_EXISTS' });
  return withExt;
}
