// The Electron main process of Codec Lab: one window showing the lab bench (dist/renderer) on the
// app:// origin, the application menu, the native file dialogs, and the IPC channels that serve
// the engine's LabService to the page (electron/ipc.ts). Training runs in the engine's own worker
// thread (src/train/trainer.ts), so this process only relays messages and the window never stalls.
//
// Layout at run time: this file compiles to dist/electron/main.js (package.json "main") and the
// engine to dist/; so the engine is imported as '../api/service.js', the path from
// dist/electron/ to dist/api/. electron/tsconfig.json maps that path onto the engine's types
// (rootDirs), which is how the compiler checks this import against src/api/service.ts.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session } from 'electron';
import type { MessageBoxOptions, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabService } from '../api/service.js';
import { createDispatch, type NativeDialogs } from '../api/dispatch.js';
import { APP_INDEX_URL, APP_SCHEME, CONTENT_SECURITY_POLICY, mimeType, resolveAppFile } from './app-protocol.js';
import { appWindowSenderCheck, forwardLabEvents, MENU_CHANNELS, registerLabIpc } from './ipc.js';
import { menuTemplate } from './menu.js';
import { hardenSession, hardenWebContents } from './security.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD = path.join(HERE, 'preload.cjs');
const RENDERER_DIR = path.resolve(HERE, '..', 'renderer');
/** Give up waiting for training runs to save their weights after this long at quit. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

// ---- before `ready` (these calls are only allowed, or only useful, this early) ----

// The same data folder in development (`electron .`, where the name would be "codec-lab") and in
// the packaged app (where it would be the product name). CODEC_LAB_USER_DATA points it elsewhere,
// so that the smoke test (tests/electron/smoke.test.ts) does not train into the user's own runs.
app.setPath('userData', process.env.CODEC_LAB_USER_DATA ? path.resolve(process.env.CODEC_LAB_USER_DATA) : path.join(app.getPath('appData'), 'Codec Lab'));

// Every renderer sandboxed, whatever a window's own settings say ("Enable process sandboxing").
app.enableSandbox();

// app:// behaves like https: a standard, secure origin that may use fetch. It must be registered
// before `ready`. No other privileges: it does not bypass CSP and gets no service workers.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);

let mainWindow: BrowserWindow | null = null;

/** One app instance at a time: two would train into the same runs folder. */
const primary = app.requestSingleInstanceLock();
if (!primary) app.quit();
else start();

function start(): void {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // Every web contents (the window, and developer tools) gets the navigation rules.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  const runsDir = path.join(app.getPath('userData'), 'runs');
  const service = new LabService({ runsDir });
  // The window reaches the service only through the dispatch (argument checks, one error mapping,
  // no paths of this machine in errors or events).
  const dispatch = createDispatch(service, { runsDir, dialogs: nativeDialogs() });
  forwardLabEvents(dispatch, (channel, event) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, event);
  });
  registerLabIpc(ipcMain, dispatch, appWindowSenderCheck(() => mainWindow?.webContents ?? null));

  // Stop every training run and let it save its weights before the process ends.
  let shutdown: 'no' | 'running' | 'done' = 'no';
  app.on('before-quit', (event) => {
    if (shutdown === 'done') return;
    event.preventDefault();
    if (shutdown === 'running') return;
    shutdown = 'running';
    const timeout = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref());
    Promise.race([service.shutdown(), timeout])
      .catch((e) => console.error('codec-lab: shutdown failed:', e))
      .finally(() => {
        shutdown = 'done';
        app.quit();
      });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app
    .whenReady()
    .then(() => {
      hardenSession(session.defaultSession);
      protocol.handle(APP_SCHEME, serveRenderer);
      Menu.setApplicationMenu(
        Menu.buildFromTemplate(
          menuTemplate(
            {
              openFiles: () => mainWindow?.webContents.send(MENU_CHANNELS.openFiles),
              exportReconstruction: () => mainWindow?.webContents.send(MENU_CHANNELS.export),
              about: () => void showAbout(),
            },
            { isMac: process.platform === 'darwin', devTools: !app.isPackaged },
          ),
        ),
      );
      createWindow();
      // macOS: clicking the dock icon with no window open opens one again.
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) createWindow();
      });
    })
    .catch((e) => {
      dialog.showErrorBox('Codec Lab could not start', String((e as Error)?.stack ?? e));
      app.exit(1);
    });
}

function createWindow(): void {
  if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    dialog.showErrorBox('Codec Lab is not built', `${path.join(RENDERER_DIR, 'index.html')} is missing. Run \`npm run build\` first.`);
    app.exit(1);
    return;
  }
  const win = new BrowserWindow({
    title: 'Codec Lab',
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    show: false,
    // Written out here in full, defaults included, so that a changed default or a flipped flag
    // shows up in review, and so that electronegativity (tests/electron) reads the real settings.
    // Each line is an item of Electron's security checklist.
    webPreferences: {
      // The preload is reviewed, not accidental: it exposes only the typed API, one fixed channel per
      // call, never ipcRenderer (electron/preload.cts; tests/electron/built-shell.test.ts runs it).
      preload: PRELOAD, // eng-disable PRELOAD_JS_CHECK
      // "Enable context isolation": the preload and the page live in separate JavaScript worlds;
      // the page sees only what contextBridge hands it.
      contextIsolation: true,
      // "Do not enable Node.js integration": not in the page, its subframes or its workers.
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      // "Enable process sandboxing": the renderer runs in Chromium's OS-level sandbox, the preload
      // too, which is why the preload is one self-contained CommonJS file that requires only 'electron'.
      sandbox: true,
      // "Do not disable webSecurity", "Do not enable allowRunningInsecureContent", "Do not enable
      // experimental features", "Do not use enableBlinkFeatures" (none is set).
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      // Middle-click (auxclick) on a link would ask for a new window; the page has no use for it.
      disableBlinkFeatures: 'Auxclick',
      // "Verify WebView options before creation": there are none, <webview> is off.
      webviewTag: false,
      // A file dropped outside the page's drop zone must not replace the app with that file (the
      // page takes drops of WAV files itself, as bytes).
      navigateOnDragDrop: false,
      // The spell checker downloads dictionaries from Google's servers; a lab bench needs none.
      spellcheck: false,
      // A page stuck in a loop of alert() dialogs can be silenced by the user.
      safeDialogs: true,
    },
  });
  mainWindow = win;
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(APP_INDEX_URL);
}

/**
 * app://codec-lab/<path>: the files of dist/renderer and nothing else (resolveAppFile confines
 * the path), GET only, each with the Content-Security-Policy and no MIME sniffing.
 */
async function serveRenderer(request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
  const file = resolveAppFile(request.url, RENDERER_DIR);
  if (!file) return new Response('not found', { status: 404 });
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return new Response('not found', { status: 404 });
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: {
      'Content-Type': mimeType(file),
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    },
  });
}

function nativeDialogs(): NativeDialogs {
  const defaultFolder = () => {
    for (const name of ['music', 'documents', 'home'] as const) {
      try {
        return app.getPath(name);
      } catch {
        // This system has no such folder; try the next.
      }
    }
    return '';
  };
  return {
    async chooseWavFiles() {
      const options: OpenDialogOptions = {
        title: 'Open WAV files',
        buttonLabel: 'Open',
        properties: ['openFile', 'multiSelections'],
        filters: [{ name: 'WAV audio', extensions: ['wav', 'wave'] }],
      };
      const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return result.canceled ? [] : result.filePaths;
    },
    async chooseSavePath(suggestedName) {
      const name = suggestedName.toLowerCase().endsWith('.wav') ? suggestedName : `${suggestedName}.wav`;
      const options: SaveDialogOptions = {
        title: 'Export reconstruction',
        buttonLabel: 'Export',
        defaultPath: path.join(defaultFolder(), name),
        filters: [{ name: 'WAV audio', extensions: ['wav'] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      };
      const result = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
  };
}

async function showAbout(): Promise<void> {
  const options: MessageBoxOptions = {
    type: 'info',
    title: 'About Codec Lab',
    message: `Codec Lab ${app.getVersion()}`,
    detail: [
      'Train a small neural audio codec on your own WAV files and hear what the training objective does.',
      '',
      `Electron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node.js ${process.versions.node}`,
      `Runs are kept in ${path.join(app.getPath('userData'), 'runs')}`,
    ].join('\n'),
    buttons: ['OK'],
  };
  if (mainWindow) await dialog.showMessageBox(mainWindow, options);
  else await dialog.showMessageBox(options);
}
