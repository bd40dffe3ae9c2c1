// The LabApi over the web host's HTTP protocol (src/web): one POST per call, raw uploads, WAV bytes
// for audio and Server-Sent Events for the event stream. Every request carries the session token:
// in a header, except the event stream (EventSource cannot set headers), which takes it in its URL.
// The token is never a cookie: a browser would send a cookie of 127.0.0.1 to every other server on
// 127.0.0.1 too, whatever its port (src/web/guard.ts).
import type { AudioRef, ExportOptions, LabApi, LabEvent, LibraryEntry } from './types.js';
import { decodeFloatFrames } from '../../../src/common/float-frames.js';

/** An error from the lab, with the engine's stable code (e.g. NOT_FOUND, CLIP_REFUSED, NOT_AVAILABLE). */
export class LabError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LabError';
  }
}

const TOKEN_HEADER = 'X-Codec-Lab-Token';
/** The sessionStorage key of the token. */
export const TOKEN_KEY = 'codec-lab-token';

/**
 * The token this page was opened with. The printed URL carries it as `?token=`; it is kept in
 * sessionStorage, which belongs to this tab and this origin only (the port is part of the origin,
 * so another server on 127.0.0.1 cannot read it), and taken out of the address bar, so it does not
 * stay on screen or in the history. A reload then finds it in sessionStorage. Where storage is
 * refused, the token stays in the address bar instead, so a reload still works.
 */
export function pageToken(): string {
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (!fromUrl) {
    try {
      return sessionStorage.getItem(TOKEN_KEY) ?? '';
    } catch {
      return '';
    }
  }
  try {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
  } catch {
    return fromUrl;
  }
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  return fromUrl;
}

export class WebClient implements LabApi {
  private readonly listeners = new Set<(e: LabEvent) => void>();
  private source: EventSource | null = null;
  /** Called when the event stream reconnects after a drop: events may have been missed. */
  onReconnect: (() => void) | null = null;

  constructor(
    private readonly token: string,
    private readonly base = '',
  ) {}

  private async request(path: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.base + path, { ...init, headers: { ...init.headers, [TOKEN_HEADER]: this.token } });
    } catch (e) {
      throw new LabError('NETWORK', `cannot reach the Codec Lab host: ${(e as Error).message}`);
    }
    if (res.ok) return res;
    let code = `HTTP_${res.status}`;
    let message = res.statusText || 'request failed';
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      if (body.error?.code) code = body.error.code;
      if (body.error?.message) message = body.error.message;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new LabError(code, message);
  }

  private async call<T>(method: string, ...args: unknown[]): Promise<T> {
    // JSON has no `undefined`: a left-out optional argument must be left out, not sent as null.
    while (args.length && args[args.length - 1] === undefined) args.pop();
    const res = await this.request(`/api/call/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ args }),
    });
    return ((await res.json()) as { result: T }).result;
  }

  listLibrary = () => this.call<LibraryEntry[]>('listLibrary');
  addFiles = (paths: string[]) => this.call<LibraryEntry[]>('addFiles', paths);
  removeClip = (id: string) => this.call<void>('removeClip', id);
  trainOptions = () => this.call<Awaited<ReturnType<LabApi['trainOptions']>>>('trainOptions');
  startTraining: LabApi['startTraining'] = (clipIds, config) => this.call('startTraining', clipIds, config);
  pauseTraining = (runId: string) => this.call<void>('pauseTraining', runId);
  resumeTraining = (runId: string) => this.call<void>('resumeTraining', runId);
  stopTraining = (runId: string) => this.call<void>('stopTraining', runId);
  startRace: LabApi['startRace'] = (clipIds, base, race) => this.call('startRace', clipIds, base, race);
  startSweep: LabApi['startSweep'] = (clipIds, base, grid) => this.call('startSweep', clipIds, base, grid);
  runQueue: LabApi['runQueue'] = () => this.call('runQueue');
  setQueuePaused: LabApi['setQueuePaused'] = (paused) => this.call('setQueuePaused', paused);
  cancelQueued: LabApi['cancelQueued'] = (itemId) => this.call('cancelQueued', itemId);
  moveQueued: LabApi['moveQueued'] = (itemId, to) => this.call('moveQueued', itemId, to);
  clearQueue: LabApi['clearQueue'] = () => this.call('clearQueue');
  lrRangeTest: LabApi['lrRangeTest'] = (clipIds, config, range) => this.call('lrRangeTest', clipIds, config, range);
  listRuns: LabApi['listRuns'] = () => this.call('listRuns');
  runLog: LabApi['runLog'] = (runId) => this.call('runLog', runId);
  runSplit: LabApi['runSplit'] = (runId) => this.call('runSplit', runId);
  crossEvaluate: LabApi['crossEvaluate'] = (runIds, clipIds) => this.call('crossEvaluate', runIds, clipIds);
  annotateRun: LabApi['annotateRun'] = (runId, notes) => this.call('annotateRun', runId, notes);
  deleteRun: LabApi['deleteRun'] = (runId) => this.call('deleteRun', runId);
  startAbx: LabApi['startAbx'] = (start) => this.call('startAbx', start);
  abxTrial: LabApi['abxTrial'] = (testId) => this.call('abxTrial', testId);
  answerAbx: LabApi['answerAbx'] = (testId, trial, answer, taken) => this.call('answerAbx', testId, trial, answer, taken);
  startMushra: LabApi['startMushra'] = (start) => this.call('startMushra', start);
  rateMushra: LabApi['rateMushra'] = (testId, ratings) => this.call('rateMushra', testId, ratings);
  submitMushra: LabApi['submitMushra'] = (testId, ratings) => this.call('submitMushra', testId, ratings);
  listeningResults: LabApi['listeningResults'] = () => this.call('listeningResults');
  listeningTests: LabApi['listeningTests'] = () => this.call('listeningTests');
  listeningTest: LabApi['listeningTest'] = (testId) => this.call('listeningTest', testId);
  discardListeningTest: LabApi['discardListeningTest'] = (testId) => this.call('discardListeningTest', testId);
  listeningCsv: LabApi['listeningCsv'] = (testId) => this.call('listeningCsv', testId);
  exportAudio: LabApi['exportAudio'] = (ref, path, opts) => this.call('exportAudio', ref, path, opts);

  async addFileData(name: string, data: ArrayBuffer): Promise<LibraryEntry> {
    const res = await this.request(`/api/upload?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: data,
    });
    return ((await res.json()) as { result: LibraryEntry }).result;
  }

  async audio(ref: AudioRef, opts?: ExportOptions): Promise<ArrayBuffer> {
    const res = await this.request('/api/audio', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      // JSON.stringify leaves out an undefined `opts`: the audio as the lab plays it.
      body: JSON.stringify({ ref, opts }),
    });
    return res.arrayBuffer();
  }

  /** A view's images come as binary float frames (src/web/README.md, POST /api/view). */
  spectralView: LabApi['spectralView'] = async (...args) => {
    while (args.length && args[args.length - 1] === undefined) args.pop();
    const res = await this.request('/api/view', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ args }),
    });
    return decodeFloatFrames(await res.arrayBuffer());
  };

  subscribe(listener: (e: LabEvent) => void): () => void {
    this.listeners.add(listener);
    this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.source?.close();
        this.source = null;
      }
    };
  }

  private connect(): void {
    if (this.source) return;
    // EventSource cannot send headers; the host accepts the token in the query on this route only.
    const source = new EventSource(`${this.base}/api/events?token=${encodeURIComponent(this.token)}`);
    let dropped = false;
    source.onmessage = (m) => {
      let e: LabEvent;
      try {
        e = JSON.parse(m.data as string) as LabEvent;
      } catch {
        return;
      }
      for (const l of this.listeners) l(e);
    };
    source.onerror = () => {
      dropped = true;
    };
    source.onopen = () => {
      if (dropped) this.onReconnect?.();
      dropped = false;
    };
    this.source = source;
  }
}
