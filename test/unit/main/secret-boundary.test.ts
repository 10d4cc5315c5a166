/**
 * The AppSecret goes in through IPC and never comes back out: not in any answer, any pushed
 * event, any log record the renderer can query, nor in the store file or config.json. Real
 * control service, real vault and stores, the real IPC dispatcher; only Electron itself is faked.
 */
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiEvent, ApiMethod } from '../../../electron/shared/api';
import { FileProfileStore } from '../../../electron/core/control/file-stores';
import { LogHub } from '../../../electron/core/control/log-hub';
import { createControlService, type ControlService } from '../../../electron/core/control/service';
import { FakeBrowserWindow } from './fake-electron';

const h = vi.hoisted(() => ({ userData: '' }));
vi.mock('electron', async () => {
  const fake = (await import('./fake-electron')).fakeElectron();
  fake.app.getPath.mockImplementation(() => h.userData);
  return fake;
});

const { dispatch } = await import('../../../electron/main/ipc');
const { openAppStore, StoreAppSettings, Vault } = await import('../../../electron/main/vault');

const SECRET = 'S3cr3t-AppSecret-9f8e7d6c5b4a';

/** A port nothing listens on, so the credential test fails fast and locally. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let dir: string;
let service: ControlService;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secret-boundary-'));
  h.userData = join(dir, 'userData');
});

afterEach(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('no secret reachable from the renderer', () => {
  it('every answer, event and log record over IPC is free of the AppSecret; the store holds ciphertext', async () => {
    const port = await closedPort();
    const store = openAppStore();
    const safe = {
      isAsyncEncryptionAvailable: async () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret' as const,
      encryptStringAsync: async (s: string) => Buffer.from(Buffer.from(s, 'utf8').map((b) => b ^ 0x77)),
      decryptStringAsync: async (b: Buffer) => ({ result: Buffer.from(b.map((x) => x ^ 0x77)).toString('utf8'), shouldReEncrypt: false }),
    };
    service = createControlService({
      profiles: new FileProfileStore(join(dir, 'config')),
      secrets: new Vault(store, safe, 'linux'),
      appSettings: new StoreAppSettings(store, async () => false),
      host: { openExternal: async () => true, chooseExportPath: async () => undefined },
      logHub: new LogHub({ minLevel: 'debug' }),
      configHome: join(dir, 'config'),
      hostKind: 'app',
      env: { CCCC_HOME: join(dir, 'cccc'), DINGTALK_API_BASE: `http://127.0.0.1:${port}`, DINGTALK_OAPI_BASE: `http://127.0.0.1:${port}` },
      daemonTimeoutMs: 500,
      streamProbeTimeoutMs: 1_000,
      logFiles: false,
    });
    const events: ApiEvent[] = [];
    service.events.subscribe((e) => events.push(e));

    const win = new FakeBrowserWindow({});
    const page = { url: 'app://bundle/index.html' };
    const o = { handlers: service.handlers, page, windows: () => [win] as never[], log: new LogHub().logger('ipc') };
    const event = { sender: win.webContents, senderFrame: { url: 'app://bundle/index.html', parent: null } } as never;
    const call = (method: ApiMethod, input: unknown) => dispatch(o, event, method, input);

    const saved = await call('saveBridge', { name: 'Alpha', groupId: 'g_1', appKey: 'dingabc', appSecret: SECRET });
    expect(saved).toMatchObject({ ok: true, result: { secretSet: true, secretSource: 'vault' } });
    const id = (saved as { result: { id: string } }).result.id;

    const answers = [
      saved,
      await call('listBridges', {}),
      await call('getBridge', { bridgeId: id }),
      await call('vault', {}),
      await call('getAppSettings', {}),
      await call('testCredentials', { bridgeId: id }),
      await call('testCredentials', { appKey: 'dingabc', appSecret: SECRET }),
      await call('startBridge', { bridgeId: id }),
      await call('logs', { level: 'debug', limit: 5_000 }),
      await call('saveBridge', { id, name: 'Alpha', groupId: 'g_1', appKey: 'dingabc', appSecret: SECRET.slice(0, -1) + 'x' }),
      // The secret as a wrong value of another field is not echoed either.
      await call('openExternal', { url: SECRET }),
    ];
    expect(answers.filter((a) => a.ok).length).toBeGreaterThanOrEqual(6);
    expect(events.length).toBeGreaterThan(0);
    const everything = JSON.stringify({ answers, events });
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(SECRET.slice(0, -1));
    expect(await readFile(store.path, 'utf8')).not.toContain(SECRET.slice(0, 12));
    // The shared configuration records where the secret is, never the secret.
    const config = await readFile(join(dir, 'config', 'config.json'), 'utf8');
    expect(config).toContain('"from": "keychain"');
    expect(config).not.toContain(SECRET.slice(0, 12));
  });
});
