/** Where DingTalk lives. Overridable so tests and the sandbox can point at loopback. */
export interface DingTalkEndpoints {
  /** OpenAPI (v1.0) base, e.g. https://api.dingtalk.com */
  apiBase: string;
  /** Legacy OAPI base, e.g. https://oapi.dingtalk.com */
  oapiBase: string;
}

export const DEFAULT_API_BASE = 'https://api.dingtalk.com';
export const DEFAULT_OAPI_BASE = 'https://oapi.dingtalk.com';

export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<DingTalkEndpoints> = {}): DingTalkEndpoints {
  const trim = (s: string): string => s.replace(/\/+$/, '');
  return {
    apiBase: trim(overrides.apiBase ?? env.DINGTALK_API_BASE ?? DEFAULT_API_BASE),
    oapiBase: trim(overrides.oapiBase ?? env.DINGTALK_OAPI_BASE ?? DEFAULT_OAPI_BASE),
  };
}

export interface DingTalkCredentials {
  appKey: string;
  appSecret: string;
  /** Usually equal to the AppKey for internal apps. */
  robotCode?: string;
}

export const BOT_MESSAGE_TOPIC = '/v1.0/im/bot/messages/get';
export const CARD_CALLBACK_TOPIC = '/v1.0/card/instances/callback';
