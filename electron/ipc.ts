// The IPC layer of the desktop shell: one `ipcMain.handle` channel per API call (`lab:<method>`),
// each guarded by a sender check and an argument schema before it reaches the LabService.
//
// What is deliberately NOT here: channels for `addFiles(paths)` and `exportAudio(ref, path)`. With
// them a compromised renderer could read or write any file the user can. The renderer gets file
// access only through the native dialogs instead: `lab:openFilesDialog` adds what the user picked
// in the open dialog, `lab:saveAudioDialog` writes where the user chose in the save dialog. Bytes
// the page already holds (drag and drop) still arrive through `lab:addFileData`.
//
// Everything is passed in (an ipcMain-like object, the service, the sender check, the dialogs), so
// the tests drive this module with fakes and without Electron; electron/main.ts wires in the real ones.
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { IpcMainInvokeEvent } from 'electron';
import type { AudioRef, LabApi, LabEvent, LabMethod, LibraryEntry } from '../src/api/contract.js';
import { isAppPageUrl } from './app-protocol.js';
import { CHANNEL_ARGS, ValidationError, type ChannelName } from './validate.js';

export const CHANNEL_PREFIX = 'lab:';
/** Main -> renderer: every LabEvent of every run (LabService.subscribe), on one channel. */
export const EVENT_CHANNEL = 'lab:event';
/** Main -> renderer: the menu asks the page to do something (see MENU_CHANNELS; the preload turns them into DOM events). */
export const MENU_CHANNELS = { openFiles: 'menu:open-files', export: 'menu:export' } as const;

/** The LabApi methods the renderer must never call with its own arguments. */
export const PATH_METHODS = ['addFiles', 'exportAudio'] as const satisfies readonly LabMethod[];

export const channelOf = (name: ChannelName): string => `${CHANNEL_PREFIX}${name}`;
/** Every invoke channel the shell serves, in the order of CHANNEL_ARGS. */
export const LAB_CHANNELS: readonly string[] = (Object.keys(CHANNEL_ARGS) as ChannelName[]).map(channelOf);

/** An error as it crosses IPC: Electron would keep only the message of a thrown Error, so we send fields. */
export interface WireError {
  code: string;
  message: string;
}
/** What every `lab:*` handler resolves with; the preload turns `ok: false` into a rejection. */
export type IpcResult<T = unknown> = { ok: true; value: T } | { ok: false; error: WireError };

/** The part of Electron's ipcMain this module uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** The service methods the channels call (LabService has them all). */
export type LabServiceLike = Omit<LabApi, 'subscribe'>;

/** The native dialogs, shown by the main process; the renderer never names a path. */
export interface NativeDialogs {
  /** Paths of the WAV files the user picked; [] if cancelled. */
  chooseWavFiles(): Promise<string[]>;
  /** Where to save; null if cancelled. `suggestedName` is a bare file name. */
  chooseSavePath(suggestedName: string): Promise<string | null>;
}

export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

/** The parts of a WebContents the sender check reads. */
export interface WindowContentsLike {
  readonly id: number;
  isDestroyed(): boolean;
}

/**
 * The sender check of every channel: the message must come from the app window's own web contents,
 * from its top frame (not an iframe, which could hold other content), and that frame must show the
 * app's own page on app://codec-lab/. `senderFrame` is null when the frame has navigated away or
 * been destroyed since it sent the message; such a message is refused too.
 */
export function appWindowSenderCheck(windowContents: () => WindowContentsLike | null): SenderCheck {
  return (event) => {
    const contents = windowContents();
    if (!contents || contents.isDestroyed()) return false;
    if (event.sender?.id !== contents.id) return false;
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    return isAppPageUrl(frame.url);
  };
}

/** Any thrown value as a WireError: the engine's ApiError/ConfigError keep their code. */
export function toWireError(e: unknown): WireError {
  if (e instanceof ValidationError) return { code: e.code, message: e.message };
  if (e !== null && typeof e === 'object') {
    const { code, message } = e as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : String(e);
    // Node's own errors have codes too (ENOENT, EACCES); they are as useful to show as ours.
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code)) return { code, message: text };
    return { code: 'INTERNAL', message: text };
  }
  return { code: 'INTERNAL', message: String(e) };
}

/**
 * The path to write an export to. The engine writes only `.wav` paths; if the user typed a name
 * without the extension we add it, unless a file of that name exists, which the save dialog did
 * not ask about overwriting.
 */
export function exportTarget(chosen: string): string {
  if (chosen.toLowerCase().endsWith('.wav')) return chosen;
  const withExt = `${chosen}.wav`;
  if (existsSync(withExt)) throw Object.assign(new Error(`${path.basename(withExt)} already exists; choose a name ending in .wav to replace it`), { code: 'EXISTS' });
  return withExt;
}

type Handlers = { [C in ChannelName]: (service: LabServiceLike, dialogs: NativeDialogs, args: ReturnType<(typeof CHANNEL_ARGS)[C]>) => Promise<unknown> };

const HANDLERS: Handlers = {
  listLibrary: (s) => s.listLibrary(),
  addFileData: (s, _d, [name, data]) => s.addFileData(name, data),
  removeClip: (s, _d, [clipId]) => s.removeClip(clipId),
  trainOptions: (s) => s.trainOptions(),
  startTraining: (s, _d, [clipIds, config]) => s.startTraining(clipIds, config),
  pauseTraining: (s, _d, [runId]) => s.pauseTraining(runId),
  resumeTraining: (s, _d, [runId]) => s.resumeTraining(runId),
  stopTraining: (s, _d, [runId]) => s.stopTraining(runId),
  listRuns: (s) => s.listRuns(),
  runLog: (s, _d, [runId]) => s.runLog(runId),
  crossEvaluate: (s, _d, [runIds, clipIds]) => s.crossEvaluate(runIds, clipIds),
  audio: (s, _d, [ref]) => s.audio(ref),
  async openFilesDialog(s, d): Promise<LibraryEntry[]> {
    const paths = await d.chooseWavFiles();
    return paths.length ? s.addFiles(paths) : [];
  },
  async saveAudioDialog(s, d, [ref, suggestedName]: [AudioRef, string]) {
    // Only the base name of the suggestion is used: the page may suggest a name, not a folder.
    const chosen = await d.chooseSavePath(path.basename(suggestedName.replaceAll('\\', '/')) || 'reconstruction.wav');
    return chosen ? s.exportAudio(ref, exportTarget(chosen)) : null;
  },
};

/**
 * Registers one `ipcMain.handle` channel per entry of CHANNEL_ARGS. Each call is refused unless
 * `isTrustedSender` accepts its sender, then its arguments are checked, then the service is called.
 * Handlers never throw: they resolve with an IpcResult, so the error's code survives the trip.
 * Returns the channels and a function that removes them again.
 */
export function registerLabIpc(ipcMain: IpcMainLike, service: LabServiceLike, isTrustedSender: SenderCheck, dialogs: NativeDialogs): { channels: string[]; dispose(): void } {
  const channels: string[] = [];
  for (const name of Object.keys(CHANNEL_ARGS) as ChannelName[]) {
    const channel = channelOf(name);
    const check = CHANNEL_ARGS[name] as (args: unknown[], method: string) => never;
    const run = HANDLERS[name] as (s: LabServiceLike, d: NativeDialogs, args: unknown) => Promise<unknown>;
    ipcMain.handle(channel, async (event, ...args): Promise<IpcResult> => {
      if (!isTrustedSender(event)) return { ok: false, error: { code: 'FORBIDDEN', message: `${name}: refused a call from outside the Codec Lab window` } };
      try {
        return { ok: true, value: await run(service, dialogs, check(args, name)) };
      } catch (e) {
        const error = toWireError(e);
        if (error.code === 'INTERNAL') console.error(`codec-lab: ${channel} failed:`, e);
        return { ok: false, error };
      }
    });
    channels.push(channel);
  }
  return {
    channels,
    dispose: () => channels.forEach((c) => ipcMain.removeHandler(c)),
  };
}

/** Sends every LabEvent of the service to the window on EVENT_CHANNEL; returns the unsubscribe. */
export function forwardLabEvents(service: Pick<LabApi, 'subscribe'>, send: (channel: string, event: LabEvent) => void): () => void {
  return service.subscribe((e) => send(EVENT_CHANNEL, e));
}
