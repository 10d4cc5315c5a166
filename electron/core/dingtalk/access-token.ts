/**
 * The app's access token: cached, refreshed ahead of expiry, one refresh in flight at a time
 * (docs/dingtalk-protocol.md §4: bridges that break after two idle hours forgot this).
 */
import { z } from 'zod';
import { BridgeError } from '../errors';
import type { DingTalkCredentials, DingTalkEndpoints } from './endpoints';
import { requestJson, type CallCounter } from './http';

const tokenAnswer = z.object({ accessToken: z.string().min(1), expireIn: z.number().positive() });

export interface AccessTokenOptions {
  /** Refresh this long before DingTalk's stated expiry. */
  refreshAheadMs?: number;
  now?: () => number;
  counter?: CallCounter;
}

export class AccessTokenProvider {
  private token: { value: string; refreshAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  private readonly refreshAheadMs: number;
  private readonly now: () => number;
  private readonly counter: CallCounter | undefined;

  constructor(
    private readonly credentials: DingTalkCredentials,
    private readonly endpoints: DingTalkEndpoints,
    options: AccessTokenOptions = {},
  ) {
    this.refreshAheadMs = options.refreshAheadMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.counter = options.counter;
  }

  async get(): Promise<string> {
    if (this.token && this.now() < this.token.refreshAt) return this.token.value;
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forget `value` (if it is still the cached one) so the next `get()` fetches a new token. */
  invalidate(value?: string): void {
    if (!value || this.token?.value === value) this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    const body = await requestJson({
      method: 'POST',
      url: `${this.endpoints.apiBase}/v1.0/oauth2/accessToken`,
      api: 'oauth2.accessToken',
      json: { appKey: this.credentials.appKey, appSecret: this.credentials.appSecret },
      counter: this.counter,
    });
    const parsed = tokenAnswer.safeParse(body);
    if (!parsed.success) {
      throw new BridgeError({ code: 'dingtalk.bad_answer', message: 'DingTalk sent an unexpected token answer', retryable: true });
    }
    const lifetimeMs = parsed.data.expireIn * 1000;
    const refreshAt = this.now() + Math.max(lifetimeMs - this.refreshAheadMs, lifetimeMs / 2);
    this.token = { value: parsed.data.accessToken, refreshAt };
    return parsed.data.accessToken;
  }
}
