/** The control services wired to a fake DingTalk and a fake CCCC daemon, with file stores in a temporary config folder. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiEvent, ApiHandlers, ApiMethod, ApiResult } from '../../../electron/shared/api';
import { createControlService, type ControlService, type ControlServiceOptions } from '../../../electron/core/control/service';
import { FileAppSettingsStore, FileProfileStore, FileSecretStore } from '../../../electron/core/control/file-stores';
import { LogHub } from '../../../electron/core/control/log-hub';
import type { HostAdapter } from '../../../electron/core/control/stores';
import { FakeCcccDaemon } from '../../fakes/cccc/daemon';
import type { FakeGroupInit } from '../../../electron/sandbox/cccc/fake-group';
import { startFakeDingTalk, type FakeDingTalk, type FakeDingTalkOptions } from '../../fakes/dingtalk';
import { TrayNotifier, type TrayNotice } from '../../../electron/desktop/tray/model';

export interface TestHost extends HostAdapter {
  opened: string[];
  launchAtLogin: boolean[];
  exportPath: string | undefined;
}

export interface ControlWorld {
  dt: FakeDingTalk;
  cccc: FakeCcccDaemon;
  groupId: string;
  configHome: string;
  appKey: string;
  appSecret: string;
  env: NodeJS.ProcessEnv;
  host: TestHost;
  logHub: LogHub;
  service: ControlService;
  h: ApiHandlers;
  /** Every event so far. */
  events: ApiEvent[];
  /** Every result returned through `call`, for the no-secret check. */
  results: unknown[];
  call<M extends ApiMethod>(method: M, input: Parameters<ApiHandlers[M]>[0]): Promise<ApiResult<M>>;
  /** A new bridge for the fake app (AppSecret typed in), returning its id. */
  addBridge(extra?: Partial<Parameters<ApiHandlers['saveBridge']>[0]>): Promise<string>;
  close(): Promise<void>;
}

export interface WorldOptions {
  dingtalk?: FakeDingTalkOptions;
  group?: FakeGroupInit;
  service?: Partial<ControlServiceOptions>;
  env?: NodeJS.ProcessEnv;
}

export async function startControlWorld(o: WorldOptions = {}): Promise<ControlWorld> {
  const dt = await startFakeDingTalk({ qpsLimit: 1000, ...o.dingtalk });
  const cccc = await FakeCcccDaemon.start();
  const groupId = await cccc.createGroup({ title: 'Demo project', actors: ['boss', 'helper'], ...o.group });
  const configHome = await mkdtemp(join(tmpdir(), 'control-home-'));
  const app = dt.apps[0]!;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: configHome,
    CCCC_HOME: cccc.home,
    DINGTALK_API_BASE: dt.apiBase,
    DINGTALK_OAPI_BASE: dt.oapiBase,
    ...o.env,
  };
  const host: TestHost = {
    opened: [],
    launchAtLogin: [],
    exportPath: join(configHome, 'export.jsonl'),
    async openExternal(url) {
      host.opened.push(url);
      return true;
    },
    async chooseExportPath() {
      return host.exportPath;
    },
    setLaunchAtLogin(on) {
      host.launchAtLogin.push(on);
    },
  };
  const logHub = new LogHub({ minLevel: 'debug' });
  const service = createControlService({
    profiles: new FileProfileStore(configHome),
    secrets: new FileSecretStore(configHome),
    appSettings: new FileAppSettingsStore(configHome),
    host,
    logHub,
    configHome,
    hostKind: 'serve',
    env,
    bridgeServices: { ledgerPollMs: 200, daemonPollMs: 200, stream: { backoff: { baseMs: 100, capMs: 500, jitterMs: 0 } } },
    restartBackoff: { baseMs: 200, capMs: 2_000, jitterMs: 0 },
    drainMs: 500,
    streamProbeTimeoutMs: 5_000,
    daemonTimeoutMs: 2_000,
    ...o.service,
  });
  const events: ApiEvent[] = [];
  service.events.subscribe((e) => events.push(e));
  const results: unknown[] = [];
  const w: ControlWorld = {
    dt,
    cccc,
    groupId,
    configHome,
    appKey: app.appKey,
    appSecret: app.appSecret,
    env,
    host,
    logHub,
    service,
    h: service.handlers,
    events,
    results,
    async call(method, input) {
      const result = await (service.handlers[method] as (i: unknown) => Promise<unknown>)(input);
      results.push(result);
      return result as never;
    },
    async addBridge(extra = {}) {
      const s = await w.call('saveBridge', { name: 'Demo', groupId, appKey: app.appKey, appSecret: app.appSecret, ...extra });
      return s.id;
    },
    async close() {
      await service.close();
      await dt.close();
      await cccc.close();
      await rm(configHome, { recursive: true, force: true });
    },
  };
  return w;
}

/** Everything the services showed the outside: results, events, log records. */
export function everythingShown(w: ControlWorld): string {
  return JSON.stringify([w.results, w.events, w.logHub.query({ limit: 5_000 })]);
}

/** The desktop notifications the app would show for the events so far (as electron/main does). */
export function desktopNotices(w: ControlWorld): TrayNotice[] {
  const notifier = new TrayNotifier();
  return w.events.flatMap((e) => notifier.notice(e, 'en', () => undefined) ?? []);
}
