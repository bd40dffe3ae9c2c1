// The IPC layer of the desktop shell (electron/ipc.ts), driven with a fake ipcMain, in front of the
// engine's dispatch (src/api/dispatch.ts, schemas in src/api/validate.ts): which channels exist,
// who may call them, what arguments get through, and how errors come back. The last block wires in
// the real LabService. tests/api/dispatch.test.ts runs the same bad calls through both doors.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LAB_METHODS, type AudioRef, type LabApi, type LibraryEntry } from '../../src/api/contract.js';
import { ApiError, LabService } from '../../src/api/service.js';
import { createDispatch, exportTarget, type CallResult, type NativeDialogs } from '../../src/api/dispatch.js';
import { toCallError } from '../../src/api/call-error.js';
import { PATH_METHODS, ValidationError, trainConfig } from '../../src/api/validate.js';
import { DEFAULT_CONFIG } from '../../src/train/config.js';
import { encodeWav } from '../../src/audio/wav-write.js';
import { appWindowSenderCheck, EVENT_CHANNEL, forwardLabEvents, IPC_METHODS, LAB_CHANNELS, registerLabIpc } from '../../electron/ipc.js';
import { FakeIpcMain, fakeEvent, WINDOW_CONTENTS_ID } from './fakes.js';
import { sine, tempDir } from '../helpers.js';

/** A service that records every call and answers with something recognisable. */
function recordingService(): { service: LabApi; calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = [];
  const service = new Proxy({} as LabApi, {
    get: (_t, method: string) =>
      async (...args: unknown[]) => {
        calls.push([method, args]);
        if (method === 'addFiles') return (args[0] as string[]).map((p) => ({ id: 'clip-x', name: path.basename(p), ok: true }));
        if (method === 'exportAudio') return { path: args[1], bytes: 44 };
        return `${method}-result`;
      },
  });
  return { service, calls };
}

function dialogs(o: { open?: string[]; save?: string | null } = {}): NativeDialogs & { suggested: string[] } {
  const suggested: string[] = [];
  return {
    suggested,
    chooseWavFiles: async () => o.open ?? [],
    chooseSavePath: async (name) => {
      suggested.push(name);
      return o.save === undefined ? null : o.save;
    },
  };
}

const trusted = appWindowSenderCheck(() => ({ id: WINDOW_CONTENTS_ID, isDestroyed: () => false }));

function setup(d: NativeDialogs = dialogs()) {
  const ipc = new FakeIpcMain();
  const { service, calls } = recordingService();
  const registration = registerLabIpc(ipc, createDispatch(service, { dialogs: d }), trusted);
  const call = (method: string, ...args: unknown[]) => ipc.invoke(`lab:${method}`, fakeEvent(), ...args) as Promise<CallResult>;
  return { ipc, calls, registration, call };
}

const REF: AudioRef = { kind: 'reconstruction', runId: 'small-mel-db-l1-001', clipId: 'clip-1234abcd' };

describe('channels', () => {
  it('serves one lab:<method> channel per LAB_METHOD except the path-taking ones, plus the two dialogs', () => {
    const { ipc, registration } = setup();
    expect([...PATH_METHODS].sort()).toEqual(['addFiles', 'exportAudio']);
    const expected = [...LAB_METHODS.filter((m) => !(PATH_METHODS as readonly string[]).includes(m)), 'openFilesDialog', 'saveAudioDialog'].map((m) => `lab:${m}`);
    expect([...ipc.handlers.keys()].sort()).toEqual(expected.sort());
    expect(registration.channels.sort()).toEqual(expected.sort());
    expect([...LAB_CHANNELS].sort()).toEqual(expected.sort());
  });

  it('has no channel that takes a path from the renderer', () => {
    const { ipc } = setup();
    expect(ipc.handlers.has('lab:addFiles')).toBe(false);
    expect(ipc.handlers.has('lab:exportAudio')).toBe(false);
    expect(IPC_METHODS).not.toContain('addFiles');
    expect(IPC_METHODS).not.toContain('exportAudio');
  });

  it('refuses a dispatch made without the native dialogs, which could not serve two of its channels', () => {
    const { service } = recordingService();
    expect(() => registerLabIpc(new FakeIpcMain(), createDispatch(service), trusted)).toThrow(/does not offer openFilesDialog/);
  });

  it('removes every channel again on dispose', () => {
    const { ipc, registration } = setup();
    registration.dispose();
    expect(ipc.handlers.size).toBe(0);
  });

  it('forwards every service event to the window on lab:event', () => {
    const listeners = new Set<(e: unknown) => void>();
    const sent: [string, unknown][] = [];
    const unsubscribe = forwardLabEvents({ subscribe: (l) => (listeners.add(l as (e: unknown) => void), () => listeners.delete(l as (e: unknown) => void)) }, (c, e) => sent.push([c, e]));
    const e = { type: 'train-error', runId: 'r1', code: 'WORKER_FAILED', message: 'boom' };
    for (const l of listeners) l(e);
    expect(sent).toEqual([[EVENT_CHANNEL, e]]);
    unsubscribe();
    expect(listeners.size).toBe(0);
  });
});

describe('sender check', () => {
  const cases: [string, Parameters<typeof fakeEvent>[0], boolean][] = [
    ['the app page in the window top frame', {}, true],
    ['the app page with a query and hash', { url: 'app://codec-lab/index.html?tab=runs#x' }, true],
    ['the app root URL', { url: 'app://codec-lab/' }, true],
    ['another web contents', { contentsId: WINDOW_CONTENTS_ID + 1 }, false],
    ['a subframe', { frame: 'sub' }, false],
    ['a frame that has gone (navigated or destroyed)', { frame: 'gone' }, false],
    ['a file:// page', { url: 'file:///work/main/dist/renderer/index.html' }, false],
    ['an https page', { url: 'https://codec-lab/index.html' }, false],
    ['another app:// host', { url: 'app://evil/index.html' }, false],
    ['another page of the app origin', { url: 'app://codec-lab/assets/other.html' }, false],
    ['a URL with credentials', { url: 'app://user:pw@codec-lab/index.html' }, false],
    ['about:blank', { url: 'about:blank' }, false],
  ];
  for (const [what, event, ok] of cases) {
    it(`${ok ? 'accepts' : 'refuses'} ${what}`, () => {
      expect(trusted(fakeEvent(event))).toBe(ok);
    });
  }

  it('refuses everything when the window is gone or destroyed', () => {
    expect(appWindowSenderCheck(() => null)(fakeEvent())).toBe(false);
    expect(appWindowSenderCheck(() => ({ id: WINDOW_CONTENTS_ID, isDestroyed: () => true }))(fakeEvent())).toBe(false);
  });

  it('refuses an untrusted call before validating or calling the service', async () => {
    const { ipc, calls } = setup();
    const r = (await ipc.invoke('lab:removeClip', fakeEvent({ frame: 'sub' }), 'clip-1')) as CallResult;
    expect(r).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('outside the Codec Lab window') } });
    expect(calls).toEqual([]);
  });
});

describe('argument validation', () => {
  let h: ReturnType<typeof setup>;
  beforeEach(() => {
    h = setup(dialogs({ save: '/music/out.wav' }));
  });

  const good: [string, unknown[]][] = [
    ['listLibrary', []],
    ['addFileData', ['take 1.wav', new ArrayBuffer(8)]],
    ['addFileData', ['take 1.wav', new Uint8Array(8)]],
    ['removeClip', ['clip-1234abcd']],
    ['trainOptions', []],
    ['startTraining', [['clip-1', 'clip-2'], {}]],
    ['startTraining', [['clip-1'], { preset: 'tiny', loss: 'mrstft', lr: 3e-4, steps: 200, optimizer: { name: 'adamw', weightDecay: 0.01, clipNorm: 1 }, schedule: { name: 'cosine', warmupSteps: 20, minLr: 1e-5 }, augment: { gainDb: 6, polarity: true } }]],
    ['pauseTraining', ['small-mel-db-l1-001']],
    ['resumeTraining', ['small-mel-db-l1-001']],
    ['stopTraining', ['small-mel-db-l1-001']],
    ['listRuns', []],
    ['runLog', ['small-mel-db-l1-001']],
    ['runSplit', ['small-mel-db-l1-001']],
    ['crossEvaluate', [['run-a', 'run-b']]],
    ['crossEvaluate', [['run-a'], ['clip-1']]],
    ['crossEvaluate', [['run-a'], undefined]],
    ['annotateRun', ['run-a', { title: 'first try', note: 'lr too high?\nretry with 1e-4' }]],
    ['annotateRun', ['run-a', { note: '' }]],
    ['deleteRun', ['run-a']],
    ['startAbx', [{ a: { kind: 'model-input', clipId: 'clip-1' }, b: REF, labelA: 'original', labelB: 'mel run' }]],
    ['startAbx', [{ a: { kind: 'model-input', clipId: 'clip-1' }, b: REF, labelA: 'original', labelB: 'mel run', region: { start: 1, end: 3.5 }, trials: 4, practice: true, listener: 'Jo' }]],
    ['abxTrial', ['20260301-142233-abx-3fa2c1']],
    ['answerAbx', ['20260301-142233-abx-3fa2c1', 1, 'B', { ms: 5120.5 }]],
    ['answerAbx', ['20260301-142233-abx-3fa2c1', 2, 'A', { ms: 0, region: { start: 0.5, end: 2 } }]],
    ['listeningTests', []],
    ['listeningTest', ['20260301-142233-abx-3fa2c1']],
    ['discardListeningTest', ['20260301-142233-abx-3fa2c1']],
    ['listeningCsv', ['20260301-142233-abx-3fa2c1']],
    ['audio', [{ kind: 'abx-x', testId: '20260301-142233-abx-3fa2c1', trial: 3 }]],
    ['audio', [{ kind: 'clip', clipId: 'clip-1' }]],
    ['audio', [{ kind: 'model-input', clipId: 'clip-1' }]],
    ['audio', [REF]],
    ['audio', [{ kind: 'run', runId: 'run-a', file: 'test_reconstruction' }]],
    ['audio', [{ kind: 'oracle', of: { runId: 'run-a', file: 'val_original' }, space: 'mel', glIters: 32 }]],
    ['audio', [REF, { sampleFormat: 'pcm16', rate: 'source' }]],
    ['spectralView', [REF, { kind: 'model-input', clipId: 'clip-1' }, 'mel-db']],
    ['spectralView', [{ kind: 'run', runId: 'run-a', file: 'test_original' }, { kind: 'run', runId: 'run-a', file: 'test_reconstruction' }, 'stft-db', { maxColumns: 800 }]],
    ['openFilesDialog', []],
    ['saveAudioDialog', [REF, 'mel-db reconstruction.wav']],
    ['saveAudioDialog', [REF, 'piano.tiny-mel-db-l1.recon.44.1k-s16.wav', { sampleFormat: 'pcm16', rate: 'source' }]],
  ];
  for (const [method, args] of good) {
    it(`passes ${method}(${args.map((a) => (a instanceof ArrayBuffer || ArrayBuffer.isView(a) ? 'bytes' : JSON.stringify(a))).join(', ')})`, async () => {
      const r = await h.call(method, ...args);
      expect(r.ok, JSON.stringify(r)).toBe(true);
    });
  }

  it('passes the arguments to the service unchanged', async () => {
    const config = { preset: 'tiny', optimizer: { name: 'sgd', momentum: 0.9, nesterov: true } };
    await h.call('startTraining', ['clip-1'], config);
    await h.call('audio', REF);
    await h.call('crossEvaluate', ['run-a']);
    expect(h.calls).toEqual([
      ['startTraining', [['clip-1'], config]],
      ['audio', [REF, undefined]],
      ['crossEvaluate', [['run-a'], undefined]],
    ]);
  });

  const bad: [string, unknown[], RegExp][] = [
    ['listLibrary', [1], /listLibrary takes 0 arguments, not 1/],
    ['removeClip', [], /removeClip: argument 1 must be a string, not nothing/],
    ['removeClip', [42], /removeClip: argument 1 must be a string, not 42/],
    ['removeClip', ['../../etc/passwd'], /removeClip: argument 1 must be an id of letters, digits/],
    ['removeClip', ['x'.repeat(201)], /at most 200 characters/],
    ['runLog', ['..'], /runLog: argument 1 must be an id of letters, digits, _ \. and - \(not '\.' or '\.\.'\)/],
    ['audio', [{ kind: 'run', runId: '.', file: 'test_original' }], /argument 1\.runId must be an id/],
    ['removeClip', ['clip-1', 'extra'], /removeClip takes 1 argument, not 2/],
    ['addFileData', ['a.wav', 'not bytes'], /addFileData: argument 2 must be the file's bytes/],
    ['addFileData', ['', new ArrayBuffer(1)], /argument 1 must have at least 1 characters/],
    ['addFileData', ['n'.repeat(256), new ArrayBuffer(1)], /at most 255 characters/],
    ['startTraining', [[], {}], /startTraining: argument 1 must not be empty/],
    ['startTraining', ['clip-1', {}], /argument 1 must be a list, not the string "clip-1"/],
    ['startTraining', [['clip-1', 5], {}], /argument 1\[1\] must be a string/],
    ['startTraining', [['clip-1']], /argument 2 must be an object, not nothing/],
    ['startTraining', [['clip-1'], []], /argument 2 must be an object, not a list/],
    ['startTraining', [['clip-1'], { optimiser: { name: 'adam' } }], /argument 2 has an unknown key 'optimiser' \(allowed: preset, loss, optimizer/],
    ['startTraining', [['clip-1'], { optimizer: { name: 'adam', lr: 1 } }], /argument 2\.optimizer has an unknown key 'lr'/],
    ['startTraining', [['clip-1'], { schedule: { name: 'cosine', warmup: 10 } }], /argument 2\.schedule has an unknown key 'warmup'/],
    ['startTraining', [['clip-1'], { augment: { gainDb: '6' } }], /argument 2\.augment\.gainDb must be a finite number, not the string "6"/],
    ['startTraining', [['clip-1'], { lr: Number.NaN }], /argument 2\.lr must be a finite number/],
    ['startTraining', [['clip-1'], { steps: Infinity }], /argument 2\.steps must be a finite number/],
    ['startTraining', [['clip-1'], { loss: 'mel db; rm -rf' }], /argument 2\.loss must be a name of letters/],
    ['startTraining', [['clip-1'], { augment: { polarity: 'yes' } }], /augment\.polarity must be true or false/],
    ['startTraining', [['clip-1'], JSON.parse('{"__proto__": {"polluted": true}}')], /unknown key '__proto__'/],
    ['startTraining', [['clip-1'], new (class Config {})()], /argument 2 must be a plain object/],
    ['crossEvaluate', [[]], /crossEvaluate: argument 1 must not be empty/],
    ['crossEvaluate', [['r'], 'clip-1'], /argument 2 must be a list/],
    ['annotateRun', ['r', { title: 't'.repeat(121) }], /annotateRun: argument 2\.title must have at most 120 characters, not 121/],
    ['annotateRun', ['r', { note: 'n'.repeat(4001) }], /argument 2\.note must have at most 4000 characters/],
    ['annotateRun', ['r', { name: 'renamed' }], /argument 2 has an unknown key 'name' \(allowed: title, note\)/],
    ['annotateRun', ['r'], /annotateRun: argument 2 must be an object, not nothing/],
    ['deleteRun', ['..'], /deleteRun: argument 1 must be an id/],
    ['audio', [null], /audio: argument 1 must be an audio reference object, not null/],
    ['audio', [{ kind: 'file', path: '/etc/passwd' }], /argument 1\.kind must be one of clip, run, reconstruction, model-input, oracle, abx-x, anchor, mushra-slot$/],
    ['audio', [{ kind: 'abx-x', testId: '../t', trial: 1 }], /argument 1\.testId must be an id/],
    ['audio', [{ kind: 'abx-x', testId: 't', trial: 0 }], /argument 1\.trial must be a whole number from 1 to 100/],
    ['startAbx', [{ a: REF, b: REF, labelA: 'a' }], /startAbx: argument 1 needs 'labelB'/],
    ['startAbx', [{ a: REF, b: REF, labelA: 'a', labelB: 'b', trials: 101 }], /argument 1\.trials must be a whole number from 1 to 100, not 101/],
    ['startAbx', [{ a: REF, b: { kind: 'file', path: '/etc/passwd' }, labelA: 'a', labelB: 'b' }], /argument 1\.b\.kind must be one of/],
    ['startAbx', [{ a: REF, b: REF, labelA: 'a', labelB: 'b', seed: 'ab' }], /argument 1 has an unknown key 'seed'/],
    ['answerAbx', ['t', 1, 'C', { ms: 10 }], /answerAbx: argument 3 must be one of A, B/],
    ['answerAbx', ['t', 1, 'A', { ms: -1 }], /answerAbx: argument 4\.ms must be from 0 to a week in milliseconds, not -1/],
    ['answerAbx', ['t', 1, 'A'], /answerAbx: argument 4 must be an object, not nothing/],
    ['answerAbx', ['t', 1.5, 'A', { ms: 1 }], /answerAbx: argument 2 must be a whole number/],
    ['answerAbx', ['t', 1, 'A', { ms: 1, region: { start: 0 } }], /argument 4\.region needs 'end'/],
    ['listeningCsv', ['..'], /listeningCsv: argument 1 must be an id/],
    ['audio', [{ kind: 'oracle', of: { clipId: 'clip-1', path: '/etc/passwd' }, space: 'stft', glIters: 32 }], /argument 1\.of has an unknown key 'path'/],
    ['audio', [{ kind: 'clip', clipId: 'clip-1', path: '/etc/passwd' }], /argument 1 has an unknown key 'path'/],
    ['audio', [{ kind: 'clip' }], /argument 1 needs 'clipId'/],
    ['audio', [{ kind: 'run', runId: 'r', file: '../../secret' }], /argument 1\.file must be one of test_original/],
    ['audio', [{ kind: 'reconstruction', runId: '../x', clipId: 'clip-1' }], /argument 1\.runId must be an id/],
    ['openFilesDialog', [['/etc/passwd']], /openFilesDialog takes 0 arguments, not 1/],
    ['saveAudioDialog', [REF], /saveAudioDialog: argument 2 must be a string, not nothing/],
    ['saveAudioDialog', [REF, 'out.wav', '/tmp/elsewhere.wav'], /saveAudioDialog: argument 3 must be an object, not the string/],
    ['saveAudioDialog', [REF, 'out.wav', { sampleFormat: 'float32', rate: 'model' }, '/tmp/elsewhere.wav'], /saveAudioDialog takes 3 arguments, not 4/],
    ['saveAudioDialog', [REF, 'out.wav', { sampleFormat: 'float32', rate: 'model', path: '/tmp/x.wav' }], /argument 3 has an unknown key 'path' \(allowed: sampleFormat, rate\)/],
    ['audio', [REF, { sampleFormat: 'pcm24', rate: 'model' }], /audio: argument 2\.sampleFormat must be one of pcm16, float32/],
    ['audio', [REF, { rate: 'source' }], /audio: argument 2 needs 'sampleFormat'/],
  ];
  for (const [method, args, message] of bad) {
    it(`refuses ${method}(${args.map((a) => (a instanceof ArrayBuffer ? 'bytes' : JSON.stringify(a) ?? String(a))).join(', ')})`, async () => {
      const r = await h.call(method, ...args);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('BAD_REQUEST');
      expect(r.error.message).toMatch(message);
      expect(h.calls).toEqual([]);
    });
  }

  it("allows exactly TrainConfig's keys (DEFAULT_CONFIG's), nested ones included", () => {
    // A complete config, as the renderer may send back the defaults it was given.
    expect(trainConfig(structuredClone(DEFAULT_CONFIG), 'config')).toEqual(DEFAULT_CONFIG);
    for (const key of Object.keys(DEFAULT_CONFIG)) expect(() => trainConfig({ [key]: undefined }, 'config')).not.toThrow();
    expect(() => trainConfig({ ...DEFAULT_CONFIG, extra: 1 }, 'config')).toThrow(ValidationError);
  });

  it('copies objects, so what reaches the service holds only the allowed keys', () => {
    const input = { preset: 'tiny', optimizer: { name: 'adam' } };
    const out = trainConfig(input, 'config');
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(out.optimizer).not.toBe(input.optimizer);
  });
});

describe('errors', () => {
  it("keeps the engine's error code and message", async () => {
    const ipc = new FakeIpcMain();
    const failing = new Proxy({} as LabApi, {
      get: () => async () => {
        throw new ApiError('NOT_FOUND', 'no clip clip-1 in the library');
      },
    });
    registerLabIpc(ipc, createDispatch(failing, { dialogs: dialogs() }), trusted);
    expect(await ipc.invoke('lab:removeClip', fakeEvent(), 'clip-1')).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'no clip clip-1 in the library' } });
  });

  it('reports anything else as INTERNAL with its message', () => {
    const same = (m: string) => m;
    expect(toCallError(new TypeError('x is not a function'), same)).toEqual({ code: 'INTERNAL', message: 'internal error: x is not a function', internal: true });
    expect(toCallError('plain string', same)).toEqual({ code: 'INTERNAL', message: 'internal error: plain string', internal: true });
    expect(toCallError(Object.assign(new Error('odd'), { code: 'lower case <b>' }), same)).toEqual({ code: 'INTERNAL', message: 'internal error: odd', internal: true });
    let missing: unknown;
    try {
      readFileSync('/no/such/file.wav');
    } catch (e) {
      missing = e;
    }
    expect(toCallError(missing, same)).toEqual({ code: 'FILE_NOT_FOUND', message: 'there is no such file or folder (reading /no/such/file.wav)', internal: false });
  });
});

describe('file access only through the dialogs', () => {
  it('openFilesDialog adds exactly the files the user picked', async () => {
    const h = setup(dialogs({ open: ['/home/s/a.wav', '/home/s/b.wav'] }));
    const r = (await h.call('openFilesDialog')) as CallResult<LibraryEntry[]>;
    expect(r.ok && r.value.map((e) => e.name)).toEqual(['a.wav', 'b.wav']);
    expect(h.calls).toEqual([['addFiles', [['/home/s/a.wav', '/home/s/b.wav']]]]);
  });

  it('openFilesDialog, cancelled, adds nothing', async () => {
    const h = setup(dialogs({ open: [] }));
    expect(await h.call('openFilesDialog')).toEqual({ ok: true, value: [] });
    expect(h.calls).toEqual([]);
  });

  it('saveAudioDialog writes where the user chose, and uses only the base name of the suggestion', async () => {
    const d = dialogs({ save: '/home/s/Music/export.wav' });
    const h = setup(d);
    expect(await h.call('saveAudioDialog', REF, '../../../etc/cron.d/evil.wav')).toEqual({ ok: true, value: { path: '/home/s/Music/export.wav', bytes: 44 } });
    expect(d.suggested).toEqual(['evil.wav']);
    await h.call('saveAudioDialog', REF, '..\\..\\windows\\evil.wav');
    expect(d.suggested[1]).toBe('evil.wav');
    expect(h.calls.map((c) => c[1])).toEqual([[REF, '/home/s/Music/export.wav', undefined], [REF, '/home/s/Music/export.wav', undefined]]);
    // The export options go with the path the user chose.
    const opts = { sampleFormat: 'pcm16', rate: 'source' };
    await h.call('saveAudioDialog', REF, 'x.wav', opts);
    expect(h.calls[2][1]).toEqual([REF, '/home/s/Music/export.wav', opts]);
  });

  it('saveAudioDialog, cancelled, writes nothing and resolves null', async () => {
    const h = setup(dialogs({ save: null }));
    expect(await h.call('saveAudioDialog', REF, 'x.wav')).toEqual({ ok: true, value: null });
    expect(h.calls).toEqual([]);
  });

  it('adds .wav to a chosen name without it, unless that would replace a file nobody asked about', () => {
    const t = tempDir();
    try {
      expect(exportTarget('/x/Take.WAV')).toBe('/x/Take.WAV');
      expect(exportTarget(path.join(t.dir, 'new'))).toBe(path.join(t.dir, 'new.wav'));
      writeFileSync(path.join(t.dir, 'old.wav'), 'x');
      expect(() => exportTarget(path.join(t.dir, 'old'))).toThrow(/old\.wav already exists/);
    } finally {
      t.cleanup();
    }
  });
});

describe('with the real LabService', () => {
  const t = tempDir();
  const service = new LabService({ runsDir: path.join(t.dir, 'runs'), withBundledClip: false });
  const ipc = new FakeIpcMain();
  const exported = path.join(t.dir, 'export.wav');
  registerLabIpc(ipc, createDispatch(service, { runsDir: service.runsDir, dialogs: { chooseWavFiles: async () => [], chooseSavePath: async () => exported } }), trusted);
  const call = (method: string, ...args: unknown[]) => ipc.invoke(`lab:${method}`, fakeEvent(), ...args) as Promise<CallResult<never>>;
  afterAll(async () => {
    await service.shutdown();
    t.cleanup();
  });

  it('adds bytes, lists, serves audio, exports through the dialog and reports engine errors', async () => {
    const wav = encodeWav([sine(440, 24000, 2400)], 24000, 'pcm_s16');
    const added = (await call('addFileData', 'tone.wav', wav.buffer.slice(wav.byteOffset, wav.byteOffset + wav.byteLength))) as CallResult<LibraryEntry>;
    expect(added.ok && added.value).toMatchObject({ name: 'tone.wav', ok: true, sampleRate: 24000, channels: 1, frames: 2400 });
    const clipId = added.ok ? added.value.id : '';

    const list = (await call('listLibrary')) as CallResult<LibraryEntry[]>;
    expect(list.ok && list.value.map((e) => e.id)).toEqual([clipId]);

    const audio = (await call('audio', { kind: 'clip', clipId })) as CallResult<ArrayBuffer>;
    expect(audio.ok && audio.value.byteLength).toBe(wav.byteLength);

    const saved = (await call('saveAudioDialog', { kind: 'model-input', clipId }, 'tone model input.wav')) as CallResult<{ path: string }>;
    expect(saved.ok && saved.value.path).toBe(exported);
    expect(existsSync(exported)).toBe(true);

    expect(await call('removeClip', 'clip-nothere')).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'no clip clip-nothere in the library' } });
    expect(await call('pauseTraining', 'run-nothere')).toMatchObject({ ok: false, error: { code: 'NOT_RUNNING' } });
    expect(await call('startTraining', [clipId], { preset: 'huge' })).toMatchObject({ ok: false, error: { code: 'BAD_CONFIG' } });
    expect(await call('listRuns')).toEqual({ ok: true, value: [] });
  });
});
