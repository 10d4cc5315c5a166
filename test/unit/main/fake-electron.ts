/**
 * A stand-in for the parts of Electron's main-process API the app uses, for vi.mock('electron')
 * in test/unit/main. It records what main does (windows, handlers, menus, notifications) so the
 * tests can assert on it and fire the events Electron would.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;

export class FakeWebContents extends EventEmitter {
  openHandler?: (details: { url: string }) => { action: string };
  readonly sent: { channel: string; payload: unknown }[] = [];
  destroyed = false;
  setWindowOpenHandler(fn: (details: { url: string }) => { action: string }): void {
    this.openHandler = fn;
  }
  /** What every page answers to executeJavaScript (the smoke test's IPC round trip); set by a test. */
  static pageScript?: (contents: FakeWebContents, code: string) => Promise<unknown>;
  loading = false;
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  isLoading(): boolean {
    return this.loading;
  }
  executeJavaScript(code: string): Promise<unknown> {
    return FakeWebContents.pageScript ? FakeWebContents.pageScript(this, code) : Promise.reject(new Error('no page script in this test'));
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Fires an event the way Electron does, returning whether a listener prevented it. */
  fire(name: string, details: Record<string, unknown> = {}): boolean {
    let prevented = false;
    this.emit(name, { ...details, preventDefault: () => (prevented = true) });
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  static getAllWindows = (): FakeBrowserWindow[] => FakeBrowserWindow.all.filter((w) => !w.destroyed);
  readonly webContents = new FakeWebContents();
  loaded?: string;
  visible = false;
  minimized = false;
  focused = false;
  destroyed = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.all.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loaded = url;
    return Promise.resolve();
  }
  loadFile(file: string): Promise<void> {
    this.loaded = file;
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  focus(): void {
    this.focused = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** A user's close: listeners may prevent it; otherwise the window is gone. */
  close(): void {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) {
      this.destroyed = true;
      this.emit('closed');
    }
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export interface MenuItemTemplate {
  label?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
}

export class FakeTray extends EventEmitter {
  static all: FakeTray[] = [];
  image: unknown;
  tooltip = '';
  menu?: { items: MenuItemTemplate[] };
  menus = 0;
  destroyed = false;
  constructor(image: unknown) {
    super();
    this.image = image;
    FakeTray.all.push(this);
  }
  setImage(image: unknown): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: { items: MenuItemTemplate[] }): void {
    this.menu = menu;
    this.menus += 1;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class FakeNotification extends EventEmitter {
  static shown: FakeNotification[] = [];
  static isSupported = (): boolean => true;
  constructor(readonly options: { title: string; body: string }) {
    super();
  }
  show(): void {
    FakeNotification.shown.push(this);
  }
}

export function fakeSession() {
  return {
    webRequest: { onHeadersReceived: vi.fn() },
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
  };
}

/** Everything a test may need, in one object to return from vi.mock('electron'). */
export function fakeElectron() {
  const appEvents = new EventEmitter();
  const ipcHandlers = new Map<string, Listener>();
  const session = fakeSession();
  const app = Object.assign(appEvents, {
    isPackaged: false,
    lockGranted: true,
    requestSingleInstanceLock: vi.fn(() => app.lockGranted),
    quit: vi.fn(() => {
      // Electron: before-quit (preventable), then will-quit and the exit.
      let prevented = false;
      appEvents.emit('before-quit', { preventDefault: () => (prevented = true) });
      if (!prevented) appEvents.emit('will-quit', { preventDefault: () => undefined });
    }),
    exit: vi.fn(),
    whenReady: vi.fn(() => Promise.resolve()),
    getVersion: () => '0.1.0',
    getName: () => 'cccc-dingtalk-bridge',
    getLocale: () => 'en-US',
    getPath: vi.fn((name: string) => `/tmp/fake-electron/${name}`),
    getAppPath: () => '/app',
    getLoginItemSettings: vi.fn(() => ({ openAtLogin: false, wasOpenedAtLogin: false, status: 'not-registered', executableWillLaunchAtLogin: false })),
    setLoginItemSettings: vi.fn(),
    setAppUserModelId: vi.fn(),
    dock: { hide: vi.fn(), show: vi.fn() },
  });
  const api = {
    app,
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Notification: FakeNotification,
    Menu: {
      buildFromTemplate: (items: MenuItemTemplate[]) => ({ items }),
      setApplicationMenu: vi.fn(),
    },
    nativeImage: {
      createFromPath: (path: string) => ({
        path,
        template: false,
        setTemplateImage(on: boolean) {
          this.template = on;
        },
      }),
    },
    nativeTheme: { shouldUseDarkColors: false },
    ipcMain: {
      handlers: ipcHandlers,
      handle: vi.fn((channel: string, fn: Listener) => ipcHandlers.set(channel, fn)),
      removeHandler: vi.fn((channel: string) => ipcHandlers.delete(channel)),
      on: vi.fn(),
    },
    session: { defaultSession: session },
    shell: { openExternal: vi.fn(() => Promise.resolve()) },
    dialog: { showSaveDialog: vi.fn(() => Promise.resolve({ canceled: true, filePath: '' })), showErrorBox: vi.fn() },
    powerMonitor: new EventEmitter(),
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn(), unhandle: vi.fn() },
    safeStorage: {
      isAsyncEncryptionAvailable: vi.fn(() => Promise.resolve(true)),
      getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
      encryptStringAsync: vi.fn((s: string) => Promise.resolve(Buffer.from(`enc:${s}`))),
      decryptStringAsync: vi.fn((b: Buffer) => Promise.resolve({ result: b.toString().slice(4), shouldReEncrypt: false })),
    },
  };
  // electron-store reads the default export; main's own code the named ones.
  return { ...api, default: api };
}

export type FakeElectron = ReturnType<typeof fakeElectron>;

export function resetFakes(): void {
  FakeBrowserWindow.all = [];
  FakeTray.all = [];
  FakeNotification.shown = [];
  FakeWebContents.pageScript = undefined;
}
