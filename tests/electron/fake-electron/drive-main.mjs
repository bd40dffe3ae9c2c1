// Runs the compiled main process (argv[2]) against the fake Electron and reports, as one JSON line
// on stdout, what it did: the window it opened, what app:// serves, the IPC answers, the session
// rules, the menu, the events of a short training run, and the quit sequence.
// Started by tests/electron/main.test.ts as `node --import ./register.mjs drive-main.mjs <main.js>`.
import { pathToFileURL } from 'node:url';

await import('electron'); // the fake, through register.mjs
const state = globalThis.__fakeElectron;
await import(pathToFileURL(process.argv[2]).href);
const report = { beforeReady: { sandboxEnabled: state.sandboxEnabled, schemes: state.schemes, userData: state.paths.userData, channels: [...state.ipc.keys()].sort() } };
state.emitReady();
await new Promise((r) => setTimeout(r, 20));

const [win] = state.windows;
report.errors = state.errors;
report.window = win ? { count: state.windows.length, url: win.loadedUrl, webPreferences: win.options.webPreferences } : null;

// app:// as the page would ask for it.
const serve = state.protocols.get('app');
const fetchApp = async (url, init) => {
  const res = await serve(new Request(url, init));
  return { status: res.status, csp: res.headers.get('content-security-policy'), type: res.headers.get('content-type'), nosniff: res.headers.get('x-content-type-options'), body: res.status === 200 ? await res.text() : null };
};
report.protocol = {
  index: await fetchApp('app://codec-lab/index.html'),
  root: await fetchApp('app://codec-lab/'),
  asset: await fetchApp('app://codec-lab/assets/app.js'),
  missing: await fetchApp('app://codec-lab/nothing.js'),
  traversal: await fetchApp('app://codec-lab/..%2f..%2fsecret.txt'),
  encodedDots: await fetchApp('app://codec-lab/%2e%2e/%2e%2e/secret.txt'),
  otherHost: await fetchApp('app://elsewhere/index.html'),
  post: await fetchApp('app://codec-lab/index.html', { method: 'POST', body: 'x' }),
};

// IPC as the window's page, and as something else.
const contents = win.webContents;
const fromPage = { sender: contents, senderFrame: { url: 'app://codec-lab/index.html', parent: null } };
const fromElsewhere = { sender: { id: 999 }, senderFrame: { url: 'app://codec-lab/index.html', parent: null } };
const invoke = (channel, event, ...args) => state.ipc.get(channel)(event, ...args);
const library = await invoke('lab:listLibrary', fromPage);
report.ipc = {
  library: library.ok ? library.value.map((e) => ({ ok: e.ok, bundled: e.bundled, name: e.name })) : library,
  forbidden: await invoke('lab:listLibrary', fromElsewhere),
  badArgs: await invoke('lab:removeClip', fromPage, { $gt: '' }),
  openCancelled: await invoke('lab:openFilesDialog', fromPage),
  saveCancelled: await invoke('lab:saveAudioDialog', fromPage, { kind: 'clip', clipId: library.value[0].id }, 'take.wav'),
};
report.dialogs = state.dialogs.map(([kind, options]) => ({ kind, properties: options.properties, filters: options.filters, defaultPath: options.defaultPath }));

// Session rules.
const answer = (listener, details) => new Promise((resolve) => listener(details, resolve));
const s = state.session.listeners;
report.session = {
  https: await answer(s.beforeRequest, { url: 'https://example.com/' }),
  app: await answer(s.beforeRequest, { url: 'app://codec-lab/index.html' }),
  permission: await new Promise((resolve) => s.permissionRequest(contents, 'media', resolve)),
  check: s.permissionCheck(contents, 'media', 'app://codec-lab', {}),
};

// Navigation of the window's contents (hardened through app 'web-contents-created').
const nav = (url) => {
  const e = { prevented: false, preventDefault() { this.prevented = true; } };
  contents.emit('will-navigate', e, url);
  return e.prevented;
};
report.navigation = { away: nav('https://example.com/'), self: nav('app://codec-lab/index.html'), windowOpen: contents.windowOpenHandler({ url: 'https://example.com/' }) };

// The menu's lab items talk to the page.
const file = state.menu.template.find((m) => m.label === '&File');
file.submenu.find((i) => i.label === 'Export Reconstruction…').click();
file.submenu.find((i) => i.label === 'Open WAV Files…').click();
report.menu = { top: state.menu.template.map((m) => m.label ?? m.role), sent: contents.sent.map(([c]) => c) };
contents.sent.length = 0;

// A short training run: its events reach the window on lab:event, and quitting waits for it.
const clipId = library.value.find((e) => e.ok).id;
const started = await invoke('lab:startTraining', fromPage, [clipId], { preset: 'tiny', steps: 400, batch: 2, segment: 4096, valEvery: 2, logEvery: 1 });
report.training = { started: started.ok };
const deadline = Date.now() + 60_000;
while (!contents.sent.some(([c, e]) => c === 'lab:event' && e.type === 'train' && e.event.type === 'progress') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
report.training.eventTypes = [...new Set(contents.sent.filter(([c]) => c === 'lab:event').map(([, e]) => `${e.type}:${e.event?.type}`))];

const quitEvent = { prevented: false, preventDefault() { this.prevented = true; } };
state.quitCalls = 0;
state.app = (await import('electron')).app;
state.app.emit('before-quit', quitEvent);
report.quit = { preventedFirst: quitEvent.prevented, quitCallsRightAway: state.quitCalls };
while (state.quitCalls === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const runs = await invoke('lab:listRuns', fromPage);
report.quit.quitCallsAfterShutdown = state.quitCalls;
report.quit.runs = runs.ok ? runs.value.map((r) => ({ status: r.status, steps: r.steps })) : runs;
const again = { prevented: false, preventDefault() { this.prevented = true; } };
state.app.emit('before-quit', again);
report.quit.secondPrevented = again.prevented;

console.log(JSON.stringify(report));
process.exit(0);
