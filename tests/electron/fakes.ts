// Stand-ins for the Electron objects the shell's modules take as parameters, so that the IPC layer,
// the sender check and the hardening run under vitest without Electron (whose binary cannot be
// downloaded here, and whose module must not be required outside Electron).
import { EventEmitter } from 'node:events';
import type { IpcMainInvokeEvent } from 'electron';
import type { IpcMainLike } from '../../electron/ipc.js';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

/** An ipcMain that records its handlers and lets a test invoke them as the renderer would. */
export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();

  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`); // as Electron does
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What ipcRenderer.invoke would resolve with (after structured clone, which these values survive). */
  async invoke(channel: string, event: IpcMainInvokeEvent, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h(event, ...args);
  }
}

export const WINDOW_CONTENTS_ID = 7;

/** An invoke event from a frame; by default the app window's top frame showing the app page. */
export function fakeEvent(o: { contentsId?: number; url?: string; frame?: 'top' | 'sub' | 'gone' } = {}): IpcMainInvokeEvent {
  const frame = o.frame ?? 'top';
  const senderFrame = frame === 'gone' ? null : { url: o.url ?? 'app://codec-lab/index.html', parent: frame === 'top' ? null : {} };
  return { sender: { id: o.contentsId ?? WINDOW_CONTENTS_ID }, senderFrame } as unknown as IpcMainInvokeEvent;
}

/** A WebContents for hardenWebContents: records listeners and the window-open handler. */
export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
}

/** A navigation-style event whose preventDefault is observable. */
export function preventable(extra: Record<string, unknown> = {}): { prevented: boolean; preventDefault(): void } & Record<string, unknown> {
  const e = {
    ...extra,
    prevented: false,
    preventDefault() {
      e.prevented = true;
    },
  };
  return e;
}

type Listener = (details: Record<string, unknown>, callback: (response: Record<string, unknown>) => void) => void;

/** A Session for hardenSession: records the webRequest listeners and the permission handlers. */
export class FakeSession {
  beforeRequest: Listener | null = null;
  headersReceived: Listener | null = null;
  permissionRequest: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  permissionCheck: ((...args: unknown[]) => boolean) | null = null;
  devicePermission: ((...args: unknown[]) => boolean) | null = null;
  webRequest = {
    onBeforeRequest: (l: Listener) => {
      this.beforeRequest = l;
    },
    onHeadersReceived: (l: Listener) => {
      this.headersReceived = l;
    },
  };
  setPermissionRequestHandler(h: FakeSession['permissionRequest']): void {
    this.permissionRequest = h;
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheck']): void {
    this.permissionCheck = h;
  }
  setDevicePermissionHandler(h: FakeSession['devicePermission']): void {
    this.devicePermission = h;
  }

  /** Runs a webRequest listener and returns what it answered. */
  static answer(l: Listener | null, details: Record<string, unknown>): Record<string, unknown> {
    let out: Record<string, unknown> | undefined;
    l!(details, (r) => {
      out = r;
    });
    if (!out) throw new Error('the listener did not answer');
    return out;
  }
}
