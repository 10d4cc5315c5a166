import { beforeEach, describe, expect, it, vi } from 'vitest';

const windows: { options: Record<string, unknown>; loaded?: string }[] = [];
const handlers = new Map<string, (...args: unknown[]) => unknown>();
let gotLock = true;
const quit = vi.fn();

vi.mock('electron', () => {
  class BrowserWindow {
    static getAllWindows = () => [];
    record: { options: Record<string, unknown>; loaded?: string };
    constructor(options: Record<string, unknown>) {
      this.record = { options };
      windows.push(this.record);
    }
    once() {}
    loadURL(url: string) {
      this.record.loaded = url;
      return Promise.resolve();
    }
    loadFile(file: string) {
      this.record.loaded = file;
      return Promise.resolve();
    }
  }
  return {
    app: {
      requestSingleInstanceLock: () => gotLock,
      quit,
      on: vi.fn(),
      getVersion: () => '0.1.0',
      whenReady: () => Promise.resolve(),
    },
    BrowserWindow,
    ipcMain: { handle: (channel: string, fn: (...args: unknown[]) => unknown) => handlers.set(channel, fn) },
  };
});

beforeEach(() => {
  windows.length = 0;
  handlers.clear();
  quit.mockClear();
  vi.resetModules();
});

describe('electron main', () => {
  it('opens one hardened window with the sandboxed CommonJS preload', async () => {
    gotLock = true;
    await import('../../../electron/main/index');
    await vi.waitFor(() => expect(windows).toHaveLength(1));
    const prefs = windows[0]!.options['webPreferences'] as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(String(prefs['preload'])).toMatch(/preload[/\\]index\.cjs$/);
    expect(handlers.get('app:info')?.()).toEqual({ name: 'CCCC DingTalk Bridge', version: '0.1.0', platform: process.platform });
  });

  it('quits at once when another instance already runs', async () => {
    gotLock = false;
    await import('../../../electron/main/index');
    expect(quit).toHaveBeenCalled();
    expect(windows).toHaveLength(0);
  });
});
