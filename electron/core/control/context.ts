/**
 * What every group of handlers shares: the host's stores and powers, and the parts the service
 * composes (service.ts). Plus the few lookups they all make.
 */
import { DaemonClient, resolveCcccHome } from '../cccc/daemon';
import { BridgeError } from '../errors';
import type { Logger } from '../log/logger';
import type { AppSecrets } from './app-secrets';
import type { EndpointPolicy } from './endpoint-policy';
import type { EventFanout } from './event-fanout';
import type { KnownSecrets } from './known-secrets';
import type { LogHub } from './log-hub';
import type { SandboxSwitch } from './sandbox-switch';
import type { BridgeProfile } from '../config/profile';
import type { AppSettingsStore, HostAdapter, ProfileStore, SecretStore } from './stores';
import type { Supervisor } from './supervisor';

/** What the host (the desktop app or `serve`) gives the control services. */
export interface HostStores {
  profiles: ProfileStore;
  secrets: SecretStore;
  appSettings: AppSettingsStore;
  host: HostAdapter;
  logHub: LogHub;
  /** Where bridge state lives (`<configHome>/bridges/<id>/`); names us in instance locks. */
  configHome: string;
}

export interface ControlContext extends HostStores {
  env: NodeJS.ProcessEnv;
  log: Logger;
  supervisor: Supervisor;
  known: KnownSecrets;
  appSecrets: AppSecrets;
  endpoints: EndpointPolicy;
  sandbox: SandboxSwitch;
  events: EventFanout;
  /** How long to wait for the CCCC daemon's answers. */
  daemonTimeoutMs: number;
  /** How long the credential test waits for the Stream connection. */
  streamProbeTimeoutMs: number;
}

export function unknownBridge(id: string): BridgeError {
  return new BridgeError({ code: 'config.unknown_bridge', message: `No bridge "${id}"`, hint: 'It may have been deleted; reload the list.', retryable: false });
}

export async function profileOf(c: ControlContext, id: string): Promise<BridgeProfile> {
  const p = await c.profiles.get(id);
  if (!p) throw unknownBridge(id);
  return p;
}

export function ccccHomeOf(c: ControlContext, p: Pick<BridgeProfile, 'ccccHome'>): string {
  return p.ccccHome ?? resolveCcccHome({ env: c.env });
}

/** A client that fails fast: the UI waits on it. */
export function daemonOf(c: ControlContext, p: BridgeProfile): DaemonClient {
  return new DaemonClient({ home: ccccHomeOf(c, p), retries: 0, logger: c.log });
}

export function daemonCall(c: ControlContext): { timeoutMs: number; retries: number } {
  return { timeoutMs: c.daemonTimeoutMs, retries: 0 };
}
