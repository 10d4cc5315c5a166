import { describe, expect, it } from 'vitest';
import { judge, DEFAULT_RETRY_POLICY } from '../../../../electron/core/bridge/outbox/retry';
import { openApiRoute, RouteChooser } from '../../../../electron/core/bridge/outbox/route';
import { SessionWebhooks } from '../../../../electron/core/bridge/session-webhooks';
import { BridgeError } from '../../../../electron/core/errors';

const text = { kind: 'text', content: 'hi' } as const;
const group = { conversationId: 'cidG', conversationType: 'group' } as const;

describe('RouteChooser over SessionWebhooks', () => {
  it('uses a valid webhook, then the OpenAPI once it is within the safety margin of expiry', () => {
    let now = 0;
    const webhooks = new SessionWebhooks({ marginMs: 60_000, now: () => now });
    const router = new RouteChooser({ webhooks, webhookPerChatPerMinute: 20, now: () => now });
    webhooks.remember('cidG', { url: 'http://hook/1', expiresAt: 10 * 60_000 });
    expect(router.choose(group, text)).toEqual({ via: 'webhook', url: 'http://hook/1' });
    now = 9 * 60_000 + 1;
    expect(router.choose(group, text)).toEqual({ via: 'group', conversationId: 'cidG' });
  });

  it('keeps the longest-lasting webhook and forgets only the one that failed', () => {
    const webhooks = new SessionWebhooks({ now: () => 0 });
    const router = new RouteChooser({ webhooks, webhookPerChatPerMinute: 20, now: () => 0 });
    webhooks.remember('cidG', { url: 'http://hook/new', expiresAt: 5_000_000 });
    webhooks.remember('cidG', { url: 'http://hook/old', expiresAt: 1_000_000 });
    expect(router.choose(group, text)).toEqual({ via: 'webhook', url: 'http://hook/new' });
    router.forget('cidG', 'http://hook/old');
    expect(router.choose(group, text)).toEqual({ via: 'webhook', url: 'http://hook/new' });
    router.forget('cidG', 'http://hook/new');
    expect(router.choose(group, text)).toEqual({ via: 'group', conversationId: 'cidG' });
  });

  it('spends at most N webhook sends per chat per minute, then uses the OpenAPI', () => {
    let now = 0;
    const webhooks = new SessionWebhooks({ now: () => now });
    const router = new RouteChooser({ webhooks, webhookPerChatPerMinute: 3, now: () => now });
    webhooks.remember('cidG', { url: 'http://hook', expiresAt: 3_600_000 });
    const vias = Array.from({ length: 5 }, () => router.choose(group, text).via);
    expect(vias).toEqual(['webhook', 'webhook', 'webhook', 'group', 'group']);
    now += 60_001;
    expect(router.choose(group, text).via).toBe('webhook');
    router.throttled('cidG');
    expect(router.choose(group, text).via).toBe('group');
  });

  it('never sends images or files through a webhook, and routes single chats to the staff id', () => {
    const webhooks = new SessionWebhooks({ now: () => 0 });
    const router = new RouteChooser({ webhooks, webhookPerChatPerMinute: 20, now: () => 0 });
    webhooks.remember('cidS', { url: 'http://hook', expiresAt: 3_600_000 });
    const single = { conversationId: 'cidS', conversationType: 'single', userId: 'staff1' } as const;
    expect(router.choose(single, { kind: 'image', photoUrl: '@media' })).toEqual({ via: 'single', userId: 'staff1' });
    expect(router.choose(single, text)).toEqual({ via: 'webhook', url: 'http://hook' });
    expect(() => openApiRoute({ conversationId: 'cidX', conversationType: 'single' })).toThrow(expect.objectContaining({ code: 'outbox.no_recipient' }));
  });
});

describe('judge', () => {
  const err = (code: string, retryable: boolean) => new BridgeError({ code, message: code, retryable });

  it('pauses 1–2 s on rate limits, backs off exponentially (capped) on other passing troubles', () => {
    expect(judge(err('dingtalk.rate_limited', true), 7, DEFAULT_RETRY_POLICY, () => 0)).toMatchObject({ retry: true, delayMs: 1000 });
    expect(judge(err('dingtalk.rate_limited', true), 0, DEFAULT_RETRY_POLICY, () => 1)).toMatchObject({ retry: true, delayMs: 2000 });
    const delays = [0, 1, 2, 3, 10].map((n) => (judge(err('dingtalk.network', true), n, DEFAULT_RETRY_POLICY, () => 0) as { delayMs: number }).delayMs);
    expect(delays).toEqual([1000, 2000, 4000, 8000, 60_000]);
  });

  it('waits out setup problems an admin can fix in the console', () => {
    for (const code of [
      'dingtalk.no_permission',
      'dingtalk.invalid_credentials',
      'dingtalk.robot_not_found',
      'dingtalk.ip_not_whitelisted',
      'dingtalk.quota_exhausted',
    ]) {
      expect(judge(err(code, false), 3)).toMatchObject({ retry: true, delayMs: 60_000, problem: { code } });
    }
  });

  it('gives up on errors waiting will not fix', () => {
    expect(judge(err('dingtalk.invalid_user', false), 0)).toMatchObject({ retry: false, problem: { code: 'dingtalk.invalid_user' } });
    expect(judge(new RangeError('An ActionCard needs 1 to 5 buttons'), 0)).toMatchObject({
      retry: false,
      problem: { code: 'outbox.invalid_message', message: expect.stringContaining('1 to 5 buttons') },
    });
  });
});
