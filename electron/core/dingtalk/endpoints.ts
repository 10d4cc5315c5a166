import { DINGTALK_HOSTS } from '../../shared/api';

/** Where DingTalk lives. Overridable so tests and the sandbox can point at loopback. */
export interface DingTalkEndpoints {
  /** OpenAPI (v1.0) base, e.g. https://api.dingtalk.com */
  apiBase: string;
  /** Legacy OAPI base, e.g. https://oapi.dingtalk.com */
  oapiBase: string;
}

export const DEFAULT_API_BASE = `https://${DINGTALK_HOSTS.apiBase}`;
export const DEFAULT_OAPI_BASE = `https://${DINGTALK_HOSTS.oapiBase}`;

export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<DingTalkEndpoints> = {}): DingTalkEndpoints {
  const trim = (s: string): string => s.replace(/\/+$/, '');
  return {
    apiBase: trim(overrides.apiBase ?? env.DINGTALK_API_BASE ?? DEFAULT_API_BASE),
    oapiBase: trim(overrides.oapiBase ?? env.DINGTALK_OAPI_BASE ?? DEFAULT_OAPI_BASE),
  };
}

/**
 * Session webhooks arrive inside inbound messages; the bridge posts replies (agents' words) to
 * them with no token. Only to the hosts this bridge talks to anyway: DingTalk's (the webhook is
 * on oapi.dingtalk.com), or the sandbox/fake its endpoints point at.
 */
export function isAllowedWebhook(url: string, endpoints: DingTalkEndpoints): boolean {
  const origin = (text: string): string | undefined => {
    try {
      const u = new URL(text);
      return u.username || u.password ? undefined : u.origin;
    } catch {
      return undefined;
    }
  };
  const target = origin(url);
  return target !== undefined && target !== 'null' && [endpoints.apiBase, endpoints.oapiBase].some((base) => origin(base) === target);
}

export interface DingTalkCredentials {
  appKey: string;
  appSecret: string;
  /** Usually equal to the AppKey for internal apps. */
  robotCode?: string;
}

export const BOT_MESSAGE_TOPIC = '/v1.0/im/bot/messages/get';
export const CARD_CALLBACK_TOPIC = '/v1.0/card/instances/callback';
