/**
 * `--smoke-test` (electron/main/smoke-test.ts), with Electron mocked: CI runs the packaged Linux
 * app under xvfb with it, and this is the proof here that the flag does what CI relies on —
 * exit 0 only after the tray, the window and an IPC round trip worked, 1 with a message otherwise.
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_INVOKE } from '../../../electron/shared/api';
import { finishSmokeTest, isSmokeTest, ROUND_TRIP_SCRIPT, runSmokeTest, type SmokePage } from '../../../electron/main/smoke-test';
import { FakeBrowserWindow, FakeTray, FakeWebContents, resetFakes, type fakeElectron } from './fake-electron';

const h = vi.hoisted(() => ({
  electron: undefined as unknown as ReturnType<typeof fakeElectron>,
  service: undefined as unknown as SmokeService,
  failStart: false,
}));

vi.mock('electron', async () => {
  const { fakeElectron: make } = await import('./fake-electron');
  h.electron = make();
  return h.electron;
});

vi.mock('electron-log/node', () => {
  const noop = vi.fn();
  return { default: { transports: { file: {}, console: {} }, debug: noop, info: noop, warn: noop, error: noop } };
});

vi.mock('../../../electron/core/control/service', () => ({
  createControlService: () => {
    if (h.failStart) throw new Error('settings file damaged');
    return h.service;
  },
}));

/** The control service as main sees it; listBridges answers (or fails) as the test says. */
class SmokeService {
  listBridges: () => Promise<unknown[]> = async () => [];
  readonly supervisor = { autoStart: vi.fn(async () => undefined), onResume: vi.fn(), onNetworkChange: vi.fn() };
  readonly close = vi.fn(async () => undefined);
  readonly events = { subscribe: () => () => undefined };
  readonly handlers = new Proxy({} as Record<string, (input: unknown) => Promise<unknown>>, {
    get: (_t, method: string) => async () => {
      if (method === 'listBridges') return this.listBridges();
      if (method === 'getAppSettings') return {};
      return {};
    },
  });
}

/** A page for runSmokeTest alone: loaded or loading, answering the round trip with `answer`. */
class Page extends EventEmitter implements SmokePage {
  readonly scripts: string[] = [];
  constructor(
    private loading: boolean,
    private readonly answer: () => Promise<unknown>,
  ) {
    super();
  }
  isLoading(): boolean {
    return this.loading;
  }
  executeJavaScript(code: string): Promise<unknown> {
    this.scripts.push(code);
    return this.answer();
  }
  finishLoading(): void {
    this.loading = false;
    this.emit('did-finish-load');
  }
}

describe('runSmokeTest', () => {
  const ok = async (): Promise<unknown> => ({ ok: true, result: [] });

  it('passes once the page has loaded and the API answered over IPC', async () => {
    const page = new Page(true, ok);
    const result = runSmokeTest({ tray: () => true, page: () => page });
    await vi.waitFor(() => expect(page.listenerCount('did-finish-load')).toBe(1));
    expect(page.scripts).toEqual([]);
    page.finishLoading();
    expect(await result).toEqual({ ok: true, detail: expect.stringContaining('IPC round trip') });
    expect(page.scripts).toEqual([ROUND_TRIP_SCRIPT]);
  });

  it('fails without a tray, without a window, or when the page does not load', async () => {
    expect(await runSmokeTest({ tray: () => false, page: () => new Page(false, ok) })).toEqual({ ok: false, message: 'there is no tray icon' });
    expect(await runSmokeTest({ tray: () => true, page: () => undefined })).toEqual({ ok: false, message: 'there is no window' });
    const page = new Page(true, ok);
    const result = runSmokeTest({ tray: () => true, page: () => page });
    await vi.waitFor(() => expect(page.listenerCount('did-fail-load')).toBe(1));
    page.emit('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND');
    expect(await result).toEqual({ ok: false, message: 'the page did not load: ERR_FILE_NOT_FOUND (-6)' });
  });

  it('fails when the page has no preload API, the call fails, or nothing answers in time', async () => {
    const noPreload = new Page(false, () => Promise.reject(new Error("Cannot read properties of undefined (reading 'invoke')")));
    expect(await runSmokeTest({ tray: () => true, page: () => noPreload })).toEqual({ ok: false, message: expect.stringContaining("reading 'invoke'") });
    const odd = new Page(false, async () => 'hello');
    expect(await runSmokeTest({ tray: () => true, page: () => odd })).toEqual({ ok: false, message: expect.stringContaining('no API answer over IPC') });
    const refused = new Page(false, async () => ({ ok: false, problem: { code: 'ipc.forbidden', message: 'This page may not use the app' } }));
    expect(await runSmokeTest({ tray: () => true, page: () => refused })).toEqual({
      ok: false,
      message: 'the API call failed: ipc.forbidden: This page may not use the app',
    });
    const silent = new Page(false, () => new Promise(() => undefined));
    expect(await runSmokeTest({ tray: () => true, page: () => silent, timeoutMs: 50 })).toEqual({ ok: false, message: 'no answer within 0.05 s' });
  });

  it('finishSmokeTest says how it went, stops the services, then exits 0 or 1', async () => {
    const order: string[] = [];
    const exit = {
      stop: async () => void order.push('stop'),
      exit: (code: number) => void order.push(`exit ${code}`),
      write: (line: string) => void order.push(line),
    };
    await finishSmokeTest({ ok: true, detail: 'all fine' }, exit);
    await finishSmokeTest({ ok: false, message: 'no window' }, { ...exit, stop: () => Promise.reject(new Error('stuck')) });
    expect(order).toEqual(['smoke test passed: all fine', 'stop', 'exit 0', 'smoke test failed: no window', 'exit 1']);
  });

  it('is on only with the flag', () => {
    expect(isSmokeTest(['electron', '.', '--smoke-test'])).toBe(true);
    expect(isSmokeTest(['electron', '.', '--hidden'])).toBe(false);
  });
});

const { runApp } = await import('../../../electron/main/app');

describe('the desktop app with --smoke-test', () => {
  let dir: string;
  const argv = process.argv;
  let stderr: string[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smoke-'));
    vi.stubEnv('XDG_CONFIG_HOME', join(dir, 'xdg'));
    resetFakes();
    h.electron.app.removeAllListeners();
    h.electron.app.lockGranted = true;
    h.electron.app.exit.mockClear();
    h.electron.app.getPath.mockImplementation((name: string) => join(dir, name));
    h.electron.ipcMain.handlers.clear();
    h.service = new SmokeService();
    h.failStart = false;
    process.argv = [...argv, '--smoke-test'];
    stderr = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
  });

  afterEach(async () => {
    process.argv = argv;
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  /** The page answers like the preload does: through main's IPC handler, as the app's own page. */
  function pageCallsMainOverIpc(): void {
    FakeWebContents.pageScript = async (contents, code) => {
      if (code !== ROUND_TRIP_SCRIPT) throw new Error(`unexpected script ${code}`);
      const invoke = h.electron.ipcMain.handlers.get(IPC_INVOKE)!;
      return invoke({ sender: contents, senderFrame: { url: 'app://bundle/index.html', parent: null } }, 'listBridges', {});
    };
  }

  async function exitCode(): Promise<number> {
    await vi.waitFor(() => expect(h.electron.app.exit).toHaveBeenCalledTimes(1));
    return h.electron.app.exit.mock.calls[0]![0] as number;
  }

  it('starts the tray and the window, answers one IPC call, stops the services and exits 0 — starting no bridge', async () => {
    pageCallsMainOverIpc();
    runApp();
    expect(await exitCode()).toBe(0);
    expect(FakeBrowserWindow.all).toHaveLength(1);
    expect(FakeTray.all).toHaveLength(1);
    expect(h.service.supervisor.autoStart).not.toHaveBeenCalled();
    expect(h.service.close).toHaveBeenCalledTimes(1);
    expect(FakeTray.all[0]!.destroyed).toBe(true);
    expect(stderr.join('')).toContain('smoke test passed: tray, window and an IPC round trip (listBridges: 0 bridges)');
  });

  it('exits 1 with the reason when the IPC call fails', async () => {
    h.service.listBridges = () => Promise.reject(new Error('boom'));
    pageCallsMainOverIpc();
    runApp();
    expect(await exitCode()).toBe(1);
    expect(stderr.join('')).toMatch(/smoke test failed: the API call failed: .*boom/);
  });

  it('exits 1 with the reason, and shows no dialog, when the app cannot start', async () => {
    h.failStart = true;
    const dialog = vi.fn();
    (h.electron.dialog as unknown as { showErrorBox: typeof dialog }).showErrorBox = dialog;
    runApp();
    expect(await exitCode()).toBe(1);
    expect(dialog).not.toHaveBeenCalled();
    expect(stderr.join('')).toContain('smoke test failed: settings file damaged');
  });

  it('exits 1 when another instance holds the lock', async () => {
    h.electron.app.lockGranted = false;
    runApp();
    expect(await exitCode()).toBe(1);
    expect(stderr.join('')).toContain('smoke test failed: another instance of the app is running');
  });
});
