/**
 * Where a bridge's AppSecret may go: DingTalk's own hosts, the sandbox for the sandbox's bridge, or
 * — in custom endpoint mode only — a private deployment the user chose (over https, or plain http
 * on this machine).
 */
import { isDingTalkBase, isSafeCustomBase, type AppSettingsView, type EndpointName } from '../../shared/api';
import { endpointsFromEnv, type DingTalkEndpoints } from '../dingtalk/endpoints';
import { BridgeError } from '../errors';
import type { SandboxSwitch } from './sandbox-switch';
import type { BridgeProfile } from '../config/profile';
import type { AppSettingsStore } from './stores';

export class EndpointPolicy {
  constructor(
    private readonly appSettings: AppSettingsStore,
    private readonly sandbox: SandboxSwitch,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Where a bridge connects: the sandbox for the sandbox's own bridge only, else the app-wide endpoints. */
  async endpointsFor(profile: Pick<BridgeProfile, 'sandbox'>): Promise<DingTalkEndpoints> {
    return profile.sandbox ? this.sandbox.endpoints() : this.appEndpoints();
  }

  /** Where typed credentials are tested: the sandbox's app at the running sandbox, any other at the app-wide endpoints. */
  async endpointsForTyped(appKey: string): Promise<DingTalkEndpoints> {
    return this.sandbox.isSandboxApp(appKey) ? this.sandbox.endpoints() : this.appEndpoints();
  }

  /** Where one-scan setup asks for a new app: the app-wide endpoints, never the sandbox's (a scanned app is a real one). */
  registrationEndpoints(): Promise<DingTalkEndpoints> {
    return this.appEndpoints();
  }

  /** Checks an apiBase/oapiBase change; the secret of custom endpoint mode is stored by the caller. */
  checkEndpoint(which: EndpointName, url: string, custom: boolean): void {
    if (isDingTalkBase(url, which)) return;
    const official = `https://${which === 'apiBase' ? 'api' : 'oapi'}.dingtalk.com`;
    if (!custom) {
      throw new BridgeError({
        code: 'config.endpoint_not_dingtalk',
        message: `${url} is not DingTalk's address (${official}): the AppSecret is sent only to DingTalk`,
        hint: 'For a private deployment, turn on custom endpoint mode and enter the AppSecret again with it.',
        retryable: false,
        details: { field: which },
      });
    }
    if (!isSafeCustomBase(url)) {
      throw new BridgeError({
        code: 'config.endpoint_insecure',
        message: `${url} would carry the AppSecret unencrypted: a custom endpoint must use https (plain http only on this machine)`,
        retryable: false,
        details: { field: which },
      });
    }
  }

  private async appEndpoints(): Promise<DingTalkEndpoints> {
    const s = await this.appSettings.get();
    const apiBase = storedBase(s, 'apiBase');
    const oapiBase = storedBase(s, 'oapiBase');
    return endpointsFromEnv(this.env, { ...(apiBase ? { apiBase } : {}), ...(oapiBase ? { oapiBase } : {}) });
  }
}

/**
 * A stored base that is not DingTalk's counts only in custom endpoint mode: one written by an
 * older version (or by hand) must not redirect secrets.
 */
function storedBase(s: AppSettingsView, which: EndpointName): string | undefined {
  const url = s[which];
  return url && (s.customEndpointSince !== undefined || isDingTalkBase(url, which)) ? url : undefined;
}
