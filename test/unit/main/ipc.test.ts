import { describe, expect, it, vi } from 'vitest';
import { API, IPC_EVENT, IPC_INVOKE, type ApiHandlers, type ApiMethod } from '../../../electron/shared/api';
import { BridgeError } from '../../../electron/core/errors';
import { memoryLogger } from '../../../electron/core/log/logger';
import { FakeBrowserWindow } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron());

const { broadcast, dispatch, registerIpc } = await import('../../../electron/main/ipc');

const page = { url: 'app://bundle/index.html' };
const APP_URL = 'app://bundle/index.html#/dashboard';

/** A valid input for every method, so each is called once through the real schema. */
const SAMPLES: { [M in ApiMethod]: unknown } = {
  listBridges: {},
  getBridge: { bridgeId: 'b1' },
  listChats: {},
  saveBridge: { name: 'Alpha', groupId: 'g_1', appKey: 'dingabc', appSecret: 'the-secret' },
  bridgeEditImpact: { bridgeId: 'b1', groupId: 'g_2' },
  deleteBridge: { bridgeId: 'b1' },
  startBridge: { bridgeId: 'b1' },
  stopBridge: { bridgeId: 'b1' },
  restartBridge: { bridgeId: 'b1' },
  approvePending: { bridgeId: 'b1', key: 'k1' },
  rejectPending: { bridgeId: 'b1', key: 'k1' },
  testCredentials: { appKey: 'dingabc', appSecret: 'the-secret' },
  cccc: {},
  logs: { level: 'warn' },
  audit: { bridgeId: 'b1' },
  exportLogs: {},
  getAppSettings: {},
  setAppSettings: { theme: 'dark' },
  vault: {},
  openExternal: { url: 'https://open-dev.dingtalk.com/' },
  startSandbox: {},
  stopSandbox: {},
  startScan: {},
  scanStatus: { scanId: 'scan-1' },
  cancelScan: { scanId: 'scan-1' },
  sendTestCard: { bridgeId: 'b1', chatId: 'cid1==', templateId: 'mine.schema' },
};

function recordingHandlers(): { handlers: ApiHandlers; calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  const handlers = Object.fromEntries(
    (Object.keys(API) as ApiMethod[]).map((m) => [
      m,
      async (input: unknown) => {
        calls.push([m, input]);
        return { method: m };
      },
    ]),
  ) as unknown as ApiHandlers;
  return { handlers, calls };
}

function setup(handlers: ApiHandlers = recordingHandlers().handlers) {
  const win = new FakeBrowserWindow({});
  const log = memoryLogger();
  const o = { handlers, page, windows: () => [win] as never[], log };
  const event = (over: { url?: string; sender?: unknown; parent?: unknown; frame?: null } = {}) =>
    ({
      sender: over.sender ?? win.webContents,
      senderFrame: over.frame === null ? null : { url: over.url ?? APP_URL, parent: over.parent ?? null },
    }) as never;
  return { win, log, o, event };
}

describe('IPC: one handler for the whole API table', () => {
  it('wires every method of the table to its handler, with the parsed input', async () => {
    const { handlers, calls } = recordingHandlers();
    const { o, event } = setup(handlers);
    for (const method of Object.keys(API) as ApiMethod[]) {
      expect(await dispatch(o, event(), method, SAMPLES[method]), method).toEqual({ ok: true, result: { method } });
    }
    expect(calls.map(([m]) => m)).toEqual(Object.keys(API));
    // Parsed, not passed through: schema defaults and trimming applied.
    expect(calls.find(([m]) => m === 'saveBridge')![1]).toMatchObject({ name: 'Alpha', appSecret: 'the-secret' });
  });

  it('a handler table missing a method does not compile', () => {
    const { handlers } = recordingHandlers();
    const { vault: _vault, ...missing } = handlers;
    // @ts-expect-error — `vault` is missing
    const incomplete: ApiHandlers = missing;
    expect(Object.keys(incomplete)).not.toContain('vault');
  });

  it('refuses a foreign page, a sub-frame, another web contents and a vanished frame', async () => {
    const { handlers, calls } = recordingHandlers();
    const { o, event, log } = setup(handlers);
    const forbidden = { ok: false, problem: { code: 'ipc.forbidden', message: 'This page may not use the app', retryable: false } };
    expect(await dispatch(o, event({ url: 'https://evil.example/' }), 'vault', {})).toEqual(forbidden);
    expect(await dispatch(o, event({ url: 'file:///opt/app/out/renderer/index.html' }), 'vault', {})).toEqual(forbidden);
    expect(await dispatch(o, event({ url: 'app://other/index.html' }), 'vault', {})).toEqual(forbidden);
    expect(await dispatch(o, event({ parent: { url: APP_URL } }), 'vault', {})).toEqual(forbidden);
    expect(await dispatch(o, event({ sender: new FakeBrowserWindow({}).webContents }), 'vault', {})).toEqual(forbidden);
    expect(await dispatch(o, event({ frame: null }), 'vault', {})).toEqual(forbidden);
    expect(calls).toEqual([]);
    expect(log.records.filter((r) => r.level === 'warn')).toHaveLength(6);
  });

  it('refuses a closed window', async () => {
    const { o, event, win } = setup();
    win.destroyed = true;
    expect(await dispatch(o, event(), 'vault', {})).toMatchObject({ ok: false, problem: { code: 'ipc.forbidden' } });
  });

  it('rejects unknown methods, including inherited names', async () => {
    const { o, event } = setup();
    for (const method of ['nope', 'toString', '__proto__', 42, undefined]) {
      expect(await dispatch(o, event(), method, {})).toMatchObject({ ok: false, problem: { code: 'ipc.unknown_method' } });
    }
  });

  it('rejects invalid input with the paths at fault, never echoing the values', async () => {
    const { handlers, calls } = recordingHandlers();
    const { o, event } = setup(handlers);
    const r = await dispatch(o, event(), 'saveBridge', { name: '', groupId: 'g', appKey: 'k', appSecret: 'x'.repeat(300) });
    expect(r).toMatchObject({ ok: false, problem: { code: 'ipc.invalid_input', message: 'Invalid input for saveBridge' } });
    expect(JSON.stringify(r)).not.toContain('x'.repeat(300));
    const paths = (r as unknown as { problem: { details: { issues: { path: string }[] } } }).problem.details.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'appSecret']));
    expect(await dispatch(o, event(), 'listBridges', { extra: 1 })).toMatchObject({ ok: false, problem: { code: 'ipc.invalid_input' } });
    expect(await dispatch(o, event(), 'getBridge', undefined)).toMatchObject({ ok: false, problem: { code: 'ipc.invalid_input' } });
    expect(await dispatch(o, event(), 'openExternal', { url: 'not a url' })).toMatchObject({ ok: false, problem: { code: 'ipc.invalid_input' } });
    expect(calls).toEqual([]);
  });

  it('turns a failing handler into a problem: a BridgeError keeps its hint, anything else loses its stack', async () => {
    const { handlers } = recordingHandlers();
    handlers.startBridge = async () => {
      throw new BridgeError({
        code: 'dingtalk.invalid_credentials',
        message: 'Invalid AppKey/AppSecret',
        hint: 'Copy them from Credentials & Basic Info',
        retryable: false,
      });
    };
    handlers.vault = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')\n    at secretThing (/opt/app/main.js:1:1)");
    };
    const { o, event } = setup(handlers);
    expect(await dispatch(o, event(), 'startBridge', { bridgeId: 'b1' })).toEqual({
      ok: false,
      problem: { code: 'dingtalk.invalid_credentials', message: 'Invalid AppKey/AppSecret', hint: 'Copy them from Credentials & Basic Info', retryable: false },
    });
    const r = await dispatch(o, event(), 'vault', {});
    expect(r).toEqual({ ok: false, problem: { code: 'internal', message: "Cannot read properties of undefined (reading 'x')", retryable: true } });
    expect(JSON.stringify(r)).not.toMatch(/ at |main\.js/);
  });

  it('registers one handler on the invoke channel and removes it again', async () => {
    const { o } = setup();
    const ipcMain = { handle: vi.fn(), removeHandler: vi.fn() };
    const off = registerIpc({ ...o, ipcMain });
    expect(ipcMain.handle).toHaveBeenCalledTimes(1);
    expect(ipcMain.handle.mock.calls[0]![0]).toBe(IPC_INVOKE);
    const listener = ipcMain.handle.mock.calls[0]![1] as (...a: unknown[]) => Promise<unknown>;
    const win = o.windows()[0] as unknown as FakeBrowserWindow;
    expect(await listener({ sender: win.webContents, senderFrame: { url: APP_URL, parent: null } }, 'vault', {})).toEqual({
      ok: true,
      result: { method: 'vault' },
    });
    off();
    expect(ipcMain.removeHandler).toHaveBeenCalledWith(IPC_INVOKE);
  });

  it('pushes events to the live app windows only', () => {
    const live = new FakeBrowserWindow({});
    const closed = new FakeBrowserWindow({});
    closed.destroyed = true;
    broadcast([live, closed] as never[], { type: 'bridges-changed' });
    expect(live.webContents.sent).toEqual([{ channel: IPC_EVENT, payload: { type: 'bridges-changed' } }]);
    expect(closed.webContents.sent).toEqual([]);
  });
});
