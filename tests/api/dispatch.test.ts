// The one door into the engine (src/api/dispatch.ts), through both of its doors: the desktop
// shell's IPC handlers (electron/ipc.ts, with a fake ipcMain) and the web host's HTTP routes
// (src/web/host.ts, real HTTP). Each bad call must end in the same typed error through both, with
// no path of this machine in the message (the folders here have spaces in their names, as a
// student's often do); a damaged run folder is listed with its reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LabService } from '../../src/api/service.js';
import { createDispatch, type CallResult } from '../../src/api/dispatch.js';
import { pathHider } from '../../src/api/hide-paths.js';
import type { LibraryEntry, RunSummary } from '../../src/api/contract.js';
import { DEFAULT_CONFIG } from '../../src/train/config.js';
import { startWebHost, type WebHost } from '../../src/web/host.js';
import { statusOf } from '../../src/web/status.js';
import { appWindowSenderCheck, registerLabIpc } from '../../electron/ipc.js';
import { FakeIpcMain, fakeEvent, WINDOW_CONTENTS_ID } from '../electron/fakes.js';
import { LabClient } from '../web/client.js';
import { PACKAGE_ROOT } from '../../src/assets.js';
import { EDGE_DIR, REPO, tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
let runsDir: string;
let service: LabService;
let host: WebHost;
let ipc: FakeIpcMain;
let clipId: string;
/** What the desktop's open dialog answers with next. */
let picked: string[] = [];

type Door = (method: string, args: unknown[]) => Promise<CallResult>;
const doors: [string, Door][] = [
  ['IPC', (method, args) => ipc.invoke(`lab:${method}`, fakeEvent(), ...args) as Promise<CallResult>],
  [
    'HTTP',
    async (method, args) => {
      const { status, body } = method === 'audio' ? await audioRoute(args) : await new LabClient(host.port, host.token).call(method, args);
      if (status === 200) return { ok: true, value: body.result };
      // One table maps codes to statuses: the status must be the code's.
      expect(status, `${method}: ${JSON.stringify(body)}`).toBe(statusOf(body.error.code));
      return { ok: false, error: body.error };
    },
  ],
];

/** Audio has a route of its own over HTTP: POST /api/audio with { ref, opts? }, WAV bytes back. */
async function audioRoute([ref, opts]: unknown[]): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${host.port}/api/audio`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Codec-Lab-Token': host.token },
    body: JSON.stringify({ ref, opts }),
  });
  return { status: res.status, body: res.ok ? { result: await res.arrayBuffer() } : await res.json() };
}

const CONFIG = { ...DEFAULT_CONFIG, clips: ['tone.wav'], createdAt: '2024-01-01T00:00:00.000Z' };
const RESULT = { runDir: 'x', status: 'completed', steps: 10, finalTrainLoss: 0.5, bestValLoss: 0.4, bestStep: 10, metrics: null };
const LOG = '{"step":1,"trainLoss":0.9,"lr":0.001}\n{"step":10,"trainLoss":0.5,"lr":0.001,"valLoss":0.4}\n';

/** Run folders as they may be found: one sound, one without a test split, and the damaged kinds. */
const FOLDERS: Record<string, Record<string, string>> = {
  'healthy-run': { 'config.json': JSON.stringify(CONFIG), 'metrics.json': JSON.stringify(RESULT), 'log.jsonl': LOG },
  'bad-json-run': { 'config.json': '{ "preset": "small", ' },
  'no-lr-run': { 'config.json': JSON.stringify({ ...CONFIG, lr: undefined }) },
  'string-lr-run': { 'config.json': JSON.stringify({ ...CONFIG, lr: '0.001' }) },
  'bad-metrics-run': { 'config.json': JSON.stringify(CONFIG), 'metrics.json': 'garbage' },
  'metrics-shape-run': { 'config.json': JSON.stringify(CONFIG), 'metrics.json': JSON.stringify({ status: 'completed' }) },
  'bad-log-run': { 'config.json': JSON.stringify(CONFIG), 'log.jsonl': '{"step":1,"trainLoss":0.9,"lr":0.001}\nthis is not json\n' },
  'log-shape-run': { 'config.json': JSON.stringify(CONFIG), 'log.jsonl': '{"step":"one","trainLoss":0.9,"lr":0.001}\n' },
  'orphan-run': { 'log.jsonl': LOG },
  'not-a-run': {},
};
const DAMAGED: Record<string, RegExp> = {
  'bad-json-run': /^config\.json.*not JSON/,
  'no-lr-run': /^config\.json has no 'lr'$/,
  'string-lr-run': /^config\.json: 'lr' should be a number, not the string "0\.001"$/,
  'bad-metrics-run': /^metrics\.json.*not JSON/,
  'metrics-shape-run': /^metrics\.json has no 'steps'$/,
  'bad-log-run': /^log\.jsonl.*2.*not JSON/,
  'log-shape-run': /^log\.jsonl entry 1: 'step' should be a number, not the string "one"$/,
  'orphan-run': /^config\.json is missing$/,
};

/** Where this machine keeps things: none of it may appear in a message. */
const SERVER_PATHS = () => [tmp.dir, runsDir, REPO, os.tmpdir(), os.homedir()];
function expectNoServerPath(text: string): void {
  for (const p of SERVER_PATHS()) expect(text, `'${text}' names ${p}`).not.toContain(p);
}

beforeAll(async () => {
  tmp = tempDir('codec-lab-dispatch-');
  runsDir = path.join(tmp.dir, 'My Lab Runs');
  for (const [id, files] of Object.entries(FOLDERS)) {
    mkdirSync(path.join(runsDir, id), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(runsDir, id, name), text);
  }
  service = new LabService({ runsDir, withBundledClip: false });
  const wav = readFileSync(path.join(EDGE_DIR, 'ok_s16_mono_11025.wav'));
  clipId = (await service.addFileData('tone.wav', wav.buffer.slice(wav.byteOffset, wav.byteOffset + wav.byteLength))).id;
  ipc = new FakeIpcMain();
  const dialogs = { chooseWavFiles: async () => picked, chooseSavePath: async () => null };
  registerLabIpc(ipc, createDispatch(service, { runsDir, dialogs }), appWindowSenderCheck(() => ({ id: WINDOW_CONTENTS_ID, isDestroyed: () => false })));
  host = await startWebHost({ port: 0, service, staticDir: path.join(tmp.dir, 'no-site') });
});

afterAll(async () => {
  await host?.close();
  await service?.shutdown();
  tmp?.cleanup();
});

const runFolders = () => readdirSync(runsDir).sort();

describe.each(doors)('through the %s door', (_door, call) => {
  const start = (config: unknown) => call('startTraining', [[clipId], config]);
  const refused: [string, () => Promise<CallResult>, string, RegExp][] = [
    ['a learning rate sent as a string', () => start({ lr: '0.001' }), 'BAD_REQUEST', /lr must be a finite number, not the string "0\.001"/],
    ['the preset "constructor"', () => start({ preset: 'constructor' }), 'BAD_CONFIG', /^unknown preset 'constructor'; choose one of small, tiny$/],
    ['the preset "__proto__"', () => start({ preset: '__proto__' }), 'BAD_CONFIG', /^unknown preset '__proto__'/],
    ['the preset "toString"', () => start({ preset: 'toString' }), 'BAD_CONFIG', /^unknown preset 'toString'/],
    ['the loss "constructor"', () => start({ loss: 'constructor' }), 'BAD_CONFIG', /^unknown loss 'constructor'/],
    ['the optimizer "toString"', () => start({ optimizer: { name: 'toString' } }), 'BAD_CONFIG', /^unknown optimizer 'toString'/],
    ['the schedule "__proto__"', () => start({ schedule: { name: '__proto__' } }), 'BAD_CONFIG', /^unknown schedule '__proto__'/],
    ['a negative momentum', () => start({ optimizer: { name: 'momentum', momentum: -0.5 } }), 'BAD_CONFIG', /^momentum must be in \[0, 1\).*not -0\.5$/],
    ['a momentum of 1e9', () => start({ optimizer: { name: 'momentum', momentum: 1e9 } }), 'BAD_CONFIG', /^momentum must be in \[0, 1\)/],
    ['beta1 = 1', () => start({ optimizer: { name: 'adam', beta1: 1 } }), 'BAD_CONFIG', /^beta1 must be in \[0, 1\), not 1$/],
    ['beta2 < 0', () => start({ optimizer: { name: 'adam', beta2: -0.1 } }), 'BAD_CONFIG', /^beta2 must be in \[0, 1\)/],
    ['eps = 0', () => start({ optimizer: { name: 'adam', eps: 0 } }), 'BAD_CONFIG', /^eps must be in \(0, 1\]/],
    ['alpha = 1', () => start({ optimizer: { name: 'rmsprop', alpha: 1 } }), 'BAD_CONFIG', /^alpha must be in \[0, 1\)/],
    ['a negative weight decay', () => start({ optimizer: { name: 'adamw', weightDecay: -1 } }), 'BAD_CONFIG', /^weight decay must be in \[0, 1\]/],
    ['a negative clip norm', () => start({ optimizer: { name: 'adam', clipNorm: -1 } }), 'BAD_CONFIG', /^clip-norm must be in \[0, 1000000\]/],
    ['a learning rate of 1e6', () => start({ lr: 1e6 }), 'BAD_CONFIG', /^learning rate must be a number between 0 and 10, not 1000000$/],
    ['a batch the kernel core cannot hold', () => start({ batch: 4096 }), 'BAD_CONFIG', /^batch 4096 of 8192-sample segments needs about \d+ MiB of kernel memory per thread \(small preset\).*at most \d+$/],
    ['a segment the kernel core cannot hold', () => start({ batch: 1, segment: 2 ** 22 }), 'BAD_CONFIG', /kernel memory.*use a shorter segment$/],
    ['17 threads', () => start({ threads: 17 }), 'BAD_CONFIG', /^threads must be in \[1, 16\]: the threads that share each batch, not 17$/],
    ['more threads than examples', () => start({ threads: 5, batch: 4 }), 'BAD_CONFIG', /^5 threads cannot share a batch of 4/],
    ['a fractional step count', () => start({ steps: 10.5 }), 'BAD_CONFIG', /^steps must be a whole number, not 10\.5$/],
    ['an unknown config key', () => start({ learningRate: 0.1 }), 'BAD_REQUEST', /unknown key 'learningRate'/],
    ['a missing run', () => call('runLog', ['no-such-run']), 'NOT_FOUND', /^no run no-such-run$/],
    ['scoring a missing run', () => call('crossEvaluate', [['no-such-run']]), 'NOT_FOUND', /^no run no-such-run$/],
    ['a run without a test split', () => call('crossEvaluate', [['healthy-run']]), 'NO_TEST_SPLIT', /runs\/healthy-run .*test split/],
    ['scoring a run whose config.json is not JSON', () => call('crossEvaluate', [['bad-json-run']]), 'RUN_DAMAGED', /runs\/bad-json-run\/config\.json/],
    ['the log of a run with a garbage line', () => call('runLog', ['bad-log-run']), 'RUN_DAMAGED', /runs\/bad-log-run\/log\.jsonl/],
    ['a clip that is not in the library', () => call('removeClip', ['clip-nothere']), 'NOT_FOUND', /^no clip clip-nothere in the library$/],
    ['a split file at its source rate', () => call('audio', [{ kind: 'run', runId: 'healthy-run', file: 'test_reconstruction' }, { sampleFormat: 'pcm16', rate: 'source' }]), 'NO_SOURCE_RATE', /has no one source rate/],
    ['an unknown export sample format', () => call('audio', [{ kind: 'model-input', clipId }, { sampleFormat: 'pcm24', rate: 'model' }]), 'BAD_REQUEST', /argument 2\.sampleFormat must be one of pcm16, float32$/],
    ['export options for a library clip', () => call('audio', [{ kind: 'clip', clipId }, { sampleFormat: 'pcm16', rate: 'model' }]), 'BAD_REQUEST', /^a library clip is exported as it is/],
  ];

  for (const [what, run, code, message] of refused) {
    it(`refuses ${what} with ${code}, naming no path of this machine`, async () => {
      const before = runFolders();
      const r = await run();
      expect(r.ok, JSON.stringify(r)).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe(code);
      expect(r.error.message).toMatch(message);
      expectNoServerPath(r.error.message);
      // Nothing was stored: a refused start leaves no run folder behind.
      expect(runFolders()).toEqual(before);
    });
  }

  it('lists every damaged run with its reason, beside the sound one, and leaves out a folder that is no run', async () => {
    const r = (await call('listRuns', [])) as CallResult<RunSummary[]>;
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const byId = new Map(r.value.map((s) => [s.id, s]));
    expect(byId.get('healthy-run')).toMatchObject({ status: 'completed', steps: 10, bestValLoss: 0.4, config: { preset: 'small', lr: 0.001 } });
    expect(byId.get('healthy-run')!.damaged).toBeUndefined();
    expect(byId.has('not-a-run')).toBe(false);
    for (const [id, reason] of Object.entries(DAMAGED)) {
      const s = byId.get(id);
      expect(s, id).toMatchObject({ status: 'damaged', steps: 0, bestValLoss: null, metrics: null });
      expect(s!.damaged, id).toMatch(reason);
      expectNoServerPath(s!.damaged!);
    }
    // A damaged run whose config.json was fine keeps its settings; one whose config.json is not has none.
    expect(byId.get('bad-metrics-run')!.config).toMatchObject({ preset: 'small' });
    expect(byId.get('bad-json-run')!.config).toBeNull();
  });
});

describe('a file refused when added by path, in folders with spaces', () => {
  // Missing files, so the engine's message names each path: one outside every folder the engine
  // knows (only the file's name is left), one in the home folder, one in the temporary folder.
  const files = () => [
    { file: '/nowhere known/My Music/Take 1.wav', message: /^no such file: Take 1\.wav$/ },
    { file: path.join(os.homedir(), 'No Such Folder', 'take 2.wav'), message: /^no such file: ~\/No Such Folder\/take 2\.wav$/ },
    { file: path.join(tmp.dir, 'My Music', 'take 3.wav'), message: /^no such file: <temp>\/.+\/My Music\/take 3\.wav$/ },
  ];
  let added: CallResult;

  beforeAll(async () => {
    picked = files().map((f) => f.file);
    added = await doors[0][1]('openFilesDialog', []);
    picked = [];
  });

  function expectHidden(entries: LibraryEntry[]): void {
    for (const { file, message } of files()) {
      const entry = entries.find((e) => e.name === path.basename(file));
      expect(entry, file).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND' } });
      const text = (entry as Extract<LibraryEntry, { ok: false }>).error.message;
      expect(text).toMatch(message);
      expectNoServerPath(text);
    }
  }

  it('is answered by the desktop open dialog with a message naming no folder of this machine', () => {
    expect(added.ok, JSON.stringify(added)).toBe(true);
    if (added.ok) expectHidden(added.value as LibraryEntry[]);
  });

  it.each(doors)('is listed so through the %s door', async (_door, call) => {
    const r = await call('listLibrary', []);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (r.ok) expectHidden(r.value as LibraryEntry[]);
  });
});

describe('hiding paths in a message', () => {
  const hide = pathHider('/srv/lab/My Runs');
  const home = os.homedir();
  const cases: [string, string, string][] = [
    ['a path outside the known folders, spaces in folder and file', 'no such file: /Volumes/Jane Doe/Music/My Song.wav', 'no such file: My Song.wav'],
    ['the same, then more of the sentence', 'cannot read /Volumes/Ext Disk/My Song.wav: not a WAV file', 'cannot read My Song.wav: not a WAV file'],
    ['a quoted path, up to its closing quote', "the file '/Volumes/Ext Disk/My Song (final).wav' is empty", "the file 'My Song (final).wav' is empty"],
    ['a quoted Windows path', '"C:\\Users\\Jane Doe\\My Song.wav" is empty', '"My Song.wav" is empty'],
    ['a bare Windows path', 'bad file C:\\Users\\Jane Doe\\Music\\My Song.wav', 'bad file My Song.wav'],
    ['the runs folder', 'writing /srv/lab/My Runs/run 1/best.weights', 'writing runs/run 1/best.weights'],
    ['the runs folder ending a sentence', 'nothing in /srv/lab/My Runs.', 'nothing in runs.'],
    ['a folder whose name only starts like the runs folder', 'writing /srv/lab/My Runs2/x.wav', 'writing x.wav'],
    ['the home folder', `cannot read ${home}/My Music/take 1.wav: bad`, 'cannot read ~/My Music/take 1.wav: bad'],
    ['the temporary folder', `cannot read ${os.tmpdir()}/upload 3/x.wav`, 'cannot read <temp>/upload 3/x.wav'],
    ['the package', `missing ${PACKAGE_ROOT}/dist/jobs/worker.js`, 'missing <codec-lab>/dist/jobs/worker.js'],
    ['no path at all', 'step 3/4 and/or 10 ms', 'step 3/4 and/or 10 ms'],
  ];
  for (const [what, message, hidden] of cases) {
    it(`rewrites ${what}`, () => {
      expect(hide(message)).toBe(hidden);
    });
  }
});

describe('unknown methods', () => {
  it('are NOT_FOUND over HTTP, have no IPC channel, and are NOT_FOUND in the dispatch itself', async () => {
    const dispatch = createDispatch(service, { runsDir });
    const dialogs = ['openFilesDialog', 'saveAudioDialog'];
    for (const m of ['nope', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'shutdown', 'waitForRun', 'subscribe', 'emit', ...dialogs]) {
      // A dispatch made without native dialogs (the web host's) has no dialog methods either.
      expect(await dispatch.call(m, []), m).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: `no method '${m}'` } });
      expect(dispatch.has(m)).toBe(false);
      const http = await new LabClient(host.port, host.token).call(m);
      expect(http.status, m).toBe(404);
      expect(http.body.error.code).toBe('NOT_FOUND');
      if (!dialogs.includes(m)) await expect(ipc.invoke(`lab:${m}`, fakeEvent())).rejects.toThrow(/No handler registered/);
    }
  });
});

describe('events', () => {
  it('leave through the dispatch with the paths of this machine hidden', () => {
    const listeners: ((e: unknown) => void)[] = [];
    const fake = { subscribe: (l: (e: unknown) => void) => (listeners.push(l), () => listeners.splice(listeners.indexOf(l), 1)) } as unknown as LabService;
    const got: unknown[] = [];
    const unsubscribe = createDispatch(fake, { runsDir }).subscribe((e) => got.push(e));
    const skipped = [{ name: 'x y.wav', reason: '/srv/lab data/x y.wav is too short' }];
    listeners[0]({ type: 'train', runId: 'r1', event: { type: 'started', runDir: path.join(runsDir, 'r1'), params: 5, segments: { train: 1, val: 1, test: 1 }, skipped } });
    listeners[0]({ type: 'train-error', runId: 'r1', code: 'NO_SPACE', message: `no space left writing ${runsDir}/r1/best.weights` });
    expect(got).toEqual([
      { type: 'train', runId: 'r1', event: { type: 'started', runDir: 'runs/r1', params: 5, segments: { train: 1, val: 1, test: 1 }, skipped: [{ name: 'x y.wav', reason: 'x y.wav is too short' }] } },
      { type: 'train-error', runId: 'r1', code: 'NO_SPACE', message: 'no space left writing runs/r1/best.weights' },
    ]);
    unsubscribe();
    expect(listeners).toEqual([]);
  });
});

describe('errors the service throws', () => {
  const thrower = (e: unknown) => new Proxy({} as LabService, { get: () => async () => Promise.reject(e) });
  const systemError = (code: string, syscall: string, file: string) =>
    Object.assign(new Error(`${code}: something, ${syscall} '${file}'`), { code, errno: -1, syscall, path: file });

  it('are one stable code each for conditions of the machine, never INTERNAL, and name files without their folders', async () => {
    const cases: [unknown, string, string][] = [
      [systemError('ENOSPC', 'write', path.join(tmp.dir, 'runs', 'r1', 'best.weights')), 'NO_SPACE', 'no space is left on the disk (writing runs/r1/best.weights)'],
      [systemError('EDQUOT', 'write', path.join(tmp.dir, 'runs', 'r1', 'log.jsonl')), 'NO_SPACE', 'the disk quota is used up (writing runs/r1/log.jsonl)'],
      [systemError('EACCES', 'open', '/home/someone/Music/take.wav'), 'NO_PERMISSION', 'permission denied (reading take.wav)'],
      [systemError('EROFS', 'mkdir', path.join(tmp.dir, 'runs', 'r2')), 'NO_PERMISSION', 'the disk is read-only (writing runs/r2)'],
      [systemError('ENOENT', 'open', '/srv/lab/missing.wav'), 'FILE_NOT_FOUND', 'there is no such file or folder (reading missing.wav)'],
      [systemError('EWHATEVER', 'open', '/srv/lab/x.wav'), 'IO_FAILED', 'the system refused (EWHATEVER) (reading x.wav)'],
    ];
    for (const [error, code, message] of cases) {
      const internal: unknown[] = [];
      const d = createDispatch(thrower(error), { runsDir: path.join(tmp.dir, 'runs'), onInternal: (_m, e) => internal.push(e) });
      expect(await d.call('listRuns', [])).toEqual({ ok: false, error: { code, message } });
      expect(internal).toEqual([]);
    }
  });

  it("keep the engine's own code, and a fault is INTERNAL with its stack logged and its paths hidden", async () => {
    const internal: unknown[] = [];
    const opts = { runsDir, onInternal: (_m: string, e: unknown) => internal.push(e) };
    const typed = Object.assign(new Error(`${runsDir}/r1/split.json: not JSON`), { code: 'RUN_DAMAGED' });
    expect(await createDispatch(thrower(typed), opts).call('listRuns', [])).toEqual({ ok: false, error: { code: 'RUN_DAMAGED', message: 'runs/r1/split.json: not JSON' } });
    const fault = new TypeError(`e.toExponential is not a function (in ${REPO}/dist/api/service.js)`);
    expect(await createDispatch(thrower(fault), opts).call('listRuns', [])).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'internal error: e.toExponential is not a function (in <codec-lab>/dist/api/service.js)' },
    });
    // Node's programming errors carry codes too; they are faults all the same.
    const nodeBug = Object.assign(new TypeError('The "path" argument must be of type string'), { code: 'ERR_INVALID_ARG_TYPE' });
    expect(await createDispatch(thrower(nodeBug), opts).call('listRuns', [])).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(internal).toEqual([fault, nodeBug]);
  });
});
