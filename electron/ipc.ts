// The IPC layer of the desktop shell: one `ipcMain.handle` channel per call (`lab:<method>`), each
// guarded by a sender check and then handed to the engine's dispatch (src/api/dispatch.ts), which
// checks the arguments, calls the LabService and maps errors exactly as it does for the web host.
// This module never sees the service itself: the dispatch is the only way in.
//
// What is deliberately NOT here: channels for `addFiles(paths)` and `exportAudio(ref, path)`. With
// them a compromised renderer could read or write any file the user can. The renderer gets file
// access only through the native dialogs instead: `lab:openFilesDialog` adds what the user picked
// in the open dialog, `lab:saveAudioDialog` writes where the user chose in the save dialog (the
// dispatch runs both, with the dialogs main.ts gives it). Bytes the page already holds (drag and
// drop) still arrive through `lab:addFileData`.
//
// Everything is passed in (an ipcMain-like object, the dispatch, the sender check), so the tests
// drive this module with fakes and without Electron; electron/main.ts wires in the real ones.
import type { IpcMainInvokeEvent } from 'electron';
import type { DesktopExtras, LabApi, LabEvent, LabMethod } from '../src/api/contract.js';
import type { CallResult, LabDispatch } from '../src/api/dispatch.js';
import type { PATH_METHODS } from '../src/api/validate.js';
import { isAppPageUrl } from './app-protocol.js';

export const CHANNEL_PREFIX = 'lab:';
/** Main -> renderer: every LabEvent of every run (LabService.subscribe), on one channel. */
export const EVENT_CHANNEL = 'lab:event';
/** Main -> renderer: the menu asks the page to do something (see MENU_CHANNELS; the preload turns them into DOM events). */
export const MENU_CHANNELS = { openFiles: 'menu:open-files', export: 'menu:export' } as const;

/** Every call but the path-taking ones (PATH_METHODS, src/api/validate.ts), which the renderer must never make with its own arguments. */
type ChannelName = Exclude<LabMethod, (typeof PATH_METHODS)[number]> | keyof DesktopExtras;

/**
 * The calls the window may make: every LabMethod but the path-taking ones, and the two dialogs.
 * Written out (this module imports the engine for types only); tests/electron/ipc.test.ts checks
 * the list against LAB_METHODS.
 */
export const IPC_METHODS = [
  'listLibrary', 'addFileData', 'removeClip', 'trainOptions', 'startTraining', 'pauseTraining', 'resumeTraining',
  'stopTraining', 'startRace', 'startSweep', 'runQueue', 'setQueuePaused', 'cancelQueued', 'moveQueued', 'clearQueue', 'lrRangeTest', 'listRuns', 'runLog', 'runSplit', 'crossEvaluate', 'annotateRun', 'deleteRun',
  'startAbx', 'abxTrial', 'answerAbx', 'startMushra', 'rateMushra', 'submitMushra', 'listeningResults', 'listeningTests', 'listeningTest', 'discardListeningTest', 'listeningCsv', 'audio', 'spectralView', 'openFilesDialog', 'saveAudioDialog',
] as const satisfies readonly ChannelName[];

export const channelOf = (name: ChannelName): string => `${CHANNEL_PREFIX}${name}`;
/** Every invoke channel the shell serves. */
export const LAB_CHANNELS: readonly string[] = IPC_METHODS.map(channelOf);

/** The part of Electron's ipcMain this module uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
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

/**
 * Registers one `ipcMain.handle` channel per IPC_METHODS entry. Each call is refused unless
 * `isTrustedSender` accepts its sender; then the dispatch checks the arguments and calls the
 * service. Handlers never throw: they resolve with a CallResult (Electron would keep only the
 * message of a thrown Error), so the error's code survives the trip; the preload turns `ok: false`
 * into a rejection. Returns the channels and a function that removes them again.
 */
export function registerLabIpc(ipcMain: IpcMainLike, dispatch: LabDispatch, isTrustedSender: SenderCheck): { channels: string[]; dispose(): void } {
  const channels: string[] = [];
  for (const name of IPC_METHODS) {
    // A dispatch made without dialogs would answer NOT_FOUND on every call to them: say so now.
    if (!dispatch.has(name)) throw new Error(`the dispatch does not offer ${name} (were the native dialogs given to it?)`);
    const channel = channelOf(name);
    ipcMain.handle(channel, async (event, ...args): Promise<CallResult> => {
      if (!isTrustedSender(event)) return { ok: false, error: { code: 'FORBIDDEN', message: `${name}: refused a call from outside the Codec Lab window` } };
      return dispatch.call(name, args);
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
