// A fake of the parts of Electron's main-process API that electron/main.ts uses, recording what
// the shell does with them in globalThis.__fakeElectron, so that tests/electron/main.test.ts can
// run the compiled dist/electron/main.js in plain Node (Electron's binary is not needed).
import { EventEmitter } from 'node:events';

const state = {
  paths: {},
  sandboxEnabled: false,
  schemes: null,
  protocols: new Map(),
  ipc: new Map(),
  windows: [],
  menu: null,
  errors: [],
  quitCalls: 0,
  exitCode: null,
  session: null,
  dialogs: [],
};
globalThis.__fakeElectron = state;

let markReady;
const ready = new Promise((resolve) => (markReady = resolve));
state.emitReady = () => {
  markReady();
  app.emit('ready');
};

export const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  getPath(name) {
    if (state.paths[name]) return state.paths[name];
    if (name === 'appData') return process.env.FAKE_APP_DATA;
    if (name === 'music' || name === 'documents' || name === 'home') return process.env.FAKE_APP_DATA;
    throw new Error(`fake electron: no path ${name}`);
  },
  setPath(name, value) {
    state.paths[name] = value;
  },
  getVersion: () => '0.0.0-test',
  enableSandbox() {
    if (state.windows.length) throw new Error('enableSandbox must be called before any window exists');
    state.sandboxEnabled = true;
  },
  requestSingleInstanceLock: () => true,
  whenReady: () => ready,
  quit() {
    state.quitCalls++;
  },
  exit(code) {
    state.exitCode = code;
  },
});

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    state.schemes = schemes;
  },
  handle(scheme, handler) {
    state.protocols.set(scheme, handler);
  },
};

export const ipcMain = {
  handle(channel, listener) {
    if (state.ipc.has(channel)) throw new Error(`second handler for ${channel}`);
    state.ipc.set(channel, listener);
  },
  removeHandler(channel) {
    state.ipc.delete(channel);
  },
};

class FakeSession {
  constructor() {
    this.listeners = {};
    this.webRequest = {
      onBeforeRequest: (l) => (this.listeners.beforeRequest = l),
      onHeadersReceived: (l) => (this.listeners.headersReceived = l),
    };
  }
  setPermissionRequestHandler(h) {
    this.listeners.permissionRequest = h;
  }
  setPermissionCheckHandler(h) {
    this.listeners.permissionCheck = h;
  }
  setDevicePermissionHandler(h) {
    this.listeners.devicePermission = h;
  }
}
state.session = new FakeSession();
export const session = { defaultSession: state.session };

let nextContentsId = 1;
class FakeWebContents extends EventEmitter {
  constructor() {
    super();
    this.id = nextContentsId++;
    this.sent = [];
    this.windowOpenHandler = null;
  }
  send(channel, ...args) {
    this.sent.push([channel, ...args]);
  }
  isDestroyed() {
    return false;
  }
  setWindowOpenHandler(h) {
    this.windowOpenHandler = h;
  }
}

export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    if (!ready) throw new Error('BrowserWindow before ready');
    this.options = options;
    this.webContents = new FakeWebContents();
    this.loadedUrl = null;
    state.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  static getAllWindows() {
    return state.windows;
  }
  loadURL(url) {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  show() {}
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
  isDestroyed() {
    return false;
  }
}

export const Menu = {
  buildFromTemplate: (template) => ({ template }),
  setApplicationMenu(menu) {
    state.menu = menu;
  },
};

export const dialog = {
  showErrorBox(title, content) {
    state.errors.push([title, content]);
  },
  async showOpenDialog(...args) {
    state.dialogs.push(['open', args.at(-1)]);
    return { canceled: true, filePaths: [] };
  },
  async showSaveDialog(...args) {
    state.dialogs.push(['save', args.at(-1)]);
    return { canceled: true };
  },
  async showMessageBox(...args) {
    state.dialogs.push(['message', args.at(-1)]);
    return { response: 0 };
  },
};

export default { app, protocol, ipcMain, session, BrowserWindow, Menu, dialog };
