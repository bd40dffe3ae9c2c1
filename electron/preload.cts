// The preload: puts the typed lab API on `window.codecLab` (a DesktopApi) through contextBridge.
//
// It runs in a sandboxed renderer (sandbox: true), where a preload may require only 'electron' and
// a few built-ins. So this file is CommonJS (.cts, emitted as preload.cjs), self-contained, and
// imports nothing from the project at run time: the `import type` lines vanish in the output, and
// the channel names are written out here. tests/electron/built-shell.test.ts runs the built file with
// a fake 'electron' and checks that it calls exactly the channels electron/ipc.ts serves.
//
// The page never gets ipcRenderer itself, nor an IpcRendererEvent (whose `sender` is ipcRenderer):
// only these functions, each of which calls one fixed channel.
import { contextBridge, ipcRenderer } from 'electron';
import type { AbxStart, AudioRef, DesktopApi, ExportOptions, LabEvent, LrRangeOptions, MushraRatings, MushraStart, RaceSpec, Region, RunNotes, Side, TrainConfig, ViewSpace } from '../src/api/contract.js';
import type { CallError, CallResult } from '../src/api/dispatch.js';

// The page's window. This file is compiled without the DOM library (it is mostly Node-side code),
// so name the one method of it we use.
declare const window: { dispatchEvent(event: Event): boolean };

const EVENT_CHANNEL = 'lab:event';

/**
 * An API error as the page receives it: a plain object with the engine's code and message. An Error
 * would lose its `code` crossing contextBridge (only the message of an Error is copied), and the
 * renderer reads `code` to decide what to tell the student.
 */
function labError(e: CallError): CallError & { name: string } {
  return { name: 'LabError', code: e.code, message: e.message };
}

async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  let reply: CallResult<T>;
  try {
    reply = (await ipcRenderer.invoke(`lab:${method}`, ...args)) as CallResult<T>;
  } catch (e) {
    // Electron's own failure (no handler, the main process busy quitting), not the engine's.
    throw labError({ code: 'IPC_FAILED', message: `${method}: ${(e as Error).message}` });
  }
  if (reply && reply.ok === true) return reply.value;
  throw labError(reply && reply.ok === false ? reply.error : { code: 'IPC_FAILED', message: `${method}: malformed reply` });
}

/** addFiles and exportAudio take paths; in the desktop app only the native dialogs choose paths. */
const viaDialogOnly = (method: string, instead: string): Promise<never> =>
  Promise.reject(labError({ code: 'NOT_AVAILABLE', message: `${method} is not available in the desktop app; use ${instead}` }));

const api: DesktopApi = {
  listLibrary: () => call('listLibrary'),
  addFiles: () => viaDialogOnly('addFiles', 'openFilesDialog (File > Open WAV Files…)'),
  addFileData: (name: string, data: ArrayBuffer) => call('addFileData', name, data),
  removeClip: (id: string) => call('removeClip', id),

  trainOptions: () => call('trainOptions'),
  startTraining: (clipIds: string[], config: Partial<TrainConfig>) => call('startTraining', clipIds, config),
  pauseTraining: (runId: string) => call('pauseTraining', runId),
  resumeTraining: (runId: string) => call('resumeTraining', runId),
  stopTraining: (runId: string) => call('stopTraining', runId),
  startRace: (clipIds: string[], base: Partial<TrainConfig>, race: RaceSpec) => call('startRace', clipIds, base, race),
  startSweep: (clipIds: string[], base: Partial<TrainConfig>, grid: Record<string, unknown[]>) => call('startSweep', clipIds, base, grid),
  runQueue: () => call('runQueue'),
  setQueuePaused: (paused: boolean) => call('setQueuePaused', paused),
  cancelQueued: (itemId: string) => call('cancelQueued', itemId),
  moveQueued: (itemId: string, to: number) => call('moveQueued', itemId, to),
  clearQueue: () => call('clearQueue'),
  // An omitted range stays omitted: the handler counts arguments.
  lrRangeTest: (clipIds: string[], config: Partial<TrainConfig>, range?: Partial<LrRangeOptions>) =>
    range === undefined ? call('lrRangeTest', clipIds, config) : call('lrRangeTest', clipIds, config, range),

  listRuns: () => call('listRuns'),
  runLog: (runId: string) => call('runLog', runId),
  runSplit: (runId: string) => call('runSplit', runId),
  // An omitted clipIds must stay omitted: the handler counts arguments.
  crossEvaluate: (runIds: string[], clipIds?: string[]) => (clipIds === undefined ? call('crossEvaluate', runIds) : call('crossEvaluate', runIds, clipIds)),
  annotateRun: (runId: string, notes: RunNotes) => call('annotateRun', runId, notes),
  deleteRun: (runId: string) => call('deleteRun', runId),

  startAbx: (start: AbxStart) => call('startAbx', start),
  abxTrial: (testId: string) => call('abxTrial', testId),
  answerAbx: (testId: string, trial: number, answer: Side, taken: { ms: number; region?: Region }) => call('answerAbx', testId, trial, answer, taken),
  startMushra: (start: MushraStart) => call('startMushra', start),
  rateMushra: (testId: string, ratings: MushraRatings) => call('rateMushra', testId, ratings),
  submitMushra: (testId: string, ratings: MushraRatings) => call('submitMushra', testId, ratings),
  listeningResults: () => call('listeningResults'),
  listeningTests: () => call('listeningTests'),
  listeningTest: (testId: string) => call('listeningTest', testId),
  discardListeningTest: (testId: string) => call('discardListeningTest', testId),
  listeningCsv: (testId: string) => call('listeningCsv', testId),

  // Omitted export options stay omitted: the handler counts arguments.
  audio: (ref: AudioRef, opts?: ExportOptions) => (opts === undefined ? call('audio', ref) : call('audio', ref, opts)),
  // The images arrive as Float32Arrays: IPC's structured clone and contextBridge both carry typed arrays.
  spectralView: (a: AudioRef, b: AudioRef, space: ViewSpace, opts?: { maxColumns?: number }) =>
    opts === undefined ? call('spectralView', a, b, space) : call('spectralView', a, b, space, opts),
  exportAudio: () => viaDialogOnly('exportAudio', 'saveAudioDialog (File > Export Reconstruction…)'),

  openFilesDialog: () => call('openFilesDialog'),
  saveAudioDialog: (ref: AudioRef, suggestedName: string, opts?: ExportOptions) =>
    opts === undefined ? call('saveAudioDialog', ref, suggestedName) : call('saveAudioDialog', ref, suggestedName, opts),

  subscribe(listener: (e: LabEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('subscribe needs a listener function');
    // Only the payload goes to the page, never the IpcRendererEvent.
    const relay = (_event: unknown, payload: LabEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, relay);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, relay);
    };
  },
};

contextBridge.exposeInMainWorld('codecLab', api);

// The File menu's two items need the page: "Open WAV Files…" so that the files the user adds show
// up where the page shows its library, "Export Reconstruction…" because only the page knows which
// reconstruction is selected. Each arrives as a DOM event on window, which the page may handle by
// calling openFilesDialog() or saveAudioDialog(ref, name):
//   window.addEventListener('codec-lab:menu-open-files', ...)
//   window.addEventListener('codec-lab:menu-export', ...)
// A DOM event carries no payload across the isolated worlds and needs no API change.
ipcRenderer.on('menu:open-files', () => window.dispatchEvent(new Event('codec-lab:menu-open-files')));
ipcRenderer.on('menu:export', () => window.dispatchEvent(new Event('codec-lab:menu-export')));
