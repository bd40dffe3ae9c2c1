// The application menu as a template (Menu.buildFromTemplate turns it into a menu in main.ts).
// A plain function of what the items do, so the tests check its shape without Electron.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  /** File > Open WAV Files...: the page runs openFilesDialog, so the files it adds show up there. */
  openFiles(): void;
  /** File > Export Reconstruction...: only the page knows which reconstruction is selected. */
  exportReconstruction(): void;
  /** Help > About Codec Lab. */
  about(): void;
}

export interface MenuOptions {
  /** macOS puts Quit and About in the application menu. */
  isMac: boolean;
  /** Developer tools in the View menu: in development only, not in the packaged app. */
  devTools: boolean;
}

export function menuTemplate(actions: MenuActions, o: MenuOptions): MenuItemConstructorOptions[] {
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open WAV Files…', accelerator: 'CmdOrCtrl+O', click: () => actions.openFiles() },
      { label: 'Export Reconstruction…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportReconstruction() },
      { type: 'separator' },
      // On macOS Quit lives in the app menu and File ends with Close Window, as Mac users expect.
      o.isMac ? { role: 'close' } : { role: 'quit', label: 'Quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { role: 'reload' },
      { role: 'forceReload' },
      ...(o.devTools ? [{ role: 'toggleDevTools' } as const] : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [{ label: 'About Codec Lab', click: () => actions.about() }],
  };
  return [
    ...(o.isMac ? [{ role: 'appMenu' } as const] : []),
    file,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
    help,
  ];
}
