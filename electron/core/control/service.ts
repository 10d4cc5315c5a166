/**
 * The control services behind the UI, shared by the desktop app (over IPC) and `serve` (over
 * HTTP): every method of the API table (electron/shared/api.ts), and the events the UI listens
 * to. The host brings its stores and its few powers (stores.ts); this composes the parts:
 *
 *   known-secrets    every secret seen, to scrub        app-secrets      the AppSecret a bridge uses
 *   sandbox-switch   the "try it first" sandbox         endpoint-policy  where a secret may go
 *   event-fanout     supervisor + log → ApiEvents       handlers/*       the table, by area
 *   config-watch     config.json changed elsewhere → the UI and the running bridges
 *   scan-sessions    one-scan setup (its secret goes straight into the secret store)
 *   scrubbed-handlers  results scrubbed, failures BridgeErrors
 *
 * Secrets only travel inward. Every result and every event is scrubbed of every secret the
 * services know before it leaves; every failure leaves as a BridgeError (code, sentence, hint).
 */
import type { ApiHandlers } from '../../shared/api';
import type { BridgeServices } from '../bridge/bridge';
import type { BackoffPolicy } from '../util/backoff';
import { AppSecrets } from './app-secrets';
import { ConfigWatch } from './config-watch';
import type { ControlContext, HostStores } from './context';
import { EndpointPolicy } from './endpoint-policy';
import { EventFanout, type ControlEvents } from './event-fanout';
import { appHandlers } from './handlers/app';
import { bridgeHandlers } from './handlers/bridges';
import { cardHandlers } from './handlers/cards';
import { credentialHandlers } from './handlers/credentials';
import { logHandlers } from './handlers/logs';
import { scanHandlers } from './handlers/scan';
import { settingsHandlers } from './handlers/settings';
import { subscriptionHandlers } from './handlers/subscriptions';
import { KnownSecrets } from './known-secrets';
import { SandboxSwitch } from './sandbox-switch';
import { ScanSessions } from './scan-sessions';
import { scrubbedHandlers } from './scrubbed-handlers';
import type { SandboxHost } from './stores';
import { Supervisor } from './supervisor';

export type { ControlEvents } from './event-fanout';

export interface ControlServiceOptions extends HostStores {
  /** What we are, for the instance locks: the desktop app, or `serve`. */
  hostKind: 'app' | 'serve';
  /** Environment: CCCC_HOME, DINGTALK_API_BASE, secrets named by profiles. Default process.env. */
  env?: NodeJS.ProcessEnv;
  bridgeServices?: Omit<BridgeServices, 'logger' | 'secrets'>;
  restartBackoff?: BackoffPolicy;
  drainMs?: number;
  logFiles?: boolean;
  /** How long the credential test waits for the Stream connection; default 15 s. */
  streamProbeTimeoutMs?: number;
  /** How long to wait for the CCCC daemon's answers; default 3 s. */
  daemonTimeoutMs?: number;
  /** The DingTalk sandbox ("try it first"); absent in a build without it. Stopped by close(). */
  sandbox?: SandboxHost;
}

export interface ControlService {
  handlers: ApiHandlers;
  events: ControlEvents;
  supervisor: Supervisor;
  /** Stops every bridge (outboxes stay on disk) and every listener. */
  close(): Promise<void>;
}

export function createControlService(options: ControlServiceOptions): ControlService {
  const { profiles, secrets, appSettings, host, logHub, configHome } = options;
  const env = options.env ?? process.env;
  const log = logHub.logger('control');

  const sandbox = new SandboxSwitch(options.sandbox);
  const known = new KnownSecrets((value) => sandbox.isSandboxSecret(value));
  logHub.addSecrets(known.list);
  const appSecrets = new AppSecrets({ profiles, secrets, appSettings, known, env });
  const endpoints = new EndpointPolicy(appSettings, sandbox, env);

  const supervisor = new Supervisor({
    profiles,
    credentialsFor: (profile) => appSecrets.credentialsFor(profile),
    logHub,
    configHome,
    env,
    endpoints: (profile) => endpoints.endpointsFor(profile),
    host: options.hostKind,
    secrets: known.list,
    ...(options.bridgeServices ? { bridgeServices: options.bridgeServices } : {}),
    ...(options.restartBackoff ? { restartBackoff: options.restartBackoff } : {}),
    ...(options.drainMs !== undefined ? { drainMs: options.drainMs } : {}),
    ...(options.logFiles !== undefined ? { logFiles: options.logFiles } : {}),
  });
  const events = new EventFanout(supervisor, logHub, known.list);
  // config.json is shared with the CLI and the other host: their changes reach the UI and the running bridges.
  const configWatch = new ConfigWatch({ configHome, supervisor, events, log });
  void configWatch.start();

  const c: ControlContext = {
    profiles,
    secrets,
    appSettings,
    host,
    logHub,
    configHome,
    env,
    log,
    supervisor,
    known,
    appSecrets,
    endpoints,
    sandbox,
    events,
    daemonTimeoutMs: options.daemonTimeoutMs ?? 3_000,
    streamProbeTimeoutMs: options.streamProbeTimeoutMs ?? 15_000,
  };
  const bridges = bridgeHandlers(c);
  const credentials = credentialHandlers(c);
  const scans = new ScanSessions({
    secrets,
    known,
    canStore: async () => !(await appSettings.get()).envSecretMode && (await secrets.info()).backend !== 'unavailable',
    oapiBase: async () => (await endpoints.registrationEndpoints()).oapiBase,
    check: (appKey, appSecret) => credentials.testCredentials({ appKey, appSecret }),
    log: log.child('scan'),
  });
  const raw: ApiHandlers = {
    ...bridges,
    ...subscriptionHandlers(c),
    ...cardHandlers(c),
    ...credentials,
    ...logHandlers(c),
    ...settingsHandlers(c),
    ...appHandlers(c),
    ...scanHandlers(scans, bridges.saveBridge),
  };

  return {
    handlers: scrubbedHandlers(raw, { ready: appSecrets.ready, secrets: known.list, log }),
    events,
    supervisor,
    async close() {
      configWatch.close();
      await scans.discard();
      await supervisor.stopAll();
      await sandbox.stopIfAny().catch((err: unknown) => log.warn('Stopping the sandbox failed', { error: err }));
      events.close();
      supervisor.removeAllListeners();
    },
  };
}
