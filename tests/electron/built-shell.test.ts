// The built shell: electron/ compiles (against the engine's types); the preload it emits is what a
// sandboxed renderer can run (one CommonJS file that requires only 'electron'), executed here in a
// fresh V8 context with a fake 'electron' to check the API it exposes call for call; and the main
// process it emits runs in plain Node against a fake Electron module (fake-electron/), to check
// what it does at start, at run time and at quit. One file, so the build runs once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import vm from 'node:vm';
import { LAB_METHODS, type DesktopApi, type LabEvent } from '../../src/api/contract.js';
import { LAB_CHANNELS } from '../../electron/ipc.js';
import { CONTENT_SECURITY_POLICY } from '../../electron/app-protocol.js';
import { REPO, tempDir } from '../helpers.js';

const OUT = path.join(REPO, 'dist', 'electron');
const PRELOAD = path.join(OUT, 'preload.cjs');

/** Runs the built preload as Electron's sandboxed preload loader would, with a fake 'electron'. */
function loadPreload(reply: (channel: string, args: unknown[]) => unknown = () => ({ ok: true, value: 'done' })) {
  const invoked: [string, unknown[]][] = [];
  const dispatched: string[] = [];
  const exposed = new Map<string, unknown>();
  const ipcRenderer = Object.assign(new EventEmitter(), {
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push([channel, args]);
      return reply(channel, args);
    },
  });
  const electron = { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) }, ipcRenderer };
  const required: string[] = [];
  const module = { exports: {} as Record<string, unknown> };
  const context = vm.createContext({
    require: (id: string) => {
      required.push(id);
      if (id === 'electron') return electron;
      throw new Error(`module not found: ${id} (a sandboxed preload can only require 'electron' and a few built-ins)`);
    },
    module,
    exports: module.exports,
    window: { dispatchEvent: (e: Event) => dispatched.push(e.type) },
    Event,
    TypeError,
    Promise,
  });
  vm.runInContext(readFileSync(PRELOAD, 'utf8'), context, { filename: PRELOAD });
  return { api: exposed.get('codecLab') as DesktopApi, exposed, invoked, dispatched, required, ipcRenderer };
}

beforeAll(() => {
  // The same command as `npm run build:electron`: builds the engine's declarations if stale, then
  // type-checks and emits the shell. A type error anywhere in electron/ fails here.
  execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'electron/tsconfig.json'], { cwd: REPO, stdio: 'pipe' });
}, 180_000);

describe('the built shell', () => {
  it('emits the main process as ES modules and the preload as CommonJS', () => {
    for (const f of ['main.js', 'ipc.js', 'security.js', 'app-protocol.js', 'menu.js', 'preload.cjs']) expect(existsSync(path.join(OUT, f)), f).toBe(true);
    expect(readFileSync(path.join(OUT, 'main.js'), 'utf8')).toMatch(/^import .* from 'electron';$/m);
    expect(readFileSync(PRELOAD, 'utf8')).toMatch(/require\("electron"\)/);
  });

  it("resolves every relative import of dist/electron at run time (the engine as dist/api, not src/)", () => {
    for (const f of ['main.js', 'ipc.js', 'security.js', 'app-protocol.js', 'menu.js']) {
      const code = readFileSync(path.join(OUT, f), 'utf8');
      for (const m of code.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)) {
        const target = path.resolve(OUT, m[1]);
        expect(existsSync(target), `${f} imports ${m[1]} -> ${path.relative(REPO, target)}`).toBe(true);
        expect(path.relative(path.join(REPO, 'dist'), target).startsWith('..'), `${f} imports ${m[1]} from outside dist/`).toBe(false);
      }
    }
    expect(readFileSync(path.join(OUT, 'main.js'), 'utf8')).toContain("from '../api/service.js'");
    // The window's calls go through the engine's dispatch (argument checks, one error mapping).
    expect(readFileSync(path.join(OUT, 'main.js'), 'utf8')).toContain("from '../api/dispatch.js'");
  });

  it('the preload requires nothing but electron (it must run in the sandbox)', () => {
    const code = readFileSync(PRELOAD, 'utf8');
    const requires = [...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
    expect(requires).toEqual(['electron']);
    expect(code).not.toMatch(/\bimport\s*\(/);
    expect(loadPreload().required).toEqual(['electron']);
  });
});

describe('the preload API (window.codecLab)', () => {
  it('exposes exactly the DesktopApi, as functions only, under one key', () => {
    const { exposed, api } = loadPreload();
    expect([...exposed.keys()]).toEqual(['codecLab']);
    expect(Object.keys(api).sort()).toEqual([...LAB_METHODS, 'openFilesDialog', 'saveAudioDialog', 'subscribe'].sort());
    for (const [k, v] of Object.entries(api)) expect(typeof v, k).toBe('function');
  });

  it('calls exactly the channels the main process serves, with the arguments given', async () => {
    const { api, invoked } = loadPreload();
    const ref = { kind: 'clip', clipId: 'clip-1' } as const;
    const bytes = new ArrayBuffer(4);
    await api.listLibrary();
    await api.addFileData('a.wav', bytes);
    await api.removeClip('clip-1');
    await api.trainOptions();
    await api.startTraining(['clip-1'], { preset: 'tiny' });
    await api.pauseTraining('r');
    await api.resumeTraining('r');
    await api.stopTraining('r');
    await api.listRuns();
    await api.runLog('r');
    await api.runSplit('r');
    await api.startRace(['clip-1'], { preset: 'tiny' }, { vary: 'lr', values: [1e-3, 2e-3] });
    await api.startSweep(['clip-1'], { preset: 'tiny' }, { lr: [1e-3, 2e-3] });
    await api.runQueue();
    await api.setQueuePaused(true);
    await api.cancelQueued('q-1');
    await api.moveQueued('q-1', 0);
    await api.clearQueue();
    await api.lrRangeTest(['clip-1'], { preset: 'tiny' });
    await api.lrRangeTest(['clip-1'], { preset: 'tiny' }, { steps: 50 });
    await api.crossEvaluate(['r']);
    await api.crossEvaluate(['r'], ['clip-1']);
    await api.annotateRun('r', { title: 'first try' });
    await api.deleteRun('r');
    await api.startAbx({ a: ref, b: { kind: 'model-input', clipId: 'clip-1' }, labelA: 'clip', labelB: 'model input', trials: 4 });
    await api.abxTrial('t');
    await api.answerAbx('t', 1, 'A', { ms: 900 });
    await api.startMushra({ reference: { kind: 'model-input', clipId: 'clip-1' }, referenceLabel: 'original', runs: [{ audio: { kind: 'reconstruction', runId: 'r', clipId: 'clip-1' }, label: 'r' }] });
    await api.rateMushra('t', { scores: [50, null], heardMs: [10, 0] });
    await api.submitMushra('t', { scores: [50, 60], heardMs: [10, 20] });
    await api.listeningResults();
    await api.listeningTests();
    await api.listeningTest('t');
    await api.discardListeningTest('t');
    await api.listeningCsv('t');
    await api.audio(ref);
    await api.spectralView(ref, ref, 'mel-db');
    await api.spectralView(ref, ref, 'stft-db', { maxColumns: 100 });
    await api.openFilesDialog();
    await api.saveAudioDialog(ref, 'x.wav');
    await api.saveAudioDialog(ref, 'y.wav', { sampleFormat: 'pcm16', rate: 'source' });
    await api.audio(ref, { sampleFormat: 'float32', rate: 'model' });
    expect(invoked).toContainEqual(['lab:addFileData', ['a.wav', bytes]]);
    expect(invoked).toContainEqual(['lab:startTraining', [['clip-1'], { preset: 'tiny' }]]);
    // An omitted optional argument is not sent as undefined (the handler counts arguments).
    expect(invoked).toContainEqual(['lab:crossEvaluate', [['r']]]);
    expect(invoked).toContainEqual(['lab:lrRangeTest', [['clip-1'], { preset: 'tiny' }]]);
    expect(invoked).toContainEqual(['lab:annotateRun', ['r', { title: 'first try' }]]);
    expect(invoked).toContainEqual(['lab:answerAbx', ['t', 1, 'A', { ms: 900 }]]);
    expect(invoked).toContainEqual(['lab:rateMushra', ['t', { scores: [50, null], heardMs: [10, 0] }]]);
    expect(invoked).toContainEqual(['lab:saveAudioDialog', [ref, 'x.wav']]);
    expect(invoked).toContainEqual(['lab:saveAudioDialog', [ref, 'y.wav', { sampleFormat: 'pcm16', rate: 'source' }]]);
    expect(invoked).toContainEqual(['lab:audio', [ref]]);
    expect(invoked).toContainEqual(['lab:audio', [ref, { sampleFormat: 'float32', rate: 'model' }]]);
    expect(invoked).toContainEqual(['lab:spectralView', [ref, ref, 'mel-db']]);
    expect(invoked).toContainEqual(['lab:spectralView', [ref, ref, 'stft-db', { maxColumns: 100 }]]);
    expect([...new Set(invoked.map(([c]) => c))].sort()).toEqual([...LAB_CHANNELS].sort());
  });

  it('refuses addFiles and exportAudio without asking the main process', async () => {
    const { api, invoked } = loadPreload();
    await expect(api.addFiles(['/etc/passwd'])).rejects.toMatchObject({ code: 'NOT_AVAILABLE', message: expect.stringContaining('openFilesDialog') });
    await expect(api.exportAudio({ kind: 'clip', clipId: 'c' }, '/etc/cron.d/x.wav')).rejects.toMatchObject({ code: 'NOT_AVAILABLE', message: expect.stringContaining('saveAudioDialog') });
    expect(invoked).toEqual([]);
  });

  it('resolves with the value and rejects with {code, message}', async () => {
    const { api } = loadPreload((channel) =>
      channel === 'lab:listRuns' ? { ok: true, value: [{ id: 'r' }] } : channel === 'lab:removeClip' ? { ok: false, error: { code: 'NOT_FOUND', message: 'no clip c' } } : undefined,
    );
    expect(await api.listRuns()).toEqual([{ id: 'r' }]);
    await expect(api.removeClip('c')).rejects.toEqual({ name: 'LabError', code: 'NOT_FOUND', message: 'no clip c' });
    await expect(api.listLibrary()).rejects.toMatchObject({ code: 'IPC_FAILED', message: 'listLibrary: malformed reply' });
  });

  it("turns Electron's own invoke failures into {code, message} too", async () => {
    const { api } = loadPreload(() => {
      throw new Error("No handler registered for 'lab:listLibrary'");
    });
    await expect(api.listLibrary()).rejects.toMatchObject({ code: 'IPC_FAILED', message: expect.stringContaining('No handler registered') });
  });

  it('subscribe relays only the event payload, and unsubscribes', () => {
    const { api, ipcRenderer } = loadPreload();
    const got: unknown[][] = [];
    const unsubscribe = api.subscribe((...args: unknown[]) => got.push(args));
    const payload: LabEvent = { type: 'train-error', runId: 'r', code: 'X', message: 'm' };
    ipcRenderer.emit('lab:event', { sender: ipcRenderer, senderFrame: null }, payload);
    expect(got).toEqual([[payload]]);
    unsubscribe();
    ipcRenderer.emit('lab:event', {}, payload);
    expect(got).toHaveLength(1);
    expect(ipcRenderer.listenerCount('lab:event')).toBe(0);
    expect(() => api.subscribe('not a function' as never)).toThrow(TypeError);
  });

  it('turns the menu messages into DOM events on window', () => {
    const { ipcRenderer, dispatched } = loadPreload();
    ipcRenderer.emit('menu:open-files', {});
    ipcRenderer.emit('menu:export', {});
    expect(dispatched).toEqual(['codec-lab:menu-open-files', 'codec-lab:menu-export']);
  });
});

describe('the built main process, under a fake Electron', () => {
  // A copy of the app's layout: dist/electron as built, dist/api linked to the real engine (Node
  // follows the link, so the engine finds its own files as usual), and a stand-in renderer, so the
  // test does not depend on the renderer having been built.
  const t = tempDir('codec-lab-main-');
  const dist = path.join(t.dir, 'dist');
  // What drive-main.mjs reports; its shape is spelled out there.
  let report: any;

  beforeAll(async () => {
    mkdirSync(path.join(dist, 'electron'), { recursive: true });
    for (const f of readdirSync(OUT)) if (/\.(c?js)$/.test(f)) copyFileSync(path.join(OUT, f), path.join(dist, 'electron', f));
    symlinkSync(path.join(REPO, 'dist', 'api'), path.join(dist, 'api'), 'dir');
    mkdirSync(path.join(dist, 'renderer', 'assets'), { recursive: true });
    writeFileSync(path.join(dist, 'renderer', 'index.html'), '<!doctype html><title>fixture</title>\n');
    writeFileSync(path.join(dist, 'renderer', 'assets', 'app.js'), 'console.log(1)\n');
    writeFileSync(path.join(t.dir, 'secret.txt'), 'outside the renderer\n');
    mkdirSync(path.join(t.dir, 'appdata'));
    const fake = path.join(REPO, 'tests', 'electron', 'fake-electron');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', path.join(fake, 'register.mjs'), path.join(fake, 'drive-main.mjs'), path.join(dist, 'electron', 'main.js')], {
      cwd: t.dir,
      env: { ...process.env, FAKE_APP_DATA: path.join(t.dir, 'appdata'), CODEC_LAB_USER_DATA: path.join(t.dir, 'user') },
      timeout: 120_000,
    });
    report = JSON.parse(stdout.trim().split('\n').at(-1)!);
  }, 150_000);

  afterAll(() => t.cleanup());

  it('before ready: sandbox for all, app:// privileged, the data folder set, every channel registered', () => {
    expect(report.beforeReady.sandboxEnabled).toBe(true);
    expect(report.beforeReady.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
    expect(report.beforeReady.userData).toBe(path.join(t.dir, 'user'));
    expect(report.beforeReady.channels).toEqual([...LAB_CHANNELS].sort());
  });

  it('opens one window on app://codec-lab with the secure web preferences', () => {
    expect(report.errors).toEqual([]);
    expect(report.window.count).toBe(1);
    expect(report.window.url).toBe('app://codec-lab/index.html');
    expect(report.window.webPreferences).toEqual({
      preload: path.join(dist, 'electron', 'preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    });
  });

  it('serves dist/renderer on app:// with the CSP, and nothing else', () => {
    const p = report.protocol;
    for (const r of [p.index, p.root, p.asset]) expect(r).toMatchObject({ status: 200, csp: CONTENT_SECURITY_POLICY, nosniff: 'nosniff' });
    expect(p.index.body).toContain('fixture');
    expect(p.asset.type).toBe('text/javascript; charset=utf-8');
    for (const r of [p.missing, p.traversal, p.encodedDots, p.otherHost]) expect(r.status).toBe(404);
    expect(p.post.status).toBe(405);
  });

  it('answers the window over IPC, refuses others, and shows WAV-only dialogs', () => {
    expect(report.ipc.library).toEqual([{ ok: true, bundled: true, name: 'folk_wesnoth_traveling_minstrels.wav' }]);
    expect(report.ipc.forbidden.error.code).toBe('FORBIDDEN');
    expect(report.ipc.badArgs.error).toEqual({ code: 'BAD_REQUEST', message: 'removeClip: argument 1 must be a string, not an object' });
    expect(report.ipc.openCancelled).toEqual({ ok: true, value: [] });
    expect(report.ipc.saveCancelled).toEqual({ ok: true, value: null });
    const [open, save] = report.dialogs;
    expect(open).toMatchObject({ kind: 'open', properties: ['openFile', 'multiSelections'], filters: [{ extensions: ['wav', 'wave'] }] });
    expect(save).toMatchObject({ kind: 'save', filters: [{ extensions: ['wav'] }], defaultPath: path.join(t.dir, 'appdata', 'take.wav') });
    expect(save.properties).toContain('showOverwriteConfirmation');
  });

  it('hardens the session and the window contents', () => {
    expect(report.session).toEqual({ https: { cancel: true }, app: { cancel: false }, permission: false, check: false });
    expect(report.navigation).toEqual({ away: true, self: false, windowOpen: { action: 'deny' } });
  });

  it('has the menu, whose lab items ask the page', () => {
    expect(report.menu.top).toEqual(['&File', 'editMenu', '&View', 'windowMenu', 'help']);
    expect(report.menu.sent).toEqual(['menu:export', 'menu:open-files']);
  });

  it("forwards a training run's events to the window, and at quit stops the run and waits for it", () => {
    expect(report.training.started).toBe(true);
    expect(report.training.eventTypes).toEqual(expect.arrayContaining(['train:started', 'train:progress']));
    expect(report.quit.preventedFirst).toBe(true);
    expect(report.quit.quitCallsRightAway).toBe(0);
    expect(report.quit.quitCallsAfterShutdown).toBe(1);
    expect(report.quit.runs).toEqual([{ status: 'stopped', steps: expect.any(Number) }]);
    expect(report.quit.secondPrevented).toBe(false);
  });
});
