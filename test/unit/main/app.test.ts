import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiEvent, BridgeStatusView, BridgeSummary } from '../../../electron/shared/api';
import { IPC_EVENT, IPC_INVOKE } from '../../../electron/shared/api';
import { expectQuietFor } from '../../helpers/wait';
import { FakeBrowserWindow, FakeNotification, FakeTray, resetFakes, type fakeElectron, type MenuItemTemplate } from './fake-electron';

const h = vi.hoisted(() => ({
  electron: undefined as unknown as ReturnType<typeof fakeElectron>,
  service: undefined as unknown as FakeService,
  serviceOptions: undefined as unknown as Record<string, unknown>,
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
  createControlService: (options: Record<string, unknown>) => {
    h.serviceOptions = options;
    return h.service;
  },
}));

function status(state: BridgeStatusView['state'], dingtalk: BridgeStatusView['dingtalk']['status'] = 'idle'): BridgeStatusView {
  return { state, dingtalk: { status: dingtalk }, cccc: { status: 'up' }, outboxDepth: 0, inboxDepth: 0 };
}

/** Node 20 has no Promise.withResolvers. */
function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** The control service as main sees it: handlers, events, a supervisor, close(). */
class FakeService {
  readonly bus = new EventEmitter();
  bridges: BridgeSummary[] = [];
  closeGate = gate();
  readonly calls: [string, unknown][] = [];
  readonly supervisor = { autoStart: vi.fn(async () => undefined), onResume: vi.fn(), onNetworkChange: vi.fn() };
  readonly close = vi.fn(() => this.closeGate.promise);
  readonly events = {
    subscribe: (listener: (e: ApiEvent) => void) => {
      this.bus.on('event', listener);
      return () => this.bus.off('event', listener);
    },
  };
  readonly handlers = new Proxy({} as Record<string, (input: unknown) => Promise<unknown>>, {
    get: (_t, method: string) => async (input: unknown) => {
      this.calls.push([method, input]);
      if (method === 'listBridges') return this.bridges;
      if (method === 'setAppSettings') return input;
      return { ok: method };
    },
  });
  emit(event: ApiEvent): void {
    this.bus.emit('event', event);
  }
}

function bridge(id: string, name: string, s: BridgeStatusView): BridgeSummary {
  return {
    id,
    name,
    groupId: 'g_1',
    appKey: 'dingabc',
    secretSet: true,
    secretSource: 'vault',
    autoStart: true,
    settings: {
      replyLanguage: 'en',
      access: { mode: 'everyone' },
      maxFileMb: 20,
      maxMessageChars: 20_000,
      catchUp: 'resume',
      auditContent: false,
      thinkingReaction: true,
      cards: true,
      cardTemplateId: '382e4302-551d-4880-bf29-a30acfab2e71.schema',
      monthlyApiBudget: null,
      buttonCards: true,
      buttonCardTemplateId: '',
      approvers: [],
    },
    status: s,
  };
}

const { runApp } = await import('../../../electron/main/app');

let dir: string;
const argv = process.argv;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'app-'));
  vi.stubEnv('XDG_CONFIG_HOME', join(dir, 'xdg'));
  resetFakes();
  h.electron.app.removeAllListeners();
  h.electron.powerMonitor.removeAllListeners();
  h.electron.app.lockGranted = true;
  h.electron.app.quit.mockClear();
  h.electron.app.getPath.mockImplementation((name: string) => join(dir, name));
  h.electron.ipcMain.handlers.clear();
  h.service = new FakeService();
});

afterEach(async () => {
  process.argv = argv;
  // Quit whatever the test started, so no watcher or listener outlives it.
  if (h.electron.app.listenerCount('before-quit') > 0) {
    h.service.closeGate.resolve();
    h.electron.app.quit();
    await vi.waitFor(() => expect(FakeTray.all.every((t) => t.destroyed)).toBe(true));
  }
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

async function started(): Promise<{ win: FakeBrowserWindow; tray: FakeTray }> {
  runApp();
  await vi.waitFor(() => expect(FakeBrowserWindow.all).toHaveLength(1));
  await vi.waitFor(() => expect(FakeTray.all[0]?.menu).toBeDefined());
  return { win: FakeBrowserWindow.all[0]!, tray: FakeTray.all[0]! };
}

function menuLabels(tray: FakeTray): (string | undefined)[] {
  return tray.menu!.items.map((i) => (i.type === 'separator' ? '—' : i.label));
}

function click(tray: FakeTray, label: string): void {
  const item = tray.menu!.items.find((i: MenuItemTemplate) => i.label === label);
  if (!item?.click) throw new Error(`no menu item "${label}"`);
  item.click();
}

describe('desktop app lifecycle', () => {
  it('a second instance quits at once and the first one comes to the front', async () => {
    h.electron.app.lockGranted = false;
    const readyCalls = h.electron.app.whenReady.mock.calls.length;
    runApp();
    expect(h.electron.app.quit).toHaveBeenCalled();
    expect(h.electron.app.whenReady.mock.calls.length).toBe(readyCalls);
    await expectQuietFor(10, 'no window from the second instance', () => FakeBrowserWindow.all.length === 0);
    expect(FakeBrowserWindow.all).toHaveLength(0);
    h.electron.app.quit.mockClear();
    h.electron.app.removeAllListeners();

    h.electron.app.lockGranted = true;
    const { win } = await started();
    win.hide();
    win.minimized = true;
    h.electron.app.emit('second-instance', {}, ['app', '--hidden']);
    expect(win.isVisible()).toBe(false);
    h.electron.app.emit('second-instance', {}, ['app']);
    expect([win.isVisible(), win.isMinimized(), win.focused]).toEqual([true, false, true]);
  });

  it('starts services, auto-started bridges, the tray, then one hardened window; IPC answers it', async () => {
    const { win, tray } = await started();
    // The CLI's config folder: one configuration for both.
    expect(h.serviceOptions).toMatchObject({ hostKind: 'app', configHome: join(dir, 'xdg', 'cccc-dingtalk') });
    expect(h.service.supervisor.autoStart).toHaveBeenCalledTimes(1);
    expect(tray.image).toMatchObject({ path: join('/app', 'assets', 'tray', 'linux', 'stopped.png') });
    expect(win.options['webPreferences']).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(String((win.options['webPreferences'] as Record<string, unknown>)['preload'])).toMatch(/preload[/\\]index\.cjs$/);
    expect(win.loaded).toBe('app://bundle/index.html');
    expect(h.electron.session.defaultSession.webRequest.onHeadersReceived).toHaveBeenCalled();
    // app:// is privileged before ready and serves the built renderer, CSP on every answer.
    expect(h.electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
    ]);
    expect(h.electron.protocol.handle.mock.calls[0]![0]).toBe('app');
    const serve = h.electron.protocol.handle.mock.calls[0]![1] as (r: Request) => Promise<Response>;
    const missing = await serve(new Request('app://bundle/../../etc/passwd'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toContain("script-src 'self'");

    const invoke = h.electron.ipcMain.handlers.get(IPC_INVOKE)!;
    const pageUrl = 'app://bundle/index.html';
    expect(await invoke({ sender: win.webContents, senderFrame: { url: pageUrl, parent: null } }, 'vault', {})).toEqual({ ok: true, result: { ok: 'vault' } });
    expect(await invoke({ sender: win.webContents, senderFrame: { url: 'https://evil.example/', parent: null } }, 'vault', {})).toMatchObject({
      ok: false,
      problem: { code: 'ipc.forbidden' },
    });
    win.emit('ready-to-show');
    expect(win.isVisible()).toBe(true);
  });

  it("keeps its bridges in the CLI's config.json: an older app's come in once; a damaged file stops the start, naming file and line", async () => {
    const configHome = join(dir, 'xdg', 'cccc-dingtalk');
    await mkdir(join(dir, 'userData'), { recursive: true });
    await writeFile(
      join(dir, 'userData', 'cccc-dingtalk-bridge.json'),
      JSON.stringify({ profiles: [{ id: 'old-1', name: 'Old', groupId: 'g_1', appKey: 'dingabc', autoStart: true }] }),
    );
    await started();
    const config = JSON.parse(await readFile(join(configHome, 'config.json'), 'utf8')) as { bridges: { id: string; secret: unknown }[]; imported: string[] };
    expect(config.bridges).toEqual([expect.objectContaining({ id: 'old-1', secret: { from: 'keychain' } })]);
    expect(config.imported).toEqual(['desktop-app-store']);
    h.service.closeGate.resolve();
    h.electron.app.quit();
    await vi.waitFor(() => expect(FakeTray.all.every((t) => t.destroyed)).toBe(true));
    h.electron.app.removeAllListeners();

    await writeFile(join(configHome, 'config.json'), '{\n  "version": 2,\n  "bridges": [}\n');
    runApp();
    await vi.waitFor(() => expect(h.electron.dialog.showErrorBox).toHaveBeenCalled());
    expect(h.electron.dialog.showErrorBox.mock.calls[0]![1]).toMatch(/^config\.json line 3: not valid JSON/);
    expect(FakeBrowserWindow.all).toHaveLength(1);
  });

  it('stays in the tray when the OS launched it at login', async () => {
    process.argv = [...argv, '--hidden'];
    const { win } = await started();
    win.emit('ready-to-show');
    expect(win.isVisible()).toBe(false);
  });

  it('closing the window hides it; quitting stops every bridge first, then really quits', async () => {
    const { win, tray } = await started();
    const willQuit = vi.fn();
    h.electron.app.on('will-quit', willQuit);
    win.show();
    win.close();
    expect([win.isDestroyed(), win.isVisible()]).toEqual([false, false]);
    expect(h.service.close).not.toHaveBeenCalled();

    h.electron.app.quit();
    expect(h.service.close).toHaveBeenCalledTimes(1);
    await expectQuietFor(20, 'no will-quit while the services close', () => willQuit.mock.calls.length === 0);
    expect(willQuit).not.toHaveBeenCalled();
    // A second request while stopping does not stop twice.
    h.electron.app.quit();
    expect(h.service.close).toHaveBeenCalledTimes(1);

    h.service.closeGate.resolve();
    await vi.waitFor(() => expect(willQuit).toHaveBeenCalledTimes(1));
    expect(tray.destroyed).toBe(true);
    expect(h.electron.ipcMain.handlers.has(IPC_INVOKE)).toBe(false);
    win.close();
    expect(win.isDestroyed()).toBe(true);
  });

  it('reconnects the bridges when the machine wakes up', async () => {
    await started();
    h.electron.powerMonitor.emit('resume');
    expect(h.service.supervisor.onResume).toHaveBeenCalledTimes(1);
  });
});

describe('tray and notifications', () => {
  it('rebuilds the menu and switches the icon on every state change', async () => {
    h.service.bridges = [bridge('a', 'Alpha', status('stopped'))];
    const { tray } = await started();
    expect(menuLabels(tray)).toEqual(['Alpha — Stopped', 'Start Alpha', '—', 'Open dashboard', 'View logs', 'Settings…', '—', 'Launch at login', '—', 'Quit']);
    const before = tray.menus;

    h.service.bridges = [bridge('a', 'Alpha', status('running', 'connected'))];
    h.service.emit({ type: 'bridge-status', bridgeId: 'a', status: status('running', 'connected') });
    await vi.waitFor(() => expect(tray.menus).toBe(before + 1));
    expect(menuLabels(tray).slice(0, 2)).toEqual(['Alpha — Connected', 'Stop Alpha']);
    expect(tray.image).toMatchObject({ path: join('/app', 'assets', 'tray', 'linux', 'connected.png') });
    expect(tray.tooltip).toBe('Connected (1/1)');

    // Log records do not touch the tray.
    h.service.emit({ type: 'log', record: { ts: 1, level: 'info', scope: 'x', msg: 'm' } });
    await expectQuietFor(20, 'no menu rebuild for a log record', () => tray.menus === before + 1);
    expect(tray.menus).toBe(before + 1);
  });

  it('menu entries start and stop bridges, open views, toggle launch at login, and quit', async () => {
    h.service.bridges = [bridge('a', 'Alpha', status('stopped'))];
    const { tray, win } = await started();
    click(tray, 'Start Alpha');
    await vi.waitFor(() => expect(h.service.calls).toContainEqual(['startBridge', { bridgeId: 'a' }]));

    click(tray, 'View logs');
    expect(win.isVisible()).toBe(true);
    expect(win.webContents.sent).toContainEqual({ channel: IPC_EVENT, payload: { type: 'navigate', view: 'logs' } });

    click(tray, 'Launch at login');
    await vi.waitFor(() => expect(h.service.calls).toContainEqual(['setAppSettings', { launchAtLogin: true }]));

    click(tray, 'Quit');
    expect(h.service.close).toHaveBeenCalled();
  });

  it('launch at login writes the real XDG entry through the host, and the checkbox shows it', async () => {
    const { tray } = await started();
    const host = h.serviceOptions['host'] as { setLaunchAtLogin(on: boolean): Promise<void> };
    await host.setLaunchAtLogin(true);
    h.service.emit({ type: 'bridges-changed' });
    await vi.waitFor(() => expect(tray.menu!.items.find((i) => i.label === 'Launch at login')?.checked).toBe(true));
    await host.setLaunchAtLogin(false);
    h.service.emit({ type: 'bridges-changed' });
    await vi.waitFor(() => expect(tray.menu!.items.find((i) => i.label === 'Launch at login')?.checked).toBe(false));
  });

  it('pushes events to the window and notifies problems that need the user; a click opens the dashboard', async () => {
    h.service.bridges = [bridge('a', 'Alpha', status('error'))];
    const { win } = await started();
    await vi.waitFor(() => expect(FakeTray.all[0]!.tooltip).toBe('Needs attention (0/1)'));
    const problem = {
      type: 'problem',
      bridgeId: 'a',
      problem: { code: 'dingtalk.invalid_credentials', message: 'Invalid AppKey/AppSecret', retryable: false },
    } as const;
    h.service.emit(problem);
    h.service.emit(problem);
    expect(win.webContents.sent.filter((m) => m.channel === IPC_EVENT && (m.payload as ApiEvent).type === 'problem')).toHaveLength(2);
    expect(FakeNotification.shown.map((n) => n.options.title)).toEqual(['Alpha: DingTalk rejected the AppKey/AppSecret']);
    FakeNotification.shown[0]!.emit('click');
    expect(win.isVisible()).toBe(true);
    expect(win.webContents.sent).toContainEqual({ channel: IPC_EVENT, payload: { type: 'navigate', view: 'dashboard' } });

    h.service.emit({ type: 'pending', bridgeId: 'a', pending: { key: 'k', chatId: 'c', chatTitle: 'Team', senderNick: 'Li', createdAt: 1, expiresAt: 2 } });
    expect(FakeNotification.shown.map((n) => n.options.title)).toContain('A DingTalk chat asks to subscribe');
  });
});
